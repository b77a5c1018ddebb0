// SDRM3 (Kim et al., arXiv 2212.03414) as implemented in the artifact (spec C.5):
//   MapScore = U + alpha * F, U = min(1, R / slack), F = idle / head,
// with R = Rest (sdrm3) or gamma * Rest (sdrm3_sparse) and head the estimated latency of the next
// layer (scaled by gamma for sdrm3_sparse). The highest MapScore runs.
// reference: U is not clamped below (negative after the deadline, Q6) and the "-1 incumbent"
//   selection of Q5 is kept.
// corrected: U = 1 once the deadline has passed (the task is maximally urgent), a plain argmax,
//   and a zero next-layer estimate gives F = +inf for a waiting task (0 if it just ran).
// scores() reports MapScore (largest wins) in both semantics.
#include <limits>

#include "dysta/policy.h"
#include "policies/incumbent.h"
#include "policies/simd_pair.h"

namespace dysta {
namespace {

class Sdrm3 final : public Policy, public PolicyScores {
 public:
  Sdrm3(bool sparse, double alpha, Semantics semantics)
      : sparse_(sparse), alpha_(alpha), semantics_(semantics) {}

  std::size_t select(const DecisionContext& ctx) override {
    detail::IncumbentArgmax argmax(semantics_);
    const std::size_t count = ctx.tasks.size();
    std::size_t i = 0;
    for (; i + 1 < count; i += 2) {  // the two divisions of two tasks per instruction
      const Terms a = terms(ctx.tasks[i], ctx.now_s), b = terms(ctx.tasks[i + 1], ctx.now_s);
      double ua, ub, fa, fb;
      detail::divide_pair(a.torun, a.slack, b.torun, b.slack, ua, ub);
      detail::divide_pair(a.idle, a.head, b.idle, b.head, fa, fb);
      argmax.offer(i, score(a, ua, fa), ctx.tasks[i], ctx.tasks);
      argmax.offer(i + 1, score(b, ub, fb), ctx.tasks[i + 1], ctx.tasks);
    }
    if (i < count) {
      const Terms a = terms(ctx.tasks[i], ctx.now_s);
      argmax.offer(i, score(a, a.torun / a.slack, a.idle / a.head), ctx.tasks[i], ctx.tasks);
    }
    return argmax.best();
  }

  // MapScore with the scalar divisions (the same IEEE quotients as divide_pair's lanes).
  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      const Terms a = terms(ctx.tasks[i], ctx.now_s);
      out[i] = score(a, a.torun / a.slack, a.idle / a.head);
    }
    return true;
  }
  ScoreOrder score_order() const override { return ScoreOrder::largest_wins; }
  const char* score_meaning() const override {
    return semantics_ == Semantics::reference
               ? "MapScore U + alpha x F; largest wins, with the artifact's -1 incumbent (Q5): a "
                 "task replaces a negative incumbent whatever its score (all negative: the "
                 "latest arrival), an exact tie keeps the incumbent only if it arrived strictly "
                 "earlier"
               : "MapScore U + alpha x F; largest wins, ties: earliest arrival";
  }

 private:
  struct Terms {
    double slack, torun, idle, head;
  };
  Terms terms(const TaskView& t, double now) const {
    return {t.deadline_s - now, sparse_ ? t.gamma * t.est_remaining_s : t.est_remaining_s,
            now - t.last_exec_s, sparse_ ? t.gamma * t.est_next_layer_s : t.est_next_layer_s};
  }
  // MapScore from U = torun / slack and F = idle / head, with the clamps of each semantics.
  double score(const Terms& t, double urgency, double fairness) const {
    if (urgency > 1) urgency = 1;
    if (semantics_ == Semantics::corrected) {
      if (t.slack <= 0) urgency = 1;
      if (!(t.head > 0)) fairness = t.idle > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    }
    return urgency + alpha_ * fairness;
  }

  bool sparse_;
  double alpha_;
  Semantics semantics_;
};

const std::vector<ParamSpec> kSdrm3Params = {
    {"alpha", 1.0, "weight of the fairness term F in MapScore = U + alpha * F", 0, 1000}};

DYSTA_REGISTER_POLICY({"sdrm3",
                       "SDRM3: urgency plus alpha x fairness (arXiv 2212.03414)",
                       {false, false},
                       kSdrm3Params,
                       [](const ParamValues& p, Semantics s) {
                         return std::make_unique<Sdrm3>(false, p.at("alpha"), s);
                       }});
DYSTA_REGISTER_POLICY({"sdrm3_sparse",
                       "SDRM3 with pattern-aware estimates and the monitor's gamma",
                       {true, true},
                       kSdrm3Params,
                       [](const ParamValues& p, Semantics s) {
                         return std::make_unique<Sdrm3>(true, p.at("alpha"), s);
                       }});

}  // namespace
}  // namespace dysta
