// Scheduling policies: the interface, the read-only task view they decide on, and the registry.
//
// To add a policy: write one file in src/policies/ with a class deriving from Policy and one
// DYSTA_REGISTER_POLICY(...) line (see src/policies/sjf.cpp for a 30-line example).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dysta/registry.h"
#include "dysta/semantics.h"
#include "dysta/task_index.h"

namespace dysta {

class ProfileSet;
struct Request;

// What a policy may know about a ready task at a decision instant (spec C, notation). Times are
// seconds on the simulated clock. The engine keeps these fields current in O(1) per layer.
struct TaskView {
  double arrival_s = 0;
  double deadline_s = 0;        // arrival + SLO
  double last_exec_s = 0;       // end of its last executed layer; its arrival if never run
  double est_remaining_s = 0;   // Rest: sum of estimated latencies of the layers not yet run
  double est_next_layer_s = 0;  // head: estimated latency of the next layer
  double est_isolated_s = 0;    // IsoE: sum of estimated latencies of all layers
  // True latencies, filled only when the Scheduler has a LatencyOracle (NaN otherwise); only
  // policies with PolicyTraits::oracle may read them.
  double real_remaining_s = 0;  // Rreal
  double real_isolated_s = 0;   // IsoR (true isolated latency of this request's sample)
  double gamma = 1;             // predictor's scaling of est_remaining_s (monitored policies)
  std::uint32_t request = 0;    // index in the request stream (= arrival order)
  std::uint32_t variant = 0;
  std::uint32_t layers_done = 0;
  std::uint32_t num_layers = 0;
  std::uint32_t sample_pos = 0;  // input sample (only hardware models of the monitor read it)
  int priority = 1;
};

// Per-task memory owned by the policy (e.g. PREMA tokens); initialised to these values when the
// task is admitted, then only the policy reads or writes it.
struct PolicyTaskState {
  double token = -1;
  double aux = 0;
};

// One decision: the ready tasks in arrival order (the tie-break order of spec C.10).
struct DecisionContext {
  double now_s = 0;
  std::span<const TaskView> tasks;   // never empty
  std::span<PolicyTaskState> state;  // state[i] belongs to tasks[i]
};

// How the engine prepares tasks for a policy (spec B.5 flags).
struct PolicyTraits {
  bool pattern_aware = false;  // estimates start from the variant's (pattern) averages
  bool monitor = false;        // the sparsity monitor updates gamma after every layer
  bool oracle = false;         // reads TaskView::real_*: the Scheduler needs a LatencyOracle
};

// Which candidate wins under a policy's scores (PolicyScores::scores()).
enum class ScoreOrder : std::uint8_t {
  smallest_wins,  // the smallest score runs
  largest_wins,   // the largest score runs
};
// "min" or "max" (the decision log's score_wins column).
constexpr const char* score_order_name(ScoreOrder order) {
  return order == ScoreOrder::smallest_wins ? "min" : "max";
}

// Contract: select() returns an index into ctx.tasks, depends only on its arguments and the
// policy's own members, and must not allocate. One Policy object serves one simulation run.
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::size_t select(const DecisionContext& ctx) = 0;

  // Called by the engine at the start of every run with the profile set the run uses. A policy
  // that needs more than TaskView (the hardware model's lookup tables, dysta_hw) overrides it.
  virtual void bind(const ProfileSet& /*profiles*/) {}

  // The layer of the task the last select() chose ended at `end_s`, and the sparsity monitor
  // measured `measured_sparsity` (fraction of zeros) on it; `task` is the view before it is
  // updated for that layer. For policies that model hardware fed by the monitor (dysta_hw).
  virtual void layer_done(const TaskView& /*task*/, std::uint32_t /*layer*/,
                          double /*measured_sparsity*/, double /*end_s*/) {}

  // Time the decision just made by select() takes, in seconds, charged to the accelerator before
  // the chosen layer starts (0: decisions are free, as in the artifact). Asked once per decision.
  virtual double decision_overhead_s() const { return 0; }

  // False only for a policy whose choices never depend on TaskView::deadline_s (nor on anything
  // derived from it): runs of one request stream that differ only in SLO multiplier then execute
  // the same schedule, and a sweep simulates it once for all of them (sweep_runner.h). The
  // default (true) is always safe. tests/policies/deadline_blind_test.cpp checks every policy
  // that returns false.
  virtual bool reads_deadlines() const { return true; }

  // False when layer_done() and decision_overhead_s() are the defaults (PlainPolicy): the
  // Scheduler then calls neither (two virtual calls per executed layer).
  virtual bool has_layer_hooks() const { return true; }

  // False for a policy that never reads TaskView::real_remaining_s / real_isolated_s unless its
  // traits say oracle: a driver may then give the Scheduler no LatencyOracle (the views' true
  // latencies are NaN) and save their bookkeeping. The built-in policies (PlainPolicy) return
  // false; the default (true) is always safe.
  virtual bool reads_true_latencies() const { return true; }

  // False for a policy that keeps its own copy of the ready tasks and so cannot follow the
  // Scheduler dropping one (SchedulerOptions::drop); the Scheduler then refuses to drop.
  virtual bool allows_drop() const { return true; }

  // Optional fast path. A policy returns true from keyed() only if select() always picks the
  // task with the smallest key() (ties: earliest arrival) and a task's key changes only when that
  // task executes a layer. The engine may then keep the ready tasks in a heap and skip select():
  // O(log R) per decision instead of O(R) (spec-exact: same choices as the scan).
  virtual bool keyed() const { return false; }
  virtual double key(const TaskView& /*task*/) const { return 0; }

