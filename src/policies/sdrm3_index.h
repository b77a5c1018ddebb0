// Exact sub-linear selection for SDRM3 / SDRM3-sparse in both semantics (issue 15): the choice
// of sdrm3_select() (sdrm3_rule.h) without scoring every ready task of a long queue.
//
// MapScore = U + alpha x F with U = torun / slack and F = idle / head (spec C.5). Bounds of U that
// hold until the task runs again:
//   corrected: U <= 1 always (clamped), so MapScore <= 1 + alpha x F;
//   reference: once the deadline has passed (slack < 0) U = torun / slack <= 0 (torun >= 0), so
//     MapScore <= alpha x F. Tasks whose deadline has not passed ("pending"; few in an
//     overloaded queue: the arrivals of the last SLO window) are scored one by one, and move to
//     the buckets when their deadline passes (a heap on the deadline).
// Bucketed tasks are grouped by the exact value of their head (est_next_layer_s, times gamma for
// the sparse variant); within a bucket they form a binary min-heap on the last run. Every IEEE
// operation of the bound is monotone in its operands (alpha >= 0, idle >= 0, head > 0), so the
// bound computed from a heap node's last run is >= the computed MapScore of every task in that
// node's heap subtree. A decision computes every non-empty bucket's front bound (one vectorised
// pass over contiguous arrays), walks the bucket with the largest bound depth-first, then every
// other bucket whose front bound reaches the best score found, skipping heap subtrees whose
// bound is below it (an equal bound is still visited: the tie rule below may prefer it).
// Choice (the scan's, sdrm3_select() with IncumbentArgmax, incumbent.h):
//   corrected: the largest MapScore, ties to the earliest arrival (request number);
//   reference (Q5): if some MapScore is >= 0, the largest; among equal largest scores the
//     smallest arrival time and among those the latest request (a scan in arrival order lets an
//     equal score replace the incumbent unless the incumbent arrived strictly earlier); if every
//     MapScore is < 0, the latest request unless it ties with its predecessors (all_negative()).
// Fallbacks to the plain scan (same result, O(R)): fewer than `large_from` ready tasks (the SIMD
// scan is cheaper; hysteresis down to `small_below`); a ready task the bounds do not cover
// (head not > 0 or not finite, torun < 0 or not finite, NaN deadline or last run); `now` before
// the latest last run or before the latest decision that moved tasks to the buckets (clock
// rollback, quirk Q2); a NaN score met while scoring.
// Cost per decision: O(H + P + V) with H the distinct heads among the bucketed tasks (a few tens
// to a few hundred on the benchmark's sets: one per model, pattern, layer and, for the sparse
// variant, monitored ratio), P the pending tasks (reference only) and V the heap nodes whose
// bound reaches the best score (the winner, its exact ties, and in the corrected semantics
// tasks whose deadline has not passed, whose bound exceeds their score). Worst case O(R): every
// head distinct, or alpha = 0 (every bound equals the best score). The H term is one vectorised
// pass over the buckets' fronts; the buckets whose bound may reach the best score are then found
// in the short list that pass keeps of the buckets within 2^-30 of the largest bound, and only
// when the best score leaves room below that list in a second pass over all H (typical in the
// reference semantics, where a late front scores below its bound). Insertion, update and removal:
// O(log R) (heaps) plus O(1) expected (the head -> bucket map).
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dysta/policy.h"
#include "dysta/task_index.h"
#include "policies/arrival_order.h"
#include "policies/dense_tasks.h"
#include "policies/incumbent.h"
#include "policies/sdrm3_rule.h"

namespace dysta::detail {

class Sdrm3Index final : public TaskIndex {
 public:
  Sdrm3Index(double alpha, bool sparse, Semantics semantics, std::size_t large_from = 128,
             std::size_t small_below = 64, bool equal_bounds_visited = true,
             bool near_list_checked = true)
      : alpha_(alpha),
        sparse_(sparse),
        corrected_(semantics == Semantics::corrected),
        equal_bounds_visited_(equal_bounds_visited),
        near_list_checked_(near_list_checked),
        large_from_(large_from),
        small_below_(std::min(small_below, large_from)) {}

