// The per-network level search of the benchmark's pruned variants (CnnVariantSpec::goal,
// src/benchmark/cnn.cpp): the goal rule on constructed answers, the level table, and the search
// on the real MobileNetV2 (magnitude pruning, a few inputs).
#include <gtest/gtest.h>

#include <cmath>

#include "../inference/real_assets.h"
#include "dysta/benchmark/cnn.h"
#include "dysta/benchmark/inputs.h"
#include "test_util.h"

namespace dysta::benchmark {
namespace {

TEST(LevelSearch, TheGoalNeedsTheNonMajorityAnswersAndAVariantThatIsNotBroken) {
  // Dense: 6 x class 0, 4 non-majority inputs (classes 1, 1, 2, 3).
  const std::vector<std::size_t> dense = {0, 0, 1, 0, 1, 0, 2, 0, 3, 0};
  // 3 of the 4 non-majority answers kept, every majority one: 0.75.
  const FunctionMetrics three = decision_metrics(dense, {0, 0, 1, 0, 1, 0, 2, 0, 0, 0}, 4);
  EXPECT_DOUBLE_EQ(three.non_majority_agreement, 0.75);
  EXPECT_TRUE(meets_goal(three, 0.75));
  EXPECT_FALSE(meets_goal(three, 0.8));
  // Every non-majority answer kept but the majority answer lost on 4 of 6 inputs: broken,
  // whatever the goal.
  const FunctionMetrics lost = decision_metrics(dense, {1, 1, 1, 1, 1, 1, 2, 0, 3, 0}, 4);
  EXPECT_DOUBLE_EQ(lost.non_majority_agreement, 1.0);
  EXPECT_TRUE(is_broken(lost));
  EXPECT_FALSE(meets_goal(lost, 0.1));
  // No non-majority input: judged by the broken rule alone.
  const FunctionMetrics same = decision_metrics({2, 2, 2}, {2, 2, 1}, 3);
  EXPECT_TRUE(meets_goal(same, 0.99));
}

TEST(LevelSearch, TheLevelsAreOrderedAndKeepThePaperGroupSparsities) {
  const auto& levels = prune_levels();
  ASSERT_EQ(levels.size(), 8u);
  for (std::size_t i = 1; i < levels.size(); ++i) {
    EXPECT_LT(levels[i - 1].group_sparsity[1], levels[i].group_sparsity[1]) << levels[i].name;
  }
  EXPECT_EQ(parse_prune_level("sparse20", "x").group_sparsity, sparse20().group_sparsity);
  EXPECT_EQ(parse_prune_level("sparse60", "x").group_sparsity, sparse60().group_sparsity);
  const PruneLevel s5 = parse_prune_level("sparse5", "x");
  EXPECT_DOUBLE_EQ(s5.group_sparsity[0], 0.05);
  EXPECT_DOUBLE_EQ(s5.group_sparsity[2], 0.0625);
  const std::string msg =
      test::capture_input_error([] { parse_prune_level("sparse15", "--level"); }).what();
  EXPECT_NE(msg.find("--level"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sparse10"), std::string::npos) << msg;
}

TEST(LevelSearch, AMissedGoalFallsBackLevelByLevelAndRecordsEveryAttempt) {
  const inference::AssetPaths paths = test::require_assets();
  if (testing::Test::IsSkipped()) return;
  const CnnModel& model = find_cnn("mobilenetv2", "model");
  ImageInputOptions io;
  io.extra_photos = false;
  io.vtest_step = 0;
  io.low_light = false;
  std::vector<InputRef> inputs = scene_inputs(paths, io);
  ASSERT_GE(inputs.size(), 20u);  // the stills of skimage, darknet, @stdlib and matplotlib

  std::vector<CnnVariantSpec> specs(3);
  specs[0].level = sparse20();  // dense
  // An impossible goal: every level misses it; the last one tried ships, marked "last".
  specs[1].pattern = PrunePattern::unstructured;
  specs[1].level = sparse20();
  specs[1].reconstruct = false;
  specs[1].goal = 1.01;
  specs[1].fallback = {parse_prune_level("sparse10", "l"), parse_prune_level("sparse5", "l")};
  // No goal: no search, the slot's level.
  specs[2].pattern = PrunePattern::filter;
  specs[2].level = sparse60();
  specs[2].reconstruct = false;
  specs[2].fallback = {parse_prune_level("sparse2", "l")};
  CnnProfileOptions po;
  po.threads = 2;
  const std::vector<CnnVariantProfile> out = profile_cnn(model, paths, inputs, specs, po);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].pattern, "dense");
  EXPECT_EQ(out[0].slot, "dense");
  EXPECT_TRUE(out[0].attempts.empty());
  std::vector<std::string> sources;
  for (const auto& in : inputs) sources.push_back(in.source);
  // The goal is impossible only where some dense answer is not the majority one.
  ASSERT_GT(function_metrics(model, out[0], out[0], sources).front().non_majority, 0u);

  const CnnVariantProfile& searched = out[1];
  EXPECT_EQ(searched.slot, "sparse20");
  EXPECT_EQ(searched.pattern, "unstructured_sparse5");
  ASSERT_TRUE(searched.pruning);
  EXPECT_EQ(searched.pruning->level.name, "sparse5");
  ASSERT_EQ(searched.attempts.size(), 3u);
  EXPECT_EQ(searched.attempts[0].label, "unstructured_sparse20");
  EXPECT_EQ(searched.attempts[0].outcome, "missed");
  EXPECT_EQ(searched.attempts[1].label, "unstructured_sparse10");
  EXPECT_EQ(searched.attempts[1].outcome, "missed");
  EXPECT_EQ(searched.attempts[2].label, "unstructured_sparse5");
  EXPECT_EQ(searched.attempts[2].outcome, "last");
  // The shipped attempt is judged on every input, with the function metrics' numbers.
  const FunctionMetrics all = function_metrics(model, out[0], searched, sources).front();
  EXPECT_EQ(searched.attempts[2].inputs, inputs.size());
  EXPECT_DOUBLE_EQ(searched.attempts[2].majority_agreement, all.majority_agreement);
  // Every sample has its latencies and outputs (the screening's partial run is not shipped).
  for (std::size_t s = 0; s < inputs.size(); ++s) EXPECT_FALSE(searched.outputs[s].empty()) << s;
  for (const double l : searched.latency_corrected_s) EXPECT_GT(l, 0.0);

  EXPECT_EQ(out[2].pattern, "filter_sparse60");
  EXPECT_EQ(out[2].slot, "sparse60");
  EXPECT_TRUE(out[2].attempts.empty());
}

}  // namespace
}  // namespace dysta::benchmark
