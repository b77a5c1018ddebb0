// Eyeriss-V2 cycle model (spec F.3): the six test vectors, a naive re-statement of the artifact's
// tensor procedure checked against the bitset implementation on pseudo-random masks, the corrected
// variant against a direct definition, properties, and bad input.
#include "dysta/accelerators/eyeriss_v2.h"

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <optional>

#include "dysta/accelerators/masks.h"
#include "dysta/error.h"
#include "dysta/py_random.h"

namespace dysta {
namespace {

using i64 = std::int64_t;

LayerShape conv(i64 C, i64 H, i64 W, i64 M, i64 R, i64 S, i64 groups = 1) {
  LayerShape s;
  s.type = LayerType::conv;
  s.in_channels = C;
  s.in_height = H;
  s.in_width = W;
  s.out_channels = M;
  s.kernel_h = R;
  s.kernel_w = S;
  s.groups = groups;
  return s;
}

LayerShape fc(i64 C, i64 M) {
  LayerShape s;
  s.type = LayerType::fc;
  s.in_channels = C;
  s.out_channels = M;
  return s;
}

BitMask make_mask(const std::vector<i64>& shape, const std::function<bool(std::uint64_t)>& on) {
  BitMask m(shape);
  for (std::uint64_t i = 0; i < m.size(); ++i) {
    if (on(i)) m.set(i);
  }
  return m;
}

// Spec F.3 test-vector masks.
BitMask vector_activation(i64 C, i64 H, i64 W) {
  return make_mask({1, C, H, W}, [&](std::uint64_t i) {
    const i64 w = static_cast<i64>(i) % W, h = static_cast<i64>(i) / W % H,
              c = static_cast<i64>(i) / (W * H);
    return (7 * c + 3 * h + 5 * w) % 4 != 0;
  });
}
BitMask vector_weights(i64 M, i64 Cg, i64 R, i64 S) {
  return make_mask({M, Cg, R, S}, [&](std::uint64_t i) {
    const i64 s = static_cast<i64>(i) % S, r = static_cast<i64>(i) / S % R;
    const i64 c = static_cast<i64>(i) / (S * R) % Cg, m = static_cast<i64>(i) / (S * R * Cg);
    return (m + c + r + s) % 3 != 0;
  });
}

struct Vector {
  const char* name;
  LayerShape shape;
  std::uint64_t V;
  std::array<i64, 12> mapping;  // C0,C1,C2,F0,F1,F2,M0,M1,M2,S1,S2,E
  std::uint64_t cycles;
};

std::array<i64, 12> mapping_array(const EyerissV2Mapping& m) {
  return {m.C0, m.C1, m.C2, m.F0, m.F1, m.F2, m.M0, m.M1, m.M2, m.S1, m.S2, m.E};
}

TEST(EyerissV2, SpecTestVectors) {
  const Vector vectors[] = {
      {"3x3 conv", conv(16, 8, 8, 16, 3, 3), 61953, {4, 4, 1, 8, 1, 1, 16, 1, 1, 3, 1, 8}, 1298},
      {"1x1 conv", conv(32, 8, 8, 64, 1, 1), 65520, {16, 2, 1, 8, 1, 1, 32, 2, 1, 1, 1, 8}, 1371},
      {"first layer", conv(3, 10, 10, 8, 3, 3), 9408, {3, 1, 1, 10, 1, 1, 8, 1, 1, 3, 1, 10}, 198},
      {"depthwise", conv(16, 8, 8, 16, 3, 3, 16), 3873, {4, 4, 1, 8, 1, 1, 1, 1, 1, 3, 1, 8}, 88},
      {"3x3 odd width",
       conv(16, 7, 7, 16, 3, 3),
       46208,
       {4, 4, 1, 7, 1, 1, 16, 1, 1, 3, 1, 7},
       969},
  };
  const EyerissV2Config cfg;
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.name);
    const LayerShape& s = v.shape;
    const BitMask act = vector_activation(s.in_channels, s.in_height, s.in_width);
    const BitMask w =
        vector_weights(s.out_channels, s.in_channels / s.groups, s.kernel_h, s.kernel_w);
    const EyerissV2Result r = eyeriss_v2_simulate(s, act, w, cfg, Semantics::reference);
    EXPECT_EQ(r.effectual_macs, v.V);
    EXPECT_EQ(mapping_array(r.mapping), v.mapping);
    EXPECT_EQ(r.cycles, v.cycles);
    EXPECT_DOUBLE_EQ(r.latency_s, static_cast<double>(v.cycles) / 200e6);
  }
}

