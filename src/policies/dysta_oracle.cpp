// Dysta-Oracle (spec C.8): the Dysta rule with the true remaining and isolated latencies of each
// request's input; an upper bound for what a latency predictor can achieve.
#include "dysta/policy.h"

namespace dysta {
namespace {

class DystaOracle final : public Policy {
 public:
  explicit DystaOracle(double beta) : beta_(beta) {}

  std::size_t select(const DecisionContext& ctx) override {
    const double n = static_cast<double>(ctx.tasks.size());
    std::size_t best = 0;
    double best_score = 0;
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      const TaskView& t = ctx.tasks[i];
      const double slack = t.deadline_s - ctx.now_s;
      double urgency = slack - t.real_remaining_s;
      if (urgency < 0) urgency = 0;
      double penalty = (ctx.now_s - t.last_exec_s) / t.real_isolated_s;
      penalty /= n;
      const double score = t.real_remaining_s + beta_ * (urgency + penalty);
      if (i == 0 || best_score > score) {
        best = i;
        best_score = score;
      }
    }
    return best;
  }

 private:
  double beta_;
};

DYSTA_REGISTER_POLICY({"dysta_oracle",
                       "Dysta with oracle (true) remaining latencies",
                       {true, false},
                       {{"beta", 0.01, "weight of urgency + preemption penalty"}},
                       [](const ParamValues& p, Semantics) {
                         return std::make_unique<DystaOracle>(p.at("beta"));
                       }});

}  // namespace
}  // namespace dysta
