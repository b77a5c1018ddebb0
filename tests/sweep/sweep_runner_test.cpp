// Point folders, resume, shards, merging, thread independence, predictor accuracy.
#include "dysta/sweep_runner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "dysta/predictor_accuracy.h"
#include "dysta/report.h"
#include "dysta/sweep_merge.h"
#include "test_paths.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

const std::string kData = std::string(DYSTA_SOURCE_DIR) + "/data/synthetic";

SweepPlan small_plan(const fs::path& dir, const std::string& semantics = "corrected") {
  test::write_text(dir / "sweep.yaml", "profiles: " + kData + "/sanger\nsemantics: " + semantics +
                                           "\nworkload: {requests: 60}\n"
                                           "sweep: {policies: [fcfs, sjf, dysta], rates: [60, 90], "
                                           "slo_multipliers: [2, 10], seeds: [1, 2]}\n");
  return expand_sweep(load_config(dir / "sweep.yaml", {}), "sweep.yaml");
}

void run_into(const SweepPlan& plan, const PointStore& store, Shard shard = {}, bool force = false,
              unsigned threads = 2) {
  LocalQueue queue(pending_points(plan, &store, shard, force));
  run_points(plan, queue, {threads, &store, true, nullptr});
}

std::size_t count_tmp(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    n += e.path().filename().string().find(".tmp") != std::string::npos ? 1 : 0;
  }
  return n;
}

TEST(SweepRunner, EveryPointWritesItsFolderAndResumeSkipsThem) {
  test::TempDir dir;
  const SweepPlan plan = small_plan(dir.path());
  const PointStore store(dir.path() / "out");
  std::size_t skipped = 99;
  EXPECT_EQ(pending_points(plan, &store, {}, false, &skipped).size(), plan.points.size());
  EXPECT_EQ(skipped, 0u);
  run_into(plan, store);
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const fs::path folder = store.folder(plan.keys[i]);
    ASSERT_TRUE(store.done(plan.keys[i], plan.points[i]));
    const std::string csv = test::read_text(folder / "requests.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 61);
    const StoredPoint p = read_point(folder);
    EXPECT_EQ(p.key, plan.keys[i]);
    EXPECT_EQ(point_json(p.point), point_json(plan.points[i]));
  }
  EXPECT_EQ(count_tmp(dir.path() / "out"), 0u);
  EXPECT_TRUE(pending_points(plan, &store, {}, false, &skipped).empty());
  EXPECT_EQ(skipped, plan.points.size());
  EXPECT_EQ(pending_points(plan, &store, {}, true).size(), plan.points.size());

  // A folder whose summary belongs to another point is never silently reused.
  const fs::path victim = store.folder(plan.keys[3]) / "summary.json";
  std::string text = test::read_text(victim);
  const auto pos = text.find("\"seed\": ");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 9, "\"seed\": 7");
  test::write_text(victim, text);
  const InputError e = test::capture_input_error([&] { pending_points(plan, &store, {}, false); });
  EXPECT_NE(std::string(e.what()).find("different configuration"), std::string::npos) << e.what();
  // --force rewrites it.
  LocalQueue queue({3});
  run_points(plan, queue, {1, &store, true, nullptr});
  EXPECT_TRUE(store.done(plan.keys[3], plan.points[3]));
}

TEST(SweepRunner, ResumedAndShardedRunsMergeToTheSameTable) {
  test::TempDir dir;
  for (const char* semantics : {"reference", "corrected"}) {
    const SweepPlan plan = small_plan(dir.path(), semantics);
    const PointStore one(dir.path() / semantics / "one");
    run_into(plan, one, {}, false, 1);
    const std::string expected = merged_csv(collect_plan(plan, one));

    // Three shards, each run alone: disjoint, covering, same table.
    const PointStore sharded(dir.path() / semantics / "shards");
    std::set<std::size_t> seen;
    for (std::size_t k = 0; k < 3; ++k) {
      for (const std::size_t i : pending_points(plan, &sharded, {k, 3}, false)) {
        EXPECT_EQ(i % 3, k);
        EXPECT_TRUE(seen.insert(i).second);
      }
      EXPECT_THROW(collect_plan(plan, sharded), InputError);  // until the last shard is done
      run_into(plan, sharded, {k, 3}, false, 3);
    }
    EXPECT_EQ(seen.size(), plan.points.size());
    EXPECT_EQ(merged_csv(collect_plan(plan, sharded)), expected);
    // A half-finished run resumed: same table.
    const PointStore resumed(dir.path() / semantics / "resumed");
    LocalQueue half({0, 5, 7, 20});
    run_points(plan, half, {2, &resumed, false, nullptr});
    run_into(plan, resumed);
    EXPECT_EQ(merged_csv(collect_plan(plan, resumed)), expected);
    // Folder merge (no plan): same rows in canonical order.
    auto plan_rows = collect_plan(plan, one);
    sort_points(plan_rows);
    EXPECT_EQ(merged_csv(collect_folders({dir.path() / semantics / "shards"})),
              merged_csv(plan_rows));
  }
}

TEST(SweepRunner, ResultsDoNotDependOnThreadCount) {
  test::TempDir dir;
  const SweepPlan plan = small_plan(dir.path());
  std::string first;
  for (const unsigned threads : {1u, 2u, 5u}) {
    LocalQueue queue(pending_points(plan, nullptr, {}, true));
    std::vector<std::optional<RunMetrics>> results;
    run_points(plan, queue, {threads, nullptr, true, nullptr}, &results);
    const std::string csv = merged_csv(collect_results(plan, results));
    if (first.empty()) first = csv;
    EXPECT_EQ(csv, first) << threads;
  }
}

