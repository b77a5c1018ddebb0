// Sanger sparse-attention accelerator: analytical latency of one attention layer (spec F.1) and
// the attention-mask statistics it consumes (spec F.2).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "dysta/accelerators/bit_mask.h"
#include "dysta/semantics.h"

namespace dysta {

// Hardware and workload constants of the Sanger latency model. Defaults are the reference
// artifact's values (spec F.1, M).
struct SangerConfig {
  int pe_rows = 64;             // TH
  int pe_cols = 64;             // TW
  int pes_per_row = 16;         // PEs per row used by the linear layers
  int bytes_per_value = 2;      // 16-bit data
  double clock_hz = 1e9;        // 1 GHz
  double bandwidth_gb_s = 128;  // off-chip bandwidth, GB/s
  int hidden = 768;             // d (BERT-base width; the artifact uses it for every model)
  int seq_len = 512;            // L (the artifact's default, never overridden; quirk Q14)
  // Fraction of a TW-wide row that one sub-row holds after pack-and-split: n = (s / b) / 0.25 * L.
  double subrow_fraction = 0.25;
};

// Valid ranges of the constants (docs/config.md), checked where a SangerConfig is loaded (the
// config's `sanger` section, the accelerator's parameters). They keep every product of the F.1
// formula finite and every integer in range.
inline constexpr double kSangerMaxPes = 65536;  // pe_rows, pe_cols, pes_per_row
inline constexpr double kSangerMaxBytesPerValue = 64;
inline constexpr double kMinClockHz = 1e3;  // any accelerator or scheduler clock
inline constexpr double kMaxClockHz = 1e12;
inline constexpr double kSangerMinBandwidth = 1e-3;  // GB/s
inline constexpr double kSangerMaxBandwidth = 1e6;
inline constexpr double kSangerMaxHidden = 1048576;
inline constexpr double kSangerMaxSeqLen = 16777216;

// Latency in seconds of one attention layer with attention `density` (fraction of attention
// entries kept, in (0, 1]) and PE `load_balance` (utilisation, in (0, 1]), at L = config.seq_len.
// Evaluated in the artifact's operation order so results are bit-identical to it (spec F.1;
// bench_sanger_v3.py). Does not validate its arguments.
double sanger_layer_latency_s(double density, double load_balance, const SangerConfig& config);

// The parts of the F.1 formula. `total_s` = linear_s + attention_cycles / clock + projection_s.
struct SangerLatency {
  double linear_s = 0;          // Q, K, V projections
  double attention_cycles = 0;  // Q K^T and S V on the PE array, bandwidth factor included
  double attention_s = 0;       // attention_cycles / clock
  double projection_s = 0;      // output projection
  double total_s = 0;
  double subrows = 0;           // n, sub-rows after pack-and-split
  double bandwidth_factor = 1;  // c
  std::int64_t seq_len = 0;     // L used
};

// F.1 with its parts. Reference semantics: L = config.seq_len whatever the layer's length (Q14)
// and c = 1 if required < available bandwidth else required / available, as the artifact writes
// it; `total_s` equals sanger_layer_latency_s() bit for bit. Corrected semantics: L = `seq_len`
// (the layer's real length, > 0) and c = max(1, required / available) (Q15; see
// docs/accelerators.md). Throws InputError naming `layer` for density or load balance outside
// (0, 1] or a non-positive sequence length.
SangerLatency sanger_latency(double density, double load_balance, std::int64_t seq_len,
                             const SangerConfig& config, Semantics semantics,
                             const std::string& layer = "attention");

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
