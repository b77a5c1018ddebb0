// Embedding dysta::core: load a profile set, generate a Poisson request stream, simulate it under
// a policy picked by name and print the run's metrics.
// Usage: embed [profile set (default: <data_dir>/synthetic/sanger)] [policy (default: dysta)]
#include <cstdio>
#include <exception>
#include <string>

#include "dysta/data_dir.h"
#include "dysta/engine.h"
#include "dysta/metrics.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/profile.h"
#include "dysta/workload.h"

int main(int argc, char** argv) try {
  using namespace dysta;
  const auto profiles_path =
      argc > 1 ? std::filesystem::path(argv[1]) : data_dir() / "synthetic" / "sanger";
  const std::string policy_name = argc > 2 ? argv[2] : "dysta";
  const ProfileSet profiles = load_profiles(profiles_path, {});
  StreamSpec spec;
  spec.rate_per_s = 40;
  spec.num_requests = 500;
  PyRandom rng(7);
  const auto requests = generate_poisson_stream(profiles, spec, rng, Semantics::corrected);
  auto policy = make_policy(policy_name, {}, Semantics::corrected);
  const auto predictor = make_predictor("average", profiles, {}, Semantics::corrected);
  const PolicyTraits traits = policy_registry().get("policy", policy_name).traits;
  const RunResult result =
      simulate(profiles, requests, *policy, traits, *predictor, Semantics::corrected);
  const RunMetrics m = compute_metrics(profiles, requests, result);
  std::printf("variants %zu, requests %zu, policy %s\n", profiles.size(), m.requests,
              policy_name.c_str());
  std::printf("slo_violation_rate %.6f\nantt %.6f\nthroughput_inf_s %.6f\n", m.slo_violation_rate,
              m.antt, m.throughput_inf_s);
  std::printf("p99_turnaround_s %.6f\ndecisions %zu\n", m.turnaround_s.p99, m.decisions);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "embed: %s\n", e.what());
  return 2;
}
