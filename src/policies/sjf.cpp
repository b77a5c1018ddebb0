// SJF (spec C.2): shortest estimated remaining job first. `sjf` estimates from the architecture
// average; `sjf_sparse` from the pattern average scaled by the monitor's gamma. Ties: first.
#include "dysta/policy.h"

namespace dysta {
namespace {

class Sjf final : public PlainPolicy, public PolicyScores {
 public:
  explicit Sjf(bool sparse) : sparse_(sparse) {}

  // gamma and Rest of a task change only when it executes, so the estimate is a valid heap key.
  bool keyed() const override { return true; }
  bool reads_deadlines() const override { return false; }
  double key(const TaskView& t) const override { return estimate(t); }

  std::size_t select(const DecisionContext& ctx) override {
    std::size_t best = 0;
    double shortest = estimate(ctx.tasks[0]);
    for (std::size_t i = 1; i < ctx.tasks.size(); ++i) {
      const double e = estimate(ctx.tasks[i]);
      if (shortest > e) {
        best = i;
        shortest = e;
      }
    }
    return best;
  }

  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) out[i] = estimate(ctx.tasks[i]);
    return true;
  }
  const char* score_meaning() const override {
    return sparse_ ? "gamma x estimated remaining time (s); smallest wins, ties: earliest arrival"
                   : "estimated remaining time (s); smallest wins, ties: earliest arrival";
  }

 private:
  double estimate(const TaskView& t) const {
    return sparse_ ? t.gamma * t.est_remaining_s : t.est_remaining_s;
  }
  bool sparse_;
};

DYSTA_REGISTER_POLICY({"sjf",
                       "shortest estimated remaining time first (architecture average)",
                       {false, false},
                       {},
                       [](const ParamValues&, Semantics) { return std::make_unique<Sjf>(false); }});
DYSTA_REGISTER_POLICY({"sjf_sparse",
                       "SJF with pattern-aware estimates scaled by the sparsity monitor",
                       {true, true},
                       {},
                       [](const ParamValues&, Semantics) { return std::make_unique<Sjf>(true); }});

}  // namespace
}  // namespace dysta