TEST(EyerissV2, SpecTestVectorFullyConnected) {
  const BitMask act = make_mask({1, 64}, [](std::uint64_t c) { return c % 3 != 0; });
  const BitMask w =
      make_mask({10, 64}, [](std::uint64_t i) { return (i / 64) * (i % 64) % 4 != 0; });
  const EyerissV2Result r =
      eyeriss_v2_simulate(fc(64, 10), act, w, EyerissV2Config{}, Semantics::reference);
  EXPECT_EQ(r.effectual_macs, 202u);
  EXPECT_EQ(mapping_array(r.mapping), (std::array<i64, 12>{16, 4, 1, 1, 1, 1, 10, 1, 1, 1, 1, 1}));
  EXPECT_EQ(r.cycles, 4u);
}

// Spec F.3 hand check of the first vector: A = 768, Nnz = 128.
TEST(EyerissV2, FirstVectorTerms) {
  const LayerShape s = conv(16, 8, 8, 16, 3, 3);
  const auto r = eyeriss_v2_simulate(s, vector_activation(16, 8, 8), vector_weights(16, 16, 3, 3),
                                     EyerissV2Config{}, Semantics::reference);
  EXPECT_EQ(r.address_checks, 768u);
  EXPECT_EQ(r.nonempty_columns, 128u);
  EXPECT_EQ(r.work_cycles, 4u * 61953u + 768u + 6u * 128u);
}

// ---------------------------------------------------------------------------------------------
// Naive re-statements.

struct Dense {
  std::vector<i64> shape;
  std::vector<int> v;
  int at(std::initializer_list<i64> idx) const {
    i64 flat = 0;
    std::size_t k = 0;
    for (const i64 i : idx) flat = flat * shape[k++] + i;
    return v[static_cast<std::size_t>(flat)];
  }
};

// `activation`: drops a leading batch dimension of 1.
Dense dense(const BitMask& m, bool activation = true) {
  std::vector<i64> shape = m.shape();
  if (activation && shape.size() == 4 && shape[0] == 1) shape.erase(shape.begin());
  Dense d{shape, std::vector<int>(m.size())};
  for (std::uint64_t i = 0; i < m.size(); ++i) d.v[i] = m.test(i) ? 1 : 0;
  return d;
}

i64 ceil_div(i64 a, i64 b) {
  return (a + b - 1) / b;
}

// Effectual MACs by direct convolution with the given geometry.
std::uint64_t naive_macs(const LayerShape& s, const Dense& I, const Dense& Wt, i64 Ho, i64 Wo,
                         i64 sh, i64 sw, i64 ph, i64 pw, i64 dh, i64 dw) {
  const i64 Cg = s.in_channels / s.groups, Mg = s.out_channels / s.groups;
  std::uint64_t v = 0;
  for (i64 m = 0; m < s.out_channels; ++m) {
    for (i64 oh = 0; oh < Ho; ++oh) {
      for (i64 ow = 0; ow < Wo; ++ow) {
        for (i64 cc = 0; cc < Cg; ++cc) {
          const i64 c = (m / Mg) * Cg + cc;
          for (i64 r = 0; r < s.kernel_h; ++r) {
            for (i64 q = 0; q < s.kernel_w; ++q) {
              const i64 ih = oh * sh - ph + r * dh, iw = ow * sw - pw + q * dw;
              if (ih < 0 || ih >= s.in_height || iw < 0 || iw >= s.in_width) continue;
              v += static_cast<std::uint64_t>(I.at({c, ih, iw}) * Wt.at({m, cc, r, q}));
            }
          }
        }
      }
    }
  }
  return v;
}

