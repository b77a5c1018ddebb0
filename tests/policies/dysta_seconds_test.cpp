// Dysta-seconds (src/policies/dysta_seconds.cpp): the Dysta rule with the waiting penalty
// P = W / N in seconds instead of the published W / IsoE / N.
#include <gtest/gtest.h>

#include "dysta/policy.h"
#include "test_util.h"

namespace dysta {
namespace {

TaskView task(double deadline, double rest, double last_exec, double iso, double gamma = 1.0) {
  return {.arrival_s = 0,
          .deadline_s = deadline,
          .last_exec_s = last_exec,
          .est_remaining_s = rest,
          .est_next_layer_s = 0.5,
          .est_isolated_s = iso,
          .real_remaining_s = 100,
          .real_isolated_s = 100,
          .gamma = gamma};
}

// now 10, deadlines 0 (U = 0), R = 1 for both, N = 2, beta 0.01:
//   task 0: idle 10, IsoE 100: dysta P = 10/100/2 = 0.05 -> 1.0005; seconds P = 10/2 = 5 -> 1.05
//   task 1: idle 2,  IsoE 1:   dysta P = 2/1/2 = 1 -> 1.01;        seconds P = 2/2 = 1 -> 1.01
// dysta picks task 0 (the short task 1 is penalised for its small IsoE); dysta_seconds picks
// task 1, which waited less.
TEST(DystaSeconds, PenaltyIsIdleOverN) {
  auto published = make_policy("dysta", {}, Semantics::corrected);
  auto seconds = make_policy("dysta_seconds", {}, Semantics::corrected);
  test::Decision d({task(0, 1, 0, 100), task(0, 1, 8, 1)});
  EXPECT_EQ(d.select(*published, 10), 0u);
  EXPECT_EQ(d.select(*seconds, 10), 1u);
  std::vector<double> out(2);
  ASSERT_TRUE(seconds->scores(DecisionContext{10, d.tasks, d.state}, out));
  EXPECT_DOUBLE_EQ(out[0], 1.05);
  EXPECT_DOUBLE_EQ(out[1], 1.01);
}

// now 0, no idle: the penalty vanishes and dysta_seconds equals dysta (U and gamma x R alike):
//   task 0: R 0.5 x 2 = 1, slack 100 -> U 99 -> 1 + 0.99 = 1.99
//   task 1: R 1.5, slack 1.6 -> U 0.1 -> 1.501 -> task 1; beta 0 -> smallest R -> task 0.
// Ties (equal scores) go to the earlier arrival.
TEST(DystaSeconds, UrgencyGammaAndTies) {
  test::Decision d({task(100, 2.0, 0, 1, 0.5), task(1.6, 1.5, 0, 1)});
  EXPECT_EQ(d.select(*make_policy("dysta_seconds", {}, Semantics::corrected), 0), 1u);
  EXPECT_EQ(d.select(*make_policy("dysta_seconds", {{"beta", 0.0}}, Semantics::corrected), 0), 0u);
  test::Decision tie({task(0, 1, 0, 1), task(0, 1, 0, 5), task(0, 1, 0, 9)});
  EXPECT_EQ(tie.select(*make_policy("dysta_seconds", {}, Semantics::reference), 3), 0u);
}

}  // namespace
}  // namespace dysta
