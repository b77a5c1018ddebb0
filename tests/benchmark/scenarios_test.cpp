// Scenario configs (src/benchmark/scenarios.cpp): utilisation arithmetic, the generated YAML is a
// valid dysta config carrying its metadata, and `read_scenarios` reads it back.
#include "dysta/benchmark/scenarios.h"

#include <gtest/gtest.h>

#include "dysta/config.h"
#include "test_util.h"

namespace dysta::benchmark {
namespace {

ScenarioDef two_models() {
  ScenarioDef d;
  d.name = "toy";
  d.summary = "two models";
  d.folder = "set";
  d.accelerator = "eyeriss_v2";
  d.data = "real";
  d.mix = {{"a", 1}, {"b", 3}};
  d.utilisations = {0.25, 0.5};
  d.default_utilisation = 0.5;
  d.slo_multipliers = {5, 10};
  d.default_slo = 10;
  d.paper_rates = {2};
  d.policies = {"fcfs", "dysta"};
  return d;
}

TEST(Scenarios, RateLoadsTheAcceleratorToTheUtilisation) {
  // mean work per request = (1 * 0.010 + 3 * 0.002) / 4 = 0.004 s -> 0.5 / 0.004 = 125 req/s.
  const std::map<std::string, double> iso = {{"set/a", 0.010}, {"set/b", 0.002}};
  EXPECT_DOUBLE_EQ(rate_for_utilisation(two_models(), iso, 0.5), 125.0);
  EXPECT_DOUBLE_EQ(rate_for_utilisation(two_models(), {{"set/a", 0.01}}, 0.5), 0.0);
}

TEST(Scenarios, YamlIsARunnableConfigWithItsMetadata) {
  const std::map<std::string, double> iso = {{"set/a", 0.010}, {"set/b", 0.002}};
  const std::string text = scenario_yaml(two_models(), iso, {{"dysta_version", "x"}});
  ASSERT_FALSE(text.empty());
  test::TempDir dir;
  test::write_text(dir.path() / "toy.yaml", text);
  const Config c = load_config(dir.path() / "toy.yaml", {});
  EXPECT_EQ(c.scenario, "toy");
  EXPECT_DOUBLE_EQ(c.workload.rate, 125.0);
  EXPECT_EQ(c.workload.mix.at("b"), 3.0);
  EXPECT_EQ(c.sweep.rates, (std::vector<double>{62.5, 125.0}));
  EXPECT_EQ(c.sweep.slo_multipliers, (std::vector<double>{5, 10}));
  const auto infos = read_scenarios(dir.path());
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].name, "toy");
  EXPECT_EQ(infos[0].variants, 2u);
  EXPECT_NEAR(infos[0].utilisation, 0.5, 1e-12);
  EXPECT_NE(text.find("paper_rate_utilisation: [0.008]"), std::string::npos) << text;
  // A missing variant gives no scenario (partial builds).
  EXPECT_TRUE(scenario_yaml(two_models(), {{"set/a", 0.01}}, {}).empty());
}

TEST(Scenarios, ConfigRejectsAScenarioWithoutName) {
  test::TempDir dir;
  test::write_text(dir.path() / "bad.yaml", "scenario: {summary: x}\n");
  const InputError e = test::capture_input_error([&] { load_config(dir.path() / "bad.yaml", {}); });
  EXPECT_NE(std::string(e.what()).find("scenario.name"), std::string::npos) << e.what();
  test::write_text(dir.path() / "bad2.yaml", "scenario: 3\n");
  test::capture_input_error([&] { load_config(dir.path() / "bad2.yaml", {}); });
}

