// The real runtime (runtime.h) on a tiny workload: real MobileNetV2 and face-embedding ResNet
// (pruned, unstructured sparse20), two inputs each, a dozen requests. On the virtual Eyeriss-V2
// clock the execution must reproduce the simulator exactly (the layers' latencies and sparsities
// measured while serving equal the calibration's, and the Scheduler takes the simulator's
// decisions), with one worker thread or several; on the wall clock every request completes.
// Skips without the model cache.
#include "dysta/runtime.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "inference/real_assets.h"

namespace dysta {
namespace {

runtime::ServeOptions tiny(runtime::Clock clock) {
  runtime::ServeOptions o;
  o.models = {"mobilenetv2", "faceresnet"};
  o.patterns = {"unstructured"};
  o.samples = 2;
  o.requests = 12;
  o.utilisation = 0.8;
  o.slo_multiplier = 3;
  o.clock = clock;
  o.calibration_runs = 1;
  return o;
}

TEST(Runtime, AcceleratorClockReproducesTheSimulator) {
  const inference::AssetPaths paths = test::require_assets();
  if (::testing::Test::IsSkipped()) return;
  for (const char* policy : {"dysta", "sjf", "fcfs"}) {
    SCOPED_TRACE(policy);
    runtime::ServeOptions o = tiny(runtime::Clock::accelerator);
    o.policy = policy;
    o.paths = paths;
    const runtime::ServeReport r = runtime::serve(o);
    ASSERT_EQ(r.requests.size(), 12u);
    ASSERT_EQ(r.accelerator_profiles.size(), 2u);
    EXPECT_EQ(r.measured_raw.finish_order.size(), 12u);
    // The simulation of the same stream from the calibration profiles, bit for bit.
    const PolicyInfo& info = policy_registry().get("policy", policy);
    auto p = make_policy(policy, {}, Semantics::corrected);
    auto predictor = make_predictor("average", r.accelerator_profiles, {}, Semantics::corrected);
    const RunResult sim = simulate(r.accelerator_profiles, r.requests, *p, info.traits, *predictor,
                                   Semantics::corrected, nullptr);
    EXPECT_EQ(r.measured_raw.finish_s, sim.finish_s);
    EXPECT_EQ(r.measured_raw.first_start_s, sim.first_start_s);
    EXPECT_EQ(r.measured_raw.finish_order, sim.finish_order);
    EXPECT_EQ(r.measured.antt, r.predicted.antt);
    EXPECT_EQ(r.measured.slo_violation_rate, r.predicted.slo_violation_rate);
    EXPECT_EQ(r.measured.decisions, r.predicted.decisions);
    EXPECT_GT(r.measured.antt, 1.0);
  }
}

// Several CPU threads per layer (--workers): the same calibration and the same execution on the
// accelerator clock, bit for bit, as one worker (and so as the simulator, above).
TEST(Runtime, WorkersDoNotChangeTheAcceleratorClockRun) {
  const inference::AssetPaths paths = test::require_assets();
  if (::testing::Test::IsSkipped()) return;
  runtime::ServeOptions o = tiny(runtime::Clock::accelerator);
  o.paths = paths;
  const runtime::ServeReport one = runtime::serve(o);
  o.workers = 3;
  const runtime::ServeReport three = runtime::serve(o);
  ASSERT_EQ(three.accelerator_profiles.size(), one.accelerator_profiles.size());
  for (std::size_t v = 0; v < one.accelerator_profiles.size(); ++v) {
    EXPECT_EQ(three.accelerator_profiles.variant(v).latency_s,
              one.accelerator_profiles.variant(v).latency_s);
    EXPECT_EQ(three.accelerator_profiles.variant(v).sparsity,
              one.accelerator_profiles.variant(v).sparsity);
  }
  EXPECT_EQ(three.measured_raw.finish_s, one.measured_raw.finish_s);
  EXPECT_EQ(three.measured_raw.first_start_s, one.measured_raw.first_start_s);
  EXPECT_EQ(three.measured_raw.finish_order, one.measured_raw.finish_order);
  EXPECT_EQ(three.measured.antt, one.measured.antt);
  EXPECT_EQ(three.measured.antt, three.predicted.antt);
  o.workers = 0;
  EXPECT_THROW(runtime::serve(o), InputError);
}

TEST(Runtime, WallClockServesEveryRequest) {
  const inference::AssetPaths paths = test::require_assets();
  if (::testing::Test::IsSkipped()) return;
  runtime::ServeOptions o = tiny(runtime::Clock::wall);
  o.paths = paths;
  o.requests = 8;
  o.workers = 2;
  const runtime::ServeReport r = runtime::serve(o);
  ASSERT_EQ(r.measured_raw.finish_order.size(), 8u);
  for (std::size_t i = 0; i < r.requests.size(); ++i) {
    EXPECT_GE(r.measured_raw.first_start_s[i], r.requests[i].arrival_s) << i;
    EXPECT_GT(r.measured_raw.finish_s[i], r.measured_raw.first_start_s[i]) << i;
  }
  EXPECT_TRUE(std::isfinite(r.measured.antt));
  EXPECT_GE(r.measured.antt, 0.5);  // turnaround / calibrated CPU isolated time
  EXPECT_TRUE(std::isfinite(r.predicted.antt));
  EXPECT_GE(r.wall_s, r.requests.back().arrival_s);
}

TEST(Runtime, RejectsOraclesAndUnknownModels) {
  runtime::ServeOptions o = tiny(runtime::Clock::accelerator);
  o.policy = "dysta_oracle";
  EXPECT_THROW(runtime::serve(o), InputError);
  o.policy = "dysta";
  o.models = {"resnet50"};
  EXPECT_THROW(runtime::serve(o), InputError);
  EXPECT_THROW(runtime::parse_clock("cpu"), InputError);
}

}  // namespace
}  // namespace dysta
