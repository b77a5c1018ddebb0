// Exact sub-linear selection for prema / prema_sparse in the corrected semantics (issue 15): a
// TaskIndex that keeps PREMA's tokens itself and makes exactly the choices of Prema::select()
// (src/policies/prema.cpp) without accruing every ready task's token at every decision.
//
// The scan at decision j (time now_j): every ready task's token grows by p x (idle / D), idle =
// now_j - max(last run, now_{j-1}) (a task admitted since decision j-1 starts at token = p);
// the threshold is the highest of 1, 3, 9 not above the largest token; among the tasks whose
// token reaches it, the smallest estimate runs (ties: earliest arrival); none: the first task.
// Only which band a token is in ([1, 3), [3, 9), [9, inf)) decides, and tokens only grow (p > 0,
// D > 0, idle >= 0 without clock rollback), so:
//   * the decision times are logged; a task's exact token is replayed from the log (the same
//     IEEE operations in the same order as the scan) only when it may have reached the next
//     band: at its wake time, before which its token provably stays below the band's floor
//     (token <= (T + p (now - base) (1 + d) / D) (1 + d) with d = 1e-6 covers every rounding of
//     up to 10^9 accruals; the wake time solves it with margin 4d);
//   * tokens that reached 9 are not replayed any more (they stay >= 9): a run of such a task
//     records its new (last run, D) as a segment, so its exact token can still be replayed;
//   * each band holds its tasks ordered by (estimate, arrival); the threshold is the highest
//     non-empty band and the choice its first task.
// Below 128 ready tasks (until the queue first reaches it) a Prema scan decides over a dense copy
// of the tasks and their tokens, as the scheduler's scan path would; the tokens then move in.
// Irregular tasks (priority not > 0 and finite, D not a positive normal number, NaN estimate or
// non-finite last run) or a clock that goes back: every decision replays every task and repeats
// the scan exactly (O(R)).
// Cost: O(log R) per decision, insertion, layer and completion, plus the replays: each task is
// replayed over the decisions between its admission and its token reaching 9, in O(1) pieces
// (wake times), so a run costs O(decisions x log R + sum over requests of the decisions before
// their token reaches 9). Worst case per decision O(R) (every task waking at once, or irregular).
// The decision log is kept from the oldest live task's last replay (8 bytes per decision).
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <queue>
#include <set>
#include <tuple>
#include <vector>

#include "dysta/policy.h"
#include "dysta/task_index.h"
#include "policies/dense_tasks.h"

namespace dysta::detail {

class PremaIndex final : public TaskIndex {
 public:
  // Below `large_from` ready tasks `scan` (a fresh Prema policy of the same kind, corrected
  // semantics) decides over a dense copy of the tasks and their tokens, as the scheduler's scan
  // path would; from there on (for the rest of the run) the tokens move into the index.
  // `wake_scale` > 1 makes wake times late (a deliberately wrong index for tests only).
  PremaIndex(bool sparse, std::unique_ptr<Policy> scan, std::size_t large_from = 128,
             double wake_scale = 1.0)
      : sparse_(sparse),
        wake_scale_(wake_scale),
        small_(std::move(scan)),
        large_from_(large_from) {}

  void insert(std::uint32_t slot, const TaskView& t) override {
    if (small_) {
      dense_.add(slot, t);
      if (dense_.size() >= large_from_) go_large();
      return;
    }
    insert_large(slot, t);
  }

  std::uint32_t best(double now) override {
    if (small_) {  // only the last decision time is needed (go_large())
      log_.assign(1, now);
      log_base_ = decisions_++;
      return dense_.slot(small_->select(dense_.context(now)));
    }
    return best_large(now);
  }

  void update_best(std::uint32_t slot, const TaskView& t) override {
    if (small_) {
      dense_.update(slot, t);
      return;
    }
    update_large(slot, t);
  }

  void erase_best(std::uint32_t slot) override {
    if (small_) {
      dense_.erase(slot);
      return;
    }
    erase_large(slot);
  }

