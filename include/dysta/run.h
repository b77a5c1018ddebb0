// One run of a policy and a predictor chosen by name: simulate a request stream and compute its
// metrics (dysta::core). Sweeps over many runs: experiment.h (dysta::sweep).
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/metrics.h"
#include "dysta/profile.h"
#include "dysta/registry.h"
#include "dysta/semantics.h"
#include "dysta/workload.h"

namespace dysta {

struct PolicyChoice {
  std::string predictor = "average";
  ParamValues predictor_params;
  std::map<std::string, ParamValues> policy_params;  // per policy name
  DropRule drop = DropRule::none;                    // EngineOptions::drop
};

// Simulates `requests` under the named policy and returns its metrics (and the raw result).
// `observers` subscribe to the run (timeline, decision log, ...); the policy's statistics
// (PolicyStatistics) are collected into RunMetrics::policy_statistics. `alone_ends`:
// EngineOptions::alone_ends (same results with or without it).
RunMetrics run_policy(const ProfileSet& profiles, const std::vector<Request>& requests,
                      const std::string& policy, const PolicyChoice& choice, Semantics semantics,
                      RunResult* raw = nullptr, std::span<EngineObserver* const> observers = {},
                      std::span<double> alone_ends = {});

// Throws InputError unless every policy, predictor and parameter is known (checked up front so a
// sweep fails before doing any work).
void validate_choice(const std::vector<std::string>& policies, const PolicyChoice& choice,
                     const ProfileSet& profiles, Semantics semantics);

}  // namespace dysta
