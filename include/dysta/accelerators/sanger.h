// Sanger sparse-attention accelerator: the attention-mask statistics its latency model consumes
// (spec F.2). The latency formula itself (spec F.1) is in dysta/sanger_latency.h (dysta::core,
// which reads Sanger-format profiles with it).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "dysta/accelerators/bit_mask.h"
#include "dysta/sanger_latency.h"
#include "dysta/semantics.h"

namespace dysta {

// Statistics of one attention layer's pruning mask, as upstream Sanger's logger computes them
// (spec F.2): density over the valid (non-padding) positions and PE utilisation of 64-wide
// vectors split over P = 32 ("50%") or P = 16 ("25%") PEs, skipping empty vectors or not.
struct SangerMaskStats {
  double density = 0;  // overall-sparsity column (a density)
  double lb_50_no_skip = 0, lb_50_skip = 0, lb_25_no_skip = 0, lb_25_skip = 0;
  std::int64_t seq_len = 0;
  // Raw counts over all valid 64-wide vectors.
  std::uint64_t kept = 0;           // kept entries at valid positions
  std::uint64_t vectors = 0;        // vectors with at least one valid position
  std::uint64_t empty_vectors = 0;  // ... of which have no kept entry
};

struct SangerMaskOptions {
  int vector_width = 64;  // num_ports of upstream's _eval_load_balance
  // Valid (non-padding) tokens per batch element: the first valid_len[b] tokens of element b are
  // valid. Empty = every token valid; one value = the same for every element.
  std::vector<std::int64_t> valid_len;
};

// `mask`: kept attention entries, shape (L, L), (heads, L, L) or (batch, heads, L, L).
// Reference semantics reproduces the logger: L must be a multiple of the vector width, the
// no-skip utilisation adds the count of non-empty vectors to the denominator (upstream's bug),
// vector non-zeros are counted over the whole vector, and every statistic is rounded to six
// decimals as the logger prints it. Corrected: a partial last vector per row is allowed, no-skip
// adds the empty-vector count (F.2), non-zeros outside valid positions are ignored, and no
// rounding. Throws InputError naming `layer` for a bad shape, bad valid lengths, or a mask with no
// kept valid entry (density 0).
SangerMaskStats sanger_mask_stats(const BitMask& mask, const SangerMaskOptions& options,
                                  Semantics semantics, const std::string& layer = "attention");

// The pruning mask of Sanger's threshold: entry kept iff probability > threshold (strict, as
// upstream's gen_sparsity_mask). `probabilities` is row-major with the given shape.
BitMask sanger_threshold_mask(std::span<const double> probabilities,
                              const std::vector<std::int64_t>& shape, double threshold);

}  // namespace dysta
