// workload.per_model (docs/config.md): each model its own arrival process. The merged stream's
// per-model sub-streams have the stated mean and CV; keys are range-checked; without the key the
// stream is drawn exactly as before.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "dysta/config.h"
#include "dysta/error.h"
#include "dysta/workload.h"
#include "test_util.h"

namespace dysta {
namespace {

std::vector<Request> stream_of(const Config& c, const ProfileSet& profiles) {
  PyRandom rng(c.workload.seed);
  return generate_poisson_stream(profiles, stream_spec(c, profiles), rng, c.semantics);
}

// 300,000 requests at fixed seeds: each model's gaps have mean 1 / its rate within 1.5% and the
// CV of its process within 4% (standard errors below 0.6% at these sizes).
TEST(PerModelArrivals, EachModelStreamHasItsRateAndCv) {
  const ProfileSet profiles = test::tiny_set();  // models a, b
  for (const std::uint64_t seed : {1u, 9u}) {
    const Config c =
        load_config({}, {"workload.requests=300000", "workload.seed=" + std::to_string(seed),
                         "workload.arrivals={kind: gamma, cv: 2}",
                         "workload.per_model={a: 30, b: {rate: 10, kind: weibull, cv: 0.5}}"});
    const std::vector<Request> requests = stream_of(c, profiles);
    ASSERT_EQ(requests.size(), 300000u);
    std::map<std::uint32_t, std::vector<double>> times;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (i) {
        ASSERT_GE(requests[i].arrival_s, requests[i - 1].arrival_s);
      }
      times[requests[i].variant].push_back(requests[i].arrival_s);
    }
    const GapStats a = gap_stats(times[0]);  // inherits gamma, cv 2
    const GapStats b = gap_stats(times[1]);
    EXPECT_NEAR(a.mean, 1.0 / 30, 0.015 / 30) << seed;
    EXPECT_NEAR(a.cv, 2.0, 0.04 * 2) << seed;
    EXPECT_NEAR(b.mean, 1.0 / 10, 0.015 / 10) << seed;
    EXPECT_NEAR(b.cv, 0.5, 0.04 * 0.5) << seed;
    // Three quarters of the requests are a's.
    EXPECT_NEAR(static_cast<double>(times[0].size()) / 300000.0, 0.75, 0.01);
  }
}

TEST(PerModelArrivals, UnlistedModelsGetNothingAndPoissonIsDefault) {
  const ProfileSet profiles = test::tiny_set();
  const Config c =
      load_config({}, {"workload.requests=50000", "workload.per_model={b: {rate: 4}}"});
  const auto requests = stream_of(c, profiles);
  std::vector<double> t;
  for (const Request& r : requests) {
    ASSERT_EQ(r.variant, 1u);
    t.push_back(r.arrival_s);
  }
  const GapStats s = gap_stats(t);
  EXPECT_NEAR(s.mean, 0.25, 0.015 * 0.25);
  EXPECT_NEAR(s.cv, 1.0, 0.03);
}

TEST(PerModelArrivals, AbsentKeyLeavesStreamAndYamlAsBefore) {
  const Config c = load_config({}, {"workload.requests=200"});
  EXPECT_TRUE(c.workload.per_model.empty());
  EXPECT_EQ(to_yaml(c).find("per_model"), std::string::npos);
  // The default stream is rate-30 Poisson with uniform models: the first gap is expovariate(30)
  // of the seed's generator, then randint for the model (spec B.3).
  const ProfileSet profiles = test::tiny_set();
  const auto requests = stream_of(c, profiles);
  PyRandom rng(c.workload.seed);
  const double t0 = rng.expovariate(30);
  const auto v0 = static_cast<std::uint32_t>(rng.randint(0, 1));
  EXPECT_EQ(requests[0].arrival_s, t0);
  EXPECT_EQ(requests[0].variant, v0);
}

TEST(PerModelArrivals, RoundTripsAndBadValuesNameTheKey) {
  test::TempDir dir;
  const Config c = load_config({}, {"workload.per_model={a: 3, b: {rate: 2, kind: gamma, cv: 4}}"});
  test::write_text(dir.path() / "r.yaml", to_yaml(c));
  EXPECT_EQ(to_yaml(load_config(dir.path() / "r.yaml", {})), to_yaml(c));
  struct Case {
    std::string set, field, words;
  };
  for (const Case& k : std::vector<Case>{
           {"workload.per_model={a: 0}", "workload.per_model.a", "must be in"},
           {"workload.per_model={a: {rate: 1e10}}", "workload.per_model.a.rate", "must be in"},
           {"workload.per_model={a: {kind: gamma}}", "workload.per_model.a.rate", "missing"},
           {"workload.per_model={a: {rate: 1, kind: gamma}}", "workload.per_model.a.cv", "missing"},
           {"workload.per_model={a: {rate: 1, cv: 2}}", "workload.per_model.a.cv",
            "exponential gaps have cv = 1"},
           {"workload.per_model={a: {rate: 1, kind: gamma, cv: 40}}", "workload.per_model.a.cv",
            "must be in"},
           {"workload.per_model={a: {rate: 1, burst: 2}}", "workload.per_model.a.burst",
            "unknown key"},
           {"workload.per_model=[1]", "workload.per_model", "expected a mapping"},
       }) {
    const InputError e = test::capture_input_error([&] { load_config({}, {k.set}); });
    EXPECT_EQ(e.field(), k.field) << k.set << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(k.words), std::string::npos) << k.set << ": " << e.what();
  }
  const InputError mix = test::capture_input_error([&] {
    load_config({}, {"workload.mix={a: 1}", "workload.per_model={a: 1}"});
  });
  EXPECT_NE(std::string(mix.what()).find("either workload.mix or workload.per_model"),
            std::string::npos);
  const InputError curve = test::capture_input_error([&] {
    load_config({}, {"workload.arrivals={diurnal: {amplitude: 0.5}}", "workload.per_model={a: 1}"});
  });
  EXPECT_NE(std::string(curve.what()).find("no curve or diurnal"), std::string::npos);
  const ProfileSet profiles = test::tiny_set();
  const InputError unknown = test::capture_input_error(
      [&] { stream_spec(load_config({}, {"workload.per_model={zz: 1}"}), profiles); });
  EXPECT_EQ(unknown.field(), "workload.per_model.zz");
}

}  // namespace
}  // namespace dysta
