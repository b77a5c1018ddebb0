// Dysta and Dysta-naive (spec C.7), the bi-level scheduler of Sparse-DySta (MICRO'23).
//
// For every ready task: R = gamma * Rest (dysta: pattern-aware Rest, live gamma) or Rest
// (dysta_naive: architecture-average Rest, no monitor); urgency U = max(0, slack - R);
// preemption penalty P = (idle / IsoE) / N with N the number of ready tasks. The task with the
// smallest R + beta * (U + P) runs; ties go to the earlier arrival. Same rule in both semantics.
#include "dysta/policy.h"

namespace dysta {
namespace {

class Dysta final : public Policy {
 public:
  Dysta(bool sparse, double beta) : sparse_(sparse), beta_(beta) {}

  std::size_t select(const DecisionContext& ctx) override {
    const double n = static_cast<double>(ctx.tasks.size());
    std::size_t best = 0;
    double best_score = 0;
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      const TaskView& t = ctx.tasks[i];
      const double slack = t.deadline_s - ctx.now_s;
      const double torun = sparse_ ? t.gamma * t.est_remaining_s : t.est_remaining_s;
      double urgency = slack - torun;
      if (urgency < 0) urgency = 0;
      double penalty = (ctx.now_s - t.last_exec_s) / t.est_isolated_s;
      penalty /= n;
      const double score = torun + beta_ * (urgency + penalty);
      if (i == 0 || best_score > score) {
        best = i;
        best_score = score;
      }
    }
    return best;
  }

 private:
  bool sparse_;
  double beta_;
};

const std::vector<ParamSpec> kDystaParams = {
    {"beta", 0.01, "weight of urgency + preemption penalty against the remaining-time estimate"}};

DYSTA_REGISTER_POLICY({"dysta",
                       "Sparse-DySta: pattern-aware estimate x monitored sparsity, plus beta x "
                       "(urgency + preemption penalty)",
                       {true, true},
                       kDystaParams,
                       [](const ParamValues& p, Semantics) {
                         return std::make_unique<Dysta>(true, p.at("beta"));
                       }});
DYSTA_REGISTER_POLICY({"dysta_naive",
                       "Dysta without sparsity awareness (architecture averages, no monitor)",
                       {false, false},
                       kDystaParams,
                       [](const ParamValues& p, Semantics) {
                         return std::make_unique<Dysta>(false, p.at("beta"));
                       }});

}  // namespace
}  // namespace dysta
