// Layer-wise reconstruction pruning (src/benchmark/reconstruction.cpp): layers whose optimal
// reconstruction is known by hand.
#include "dysta/benchmark/reconstruction.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dysta/inference/ops.h"
#include "test_util.h"

namespace dysta::benchmark {
namespace {

using inference::Tensor;

// H = sum x x^T and G = sum x_d x_p^T of column samples.
void fill_stats(RowProblem& p, const std::vector<std::vector<double>>& xd,
                const std::vector<std::vector<double>>& xp) {
  const auto K = static_cast<std::size_t>(p.cols);
  p.h.assign(1, std::vector<double>(K * K, 0.0));
  p.g.assign(1, std::vector<double>(K * K, 0.0));
  for (std::size_t n = 0; n < xp.size(); ++n) {
    for (std::size_t i = 0; i < K; ++i) {
      for (std::size_t j = 0; j < K; ++j) {
        p.h[0][i * K + j] += xp[n][i] * xp[n][j];
        p.g[0][i * K + j] += xd[n][i] * xp[n][j];
      }
    }
  }
}

double output(const std::vector<double>& w, std::size_t row, std::size_t K,
              const std::vector<double>& x) {
  double s = 0;
  for (std::size_t j = 0; j < K; ++j) s += w[row * K + j] * x[j];
  return s;
}

// Inputs x0, x1 free, x2 = 2 x0 - x1 (a linear combination of the kept channels).
std::vector<std::vector<double>> collinear_samples() {
  std::vector<std::vector<double>> xs;
  for (int n = 0; n < 12; ++n) {
    const double a = std::sin(1.0 + n), b = std::cos(0.3 * n * n);
    xs.push_back({a, b, 2 * a - b});
  }
  return xs;
}

TEST(Reconstruction, DiagonalHessianIsMagnitudeTimesInputScaleWithoutUpdates) {
  // Independent inputs with energies 1, 100, 1: OBS scores w^2 H_jj = 1, 25, 4 -> at 1/3 the
  // first weight goes, the others stay exactly (U of a diagonal H^-1 has no off-diagonal).
  const Tensor k({3, 1}, {1.0f, 0.5f, 2.0f});
  RowProblem p = kernel_problem(k, false, PrunePattern::unstructured, 128);
  p.h = {{1, 0, 0, 0, 100, 0, 0, 0, 1}};
  ReconstructionOptions o;
  o.damping = 1e-12;
  const auto w = reconstruct(p, 1.0 / 3.0, o);
  EXPECT_EQ(w[0], 0.0);
  EXPECT_NEAR(w[1], 0.5, 1e-9);
  EXPECT_NEAR(w[2], 2.0, 1e-9);
  // Magnitude pruning would have removed the 0.5 instead.
  EXPECT_EQ(prune_kernel(k, false, PrunePattern::unstructured, 1.0 / 3.0)[1], 0.0f);
}

TEST(Reconstruction, PrunedChannelThatIsALinearCombinationIsRecoveredExactly) {
  // Dense layer [in 3, out 2]; the weight on x2 is the smallest by the OBS score because x2 is
  // redundant, and removing any one weight of a row is exactly compensable: x2 = 2 x0 - x1.
  const Tensor k({3, 2}, {1.0f, -0.5f, 0.7f, 0.2f, 0.3f, 1.5f});
  RowProblem p = kernel_problem(k, false, PrunePattern::unstructured, 128);
  const auto xs = collinear_samples();
  fill_stats(p, xs, xs);
  ReconstructionOptions o;
  o.damping = 1e-10;
  const auto w = reconstruct(p, 1.0 / 3.0, o);  // 2 of the 6 weights
  int zeros = 0;
  for (const double v : w) zeros += v == 0.0 ? 1 : 0;
  EXPECT_EQ(zeros, 2);
  for (const auto& x : xs) {
    for (std::size_t r = 0; r < 2; ++r) {
      EXPECT_NEAR(output(w, r, 3, x), output(p.w, r, 3, x), 1e-5);
    }
  }
  // Magnitude pruning of the same weights changes the output.
  const auto mag = prune_kernel(k, false, PrunePattern::unstructured, 1.0 / 3.0);
  double change = 0;
  for (const auto& x : xs) {
    const double y = mag[0] * x[0] + mag[2] * x[1] + mag[4] * x[2];
    change = std::max(change, std::fabs(y - output(p.w, 0, 3, x)));
  }
  EXPECT_GT(change, 0.1);
}

TEST(Reconstruction, Block4RecoversAChannelBlockThatCopiesTheOther) {
  // Dense [in 8, out 1]; channels 4..7 equal 0.5 x channels 0..3, so either block is exactly
  // replaceable by the other: pruning 1 of the 2 blocks keeps the output.
  std::vector<float> kv = {0.3f, -0.2f, 0.9f, 0.4f, 1.1f, 0.6f, -0.8f, 0.5f};
  const Tensor k({8, 1}, kv);
  RowProblem p = kernel_problem(k, false, PrunePattern::block4, 128);
  ASSERT_EQ(p.units.size(), 2u);
  std::vector<std::vector<double>> xs;
  for (int n = 0; n < 16; ++n) {
    std::vector<double> x(8);
    for (int c = 0; c < 4; ++c)
      x[static_cast<std::size_t>(c)] = std::sin(0.7 * n + 1.3 * c + 0.1 * n * c);
    for (int c = 0; c < 4; ++c)
      x[static_cast<std::size_t>(c + 4)] = 0.5 * x[static_cast<std::size_t>(c)];
    xs.push_back(x);
  }
  fill_stats(p, xs, xs);
  ReconstructionOptions o;
  o.damping = 1e-10;
  const auto w = reconstruct(p, 0.5, o);
  const bool first = w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0;
  const bool second = w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0;
  EXPECT_TRUE(first != second);
  for (const auto& x : xs) EXPECT_NEAR(output(w, 0, 8, x), output(p.w, 0, 8, x), 1e-5);
}

TEST(Reconstruction, DriftCorrectionMovesTheWeightOfALostInputOntoItsSources) {
  // The dense network saw x2 = x0 + x1; the pruned prefix delivers x2 = 0. Without pruning
  // (sparsity 0), the correction gives w0 + w2, w1 + w2 on the kept inputs: the same output.
  const Tensor k({3, 1}, {1.0f, 2.0f, 3.0f});
  RowProblem p = kernel_problem(k, false, PrunePattern::unstructured, 128);
  std::vector<std::vector<double>> xd, xp;
  for (int n = 0; n < 10; ++n) {
    const double a = std::cos(0.9 * n), b = std::sin(1.7 * n + 0.2);
    xd.push_back({a, b, a + b});
    xp.push_back({a, b, 0.0});
  }
  fill_stats(p, xd, xp);
  ReconstructionOptions o;
  o.damping = 1e-10;
  const auto w = reconstruct(p, 0.0, o);
  EXPECT_NEAR(w[0], 4.0, 1e-6);
  EXPECT_NEAR(w[1], 5.0, 1e-6);
  EXPECT_NEAR(w[2], 3.0, 1e-6);  // x2 is never seen: the ridge keeps the dense weight
}

TEST(Reconstruction, FilterRemovesTheRowsWithTheLeastOutputEnergy) {
  // Dense [in 2, out 3] on inputs with energies 1 and 100: rows' energies w H w^T are
  // 1 + 0 = 1, 0.01 + 100 = ~100, 4 + 1 = 5 (H diagonal) -> at 1/3, row 0 goes although
  // row 1 has the smallest mean |w|.
  const Tensor k({2, 3}, {1.0f, 0.1f, 2.0f, 0.0f, 1.0f, 0.1f});
  RowProblem p = kernel_problem(k, false, PrunePattern::filter, 128);
  p.h = {{1, 0, 0, 100}};
  ReconstructionOptions o;
  o.damping = 1e-12;
  const auto w = reconstruct(p, 1.0 / 3.0, o);
  const auto v = kernel_values(k, false, w);
  EXPECT_EQ(v, (std::vector<float>{0.0f, 0.1f, 2.0f, 0.0f, 1.0f, 0.1f}));
}

TEST(Reconstruction, KernelLayoutsRoundTrip) {
  const Tensor conv({1, 2, 3, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  const RowProblem pc = kernel_problem(conv, false, PrunePattern::block4, 128);
  EXPECT_EQ(pc.rows, 2);
  EXPECT_EQ(pc.cols, 6);
  EXPECT_EQ(pc.units.size(), 4u);  // 2 taps x 1 block (3 channels) x 2 outputs
  EXPECT_EQ(kernel_values(conv, false, pc.w), conv.data);
  const RowProblem pd = kernel_problem(conv, true, PrunePattern::unstructured, 128);
  EXPECT_EQ(pd.rows, 6);  // 3 channels x multiplier 2
  EXPECT_EQ(pd.cols, 2);
  EXPECT_EQ(pd.h.size(), 3u);
  EXPECT_EQ(kernel_values(conv, true, pd.w), conv.data);
}

TEST(Reconstruction, ConvPatchesMatchTheConvolution) {
  // A 3x3 "same" conv with stride 2: the row-form weights times each patch equal the conv's
  // output, so H and G built from patches describe exactly what the layer computes.
  Tensor x({1, 5, 5, 2});
  for (std::size_t i = 0; i < x.data.size(); ++i)
    x.data[i] = std::sin(0.37f * static_cast<float>(i));
  auto k = std::make_shared<Tensor>(Tensor({3, 3, 2, 1}));
  for (std::size_t i = 0; i < k->data.size(); ++i)
    k->data[i] = std::cos(0.5f * static_cast<float>(i));
  inference::Layer l;
  l.name = "c";
  l.kind = inference::LayerKind::kConv;
  l.weights = k;
  inference::ConvGeometry g;
  g.stride_h = g.stride_w = 2;
  g.same = true;
  l.conv = g;
  inference::Conv2DParams cp;
  cp.stride_h = cp.stride_w = 2;
  cp.pad = inference::same_padding(5, 5, 3, 3, 2, 2);
  const Tensor y = inference::conv2d(x, *k, nullptr, cp);
  ASSERT_EQ(y.dim(1), 3);
  RowProblem p = kernel_problem(*k, false, PrunePattern::unstructured, 128);
  ReconstructionOptions o;
  o.max_positions = 9;
  accumulate_patches(l, x, x, 3, 3, o, p);
  // sum over positions of y^2 = w H w^T.
  double energy = 0, whw = 0;
  for (const float v : y.data) energy += static_cast<double>(v) * v;
  for (std::int64_t i = 0; i < p.cols; ++i) {
    for (std::int64_t j = 0; j < p.cols; ++j) {
      whw += p.w[static_cast<std::size_t>(i)] * p.h[0][static_cast<std::size_t>(i * p.cols + j)] *
             p.w[static_cast<std::size_t>(j)];
    }
  }
  EXPECT_NEAR(whw, energy, 1e-4 * energy);
}

}  // namespace
}  // namespace dysta::benchmark