  // The structure the engine uses instead of select() (task_index.h); nullptr = scan. The
  // default is a KeyHeapIndex on key() for keyed policies. Called once per run.
  virtual std::unique_ptr<TaskIndex> make_index() const;
};

// A Policy without per-layer hooks: decisions take no simulated time and executed layers are not
// reported to it (the built-in policies except the hardware model dysta_hw). The hooks are final,
// so a derived policy cannot override them and be silently skipped.
class PlainPolicy : public Policy {
 public:
  void layer_done(const TaskView&, std::uint32_t, double, double) final {}
  double decision_overhead_s() const final { return 0; }
  bool has_layer_hooks() const final { return false; }
  bool reads_true_latencies() const override { return false; }
};

// Optional interface of a Policy for observers (decision logs, tests): the number it ranks each
// candidate by. Never used to decide; a policy implements it by also deriving from PolicyScores,
// and observers find it with policy_scores().
class PolicyScores {
 public:
  virtual ~PolicyScores() = default;

  // Every candidate's score. Contract:
  //  * called right BEFORE select() for the same decision context (same now_s, tasks, state;
  //    EngineObserver::before_decision()), with out.size() == ctx.tasks.size();
  //  * fills out[i] with the number the policy ranks tasks[i] by at this decision, as select()
  //    will see it: a policy whose select() first updates PolicyTaskState (PREMA's tokens) reports
  //    the value after that update, computed without writing it (scores() is const and changes
  //    nothing; select() and scores() share the arithmetic so they cannot drift);
  //  * select() then returns the best score by score_order(), ties going to the earliest arrival
  //    (lowest index), unless score_meaning() names another rule (Planaria's deadline tie-break,
  //    the reference semantics' "-1 incumbent" of Planaria and SDRM3, quirk Q5);
  //  * returns false (out unspecified) when the policy has no per-candidate score.
  // The built-in policies (src/policies/):
  //   fcfs                        arrival_s                                    smallest wins
  //   sjf / sjf_sparse            Rest / gamma x Rest                          smallest wins
  //   prema / prema_sparse        (gamma x) Rest if the task's token, after this decision's
  //                               accrual, reaches the threshold; +inf if not  smallest wins
  //   planaria                    priority / (deadline - now)                  largest wins
  //   sdrm3 / sdrm3_sparse        MapScore U + alpha x F                       largest wins
  //   dysta / dysta_naive /
  //   dysta_oracle                R + beta x (U + P)                           smallest wins
  //   dysta_seconds               R + beta x (U + W / N)                       smallest wins
  //   edf                         deadline                                     smallest wins
  //   llf / llf_sparse            deadline - now - (gamma x) Rest              smallest wins
  //   dysta_hw                    none (false): the hardware model's score exists only inside
  //                               its stateful select(); see scores_after_select()
  virtual bool scores(const DecisionContext& /*ctx*/, std::span<double> /*out*/) const {
    return false;
  }
  // For policies without scores(): the scores select() itself just computed for the same context
  // (dysta_hw: the hardware model's scoring pass). Called by observers right AFTER select(),
  // never in the hot path; out[i] is NaN for a candidate the policy did not score. Returns false
  // when there are none. score_order()/score_meaning() describe them as for scores().
  virtual bool scores_after_select(const DecisionContext& /*ctx*/,
                                   std::span<double> /*out*/) const {
    return false;
  }
  // Which score wins; meaningful only when scores() returns true.
  virtual ScoreOrder score_order() const { return ScoreOrder::smallest_wins; }
  // One line: what the score is, which wins, the tie-break and any semantics quirk ("" if none).
  virtual const char* score_meaning() const { return ""; }
};

// Optional interface of a Policy: named counters it accumulated over the run (dysta_hw: its
// hardware model's decision latencies and queue events). Read at the end of a run by
// PolicyStatisticsRecorder (metrics.h) into summary.json's "policy_statistics".
class PolicyStatistics {
 public:
  virtual ~PolicyStatistics() = default;
  virtual std::map<std::string, double> statistics() const = 0;
};

// The policy's optional interfaces, or nullptr when it does not implement them.
inline const PolicyScores* policy_scores(const Policy& policy) {
  return dynamic_cast<const PolicyScores*>(&policy);
}
inline const PolicyStatistics* policy_statistics(const Policy& policy) {
  return dynamic_cast<const PolicyStatistics*>(&policy);
}

struct PolicyInfo {
  std::string name;
  std::string description;  // one line, shown by `dysta list`
  PolicyTraits traits;
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Policy>(const ParamValues&, Semantics)> make;
};

Registry<PolicyInfo>& policy_registry();

// Creates a registered policy; throws InputError for an unknown name or parameter.
std::unique_ptr<Policy> make_policy(const std::string& name, const ParamValues& params,
                                    Semantics semantics);

}  // namespace dysta

// Registers a PolicyInfo at start-up: DYSTA_REGISTER_POLICY({"name", "description", ...});
#define DYSTA_REGISTER_POLICY(...)                                                      \
  [[maybe_unused]] static const bool DYSTA_CONCAT(dysta_policy_registered_, __LINE__) = \
      ::dysta::policy_registry().add(::dysta::PolicyInfo __VA_ARGS__)
