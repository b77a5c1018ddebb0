// MetricsAccumulator: batch and streaming runs compute their metrics with the same code, so on
// the same run and the same MetricsOptions they agree bit for bit.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "dysta/metrics.h"
#include "dysta/run.h"
#include "dysta/streaming.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

// Nothing served (every request dropped): counts and groups only; the served-request metrics
// are 0 in every mode.
TEST(MetricsAccumulator, NothingServed) {
  const ProfileSet set({test::simple_variant("a", "x", 1, {2.0})});
  const std::vector<Request> requests = {test::request(5, 0, 1, 6), test::request(6, 0, 3, 7)};
  RunResult result;
  result.finish_s = {5, 6};
  result.first_start_s = {-1, -1};
  result.dropped_flags = {1, 1};
  for (const MetricsOptions& options :
       {MetricsOptions::batch(), MetricsOptions::streaming(), MetricsOptions::streaming(true)}) {
    const RunMetrics m = compute_metrics(set, requests, result, options);
    EXPECT_EQ(m.requests, 2u);
    EXPECT_EQ(m.violations, 2u);
    EXPECT_EQ(m.dropped, 2u);
    EXPECT_EQ(m.slo_violation_rate, 1.0);
    EXPECT_EQ(m.by_priority.at(3).violations, 1u);
    EXPECT_EQ(m.by_architecture.at("x").requests, 2u);
    for (double v : {m.antt, m.makespan_s, m.throughput_inf_s, m.goodput_inf_s, m.stp_multiprogram,
                     m.jain_fairness, m.turnaround_s.p50, m.normalized_turnaround.p99}) {
      EXPECT_EQ(v, 0.0);
    }
  }
}

// The sketch reports the order statistic of rank floor(q/100 (n-1)) (no interpolation), within
// its relative accuracy; exact percentiles interpolate. Turnarounds 1, 2, 3, 4: exact p50 2.5,
// sketch p50 ~2 (rank 1).
TEST(MetricsAccumulator, PercentileModes) {
  const ProfileSet set({test::simple_variant("a", "x", 1, {1.0})});
  const std::vector<Request> requests = {test::request(0, 0, 1, 100), test::request(0, 0, 1, 100),
                                         test::request(0, 0, 1, 100), test::request(0, 0, 1, 100)};
  RunResult result;
  result.finish_s = {1, 2, 3, 4};
  result.first_start_s = {0, 1, 2, 3};
  result.finish_order = {0, 1, 2, 3};
  EXPECT_EQ(compute_metrics(set, requests, result).turnaround_s.p50, 2.5);
  EXPECT_NEAR(compute_metrics(set, requests, result, MetricsOptions::streaming()).turnaround_s.p50,
              2.0, 2e-3);
}

// Batch sums (MetricsOptions::Sums::artifact) add STP's progress values left to right in
// request order. Progress by request: [2^53, 1, 1] (turnarounds 2^-53, 1, 1 of isolated
// latency 1); request order rounds 2^53 + 1 + 1 to 2^53 (ties to even), completion order
// [1, 1, 2^53] would give 2^53 + 2. Compensated sums are exact here: 2^53 + 2.
TEST(MetricsAccumulator, StpSumsInRequestOrder) {
  const double big = 9007199254740992.0;
  const ProfileSet set({test::simple_variant("a", "x", 1, {1.0})});
  const std::vector<Request> requests = {test::request(0, 0, 1, 100), test::request(0, 0, 1, 100),
                                         test::request(0, 0, 1, 100)};
  RunResult result;
  result.finish_s = {1 / big, 1, 1};
  result.first_start_s = {0, 0, 0};
  result.finish_order = {1, 2, 0};
  EXPECT_EQ(compute_metrics(set, requests, result).stp_multiprogram, big);
  EXPECT_EQ(compute_metrics(set, requests, result, MetricsOptions::streaming()).stp_multiprogram,
            big + 2);
}

// A result that does not account for every request exactly once is refused.
TEST(MetricsAccumulator, RefusesIncompleteResults) {
  const ProfileSet set({test::simple_variant("a", "x", 1, {1.0})});
  const std::vector<Request> requests = {test::request(0, 0, 1, 100), test::request(1, 0, 1, 100)};
  RunResult result;
  result.finish_s = {1, 2};
  result.first_start_s = {0, 1};
  result.finish_order = {0};
  EXPECT_THROW(compute_metrics(set, requests, result), std::invalid_argument);
  result.finish_order = {0, 0};
  EXPECT_THROW(compute_metrics(set, requests, result), std::invalid_argument);
  result.finish_order = {1, 0};
  EXPECT_EQ(compute_metrics(set, requests, result).requests, 2u);
}

