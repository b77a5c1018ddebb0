// simulate_cluster(): a one-device cluster is `dysta run`; results do not depend on the thread
// count; metrics and per-device bookkeeping.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cluster_test_util.h"
#include "dysta/report.h"
#include "dysta/run.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

std::shared_ptr<const ProfileSet> k1_eyeriss() {
  static std::shared_ptr<const ProfileSet> set = [] {
    test::TempDir dir;
    write_k1_synthetic_sets(dir.path());
    return std::make_shared<const ProfileSet>(load_profiles(dir.path() / "eyerissv2", {}));
  }();
  return set;
}

std::vector<Request> poisson(const ProfileSet& profiles, double rate, std::size_t n,
                             std::uint64_t seed) {
  StreamSpec spec;
  spec.rate_per_s = rate;
  spec.num_requests = n;
  spec.slo_multiplier = 10;
  PyRandom rng(seed);
  return generate_poisson_stream(profiles, spec, rng, Semantics::corrected);
}

// The mean isolated latency of the set, for a rate giving utilisation `u` on `devices` devices.
double rate_for(const ProfileSet& p, double u, std::size_t devices) {
  double mean = 0;
  for (const auto& v : p.variants()) mean += v.target_latency_pattern_s;
  return u * static_cast<double>(devices) / (mean / static_cast<double>(p.size()));
}

TEST(Cluster, OneDeviceIsBitIdenticalToRun) {
  const auto profiles = k1_eyeriss();
  const auto requests = poisson(*profiles, rate_for(*profiles, 0.95, 1), 400, 3);
  for (const char* policy : {"fcfs", "sjf", "prema_sparse", "dysta", "dysta_oracle", "llf"}) {
    for (DropRule drop : {DropRule::none, DropRule::estimated}) {
      PolicyChoice choice;
      choice.drop = drop;
      RunResult raw;
      const RunMetrics expected =
          run_policy(*profiles, requests, policy, choice, Semantics::corrected, &raw);
      DeviceGroup g = test::tiny_group("only", 1, profiles, policy);
      g.drop = drop;
      const Cluster cluster({g});
      for (const char* dispatcher : {"round_robin", "jsq", "earliest_finish"}) {
        ClusterOptions options;
        options.dispatcher = dispatcher;
        const auto run = test::run_cluster(cluster, requests, options);
        const ClusterMetrics m = cluster_metrics(cluster, run.runs, run.recorders);
        const std::string what = std::string(policy) + "/" + to_string(drop) + "/" + dispatcher;
        EXPECT_EQ(metrics_json(m.devices[0]).dump(), metrics_json(expected).dump()) << what;
        EXPECT_EQ(run.runs[0].stats.idle_s, raw.idle_s) << what;
        // The totals of one device are its metrics.
        EXPECT_EQ(m.total.antt, expected.antt) << what;
        EXPECT_EQ(m.total.slo_violation_rate, expected.slo_violation_rate) << what;
        EXPECT_EQ(m.total.goodput_inf_s, expected.goodput_inf_s) << what;
        EXPECT_EQ(m.total.throughput_inf_s, expected.throughput_inf_s) << what;
        EXPECT_EQ(m.total.turnaround_s.p99, expected.turnaround_s.p99) << what;
        EXPECT_EQ(m.total.dropped, expected.dropped) << what;
        EXPECT_EQ(m.total.load_imbalance, 0.0) << what;
        EXPECT_EQ(m.total.utilisation, (raw.last_finish_s - raw.idle_s) / raw.last_finish_s)
            << what;
      }
    }
  }
}

std::string all_metrics(const Cluster& cluster, const test::ClusterRun& run) {
  const ClusterMetrics m = cluster_metrics(cluster, run.runs, run.recorders);
  nlohmann::json j;
  for (const auto& d : m.devices) j["devices"].push_back(metrics_json(d));
  j["antt"] = m.total.antt;
  j["violations"] = m.total.violations;
  j["p99"] = m.total.turnaround_s.p99;
  j["utilisation"] = m.device_utilisation;
  j["imbalance"] = m.total.load_imbalance;
  return j.dump();
}

