// One run of a policy and a predictor chosen by name: simulate a request stream and compute its
// metrics (dysta::core). Sweeps over many runs: experiment.h (dysta::sweep).
#pragma once

#include <map>
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
};

// Simulates `requests` under the named policy and returns its metrics (and the raw result).
RunMetrics run_policy(const ProfileSet& profiles, const std::vector<Request>& requests,
                      const std::string& policy, const PolicyChoice& choice, Semantics semantics,
                      RunResult* raw = nullptr, EngineObserver* observer = nullptr);

// Throws InputError unless every policy, predictor and parameter is known (checked up front so a
// sweep fails before doing any work).
void validate_choice(const std::vector<std::string>& policies, const PolicyChoice& choice,
                     const ProfileSet& profiles, Semantics semantics);

}  // namespace dysta
