// model_affinity: each model pinned to a subset of its eligible devices, `replicas` of them
// starting at position (k x replicas) mod |eligible| (wrapping; all of them when replicas >=
// |eligible|), where k is the model's rank in catalogue order among the models with the same
// eligible devices (so models sharing a pool get consecutive subsets); within the subset, round
// robin per model. Keeps each device's mix of models small.
#include <algorithm>

#include "dysta/cluster.h"

namespace dysta {
namespace {

class ModelAffinity final : public Dispatcher {
 public:
  ModelAffinity(const Cluster& cluster, std::size_t replicas)
      : replicas_(replicas), next_(cluster.catalogue().size(), 0), rank_(next_.size(), 0) {
    for (std::size_t m = 0; m < rank_.size(); ++m) {
      const auto mine = cluster.eligible(m);
      for (std::size_t o = 0; o < m; ++o) {
        const auto other = cluster.eligible(o);
        if (std::equal(mine.begin(), mine.end(), other.begin(), other.end())) ++rank_[m];
      }
    }
  }
  std::uint32_t choose(const DispatchContext& ctx) override {
    const std::size_t n = ctx.eligible.size();
    const std::size_t size = std::min(replicas_, n);
    const std::size_t first = (rank_[ctx.model] * replicas_) % n;
    std::uint64_t& k = next_[ctx.model];
    const std::uint32_t d = ctx.eligible[(first + k % size) % n];
    ++k;
    return d;
  }
  bool oblivious() const override { return true; }

 private:
  std::size_t replicas_;
  std::vector<std::uint64_t> next_;
  std::vector<std::size_t> rank_;  // per catalogue model
};

DYSTA_REGISTER_DISPATCHER({"model_affinity",
                           "each model pinned to `replicas` of its devices, round robin among them",
                           {{"replicas", 2, "devices per model", 1, 1e6, true}},
                           [](const ParamValues& p, const Cluster& c) {
                             return std::make_unique<ModelAffinity>(
                                 c, static_cast<std::size_t>(p.at("replicas")));
                           }});

}  // namespace
}  // namespace dysta
