#include "dysta/benchmark/reconstruction.h"

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "dysta/error.h"
#include "dysta/inference/ops.h"

namespace dysta::benchmark {

using inference::LayerKind;
using inference::Network;
using inference::Tensor;

namespace {

// BLAS and LAPACK (Cholesky factorisation and inverse, column-major) from the OpenBLAS library
// the inference engine loads on first use (inference::blas_symbol): the CLI does not link it.
struct Lapack {
  using Potr = void (*)(const char* uplo, const int* n, double* a, const int* lda, int* info);
  Potr dpotrf = reinterpret_cast<Potr>(inference::blas_symbol("dpotrf_"));
  Potr dpotri = reinterpret_cast<Potr>(inference::blas_symbol("dpotri_"));
  decltype(&cblas_dgemm) dgemm =
      reinterpret_cast<decltype(&cblas_dgemm)>(inference::blas_symbol("cblas_dgemm"));
  decltype(&cblas_dgemv) dgemv =
      reinterpret_cast<decltype(&cblas_dgemv)>(inference::blas_symbol("cblas_dgemv"));
  decltype(&cblas_sgemm) sgemm =
      reinterpret_cast<decltype(&cblas_sgemm)>(inference::blas_symbol("cblas_sgemm"));
};

const Lapack& lapack() {
  static const Lapack api;
  return api;
}

using Cell = std::pair<std::int64_t, std::int64_t>;

// In place: a (n x n, symmetric positive definite, row-major) -> its inverse (full matrix).
// Row-major storage read as column-major is the transpose; for a symmetric matrix the same one.
// dpotrf('L') on it gives A = L L^T, whose row-major upper triangle is U = L^T (A = U^T U).
void cholesky_upper(std::vector<double>& a, std::int64_t n, const char* what) {
  const int ni = static_cast<int>(n);
  int info = 0;
  lapack().dpotrf("L", &ni, a.data(), &ni, &info);
  if (info != 0) {
    throw InputError("", 0, what,
                     fmt::format("matrix not positive definite (LAPACK info {})", info));
  }
  // Keep U (row-major upper triangle), clear the rest.
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < i; ++j) a[static_cast<std::size_t>(i * n + j)] = 0.0;
  }
}

void invert_spd(std::vector<double>& a, std::int64_t n, const char* what) {
  const int ni = static_cast<int>(n);
  int info = 0;
  lapack().dpotrf("L", &ni, a.data(), &ni, &info);
  if (info == 0) lapack().dpotri("L", &ni, a.data(), &ni, &info);
  if (info != 0) {
    throw InputError("", 0, what,
                     fmt::format("matrix not positive definite (LAPACK info {})", info));
  }
  // Column-major lower = row-major upper triangle; mirror it.
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < i; ++j) {
      a[static_cast<std::size_t>(i * n + j)] = a[static_cast<std::size_t>(j * n + i)];
    }
  }
}

// Per-channel scale a and shift b of a channel-affine layer with C channels: run it on 0 and 1.
void probe_affine(const inference::Layer& layer, std::int64_t C, std::vector<float>& a,
                  std::vector<float>& b) {
  const Tensor zero({1, 1, 1, C}, 0.0f), one({1, 1, 1, C}, 1.0f);
  const Tensor* z[] = {&zero};
  const Tensor* o[] = {&one};
  const Tensor y0 = layer.run(z), y1 = layer.run(o);
  if (y0.size() != C || y1.size() != C) {
    throw InputError("", 0, layer.name, "batch norm probe: not a per-channel map");
  }
  a.resize(static_cast<std::size_t>(C));
  b.resize(static_cast<std::size_t>(C));
  for (std::size_t c = 0; c < a.size(); ++c) {
    b[c] = y0.data[c];
    a[c] = y1.data[c] - y0.data[c];
  }
}

}  // namespace

bool is_channel_affine(const inference::Layer& layer) {
  return layer.inputs.size() == 1 &&
         (layer.op == "BatchNormalization" || layer.op == "ChannelAffine");
}

