// Planaria (spec C.4, quirk Q5): score p / slack with slack = deadline - now; the maximum runs.
// reference keeps the "-1 incumbent" rule (a task replaces the incumbent when the incumbent's
// score is negative or <= its own; exact ties keep the earlier arrival); corrected is a plain
// argmax with ties to the earlier task.
#include <gtest/gtest.h>

#include "dysta/policy.h"
#include "test_util.h"

namespace dysta {
namespace {

TaskView task(double arrival, double deadline, int priority) {
  return {.arrival_s = arrival,
          .deadline_s = deadline,
          .last_exec_s = arrival,
          .est_remaining_s = 1,
          .est_next_layer_s = 1,
          .est_isolated_s = 1,
          .priority = priority};
}

// now 0, deadlines [10, 4, 6], priorities [1, 1, 3] -> scores [0.1, 0.25, 0.5] -> task 2.
TEST(Planaria, MaxPriorityPerSlack) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("planaria", {}, sem);
    test::Decision d({task(0, 10, 1), task(0, 4, 1), task(0, 6, 3)});
    EXPECT_EQ(d.select(*policy, 0), 2u);
  }
}

// now 0, deadlines [2, 4, 8], priorities [1, 2, 1] -> scores [0.5, 0.5, 0.125]: equal scores keep
// the earlier arrival (task 0).
TEST(Planaria, EqualScoresKeepEarlierArrival) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("planaria", {}, sem);
    test::Decision d({task(-3, 2, 1), task(-2, 4, 2), task(-1, 8, 1)});
    EXPECT_EQ(d.select(*policy, 0), 0u);
  }
}

// now 10, deadlines [5, 8, 9], priority 1 -> slacks [-5, -2, -1] -> scores [-0.2, -0.5, -1].
// reference: the incumbent is always negative, so every task replaces it -> the LAST task (2).
// corrected: the maximum score -0.2 -> task 0.
TEST(Planaria, AllNegativeScores) {
  test::Decision d({task(0, 5, 1), task(1, 8, 1), task(2, 9, 1)});
  auto ref = make_policy("planaria", {}, Semantics::reference);
  auto cor = make_policy("planaria", {}, Semantics::corrected);
  EXPECT_EQ(d.select(*ref, 10), 2u);
  EXPECT_EQ(d.select(*cor, 10), 0u);
}

// All negative with an exact tie [-0.5, -0.5]: reference keeps the earlier incumbent (task 0).
TEST(Planaria, AllNegativeExactTieKeepsEarlier) {
  test::Decision d({task(0, 8, 1), task(1, 8, 1)});
  auto ref = make_policy("planaria", {}, Semantics::reference);
  EXPECT_EQ(d.select(*ref, 10), 0u);
}

// now 10, scores [-0.2, 0.5, 0.25, 3/6 = 0.5]: the negative first task is replaced; the first
// maximum non-negative score (task 1) is kept against the later equal one, in both semantics.
TEST(Planaria, MixedSignsPickFirstMaximum) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("planaria", {}, sem);
    test::Decision d({task(0, 5, 1), task(1, 12, 1), task(2, 14, 1), task(3, 16, 3)});
    EXPECT_EQ(d.select(*policy, 10), 1u);
  }
}

// A positive score is not replaced by a later negative one: scores [0.1, -1] -> task 0.
TEST(Planaria, NegativeDoesNotReplacePositive) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("planaria", {}, sem);
    test::Decision d({task(0, 20, 1), task(1, 9, 1)});
    EXPECT_EQ(d.select(*policy, 10), 0u);
  }
}

// corrected: zero slack gives an infinite score (IEEE division), so that task runs:
// scores [9 / 10 = 0.9, 1 / 0 = inf] -> task 1.
TEST(Planaria, CorrectedZeroSlackRunsFirst) {
  auto cor = make_policy("planaria", {}, Semantics::corrected);
  test::Decision d({task(0, 20, 9), task(1, 10, 1)});
  EXPECT_EQ(d.select(*cor, 10), 1u);
}

}  // namespace
}  // namespace dysta
