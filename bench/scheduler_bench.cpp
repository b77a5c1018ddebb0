// Speed of the simulation core: whole sweep points, single decisions, stream generation and
// profile loading. Run: ./build/dysta_bench --benchmark_filter=SweepPoint
#include <benchmark/benchmark.h>

#include <filesystem>

#include "dysta/config.h"
#include "dysta/experiment.h"
#include "dysta/policy.h"
#include "dysta/profile.h"
#include "dysta/workload.h"

namespace dysta {
namespace {

const ProfileSet& sanger_set() {
  static const ProfileSet set =
      load_profiles(data_dir() / "synthetic" / "sanger", {});
  return set;
}

const char* const kPolicies[] = {"fcfs",         "sjf",         "sjf_sparse",  "prema",
                                 "prema_sparse", "planaria",    "sdrm3",       "sdrm3_sparse",
                                 "dysta",        "dysta_naive", "dysta_oracle"};

// One 1000-request sweep point (stream generation excluded) on the synthetic Sanger set.
// Arg 0: policy index; arg 1: arrival rate (30 = light load, at most a handful of ready tasks;
// 60 = moderate; 90 = near saturation of this set's ~92 req/s capacity).
void BM_SweepPoint(benchmark::State& state) {
  const std::string policy = kPolicies[state.range(0)];
  StreamSpec spec;
  spec.rate_per_s = static_cast<double>(state.range(1));
  spec.num_requests = 1000;
  spec.slo_multiplier = 10;
  PyRandom rng(1);
  const auto requests = generate_poisson_stream(sanger_set(), spec, rng, Semantics::corrected);
  PolicyChoice choice;
  std::size_t layers = 0, max_ready = 0;
  for (auto _ : state) {
    const RunMetrics m = run_policy(sanger_set(), requests, policy, choice, Semantics::corrected);
    layers = m.layers_executed;
    max_ready = m.max_ready;
    benchmark::DoNotOptimize(m.antt);
  }
  state.counters["max_ready"] = static_cast<double>(max_ready);
  state.SetLabel(policy);
  state.counters["requests/s"] =
      benchmark::Counter(1000.0 * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["layers/s"] = benchmark::Counter(static_cast<double>(layers * state.iterations()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SweepPoint)
    ->ArgsProduct({benchmark::CreateDenseRange(0, 10, 1), {30, 60, 90}})
    ->Unit(benchmark::kMicrosecond);

// Cost of one select() with R ready tasks (arg 1), per policy (arg 0).
void BM_Decision(benchmark::State& state) {
  const std::string policy_name = kPolicies[state.range(0)];
  const auto ready = static_cast<std::size_t>(state.range(1));
  auto policy = make_policy(policy_name, {}, Semantics::corrected);
  std::vector<TaskView> tasks(ready);
  std::vector<PolicyTaskState> states(ready);
  for (std::size_t i = 0; i < ready; ++i) {
    TaskView& t = tasks[i];
    t.arrival_s = 0.001 * static_cast<double>(i);
    t.deadline_s = 0.1 + 0.003 * static_cast<double>((i * 7) % 11);
    t.last_exec_s = t.arrival_s;
    t.est_remaining_s = 0.01 + 0.001 * static_cast<double>((i * 5) % 13);
    t.est_next_layer_s = 0.001;
    t.est_isolated_s = 0.012;
    t.real_remaining_s = t.est_remaining_s * 1.1;
    t.real_isolated_s = 0.013;
    t.gamma = 0.9 + 0.01 * static_cast<double>(i % 7);
    t.priority = 1 + 2 * static_cast<int>(i % 3);
    t.request = static_cast<std::uint32_t>(i);
  }
  double now = 0.05;
  for (auto _ : state) {
    const DecisionContext ctx{now, tasks, states};
    benchmark::DoNotOptimize(policy->select(ctx));
    now += 1e-6;
  }
  state.SetLabel(policy_name);
}
BENCHMARK(BM_Decision)->ArgsProduct({benchmark::CreateDenseRange(0, 10, 1), {1, 4, 16, 64}});

void BM_GenerateStream(benchmark::State& state) {
  StreamSpec spec;
  spec.rate_per_s = 60;
  spec.num_requests = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    PyRandom rng(1);
    benchmark::DoNotOptimize(
        generate_poisson_stream(sanger_set(), spec, rng, Semantics::corrected));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_GenerateStream)->Arg(1000);

void BM_LoadProfiles(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        load_profiles(data_dir() / "synthetic" / "sanger", {}));
  }
}
BENCHMARK(BM_LoadProfiles)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dysta
