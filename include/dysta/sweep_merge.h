// Merging point results into one table (docs/workflow.md): from a plan's point folders, from
// in-memory results, or from any set of point folders (`dysta merge`).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dysta/sweep_runner.h"

namespace dysta {

struct MergedPoint {
  std::string key;
  PointConfig point;
  RunMetrics metrics;
};

// The plan's points in plan order, read from their folders. Throws InputError saying how many
// points are missing and naming the first (e.g. a shard has not finished).
std::vector<MergedPoint> collect_plan(const SweepPlan& plan, const PointStore& store);
// The plan's points in plan order from in-memory results (every entry must be set).
std::vector<MergedPoint> collect_results(const SweepPlan& plan,
                                         const std::vector<std::optional<RunMetrics>>& results);
// The same, moving the metrics out of `results`.
std::vector<MergedPoint> collect_results(const SweepPlan& plan,
                                         std::vector<std::optional<RunMetrics>>&& results);
// Every point under `paths` (each a sweep output folder, its points/ folder, or one point's
// folder), in sort_points() order. A key found twice is kept once. Throws
// InputError when a path holds no point.
std::vector<MergedPoint> collect_folders(const std::vector<std::filesystem::path>& paths);

// Sorts points by profiles, semantics, seed, rate, SLO multiplier, policy, policy parameters,
// predictor, predictor parameters, requests, key: the canonical row order of merged tables, the
// same however and wherever the points were run.
void sort_points(std::vector<MergedPoint>& points);

// Row labels: the policy, plus " name=value" for each of its parameters that takes several
// values among the points, plus " / predictor ..." when predictors or their parameters vary, plus
// " +drop=<rule>" for points that drop hopeless requests (EngineOptions::drop).
// Groups: profile set, semantics and request count where they vary ("" when none does).
struct PointLabels {
  std::vector<std::string> label, group;
};
PointLabels point_labels(const std::vector<MergedPoint>& points);

// One pseudo-point per distinct stream of the plan (profile set, semantics, seed, rate, SLO
// multiplier, requests, mix) whose policy is "bound" and whose metrics are the offline bounds of
// bound.h: violations / slo_violation_rate = the minimum number of late requests (or its
// relaxation), antt = the ANTT lower bound, throughput_inf_per_s = requests / makespan of a
// work-conserving schedule (the same for every policy). Key "bound-<key of the first point>".
// For `dysta sweep --bound` and `dysta reproduce gap`.
std::vector<MergedPoint> bound_points(const SweepPlan& plan);

// The merged table: one CSV row per point, columns
//   profiles,semantics,policy,policy_params,predictor,predictor_params,seed,rate,slo_multiplier,
//   requests,label,group,<scalar metrics>,drop,goodput_inf_per_s,dropped,drop_rate,key
// Numbers are shortest round-trip decimals, so the table is byte-identical however the points
// were computed (threads, shards, MPI ranks).
std::string merged_csv(const std::vector<MergedPoint>& points);
// The artifact-style table of sweep_table() (report.h), one block per group.
std::string merged_table(const std::vector<MergedPoint>& points);
// {"points": [{key, label, group, point, metrics}], "means": [per group, label, rate, SLO:
//  per-seed lists and numpy means of violation rate, ANTT, inferences/s]}.
nlohmann::json merged_json(const std::vector<MergedPoint>& points);

}  // namespace dysta
