// The Eyeriss-V2 model behind the AcceleratorModel interface (spec F.3).
#include <cmath>

#include "dysta/accelerators/eyeriss_v2.h"
#include "dysta/accelerators/model.h"
#include "dysta/accelerators/sanger.h"
#include "dysta/error.h"

namespace dysta {
namespace {

constexpr double kMaxHwCount = 1e8;  // any count or width of the model (docs/config.md)

double positive(const ParamValues& p, const std::string& name, bool integer) {
  const double v = p.at(name);
  if (!(v > 0 && std::isfinite(v)) || (integer && (v != std::floor(v) || v >= 1e9))) {
    throw InputError("", 0, "accelerator_params." + name,
                     std::string("must be a positive ") + (integer ? "integer" : "number") +
                         " for accelerator 'eyeriss_v2'");
  }
  return v;
}

class EyerissV2Model final : public AcceleratorModel {
 public:
  EyerissV2Model(const EyerissV2Config& config, Semantics semantics)
      : config_(config), semantics_(semantics) {}

  std::string name() const override { return "eyeriss_v2"; }
  bool supports(LayerType type) const override { return type != LayerType::attention; }

  LayerLatency latency(const LayerInput& layer) const override {
    if (layer.activation == nullptr) {
      throw InputError("", 0, layer.name + ".activation", "missing activation mask");
    }
    if (layer.weights == nullptr) {
      throw InputError("", 0, layer.name + ".weights", "missing weight mask");
    }
    const EyerissV2Result r = eyeriss_v2_simulate(layer.shape, *layer.activation, *layer.weights,
                                                  config_, semantics_, layer.name);
    const double pes = config_.pe_count();
    const auto& m = r.mapping;
    const double lookups = static_cast<double>(config_.lookup_cycles * m.M1 * m.S1 * m.M2 * m.S2) *
                           static_cast<double>(r.nonempty_columns);
    LayerLatency out;
    out.seconds = r.latency_s;
    out.cycles = static_cast<double>(r.cycles);
    // Work per PE; the three terms add up to `cycles` before its floor.
    out.breakdown = {{"effectual_macs", static_cast<double>(config_.mac_cycles) *
                                            static_cast<double>(r.effectual_macs) / pes},
                     {"iact_address_checks", static_cast<double>(r.address_checks) / pes},
                     {"weight_address_lookups", lookups / pes}};
    return out;
  }

 private:
  EyerissV2Config config_;
  Semantics semantics_;
};

const EyerissV2Config kDefaults;

DYSTA_REGISTER_ACCELERATOR(
    {"eyeriss_v2",
     "Eyeriss-V2 sparse CNN accelerator, cycle model from activation and weight masks (spec F.3)",
     {{"pe_rows", static_cast<double>(kDefaults.pe_rows), "PE cluster rows", 1, kMaxHwCount, true},
      {"pe_cols", static_cast<double>(kDefaults.pe_cols), "PE cluster columns", 1, kMaxHwCount,
       true},
      {"cluster_rows", static_cast<double>(kDefaults.cluster_rows), "cluster array rows", 1,
       kMaxHwCount, true},
      {"cluster_cols", static_cast<double>(kDefaults.cluster_cols), "cluster array columns", 1,
       kMaxHwCount, true},
      {"clock_hz", kDefaults.clock_hz, "clock frequency, Hz", kMinClockHz, kMaxClockHz},
      {"iact_bits", static_cast<double>(kDefaults.iact_bits), "activation width, bits", 1,
       kMaxHwCount, true},
      {"iact_spad_height", static_cast<double>(kDefaults.iact_spad_height),
       "iact scratch-pad entries", 1, kMaxHwCount, true},
      {"iact_glb_bits", static_cast<double>(kDefaults.iact_glb_bits), "iact GLB size, bits", 1,
       kMaxHwCount, true},
      {"max_m0", static_cast<double>(kDefaults.max_m0), "cap on M0", 1, kMaxHwCount, true},
      {"mac_cycles", static_cast<double>(kDefaults.mac_cycles), "cycles per effectual MAC", 1,
       kMaxHwCount, true},
      {"lookup_cycles", static_cast<double>(kDefaults.lookup_cycles),
       "cycles per non-empty iact column", 1, kMaxHwCount, true}},
     ArtifactCsv::sim_lat,
     "eyerissv2",
     [](const ParamValues& p, Semantics semantics) -> std::unique_ptr<AcceleratorModel> {
       EyerissV2Config c;
       c.pe_rows = static_cast<int>(positive(p, "pe_rows", true));
       c.pe_cols = static_cast<int>(positive(p, "pe_cols", true));
       c.cluster_rows = static_cast<int>(positive(p, "cluster_rows", true));
       c.cluster_cols = static_cast<int>(positive(p, "cluster_cols", true));
       c.clock_hz = positive(p, "clock_hz", false);
       c.iact_bits = static_cast<int>(positive(p, "iact_bits", true));
       c.iact_spad_height = static_cast<int>(positive(p, "iact_spad_height", true));
       c.iact_glb_bits = static_cast<std::int64_t>(positive(p, "iact_glb_bits", true));
       c.max_m0 = static_cast<int>(positive(p, "max_m0", true));
       c.mac_cycles = static_cast<int>(positive(p, "mac_cycles", true));
       c.lookup_cycles = static_cast<int>(positive(p, "lookup_cycles", true));
       return std::make_unique<EyerissV2Model>(c, semantics);
     }});

}  // namespace
}  // namespace dysta
