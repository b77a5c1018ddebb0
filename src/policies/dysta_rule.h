// The Dysta selection rule shared by dysta, dysta_naive and dysta_oracle (spec C.7, C.8).
#pragma once

#include <cmath>
#include <cstddef>
#include <memory>
#include <span>

#include "dysta/policy.h"
#include "policies/bound_index.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dysta::detail {

// One task's score: R = remaining(t), U = max(0, slack - R), P = (idle / isolated(t)) / N, score
// R + beta * (U + P) with N the number of ready tasks. Operation order follows the artifact so
// reference runs are bit-exact.
inline double dysta_score_terms(double torun, double deadline, double last_exec, double isolated,
                                double now, double n, double beta) {
  double urgency = (deadline - now) - torun;
  if (urgency < 0) urgency = 0;
  double penalty = (now - last_exec) / isolated;
  penalty /= n;
  return torun + beta * (urgency + penalty);
}
template <typename Remaining, typename Isolated>
inline double dysta_score(const TaskView& t, double now, double n, double beta, Remaining remaining,
                          Isolated isolated) {
  return dysta_score_terms(remaining(t), t.deadline_s, t.last_exec_s, isolated(t), now, n, beta);
}

// Every task's dysta_score() (Policy::scores(); smallest wins).
template <typename Remaining, typename Isolated>
void dysta_scores(const DecisionContext& ctx, double beta, Remaining remaining, Isolated isolated,
                  std::span<double> out) {
  const double n = static_cast<double>(ctx.tasks.size());
  for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
    out[i] = dysta_score(ctx.tasks[i], ctx.now_s, n, beta, remaining, isolated);
  }
}

// Returns the first task minimising dysta_score(). With SSE2 two tasks are scored per
// instruction; every lane does the same IEEE operations as dysta_score(), so the scores are
// identical (a test compares the choice with dysta_scores()' argmin on random decisions).
template <typename Remaining, typename Isolated>
std::size_t dysta_select(const DecisionContext& ctx, double beta, Remaining remaining,
                         Isolated isolated) {
  const std::size_t count = ctx.tasks.size();
  const TaskView* tasks = ctx.tasks.data();
  const double now = ctx.now_s;
  const double n = static_cast<double>(count);
  auto scalar_score = [&](const TaskView& t) {
    return dysta_score(t, now, n, beta, remaining, isolated);
  };
  std::size_t best = 0;
  double best_score = scalar_score(tasks[0]);
  std::size_t i = 1;
#if defined(__SSE2__)
  const __m128d v_now = _mm_set1_pd(now), v_n = _mm_set1_pd(n), v_beta = _mm_set1_pd(beta);
  const __m128d zero = _mm_setzero_pd();
  for (; i + 1 < count; i += 2) {
    const TaskView& a = tasks[i];
    const TaskView& b = tasks[i + 1];
    const __m128d torun = _mm_set_pd(remaining(b), remaining(a));
    const __m128d slack = _mm_sub_pd(_mm_set_pd(b.deadline_s, a.deadline_s), v_now);
    __m128d urgency = _mm_sub_pd(slack, torun);
    urgency = _mm_andnot_pd(_mm_cmplt_pd(urgency, zero), urgency);  // negative -> +0
    const __m128d idle = _mm_sub_pd(v_now, _mm_set_pd(b.last_exec_s, a.last_exec_s));
    const __m128d penalty = _mm_div_pd(_mm_div_pd(idle, _mm_set_pd(isolated(b), isolated(a))), v_n);
    const __m128d score = _mm_add_pd(torun, _mm_mul_pd(v_beta, _mm_add_pd(urgency, penalty)));
    const double sa = _mm_cvtsd_f64(score);
    const double sb = _mm_cvtsd_f64(_mm_unpackhi_pd(score, score));
    if (best_score > sa) {
      best = i;
      best_score = sa;
    }
    if (best_score > sb) {
      best = i + 1;
      best_score = sb;
    }
  }
#endif
  for (; i < count; ++i) {
    const double s = scalar_score(tasks[i]);
    if (best_score > s) {
      best = i;
      best_score = s;
    }
  }
  return best;
}

// dysta_score() for BoundIndex. The score is R + beta x (U + P) with U >= 0 (clamped) and P >= 0
// when idle >= 0 (BoundIndex checks now >= every last run) and the isolated latency has a clear
// sign bit (regular(): -0 or a negative divisor could make P negative), and beta >= 0
// (make_dysta_index()). Every IEEE operation in it is monotone in each operand, so the score
// computed from (smallest R, smallest deadline, largest R inside U, latest last run, largest
// isolated latency) of a set of tasks is <= each member's score (or NaN, which bounds nothing):
// lower(). Items are ordered by (R, last run); all of R, deadline, last run and the isolated
// latency change only when the task runs.
template <typename Remaining, typename Isolated>
struct DystaBoundRule {
  struct Item {
    double bound;  // R
    double order;  // last run (last_exec_s)
    double deadline, isolated;
  };
  struct Agg {
    double min_bound, max_bound, min_deadline, max_last_exec, max_isolated;
  };
  double beta;
  Remaining remaining;
  Isolated isolated;

  Item item(const TaskView& t) const {
    return {remaining(t), t.last_exec_s, t.deadline_s, isolated(t)};
  }
  double score(const Item& i, double now, double n) const {
    return dysta_score_terms(i.bound, i.deadline, i.order, i.isolated, now, n, beta);
  }
  bool regular(const Item& i) const { return !std::signbit(i.isolated); }
  std::size_t select(const DecisionContext& ctx) const {
    return dysta_select(ctx, beta, remaining, isolated);
  }
  static Agg agg(const Item& i) { return {i.bound, i.bound, i.deadline, i.order, i.isolated}; }
  // NaN members are skipped: a task with a NaN deadline or isolated latency scores NaN.
  static void merge(Agg& a, const Agg& b) {
    if (b.min_bound < a.min_bound) a.min_bound = b.min_bound;
    if (b.max_bound > a.max_bound) a.max_bound = b.max_bound;
    if (std::isnan(a.min_deadline) || b.min_deadline < a.min_deadline) {
      a.min_deadline = b.min_deadline;
    }
    if (b.max_last_exec > a.max_last_exec) a.max_last_exec = b.max_last_exec;
    if (std::isnan(a.max_isolated) || b.max_isolated > a.max_isolated) {
      a.max_isolated = b.max_isolated;
    }
  }
  double lower(const Agg& a, double now, double n) const {
    double urgency = (a.min_deadline - now) - a.max_bound;
    if (urgency < 0) urgency = 0;
    double penalty = (now - a.max_last_exec) / a.max_isolated;
    penalty /= n;
    return a.min_bound + beta * (urgency + penalty);
  }
};

// The Dysta family's TaskIndex (Policy::make_index()): exact, sub-linear under long queues
// (bound_index.h); nullptr (scan) when beta is negative or NaN, where R is no lower bound.
template <typename Remaining, typename Isolated>
std::unique_ptr<TaskIndex> make_dysta_index(double beta, Remaining remaining, Isolated isolated) {
  if (!(beta >= 0)) return nullptr;
  return std::make_unique<BoundIndex<DystaBoundRule<Remaining, Isolated>>>(
      DystaBoundRule<Remaining, Isolated>{beta, remaining, isolated});
}

}  // namespace dysta::detail
