// The Sanger model behind the AcceleratorModel interface (spec F.1).
#include <cmath>

#include "dysta/accelerators/model.h"
#include "dysta/accelerators/sanger.h"
#include "dysta/error.h"

namespace dysta {
namespace {

int positive_int(const ParamValues& p, const std::string& name) {
  const double v = p.at(name);
  if (!(v >= 1 && v == std::floor(v) && v < 1e9)) {
    throw InputError("", 0, "accelerator_params." + name,
                     "must be a positive integer for accelerator 'sanger'");
  }
  return static_cast<int>(v);
}

double positive(const ParamValues& p, const std::string& name) {
  const double v = p.at(name);
  if (!(v > 0 && std::isfinite(v))) {
    throw InputError("", 0, "accelerator_params." + name,
                     "must be positive for accelerator 'sanger'");
  }
  return v;
}

class SangerModel final : public AcceleratorModel {
 public:
  SangerModel(const SangerConfig& config, Semantics semantics)
      : config_(config), semantics_(semantics) {}

  std::string name() const override { return "sanger"; }
  bool supports(LayerType type) const override { return type == LayerType::attention; }

  LayerLatency latency(const LayerInput& layer) const override {
    if (layer.type != LayerType::attention) {
      throw InputError(
          "", 0, layer.name + ".type",
          "accelerator 'sanger' models attention layers only, not " + to_string(layer.type));
    }
    const AttentionStats& a = layer.attention;
    const SangerLatency s =
        sanger_latency(a.density, a.load_balance, a.seq_len, config_, semantics_, layer.name);
    LayerLatency out;
    out.seconds = s.total_s;
    out.cycles = s.total_s * config_.clock_hz;
    out.breakdown = {{"qkv_linear", s.linear_s * config_.clock_hz},
                     {"attention", s.attention_cycles},
                     {"output_projection", s.projection_s * config_.clock_hz}};
    return out;
  }

 private:
  SangerConfig config_;
  Semantics semantics_;
};

const SangerConfig kDefaults;

DYSTA_REGISTER_ACCELERATOR(
    {"sanger",
     "Sanger sparse-attention accelerator, analytical latency per attention layer (spec F.1)",
     {{"pe_rows", static_cast<double>(kDefaults.pe_rows), "TH, PE array rows", 1, kSangerMaxPes,
       true},
      {"pe_cols", static_cast<double>(kDefaults.pe_cols), "TW, PE array columns", 1, kSangerMaxPes,
       true},
      {"pes_per_row", static_cast<double>(kDefaults.pes_per_row), "PEs per row in linear layers", 1,
       kSangerMaxPes, true},
      {"bytes_per_value", static_cast<double>(kDefaults.bytes_per_value), "data width, bytes", 1,
       kSangerMaxBytesPerValue, true},
      {"clock_hz", kDefaults.clock_hz, "clock frequency, Hz", kMinClockHz, kMaxClockHz},
      {"bandwidth_gb_s", kDefaults.bandwidth_gb_s, "off-chip bandwidth, GB/s", kSangerMinBandwidth,
       kSangerMaxBandwidth},
      {"hidden", static_cast<double>(kDefaults.hidden), "hidden width d", 1, kSangerMaxHidden,
       true},
      {"seq_len", static_cast<double>(kDefaults.seq_len),
       "L used in reference semantics for every layer (Q14)", 1, kSangerMaxSeqLen, true},
      {"subrow_fraction", kDefaults.subrow_fraction, "row fraction one sub-row holds", 1e-6, 1}},
     ArtifactCsv::sanger_stats,
     "sanger",
     [](const ParamValues& p, Semantics semantics) -> std::unique_ptr<AcceleratorModel> {
       SangerConfig c;
       c.pe_rows = positive_int(p, "pe_rows");
       c.pe_cols = positive_int(p, "pe_cols");
       c.pes_per_row = positive_int(p, "pes_per_row");
       c.bytes_per_value = positive_int(p, "bytes_per_value");
       c.clock_hz = positive(p, "clock_hz");
       c.bandwidth_gb_s = positive(p, "bandwidth_gb_s");
       c.hidden = positive_int(p, "hidden");
       c.seq_len = positive_int(p, "seq_len");
       c.subrow_fraction = positive(p, "subrow_fraction");
       return std::make_unique<SangerModel>(c, semantics);
     }});

}  // namespace
}  // namespace dysta
