// Run metrics (spec E) on hand-built results.
#include "dysta/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "dysta/report.h"
#include "test_util.h"

namespace dysta {
namespace {

// "a" (architecture "x"): isolated latency 2; "b" (architecture "y"): isolated latency 1.
ProfileSet two_arch_set() {
  return ProfileSet({test::simple_variant("a", "x", 2, {1.0, 1.0}),
                     test::simple_variant("b", "y", 2, {0.5, 0.5})});
}

// request  variant  arrival  deadline  finish  turnaround  NTT  progress  violated
//   0        a        0        4         4         4        2     1/2      no (exactly on time)
//   1        b        1        2         3         2        2     1/2      yes
//   2        a        2       10         8         6        3     1/3      no
//   3        b        3        4         5         2        2     1/2      yes
class HandBuiltRun : public ::testing::Test {
 protected:
  HandBuiltRun() : set(two_arch_set()) {
    requests = {test::request(0, 0, 1, 4), test::request(1, 1, 3, 2), test::request(2, 0, 3, 10),
                test::request(3, 1, 9, 4)};
    result.finish_s = {4, 3, 8, 5};
    result.first_start_s = {0, 1, 4, 3};
    result.finish_order = {1, 0, 3, 2};
    result.layers_executed = 8;
    result.decisions = 8;
    result.max_ready = 3;
    result.clock_rollbacks = 1;
    result.idle_s = 0.25;
  }
  ProfileSet set;
  std::vector<Request> requests;
  RunResult result;
};

// Strict '>': request 0 finishes exactly at its deadline and is a hit; 2 of 4 violate.
TEST_F(HandBuiltRun, ViolationRateIsStrict) {
  const RunMetrics m = compute_metrics(set, requests, result);
  EXPECT_EQ(m.requests, 4u);
  EXPECT_EQ(m.violations, 2u);
  EXPECT_EQ(m.slo_violation_rate, 0.5);
}

// ANTT = (2 + 2 + 3 + 2) / 4 = 2.25; throughput = 4 / (8 - 0) = 0.5; makespan 8.
TEST_F(HandBuiltRun, AnttThroughputMakespan) {
  const RunMetrics m = compute_metrics(set, requests, result);
  EXPECT_EQ(m.antt, 2.25);
  EXPECT_EQ(m.makespan_s, 8.0);
  EXPECT_EQ(m.throughput_inf_s, 0.5);
}

// STP (multiprogram) = 1/2 + 1/2 + 1/3 + 1/2 = 11/6; Jain = (11/6)^2 / (4 x (3/4 + 1/9)) =
// 121/124.
TEST_F(HandBuiltRun, StpAndJainFairness) {
  const RunMetrics m = compute_metrics(set, requests, result);
  EXPECT_DOUBLE_EQ(m.stp_multiprogram, 11.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.jain_fairness, 121.0 / 124.0);
}

// Turnarounds sorted [2, 2, 4, 6]: p50 at position 1.5 -> 3; p90 at 2.7 -> 4 + 0.7 x 2 = 5.4;
// p99 at 2.97 -> 5.94. NTT sorted [2, 2, 2, 3]: p50 2, p90 at 2.7 -> 2.7, p99 2.97.
TEST_F(HandBuiltRun, Percentiles) {
  const RunMetrics m = compute_metrics(set, requests, result);
  EXPECT_DOUBLE_EQ(m.turnaround_s.p50, 3.0);
  EXPECT_DOUBLE_EQ(m.turnaround_s.p90, 5.4);
  EXPECT_DOUBLE_EQ(m.turnaround_s.p99, 5.94);
  EXPECT_DOUBLE_EQ(m.normalized_turnaround.p50, 2.0);
  EXPECT_DOUBLE_EQ(m.normalized_turnaround.p90, 2.7);
  EXPECT_DOUBLE_EQ(m.normalized_turnaround.p99, 2.97);
}

// Breakdowns: priority 1: 1 request, 0 violations; 3: 2, 1; 9: 1, 1. Architecture x: 2, 0;
// y: 2, 2. Variants as architectures here.
TEST_F(HandBuiltRun, Breakdowns) {
  const RunMetrics m = compute_metrics(set, requests, result);
  ASSERT_EQ(m.by_priority.size(), 3u);
  EXPECT_EQ(m.by_priority.at(1).requests, 1u);
  EXPECT_EQ(m.by_priority.at(1).violations, 0u);
  EXPECT_EQ(m.by_priority.at(3).requests, 2u);
  EXPECT_EQ(m.by_priority.at(3).violations, 1u);
  EXPECT_EQ(m.by_priority.at(3).rate(), 0.5);
  EXPECT_EQ(m.by_priority.at(9).rate(), 1.0);
  ASSERT_EQ(m.by_architecture.size(), 2u);
  EXPECT_EQ(m.by_architecture.at("x").requests, 2u);
  EXPECT_EQ(m.by_architecture.at("x").violations, 0u);
  EXPECT_EQ(m.by_architecture.at("y").violations, 2u);
  EXPECT_EQ(m.by_variant.at("a").requests, 2u);
  EXPECT_EQ(m.by_variant.at("b").rate(), 1.0);
  EXPECT_EQ(GroupRate{}.rate(), 0.0);
}

// Engine counters are passed through.
TEST_F(HandBuiltRun, CountersPassThrough) {
  const RunMetrics m = compute_metrics(set, requests, result);
  EXPECT_EQ(m.layers_executed, 8u);
  EXPECT_EQ(m.decisions, 8u);
  EXPECT_EQ(m.max_ready, 3u);
  EXPECT_EQ(m.clock_rollbacks, 1u);
  EXPECT_EQ(m.idle_s, 0.25);
}

// Throughput uses the first request's arrival, not 0: arrivals shifted by 100 -> 4 / 8.
TEST_F(HandBuiltRun, ThroughputFromFirstArrival) {
  for (auto& r : requests) {
    r.arrival_s += 100;
    r.deadline_s += 100;
  }
  for (auto& f : result.finish_s) f += 100;
  const RunMetrics m = compute_metrics(set, requests, result);
  EXPECT_EQ(m.throughput_inf_s, 0.5);
  EXPECT_EQ(m.antt, 2.25);
}

// ANTT sums the NTTs in completion order (spec E, L.2). NTTs by request: [2^53, 1, 1]; in
// request order 2^53 + 1 + 1 rounds to 2^53 (ties to even), in completion order [1, 1, 2^53]
// gives 2 + 2^53 exactly. Expected (2^53 + 2) / 3.
TEST(Metrics, AnttSumsInCompletionOrder) {
  const double big = 9007199254740992.0;
  const ProfileSet set({test::simple_variant("c", "c", 1, {1.0})});
  const std::vector<Request> reqs = {test::request(0, 0, 1, 1e300), test::request(0, 0, 1, 1e300),
                                     test::request(1, 0, 1, 1e300)};
  RunResult r;
  r.finish_s = {big, 1, 2};
  r.finish_order = {1, 2, 0};
  const RunMetrics m = compute_metrics(set, reqs, r);
  EXPECT_EQ(m.antt, (big + 2) / 3);
  EXPECT_NE(m.antt, big / 3);
}

// numpy's default (linear) percentile of unsorted values.
TEST(Metrics, PercentileLinear) {
  const std::vector<double> v = {3, 1, 2, 4};
  EXPECT_EQ(percentile(v, 0), 1.0);
  EXPECT_EQ(percentile(v, 100), 4.0);
  EXPECT_EQ(percentile(v, 50), 2.5);
  EXPECT_EQ(percentile(v, 25), 1.75);
  EXPECT_EQ(percentile({7}, 90), 7.0);
  EXPECT_TRUE(std::isnan(percentile({}, 50)));
}

// percentiles_50_90_99() selects by buckets of the values' bit patterns (32 values and more,
// none negative, -0 or NaN) or in place: both equal the sorted computation bit for bit, on
// random sizes, spreads, clusters with outliers, duplicates, zeros, subnormals, infinities and
// negative values.
TEST(Metrics, PercentilesEqualTheSortedComputation) {
  test::XorShift64 next{88172645463325252ULL};
  const auto sorted_percentile = [](std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double pos = q / 100.0 * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
  };
  const auto same = [](double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b) ||
           (std::isnan(a) && std::isnan(b));
  };
  for (int trial = 0; trial < 3000; ++trial) {
    const std::size_t n = 1 + next() % (trial % 10 == 0 ? 5000 : 300);
    const int kind = static_cast<int>(next() % 8);
    std::vector<double> v(n);
    for (double& x : v) {
      const double u = static_cast<double>(next() >> 11) * 0x1p-53;
      switch (kind) {
        case 0:
          x = u;
          break;  // [0, 1)
        case 1:
          x = std::exp(60 * u - 30);
          break;  // wide positive spread
        case 2:
          x = static_cast<double>(next() % 5);
          break;  // few distinct, zeros
        case 3:
          x = 1.0 + u * 1e-12;
          break;  // narrow spread
        case 4:
          x = next() % 50 == 0 ? INFINITY : u * 1e-310;
          break;  // subnormals, +inf
        case 5:
          x = u - 0.5;
          break;  // negatives: in place
        case 6:
          x = next() % 97 == 0 ? -0.0 : 1e3 * u;
          break;  // -0: in place
        default:
          x = next() % 20 == 0 ? 1e3 * u : 1 + u * 1e-13;
          break;  // a cluster and outliers: buckets within buckets
      }
    }
    const Percentiles p = percentiles_50_90_99(v);
    ASSERT_TRUE(same(p.p50, sorted_percentile(v, 50))) << trial << " n=" << n << " kind=" << kind;
    ASSERT_TRUE(same(p.p90, sorted_percentile(v, 90))) << trial << " n=" << n << " kind=" << kind;
    ASSERT_TRUE(same(p.p99, sorted_percentile(v, 99))) << trial << " n=" << n << " kind=" << kind;
  }
}

// recount_violations() of a schedule under new deadlines equals compute_metrics() with them.
// Hand-built: deadlines [3, 5, 7, 5] -> requests 0 and 2 violate (finish 4 > 3, 8 > 7), 1 and 3
// do not; goodput (4 - 2) / 8. Then random deadlines and priorities, dense and not (-1, 64, 1000),
// every field compared through the summary JSON.
TEST_F(HandBuiltRun, RecountViolationsEqualsComputeMetrics) {
  const RunMetrics base = compute_metrics(set, requests, result);
  const double deadlines[] = {3, 5, 7, 5};
  for (std::size_t i = 0; i < requests.size(); ++i) requests[i].deadline_s = deadlines[i];
  const RunMetrics m = recount_violations(base, set, requests, result);
  EXPECT_EQ(m.violations, 2u);
  EXPECT_EQ(m.goodput_inf_s, 0.25);
  EXPECT_EQ(m.by_architecture.at("x").violations, 2u);
  EXPECT_EQ(m.by_architecture.at("y").violations, 0u);
  EXPECT_EQ(m.by_priority.at(3).violations, 1u);
  EXPECT_EQ(metrics_json(m), metrics_json(compute_metrics(set, requests, result)));

  test::XorShift64 next{0x9e3779b97f4a7c15ULL};
  const int priorities[] = {1, 3, 9, -1, 64, 1000};
  for (int trial = 0; trial < 200; ++trial) {
    for (Request& r : requests) {
      r.priority = priorities[next() % 6];
      r.deadline_s = static_cast<double>(next() % 12);
    }
    const RunMetrics before = compute_metrics(set, requests, result);
    for (Request& r : requests) r.deadline_s = static_cast<double>(next() % 12);
    ASSERT_EQ(metrics_json(recount_violations(before, set, requests, result)),
              metrics_json(compute_metrics(set, requests, result)))
        << trial;
  }
}

// A result with drops, or of another request list, is refused.
TEST_F(HandBuiltRun, RecountViolationsRefusesDropsAndOtherLists) {
  const RunMetrics base = compute_metrics(set, requests, result);
  RunResult dropped = result;
  dropped.dropped_flags.assign(requests.size(), 0);
  EXPECT_THROW(recount_violations(base, set, requests, dropped), std::invalid_argument);
  const std::vector<Request> fewer(requests.begin(), requests.begin() + 3);
  EXPECT_THROW(recount_violations(base, set, fewer, result), std::invalid_argument);
}

// Jain's index is 1 when every request makes the same progress.
TEST(Metrics, JainOneForEqualProgress) {
  const ProfileSet set({test::simple_variant("c", "c", 1, {1.0})});
  const std::vector<Request> reqs = {test::request(0, 0, 1, 10), test::request(1, 0, 1, 10)};
  RunResult r;
  r.finish_s = {2, 3};
  r.finish_order = {0, 1};
  const RunMetrics m = compute_metrics(set, reqs, r);
  EXPECT_EQ(m.jain_fairness, 1.0);
  EXPECT_EQ(m.stp_multiprogram, 1.0);
  EXPECT_EQ(m.antt, 2.0);
}

}  // namespace
}  // namespace dysta