  // The index makes exactly Prema::select()'s choices, and select()'s choice after the ready set
  // was empty depends only on the tasks admitted since: each is new at the first decision (its
  // token becomes its priority whatever the idle time), and that decision overwrites the last
  // decision time, the only state select() keeps between decisions.
  bool memoryless() const override { return true; }

 private:
  // The dense tasks become the index's: a token < 0 is set to the priority at the next
  // decision (as the scan does); the others are exact after the last decision.
  void go_large() {
    const DenseTasks dense = std::move(dense_);
    dense_.clear();
    small_.reset();
    for (std::size_t i = 0; i < dense.size(); ++i) {
      const std::uint32_t slot = dense.slot(i);
      insert_large(slot, dense.views()[i]);
      Task& x = tasks_[slot];
      const double token = dense.state(i).token;
      if (token < 0 || decisions_ == 0) continue;  // initialised at the next decision
      x.token = token;
      x.initialised = true;
      x.init = x.synced = decisions_ - 1;
      enter_band(slot);
      push_wake(slot, wake_time(x));
    }
    trimmed_size_ = log_.size();
  }

  void insert_large(std::uint32_t slot, const TaskView& t) {
    if (slot >= tasks_.size()) tasks_.resize(slot + 1);
    Task& x = tasks_[slot];
    const std::uint64_t generation = x.generation;
    x = Task{};
    x.generation = generation;
    x.request = t.request;
    x.priority = t.priority;
    x.init = decisions_;  // token = priority at the next decision
    x.synced = decisions_;
    x.token = -1;
    set_params(x, t);
    x.live = true;
    if (!x.regular) ++irregular_;
    if (x.last_exec > max_last_exec_) max_last_exec_ = x.last_exec;
    order_.push_back({t.request, slot});
    ++live_;
    push_wake(slot, -kInf);  // initialised (and banded) at the next decision
  }

  std::uint32_t best_large(double now) {
    if (!log_.empty() && !(now >= log_.back())) rolled_back_ = true;
    log_.push_back(now);
    const std::uint64_t k = decisions_++;
    // Tokens only grow while every last run is <= now (idle >= 0).
    if (irregular_ > 0 || rolled_back_ || !(now >= max_last_exec_)) return scan(k);
    if (needs_rewake_) rewake();
    // Popped first, replayed after: a replay may schedule the task's next wake at once.
    woken_.clear();
    while (!wake_.empty() && wake_.top().time <= now) {
      const Wake w = wake_.top();
      wake_.pop();
      const Task& x = tasks_[w.slot];
      if (x.live && w.generation == x.generation) woken_.push_back(w.slot);
    }
    for (const std::uint32_t slot : woken_) resync(slot, k);
    for (int band = 2; band >= 0; --band) {
      if (!bands_[band].empty()) return std::get<2>(*bands_[band].begin());
    }
    return first_live();
  }

  void update_large(std::uint32_t slot, const TaskView& t) {
    Task& x = tasks_[slot];
    const std::uint64_t last = decisions_ - 1;  // the decision that chose it
    const bool was_regular = x.regular;
    if (x.band == 2 && was_regular) {
      // Saturated: its token stays >= 9; the old parameters apply to decisions < decisions_.
      x.segments.push_back({decisions_, x.last_exec, x.denom});
    } else {
      sync(x, last);
    }
    leave_band(slot);
    set_params(x, t);
    if (was_regular && !x.regular) ++irregular_;
    if (!was_regular && x.regular) --irregular_;
    if (!x.regular && !x.segments.empty()) sync(x, last);  // an exact token is needed from now
    if (x.last_exec > max_last_exec_) max_last_exec_ = x.last_exec;
    enter_band(slot);
    push_wake(slot, wake_time(x));
  }

