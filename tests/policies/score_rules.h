// The selection rule each built-in policy documents for its Policy::scores() (score_order() plus
// the tie-break or quirk its score_meaning() names), written independently of src/policies/ so
// tests can check that select() picks the best score.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "dysta/policy.h"

namespace dysta::test {

// The policy's PolicyScores (policy.h), or one without scores (scores() false, no meaning).
inline const PolicyScores& scores_interface(const Policy& policy) {
  static const PolicyScores kNone;
  const PolicyScores* s = policy_scores(policy);
  return s ? *s : kNone;
}

// The index the documented rule picks from `scores` of `tasks` (arrival order).
inline std::size_t best_by_scores(const std::string& policy, Semantics semantics, ScoreOrder order,
                                  std::span<const double> scores, std::span<const TaskView> tasks) {
  const bool reference = semantics == Semantics::reference;
  const bool incumbent = reference && (policy == "planaria" || policy.starts_with("sdrm3"));
  if (incumbent) {
    // Quirk Q5: the incumbent score starts at -1; a task replaces a negative incumbent or one not
    // greater than its score, except on an exact tie with a strictly earlier-arriving incumbent.
    std::size_t best = 0;
    bool has_best = false;
    double best_score = -1;
    for (std::size_t i = 0; i < scores.size(); ++i) {
      if (!(best_score < 0 || best_score <= scores[i])) continue;
      if (has_best && best_score == scores[i] && tasks[best].arrival_s < tasks[i].arrival_s) {
        continue;
      }
      best = i;
      best_score = scores[i];
      has_best = true;
    }
    return best;
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < scores.size(); ++i) {
    const bool better =
        order == ScoreOrder::smallest_wins ? scores[i] < scores[best] : scores[i] > scores[best];
    // corrected Planaria: equal scores go to the earlier deadline (then the earlier arrival).
    const bool deadline_tie = policy == "planaria" && scores[i] == scores[best] &&
                              tasks[i].deadline_s < tasks[best].deadline_s;
    if (better || deadline_tie) best = i;
  }
  return best;
}

}  // namespace dysta::test
