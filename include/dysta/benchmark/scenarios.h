// Scenarios of the benchmark: which profile set, which variants in which mix, suggested arrival
// rates for target accelerator utilisations, SLO multipliers and provenance. Each scenario is
// written as a runnable dysta config (data/benchmark/scenarios/<name>.yaml) whose `scenario`
// block carries the metadata (docs/benchmark.md, "Scenarios").
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace dysta::benchmark {

// A device group of a fleet scenario (issue 19): `count` accelerators, `speed` times as fast as the
// profiled one, serving the mix entries of profile set `folder`.
struct FleetGroup {
  std::string name;
  std::size_t count = 1;
  double speed = 1;
  std::string folder;
};

struct ScenarioDef {
  std::string name;
  std::string summary;  // one line
  std::string folder;   // profile set under data/benchmark/profiles/
  std::string accelerator;
  std::string data;                                 // "real", "synthetic" or "real + synthetic"
  std::vector<std::pair<std::string, double>> mix;  // variant -> weight
  std::vector<double> utilisations;                 // suggested operating points
  double default_utilisation = 0.5;
  std::vector<double> slo_multipliers;
  double default_slo = 10;
  std::vector<double> paper_rates;  // the paper's rates for this setting (spec G.2), if any
  std::vector<std::string> policies;
  // Fleet scenarios (run with `dysta cluster -c`): the groups, the dispatcher, gamma inter-arrival
  // gaps of this CV, and the folder of every mix entry not in `folder`. A fleet's mix weights are
  // computed (fleet_weights); `mix` then only names the variants.
  std::vector<FleetGroup> fleet;
  std::string dispatcher;
  std::vector<std::string> dispatchers;  // the fleet's sweep.dispatchers axis
  double arrival_cv = 1;
  std::map<std::string, std::string> mix_folder;
};

// The profile set folder of a mix entry.
std::string folder_of(const ScenarioDef& def, const std::string& variant);

// Per-variant rates (requests/s) at utilisation 1 of a fleet: every model of a folder gets the
// same rate, so that each folder's devices are equally loaded: capacity(folder) / sum of the
// folder's mean isolated latencies, capacity = sum of count x speed over the folder's groups.
std::vector<std::pair<std::string, double>> fleet_weights(
    const ScenarioDef& def, const std::map<std::string, double>& mean_iso);

// paper-cnn, paper-attnn, mobile, arvr, datacentre.
const std::vector<ScenarioDef>& benchmark_scenarios();

// Arrival rate (requests/s) that loads the accelerator to `utilisation` with this mix: u divided
// by the mix-weighted mean isolated latency (a fleet: u times the sum of fleet_weights). `mean_iso`
// maps "folder/variant" to seconds.
double rate_for_utilisation(const ScenarioDef& def, const std::map<std::string, double>& mean_iso,
                            double utilisation);

// The scenario's config YAML; empty when one of its variants is missing from `mean_iso` (a
// partial build). `provenance` goes into the scenario block as is.
std::string scenario_yaml(const ScenarioDef& def, const std::map<std::string, double>& mean_iso,
                          const nlohmann::ordered_json& provenance);

// What `dysta list` shows of one scenario file.
struct ScenarioInfo {
  std::string name, summary, accelerator, data;
  std::filesystem::path file;
  std::size_t variants = 0;
  double rate = 0;         // the config's workload.rate
  double utilisation = 0;  // at that rate
};

// The scenario files of a folder (sorted by name). Throws InputError naming the file and field
// for a malformed one.
std::vector<ScenarioInfo> read_scenarios(const std::filesystem::path& dir);

// data/benchmark/scenarios of the source tree.
std::filesystem::path default_scenario_dir();

}  // namespace dysta::benchmark
