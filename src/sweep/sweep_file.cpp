#include "dysta/sweep_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>

#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/sanger_latency.h"
#include "dysta/sha256.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

nlohmann::json params_json(const ParamValues& params) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : params) j[k] = v;
  return j;
}

nlohmann::json sanger_json(const SangerConfig& s) {
  return {{"pe_rows", s.pe_rows},         {"pe_cols", s.pe_cols},
          {"pes_per_row", s.pes_per_row}, {"bytes_per_value", s.bytes_per_value},
          {"clock_hz", s.clock_hz},       {"bandwidth_gb_s", s.bandwidth_gb_s},
          {"hidden", s.hidden},           {"seq_len", s.seq_len}};
}

// The Sanger constants of a point summary: every key sanger_json() writes (the constants of a
// config's `sanger:` section), each a number, parsed by the one parser, sanger_config(), so the
// checks and messages are a config's. Errors name point.sanger.<name>.
SangerConfig sanger_from_json(const nlohmann::json& s) {
  if (!s.is_object()) throw InputError("expected an object");
  const nlohmann::json written = sanger_json(SangerConfig{});
  ParamValues values;
  for (const auto& [name, x] : s.items()) {
    if (!written.contains(name)) {
      throw InputError("", 0, "point.sanger." + name, "unknown Sanger constant");
    }
    if (!x.is_number()) throw InputError("", 0, "point.sanger." + name, "expected a number");
    values[name] = x.get<double>();
  }
  for (const auto& [name, _] : written.items()) {
    if (!values.contains(name)) throw InputError("", 0, "point.sanger." + name, "missing");
  }
  return sanger_config(values, "point.sanger.");
}

// Values of the swept axes of one component, as the cartesian product in file order (the first
// axis outermost). Without axes: one empty assignment.
std::vector<ParamValues> combinations(const std::vector<const SweepParamAxis*>& axes) {
  std::vector<ParamValues> out{ParamValues{}};
  for (const SweepParamAxis* axis : axes) {
    std::vector<ParamValues> next;
    for (const auto& partial : out) {
      for (const double v : axis->values) {
        ParamValues p = partial;
        p[axis->param] = v;
        next.push_back(std::move(p));
      }
    }
    out = std::move(next);
  }
  return out;
}

// Rethrows an InputError from validating a component so it names the config file and, when the
// component's parameters were swept, the axis.
template <typename F>
void with_location(const std::string& file, const std::vector<const SweepParamAxis*>& axes,
                   const std::string& fallback_key, F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    if (!axes.empty()) {
      const SweepParamAxis& a = *axes.front();
      for (const SweepParamAxis* axis : axes) {
        if (e.field().ends_with("." + axis->param)) {
          throw InputError(axis->line ? file : "command line (--set)", axis->line, axis->key,
                           e.message());
        }
      }
      throw InputError(a.line ? file : "command line (--set)", a.line, a.key, e.message());
    }
    throw InputError(file, 0, e.field().empty() ? fallback_key : e.field(), e.message());
  }
}

std::vector<double> mix_vector(const PointConfig& point, const ProfileSet& profiles) {
  if (point.mix.empty()) return {};
  std::vector<double> weights(profiles.size(), 0.0);
  for (const auto& [name, weight] : point.mix) {
    const auto v = profiles.find(name);
    if (!v) {
      throw InputError(point.profiles, 0, "workload.mix." + name,
                       "unknown model (not in the profile set)");
    }
    weights[*v] = weight;
  }
  return weights;
}

}  // namespace

nlohmann::json point_json(const PointConfig& p) {
  nlohmann::json j;
  j["profiles"] = p.profiles;
  j["profiles_sha256"] = p.profiles_sha256;
  j["sanger"] = sanger_json(p.sanger);
  j["semantics"] = to_string(p.semantics);
  j["policy"] = p.policy;
  j["policy_params"] = params_json(p.policy_params);
  j["predictor"] = p.predictor;
  j["predictor_params"] = params_json(p.predictor_params);
  j["seed"] = p.seed;
  j["rate"] = p.rate;
  j["earlier_rates"] = p.earlier_rates;
  j["slo_multiplier"] = p.slo_multiplier;
  j["requests"] = p.requests;
  j["priorities"] = p.priorities;
  j["mix"] = params_json(p.mix);
  if (p.drop != DropRule::none) j["drop"] = to_string(p.drop);
  return j;
}

