// Regression tests of the gaps hostile input found (issue 20, docs/robustness.md): readers of
// every format on malformed, oversized and special inputs, parameter ranges, CSV quoting.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "dysta/atomic_output.h"
#include "dysta/config.h"
#include "dysta/csv.h"
#include "dysta/inference/onnx.h"
#include "dysta/input_checks.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/profile.h"
#include "dysta/registry.h"
#include "dysta/sweep_file.h"
#include "dysta/sweep_runner.h"
#include "dysta/workload.h"
#include "inference/js_literal.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

using test::capture_input_error;

std::string bytes_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

// --- CSV: RFC 4180 quoting, BOM, special files -------------------------------------------------

// Deterministic generator of awkward field texts (no std::*_distribution).
std::string awkward_text(std::uint64_t& state) {
  static const char alphabet[] = {'a',  'b', ',', '"', '\n', '\r',   ' ',
                                  '\t', 'x', ';', '#', '\'', '\xc3', '\xa9'};
  std::string s;
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  const std::size_t len = 1 + (state >> 59);
  for (std::size_t i = 0; i < len; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    s += alphabet[(state >> 33) % sizeof(alphabet)];
  }
  // A lone '\r' before the end of a line is fine inside quotes; keep "\xc3\xa9" pairs whole.
  return s;
}

TEST(CsvQuoting, EveryWrittenFieldReadsBackExactly) {
  test::TempDir dir;
  std::uint64_t state = 7;
  for (int round = 0; round < 200; ++round) {
    std::vector<std::vector<std::string>> rows(3, std::vector<std::string>(3));
    std::string text = "c0,c1,c2\n";
    for (auto& row : rows) {
      for (std::size_t c = 0; c < row.size(); ++c) {
        row[c] = awkward_text(state);
        if (c > 0) text += ',';
        text += csv_field(row[c]);
      }
      text += "\n";
    }
    const std::string path = bytes_file(dir.path() / "q.csv", text);
    CsvReader csv(path);
    for (const auto& row : rows) {
      ASSERT_TRUE(csv.next_row()) << text;
      for (std::size_t c = 0; c < row.size(); ++c) {
        ASSERT_EQ(csv.text(c), row[c]) << "round " << round << " text:\n" << text;
      }
    }
    EXPECT_FALSE(csv.next_row());
  }
}

TEST(CsvQuoting, MalformedQuotesAreErrorsWithTheLine) {
  test::TempDir dir;
  const auto e1 = capture_input_error([&] {
    CsvReader csv(bytes_file(dir.path() / "a.csv", "a,b\n1,\"x\"y\n"));
    csv.next_row();
  });
  EXPECT_EQ(e1.line(), 2u);
  const auto e2 = capture_input_error([&] {
    CsvReader csv(bytes_file(dir.path() / "b.csv", "a,b\n1,\"open\n2,3\n"));
    while (csv.next_row()) {
    }
  });
  EXPECT_NE(e2.message().find("not closed"), std::string::npos) << e2.what();
}

TEST(CsvQuoting, NativeProfileAndTraceWithAwkwardNamesRoundTrip) {
  test::TempDir dir;
  const std::vector<std::string> names = {"a,b", "say \"hi\"", " padded ", "two\nlines", "ok"};
  std::vector<VariantProfile> variants;
  for (const auto& n : names) {
    variants.push_back(test::simple_variant(n, n, 2, {0.001, 0.002, 0.003, 0.004}));
  }
  const ProfileSet set(std::move(variants));
  const fs::path file = dir.path() / "p.csv";
  write_native_profiles(set, file);
  const ProfileSet back = load_profiles(file, {});
  ASSERT_EQ(back.size(), set.size());
  for (std::size_t i = 0; i < set.size(); ++i) {
    EXPECT_EQ(back.variant(i).name, set.variant(i).name);
    EXPECT_EQ(back.variant(i).latency_s, set.variant(i).latency_s);
  }
  std::vector<Request> requests;
  for (std::uint32_t v = 0; v < set.size(); ++v) {
    Request r;
    r.arrival_s = 0.5 * v;
    r.variant = v;
    r.priority = 3;
    r.slo_multiplier = 10;
    requests.push_back(r);
  }
  const std::string trace = format_trace(requests, back);
  test::write_text(dir.path() / "t.csv", trace);
  const auto replayed = read_trace(dir.path() / "t.csv", back);
  ASSERT_EQ(replayed.size(), requests.size());
  EXPECT_EQ(format_trace(replayed, back), trace);
}

