// EDF, LLF and LLF-sparse (src/policies/edf.cpp, laxity.h): hand-worked decisions and tie rules.
#include <gtest/gtest.h>

#include "dysta/policy.h"
#include "test_util.h"

namespace dysta {
namespace {

TaskView task(double arrival, double deadline, double rest, double gamma = 1.0) {
  return {.arrival_s = arrival,
          .deadline_s = deadline,
          .last_exec_s = arrival,
          .est_remaining_s = rest,
          .est_next_layer_s = 0.5,
          .est_isolated_s = rest,
          .gamma = gamma};
}

// Deadlines [9, 4, 6] -> task 1, whatever the remaining estimates.
TEST(Edf, EarliestDeadline) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("edf", {}, sem);
    test::Decision d({task(0, 9, 0.1), task(1, 4, 3.0), task(2, 6, 0.2)});
    EXPECT_EQ(d.select(*policy, 2), 1u);
  }
}

// Deadlines [7, 5, 5]: tasks 1 and 2 tie; the earlier arrival (1) wins. All equal -> task 0.
TEST(Edf, TieKeepsEarlierArrival) {
  auto policy = make_policy("edf", {}, Semantics::corrected);
  test::Decision d({task(0, 7, 1), task(1, 5, 2), task(2, 5, 1)});
  EXPECT_EQ(d.select(*policy, 2), 1u);
  test::Decision all({task(0, 5, 3), task(1, 5, 2), task(2, 5, 1)});
  EXPECT_EQ(all.select(*policy, 2), 0u);
  EXPECT_TRUE(policy->keyed());
  EXPECT_EQ(policy->key(task(0, 7, 1)), 7.0);
}

// now = 2: laxities (deadline - now - Rest) = [10-2-1 = 7, 6-2-3 = 1, 5-2-0.5 = 2.5] -> task 1,
// although task 2 has the earlier deadline (EDF would pick it).
TEST(Llf, LeastLaxity) {
  auto llf = make_policy("llf", {}, Semantics::corrected);
  auto edf = make_policy("edf", {}, Semantics::corrected);
  test::Decision d({task(0, 10, 1), task(1, 6, 3), task(1.5, 5, 0.5)});
  EXPECT_EQ(d.select(*llf, 2), 1u);
  EXPECT_EQ(d.select(*edf, 2), 2u);
  std::vector<double> out(3);
  ASSERT_TRUE(llf->scores(DecisionContext{2, d.tasks, d.state}, out));
  EXPECT_DOUBLE_EQ(out[0], 7.0);
  EXPECT_DOUBLE_EQ(out[1], 1.0);
  EXPECT_DOUBLE_EQ(out[2], 2.5);
}

// Laxities at now = 1: [8-1-3 = 4, 6-1-1 = 4, 9-1-4 = 4]: a three-way tie -> task 0. Negative
// laxity (a hopeless task) is the least: [5-1-1 = 3, 2-1-2 = -1] -> task 1.
TEST(Llf, TiesAndNegativeLaxity) {
  auto llf = make_policy("llf", {}, Semantics::reference);
  test::Decision tie({task(0, 8, 3), task(0.5, 6, 1), task(0.7, 9, 4)});
  EXPECT_EQ(tie.select(*llf, 1), 0u);
  test::Decision late({task(0, 5, 1), task(0.5, 2, 2)});
  EXPECT_EQ(late.select(*llf, 1), 1u);
}

// now = 0, deadlines [4, 5], Rest [3, 2], gamma [0.5, 1]:
//   llf ignores gamma: laxities [4-3 = 1, 5-2 = 3] -> task 0;
//   llf_sparse: [4-0.5x3 = 2.5, 5-1x2 = 3] -> task 0; with gamma 0.2 for task 0: 4-0.6 = 3.4 > 3
//   -> task 1; with gamma [1, 1.5]: [1, 5-3 = 2] -> task 0.
TEST(Llf, SparseScalesByGamma) {
  auto plain = make_policy("llf", {}, Semantics::corrected);
  auto sparse = make_policy("llf_sparse", {}, Semantics::corrected);
  test::Decision a({task(0, 4, 3, 0.5), task(0, 5, 2, 1.0)});
  EXPECT_EQ(a.select(*plain, 0), 0u);
  EXPECT_EQ(a.select(*sparse, 0), 0u);
  test::Decision b({task(0, 4, 3, 0.2), task(0, 5, 2, 1.0)});
  EXPECT_EQ(b.select(*plain, 0), 0u);
  EXPECT_EQ(b.select(*sparse, 0), 1u);
  // gamma x Rest tie: 4 - 2x1.5 = 1 and 3 - 2x1 = 1 -> the earlier arrival, task 0.
  test::Decision c({task(0, 4, 2, 1.5), task(0.1, 3, 2, 1.0)});
  EXPECT_EQ(c.select(*sparse, 0), 0u);
}

TEST(NewPolicies, Traits) {
  EXPECT_FALSE(policy_registry().find("edf")->traits.pattern_aware);
  EXPECT_FALSE(policy_registry().find("edf")->traits.monitor);
  EXPECT_FALSE(policy_registry().find("llf")->traits.pattern_aware);
  EXPECT_FALSE(policy_registry().find("llf")->traits.monitor);
  EXPECT_TRUE(policy_registry().find("llf_sparse")->traits.pattern_aware);
  EXPECT_TRUE(policy_registry().find("llf_sparse")->traits.monitor);
  EXPECT_TRUE(policy_registry().find("dysta_seconds")->traits.pattern_aware);
  EXPECT_TRUE(policy_registry().find("dysta_seconds")->traits.monitor);
}

}  // namespace
}  // namespace dysta
