// The host side of the hardware scheduler: what software computes once per profile set and loads
// through the command port (spec H.5), and the conversions of simulated seconds to cycles.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "dysta/hardware/scheduler_model.h"
#include "dysta/profile.h"

namespace dysta::hw {

// The only routed (placed and timed) clock measured for the RTL; see HostParams::clock_hz.
inline constexpr double kMeasuredClockHz = 56e6;

struct HostParams {
  // Scheduler clock: the routed Fmax of rtl/dysta_scheduler.sv on an iCE40 HX8K (56.71 MHz,
  // icetime after nextpnr-ice40; docs/hardware.md, "Routed timing"), rounded down.
  double clock_hz = kMeasuredClockHz;
  double beta = 0.01;            // spec C.6
  int time_shift = -1;           // Q unit = 2^(time_shift + F) cycles; -1 = auto_time_shift()
  double layer_outputs = 16384;  // output words per layer seen by the non-zero counter
  bool charge_latency = false;   // dysta_hw: charge decision cycles to simulated time
};

using CommandList = std::vector<std::pair<HostCommand, std::uint64_t>>;

// Variant i of the profile set occupies lookup-table slot i.
struct HostProgram {
  unsigned time_shift = 0;
  CommandList commands;  // set_time_shift, set_beta, the 1/N table, then per variant its
                         // inv_isolated and per layer rest, inv_density, inv_outputs
};

// The smallest slot_bits and layer_bits that hold the profile set (at least 1 each).
HwConfig fit_config(const ProfileSet& profiles, HwConfig config);

// The shift that makes one Q time unit the power of two of cycles nearest to the longest
// estimated isolated latency of the profile set (so latencies are O(1) units and deadlines up
// to ~2^(W-F-1) of them fit), clamped to 0..63.
unsigned auto_time_shift(const ProfileSet& profiles, const HwConfig& config, double clock_hz);

// Lookup-table contents: rest = pattern-average remaining latency from each layer (spec B.1) in Q
// units as a float; inv_density = 1 / (1 - average sparsity) (0 if the average density is 0);
// inv_outputs = 1 / layer_outputs; inv_isolated = 1 / (IsoE in units x seconds per unit),
// so that the penalty, dimensionless but added to seconds in the software rule (spec C.7), has the
// same weight in Q units; recip[n-1] = 1/n.
// Throws InputError if the profile set does not fit the configuration.
HostProgram make_host_program(const ProfileSet& profiles, const HwConfig& config,
                              const HostParams& params);

// floor(seconds x clock_hz), clamped to [0, 2^time_bits - 1].
std::uint64_t to_cycles(double seconds, double clock_hz, unsigned time_bits);
// round((1 - sparsity) x outputs): what the non-zero counter reads for a layer's output.
std::uint64_t nonzeros(double sparsity, double outputs);

}  // namespace dysta::hw