TEST(CsvReader, AcceptsAByteOrderMark) {
  test::TempDir dir;
  const std::string path = bytes_file(dir.path() / "bom.csv",
                                      "\xEF\xBB\xBFmodel,pattern,sample,layer,latency_s,sparsity\n"
                                      "m,,0,0,0.001,0.5\n");
  const ProfileSet set = load_profiles(path, {});
  EXPECT_EQ(set.variant(0).name, "m");
}

TEST(CsvReader, RefusesFifosDirectoriesAndSymlinkLoopsWithoutBlocking) {
  test::TempDir dir;
  const fs::path fifo = dir.path() / "fifo.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto e = capture_input_error([&] { CsvReader csv(fifo.string()); });
  EXPECT_NE(e.message().find("not a regular file"), std::string::npos) << e.what();
  EXPECT_NE(capture_input_error([&] { load_profiles(fifo, {}); }).message().find("FIFO"),
            std::string::npos);
  fs::create_symlink(dir.path() / "loop_b", dir.path() / "loop_a");
  fs::create_symlink(dir.path() / "loop_a", dir.path() / "loop_b");
  EXPECT_EQ(capture_input_error([&] { load_profiles(dir.path() / "loop_a", {}); }).file(),
            (dir.path() / "loop_a").string());
  EXPECT_NE(
      capture_input_error([&] { load_config(dir.path() / "loop_a", {}); }).message().find("link"),
      std::string::npos);
  EXPECT_NE(capture_input_error([&] { load_config(dir.path(), {}); }).message().find("directory"),
            std::string::npos);
}

// --- Profiles: ranges, derived latencies, names, linear time -----------------------------------

TEST(ProfileLimits, HugeOrDerivedInfiniteLatenciesAreErrors) {
  test::TempDir dir;
  const auto e1 = capture_input_error([&] {
    load_profiles(bytes_file(dir.path() / "n.csv",
                             "model,pattern,sample,layer,latency_s,sparsity\nm,,0,0,1e308,0.5\n"),
                  {});
  });
  EXPECT_EQ(e1.field(), "latency_s");
  EXPECT_EQ(e1.line(), 2u);
  const auto e2 = capture_input_error([&] {
    load_profiles(bytes_file(dir.path() / "load_balance_x.csv",
                             "overall-sparsity,50%-skip,batch-indx,layer-indx\n0.5,1e-320,0,0\n"),
                  {});
  });
  EXPECT_EQ(e2.field(), "50%-skip");
}

TEST(ProfileLimits, NonUtf8NamesAreRejectedWithTheBytesShown) {
  test::TempDir dir;
  const auto e1 = capture_input_error([&] {
    load_profiles(bytes_file(dir.path() / "n.csv",
                             "model,pattern,sample,layer,latency_s,sparsity\nm\xff,,0,0,1,0.5\n"),
                  {});
  });
  EXPECT_EQ(e1.field(), "model");
  EXPECT_NE(e1.message().find("\\xff"), std::string::npos) << e1.what();
  const auto e2 = capture_input_error([&] {
    load_profiles(bytes_file(dir.path() / "net\xfe_p.csv",
                             "sim_lat,overall-sparsity,batch-indx,layer-indx\n0.1,0.5,0,0\n"),
                  {});
  });
  EXPECT_EQ(e2.field(), "file name");
}

