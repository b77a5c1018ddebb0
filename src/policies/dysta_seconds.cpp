// Dysta-seconds: the Dysta rule (spec C.7) with a waiting penalty in seconds, P = W / N, instead
// of the published dimensionless P = (W / IsoE) / N (quirk Q7). R = gamma x Rest (pattern-aware,
// monitored, as `dysta`), U = max(0, slack - R); score R + beta x (U + P), smallest wins, ties go
// to the earlier arrival. Every term is a time, so beta is a pure number. Why: docs/policies.md.
#include "dysta/policy.h"
#include "policies/dysta_rule.h"

namespace dysta {
namespace {

struct SparseRemaining {
  double operator()(const TaskView& t) const { return t.gamma * t.est_remaining_s; }
};
// dysta_rule.h divides the idle time W by isolated(t); a unit divisor leaves P = W / N seconds.
struct UnitDivisor {
  double operator()(const TaskView&) const { return 1.0; }
};

class DystaSeconds final : public PlainPolicy, public PolicyScores {
 public:
  explicit DystaSeconds(double beta) : beta_(beta) {}

  std::size_t select(const DecisionContext& ctx) override {
    return detail::dysta_select(ctx, beta_, SparseRemaining{}, UnitDivisor{});
  }
  std::unique_ptr<TaskIndex> make_index() const override {
    return detail::make_dysta_index(beta_, SparseRemaining{}, UnitDivisor{});
  }
  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    detail::dysta_scores(ctx, beta_, SparseRemaining{}, UnitDivisor{}, out);
    return true;
  }
  const char* score_meaning() const override {
    return "R + beta x (U + W / N) with R = gamma x estimated remaining time, U = max(0, slack - "
           "R), W = time since the task last ran (all s); smallest wins, ties: earliest arrival";
  }

 private:
  double beta_;
};

DYSTA_REGISTER_POLICY({"dysta_seconds",
                       "Dysta with a waiting penalty in seconds (idle / N instead of idle / IsoE "
                       "/ N)",
                       {true, true},
                       {{"beta", 0.01, "weight of urgency + waiting penalty (both in seconds)"}},
                       [](const ParamValues& p, Semantics) {
                         return std::make_unique<DystaSeconds>(p.at("beta"));
                       }});

}  // namespace
}  // namespace dysta
