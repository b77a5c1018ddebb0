// Speed of the simulation core: whole sweep points, single decisions, stream generation and
// profile loading. Run: ./build/dysta_bench --benchmark_filter=SweepPoint
#include <benchmark/benchmark.h>

#include <filesystem>

#include "dysta/config.h"
#include "dysta/experiment.h"
#include "dysta/hardware/scheduler_model.h"
#include "dysta/policy.h"
#include "dysta/profile.h"
#include "dysta/workload.h"

namespace dysta {
namespace {

const ProfileSet& sanger_set() {
  static const ProfileSet set = load_profiles(data_dir() / "synthetic" / "sanger", {});
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

// One decision of the hardware scheduler model (hw::SchedulerModel::decide() plus the layer_done()
// that returns it to IDLE) on a full queue of 512 requests in 32 slots with distinct remaining
// times. Arg 0: 0 = overload (every request arrived 2^40 cycles ago, deadlines passed: waits
// saturate the Q format, as under sustained overload), 1 = fresh (arrivals and deadlines within a
// few Q units of now). Arg 1: 0 = the model's pruned pass, 1 = the full pass (decide(&terms)),
// which scores all 512 entries as the hardware does.
void BM_HwDecide(benchmark::State& state) {
  const bool overload = state.range(0) == 0;
  const bool full = state.range(1) == 1;
  hw::HwConfig config;  // FP32, 2^9 queue entries, 2^5 slots, 2^6 layers
  hw::SchedulerModel m(config);
  const hw::FloatFormat f = config.fp();
  std::uint64_t t = 0;
  const auto command = [&](hw::HostCommand code, std::uint64_t data) {
    t = m.next_ready(t);
    m.command(t++, code, data);
  };
  PyRandom rng(7);
  const std::uint32_t slots = 1u << config.slot_bits, layers = 1u << config.layer_bits;
  for (std::uint32_t s = 0; s < slots; ++s) {
    for (std::uint32_t l = 0; l < layers; ++l) {
      const double rest = (1.0 + rng.random()) * (layers - l) / layers;
      command(hw::HostCommand::lut_rest, hw::cmd::lut_entry(hw::fp_from_double(f, rest), s, l));
      command(hw::HostCommand::lut_inv_outputs,
              hw::cmd::lut_entry(hw::fp_from_double(f, 1.0 / 16384), s, l));
      command(hw::HostCommand::lut_inv_density,
              hw::cmd::lut_entry(hw::fp_from_double(f, 1.0 + rng.random()), s, l));
    }
    command(hw::HostCommand::lut_inv_isolated,
            hw::cmd::slot_entry(hw::fp_from_double(f, 1.0 + 4 * rng.random()), s));
  }
  for (std::uint32_t n = 1; n <= config.depth(); ++n) {
    command(hw::HostCommand::lut_recip, hw::cmd::recip_entry(hw::fp_recip(f, n), n - 1));
  }
  command(hw::HostCommand::set_time_shift, 4);  // one Q unit = 2^22 cycles
  t = std::uint64_t{1} << 41;
  const std::uint64_t unit = std::uint64_t{1} << 22;
  for (std::uint32_t id = 0; id < config.depth(); ++id) {
    const auto jitter = static_cast<std::uint64_t>(rng.random() * 4 * unit);
    command(hw::HostCommand::stage_deadline, overload ? t - (std::uint64_t{1} << 39) : t + jitter);
    command(hw::HostCommand::stage_arrival, overload ? t - (std::uint64_t{1} << 40) : t - jitter);
    command(hw::HostCommand::push, hw::cmd::push(id, rng.getrandbits(5)));
  }
  std::vector<hw::ScoreTerms> terms;
  const std::uint64_t before = m.scores_evaluated();
  for (auto _ : state) {
    const hw::ModelDecision d = full ? m.decide(&terms) : m.decide();
    m.layer_done(d.start_cycle + 1000, 8000 + rng.getrandbits(10), false);
    t = m.idle_since();
    benchmark::DoNotOptimize(d.id);
  }
  state.counters["scores/decision"] =
      static_cast<double>(m.scores_evaluated() - before) / static_cast<double>(state.iterations());
  state.SetLabel(std::string(overload ? "overload" : "fresh") + (full ? ", full" : ", pruned"));
}
BENCHMARK(BM_HwDecide)->ArgsProduct({{0, 1}, {0, 1}})->Unit(benchmark::kNanosecond);

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
    benchmark::DoNotOptimize(load_profiles(data_dir() / "synthetic" / "sanger", {}));
  }
}
BENCHMARK(BM_LoadProfiles)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dysta
