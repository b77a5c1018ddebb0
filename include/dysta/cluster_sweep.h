// Cluster sweeps: `dysta sweep` on a config with a `cluster:` section (docs/cluster.md). The
// axes (dispatchers and their parameters, bindings, device counts per group, rates, arrival
// CVs, SLO multipliers, seeds) expand into points, each a fully resolved Config that
// run_cluster_config() runs exactly as `dysta cluster` would. Points are keyed by a hash of
// their resolved configuration, written to <out>/points/<key>/ (resume, shards) and merged into
// one table whose bytes do not depend on threads or shards.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dysta/config.h"
#include "dysta/progress.h"
#include "dysta/sweep_runner.h"

namespace dysta {

struct ClusterSweepPoint {
  Config config;                    // output, description and sweep cleared
  std::vector<std::string> values;  // one per ClusterSweepPlan::columns
};

// Points in this order (outermost first): seed, rate, arrival CV, SLO multiplier, the device
// counts of each swept group (in file order), binding, dispatcher, the dispatcher's swept
// parameters (in file order). An empty axis takes the config's value.
struct ClusterSweepPlan {
  std::vector<std::string> columns;  // seed, rate, arrival_cv, slo_multiplier, devices.<group>...,
                                     // binding, dispatcher, dispatcher_params
  std::vector<ClusterSweepPoint> points;
  std::vector<std::string> keys;  // cluster_point_key() of each point
  bool stream = false;            // points keep online metrics (`dysta cluster --stream`)
};

// Expands `config`'s sweep section (config.cluster.present). Checks every axis against the
// cluster (group names, dispatcher names and parameters, arrival CVs need gamma or Weibull
// gaps) and rejects single-accelerator axes; errors name `config_file`, line and key.
ClusterSweepPlan expand_cluster_sweep(const Config& config, const std::string& config_file,
                                      bool stream);

// The resolved point configuration as written to its folder's config.yaml.
std::string cluster_point_text(const ClusterSweepPoint& point);
// First 16 hex digits of SHA-256 over the point's text, `stream` and the digests of its groups'
// profile sets (so changed profiles never reuse a result).
std::string cluster_point_key(const ClusterSweepPoint& point, bool stream);

// <root>/points/<key>/{summary.json, config.yaml}; a folder appears complete or not at all.
class ClusterPointStore {
 public:
  explicit ClusterPointStore(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path folder(const std::string& key) const { return root_ / "points" / key; }
  // True when the folder exists; throws InputError when it holds another configuration.
  bool done(const std::string& key, const ClusterSweepPoint& point) const;
  void write(const std::string& key, const ClusterSweepPoint& point,
             const nlohmann::json& summary) const;
  nlohmann::json read(const std::string& key) const;

 private:
  std::filesystem::path root_;
};

// Runs the points `indices` of the plan on `threads` threads (0 = all cores), each point on one
// thread; writes each to `store` when given, else into (*results)[i] (sized to the plan). A
// point's summary is the `dysta cluster` summary.json plus "key" and "point" (the axis values).
// Rethrows the failure of the first failed index.
void run_cluster_points(const ClusterSweepPlan& plan, const std::vector<std::size_t>& indices,
                        unsigned threads, const ClusterPointStore* store, Progress* progress,
                        std::vector<std::optional<nlohmann::json>>* results);

// One row per point in plan order: the axis columns, the cluster totals (requests, violations,
// slo_violation_rate, dropped, antt, goodput_inf_s, throughput_inf_s, makespan_s, p50_s, p90_s,
// p99_s, utilisation, load_imbalance) and the key; shortest round-trip numbers.
std::string cluster_sweep_csv(const ClusterSweepPlan& plan,
                              const std::vector<nlohmann::json>& summaries);
// The same as an aligned text table (violation rate, ANTT, goodput, p99, utilisation).
std::string cluster_sweep_table(const ClusterSweepPlan& plan,
                                const std::vector<nlohmann::json>& summaries);

}  // namespace dysta