// Loading is linear in the layers (it was quadratic: 99,999 layers took 10 s). A complexity
// guard, not a speed figure: the ratio of two loading times, best of five each.
TEST(ProfileLimits, LoadingTimeIsLinearInTheLayers) {
  test::TempDir dir;
  auto best_seconds = [&](std::size_t layers) {
    std::string text = "model,pattern,sample,layer,latency_s,sparsity\n";
    for (std::size_t l = 0; l < layers; ++l) {
      text += fmt::format("m,,0,{},0.001,0.5\n", l);
    }
    const std::string path = bytes_file(dir.path() / "long.csv", text);
    double best = 1e9;
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      const ProfileSet set = load_profiles(path, {});
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::min(best, s);
      EXPECT_EQ(set.variant(0).num_layers, layers);
    }
    return best;
  };
  // 8x the layers: about 8x the time if linear, 64x if quadratic; the limit between the two
  // leaves room for a loaded machine (best of five runs each).
  const double small = best_seconds(12000);
  const double large = best_seconds(96000);
  EXPECT_LT(large / small, 32.0) << small << " s vs " << large << " s";
}

TEST(ProfileLimits, ShortProfilesKeepTheLeftToRightSuffixSums) {
  // Python's sum(x[k:]) order (spec L.2): ((0.1 + 0.2) + 0.3) differs from 0.1 + (0.2 + 0.3).
  const VariantProfile v = make_variant("m", "m", "", {0}, 3, {0.1, 0.2, 0.3}, {0, 0, 0});
  EXPECT_EQ(v.remaining(0)[0], (0.1 + 0.2) + 0.3);
  EXPECT_EQ(v.remaining(0)[1], 0.2 + 0.3);
}

// --- Config: ranges, integer fits, duplicates, UTF-8, sizes -------------------------------------

InputError config_error(const std::string& yaml) {
  test::TempDir dir;
  const fs::path path = dir.path() / "c.yaml";
  bytes_file(path, yaml);
  return capture_input_error([&] { load_config(path, {}); });
}

TEST(ConfigLimits, EveryNumericKeyHasARange) {
  struct Case {
    std::string yaml, field;
  };
  const std::vector<Case> cases = {
      {"workload: {rate: 5e-324}", "workload.rate"},
      {"workload: {rate: 1e308}", "workload.rate"},
      {"workload: {slo_multiplier: 1e-320}", "workload.slo_multiplier"},
      {"workload: {requests: 9e15}", "workload.requests"},
      {"workload: {priorities: [2147483648]}", "workload.priorities[0]"},
      {"workload: {seed: 1e300}", "workload.seed"},
      {"workload: {mix: {a: 1e308}}", "workload.mix.a"},
      {"sanger: {clock_hz: 1e-320}", "sanger.clock_hz"},
      {"sanger: {pe_rows: 4294967360}", "sanger.pe_rows"},
      {"sanger: {bandwidth_gb_s: 1e-300}", "sanger.bandwidth_gb_s"},
      {"sweep: {threads: 1e15}", "sweep.threads"},
      {"sweep: {rates: [30, 1e-320]}", "sweep.rates[1]"},
  };
  for (const auto& c : cases) {
    const auto e = config_error(c.yaml);
    EXPECT_EQ(e.field(), c.field) << c.yaml << " -> " << e.what();
    EXPECT_NE(e.message().find('['), std::string::npos) << "names the range: " << e.what();
  }
}

TEST(ConfigLimits, DuplicateKeysAreErrorsAtTheSecondOccurrence) {
  const auto e = config_error("policy: fcfs\nworkload:\n  rate: 10\n  rate: 20\n");
  EXPECT_EQ(e.field(), "rate");
  EXPECT_EQ(e.line(), 4u);
  EXPECT_NE(config_error("policy: a\npolicy: b\n").message().find("duplicate"), std::string::npos);
}

TEST(ConfigLimits, AliasBombsAreRefused) {
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    yaml += fmt::format("a{}: &a{} [", i, i);
    for (int k = 0; k < 10; ++k) yaml += fmt::format("{}*a{}", k ? ", " : "", i - 1);
    yaml += "]\n";
  }
  EXPECT_NE(config_error(yaml).message().find("too large"), std::string::npos);
}

TEST(ConfigLimits, NonUtf8TextIsRejected) {
  const auto e = config_error("description: \"caf\xe9\"\n");
  EXPECT_EQ(e.field(), "description");
  EXPECT_NE(e.message().find("UTF-8"), std::string::npos);
  // Found by fuzz_sweep: a non-UTF-8 key (a workload.mix model name) reached point_json().
  const auto k = config_error(
      "workload:\n  mix:\n    spa\x97"
      "e20: 1\n");
  EXPECT_EQ(k.line(), 3u);
  EXPECT_EQ(k.field().rfind("workload.mix.spa", 0), 0u) << k.what();
  EXPECT_NE(k.message().find("\\x97"), std::string::npos) << k.what();
}

