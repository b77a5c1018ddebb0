// SDRM3's MapScore (spec C.5) and the full scan shared by the policy and Sdrm3Index (issue 15).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

#include "dysta/policy.h"
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

}  // namespace dysta::detail
