// random: a uniformly drawn eligible device, eligible[randint(0, |eligible| - 1)] with the
// CPython-compatible generator seeded by the parameter `seed` (independent of the workload seed).
#include "dysta/cluster.h"
#include "dysta/py_random.h"

namespace dysta {
namespace {

class RandomDispatch final : public Dispatcher {
 public:
  explicit RandomDispatch(std::uint64_t seed) : rng_(seed) {}
  std::uint32_t choose(const DispatchContext& ctx) override {
    const auto n = static_cast<std::int64_t>(ctx.eligible.size());
    return ctx.eligible[static_cast<std::size_t>(rng_.randint(0, n - 1))];
  }
  bool oblivious() const override { return true; }

 private:
  PyRandom rng_;
};

DYSTA_REGISTER_DISPATCHER(
    {"random",
     "a uniformly random eligible device (seeded)",
     {{"seed", 1, "seed of the dispatcher's generator", 0, 9007199254740992.0, true}},
     [](const ParamValues& p, const Cluster&) {
       return std::make_unique<RandomDispatch>(static_cast<std::uint64_t>(p.at("seed")));
     }});

}  // namespace
}  // namespace dysta
