// The dysta_hw policy (include/dysta/hardware/dysta_hw.h) inside the simulator: with FP32 scores
// it takes the decisions of the double-precision rule (spec C.7 with the last-one gamma), FP16
// stays close, a small hardware queue overflows into the host FIFO without losing requests, and
// misuse is reported.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/hardware/dysta_hw.h"
#include "dysta/metrics.h"
#include "dysta/predictor.h"
#include "dysta/profile.h"
#include "dysta/streaming.h"
#include "dysta/synthetic.h"
#include "dysta/workload.h"
#include "policies/dysta_rule.h"
#include "test_paths.h"
#include "test_util.h"

namespace dysta {
namespace {

class CountDifferences final : public EngineObserver {
 public:
  void on_decision(const DecisionContext& ctx, std::size_t chosen) override {
    const std::size_t soft = detail::dysta_select(
        ctx, 0.01, [](const TaskView& t) { return t.gamma * t.est_remaining_s; },
        [](const TaskView& t) { return t.est_isolated_s; });
    ++decisions;
    if (soft != chosen) ++differing;
  }
  std::size_t decisions = 0, differing = 0;
};

struct HwRun {
  RunMetrics metrics;
  std::size_t decisions = 0, differing = 0;
  hw::DystaHwStats stats;
};

ProfileSet sanger() {
  return load_profiles(std::filesystem::path(DYSTA_SOURCE_DIR) / "data" / "synthetic" / "sanger",
                       {});
}

std::vector<Request> stream(const ProfileSet& p, double rate, double slo, std::size_t n) {
  PyRandom rng(3);
  StreamSpec spec;
  spec.rate_per_s = rate;
  spec.num_requests = n;
  spec.slo_multiplier = slo;
  return generate_poisson_stream(p, spec, rng, Semantics::corrected);
}

HwRun run_hw(const ProfileSet& p, const std::vector<Request>& requests, ParamValues params) {
  auto policy = make_policy("dysta_hw", params, Semantics::corrected);
  auto predictor = make_predictor("last_one", p, {}, Semantics::corrected);
  CountDifferences count;
  const PolicyTraits traits = policy_registry().get("policy", "dysta_hw").traits;
  const RunResult result =
      simulate(p, requests, *policy, traits, *predictor, Semantics::corrected, &count);
  HwRun r;
  r.metrics = compute_metrics(p, requests, result);
  r.decisions = count.decisions;
  r.differing = count.differing;
  r.stats = dynamic_cast<hw::DystaHwPolicy&>(*policy).stats();
  return r;
}

TEST(DystaHw, Fp32TakesTheDoublePrecisionDecisions) {
  const ProfileSet p = sanger();
  const auto requests = stream(p, 60, 10, 300);
  const HwRun hw32 = run_hw(p, requests, {{"score_bits", 32}});
  EXPECT_EQ(hw32.differing, 0u);
  PolicyChoice choice;
  choice.predictor = "last_one";
  const RunMetrics soft = run_policy(p, requests, "dysta", choice, Semantics::corrected);
  EXPECT_EQ(hw32.metrics.violations, soft.violations);
  EXPECT_DOUBLE_EQ(hw32.metrics.antt, soft.antt);
  // One decision per layer; each costs at least N + 10 cycles after the layer ends.
  EXPECT_EQ(hw32.stats.decisions, hw32.metrics.decisions);
  EXPECT_GE(hw32.stats.decision_cycles, 11 * hw32.stats.decisions);
  EXPECT_EQ(hw32.stats.late_layers, 0u);
}

TEST(DystaHw, Fp16StaysClose) {
  const ProfileSet p = sanger();
  const auto requests = stream(p, 90, 10, 300);
  const HwRun hw16 = run_hw(p, requests, {{"score_bits", 16}});
  EXPECT_EQ(hw16.metrics.requests, 300u);
  EXPECT_LT(hw16.differing * 20, hw16.decisions);  // under 5 %
}

TEST(DystaHw, SmallQueueOverflowsIntoHostFifo) {
  const ProfileSet p = sanger();
  const auto requests = stream(p, 90, 10, 200);
  const HwRun r = run_hw(p, requests, {{"queue_bits", 1}});
  EXPECT_EQ(r.metrics.requests, 200u);
  EXPECT_GT(r.stats.queue_full_waits, 0u);
  // Through run_policy (which binds) as any user would call it.
  const RunMetrics m = run_policy(p, requests, "dysta_hw", {}, Semantics::corrected);
  EXPECT_EQ(m.requests, 200u);
}

// The engine's index path (DystaHwPolicy::make_index) takes the decisions of the scan path:
// same completion order and times, same model statistics, here with an overloaded stream that
// fills the hardware queue and the host FIFO.
TEST(DystaHw, IndexPathEqualsScanPath) {
  const ProfileSet p = sanger();
  for (const double bits : {32.0, 16.0}) {
    SCOPED_TRACE(bits);
    const auto requests = stream(p, 140, 10, 1500);
    std::vector<RunResult> results;
    std::vector<hw::DystaHwStats> stats;
    for (const bool index : {true, false}) {
      auto policy =
          make_policy("dysta_hw", {{"score_bits", bits}, {"queue_bits", 6}}, Semantics::corrected);
      auto predictor = make_predictor("last_one", p, {}, Semantics::corrected);
      EngineOptions options;
      options.keyed_fast_path = index;
      const PolicyTraits traits = policy_registry().get("policy", "dysta_hw").traits;
      results.push_back(simulate(p, requests, *policy, traits, *predictor, options));
      stats.push_back(dynamic_cast<hw::DystaHwPolicy&>(*policy).stats());
    }
    EXPECT_EQ(results[0].finish_order, results[1].finish_order);
    EXPECT_EQ(results[0].finish_s, results[1].finish_s);
    EXPECT_EQ(results[0].first_start_s, results[1].first_start_s);
    EXPECT_EQ(results[0].decisions, results[1].decisions);
    EXPECT_EQ(stats[0].decision_cycles, stats[1].decision_cycles);
    EXPECT_GT(stats[0].queue_full_waits, 0u);
    EXPECT_GT(results[0].max_ready, 64u);
  }
}

TEST(DystaHw, Misuse) {
  auto policy = make_policy("dysta_hw", {}, Semantics::corrected);
  TaskView t;
  std::vector<TaskView> tasks{t};
  std::vector<PolicyTaskState> state(1);
  EXPECT_THROW(policy->select({0.0, tasks, state}), std::logic_error);
  for (const ParamValues& bad : {ParamValues{{"score_bits", 24}}, ParamValues{{"queue_bits", 0}},
                                 ParamValues{{"time_shift", 64}}, ParamValues{{"clock_hz", 0}}}) {
    EXPECT_THROW(make_policy("dysta_hw", bad, Semantics::corrected), InputError);
  }
}

}  // namespace
}  // namespace dysta

