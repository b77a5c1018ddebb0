// What happened inside one run: a Chrome trace timeline (opens in Perfetto, ui.perfetto.dev, and
// chrome://tracing) and a per-decision log. Both subscribe to the observer bus (EngineObserver);
// without them the engine pays nothing. docs/workflow.md.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/policy.h"
#include "dysta/profile.h"
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
// `score` is the number the policy ranked the candidate by (PolicyScores::scores(), taken in
// before_decision(), i.e. right before select()); `score_wins` says which score wins: "min" or
// "max" (PolicyScores::score_order(); tie-breaks and quirks: PolicyScores::score_meaning()). A
// policy without scores() falls back to its key() if it is keyed ("min"), else to the scores
// select() computed (PolicyScores::scores_after_select(), taken in on_decision(); dysta_hw: the
// hardware score; empty for a request still in the host FIFO); a policy without PolicyScores
// that is not keyed leaves both columns empty. Subscribing makes the engine scan every decision
// instead of using its fast path (same choices).
class DecisionLog final : public EngineObserver {
 public:
  explicit DecisionLog(const ProfileSet& profiles);
  void before_decision(const DecisionContext& ctx, const Policy& policy) override;
  void on_decision(const DecisionContext& ctx, std::size_t chosen) override;
  const std::string& csv() const { return csv_; }
  std::size_t decisions() const { return decisions_; }

 private:
  const ProfileSet& profiles_;
  std::string csv_;
  std::size_t decisions_ = 0;
  const PolicyScores* scorer_ = nullptr;  // of the pending decision
  std::vector<double> scores_;            // of the pending decision
  const char* score_wins_ = "";           // "" = no score for the pending decision
};

}  // namespace dysta