PointConfig point_from_json(const nlohmann::json& j, const std::string& file) {
  PointConfig p;
  const char* field = "point";
  // Integers must be JSON integers that fit (a stored 2^40 is not silently truncated).
  const auto integer = [](const nlohmann::json& x, std::int64_t lo, std::int64_t hi) {
    if (!x.is_number_integer()) throw InputError("expected an integer");
    if (x.is_number_unsigned() ? x.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)
                               : (x.get<std::int64_t>() < lo || x.get<std::int64_t>() > hi)) {
      throw InputError("out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return x.get<std::int64_t>();
  };
  try {
    field = "profiles";
    p.profiles = j.at(field).get<std::string>();
    field = "profiles_sha256";
    p.profiles_sha256 = j.at(field).get<std::string>();
    field = "sanger";
    p.sanger = sanger_from_json(j.at(field));
    field = "semantics";
    p.semantics = parse_semantics(j.at(field).get<std::string>());
    field = "policy";
    p.policy = j.at(field).get<std::string>();
    field = "policy_params";
    p.policy_params = j.at(field).get<ParamValues>();
    field = "predictor";
    p.predictor = j.at(field).get<std::string>();
    field = "predictor_params";
    p.predictor_params = j.at(field).get<ParamValues>();
    field = "seed";
    p.seed = static_cast<std::uint64_t>(integer(j.at(field), 0, kMaxSeed));
    field = "rate";
    p.rate = j.at(field).get<double>();
    field = "earlier_rates";
    p.earlier_rates = j.at(field).get<std::vector<double>>();
    field = "slo_multiplier";
    p.slo_multiplier = j.at(field).get<double>();
    field = "requests";
    p.requests = static_cast<std::size_t>(integer(j.at(field), 1, kMaxRequests));
    field = "priorities";
    if (!j.at(field).is_array()) throw InputError("expected a list");
    p.priorities.clear();
    for (const auto& x : j.at(field)) {
      p.priorities.push_back(static_cast<int>(integer(x, 1, kMaxPriority)));
    }
    field = "mix";
    p.mix = j.at(field).get<std::map<std::string, double>>();
    field = "drop";
    if (j.contains(field)) p.drop = parse_drop_rule(j.at(field).get<std::string>(), field);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file, 0, std::string("point.") + field, "missing or malformed");
  } catch (const InputError& e) {
    // Errors of sanger_from_json() already name the constant (point.sanger.<name>).
    throw InputError(file, 0,
                     e.field().starts_with("point.") ? e.field() : std::string("point.") + field,
                     e.message());
  }
  return p;
}

std::string point_key(const PointConfig& point) {
  nlohmann::json j = point_json(point);
  j.erase("profiles");
  return sha256_hex(j.dump()).substr(0, 16);
}

PointKeyer::PointKeyer(const PointConfig& base) {
  nlohmann::json j = point_json(base);
  j.erase("profiles");
  const std::map<std::string, Slot> slots = {{"policy", Slot::policy},
                                             {"policy_params", Slot::policy_params},
                                             {"predictor", Slot::predictor},
                                             {"predictor_params", Slot::predictor_params},
                                             {"slo_multiplier", Slot::slo_multiplier}};
  for (const auto& [name, value] : j.items()) {
    const auto it = slots.find(name);
    if (it != slots.end()) {
      members_.emplace_back(it->second, nlohmann::json(name).dump() + ":");
    } else {
      members_.emplace_back(Slot::text, nlohmann::json(name).dump() + ":" + value.dump());
    }
  }
}

namespace {

// Equal texts, or numbers with equal bits (0.0 and -0.0 dump differently and must stay apart).
bool same(const std::string& a, const std::string& b) {
  return a == b;
}
bool same(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}
bool same(const ParamValues& a, const ParamValues& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
           return x.first == y.first && same(x.second, y.second);
         });
}

// The dump of `value` remembered in `dumps`, else made by `dump` and remembered.
template <class Value, class Dump>
const std::string& remembered_dump(std::vector<std::pair<Value, std::string>>& dumps,
                                   std::size_t limit, const Value& value, Dump dump) {
  for (const auto& [v, text] : dumps) {
    if (same(v, value)) return text;
  }
  if (dumps.size() == limit) dumps.clear();
  dumps.emplace_back(value, dump());
  return dumps.back().second;
}

}  // namespace

