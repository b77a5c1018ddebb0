// Dysta-Oracle (spec C.8): the Dysta rule on true values: minimise Rreal + beta (U + P) with
// U = max(0, slack - Rreal), P = idle / IsoR / N; ties first.
#include <gtest/gtest.h>

#include "dysta/policy.h"
#include "test_util.h"

namespace dysta {
namespace {

TaskView task(double deadline, double est, double real, double last_exec, double est_iso,
              double real_iso, double gamma = 1.0) {
  return {.arrival_s = 0,
          .deadline_s = deadline,
          .last_exec_s = last_exec,
          .est_remaining_s = est,
          .est_next_layer_s = 0.5,
          .est_isolated_s = est_iso,
          .real_remaining_s = real,
          .real_isolated_s = real_iso,
          .gamma = gamma};
}

// now 0, U = 0: estimates [1, 2] but true remaining [3, 2] -> oracle picks task 1, dysta task 0.
// gamma is ignored by the oracle (task 1's gamma 10 would make dysta's R 20).
TEST(DystaOracle, UsesTrueRemaining) {
  test::Decision d({task(0, 1, 3, 0, 1, 3), task(0, 2, 2, 0, 2, 2, 10.0)});
  auto oracle = make_policy("dysta_oracle", {}, Semantics::reference);
  auto dysta = make_policy("dysta", {}, Semantics::reference);
  EXPECT_EQ(d.select(*oracle, 0), 1u);
  EXPECT_EQ(d.select(*dysta, 0), 0u);
}

// P uses the true isolated latency: now 10, U = 0, Rreal = 1, N = 2:
//   task 0: idle 10, IsoR 100 -> P 0.05 -> 1.0005 (with IsoE = 1 it would be 1.05)
//   task 1: idle 2, IsoR 1 -> P 1 -> 1.01 (with IsoE = 100 it would be 1.0001) -> task 0.
TEST(DystaOracle, PenaltyUsesTrueIsolated) {
  auto oracle = make_policy("dysta_oracle", {}, Semantics::corrected);
  test::Decision d({task(0, 1, 1, 0, 1, 100), task(0, 1, 1, 8, 100, 1)});
  EXPECT_EQ(d.select(*oracle, 10), 0u);
}

// Urgency from true values, and beta: now 0, no idle:
//   task 0: Rreal 1, slack 100 -> U 99 -> 1.99;  task 1: Rreal 1.5, slack 1.6 -> 1.501.
// beta 0.01 -> task 1; beta 0 -> task 0. Ties go to the first task.
TEST(DystaOracle, BetaAndTies) {
  test::Decision d({task(100, 5, 1, 0, 5, 1), task(1.6, 5, 1.5, 0, 5, 1.5)});
  auto def = make_policy("dysta_oracle", {}, Semantics::reference);
  auto zero = make_policy("dysta_oracle", {{"beta", 0.0}}, Semantics::reference);
  EXPECT_EQ(d.select(*def, 0), 1u);
  EXPECT_EQ(d.select(*zero, 0), 0u);
  test::Decision tie({task(0, 1, 2, 0, 1, 2), task(0, 1, 1, 0, 1, 1), task(0, 1, 1, 0, 1, 1)});
  EXPECT_EQ(tie.select(*def, 0), 1u);
}

}  // namespace
}  // namespace dysta
