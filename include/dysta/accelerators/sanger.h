// Sanger sparse-attention accelerator: analytical latency of one attention layer (spec F.1).
#pragma once

namespace dysta {

// Hardware and workload constants of the Sanger latency model. Defaults are the reference
// artifact's values (spec F.1, M).
struct SangerConfig {
  int pe_rows = 64;            // TH
  int pe_cols = 64;            // TW
  int pes_per_row = 16;        // PEs per row used by the linear layers
  int bytes_per_value = 2;     // 16-bit data
  double clock_hz = 1e9;       // 1 GHz
  double bandwidth_gb_s = 128; // off-chip bandwidth, GB/s
  int hidden = 768;            // d (BERT-base width; the artifact uses it for every model)
  int seq_len = 512;           // L (the artifact's default, never overridden; quirk Q14)
};

// Latency in seconds of one attention layer with attention `density` (fraction of attention
// entries kept, in (0, 1]) and PE `load_balance` (utilisation, in (0, 1]). Evaluated in the
// artifact's operation order so results are bit-identical to it (spec F.1; bench_sanger_v3.py).
double sanger_layer_latency_s(double density, double load_balance, const SangerConfig& config);

}  // namespace dysta
