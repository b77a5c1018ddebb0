// Eyeriss-V2 cycle model (spec F.3). Masks stay bit-packed: the activation is re-packed into
// word-aligned rows along W, and effectual MACs are counted per (channel, kernel tap) as
// popcount(row & column window) times the number of kept weights on that tap, so a layer costs
// O(C R S Ho W/64 + weights/64) word operations instead of a convolution.
#include "dysta/accelerators/eyeriss_v2.h"

#include <algorithm>
#include <array>
#include <bit>

#include "dysta/error.h"

namespace dysta {
namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

i64 ceil_div(i64 a, i64 b) {
  return (a + b - 1) / b;
}

// Largest power of two <= x (x >= 1). The artifact computes 2**int(math.log(x, 2)), which equals
// this for every x <= 2e5 (spec F.3); with the default constants the quotients are <= 12000.
i64 pow2_floor(i64 x) {
  return static_cast<i64>(std::bit_floor(static_cast<u64>(x)));
}

// Spatial geometry used to count MACs and windows.
struct Geometry {
  i64 out_h, out_w, stride_h, stride_w, pad_top, pad_left, dil_h, dil_w;
};

Geometry geometry(const LayerShape& s, bool corrected) {
  if (s.type == LayerType::fc) return {1, 1, 1, 1, 0, 0, 1, 1};
  if (corrected) {
    return {s.out_height(), s.out_width(), s.stride_h,   s.stride_w,
            s.pad_h,        s.pad_w,       s.dilation_h, s.dilation_w};
  }
  // Reference (Q19): PyTorch padding='same', stride 1, dilation 1: total padding k - 1, the
  // smaller half before.
  return {s.in_height, s.in_width, 1, 1, (s.kernel_h - 1) / 2, (s.kernel_w - 1) / 2, 1, 1};
}

// The activation as C * H rows of W bits, each row starting on a word boundary.
struct Rows {
  i64 channels = 0, height = 0, width = 0, words = 0;
  std::vector<u64> data;
  const u64* row(i64 c, i64 h) const { return data.data() + ((c * height + h) * words); }
};

Rows pack_rows(const BitMask& act, i64 C, i64 H, i64 W) {
  Rows r{C, H, W, ceil_div(W, 64), {}};
  r.data.assign(static_cast<std::size_t>(C * H * r.words), 0);
  std::size_t out = 0;
  for (i64 row = 0; row < C * H; ++row) {
    const u64 base = static_cast<u64>(row * W);
    for (i64 k = 0; k < r.words; ++k) {
      const auto n = static_cast<unsigned>(std::min<i64>(64, W - 64 * k));
      r.data[out++] = act.bits(base + static_cast<u64>(64 * k), n);
    }
  }
  return r;
}

// Bits of the input columns that output columns 0..out_w-1 read through kernel column s.
std::vector<u64> column_window(const Geometry& g, i64 W, i64 words, i64 s) {
  std::vector<u64> m(static_cast<std::size_t>(words), 0);
  for (i64 ow = 0; ow < g.out_w; ++ow) {
    const i64 iw = ow * g.stride_w - g.pad_left + s * g.dil_w;
    if (iw >= 0 && iw < W) m[static_cast<std::size_t>(iw >> 6)] |= u64{1} << (iw & 63);
  }
  return m;
}

u64 popcount_and(const u64* a, const u64* b, i64 words) {
  u64 n = 0;
  for (i64 k = 0; k < words; ++k) n += static_cast<u64>(std::popcount(a[k] & b[k]));
  return n;
}

// kept[g K + j] = number of output channels m of group g whose weight bit j (of K = C/g R S) is
// set. Column sums of each group's M/g x K bit matrix, accumulated eight columns at a time in the
// byte lanes of a word (at most 255 rows before the lanes are flushed).
std::vector<u64> kept_per_tap(const BitMask& weights, i64 M, i64 groups, i64 K) {
  static const std::array<u64, 256> spread = [] {
    std::array<u64, 256> t{};
    for (unsigned b = 0; b < 256; ++b) {
      for (unsigned i = 0; i < 8; ++i) t[b] |= static_cast<u64>((b >> i) & 1u) << (8 * i);
    }
    return t;
  }();
  const i64 Mg = M / groups;
  const i64 lanes = ceil_div(K, 8);
  std::vector<u64> kept(static_cast<std::size_t>(groups * K), 0);
  std::vector<u64> acc(static_cast<std::size_t>(lanes), 0);
  for (i64 g = 0; g < groups; ++g) {
    u64* out = kept.data() + g * K;
    auto flush = [&] {
      for (i64 l = 0; l < lanes; ++l) {
        for (i64 i = 0; i < 8 && 8 * l + i < K; ++i) out[8 * l + i] += (acc[l] >> (8 * i)) & 0xff;
        acc[l] = 0;
      }
    };
    int rows = 0;
    for (i64 m = g * Mg; m < (g + 1) * Mg; ++m) {
      const u64 base = static_cast<u64>(m * K);
      for (i64 k = 0; k < K; k += 64) {
        const u64 w = weights.bits(base + static_cast<u64>(k),
                                   static_cast<unsigned>(std::min<i64>(64, K - k)));
        if (w == 0) continue;
        u64* lane = acc.data() + k / 8;
        for (unsigned t = 0; t < 8 && k + 8 * static_cast<i64>(t) < K; ++t)
          lane[t] += spread[(w >> (8 * t)) & 0xff];
      }
      if (++rows == 255) {
        flush();
        rows = 0;
      }
    }
    flush();
  }
  return kept;
}

// V for a convolution: sum over (c, r, s) of kept weights on that tap (over the output channels
// of c's group) times the ones of channel c the tap reads over all output positions.
DYSTA_POPCOUNT_CLONES u64 conv_effectual_macs(const LayerShape& s, const Rows& rows,
                                              const BitMask& weights, const Geometry& g) {
  const i64 C = s.in_channels, M = s.out_channels, R = s.kernel_h, S = s.kernel_w;
  const i64 K = C / s.groups * R * S;  // weights per output channel
  const std::vector<u64> kept = kept_per_tap(weights, M, s.groups, K);  // [c][r][s]
  std::vector<std::vector<u64>> windows;
  for (i64 sc = 0; sc < S; ++sc) windows.push_back(column_window(g, rows.width, rows.words, sc));
  std::vector<u64> row_ones(static_cast<std::size_t>(rows.height));
  u64 v = 0;
  for (i64 c = 0; c < C; ++c) {
    for (i64 sc = 0; sc < S; ++sc) {
      bool any = false;
      for (i64 r = 0; r < R && !any; ++r) any = kept[(c * R + r) * S + sc] != 0;
      if (!any) continue;
      for (i64 h = 0; h < rows.height; ++h) {
        row_ones[h] = popcount_and(rows.row(c, h), windows[sc].data(), rows.words);
      }
      for (i64 r = 0; r < R; ++r) {
        const u64 w = kept[(c * R + r) * S + sc];
        if (w == 0) continue;
        u64 reads = 0;
        for (i64 oh = 0; oh < g.out_h; ++oh) {
          const i64 ih = oh * g.stride_h - g.pad_top + r * g.dil_h;
          if (ih >= 0 && ih < rows.height) reads += row_ones[ih];
        }
        v += w * reads;
      }
    }
  }
  return v;
}

// V for a fully-connected layer: sum over outputs of popcount(weight row & input).
DYSTA_POPCOUNT_CLONES u64 fc_effectual_macs(i64 C, i64 M, const BitMask& act,
                                            const BitMask& weights) {
  const auto in = act.words();
  const i64 words = ceil_div(C, 64);
  u64 v = 0;
  if (C % 64 == 0) {  // rows start on word boundaries
    const auto w = weights.words();
    for (i64 m = 0; m < M; ++m) v += popcount_and(w.data() + m * words, in.data(), words);
    return v;
  }
  for (i64 m = 0; m < M; ++m) {
    const u64 base = static_cast<u64>(m * C);
    for (i64 k = 0; k < words; ++k) {
      const u64 w = weights.bits(base + static_cast<u64>(64 * k),
                                 static_cast<unsigned>(std::min<i64>(64, C - 64 * k)));
      v += static_cast<u64>(std::popcount(w & in[static_cast<std::size_t>(k)]));
    }
  }
  return v;
}

// Nnz as the artifact computes it (spec F.3 steps 3-5).
u64 reference_nonempty_columns(const BitMask& act, i64 C, i64 H, i64 W, const EyerissV2Mapping& mp,
                               const std::string& layer) {
  const i64 F = mp.F2 * mp.F1 * mp.F0;
  const bool padded = W != F;
  if (padded && H != W) {
    throw InputError("", 0, layer + ".activation",
                     "reference semantics: the input width " + std::to_string(W) +
                         " is padded to F2*F1*F0 = " + std::to_string(F) +
                         ", which the artifact supports for square maps only (H = " +
                         std::to_string(H) + "); use corrected semantics");
  }
  std::vector<u64> n(static_cast<std::size_t>(F));
  u64 nnz = 0;
  for (i64 c = 0; c < C; ++c) {
    const u64 plane = static_cast<u64>(c * H * W);
    for (i64 f = 0; f < F; ++f) {
      if (padded) {
        // Padded square map: row f is image row f (zero rows past H).
        n[f] = f < H ? act.count(plane + static_cast<u64>(f * W),
                                 plane + static_cast<u64>((f + 1) * W))
                     : 0;
      } else {
        // The plane viewed as F rows of H consecutive values.
        n[f] = act.count(plane + static_cast<u64>(f * H), plane + static_cast<u64>((f + 1) * H));
      }
    }
    for (i64 g0 = 0; g0 < F; g0 += mp.F0) {
      for (i64 f0 = 0; f0 < mp.F0; ++f0) {
        for (i64 r = 0; r < mp.R && f0 + r < mp.F0; ++r) {
          if (n[g0 + f0 + r] != 0) {
            ++nnz;
            break;
          }
        }
      }
    }
  }
  return nnz;
}

// Nnz in corrected semantics: non-empty iact scratch-pad columns, one per (C0-channel block,
// output row, input column read by some output), covering R kernel rows at the real stride.
DYSTA_POPCOUNT_CLONES u64 corrected_nonempty_columns(const Rows& rows, i64 R, i64 C0,
                                                     const Geometry& g, i64 S) {
  std::vector<u64> used(static_cast<std::size_t>(rows.words), 0);
  for (i64 sc = 0; sc < S; ++sc) {
    const auto w = column_window(g, rows.width, rows.words, sc);
    for (i64 k = 0; k < rows.words; ++k) used[k] |= w[k];
  }
  std::vector<u64> acc(static_cast<std::size_t>(rows.words));
  u64 nnz = 0;
  for (i64 c0 = 0; c0 < rows.channels; c0 += C0) {
    const i64 c1 = std::min(c0 + C0, rows.channels);
    for (i64 oh = 0; oh < g.out_h; ++oh) {
      std::fill(acc.begin(), acc.end(), 0);
      for (i64 c = c0; c < c1; ++c) {
        for (i64 r = 0; r < R; ++r) {
          const i64 ih = oh * g.stride_h - g.pad_top + r * g.dil_h;
          if (ih < 0 || ih >= rows.height) continue;
          const u64* row = rows.row(c, ih);
          for (i64 k = 0; k < rows.words; ++k) acc[k] |= row[k];
        }
      }
      nnz += popcount_and(acc.data(), used.data(), rows.words);
    }
  }
  return nnz;
}

void check_mask(const BitMask& mask, const std::vector<i64>& expected, std::size_t rank,
                const std::string& field, const std::string& layer) {
  if (mask.empty()) {
    throw InputError("", 0, layer + "." + field, "empty mask " + shape_to_string(mask.shape()));
  }
  const std::vector<i64> got =
      mask.rank() > rank ? mask.squeezed_leading(rank).shape() : mask.shape();
  if (got != expected) {
    throw InputError("", 0, layer + "." + field,
                     "mask shape " + shape_to_string(mask.shape()) +
                         " does not match the layer (expected " + shape_to_string(expected) + ")");
  }
}

}  // namespace

