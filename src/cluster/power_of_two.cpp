// power_of_two: two distinct eligible devices drawn uniformly (randint for the first, then
// randint over the remaining |eligible| - 1 for the second), the one with fewer requests in flight
// wins; ties go to the lower device number. One eligible device: it, without a draw.
// Mitzenmacher, "The power of two choices in randomized load balancing", IEEE TPDS 2001.
#include "dysta/cluster.h"
#include "dysta/py_random.h"

namespace dysta {
namespace {

class PowerOfTwo final : public Dispatcher {
 public:
  explicit PowerOfTwo(std::uint64_t seed) : rng_(seed) {}
  std::uint32_t choose(const DispatchContext& ctx) override {
    const auto n = static_cast<std::int64_t>(ctx.eligible.size());
    if (n == 1) return ctx.eligible[0];
    const std::int64_t i = rng_.randint(0, n - 1);
    std::int64_t j = rng_.randint(0, n - 2);
    if (j >= i) ++j;
    std::uint32_t a = ctx.eligible[static_cast<std::size_t>(i)];
    std::uint32_t b = ctx.eligible[static_cast<std::size_t>(j)];
    if (b < a) std::swap(a, b);
    return ctx.devices[b].in_flight < ctx.devices[a].in_flight ? b : a;
  }

 private:
  PyRandom rng_;
};

DYSTA_REGISTER_DISPATCHER(
    {"power_of_two",
     "two random eligible devices, the one with fewer requests in flight (seeded)",
     {{"seed", 1, "seed of the dispatcher's generator", 0, 9007199254740992.0, true}},
     [](const ParamValues& p, const Cluster&) {
       return std::make_unique<PowerOfTwo>(static_cast<std::uint64_t>(p.at("seed")));
     }});

}  // namespace
}  // namespace dysta
