// What happened inside one run: a Chrome trace timeline (opens in Perfetto, ui.perfetto.dev, and
// chrome://tracing) and a per-decision log. Both are EngineObservers; without them the engine
// pays nothing. docs/workflow.md.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/policy.h"
#include "dysta/profile.h"
#include "dysta/run.h"
#include "dysta/workload.h"

namespace dysta {

enum class TimelineTracks {
  request,  // one track per request: a slice from arrival to finish, its layers nested inside
  model,    // one track per model variant: the layers of its requests
};
// Parses "request" or "model"; throws InputError naming --timeline-tracks otherwise.
TimelineTracks parse_timeline_tracks(const std::string& text);

// Records the JSON Trace Event Format. Process "accelerator": one complete slice ("X") per
// executed layer, named after the model. Process "requests" or "models": the tracks chosen by
// TimelineTracks, plus instant events for every arrival and for every deadline miss (at the
// deadline; args give the finish time and lateness). Times are simulated time in microseconds,
// rounded to whole 2^-10 us and written as exact decimals, so that after a viewer parses them
// into doubles, touching slices touch exactly and nested slices nest exactly (ts + dur is
// computed without rounding). In reference semantics the clock rollback (quirk Q2) can make
// accelerator slices overlap.
class TimelineRecorder final : public EngineObserver {
 public:
  TimelineRecorder(const ProfileSet& profiles, std::span<const Request> requests,
                   TimelineTracks tracks);
  bool wants_decisions() const override { return false; }
  void on_layer(std::uint32_t request, std::uint32_t layer, double start_s, double end_s) override;
  void on_finish(std::uint32_t request, double finish_s) override;

  // The trace: {"displayTimeUnit": "ms", "traceEvents": [...]}.
  std::string json() const;
  std::size_t layers() const { return layers_.size(); }

 private:
  struct Layer {
    std::uint32_t request, layer;
    double start_s, end_s;
  };
  const ProfileSet& profiles_;
  std::span<const Request> requests_;
  TimelineTracks tracks_;
  std::vector<Layer> layers_;
  std::vector<double> finish_s_;  // per request; NaN until it finishes
};

// Logs every decision as CSV, one row per ready candidate:
//   decision,now_s,ready,chosen,request,model,priority,arrival_s,deadline_s,slack_s,layers_done,
//   num_layers,est_remaining_s,gamma,est_next_layer_s,est_isolated_s,real_remaining_s,
//   last_exec_s,token,score,score_wins
// `chosen` is 1 on the selected candidate's row; `token` is the PolicyTaskState after select().
// `score` is the number the policy ranked the candidate by (Policy::scores(), taken right before
// select()); `score_wins` says which score wins: "min" or "max" (Policy::score_order(); tie-breaks
// and quirks: Policy::score_meaning()). A policy without scores() falls back to its key() if it is
// keyed ("min"), else to the scores select() computed (Policy::scores_after_select(), dysta_hw:
// the hardware score; empty for a request still in the host FIFO). Requesting decisions makes the
// engine scan every decision instead of using its fast path (same choices).
//
// scores() must run before select(), but the engine reports a decision after it: the policy is
// wrapped in a ScoringPolicy, which calls before_select() and then the policy's select().
// run_policy_observed() does this; without the wrapper only keyed policies get scores.
class DecisionLog final : public EngineObserver {
 public:
  DecisionLog(const ProfileSet& profiles, const Policy* policy = nullptr);
  void set_policy(const Policy* policy) { policy_ = policy; }
  // Takes the scores of the decision select() is about to make (from the policy set_policy()
  // gave); the next on_decision() writes them.
  void before_select(const DecisionContext& ctx);
  // After select(): when before_select() found no scores, takes Policy::scores_after_select().
  void after_select(const DecisionContext& ctx);
  void on_decision(const DecisionContext& ctx, std::size_t chosen) override;
  const std::string& csv() const { return csv_; }
  std::size_t decisions() const { return decisions_; }

 private:
  const ProfileSet& profiles_;
  const Policy* policy_;
  std::string csv_;
  std::size_t decisions_ = 0;
  std::vector<double> scores_;   // of the pending decision
  const char* score_wins_ = "";  // "" = no score for the pending decision
  bool pending_ = false;         // before_select() ran for the next on_decision()
};

// Forwards every call to `policy`, calling log.before_select(ctx) at the start of select(). The
// log must have `policy` set (DecisionLog::set_policy()).
class ScoringPolicy final : public Policy {
 public:
  ScoringPolicy(Policy& policy, DecisionLog& log) : policy_(policy), log_(log) {}
  std::size_t select(const DecisionContext& ctx) override {
    log_.before_select(ctx);
    const std::size_t chosen = policy_.select(ctx);
    log_.after_select(ctx);
    return chosen;
  }
  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    return policy_.scores(ctx, out);
  }
  bool scores_after_select(const DecisionContext& ctx, std::span<double> out) const override {
    return policy_.scores_after_select(ctx, out);
  }
  ScoreOrder score_order() const override { return policy_.score_order(); }
  const char* score_meaning() const override { return policy_.score_meaning(); }
  void bind(const ProfileSet& profiles) override { policy_.bind(profiles); }
  double decision_overhead_s() const override { return policy_.decision_overhead_s(); }
  bool keyed() const override { return policy_.keyed(); }
  double key(const TaskView& task) const override { return policy_.key(task); }
  std::unique_ptr<TaskIndex> make_index() const override { return policy_.make_index(); }

 private:
  Policy& policy_;
  DecisionLog& log_;
};

// Like run_policy() (experiment.h), reporting engine events to `timeline` and `decisions` (either
// may be null). Results are identical to run_policy()'s.
RunMetrics run_policy_observed(const ProfileSet& profiles, const std::vector<Request>& requests,
                               const std::string& policy, const PolicyChoice& choice,
                               Semantics semantics, RunResult* raw, TimelineRecorder* timeline,
                               DecisionLog* decisions);

}  // namespace dysta
