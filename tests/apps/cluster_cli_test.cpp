// `dysta cluster` end to end: a one-device cluster reports `dysta run`'s metrics; the cluster:
// section's errors name the key; the resolved config reruns to the same result.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST(ClusterCli, OneDeviceReportsRunMetrics) {
  test::TempDir dir;
  // The default scenario (paper-cnn) at a load that queues, with the gamma arrivals of issue 19.
  const std::string common =
      " -q --requests 400 --rate 8 --set 'workload.arrivals={kind: gamma, cv: 2}'";
  const auto run = dysta_cli(dir.path(), "run" + common + " -o r");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto cluster = dysta_cli(dir.path(), "cluster" + common + " -o c");
  ASSERT_EQ(cluster.status, 0) << cluster.err;
  const auto r = summary(dir.path() / "r");
  const auto c = summary(dir.path() / "c");
  EXPECT_EQ(c["per_device"][0]["metrics"].dump(), r["metrics"].dump());
  EXPECT_EQ(c["metrics"]["antt"], r["metrics"]["antt"]);
  EXPECT_EQ(c["metrics"]["slo_violation_rate"], r["metrics"]["slo_violation_rate"]);
  EXPECT_GT(r["metrics"]["slo_violation_rate"].get<double>(), 0.0);  // not a trivial load
  EXPECT_EQ(c["workload"], r["workload"]);
  // The resolved config reruns to the same summary.
  const auto again = dysta_cli(dir.path(), "cluster -q -c c/config.yaml -o c2");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(summary(dir.path() / "c2")["metrics"], c["metrics"]);
}

TEST(ClusterCli, GroupsDispatchersAndErrors) {
  test::TempDir dir;
  const std::string profiles =
      std::string(DYSTA_SOURCE_DIR) + "/data/benchmark/profiles/eyerissv2-sparse20";
  test::write_text(dir.path() / "c.yaml", "profiles: " + profiles +
                                              "\nworkload: {rate: 40, requests: 600}\n"
                                              "cluster:\n  dispatcher: least_work\n  groups:\n"
                                              "    - {name: slow, count: 2, policy: sjf}\n"
                                              "    - {name: fast, count: 1, speed: 2}\n");
  const auto ok = dysta_cli(dir.path(), "cluster -q -c c.yaml -o out");
  ASSERT_EQ(ok.status, 0) << ok.err;
  const auto s = summary(dir.path() / "out");
  EXPECT_EQ(s["devices"], 3);
  EXPECT_EQ(s["groups"].size(), 2u);
  EXPECT_EQ(s["per_device"].size(), 3u);
  EXPECT_EQ(s["metrics"]["requests"], 600);
  EXPECT_EQ(s["groups"][0]["metrics"]["requests"].get<int>() +
                s["groups"][1]["metrics"]["requests"].get<int>(),
            600);
  struct Case {
    std::string args, words;
  };
  for (const Case& c : std::vector<Case>{
           {"--dispatcher nearest", "unknown dispatcher 'nearest'"},
           {"--set cluster.groups[0]=1", "cluster.groups"},
           {"--set 'cluster.groups=[{count: 0}]'", "cluster.groups[0].count"},
           {"--set 'cluster.groups=[{speed: -1}]'", "cluster.groups[0].speed"},
           {"--set 'cluster.groups=[{nmae: a}]'", "cluster.groups[0].nmae: unknown key"},
           {"--set 'cluster.groups=[{name: a}, {name: a}]'", "two groups named 'a'"},
           {"--devices 2", "either devices or groups"},
           {"--set cluster.dispatcher_params.seed=1.5 --dispatcher random", "seed"},
           {"--semantics reference", "corrected semantics only"},
           {"--binding sideways", "cluster.binding: expected early or late"},
           {"--set cluster.depth=2", "cluster.depth: only with binding: late"},
           {"--binding late --set cluster.depth=0", "cluster.depth"},
       }) {
    const auto bad = dysta_cli(dir.path(), "cluster -q -c c.yaml -o bad " + c.args);
    EXPECT_EQ(bad.status, 2) << c.args << "\n" << bad.err;
    EXPECT_NE(bad.err.find(c.words), std::string::npos) << c.args << "\n" << bad.err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "bad")) << c.args;
  }
}

TEST(ClusterCli, DispatcherComparisonScriptAndFigure) {
  // scripts/cluster-dispatchers.sh on the fleet scenario at a tiny size: every dispatcher at two
  // loads, the CSV, the Markdown table and (with matplotlib) the figure.
  test::TempDir dir;
  const std::string src = DYSTA_SOURCE_DIR;
  const auto r = test::shell(dir.path(), "UTILISATIONS='0.5 0.9' bash '" + src +
                                             "/scripts/cluster-dispatchers.sh' " +
                                             test::shell_quoted(DYSTA_CLI) + " '" + src +
                                             "/data/benchmark/scenarios/datacentre-fleet.yaml' out 3000");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string csv = test::read_text(dir.path() / "out/dispatchers.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 11);
  for (const char* name :
       {"round_robin", "random", "power_of_two", "model_affinity(replicas=8)", "jsq", "least_work",
        "earliest_finish(slo_fit=1)", "jsq(binding=late)"}) {
    EXPECT_NE(r.out.find(std::string("| ") + name + " |"), std::string::npos) << name << r.out;
  }
  const auto summary_json = summary(dir.path() / "out/u0.9-jsq(binding=late)");
  EXPECT_EQ(summary_json["binding"], "late");
  EXPECT_EQ(summary_json["metrics"]["requests"], 3000);
  if (test::shell(dir.path(), "/usr/bin/python3 -c 'import matplotlib'").status == 0) {
    EXPECT_EQ(test::read_text(dir.path() / "out/dispatchers.png").substr(1, 3), "PNG");
  }
}

}  // namespace
}  // namespace dysta