  void insert(std::uint32_t slot, const TaskView& task) override {
    ++live_count_;
    if (!large_) {
      dense_.add(slot, task);
      if (live_count_ >= large_from_) build();
      return;
    }
    add(slot, task);
  }

  // The policy's select() is a stateless scan (no PolicyTaskState): the engine scans short
  // queues itself (TaskIndex::scan_below()).
  std::size_t scan_below() const override { return large_from_; }

  std::uint32_t best(double now) override {
    if (!large_) return dense_.slot(select_from(dense_.views(), now));
    if (irregular_count_ > 0 || !(now >= max_last_exec_) || !(now >= promoted_upto_)) {
      return scan(now);
    }
    if (!corrected_) promote(now);  // (corrected: every regular task is bucketed at once)
    Choice c;
    // Pending tasks (reference): exact scores.
    for (const std::uint32_t slot : pending_) {
      if (!c.offer(*this, slot, score(slot, now))) return scan(now);
    }
    // Bucketed tasks. Pass 1 (no division, two buckets per SSE2 instruction): y = (now - front
    // last run) x (1 / head) per bucket, within a few ulps of the quotient of bucket_bound(), and
    // their maximum Y (a NaN y never becomes Y). The bucket with the largest bound has y >= Y x
    // (1 - 1e-14), so those buckets are visited first (in the corrected semantics a front whose
    // deadline has passed scores exactly its bound, so they usually settle the best score). The
    // same pass lists every bucket with y >= near(Y) (near_, in bucket order; unused if some y
    // is NaN): the later selections read that list instead of every bucket when their threshold is
    // at least near(Y).
    const std::size_t count = active_.size();
    quotient_.resize(count);
    near_.resize(count);
    const double* last = front_last_.data();
    const double* inverse = front_inverse_.data();
    double* y = quotient_.data();
    const Pass1 pass1 = quotients(now, last, inverse, y, count, near_.data());
    const double top = pass1.top * (1 - 1e-14);
    for_each_selected(y, count, list_for(pass1, top), top, nullptr,
                      [&](std::size_t b) { return visit(buckets_[active_[b]], now, c); });
    if (nan_met_) return scan(now);
    // Pass 2: the other buckets whose exact front bound reaches the best score. y_floor is a
    // value of y below which the bound is certainly below the best score (margins of 1e-13
    // relative and 4e-16 x |best| absolute over the few ulps between y and the bound's quotient
    // and the rounding of this computation), so only buckets with y >= y_floor get the exact
    // bound; -inf (every bucket) while no best score is known or alpha is 0.
    double y_floor = -kInf;
    if (c.found && alpha_ > 0) {
      const double margin =
          (c.score / (1 + 1e-14)) - (corrected_ ? 1.0 : 0.0) - 4e-16 * std::abs(c.score);
      if (margin > 0) y_floor = margin / alpha_ / (1 + 1e-13);
    }
    for_each_selected(y, count, list_for(pass1, y_floor), y_floor, &top, [&](std::size_t b) {
      const Bucket& bucket = buckets_[active_[b]];
      return !reaches(c, bucket_bound(last[b], bucket.head, now)) || visit(bucket, now, c);
    });
    if (nan_met_) return scan(now);
    ++stats_.decisions;
    if (!corrected_ && !c.found) return all_negative(now);
    return c.slot;
  }

  void update_best(std::uint32_t slot, const TaskView& task) override {
    if (!large_) {
      dense_.update(slot, task);
      return;
    }
    detach(slot);
    place(slot, task);
  }

