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
#include <limits>

#include "dysta/policy.h"
#include "policies/prema_index.h"
#include "policies/prema_reference_index.h"
#include "policies/simd_pair.h"

namespace dysta {
namespace {

class Prema final : public PlainPolicy, public PolicyScores {
 public:
  Prema(bool sparse, Semantics semantics) : sparse_(sparse), semantics_(semantics) {}

  // Tokens, priorities and estimates only (spec C.3).
  bool reads_deadlines() const override { return false; }

  std::size_t select(const DecisionContext& ctx) override {
    const bool reference = semantics_ == Semantics::reference;
    double max_token = 0;
    auto accrue = [&](std::size_t i, double slowdown) {
      double& token = ctx.state[i].token;
      if (accrue_token(token, ctx.tasks[i], slowdown, reference)) {
        max_token = std::max(max_token, token);  // (max < token) ? token : max, branch-free
      }
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
    if (i < count) accrue(i, slowdown(ctx.tasks[i], ctx.now_s, reference));
    last_decision_s_ = ctx.now_s;
    const double threshold = threshold_for(max_token);

    const double last_gamma = ctx.tasks.back().gamma;  // Q3 (reference only)
    std::size_t best = ctx.tasks.size();
    double shortest = -1;
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      if (!(ctx.state[i].token >= threshold)) continue;
      const double e = estimate(ctx.tasks[i], last_gamma, reference);
      if (best == ctx.tasks.size() || shortest > e) {
        best = i;
        shortest = e;
      }
    }
    // The task holding the maximum token always qualifies; this guards against NaN tokens.
    return best == ctx.tasks.size() ? 0 : best;
  }

  // Corrected semantics: PremaIndex (prema_index.h) keeps the tokens and replays them when they
  // may reach the next band. Reference semantics: PremaReferenceIndex (prema_reference_index.h)
  // accrues only the tokens below 9 (Q4: whole idle time), keeps tasks initialised in a decision
  // out of the maximum, handles Q3's product ties and falls back to exact replays on the clock
  // rollback of Q2. Both make exactly select()'s choices.
  std::unique_ptr<TaskIndex> make_index() const override {
    if (semantics_ == Semantics::reference) {
      return std::make_unique<detail::PremaReferenceIndex>(
          sparse_, std::make_unique<Prema>(sparse_, semantics_));
    }
    return std::make_unique<detail::PremaIndex>(sparse_,
                                                std::make_unique<Prema>(sparse_, semantics_));
  }

  // The estimate of every task whose token, after the accrual select() is about to make, reaches
  // the threshold; +inf for the others (not candidates). Tokens are computed, not stored.
  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    const bool reference = semantics_ == Semantics::reference;
    double max_token = 0;
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      double token = ctx.state[i].token;
      if (accrue_token(token, ctx.tasks[i], slowdown(ctx.tasks[i], ctx.now_s, reference),
                       reference)) {
        max_token = std::max(max_token, token);
      }
      out[i] = token;
    }
    const double threshold = threshold_for(max_token);
    const double last_gamma = ctx.tasks.back().gamma;
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      out[i] = out[i] >= threshold ? estimate(ctx.tasks[i], last_gamma, reference)
                                   : std::numeric_limits<double>::infinity();
    }
    return true;
  }
  const char* score_meaning() const override {
    if (!sparse_) {
      return "estimated remaining time (s) if the token after this decision's accrual reaches "
             "the threshold (1, 3, 9), +inf otherwise; smallest wins, ties: earliest arrival";
    }
    return semantics_ == Semantics::reference
               ? "last ready task's gamma x estimated remaining time (s, Q3) if the token after "
                 "this decision's accrual reaches the threshold (1, 3, 9), +inf otherwise; "
                 "smallest wins, ties: earliest arrival"
               : "gamma x estimated remaining time (s) if the token after this decision's "
                 "accrual reaches the threshold (1, 3, 9), +inf otherwise; smallest wins, ties: "
                 "earliest arrival";
  }

 private:
  // This decision's accrual of a task's token; returns whether the token enters the maximum.
  static bool accrue_token(double& token, const TaskView& t, double slowdown, bool reference) {
    if (token < 0) {  // admitted since the last decision
      token = t.priority;
      return !reference;
    }
    token += t.priority * slowdown;
    return true;
  }
  // The highest priority level not above the largest token.
  static double threshold_for(double max_token) {
    return max_token >= 9 ? 9 : (max_token >= 3 ? 3 : 1);
  }
  // Waiting time credited at this decision (whole idle time in reference, Q4).
  double idle(const TaskView& t, double now, bool reference) const {
    return now - (reference ? t.last_exec_s : std::max(t.last_exec_s, last_decision_s_));
  }
  double denominator(const TaskView& t) const {
    return sparse_ ? t.gamma * t.est_isolated_s : t.est_isolated_s;
  }
  double slowdown(const TaskView& t, double now, bool reference) const {
    return idle(t, now, reference) / denominator(t);
  }
  // The candidate's remaining-time estimate (prema_sparse in reference: the last task's gamma).
  double estimate(const TaskView& t, double last_gamma, bool reference) const {
    if (!sparse_) return t.est_remaining_s;
    return (reference ? last_gamma : t.gamma) * t.est_remaining_s;
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
