// Hand-worked dispatch decisions of every dispatcher on 2-3 device clusters (docs/cluster.md).
#include <gtest/gtest.h>

#include "cluster_test_util.h"
#include "dysta/error.h"
#include "test_util.h"

namespace dysta {
namespace {

using test::run_cluster;
using test::tiny_group;
using test::tiny_profiles;
using test::tiny_requests;
using Arrivals = std::vector<std::vector<double>>;

ClusterOptions with(const std::string& dispatcher, ParamValues params = {}) {
  ClusterOptions o;
  o.dispatcher = dispatcher;
  o.dispatcher_params = std::move(params);
  return o;
}

TEST(Dispatchers, RoundRobinKeepsOneCounterPerModel) {
  const Cluster c({tiny_group("g", 3, tiny_profiles())});
  // a a b a b a: model a -> d0 d1 d2 d0; model b -> d0 d1.
  const auto reqs =
      tiny_requests(c, {{0.0, "a"}, {0.1, "a"}, {0.2, "b"}, {0.3, "a"}, {0.4, "b"}, {0.5, "a"}});
  const auto run = run_cluster(c, reqs, with("round_robin"));
  EXPECT_EQ(run.arrivals(), (Arrivals{{0.0, 0.2, 0.5}, {0.1, 0.4}, {0.3}}));
}

TEST(Dispatchers, RandomDrawsCPythonRandint) {
  // random.Random(1): [randint(0, 2) for _ in range(6)] == [0, 2, 0, 1, 0, 1]
  const Cluster c({tiny_group("g", 3, tiny_profiles())});
  const auto reqs =
      tiny_requests(c, {{0.0, "a"}, {0.1, "a"}, {0.2, "a"}, {0.3, "a"}, {0.4, "a"}, {0.5, "a"}});
  const auto run = run_cluster(c, reqs, with("random", {{"seed", 1}}));
  EXPECT_EQ(run.arrivals(), (Arrivals{{0.0, 0.2, 0.4}, {0.3, 0.5}, {0.1}}));
  // Another seed, another assignment; the same seed, the same one.
  const auto other = run_cluster(c, reqs, with("random", {{"seed", 2}}));
  EXPECT_NE(other.arrivals(), run.arrivals());
  EXPECT_EQ(run_cluster(c, reqs, with("random", {{"seed", 1}})).arrivals(), run.arrivals());
}

TEST(Dispatchers, JsqCountsRequestsInFlight) {
  const Cluster c({tiny_group("g", 2, tiny_profiles())});
  // t=0: tie -> d0; 0.1: d0 has 1 -> d1; 0.2: 1/1 tie -> d0; 0.3: 2/1 -> d1.
  // t=1.5: d0 finished r0 at 1.0 and runs r2 (1.0-2.0); d1 finished r1 at 1.1, runs r3 (1.1-2.1):
  // 1/1 -> d0.
  const auto reqs = tiny_requests(c, {{0.0, "a"}, {0.1, "a"}, {0.2, "a"}, {0.3, "a"}, {1.5, "a"}});
  const auto run = run_cluster(c, reqs, with("jsq"));
  EXPECT_EQ(run.arrivals(), (Arrivals{{0.0, 0.2, 1.5}, {0.1, 0.3}}));
  EXPECT_EQ(run.runs[0].stats.last_finish_s, 3.0);
  EXPECT_DOUBLE_EQ(run.runs[1].stats.last_finish_s, 2.1);
  // A request arriving exactly when a layer ends sees that layer as still running.
  const auto edge = tiny_requests(c, {{0.0, "a"}, {0.0, "a"}, {1.0, "a"}, {1.0, "a"}});
  // d0: r0 (0-1); d1: r1 (0-1); at t=1 both still hold one -> d0; then d0 2, d1 1 -> d1.
  EXPECT_EQ(run_cluster(c, edge, with("jsq")).arrivals(), (Arrivals{{0.0, 1.0}, {0.0, 1.0}}));
}

TEST(Dispatchers, LeastWorkWeighsEstimatedLatency) {
  const Cluster c({tiny_group("g", 2, tiny_profiles())});
  // b (3 s) then four a (1 s) at 0.1..0.4: outstanding (d0, d1) = (3, 0) -> d1; (3, 1) -> d1;
  // (3, 2) -> d1; (3, 3) tie -> d0. (jsq would alternate.)
  const auto reqs = tiny_requests(c, {{0.0, "b"}, {0.1, "a"}, {0.2, "a"}, {0.3, "a"}, {0.4, "a"}});
  EXPECT_EQ(run_cluster(c, reqs, with("least_work")).arrivals(),
            (Arrivals{{0.0, 0.4}, {0.1, 0.2, 0.3}}));
  EXPECT_EQ(run_cluster(c, reqs, with("jsq")).arrivals(), (Arrivals{{0.0, 0.2, 0.4}, {0.1, 0.3}}));
}

TEST(Dispatchers, PowerOfTwoComparesTwoSeededDraws) {
  // random.Random(1): pairs (randint(0,2), randint(0,1) skipping the first) =
  // (0,1), (1,0), (1,2), (1,2). In flight: r0 (0,1) tie -> d0; r1 (1,0): d0 1, d1 0 -> d1;
  // r2 (1,2): d1 1, d2 0 -> d2; r3 (1,2): 1/1 tie -> d1.
  const Cluster c({tiny_group("g", 3, tiny_profiles())});
  const auto reqs = tiny_requests(c, {{0.0, "a"}, {0.1, "a"}, {0.2, "a"}, {0.3, "a"}});
  EXPECT_EQ(run_cluster(c, reqs, with("power_of_two", {{"seed", 1}})).arrivals(),
            (Arrivals{{0.0}, {0.1, 0.3}, {0.2}}));
}

TEST(Dispatchers, EarliestFinishUsesEachAcceleratorsEstimates) {
  // d0: twice as fast (a 0.5 s, b 1.5 s); d1: a 1 s, b 3 s. All at t = 0:
  // r0 b: 1.5 vs 3 -> d0; r1 a: 1.5+0.5=2 vs 0+1=1 -> d1; r2 a: 2 vs 1+1=2 tie -> d0;
  // r3 a: 1.5+0.5+0.5=2.5 vs 2 -> d1.
  const Cluster c(
      {tiny_group("fast", 1, tiny_profiles(2)), tiny_group("slow", 1, tiny_profiles())});
  const auto reqs = tiny_requests(c, {{0.0, "b"}, {0.0, "a"}, {0.0, "a"}, {0.0, "a"}}, 2.0);
  EXPECT_EQ(run_cluster(c, reqs, with("earliest_finish")).arrivals(),
            (Arrivals{{0.0, 0.0}, {0.0, 0.0}}));
  const auto run = run_cluster(c, reqs, with("earliest_finish"));
  EXPECT_EQ(run.runs[0].dispatched, 2u);
  // slo_fit: deadlines from the catalogue (the fast group's profile): a 2 x 0.5 = 1 s, b 3 s.
  // r0 b: 1.5 and 3 both <= 3 -> latest fit d1; r1 a: d0 0.5 <= 1, d1 3+1 = 4 -> d0;
  // r2 a: d0 1.0 <= 1 fits, d1 4 -> d0; r3 a: d0 1.5, d1 4, none fit -> earliest d0.
  const auto fit = run_cluster(c, reqs, with("earliest_finish", {{"slo_fit", 1}}));
  EXPECT_EQ(fit.runs[0].dispatched, 3u);
  EXPECT_EQ(fit.runs[1].dispatched, 1u);
  EXPECT_EQ(fit.recorders[1].requests()[0].variant, 1u);  // b
}

TEST(Dispatchers, ModelAffinityPinsSubsets) {
  // 3 devices, replicas 2: model a (index 0) -> {d0, d1}; b (index 1) -> first (1 x 2) mod 3 = 2:
  // {d2, d0}; round robin inside.
  const Cluster c({tiny_group("g", 3, tiny_profiles())});
  const auto reqs =
      tiny_requests(c, {{0.0, "a"}, {0.1, "a"}, {0.2, "a"}, {0.3, "b"}, {0.4, "b"}, {0.5, "b"}});
  EXPECT_EQ(run_cluster(c, reqs, with("model_affinity")).arrivals(),
            (Arrivals{{0.0, 0.2, 0.4}, {0.1}, {0.3, 0.5}}));
}

TEST(Dispatchers, ModelAffinityRanksModelsWithinTheirPool) {
  // Pools: a on d0-d1 (group cnn), b and c on d2-d5 (group attn). replicas 2: a (rank 0) ->
  // {d0, d1}; b (rank 0 in its pool) -> {d2, d3}; c (rank 1) -> {d4, d5}.
  const Cluster c({tiny_group("cnn", 2, tiny_profiles(1, {"a"})),
                   tiny_group("attn", 4, tiny_profiles(1, {"b", "c"}))});
  const auto reqs = tiny_requests(c, {{0.0, "c"}, {0.1, "b"}, {0.2, "a"}, {0.3, "c"}});
  EXPECT_EQ(run_cluster(c, reqs, with("model_affinity")).arrivals(),
            (Arrivals{{0.2}, {}, {0.1}, {}, {0.0}, {0.3}}));
}

TEST(Dispatchers, OnlyDevicesWithTheModelAreEligible) {
  // Group "cnn" has only a, group "attn" only b: every dispatcher respects it.
  const Cluster c({tiny_group("cnn", 2, tiny_profiles(1, {"a"})),
                   tiny_group("attn", 1, tiny_profiles(1, {"b"}))});
  EXPECT_EQ(c.eligible(0).size(), 2u);
  EXPECT_EQ(c.eligible(1).size(), 1u);
  const auto reqs = tiny_requests(c, {{0.0, "b"}, {0.1, "a"}, {0.2, "b"}, {0.3, "a"}});
  for (const char* name : {"round_robin", "random", "jsq", "least_work", "power_of_two",
                           "earliest_finish", "model_affinity"}) {
    const auto run = run_cluster(c, reqs, with(name));
    EXPECT_EQ(run.arrivals()[2], (std::vector<double>{0.0, 0.2})) << name;
    EXPECT_EQ(run.runs[0].dispatched + run.runs[1].dispatched, 2u) << name;
  }
}

ClusterOptions late(const std::string& dispatcher, std::uint32_t depth = 1) {
  ClusterOptions o = with(dispatcher);
  o.binding = Binding::late;
  o.late_depth = depth;
  return o;
}

TEST(LateBinding, QueuedRequestsGoToTheFirstDeviceToFinish) {
  const Cluster c({tiny_group("g", 2, tiny_profiles())});
  // r0 b (3 s) -> d0, r1 a -> d1 (both free, jsq); r2 a at 0.5 and r3 a at 0.6 wait centrally.
  // d1 finishes r1 at 1.0 and pulls r2 (1.0-2.0), then r3 (2.0-3.0); d0 finishes r0 at 3.0.
  const auto reqs = tiny_requests(c, {{0.0, "b"}, {0.0, "a"}, {0.5, "a"}, {0.6, "a"}});
  const auto run = run_cluster(c, reqs, late("jsq"));
  EXPECT_EQ(run.arrivals(), (Arrivals{{0.0}, {0.0, 0.5, 0.6}}));
  EXPECT_EQ(run.runs[1].stats.last_finish_s, 3.0);
  EXPECT_EQ(run.runs[0].stats.last_finish_s, 3.0);
  // Early binding sends r2 behind the 3 s request instead (jsq: 1/1 tie -> d0), finishing at 4.
  const auto early = run_cluster(c, reqs, with("jsq"));
  EXPECT_EQ(early.arrivals(), (Arrivals{{0.0, 0.5}, {0.0, 0.6}}));
  EXPECT_EQ(early.runs[0].stats.last_finish_s, 4.0);
}

TEST(LateBinding, DevicesPullOnlyModelsTheyServe) {
  // d0 serves a only, d1 serves a and b. r0 a -> d0 (jsq among free d0, d1); r1 b -> d1 (3 s,
  // to 3.1); r2 b at 0.2 and r3 a at 0.3 queue. d0 frees at 1.0 and pulls r3 (not the earlier
  // r2, a b); d1 frees at 3.1 and pulls r2.
  const Cluster c(
      {tiny_group("cnn", 1, tiny_profiles(1, {"a"})), tiny_group("all", 1, tiny_profiles())});
  const auto reqs = tiny_requests(c, {{0.0, "a"}, {0.1, "b"}, {0.2, "b"}, {0.3, "a"}});
  const auto run = run_cluster(c, reqs, late("jsq"));
  EXPECT_EQ(run.arrivals(), (Arrivals{{0.0, 0.3}, {0.1, 0.2}}));
  EXPECT_EQ(run.runs[0].stats.last_finish_s, 2.0);
  EXPECT_DOUBLE_EQ(run.runs[1].stats.last_finish_s, 6.1);
}

TEST(LateBinding, DepthBoundsRequestsInFlight) {
  // depth 2 on one device: r0, r1 admitted, r2 waits until r0 completes at 1.0.
  const Cluster c({tiny_group("g", 1, tiny_profiles())});
  const auto reqs = tiny_requests(c, {{0.0, "a"}, {0.0, "a"}, {0.0, "a"}});
  const auto run = run_cluster(c, reqs, late("jsq", 2));
  EXPECT_EQ(run.recorders[0].requests().size(), 3u);
  EXPECT_EQ(run.runs[0].stats.max_ready, 2u);  // never three ready tasks
  EXPECT_EQ(run.runs[0].stats.last_finish_s, 3.0);
  EXPECT_EQ(run_cluster(c, reqs, with("jsq")).runs[0].stats.max_ready, 3u);
}

TEST(Dispatchers, UnknownNameListsTheValidOnes) {
  const Cluster c({tiny_group("g", 1, tiny_profiles())});
  const auto e = test::capture_input_error([&] { make_dispatcher("nearest", {}, c); });
  EXPECT_NE(std::string(e.what()).find("round_robin"), std::string::npos);
  const auto p = test::capture_input_error([&] { make_dispatcher("random", {{"sed", 1}}, c); });
  EXPECT_NE(std::string(p.what()).find("sed"), std::string::npos);
}

}  // namespace
}  // namespace dysta