  void erase_best(std::uint32_t slot) override {
    --live_count_;
    if (!large_) {
      dense_.erase(slot);
      return;
    }
    detach(slot);
    tasks_[slot].live = false;
    order_.departed();
    if (live_count_ < small_below_ || live_count_ == 0) {
      leave();
    } else if (order_.dead() > live_count_) {
      order_.compact(alive());
    }
  }

  // Counters for tests and benchmarks: bucket-mode decisions and the tasks they scored.
  struct Stats {
    std::size_t decisions = 0;
    std::size_t scored = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  enum class Where : std::uint8_t { none, pending, bucket };

  // What a decision reads of a task, in one cache line (a long queue's tasks are visited at
  // random); the task's whole view is kept apart in views_.
  struct alignas(64) Task {
    double deadline = 0, torun = 0, head = 0, last = 0, arrival = 0;
    std::uint32_t request = 0;
    std::uint32_t generation = 0;  // bumped whenever the task leaves its place
    std::uint32_t pos = 0;         // in pending_ (Where::pending)
    std::uint32_t bucket = 0;      // Where::bucket
    Where where = Where::none;
    bool live = false;
    bool irregular = false;
  };
  static_assert(sizeof(Task) == 64);
  struct HeapEntry {
    double last;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  struct Bucket {
    double head = 0;
    std::vector<HeapEntry> heap;  // min-heap on last; entries of departed tasks stay (stale)
    std::uint32_t count = 0;      // live entries
    std::uint32_t active_pos = 0;
  };
  struct Deadline {
    double deadline;
    std::uint32_t slot;
    std::uint32_t generation;
  };

  // The running choice under the semantics' tie rule.
  struct Choice {
    bool found = false;
    double score = 0;
    double arrival = 0;
    std::uint32_t request = 0;
    std::uint32_t slot = kNone;
    // False for a NaN score (the caller then scans).
    bool offer(const Sdrm3Index& index, std::uint32_t slot_, double s) {
      if (std::isnan(s)) return false;
      const Task& t = index.tasks_[slot_];
      const double a = t.arrival;
      const std::uint32_t r = t.request;
      bool better;
      if (index.corrected_) {
        better = !found || s > score || (s == score && r < request);
      } else {
        if (s < 0) return true;
        better =
            !found || s > score || (s == score && reference_tie_prefers(a, r, arrival, request));
      }
      if (better) {
        found = true;
        score = s;
        arrival = a;
        request = r;
        slot = slot_;
      }
      return true;
    }
  };
  // Whether a task whose computed score is at most `bound` (NaN: no bound) may still be chosen:
  // an equal score may win the tie rule, so only a bound below the best score (or below 0 before
  // a non-negative score was found, reference) rules the task out. The mutant of the property
  // tests (equal_bounds_visited = false) also rules out equal bounds.
  bool reaches(const Choice& c, double bound) const {
    const double floor =
        c.found ? c.score : (corrected_ ? -std::numeric_limits<double>::infinity() : 0.0);
    return equal_bounds_visited_ ? !(bound < floor) : !(bound <= floor);
  }

  double score(std::uint32_t slot, double now) const {
    const Task& t = tasks_[slot];
    const double slack = t.deadline - now, idle = now - t.last;
    ++stats_.scored;
    return sdrm3_map_score(slack, idle, t.head, t.torun / slack, idle / t.head, alpha_, corrected_);
  }
  // >= the computed MapScore at `now` of a bucketed task whose last run is >= `last` and whose
  // head is `head` (needs now >= every last run).
  // (0 + x is x, or +0 for x = -0: the same order.)
  double bucket_bound(double last, double head, double now) const {
    return (corrected_ ? 1.0 : 0.0) + alpha_ * ((now - last) / head);
  }
  // Reference: the deadline has passed at every instant >= `now`, so U <= 0.
  static bool late(const Task& t, double now) { return t.deadline < now; }

  std::size_t select_from(std::span<const TaskView> tasks, double now) const {
    return sdrm3_select(DecisionContext{now, tasks, {}}, alpha_, sparse_,
                        corrected_ ? Semantics::corrected : Semantics::reference);
  }

