// SDRM3 (Kim et al., arXiv 2212.03414) as implemented in the artifact (spec C.5):
//   MapScore = U + alpha * F, U = min(1, R / slack), F = idle / head,
// with R = Rest (sdrm3) or gamma * Rest (sdrm3_sparse) and head the estimated latency of the next
// layer (scaled by gamma for sdrm3_sparse). The highest MapScore runs.
// reference: U is not clamped below (negative after the deadline, Q6) and the "-1 incumbent"
//   selection of Q5 is kept.
// corrected: U = 1 once the deadline has passed (the task is maximally urgent), a plain argmax,
//   and a zero next-layer estimate gives F = +inf for a waiting task (0 if it just ran).
#include <limits>

#include "dysta/policy.h"
#include "policies/incumbent.h"

namespace dysta {
namespace {

class Sdrm3 final : public Policy {
 public:
  Sdrm3(bool sparse, double alpha, Semantics semantics)
      : sparse_(sparse), alpha_(alpha), semantics_(semantics) {}

  std::size_t select(const DecisionContext& ctx) override {
    const bool reference = semantics_ == Semantics::reference;
    detail::IncumbentArgmax argmax(semantics_);
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      const TaskView& t = ctx.tasks[i];
      const double slack = t.deadline_s - ctx.now_s;
      const double torun = sparse_ ? t.gamma * t.est_remaining_s : t.est_remaining_s;
      double urgency = torun / slack;
      if (urgency > 1) urgency = 1;
      if (!reference && slack <= 0) urgency = 1;
      const double idle = ctx.now_s - t.last_exec_s;
      const double head = sparse_ ? t.gamma * t.est_next_layer_s : t.est_next_layer_s;
      double fairness = idle / head;
      if (!reference && !(head > 0)) {
        fairness = idle > 0 ? std::numeric_limits<double>::infinity() : 0.0;
      }
      argmax.offer(i, urgency + alpha_ * fairness, t, ctx.tasks);
    }
    return argmax.best();
  }

 private:
  bool sparse_;
  double alpha_;
  Semantics semantics_;
};

const std::vector<ParamSpec> kSdrm3Params = {
    {"alpha", 1.0, "weight of the fairness term F in MapScore = U + alpha * F"}};

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
