// FCFS (spec C.1): the earliest arrival runs; run-to-completion in effect.
#include "dysta/policy.h"

namespace dysta {
namespace {

class Fcfs final : public PlainPolicy, public PolicyScores {
 public:
  // Ready tasks are kept in arrival order, so the earliest arrival (first on ties) is index 0.
  std::size_t select(const DecisionContext&) override { return 0; }
  bool keyed() const override { return true; }
  bool reads_deadlines() const override { return false; }
  double key(const TaskView& t) const override { return t.arrival_s; }

  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) out[i] = key(ctx.tasks[i]);
    return true;
  }
  const char* score_meaning() const override {
    return "arrival time (s); smallest wins, ties: earliest arrival";
  }
};

DYSTA_REGISTER_POLICY({"fcfs",
                       "first come, first served (earliest arrival runs)",
                       {},
                       {},
                       [](const ParamValues&, Semantics) { return std::make_unique<Fcfs>(); }});

}  // namespace
}  // namespace dysta