  // The threshold of pass 1's list for a largest y of `top`: a non-decreasing function, below
  // `top` x (1 - 1e-14) for top > 0 (a margin of about 1e-9 relative).
  static double near(double top) { return top * (1 - 0x1p-30); }
  struct Pass1 {
    double top;              // the largest y (a NaN y is never the largest; -inf when count is 0)
    std::size_t near_count;  // buckets listed in near_
    bool listed;             // false if some y is NaN (then the list is not used)
  };
  // Pass 1's list if it holds every bucket with y >= `from`.
  std::optional<std::span<const std::uint32_t>> list_for(const Pass1& pass1, double from) const {
    if (!pass1.listed || (from < near(pass1.top) && near_list_checked_)) return std::nullopt;
    return std::span<const std::uint32_t>(near_.data(), pass1.near_count);
  }
  // y[b] = (now - last[b]) x inverse[b] for every b < count. Lists in `near_list` (room for count),
  // in order, every b with y[b] >= near(the largest y over the lanes' running maximum): a bucket
  // left out has y[b] < near(its lane's largest y so far) <= near(the largest y), near() being
  // non-decreasing.
  static Pass1 quotients(double now, const double* last, const double* inverse, double* y,
                         std::size_t count, std::uint32_t* near_list) {
    std::size_t b = 0, listed = 0;
    double top = -kInf;
    bool nan = false;
#if defined(__SSE2__)
    const __m128d at = _mm_set1_pd(now), factor = _mm_set1_pd(1 - 0x1p-30);
    __m128d top2 = _mm_set1_pd(-kInf), nan2 = _mm_setzero_pd();
    for (; b + 2 <= count; b += 2) {
      const __m128d v =
          _mm_mul_pd(_mm_sub_pd(at, _mm_loadu_pd(last + b)), _mm_loadu_pd(inverse + b));
      _mm_storeu_pd(y + b, v);
      top2 = _mm_max_pd(v, top2);  // MAXPD returns its second operand when the first is NaN
      nan2 = _mm_or_pd(nan2, _mm_cmpunord_pd(v, v));
      const int mask = _mm_movemask_pd(_mm_cmpge_pd(v, _mm_mul_pd(top2, factor)));
      if (mask != 0) {  // (rarely, past the first buckets)
        near_list[listed] = static_cast<std::uint32_t>(b);
        listed += static_cast<std::size_t>(mask & 1);
        near_list[listed] = static_cast<std::uint32_t>(b + 1);
        listed += static_cast<std::size_t>(mask >> 1);
      }
    }
    double lanes[2];
    _mm_storeu_pd(lanes, top2);
    top = std::max(lanes[0], lanes[1]);
    nan = _mm_movemask_pd(nan2) != 0;
#endif
    for (; b < count; ++b) {
      y[b] = (now - last[b]) * inverse[b];
      if (y[b] > top) top = y[b];
      if (std::isnan(y[b])) nan = true;
      if (y[b] >= near(top)) near_list[listed++] = static_cast<std::uint32_t>(b);
    }
    return {top, listed, !nan};
  }
  // Calls f(b) for every b < count with !(y[b] < from) and, if `below` is set, y[b] < *below
  // (so a NaN y is selected only without `below`), in order, stopping when f returns false
  // (then nan_met_ is set: f met a NaN score). With a `list`, only the b it holds are looked at.
  template <typename F>
  void for_each_selected(const double* y, std::size_t count,
                         std::optional<std::span<const std::uint32_t>> list, double from,
                         const double* below, F&& f) {
    nan_met_ = false;
    if (list) {
      for (const std::uint32_t b : *list) {
        if (y[b] < from || (below && !(y[b] < *below))) continue;
        if (!f(b)) {
          nan_met_ = true;
          return;
        }
      }
      return;
    }
    std::size_t b = 0;
#if defined(__SSE2__)
    const __m128d lo = _mm_set1_pd(from), hi = _mm_set1_pd(below ? *below : 0.0);
    for (; b + 2 <= count; b += 2) {
      const __m128d v = _mm_loadu_pd(y + b);
      __m128d take = _mm_cmpnlt_pd(v, lo);
      if (below) take = _mm_and_pd(take, _mm_cmplt_pd(v, hi));
      const int mask = _mm_movemask_pd(take);
      if (mask == 0) continue;
      if ((mask & 1) != 0 && !f(b)) {
        nan_met_ = true;
        return;
      }
      if ((mask & 2) != 0 && !f(b + 1)) {
        nan_met_ = true;
        return;
      }
    }
#endif
    for (; b < count; ++b) {
      if (y[b] < from || (below && !(y[b] < *below))) continue;
      if (!f(b)) {
        nan_met_ = true;
        return;
      }
    }
  }

