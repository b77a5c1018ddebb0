// Properties of whole runs and sweeps on the K.1 synthetic sets (spec B.4, B.6, E, K):
// work conservation, sanity of the policy ranking against a deliberately bad policy, thread-count
// independence of sweeps, and the stream rules of each semantics.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "dysta/experiment.h"
#include "dysta/policy.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

// Longest true remaining time first: the opposite of what a good scheduler does.
class LongestJobFirst final : public Policy {
 public:
  std::size_t select(const DecisionContext& ctx) override {
    std::size_t best = 0;
    for (std::size_t i = 1; i < ctx.tasks.size(); ++i) {
      if (ctx.tasks[i].real_remaining_s > ctx.tasks[best].real_remaining_s) best = i;
    }
    return best;
  }
};

DYSTA_REGISTER_POLICY({"test_ljf",
                       "test only: longest true remaining job first",
                       {false, false},
                       {},
                       [](const ParamValues&, Semantics) {
                         return std::make_unique<LongestJobFirst>();
                       }});

class Properties : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    write_k1_synthetic_sets(dir_->path());
    sets_ = new std::map<std::string, ProfileSet>{
        {"sanger", load_profiles(dir_->path() / "sanger", {})},
        {"eyerissv2", load_profiles(dir_->path() / "eyerissv2", {})}};
  }
  static void TearDownTestSuite() {
    delete sets_;
    delete dir_;
  }
  static std::vector<std::string> all_policies() {
    std::vector<std::string> names;
    for (const PolicyInfo* info : policy_registry().all()) names.push_back(info->name);
    return names;
  }
  // rate 90, 300 requests, seeds 1..3, SLO multiplier 2.
  static std::vector<SweepPoint> sweep(const ProfileSet& set, Semantics sem,
                                       std::vector<std::string> policies) {
    SweepSpec spec;
    spec.policies = std::move(policies);
    spec.rates = {90};
    spec.slo_multipliers = {2};
    spec.seeds = {1, 2, 3};
    spec.num_requests = 300;
    spec.semantics = sem;
    spec.threads = 2;
    return run_sweep(set, spec);
  }
  static test::TempDir* dir_;
  static std::map<std::string, ProfileSet>* sets_;
};
test::TempDir* Properties::dir_ = nullptr;
std::map<std::string, ProfileSet>* Properties::sets_ = nullptr;

// Every policy (including test_ljf) executes the same work without inserting idle time, so
// within a seed all policies finish the last request at the same instant: identical makespan
// and throughput, and the same number of executed layers. The clock is a sum of the same layer
// latencies added in policy-dependent order, so equality is up to rounding (relative 1e-12).
TEST_F(Properties, WorkConservation) {
  const std::vector<std::string> policies = all_policies();
  ASSERT_GE(policies.size(), 12u);
  for (const auto& [set_name, set] : *sets_) {
    for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
      SCOPED_TRACE(set_name + " " + to_string(sem));
      const auto points = sweep(set, sem, policies);
      ASSERT_EQ(points.size(), 3 * policies.size());
      for (std::size_t s = 0; s < 3; ++s) {
        const RunMetrics& first = points[s * policies.size()].metrics;
        for (std::size_t p = 0; p < policies.size(); ++p) {
          const SweepPoint& pt = points[s * policies.size() + p];
          SCOPED_TRACE(pt.policy + " seed " + std::to_string(pt.seed));
          EXPECT_NEAR(pt.metrics.makespan_s, first.makespan_s, first.makespan_s * 1e-12);
          EXPECT_NEAR(pt.metrics.throughput_inf_s, first.throughput_inf_s,
                      first.throughput_inf_s * 1e-12);
          EXPECT_EQ(pt.metrics.layers_executed, first.layers_executed);
          EXPECT_EQ(pt.metrics.decisions, first.layers_executed);
          EXPECT_EQ(pt.metrics.requests, 300u);
        }
      }
    }
  }
}

// At a tight SLO (m = 2) and high load, per seed: the bad policy has a higher ANTT than SJF and
// a higher violation rate than Dysta; Dysta-Oracle violates no more often than FCFS.
TEST_F(Properties, BadPolicyIsWorse) {
  const std::vector<std::string> policies = {"test_ljf", "sjf", "dysta", "dysta_oracle", "fcfs"};
  for (const auto& [set_name, set] : *sets_) {
    for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
      const auto points = sweep(set, sem, policies);
      for (std::size_t s = 0; s < 3; ++s) {
        SCOPED_TRACE(set_name + " " + to_string(sem) + " seed " + std::to_string(s + 1));
        const RunMetrics& ljf = points[s * 5 + 0].metrics;
        const RunMetrics& sjf = points[s * 5 + 1].metrics;
        const RunMetrics& dysta = points[s * 5 + 2].metrics;
        const RunMetrics& oracle = points[s * 5 + 3].metrics;
        const RunMetrics& fcfs = points[s * 5 + 4].metrics;
        EXPECT_GT(ljf.antt, sjf.antt);
        EXPECT_GT(ljf.slo_violation_rate, dysta.slo_violation_rate);
        EXPECT_LE(oracle.slo_violation_rate, fcfs.slo_violation_rate);
      }
    }
  }
}

