// Planaria (Ghodrati et al., MICRO'20) on one accelerator without spatial fission (spec C.4):
// score = priority / slack with slack = deadline - now (resource estimate fixed to 1); the
// highest score runs. reference keeps the artifact's "-1 incumbent" selection (Q5); corrected is
// a plain argmax (IEEE division: zero slack gives an infinite score, so that task runs).
#include "dysta/policy.h"
#include "policies/incumbent.h"

namespace dysta {
namespace {

class Planaria final : public Policy {
 public:
  explicit Planaria(Semantics semantics) : semantics_(semantics) {}

  std::size_t select(const DecisionContext& ctx) override {
    detail::IncumbentArgmax argmax(semantics_);
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      const TaskView& t = ctx.tasks[i];
      const double slack = t.deadline_s - ctx.now_s;
      argmax.offer(i, t.priority / slack, t, ctx.tasks);
    }
    return argmax.best();
  }

 private:
  Semantics semantics_;
};

DYSTA_REGISTER_POLICY({"planaria",
                       "Planaria: highest priority per unit of slack (MICRO'20)",
                       {false, false},
                       {},
                       [](const ParamValues&, Semantics s) {
                         return std::make_unique<Planaria>(s);
                       }});

}  // namespace
}  // namespace dysta
