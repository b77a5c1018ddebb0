// The least-laxity-first rule shared by llf and llf_sparse (Mok 1983; docs/policies.md).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>

#include "dysta/policy.h"
#include "policies/bound_index.h"

namespace dysta::detail {

// Laxity (s) of a task at `now`: (deadline - now) - R, with R = Rest (sparse = false) or
// gamma x Rest (sparse = true). Negative once the task can no longer meet its deadline.
inline double laxity(const TaskView& t, double now, bool sparse) {
  const double remaining = sparse ? t.gamma * t.est_remaining_s : t.est_remaining_s;
  return (t.deadline_s - now) - remaining;
}

// BoundIndex rule of llf / llf_sparse (issue 15): the same choice as LeastLaxity::select()
// (first task incumbent, strictly smaller laxity replaces: BoundIndex's scan rule).
//   Bound: for a set of tasks, (min deadline - now) - max R <= each member's computed laxity (both
//   IEEE subtractions are monotone in each operand). Items are ordered by deadline - R (then
//   deadline), so a subtree's members have close laxities and the bound is loose by at most the
//   spread of R inside it. Irregular (the index scans): a non-finite deadline or R.
// Worst case per decision: O(R) (every subtree's bound at or below the least laxity, e.g. equal
// deadline - R with widely spread R); under overload a decision visits the tasks whose
// deadline - R lies within the spread of R of the least laxity, on O(log R) paths.
struct LaxityBoundRule {
  struct Item {
    double bound;  // deadline - R (the sort key; not a bound of the laxity)
    double order;  // deadline, NaN as +inf
    double deadline, remaining;
  };
  struct Agg {
    double min_bound;  // -inf: no bound by itself
    double min_deadline, max_remaining;
  };
  bool sparse;

  Item item(const TaskView& t) const {
    const double remaining = sparse ? t.gamma * t.est_remaining_s : t.est_remaining_s;
    const double key = t.deadline_s - remaining;
    return {std::isnan(key) ? std::numeric_limits<double>::infinity() : key,
            std::isnan(t.deadline_s) ? std::numeric_limits<double>::infinity() : t.deadline_s,
            t.deadline_s, remaining};
  }
  double score(const Item& i, double now, double) const { return (i.deadline - now) - i.remaining; }
  bool regular(const Item& i) const {
    return std::isfinite(i.bound) && std::isfinite(i.deadline) && std::isfinite(i.remaining);
  }
  static Agg agg(const Item& i) {
    return {-std::numeric_limits<double>::infinity(), i.deadline, i.remaining};
  }
  static void merge(Agg& a, const Agg& b) {
    if (b.min_deadline < a.min_deadline) a.min_deadline = b.min_deadline;
    if (b.max_remaining > a.max_remaining) a.max_remaining = b.max_remaining;
  }
  double lower(const Agg& a, double now, double) const {
    return (a.min_deadline - now) - a.max_remaining;
  }
  std::size_t select(const DecisionContext& ctx) const;
};

// Least laxity first; a strictly smaller laxity replaces the incumbent, so ties go to the
// earlier arrival. scores() reports laxity() itself, smallest wins.
class LeastLaxity final : public PlainPolicy, public PolicyScores {
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

  std::unique_ptr<TaskIndex> make_index() const override {
    return std::make_unique<BoundIndex<LaxityBoundRule>>(LaxityBoundRule{sparse_});
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

inline std::size_t LaxityBoundRule::select(const DecisionContext& ctx) const {
  return LeastLaxity(sparse).select(ctx);
}

}  // namespace dysta::detail