EyerissV2Mapping eyeriss_v2_mapping(const LayerShape& s, const EyerissV2Config& cfg,
                                    Semantics semantics, const std::string& layer) {
  const bool corrected = semantics == Semantics::corrected;
  const bool fc = s.type == LayerType::fc;
  const i64 C = s.in_channels;
  const i64 Mp = fc ? s.out_channels : s.out_channels / s.groups;  // M / g (depthwise: 1)
  const i64 R = fc ? 1 : s.kernel_h, S = fc ? 1 : s.kernel_w;
  // Output height (E) and width (the F split): the input's in reference semantics (Q19).
  const i64 E = fc ? 1 : (corrected ? s.out_height() : s.in_width);
  const i64 width = fc ? 1 : (corrected ? s.out_width() : s.in_width);

  EyerissV2Mapping m;
  m.R = R;
  m.E = E;
  if (C <= 3) {
    m.C0 = C;  // usually the first layer
  } else {
    i64 q = cfg.iact_spad_height / R;
    if (q == 0) {
      if (!corrected) {
        throw InputError("", 0, layer + ".kernel",
                         "reference semantics: kernel height " + std::to_string(R) +
                             " exceeds the iact scratch pad (" +
                             std::to_string(cfg.iact_spad_height) +
                             " entries); the artifact fails");
      }
      q = 1;
    }
    m.C0 = std::min(pow2_floor(q), C);
  }
  i64 f = cfg.iact_glb_bits / (E * R * m.C0 * cfg.iact_bits);
  if (f == 0) {
    if (!corrected) {
      throw InputError("", 0, layer + ".in_width",
                       "reference semantics: one output row (E * R * C0 * bits = " +
                           std::to_string(E * R * m.C0 * cfg.iact_bits) +
                           ") exceeds the iact GLB; the artifact fails");
    }
    f = 1;
  }
  m.F0 = std::min(pow2_floor(f), width);
  m.M0 = std::min<i64>(cfg.max_m0, Mp);
  m.C1 = cfg.cluster_rows * m.C0 <= C ? cfg.cluster_rows : C / m.C0;
  m.F1 = cfg.pe_cols * m.F0 <= width ? cfg.pe_cols : width / m.F0;
  m.S1 = S >= cfg.pe_rows ? cfg.pe_rows : S;
  m.M1 = cfg.cluster_cols * m.M0 <= Mp ? cfg.cluster_cols : Mp / m.M0;
  m.M2 = ceil_div(Mp, m.M0 * m.M1);
  m.F2 = ceil_div(width, m.F0 * m.F1);
  m.C2 = ceil_div(C, m.C0 * m.C1);
  m.S2 = ceil_div(S, m.S1);
  return m;
}

