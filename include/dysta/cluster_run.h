// `dysta cluster` as a library call: a resolved Config's cluster run and its summary.json, shared
// by the CLI and cluster sweeps (cluster_sweep.h) so a sweep point equals a single run.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dysta/cluster.h"
#include "dysta/config.h"

namespace dysta {

struct ClusterReport {
  nlohmann::json summary;  // summary.json of `dysta cluster` (docs/cluster.md)
  ClusterMetrics metrics;
  std::string workload;  // one line describing the stream
  std::size_t devices = 0;
  std::vector<std::string> group_names;
};

// Loads every group's profile set (once per (path, speed)), checks policies, predictors and the
// dispatcher before any work, generates or replays the workload and runs it. `stream`: online
// metrics per device (memory bounded by the requests in flight; totals and groups merge the
// devices' quantile sketches). Throws InputError for bad input (reference semantics, a trace
// with `stream`, unknown names).
ClusterReport run_cluster_config(const Config& config, bool stream);

// The JSON of one aggregate (summary.json's "metrics" and each group's "metrics").
nlohmann::json aggregate_json(const AggregateMetrics& m);

}  // namespace dysta
