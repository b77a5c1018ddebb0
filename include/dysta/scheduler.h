// The push-style layer-boundary scheduler (spec B.5, B.6): the ready tasks, a policy, its traits
// and a predictor in one object that a simulator or a real runtime drives. The caller owns the
// clock and the execution: it admits requests as they arrive, asks next() which task runs one
// layer, runs that layer however it likes (a latency table, a CPU, an accelerator) and reports
// layer_done() with the sparsity its monitor measured. Completed requests accumulate in
// finished(). simulate() (engine.h) is one such driver; docs/architecture.md, "Scheduler".
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/profile.h"
#include "dysta/workload.h"

namespace dysta {

// The observer bus: receives scheduler events. Any number subscribe (SchedulerOptions::observers,
// EngineOptions::observers) and are called in subscription order. Every hook has an empty default;
// with no observer nothing is called. Request numbers are positions in the admission order.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  // An observer that needs neither before_decision() nor on_decision() returns false, so the
  // scheduler may use the policy's TaskIndex (keyed fast path), which makes no per-task scan.
  virtual bool wants_decisions() const { return true; }
  // An observer whose on_layer() does nothing may return false: the scheduler then does not call
  // on_layer() on it (one call per executed layer is the per-layer hot path).
  virtual bool wants_layers() const { return true; }
  // An observer whose on_admit() and on_finish() do nothing may return false: the scheduler then
  // does not call them (two calls per request).
  virtual bool wants_request_events() const { return true; }
  // `now_s`: the time the caller admitted the request at (its arrival or a later layer boundary).
  virtual void on_admit(std::uint32_t /*request*/, double /*now_s*/) {}
  // Right before policy.select() for this decision (the scan path only): the context select()
  // will see, and the policy that decides (for optional interfaces such as PolicyScores).
  virtual void before_decision(const DecisionContext& /*ctx*/, const Policy& /*policy*/) {}
  // After the policy chose tasks[chosen] (before the layer runs; the scan path only).
  virtual void on_decision(const DecisionContext& /*ctx*/, std::size_t /*chosen*/) {}
  virtual void on_layer(std::uint32_t /*request*/, std::uint32_t /*layer*/, double /*start_s*/,
                        double /*end_s*/) {}
  virtual void on_finish(std::uint32_t /*request*/, double /*finish_s*/) {}
  // Right after every observer's on_finish(): the request as admitted, its admission number, the
  // start of its first layer and its finish time (metrics accumulators subscribe here).
  virtual void on_completion(const Request& /*request*/, std::uint32_t /*request_number*/,
                             double /*first_start_s*/, double /*finish_s*/) {}
  // Once, when the driver has run everything (simulate_stream()); `policy` may be asked for its
  // optional interfaces (PolicyStatistics).
  virtual void on_run_end(const Policy& /*policy*/) {}
  // A request dropped at `now_s` by Scheduler::drop_hopeless() (never called when drop is off).
  virtual void on_drop(const Request& /*request*/, std::uint32_t /*request_number*/,
                       double /*now_s*/) {}
};

// The true latencies of requests, for oracle policies only (PolicyTraits::oracle, dysta_oracle):
// the one way true latencies enter the Scheduler. A runtime that cannot know them gives none.
class LatencyOracle {
 public:
  virtual ~LatencyOracle() = default;
  // [k] = true latency of the request's layers k..L-1 for k = 0..L (L + 1 values, [L] = 0), valid
  // while the scheduler runs.
  virtual const double* real_remaining_s(const Request& request) const = 0;
};

// The oracle of a simulation: the request's sample in the profile set.
class ProfileOracle final : public LatencyOracle {
 public:
  explicit ProfileOracle(const ProfileSet& profiles) : profiles_(profiles) {}
  const double* real_remaining_s(const Request& request) const override;

 private:
  const ProfileSet& profiles_;
};

// Dropping requests that can no longer meet their SLO (as serving systems reject them: Clockwork,
// OSDI 2020; Nexus, SOSP 2019). At every decision instant, after admission
// (Scheduler::drop_hopeless()), every ready task with now + remaining > deadline is dropped: it
// runs no further layer and counts as an SLO violation.
//   none       never drop (the paper's engine; the default)
//   estimated  remaining = gamma x Rest, the estimate the policy's traits give the task (spec C)
//   oracle     remaining = Rreal, the true remaining latency of its input
enum class DropRule : std::uint8_t { none, estimated, oracle };
const char* to_string(DropRule rule);
// Parses "none", "estimated" or "oracle"; throws InputError naming `field` otherwise.
DropRule parse_drop_rule(const std::string& text, const std::string& field = "drop");

