// The layer-preemptive single-accelerator simulation engine (spec B.5, B.6).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/profile.h"
#include "dysta/scheduler.h"
#include "dysta/semantics.h"
#include "dysta/workload.h"

namespace dysta {

// Where requests come from, in arrival order. peek() returns the next request or nullptr at the
// end; pop() consumes it. The pointer stays valid until the next pop().
class RequestSource {
 public:
  virtual ~RequestSource() = default;
  virtual const Request* peek() = 0;
  virtual void pop() = 0;
};

// Replays a span of requests.
class SpanSource final : public RequestSource {
 public:
  explicit SpanSource(std::span<const Request> requests) : requests_(requests) {}
  const Request* peek() override { return next_ < requests_.size() ? &requests_[next_] : nullptr; }
  void pop() override { ++next_; }

 private:
  std::span<const Request> requests_;
  std::size_t next_ = 0;
};

// An observer that needs only completions (EngineObserver::on_completion(); metrics).
class CompletionSink : public EngineObserver {
 public:
  bool wants_decisions() const override { return false; }
  bool wants_layers() const override { return false; }  // a sink that overrides on_layer: true
};

struct EngineStats {
  std::size_t requests = 0;
  std::size_t layers_executed = 0;
  std::size_t decisions = 0;
  std::size_t max_ready = 0;        // largest number of ready tasks at a decision
  std::size_t clock_rollbacks = 0;  // reference semantics only (quirk Q2)
  double idle_s = 0;                // accelerator idle time from t = 0 to the last finish
  std::size_t dropped = 0;          // requests dropped (EngineOptions::drop)
  double first_arrival_s = 0;
  double last_finish_s = 0;
};

struct RunResult : EngineStats {
  std::vector<double> finish_s;             // per request, in request order
  std::vector<double> first_start_s;        // start of each request's first layer
  std::vector<std::uint32_t> finish_order;  // request indices in completion order (not dropped)
  // Per request: 1 if dropped (its finish_s is then the drop time). Empty when nothing dropped.
  std::vector<std::uint8_t> dropped_flags;
};

struct EngineOptions {
  Semantics semantics = Semantics::corrected;
  // Subscribers of the run's events (scheduler.h); not owned, null entries ignored.
  std::vector<EngineObserver*> observers;
  // SchedulerOptions::keyed_fast_path: the policy's TaskIndex instead of select() when no
  // observer wants decisions (same choices).
  bool keyed_fast_path = true;
  // SchedulerOptions::drop: drop hopeless requests (DropRule, scheduler.h); with a rule other
  // than none every decision scans.
  DropRule drop = DropRule::none;
  // Optional memo shared by the runs of one request stream (the same requests in the same order,
  // deadlines aside, in the same semantics) on one profile set: entry i holds the outcome of the
  // source's request i run alone from its arrival (Scheduler::run_alone()), -infinity until
  // known; fill it with -infinity for another stream. Results are the same with or without it
  // (the points of a sweep's stream share one: sweep_runner.cpp).
  std::span<double> alone_ends;
};

// Runs requests from `source` to completion under `policy`, reporting each completion to `sink`
// (subscribed after options.observers):
// a driver of a Scheduler (scheduler.h) whose clock is the profile set's latency tables. It
// admits requests, runs the chosen layer for the true latency of the request's sample and reports
// that sample's measured sparsity of the layer; the profile set is also the Scheduler's estimate
// source and, through a ProfileOracle, its LatencyOracle. Memory is proportional to the number of
// requests in flight, not to the stream length. Observers get on_run_end() at the end.
//
// Admission at a layer boundary `now`: reference admits requests with arrival < now (strict); when
// nothing is ready it admits exactly the next request and sets now to its arrival even if that is
// earlier (clock rollback, Q2). corrected admits arrival <= now and, when idle, advances the clock
// to the next arrival (never backwards) and admits every request that has arrived by then.
// After every executed layer of a monitored policy, the measured sparsity of that layer is given
// to `predictor` and the task's gamma updated (spec B.6 step 2). Per decision the work is
// O(ready tasks) plus the policy's own cost (O(log ready) on the keyed fast path). Idle time is
// the time the accelerator waits for an arrival, counted from t = 0.
// Throws InputError if the source's arrivals decrease.
EngineStats simulate_stream(const ProfileSet& profiles, RequestSource& source, Policy& policy,
                            const PolicyTraits& traits, const Predictor& predictor,
                            const EngineOptions& options, CompletionSink& sink);

// Runs a finite stream and returns per-request results.
RunResult simulate(const ProfileSet& profiles, std::span<const Request> requests, Policy& policy,
                   const PolicyTraits& traits, const Predictor& predictor,
                   const EngineOptions& options);
RunResult simulate(const ProfileSet& profiles, std::span<const Request> requests, Policy& policy,
                   const PolicyTraits& traits, const Predictor& predictor, Semantics semantics,
                   EngineObserver* observer = nullptr);

}  // namespace dysta
