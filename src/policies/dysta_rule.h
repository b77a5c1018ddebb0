// The Dysta selection rule shared by dysta, dysta_naive and dysta_oracle (spec C.7, C.8).
#pragma once

#include <cstddef>

#include "dysta/policy.h"

namespace dysta::detail {

// For every ready task: R = remaining(t), U = max(0, slack - R), P = (idle / isolated(t)) / N;
// returns the first task minimising R + beta * (U + P). Operation order follows the artifact so
// reference runs are bit-exact.
template <typename Remaining, typename Isolated>
std::size_t dysta_select(const DecisionContext& ctx, double beta, Remaining remaining,
                         Isolated isolated) {
  const double n = static_cast<double>(ctx.tasks.size());
  std::size_t best = 0;
  double best_score = 0;
  for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
    const TaskView& t = ctx.tasks[i];
    const double slack = t.deadline_s - ctx.now_s;
    const double torun = remaining(t);
    double urgency = slack - torun;
    if (urgency < 0) urgency = 0;
    double penalty = (ctx.now_s - t.last_exec_s) / isolated(t);
    penalty /= n;
    const double score = torun + beta * (urgency + penalty);
    if (i == 0 || best_score > score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

}  // namespace dysta::detail