// Property over random runs (profile set, policy, semantics, drop rule, load, SLO, length,
// seed): a streaming run with the batch options equals run_policy() on the same stream, and the
// streaming options give the same metrics whether fed online or replayed from the batch result.
TEST(MetricsAccumulator, BatchAndStreamingAgreeOnRandomRuns) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  const ProfileSet sets[] = {load_profiles(dir.path() / "sanger", {}),
                             load_profiles(dir.path() / "eyerissv2", {})};
  const std::vector<std::string> policies = {
      "fcfs",        "sjf",   "sjf_sparse",   "prema", "prema_sparse", "planaria", "sdrm3",
      "dysta_naive", "dysta", "dysta_oracle", "edf",   "llf",          "dysta_hw"};
  PyRandom pick(2026);
  int with_drops = 0;
  for (int run = 0; run < 40; ++run) {
    const ProfileSet& set = sets[pick.randint(0, 1)];
    const std::string policy = policies[pick.randint(0, policies.size() - 1)];
    const Semantics semantics = pick.random() < 0.5 ? Semantics::reference : Semantics::corrected;
    PolicyChoice choice;
    const DropRule drops[] = {DropRule::none, DropRule::estimated, DropRule::oracle};
    if (policy != "dysta_hw") choice.drop = drops[pick.randint(0, 2)];  // dysta_hw cannot drop
    double mean_isolated = 0;
    for (const VariantProfile& v : set.variants()) mean_isolated += v.target_latency_pattern_s;
    mean_isolated /= static_cast<double>(set.size());
    StreamSpec spec;
    spec.rate_per_s = (0.3 + 1.2 * pick.random()) / mean_isolated;  // 30% .. 150% load
    spec.num_requests = static_cast<std::size_t>(pick.randint(1, 600));
    spec.slo_multiplier = 1.5 + 20 * pick.random();
    spec.priorities = {1, 3, 9};
    const auto seed = static_cast<std::uint64_t>(pick.randint(0, 1000000));
    SCOPED_TRACE("run " + std::to_string(run) + ": " + policy + " " + to_string(semantics) +
                 " drop " + to_string(choice.drop) + ", " + std::to_string(spec.num_requests) +
                 " requests at " + std::to_string(spec.rate_per_s) + "/s, SLO x" +
                 std::to_string(spec.slo_multiplier) + ", seed " + std::to_string(seed));

    PyRandom rng(seed);
    const auto requests = generate_poisson_stream(set, spec, rng, semantics);
    RunResult raw;
    const RunMetrics batch = run_policy(set, requests, policy, choice, semantics, &raw);
    test::expect_same_metrics(
        run_streaming(set, spec, seed, policy, choice, semantics, MetricsOptions::batch()), batch);
    for (bool exact : {false, true}) {
      const MetricsOptions options = MetricsOptions::streaming(exact);
      const RunMetrics stream = run_streaming(set, spec, seed, policy, choice, semantics, options);
      RunMetrics replayed = compute_metrics(set, requests, raw, options);
      replayed.policy_statistics = batch.policy_statistics;
      test::expect_same_metrics(stream, replayed);
      // Compensated and artifact sums differ by at most a few roundings.
      EXPECT_NEAR(stream.antt, batch.antt, 1e-12 * batch.antt);
      EXPECT_NEAR(stream.stp_multiprogram, batch.stp_multiprogram, 1e-12 * batch.stp_multiprogram);
      EXPECT_NEAR(stream.jain_fairness, batch.jain_fairness, 1e-12);
      if (exact) {
        EXPECT_EQ(stream.turnaround_s.p50, batch.turnaround_s.p50);
        EXPECT_EQ(stream.normalized_turnaround.p99, batch.normalized_turnaround.p99);
      }
    }
    if (batch.dropped > 0) ++with_drops;
  }
  EXPECT_GT(with_drops, 3);  // the drop path is exercised
}

}  // namespace
}  // namespace dysta
