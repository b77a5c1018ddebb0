#include "dysta/accelerators/sanger.h"

namespace dysta {

double sanger_layer_latency_s(double density, double load_balance, const SangerConfig& c) {
  const double seq_len = c.seq_len;
  const double d = c.hidden;
  // Sub-rows after pack-and-split: n = s / b / 0.25 * L.
  const double num_subrows = density / load_balance / 0.25 * seq_len;
  // Linear-layer throughput in GOP/s: PE rows x PEs per row x (clock in GHz) x 2 ops per MAC.
  const double linear_gops = static_cast<double>(c.pe_rows * c.pes_per_row) * (c.clock_hz / 1e9) * 2;
  const double proj_gops = linear_gops / density * load_balance;
  const double lat_linear = seq_len * d * d * 2 * 3 / 1e9 / linear_gops;  // Q, K, V projections
  const double lat_project = seq_len * d * d * 2 / 1e9 / proj_gops;       // output projection
  // Cycles of one TH x TW output tile: (d + TW) for Q x K^T plus (n + TW) for S x V.
  const double tile_cycles = (d + c.pe_cols) + (num_subrows + c.pe_cols);
  const double strip_cycles = tile_cycles * (seq_len / c.pe_cols);
  // Bandwidth factor (spec F.1): 1 when the required bandwidth is below the available one.
  const double required_bw = c.pe_cols * c.bytes_per_value * c.clock_hz / 1e9;
  const double transfer = required_bw < c.bandwidth_gb_s ? 1.0 : required_bw / c.bandwidth_gb_s;
  const double attention_cycles = (num_subrows / c.pe_rows) * (strip_cycles * transfer);
  return lat_linear + attention_cycles / c.clock_hz + lat_project;
}

}  // namespace dysta