// The same sweep with 1 and 2 threads gives bitwise identical points in the same order (seed,
// rate, SLO multiplier, policy).
TEST_F(Properties, SweepIndependentOfThreadCount) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    SweepSpec spec;
    spec.policies = {"fcfs", "prema", "planaria", "sdrm3_sparse", "dysta"};
    spec.rates = {60, 90};
    spec.slo_multipliers = {2, 10};
    spec.seeds = {1, 2};
    spec.num_requests = 150;
    spec.semantics = sem;
    spec.threads = 1;
    const auto one = run_sweep(sets_->at("sanger"), spec);
    spec.threads = 2;
    const auto two = run_sweep(sets_->at("sanger"), spec);
    ASSERT_EQ(one.size(), 2u * 2u * 2u * 5u);
    ASSERT_EQ(two.size(), one.size());
    std::size_t i = 0;
    for (std::uint64_t seed : spec.seeds) {
      for (double rate : spec.rates) {
        for (double m : spec.slo_multipliers) {
          for (const auto& policy : spec.policies) {
            SCOPED_TRACE(i);
            EXPECT_EQ(one[i].seed, seed);
            EXPECT_EQ(one[i].rate, rate);
            EXPECT_EQ(one[i].slo_multiplier, m);
            EXPECT_EQ(one[i].policy, policy);
            EXPECT_EQ(two[i].seed, seed);
            EXPECT_EQ(two[i].rate, rate);
            EXPECT_EQ(two[i].slo_multiplier, m);
            EXPECT_EQ(two[i].policy, policy);
            test::expect_same_metrics(one[i].metrics, two[i].metrics);
            ++i;
          }
        }
      }
    }
  }
}

// corrected: every (seed, rate) point equals a single run on a stream from a generator freshly
// seeded with the seed. reference (B.4): the stream of the second rate continues the generator
// after the first rate's stream.
TEST_F(Properties, SweepStreamsPerSemantics) {
  const ProfileSet& set = sets_->at("eyerissv2");
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    SCOPED_TRACE(to_string(sem));
    SweepSpec spec;
    spec.policies = {"sjf", "dysta"};
    spec.rates = {15, 25};
    spec.slo_multipliers = {3};
    spec.seeds = {4};
    spec.num_requests = 120;
    spec.semantics = sem;
    spec.threads = 2;
    const auto points = run_sweep(set, spec);
    ASSERT_EQ(points.size(), 4u);
    PyRandom rng(4);
    for (std::size_t r = 0; r < 2; ++r) {
      if (sem == Semantics::corrected) rng.seed(4);
      StreamSpec ss;
      ss.rate_per_s = spec.rates[r];
      ss.num_requests = 120;
      ss.slo_multiplier = 3;
      const auto reqs = generate_poisson_stream(set, ss, rng, sem);
      for (std::size_t p = 0; p < 2; ++p) {
        const SweepPoint& pt = points[r * 2 + p];
        ASSERT_EQ(pt.rate, spec.rates[r]);
        ASSERT_EQ(pt.policy, spec.policies[p]);
        test::expect_same_metrics(pt.metrics, run_policy(set, reqs, pt.policy, {}, sem));
      }
    }
  }
}

// reference: the rate-25 point differs from a run on a freshly seeded rate-25 stream, so the
// continuation checked above is observable.
TEST_F(Properties, ReferenceSecondRateIsNotAFreshStream) {
  const ProfileSet& set = sets_->at("eyerissv2");
  SweepSpec spec;
  spec.policies = {"sjf"};
  spec.rates = {15, 25};
  spec.slo_multipliers = {3};
  spec.seeds = {4};
  spec.num_requests = 120;
  spec.semantics = Semantics::reference;
  const auto points = run_sweep(set, spec);
  ASSERT_EQ(points.size(), 2u);
  PyRandom fresh(4);
  StreamSpec ss;
  ss.rate_per_s = 25;
  ss.num_requests = 120;
  ss.slo_multiplier = 3;
  const auto reqs = generate_poisson_stream(set, ss, fresh, Semantics::reference);
  EXPECT_NE(points[1].metrics.antt, run_policy(set, reqs, "sjf", {}, Semantics::reference).antt);
}

// Bad sweep specifications fail before any work, naming the field.
TEST_F(Properties, SweepValidation) {
  const ProfileSet& set = sets_->at("sanger");
  SweepSpec spec;
  spec.policies = {"fcfs", "nope"};
  spec.rates = {10};
  spec.slo_multipliers = {2};
  spec.seeds = {1};
  spec.num_requests = 10;
  EXPECT_EQ(test::capture_input_error([&] { run_sweep(set, spec); }).field(), "policy");
  spec.policies = {"fcfs"};
  spec.slo_multipliers = {0};
  EXPECT_EQ(test::capture_input_error([&] { run_sweep(set, spec); }).field(), "slo_multipliers");
  spec.slo_multipliers = {2};
  spec.rates = {};
  EXPECT_EQ(test::capture_input_error([&] { run_sweep(set, spec); }).field(), "rates");
  spec.rates = {10};
  spec.choice.predictor = "nope";
  EXPECT_EQ(test::capture_input_error([&] { run_sweep(set, spec); }).field(), "predictor");
  spec.choice.predictor = "average";
  spec.choice.policy_params["dysta"] = {{"beta", 0.1}};
  EXPECT_NO_THROW(run_sweep(set, spec));
  spec.choice.policy_params["fcfs"] = {{"beta", 0.1}};
  EXPECT_EQ(test::capture_input_error([&] { run_sweep(set, spec); }).field(), "policy_params.beta");
}

}  // namespace
}  // namespace dysta
