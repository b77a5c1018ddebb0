// workload.arrivals (docs/config.md): typed, range-checked keys; the generator follows them; the
// default draws the Poisson stream exactly as before.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dysta/config.h"
#include "dysta/error.h"
#include "dysta/synthetic.h"
#include "dysta/workload.h"
#include "test_util.h"

namespace dysta {
namespace {

using test::capture_input_error;

Config load_text(const test::TempDir& dir, const std::string& yaml) {
  const auto path = dir.path() / "c.yaml";
  test::write_text(path, yaml);
  return load_config(path, {});
}

TEST(ArrivalsConfig, AbsentMeansPoissonAndNoYamlKey) {
  const Config c = load_config({}, {});
  EXPECT_FALSE(c.workload.arrivals.has_value());
  EXPECT_EQ(to_yaml(c).find("arrivals"), std::string::npos);
}

TEST(ArrivalsConfig, ParsesGammaWithCurveAndRoundTrips) {
  test::TempDir dir;
  const Config c = load_text(dir,
                             "workload:\n  rate: 5\n  arrivals:\n    kind: gamma\n    cv: 2.5\n"
                             "    curve: {t_s: [0, 10, 20], rate: [1, 9, 1], periodic: true}\n");
  ASSERT_TRUE(c.workload.arrivals);
  EXPECT_EQ(c.workload.arrivals->kind, GapKind::gamma);
  EXPECT_EQ(c.workload.arrivals->cv, 2.5);
  EXPECT_EQ(c.workload.arrivals->curve.t_s, (std::vector<double>{0, 10, 20}));
  EXPECT_TRUE(c.workload.arrivals->curve.periodic);
  const ArrivalSpec spec = c.workload.arrivals->spec(c.workload.rate);
  EXPECT_EQ(spec.curve.mean_rate(), 5.0);  // (1+9)/2 over each half
  // The resolved config reads back to the same process.
  test::write_text(dir.path() / "r.yaml", to_yaml(c));
  const Config again = load_config(dir.path() / "r.yaml", {});
  ASSERT_TRUE(again.workload.arrivals);
  EXPECT_EQ(again.workload.arrivals->curve.rate_per_s, c.workload.arrivals->curve.rate_per_s);
  EXPECT_EQ(to_yaml(again), to_yaml(c));
}

TEST(ArrivalsConfig, DiurnalUsesWorkloadRateAsMean) {
  const Config c = load_config({}, {"workload.rate=12",
                                    "workload.arrivals={kind: weibull, cv: 0.5, diurnal: "
                                    "{amplitude: 0.8, period_s: 100, points: 8}}"});
  ASSERT_TRUE(c.workload.arrivals && c.workload.arrivals->diurnal);
  const ArrivalSpec spec = c.workload.arrivals->spec(12);
  EXPECT_NEAR(spec.curve.mean_rate(), 12.0, 1e-9);
  EXPECT_EQ(spec.curve.t_s.back(), 100.0);
}

TEST(ArrivalsConfig, BadValuesNameTheKey) {
  struct Case {
    std::string set, field, words;
  };
  const std::vector<Case> cases = {
      {"workload.arrivals={kind: pareto}", "workload.arrivals.kind", "expected exponential"},
      {"workload.arrivals={kind: gamma}", "workload.arrivals.cv", "missing"},
      {"workload.arrivals={kind: gamma, cv: 30}", "workload.arrivals.cv", "[0.05, 20]"},
      {"workload.arrivals={cv: 2}", "workload.arrivals.cv", "exponential gaps have cv = 1"},
      {"workload.arrivals={kind: gamma, cv: 1, bursty: 1}", "workload.arrivals.bursty",
       "unknown key"},
      {"workload.arrivals={curve: {t_s: [0, 1], rate: [1]}}", "workload.arrivals.curve",
       "as many rates as times"},
      {"workload.arrivals={curve: {t_s: [1, 2], rate: [1, 1]}}", "workload.arrivals.curve",
       "t = 0"},
      {"workload.arrivals={curve: {t_s: [0, 1], rate: [-1, 1]}}", "workload.arrivals.curve.rate[0]",
       "must be in"},
      {"workload.arrivals={curve: {t_s: [0, 1], rate: [1, 1], periodic: maybe}}",
       "workload.arrivals.curve.periodic", "true or false"},
      {"workload.arrivals={diurnal: {amplitude: 1.5}}", "workload.arrivals.diurnal.amplitude",
       "[0, 1]"},
      {"workload.arrivals={diurnal: {points: 2}}", "workload.arrivals.diurnal.points",
       "integer in [4"},
      {"workload.arrivals={curve: {t_s: [0, 1], rate: [1, 1]}, diurnal: {}}",
       "workload.arrivals.diurnal", "not both"},
  };
  for (const Case& c : cases) {
    const InputError e = capture_input_error([&] { load_config({}, {c.set}); });
    EXPECT_EQ(e.field(), c.field) << c.set << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(c.words), std::string::npos) << c.set << ": " << e.what();
  }
}

TEST(ArrivalsConfig, FileErrorsGiveTheLine) {
  test::TempDir dir;
  const InputError e = capture_input_error(
      [&] { load_text(dir, "workload:\n  arrivals:\n    kind: gamma\n    cv: -1\n"); });
  EXPECT_EQ(e.line(), 4u);
  EXPECT_EQ(e.field(), "workload.arrivals.cv");
}

TEST(ArrivalsConfig, GeneratorFollowsTheProcess) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  const ProfileSet profiles = load_profiles(dir.path() / "eyerissv2", {});
  StreamSpec spec;
  spec.rate_per_s = 50;
  spec.num_requests = 20000;
  // Default: unchanged Poisson stream; an explicit exponential process draws the same one.
  PyRandom a(7), b(7);
  const auto poisson = generate_poisson_stream(profiles, spec, a, Semantics::corrected);
  spec.arrivals = ArrivalSpec{};
  const auto explicit_exp = generate_poisson_stream(profiles, spec, b, Semantics::corrected);
  ASSERT_EQ(poisson.size(), explicit_exp.size());
  for (std::size_t i = 0; i < poisson.size(); ++i) {
    ASSERT_EQ(poisson[i].arrival_s, explicit_exp[i].arrival_s) << i;
    ASSERT_EQ(poisson[i].variant, explicit_exp[i].variant) << i;
    ASSERT_EQ(poisson[i].sample_pos, explicit_exp[i].sample_pos) << i;
  }
  // Gamma gaps with cv 3 at 50 req/s: sample mean and CV of 20000 gaps within a few percent
  // (fixed seed; the standard error of the CV estimate at cv 3 is about 3%).
  spec.arrivals->kind = GapKind::gamma;
  spec.arrivals->cv = 3;
  PyRandom c(7);
  const auto bursty = generate_poisson_stream(profiles, spec, c, Semantics::corrected);
  std::vector<double> times;
  for (const Request& r : bursty) times.push_back(r.arrival_s);
  const GapStats stats = gap_stats(times);
  EXPECT_NEAR(stats.mean, 1.0 / 50, 0.05 / 50);
  EXPECT_NEAR(stats.cv, 3.0, 0.3);
  EXPECT_GT(stats.cv, 2.0);  // clearly not Poisson
}

}  // namespace
}  // namespace dysta
