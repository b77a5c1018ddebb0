// PREMA (Choi & Rhu, HPCA'20) as a layer-preemptive single-accelerator policy (spec C.3).
//
// Tokens start at the task's priority and grow with its normalised waiting time; the threshold
// is the highest priority level not above the largest token (levels 1, 3, 9); among tasks with
// token >= threshold the shortest estimated remaining job runs (ties: first).
//
// reference: every decision adds p * (whole idle time since the task last ran) / D to the token
//   (so waiting tasks' tokens grow super-linearly, Q4); a task initialised in this decision does
//   not enter the maximum; prema_sparse multiplies every candidate's estimate by the gamma of the
//   last ready task (Q3).
// corrected: tokens grow by p * (waiting time since the previous decision) / D, as in the PREMA
//   paper; every task enters the maximum; each candidate uses its own gamma.
// D = estimated isolated latency (prema) or gamma x estimated isolated latency (prema_sparse).
#include <algorithm>

#include "dysta/policy.h"
#include "policies/simd_pair.h"

namespace dysta {
namespace {

class Prema final : public Policy {
 public:
  Prema(bool sparse, Semantics semantics) : sparse_(sparse), semantics_(semantics) {}

  std::size_t select(const DecisionContext& ctx) override {
    const bool reference = semantics_ == Semantics::reference;
    double max_token = 0;
    auto accrue = [&](std::size_t i, double slowdown) {
      double& token = ctx.state[i].token;
      if (token < 0) {
        token = ctx.tasks[i].priority;
        if (reference) return;
      } else {
        token += ctx.tasks[i].priority * slowdown;
      }
      max_token = std::max(max_token, token);  // (max < token) ? token : max, branch-free
    };
    const std::size_t count = ctx.tasks.size();
    std::size_t i = 0;
    for (; i + 1 < count; i += 2) {  // two slowdown divisions per instruction
      double sa, sb;
      detail::divide_pair(idle(ctx.tasks[i], ctx.now_s, reference), denominator(ctx.tasks[i]),
                          idle(ctx.tasks[i + 1], ctx.now_s, reference),
                          denominator(ctx.tasks[i + 1]), sa, sb);
      accrue(i, sa);
      accrue(i + 1, sb);
    }
    if (i < count) {
      accrue(i, idle(ctx.tasks[i], ctx.now_s, reference) / denominator(ctx.tasks[i]));
    }
    last_decision_s_ = ctx.now_s;
    const double threshold = max_token >= 9 ? 9 : (max_token >= 3 ? 3 : 1);

    const double last_gamma = ctx.tasks.back().gamma;  // Q3 (reference only)
    std::size_t best = ctx.tasks.size();
    double shortest = -1;
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      if (!(ctx.state[i].token >= threshold)) continue;
      const TaskView& t = ctx.tasks[i];
      double estimate = t.est_remaining_s;
      if (sparse_) estimate = (reference ? last_gamma : t.gamma) * t.est_remaining_s;
      if (best == ctx.tasks.size() || shortest > estimate) {
        best = i;
        shortest = estimate;
      }
    }
    // The task holding the maximum token always qualifies; this guards against NaN tokens.
    return best == ctx.tasks.size() ? 0 : best;
  }

 private:
  // Waiting time credited at this decision (whole idle time in reference, Q4).
  double idle(const TaskView& t, double now, bool reference) const {
    return now - (reference ? t.last_exec_s : std::max(t.last_exec_s, last_decision_s_));
  }
  double denominator(const TaskView& t) const {
    return sparse_ ? t.gamma * t.est_isolated_s : t.est_isolated_s;
  }

  bool sparse_;
  Semantics semantics_;
  double last_decision_s_ = 0;
};

DYSTA_REGISTER_POLICY({"prema",
                       "PREMA token-based preemptive scheduling (HPCA'20)",
                       {false, false},
                       {},
                       [](const ParamValues&, Semantics s) {
                         return std::make_unique<Prema>(false, s);
                       }});
DYSTA_REGISTER_POLICY({"prema_sparse",
                       "PREMA with pattern-aware estimates and the sparsity monitor's gamma",
                       {true, true},
                       {},
                       [](const ParamValues&, Semantics s) {
                         return std::make_unique<Prema>(true, s);
                       }});

}  // namespace
}  // namespace dysta
