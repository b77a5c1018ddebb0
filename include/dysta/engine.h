// The layer-preemptive single-accelerator simulation engine (spec B.5, B.6).
#pragma once

#include <cstdint>
#include <span>
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
  virtual void on_admit(std::uint32_t /*request*/, double /*now_s*/) {}
  // After the policy chose tasks[chosen] (before the layer runs).
  virtual void on_decision(const DecisionContext& /*ctx*/, std::size_t /*chosen*/) {}
  virtual void on_layer(std::uint32_t /*request*/, std::uint32_t /*layer*/, double /*start_s*/,
                        double /*end_s*/) {}
  virtual void on_finish(std::uint32_t /*request*/, double /*finish_s*/) {}
};

struct RunResult {
  std::vector<double> finish_s;             // per request, in request order
  std::vector<double> first_start_s;        // start of each request's first layer
  std::vector<std::uint32_t> finish_order;  // request indices in completion order
  std::size_t layers_executed = 0;
  std::size_t decisions = 0;
  std::size_t max_ready = 0;        // largest number of ready tasks at a decision
  std::size_t clock_rollbacks = 0;  // reference semantics only (quirk Q2)
  double idle_s = 0;                // accelerator idle time between the first arrival and the end
};

// Runs `requests` (in arrival order) to completion under `policy`.
//
// Admission at a layer boundary `now`: reference admits requests with arrival < now (strict); when
// nothing is ready it admits exactly the next request and sets now to its arrival even if that is
// earlier (clock rollback, Q2). corrected admits arrival <= now and, when idle, advances the clock
// to the next arrival (never backwards) and admits every request that has arrived by then.
// After every executed layer of a monitored policy, the measured sparsity of that layer is given
// to `predictor` and the task's gamma updated (spec B.6 step 2). Per decision the work is
// O(ready tasks) plus the policy's own cost; nothing is allocated after start-up.
RunResult simulate(const ProfileSet& profiles, std::span<const Request> requests, Policy& policy,
                   const PolicyTraits& traits, const Predictor& predictor, Semantics semantics,
                   EngineObserver* observer = nullptr);

}  // namespace dysta