// The artifact's run(): pad, reshape to F rows of `height` values, sum rows, R-step rolls with
// the last F0 entry zeroed, count non-zero. nullopt where the artifact would fail.
std::optional<std::uint64_t> naive_reference_nnz(const LayerShape& s, const Dense& I,
                                                 const EyerissV2Mapping& mp) {
  const i64 C = s.in_channels;
  i64 H = s.in_height, W = s.in_width;
  if (C != mp.C2 * mp.C1 * mp.C0) return std::nullopt;
  const i64 F = mp.F2 * mp.F1 * mp.F0;
  std::vector<int> plane_data;  // (C, H', W')
  i64 Hp = H, Wp = W, height = H;
  if (W != F) {
    Hp = H + (F - W);
    Wp = F;
    height = F;
  }
  plane_data.assign(static_cast<std::size_t>(C * Hp * Wp), 0);
  for (i64 c = 0; c < C; ++c) {
    for (i64 h = 0; h < H; ++h) {
      for (i64 w = 0; w < W; ++w) plane_data[(c * Hp + h) * Wp + w] = I.at({c, h, w});
    }
  }
  if (F * height != Hp * Wp) return std::nullopt;  // torch.reshape would fail
  std::vector<i64> n(static_cast<std::size_t>(C * F), 0);
  for (i64 c = 0; c < C; ++c) {
    for (i64 f = 0; f < F; ++f) {
      for (i64 k = 0; k < height; ++k) n[c * F + f] += plane_data[c * Hp * Wp + f * height + k];
    }
  }
  std::vector<i64> acc = n, shift = n;
  for (i64 step = 0; step < mp.R - 1; ++step) {
    std::vector<i64> next(shift.size());
    for (i64 g = 0; g < C * F; g += mp.F0) {
      for (i64 f0 = 0; f0 < mp.F0; ++f0) next[g + f0] = shift[g + (f0 + 1) % mp.F0];  // roll -1
      next[g + mp.F0 - 1] = 0;
    }
    shift = next;
    for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += shift[i];
  }
  std::uint64_t nnz = 0;
  for (const i64 a : acc) nnz += a > 0 ? 1 : 0;
  return nnz;
}

std::uint64_t expected_cycles(const EyerissV2Mapping& mp, std::uint64_t V, std::uint64_t nnz) {
  const auto A = static_cast<std::uint64_t>(mp.M1 * mp.F1 * mp.C1 * mp.S1 * mp.M2 * mp.F2 * mp.C2 *
                                            mp.S2 * mp.E * mp.F0);
  return (4 * V + A + static_cast<std::uint64_t>(2 * mp.M1 * mp.S1 * mp.M2 * mp.S2) * nnz) / 192;
}

BitMask random_bits(const std::vector<i64>& shape, double p, PyRandom& rng) {
  return make_mask(shape, [&](std::uint64_t) { return rng.random() < p; });
}

TEST(EyerissV2, ReferenceMatchesNaiveArtifactProcedureOnRandomMasks) {
  PyRandom rng(20230);
  int compared = 0, failing = 0;
  for (int t = 0; t < 160; ++t) {
    const i64 channel_choices[] = {1, 2, 3, 4, 6, 8, 16, 24, 32};
    const i64 C = channel_choices[rng.randint(0, 8)];
    const i64 H = rng.randint(1, 14);
    const i64 W = rng.randint(1, 3) == 1 ? H : rng.randint(1, 14);
    const i64 R = rng.randint(1, 4), S = rng.randint(1, 4);
    i64 g = 1;
    if (rng.randint(0, 3) == 0)
      g = C;  // depthwise
    else if (C % 2 == 0 && rng.randint(0, 3) == 0)
      g = 2;
    const i64 M = g * rng.randint(1, 40 / g + 1);
    LayerShape s = conv(C, H, W, M, R, S, g);
    s.pad_h = R - 1;  // a valid real geometry; the reference ignores it
    s.pad_w = S - 1;
    const BitMask act = random_bits({1, C, H, W}, rng.random(), rng);
    const BitMask wt = random_bits({M, C / g, R, S}, rng.random(), rng);
    const EyerissV2Mapping mp = eyeriss_v2_mapping(s, EyerissV2Config{}, Semantics::reference);
    const auto nnz = naive_reference_nnz(s, dense(act), mp);
    SCOPED_TRACE("C=" + std::to_string(C) + " H=" + std::to_string(H) + " W=" + std::to_string(W) +
                 " M=" + std::to_string(M) + " R=" + std::to_string(R) + " S=" + std::to_string(S) +
                 " g=" + std::to_string(g));
    if (!nnz) {
      EXPECT_THROW(eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::reference),
                   InputError);
      ++failing;
      continue;
    }
    const auto V =
        naive_macs(s, dense(act), dense(wt, false), H, W, 1, 1, (R - 1) / 2, (S - 1) / 2, 1, 1);
    const auto r = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::reference);
    EXPECT_EQ(r.effectual_macs, V);
    EXPECT_EQ(r.nonempty_columns, *nnz);
    EXPECT_EQ(r.cycles, expected_cycles(mp, V, *nnz));
    ++compared;
  }
  EXPECT_GT(compared, 100);
  EXPECT_GT(failing, 0);  // the artifact's failure modes are exercised too
}

