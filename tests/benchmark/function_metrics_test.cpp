// Function metrics of pruned variants (src/benchmark/cnn.cpp): base rate, non-majority agreement,
// confusion table and the broken flag on constructed outputs.
#include <gtest/gtest.h>

#include <cmath>

#include "dysta/benchmark/cnn.h"
#include "test_util.h"

namespace dysta::benchmark {
namespace {

TEST(FunctionMetrics, BaseRateAndNonMajorityAgreementOfAConstructedExample) {
  // 10 inputs, dense answers: class 2 x 7, class 0 x 2, class 4 x 1 -> base rate 0.7.
  // The pruned model answers 2 everywhere except one class-0 input it gets right:
  // agreement 8/10, non-majority agreement 1/3.
  const std::vector<std::size_t> dense = {2, 2, 0, 2, 2, 4, 2, 0, 2, 2};
  const std::vector<std::size_t> pruned = {2, 2, 0, 2, 2, 2, 2, 2, 2, 2};
  const FunctionMetrics m = decision_metrics(dense, pruned, 5);
  EXPECT_EQ(m.inputs, 10u);
  EXPECT_EQ(m.majority, 2u);
  EXPECT_DOUBLE_EQ(m.base_rate, 0.7);
  EXPECT_DOUBLE_EQ(m.agreement, 0.8);
  EXPECT_EQ(m.non_majority, 3u);
  EXPECT_DOUBLE_EQ(m.non_majority_agreement, 1.0 / 3.0);
  ASSERT_EQ(m.confusion.size(), 25u);
  EXPECT_EQ(m.confusion[2 * 5 + 2], 7);  // dense 2 -> pruned 2
  EXPECT_EQ(m.confusion[0 * 5 + 0], 1);
  EXPECT_EQ(m.confusion[0 * 5 + 2], 1);
  EXPECT_EQ(m.confusion[4 * 5 + 2], 1);
  // 8/10 looks good next to a 0.7 base rate, but the minority answers are mostly lost: broken.
  EXPECT_TRUE(is_broken(m));
}

TEST(FunctionMetrics, AConstantAnswerScoresTheBaseRateAndIsBroken) {
  const std::vector<std::size_t> dense = {1, 1, 1, 0, 1, 1, 1, 1, 0, 1};
  const std::vector<std::size_t> constant(dense.size(), 1);
  const FunctionMetrics m = decision_metrics(dense, constant, 2);
  EXPECT_DOUBLE_EQ(m.agreement, m.base_rate);
  EXPECT_DOUBLE_EQ(m.non_majority_agreement, 0.0);
  EXPECT_TRUE(is_broken(m));
  // The dense model itself is not.
  const FunctionMetrics d = decision_metrics(dense, dense, 2);
  EXPECT_DOUBLE_EQ(d.non_majority_agreement, 1.0);
  EXPECT_FALSE(is_broken(d));
}

TEST(FunctionMetrics, MajorityTiesGoToTheLowerAnswerAndAllEqualUsesAgreement) {
  const FunctionMetrics t = decision_metrics({0, 1, 1, 0}, {0, 1, 0, 0}, 2);
  EXPECT_EQ(t.majority, 0u);
  EXPECT_DOUBLE_EQ(t.non_majority_agreement, 0.5);
  EXPECT_FALSE(is_broken(t));  // 0.5 is not below the threshold
  // A constant minority answer keeps every non-majority answer but loses the majority: broken.
  const FunctionMetrics minority = decision_metrics({0, 0, 0, 1}, {1, 1, 1, 1}, 2);
  EXPECT_DOUBLE_EQ(minority.non_majority_agreement, 1.0);
  EXPECT_DOUBLE_EQ(minority.majority_agreement, 0.0);
  EXPECT_TRUE(is_broken(minority));
  // Every dense answer equal: no non-majority input, judged by the majority agreement.
  const FunctionMetrics same = decision_metrics({3, 3, 3, 3}, {3, 1, 1, 1}, 4);
  EXPECT_EQ(same.non_majority, 0u);
  EXPECT_TRUE(std::isnan(same.non_majority_agreement));
  EXPECT_TRUE(is_broken(same));
  test::capture_input_error([] { decision_metrics({0, 1}, {0}, 2); });
  test::capture_input_error([] { decision_metrics({0, 2}, {0, 0}, 2); });
}

TEST(FunctionMetrics, PerSourceRowsAndTheEmbeddingPairDecision) {
  // Embedding task: 4 inputs, 2-d embeddings. Dense: inputs 0 and 1 are the same person
  // (distance 0.1), the others far apart. The pruned model moves input 1 by 0.7: pair (0, 1)
  // becomes "different", and input 1 leaves the 0.6 radius of its dense embedding.
  const CnnModel& face = find_cnn("faceresnet", "model");
  CnnVariantProfile dense, pruned;
  dense.outputs = {{0.0f, 0.0f}, {0.1f, 0.0f}, {3.0f, 0.0f}, {0.0f, 3.0f}};
  pruned.outputs = {{0.0f, 0.0f}, {0.8f, 0.0f}, {3.0f, 0.0f}, {0.0f, 3.0f}};
  const auto m = function_metrics(face, dense, pruned, {"faces", "faces", "faces", "other"});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].source, "all");
  EXPECT_EQ(m[1].source, "faces");
  EXPECT_EQ(m[2].source, "other");
  // all: 6 pairs, 1 "same" in the dense model -> base rate 5/6, non-majority agreement 0.
  EXPECT_EQ(m[0].inputs, 4u);
  EXPECT_DOUBLE_EQ(m[0].base_rate, 5.0 / 6.0);
  EXPECT_EQ(m[0].non_majority, 1u);
  EXPECT_DOUBLE_EQ(m[0].non_majority_agreement, 0.0);
  EXPECT_DOUBLE_EQ(m[0].within, 0.75);
  EXPECT_NEAR(m[0].change, 0.7 / 4, 1e-6);
  EXPECT_TRUE(is_broken(m[0]));
  // faces: 3 inputs, 3 pairs.
  EXPECT_EQ(m[1].inputs, 3u);
  EXPECT_DOUBLE_EQ(m[1].base_rate, 2.0 / 3.0);
}

TEST(FunctionMetrics, ClassifierTopTwoOverlapAndProbabilityChange) {
  const CnnModel& cls = find_cnn("mobilenetv2", "model");
  CnnVariantProfile dense, pruned;
  dense.outputs = {{0.1f, 0.6f, 0.3f}, {0.5f, 0.2f, 0.3f}};
  pruned.outputs = {{0.3f, 0.5f, 0.2f}, {0.5f, 0.2f, 0.3f}};
  const auto m = function_metrics(cls, dense, pruned, {"stills", "stills"});
  EXPECT_DOUBLE_EQ(m[0].agreement, 1.0);
  EXPECT_DOUBLE_EQ(m[0].top2_overlap, 0.75);  // {1,2} vs {1,0}: 1 of 2; then 2 of 2
  EXPECT_NEAR(m[0].change, 0.05, 1e-6);
}

}  // namespace
}  // namespace dysta::benchmark
