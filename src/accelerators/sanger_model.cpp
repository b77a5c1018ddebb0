// The Sanger model behind the AcceleratorModel interface (spec F.1).
#include <cmath>

#include "dysta/accelerators/model.h"
#include "dysta/accelerators/sanger.h"
#include "dysta/error.h"

namespace dysta {
namespace {

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

DYSTA_REGISTER_ACCELERATOR(
    {"sanger",
     "Sanger sparse-attention accelerator, analytical latency per attention layer (spec F.1)",
     sanger_param_specs(), ArtifactCsv::sanger_stats, "sanger",
     [](const ParamValues& p, Semantics semantics) -> std::unique_ptr<AcceleratorModel> {
       const SangerConfig c = sanger_config(p, "accelerator_params.");
       return std::make_unique<SangerModel>(c, semantics);
     }});

}  // namespace
}  // namespace dysta
