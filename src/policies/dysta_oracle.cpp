// Dysta-Oracle (spec C.8): the Dysta rule with the true remaining and isolated latencies of each
// request's input; an upper bound for what a latency predictor can achieve.
#include "dysta/policy.h"
#include "policies/dysta_rule.h"

namespace dysta {
namespace {

struct RealRemaining {
  double operator()(const TaskView& t) const { return t.real_remaining_s; }
};
struct RealIsolated {
  double operator()(const TaskView& t) const { return t.real_isolated_s; }
};

class DystaOracle final : public PlainPolicy, public PolicyScores {
 public:
  explicit DystaOracle(double beta) : beta_(beta) {}

  std::size_t select(const DecisionContext& ctx) override {
    return detail::dysta_select(ctx, beta_, RealRemaining{}, RealIsolated{});
  }

  std::unique_ptr<TaskIndex> make_index() const override {
    return detail::make_dysta_index(beta_, RealRemaining{}, RealIsolated{});
  }

  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    detail::dysta_scores(ctx, beta_, RealRemaining{}, RealIsolated{}, out);
    return true;
  }
  const char* score_meaning() const override {
    return "R + beta x (U + P) with the true remaining (R) and isolated (P) latencies (s); "
           "smallest wins, ties: earliest arrival";
  }

 private:
  double beta_;
};

DYSTA_REGISTER_POLICY({"dysta_oracle",
                       "Dysta with oracle (true) remaining latencies",
                       {.pattern_aware = true, .monitor = false, .oracle = true},
                       {{"beta", 0.01, "weight of urgency + preemption penalty", 0, 1000}},
                       [](const ParamValues& p, Semantics) {
                         return std::make_unique<DystaOracle>(p.at("beta"));
                       }});

}  // namespace
}  // namespace dysta
