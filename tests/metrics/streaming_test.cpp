// Streaming runs: online metrics agree with the batch metrics of the same stream.
#include <gtest/gtest.h>

#include <cmath>

#include "dysta/experiment.h"
#include "dysta/streaming.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

TEST(QuantileSketch, WithinRelativeAccuracyOfTheOrderStatistic) {
  QuantileSketch sketch(0.01);
  std::vector<double> values;
  PyRandom rng(5);
  for (int i = 0; i < 20000; ++i) {
    const double x = std::exp(6 * rng.random() - 3);  // spans e^-3 .. e^3
    values.push_back(x);
    sketch.add(x);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 10.0, 50.0, 90.0, 99.0, 100.0}) {
    const auto rank = static_cast<std::size_t>(std::floor(q / 100 * (values.size() - 1)));
    EXPECT_NEAR(sketch.quantile(q), values[rank], 0.01 * values[rank]) << q;
  }
  EXPECT_EQ(sketch.count(), 20000u);
}

TEST(QuantileSketch, ZerosAndEmpty) {
  QuantileSketch sketch;
  EXPECT_TRUE(std::isnan(sketch.quantile(50)));
  sketch.add(0.0);
  sketch.add(0.0);
  sketch.add(4.0);
  EXPECT_EQ(sketch.quantile(50), 0.0);
  EXPECT_NEAR(sketch.quantile(100), 4.0, 4e-3);
}

TEST(QuantileSketch, MergeEqualsOneSketchOfBothStreams) {
  QuantileSketch a, b, both;
  PyRandom rng(3);
  for (int i = 0; i < 5000; ++i) {
    const double x = i % 7 == 0 ? 0.0 : rng.expovariate(i % 2 ? 0.01 : 50.0);
    (i % 3 ? a : b).add(x);
    both.add(x);
  }
  QuantileSketch empty;
  a.merge(empty);
  a.merge(b);
  EXPECT_EQ(a.count(), both.count());
  for (double q = 0; q <= 100; q += 0.5) EXPECT_EQ(a.quantile(q), both.quantile(q)) << q;
  empty.merge(both);  // into an empty sketch
  EXPECT_EQ(empty.quantile(99), both.quantile(99));
  QuantileSketch coarse(0.01);
  EXPECT_THROW(coarse.merge(both), std::invalid_argument);
}

TEST(CompensatedSum, RecoversLostLowOrderBits) {
  CompensatedSum s;
  s.add(1e16);
  for (int i = 0; i < 1000; ++i) s.add(1.0);
  s.add(-1e16);
  EXPECT_EQ(s.value(), 1000.0);
}

TEST(Streaming, MatchesBatchMetricsOnTheSameStream) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  const ProfileSet set = load_profiles(dir.path() / "sanger", {});
  for (Semantics semantics : {Semantics::reference, Semantics::corrected}) {
    for (const char* policy : {"fcfs", "sjf_sparse", "prema", "dysta"}) {
      StreamSpec spec;
      spec.rate_per_s = 85;
      spec.num_requests = 3000;
      spec.slo_multiplier = 5;
      PyRandom rng(11);
      const auto requests = generate_poisson_stream(set, spec, rng, semantics);
      const RunMetrics batch = run_policy(set, requests, policy, {}, semantics);
      const MetricsOptions exact = MetricsOptions::streaming(true);
      const RunMetrics stream = run_streaming(set, spec, 11, policy, {}, semantics, exact);
      const RunMetrics sketch = run_streaming(set, spec, 11, policy, {}, semantics);
      SCOPED_TRACE(std::string(policy) + " " + to_string(semantics));
      EXPECT_EQ(stream.requests, batch.requests);
      EXPECT_EQ(stream.violations, batch.violations);
      EXPECT_EQ(stream.throughput_inf_s, batch.throughput_inf_s);
      EXPECT_EQ(stream.max_ready, batch.max_ready);
      EXPECT_EQ(stream.layers_executed, batch.layers_executed);
      EXPECT_NEAR(stream.antt, batch.antt, 1e-12 * batch.antt);
      EXPECT_NEAR(stream.jain_fairness, batch.jain_fairness, 1e-12);
      EXPECT_EQ(stream.turnaround_s.p99, batch.turnaround_s.p99);
      EXPECT_EQ(stream.by_priority.at(9).violations, batch.by_priority.at(9).violations);
      EXPECT_EQ(stream.by_architecture, batch.by_architecture);
      // Sketch percentiles: within 0.1% of an order statistic near the exact percentile.
      EXPECT_NEAR(sketch.turnaround_s.p50, batch.turnaround_s.p50, 0.01 * batch.turnaround_s.p50);
      EXPECT_NEAR(sketch.normalized_turnaround.p90, batch.normalized_turnaround.p90,
                  0.01 * batch.normalized_turnaround.p90);
    }
  }
}

}  // namespace
}  // namespace dysta
