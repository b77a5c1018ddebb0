// The least-laxity-first rule shared by llf and llf_sparse (Mok 1983; docs/policies.md).
#pragma once

#include <cstddef>
#include <span>

#include "dysta/policy.h"

namespace dysta::detail {

// Laxity (s) of a task at `now`: (deadline - now) - R, with R = Rest (sparse = false) or
// gamma x Rest (sparse = true). Negative once the task can no longer meet its deadline.
inline double laxity(const TaskView& t, double now, bool sparse) {
  const double remaining = sparse ? t.gamma * t.est_remaining_s : t.est_remaining_s;
  return (t.deadline_s - now) - remaining;
}

// Least laxity first; a strictly smaller laxity replaces the incumbent, so ties go to the
// earlier arrival. scores() reports laxity() itself, smallest wins.
class LeastLaxity final : public Policy {
 public:
  explicit LeastLaxity(bool sparse) : sparse_(sparse) {}

  std::size_t select(const DecisionContext& ctx) override {
    std::size_t best = 0;
    double least = laxity(ctx.tasks[0], ctx.now_s, sparse_);
    for (std::size_t i = 1; i < ctx.tasks.size(); ++i) {
      const double l = laxity(ctx.tasks[i], ctx.now_s, sparse_);
      if (least > l) {
        best = i;
        least = l;
      }
    }
    return best;
  }

  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      out[i] = laxity(ctx.tasks[i], ctx.now_s, sparse_);
    }
    return true;
  }
  const char* score_meaning() const override {
    return sparse_ ? "laxity = deadline - now - gamma x estimated remaining time (s); smallest "
                     "wins, ties: earliest arrival"
                   : "laxity = deadline - now - estimated remaining time (s); smallest wins, "
                     "ties: earliest arrival";
  }

 private:
  bool sparse_;
};

}  // namespace dysta::detail
