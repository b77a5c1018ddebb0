// The O(log R) heap path for keyed policies makes exactly the choices of the O(R) scan.
#include <gtest/gtest.h>

#include <filesystem>

#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

RunResult run_with(const ProfileSet& set, const std::vector<Request>& requests,
                   const std::string& name, Semantics semantics, bool fast) {
  auto policy = make_policy(name, {}, semantics);
  auto predictor = make_predictor("average", set, {}, semantics);
  EngineOptions options;
  options.semantics = semantics;
  options.keyed_fast_path = fast;
  return simulate(set, requests, *policy, policy_registry().get("policy", name).traits, *predictor,
                  options);
}

TEST(KeyedHeap, SameChoicesAsScanForEveryKeyedPolicy) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  for (const char* sub : {"sanger", "eyerissv2"}) {
    const ProfileSet set = load_profiles(dir.path() / sub, {});
    for (Semantics semantics : {Semantics::reference, Semantics::corrected}) {
      for (double rate : {30.0, 120.0}) {  // light load and overload (queue grows)
        StreamSpec spec;
        spec.rate_per_s = std::string(sub) == "sanger" ? rate : rate / 4;
        spec.num_requests = 600;
        PyRandom rng(3);
        const auto requests = generate_poisson_stream(set, spec, rng, semantics);
        int keyed = 0;
        for (const PolicyInfo* info : policy_registry().all()) {
          if (!make_policy(info->name, {}, semantics)->keyed()) continue;
          ++keyed;
          const RunResult scan = run_with(set, requests, info->name, semantics, false);
          const RunResult heap = run_with(set, requests, info->name, semantics, true);
          SCOPED_TRACE(info->name + " " + sub + " rate " + std::to_string(rate));
          EXPECT_EQ(scan.finish_order, heap.finish_order);
          EXPECT_EQ(scan.finish_s, heap.finish_s);
          EXPECT_EQ(scan.first_start_s, heap.first_start_s);
          EXPECT_EQ(scan.max_ready, heap.max_ready);
          EXPECT_EQ(scan.decisions, heap.decisions);
        }
        EXPECT_GE(keyed, 3);  // fcfs, sjf, sjf_sparse
      }
    }
  }
}

TEST(KeyedHeap, OnlyPoliciesWithStaticOrderAreKeyed) {
  for (const char* name : {"fcfs", "sjf", "sjf_sparse"}) {
    EXPECT_TRUE(make_policy(name, {}, Semantics::corrected)->keyed()) << name;
  }
  for (const char* name : {"prema", "planaria", "sdrm3", "dysta", "dysta_naive", "dysta_oracle"}) {
    EXPECT_FALSE(make_policy(name, {}, Semantics::corrected)->keyed()) << name;
  }
}

}  // namespace
}  // namespace dysta
