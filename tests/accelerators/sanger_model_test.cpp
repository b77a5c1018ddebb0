// Sanger latency with its parts, reference vs corrected semantics (Q14, Q15), and the Sanger
// AcceleratorModel.
#include <gtest/gtest.h>

#include <cmath>

#include "dysta/accelerators/model.h"
#include "dysta/accelerators/sanger.h"
#include "dysta/error.h"

namespace dysta {
namespace {

double ms(double s) {
  return s * 1e3;
}

// Spec F.1 vectors: (s, b, L) -> ms. Corrected semantics takes L from the layer; reference from
// the config (the artifact's fixed 512 unless configured).
TEST(SangerLatency, SpecVectorsInBothSemantics) {
  struct V {
    double s, b;
    int L;
    double ms;
  };
  const V vectors[] = {{0.1, 1.0, 512, 0.942408},
                       {0.2, 0.8, 512, 1.048576},
                       {0.1, 1.0, 128, 0.230072},
                       {0.3, 0.9, 384, 0.804864},
                       {1.0, 1.0, 512, 1.933312}};
  for (const auto& v : vectors) {
    SangerConfig c;
    EXPECT_NEAR(ms(sanger_latency(v.s, v.b, v.L, c, Semantics::corrected).total_s), v.ms, 1e-6);
    c.seq_len = v.L;
    EXPECT_NEAR(ms(sanger_latency(v.s, v.b, 0, c, Semantics::reference).total_s), v.ms, 1e-6);
  }
}

TEST(SangerLatency, FirstVectorParts) {
  const SangerLatency r = sanger_latency(0.1, 1.0, 512, SangerConfig{}, Semantics::corrected);
  EXPECT_NEAR(ms(r.linear_s), 0.884736, 1e-6);
  EXPECT_NEAR(ms(r.attention_s), 0.028180, 1e-6);
  EXPECT_NEAR(ms(r.projection_s), 0.029491, 1e-6);
  EXPECT_NEAR(r.subrows, 4 * 512 * 0.1, 1e-9);
  EXPECT_EQ(r.bandwidth_factor, 1.0);
  EXPECT_EQ(r.seq_len, 512);
  EXPECT_NEAR(r.attention_cycles, r.attention_s * 1e9, 1e-6);
}

// The golden Sanger profiles depend on sanger_layer_latency_s; the reference path must equal it
// bit for bit.
TEST(SangerLatency, ReferenceTotalIsBitIdenticalToTheArtifactFormula) {
  SangerConfig c;
  for (double s = 0.01; s <= 1.0; s += 0.037) {
    for (double b = 0.05; b <= 1.0; b += 0.053) {
      EXPECT_EQ(sanger_latency(s, b, 128, c, Semantics::reference).total_s,
                sanger_layer_latency_s(s, b, c));
    }
  }
}

// Q14: the reference keeps L = 512 whatever the layer's length.
TEST(SangerLatency, ReferenceIgnoresTheLayerSequenceLength) {
  const SangerConfig c;
  const auto ref = sanger_latency(0.1, 1.0, 128, c, Semantics::reference);
  const auto cor = sanger_latency(0.1, 1.0, 128, c, Semantics::corrected);
  EXPECT_EQ(ref.seq_len, 512);
  EXPECT_EQ(cor.seq_len, 128);
  EXPECT_NEAR(ms(ref.total_s), 0.942408, 1e-6);
  EXPECT_NEAR(ms(cor.total_s), 0.230072, 1e-6);
}

// Q15: at the artifact's constants the factor is 1 in both semantics; when the constants make the
// required bandwidth exceed the available one it slows attention down in both.
TEST(SangerLatency, BandwidthFactor) {
  SangerConfig c;
  EXPECT_EQ(sanger_latency(0.2, 0.9, 512, c, Semantics::reference).bandwidth_factor, 1.0);
  EXPECT_EQ(sanger_latency(0.2, 0.9, 512, c, Semantics::corrected).bandwidth_factor, 1.0);
  c.bandwidth_gb_s = 64;
  for (const auto sem : {Semantics::reference, Semantics::corrected}) {
    const auto slow = sanger_latency(0.2, 0.9, 512, c, sem);
    const auto fast = sanger_latency(0.2, 0.9, 512, SangerConfig{}, sem);
    EXPECT_EQ(slow.bandwidth_factor, 2.0);
    EXPECT_NEAR(slow.attention_cycles, 2 * fast.attention_cycles, 1e-6);
    EXPECT_EQ(slow.linear_s, fast.linear_s);
  }
  c.bandwidth_gb_s = 1000;
  EXPECT_EQ(sanger_latency(0.2, 0.9, 512, c, Semantics::corrected).bandwidth_factor, 1.0);
}

TEST(SangerLatency, GrowsMonotonicallyWithDensityAndShrinksWithLoadBalance) {
  const SangerConfig c;
  for (const auto sem : {Semantics::reference, Semantics::corrected}) {
    double previous = 0;
    for (int i = 1; i <= 100; ++i) {
      const double t = sanger_latency(i / 100.0, 0.8, 384, c, sem).total_s;
      EXPECT_GT(t, previous);
      previous = t;
    }
    previous = 1e9;
    for (int i = 1; i <= 100; ++i) {
      const double t = sanger_latency(0.3, i / 100.0, 384, c, sem).total_s;
      EXPECT_LT(t, previous);
      previous = t;
    }
  }
}

std::string error_of(double s, double b, std::int64_t L, Semantics sem) {
  try {
    sanger_latency(s, b, L, SangerConfig{}, sem, "enc3");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SangerLatency, RejectsOutOfRangeInputs) {
  EXPECT_NE(error_of(0.0, 0.5, 128, Semantics::corrected).find("enc3.density"), std::string::npos);
  EXPECT_NE(error_of(1.5, 0.5, 128, Semantics::corrected).find("enc3.density"), std::string::npos);
  EXPECT_NE(error_of(std::nan(""), 0.5, 128, Semantics::corrected).find("enc3.density"),
            std::string::npos);
  EXPECT_NE(error_of(0.5, 0.0, 128, Semantics::corrected).find("enc3.load_balance"),
            std::string::npos);
  EXPECT_NE(error_of(0.5, -0.2, 128, Semantics::corrected).find("enc3.load_balance"),
            std::string::npos);
  EXPECT_NE(error_of(0.5, 0.5, 0, Semantics::corrected).find("enc3.seq_len"), std::string::npos);
  EXPECT_EQ(error_of(0.5, 0.5, 0, Semantics::reference), "");  // L comes from the config
}

LayerInput attention_layer(double s, double b, std::int64_t L) {
  LayerInput in;
  in.name = "attn0";
  in.type = LayerType::attention;
  in.attention.density = s;
  in.attention.load_balance = b;
  in.attention.seq_len = L;
  return in;
}

TEST(SangerLatency, AcceleratorModelMatchesTheFormulaWithBreakdown) {
  const auto model = make_accelerator("sanger", {}, Semantics::reference);
  EXPECT_EQ(model->name(), "sanger");
  EXPECT_TRUE(model->supports(LayerType::attention));
  EXPECT_FALSE(model->supports(LayerType::conv));
  const LayerLatency r = model->latency(attention_layer(0.2, 0.8, 128));
  EXPECT_EQ(r.seconds, sanger_layer_latency_s(0.2, 0.8, SangerConfig{}));
  double sum = 0;
  for (const auto& t : r.breakdown) sum += t.cycles;
  EXPECT_NEAR(sum, r.cycles, 1e-6 * r.cycles);
  ASSERT_EQ(r.breakdown.size(), 3u);
  EXPECT_EQ(r.breakdown[1].name, "attention");

  const auto corrected = make_accelerator("sanger", {{"hidden", 512}}, Semantics::corrected);
  SangerConfig c;
  c.hidden = 512;
  EXPECT_EQ(corrected->latency(attention_layer(0.2, 0.8, 128)).seconds,
            sanger_latency(0.2, 0.8, 128, c, Semantics::corrected).total_s);

  LayerInput conv = attention_layer(0.2, 0.8, 128);
  conv.type = LayerType::conv;
  EXPECT_THROW(model->latency(conv), InputError);
  EXPECT_THROW(make_accelerator("sanger", {{"pe_rows", 0}}, Semantics::corrected), InputError);
  EXPECT_THROW(make_accelerator("sanger", {{"no_such", 1}}, Semantics::corrected), InputError);
}

}  // namespace
}  // namespace dysta
