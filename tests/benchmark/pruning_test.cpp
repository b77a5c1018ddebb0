// Magnitude pruning (src/benchmark/pruning.cpp): hand-computed kernels, the prunable-layer rule,
// layer groups, and that pruned weights change what a network computes.
#include "dysta/benchmark/pruning.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "dysta/inference/ops.h"
#include "test_util.h"

namespace dysta::benchmark {
namespace {

using inference::Tensor;

TEST(Pruning, UnstructuredZeroesTheSmallestMagnitudes) {
  // dense [in=2, out=3]: |w| order 0.1 < 0.5 < 1 < 2 < 3 < 4; 50% -> 3 zeroed.
  const Tensor k({2, 3}, {1.0f, -3.0f, 0.1f, 2.0f, -0.5f, 4.0f});
  const auto v = prune_kernel(k, false, PrunePattern::unstructured, 0.5);
  EXPECT_EQ(v, (std::vector<float>{0.0f, -3.0f, 0.0f, 2.0f, 0.0f, 4.0f}));
}

TEST(Pruning, TiesGoToTheLowerIndexFirst) {
  const Tensor k({4, 1}, {1.0f, -1.0f, 1.0f, 2.0f});
  const auto v = prune_kernel(k, false, PrunePattern::unstructured, 0.5);
  EXPECT_EQ(v, (std::vector<float>{0.0f, 0.0f, 1.0f, 2.0f}));
}

TEST(Pruning, Block4GroupsFourConsecutiveInputChannels) {
  // dense [in=6, out=2]: output 0 blocks {1,1,1,1} mean 1 and {9,9} mean 9; output 1 blocks
  // {2,2,2,2} mean 2 and {0.5,0.5} mean 0.5. 4 blocks, 50% -> the two smallest: (1, in 4-5) and
  // (0, in 0-3).
  const Tensor k({6, 2}, {1, 2, 1, 2, 1, 2, 1, 2, 9, 0.5f, 9, 0.5f});
  const auto v = prune_kernel(k, false, PrunePattern::block4, 0.5);
  EXPECT_EQ(v, (std::vector<float>{0, 2, 0, 2, 0, 2, 0, 2, 9, 0, 9, 0}));
}

TEST(Pruning, Block4OnAConvKernelRunsAlongCinAtEachTapAndOutput) {
  // conv [kh=1, kw=2, Cin=4, Cout=1]: tap 0 block mean 1, tap 1 block mean 3 -> 50% prunes tap 0.
  const Tensor k({1, 2, 4, 1}, {1, -1, 1, -1, 3, 3, -3, 3});
  const auto v = prune_kernel(k, false, PrunePattern::block4, 0.5);
  EXPECT_EQ(v, (std::vector<float>{0, 0, 0, 0, 3, 3, -3, 3}));
}

TEST(Pruning, FilterRemovesWholeOutputChannelsByMeanMagnitude) {
  // conv [1,1,Cin=2,Cout=3]: filter L1 means 1.5, 0.5, 3 -> 1/3 -> round(1) = filter 1.
  const Tensor k({1, 1, 2, 3}, {1, 0.5f, 3, 2, -0.5f, 3});
  const auto v = prune_kernel(k, false, PrunePattern::filter, 1.0 / 3.0);
  EXPECT_EQ(v, (std::vector<float>{1, 0, 3, 2, 0, 3}));
}

TEST(Pruning, DepthwiseFilterIsOneChannelKernel) {
  // depthwise [1,2,C=3,1]: channel means 1, 5, 0.5 -> 1/3 prunes channel 2 at both taps.
  const Tensor k({1, 2, 3, 1}, {1, 5, 0.5f, 1, -5, 0.5f});
  const auto v = prune_kernel(k, true, PrunePattern::filter, 1.0 / 3.0);
  EXPECT_EQ(v, (std::vector<float>{1, 5, 0, 1, -5, 0}));
}

TEST(Pruning, RejectsImpossibleSparsityAndRanks) {
  const Tensor k({2, 2}, {1, 2, 3, 4});
  test::capture_input_error([&] { prune_kernel(k, false, PrunePattern::filter, 1.0); });
  test::capture_input_error([&] { prune_kernel(k, false, PrunePattern::filter, -0.1); });
  const Tensor v3({2, 2, 1}, {1, 2, 3, 4});
  test::capture_input_error([&] { prune_kernel(v3, false, PrunePattern::unstructured, 0.2); });
  test::capture_input_error([] { parse_prune_pattern("nm24", "pattern"); });
  test::capture_input_error([] { parse_prune_level("sparse35", "level"); });
  EXPECT_EQ(parse_prune_level("sparse60", "level").group_sparsity[1], 0.60);
}

// input -> stem conv -> relu -> conv a -> conv b -> dense c -> dense head. The dense layers run on
// [1, N] tensors; the convs are 1x1 so that shapes stay simple.
inference::Network chain(std::vector<std::shared_ptr<Tensor>>& weights) {
  inference::Network net("chain");
  int x = net.add_input("x");
  const auto add = [&](const std::string& name, inference::LayerKind kind, inference::Shape shape,
                       float value) {
    auto w = std::make_shared<Tensor>(shape, value);
    for (std::size_t i = 0; i < w->data.size(); ++i) w->data[i] = value * static_cast<float>(i + 1);
    weights.push_back(w);
    inference::Layer l;
    l.name = name;
    l.op = kind == inference::LayerKind::kConv ? "Conv2D" : "Dense";
    l.kind = kind;
    l.inputs = {x};
    l.weights = w;
    l.weights_editable = true;
    if (kind == inference::LayerKind::kConv) {
      l.run = [w](std::span<const Tensor* const> a) {
        return inference::conv2d(*a[0], *w, nullptr, inference::Conv2DParams{});
      };
      l.conv = inference::ConvGeometry{};
    } else {
      l.run = [w](std::span<const Tensor* const> a) {
        Tensor flat({1, a[0]->size()}, a[0]->data);
        return inference::dense(flat, *w, nullptr);
      };
    }
    x = net.add_layer(std::move(l));
  };
  add("stem", inference::LayerKind::kConv, {1, 1, 2, 4}, 0.1f);
  inference::Layer relu;
  relu.name = "relu";
  relu.op = "Relu";
  relu.kind = inference::LayerKind::kActivation;
  relu.inputs = {x};
  relu.run = [](std::span<const Tensor* const> a) { return inference::relu(*a[0]); };
  x = net.add_layer(std::move(relu));
  add("a", inference::LayerKind::kConv, {1, 1, 4, 4}, 0.2f);
  add("b", inference::LayerKind::kConv, {1, 1, 4, 4}, -0.3f);
  add("c", inference::LayerKind::kDense, {4, 4}, 0.4f);
  add("head", inference::LayerKind::kDense, {4, 2}, 0.5f);
  net.mark_output(x);
  return net;
}

TEST(Pruning, StemAndOutputHeadsStayDenseAndGroupsSplitInThirds) {
  std::vector<std::shared_ptr<Tensor>> w;
  inference::Network net = chain(w);
  std::vector<std::size_t> excluded;
  const auto prunable = prunable_layers(net, &excluded);
  ASSERT_EQ(prunable.size(), 3u);  // a, b, c
  EXPECT_EQ(net.layers()[prunable[0]].name, "a");
  EXPECT_EQ(net.layers()[prunable[2]].name, "c");
  ASSERT_EQ(excluded.size(), 2u);
  EXPECT_EQ(net.layers()[excluded[0]].name, "stem");
  EXPECT_EQ(net.layers()[excluded[1]].name, "head");

  const auto dense = dense_weights(net);
  const PruneReport r = prune_network(net, dense, PrunePattern::unstructured, sparse60());
  ASSERT_EQ(r.layers.size(), 3u);
  EXPECT_EQ(r.layers[0].group, 0);
  EXPECT_EQ(r.layers[1].group, 1);
  EXPECT_EQ(r.layers[2].group, 2);
  // 16 weights each: round(0.575 * 16) = 9, round(0.6 * 16) = 10, round(0.625 * 16) = 10.
  EXPECT_DOUBLE_EQ(r.layers[0].achieved, 9.0 / 16);
  EXPECT_DOUBLE_EQ(r.layers[1].achieved, 10.0 / 16);
  EXPECT_DOUBLE_EQ(r.layers[2].achieved, 10.0 / 16);
  EXPECT_DOUBLE_EQ(r.overall_sparsity, 29.0 / 48);
  EXPECT_EQ(std::count(w[0]->data.begin(), w[0]->data.end(), 0.0f), 0);  // the stem
}

TEST(Pruning, PrunedWeightsChangeTheOutputAndRestoreUndoesIt) {
  std::vector<std::shared_ptr<Tensor>> w;
  inference::Network net = chain(w);
  const Tensor in({1, 1, 1, 2}, {1.0f, 2.0f});
  const auto before = net.run({in}).at(0).data;
  const auto dense = dense_weights(net);
  prune_network(net, dense, PrunePattern::filter, sparse60());
  const auto after = net.run({in}).at(0).data;
  EXPECT_NE(before, after);
  restore_weights(net, dense);
  EXPECT_EQ(net.run({in}).at(0).data, before);
}

TEST(Pruning, SetWeightValuesChecksEditabilityAndCount) {
  std::vector<std::shared_ptr<Tensor>> w;
  inference::Network net = chain(w);
  test::capture_input_error([&] { net.set_weight_values(0, {1.0f}); });  // wrong count
  test::capture_input_error([&] { net.set_weight_values(1, {}); });      // relu: no weights
  test::capture_input_error([&] { net.set_weight_values(99, {}); });
}

}  // namespace
}  // namespace dysta::benchmark