TEST(ConfigLimits, SweepPointsAreLimitedBeforeExpansion) {
  test::TempDir dir;
  std::string list = "[";
  for (int i = 0; i < 1000; ++i) list += std::to_string(i + 1) + (i < 999 ? "," : "]");
  Config c = load_config(
      "", {"sweep.seeds=" + list, "sweep.rates=" + list, "sweep.slo_multipliers=" + list,
           "profiles=" + std::string(DYSTA_SOURCE_DIR) + "/data/synthetic/sanger"});
  const auto e = capture_input_error([&] { expand_sweep(c, "c.yaml"); });
  EXPECT_NE(e.message().find("kMaxSweepPoints"), std::string::npos) << e.what();
}

// --- Component parameters: declared ranges, required values -------------------------------------

TEST(ParamRanges, ValuesOutsideTheDeclaredRangeNameParameterAndComponent) {
  for (const double beta : {-1.0, 1e308}) {
    const auto e = capture_input_error([&] {
      make_policy("dysta", {{"beta", beta}}, Semantics::corrected);
    });
    EXPECT_EQ(e.field(), "policy_params.beta");
    EXPECT_NE(e.message().find("'dysta'"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("[0, 1000]"), std::string::npos) << e.what();
  }
  const auto e = capture_input_error([&] {
    make_policy("dysta_hw", {{"queue_bits", 2.5}}, Semantics::corrected);
  });
  EXPECT_NE(e.message().find("an integer in [1, 16]"), std::string::npos) << e.what();
  EXPECT_NO_THROW(make_policy("dysta", {{"beta", 0}}, Semantics::corrected));
  // Every registered parameter's default lies in its own range.
  for (const PolicyInfo* info : policy_registry().all()) {
    EXPECT_NO_THROW(resolve_params("policy", info->name, info->params, {})) << info->name;
  }
  for (const PredictorInfo* info : predictor_registry().all()) {
    EXPECT_NO_THROW(resolve_params("predictor", info->name, info->params, {})) << info->name;
  }
}

TEST(ParamRanges, RequiredParametersMustBeGiven) {
  const std::vector<ParamSpec> specs = {{"k", 0, "needed", 1, 10, true, true}};
  const auto e = capture_input_error([&] { resolve_params("policy", "p", specs, {}); });
  EXPECT_EQ(e.field(), "policy_params.k");
  EXPECT_NE(e.message().find("required"), std::string::npos);
  EXPECT_EQ(resolve_params("policy", "p", specs, {{"k", 3}}).at("k"), 3);
}

// --- Model readers -----------------------------------------------------------------------------

TEST(JsLiteral, DeepNestingIsAnErrorNotAStackOverflow) {
  for (const char open : {'[', '{', '!'}) {
    std::string text(200000, open);
    if (open == '{') {
      text.clear();
      for (int i = 0; i < 100000; ++i) text += "{a:";
    }
    std::size_t pos = 0;
    const auto e =
        capture_input_error([&] { inference::detail::parse_js_value(text, pos, "deep.js"); });
    EXPECT_NE(e.message().find("nested deeper"), std::string::npos) << e.what();
  }
  std::size_t pos = 0;
  EXPECT_NO_THROW(inference::detail::parse_js_value("[[[[1]]]]", pos, "ok.js"));
  pos = 0;
  EXPECT_NE(
      capture_input_error([&] { inference::detail::parse_js_value("'\\ud800'", pos, "s.js"); })
          .message()
          .find("surrogate"),
      std::string::npos);
}

// Minimal protobuf encoding of an ONNX model with one initializer.
std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  return out + static_cast<char>(v);
}
std::string field_bytes(int field, const std::string& b) {
  return varint(static_cast<std::uint64_t>(field) << 3 | 2) + varint(b.size()) + b;
}
std::string field_varint(int field, std::uint64_t v) {
  return varint(static_cast<std::uint64_t>(field) << 3) + varint(v);
}
std::string onnx_with_tensor(const std::vector<std::uint64_t>& dims, const std::string& raw) {
  std::string t;
  for (const auto d : dims) t += field_varint(1, d);
  t += field_varint(2, 1) + field_bytes(8, "W") + field_bytes(9, raw);
  const std::string graph = field_bytes(5, t);
  return field_varint(1, 8) + field_bytes(7, graph);
}

