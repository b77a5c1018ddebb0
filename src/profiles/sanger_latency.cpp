#include "dysta/sanger_latency.h"

#include <algorithm>
#include <cmath>

#include "dysta/csv.h"
#include "dysta/error.h"

namespace dysta {
namespace {

// Spec F.1 with the artifact's operation order; `seq_len` is L as a double.
SangerLatency evaluate(double density, double load_balance, double seq_len, const SangerConfig& c,
                       bool corrected_bandwidth) {
  SangerLatency out;
  const double d = c.hidden;
  // Sub-rows after pack-and-split: n = s / b / 0.25 * L.
  const double num_subrows = density / load_balance / c.subrow_fraction * seq_len;
  // Linear-layer throughput in GOP/s: PE rows x PEs per row x (clock in GHz) x 2 ops per MAC.
  const double linear_gops =
      static_cast<double>(c.pe_rows * c.pes_per_row) * (c.clock_hz / 1e9) * 2;
  const double proj_gops = linear_gops / density * load_balance;
  const double lat_linear = seq_len * d * d * 2 * 3 / 1e9 / linear_gops;  // Q, K, V projections
  const double lat_project = seq_len * d * d * 2 / 1e9 / proj_gops;       // output projection
  // Cycles of one TH x TW output tile: (d + TW) for Q x K^T plus (n + TW) for S x V.
  const double tile_cycles = (d + c.pe_cols) + (num_subrows + c.pe_cols);
  const double strip_cycles = tile_cycles * (seq_len / c.pe_cols);
  // Bandwidth factor: streaming TW values per cycle must fit the off-chip bandwidth.
  const double required_bw = c.pe_cols * c.bytes_per_value * c.clock_hz / 1e9;
  const double transfer =
      corrected_bandwidth ? std::max(1.0, required_bw / c.bandwidth_gb_s)
                          : (required_bw < c.bandwidth_gb_s ? 1.0 : required_bw / c.bandwidth_gb_s);
  const double attention_cycles = (num_subrows / c.pe_rows) * (strip_cycles * transfer);
  out.linear_s = lat_linear;
  out.attention_cycles = attention_cycles;
  out.attention_s = attention_cycles / c.clock_hz;
  out.projection_s = lat_project;
  out.total_s = lat_linear + attention_cycles / c.clock_hz + lat_project;
  out.subrows = num_subrows;
  out.bandwidth_factor = transfer;
  return out;
}

void check_unit_interval(double v, const std::string& layer, const char* field) {
  if (!(v > 0.0 && v <= 1.0)) {
    throw InputError("", 0, layer + "." + field, "must be in (0, 1], found " + format_double(v));
  }
}

}  // namespace

double sanger_layer_latency_s(double density, double load_balance, const SangerConfig& c) {
  return evaluate(density, load_balance, c.seq_len, c, false).total_s;
}

SangerLatency sanger_latency(double density, double load_balance, std::int64_t seq_len,
                             const SangerConfig& config, Semantics semantics,
                             const std::string& layer) {
  check_unit_interval(density, layer, "density");
  check_unit_interval(load_balance, layer, "load_balance");
  const bool corrected = semantics == Semantics::corrected;
  const std::int64_t L = corrected ? seq_len : config.seq_len;
  if (L <= 0) {
    throw InputError("", 0, layer + ".seq_len",
                     "must be positive (corrected semantics uses the layer's real sequence "
                     "length), found " +
                         std::to_string(L));
  }
  SangerLatency out = evaluate(density, load_balance, static_cast<double>(L), config, corrected);
  out.seq_len = L;
  return out;
}

}  // namespace dysta