TEST(Scenarios, AFleetLoadsEveryPoolEquallyAndIsAClusterConfig) {
  // Pool "gpu": 2 devices + 1 device at speed 2 = capacity 4, models a (10 ms) and b (30 ms):
  // each 4 / 0.040 = 100 req/s at utilisation 1. Pool "npu": 1 device, model c (5 ms): 200 req/s.
  ScenarioDef d = two_models();
  d.name = "fleet";
  d.mix = {{"a", 1}, {"b", 1}, {"c", 1}};
  d.mix_folder = {{"c", "npu"}};
  d.fleet = {{"slow", 2, 1, "set"}, {"fast", 1, 2, "set"}, {"npu", 1, 1, "npu"}};
  d.dispatcher = "jsq";
  d.arrival_cv = 2;
  d.paper_rates.clear();
  const std::map<std::string, double> iso = {{"set/a", 0.010}, {"set/b", 0.030}, {"npu/c", 0.005}};
  const auto w = fleet_weights(d, iso);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_DOUBLE_EQ(w[0].second, 100.0);
  EXPECT_DOUBLE_EQ(w[1].second, 100.0);
  EXPECT_DOUBLE_EQ(w[2].second, 200.0);
  EXPECT_DOUBLE_EQ(rate_for_utilisation(d, iso, 0.5), 200.0);
  // Busy fraction of pool "set" at utilisation 0.5: 100 x (0.010 + 0.030) / 4 = ... x 0.5.
  EXPECT_DOUBLE_EQ(0.5 * (w[0].second * 0.010 + w[1].second * 0.030) / 4.0, 0.5);
  EXPECT_DOUBLE_EQ(0.5 * w[2].second * 0.005 / 1.0, 0.5);
  const std::string text = scenario_yaml(d, iso, {});
  ASSERT_FALSE(text.empty());
  EXPECT_NE(text.find("dysta cluster -c"), std::string::npos) << text;
  test::TempDir dir;
  test::write_text(dir.path() / "fleet.yaml", text);
  const Config c = load_config(dir.path() / "fleet.yaml", {});
  EXPECT_DOUBLE_EQ(c.workload.rate, 200.0);
  EXPECT_EQ(c.cluster.dispatcher, "jsq");
  ASSERT_EQ(c.cluster.groups.size(), 3u);
  EXPECT_EQ(c.cluster.groups[1].count, 1u);
  EXPECT_EQ(c.workload.mix.at("c"), 200.0);
  EXPECT_TRUE(c.sweep.dispatchers.empty());  // no dispatchers axis unless the scenario names one
  // With a dispatchers axis: sweep.dispatchers and the utilisations' rates, no SLO axis.
  d.dispatchers = {"jsq", "round_robin"};
  d.utilisations = {0.5, 0.9};
  test::write_text(dir.path() / "fleet2.yaml", scenario_yaml(d, iso, {}));
  const Config c2 = load_config(dir.path() / "fleet2.yaml", {});
  EXPECT_EQ(c2.sweep.dispatchers, (std::vector<std::string>{"jsq", "round_robin"}));
  EXPECT_EQ(c2.sweep.rates, (std::vector<double>{200.0, 360.0}));
  EXPECT_TRUE(c2.sweep.slo_multipliers.empty());
  // A variant without its mean latency, or a folder without devices: no scenario.
  EXPECT_TRUE(scenario_yaml(d, {{"set/a", 0.01}, {"set/b", 0.03}}, {}).empty());
  d.fleet.pop_back();
  EXPECT_TRUE(fleet_weights(d, iso).empty());
}

TEST(Scenarios, TheSevenBenchmarkScenariosAreDefined) {
  std::vector<std::string> names;
  for (const auto& d : benchmark_scenarios()) {
    names.push_back(d.name);
    EXPECT_FALSE(d.mix.empty());
    for (const double u : d.utilisations) {
      EXPECT_GE(u, 0.3);
      EXPECT_LE(u, 0.9);
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"paper-cnn", "paper-cnn-shifted", "paper-attnn",
                                             "mobile", "arvr", "datacentre", "datacentre-fleet"}));
}

}  // namespace
}  // namespace dysta::benchmark
