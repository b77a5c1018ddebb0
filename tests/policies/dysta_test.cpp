// Dysta and Dysta-naive (spec C.7, quirks Q7, Q8): minimise R + beta (U + P) with
// R = gamma x Rest (dysta) or Rest (naive), U = max(0, slack - R), P = idle / IsoE / N; ties go to
// the first task. beta defaults to 0.01.
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

// now 0, N 2, no idle time:
//   task 0: R 1, slack 100 -> U 99 -> 1 + 0.01 x 99 = 1.99
//   task 1: R 1.5, slack 1.6 -> U 0.1 -> 1.5 + 0.01 x 0.1 = 1.501
// beta 0.01 -> task 1; beta 0 -> plain shortest R -> task 0.
TEST(Dysta, BetaWeighsUrgency) {
  for (const char* name : {"dysta", "dysta_naive"}) {
    SCOPED_TRACE(name);
    test::Decision d({task(100, 1.0, 0, 1), task(1.6, 1.5, 0, 1)});
    auto def = make_policy(name, {}, Semantics::reference);
    EXPECT_EQ(d.select(*def, 0), 1u);
    auto zero = make_policy(name, {{"beta", 0.0}}, Semantics::corrected);
    EXPECT_EQ(d.select(*zero, 0), 0u);
  }
}

// U is clamped at 0: now 0,
//   task 0: R 2, slack -98 -> slack - R = -100 -> U 0 -> score 2 (unclamped it would be 1)
//   task 1: R 1.5, slack 1.5 -> U 0 -> 1.5  -> task 1.
TEST(Dysta, UrgencyClampedAtZero) {
  auto policy = make_policy("dysta", {}, Semantics::reference);
  test::Decision d({task(-98, 2, 0, 1), task(1.5, 1.5, 0, 1)});
  EXPECT_EQ(d.select(*policy, 0), 1u);
}

// P = idle / IsoE / N, now 10, deadlines 0 (U = 0), R = 1 for both, N = 2:
//   task 0: idle 10, IsoE 100 -> P 0.05 -> 1.0005
//   task 1: idle 2, IsoE 1 -> P 1 -> 1.01 -> task 0 (although it waited longer).
TEST(Dysta, PenaltyIsIdleOverIsolatedOverN) {
  auto policy = make_policy("dysta", {}, Semantics::reference);
  test::Decision d({task(0, 1, 0, 100), task(0, 1, 8, 1)});
  EXPECT_EQ(d.select(*policy, 10), 0u);
  // With a large beta the penalty matters more than R: R [1, 1.2], beta 1:
  // task 0: 1 + 10 / 1 / 2 = 6; task 1: 1.2 + 0 = 1.2 -> task 1.
  auto heavy = make_policy("dysta", {{"beta", 1.0}}, Semantics::reference);
  test::Decision h({task(0, 1, 0, 1), task(0, 1.2, 10, 1)});
  EXPECT_EQ(h.select(*heavy, 10), 1u);
}

// dysta uses gamma x Rest, dysta_naive ignores gamma. now 0, deadlines 0 (U = 0):
//   task 0: Rest 2, gamma 0.5 -> dysta 1, naive 2; task 1: Rest 1.5 -> 1.5.
TEST(Dysta, NaiveIgnoresGamma) {
  test::Decision d({task(0, 2, 0, 2, 0.5), task(0, 1.5, 0, 1.5, 1.0)});
  auto dysta = make_policy("dysta", {}, Semantics::reference);
  auto naive = make_policy("dysta_naive", {}, Semantics::reference);
  EXPECT_EQ(d.select(*dysta, 0), 0u);
  EXPECT_EQ(d.select(*naive, 0), 1u);
}

// Q8: the penalty divides by the un-scaled IsoE even when gamma != 1. now 10, U = 0, N = 2:
//   task 0: R = 0.5 x 2 = 1, idle 10, IsoE 10 -> P 0.5 -> 1.005
//   task 1: R 1, idle 4.4, IsoE 4 -> P 0.55 -> 1.0055 -> task 0.
// (Dividing by gamma x IsoE = 5 would give task 0 P = 1 -> 1.01 and pick task 1.)
TEST(Dysta, PenaltyUsesUnscaledIsolatedTime) {
  auto policy = make_policy("dysta", {}, Semantics::corrected);
  test::Decision d({task(0, 2, 0, 10, 0.5), task(0, 1, 5.6, 4, 1.0)});
  EXPECT_EQ(d.select(*policy, 10), 0u);
}

// Equal scores: the first task wins; task 0 worse, tasks 1 and 2 equal -> task 1.
TEST(Dysta, TiesGoToFirst) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("dysta", {}, sem);
    test::Decision same({task(0, 1, 0, 1), task(0, 1, 0, 1), task(0, 1, 0, 1)});
    EXPECT_EQ(same.select(*policy, 0), 0u);
    test::Decision d({task(0, 3, 0, 3), task(0, 1, 0, 1), task(0, 1, 0, 1)});
    EXPECT_EQ(d.select(*policy, 0), 1u);
  }
}

// Dysta never reads the true latencies: real_remaining_s is 100 for every task above, and here
// task 1 has a tiny true remaining time but a larger estimate -> task 0 (R 1 < 2).
TEST(Dysta, IgnoresTrueLatencies) {
  auto policy = make_policy("dysta", {}, Semantics::reference);
  test::Decision d({task(0, 1, 0, 1), task(0, 2, 0, 2)});
  d.tasks[1].real_remaining_s = 0.001;
  d.tasks[1].real_isolated_s = 0.001;
  EXPECT_EQ(d.select(*policy, 0), 0u);
}

}  // namespace
}  // namespace dysta
