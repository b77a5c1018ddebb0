// SDRM3 (Kim et al., arXiv 2212.03414) as implemented in the artifact (spec C.5):
//   MapScore = U + alpha * F, U = min(1, R / slack), F = idle / head,
// with R = Rest (sdrm3) or gamma * Rest (sdrm3_sparse) and head the estimated latency of the next
// layer (scaled by gamma for sdrm3_sparse). The highest MapScore runs.
// reference: U is not clamped below (negative after the deadline, Q6) and the "-1 incumbent"
//   selection of Q5 is kept.
// corrected: U = 1 once the deadline has passed (the task is maximally urgent), a plain argmax,
//   and a zero next-layer estimate gives F = +inf for a waiting task (0 if it just ran).
// scores() reports MapScore (largest wins) in both semantics.
#include <memory>

#include "dysta/policy.h"
#include "policies/sdrm3_index.h"
#include "policies/sdrm3_rule.h"

namespace dysta {
namespace {

class Sdrm3 final : public PlainPolicy, public PolicyScores {
 public:
  Sdrm3(bool sparse, double alpha, Semantics semantics)
      : sparse_(sparse), alpha_(alpha), semantics_(semantics) {}

  std::size_t select(const DecisionContext& ctx) override {
    return detail::sdrm3_select(ctx, alpha_, sparse_, semantics_);
  }

  // Both semantics: Sdrm3Index (sdrm3_index.h), the same choices without scoring every task of a
  // long queue (late tasks bucketed by head; the -1 incumbent of Q5 and the negative U of Q6 in
  // the reference semantics).
  std::unique_ptr<TaskIndex> make_index() const override {
    if (!(alpha_ >= 0)) return nullptr;
    return std::make_unique<detail::Sdrm3Index>(alpha_, sparse_, semantics_);
  }

  // MapScore with the scalar divisions (the same IEEE quotients as divide_pair's lanes).
  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    const bool corrected = semantics_ == Semantics::corrected;
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      const detail::Sdrm3Terms a = detail::sdrm3_terms(ctx.tasks[i], ctx.now_s, sparse_);
      out[i] = detail::sdrm3_map_score(a.slack, a.idle, a.head, a.torun / a.slack, a.idle / a.head,
                                       alpha_, corrected);
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