// Points that differ only in SLO multiplier share the schedule of a policy that reads no
// deadlines (fcfs, prema_sparse); the CSV and every point folder are those of simulating each
// point, in both semantics, and with dropping (which compares deadlines, so nothing is shared).
TEST(SweepRunner, SharedSchedulesGiveTheResultsOfSimulatingEveryPoint) {
  for (const std::string semantics : {"corrected", "reference"}) {
    for (const std::string drop : {"none", "estimated"}) {
      SCOPED_TRACE(semantics + " " + drop);
      test::TempDir dir;
      test::write_text(dir.path() / "sweep.yaml",
                       "profiles: " + kData + "/sanger\nsemantics: " + semantics +
                           "\ndrop: " + drop +
                           "\nworkload: {requests: 120}\n"
                           "sweep: {policies: [fcfs, prema_sparse, edf, sjf_sparse], rates: [60, "
                           "140], slo_multipliers: [1.5, 4, 20], seeds: [1, 2]}\n");
      const SweepPlan plan = expand_sweep(load_config(dir.path() / "sweep.yaml", {}), "sweep.yaml");
      if (drop == "none") {
        EXPECT_TRUE(slo_free_schedule(plan.points[0]));
        EXPECT_FALSE(slo_free_schedule(plan.points[2]));  // edf
      } else {
        EXPECT_FALSE(slo_free_schedule(plan.points[0]));
      }
      std::vector<std::string> csv, folders;
      for (const bool share : {false, true}) {
        const PointStore store(dir.path() / (share ? "shared" : "plain"));
        LocalQueue queue(pending_points(plan, nullptr, {}, true));
        std::vector<std::optional<RunMetrics>> results;
        RunOptions options{1, &store, true, nullptr};
        options.share_schedules = share;
        run_points(plan, queue, options, &results);
        csv.push_back(merged_csv(collect_results(plan, results)));
        std::string all;
        for (const std::string& key : plan.keys) {
          all += test::read_text(store.folder(key) / "summary.json");
          all += test::read_text(store.folder(key) / "requests.csv");
        }
        folders.push_back(all);
      }
      EXPECT_EQ(csv[0], csv[1]);
      EXPECT_EQ(folders[0], folders[1]);
    }
  }
}

TEST(SweepRunner, MetricsJsonRoundTrips) {
  test::TempDir dir;
  const SweepPlan plan = small_plan(dir.path());
  const ProfileSet& set = *plan.profile_sets[0];
  const RunMetrics m = run_point(set, point_stream(set, plan.points[5]), plan.points[5]);
  const nlohmann::json j = metrics_json(m);
  EXPECT_EQ(metrics_json(metrics_from_json(nlohmann::json::parse(j.dump()), "x")), j);
  nlohmann::json broken = j;
  broken.erase("antt");
  EXPECT_EQ(test::capture_input_error([&] { metrics_from_json(broken, "f.json"); }).field(),
            "metrics.antt");
}

TEST(SweepRunner, ShardTextIsChecked) {
  EXPECT_EQ(parse_shard("2/3").index, 2u);
  EXPECT_EQ(parse_shard("2/3").count, 3u);
  for (const char* bad : {"3/3", "1", "a/2", "1/0", "-1/2", "1/2/3"}) {
    EXPECT_EQ(test::capture_input_error([&] { parse_shard(bad); }).field(), "--shard") << bad;
  }
}

TEST(PredictorAccuracy, StaticEstimateErrorAndExactPredictionOfUniformSamples) {
  // Two samples: densities 0.25 and 1 on every layer, latencies 1, 2, 3 and 3, 6, 9 s.
  std::vector<double> lat = {1, 2, 3, 3, 6, 9};
  std::vector<double> sp = {0.75, 0.75, 0.75, 0.0, 0.0, 0.0};
  ProfileSet set({test::simple_variant("m", "m", 3, lat, sp)});
  const auto rows =
      predictor_accuracy(set, {{"average", {}}, {"last_one", {}}}, Semantics::corrected);
  ASSERT_EQ(rows.size(), 2u * 3u);
  // k = 0: estimate = average remaining (2 + 4 + 6 = 12) vs 6 and 18: errors +6 and -6.
  EXPECT_EQ(rows[0].layers_observed, 0u);
  EXPECT_DOUBLE_EQ(rows[0].mean_error_s, 0.0);
  EXPECT_DOUBLE_EQ(rows[0].rmse_s, 6.0);
  EXPECT_DOUBLE_EQ(rows[0].mean_abs_relative_error, (6.0 / 6 + 6.0 / 18) / 2);
  // Average density 0.625 -> ratios 0.4 and 1.6; the estimate after one layer is
  // 0.4 x (4 + 6) = 4 vs 5, and 1.6 x 10 = 16 vs 15.
  EXPECT_EQ(rows[1].layers_observed, 1u);
  EXPECT_NEAR(rows[1].rmse_s, 1.0, 1e-12);
  EXPECT_EQ(rows[3].predictor, "last_one");
  EXPECT_EQ(predictor_accuracy_csv(rows).substr(0, 24), "model,predictor,layers_o");
  EXPECT_THROW(predictor_accuracy(set, {{"nope", {}}}, Semantics::corrected), InputError);
}

}  // namespace
}  // namespace dysta