// Wide square maps, where the artifact zero-pads the width to F2 F1 F0 (spec F.3 step 3).
TEST(EyerissV2, ReferenceMatchesNaiveArtifactProcedureOnPaddedMaps) {
  PyRandom rng(4242);
  const LayerShape shapes[] = {conv(16, 40, 40, 8, 3, 3),      conv(4, 33, 33, 4, 4, 4),
                               conv(8, 56, 56, 4, 1, 1),       conv(32, 28, 28, 4, 3, 3),
                               conv(16, 45, 45, 16, 3, 3, 16), conv(3, 64, 64, 4, 7, 7)};
  for (const auto& s : shapes) {
    const BitMask act = random_bits(s.activation_shape(), 0.3, rng);
    const BitMask wt = random_bits(s.weight_shape(), 0.6, rng);
    const EyerissV2Mapping mp = eyeriss_v2_mapping(s, EyerissV2Config{}, Semantics::reference);
    SCOPED_TRACE("C=" + std::to_string(s.in_channels) + " W=" + std::to_string(s.in_width));
    const auto nnz = naive_reference_nnz(s, dense(act), mp);
    ASSERT_TRUE(nnz.has_value());
    const auto r = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::reference);
    const auto V = naive_macs(s, dense(act), dense(wt, false), s.in_height, s.in_width, 1, 1,
                              (s.kernel_h - 1) / 2, (s.kernel_w - 1) / 2, 1, 1);
    EXPECT_EQ(r.effectual_macs, V);
    EXPECT_EQ(r.nonempty_columns, *nnz);
    EXPECT_EQ(r.cycles, expected_cycles(mp, V, *nnz));
  }
  // At least one of them is padded.
  const auto mp = eyeriss_v2_mapping(shapes[0], EyerissV2Config{}, Semantics::reference);
  EXPECT_NE(mp.F2 * mp.F1 * mp.F0, 40);
}

// Corrected Nnz by definition: (C0-block, output row, read input column) triples whose
// C0 x R window has a non-zero.
std::uint64_t naive_corrected_nnz(const LayerShape& s, const Dense& I, i64 C0) {
  const i64 Ho = s.out_height(), Wo = s.out_width();
  std::vector<bool> used(static_cast<std::size_t>(s.in_width), false);
  for (i64 ow = 0; ow < Wo; ++ow) {
    for (i64 q = 0; q < s.kernel_w; ++q) {
      const i64 iw = ow * s.stride_w - s.pad_w + q * s.dilation_w;
      if (iw >= 0 && iw < s.in_width) used[iw] = true;
    }
  }
  std::uint64_t nnz = 0;
  for (i64 b = 0; b < ceil_div(s.in_channels, C0); ++b) {
    for (i64 oh = 0; oh < Ho; ++oh) {
      for (i64 w = 0; w < s.in_width; ++w) {
        if (!used[w]) continue;
        bool any = false;
        for (i64 c = b * C0; c < std::min(s.in_channels, (b + 1) * C0); ++c) {
          for (i64 r = 0; r < s.kernel_h; ++r) {
            const i64 ih = oh * s.stride_h - s.pad_h + r * s.dilation_h;
            if (ih >= 0 && ih < s.in_height && I.at({c, ih, w})) any = true;
          }
        }
        nnz += any ? 1 : 0;
      }
    }
  }
  return nnz;
}

