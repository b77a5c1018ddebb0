// A dense PE array that skips nothing: every MAC of a conv or fc layer costs one PE-cycle, so the
// latency ignores sparsity. A sparsity-unaware baseline, and the one-file template for adding an
// accelerator (docs/accelerators.md).
#include <cmath>

#include "dysta/accelerators/model.h"
#include "dysta/accelerators/sanger.h"
#include "dysta/error.h"

namespace dysta {
namespace {

class DenseArrayModel final : public AcceleratorModel {
 public:
  DenseArrayModel(double pes, double clock_hz) : pes_(pes), clock_hz_(clock_hz) {}

  std::string name() const override { return "dense_array"; }
  bool supports(LayerType type) const override { return type != LayerType::attention; }

  LayerLatency latency(const LayerInput& layer) const override {
    if (!supports(layer.type)) {
      throw InputError("", 0, layer.name + ".type",
                       "accelerator 'dense_array' models conv and fc layers only");
    }
    validate_shape(layer.shape, layer.name);
    // MACs of the dense layer with its real stride and padding; all PEs busy every cycle.
    const double macs = static_cast<double>(layer.shape.dense_macs());
    LayerLatency out;
    out.cycles = std::ceil(macs / pes_);
    out.seconds = out.cycles / clock_hz_;
    out.breakdown = {{"dense_macs", macs / pes_}};
    return out;
  }

 private:
  double pes_, clock_hz_;
};

DYSTA_REGISTER_ACCELERATOR(
    {"dense_array",
     "dense PE array without sparsity support: cycles = dense MACs / PEs (baseline)",
     {{"pes", 192, "processing elements", 1, 1e8, true},
      {"clock_hz", 200e6, "clock frequency, Hz", kMinClockHz, kMaxClockHz}},
     ArtifactCsv::sim_lat,
     "dense_array",
     [](const ParamValues& p, Semantics) -> std::unique_ptr<AcceleratorModel> {
       for (const char* k : {"pes", "clock_hz"}) {
         if (!(p.at(k) > 0 && std::isfinite(p.at(k)))) {
           throw InputError("", 0, std::string("accelerator_params.") + k, "must be positive");
         }
       }
       return std::make_unique<DenseArrayModel>(p.at("pes"), p.at("clock_hz"));
     }});

}  // namespace
}  // namespace dysta
