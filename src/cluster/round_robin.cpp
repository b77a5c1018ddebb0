// round_robin: the k-th request for a model goes to that model's eligible devices in turn
// (position k mod |eligible|, devices ascending), one counter per model.
#include "dysta/cluster.h"

namespace dysta {
namespace {

class RoundRobin final : public Dispatcher {
 public:
  explicit RoundRobin(const Cluster& cluster) : next_(cluster.catalogue().size(), 0) {}
  std::uint32_t choose(const DispatchContext& ctx) override {
    std::uint64_t& k = next_[ctx.model];
    const std::uint32_t d = ctx.eligible[k % ctx.eligible.size()];
    ++k;
    return d;
  }
  bool oblivious() const override { return true; }

 private:
  std::vector<std::uint64_t> next_;  // per catalogue model
};

DYSTA_REGISTER_DISPATCHER({"round_robin",
                           "each model's requests go to its eligible devices in turn",
                           {},
                           [](const ParamValues&, const Cluster& c) {
                             return std::make_unique<RoundRobin>(c);
                           }});

}  // namespace
}  // namespace dysta
