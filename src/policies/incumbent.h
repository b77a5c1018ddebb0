// The artifact's "-1 incumbent" argmax shared by Planaria and SDRM3 (spec C.4, C.5, quirk Q5).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dysta/policy.h"

namespace dysta::detail {

// The reference scan's winner among tasks with the same largest non-negative score (Q5): a tie
// replaces the incumbent unless the incumbent arrived strictly earlier, so the earliest arrival
// time wins and, among equal arrival times, the latest admission (`order`: admission rank). True
// when the candidate (arrival, order) beats the incumbent (best_arrival, best_order). For indexes
// that find the tied tasks in any order (Sdrm3Index, Planaria's reference index).
inline bool reference_tie_prefers(double arrival, std::uint64_t order, double best_arrival,
                                  std::uint64_t best_order) {
  return arrival < best_arrival || (arrival == best_arrival && order > best_order);
}

// Tracks the chosen task while scores are offered in arrival order.
//   reference: the incumbent score starts at -1; a task replaces it when the incumbent is negative
//     or not greater than the task's score, except that an exact tie with an earlier-arriving
//     incumbent keeps the incumbent (all-negative scores therefore pick the last task).
//   corrected: a plain argmax; ties keep the earlier arrival.
class IncumbentArgmax {
 public:
  explicit IncumbentArgmax(Semantics semantics) : reference_(semantics == Semantics::reference) {}

  void offer(std::size_t index, double score, const TaskView& task,
             std::span<const TaskView> tasks) {
    if (reference_) {
      if (best_score_ < 0 || best_score_ <= score) {
        if (has_best_ && best_score_ == score && tasks[best_].arrival_s < task.arrival_s) return;
        set(index, score);
      }
    } else if (!has_best_ || score > best_score_) {
      set(index, score);
    }
  }
  std::size_t best() const { return has_best_ ? best_ : 0; }

 private:
  void set(std::size_t index, double score) {
    best_ = index;
    best_score_ = score;
    has_best_ = true;
  }
  bool reference_;
  bool has_best_ = false;
  std::size_t best_ = 0;
  double best_score_ = -1;
};

}  // namespace dysta::detail