TEST(EyerissV2, CorrectedMatchesDirectDefinitionWithStridePaddingDilation) {
  PyRandom rng(77);
  for (int t = 0; t < 120; ++t) {
    const i64 C = rng.randint(1, 20), H = rng.randint(3, 30), W = rng.randint(3, 90);
    const i64 R = rng.randint(1, 5), S = rng.randint(1, 5);
    const i64 g = (C % 2 == 0 && rng.randint(0, 2) == 0) ? 2 : 1;
    const i64 M = g * rng.randint(1, 12);
    LayerShape s = conv(C, H, W, M, R, S, g);
    s.stride_h = rng.randint(1, 3);
    s.stride_w = rng.randint(1, 3);
    s.pad_h = rng.randint(0, R / 2 + 1);
    s.pad_w = rng.randint(0, S / 2 + 1);
    s.dilation_h = rng.randint(1, 2);
    s.dilation_w = rng.randint(1, 2);
    if (s.out_height() <= 0 || s.out_width() <= 0) continue;
    const BitMask act = random_bits({C, H, W}, rng.random(), rng);
    const BitMask wt = random_bits({M, C / g, R, S}, rng.random(), rng);
    SCOPED_TRACE(t);
    const auto r = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::corrected);
    const auto V = naive_macs(s, dense(act), dense(wt, false), s.out_height(), s.out_width(),
                              s.stride_h, s.stride_w, s.pad_h, s.pad_w, s.dilation_h, s.dilation_w);
    EXPECT_EQ(r.effectual_macs, V);
    EXPECT_EQ(r.nonempty_columns, naive_corrected_nnz(s, dense(act), r.mapping.C0));
    EXPECT_EQ(r.mapping.E, s.out_height());
    EXPECT_GE(r.mapping.F2 * r.mapping.F1 * r.mapping.F0, s.out_width());
    EXPECT_EQ(r.cycles, expected_cycles(r.mapping, V, r.nonempty_columns));
  }
}

TEST(EyerissV2, StrideOneSamePaddingCountsTheSameMacsInBothSemantics) {
  LayerShape s = conv(16, 8, 8, 16, 3, 3);
  s.pad_h = s.pad_w = 1;
  const auto act = vector_activation(16, 8, 8);
  const auto wt = vector_weights(16, 16, 3, 3);
  const auto ref = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::reference);
  const auto cor = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::corrected);
  EXPECT_EQ(ref.effectual_macs, cor.effectual_macs);
  EXPECT_EQ(mapping_array(ref.mapping), mapping_array(cor.mapping));
}

// Q19: the reference ignores stride 2 and counts about 4x the MACs.
TEST(EyerissV2, ReferenceIgnoresStride) {
  LayerShape s = conv(16, 16, 16, 32, 3, 3);
  s.stride_h = s.stride_w = 2;
  s.pad_h = s.pad_w = 1;
  const BitMask act = BitMask::ones({16, 16, 16});
  const BitMask wt = BitMask::ones({32, 16, 3, 3});
  const auto ref = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::reference);
  const auto cor = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::corrected);
  EXPECT_EQ(cor.effectual_macs, s.dense_macs());
  EXPECT_EQ(s.out_height(), 8);
  EXPECT_NEAR(static_cast<double>(ref.effectual_macs) / static_cast<double>(cor.effectual_macs),
              4.0, 0.3);
  EXPECT_EQ(ref.mapping.E, 16);
  EXPECT_EQ(cor.mapping.E, 8);
}

// ---------------------------------------------------------------------------------------------
// Properties.