TEST(Cluster, ResultsDoNotDependOnThreads) {
  const auto profiles = k1_eyeriss();
  const auto fast = std::make_shared<const ProfileSet>(scaled_profiles(*profiles, 1.5));
  const Cluster cluster({test::tiny_group("slow", 3, profiles, "dysta"),
                         test::tiny_group("fast", 2, fast, "sjf_sparse")});
  const auto requests = poisson(cluster.catalogue(), rate_for(*profiles, 0.8, 5), 1500, 11);
  // Oblivious dispatchers: devices simulated in parallel; state-dependent ones and late binding:
  // the sinks on a second thread (SinkPipe). The same per-device calls either way.
  for (const Binding binding : {Binding::early, Binding::late}) {
    for (const char* dispatcher : {"round_robin", "random", "model_affinity", "jsq", "power_of_two",
                                   "least_work", "earliest_finish"}) {
      ClusterOptions options;
      options.dispatcher = dispatcher;
      options.binding = binding;
      options.late_depth = 2;
      options.threads = 1;
      const std::string one = all_metrics(cluster, test::run_cluster(cluster, requests, options));
      for (unsigned threads : {2u, 3u, 7u}) {
        options.threads = threads;
        EXPECT_EQ(all_metrics(cluster, test::run_cluster(cluster, requests, options)), one)
            << dispatcher << " threads " << threads << " " << to_string(binding);
      }
    }
  }
}

// Streaming metrics with the state-dependent dispatchers: the accumulators (fed on the sink
// thread when threads > 1) give the same metrics on 1, 2 and 3 threads, with more completions
// than the pipe holds (8,192 records).
TEST(Cluster, StreamingMetricsDoNotDependOnThreads) {
  const auto profiles = k1_eyeriss();
  const Cluster cluster({test::tiny_group("g", 4, profiles, "dysta")});
  const auto requests = poisson(*profiles, rate_for(*profiles, 0.8, 4), 20000, 21);
  for (const char* dispatcher : {"jsq", "least_work", "power_of_two", "earliest_finish"}) {
    std::string first;
    for (unsigned threads : {1u, 2u, 3u}) {
      ClusterOptions options;
      options.dispatcher = dispatcher;
      options.threads = threads;
      std::vector<MetricsAccumulator> online;
      for (int d = 0; d < 4; ++d) online.emplace_back(*profiles, MetricsOptions::streaming());
      std::vector<CompletionSink*> sinks{&online[0], &online[1], &online[2], &online[3]};
      SpanSource source(requests);
      const auto runs = simulate_cluster(cluster, source, options, sinks);
      const ClusterMetrics m = cluster_metrics_online(cluster, runs, online);
      nlohmann::json j;
      for (const auto& d : m.devices) j["devices"].push_back(metrics_json(d));
      j["p99"] = m.total.turnaround_s.p99;
      j["antt"] = m.total.antt;
      EXPECT_EQ(m.total.requests, requests.size());
      if (threads == 1) {
        first = j.dump();
      } else {
        EXPECT_EQ(j.dump(), first) << dispatcher << " threads " << threads;
      }
    }
  }
}

TEST(Cluster, EveryRequestIsServedOnceAndStatesDrain) {
  const auto profiles = k1_eyeriss();
  const Cluster cluster({test::tiny_group("g", 4, profiles, "dysta")});
  const auto requests = poisson(*profiles, rate_for(*profiles, 0.9, 4), 2000, 5);
  for (const char* dispatcher : {"jsq", "least_work", "earliest_finish"}) {
    ClusterOptions options;
    options.dispatcher = dispatcher;
    const auto run = test::run_cluster(cluster, requests, options);
    const ClusterMetrics m = cluster_metrics(cluster, run.runs, run.recorders);
    EXPECT_EQ(m.total.requests, requests.size()) << dispatcher;
    EXPECT_EQ(m.total.dispatched, requests.size()) << dispatcher;
    std::size_t sum = 0;
    for (const auto& d : m.devices) sum += d.requests;
    EXPECT_EQ(sum, requests.size()) << dispatcher;
    EXPECT_GT(m.total.utilisation, 0.5) << dispatcher;
    EXPECT_LT(m.total.utilisation, 1.0) << dispatcher;
    // State-aware dispatch balances the load of identical devices.
    EXPECT_LT(m.total.load_imbalance, 0.1) << dispatcher;
  }
}

