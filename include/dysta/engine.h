// The layer-preemptive single-accelerator simulation engine (spec B.5, B.6).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/profile.h"
#include "dysta/semantics.h"
#include "dysta/workload.h"

namespace dysta {

// Receives engine events. Every hook has an empty default; with no observer nothing is called.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  // An observer that does not need on_decision() returns false, so the engine may use its heap
  // fast path for keyed policies (which makes no per-task scan to report).
  virtual bool wants_decisions() const { return true; }
  virtual void on_admit(std::uint32_t /*request*/, double /*now_s*/) {}
  // After the policy chose tasks[chosen] (before the layer runs).
  virtual void on_decision(const DecisionContext& /*ctx*/, std::size_t /*chosen*/) {}
  virtual void on_layer(std::uint32_t /*request*/, std::uint32_t /*layer*/, double /*start_s*/,
                        double /*end_s*/) {}
  virtual void on_finish(std::uint32_t /*request*/, double /*finish_s*/) {}
};

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

// Receives every completed request, in completion order. `index` is its position in the stream.
class CompletionSink {
 public:
  virtual ~CompletionSink() = default;
  virtual void on_completion(const Request& request, std::uint32_t index, double first_start_s,
                             double finish_s) = 0;
  // A request dropped at `now_s` by EngineOptions::drop (never called when drop is off).
  virtual void on_drop(const Request& /*request*/, std::uint32_t /*index*/, double /*now_s*/) {}
};

struct EngineStats {
  std::size_t requests = 0;
  std::size_t layers_executed = 0;
  std::size_t decisions = 0;
  std::size_t max_ready = 0;        // largest number of ready tasks at a decision
  std::size_t clock_rollbacks = 0;  // reference semantics only (quirk Q2)
  std::size_t dropped = 0;          // requests dropped by EngineOptions::drop
  double idle_s = 0;                // accelerator idle time after the first arrival
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

// Dropping requests that can no longer meet their SLO (as serving systems reject them: Clockwork,
// OSDI 2020; Nexus, SOSP 2019). At every decision instant, after admission, every ready task with
// now + remaining > deadline is dropped: it runs no further layer and counts as an SLO violation.
//   none       never drop (the paper's engine; the default)
//   estimated  remaining = gamma x Rest, the estimate the policy's traits give the task (spec C)
//   oracle     remaining = Rreal, the true remaining latency of its input
enum class DropRule : std::uint8_t { none, estimated, oracle };
const char* to_string(DropRule rule);
// Parses "none", "estimated" or "oracle"; throws InputError naming `field` otherwise.
DropRule parse_drop_rule(const std::string& text, const std::string& field = "drop");

struct EngineOptions {
  Semantics semantics = Semantics::corrected;
  EngineObserver* observer = nullptr;
  // Use the policy's TaskIndex (Policy::make_index(), O(log R) for fcfs, sjf, sjf_sparse, edf
  // and corrected planaria) instead of select(); the choices are identical. Off, or with an
  // observer that wants decisions, every decision scans.
  bool keyed_fast_path = true;
  // Drop hopeless requests (DropRule); with a rule other than none every decision scans.
  DropRule drop = DropRule::none;
};

// Runs requests from `source` to completion under `policy`, reporting each completion to `sink`.
// Memory is proportional to the number of requests in flight, not to the stream length.
//
// Admission at a layer boundary `now`: reference admits requests with arrival < now (strict); when
// nothing is ready it admits exactly the next request and sets now to its arrival even if that is
// earlier (clock rollback, Q2). corrected admits arrival <= now and, when idle, advances the clock
// to the next arrival (never backwards) and admits every request that has arrived by then.
// After every executed layer of a monitored policy, the measured sparsity of that layer is given
// to `predictor` and the task's gamma updated (spec B.6 step 2). Per decision the work is
// O(ready tasks) plus the policy's own cost (O(log ready) on the keyed fast path).
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