TEST(EyerissV2, AllOnesMasksGiveTheDenseMacCount) {
  const LayerShape shapes[] = {conv(32, 8, 8, 64, 1, 1), conv(16, 9, 9, 24, 3, 3),
                               conv(16, 8, 8, 16, 3, 3, 16), conv(3, 10, 10, 8, 3, 3)};
  for (const auto& base : shapes) {
    LayerShape s = base;
    s.pad_h = (s.kernel_h - 1) / 2;
    s.pad_w = (s.kernel_w - 1) / 2;
    const BitMask act = BitMask::ones(s.activation_shape());
    const BitMask wt = BitMask::ones(s.weight_shape());
    for (const auto sem : {Semantics::reference, Semantics::corrected}) {
      const auto r = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, sem);
      EXPECT_EQ(r.effectual_macs, s.dense_macs());
    }
  }
  // 1x1 and fc: exactly M * C * H * W.
  const LayerShape pw = conv(32, 8, 8, 64, 1, 1);
  EXPECT_EQ(
      eyeriss_v2_simulate(pw, BitMask::ones(pw.activation_shape()),
                          BitMask::ones(pw.weight_shape()), EyerissV2Config{}, Semantics::reference)
          .effectual_macs,
      64u * 32u * 8u * 8u);
  const LayerShape f = fc(256, 70);
  EXPECT_EQ(eyeriss_v2_simulate(f, BitMask::ones({256}), BitMask::ones({70, 256}),
                                EyerissV2Config{}, Semantics::reference)
                .effectual_macs,
            256u * 70u);
  const LayerShape f300 = fc(300, 70);  // C != C2 C1 C0: corrected only
  EXPECT_EQ(eyeriss_v2_simulate(f300, BitMask::ones({300}), BitMask::ones({70, 300}),
                                EyerissV2Config{}, Semantics::corrected)
                .effectual_macs,
            300u * 70u);
  // Corrected, no padding: M * C/g * R * S * Ho * Wo.
  LayerShape v = conv(8, 12, 12, 16, 3, 3, 2);
  v.stride_h = v.stride_w = 2;
  EXPECT_EQ(
      eyeriss_v2_simulate(v, BitMask::ones(v.activation_shape()), BitMask::ones(v.weight_shape()),
                          EyerissV2Config{}, Semantics::corrected)
          .effectual_macs,
      16u * 4u * 9u * 5u * 5u);
}

TEST(EyerissV2, AllZeroActivationLeavesOnlyAddressChecks) {
  const LayerShape shapes[] = {conv(16, 8, 8, 16, 3, 3), conv(64, 56, 56, 64, 3, 3), fc(64, 10),
                               conv(16, 8, 8, 16, 3, 3, 16)};
  for (const auto& s : shapes) {
    for (const auto sem : {Semantics::reference, Semantics::corrected}) {
      const auto r = eyeriss_v2_simulate(s, BitMask(s.activation_shape()),
                                         BitMask::ones(s.weight_shape()), EyerissV2Config{}, sem);
      EXPECT_EQ(r.effectual_macs, 0u);
      EXPECT_EQ(r.nonempty_columns, 0u);
      EXPECT_EQ(r.work_cycles, r.address_checks);
      EXPECT_EQ(r.cycles, r.address_checks / 192);
      EXPECT_GT(r.address_checks, 0u);
    }
  }
}

