// `dysta sweep` over a cluster: every point equals the `dysta cluster` run of its configuration;
// the merged table is byte-identical for any thread count and after a resumed, sharded run; the
// cluster axes' errors name the key.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "test_paths.h"
#include "test_util.h"

namespace dysta {
namespace {

using test::dysta_cli;

nlohmann::json summary(const std::filesystem::path& dir) {
  return nlohmann::json::parse(test::read_text(dir / "summary.json"));
}

// Two groups, gamma arrivals; {dispatcher} and {slow} are filled in for single runs.
std::string cluster_yaml(const std::string& dispatcher, const std::string& slow) {
  const std::string profiles =
      std::string(DYSTA_SOURCE_DIR) + "/data/benchmark/profiles/eyerissv2-sparse20";
  return fmt::format(
      "profiles: {}\n"
      "workload: {{rate: 40, requests: 300, seed: 3, arrivals: {{kind: gamma, cv: 2}}}}\n"
      "cluster:\n  dispatcher: {}\n  groups:\n"
      "    - {{name: slow, count: {}}}\n"
      "    - {{name: fast, count: 1, speed: 2}}\n",
      profiles, dispatcher, slow);
}

TEST(ClusterSweepCli, PointsEqualSingleRunsForAnyThreadsAndResume) {
  test::TempDir dir;
  test::write_text(dir.path() / "s.yaml", cluster_yaml("jsq", "2") +
                                              "sweep:\n  dispatchers: [round_robin, jsq]\n"
                                              "  device_counts: {slow: [1, 2]}\n");
  // A shard first, then the whole sweep resumes it.
  const auto shard = dysta_cli(dir.path(), "sweep -q -c s.yaml -o out --threads 2 --shard 1/2");
  ASSERT_EQ(shard.status, 0) << shard.err;
  EXPECT_NE(shard.err.find("2 of 4 points of the sweep are finished"), std::string::npos)
      << shard.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "out/results.csv"));
  const auto rest = dysta_cli(dir.path(), "sweep -c s.yaml -o out --threads 3 --csv");
  ASSERT_EQ(rest.status, 0) << rest.err;
  EXPECT_NE(rest.err.find("ran 2 points (2 already done)"), std::string::npos) << rest.err;
  const std::string csv = test::read_text(dir.path() / "out/results.csv");
  EXPECT_EQ(rest.out, csv);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  // Without an output folder, on 1 and 2 threads: the same bytes.
  for (const char* threads : {"1", "2"}) {
    const auto again =
        dysta_cli(dir.path(), std::string("sweep -q -c s.yaml --csv --threads ") + threads);
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(again.out, csv) << threads;
  }
  // Every point equals the `dysta cluster` run of the same configuration written by hand.
  const auto merged = summary(dir.path() / "out");
  ASSERT_EQ(merged["points"].size(), 4u);
  int matched = 0;
  for (const char* dispatcher : {"round_robin", "jsq"}) {
    for (const char* slow : {"1", "2"}) {
      const std::string name = std::string(dispatcher) + slow;
      test::write_text(dir.path() / (name + ".yaml"), cluster_yaml(dispatcher, slow));
      const auto run = dysta_cli(dir.path(), "cluster -q -c " + name + ".yaml -o " + name);
      ASSERT_EQ(run.status, 0) << run.err;
      const auto single = summary(dir.path() / name);
      for (const auto& p : merged["points"]) {
        if (p["point"]["dispatcher"] != dispatcher || p["point"]["devices.slow"] != slow) continue;
        const auto point = summary(dir.path() / "out/points" / p["key"].get<std::string>());
        EXPECT_EQ(point["metrics"].dump(), single["metrics"].dump()) << name;
        EXPECT_EQ(point["groups"].dump(), single["groups"].dump()) << name;
        EXPECT_EQ(point["per_device"].dump(), single["per_device"].dump()) << name;
        EXPECT_EQ(point["workload"], single["workload"]);
        ++matched;
      }
    }
  }
  EXPECT_EQ(matched, 4);
  // The cluster figure script draws the sweep's table (one line per dispatcher and device count).
  if (test::shell(dir.path(), "/usr/bin/python3 -c 'import matplotlib'").status == 0) {
    const auto fig = test::shell(dir.path(), "/usr/bin/python3 '" + std::string(DYSTA_SOURCE_DIR) +
                                                 "/scripts/plots/cluster_dispatchers.py' "
                                                 "out/results.csv --formats png --rate-at-1 80");
    ASSERT_EQ(fig.status, 0) << fig.err;
    EXPECT_EQ(test::read_text(dir.path() / "out/dispatchers.png").substr(1, 3), "PNG");
  }
  // The two dispatchers differ (the sweep did change the axis).
  EXPECT_NE(merged["points"][0]["metrics"].dump(), merged["points"][1]["metrics"].dump());
}

