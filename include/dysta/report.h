// Serialisation of results: summary JSON, per-request CSV, sweep tables.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/metrics.h"
#include "dysta/profile.h"
#include "dysta/workload.h"

namespace dysta {

nlohmann::json metrics_json(const RunMetrics& metrics);

// One row per request, in request order: request, arrival_s, model, architecture, sample,
// priority, slo_multiplier, deadline_s, first_start_s, finish_s, turnaround_s, isolated_s,
// normalized_turnaround, violated.
std::string requests_csv(const ProfileSet& profiles, const std::vector<Request>& requests,
                         const RunResult& result);

// Mean over seeds of one metric for each (rate, SLO multiplier, policy), numpy-style (spec E:
// the artifact's cross-seed aggregation is an arithmetic mean).
struct SweepAggregate {
  double rate = 0;
  double slo_multiplier = 0;
  std::string policy;
  std::vector<double> violation_rate, antt, throughput_inf_s;  // per seed, in seed order
  double mean_violation_rate = 0, mean_antt = 0, mean_throughput_inf_s = 0;
};
std::vector<SweepAggregate> aggregate_sweep(const std::vector<SweepPoint>& points);
// {rate, slo_multiplier, policy, per-seed lists, means} of one aggregate.
nlohmann::json aggregate_json(const SweepAggregate& aggregate);

// A text table like the artifact's: per (rate, SLO) block, per policy the per-seed values and
// their mean for violation rate, ANTT and inferences/s.
std::string sweep_table(const std::vector<SweepPoint>& points);
// One row per point: seed, rate, slo_multiplier, policy, then the scalar metrics.
std::string sweep_csv(const std::vector<SweepPoint>& points);
nlohmann::json sweep_json(const std::vector<SweepPoint>& points);

}  // namespace dysta
