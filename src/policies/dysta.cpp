// Dysta and Dysta-naive (spec C.7), the bi-level scheduler of Sparse-DySta (MICRO'23).
//
// For every ready task: R = gamma * Rest (dysta: pattern-aware Rest, live gamma) or Rest
// (dysta_naive: architecture-average Rest, no monitor); urgency U = max(0, slack - R);
// preemption penalty P = (idle / IsoE) / N with N the number of ready tasks. The task with the
// smallest R + beta * (U + P) runs; ties go to the earlier arrival. Same rule in both semantics.
// scores() reports R + beta * (U + P) (smallest wins).
#include "dysta/policy.h"
#include "policies/dysta_rule.h"

namespace dysta {
namespace {

// R: pattern-aware Rest x live gamma (dysta) or architecture-average Rest (dysta_naive).
struct SparseRemaining {
  double operator()(const TaskView& t) const { return t.gamma * t.est_remaining_s; }
};
struct NaiveRemaining {
  double operator()(const TaskView& t) const { return t.est_remaining_s; }
};
struct EstimatedIsolated {
  double operator()(const TaskView& t) const { return t.est_isolated_s; }
};

class Dysta final : public PlainPolicy, public PolicyScores {
 public:
  Dysta(bool sparse, double beta) : sparse_(sparse), beta_(beta) {}

  std::size_t select(const DecisionContext& ctx) override {
    if (sparse_) return detail::dysta_select(ctx, beta_, SparseRemaining{}, EstimatedIsolated{});
    return detail::dysta_select(ctx, beta_, NaiveRemaining{}, EstimatedIsolated{});
  }

  std::unique_ptr<TaskIndex> make_index() const override {
    if (sparse_) return detail::make_dysta_index(beta_, SparseRemaining{}, EstimatedIsolated{});
    return detail::make_dysta_index(beta_, NaiveRemaining{}, EstimatedIsolated{});
  }

  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    if (sparse_) {
      detail::dysta_scores(ctx, beta_, SparseRemaining{}, EstimatedIsolated{}, out);
    } else {
      detail::dysta_scores(ctx, beta_, NaiveRemaining{}, EstimatedIsolated{}, out);
    }
    return true;
  }
  const char* score_meaning() const override {
    return sparse_ ? "R + beta x (U + P) with R = gamma x estimated remaining time (s); smallest "
                     "wins, ties: earliest arrival"
                   : "R + beta x (U + P) with R = estimated remaining time (s); smallest wins, "
                     "ties: earliest arrival";
  }

 private:
  bool sparse_;
  double beta_;
};

const std::vector<ParamSpec> kDystaParams = {
    {"beta", 0.01, "weight of urgency + preemption penalty against the remaining-time estimate", 0,
     1000}};

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
