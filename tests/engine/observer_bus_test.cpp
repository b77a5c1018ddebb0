// The observer bus (scheduler.h EngineObserver, EngineOptions::observers): several subscribers
// see the same run without changing it, hooks come in order, and the policy's statistics reach
// the metrics and summary.json (PolicyStatisticsRecorder).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/metrics.h"
#include "dysta/report.h"
#include "dysta/synthetic.h"
#include "dysta/timeline.h"
#include "dysta/workload.h"
#include "test_util.h"

namespace dysta {
namespace {

std::vector<Request> stream(const ProfileSet& set, std::size_t n) {
  StreamSpec spec;
  spec.rate_per_s = 80;
  spec.num_requests = n;
  spec.slo_multiplier = 5;
  PyRandom rng(4);
  return generate_poisson_stream(set, spec, rng, Semantics::corrected);
}

// Counts every hook and checks their order per decision: before_decision, on_decision, on_layer.
struct Order : EngineObserver {
  std::string last;
  std::size_t before = 0, decisions = 0, layers = 0, finishes = 0, completions = 0, ends = 0;
  bool in_order = true;
  void before_decision(const DecisionContext&, const Policy&) override {
    in_order =
        in_order && (last.empty() || last == "layer" || last == "completion" || last == "admit");
    last = "before";
    ++before;
  }
  void on_admit(std::uint32_t, double) override { last = "admit"; }
  void on_decision(const DecisionContext&, std::size_t) override {
    in_order = in_order && last == "before";
    last = "decision";
    ++decisions;
  }
  void on_layer(std::uint32_t, std::uint32_t, double, double) override {
    in_order = in_order && last == "decision";
    last = "layer";
    ++layers;
  }
  void on_finish(std::uint32_t, double) override {
    in_order = in_order && last == "layer";
    last = "finish";
    ++finishes;
  }
  void on_completion(const Request&, std::uint32_t, double, double) override {
    in_order = in_order && last == "finish";
    last = "completion";
    ++completions;
  }
  void on_run_end(const Policy&) override { ++ends; }
};

TEST(ObserverBus, ManySubscribersSeeOneUnchangedRun) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  const ProfileSet set = load_profiles(dir.path() / "sanger", {});
  const auto reqs = stream(set, 120);
  for (const char* name : {"dysta", "sjf", "prema"}) {
    SCOPED_TRACE(name);
    RunResult plain, observed;
    const RunMetrics m0 = run_policy(set, reqs, name, {}, Semantics::corrected, &plain);
    DecisionLog log_a(set), log_b(set);
    TimelineRecorder timeline(set, reqs, TimelineTracks::request);
    Order order;
    EngineObserver* observers[] = {&log_a, &timeline, &order, &log_b};
    const RunMetrics m1 =
        run_policy(set, reqs, name, {}, Semantics::corrected, &observed, observers);
    EXPECT_EQ(observed.finish_s, plain.finish_s);
    EXPECT_EQ(m1.antt, m0.antt);
    EXPECT_EQ(log_a.csv(), log_b.csv());
    EXPECT_EQ(log_a.decisions(), m1.decisions);
    EXPECT_EQ(timeline.layers(), m1.layers_executed);
    EXPECT_TRUE(order.in_order);
    EXPECT_EQ(order.before, m1.decisions);
    EXPECT_EQ(order.decisions, m1.decisions);
    EXPECT_EQ(order.layers, m1.layers_executed);
    EXPECT_EQ(order.finishes, reqs.size());
    EXPECT_EQ(order.completions, reqs.size());
    EXPECT_EQ(order.ends, 1u);
    EXPECT_TRUE(m1.policy_statistics.empty());
    EXPECT_FALSE(metrics_json(m1).contains("policy_statistics"));
  }
}

// dysta_hw's hardware statistics reach RunMetrics (batch and streaming) and summary.json: one
// hardware decision per engine decision.
TEST(ObserverBus, DystaHwStatisticsReachTheSummary) {
  const ProfileSet set =
      load_profiles(std::filesystem::path(DYSTA_SOURCE_DIR) / "data" / "synthetic" / "sanger", {});
  const auto reqs = stream(set, 100);
  const RunMetrics m = run_policy(set, reqs, "dysta_hw", {}, Semantics::corrected);
  ASSERT_EQ(m.policy_statistics.count("decisions"), 1u);
  EXPECT_EQ(m.policy_statistics.at("decisions"), static_cast<double>(m.decisions));
  EXPECT_GT(m.policy_statistics.at("config_cycles"), 0.0);
  EXPECT_GT(m.policy_statistics.at("decision_cycles"), 0.0);
  const auto j = metrics_json(m);
  ASSERT_TRUE(j.contains("policy_statistics"));
  EXPECT_EQ(j["policy_statistics"]["decisions"].get<double>(), static_cast<double>(m.decisions));
}

}  // namespace
}  // namespace dysta