TEST(ClusterSweepCli, AxesAndErrors) {
  test::TempDir dir;
  test::write_text(dir.path() / "s.yaml",
                   cluster_yaml("earliest_finish", "1") +
                       "sweep:\n  rates: [20, 40]\n  arrival_cvs: [1, 3]\n"
                       "  bindings: [early, late]\n"
                       "  dispatcher_params: {earliest_finish: {slo_fit: [0, 1]}}\n");
  const auto ok = dysta_cli(dir.path(), "sweep -q -c s.yaml --csv --requests 60");
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(std::count(ok.out.begin(), ok.out.end(), '\n'), 1 + 16);
  EXPECT_NE(ok.out.find("3,40,3,10,1,1,late,earliest_finish,slo_fit=1,60,"), std::string::npos)
      << ok.out;
  struct Case {
    std::string args, words;
  };
  for (const Case& c : std::vector<Case>{
           {"--set 'sweep.device_counts={medium: [1]}'", "no device group named 'medium'"},
           {"--set 'sweep.device_counts=[1, 2]'", "a list needs a cluster of one group"},
           {"--set 'sweep.device_counts={slow: [0]}'", "sweep.device_counts.slow[0]"},
           {"--dispatchers jsq,nearest", "unknown dispatcher 'nearest'"},
           {"--set 'sweep.dispatcher_params={jsq: {seed: [1]}}' --dispatchers jsq",
            "dispatcher 'jsq' has no parameter 'seed'"},
           {"--set 'sweep.dispatcher_params={random: {seed: [1.5]}}' --dispatchers random", "seed"},
           {"--set 'sweep.bindings=[early, sideways]'", "expected early or late"},
           {"--policies sjf", "sweep.policies: not an axis of a cluster sweep"},
           {"--set workload.arrivals.kind=exponential --set workload.arrivals.cv=1",
            "sweep.arrival_cvs: needs workload.arrivals with kind gamma or weibull"},
           {"--set 'sweep.arrival_cvs=[0.01]'", "sweep.arrival_cvs[0]"},
           {"--bound", "--bound"},
           {"--set 'workload.per_model={faceresnet_block4_sparse20: 5}'",
            "sweep.rates: workload.per_model sets each model's rate"},
       }) {
    const auto bad = dysta_cli(dir.path(), "sweep -q -c s.yaml -o bad " + c.args);
    EXPECT_EQ(bad.status, 2) << c.args << "\n" << bad.err;
    EXPECT_NE(bad.err.find(c.words), std::string::npos) << c.args << "\n" << bad.err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "bad/results.csv")) << c.args;
  }
  // Too many points is an error before any point is built.
  std::string seeds, rates;
  for (int i = 1; i <= 1100; ++i) {
    const std::string x = std::to_string(i);
    seeds.append(i > 1 ? "," : "").append(x);
    if (i <= 1000) rates.append(i > 1 ? "," : "").append(x);
  }
  const auto huge =
      dysta_cli(dir.path(), "sweep -q -c s.yaml --seeds " + seeds + " --rates " + rates);
  EXPECT_EQ(huge.status, 2);
  EXPECT_NE(huge.err.find("more than kMaxSweepPoints = 1000000 points"), std::string::npos)
      << huge.err;
  // Per-model arrivals in a cluster sweep: every point draws them.
  const auto per_model = dysta_cli(
      dir.path(),
      "sweep -q -c s.yaml -o pm --requests 80 --set 'sweep={dispatchers: [jsq, random]}' --set "
      "'workload.per_model={faceresnet_block4_sparse20: 5, faceresnet_unstructured_sparse20: "
      "{rate: 2, "
      "kind: weibull, cv: 0.5}}'");
  ASSERT_EQ(per_model.status, 0) << per_model.err;
  const auto pm = summary(dir.path() / "pm");  // (a range-for over a temporary's member dangles)
  for (const auto& p : pm["points"]) {
    const auto point = summary(dir.path() / "pm/points" / p["key"].get<std::string>());
    EXPECT_EQ(point["workload"], "per-model arrivals (2 models, 7 req/s in all), SLO x10, seed 3");
    EXPECT_EQ(point["metrics"]["requests"], 80);
  }
  // Cluster axes in a single-accelerator sweep.
  const auto classic = dysta_cli(dir.path(), "sweep -q --requests 10 --dispatchers jsq");
  EXPECT_EQ(classic.status, 2);
  EXPECT_NE(classic.err.find("sweep.dispatchers: only in a cluster sweep"), std::string::npos)
      << classic.err;
}

}  // namespace
}  // namespace dysta
