// GemmPool (ops.h): a layer's GEMMs cut into fixed row blocks give the same bits for any number
// of threads, and the pool runs every item exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "dysta/inference/ops.h"
#include "dysta/py_random.h"

namespace dysta::inference {
namespace {

Tensor noise(Shape shape, PyRandom& rng) {
  Tensor t(std::move(shape));
  for (float& x : t.data) x = static_cast<float>(2 * rng.random() - 1);
  return t;
}

// Every GEMM-backed operator, on shapes cut into several blocks (the last one shorter).
std::vector<Tensor> run_ops(std::size_t threads) {
  PyRandom rng(7);
  const Tensor x = noise({1, 23, 19, 24}, rng);
  const Tensor k3 = noise({3, 3, 24, 40}, rng), k1 = noise({1, 1, 24, 17}, rng);
  const Tensor kg = noise({3, 3, 12, 8}, rng), bias = noise({40}, rng);
  const Tensor xn = noise({1, 24, 21, 18}, rng), kn = noise({80, 24, 3, 3}, rng);
  const Tensor a = noise({70, 96}, rng), w = noise({96, 50}, rng);
  const Tensor qa = noise({3, 100, 16}, rng), qb = noise({3, 16, 45}, rng);
  GemmPool pool(threads);
  const ScopedGemmPool scope(pool);
  Conv2DParams strided;
  strided.stride_h = strided.stride_w = 2;
  strided.pad = same_padding(23, 19, 3, 3, 2, 2);
  Conv2DParams grouped;
  grouped.groups = 2;
  return {conv2d(x, k3, &bias, {}),
          conv2d(x, k3, nullptr, strided),
          conv2d(x, k1, nullptr, {}),
          conv2d(x, kg, nullptr, grouped),
          conv2d_nchw(xn, kn, nullptr, {}),
          dense(a, w, nullptr),
          matmul(qa, qb)};
}

TEST(GemmPool, ResultsDoNotDependOnTheThreadCount) {
  const std::vector<Tensor> one = run_ops(1);
  for (std::size_t threads : {2u, 3u, 5u}) {
    const std::vector<Tensor> many = run_ops(threads);
    ASSERT_EQ(many.size(), one.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
      EXPECT_EQ(many[i].shape, one[i].shape) << threads << " threads, op " << i;
      EXPECT_EQ(many[i].data, one[i].data) << threads << " threads, op " << i;  // every bit
    }
  }
  // Same values as without a pool up to rounding (the blocks are the same products).
  PyRandom rng(3);
  const Tensor a = noise({100, 64}, rng), w = noise({64, 30}, rng);
  const Tensor plain = dense(a, w, nullptr);
  GemmPool pool(3);
  const ScopedGemmPool scope(pool);
  const Tensor blocked = dense(a, w, nullptr);
  ASSERT_EQ(plain.data.size(), blocked.data.size());
  for (std::size_t i = 0; i < plain.data.size(); ++i) {
    EXPECT_NEAR(plain.data[i], blocked.data[i], 1e-4f) << i;
  }
}

// Blocks of at least 64 rows, at most 16 of them, covering every row.
TEST(GemmPool, RowBlocks) {
  EXPECT_EQ(gemm_row_blocks(1), 1);
  EXPECT_EQ(gemm_row_blocks(64), 1);
  EXPECT_EQ(gemm_row_blocks(65), 2);
  EXPECT_EQ(gemm_row_blocks(437), 7);  // 7 x 63 rows, the last 59
  EXPECT_EQ(gemm_row_blocks(22201), 16);
  for (std::int64_t m : {1, 63, 64, 65, 129, 437, 1024, 1025, 22201}) {
    const std::int64_t blocks = gemm_row_blocks(m), rows = (m + blocks - 1) / blocks;
    EXPECT_GE(rows * blocks, m) << m;
    EXPECT_LT(rows * (blocks - 1), m) << m;  // no empty block
  }
}

TEST(GemmPool, RunsEveryItemOnce) {
  GemmPool pool(4);
  EXPECT_EQ(pool.threads(), 4u);
  for (std::size_t count : {0u, 1u, 2u, 7u, 300u}) {
    for (int repeat = 0; repeat < 50; ++repeat) {
      std::vector<std::atomic<int>> hits(count);
      pool.run(count, [&](std::size_t i) { hits[i].fetch_add(1); });
      for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(hits[i].load(), 1) << count << " " << i;
    }
  }
  EXPECT_THROW(GemmPool(0), std::invalid_argument);
}

}  // namespace
}  // namespace dysta::inference
