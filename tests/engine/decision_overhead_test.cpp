// Policy::decision_overhead_s(): each decision's time is charged before the chosen layer starts;
// Policy::bind() is called by the engine before every run.
#include <gtest/gtest.h>

#include "dysta/engine.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"

namespace dysta {
namespace {

// FCFS that takes `overhead` seconds per decision and counts bind() calls.
class SlowFcfs final : public Policy {
 public:
  explicit SlowFcfs(double overhead) : overhead_(overhead) {}
  std::size_t select(const DecisionContext&) override { return 0; }
  double decision_overhead_s() const override { return overhead_; }
  void bind(const ProfileSet& profiles) override {
    ++binds;
    bound = &profiles;
  }
  int binds = 0;
  const ProfileSet* bound = nullptr;

 private:
  double overhead_;
};

TEST(DecisionOverhead, DelaysEveryLayerAndIsCountedOncePerDecision) {
  // One variant, two layers of 1.0 s and 2.0 s; two requests at t = 0 and t = 0.5.
  ProfileSet set({make_variant("m", "m", "", {0}, 2, {1.0, 2.0}, {0.5, 0.5})});
  std::vector<Request> requests(2);
  requests[1].arrival_s = 0.5;
  for (auto& r : requests) r.deadline_s = r.arrival_s + 100;
  auto predictor = make_predictor("average", set, {}, Semantics::corrected);
  EngineOptions options;
  options.semantics = Semantics::corrected;

  SlowFcfs free_policy(0.0);
  const RunResult free_run = simulate(set, requests, free_policy, {}, *predictor, options);
  EXPECT_DOUBLE_EQ(free_run.finish_s[0], 3.0);
  EXPECT_DOUBLE_EQ(free_run.finish_s[1], 6.0);

  // 0.25 s per decision, 4 decisions: request 0 starts at 0.25, its 2nd layer at 1.5, ends 3.5;
  // request 1: layer 1 starts 3.75 ends 4.75, layer 2 starts 5.0 ends 7.0.
  SlowFcfs slow(0.25);
  const RunResult slow_run = simulate(set, requests, slow, {}, *predictor, options);
  EXPECT_DOUBLE_EQ(slow_run.first_start_s[0], 0.25);
  EXPECT_DOUBLE_EQ(slow_run.finish_s[0], 3.5);
  EXPECT_DOUBLE_EQ(slow_run.first_start_s[1], 3.75);
  EXPECT_DOUBLE_EQ(slow_run.finish_s[1], 7.0);
  EXPECT_EQ(slow_run.decisions, 4u);
  EXPECT_EQ(slow.binds, 1);
  EXPECT_EQ(slow.bound, &set);
}

}  // namespace
}  // namespace dysta