std::vector<double> reconstruct(const RowProblem& p, double sparsity,
                                const ReconstructionOptions& options) {
  if (!(sparsity >= 0 && sparsity < 1)) {
    throw InputError("", 0, "sparsity", "must be in [0, 1), found " + std::to_string(sparsity));
  }
  const std::int64_t R = p.rows, K = p.cols;
  const auto Ks = static_cast<std::size_t>(K);
  if (p.w.size() != static_cast<std::size_t>(R * K) ||
      p.group.size() != static_cast<std::size_t>(R)) {
    throw InputError("", 0, "reconstruct", "weights or groups of the wrong size");
  }
  const std::size_t groups = p.h.size();
  std::vector<double> w = p.w;

  // Per group: damped H, H^-1 and U (upper Cholesky factor of H^-1).
  std::vector<std::vector<double>> hd(groups), u(groups);
  std::vector<std::vector<std::int64_t>> rows_of(groups);
  for (std::int64_t r = 0; r < R; ++r) {
    const auto g = static_cast<std::size_t>(p.group[static_cast<std::size_t>(r)]);
    if (g >= groups) throw InputError("", 0, "reconstruct", "row group out of range");
    rows_of[g].push_back(r);
  }
  for (std::size_t g = 0; g < groups; ++g) {
    if (rows_of[g].empty()) continue;
    if (p.h[g].size() != Ks * Ks) throw InputError("", 0, "reconstruct", "H of the wrong size");
    double diag = 0;
    for (std::int64_t j = 0; j < K; ++j) diag += p.h[g][static_cast<std::size_t>(j * K + j)];
    diag /= static_cast<double>(K);
    const double lambda = diag > 0 ? options.damping * diag : 1.0;
    hd[g] = p.h[g];
    for (std::int64_t j = 0; j < K; ++j) hd[g][static_cast<std::size_t>(j * K + j)] += lambda;
    std::vector<double> hinv = hd[g];
    invert_spd(hinv, K, "H");
    if (options.correct_drift) {
      // W* = W_d (G + lambda I) H^-1 for this group's rows.
      const std::vector<double>& gm = p.g.empty() || p.g[g].empty() ? p.h[g] : p.g[g];
      std::vector<double> gl = gm;
      for (std::int64_t j = 0; j < K; ++j) gl[static_cast<std::size_t>(j * K + j)] += lambda;
      const auto n = static_cast<std::int64_t>(rows_of[g].size());
      std::vector<double> wg(static_cast<std::size_t>(n * K)), b(wg.size()), out(wg.size());
      for (std::int64_t i = 0; i < n; ++i) {
        std::copy_n(w.begin() + rows_of[g][static_cast<std::size_t>(i)] * K, K, wg.begin() + i * K);
      }
      lapack().dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(n),
                     static_cast<int>(K), static_cast<int>(K), 1.0, wg.data(), static_cast<int>(K),
                     gl.data(), static_cast<int>(K), 0.0, b.data(), static_cast<int>(K));
      lapack().dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(n),
                     static_cast<int>(K), static_cast<int>(K), 1.0, b.data(), static_cast<int>(K),
                     hinv.data(), static_cast<int>(K), 0.0, out.data(), static_cast<int>(K));
      for (std::int64_t i = 0; i < n; ++i) {
        std::copy_n(out.begin() + i * K, K,
                    w.begin() + rows_of[g][static_cast<std::size_t>(i)] * K);
      }
    }
    cholesky_upper(hinv, K, "H^-1");
    u[g] = std::move(hinv);
  }

  const std::size_t units = p.units.size();
  const auto k_total =
      static_cast<std::int64_t>(std::llround(sparsity * static_cast<double>(units)));
  const auto by_score = [](const std::vector<double>& score) {
    return [&score](std::size_t a, std::size_t b) {
      return score[a] != score[b] ? score[a] < score[b] : a < b;
    };
  };

  if (p.whole_rows) {
    // Filter: score = w H w^T (output energy on the calibration set, damped H).
    std::vector<double> score(units, 0.0);
    std::vector<double> tmp(Ks);
    for (std::size_t un = 0; un < units; ++un) {
      double s = 0;
      for (const Cell& c : p.units[un]) {
        const std::int64_t r = c.first;
        const auto& h = hd[static_cast<std::size_t>(p.group[static_cast<std::size_t>(r)])];
        const double* wr = w.data() + r * K;
        lapack().dgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(K), static_cast<int>(K), 1.0,
                       h.data(), static_cast<int>(K), wr, 1, 0.0, tmp.data(), 1);
        double e = 0;
        for (std::int64_t j = 0; j < K; ++j) e += wr[j] * tmp[static_cast<std::size_t>(j)];
        s += e * (p.row_scale.empty() ? 1.0 : p.row_scale[static_cast<std::size_t>(r)]);
      }
      score[un] = s;
    }
    std::vector<std::size_t> order(units);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), by_score(score));
    for (std::int64_t i = 0; i < k_total && i < static_cast<std::int64_t>(units); ++i) {
      for (const Cell& c : p.units[order[static_cast<std::size_t>(i)]]) {
        std::fill_n(w.begin() + c.first * K, K, 0.0);
      }
    }
    return w;
  }

  // Unit -> column block (by its first cell's column).
  const std::size_t nb = p.col_blocks.size();
  std::vector<std::vector<std::size_t>> units_of(nb);
  for (std::size_t un = 0; un < units; ++un) {
    const std::int64_t c0 = p.units[un].front().second;
    const auto b = static_cast<std::size_t>(
        std::upper_bound(p.col_blocks.begin(), p.col_blocks.end(), c0) - p.col_blocks.begin() - 1);
    units_of[b].push_back(un);
  }
  std::vector<char> mask(static_cast<std::size_t>(R * K), 0);
  std::int64_t before = 0;
  for (std::size_t b = 0; b < nb; ++b) {
    const std::int64_t b0 = p.col_blocks[b];
    const std::int64_t b1 = b + 1 < nb ? p.col_blocks[b + 1] : K;
    const auto& list = units_of[b];
    const auto after = before + static_cast<std::int64_t>(list.size());
    const std::int64_t kb = std::llround(sparsity * static_cast<double>(after)) -
                            std::llround(sparsity * static_cast<double>(before));
    before = after;
    // Select the block's units on the current (already updated) weights.
    std::vector<double> score(list.size(), 0.0);
    for (std::size_t i = 0; i < list.size(); ++i) {
      for (const Cell& c : p.units[list[i]]) {
        const auto& ug = u[static_cast<std::size_t>(p.group[static_cast<std::size_t>(c.first)])];
        const double d = ug[static_cast<std::size_t>(c.second * K + c.second)];
        const double x = w[static_cast<std::size_t>(c.first * K + c.second)] / d;
        score[i] +=
            x * x * (p.row_scale.empty() ? 1.0 : p.row_scale[static_cast<std::size_t>(c.first)]);
      }
    }
    std::vector<std::size_t> order(list.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), by_score(score));
    for (std::int64_t i = 0; i < kb && i < static_cast<std::int64_t>(order.size()); ++i) {
      for (const Cell& c : p.units[list[order[static_cast<std::size_t>(i)]]]) {
        mask[static_cast<std::size_t>(c.first * K + c.second)] = 1;
      }
    }
    // Sweep the block's columns; errors inside the block are applied at once, the later columns
    // get the block's accumulated errors in one product per group (SparseGPT's lazy batch).
    const std::int64_t B = b1 - b0;
    for (std::size_t g = 0; g < groups; ++g) {
      const auto& rows = rows_of[g];
      if (rows.empty()) continue;
      const auto& ug = u[g];
      const auto n = static_cast<std::int64_t>(rows.size());
      std::vector<double> err(static_cast<std::size_t>(n * B), 0.0);
      bool any = false;
      for (std::int64_t i = 0; i < n; ++i) {
        double* wr = w.data() + rows[static_cast<std::size_t>(i)] * K;
        const char* mr = mask.data() + rows[static_cast<std::size_t>(i)] * K;
        for (std::int64_t j = b0; j < b1; ++j) {
          if (!mr[j]) continue;
          const double* uj = ug.data() + j * K;
          const double e = wr[j] / uj[j];
          for (std::int64_t k = j + 1; k < b1; ++k) wr[k] -= e * uj[k];
          wr[j] = 0.0;
          err[static_cast<std::size_t>(i * B + (j - b0))] = e;
          any = true;
        }
      }
      if (!any || b1 >= K) continue;
      // W[:, b1:] -= Err (n x B) * U[b0:b1, b1:]
      std::vector<double> delta(static_cast<std::size_t>(n * (K - b1)));
      lapack().dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(n),
                     static_cast<int>(K - b1), static_cast<int>(B), 1.0, err.data(),
                     static_cast<int>(B), ug.data() + b0 * K + b1, static_cast<int>(K), 0.0,
                     delta.data(), static_cast<int>(K - b1));
      for (std::int64_t i = 0; i < n; ++i) {
        double* wr = w.data() + rows[static_cast<std::size_t>(i)] * K;
        const double* dr = delta.data() + i * (K - b1);
        for (std::int64_t k = b1; k < K; ++k) wr[k] -= dr[k - b1];
      }
    }
  }
  // Masked weights are exactly zero (a later block's update may not touch earlier columns, but
  // make the contract explicit).
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) w[i] = 0.0;
  }
  return w;
}

