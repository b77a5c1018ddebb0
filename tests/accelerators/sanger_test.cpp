// Sanger attention-layer latency model (spec F.1).
#include "dysta/accelerators/sanger.h"

#include <gtest/gtest.h>

namespace dysta {
namespace {

double latency_ms(double s, double b, int seq_len) {
  SangerConfig c;
  c.seq_len = seq_len;
  return sanger_layer_latency_s(s, b, c) * 1e3;
}

// Spec F.1 test vectors, in milliseconds, to 1e-6 ms.
TEST(Sanger, SpecTestVectors) {
  EXPECT_NEAR(latency_ms(0.1, 1.0, 512), 0.942408, 1e-6);
  EXPECT_NEAR(latency_ms(0.2, 0.8, 512), 1.048576, 1e-6);
  EXPECT_NEAR(latency_ms(0.1, 1.0, 128), 0.230072, 1e-6);
  EXPECT_NEAR(latency_ms(0.3, 0.9, 384), 0.804864, 1e-6);
  EXPECT_NEAR(latency_ms(1.0, 1.0, 512), 1.933312, 1e-6);
}

// Components of the first vector (F.1): linear 0.884736 ms, attention 0.028180 ms, projection
// 0.029491 ms; they sum to 0.94240768 ms (= 1728 L + 576 L r + r L^2 (896 + 4 r L) / 1024 ns).
TEST(Sanger, FirstVectorExactNanoseconds) {
  EXPECT_NEAR(latency_ms(0.1, 1.0, 512) * 1e6, 942407.68, 1e-6);
}

// Closed form with r = s / b, in ns: T = 1728 L + 576 L r + r L^2 (896 + 4 r L) / 1024.
TEST(Sanger, MatchesClosedForm) {
  const double densities[] = {0.05, 0.13, 0.5, 0.77, 1.0};
  const double balances[] = {0.5, 0.65, 0.9, 1.0};
  const int lengths[] = {64, 128, 384, 512, 1024};
  for (double s : densities) {
    for (double b : balances) {
      for (int len : lengths) {
        const double r = s / b;
        const double L = len;
        const double ns = 1728 * L + 576 * L * r + r * L * L * (896 + 4 * r * L) / 1024;
        EXPECT_NEAR(latency_ms(s, b, len) * 1e6, ns, ns * 1e-12) << s << " " << b << " " << len;
      }
    }
  }
}

// Only the ratio s / b matters: (0.2, 0.8) and (0.25, 1.0) give the same latency.
TEST(Sanger, OnlyTheRatioMatters) {
  EXPECT_NEAR(latency_ms(0.2, 0.8, 512), latency_ms(0.25, 1.0, 512), 1e-12);
  EXPECT_LT(latency_ms(0.2, 1.0, 512), latency_ms(0.2, 0.5, 512));
}

// Defaults are the reference's constants (spec F.1, M); L = 512 is used for every file (Q14).
TEST(Sanger, DefaultConfig) {
  const SangerConfig c;
  EXPECT_EQ(c.pe_rows, 64);
  EXPECT_EQ(c.pe_cols, 64);
  EXPECT_EQ(c.pes_per_row, 16);
  EXPECT_EQ(c.hidden, 768);
  EXPECT_EQ(c.seq_len, 512);
  EXPECT_EQ(c.clock_hz, 1e9);
  EXPECT_EQ(c.bandwidth_gb_s, 128);
}

}  // namespace
}  // namespace dysta