std::string PointKeyer::key(const PointConfig& point) {
  const auto json = [](const auto& value) { return nlohmann::json(value); };
  std::string text = "{";
  // Appends the dump of `value` (as `to_json` makes it), remembered in `dumps`.
  const auto add = [&text](auto& dumps, const auto& value, auto to_json) {
    text += remembered_dump(dumps, kRemembered, value, [&] { return to_json(value).dump(); });
  };
  for (const auto& [slot, member] : members_) {
    if (text.size() > 1) text += ',';
    text += member;
    switch (slot) {
      case Slot::text:
        break;
      case Slot::policy:
        add(policies_, point.policy, json);
        break;
      case Slot::policy_params:
        add(policy_params_, point.policy_params, params_json);
        break;
      case Slot::predictor:
        add(predictors_, point.predictor, json);
        break;
      case Slot::predictor_params:
        add(predictor_params_, point.predictor_params, params_json);
        break;
      case Slot::slo_multiplier:
        add(slos_, point.slo_multiplier, json);
        break;
    }
  }
  text += '}';
  return sha256_hex(text).substr(0, 16);
}

std::string profiles_sha256(const std::string& path) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.is_regular_file() && entry.path().extension() == ".csv") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  } else {
    files.push_back(path);
  }
  Sha256 sha;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw InputError(f.string(), 0, "profiles", "cannot read file");
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const std::string name = f.filename().string();
    sha.update(fmt::format("{}\n{}\n", name, bytes.size()));
    sha.update(bytes);
  }
  return sha.hex();
}

std::string format_params(const ParamValues& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    out += fmt::format("{}{}={}", out.empty() ? "" : ";", k, format_double(v));
  }
  return out;
}