RowProblem kernel_problem(const Tensor& kernel, bool depthwise, PrunePattern pattern,
                          std::int64_t block) {
  if (kernel.rank() != 4 && kernel.rank() != 2) {
    throw InputError("", 0, "kernel",
                     "reconstruction needs a rank-2 or rank-4 kernel, found " +
                         inference::shape_string(kernel.shape));
  }
  const bool conv = kernel.rank() == 4;
  const std::int64_t taps = conv ? kernel.dim(0) * kernel.dim(1) : 1;
  const std::int64_t in = conv ? kernel.dim(2) : kernel.dim(0);
  const std::int64_t out = conv ? kernel.dim(3) : kernel.dim(1);
  RowProblem p;
  if (depthwise && conv) {
    // rows (c, m), cols taps, group c.
    p.rows = in * out;
    p.cols = taps;
    p.w.assign(static_cast<std::size_t>(p.rows * p.cols), 0.0);
    p.group.resize(static_cast<std::size_t>(p.rows));
    for (std::int64_t c = 0; c < in; ++c) {
      for (std::int64_t m = 0; m < out; ++m) {
        const std::int64_t r = c * out + m;
        p.group[static_cast<std::size_t>(r)] = static_cast<int>(c);
        for (std::int64_t t = 0; t < taps; ++t) {
          p.w[static_cast<std::size_t>(r * taps + t)] =
              kernel.data[static_cast<std::size_t>((t * in + c) * out + m)];
        }
      }
    }
    p.h.assign(static_cast<std::size_t>(in), {});
    p.col_blocks = {0};  // one block: taps are few
    switch (pattern) {
      case PrunePattern::unstructured:
        for (std::int64_t t = 0; t < taps; ++t) {
          for (std::int64_t r = 0; r < p.rows; ++r) p.units.push_back({{r, t}});
        }
        break;
      case PrunePattern::block4:
        for (std::int64_t t = 0; t < taps; ++t) {
          for (std::int64_t m = 0; m < out; ++m) {
            for (std::int64_t c0 = 0; c0 < in; c0 += 4) {
              std::vector<Cell> u;
              for (std::int64_t c = c0; c < std::min(in, c0 + 4); ++c)
                u.push_back({c * out + m, t});
              p.units.push_back(std::move(u));
            }
          }
        }
        break;
      case PrunePattern::filter:
        p.whole_rows = true;
        for (std::int64_t r = 0; r < p.rows; ++r) p.units.push_back({{r, 0}});
        break;
    }
    return p;
  }
  p.rows = out;
  p.cols = taps * in;
  p.w.assign(static_cast<std::size_t>(p.rows * p.cols), 0.0);
  p.group.assign(static_cast<std::size_t>(p.rows), 0);
  for (std::int64_t k = 0; k < p.cols; ++k) {
    for (std::int64_t o = 0; o < out; ++o) {
      p.w[static_cast<std::size_t>(o * p.cols + k)] =
          kernel.data[static_cast<std::size_t>(k * out + o)];
    }
  }
  p.h.assign(1, {});
  // Column blocks of about `block` columns, ending on a block-4 unit boundary (a multiple of 4
  // inside a tap, or a tap boundary).
  p.col_blocks = {0};
  for (std::int64_t start = 0;;) {
    std::int64_t end = start + std::max<std::int64_t>(block, 4);
    if (end >= p.cols) break;
    const std::int64_t t = end / in, c = end % in;
    if (c % 4 != 0) end = std::min(t * in + ((c + 3) / 4) * 4, (t + 1) * in);
    if (end >= p.cols) break;
    p.col_blocks.push_back(end);
    start = end;
  }
  switch (pattern) {
    case PrunePattern::unstructured:
      // Units in column order (so each block's units are contiguous), rows inside.
      for (std::int64_t k = 0; k < p.cols; ++k) {
        for (std::int64_t o = 0; o < out; ++o) p.units.push_back({{o, k}});
      }
      break;
    case PrunePattern::block4:
      for (std::int64_t t = 0; t < taps; ++t) {
        for (std::int64_t c0 = 0; c0 < in; c0 += 4) {
          for (std::int64_t o = 0; o < out; ++o) {
            std::vector<Cell> u;
            for (std::int64_t c = c0; c < std::min(in, c0 + 4); ++c) u.push_back({o, t * in + c});
            p.units.push_back(std::move(u));
          }
        }
      }
      break;
    case PrunePattern::filter:
      p.whole_rows = true;
      for (std::int64_t o = 0; o < out; ++o) p.units.push_back({{o, 0}});
      break;
  }
  return p;
}

