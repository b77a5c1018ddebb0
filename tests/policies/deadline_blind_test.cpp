// Policy::reads_deadlines(): a policy that returns false executes the same schedule whatever the
// SLO multiplier (the contract sweeps rely on to simulate such points once, sweep_runner.h).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "dysta/engine.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/profile.h"
#include "dysta/py_random.h"
#include "dysta/registry.h"
#include "dysta/workload.h"
#include "test_paths.h"

namespace dysta {
namespace {

const ProfileSet& sanger() {
  static const ProfileSet set =
      load_profiles(std::string(DYSTA_SOURCE_DIR) + "/data/synthetic/sanger", {});
  return set;
}

// A random stream (priorities 1, 3, 9) at `rate`, deadlines at `slo` x isolated latency.
std::vector<Request> stream(double rate, double slo, std::uint64_t seed, Semantics semantics) {
  StreamSpec spec;
  spec.rate_per_s = rate;
  spec.num_requests = 400;
  spec.slo_multiplier = slo;
  PyRandom rng(seed);
  return generate_poisson_stream(sanger(), spec, rng, semantics);
}

RunResult run(const std::string& name, const std::vector<Request>& requests, Semantics semantics) {
  auto policy = make_policy(name, {}, semantics);
  auto predictor = make_predictor("average", sanger(), {}, semantics);
  EngineOptions options;
  options.semantics = semantics;
  return simulate(sanger(), requests, *policy, policy_registry().get("policy", name).traits,
                  *predictor, options);
}

// Same schedule: every start, finish and the completion order, and the engine's counters.
bool same_schedule(const RunResult& a, const RunResult& b) {
  return a.finish_s == b.finish_s && a.first_start_s == b.first_start_s &&
         a.finish_order == b.finish_order && a.decisions == b.decisions &&
         a.max_ready == b.max_ready && a.layers_executed == b.layers_executed &&
         a.idle_s == b.idle_s;
}

// Whether `name` keeps its schedule across SLO multipliers 1, 4 and 1e6 on loaded and
// overloaded streams (where deadline-driven rules choose differently).
bool schedule_ignores_slo(const std::string& name, Semantics semantics) {
  for (const double rate : {60.0, 140.0}) {
    for (const std::uint64_t seed : {1, 2}) {
      const RunResult base = run(name, stream(rate, 1, seed, semantics), semantics);
      for (const double slo : {4.0, 1e6}) {
        if (!same_schedule(base, run(name, stream(rate, slo, seed, semantics), semantics))) {
          return false;
        }
      }
    }
  }
  return true;
}

TEST(DeadlineBlind, EveryPolicyThatSaysSoKeepsItsScheduleAcrossSloMultipliers) {
  std::set<std::string> blind;
  for (const PolicyInfo* info : policy_registry().all()) {
    for (const Semantics semantics : {Semantics::corrected, Semantics::reference}) {
      if (make_policy(info->name, {}, semantics)->reads_deadlines()) continue;
      blind.insert(info->name);
      SCOPED_TRACE(info->name + " " + to_string(semantics));
      EXPECT_TRUE(schedule_ignores_slo(info->name, semantics));
    }
  }
  // The policies whose rules (spec C) use no deadline; the others must keep the default.
  EXPECT_EQ(blind, (std::set<std::string>{"fcfs", "prema", "prema_sparse", "sjf", "sjf_sparse"}));
}

// The check is sensitive: the deadline-driven policies change their schedule with the SLO, so a
// policy that wrongly claimed to ignore deadlines would fail the test above.
TEST(DeadlineBlind, DeadlineDrivenPoliciesFailTheCheck) {
  for (const char* name : {"edf", "llf", "planaria", "sdrm3", "dysta", "dysta_oracle"}) {
    for (const Semantics semantics : {Semantics::corrected, Semantics::reference}) {
      SCOPED_TRACE(std::string(name) + " " + to_string(semantics));
      EXPECT_TRUE(make_policy(name, {}, semantics)->reads_deadlines());
      EXPECT_FALSE(schedule_ignores_slo(name, semantics));
    }
  }
}

}  // namespace
}  // namespace dysta
