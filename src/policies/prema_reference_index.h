// Exact sub-linear selection for prema / prema_sparse in the reference semantics (spec C.3,
// quirks Q2-Q4; issue 15): a TaskIndex that keeps PREMA's tokens itself and makes exactly the
// choices of Prema::select() (src/policies/prema.cpp, Semantics::reference) without accruing
// every ready task's token at every decision.
//
// The scan at decision k (time now_k), for every ready task in arrival order: a token < 0 (a task
// admitted since the last decision) becomes the priority p and stays out of the maximum; any
// other token grows by p x ((now_k - last run) / D) (the whole idle time, Q4) and enters the
// maximum (which starts at 0). The threshold is the highest of 1, 3, 9 not above the maximum;
// among the tasks whose token reaches it the smallest estimate runs, ties to the earliest
// arrival; none: the first task. prema_sparse's estimate is gamma_last x Rest, gamma_last the
// gamma of the last ready task (Q3), and D = gamma x isolated estimate (the task's own gamma).
//
// Tokens are floating-point sums, so a task's exact token can only be had by repeating the same
// additions in the same order. The index does that at every decision for the "active" tasks
// only: the tasks whose token is below 9 or whose parameters are irregular. A task whose exact
// token reached 9 becomes "sticky": while its increments are >= 0 or +inf (p > 0, D positive and
// finite, last run finite and not after now; no NaN), its token stays >= 9, so it is a candidate
// at every decision and keeps the threshold at 9 (which saturates) whatever its exact value;
// it is not accrued any more. Its exact token can still be replayed (decision times are logged;
// a run of a sticky task records its old (last run, D) as a segment).
// The threshold is 9 when a sticky task exists, else it follows the active tasks' maximum;
// candidates are the tasks of the bands (ranges [1, 3), [3, 9), [9, inf) of exact or sticky
// tokens) at or above the threshold's, each band a set ordered by (estimate, arrival):
//   * prema: the smallest first element of the candidate bands;
//   * prema_sparse (Q3): products gamma_last x Rest are monotone in Rest for gamma_last > 0 but
//     distinct Rest can round to one product; the minimum product m is found from the first
//     elements, then, in each band whose first product is m, every distinct Rest whose product
//     is m is visited once (its first element is its earliest arrival) and the earliest arrival
//     of them all runs.
// Fallbacks to the scan's own arithmetic (the index's assumptions fail):
//   * a decision whose time is below the last run of a sticky task, or NaN (Q2 clock rollback
//     with tasks waiting; the engine rolls back only with an empty queue, where nothing carries
//     over): every sticky task is replayed to an exact token and becomes active;
//   * a sticky task that runs and gets irregular parameters is replayed and becomes active;
//   * a NaN estimate, or (prema_sparse) gamma_last not positive and finite: the choice scans the
//     ready tasks in arrival order over the bands (O(R) per such decision).
// Below 128 ready tasks (until the queue first reaches it) a Prema scan decides over a dense copy
// of the tasks and their tokens, as the scheduler's scan path would; the tokens then move in.
// Cost per decision: O(A + (1 + c) log R) plus O(log R) per band change (at most 3 per regular
// task), A = active tasks (admitted since the last decision,
// token below 9, or irregular), c = (prema_sparse) the distinct estimates in the candidate bands
// whose product ties the minimum (at most 3 while the products are normal numbers: their spacing
// is below twice gamma_last x the estimates' spacing; any number when they underflow or
// overflow). A layer or a completion costs O(log R). Worst case per decision: O(R log R) when
// every task is active (every token below 9, e.g. huge D), plus, on a clock rollback below a
// sticky task's last run, the replay of every sticky task over the decisions since it stuck
// (O(R x decisions) once; never in the engine). Each regular task is active from its admission
// until its token reaches 9, about sqrt(2 (9 - p) D / (p x layer time)) decisions of waiting
// (tokens grow quadratically in the waiting time, Q4), so overloaded runs stay near-linear.
// Memory: the decision log is kept from the oldest sticky task's last exact token (8 bytes per
// decision), plus one segment (24 bytes) per layer a sticky task runs, until it completes.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <set>
#include <tuple>
#include <vector>

#include "dysta/policy.h"
#include "dysta/task_index.h"
#include "policies/arrival_order.h"
#include "policies/dense_tasks.h"

namespace dysta::detail {

class PremaReferenceIndex final : public TaskIndex {
 public:
  // Deliberately wrong variants of the stop rules, for the property tests only.
  enum class Mutant {
    none,
    sticky_at_3,     // stops accruing a token once it reaches 3 (it stays in its band)
    first_estimate,  // prema_sparse: no walk over estimates whose products tie the minimum
    new_in_maximum,  // a task initialised in this decision enters the maximum
    no_clock_check,  // sticky tasks are never replayed when the clock goes back
  };