SweepPlan expand_sweep(const Config& config, const std::string& config_file) {
  const SweepConfig& sw = config.sweep;
  const std::vector<std::string> profile_paths =
      sw.profiles.empty() ? std::vector<std::string>{config.profiles} : sw.profiles;
  const std::vector<Semantics> semantics =
      sw.semantics.empty() ? std::vector<Semantics>{config.semantics} : sw.semantics;
  const std::vector<std::string> policies =
      sw.policies.empty() ? std::vector<std::string>{config.policy} : sw.policies;
  const std::vector<std::string> predictors =
      sw.predictors.empty() ? std::vector<std::string>{config.predictor} : sw.predictors;
  const std::vector<double> rates =
      sw.rates.empty() ? std::vector<double>{config.workload.rate} : sw.rates;
  const std::vector<double> slos = sw.slo_multipliers.empty()
                                       ? std::vector<double>{config.workload.slo_multiplier}
                                       : sw.slo_multipliers;
  const std::vector<std::uint64_t> seeds =
      sw.seeds.empty() ? std::vector<std::uint64_t>{config.workload.seed} : sw.seeds;
  if (!config.workload.trace.empty()) {
    throw InputError(config_file, 0, "workload.trace",
                     "a sweep generates its streams; use `dysta run` to replay a trace");
  }
  if (sw.has_cluster_axes()) {
    const char* key = !sw.dispatchers.empty()         ? "sweep.dispatchers"
                      : !sw.dispatcher_params.empty() ? "sweep.dispatcher_params"
                      : !sw.bindings.empty()          ? "sweep.bindings"
                      : !sw.device_counts.empty()     ? "sweep.device_counts"
                                                      : "sweep.arrival_cvs";
    throw InputError(config_file, 0, key,
                     "only in a cluster sweep (a config with a cluster: section, docs/cluster.md)");
  }
  if (!config.workload.per_model.empty()) {
    throw InputError(config_file, 0, "workload.per_model",
                     "sweeps generate Poisson streams only; use `dysta run` or a cluster sweep");
  }
  if (config.workload.arrivals) {
    throw InputError(config_file, 0, "workload.arrivals",
                     "sweeps generate Poisson streams only; use `dysta run` (one run per "
                     "arrival process) for gamma, Weibull or time-varying arrivals");
  }

  // Swept parameters per component, checked against the swept components.
  auto axes_of = [&](const std::vector<SweepParamAxis>& all, const std::vector<std::string>& names,
                     const char* what) {
    std::map<std::string, std::vector<const SweepParamAxis*>> out;
    for (const auto& axis : all) {
      if (std::find(names.begin(), names.end(), axis.component) == names.end()) {
        throw InputError(axis.line ? config_file : "command line (--set)", axis.line, axis.key,
                         fmt::format("'{}' is not one of the swept {}", axis.component, what));
      }
      out[axis.component].push_back(&axis);
    }
    return out;
  };
  const auto policy_axes = axes_of(sw.policy_params, policies, "policies");
  const auto predictor_axes = axes_of(sw.predictor_params, predictors, "predictors");
  const std::vector<const SweepParamAxis*> kNoAxes;
  auto axes_for = [&](const auto& map, const std::string& name) -> const auto& {
    const auto it = map.find(name);
    return it == map.end() ? kNoAxes : it->second;
  };
  // Number of points, counted (saturating) before anything is expanded or loaded.
  {
    std::size_t total = 1;
    const auto times = [&total](std::size_t n) {
      if (__builtin_mul_overflow(total, n, &total)) total = SIZE_MAX;
    };
    times(profile_paths.size());
    times(semantics.size());
    times(seeds.size());
    times(rates.size());
    times(slos.size());
    const auto choices = [&](const auto& names, const auto& axes) {
      std::size_t sum = 0;
      for (const auto& name : names) {
        std::size_t n = 1;
        for (const SweepParamAxis* a : axes_for(axes, name)) {
          if (__builtin_mul_overflow(n, a->values.size(), &n)) n = SIZE_MAX;
        }
        if (__builtin_add_overflow(sum, n, &sum)) sum = SIZE_MAX;
      }
      return sum;
    };
    times(choices(policies, policy_axes));
    times(choices(predictors, predictor_axes));
    if (total > kMaxSweepPoints) {
      throw InputError(
          config_file, 0, "sweep",
          fmt::format("the axes multiply to {} points; the limit is kMaxSweepPoints = "
                      "{} (split the sweep)",
                      total == SIZE_MAX ? std::string("more than 2^64") : std::to_string(total),
                      kMaxSweepPoints));
    }
  }
  const bool classic = profile_paths.size() == 1 && semantics.size() == 1 &&
                       predictors.size() == 1 && sw.policy_params.empty() &&
                       sw.predictor_params.empty();

  SweepPlan plan;
  plan.classic = classic;
  std::vector<std::string> digests;
  for (const auto& path : profile_paths) {
    ProfileLoadOptions options;
    options.sanger = config.sanger;
    plan.profile_sets.push_back(std::make_shared<const ProfileSet>(load_profiles(path, options)));
    digests.push_back(profiles_sha256(path));
  }

  // Resolved parameters per (component, assignment), validated once each.
  struct Choice {
    std::string name;
    ParamValues params;
  };
  std::set<std::string> validated;
  auto policy_choices = [&](const std::string& policy, Semantics sem) {
    const auto& axes = axes_for(policy_axes, policy);
    std::vector<Choice> out;
    for (const auto& assignment : combinations(axes)) {
      ParamValues given;
      if (const auto it = config.policy_params.find(policy); it != config.policy_params.end()) {
        given = it->second;
      }
      for (const auto& [k, v] : assignment) given[k] = v;
      Choice c{policy, {}};
      with_location(config_file, axes, "policy", [&] {
        const PolicyInfo& info = policy_registry().get("policy", policy);
        c.params = resolve_params("policy", policy, info.params, given);
        const std::string id =
            fmt::format("policy {} {} {}", policy, to_string(sem), format_params(c.params));
        if (validated.insert(id).second) make_policy(policy, c.params, sem);
      });
      out.push_back(std::move(c));
    }
    return out;
  };
  auto predictor_choices = [&](const std::string& predictor, Semantics sem, std::size_t set) {
    const auto& axes = axes_for(predictor_axes, predictor);
    std::vector<Choice> out;
    for (const auto& assignment : combinations(axes)) {
      ParamValues given = predictor == config.predictor ? config.predictor_params : ParamValues{};
      for (const auto& [k, v] : assignment) given[k] = v;
      Choice c{predictor, {}};
      with_location(config_file, axes, "predictor", [&] {
        const PredictorInfo& info = predictor_registry().get("predictor", predictor);
        c.params = resolve_params("predictor", predictor, info.params, given);
        const std::string id = fmt::format("predictor {} {} {} {}", predictor, to_string(sem), set,
                                           format_params(c.params));
        if (validated.insert(id).second) {
          make_predictor(predictor, *plan.profile_sets[set], c.params, sem);
        }
      });
      out.push_back(std::move(c));
    }
    return out;
  };

  std::map<std::string, std::uint32_t> stream_ids;
  for (std::size_t set = 0; set < profile_paths.size(); ++set) {
    for (const Semantics sem : semantics) {
      std::vector<std::vector<Choice>> pol;
      for (const auto& p : policies) pol.push_back(policy_choices(p, sem));
      std::vector<std::vector<Choice>> pred;
      for (const auto& p : predictors) pred.push_back(predictor_choices(p, sem, set));
      for (const std::uint64_t seed : seeds) {
        for (std::size_t ri = 0; ri < rates.size(); ++ri) {
          PointConfig base;
          base.profiles = profile_paths[set];
          base.profiles_sha256 = digests[set];
          base.sanger = config.sanger;
          base.semantics = sem;
          base.seed = seed;
          base.rate = rates[ri];
          if (sem == Semantics::reference) {
            base.earlier_rates.assign(rates.begin(), rates.begin() + static_cast<long>(ri));
          }
          base.requests = config.workload.requests;
          base.priorities = config.workload.priorities;
          base.mix = config.workload.mix;
          base.drop = config.drop;
          PointKeyer keyer(base);
          nlohmann::json stream_sig = point_json(base);
          stream_sig.erase("policy");
          stream_sig.erase("policy_params");
          stream_sig.erase("predictor");
          stream_sig.erase("predictor_params");
          stream_sig.erase("drop");
          stream_sig.erase("slo_multiplier");
          const auto [sid, inserted] = stream_ids.try_emplace(
              stream_sig.dump(), static_cast<std::uint32_t>(stream_ids.size()));
          if (inserted) {
            mix_vector(base, *plan.profile_sets[set]);  // validates the mix's model names
          }
          for (const double slo : slos) {
            for (std::size_t pi = 0; pi < policies.size(); ++pi) {
              for (const Choice& pc : pol[pi]) {
                for (std::size_t qi = 0; qi < predictors.size(); ++qi) {
                  for (const Choice& qc : pred[qi]) {
                    PointConfig p = base;
                    p.slo_multiplier = slo;
                    p.policy = pc.name;
                    p.policy_params = pc.params;
                    p.predictor = qc.name;
                    p.predictor_params = qc.params;
                    plan.keys.push_back(keyer.key(p));
                    plan.profile_set.push_back(static_cast<std::uint32_t>(set));
                    plan.stream.push_back(sid->second);
                    plan.points.push_back(std::move(p));
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return plan;
}

std::vector<Request> point_stream(const ProfileSet& profiles, const PointConfig& point) {
  PointStreams fresh;  // draws the earlier rates' streams, then the point's
  return fresh.stream(profiles, point);
}

std::vector<Request> PointStreams::stream(const ProfileSet& profiles, const PointConfig& point) {
  const bool continues = profiles_ == &profiles && drawn_ == point.earlier_rates &&
                         !point.earlier_rates.empty() && last_.seed == point.seed &&
                         last_.semantics == point.semantics && last_.requests == point.requests &&
                         last_.priorities == point.priorities && last_.mix == point.mix;
  StreamSpec spec;
  spec.num_requests = point.requests;
  spec.slo_multiplier = point.slo_multiplier;
  spec.priorities = point.priorities;
  spec.mix = mix_vector(point, profiles);
  if (!continues) {
    rng_ = PyRandom(point.seed);
    for (const double earlier : point.earlier_rates) {
      spec.rate_per_s = earlier;
      generate_poisson_stream(profiles, spec, rng_, point.semantics);
    }
  }
  spec.rate_per_s = point.rate;
  std::vector<Request> out = generate_poisson_stream(profiles, spec, rng_, point.semantics);
  profiles_ = &profiles;
  last_ = point;
  drawn_ = point.earlier_rates;
  drawn_.push_back(point.rate);
  return out;
}

bool slo_free_schedule(const PointConfig& point) {
  return point.drop == DropRule::none &&
         !make_policy(point.policy, point.policy_params, point.semantics)->reads_deadlines();
}

RunMetrics run_point(const ProfileSet& profiles, const std::vector<Request>& requests,
                     const PointConfig& point, RunResult* raw, std::span<double> alone_ends) {
  PolicyChoice choice;
  choice.predictor = point.predictor;
  choice.predictor_params = point.predictor_params;
  choice.drop = point.drop;
  choice.policy_params[point.policy] = point.policy_params;
  return run_policy(profiles, requests, point.policy, choice, point.semantics, raw, {}, alone_ends);
}

}  // namespace dysta
