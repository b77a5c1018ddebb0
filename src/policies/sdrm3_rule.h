// SDRM3's MapScore (spec C.5) and its BoundIndex rule for the corrected semantics (issue 15).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

#include "dysta/policy.h"
#include "policies/bound_index.h"
#include "policies/incumbent.h"
#include "policies/simd_pair.h"

namespace dysta::detail {

// MapScore = U + alpha x F from U = torun / slack and F = idle / head (already divided), with the
// clamps of each semantics (src/policies/sdrm3.cpp).
inline double sdrm3_map_score(double slack, double idle, double head, double urgency,
                              double fairness, double alpha, bool corrected) {
  if (urgency > 1) urgency = 1;
  if (corrected) {
    if (slack <= 0) urgency = 1;
    if (!(head > 0)) fairness = idle > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  }
  return urgency + alpha * fairness;
}

// The terms of one task at `now`: slack = deadline - now, torun = R (gamma x R for the sparse
// variant), idle = now - last run, head = next layer's estimate (x gamma for the sparse variant).
struct Sdrm3Terms {
  double slack, torun, idle, head;
};
inline Sdrm3Terms sdrm3_terms(const TaskView& t, double now, bool sparse) {
  return {t.deadline_s - now, sparse ? t.gamma * t.est_remaining_s : t.est_remaining_s,
          now - t.last_exec_s, sparse ? t.gamma * t.est_next_layer_s : t.est_next_layer_s};
}

// The full scan (Policy::select()): the highest MapScore with the argmax of the semantics
// (IncumbentArgmax). Two tasks' divisions per instruction (divide_pair: each lane is the
// IEEE-correct quotient, the same as the scalar division).
inline std::size_t sdrm3_select(const DecisionContext& ctx, double alpha, bool sparse,
                                Semantics semantics) {
  const bool corrected = semantics == Semantics::corrected;
  IncumbentArgmax argmax(semantics);
  const std::size_t count = ctx.tasks.size();
  std::size_t i = 0;
  for (; i + 1 < count; i += 2) {
    const Sdrm3Terms a = sdrm3_terms(ctx.tasks[i], ctx.now_s, sparse);
    const Sdrm3Terms b = sdrm3_terms(ctx.tasks[i + 1], ctx.now_s, sparse);
    double ua, ub, fa, fb;
    divide_pair(a.torun, a.slack, b.torun, b.slack, ua, ub);
    divide_pair(a.idle, a.head, b.idle, b.head, fa, fb);
    argmax.offer(i, sdrm3_map_score(a.slack, a.idle, a.head, ua, fa, alpha, corrected),
                 ctx.tasks[i], ctx.tasks);
    argmax.offer(i + 1, sdrm3_map_score(b.slack, b.idle, b.head, ub, fb, alpha, corrected),
                 ctx.tasks[i + 1], ctx.tasks);
  }
  if (i < count) {
    const Sdrm3Terms a = sdrm3_terms(ctx.tasks[i], ctx.now_s, sparse);
    argmax.offer(i,
                 sdrm3_map_score(a.slack, a.idle, a.head, a.torun / a.slack, a.idle / a.head, alpha,
                                 corrected),
                 ctx.tasks[i], ctx.tasks);
  }
  return argmax.best();
}

// BoundIndex rule of sdrm3 / sdrm3_sparse in the corrected semantics (a plain argmax, ties to
// the earliest arrival; NaN never wins unless it is the first task's), as the minimum of
// score = -MapScore (negation is exact, so the choices are the same).
//   Bound: U <= 1 after the clamp, so for a set of tasks whose heads are all > 0 and whose last
//   runs are all <= now, MapScore <= 1 + alpha x ((now - min last run) / min head): each IEEE
//   operation is monotone in its operands (alpha >= 0, now - last run >= 0), so the value
//   computed from the extremes is >= every member's computed MapScore. lower() is its negation.
//   Items are ordered by (head, last run): within equal heads the earliest last run has the
//   largest F, so a subtree of one head is bounded by its first task's own F.
//   Irregular (the index scans): a head that is not > 0 and finite (corrected F is then +inf or
//   0, or NaN), or a non-finite last run.
// Worst case per decision: O(R) (every subtree's bound at or above the best MapScore, e.g. many
// distinct heads with interleaved last runs); typical overloaded queues (most deadlines passed,
// U = 1) visit O(distinct heads x log R) nodes.
struct Sdrm3BoundRule {
  struct Item {
    double bound;  // head, NaN as +inf (the sort key; not a bound of the score)
    double order;  // last run (last_exec_s)
    double deadline, torun, head;
  };
  struct Agg {
    double min_bound;  // -inf: the head gives no bound of -MapScore by itself
    double min_head, min_last_exec;
  };
  double alpha;
  bool sparse;

  Item item(const TaskView& t) const {
    const Sdrm3Terms x = sdrm3_terms(t, 0.0, sparse);
    return {std::isnan(x.head) ? std::numeric_limits<double>::infinity() : x.head, t.last_exec_s,
            t.deadline_s, x.torun, x.head};
  }
  double score(const Item& i, double now, double) const {
    const double slack = i.deadline - now, idle = now - i.order;
    return -sdrm3_map_score(slack, idle, i.head, i.torun / slack, idle / i.head, alpha, true);
  }
  bool regular(const Item& i) const {
    return i.bound > 0 && std::isfinite(i.bound) && std::isfinite(i.order);
  }
  static Agg agg(const Item& i) {
    return {-std::numeric_limits<double>::infinity(), i.bound, i.order};
  }
  static void merge(Agg& a, const Agg& b) {
    if (b.min_head < a.min_head) a.min_head = b.min_head;
    if (b.min_last_exec < a.min_last_exec) a.min_last_exec = b.min_last_exec;
  }
  double lower(const Agg& a, double now, double) const {
    return -(1.0 + alpha * ((now - a.min_last_exec) / a.min_head));
  }
  std::size_t select(const DecisionContext& ctx) const {
    return sdrm3_select(ctx, alpha, sparse, Semantics::corrected);
  }
};

}  // namespace dysta::detail