TEST(OnnxReader, TensorSizesAreCheckedAgainstTheBytesPresent) {
  test::TempDir dir;
  const auto read = [&](const std::string& bytes) {
    return inference::read_onnx(bytes_file(dir.path() / "m.onnx", bytes));
  };
  // [2^62, 4] overflowed the element count to 0 and was accepted with no values.
  EXPECT_NE(capture_input_error([&] {
              read(onnx_with_tensor({1ULL << 62, 4}, ""));
            })
                .message()
                .find("needs more values"),
            std::string::npos);
  // Huge dims ended in std::bad_alloc.
  EXPECT_NO_FATAL_FAILURE(
      capture_input_error([&] { read(onnx_with_tensor({1ULL << 40}, std::string(4, '\0'))); }));
  // Negative (two's complement varint) dims.
  capture_input_error([&] { read(onnx_with_tensor({~0ULL}, "")); });
  // An empty tensor with empty raw_data (memcpy from a null pointer before).
  EXPECT_NO_THROW(read(onnx_with_tensor({0}, "")));
}

// --- Point summaries, merges ---------------------------------------------------------------------

TEST(PointSummary, OverflowingNumbersAndIntegersAreErrors) {
  test::TempDir dir;
  test::write_text(dir.path() / "p/summary.json", "{\"key\": \"k\", \"x\": 1e999}");
  EXPECT_EQ(capture_input_error([&] { read_point(dir.path() / "p"); }).file(),
            (dir.path() / "p/summary.json").string());
  nlohmann::json j = point_json(PointConfig{});
  j["requests"] = 1ULL << 40;
  EXPECT_EQ(capture_input_error([&] { point_from_json(j, "s.json"); }).field(), "point.requests");
  j = point_json(PointConfig{});
  j["sanger"]["pe_rows"] = 4294967360ULL;
  EXPECT_EQ(capture_input_error([&] { point_from_json(j, "s.json"); }).field(),
            "point.sanger.pe_rows");
}

// --- Atomic output
// ---------------------------------------------------------------------------------

TEST(AtomicOutput, ReplacingAFolderWrittenMeanwhileLeavesNoTemporary) {
  test::TempDir dir;
  const fs::path target = dir.path() / "points" / "k";
  write_folder_atomically(target, [&](const fs::path& tmp) {
    test::write_text(tmp / "a.txt", "first");
    // Another writer finishes the same folder while this one is filling its copy.
    fs::create_directories(target);
    test::write_text(target / "a.txt", "other");
  });
  EXPECT_EQ(test::read_text(target / "a.txt"), "first");
  for (const auto& e : fs::directory_iterator(target.parent_path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

TEST(AtomicOutput, OrphanedTemporariesOfDeadProcessesAreRemoved) {
  test::TempDir dir;
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);  // a process id that no longer runs
  const std::string dead = std::to_string(child);
  fs::create_directories(dir.path() / fmt::format("k.tmp-{}-0", dead));
  test::write_text(dir.path() / fmt::format("results.csv.tmp-{}-3", dead), "x");
  fs::create_directories(dir.path() / fmt::format("mine.tmp-{}-0", ::getpid()));
  fs::create_directories(dir.path() / "keep");
  EXPECT_EQ(remove_orphaned_temporaries(dir.path()), 2u);
  EXPECT_TRUE(fs::exists(dir.path() / "keep"));
  EXPECT_TRUE(fs::exists(dir.path() / fmt::format("mine.tmp-{}-0", ::getpid())));
}

TEST(InputChecks, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("caf\xe9"));           // Latin-1
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_EQ(escape_bytes("a\xff\n"), "a\\xff\\x0a");
}

}  // namespace
}  // namespace dysta
