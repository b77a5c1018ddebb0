// jsq (join the shortest queue): the eligible device with the fewest requests in flight; ties go
// to the lowest device number.
#include "dysta/cluster.h"

namespace dysta {
namespace {

class Jsq final : public Dispatcher {
 public:
  std::uint32_t choose(const DispatchContext& ctx) override {
    std::uint32_t best = ctx.eligible[0];
    for (const std::uint32_t d : ctx.eligible) {
      if (ctx.devices[d].in_flight < ctx.devices[best].in_flight) best = d;
    }
    return best;
  }
};

DYSTA_REGISTER_DISPATCHER({"jsq",
                           "join the shortest queue: fewest requests in flight (ties: lowest "
                           "device)",
                           {},
                           [](const ParamValues&, const Cluster&) {
                             return std::make_unique<Jsq>();
                           }});

}  // namespace
}  // namespace dysta