  void erase_large(std::uint32_t slot) {
    Task& x = tasks_[slot];
    leave_band(slot);
    if (!x.regular) --irregular_;
    x.live = false;
    x.segments.clear();
    ++x.generation;
    --live_;
    ++dead_in_order_;
    if (dead_in_order_ > live_ + 64) compact();
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  static constexpr double kMargin = 4e-6;  // 4d, d = 1e-6 (header)

  struct Segment {
    std::uint64_t until;  // these parameters apply to the decisions before `until`
    double last_exec, denom;
  };
  struct Task {
    double token = -1;         // exact token after decision `synced` (if synced >= init)
    std::uint64_t init = 0;    // decision at which token = priority
    std::uint64_t synced = 0;  // decisions < synced (or <= synced once initialised) accrued
    bool initialised = false;  // token set at `init`
    double last_exec = 0, denom = 1, estimate = 0;
    int priority = 1;
    std::uint32_t request = 0;
    int band = -1;  // 0: [1, 3), 1: [3, 9), 2: >= 9, -1: none
    bool live = false, regular = true;
    std::uint64_t generation = 0;
    std::vector<Segment> segments;  // saturated tasks: parameters since `synced`
  };
  struct Wake {
    double time;
    std::uint64_t generation;
    std::uint32_t slot;
    bool operator>(const Wake& o) const { return time > o.time; }
  };
  struct Arrival {
    std::uint32_t request, slot;
  };
  using Key = std::tuple<double, std::uint32_t, std::uint32_t>;  // estimate, request, slot

  void set_params(Task& x, const TaskView& t) const {
    x.last_exec = t.last_exec_s;
    x.denom = sparse_ ? t.gamma * t.est_isolated_s : t.est_isolated_s;
    x.estimate = sparse_ ? t.gamma * t.est_remaining_s : t.est_remaining_s;
    const double p = x.priority;
    x.regular = p > 0 && std::isfinite(p) && x.denom >= DBL_MIN && std::isfinite(x.denom) &&
                !std::isnan(x.estimate) && std::isfinite(x.last_exec);
  }

  // One accrual of the scan at decision j (j >= 1) with the given parameters; as the scan, a
  // negative token (possible only after a clock rollback) is set to the priority again.
  double accrue(double token, int priority, double last_exec, double denom, std::uint64_t j) const {
    if (token < 0) return priority;
    const double now = at(j), previous = at(j - 1);
    return token + priority * ((now - std::max(last_exec, previous)) / denom);
  }
  double at(std::uint64_t j) const { return log_[j - log_base_]; }

  // The exact token after decision k (k >= the decision that initialises it).
  void sync(Task& x, std::uint64_t k) {
    if (!x.initialised) {
      if (k < x.init) return;
      x.token = x.priority;
      x.initialised = true;
      x.synced = x.init;
    }
    std::size_t s = 0;
    for (std::uint64_t j = x.synced + 1; j <= k; ++j) {
      while (s < x.segments.size() && j >= x.segments[s].until) ++s;
      const bool old = s < x.segments.size();
      x.token = accrue(x.token, x.priority, old ? x.segments[s].last_exec : x.last_exec,
                       old ? x.segments[s].denom : x.denom, j);
    }
    if (k > x.synced) x.synced = k;
    x.segments.clear();  // every caller syncs to the decision before the next segment change
  }

  static int band_of(double token) {
    if (token >= 9) return 2;
    if (token >= 3) return 1;
    if (token >= 1) return 0;
    return -1;
  }
  void leave_band(std::uint32_t slot) {
    Task& x = tasks_[slot];
    if (x.band >= 0) bands_[x.band].erase(Key{x.estimate, x.request, slot});
    x.band = -1;
  }
  void enter_band(std::uint32_t slot) {
    Task& x = tasks_[slot];
    x.band = x.initialised ? band_of(x.token) : -1;
    if (x.band >= 0) bands_[x.band].insert(Key{x.estimate, x.request, slot});
  }

  // Earliest time at which the token may reach the next band's floor (-inf: at the next
  // decision; +inf: never).
  double wake_time(const Task& x) const {
    if (!x.regular) return -kInf;
    if (!x.initialised) return -kInf;
    if (x.band == 2) return kInf;
    const double floor = x.band == 1 ? 9.0 : (x.band == 0 ? 3.0 : 1.0);
    const double base = std::max(x.last_exec, at(x.synced));
    const double growth = floor / (1 + kMargin) - x.token;
    if (!(growth > 0)) return -kInf;
    const double t = base + growth * x.denom / (x.priority * (1 + kMargin)) * wake_scale_;
    return std::isnan(t) ? -kInf : t;
  }
  void push_wake(std::uint32_t slot, double time) {
    Task& x = tasks_[slot];
    ++x.generation;
    if (time < kInf) wake_.push({time, x.generation, slot});
  }
  void resync(std::uint32_t slot, std::uint64_t k, bool wake = true) {
    Task& x = tasks_[slot];
    leave_band(slot);
    sync(x, k);
    enter_band(slot);
    if (wake) push_wake(slot, wake_time(x));
    trim_log();
  }
  // After scanning decisions: every live task's wake time again (the heap was not kept).
  void rewake() {
    wake_ = {};
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (alive(order_[i])) push_wake(order_[i].slot, wake_time(tasks_[order_[i].slot]));
    }
    needs_rewake_ = false;
  }