  // Depth-first walk of a bucket's heap; false when a NaN score was met.
  bool visit(const Bucket& bucket, double now, Choice& c) {
    stack_.clear();
    stack_.push_back(0);
    while (!stack_.empty()) {
      const std::uint32_t i = stack_.back();
      stack_.pop_back();
      const HeapEntry& e = bucket.heap[i];
      if (!reaches(c, bucket_bound(e.last, bucket.head, now))) continue;
      const Task& t = tasks_[e.slot];
      if (t.live && t.generation == e.generation && !c.offer(*this, e.slot, score(e.slot, now))) {
        return false;
      }
      const std::size_t l = 2 * std::size_t{i} + 1;
      if (l + 1 < bucket.heap.size()) stack_.push_back(static_cast<std::uint32_t>(l + 1));
      if (l < bucket.heap.size()) stack_.push_back(static_cast<std::uint32_t>(l));
    }
    return true;
  }

  // The scan over the ready tasks in arrival order (the policy's own select()).
  std::uint32_t scan(double now) {
    scan_views_.clear();
    scan_slots_.clear();
    order_.for_each(alive(), [&](const ArrivalOrder::Entry& a) {
      scan_views_.push_back(views_[a.slot]);
      scan_slots_.push_back(a.slot);
    });
    return scan_slots_[select_from(scan_views_, now)];
  }
  // The reference scan's choice when every MapScore is < 0 (Q5): every task replaces the
  // incumbent except an exactly equal score after a strictly earlier arrival, and an incumbent
  // always has its predecessor's score or a different one, so only the trailing run of tasks
  // whose score equals the latest request's matters (usually that task alone).
  std::uint32_t all_negative(double now) {
    tail_.clear();
    const double last = score(order_.last(alive()).slot, now);
    order_.for_each_backward_while(alive(), [&](const ArrivalOrder::Entry& a) {
      if (score(a.slot, now) != last) return false;
      tail_.push_back(a.slot);
      return true;
    });
    std::uint32_t incumbent = tail_.back();
    for (std::size_t i = tail_.size() - 1; i-- > 0;) {
      if (!(tasks_[incumbent].arrival < tasks_[tail_[i]].arrival)) {
        incumbent = tail_[i];
      }
    }
    return incumbent;
  }
  // The arrival list's liveness test (slots are reused: the request must match too).
  struct Alive {
    const Sdrm3Index* index;
    bool operator()(const ArrivalOrder::Entry& a) const {
      const Task& t = index->tasks_[a.slot];
      return t.live && t.request == a.request;
    }
  };
  Alive alive() const {
    return {this};
  }

