// least_work: the eligible device with the least estimated outstanding work, the sum of its
// in-flight requests' remaining latency by the device's per-variant averages
// (DeviceState::outstanding_s); ties go to the lowest device number.
#include "dysta/cluster.h"

namespace dysta {
namespace {

class LeastWork final : public Dispatcher {
 public:
  std::uint32_t choose(const DispatchContext& ctx) override {
    std::uint32_t best = ctx.eligible[0];
    for (const std::uint32_t d : ctx.eligible) {
      if (ctx.devices[d].outstanding_s < ctx.devices[best].outstanding_s) best = d;
    }
    return best;
  }
};

DYSTA_REGISTER_DISPATCHER({"least_work",
                           "least estimated outstanding work (sum of remaining-latency "
                           "estimates; ties: lowest device)",
                           {},
                           [](const ParamValues&, const Cluster&) {
                             return std::make_unique<LeastWork>();
                           }});

}  // namespace
}  // namespace dysta