std::vector<float> kernel_values(const Tensor& kernel, bool depthwise,
                                 const std::vector<double>& rows) {
  const bool conv = kernel.rank() == 4;
  const std::int64_t taps = conv ? kernel.dim(0) * kernel.dim(1) : 1;
  const std::int64_t in = conv ? kernel.dim(2) : kernel.dim(0);
  const std::int64_t out = conv ? kernel.dim(3) : kernel.dim(1);
  std::vector<float> v(kernel.data.size());
  if (rows.size() != v.size()) throw InputError("", 0, "kernel", "solution of the wrong size");
  for (std::int64_t t = 0; t < taps; ++t) {
    for (std::int64_t c = 0; c < in; ++c) {
      for (std::int64_t o = 0; o < out; ++o) {
        const std::size_t r = depthwise && conv
                                  ? static_cast<std::size_t>((c * out + o) * taps + t)
                                  : static_cast<std::size_t>(o * taps * in + t * in + c);
        v[static_cast<std::size_t>((t * in + c) * out + o)] = static_cast<float>(rows[r]);
      }
    }
  }
  return v;
}

void accumulate_patches(const inference::Layer& layer, const Tensor& x_d, const Tensor& x_p,
                        std::int64_t output_h, std::int64_t output_w,
                        const ReconstructionOptions& options, RowProblem& problem) {
  const Tensor& k = *layer.weights;
  const bool fc = layer.kind == LayerKind::kDense;
  const bool depthwise = !fc && layer.conv && layer.conv->depthwise;
  const std::int64_t K = problem.cols;
  const auto Ks = static_cast<std::size_t>(K);
  for (auto& h : problem.h) {
    if (h.empty()) h.assign(Ks * Ks, 0.0);
  }
  if (problem.g.size() != problem.h.size()) problem.g.assign(problem.h.size(), {});
  for (auto& g : problem.g) {
    if (g.empty()) g.assign(Ks * Ks, 0.0);
  }
  if (x_d.data.size() != x_p.data.size()) {
    throw InputError("", 0, layer.name, "dense and pruned inputs differ in size");
  }
  if (fc) {
    if (x_d.size() != K)
      throw InputError("", 0, layer.name, "dense input size differs from the kernel");
    // H += x_p x_p^T, G += x_d x_p^T (one sample).
    auto& h = problem.h[0];
    auto& g = problem.g[0];
    for (std::int64_t i = 0; i < K; ++i) {
      const double di = x_d.data[static_cast<std::size_t>(i)],
                   pi = x_p.data[static_cast<std::size_t>(i)];
      for (std::int64_t j = 0; j < K; ++j) {
        const double pj = x_p.data[static_cast<std::size_t>(j)];
        h[static_cast<std::size_t>(i * K + j)] += pi * pj;
        g[static_cast<std::size_t>(i * K + j)] += di * pj;
      }
    }
    return;
  }
  if (x_d.rank() != 4 || !layer.conv)
    throw InputError("", 0, layer.name, "conv input must be NHWC");
  const auto& geo = *layer.conv;
  const std::int64_t H = x_d.dim(1), W = x_d.dim(2), C = x_d.dim(3);
  const std::int64_t kh = k.dim(0), kw = k.dim(1);
  inference::Padding2D pad;
  if (geo.same) {
    pad = inference::same_padding(H, W, static_cast<int>(kh), static_cast<int>(kw), geo.stride_h,
                                  geo.stride_w, geo.dilation_h, geo.dilation_w);
  } else {
    pad.top = geo.pad_top;
    pad.left = geo.pad_left;
  }
  const std::int64_t P = output_h * output_w;
  const std::int64_t M =
      std::min<std::int64_t>(P, std::max<std::int64_t>(options.max_positions, 1));
  const std::int64_t taps = kh * kw;
  if (!depthwise && taps * C != K)
    throw InputError("", 0, layer.name, "grouped convolutions are not supported");
  // Patch of one position: value of (tap, channel) or 0 in the padding.
  const auto pixel = [&](const Tensor& x, std::int64_t pos, std::int64_t t,
                         std::int64_t c) -> float {
    const std::int64_t oh = pos / output_w, ow = pos % output_w;
    const std::int64_t ih = oh * geo.stride_h - pad.top + (t / kw) * geo.dilation_h;
    const std::int64_t iw = ow * geo.stride_w - pad.left + (t % kw) * geo.dilation_w;
    if (ih < 0 || ih >= H || iw < 0 || iw >= W) return 0.0f;
    return x.data[static_cast<std::size_t>((ih * W + iw) * C + c)];
  };
  if (depthwise) {
    std::vector<double> pd(static_cast<std::size_t>(taps)), pp(pd.size());
    for (std::int64_t i = 0; i < M; ++i) {
      const std::int64_t pos = i * P / M;
      for (std::int64_t c = 0; c < C; ++c) {
        for (std::int64_t t = 0; t < taps; ++t) {
          pd[static_cast<std::size_t>(t)] = pixel(x_d, pos, t, c);
          pp[static_cast<std::size_t>(t)] = pixel(x_p, pos, t, c);
        }
        auto& h = problem.h[static_cast<std::size_t>(c)];
        auto& g = problem.g[static_cast<std::size_t>(c)];
        for (std::int64_t a = 0; a < taps; ++a) {
          for (std::int64_t b = 0; b < taps; ++b) {
            h[static_cast<std::size_t>(a * taps + b)] +=
                pp[static_cast<std::size_t>(a)] * pp[static_cast<std::size_t>(b)];
            g[static_cast<std::size_t>(a * taps + b)] +=
                pd[static_cast<std::size_t>(a)] * pp[static_cast<std::size_t>(b)];
          }
        }
      }
    }
    return;
  }
  // Patch matrices (M x K, float), then H += Pp^T Pp and G += Pd^T Pp in float, added in double.
  std::vector<float> pd(static_cast<std::size_t>(M * K)), pp(pd.size());
  for (std::int64_t i = 0; i < M; ++i) {
    const std::int64_t pos = i * P / M;
    for (std::int64_t t = 0; t < taps; ++t) {
      for (std::int64_t c = 0; c < C; ++c) {
        pd[static_cast<std::size_t>(i * K + t * C + c)] = pixel(x_d, pos, t, c);
        pp[static_cast<std::size_t>(i * K + t * C + c)] = pixel(x_p, pos, t, c);
      }
    }
  }
  std::vector<float> tmp(Ks * Ks);
  const int Ki = static_cast<int>(K), Mi = static_cast<int>(M);
  lapack().sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Ki, Ki, Mi, 1.0f, pp.data(), Ki,
                 pp.data(), Ki, 0.0f, tmp.data(), Ki);
  for (std::size_t i = 0; i < tmp.size(); ++i) problem.h[0][i] += tmp[i];
  lapack().sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Ki, Ki, Mi, 1.0f, pd.data(), Ki,
                 pp.data(), Ki, 0.0f, tmp.data(), Ki);
  for (std::size_t i = 0; i < tmp.size(); ++i) problem.g[0][i] += tmp[i];
}

