// Experiment configuration: one YAML file plus command-line overrides, parsed strictly.
//
// Every key is documented in docs/config.md. An unknown or misspelled key, a value of the wrong
// type or an impossible value is an InputError naming the file, line and key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dysta/arrivals.h"
#include "dysta/data_dir.h"
#include "dysta/engine.h"
#include "dysta/registry.h"
#include "dysta/sanger_latency.h"
#include "dysta/semantics.h"
#include "dysta/workload.h"

namespace dysta {

// workload.arrivals: the inter-arrival process (arrivals.h). Absent = Poisson at workload.rate.
struct ArrivalConfig {
  GapKind kind = GapKind::exponential;
  double cv = 1;    // coefficient of variation of the gaps (exponential: 1)
  RateCurve curve;  // workload.arrivals.curve (explicit points), or empty
  struct Diurnal {
    double amplitude = 0.5;  // [0, 1]; the mean is workload.rate
    double period_s = 86400;
    double phase_s = 0;
    int points = 48;
  };
  std::optional<Diurnal> diurnal;  // workload.arrivals.diurnal

  // The ArrivalSpec for mean rate `rate_per_s` (the diurnal curve's mean; a renewal process's
  // rate; ignored with an explicit curve).
  ArrivalSpec spec(double rate_per_s) const;
};

// workload.per_model.<model>: the model's own arrival process. Unset kind and cv are those of
// workload.arrivals (Poisson without it).
struct ModelArrivalConfig {
  double rate = 1;  // requests per second
  std::optional<GapKind> kind;
  std::optional<double> cv;
};

struct WorkloadConfig {
  double rate = 30;             // requests per second
  std::size_t requests = 1000;  // number of requests
  double slo_multiplier = 10;   // SLO = multiplier x mean isolated latency of the architecture
  std::uint64_t seed = 1;
  std::vector<int> priorities{1, 3, 9};
  std::map<std::string, double> mix;      // variant name -> weight; empty = uniform
  std::string trace;                      // replay this trace CSV instead of generating
  std::optional<ArrivalConfig> arrivals;  // empty = Poisson at `rate` (spec B.3)
  // Non-empty: each listed model arrives by its own process (StreamSpec::per_model); `rate` and
  // `mix` are unused and unlisted models get no requests.
  std::map<std::string, ModelArrivalConfig> per_model;

  // The ArrivalSpec of per_model entry `m` (kind and cv defaulted as above).
  ArrivalSpec model_spec(const ModelArrivalConfig& m) const;
};

// One parameter of one policy or predictor swept over several values (sweep.policy_params,
// sweep.predictor_params; docs/workflow.md).
struct SweepParamAxis {
  std::string component;  // policy or predictor name
  std::string param;
  std::vector<double> values;
  std::string key;       // dotted config key, for error messages
  std::size_t line = 0;  // 1-based line in the config file; 0 = command line
};

// Axes of a sweep; an empty axis means the single value of the corresponding top-level key.
struct SweepConfig {
  std::vector<std::string> profiles;  // profile sets, resolved like `profiles`
  std::vector<Semantics> semantics;
  std::vector<std::string> policies;
  std::vector<std::string> predictors;
  std::vector<double> rates;
  std::vector<double> slo_multipliers;
  std::vector<std::uint64_t> seeds;
  std::vector<SweepParamAxis> policy_params;     // in file order
  std::vector<SweepParamAxis> predictor_params;  // in file order
  unsigned threads = 0;                          // 0 = all cores
  // Cluster sweeps only (a `cluster:` section; docs/cluster.md, cluster_sweep.h).
  std::vector<std::string> dispatchers;
  std::vector<SweepParamAxis> dispatcher_params;  // in file order
  std::vector<std::string> bindings;              // "early" / "late"
  // Device counts per group: component = group name ("" for the list form, which names the only
  // group), param "count".
  std::vector<SweepParamAxis> device_counts;
  std::vector<double> arrival_cvs;  // workload.arrivals.cv

  bool has_cluster_axes() const {
    return !dispatchers.empty() || !dispatcher_params.empty() || !bindings.empty() ||
           !device_counts.empty() || !arrival_cvs.empty();
  }
};

// One device group of `cluster.groups` (docs/cluster.md); unset keys take the top-level value.
struct DeviceGroupConfig {
  std::string name;
  std::size_t count = 1;
  std::string profiles;  // resolved like `profiles`
  double speed = 1;      // latencies divided by speed
  std::string policy;
  std::map<std::string, ParamValues> policy_params;
  std::string predictor;
  ParamValues predictor_params;
};

// The `cluster:` section, read by `dysta cluster` only. Without `groups`, one group "devices" of
// `devices` devices with the top-level profiles, policy and predictor.
struct ClusterConfig {
  bool present = false;  // the section was given
  std::string dispatcher = "round_robin";
  ParamValues dispatcher_params;
  unsigned threads = 1;       // 0 = all cores
  bool late_binding = false;  // cluster.binding: early (default) or late
  std::uint32_t depth = 1;    // cluster.depth: late binding's requests in flight per device
  std::vector<DeviceGroupConfig> groups;  // resolved: never empty after load_config()
};

struct Config {
  std::string description;  // free text carried into the outputs
  std::string scenario;     // benchmark scenario name (`scenario.name`), empty otherwise
  std::string profiles;     // directory or file; resolved relative to the config file
  Semantics semantics = Semantics::corrected;
  std::string policy = "dysta";
  std::map<std::string, ParamValues> policy_params;  // policy name -> parameters
  std::string predictor = "average";
  ParamValues predictor_params;
  WorkloadConfig workload;
  // Drop requests that can no longer meet their SLO (engine.h DropRule): none (default),
  // estimated or oracle.
  DropRule drop = DropRule::none;
  SangerConfig sanger;
  SweepConfig sweep;
  ClusterConfig cluster;
  std::string output = "dysta-out/run";
};

// Loads `path` (or only defaults when empty) and applies `overrides` ("key.sub=value", YAML
// scalar or flow syntax for the value) in order. Relative paths in the file resolve against the
// file's folder; relative paths given as overrides resolve against the working directory.
Config load_config(const std::filesystem::path& path, const std::vector<std::string>& overrides);

// load_config(default_config_path(), overrides), without parsing the shipped file's scenario
// metadata: of its top-level `scenario:` block only `name:` is read (the one key Config keeps);
// the other lines are blanked before the YAML parser sees them (most of that generated file's
// text; tests/config checks both ways give the same Config).
Config load_default_config(const std::vector<std::string>& overrides);

// The fully resolved configuration as YAML (written beside every result).
std::string to_yaml(const Config& config);

// Per-variant weights from workload.mix over `profiles` (empty when no mix); a name not in the
// set is an InputError naming workload.mix.<name>.
std::vector<double> mix_weights(const Config& config, const ProfileSet& profiles);

// The request stream of the workload section (rate, count, SLO, priorities, mix and arrival
// process) over `profiles`: what `dysta run`, `dysta cluster` and the Python module generate.
StreamSpec stream_spec(const Config& config, const ProfileSet& profiles);

// One line describing the arrival process ("Poisson 30 req/s" without workload.arrivals).
std::string arrivals_text(const WorkloadConfig& workload);

// Path of the embedded default configuration: the benchmark's paper-cnn scenario
// (data/benchmark/scenarios/paper-cnn.yaml, docs/benchmark.md).
std::filesystem::path default_config_path();

}  // namespace dysta
