// FCFS (spec C.1): the earliest arrival runs; ties go to the first task.
#include <gtest/gtest.h>

#include "dysta/policy.h"
#include "test_util.h"

namespace dysta {
namespace {

// Task 0 arrived first but has the longest remaining time, the loosest deadline and the lowest
// priority; FCFS still picks it, in both semantics.
TEST(Fcfs, EarliestArrivalRegardlessOfOtherFields) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("fcfs", {}, sem);
    test::Decision d({
        {.arrival_s = 1.0,
         .deadline_s = 100,
         .last_exec_s = 1.0,
         .est_remaining_s = 9,
         .est_next_layer_s = 1,
         .est_isolated_s = 9,
         .priority = 1},
        {.arrival_s = 2.0,
         .deadline_s = 3,
         .last_exec_s = 2.0,
         .est_remaining_s = 1,
         .est_next_layer_s = 1,
         .est_isolated_s = 1,
         .priority = 9},
        {.arrival_s = 2.5,
         .deadline_s = 2.6,
         .last_exec_s = 2.5,
         .est_remaining_s = 0.1,
         .est_next_layer_s = 0.1,
         .est_isolated_s = 0.1,
         .priority = 9},
    });
    EXPECT_EQ(d.select(*policy, 3.0), 0u);
    EXPECT_EQ(d.select(*policy, 50.0), 0u);
  }
}

// Equal arrival times: the first task in the ready list wins.
TEST(Fcfs, TieGoesToFirst) {
  auto policy = make_policy("fcfs", {}, Semantics::reference);
  test::Decision d({
      {.arrival_s = 1.0, .deadline_s = 10, .last_exec_s = 1.0, .est_remaining_s = 5},
      {.arrival_s = 1.0, .deadline_s = 10, .last_exec_s = 1.0, .est_remaining_s = 1},
  });
  EXPECT_EQ(d.select(*policy, 1.0), 0u);
}

}  // namespace
}  // namespace dysta
