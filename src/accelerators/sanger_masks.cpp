// Attention-mask statistics for Sanger (spec F.2; upstream Sanger's _eval_load_balance and
// _eval_overall_sparsity).
#include <cstdio>
#include <cstdlib>

#include "dysta/accelerators/sanger.h"
#include "dysta/error.h"

namespace dysta {
namespace {

// The logger prints every statistic with "%.6f" and the artifact parses the text back.
double round_like_logger(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6f", v);
  return std::strtod(buf, nullptr);
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

SangerMaskStats sanger_mask_stats(const BitMask& mask, const SangerMaskOptions& options,
                                  Semantics semantics, const std::string& layer) {
  const bool reference = semantics == Semantics::reference;
  const std::string field = layer + ".mask";
  if (mask.rank() < 2 || mask.rank() > 4) {
    throw InputError(
        "", 0, field,
        "attention mask must have shape (L, L), (heads, L, L) or (batch, heads, L, L), "
        "found " +
            shape_to_string(mask.shape()));
  }
  const std::size_t r = mask.rank();
  const std::int64_t L = mask.dim(r - 1);
  if (L <= 0 || mask.dim(r - 2) != L) {
    throw InputError("", 0, field,
                     "the last two dimensions must be equal and positive (L x L), found " +
                         shape_to_string(mask.shape()));
  }
  const std::int64_t heads = r >= 3 ? mask.dim(r - 3) : 1;
  const std::int64_t batch = r == 4 ? mask.dim(0) : 1;
  if (heads <= 0 || batch <= 0) throw InputError("", 0, field, "empty mask");
  const std::int64_t width = options.vector_width;
  if (width <= 0) throw InputError("", 0, layer + ".vector_width", "must be positive");
  if (reference && L % width != 0) {
    throw InputError("", 0, field,
                     "reference semantics needs L (" + std::to_string(L) +
                         ") to be a multiple of " + std::to_string(width) +
                         " (upstream Sanger asserts it); corrected semantics allows a partial "
                         "last vector");
  }
  const auto& vl = options.valid_len;
  if (vl.size() > 1 && static_cast<std::int64_t>(vl.size()) != batch) {
    throw InputError("", 0, layer + ".valid_len",
                     "expected 1 or " + std::to_string(batch) +
                         " values (one per batch element), "
                         "found " +
                         std::to_string(vl.size()));
  }

  SangerMaskStats st;
  st.seq_len = L;
  std::uint64_t nnz_total = 0, splits32 = 0, splits16 = 0, nonempty = 0;
  double density_sum = 0.0;
  const auto uL = static_cast<std::uint64_t>(L);
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::int64_t valid = vl.empty() ? L : (vl.size() == 1 ? vl[0] : vl[b]);
    if (valid <= 0 || valid > L) {
      throw InputError("", 0, layer + ".valid_len",
                       "must be in [1, " + std::to_string(L) + "], found " + std::to_string(valid));
    }
    const auto uv = static_cast<std::uint64_t>(valid);
    std::uint64_t kept_b = 0;
    for (std::int64_t h = 0; h < heads; ++h) {
      for (std::uint64_t i = 0; i < uv; ++i) {  // rows past `valid` are padding queries
        const std::uint64_t row = ((static_cast<std::uint64_t>(b * heads + h)) * uL + i) * uL;
        kept_b += mask.count(row, row + uv);
        for (std::uint64_t col = 0; col < uv; col += static_cast<std::uint64_t>(width)) {
          const std::uint64_t end = std::min(col + static_cast<std::uint64_t>(width), uL);
          const std::uint64_t nnz =
              mask.count(row + col, row + (reference ? end : std::min(end, uv)));
          ++st.vectors;
          if (nnz == 0) {
            ++st.empty_vectors;
            continue;
          }
          ++nonempty;
          nnz_total += nnz;
          splits32 += ceil_div(nnz, 32);
          splits16 += ceil_div(nnz, 16);
        }
      }
    }
    st.kept += kept_b;
    density_sum +=
        static_cast<double>(kept_b) / (static_cast<double>(heads) * static_cast<double>(uv * uv));
  }
  if (st.kept == 0 || nnz_total == 0) {
    throw InputError("", 0, field, "no kept entry at a valid position (density 0)");
  }
  st.density = density_sum / static_cast<double>(batch);
  // Utilisation: sum(nnz / P) / sum(ceil(nnz / P)); "no-skip" adds vectors to the denominator.
  const std::uint64_t no_skip_extra = reference ? nonempty : st.empty_vectors;
  const double n = static_cast<double>(nnz_total);
  st.lb_50_skip = n / 32.0 / static_cast<double>(splits32);
  st.lb_25_skip = n / 16.0 / static_cast<double>(splits16);
  st.lb_50_no_skip = n / 32.0 / static_cast<double>(splits32 + no_skip_extra);
  st.lb_25_no_skip = n / 16.0 / static_cast<double>(splits16 + no_skip_extra);
  if (reference) {
    for (double* v :
         {&st.density, &st.lb_50_no_skip, &st.lb_50_skip, &st.lb_25_no_skip, &st.lb_25_skip}) {
      *v = round_like_logger(*v);
    }
    if (st.density <= 0.0) {
      throw InputError("", 0, field, "density rounds to 0 at the logger's six decimals");
    }
  }
  return st;
}

BitMask sanger_threshold_mask(std::span<const double> probabilities,
                              const std::vector<std::int64_t>& shape, double threshold) {
  BitMask mask(shape);
  if (mask.size() != probabilities.size()) {
    throw InputError("", 0, "probabilities",
                     std::to_string(probabilities.size()) + " values do not fill shape " +
                         shape_to_string(shape));
  }
  for (std::uint64_t i = 0; i < mask.size(); ++i) {
    if (probabilities[i] > threshold) mask.set(i);
  }
  return mask;
}

}  // namespace dysta
