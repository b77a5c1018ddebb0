#include "dysta/experiment.h"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

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
                      std::span<EngineObserver* const> observers) {
  const PolicyInfo& info = policy_registry().get("policy", policy_name);
  auto policy = make_policy(policy_name, params_for(choice, policy_name), semantics);
  auto predictor = make_predictor(choice.predictor, profiles, choice.predictor_params, semantics);
  PolicyStatisticsRecorder statistics;
  EngineOptions options;
  options.semantics = semantics;
  options.observers.assign(observers.begin(), observers.end());
  options.observers.push_back(&statistics);
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

std::vector<SweepPoint> run_sweep(const ProfileSet& profiles, const SweepSpec& spec) {
  if (spec.policies.empty()) throw InputError("", 0, "policies", "no policy given");
  if (spec.rates.empty()) throw InputError("", 0, "rates", "no arrival rate given");
  if (spec.slo_multipliers.empty()) throw InputError("", 0, "slo_multipliers", "none given");
  if (spec.seeds.empty()) throw InputError("", 0, "seeds", "no seed given");
  for (double m : spec.slo_multipliers) {
    if (!(m > 0)) throw InputError("", 0, "slo_multipliers", "must be > 0");
  }
  validate_choice(spec.policies, spec.choice, profiles, spec.semantics);

  // Streams, generated sequentially (they are cheap and the draw order matters).
  const std::size_t num_rates = spec.rates.size();
  std::vector<std::vector<Request>> streams(spec.seeds.size() * num_rates);
  for (std::size_t si = 0; si < spec.seeds.size(); ++si) {
    PyRandom rng(spec.seeds[si]);
    for (std::size_t ri = 0; ri < num_rates; ++ri) {
      if (spec.semantics == Semantics::corrected) rng.seed(spec.seeds[si]);
      StreamSpec ss;
      ss.rate_per_s = spec.rates[ri];
      ss.num_requests = spec.num_requests;
      ss.slo_multiplier = spec.slo_multipliers.front();
      ss.priorities = spec.priorities;
      ss.mix = spec.mix;
      streams[si * num_rates + ri] = generate_poisson_stream(profiles, ss, rng, spec.semantics);
    }
  }

  const std::size_t num_slo = spec.slo_multipliers.size();
  const std::size_t num_pol = spec.policies.size();
  const std::size_t total = streams.size() * num_slo * num_pol;
  std::vector<SweepPoint> points(total);
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;

  auto worker = [&] {
    std::vector<Request> requests;
    std::size_t have_stream = total, have_slo = total;
    while (true) {
      const std::size_t job = next.fetch_add(1);
      if (job >= total) return;
      const std::size_t pi = job % num_pol;
      const std::size_t mi = (job / num_pol) % num_slo;
      const std::size_t stream = job / (num_pol * num_slo);
      try {
        if (stream != have_stream || mi != have_slo) {
          requests = streams[stream];
          apply_slo_multiplier(requests, profiles, spec.slo_multipliers[mi]);
          have_stream = stream;
          have_slo = mi;
        }
        SweepPoint& p = points[job];
        p.seed = spec.seeds[stream / num_rates];
        p.rate = spec.rates[stream % num_rates];
        p.slo_multiplier = spec.slo_multipliers[mi];
        p.policy = spec.policies[pi];
        p.metrics = run_policy(profiles, requests, p.policy, spec.choice, spec.semantics);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next.store(total);
        return;
      }
    }
  };
  unsigned threads = spec.threads ? spec.threads : std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  if (threads > total) threads = static_cast<unsigned>(total);
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  }
  if (failure) std::rethrow_exception(failure);
  return points;
}

}  // namespace dysta