TEST(Cluster, LateBindingWithoutALimitIsEarlyBinding) {
  // A depth no device reaches never queues: the same runs as early binding.
  const auto profiles = k1_eyeriss();
  const Cluster cluster({test::tiny_group("g", 3, profiles, "dysta")});
  const auto requests = poisson(*profiles, rate_for(*profiles, 0.9, 3), 1000, 4);
  for (const char* dispatcher : {"jsq", "earliest_finish", "round_robin"}) {
    ClusterOptions options;
    options.dispatcher = dispatcher;
    const std::string early = all_metrics(cluster, test::run_cluster(cluster, requests, options));
    options.binding = Binding::late;
    options.late_depth = 1'000'000;
    EXPECT_EQ(all_metrics(cluster, test::run_cluster(cluster, requests, options)), early)
        << dispatcher;
    options.late_depth = 1;  // one request at a time: a different run
    EXPECT_NE(all_metrics(cluster, test::run_cluster(cluster, requests, options)), early)
        << dispatcher;
  }
}

TEST(Cluster, OnlineMetricsAgreeWithExactOnes) {
  const auto profiles = k1_eyeriss();
  const Cluster cluster({test::tiny_group("g", 3, profiles, "dysta")});
  const auto requests = poisson(*profiles, rate_for(*profiles, 0.9, 3), 1500, 9);
  ClusterOptions options;
  options.dispatcher = "power_of_two";
  const auto run = test::run_cluster(cluster, requests, options);
  const ClusterMetrics exact = cluster_metrics(cluster, run.runs, run.recorders);
  std::vector<MetricsAccumulator> online;
  for (int d = 0; d < 3; ++d) online.emplace_back(*profiles, MetricsOptions::streaming());
  std::vector<CompletionSink*> sinks{&online[0], &online[1], &online[2]};
  SpanSource source(requests);
  const auto runs = simulate_cluster(cluster, source, options, sinks);
  const ClusterMetrics streamed = cluster_metrics_online(cluster, runs, online);
  EXPECT_EQ(streamed.total.requests, exact.total.requests);
  EXPECT_EQ(streamed.total.violations, exact.total.violations);
  EXPECT_GT(exact.total.violations, 0u);
  EXPECT_NEAR(streamed.total.antt, exact.total.antt, 1e-9 * exact.total.antt);
  EXPECT_EQ(streamed.total.goodput_inf_s, exact.total.goodput_inf_s);
  EXPECT_EQ(streamed.total.load_imbalance, exact.total.load_imbalance);
  // Cluster-wide percentiles from the merged device sketches: within the sketch's relative
  // accuracy (1e-3) of the exact order statistic of rank floor(q / 100 x (n - 1)) over every
  // device's served requests.
  std::vector<double> all;
  for (const auto& r : run.recorders) {
    for (const auto& done : r.done()) {
      if (!done.dropped) all.push_back(done.turnaround_s);
    }
  }
  std::sort(all.begin(), all.end());
  const Percentiles& p = streamed.total.turnaround_s;
  for (const auto& [q, got] : {std::pair{50.0, p.p50}, {90.0, p.p90}, {99.0, p.p99}}) {
    const auto rank = static_cast<std::size_t>(std::floor(q / 100 * (all.size() - 1.0)));
    EXPECT_NEAR(got, all[rank], 1e-3 * all[rank] * (1 + 1e-9)) << q;
  }
  // Exact (batch) percentiles interpolate; the sketch stays within one neighbour's spacing.
  EXPECT_NEAR(p.p99, exact.total.turnaround_s.p99, 0.02 * exact.total.turnaround_s.p99);
  EXPECT_EQ(streamed.groups[0].turnaround_s.p99, p.p99);  // one group: the total
  for (int d = 0; d < 3; ++d) {
    EXPECT_EQ(streamed.devices[d].violations, exact.devices[d].violations);
    EXPECT_NEAR(streamed.devices[d].turnaround_s.p99, exact.devices[d].turnaround_s.p99,
                0.02 * exact.devices[d].turnaround_s.p99);  // sketch rank vs interpolation
  }
}

}  // namespace
}  // namespace dysta