  // Below `large_from` ready tasks `scan` (a fresh Prema policy of the same kind, reference
  // semantics) decides over a dense copy of the tasks and their tokens, as the scheduler's scan
  // path would; from there on (for the rest of the run) the tokens move into the index.
  PremaReferenceIndex(bool sparse, std::unique_ptr<Policy> scan, std::size_t large_from = 128,
                      Mutant mutant = Mutant::none)
      : sparse_(sparse), mutant_(mutant), small_(std::move(scan)), large_from_(large_from) {}

  void insert(std::uint32_t slot, const TaskView& t) override {
    if (small_) {
      dense_.add(slot, t);
      if (dense_.size() >= large_from_) go_large();
      return;
    }
    insert_large(slot, t, -1);
  }

  std::uint32_t best(double now) override {
    if (small_) {
      ++decisions_;
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

  // The index makes exactly Prema::select()'s choices (its fallbacks replay the scan's own
  // arithmetic), and in the reference semantics select() keeps no state between decisions: the
  // tokens are per task, so once the ready set is empty nothing carries over.
  bool memoryless() const override { return true; }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  struct Segment {
    std::uint64_t until;  // these parameters apply to the decisions before `until`
    double last_exec, denom;
  };
  struct Task {
    // Exact token after the last decision (active), or after decision `synced` (sticky); < 0:
    // set to the priority at the next accrual.
    double token = -1;
    std::uint64_t synced = 0;
    double last_exec = 0, denom = 1;
    double key = 0;    // Rest (prema_sparse: multiplied by gamma_last only when choosing)
    double gamma = 1;  // this task's gamma (gamma_last when it is the last ready task)
    int priority = 1;
    std::uint32_t request = 0;
    std::uint32_t active_at = kNone;  // position in active_; kNone: sticky
    int band = -1;                    // 0: [1, 3), 1: [3, 9), 2: >= 9, -1: none (not a candidate)
    int band_stuck = -1;              // sticky: the band it stays in
    bool live = false, keyed = false;
    std::vector<Segment> segments;  // sticky: parameters since `synced`
  };
  using Key = std::tuple<double, std::uint32_t, std::uint32_t>;  // Rest, request, slot

  // The dense tasks become the index's, active, with their exact tokens after the last decision
  // (< 0: set to the priority at the next decision, as the scan does).
  void go_large() {
    const DenseTasks dense = std::move(dense_);
    dense_.clear();
    small_.reset();
    for (std::size_t i = 0; i < dense.size(); ++i) {
      insert_large(dense.slot(i), dense.views()[i], dense.state(i).token);
    }
    log_.clear();
    log_base_ = decisions_;
  }

  void insert_large(std::uint32_t slot, const TaskView& t, double token) {
    if (slot >= tasks_.size()) tasks_.resize(slot + 1);
    Task& x = tasks_[slot];
    x = Task{};
    x.request = t.request;
    x.priority = t.priority;
    x.token = token;
    set_params(x, t);
    x.live = true;
    x.active_at = static_cast<std::uint32_t>(active_.size());
    active_.push_back(slot);
    enter_band(slot);
    order_.push(t.request, slot);
    ++live_;
  }

  std::uint32_t best_large(double now) {
    const std::uint64_t k = decisions_++;
    if (sticky_total() == 0) {
      log_.clear();
      log_base_ = k;
    }
    log_.push_back(now);
    // Sticky tokens keep growing only while every sticky task's last run is <= now.
    if (sticky_total() > 0 && !(now >= max_sticky_exec_) && mutant_ != Mutant::no_clock_check) {
      unstick_all(k - 1);
    }
    double max_token = sticky_[2] > 0 ? 9 : (sticky_[1] > 0 ? 3 : (sticky_[0] > 0 ? 1 : 0));
    const int stick_from = mutant_ == Mutant::sticky_at_3 ? 1 : 2;
    // Backwards: a sticky task is swapped with the last active one, already accrued.
    for (std::size_t i = active_.size(); i-- > 0;) {
      const std::uint32_t slot = active_[i];
      Task& x = tasks_[slot];
      if (accrue(x.token, x.priority, x.last_exec, x.denom, now) ||
          mutant_ == Mutant::new_in_maximum) {
        max_token = std::max(max_token, x.token);
      }
      const int band = band_of(x.token);
      if (band != x.band) {
        leave_band(slot);
        enter_band(slot);
      }
      if (band >= stick_from && regular(x.priority, x.denom, x.last_exec) && x.last_exec <= now)
        stick(slot, k);
    }
    trim_log();
    const int threshold = max_token >= 9 ? 2 : (max_token >= 3 ? 1 : 0);
    const double last_gamma = tasks_[order_.last(alive()).slot].gamma;
    if (unkeyed_ > 0 || (sparse_ && !(last_gamma > 0 && last_gamma < kInf))) {
      return scan_choice(threshold, last_gamma);
    }
    return sparse_ ? sparse_choice(threshold, last_gamma) : plain_choice(threshold);
  }

  void update_large(std::uint32_t slot, const TaskView& t) {
    Task& x = tasks_[slot];
    leave_band(slot);
    if (x.active_at == kNone) {  // sticky
      const double denom = sparse_ ? t.gamma * t.est_isolated_s : t.est_isolated_s;
      if (regular(x.priority, denom, t.last_exec_s)) {
        // The old parameters apply to the decisions before the next one.
        x.segments.push_back({decisions_, x.last_exec, x.denom});
        set_params(x, t);
        max_sticky_exec_ = std::max(max_sticky_exec_, x.last_exec);
      } else {
        unstick(slot, decisions_ - 1);  // an exact token is needed from now on
        leave_band(slot);
        set_params(x, t);
      }
    } else {
      set_params(x, t);  // active: the token is exact after the decision that chose it
    }
    enter_band(slot);
  }

  void erase_large(std::uint32_t slot) {
    Task& x = tasks_[slot];
    leave_band(slot);
    if (x.active_at == kNone) {
      --sticky_[x.band_stuck];
    } else {
      remove_active(slot);
    }
    if (std::isnan(x.key)) --unkeyed_;
    x.live = false;
    x.segments.clear();
    x.segments.shrink_to_fit();
    --live_;
    order_.departed();
    if (live_ == 0) {  // empty queue: nothing carries over (the clock may roll back, Q2)
      order_.clear();
      max_sticky_exec_ = -kInf;
      log_.clear();
      log_base_ = decisions_;
      return;
    }
    if (order_.dead() > live_ + 64) order_.compact(alive());
  }

  // The scan's accrual of one token at time `now` (Prema::select()); returns whether the token
  // enters the maximum.
  static bool accrue(double& token, int priority, double last_exec, double denom, double now) {
    if (token < 0) {
      token = priority;
      return false;
    }
    token += priority * ((now - last_exec) / denom);
    return true;
  }
  static int band_of(double token) {
    if (token >= 9) return 2;
    if (token >= 3) return 1;
    if (token >= 1) return 0;
    return -1;  // below 1 or NaN: never a candidate (the threshold is at least 1)
  }
  // Increments of a token >= 9 stay >= 0 or +inf (never NaN) while now >= last run.
  static bool regular(int priority, double denom, double last_exec) {
    return priority > 0 && denom > 0 && denom < kInf && std::isfinite(last_exec);
  }
  void set_params(Task& x, const TaskView& t) {
    if (x.live && std::isnan(x.key)) --unkeyed_;
    x.last_exec = t.last_exec_s;
    x.denom = sparse_ ? t.gamma * t.est_isolated_s : t.est_isolated_s;
    x.key = t.est_remaining_s;
    x.gamma = t.gamma;
    if (std::isnan(x.key)) ++unkeyed_;
  }

  void leave_band(std::uint32_t slot) {
    Task& x = tasks_[slot];
    if (x.keyed) bands_[x.band].erase(Key{x.key, x.request, slot});
    x.keyed = false;
    x.band = -1;
  }
  // Band from the exact token (sticky tasks keep the band they were stuck in).
  void enter_band(std::uint32_t slot) {
    Task& x = tasks_[slot];
    x.band = x.active_at == kNone ? x.band_stuck : band_of(x.token);
    x.keyed = x.band >= 0 && !std::isnan(x.key);
    if (x.keyed) bands_[x.band].insert(Key{x.key, x.request, slot});
  }

  void stick(std::uint32_t slot, std::uint64_t k) {
    Task& x = tasks_[slot];
    remove_active(slot);
    x.band_stuck = x.band;
    ++sticky_[x.band];
    x.synced = k;
    x.segments.clear();
    max_sticky_exec_ = std::max(max_sticky_exec_, x.last_exec);
  }
  void remove_active(std::uint32_t slot) {
    Task& x = tasks_[slot];
    const std::uint32_t at = x.active_at;
    const std::uint32_t moved = active_.back();
    active_[at] = moved;
    tasks_[moved].active_at = at;
    active_.pop_back();
    x.active_at = kNone;
  }
  // A sticky task's exact token after decision k (the same accruals as the scan, in order).
  void unstick(std::uint32_t slot, std::uint64_t k) {
    Task& x = tasks_[slot];
    --sticky_[x.band_stuck];
    std::size_t s = 0;
    for (std::uint64_t j = x.synced + 1; j <= k; ++j) {
      while (s < x.segments.size() && j >= x.segments[s].until) ++s;
      const bool old = s < x.segments.size();
      accrue(x.token, x.priority, old ? x.segments[s].last_exec : x.last_exec,
             old ? x.segments[s].denom : x.denom, log_[j - log_base_]);
    }
    x.segments.clear();
    x.active_at = static_cast<std::uint32_t>(active_.size());
    active_.push_back(slot);
    leave_band(slot);
    enter_band(slot);
  }
  void unstick_all(std::uint64_t k) {
    order_.for_each(alive(), [&](const ArrivalOrder::Entry& a) {
      if (tasks_[a.slot].active_at == kNone) unstick(a.slot, k);
    });
    max_sticky_exec_ = -kInf;
  }
  std::size_t sticky_total() const { return sticky_[0] + sticky_[1] + sticky_[2]; }

  std::uint32_t plain_choice(int threshold) const {
    const Key* best = nullptr;
    for (int band = threshold; band <= 2; ++band) {
      if (bands_[band].empty()) continue;
      const Key& first = *bands_[band].begin();
      if (!best || first < *best) best = &first;
    }
    return best ? std::get<2>(*best) : order_.first(alive()).slot;
  }
  std::uint32_t sparse_choice(int threshold, double gamma) const {
    double shortest = kInf;
    bool any = false;
    for (int band = threshold; band <= 2; ++band) {
      if (bands_[band].empty()) continue;
      const double e = gamma * std::get<0>(*bands_[band].begin());
      if (!any || e < shortest) shortest = e;
      any = true;
    }
    if (!any) return order_.first(alive()).slot;
    std::uint32_t best_request = kNone, best_slot = kNone;
    for (int band = threshold; band <= 2; ++band) {
      const std::set<Key>& set = bands_[band];
      for (auto it = set.begin(); it != set.end() && gamma * std::get<0>(*it) == shortest;) {
        if (std::get<1>(*it) < best_request) {
          best_request = std::get<1>(*it);
          best_slot = std::get<2>(*it);
        }
        const double rest = std::get<0>(*it);
        if (mutant_ == Mutant::first_estimate || rest == kInf) break;
        it = set.lower_bound(Key{std::nextafter(rest, kInf), 0, 0});  // the next distinct Rest
      }
    }
    return best_slot;
  }
  // The scan's choice rule over the ready tasks in arrival order (bands give the candidates).
  std::uint32_t scan_choice(int threshold, double gamma) const {
    std::uint32_t best = kNone;
    double shortest = -1;
    order_.for_each(alive(), [&](const ArrivalOrder::Entry& a) {
      const Task& x = tasks_[a.slot];
      if (x.band < threshold) return;
      const double e = sparse_ ? gamma * x.key : x.key;
      if (best == kNone || shortest > e) {
        best = a.slot;
        shortest = e;
      }
    });
    return best == kNone ? order_.first(alive()).slot : best;
  }

  // The arrival list's liveness test (slots are reused: the request must match too).
  struct Alive {
    const PremaReferenceIndex* index;
    bool operator()(const ArrivalOrder::Entry& a) const {
      const Task& x = index->tasks_[a.slot];
      return x.live && x.request == a.request;
    }
  };
  Alive alive() const { return {this}; }
  // Drops log entries no sticky task can replay any more (amortised: when the log doubled).
  void trim_log() {
    if (log_.size() < 2 * trimmed_size_ + 4096) return;
    std::uint64_t keep = decisions_;
    order_.for_each(alive(), [&](const ArrivalOrder::Entry& a) {
      const Task& x = tasks_[a.slot];
      if (x.active_at == kNone && x.synced + 1 < keep) keep = x.synced + 1;
    });
    if (keep > log_base_) {
      log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(keep - log_base_));
      log_base_ = keep;
    }
    trimmed_size_ = log_.size();
  }

  bool sparse_;
  Mutant mutant_;
  std::unique_ptr<Policy> small_;  // null once large
  std::size_t large_from_;
  DenseTasks dense_;                   // small: the ready tasks in arrival order and their tokens
  std::vector<Task> tasks_;            // by slot
  std::vector<std::uint32_t> active_;  // slots accrued at every decision, any order
  std::size_t sticky_[3] = {0, 0, 0};  // sticky tasks by band (only 2 without mutants)
  double max_sticky_exec_ = -kInf;     // >= every sticky task's last run
  std::vector<double> log_;            // decision times from decision log_base_
  std::uint64_t log_base_ = 0;
  std::size_t trimmed_size_ = 0;
  std::uint64_t decisions_ = 0;
  std::set<Key> bands_[3];
  std::size_t unkeyed_ = 0;  // live tasks with a NaN estimate (not in a band set)
  ArrivalOrder order_;
  std::size_t live_ = 0;
};

}  // namespace dysta::detail
