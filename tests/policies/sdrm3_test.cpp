// SDRM3 and SDRM3-sparse (spec C.5, quirks Q5, Q6): MapScore = U + alpha x F with
// U = min(1, R / slack), F = idle / head; R = Rest and head = next-layer estimate (scaled by gamma
// for sdrm3_sparse). The maximum runs (same incumbent rule as Planaria).
#include <gtest/gtest.h>

#include "dysta/policy.h"
#include "test_util.h"

namespace dysta {
namespace {

TaskView task(double arrival, double deadline, double rest, double last_exec, double head,
              double gamma = 1.0) {
  return {.arrival_s = arrival,
          .deadline_s = deadline,
          .last_exec_s = last_exec,
          .est_remaining_s = rest,
          .est_next_layer_s = head,
          .est_isolated_s = rest + 1,
          .gamma = gamma};
}

// now 10:
//   task 0: R 2, slack 10 -> U 0.2; idle 0 -> score 0.2
//   task 1: R 4, slack 5 -> U 0.8; idle 1, head 2 -> F 0.5 -> score 1.3 (alpha 1)
//   task 2: R 30, slack 10 -> U = min(1, 3) = 1; idle 0 -> score 1
// alpha 1 (default) -> task 1; alpha 0 -> scores [0.2, 0.8, 1] -> task 2. Without the min(1, .)
// clamp task 2 would score 3 and win with alpha 1.
TEST(Sdrm3, UrgencyClampedAtOneAndAlphaParameter) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    test::Decision d({task(0, 20, 2, 10, 1), task(1, 15, 4, 9, 2), task(2, 20, 30, 10, 1)});
    auto def = make_policy("sdrm3", {}, sem);
    EXPECT_EQ(d.select(*def, 10), 1u);
    auto no_fairness = make_policy("sdrm3", {{"alpha", 0.0}}, sem);
    EXPECT_EQ(d.select(*no_fairness, 10), 2u);
  }
}

// F is idle time in units of the next layer's estimate: now 10,
//   task 0: U = 1 / 100; idle 6, head 2 -> F 3 -> 3.01
//   task 1: U = 1 / 100; idle 2, head 0.5 -> F 4 -> 4.01 -> task 1 (although task 0 waited longer).
TEST(Sdrm3, FairnessIsIdleOverHead) {
  auto policy = make_policy("sdrm3", {}, Semantics::reference);
  test::Decision d({task(0, 110, 1, 4, 2), task(1, 110, 1, 8, 0.5)});
  EXPECT_EQ(d.select(*policy, 10), 1u);
}

// Q6, now 10, no idle time:
//   task 0: R 5, slack 10 -> U 0.5
//   task 1: R 1, slack -2 -> U = -0.5 in reference (unclamped), 1 in corrected.
// reference: the incumbent 0.5 is not replaced by -0.5 -> task 0; corrected -> task 1.
TEST(Sdrm3, PastDeadlineUrgencyQ6) {
  test::Decision d({task(0, 20, 5, 10, 1), task(1, 8, 1, 10, 1)});
  auto ref = make_policy("sdrm3", {}, Semantics::reference);
  auto cor = make_policy("sdrm3", {}, Semantics::corrected);
  EXPECT_EQ(d.select(*ref, 10), 0u);
  EXPECT_EQ(d.select(*cor, 10), 1u);
}

// All past their deadline, now 10: U = [1/-2, 1/-4, 1/-1] = [-0.5, -0.25, -1].
// reference: negative incumbents are always replaced -> the last task (2).
// corrected: U = 1 for all -> tie -> the first task (0).
TEST(Sdrm3, AllNegativeScores) {
  test::Decision d({task(0, 8, 1, 10, 1), task(1, 6, 1, 10, 1), task(2, 9, 1, 10, 1)});
  auto ref = make_policy("sdrm3", {}, Semantics::reference);
  auto cor = make_policy("sdrm3", {}, Semantics::corrected);
  EXPECT_EQ(d.select(*ref, 10), 2u);
  EXPECT_EQ(d.select(*cor, 10), 0u);
}

// Two identical tasks: the earlier arrival is kept.
TEST(Sdrm3, TieKeepsEarlierArrival) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("sdrm3", {}, sem);
    test::Decision d({task(0, 20, 2, 9, 1), task(1, 20, 2, 9, 1)});
    EXPECT_EQ(d.select(*policy, 10), 0u);
  }
}

// sdrm3_sparse scales R by gamma: now 10, slack 10, no idle:
//   task 0: Rest 4, gamma 2 -> U 0.4 (sdrm3) / 0.8 (sparse); task 1: Rest 6, gamma 1 -> U 0.6.
// sdrm3 -> task 1; sdrm3_sparse -> task 0.
TEST(Sdrm3, SparseScalesUrgencyByGamma) {
  test::Decision d({task(0, 20, 4, 10, 1, 2.0), task(1, 20, 6, 10, 1, 1.0)});
  auto plain = make_policy("sdrm3", {}, Semantics::reference);
  auto sparse = make_policy("sdrm3_sparse", {}, Semantics::reference);
  EXPECT_EQ(d.select(*plain, 10), 1u);
  EXPECT_EQ(d.select(*sparse, 10), 0u);
}

// sdrm3_sparse also scales the head: Rest 0 (U = 0), now 10, head 1:
//   task 0: idle 2, gamma 2 -> F = 2 / 1 = 2 (sdrm3) or 2 / (2 x 1) = 1 (sparse)
//   task 1: idle 1.5, gamma 1 -> F = 1.5
// sdrm3 -> task 0; sdrm3_sparse -> task 1.
TEST(Sdrm3, SparseScalesHeadByGamma) {
  test::Decision d({task(0, 20, 0, 8, 1, 2.0), task(1, 20, 0, 8.5, 1, 1.0)});
  auto plain = make_policy("sdrm3", {}, Semantics::corrected);
  auto sparse = make_policy("sdrm3_sparse", {}, Semantics::corrected);
  EXPECT_EQ(d.select(*plain, 10), 0u);
  EXPECT_EQ(d.select(*sparse, 10), 1u);
}

}  // namespace
}  // namespace dysta
