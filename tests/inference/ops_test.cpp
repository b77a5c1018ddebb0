// Operator tests on small hand-computed tensors (NHWC unless stated).
#include "dysta/inference/ops.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dysta/error.h"
#include "dysta/inference/image.h"

namespace dysta::inference {
namespace {

Tensor iota(Shape shape, float start = 1.0f) {
  Tensor t(std::move(shape));
  for (std::size_t i = 0; i < t.data.size(); ++i) t.data[i] = start + static_cast<float>(i);
  return t;
}

void expect_values(const Tensor& t, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(t.data.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(t.data[i], want[i], tol) << "at " << i;
}

TEST(InferenceOps, SamePaddingPutsTheExtraPixelBottomRight) {
  const Padding2D p = same_padding(224, 224, 3, 3, 2, 2);
  EXPECT_EQ(p.top, 0);
  EXPECT_EQ(p.bottom, 1);
  EXPECT_EQ(p.left, 0);
  EXPECT_EQ(p.right, 1);
  const Padding2D q = same_padding(5, 6, 3, 1, 1, 1);
  EXPECT_EQ(q.top, 1);
  EXPECT_EQ(q.bottom, 1);
  EXPECT_EQ(q.left, 0);
  EXPECT_EQ(q.right, 0);
  EXPECT_EQ(conv_output_size(224, 0, 1, 3, 2), 112);
  EXPECT_EQ(conv_output_size(150, 0, 0, 7, 2), 72);
}

TEST(InferenceOps, Conv2dValidAndSame) {
  // 3x3 single-channel input 1..9, 2x2 kernel [[1,0],[0,1]] plus bias 10.
  const Tensor x = iota({1, 3, 3, 1});
  const Tensor k({2, 2, 1, 1}, {1, 0, 0, 1});
  const Tensor b({1}, {10});
  Conv2DParams p;
  const Tensor y = conv2d(x, k, &b, p);
  EXPECT_EQ(y.shape, (Shape{1, 2, 2, 1}));
  expect_values(y, {1 + 5 + 10, 2 + 6 + 10, 4 + 8 + 10, 5 + 9 + 10});
  // "same", stride 2: output 2x2, padding total 1 on each axis, all of it bottom/right.
  p.stride_h = p.stride_w = 2;
  p.pad = same_padding(3, 3, 2, 2, 2, 2);
  const Tensor z = conv2d(x, k, nullptr, p);
  EXPECT_EQ(z.shape, (Shape{1, 2, 2, 1}));
  expect_values(z, {1 + 5, 3 + 0, 7 + 0, 9});
}

TEST(InferenceOps, Conv2dPointwiseAndMultiChannel) {
  // 1x1 conv mixes channels: out0 = c0 + 2 c1, out1 = -c1.
  const Tensor x({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor k({1, 1, 2, 2}, {1, 0, 2, -1});
  expect_values(conv2d(x, k, nullptr, {}), {5, -2, 11, -4});
}

TEST(InferenceOps, GroupedConvMatchesPerGroupConvs) {
  // Two groups of one channel: out channel g sees only input channel g.
  const Tensor x({1, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40});
  const Tensor k({2, 2, 1, 2}, {1, 1, 1, 1, 1, 1, 1, 1});
  Conv2DParams p;
  p.groups = 2;
  expect_values(conv2d(x, k, nullptr, p), {10, 100});
}

TEST(InferenceOps, DepthwiseConv) {
  // Two channels, 3x3 input, 3x3 kernel of ones for channel 0 and centre-only for channel 1,
  // "same" padding: channel 0 is the 3x3 box sum, channel 1 the identity.
  Tensor x({1, 3, 3, 2});
  for (int i = 0; i < 9; ++i) {
    x.data[2 * i] = static_cast<float>(i + 1);
    x.data[2 * i + 1] = static_cast<float>(-(i + 1));
  }
  Tensor k({3, 3, 2, 1});
  for (int i = 0; i < 9; ++i) k.data[2 * i] = 1.0f;
  k.data[2 * 4 + 1] = 1.0f;
  Conv2DParams p;
  p.pad = same_padding(3, 3, 3, 3, 1, 1);
  const Tensor y = depthwise_conv2d(x, k, nullptr, p);
  EXPECT_EQ(y.shape, (Shape{1, 3, 3, 2}));
  EXPECT_FLOAT_EQ(y.data[0], 1 + 2 + 4 + 5);      // top-left box sum
  EXPECT_FLOAT_EQ(y.data[2 * 4], 45);             // centre: all nine
  EXPECT_FLOAT_EQ(y.data[2 * 8], 5 + 6 + 8 + 9);  // bottom-right
  for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(y.data[2 * i + 1], -(i + 1));
}

TEST(InferenceOps, DepthwiseConvWithMultiplier) {
  const Tensor x({1, 1, 1, 2}, {2, 3});
  const Tensor k({1, 1, 2, 2}, {1, 10, 100, 1000});  // [kh,kw,C,M]
  expect_values(depthwise_conv2d(x, k, nullptr, {}), {2, 20, 300, 3000});
}

TEST(InferenceOps, BatchNormAndActivations) {
  std::vector<float> scale, shift;
  batch_norm_coefficients({2}, {1}, {3}, {4 - 0.5f}, 0.5f, scale, shift);
  const Tensor y = channel_affine(Tensor({1, 1, 2, 1}, {3, 5}), scale, shift, 3);
  expect_values(y, {1, 3});  // (x-3)/2*2+1
  const Tensor a({4}, {-1, 0.5f, 7, 3});
  expect_values(relu(a), {0, 0.5f, 7, 3});
  expect_values(clip(a, 0, 6), {0, 0.5f, 6, 3});
  expect_values(hard_sigmoid(a, 0.2f, 0.5f), {0.3f, 0.6f, 1, 1});
  EXPECT_NEAR(sigmoid(Tensor({1}, {0})).data[0], 0.5f, 1e-7);
  // NCHW per-channel affine (axis 1).
  const Tensor nchw({1, 2, 1, 2}, {1, 1, 1, 1});
  expect_values(channel_affine(nchw, {1, 2}, {0, 1}, 1), {1, 1, 3, 3});
}

TEST(InferenceOps, PoolingSameExcludesPaddedCellsFromTheAverage) {
  const Tensor x = iota({1, 3, 3, 1});
  Pool2DParams p;
  p.kernel_h = p.kernel_w = 3;
  p.pad = same_padding(3, 3, 3, 3, 1, 1);
  const Tensor avg = avg_pool2d(x, p);
  EXPECT_FLOAT_EQ(avg.data[0], (1 + 2 + 4 + 5) / 4.0f);
  EXPECT_FLOAT_EQ(avg.data[4], 5.0f);
  p.count_include_pad = true;
  EXPECT_FLOAT_EQ(avg_pool2d(x, p).data[0], (1 + 2 + 4 + 5) / 9.0f);
  // Max pooling pads with -infinity: an all-negative input keeps its values.
  Tensor neg = iota({1, 3, 3, 1}, -20.0f);
  p.count_include_pad = false;
  EXPECT_FLOAT_EQ(max_pool2d(neg, p).data[0], -20 + 4);
  Pool2DParams v;
  v.kernel_h = v.kernel_w = 2;
  v.stride_h = v.stride_w = 2;
  expect_values(max_pool2d(iota({1, 4, 4, 1}), v), {6, 8, 14, 16});
  expect_values(global_avg_pool(iota({1, 2, 2, 2})), {4, 5});
}

TEST(InferenceOps, AddConcatPadFlatten) {
  const Tensor a = iota({1, 1, 2, 2}), b = iota({1, 1, 2, 2}, 10);
  expect_values(add_all({&a, &b}), {11, 13, 15, 17});
  const Tensor c = concat({&a, &b}, 3);
  EXPECT_EQ(c.shape, (Shape{1, 1, 2, 4}));
  expect_values(c, {1, 2, 10, 11, 3, 4, 12, 13});
  const Tensor p = zero_pad2d(Tensor({1, 1, 1, 1}, {7}), {0, 1, 1, 0});
  EXPECT_EQ(p.shape, (Shape{1, 2, 2, 1}));
  expect_values(p, {0, 7, 0, 0});
  EXPECT_EQ(flatten(c).shape, (Shape{1, 8}));
  EXPECT_THROW(add_all({&a, &c}), InputError);
}

TEST(InferenceOps, DenseSoftmaxMatmul) {
  const Tensor x({1, 2}, {1, 2});
  const Tensor w({2, 3}, {1, 0, 1, 0, 1, 1});
  const Tensor bias({3}, {0, 0, 1});
  expect_values(dense(x, w, &bias), {1, 2, 4});
  const Tensor s = softmax_last(Tensor({2, 2}, {0, 0, 0, std::log(3.0f)}));
  expect_values(s, {0.5f, 0.5f, 0.25f, 0.75f});
  // Batched [2,1,2] x [2,2,1].
  const Tensor a({2, 1, 2}, {1, 2, 3, 4});
  const Tensor b({2, 2, 1}, {1, 1, 2, 0});
  expect_values(matmul(a, b), {3, 6});
  // Broadcast of a 2D right operand.
  expect_values(matmul(a, Tensor({2, 1}, {1, -1})), {-1, -1});
  EXPECT_THROW(dense(x, Tensor({3, 1}), nullptr), InputError);
}

TEST(InferenceOps, BroadcastBinaryAndTranspose) {
  const Tensor a = iota({2, 3});
  expect_values(binary(a, Tensor({3}, {10, 20, 30}), BinaryOp::kAdd), {11, 22, 33, 14, 25, 36});
  expect_values(binary(a, Tensor({2, 1}, {1, 2}), BinaryOp::kMul), {1, 2, 3, 8, 10, 12});
  expect_values(binary(a, Tensor({}, {2}), BinaryOp::kPow), {1, 4, 9, 16, 25, 36});
  expect_values(binary(Tensor({1}, {1}), a, BinaryOp::kSub), {0, -1, -2, -3, -4, -5});
  EXPECT_THROW(binary(a, Tensor({2}), BinaryOp::kAdd), InputError);
  const Tensor t = transpose(a, {1, 0});
  EXPECT_EQ(t.shape, (Shape{3, 2}));
  expect_values(t, {1, 4, 2, 5, 3, 6});
  const Tensor x = iota({1, 2, 2, 3});
  EXPECT_EQ(nhwc_to_nchw(nchw_to_nhwc(x)).data, x.data);
}

TEST(InferenceOps, ResizeBilinearTensorflowConventions) {
  const Tensor x({1, 1, 2, 1}, {0, 10});
  // align_corners: the ends map onto each other.
  expect_values(resize_bilinear(x, 1, 3, true), {0, 5, 10});
  // no align_corners: output i samples input i*2/4 = 0, .5, 1, 1.5 (clamped).
  expect_values(resize_bilinear(x, 1, 4, false), {0, 5, 10, 10});
}

// Deterministic pseudo-random values in [-1, 1) (a 32-bit LCG).
Tensor noise(Shape shape, std::uint32_t seed) {
  Tensor t(std::move(shape));
  for (float& v : t.data) {
    seed = seed * 1664525u + 1013904223u;
    v = static_cast<float>(seed >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
  return t;
}

TEST(InferenceOps, NchwConvMatchesNhwcConv) {
  struct Case {
    int c, cout, k, stride, dilation, groups;
    Padding2D pad;
  };
  const Case cases[] = {{4, 6, 1, 1, 1, 1, {}},           {4, 6, 3, 2, 1, 1, {1, 0, 1, 2}},
                        {4, 4, 3, 1, 1, 4, {1, 1, 1, 1}}, {4, 4, 5, 2, 1, 4, {2, 2, 1, 2}},
                        {6, 4, 3, 1, 2, 2, {2, 2, 2, 2}}, {3, 6, 3, 1, 1, 3, {1, 1, 1, 1}}};
  std::uint32_t seed = 1;
  for (const Case& k : cases) {
    const Tensor x = noise({2, k.c, 7, 9}, seed++);
    const Tensor w = noise({k.cout, k.c / k.groups, k.k, k.k}, seed++);  // ONNX layout
    const Tensor b = noise({k.cout}, seed++);
    Conv2DParams p;
    p.stride_h = p.stride_w = k.stride;
    p.dilation_h = p.dilation_w = k.dilation;
    p.groups = k.groups;
    p.pad = k.pad;
    const Tensor nchw = conv2d_nchw(x, w, &b, p);
    const Tensor nhwc = conv2d(nchw_to_nhwc(x), transpose(w, {2, 3, 1, 0}), &b, p);
    const Tensor want = nhwc_to_nchw(nhwc);
    ASSERT_EQ(nchw.shape, want.shape) << k.c << " " << k.groups;
    for (std::size_t i = 0; i < want.data.size(); ++i) {
      ASSERT_NEAR(nchw.data[i], want.data[i], 1e-4f) << "case groups " << k.groups << " at " << i;
    }
  }
}

TEST(InferenceOps, ShapeMismatchesAreInputErrors) {
  const Tensor x = iota({1, 3, 3, 2});
  EXPECT_THROW(conv2d(x, Tensor({3, 3, 3, 4}), nullptr, {}), InputError);
  EXPECT_THROW(conv2d(Tensor({3, 3}), Tensor({1, 1, 3, 4}), nullptr, {}), InputError);
  EXPECT_THROW(depthwise_conv2d(x, Tensor({5, 5, 2, 1}), nullptr, {}), InputError);
  EXPECT_THROW(transpose(x, {0, 0, 1, 2}), InputError);
}

}  // namespace
}  // namespace dysta::inference