  // Irregular tasks or clock rollback: the scan itself over exact tokens.
  std::uint32_t scan(std::uint64_t k) {
    needs_rewake_ = true;
    double max_token = 0;
    std::uint32_t first = kNone;
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (!alive(order_[i])) continue;
      const std::uint32_t slot = order_[i].slot;
      if (first == kNone) first = slot;
      resync(slot, k, false);
      max_token = std::max(max_token, tasks_[slot].token);
    }
    const double threshold = max_token >= 9 ? 9 : (max_token >= 3 ? 3 : 1);
    std::uint32_t best = kNone;
    double shortest = -1;
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (!alive(order_[i])) continue;
      const Task& x = tasks_[order_[i].slot];
      if (!(x.token >= threshold)) continue;
      if (best == kNone || shortest > x.estimate) {
        best = order_[i].slot;
        shortest = x.estimate;
      }
    }
    return best == kNone ? first : best;
  }

  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  bool alive(const Arrival& a) const {
    return tasks_[a.slot].live && tasks_[a.slot].request == a.request;
  }
  std::uint32_t first_live() {
    while (!alive(order_[head_])) ++head_;
    return order_[head_].slot;
  }
  void compact() {
    std::size_t out = 0;
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (alive(order_[i])) order_[out++] = order_[i];
    }
    order_.resize(out);
    head_ = 0;
    dead_in_order_ = 0;
  }
  // Drops log entries no live task can replay any more (amortised: when the log doubled).
  void trim_log() {
    if (log_.size() < 2 * trimmed_size_ + 4096) return;
    std::uint64_t keep = decisions_ == 0 ? 0 : decisions_ - 1;
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (!alive(order_[i])) continue;
      const std::uint64_t from = tasks_[order_[i].slot].synced;
      if (from < keep) keep = from;
    }
    // Entry `keep` itself is read (at(j - 1) for j = keep + 1).
    if (keep > log_base_) {
      log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(keep - log_base_));
      log_base_ = keep;
    }
    trimmed_size_ = log_.size();
  }

  bool sparse_;
  double wake_scale_;
  std::unique_ptr<Policy> small_;  // null once large
  std::size_t large_from_;
  DenseTasks dense_;         // small: the ready tasks in arrival order and their tokens
  std::vector<Task> tasks_;  // by slot
  std::vector<double> log_;  // decision times from decision log_base_
  std::uint64_t log_base_ = 0;
  std::size_t trimmed_size_ = 0;
  std::uint64_t decisions_ = 0;
  std::priority_queue<Wake, std::vector<Wake>, std::greater<Wake>> wake_;
  std::set<Key> bands_[3];
  std::vector<Arrival> order_;  // arrival order, with tombstones
  std::size_t head_ = 0, dead_in_order_ = 0, live_ = 0;
  std::size_t irregular_ = 0;
  bool rolled_back_ = false;
  bool needs_rewake_ = false;
  std::vector<std::uint32_t> woken_;
  double max_last_exec_ = -kInf;  // of every task admitted or run
};

}  // namespace dysta::detail
