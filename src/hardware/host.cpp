#include "dysta/hardware/host.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "dysta/error.h"

namespace dysta::hw {

namespace {
unsigned bits_for(std::size_t count) {
  return std::max(1u, static_cast<unsigned>(std::bit_width(count > 0 ? count - 1 : 0)));
}
}  // namespace

HwConfig fit_config(const ProfileSet& profiles, HwConfig config) {
  config.slot_bits = bits_for(profiles.size());
  config.layer_bits = bits_for(profiles.max_layers());
  config.validate();
  return config;
}

unsigned auto_time_shift(const ProfileSet& profiles, const HwConfig& config, double clock_hz) {
  double longest = 0;
  for (const VariantProfile& v : profiles.variants()) {
    if (!v.est_remaining_pattern_s.empty()) {
      longest = std::max(longest, v.est_remaining_pattern_s.front());
    }
  }
  const double cycles = longest * clock_hz;
  if (!(cycles >= 1)) return 0;
  const int unit = static_cast<int>(std::lround(std::log2(cycles)));
  return static_cast<unsigned>(std::clamp(unit - config.q().frac_bits, 0, 63));
}

HostProgram make_host_program(const ProfileSet& profiles, const HwConfig& config,
                              const HostParams& params) {
  if (!(params.clock_hz > 0)) throw InputError("", 0, "clock_hz", "must be > 0");
  if (!(params.layer_outputs >= 1)) throw InputError("", 0, "layer_outputs", "must be >= 1");
  if (params.time_shift > 63) throw InputError("", 0, "time_shift", "must be in -1..63");
  if (profiles.size() > (std::size_t{1} << config.slot_bits)) {
    throw InputError("", 0, "slot_bits",
                     std::to_string(profiles.size()) + " variants do not fit the lookup tables");
  }
  if (profiles.max_layers() > (std::size_t{1} << config.layer_bits)) {
    throw InputError(
        "", 0, "layer_bits",
        std::to_string(profiles.max_layers()) + " layers do not fit the lookup tables");
  }
  const FloatFormat fp = config.fp();
  const QFormat q = config.q();
  HostProgram prog;
  prog.time_shift = params.time_shift >= 0 ? static_cast<unsigned>(params.time_shift)
                                           : auto_time_shift(profiles, config, params.clock_hz);
  // Seconds per Q unit (2^(shift + F) cycles).
  const double unit_s =
      std::ldexp(1.0, static_cast<int>(prog.time_shift) + q.frac_bits) / params.clock_hz;
  CommandList& c = prog.commands;
  c.emplace_back(HostCommand::set_time_shift, prog.time_shift);
  c.emplace_back(HostCommand::set_beta, fp_from_double(fp, params.beta));
  for (std::uint32_t n = 1; n <= config.depth(); ++n) {
    c.emplace_back(HostCommand::lut_recip, cmd::recip_entry(fp_recip(fp, n), n - 1));
  }
  const std::uint32_t inv_out = fp_from_double(fp, 1.0 / params.layer_outputs);
  for (std::uint32_t slot = 0; slot < profiles.size(); ++slot) {
    const VariantProfile& v = profiles.variant(slot);
    // The software rule adds the dimensionless penalty to seconds (spec C.7); in Q units of
    // unit_s seconds that is P / unit_s, folded into this entry.
    const double iso_units = v.est_remaining_pattern_s.front() / unit_s;
    const std::uint32_t inv_iso =
        iso_units > 0 ? fp_from_double(fp, 1.0 / (iso_units * unit_s)) : 0;
    c.emplace_back(HostCommand::lut_inv_isolated, cmd::slot_entry(inv_iso, slot));
    for (std::uint32_t k = 0; k < v.num_layers; ++k) {
      const double density = 1.0 - v.avg_sparsity[k];
      const std::uint32_t rest = fp_from_double(fp, v.est_remaining_pattern_s[k] / unit_s);
      const std::uint32_t inv_density = density > 0 ? fp_from_double(fp, 1.0 / density) : 0;
      c.emplace_back(HostCommand::lut_rest, cmd::lut_entry(rest, slot, k));
      c.emplace_back(HostCommand::lut_inv_density, cmd::lut_entry(inv_density, slot, k));
      c.emplace_back(HostCommand::lut_inv_outputs, cmd::lut_entry(inv_out, slot, k));
    }
  }
  return prog;
}

std::uint64_t to_cycles(double seconds, double clock_hz, unsigned time_bits) {
  const double max = std::ldexp(1.0, static_cast<int>(time_bits)) - 1;
  const double c = std::floor(seconds * clock_hz);
  if (!(c > 0)) return 0;
  return c >= max ? static_cast<std::uint64_t>(max) : static_cast<std::uint64_t>(c);
}

std::uint64_t nonzeros(double sparsity, double outputs) {
  const double d = std::clamp(1.0 - sparsity, 0.0, 1.0);
  return static_cast<std::uint64_t>(std::llround(d * outputs));
}

}  // namespace dysta::hw
