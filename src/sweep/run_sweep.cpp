// run_sweep(): a SweepSpec run by the sweep engine of sweep files (sweep_runner.h): the spec
// becomes a SweepPlan over one in-memory profile set, and run_points() runs it on its thread pool.
#include <memory>
#include <numeric>
#include <optional>

#include "dysta/error.h"
#include "dysta/experiment.h"
#include "dysta/sweep_file.h"
#include "dysta/sweep_runner.h"

namespace dysta {

std::vector<SweepPoint> run_sweep(const ProfileSet& profiles, const SweepSpec& spec) {
  if (spec.policies.empty()) throw InputError("", 0, "policies", "no policy given");
  if (spec.rates.empty()) throw InputError("", 0, "rates", "no arrival rate given");
  if (spec.slo_multipliers.empty()) throw InputError("", 0, "slo_multipliers", "none given");
  if (spec.seeds.empty()) throw InputError("", 0, "seeds", "no seed given");
  for (double m : spec.slo_multipliers) {
    if (!(m > 0)) throw InputError("", 0, "slo_multipliers", "must be > 0");
  }
  validate_choice(spec.policies, spec.choice, profiles, spec.semantics);
  // The stream parameters, checked before any work (the generator validates in its constructor).
  for (const double rate : spec.rates) {
    StreamSpec ss;
    ss.rate_per_s = rate;
    ss.num_requests = spec.num_requests;
    ss.slo_multiplier = spec.slo_multipliers.front();
    ss.priorities = spec.priorities;
    ss.mix = spec.mix;
    PyRandom rng(spec.seeds.front());
    PoissonGenerator check(profiles, ss, rng, spec.semantics);
  }

  // Points in seed, rate, SLO multiplier, policy order. Reference semantics: one generator per
  // seed continues across the rates in the given order (spec B.4), which a point states as the
  // rates drawn before its own; corrected: every (seed, rate) re-seeds.
  SweepPlan plan;
  plan.profile_sets.push_back(
      std::shared_ptr<const ProfileSet>(&profiles, [](const ProfileSet*) {}));
  PointConfig base;
  base.semantics = spec.semantics;
  base.predictor = spec.choice.predictor;
  base.predictor_params = spec.choice.predictor_params;
  base.requests = spec.num_requests;
  base.priorities = spec.priorities;
  for (std::size_t v = 0; v < spec.mix.size(); ++v)
    base.mix[profiles.variant(v).name] = spec.mix[v];
  const std::size_t num_rates = spec.rates.size();
  for (std::size_t si = 0; si < spec.seeds.size(); ++si) {
    for (std::size_t ri = 0; ri < num_rates; ++ri) {
      PointConfig stream = base;
      stream.seed = spec.seeds[si];
      stream.rate = spec.rates[ri];
      if (spec.semantics == Semantics::reference) {
        stream.earlier_rates.assign(spec.rates.begin(), spec.rates.begin() + ri);
      }
      for (const double slo : spec.slo_multipliers) {
        for (const std::string& policy : spec.policies) {
          PointConfig p = stream;
          p.slo_multiplier = slo;
          p.policy = policy;
          if (auto it = spec.choice.policy_params.find(policy);
              it != spec.choice.policy_params.end()) {
            p.policy_params = it->second;
          }
          plan.points.push_back(std::move(p));
          plan.keys.emplace_back();  // no point folders
          plan.profile_set.push_back(0);
          plan.stream.push_back(static_cast<std::uint32_t>(si * num_rates + ri));
        }
      }
    }
  }

  std::vector<std::size_t> order(plan.points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  LocalQueue queue(std::move(order));
  RunOptions options;
  options.threads = spec.threads;
  std::vector<std::optional<RunMetrics>> results;
  run_points(plan, queue, options, &results);

  std::vector<SweepPoint> points(plan.points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const PointConfig& p = plan.points[i];
    points[i] = {p.seed, p.rate, p.slo_multiplier, p.policy, *results[i]};
  }
  return points;
}

}  // namespace dysta
