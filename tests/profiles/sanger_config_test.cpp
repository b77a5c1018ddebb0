// The one parser of Sanger constants (sanger_latency.h): defaults, overrides, and the same checks
// and messages whether the constants come from a config's `sanger:` section, a profile job's
// accelerator_params or a sweep point's summary.
#include <gtest/gtest.h>

#include "dysta/accelerators/model.h"
#include "dysta/config.h"
#include "dysta/sanger_latency.h"
#include "dysta/sweep_file.h"
#include "test_util.h"

namespace dysta {
namespace {

TEST(SangerConfig, DefaultsAreTheArtifactsAndOverridesApply) {
  const SangerConfig d = sanger_config({}, "sanger.");
  EXPECT_EQ(d.pe_rows, 64);
  EXPECT_EQ(d.seq_len, 512);
  EXPECT_EQ(d.clock_hz, 1e9);
  EXPECT_EQ(d.subrow_fraction, 0.25);
  EXPECT_EQ(sanger_param_specs().size(), 9u);
  const SangerConfig c = sanger_config({{"seq_len", 128}, {"bandwidth_gb_s", 64}}, "sanger.");
  EXPECT_EQ(c.seq_len, 128);
  EXPECT_EQ(c.bandwidth_gb_s, 64);
  EXPECT_EQ(c.hidden, 768);
}

TEST(SangerConfig, BadValuesNameTheField) {
  const auto field = [](const ParamValues& p) {
    return test::capture_input_error([&] { sanger_config(p, "x."); }).field();
  };
  EXPECT_EQ(field({{"pe_rows", 0}}), "x.pe_rows");
  EXPECT_EQ(field({{"pe_cols", 2.5}}), "x.pe_cols");
  EXPECT_EQ(field({{"hidden", 4e9}}), "x.hidden");  // would overflow an int
  EXPECT_EQ(field({{"clock_hz", -1}}), "x.clock_hz");
  EXPECT_EQ(field({{"subrow_fraction", 0}}), "x.subrow_fraction");
  EXPECT_EQ(field({{"bogus", 1}}), "x.bogus");
}

TEST(SangerConfig, ConfigAndAcceleratorShareTheParser) {
  test::TempDir dir;
  test::write_text(dir.path() / "c.yaml",
                   "policy: fcfs\nsanger:\n  seq_len: 256\n  pe_rows: 3.5\n");
  const InputError from_config =
      test::capture_input_error([&] { load_config(dir.path() / "c.yaml", {}); });
  EXPECT_EQ(from_config.field(), "sanger.pe_rows");
  EXPECT_EQ(from_config.line(), 4u);
  const InputError from_model = test::capture_input_error([] {
    make_accelerator("sanger", {{"pe_rows", 3.5}}, Semantics::corrected);
  });
  EXPECT_EQ(from_model.field(), "accelerator_params.pe_rows");
  // Both routes check the one spec's range (the registry adds the component and the value).
  const std::string range = "must be an integer in [1, 65536]";
  EXPECT_EQ(from_config.message(), range);
  EXPECT_EQ(from_model.message().rfind(range, 0), 0u) << from_model.message();

  test::write_text(dir.path() / "ok.yaml", "sanger: {seq_len: 256, clock_hz: 2e9}\n");
  const Config ok = load_config(dir.path() / "ok.yaml", {});
  EXPECT_EQ(ok.sanger.seq_len, 256);
  EXPECT_EQ(ok.sanger.clock_hz, 2e9);
  EXPECT_EQ(ok.sanger.pe_rows, 64);
}

// A bad constant in a point summary (summary.json "point.sanger") gives a config's error: the same
// message, the field under "point.".
TEST(SangerConfig, PointSummaryAndConfigShareTheParser) {
  test::TempDir dir;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"pe_rows", "3.5"},        {"pe_cols", "0"},       {"pes_per_row", "4294967360"},
      {"bytes_per_value", "65"}, {"clock_hz", "0"},      {"bandwidth_gb_s", "1e7"},
      {"hidden", "-768"},        {"seq_len", "16777217"}};
  for (const auto& [name, value] : bad) {
    SCOPED_TRACE(name + " = " + value);
    test::write_text(dir.path() / "c.yaml", "sanger:\n  " + name + ": " + value + "\n");
    const InputError from_config =
        test::capture_input_error([&] { load_config(dir.path() / "c.yaml", {}); });
    nlohmann::json point = point_json(PointConfig{});
    point["sanger"][name] = nlohmann::json::parse(value);
    const InputError from_point =
        test::capture_input_error([&] { point_from_json(point, "summary.json"); });
    EXPECT_EQ(from_config.field(), "sanger." + name);
    EXPECT_EQ(from_point.field(), "point.sanger." + name);
    EXPECT_EQ(from_point.file(), "summary.json");
    EXPECT_EQ(from_point.message(), from_config.message());
  }
  // Summary-only checks: every written constant present, nothing else, numbers only.
  nlohmann::json point = point_json(PointConfig{});
  point["sanger"].erase("hidden");
  EXPECT_EQ(test::capture_input_error([&] { point_from_json(point, "s.json"); }).field(),
            "point.sanger.hidden");
  point = point_json(PointConfig{});
  point["sanger"]["subrow_fraction"] = 0.5;  // not a config key either
  EXPECT_EQ(test::capture_input_error([&] { point_from_json(point, "s.json"); }).field(),
            "point.sanger.subrow_fraction");
  point = point_json(PointConfig{});
  point["sanger"]["seq_len"] = "256";
  EXPECT_EQ(test::capture_input_error([&] { point_from_json(point, "s.json"); }).field(),
            "point.sanger.seq_len");
  // Good values round-trip.
  PointConfig p;
  p.sanger.seq_len = 256;
  p.sanger.clock_hz = 2e9;
  const PointConfig back = point_from_json(point_json(p), "s.json");
  EXPECT_EQ(back.sanger.seq_len, 256);
  EXPECT_EQ(back.sanger.clock_hz, 2e9);
  EXPECT_EQ(point_key(back), point_key(p));
}

}  // namespace
}  // namespace dysta