struct SchedulerOptions {
  std::vector<EngineObserver*> observers;  // not owned; null entries are ignored
  // Use the policy's TaskIndex (Policy::make_index(): O(log R) for fcfs, sjf, sjf_sparse, edf
  // and planaria; bound-pruned trees for the Dysta family and llf, policies/bound_index.h; head
  // groups for sdrm3, policies/sdrm3_index.h; lazily replayed tokens for prema,
  // policies/prema_index.h and prema_reference_index.h)
  // instead of select(); the choices are identical. Off, or with an observer
  // that wants decisions, every decision scans.
  bool keyed_fast_path = true;
  // True latencies for TaskView::real_remaining_s / real_isolated_s (NaN without one). Required
  // when the policy's traits say oracle.
  const LatencyOracle* oracle = nullptr;
  // Which requests drop_hopeless() drops (DropRule::oracle needs the oracle); with a rule other
  // than none every decision scans. Throws InputError at construction if the policy does not
  // allow drops (Policy::allows_drop(), dysta_hw).
  DropRule drop = DropRule::none;
  // Keep completed requests for finished(); a driver that takes completions from an observer
  // (EngineObserver::on_completion(), simulate_stream()) turns it off and finished() stays empty.
  bool keep_finished = true;
};

// The layer the caller must run next: layer `layer` of task `task`, starting at `start_s` (the
// `now_s` given to next() plus the policy's decision overhead).
struct ScheduledLayer {
  std::uint32_t task = 0;  // admission number of the request
  std::uint32_t layer = 0;
  double start_s = 0;
  std::uint32_t variant = 0;
  std::uint32_t sample_pos = 0;
};

// A completed request.
struct Completion {
  Request request;
  std::uint32_t task = 0;  // admission number
  double first_start_s = 0;
  double finish_s = 0;
};

struct SchedulerStats {
  std::size_t admitted = 0;
  std::size_t requests = 0;  // completed
  std::size_t layers_executed = 0;
  std::size_t decisions = 0;
  std::size_t max_ready = 0;  // largest number of ready tasks at a decision
  std::size_t dropped = 0;    // by drop_hopeless()
  double first_arrival_s = 0;
  double last_finish_s = 0;
};

