// Sweep files: a config's `sweep:` section expanded into an ordered list of fully resolved points
// (docs/workflow.md). Every point is self-contained: it can be recomputed alone, on any process,
// and is identified by a hash of its resolved configuration.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "dysta/config.h"
#include "dysta/experiment.h"
#include "dysta/profile.h"
#include "dysta/py_random.h"
#include "dysta/registry.h"
#include "dysta/semantics.h"
#include "dysta/workload.h"

namespace dysta {

// Everything that determines one point's results.
struct PointConfig {
  std::string profiles;         // profile set path, as resolved from the config
  std::string profiles_sha256;  // digest of the set's files (names and bytes)
  SangerConfig sanger;          // constants of the Sanger latency formula
  Semantics semantics = Semantics::corrected;
  std::string policy;
  ParamValues policy_params;  // every parameter of the policy, defaults filled in
  std::string predictor;
  ParamValues predictor_params;  // every parameter of the predictor, defaults filled in
  std::uint64_t seed = 1;
  double rate = 30;  // requests/s
  // Reference semantics (spec B.4): one generator per seed continues across the sweep's rates,
  // so this point's stream comes after the streams of these rates (in this order). Empty in
  // corrected semantics, where every (seed, rate) re-seeds.
  std::vector<double> earlier_rates;
  double slo_multiplier = 10;
  std::size_t requests = 1000;
  std::vector<int> priorities{1, 3, 9};
  std::map<std::string, double> mix;  // variant name -> weight; empty = uniform
  // EngineOptions::drop; in the canonical JSON (and so the key) only when not none, so the keys
  // of points without dropping are those they always had.
  DropRule drop = DropRule::none;
};

// Canonical JSON of a point (keys sorted, shortest round-trip numbers) and its inverse.
nlohmann::json point_json(const PointConfig& point);
// Throws InputError naming `file` and the field when `j` is not a point.
PointConfig point_from_json(const nlohmann::json& j, const std::string& file);

// The point's key: the first 16 hex digits of SHA-256 over its canonical JSON, excluding the
// profile set's path (its file digest stands for it, so moving the data keeps the keys).
std::string point_key(const PointConfig& point);

// point_key() of points that equal one base point in every field but policy, policy_params,
// predictor, predictor_params and slo_multiplier (the points of one stream in expand_sweep()),
// without building their JSON: the compact dump of the canonical JSON is the members' texts
// `"name":value` joined by commas in key order, so the base's members are dumped once and only
// the five fields are dumped per key, each distinct value once (the last few are remembered:
// a stream's points repeat the same policies, predictors and SLO multipliers).
class PointKeyer {
 public:
  explicit PointKeyer(const PointConfig& base);
  // Equals point_key(point) for a point that differs from the base only in those five fields.
  // Not const: it remembers dumps (one keyer per thread).
  std::string key(const PointConfig& point);

 private:
  enum class Slot { text, policy, policy_params, predictor, predictor_params, slo_multiplier };
  // Remembered dumps of one slot: (value, JSON text), at most kRemembered.
  template <class Value>
  using Dumps = std::vector<std::pair<Value, std::string>>;
  static constexpr std::size_t kRemembered = 32;
  std::vector<std::pair<Slot, std::string>> members_;  // in key order; text: `"name":value`
  Dumps<std::string> policies_, predictors_;
  Dumps<ParamValues> policy_params_, predictor_params_;
  Dumps<double> slos_;
};

// SHA-256 over the files load_profiles() would read at `path` (names and contents, in order).
std::string profiles_sha256(const std::string& path);

// A sweep expanded into points, in this order (outermost first): profile set, semantics, seed,
// rate, SLO multiplier, policy, the policy's swept parameters (in file order), predictor, the
// predictor's swept parameters. With only policies, rates, SLO multipliers and seeds swept, the
// order is that of run_sweep().
struct SweepPlan {
  std::vector<PointConfig> points;
  std::vector<std::string> keys;  // point_key() of each point
  // True when only policies, rates, SLO multipliers and seeds have several values.
  bool classic = true;
  std::vector<std::uint32_t> profile_set;  // per point: index into `profile_sets`
  std::vector<std::uint32_t> stream;       // per point: points with equal ids share a stream
  std::vector<std::shared_ptr<const ProfileSet>> profile_sets;
};

// Expands `config`'s sweep section (an empty axis takes the top-level value). Loads each profile
// set once and validates every policy, predictor and parameter up front. `config_file` names the
// file in errors (file, line and key of the offending axis).
SweepPlan expand_sweep(const Config& config, const std::string& config_file);

// The requests of a point: a Poisson stream with the point's rate, requests, priorities and mix,
// SLO multiplier applied (reference semantics: after drawing the streams of earlier_rates).
std::vector<Request> point_stream(const ProfileSet& profiles, const PointConfig& point);

// point_stream() for a run of points, remembering the generator after the last stream: a point
// of the same set, seed, semantics, requests, priorities and mix whose earlier_rates are the
// rates drawn so far (the last stream's earlier_rates and rate) continues from there instead of
// drawing them again (reference semantics draws a sweep's rates in turn from one generator:
// O(rates) streams per seed instead of O(rates^2)). Returns exactly what point_stream() returns.
class PointStreams {
 public:
  std::vector<Request> stream(const ProfileSet& profiles, const PointConfig& point);

 private:
  const ProfileSet* profiles_ = nullptr;
  PointConfig last_;           // the settings of the last stream
  std::vector<double> drawn_;  // the rates its generator has drawn, in order
  PyRandom rng_;               // the generator after them
};

// True when the point's schedule does not depend on its SLO multiplier: its policy never reads
// deadlines (Policy::reads_deadlines()) and the point drops nothing (drops compare deadlines).
// Predictors and the engine read no deadlines.
bool slo_free_schedule(const PointConfig& point);

// Runs a point (its stream must come from point_stream()). `alone_ends`:
// EngineOptions::alone_ends, shared by the points of one stream (same results without it).
RunMetrics run_point(const ProfileSet& profiles, const std::vector<Request>& requests,
                     const PointConfig& point, RunResult* raw = nullptr,
                     std::span<double> alone_ends = {});

// "beta=0.01;n=3" (sorted by name; "" without parameters): the CSV form of parameters.
std::string format_params(const ParamValues& params);

}  // namespace dysta