TEST(EyerissV2, LatencyGrowsMonotonicallyWithDensity) {
  const LayerShape s = conv(32, 14, 14, 32, 3, 3);
  const BitMask wt = BitMask::ones(s.weight_shape());
  for (const auto sem : {Semantics::reference, Semantics::corrected}) {
    std::uint64_t previous = 0;
    double previous_s = 0;
    for (int step = 0; step <= 10; ++step) {
      // Same seed: the mask of a lower density is a subset of a higher one's.
      const BitMask act = random_mask(s.activation_shape(), step / 10.0, 99);
      const auto r = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, sem);
      EXPECT_GE(r.cycles, previous);
      EXPECT_GE(r.latency_s, previous_s);
      if (step > 0) {
        EXPECT_GT(r.effectual_macs, 0u);
      }
      previous = r.cycles;
      previous_s = r.latency_s;
    }
    // Weight density too.
    previous = 0;
    const BitMask act = BitMask::ones(s.activation_shape());
    for (int step = 0; step <= 10; ++step) {
      const auto r = eyeriss_v2_simulate(s, act, random_mask(s.weight_shape(), step / 10.0, 5),
                                         EyerissV2Config{}, sem);
      EXPECT_GE(r.cycles, previous);
      previous = r.cycles;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bad input.

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(EyerissV2, RejectsInconsistentOrEmptyMasks) {
  const LayerShape s = conv(16, 8, 8, 16, 3, 3);
  const EyerissV2Config cfg;
  auto run = [&](const BitMask& a, const BitMask& w) {
    return error_of([&] { eyeriss_v2_simulate(s, a, w, cfg, Semantics::corrected, "conv7"); });
  };
  const BitMask good_a = BitMask::ones({16, 8, 8}), good_w = BitMask::ones({16, 16, 3, 3});
  EXPECT_NE(run(BitMask::ones({16, 8, 9}), good_w).find("conv7.activation"), std::string::npos);
  EXPECT_NE(run(good_a, BitMask::ones({16, 8, 3, 3})).find("conv7.weights"), std::string::npos);
  EXPECT_NE(run(BitMask({0, 8, 8}), good_w).find("empty"), std::string::npos);
  EXPECT_NE(run(good_a, BitMask({16, 16, 0, 3})).find("conv7.weights: empty"), std::string::npos);
  EXPECT_EQ(run(BitMask::ones({1, 16, 8, 8}), good_w), "");  // a leading batch of 1 is fine

  LayerShape bad_groups = conv(16, 8, 8, 10, 3, 3, 4);
  EXPECT_NE(error_of([&] {
              eyeriss_v2_simulate(bad_groups, good_a, BitMask::ones({10, 4, 3, 3}), cfg,
                                  Semantics::corrected, "g");
            }).find("g.groups"),
            std::string::npos);
  LayerShape att = s;
  att.type = LayerType::attention;
  EXPECT_NE(error_of([&] {
              eyeriss_v2_simulate(att, good_a, good_w, cfg, Semantics::corrected, "a");
            }).find("a.type"),
            std::string::npos);
}

TEST(EyerissV2, ReferenceFailureModesAreErrorsCorrectedHandlesThem) {
  const EyerissV2Config cfg;
  // C = 6 with R = 3: C0 = 4, C1 = 1, C2 = 2 -> 8 != 6 (the artifact's assertion).
  const LayerShape c6 = conv(6, 8, 8, 8, 3, 3);
  const BitMask a6 = BitMask::ones(c6.activation_shape()), w6 = BitMask::ones(c6.weight_shape());
  EXPECT_NE(error_of([&] {
              eyeriss_v2_simulate(c6, a6, w6, cfg, Semantics::reference, "c6");
            }).find("c6.in_channels"),
            std::string::npos);
  EXPECT_EQ(eyeriss_v2_simulate(c6, a6, w6, cfg, Semantics::corrected).effectual_macs,
            c6.dense_macs());
  // Non-square map whose width is padded (56 -> 96): the artifact's reshape fails.
  const LayerShape wide = conv(64, 40, 56, 64, 3, 3);
  const BitMask aw = BitMask::ones(wide.activation_shape()),
                ww = BitMask::ones(wide.weight_shape());
  EXPECT_NE(error_of([&] {
              eyeriss_v2_simulate(wide, aw, ww, cfg, Semantics::reference, "w");
            }).find("square"),
            std::string::npos);
  EXPECT_NO_THROW(eyeriss_v2_simulate(wide, aw, ww, cfg, Semantics::corrected));
  // Kernel taller than the scratch pad: C0 = 16 / 17 = 0 (a math-domain error in the artifact).
  const LayerShape tall = conv(8, 20, 20, 4, 17, 1);
  const BitMask at = BitMask::ones(tall.activation_shape()),
                wtall = BitMask::ones(tall.weight_shape());
  EXPECT_THROW(eyeriss_v2_simulate(tall, at, wtall, cfg, Semantics::reference), InputError);
  EXPECT_EQ(eyeriss_v2_mapping(tall, cfg, Semantics::corrected).C0, 1);
}

// A ResNet-50 3x3 layer: the figure the benchmark measures, checked for consistency here.
TEST(EyerissV2, ResNet50LayerIsConsistentAcrossSemantics) {
  LayerShape s = conv(64, 56, 56, 64, 3, 3);
  s.pad_h = s.pad_w = 1;
  const BitMask act = random_mask(s.activation_shape(), 0.5, 1);
  const BitMask wt = random_mask(s.weight_shape(), 0.5, 2);
  const auto ref = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::reference);
  const auto cor = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, Semantics::corrected);
  EXPECT_EQ(ref.effectual_macs, cor.effectual_macs);  // stride 1, same padding
  EXPECT_EQ(mapping_array(ref.mapping),
            (std::array<i64, 12>{4, 8, 2, 16, 3, 2, 32, 2, 1, 3, 1, 56}));
  const double expected_v = 0.25 * static_cast<double>(s.dense_macs());
  EXPECT_NEAR(static_cast<double>(ref.effectual_macs), expected_v, 0.01 * expected_v);
}

}  // namespace
}  // namespace dysta
