// Latency of one attention layer on the Sanger accelerator (spec F.1): the formula the
// Sanger-format profile reader (profile.h) turns a layer's density and load balance into a latency
// with. Part of dysta::core; the accelerator model and mask statistics are in
// dysta/accelerators/sanger.h (dysta::accel).
#pragma once

#include <cstdint>
#include <string>

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

}  // namespace dysta