  // Reference: moves the pending tasks whose deadline has passed at `now` into their buckets.
  void promote(double now) {
    promoted_upto_ = now;
    while (!deadlines_.empty() && deadlines_.front().deadline < now) {
      const Deadline d = deadlines_.front();
      std::pop_heap(deadlines_.begin(), deadlines_.end(), later_deadline);
      deadlines_.pop_back();
      Task& t = tasks_[d.slot];
      if (!t.live || t.generation != d.generation || t.where != Where::pending) continue;
      detach(d.slot);
      to_bucket(d.slot);
    }
  }
  static bool later_deadline(const Deadline& a, const Deadline& b) {
    return a.deadline > b.deadline;
  }
  static bool later_run(const HeapEntry& a, const HeapEntry& b) {
    return a.last > b.last;
  }

  // A task enters the bucket mode's records: arrival order, then its place.
  void add(std::uint32_t slot, const TaskView& task) {
    if (slot >= tasks_.size()) {
      tasks_.resize(slot + 1);
      views_.resize(slot + 1);
    }
    Task& t = tasks_[slot];
    t.live = true;
    t.where = Where::none;
    t.irregular = false;
    order_.push(task.request, slot);
    place(slot, task);
  }
  // Records a (new) view of a live, detached task and files it.
  void place(std::uint32_t slot, const TaskView& task) {
    Task& t = tasks_[slot];
    const Sdrm3Terms x = sdrm3_terms(task, 0.0, sparse_);
    views_[slot] = task;
    t.arrival = task.arrival_s;
    t.request = task.request;
    t.deadline = task.deadline_s;
    t.torun = x.torun;
    t.head = x.head;
    t.last = task.last_exec_s;
    t.irregular = !(t.head > 0 && std::isfinite(t.head) && t.torun >= 0 && std::isfinite(t.torun) &&
                    std::isfinite(t.last) && !std::isnan(t.deadline));
    if (t.irregular) ++irregular_count_;
    if (t.last > max_last_exec_) max_last_exec_ = t.last;
    if (!t.irregular && (corrected_ || (promoted_upto_ > -kInf && late(t, promoted_upto_)))) {
      to_bucket(slot);
      return;
    }
    t.where = Where::pending;
    t.pos = static_cast<std::uint32_t>(pending_.size());
    pending_.push_back(slot);
    if (!t.irregular) {
      deadlines_.push_back({t.deadline, slot, t.generation});
      std::push_heap(deadlines_.begin(), deadlines_.end(), later_deadline);
    }
  }
  void to_bucket(std::uint32_t slot) {
    Task& t = tasks_[slot];
    const auto [it, created] = bucket_of_.try_emplace(std::bit_cast<std::uint64_t>(t.head),
                                                      static_cast<std::uint32_t>(buckets_.size()));
    if (created) {
      buckets_.emplace_back();
      buckets_.back().head = t.head;
    }
    const std::uint32_t b = it->second;
    Bucket& bucket = buckets_[b];
    if (bucket.count == 0) {
      bucket.heap.clear();
      bucket.active_pos = static_cast<std::uint32_t>(active_.size());
      active_.push_back(b);
      front_last_.push_back(t.last);
      front_inverse_.push_back(1.0 / bucket.head);
    }
    ++bucket.count;
    bucket.heap.push_back({t.last, slot, t.generation});
    std::push_heap(bucket.heap.begin(), bucket.heap.end(), later_run);
    t.where = Where::bucket;
    t.bucket = b;
    front_last_[bucket.active_pos] = bucket.heap.front().last;
  }
  // The task leaves its place (its heap or deadline entries become stale).
  void detach(std::uint32_t slot) {
    Task& t = tasks_[slot];
    if (t.irregular) --irregular_count_;
    t.irregular = false;
    ++t.generation;
    if (t.where == Where::pending) {
      const std::uint32_t moved = pending_.back();
      pending_[t.pos] = moved;
      tasks_[moved].pos = t.pos;
      pending_.pop_back();
    } else if (t.where == Where::bucket) {
      Bucket& bucket = buckets_[t.bucket];
      if (--bucket.count == 0) {
        bucket.heap.clear();
        const std::uint32_t at = bucket.active_pos;
        const std::uint32_t moved = active_.back();
        active_[at] = moved;
        front_last_[at] = front_last_.back();
        front_inverse_[at] = front_inverse_.back();
        buckets_[moved].active_pos = at;
        active_.pop_back();
        front_last_.pop_back();
        front_inverse_.pop_back();
      } else {
        drop_stale(bucket);
        front_last_[bucket.active_pos] = bucket.heap.front().last;
      }
      t.where = Where::none;
      return;
    }
    t.where = Where::none;
  }
  // Keeps a stale entry off the front and the heap at most twice its live entries.
  void drop_stale(Bucket& bucket) {
    if (bucket.heap.size() > 2 * std::size_t{bucket.count} + 8) {
      std::erase_if(bucket.heap, [&](const HeapEntry& e) { return !current(e); });
      std::make_heap(bucket.heap.begin(), bucket.heap.end(), later_run);
    }
    while (!current(bucket.heap.front())) {
      std::pop_heap(bucket.heap.begin(), bucket.heap.end(), later_run);
      bucket.heap.pop_back();
    }
  }
  bool current(const HeapEntry& e) const {
    const Task& t = tasks_[e.slot];
    return t.live && t.generation == e.generation && t.where == Where::bucket;
  }

