// Summation orders of spec L.2: Python's sum() (left to right) and numpy's pairwise summation.
// Inputs mix 2^53 with ones: at 2^53 the spacing of doubles is 2, so 2^53 + 1 rounds back to 2^53
// (ties to even) while sums of ones formed first survive. The expected values are derived below
// from the block structure; the exact sum is 2^53 + (n - 1).
#include "dysta/numeric.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dysta/error.h"
#include "dysta/semantics.h"

namespace dysta {
namespace {

constexpr double kBig = 9007199254740992.0;  // 2^53

std::vector<double> big_then_ones(std::size_t n) {
  std::vector<double> v(n, 1.0);
  v[0] = kBig;
  return v;
}

// Python sum(): every "2^53 + 1" rounds to 2^53, so the ones are all lost.
TEST(Numeric, SequentialSumIsLeftToRight) {
  EXPECT_EQ(sequential_sum(big_then_ones(16)), kBig);
  std::vector<double> ones_first(16, 1.0);
  ones_first.back() = kBig;
  EXPECT_EQ(sequential_sum(ones_first), kBig + 15);
  EXPECT_EQ(sequential_sum({}), 0.0);
}

// n < 8: numpy adds sequentially, so the result equals Python's sum().
TEST(Numeric, NumpySumBelowEightIsSequential) {
  EXPECT_EQ(numpy_sum(big_then_ones(7)), kBig);
  const std::vector<double> v = {0.1, 0.2, 0.3};
  EXPECT_EQ(numpy_sum(v), (0.1 + 0.2) + 0.3);
}

// n = 16: partial sums r[j] = v[j] + v[j + 8]; r0 = 2^53 (the 1 is lost), r1..r7 = 2.
// ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) = ((2^53 + 2) + 4) + 8 = 2^53 + 14.
TEST(Numeric, NumpySumEightPartialSums) {
  EXPECT_EQ(numpy_sum(big_then_ones(16)), kBig + 14);
}

// n = 10: r = v[0..7] (no full second block), combined: ((2^53 + 1) -> 2^53, + 2, + 4) = 2^53 + 6;
// tail v[8], v[9] added one by one: 2^53 + 7 ties to 2^53 + 8, then 2^53 + 9 ties to 2^53 + 8.
TEST(Numeric, NumpySumTailAddedSequentially) {
  EXPECT_EQ(numpy_sum(big_then_ones(10)), kBig + 8);
}

// n = 140 > 128: split at n2 = 70 rounded down to a multiple of 8 = 64. First half (64 values):
// r0 = 2^53, r1..r7 = 8, combined 2^53 + 56. Second half: 76 ones = 76 exactly. Total 2^53 + 132.
// (A split at 70 would give 2^53 + 56 + 70 = 2^53 + 126.)
TEST(Numeric, NumpySumSplitsLargeArraysAtMultipleOfEight) {
  EXPECT_EQ(numpy_sum(big_then_ones(140)), kBig + 132);
}

// numpy.mean = numpy_sum / n; an empty span gives NaN.
TEST(Numeric, NumpyMean) {
  EXPECT_EQ(numpy_mean(big_then_ones(16)), (kBig + 14) / 16);
  const std::vector<double> v = {1.0, 2.0, 4.0};
  EXPECT_EQ(numpy_mean(v), 7.0 / 3.0);
  EXPECT_TRUE(std::isnan(numpy_mean({})));
}

// Semantics names parse both ways; anything else is an InputError naming the field.
TEST(Semantics, ParseAndFormat) {
  EXPECT_EQ(parse_semantics("reference"), Semantics::reference);
  EXPECT_EQ(parse_semantics("corrected"), Semantics::corrected);
  EXPECT_EQ(to_string(Semantics::reference), "reference");
  EXPECT_EQ(to_string(Semantics::corrected), "corrected");
  try {
    parse_semantics("Reference");
    ADD_FAILURE() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "semantics");
  }
}

}  // namespace
}  // namespace dysta