// Contract: one layer runs at a time. The caller alternates next() and layer_done() for the task
// next() returned; admit() may be called at any time (while a layer runs, the request joins the
// ready tasks when layer_done() returns). Requests are admitted in arrival order. Times are
// seconds on the caller's clock and never decrease.
//
// Per layer the bookkeeping is O(1) (suffix tables of estimated remaining latency, the predictor's
// gamma for monitored policies, spec B.6 steps 2-4); a decision costs O(ready tasks) on the scan
// path plus the policy's select(), or what the policy's TaskIndex costs on the keyed fast path.
// Storage grows with the largest number of ready tasks (amortised, no allocation per layer).
class Scheduler {
 public:
  // `estimates`: the profile set whose per-variant averages give the estimates (est_* fields);
  // its true per-sample latencies are not read. Calls policy.bind(estimates).
  // Throws std::invalid_argument if traits.oracle and options.oracle is null.
  Scheduler(const ProfileSet& estimates, Policy& policy, const PolicyTraits& traits,
            const Predictor& predictor, SchedulerOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Adds a request (its variant and sample_pos index `estimates`) at time `now_s`; returns its
  // admission number. Throws InputError if arrivals decrease, std::invalid_argument if the
  // request arrives after `now_s` or names an unknown variant.
  std::uint32_t admit(const Request& request, double now_s);

  // Asks the policy which ready task runs its next layer at `now_s`. Throws std::logic_error if
  // no task is ready or a layer is still running.
  ScheduledLayer next(double now_s);

  // The layer next() returned ended at `now_s`; `measured_sparsity` is the fraction of zeros the
  // monitor measured on it (given to the predictor for monitored policies). Returns true when the
  // task finished (it is then appended to finished()). Throws std::logic_error if `task` is not
  // the running task.
  bool layer_done(std::uint32_t task, double measured_sparsity, double now_s);

  // SchedulerOptions::drop: removes every ready task that cannot meet its deadline even if it ran
  // alone from `now_s` (now + remaining > deadline), in arrival order, reporting each to the
  // observers' on_drop(); returns how many. Call before next(), not while a layer runs.
  std::size_t drop_hopeless(double now_s);

  // True when next() would choose the only ready task without asking the policy: one task is
  // ready, nothing runs or waits for admission, the policy's decisions are stateless scans
  // (TaskIndex::scan_below()), it has no layer hooks and no observer watches decisions. A driver
  // may then call run_sole() instead of next() / layer_done() pairs.
  bool sole_runnable() const {
    return count_ == 1 && !index_ && index_from_ > 0 && !layer_hooks_ && !running_ &&
           pending_.empty();
  }
  // The only ready task (when sole_runnable()).
  const TaskView& sole_view() const { return views_[0]; }
  // Runs layers of the only ready task back to back from `now_s`, exactly as next() and
  // layer_done() pairs would (same statistics, monitor updates and on_layer() calls): layer k
  // takes latency_s[k] seconds and its monitor measures sparsity[k]. After each layer ending at
  // time `end`, it goes on unless the task finished or a request arriving at `next_arrival_s`
  // would be admitted at `end` (end > next_arrival_s, or end >= next_arrival_s when
  // `admits_equal`; +inf: no further arrival). Returns the end of the last layer run (at least
  // one). Precondition: sole_runnable() (std::logic_error otherwise).
  double run_sole(double now_s, const double* latency_s, const double* sparsity,
                  double next_arrival_s, bool admits_equal);

  // True when run_alone() may run a request (fixed at construction): the policy decides by a
  // stateless scan (as for sole_runnable()) or by a TaskIndex::memoryless() index, it has no layer
  // hooks, no observer watches admissions, layers or decisions and the drop rule is none.
  bool can_run_alone() const { return alone_ok_; }
  // With nothing ready, running or waiting: `request`, admitted at `now_s`, runs alone to its end
  // (layer k takes latency_s[k] seconds, back to back from `now_s`, as next() / layer_done() pairs
  // or run_sole() would run it), provided that no arrival at `next_arrival_s` would be admitted
  // at an earlier layer end (end > next_arrival_s, or >= when `admits_equal`, as run_sole()). Then
  // it is accounted as those calls would (admission number, statistics, on_completion(),
  // finished()) without entering the ready tasks, and the end of its last layer is returned;
  // otherwise nothing changes and NaN is returned (the caller admits the request as usual). Same
  // exceptions as admit(); std::logic_error unless can_run_alone() and nothing is ready.
  // `end_memo`: null, or a memo of the outcome for exactly these arguments (-infinity: not known
  // yet); read instead of adding up the layers when known, written when computed
  // (EngineOptions::alone_ends).
  double run_alone(const Request& request, double now_s, const double* latency_s,
                   double next_arrival_s, bool admits_equal, double* end_memo = nullptr);

  // Completed requests in completion order since the last clear_finished() (empty when
  // SchedulerOptions::keep_finished is off).
  std::span<const Completion> finished() const { return finished_; }
  void clear_finished() { finished_.clear(); }

  std::size_t ready() const { return count_; }  // admitted and not finished (incl. the running)
  // The view of the task next() last returned: valid from next() until the next admit(), next()
  // or drop_hopeless(), and after its layer_done() only if that returned false (the task is then
  // updated for the layer: gamma, est_remaining_s). For drivers that track estimates (cluster.h).
  const TaskView& running_view() const { return views_[running_pos_]; }
  bool running() const { return running_; }
  const SchedulerStats& stats() const { return stats_; }

 private:
  struct TaskData {
    const double* real_remaining;  // [k] = true latency of layers k..L-1; null without an oracle
    const double* est_remaining;   // [k] = estimated latency of layers k..L-1
    const double* est_layer;       // estimated per-layer latency
    Request request;
    double first_start_s;
    PredictorState predictor;
  };

  void insert(const Request& request, std::uint32_t number);
  void remove(std::size_t pos);
  std::size_t observed_select(double now_s);  // the scan with decision observers
  void finish(std::size_t pos, double now_s);
  void flush_pending();
  void check_admission(const Request& request, double now_s) const;
  // The next admission number (arrival bookkeeping); after check_admission().
  std::uint32_t number_admission(const Request& request);
  // A completed request: statistics, on_finish(), on_completion() and finished().
  void complete(const Request& request, std::uint32_t number, double first_start_s, double now_s);
  // run_sole()'s clock for `layers` layers from `now_s`: the same additions in the same order and
  // the same stop rule; the end of the last layer, or NaN if the arrival at `next_arrival_s` is
  // admitted at an earlier layer end. Out of line: the sum stays in a register.
  static double alone_end(double now_s, const double* latency_s, std::uint32_t layers,
                          double next_arrival_s, bool admits_equal);
  [[noreturn]] void fail_alone() const;
  [[noreturn]] void fail_not_running(std::uint32_t task) const;
  [[noreturn]] void fail_next() const;
  [[noreturn]] static void fail_select();

  const ProfileSet& estimates_;
  Policy& policy_;
  PolicyTraits traits_;
  const Predictor& predictor_;
  std::vector<EngineObserver*> observers_;
  std::vector<EngineObserver*> layer_observers_;     // those of observers_ that want on_layer()
  std::vector<EngineObserver*> decision_observers_;  // ... that want the scan's decisions
  std::vector<EngineObserver*> request_observers_;   // ... that want on_admit() / on_finish()
  const LatencyOracle* oracle_;
  DropRule drop_;
  bool keep_finished_;
  bool layer_hooks_;                  // policy_.has_layer_hooks()
  bool alone_ok_ = false;             // can_run_alone()
  std::unique_ptr<TaskIndex> index_;  // null: scan path (tasks in arrival order)
  // TaskIndex::scan_below() of the policy's index (0: index_ from the start or never).
  std::size_t index_from_ = 0;
  void enter_index();  // scan path -> a fresh index_ (stable slots)
  void leave_index();  // index_ -> scan path

  // Scan path: position = arrival rank among ready tasks (views_, states_ and data_of_ are
  // erased in order: O(ready tasks) per finished request, 100 bytes + 20 per task moved, as
  // select() needs the views contiguous in arrival order); data_ (about 220 bytes per task) stays
  // in stable slots there. Index path: stable slots for everything.
  std::vector<TaskView> views_;
  std::vector<PolicyTaskState> states_;  // scan path only
  std::vector<std::uint32_t> data_of_;   // scan path only: position -> slot of data_
  std::vector<TaskData> data_;
  std::vector<std::uint32_t> free_;  // free slots of data_ (index path: also of views_)
  TaskData& data_at(std::size_t pos) { return data_[index_ ? pos : data_of_[pos]]; }
  std::size_t count_ = 0;

  bool running_ = false;
  std::size_t running_pos_ = 0;
  TaskData* running_data_ = nullptr;  // data of the running task (valid while running_)
  double running_start_s_ = 0;
  struct Pending {
    Request request;
    std::uint32_t number;
  };
  std::vector<Pending> pending_;  // admitted while a layer ran

  std::vector<Completion> finished_;
  SchedulerStats stats_;
  double last_arrival_s_ = 0;
};

// next() and layer_done() are the per-layer hot path of every simulation: defined here so a
// driver's loop can inline them.
inline ScheduledLayer Scheduler::next(double now_s) {
  if (running_ || count_ == 0) fail_next();
  if (count_ > stats_.max_ready) stats_.max_ready = count_;
  std::size_t pos;
  if (index_) {
    pos = index_->best(now_s);
    if (pos >= views_.size()) throw std::logic_error("task index returned an invalid slot");
  } else if (count_ == 1 && index_from_ > 0) {
    pos = 0;  // the only candidate of a stateless scan (TaskIndex::scan_below())
  } else {
    pos = decision_observers_.empty() ? policy_.select({now_s, views_, states_})
                                      : observed_select(now_s);
    if (pos >= count_) fail_select();
  }
  ++stats_.decisions;
  if (layer_hooks_) {
    const double overhead = policy_.decision_overhead_s();
    if (overhead > 0) now_s += overhead;  // the scheduler's decision delays the layer
  }
  const TaskView& t = views_[pos];
  TaskData& d = data_at(pos);
  if (d.first_start_s < 0) d.first_start_s = now_s;
  running_ = true;
  running_pos_ = pos;
  running_data_ = &d;
  running_start_s_ = now_s;
  return {t.request, t.layers_done, now_s, t.variant, t.sample_pos};
}

inline bool Scheduler::layer_done(std::uint32_t task, double measured_sparsity, double now_s) {
  const std::size_t pos = running_pos_;
  if (!running_ || views_[pos].request != task) fail_not_running(task);
  TaskView& t = views_[pos];
  TaskData& d = *running_data_;
  const std::uint32_t k = t.layers_done;
  // Spec B.6 steps 2-4: the monitor's gamma, then the remaining-time tables.
  if (traits_.monitor) t.gamma = predictor_.observe(d.predictor, t.variant, k, measured_sparsity);
  if (layer_hooks_) policy_.layer_done(t, k, measured_sparsity, now_s);
  t.last_exec_s = now_s;
  t.layers_done = k + 1;
  t.est_remaining_s = d.est_remaining[k + 1];
  if (d.real_remaining) t.real_remaining_s = d.real_remaining[k + 1];
  t.est_next_layer_s = k + 1 < t.num_layers ? d.est_layer[k + 1] : 0.0;
  ++stats_.layers_executed;
  running_ = false;
  for (EngineObserver* o : layer_observers_) o->on_layer(t.request, k, running_start_s_, now_s);
  const bool finished = t.layers_done == t.num_layers;
  if (finished) {
    finish(pos, now_s);
  } else if (index_) {
    index_->update_best(static_cast<std::uint32_t>(pos), t);
  }
  if (!pending_.empty()) flush_pending();
  return finished;
}

inline double Scheduler::run_sole(double now_s, const double* latency_s, const double* sparsity,
                                  double next_arrival_s, bool admits_equal) {
  if (!sole_runnable()) throw std::logic_error("Scheduler::run_sole: not a sole runnable task");
  if (stats_.max_ready == 0) stats_.max_ready = 1;
  TaskView& t = views_[0];
  TaskData& d = data_[data_of_[0]];
  if (d.first_start_s < 0) d.first_start_s = now_s;
  running_pos_ = 0;
  const std::uint32_t layers = t.num_layers;
  const std::uint32_t first = t.layers_done;
  std::uint32_t k = first;
  double now = now_s;
  // Spec B.6 steps 2-4 per layer, as layer_done(); the views' tables are written once after.
  // One loop per admission rule. Without layer observers nothing reads the gammas between the
  // layers: the monitor observes the run's layers in one call after (observe_layers()).
  const bool monitor = traits_.monitor, observers = !layer_observers_.empty();
  auto run = [&]<bool kAdmitsEqual, bool kObserved>() {
    while (true) {
      const double start = now;
      now = start + latency_s[k];
      if constexpr (kObserved) {
        if (monitor) t.gamma = predictor_.observe(d.predictor, t.variant, k, sparsity[k]);
        for (EngineObserver* o : layer_observers_) o->on_layer(t.request, k, start, now);
      }
      ++k;
      if (k == layers) break;
      if (kAdmitsEqual ? now >= next_arrival_s : now > next_arrival_s) break;
    }
  };
  if (observers) {
    if (admits_equal) {
      run.template operator()<true, true>();
    } else {
      run.template operator()<false, true>();
    }
  } else {
    if (admits_equal) {
      run.template operator()<true, false>();
    } else {
      run.template operator()<false, false>();
    }
    if (monitor) {
      t.gamma =
          predictor_.observe_layers(d.predictor, t.variant, first, sparsity + first, k - first);
    }
  }
  stats_.decisions += k - first;
  stats_.layers_executed += k - first;
  t.last_exec_s = now;
  t.layers_done = k;
  t.est_remaining_s = d.est_remaining[k];
  if (d.real_remaining) t.real_remaining_s = d.real_remaining[k];
  t.est_next_layer_s = k < layers ? d.est_layer[k] : 0.0;
  if (k == layers) finish(0, now);
  return now;
}

inline double Scheduler::run_alone(const Request& r, double now_s, const double* latency_s,
                                   double next_arrival_s, bool admits_equal, double* end_memo) {
  if (!alone_ok_ || count_ != 0 || running_ || !pending_.empty()) fail_alone();
  check_admission(r, now_s);
  const std::uint32_t layers = static_cast<std::uint32_t>(estimates_.variant(r.variant).num_layers);
  double now;
  if (end_memo && *end_memo != -std::numeric_limits<double>::infinity()) {
    now = *end_memo;
  } else {
    now = alone_end(now_s, latency_s, layers, next_arrival_s, admits_equal);
    if (end_memo) *end_memo = now;
  }
  if (now != now) return now;  // NaN: an arrival is admitted before the last layer
  const std::uint32_t number = number_admission(r);
  if (stats_.max_ready == 0) stats_.max_ready = 1;
  stats_.decisions += layers;
  stats_.layers_executed += layers;
  complete(r, number, now_s, now);
  return now;
}

}  // namespace dysta