PruneReport prune_network_reconstructed(Network& network,
                                        const std::vector<std::vector<float>>& dense,
                                        PrunePattern pattern, const PruneLevel& level,
                                        const std::vector<Tensor>& calibration,
                                        const ReconstructionOptions& options, int threads) {
  if (calibration.empty()) throw InputError("", 0, "calibration", "no calibration inputs");
  if (network.input_count() != 1)
    throw InputError("", 0, network.name(), "expected one network input");
  restore_weights(network, dense);
  PruneReport report;
  report.pattern = pattern;
  report.level = level;
  report.method = "reconstruction";
  std::vector<std::size_t> excluded;
  const std::vector<std::size_t> prunable = prunable_layers(network, &excluded);
  for (const std::size_t i : excluded) report.excluded.push_back(network.layers()[i].name);
  std::vector<int> slot(network.layers().size(), -1);
  for (std::size_t n = 0; n < prunable.size(); ++n) slot[prunable[n]] = static_cast<int>(n);

  const auto& layers = network.layers();
  const std::size_t nv = network.value_count();
  std::vector<std::size_t> last_use(nv, 0);
  std::vector<bool> keep(nv, false);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    for (const int v : layers[i].inputs) last_use[static_cast<std::size_t>(v)] = i;
  }
  for (const int v : network.outputs()) keep[static_cast<std::size_t>(v)] = true;
  const int input_value = 0;  // network inputs are the first values

  const std::size_t n = calibration.size();
  // values[state][image][value]; state 0 = dense, 1 = partly pruned.
  std::vector<std::vector<std::vector<Tensor>>> values(
      2, std::vector<std::vector<Tensor>>(n, std::vector<Tensor>(nv)));
  for (std::size_t s = 0; s < n; ++s) {
    values[0][s][static_cast<std::size_t>(input_value)] = calibration[s];
    values[1][s][static_cast<std::size_t>(input_value)] = calibration[s];
  }
  const int workers = std::max(1, std::min<int>(threads, static_cast<int>(n)));
  // Runs layer i of `state` for every image in parallel.
  const auto run_layer = [&](std::size_t i, int state) {
    const auto& layer = layers[i];
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    const auto work = [&] {
      try {
        std::vector<const Tensor*> args;
        for (std::size_t s = next++; s < n; s = next++) {
          auto& vals = values[static_cast<std::size_t>(state)][s];
          args.clear();
          for (const int v : layer.inputs) args.push_back(&vals[static_cast<std::size_t>(v)]);
          vals[static_cast<std::size_t>(layer.output)] = layer.run(args);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = n;
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < workers; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
  };

  // Batch-norm re-estimation of layer i (see ReconstructionOptions::reestimate_bn).
  const auto reestimate = [&](std::size_t i) {
    const auto& l = layers[i];
    const auto in = static_cast<std::size_t>(l.inputs[0]);
    const std::int64_t C = values[0][0][in].shape.back();
    std::vector<double> sum[2], sq[2];
    double count = 0;
    for (int st = 0; st < 2; ++st) {
      sum[st].assign(static_cast<std::size_t>(C), 0.0);
      sq[st].assign(static_cast<std::size_t>(C), 0.0);
    }
    for (std::size_t s = 0; s < n; ++s) {
      for (int st = 0; st < 2; ++st) {
        const Tensor& x = values[static_cast<std::size_t>(st)][s][in];
        for (std::size_t e = 0; e < x.data.size(); ++e) {
          const double v = x.data[e];
          sum[st][e % static_cast<std::size_t>(C)] += v;
          sq[st][e % static_cast<std::size_t>(C)] += v * v;
        }
      }
      count += static_cast<double>(values[0][s][in].data.size() / static_cast<std::size_t>(C));
    }
    std::vector<float> a, b;
    probe_affine(l, C, a, b);
    std::vector<float> scale(a.size()), shift(a.size());
    for (std::size_t c = 0; c < a.size(); ++c) {
      const double md = sum[0][c] / count, mp = sum[1][c] / count;
      const double sd = std::sqrt(std::max(sq[0][c] / count - md * md, 0.0));
      const double sp = std::sqrt(std::max(sq[1][c] / count - mp * mp, 0.0));
      const double k = sp > 1e-6 * sd && sp > 0 ? sd / sp : 1.0;
      scale[c] = static_cast<float>(a[c] * k);
      shift[c] = static_cast<float>(a[c] * (md - k * mp) + b[c]);
    }
    auto sc = std::make_shared<std::vector<float>>(std::move(scale));
    auto sh = std::make_shared<std::vector<float>>(std::move(shift));
    network.set_layer_function(i, [sc, sh](std::span<const Tensor* const> x) {
      return inference::channel_affine(*x[0], *sc, *sh, x[0]->rank() - 1);
    });
  };

  double zeros = 0, total = 0;
  bool pruned_any = false;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    run_layer(i, 0);  // dense (this layer's weights are still dense)
    if (slot[i] >= 0) {
      const auto nslot = static_cast<std::size_t>(slot[i]);
      if (i >= dense.size() || dense[i].size() != l.weights->data.size()) {
        throw InputError("", 0, l.name, "dense weights missing or of the wrong size");
      }
      const int group = static_cast<int>(3 * nslot / prunable.size());
      const double target = level.group_sparsity[static_cast<std::size_t>(group)];
      const Tensor original(l.weights->shape, dense[i]);
      const bool depthwise = l.conv && l.conv->depthwise;
      RowProblem prob = kernel_problem(original, depthwise, pattern, options.block);
      // The only reader of the output a batch norm: weigh rows by its squared scale.
      std::vector<std::size_t> readers;
      for (std::size_t j = i + 1; j < layers.size(); ++j) {
        for (const int v : layers[j].inputs) {
          if (v == l.output) readers.push_back(j);
        }
      }
      if (readers.size() == 1 && is_channel_affine(layers[readers[0]])) {
        std::vector<float> a, b;
        probe_affine(layers[readers[0]], prob.rows, a, b);
        prob.row_scale.resize(a.size());
        for (std::size_t r = 0; r < a.size(); ++r) {
          prob.row_scale[r] = static_cast<double>(a[r]) * a[r];
        }
      }
      for (std::size_t s = 0; s < n; ++s) {
        const Tensor& out = values[0][s][static_cast<std::size_t>(l.output)];
        const std::int64_t oh = l.kind == LayerKind::kDense ? 1 : out.dim(1);
        const std::int64_t ow = l.kind == LayerKind::kDense ? 1 : out.dim(2);
        accumulate_patches(l, values[0][s][static_cast<std::size_t>(l.inputs[0])],
                           values[1][s][static_cast<std::size_t>(l.inputs[0])], oh, ow, options,
                           prob);
      }
      install_pruned_layer(network, i, group, target,
                           kernel_values(original, depthwise, reconstruct(prob, target, options)),
                           report, zeros, total);
      pruned_any = true;
    }
    if (options.reestimate_bn && pruned_any && is_channel_affine(l)) {
      reestimate(i);
    }
    run_layer(i, 1);  // partly pruned, with this layer's new weights
    for (int state = 0; state < 2; ++state) {
      for (std::size_t s = 0; s < n; ++s) {
        auto& vals = values[static_cast<std::size_t>(state)][s];
        for (const int v : l.inputs) {
          if (last_use[static_cast<std::size_t>(v)] == i && !keep[static_cast<std::size_t>(v)]) {
            vals[static_cast<std::size_t>(v)] = Tensor();
          }
        }
      }
    }
  }
  report.overall_sparsity = total > 0 ? zeros / total : 0.0;
  return report;
}

}  // namespace dysta::benchmark
