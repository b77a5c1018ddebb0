// EDF, earliest deadline first (Liu & Layland 1973; Dertouzos 1974: optimal for feasibility on one
// preemptive machine): the task with the smallest absolute deadline (arrival + SLO) runs; ties go
// to the earlier arrival. Uses no latency estimate, so it needs no sparsity awareness.
#include "dysta/policy.h"

namespace dysta {
namespace {

class Edf final : public PlainPolicy, public PolicyScores {
 public:
  // A task's deadline never changes, so it is a valid heap key (policy.h keyed()).
  bool keyed() const override { return true; }
  double key(const TaskView& t) const override { return t.deadline_s; }

  std::size_t select(const DecisionContext& ctx) override {
    std::size_t best = 0;
    for (std::size_t i = 1; i < ctx.tasks.size(); ++i) {
      if (ctx.tasks[best].deadline_s > ctx.tasks[i].deadline_s) best = i;
    }
    return best;
  }

  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) out[i] = ctx.tasks[i].deadline_s;
    return true;
  }
  const char* score_meaning() const override {
    return "absolute deadline (s); smallest wins, ties: earliest arrival";
  }
};

DYSTA_REGISTER_POLICY({"edf",
                       "earliest deadline first (arrival + SLO; no latency estimate)",
                       {false, false},
                       {},
                       [](const ParamValues&, Semantics) { return std::make_unique<Edf>(); }});

}  // namespace
}  // namespace dysta