namespace dysta {
namespace {

// charge_latency = 1 charges every decision's cycles to the accelerator: the same stream then
// finishes later by about decisions x mean decision latency, and streaming runs bind too.
TEST(DystaHwCharge, ChargingDecisionLatencyDelaysTheRun) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  const ProfileSet set = load_profiles(dir.path() / "sanger", {});
  StreamSpec spec;
  spec.rate_per_s = 60;
  spec.num_requests = 300;
  PyRandom rng(2);
  const auto requests = generate_poisson_stream(set, spec, rng, Semantics::corrected);
  PolicyChoice free_choice, charged_choice;
  free_choice.predictor = charged_choice.predictor = "last_one";
  charged_choice.policy_params["dysta_hw"] = {{"charge_latency", 1}};
  RunResult free_raw, charged_raw;
  run_policy(set, requests, "dysta_hw", free_choice, Semantics::corrected, &free_raw);
  run_policy(set, requests, "dysta_hw", charged_choice, Semantics::corrected, &charged_raw);
  EXPECT_GT(charged_raw.last_finish_s, free_raw.last_finish_s);
  // Charging never lets a request start before it would have started for free.
  EXPECT_GE(charged_raw.first_start_s[0], free_raw.first_start_s[0]);
  const RunMetrics streamed =
      run_streaming(set, spec, 2, "dysta_hw", free_choice, Semantics::corrected);
  EXPECT_EQ(streamed.requests, 300u);
}

}  // namespace
}  // namespace dysta