  // Scan mode -> bucket mode.
  void build() {
    large_ = true;
    reset_records();
    for (std::size_t i = 0; i < dense_.size(); ++i) add(dense_.slot(i), dense_.views()[i]);
    dense_.clear();
  }
  // Bucket mode -> scan mode: the ready tasks in arrival order become the dense copy.
  void leave() {
    order_.for_each(alive(), [&](const ArrivalOrder::Entry& a) {
      dense_.add(a.slot, views_[a.slot]);
      tasks_[a.slot].live = false;
    });
    reset_records();
    large_ = false;
  }
  void reset_records() {
    for (const std::uint32_t b : active_) {
      buckets_[b].heap.clear();
      buckets_[b].count = 0;
    }
    active_.clear();
    front_last_.clear();
    front_inverse_.clear();
    pending_.clear();
    deadlines_.clear();
    order_.clear();
    irregular_count_ = 0;
    max_last_exec_ = -std::numeric_limits<double>::infinity();
    promoted_upto_ = -std::numeric_limits<double>::infinity();
  }

  double alpha_;
  bool sparse_;
  bool corrected_;
  bool equal_bounds_visited_;
  bool near_list_checked_;  // false: the mutant of the property tests (the list read unchecked)
  std::size_t large_from_, small_below_;
  bool large_ = false;
  std::size_t live_count_ = 0;
  // Scan mode.
  DenseTasks dense_;
  // Bucket mode.
  std::vector<Task> tasks_;      // by slot
  std::vector<TaskView> views_;  // by slot: the view of tasks_[slot]
  std::vector<std::uint32_t> pending_;
  std::vector<Deadline> deadlines_;  // min-heap on the deadline, of pending regular tasks
  std::vector<Bucket> buckets_;
  std::unordered_map<std::uint64_t, std::uint32_t> bucket_of_;  // head's encoding -> bucket
  std::vector<std::uint32_t> active_;                           // non-empty buckets
  std::vector<double> front_last_;     // by position in active_: its heap front's last run
  std::vector<double> front_inverse_;  // by position in active_: 1 / its head (rounded)
  std::vector<double> quotient_;
  std::vector<std::uint32_t> near_;  // pass 1's list (best())
  bool nan_met_ = false;
  ArrivalOrder order_;
  std::size_t irregular_count_ = 0;
  double max_last_exec_ = -std::numeric_limits<double>::infinity();
  double promoted_upto_ = -std::numeric_limits<double>::infinity();
  std::vector<std::uint32_t> tail_;
  std::vector<std::uint32_t> stack_;
  std::vector<TaskView> scan_views_;
  std::vector<std::uint32_t> scan_slots_;
  mutable Stats stats_;
};

}  // namespace dysta::detail
