// Dysta and Dysta-naive (spec C.7), the bi-level scheduler of Sparse-DySta (MICRO'23).
//
// For every ready task: R = gamma * Rest (dysta: pattern-aware Rest, live gamma) or Rest
// (dysta_naive: architecture-average Rest, no monitor); urgency U = max(0, slack - R);
// preemption penalty P = (idle / IsoE) / N with N the number of ready tasks. The task with the
// smallest R + beta * (U + P) runs; ties go to the earlier arrival. Same rule in both semantics.
#include "dysta/policy.h"
#include "policies/dysta_rule.h"

namespace dysta {
namespace {

class Dysta final : public Policy {
 public:
  Dysta(bool sparse, double beta) : sparse_(sparse), beta_(beta) {}

  std::size_t select(const DecisionContext& ctx) override {
    if (sparse_) {
      return detail::dysta_select(
          ctx, beta_, [](const TaskView& t) { return t.gamma * t.est_remaining_s; },
          [](const TaskView& t) { return t.est_isolated_s; });
    }
    return detail::dysta_select(
        ctx, beta_, [](const TaskView& t) { return t.est_remaining_s; },
        [](const TaskView& t) { return t.est_isolated_s; });
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
