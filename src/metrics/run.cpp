#include "dysta/run.h"

#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"

namespace dysta {

namespace {
const ParamValues& params_for(const PolicyChoice& choice, const std::string& policy) {
  static const ParamValues kEmpty;
  const auto it = choice.policy_params.find(policy);
  return it == choice.policy_params.end() ? kEmpty : it->second;
}
}  // namespace

RunMetrics run_policy(const ProfileSet& profiles, const std::vector<Request>& requests,
                      const std::string& policy_name, const PolicyChoice& choice,
                      Semantics semantics, RunResult* raw,
                      std::span<EngineObserver* const> observers, std::span<double> alone_ends) {
  const PolicyInfo& info = policy_registry().get("policy", policy_name);
  auto policy = make_policy(policy_name, params_for(choice, policy_name), semantics);
  auto predictor = make_predictor(choice.predictor, profiles, choice.predictor_params, semantics);
  PolicyStatisticsRecorder statistics;
  EngineOptions options;
  options.semantics = semantics;
  options.observers.assign(observers.begin(), observers.end());
  options.observers.push_back(&statistics);
  options.drop = choice.drop;
  options.alone_ends = alone_ends;
  RunResult result = simulate(profiles, requests, *policy, info.traits, *predictor, options);
  RunMetrics metrics = compute_metrics(profiles, requests, result);
  metrics.policy_statistics = statistics.statistics();
  if (raw) *raw = std::move(result);
  return metrics;
}

void validate_choice(const std::vector<std::string>& policies, const PolicyChoice& choice,
                     const ProfileSet& profiles, Semantics semantics) {
  for (const auto& p : policies) make_policy(p, params_for(choice, p), semantics);
  for (const auto& [name, _] : choice.policy_params) policy_registry().get("policy", name);
  make_predictor(choice.predictor, profiles, choice.predictor_params, semantics);
}

}  // namespace dysta