EyerissV2Result eyeriss_v2_simulate(const LayerShape& shape, const BitMask& activation,
                                    const BitMask& weights, const EyerissV2Config& cfg,
                                    Semantics semantics, const std::string& layer) {
  if (shape.type == LayerType::attention) {
    throw InputError("", 0, layer + ".type",
                     "accelerator 'eyeriss_v2' models conv and fc layers only, not attention");
  }
  validate_shape(shape, layer);
  const bool fc = shape.type == LayerType::fc;
  const bool corrected = semantics == Semantics::corrected;
  check_mask(activation, shape.activation_shape(), fc ? 1 : 3, "activation", layer);
  check_mask(weights, shape.weight_shape(), fc ? 2 : 4, "weights", layer);

  EyerissV2Result out;
  const EyerissV2Mapping mp = eyeriss_v2_mapping(shape, cfg, semantics, layer);
  out.mapping = mp;
  const i64 C = shape.in_channels;
  const i64 H = fc ? 1 : shape.in_height, W = fc ? 1 : shape.in_width;
  if (!corrected && !cfg.pad_channels && C != mp.C2 * mp.C1 * mp.C0) {
    throw InputError("", 0, layer + ".in_channels",
                     "reference semantics: C = " + std::to_string(C) +
                         " is not C2*C1*C0 = " + std::to_string(mp.C2 * mp.C1 * mp.C0) +
                         " (the artifact's assertion fails); use corrected semantics");
  }

  const Geometry g = geometry(shape, corrected);
  const Rows rows = pack_rows(activation, C, H, W);
  out.effectual_macs = fc ? fc_effectual_macs(C, shape.out_channels, activation, weights)
                          : conv_effectual_macs(shape, rows, weights, g);
  out.nonempty_columns =
      corrected ? corrected_nonempty_columns(rows, mp.R, mp.C0, g, fc ? 1 : shape.kernel_w)
                : reference_nonempty_columns(activation, C, H, W, mp, layer);
  out.address_checks = static_cast<u64>(mp.M1 * mp.F1 * mp.C1 * mp.S1 * mp.M2 * mp.F2 * mp.C2 *
                                        mp.S2 * mp.E * mp.F0);
  const auto lookups_per_column =
      static_cast<u64>(cfg.lookup_cycles * mp.M1 * mp.S1 * mp.M2 * mp.S2);
  out.work_cycles = static_cast<u64>(cfg.mac_cycles) * out.effectual_macs + out.address_checks +
                    lookups_per_column * out.nonempty_columns;
  out.cycles = out.work_cycles / static_cast<u64>(cfg.pe_count());
  out.latency_s = static_cast<double>(out.cycles) / cfg.clock_hz;
  return out;
}

}  // namespace dysta
