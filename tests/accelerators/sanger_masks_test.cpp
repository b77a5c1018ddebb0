// Sanger attention-mask statistics (spec F.2): density over valid positions and load balance of
// 64-wide vectors over 32 or 16 PEs, with and without skipping empty vectors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "dysta/accelerators/sanger.h"
#include "dysta/error.h"
#include "dysta/py_random.h"

namespace dysta {
namespace {

// An (L, L) mask whose row i has the first ones[i] entries set.
BitMask rows_mask(std::int64_t L, const std::vector<std::int64_t>& ones) {
  BitMask m({L, L});
  for (std::size_t i = 0; i < ones.size(); ++i) {
    for (std::int64_t j = 0; j < ones[i]; ++j)
      m.set(i * static_cast<std::uint64_t>(L) + static_cast<std::uint64_t>(j));
  }
  return m;
}

// Rows with 64, 33 and 1 kept entries, the other 61 rows empty (64 vectors, 61 of them empty).
// P = 32: splits 2 + 2 + 1 = 5, sum(nnz / 32) = 98 / 32. P = 16: splits 4 + 3 + 1 = 8.
TEST(SangerMaskStats, HandComputedCorrected) {
  const BitMask m = rows_mask(64, {64, 33, 1});
  const SangerMaskStats st = sanger_mask_stats(m, {}, Semantics::corrected);
  EXPECT_EQ(st.seq_len, 64);
  EXPECT_EQ(st.kept, 98u);
  EXPECT_EQ(st.vectors, 64u);
  EXPECT_EQ(st.empty_vectors, 61u);
  EXPECT_DOUBLE_EQ(st.density, 98.0 / 4096.0);
  EXPECT_DOUBLE_EQ(st.lb_50_skip, 98.0 / 32.0 / 5.0);
  EXPECT_DOUBLE_EQ(st.lb_25_skip, 98.0 / 16.0 / 8.0);
  EXPECT_DOUBLE_EQ(st.lb_50_no_skip, 98.0 / 32.0 / (5.0 + 61.0));
  EXPECT_DOUBLE_EQ(st.lb_25_no_skip, 98.0 / 16.0 / (8.0 + 61.0));
}

// Reference: upstream's logger adds the count of non-empty vectors (3) in no-skip mode and
// prints six decimals.
TEST(SangerMaskStats, HandComputedReferenceReproducesTheLogger) {
  const BitMask m = rows_mask(64, {64, 33, 1});
  const SangerMaskStats st = sanger_mask_stats(m, {}, Semantics::reference);
  EXPECT_EQ(st.density, 0.023926);  // 0.02392578125 printed with %.6f
  EXPECT_EQ(st.lb_50_skip, 0.6125);
  EXPECT_EQ(st.lb_25_skip, 0.765625);
  EXPECT_EQ(st.lb_50_no_skip, 0.382812);  // 3.0625 / 8 = 0.3828125 -> round-half-even
  EXPECT_EQ(st.lb_25_no_skip, 0.556818);  // 6.125 / 11
}

TEST(SangerMaskStats, PaddingPositionsAreExcluded) {
  // L = 128 with 80 valid tokens: rows 80.. are padding queries; columns 80.. padding keys.
  BitMask m({1, 2, 128, 128});
  for (std::uint64_t i = 0; i < m.size(); ++i) m.set(i);  // everything kept, padding included
  SangerMaskOptions opts;
  opts.valid_len = {80};
  const auto cor = sanger_mask_stats(m, opts, Semantics::corrected);
  EXPECT_DOUBLE_EQ(cor.density, 1.0);
  EXPECT_EQ(cor.vectors, 2u * 80u * 2u);  // 2 heads x 80 rows x 2 vectors (cols 0-63, 64-127)
  EXPECT_EQ(cor.empty_vectors, 0u);
  // Corrected counts only the 16 valid columns of the second vector: 64/32=2 splits + 16/32 -> 1.
  EXPECT_DOUBLE_EQ(cor.lb_50_skip, (80.0 / 32.0) / 3.0);
  // Reference counts the whole second vector (the logger sums the raw mask).
  const auto ref = sanger_mask_stats(m, opts, Semantics::reference);
  EXPECT_DOUBLE_EQ(ref.density, 1.0);
  EXPECT_DOUBLE_EQ(ref.lb_50_skip, 1.0);
}

TEST(SangerMaskStats, DensityIsAveragedOverTheBatch) {
  BitMask m({2, 1, 64, 64});
  // Element 0: all valid, 1024 kept -> 0.25. Element 1: 32 valid tokens, 512 kept of 1024 -> 0.5.
  for (std::uint64_t i = 0; i < 1024; ++i) m.set(i);
  for (std::uint64_t r = 0; r < 16; ++r) {
    for (std::uint64_t c = 0; c < 32; ++c) m.set(4096 + r * 64 + c);
  }
  SangerMaskOptions opts;
  opts.valid_len = {64, 32};
  const auto st = sanger_mask_stats(m, opts, Semantics::corrected);
  EXPECT_DOUBLE_EQ(st.density, (0.25 + 0.5) / 2);
}

TEST(SangerMaskStats, ThresholdOnProbabilitiesIsStrict) {
  std::vector<double> p(64 * 64, 0.001);
  p[0] = 0.02;
  p[1] = 0.01;  // not kept: p > threshold is strict
  p[70] = 0.5;
  const BitMask m = sanger_threshold_mask(p, {64, 64}, 0.01);
  EXPECT_EQ(m.count(), 2u);
  EXPECT_TRUE(m.test(0));
  EXPECT_FALSE(m.test(1));
  EXPECT_THROW(sanger_threshold_mask(p, {64, 63}, 0.01), InputError);
}

TEST(SangerMaskStats, PartialVectorsOnlyInCorrectedSemantics) {
  PyRandom rng(8);
  BitMask m({3, 100, 100});
  for (std::uint64_t i = 0; i < m.size(); ++i) {
    if (rng.random() < 0.2) m.set(i);
  }
  EXPECT_THROW(sanger_mask_stats(m, {}, Semantics::reference), InputError);
  const auto st = sanger_mask_stats(m, {}, Semantics::corrected);
  EXPECT_EQ(st.vectors, 3u * 100u * 2u);
  EXPECT_NEAR(st.density, 0.2, 0.01);
}

TEST(SangerMaskStats, RandomMasksGiveValidStatistics) {
  PyRandom rng(3);
  for (int t = 0; t < 20; ++t) {
    const double p = 0.02 + 0.9 * rng.random();
    BitMask m({2, 128, 128});
    for (std::uint64_t i = 0; i < m.size(); ++i) {
      if (rng.random() < p) m.set(i);
    }
    for (const auto sem : {Semantics::reference, Semantics::corrected}) {
      const auto st = sanger_mask_stats(m, {}, sem);
      EXPECT_NEAR(st.density, p, 0.02);
      for (const double lb : {st.lb_50_skip, st.lb_25_skip, st.lb_50_no_skip, st.lb_25_no_skip}) {
        EXPECT_GT(lb, 0.0);
        EXPECT_LE(lb, 1.0);
      }
      EXPECT_GE(st.lb_50_skip, st.lb_50_no_skip);
      EXPECT_GE(st.lb_25_skip, st.lb_25_no_skip);
      EXPECT_GE(st.lb_25_skip + 1e-6, st.lb_50_skip);  // finer split, better utilisation
    }
  }
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SangerMaskStats, BadInputNamesTheLayer) {
  const auto stats = [](const BitMask& m, std::vector<std::int64_t> valid = {}) {
    return error_of([&] {
      SangerMaskOptions o;
      o.valid_len = std::move(valid);
      sanger_mask_stats(m, o, Semantics::corrected, "enc2");
    });
  };
  EXPECT_NE(stats(BitMask({64, 64})).find("enc2.mask: no kept entry"), std::string::npos);
  EXPECT_NE(stats(BitMask::ones({64, 32})).find("enc2.mask"), std::string::npos);
  EXPECT_NE(stats(BitMask::ones({64})).find("enc2.mask"), std::string::npos);
  EXPECT_NE(stats(BitMask::ones({0, 64, 64})).find("enc2.mask"), std::string::npos);
  EXPECT_NE(stats(BitMask::ones({64, 64}), {65}).find("enc2.valid_len"), std::string::npos);
  EXPECT_NE(stats(BitMask::ones({64, 64}), {0}).find("enc2.valid_len"), std::string::npos);
  EXPECT_NE(stats(BitMask::ones({3, 1, 64, 64}), {10, 20}).find("enc2.valid_len"),
            std::string::npos);
  EXPECT_EQ(stats(BitMask::ones({3, 1, 64, 64}), {10, 20, 30}), "");
}

}  // namespace
}  // namespace dysta
