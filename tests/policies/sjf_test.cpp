// SJF and SJF-sparse (spec C.2): minimise Rest (sjf) or gamma x Rest (sjf_sparse); a strictly
// smaller estimate replaces the incumbent, so ties go to the first task.
#include <gtest/gtest.h>

#include "dysta/policy.h"
#include "test_util.h"

namespace dysta {
namespace {

TaskView task(double arrival, double rest, double gamma = 1.0) {
  return {.arrival_s = arrival,
          .deadline_s = arrival + 10,
          .last_exec_s = arrival,
          .est_remaining_s = rest,
          .est_next_layer_s = 0.5,
          .est_isolated_s = rest,
          .gamma = gamma};
}

// Rest = [3, 1, 2] -> task 1.
TEST(Sjf, ShortestEstimatedRemaining) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("sjf", {}, sem);
    test::Decision d({task(0, 3), task(1, 1), task(2, 2)});
    EXPECT_EQ(d.select(*policy, 3), 1u);
  }
}

// Rest = [2, 1, 1]: tasks 1 and 2 tie at 1; the first of them (1) wins.
TEST(Sjf, TieKeepsFirst) {
  auto policy = make_policy("sjf", {}, Semantics::reference);
  test::Decision d({task(0, 2), task(1, 1), task(2, 1)});
  EXPECT_EQ(d.select(*policy, 3), 1u);
  test::Decision all_equal({task(0, 1), task(1, 1), task(2, 1)});
  EXPECT_EQ(all_equal.select(*policy, 3), 0u);
}

// Rest = [3, 2], gamma = [0.1, 1]: sjf ignores gamma (3 > 2 -> task 1); sjf_sparse compares
// 0.1 x 3 = 0.3 with 2 -> task 0.
TEST(Sjf, SparseScalesByGamma) {
  auto plain = make_policy("sjf", {}, Semantics::corrected);
  auto sparse = make_policy("sjf_sparse", {}, Semantics::corrected);
  test::Decision d({task(0, 3, 0.1), task(1, 2, 1.0)});
  EXPECT_EQ(d.select(*plain, 3), 1u);
  EXPECT_EQ(d.select(*sparse, 3), 0u);
}

// gamma x Rest = [4, 2 x 1.5 = 3, 3 x 1 = 3]: exact tie between tasks 1 and 2 -> task 1.
TEST(Sjf, SparseTieKeepsFirst) {
  auto sparse = make_policy("sjf_sparse", {}, Semantics::reference);
  test::Decision d({task(0, 4), task(1, 2, 1.5), task(2, 3, 1.0)});
  EXPECT_EQ(d.select(*sparse, 3), 1u);
}

}  // namespace
}  // namespace dysta
