#include "dysta/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <set>

#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/input_checks.h"
#include "dysta/read_file.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

const char* kOverrideOrigin = "command line (--set)";

// Where each value came from, for error messages.
struct Origin {
  std::string file;
  fs::path base_dir;                 // for relative paths given in the file
  std::set<std::string> overridden;  // dotted keys set on the command line
};

class Parser {
 public:
  explicit Parser(Origin origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& message) const {
    if (from_command_line(key)) throw InputError(kOverrideOrigin, 0, key, message);
    const auto mark = node.Mark();
    const std::size_t line = mark.is_null() ? 0 : static_cast<std::size_t>(mark.line + 1);
    throw InputError(origin_.file, line, key, message);
  }

  // True when `key` or a section above it was set by an override.
  bool from_command_line(const std::string& key) const {
    for (const auto& o : origin_.overridden) {
      if (key == o || (key.size() > o.size() && key.compare(0, o.size(), o) == 0 &&
                       (key[o.size()] == '.' || key[o.size()] == '['))) {
        return true;
      }
    }
    return false;
  }

  void check_keys(const YAML::Node& map, const std::string& prefix,
                  const std::vector<std::string>& allowed) const {
    if (!map.IsMap()) fail(map, prefix.empty() ? "config" : prefix, "expected a mapping");
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      bool known = false;
      for (const auto& a : allowed) known = known || a == key;
      if (!known) {
        std::string valid;
        for (const auto& a : allowed) valid += (valid.empty() ? "" : ", ") + a;
        fail(kv.first, join(prefix, key), "unknown key (valid: " + valid + ")");
      }
    }
  }

  static std::string join(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
  }

  std::string str(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "expected a string");
    if (!is_valid_utf8(n.Scalar())) {
      fail(n, key, "not valid UTF-8 text: '" + escape_bytes(n.Scalar()) + "'");
    }
    return n.as<std::string>();
  }
  double number(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "expected a number");
    double v = 0;
    if (!YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
      fail(n, key, "expected a finite number, found '" + n.Scalar() + "'");
    }
    return v;
  }
  // A number in [lo, hi].
  double ranged(const YAML::Node& n, const std::string& key, double lo, double hi) const {
    const double v = number(n, key);
    if (v < lo || v > hi) {
      // "must be > 0" first where zero is the natural mistake (the message users already know).
      fail(n, key,
           std::string(lo > 0 && v <= 0 ? "must be > 0: " : "") + "must be in [" +
               format_double(lo) + ", " + format_double(hi) + "], found " + n.Scalar());
    }
    return v;
  }
  // An integer in [lo, hi] (hi <= 2^53, so every value is exact as a double).
  std::int64_t integer(const YAML::Node& n, const std::string& key, std::int64_t lo,
                       std::int64_t hi) const {
    const double v = number(n, key);
    if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi)) {
      fail(n, key,
           "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
               "], found " + n.Scalar());
    }
    return static_cast<std::int64_t>(v);
  }
  template <typename T, typename F>
  std::vector<T> list(const YAML::Node& n, const std::string& key, F&& item) const {
    std::vector<T> out;
    if (n.IsScalar()) {
      out.push_back(item(n, key));
    } else if (n.IsSequence()) {
      if (n.size() > kMaxListLength) {
        fail(n, key,
             "list too long (limit kMaxListLength = " + std::to_string(kMaxListLength) + ")");
      }
      for (std::size_t i = 0; i < n.size(); ++i) {
        out.push_back(item(n[i], key + "[" + std::to_string(i) + "]"));
      }
    } else {
      fail(n, key, "expected a value or a list");
    }
    if (out.empty()) fail(n, key, "list is empty");
    return out;
  }
  ParamValues params(const YAML::Node& n, const std::string& key) const {
    if (!n.IsMap()) fail(n, key, "expected a mapping of parameter names to numbers");
    ParamValues out;
    for (const auto& kv : n) {
      const std::string name = kv.first.as<std::string>();
      out[name] = number(kv.second, join(key, name));
    }
    return out;
  }
  std::string path(const YAML::Node& n, const std::string& key) const {
    const std::string p = str(n, key);
    if (p.empty() || fs::path(p).is_absolute() || from_command_line(key)) return p;
    return (origin_.base_dir / p).lexically_normal().string();
  }

  Config parse(const YAML::Node& root) const {
    Config c;
    if (!root || root.IsNull()) {
      parse_cluster(nullptr, c);
      return c;
    }
    check_keys(root, "",
               {"description", "profiles", "semantics", "policy", "policy_params", "predictor",
                "predictor_params", "workload", "drop", "sanger", "sweep", "output", "scenario",
                "cluster"});
    if (auto n = root["description"]) c.description = str(n, "description");
    if (auto n = root["profiles"]) c.profiles = path(n, "profiles");
    if (auto n = root["semantics"]) {
      try {
        c.semantics = parse_semantics(str(n, "semantics"));
      } catch (const InputError& e) {
        fail(n, "semantics", "expected reference or corrected, found '" + n.Scalar() + "'");
      }
    }
    if (auto n = root["policy"]) c.policy = str(n, "policy");
    if (auto n = root["policy_params"]) {
      if (!n.IsMap()) fail(n, "policy_params", "expected a mapping: policy name -> parameters");
      for (const auto& kv : n) {
        const std::string name = kv.first.as<std::string>();
        c.policy_params[name] = params(kv.second, "policy_params." + name);
      }
    }
    if (auto n = root["predictor"]) c.predictor = str(n, "predictor");
    if (auto n = root["predictor_params"]) c.predictor_params = params(n, "predictor_params");
    if (auto w = root["workload"]) parse_workload(w, c.workload);
    if (auto n = root["drop"]) {
      try {
        c.drop = parse_drop_rule(str(n, "drop"));
      } catch (const InputError& e) {
        fail(n, "drop", "expected none, estimated or oracle, found '" + n.Scalar() + "'");
      }
    }
    if (auto s = root["sanger"]) parse_sanger(s, c.sanger);
    if (auto s = root["sweep"]) parse_sweep(s, c.sweep);
    if (auto n = root["output"]) c.output = str(n, "output");
    if (auto n = root["scenario"]) {
      // Benchmark metadata (docs/benchmark.md); only the name is read, the rest documents.
      if (!n.IsMap()) fail(n, "scenario", "expected a mapping with at least `name`");
      if (!n["name"]) fail(n, "scenario.name", "missing");
      c.scenario = str(n["name"], "scenario.name");
    }
    if (auto n = root["cluster"]) {
      parse_cluster(&n, c);
    } else {
      parse_cluster(nullptr, c);
    }
    return c;
  }

  // After every top-level key: a group's unset keys take the top-level values.
  void parse_cluster(const YAML::Node* section, Config& c) const {
    ClusterConfig& out = c.cluster;
    DeviceGroupConfig base;
    base.profiles = c.profiles;
    base.policy = c.policy;
    base.policy_params = c.policy_params;
    base.predictor = c.predictor;
    base.predictor_params = c.predictor_params;
    base.name = "devices";
    if (!section) {
      out.groups = {base};
      return;
    }
    out.present = true;
    if (section->IsNull()) {  // `cluster:` with nothing below: every default
      out.groups = {base};
      return;
    }
    const YAML::Node& n = *section;
    const std::string key = "cluster";
    check_keys(
        n, key,
        {"dispatcher", "dispatcher_params", "threads", "devices", "groups", "binding", "depth"});
    if (auto x = n["binding"]) {
      const std::string b = str(x, key + ".binding");
      if (b != "early" && b != "late") {
        fail(x, key + ".binding", "expected early or late, found '" + b + "'");
      }
      out.late_binding = b == "late";
    }
    if (auto x = n["depth"]) {
      out.depth = static_cast<std::uint32_t>(integer(x, key + ".depth", 1, kMaxDepth));
      if (!out.late_binding) fail(x, key + ".depth", "only with binding: late");
    }
    if (auto x = n["dispatcher"]) out.dispatcher = str(x, key + ".dispatcher");
    if (auto x = n["dispatcher_params"]) {
      out.dispatcher_params = params(x, key + ".dispatcher_params");
    }
    if (auto x = n["threads"]) {
      out.threads = static_cast<unsigned>(integer(x, key + ".threads", 0, kMaxThreads));
    }
    if (n["devices"] && n["groups"]) {
      fail(n["devices"], key + ".devices", "give either devices or groups, not both");
    }
    if (auto x = n["devices"]) {
      base.count = static_cast<std::size_t>(integer(x, key + ".devices", 1, kMaxDevices));
      out.groups = {base};
      return;
    }
    if (!n["groups"]) {
      out.groups = {base};
      return;
    }
    const YAML::Node list = n["groups"];
    if (!list.IsSequence() || list.size() == 0) {
      fail(list, key + ".groups", "expected a non-empty list of device groups");
    }
    if (list.size() > kMaxListLength) fail(list, key + ".groups", "list too long");
    std::int64_t total = 0;
    std::set<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node g = list[i];
      const std::string gk = key + ".groups[" + std::to_string(i) + "]";
      check_keys(g, gk,
                 {"name", "count", "profiles", "speed", "policy", "policy_params", "predictor",
                  "predictor_params"});
      DeviceGroupConfig group = base;
      group.name = "group" + std::to_string(i);
      if (auto x = g["name"]) group.name = str(x, gk + ".name");
      if (!names.insert(group.name).second) {
        fail(g["name"], gk + ".name", "two groups named '" + group.name + "'");
      }
      if (auto x = g["count"]) {
        group.count = static_cast<std::size_t>(integer(x, gk + ".count", 1, kMaxDevices));
      }
      total += static_cast<std::int64_t>(group.count);
      if (total > kMaxDevices) {
        fail(g, gk + ".count",
             "more than kMaxDevices = " + std::to_string(kMaxDevices) + " devices in all");
      }
      if (auto x = g["profiles"]) group.profiles = path(x, gk + ".profiles");
      if (auto x = g["speed"]) group.speed = ranged(x, gk + ".speed", kMinSpeed, kMaxSpeed);
      if (auto x = g["policy"]) group.policy = str(x, gk + ".policy");
      if (auto x = g["policy_params"]) {
        if (!x.IsMap()) fail(x, gk + ".policy_params", "expected: policy name -> parameters");
        group.policy_params.clear();
        for (const auto& kv : x) {
          const std::string name = kv.first.as<std::string>();
          group.policy_params[name] = params(kv.second, gk + ".policy_params." + name);
        }
      }
      if (auto x = g["predictor"]) group.predictor = str(x, gk + ".predictor");
      if (auto x = g["predictor_params"]) {
        group.predictor_params = params(x, gk + ".predictor_params");
      }
      if (group.profiles.empty()) {
        fail(g, gk + ".profiles", "not set (and no top-level profiles)");
      }
      out.groups.push_back(std::move(group));
    }
  }

  void parse_workload(const YAML::Node& w, WorkloadConfig& out) const {
    check_keys(w, "workload",
               {"rate", "requests", "slo_multiplier", "seed", "priorities", "mix", "trace",
                "arrivals", "per_model"});
    if (auto n = w["rate"]) out.rate = ranged(n, "workload.rate", kMinRate, kMaxRate);
    if (auto n = w["requests"]) {
      out.requests = static_cast<std::size_t>(integer(n, "workload.requests", 1, kMaxRequests));
    }
    if (auto n = w["slo_multiplier"]) {
      out.slo_multiplier =
          ranged(n, "workload.slo_multiplier", kMinSloMultiplier, kMaxSloMultiplier);
    }
    if (auto n = w["seed"]) {
      out.seed = static_cast<std::uint64_t>(integer(n, "workload.seed", 0, kMaxSeed));
    }
    if (auto n = w["priorities"]) {
      out.priorities =
          list<int>(n, "workload.priorities", [this](const YAML::Node& x, const std::string& k) {
            return static_cast<int>(integer(x, k, 1, kMaxPriority));
          });
    }
    if (auto n = w["mix"]) {
      if (!n.IsMap()) fail(n, "workload.mix", "expected a mapping: variant name -> weight");
      out.mix.clear();
      for (const auto& kv : n) {
        const std::string name = kv.first.as<std::string>();
        out.mix[name] = ranged(kv.second, "workload.mix." + name, 0, kMaxMixWeight);
      }
    }
    if (auto n = w["trace"]) out.trace = path(n, "workload.trace");
    if (auto n = w["arrivals"]) {
      out.arrivals = parse_arrivals(n);
      try {
        out.arrivals->spec(out.rate).validate("workload.arrivals");
      } catch (const InputError& e) {
        fail(n, e.field(), e.message());
      }
    }
    if (auto n = w["per_model"]) parse_per_model(n, out);
  }

  void parse_per_model(const YAML::Node& n, WorkloadConfig& out) const {
    const std::string key = "workload.per_model";
    if (!n.IsMap() || n.size() == 0) {
      fail(n, key, "expected a mapping: model name -> rate or {rate, kind, cv}");
    }
    if (!out.mix.empty()) fail(n, key, "give either workload.mix or workload.per_model, not both");
    if (out.arrivals && (!out.arrivals->curve.empty() || out.arrivals->diurnal)) {
      fail(n, key, "per-model processes are renewal processes (no curve or diurnal)");
    }
    out.per_model.clear();
    for (const auto& kv : n) {
      const std::string name = kv.first.as<std::string>();
      const std::string mk = join(key, name);
      ModelArrivalConfig m;
      if (kv.second.IsScalar()) {
        m.rate = ranged(kv.second, mk, kMinRate, kMaxRate);
      } else {
        check_keys(kv.second, mk, {"rate", "kind", "cv"});
        if (!kv.second["rate"]) fail(kv.second, mk + ".rate", "missing (requests/s)");
        m.rate = ranged(kv.second["rate"], mk + ".rate", kMinRate, kMaxRate);
        if (auto k = kv.second["kind"]) {
          try {
            m.kind = parse_gap_kind(str(k, mk + ".kind"), mk + ".kind");
          } catch (const InputError& e) {
            fail(k, mk + ".kind",
                 "expected exponential, gamma or weibull, found '" + k.Scalar() + "'");
          }
        }
        if (auto c = kv.second["cv"]) m.cv = ranged(c, mk + ".cv", kMinArrivalCv, kMaxArrivalCv);
        if (m.kind && *m.kind != GapKind::exponential && !m.cv) {
          fail(kv.second, mk + ".cv", "missing (gamma and weibull gaps need their cv)");
        }
      }
      try {
        out.model_spec(m).validate(mk);
      } catch (const InputError& e) {
        fail(kv.second, e.field(), e.message());
      }
      out.per_model[name] = m;
    }
  }

  ArrivalConfig parse_arrivals(const YAML::Node& a) const {
    const std::string key = "workload.arrivals";
    check_keys(a, key, {"kind", "cv", "curve", "diurnal"});
    ArrivalConfig out;
    if (auto n = a["kind"]) {
      try {
        out.kind = parse_gap_kind(str(n, key + ".kind"), key + ".kind");
      } catch (const InputError& e) {
        fail(n, key + ".kind",
             "expected exponential, gamma or weibull, found '" + n.Scalar() + "'");
      }
    }
    if (auto n = a["cv"]) {
      out.cv = ranged(n, key + ".cv", kMinArrivalCv, kMaxArrivalCv);
      if (out.kind == GapKind::exponential && out.cv != 1) {
        fail(n, key + ".cv", "exponential gaps have cv = 1 (set kind: gamma or weibull)");
      }
    } else if (out.kind != GapKind::exponential) {
      fail(a, key + ".cv", "missing (gamma and weibull gaps need their coefficient of variation)");
    }
    if (a["curve"] && a["diurnal"]) {
      fail(a["diurnal"], key + ".diurnal", "give either curve or diurnal, not both");
    }
    if (auto c = a["curve"]) {
      const std::string ck = key + ".curve";
      check_keys(c, ck, {"t_s", "rate", "periodic"});
      if (!c["t_s"]) fail(c, ck + ".t_s", "missing (times of the points, seconds)");
      if (!c["rate"]) fail(c, ck + ".rate", "missing (rates at the points, requests/s)");
      out.curve.t_s =
          list<double>(c["t_s"], ck + ".t_s", [this](const YAML::Node& x, const std::string& k) {
            return ranged(x, k, 0, kMaxArrivalS);
          });
      out.curve.rate_per_s = list<double>(
          c["rate"], ck + ".rate",
          [this](const YAML::Node& x, const std::string& k) { return ranged(x, k, 0, kMaxRate); });
      if (auto n = c["periodic"]) out.curve.periodic = boolean(n, ck + ".periodic");
      try {
        out.curve.validate(ck);
      } catch (const InputError& e) {
        fail(c, ck, e.message());
      }
    }
    if (auto d = a["diurnal"]) {
      const std::string dk = key + ".diurnal";
      check_keys(d, dk, {"amplitude", "period_s", "phase_s", "points"});
      ArrivalConfig::Diurnal diurnal;
      if (auto n = d["amplitude"]) diurnal.amplitude = ranged(n, dk + ".amplitude", 0, 1);
      if (auto n = d["period_s"])
        diurnal.period_s = ranged(n, dk + ".period_s", 1e-6, kMaxArrivalS);
      if (auto n = d["phase_s"]) diurnal.phase_s = ranged(n, dk + ".phase_s", 0, kMaxArrivalS);
      if (auto n = d["points"]) {
        diurnal.points = static_cast<int>(integer(n, dk + ".points", 4, kMaxDiurnalPoints));
      }
      out.diurnal = diurnal;
    }
    return out;
  }

  bool boolean(const YAML::Node& n, const std::string& key) const {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
      fail(n, key, "expected true or false");
    }
    return v;
  }

  // Sanger constants: the one parser, sanger_config() (sanger_latency.h), with file and line.
  void parse_sanger(const YAML::Node& s, SangerConfig& out) const {
    std::vector<std::string> allowed;
    for (const ParamSpec& spec : sanger_param_specs()) {
      if (spec.name != "subrow_fraction") allowed.push_back(spec.name);
    }
    check_keys(s, "sanger", allowed);
    ParamValues values;
    for (const auto& name : allowed) {
      if (auto n = s[name]) values[name] = number(n, "sanger." + name);
    }
    values["subrow_fraction"] = out.subrow_fraction;
    try {
      out = sanger_config(values, "sanger.");
    } catch (const InputError& e) {
      fail(s[e.field().substr(std::string("sanger.").size())], e.field(), e.message());
    }
  }

  // component -> parameter -> list of values, in file order.
  std::vector<SweepParamAxis> param_axes(const YAML::Node& n, const std::string& key) const {
    if (!n.IsMap()) fail(n, key, "expected a mapping: name -> parameter -> list of values");
    std::vector<SweepParamAxis> out;
    for (const auto& component : n) {
      const std::string name = component.first.as<std::string>();
      const std::string ckey = join(key, name);
      if (!component.second.IsMap()) {
        fail(component.second, ckey, "expected a mapping: parameter -> list of values");
      }
      for (const auto& param : component.second) {
        SweepParamAxis axis;
        axis.component = name;
        axis.param = param.first.as<std::string>();
        axis.key = join(ckey, axis.param);
        axis.values = list<double>(
            param.second, axis.key,
            [this](const YAML::Node& x, const std::string& k) { return number(x, k); });
        const auto mark = param.first.Mark();
        axis.line = from_command_line(axis.key) || mark.is_null()
                        ? 0
                        : static_cast<std::size_t>(mark.line + 1);
        out.push_back(std::move(axis));
      }
    }
    return out;
  }

  void parse_sweep(const YAML::Node& s, SweepConfig& out) const {
    check_keys(s, "sweep",
               {"profiles", "semantics", "policies", "predictors", "rates", "slo_multipliers",
                "seeds", "policy_params", "predictor_params", "threads", "dispatchers",
                "dispatcher_params", "bindings", "device_counts", "arrival_cvs"});
    if (auto n = s["profiles"]) {
      out.profiles = list<std::string>(
          n, "sweep.profiles",
          [this](const YAML::Node& x, const std::string& k) { return path(x, k); });
    }
    if (auto n = s["semantics"]) {
      out.semantics =
          list<Semantics>(n, "sweep.semantics", [this](const YAML::Node& x, const std::string& k) {
            const std::string text = str(x, k);
            if (text != "reference" && text != "corrected") {
              fail(x, k, "expected reference or corrected, found '" + text + "'");
            }
            return parse_semantics(text);
          });
    }
    if (auto n = s["predictors"]) {
      out.predictors = list<std::string>(
          n, "sweep.predictors",
          [this](const YAML::Node& x, const std::string& k) { return str(x, k); });
    }
    if (auto n = s["policy_params"]) out.policy_params = param_axes(n, "sweep.policy_params");
    if (auto n = s["predictor_params"]) {
      out.predictor_params = param_axes(n, "sweep.predictor_params");
    }
    if (auto n = s["policies"]) {
      out.policies = list<std::string>(
          n, "sweep.policies",
          [this](const YAML::Node& x, const std::string& k) { return str(x, k); });
    }
    if (auto n = s["rates"]) {
      out.rates = list<double>(n, "sweep.rates", [this](const YAML::Node& x, const std::string& k) {
        return ranged(x, k, kMinRate, kMaxRate);
      });
    }
    if (auto n = s["slo_multipliers"]) {
      out.slo_multipliers = list<double>(
          n, "sweep.slo_multipliers", [this](const YAML::Node& x, const std::string& k) {
            return ranged(x, k, kMinSloMultiplier, kMaxSloMultiplier);
          });
    }
    if (auto n = s["seeds"]) {
      out.seeds =
          list<std::uint64_t>(n, "sweep.seeds", [this](const YAML::Node& x, const std::string& k) {
            return static_cast<std::uint64_t>(integer(x, k, 0, kMaxSeed));
          });
    }
    if (auto n = s["threads"]) {
      out.threads = static_cast<unsigned>(integer(n, "sweep.threads", 0, kMaxThreads));
    }
    if (auto n = s["dispatchers"]) {
      out.dispatchers = list<std::string>(
          n, "sweep.dispatchers",
          [this](const YAML::Node& x, const std::string& k) { return str(x, k); });
    }
    if (auto n = s["dispatcher_params"]) {
      out.dispatcher_params = param_axes(n, "sweep.dispatcher_params");
    }
    if (auto n = s["bindings"]) {
      out.bindings =
          list<std::string>(n, "sweep.bindings", [this](const YAML::Node& x, const std::string& k) {
            const std::string b = str(x, k);
            if (b != "early" && b != "late")
              fail(x, k, "expected early or late, found '" + b + "'");
            return b;
          });
    }
    if (auto n = s["device_counts"]) {
      const std::string key = "sweep.device_counts";
      auto counts = [this](const YAML::Node& x, const std::string& k) {
        return static_cast<double>(integer(x, k, 1, kMaxDevices));
      };
      auto line_of = [this](const YAML::Node& x, const std::string& k) {
        const auto mark = x.Mark();
        return from_command_line(k) || mark.is_null() ? std::size_t{0}
                                                      : static_cast<std::size_t>(mark.line + 1);
      };
      if (n.IsMap()) {
        for (const auto& kv : n) {
          SweepParamAxis axis;
          axis.component = kv.first.as<std::string>();
          axis.param = "count";
          axis.key = join(key, axis.component);
          axis.values = list<double>(kv.second, axis.key, counts);
          axis.line = line_of(kv.first, axis.key);
          out.device_counts.push_back(std::move(axis));
        }
      } else {
        SweepParamAxis axis;
        axis.param = "count";
        axis.key = key;
        axis.values = list<double>(n, key, counts);
        axis.line = line_of(n, key);
        out.device_counts.push_back(std::move(axis));
      }
    }
    if (auto n = s["arrival_cvs"]) {
      out.arrival_cvs =
          list<double>(n, "sweep.arrival_cvs", [this](const YAML::Node& x, const std::string& k) {
            return ranged(x, k, kMinArrivalCv, kMaxArrivalCv);
          });
    }
  }

 private:
  Origin origin_;
};

// YAML allows a mapping to repeat a key and yaml-cpp keeps the first value; a config that does
// is ambiguous, so it is an error naming the second occurrence. Every key and scalar must also be
// UTF-8 (found by fuzz_sweep: a non-UTF-8 workload.mix name broke the JSON of a point). Iterative
// (no recursion limit needed for deep documents).
void reject_duplicate_keys(const YAML::Node& root, const std::string& file) {
  // Aliases share nodes, so a small document can stand for an exponentially large tree ("billion
  // laughs"); no config comes near this many nodes.
  constexpr std::size_t kMaxNodes = 1'000'000;
  std::size_t visited = 0;
  std::vector<std::pair<YAML::Node, std::string>> stack{{root, ""}};  // node, its dotted key
  while (!stack.empty()) {
    if (++visited > kMaxNodes) {
      throw InputError(file, 0, "", "document too large (more than 1000000 nodes after aliases)");
    }
    const YAML::Node n = stack.back().first;
    const std::string key = stack.back().second;
    stack.pop_back();
    if (n.IsScalar() && !is_valid_utf8(n.Scalar())) {
      // Keys (model names of workload.mix, parameter names) and values reach JSON outputs.
      const auto mark = n.Mark();
      throw InputError(file, mark.is_null() ? 0 : static_cast<std::size_t>(mark.line + 1), key,
                       "not valid UTF-8 text: '" + escape_bytes(n.Scalar()) + "'");
    }
    if (n.IsMap()) {
      std::set<std::string> seen;
      for (const auto& kv : n) {
        const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "?";
        const std::string child = key.empty() ? name : key + "." + name;
        stack.emplace_back(kv.first, child);
        if (kv.first.IsScalar() && !seen.insert(kv.first.Scalar()).second) {
          const auto mark = kv.first.Mark();
          throw InputError(file, mark.is_null() ? 0 : static_cast<std::size_t>(mark.line + 1),
                           kv.first.Scalar(), "duplicate key (each key may appear once)");
        }
        stack.emplace_back(kv.second, child);
      }
    } else if (n.IsSequence()) {
      for (const auto& x : n) stack.emplace_back(x, key);
    }
  }
}

void apply_override(YAML::Node& root, const std::string& text, std::set<std::string>& overridden) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError(kOverrideOrigin, 0, text, "expected key=value (e.g. workload.rate=60)");
  }
  const std::string key = text.substr(0, eq);
  const std::string value = text.substr(eq + 1);
  YAML::Node parsed;
  try {
    parsed = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    throw InputError(kOverrideOrigin, 0, key, "cannot parse value '" + value + "': " + e.msg);
  }
  reject_duplicate_keys(parsed, kOverrideOrigin);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& p : parts) {
    if (p.empty()) throw InputError(kOverrideOrigin, 0, key, "empty key component");
  }
  if (!root || !root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  // Walk down, creating maps as needed (node handles alias into `root`).
  std::vector<YAML::Node> chain{root};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node child = chain.back()[parts[i]];
    if (!child.IsDefined() || child.IsNull()) {
      chain.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
      child = chain.back()[parts[i]];
    } else if (!child.IsMap()) {
      throw InputError(kOverrideOrigin, 0, key, "'" + parts[i] + "' is not a section");
    }
    chain.push_back(child);
  }
  chain.back()[parts.back()] = parsed;
  overridden.insert(key);
  // A whole section set on the command line: all keys below it came from there too.
  if (parsed.IsMap()) {
    for (const auto& kv : parsed) overridden.insert(key + "." + kv.first.as<std::string>());
  }
}

// The text of a config file with the lines of its top-level block `scenario:` other than
// `name:` emptied (line numbers unchanged): Parser reads only scenario.name, and the rest of the
// block (benchmark provenance) is most of a generated scenario file. Only for the shipped
// default config (load_default_config()); a file of any other shape is returned unchanged.
std::string without_scenario_metadata(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  bool inside = false;
  std::size_t indent = 0;  // of the block's keys; 0 = not seen yet
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    const std::size_t first = line.find_first_not_of(' ');
    bool keep = true;
    if (!inside) {
      inside = line == "scenario:";
    } else if (first == std::string_view::npos) {
      // blank line: part of the block
    } else if (first == 0) {
      if (line[0] != '#') inside = line == "scenario:";  // the block ended
    } else {
      if (indent == 0) indent = first;
      keep = first == indent && line.substr(first).starts_with("name:");
    }
    if (keep) out.append(line);
    if (end < text.size()) out.push_back('\n');
    pos = end + 1;
  }
  return out;
}

Config load_config_text(const fs::path& path, const std::string* text,
                        const std::vector<std::string>& overrides) {
  Origin origin;
  YAML::Node root;
  if (!path.empty()) {
    origin.file = path.string();
    origin.base_dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    try {
      root = YAML::Load(*text);
      reject_duplicate_keys(root, path.string());
    } catch (const YAML::ParserException& e) {
      throw InputError(path.string(), static_cast<std::size_t>(e.mark.line + 1), "", e.msg);
    } catch (const YAML::Exception& e) {
      throw InputError(path.string(), 0, "", e.what());
    }
  }
  for (const auto& o : overrides) apply_override(root, o, origin.overridden);
  try {
    return Parser(origin).parse(root);
  } catch (const YAML::Exception& e) {
    throw InputError(origin.file, e.mark.is_null() ? 0 : e.mark.line + 1, "", e.msg);
  }
}

}  // namespace

Config load_config(const fs::path& path, const std::vector<std::string>& overrides) {
  if (path.empty()) return load_config_text(path, nullptr, overrides);
  const std::string text = read_file(path);  // refuses directories, FIFOs, symlink loops
  return load_config_text(path, &text, overrides);
}

Config load_default_config(const std::vector<std::string>& overrides) {
  const fs::path path = default_config_path();
  const std::string text = without_scenario_metadata(read_file(path));
  return load_config_text(path, &text, overrides);
}

std::string to_yaml(const Config& c) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  if (!c.description.empty()) e << YAML::Key << "description" << YAML::Value << c.description;
  if (!c.scenario.empty()) {
    e << YAML::Key << "scenario" << YAML::Value << YAML::BeginMap << YAML::Key << "name"
      << YAML::Value << c.scenario << YAML::EndMap;
  }
  e << YAML::Key << "profiles" << YAML::Value << c.profiles;
  e << YAML::Key << "semantics" << YAML::Value << to_string(c.semantics);
  e << YAML::Key << "policy" << YAML::Value << c.policy;
  e << YAML::Key << "policy_params" << YAML::Value << YAML::BeginMap;
  for (const auto& [policy, params] : c.policy_params) {
    e << YAML::Key << policy << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [k, v] : params) e << YAML::Key << k << YAML::Value << v;
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
  e << YAML::Key << "predictor" << YAML::Value << c.predictor;
  e << YAML::Key << "predictor_params" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [k, v] : c.predictor_params) e << YAML::Key << k << YAML::Value << v;
  e << YAML::EndMap;
  if (c.drop != DropRule::none) e << YAML::Key << "drop" << YAML::Value << to_string(c.drop);
  const auto& w = c.workload;
  e << YAML::Key << "workload" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "rate" << YAML::Value << w.rate;
  e << YAML::Key << "requests" << YAML::Value << w.requests;
  e << YAML::Key << "slo_multiplier" << YAML::Value << w.slo_multiplier;
  e << YAML::Key << "seed" << YAML::Value << w.seed;
  e << YAML::Key << "priorities" << YAML::Value << YAML::Flow << w.priorities;
  e << YAML::Key << "mix" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [k, v] : w.mix) e << YAML::Key << k << YAML::Value << v;
  e << YAML::EndMap;
  if (!w.trace.empty()) e << YAML::Key << "trace" << YAML::Value << w.trace;
  if (!w.per_model.empty()) {
    e << YAML::Key << "per_model" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, m] : w.per_model) {
      e << YAML::Key << name << YAML::Value << YAML::Flow << YAML::BeginMap;
      e << YAML::Key << "rate" << YAML::Value << m.rate;
      if (m.kind) e << YAML::Key << "kind" << YAML::Value << gap_kind_name(*m.kind);
      if (m.cv) e << YAML::Key << "cv" << YAML::Value << *m.cv;
      e << YAML::EndMap;
    }
    e << YAML::EndMap;
  }
  if (w.arrivals) {
    const ArrivalConfig& a = *w.arrivals;
    e << YAML::Key << "arrivals" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "kind" << YAML::Value << gap_kind_name(a.kind);
    e << YAML::Key << "cv" << YAML::Value << a.cv;
    if (!a.curve.empty()) {
      e << YAML::Key << "curve" << YAML::Value << YAML::Flow << YAML::BeginMap;
      e << YAML::Key << "t_s" << YAML::Value << a.curve.t_s;
      e << YAML::Key << "rate" << YAML::Value << a.curve.rate_per_s;
      e << YAML::Key << "periodic" << YAML::Value << a.curve.periodic;
      e << YAML::EndMap;
    }
    if (a.diurnal) {
      e << YAML::Key << "diurnal" << YAML::Value << YAML::Flow << YAML::BeginMap;
      e << YAML::Key << "amplitude" << YAML::Value << a.diurnal->amplitude;
      e << YAML::Key << "period_s" << YAML::Value << a.diurnal->period_s;
      e << YAML::Key << "phase_s" << YAML::Value << a.diurnal->phase_s;
      e << YAML::Key << "points" << YAML::Value << a.diurnal->points;
      e << YAML::EndMap;
    }
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
  const auto& s = c.sanger;
  e << YAML::Key << "sanger" << YAML::Value << YAML::Flow << YAML::BeginMap;
  e << YAML::Key << "pe_rows" << YAML::Value << s.pe_rows << YAML::Key << "pe_cols" << YAML::Value
    << s.pe_cols << YAML::Key << "pes_per_row" << YAML::Value << s.pes_per_row << YAML::Key
    << "bytes_per_value" << YAML::Value << s.bytes_per_value << YAML::Key << "clock_hz"
    << YAML::Value << s.clock_hz << YAML::Key << "bandwidth_gb_s" << YAML::Value << s.bandwidth_gb_s
    << YAML::Key << "hidden" << YAML::Value << s.hidden << YAML::Key << "seq_len" << YAML::Value
    << s.seq_len;
  e << YAML::EndMap;
  const auto& sw = c.sweep;
  e << YAML::Key << "sweep" << YAML::Value << YAML::BeginMap;
  if (!sw.profiles.empty()) {
    e << YAML::Key << "profiles" << YAML::Value << YAML::Flow << sw.profiles;
  }
  if (!sw.semantics.empty()) {
    std::vector<std::string> names;
    for (const Semantics x : sw.semantics) names.push_back(to_string(x));
    e << YAML::Key << "semantics" << YAML::Value << YAML::Flow << names;
  }
  if (!sw.predictors.empty()) {
    e << YAML::Key << "predictors" << YAML::Value << YAML::Flow << sw.predictors;
  }
  auto axes = [&e](const char* key, const std::vector<SweepParamAxis>& list) {
    if (list.empty()) return;
    e << YAML::Key << key << YAML::Value << YAML::BeginMap;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i > 0 && list[i].component == list[i - 1].component) continue;
      e << YAML::Key << list[i].component << YAML::Value << YAML::Flow << YAML::BeginMap;
      for (std::size_t j = i; j < list.size() && list[j].component == list[i].component; ++j) {
        e << YAML::Key << list[j].param << YAML::Value << list[j].values;
      }
      e << YAML::EndMap;
    }
    e << YAML::EndMap;
  };
  axes("policy_params", sw.policy_params);
  axes("predictor_params", sw.predictor_params);
  // An empty axis is left out (it means the top-level value; an empty list does not parse).
  if (!sw.policies.empty())
    e << YAML::Key << "policies" << YAML::Value << YAML::Flow << sw.policies;
  if (!sw.rates.empty()) e << YAML::Key << "rates" << YAML::Value << YAML::Flow << sw.rates;
  if (!sw.slo_multipliers.empty()) {
    e << YAML::Key << "slo_multipliers" << YAML::Value << YAML::Flow << sw.slo_multipliers;
  }
  if (!sw.seeds.empty()) e << YAML::Key << "seeds" << YAML::Value << YAML::Flow << sw.seeds;
  if (!sw.dispatchers.empty()) {
    e << YAML::Key << "dispatchers" << YAML::Value << YAML::Flow << sw.dispatchers;
  }
  axes("dispatcher_params", sw.dispatcher_params);
  if (!sw.bindings.empty()) {
    e << YAML::Key << "bindings" << YAML::Value << YAML::Flow << sw.bindings;
  }
  if (!sw.device_counts.empty()) {
    e << YAML::Key << "device_counts" << YAML::Value;
    if (sw.device_counts.front().component.empty()) {
      e << YAML::Flow << sw.device_counts.front().values;
    } else {
      e << YAML::BeginMap;
      for (const SweepParamAxis& a : sw.device_counts) {
        e << YAML::Key << a.component << YAML::Value << YAML::Flow << a.values;
      }
      e << YAML::EndMap;
    }
  }
  if (!sw.arrival_cvs.empty()) {
    e << YAML::Key << "arrival_cvs" << YAML::Value << YAML::Flow << sw.arrival_cvs;
  }
  e << YAML::Key << "threads" << YAML::Value << sw.threads;
  e << YAML::EndMap;
  if (c.cluster.present) {
    const ClusterConfig& cl = c.cluster;
    e << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "dispatcher" << YAML::Value << cl.dispatcher;
    e << YAML::Key << "dispatcher_params" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [k, v] : cl.dispatcher_params) e << YAML::Key << k << YAML::Value << v;
    e << YAML::EndMap;
    e << YAML::Key << "threads" << YAML::Value << cl.threads;
    if (cl.late_binding) {
      e << YAML::Key << "binding" << YAML::Value << "late";
      e << YAML::Key << "depth" << YAML::Value << cl.depth;
    }
    e << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
    for (const DeviceGroupConfig& g : cl.groups) {
      e << YAML::BeginMap;
      e << YAML::Key << "name" << YAML::Value << g.name;
      e << YAML::Key << "count" << YAML::Value << g.count;
      e << YAML::Key << "profiles" << YAML::Value << g.profiles;
      e << YAML::Key << "speed" << YAML::Value << g.speed;
      e << YAML::Key << "policy" << YAML::Value << g.policy;
      e << YAML::Key << "policy_params" << YAML::Value << YAML::Flow << YAML::BeginMap;
      for (const auto& [policy, ps] : g.policy_params) {
        e << YAML::Key << policy << YAML::Value << YAML::Flow << YAML::BeginMap;
        for (const auto& [k, v] : ps) e << YAML::Key << k << YAML::Value << v;
        e << YAML::EndMap;
      }
      e << YAML::EndMap;
      e << YAML::Key << "predictor" << YAML::Value << g.predictor;
      e << YAML::Key << "predictor_params" << YAML::Value << YAML::Flow << YAML::BeginMap;
      for (const auto& [k, v] : g.predictor_params) e << YAML::Key << k << YAML::Value << v;
      e << YAML::EndMap;
      e << YAML::EndMap;
    }
    e << YAML::EndSeq;
    e << YAML::EndMap;
  }
  e << YAML::Key << "output" << YAML::Value << c.output;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

ArrivalSpec ArrivalConfig::spec(double rate_per_s) const {
  ArrivalSpec out;
  out.kind = kind;
  out.cv = cv;
  out.rate_per_s = rate_per_s;
  if (!curve.empty()) {
    out.curve = curve;
  } else if (diurnal) {
    out.curve = RateCurve::diurnal(rate_per_s, diurnal->amplitude, diurnal->period_s,
                                   diurnal->phase_s, diurnal->points);
  }
  return out;
}

ArrivalSpec WorkloadConfig::model_spec(const ModelArrivalConfig& m) const {
  ArrivalSpec out;
  out.rate_per_s = m.rate;
  out.kind = m.kind ? *m.kind : arrivals ? arrivals->kind : GapKind::exponential;
  if (m.cv) {
    out.cv = *m.cv;
  } else if (m.kind) {
    out.cv = 1;  // an explicit kind without cv: only exponential passes validate()
  } else {
    out.cv = arrivals ? arrivals->cv : 1.0;
  }
  return out;
}

fs::path default_config_path() {
  return data_dir() / "benchmark" / "scenarios" / "paper-cnn.yaml";
}

std::vector<double> mix_weights(const Config& config, const ProfileSet& profiles) {
  if (config.workload.mix.empty()) return {};
  std::vector<double> weights(profiles.size(), 0.0);
  for (const auto& [name, weight] : config.workload.mix) {
    const auto v = profiles.find(name);
    if (!v) {
      throw InputError("", 0, "workload.mix." + name, "unknown model (not in the profile set)");
    }
    weights[*v] = weight;
  }
  return weights;
}

StreamSpec stream_spec(const Config& config, const ProfileSet& profiles) {
  StreamSpec spec;
  spec.rate_per_s = config.workload.rate;
  spec.num_requests = config.workload.requests;
  spec.slo_multiplier = config.workload.slo_multiplier;
  spec.priorities = config.workload.priorities;
  spec.mix = mix_weights(config, profiles);
  if (config.workload.arrivals) {
    spec.arrivals = config.workload.arrivals->spec(config.workload.rate);
  }
  if (!config.workload.per_model.empty()) {
    spec.per_model.resize(profiles.size());
    for (const auto& [name, m] : config.workload.per_model) {
      const auto v = profiles.find(name);
      if (!v) {
        throw InputError("", 0, "workload.per_model." + name,
                         "unknown model (not in the profile set)");
      }
      spec.per_model[*v] = config.workload.model_spec(m);
    }
  }
  return spec;
}

std::string arrivals_text(const WorkloadConfig& w) {
  if (!w.per_model.empty()) {
    double total = 0;
    for (const auto& [_, m] : w.per_model) total += m.rate;
    return fmt::format("per-model arrivals ({} models, {} req/s in all)", w.per_model.size(),
                       total);
  }
  if (!w.arrivals) return fmt::format("Poisson {} req/s", w.rate);
  const ArrivalConfig& a = *w.arrivals;
  const std::string gaps = a.kind == GapKind::exponential
                               ? std::string("Poisson")
                               : fmt::format("{} gaps (cv {})", gap_kind_name(a.kind), a.cv);
  if (!a.curve.empty()) {
    return fmt::format("{}, rate curve of {} points{} (mean {} req/s)", gaps, a.curve.t_s.size(),
                       a.curve.periodic ? ", periodic" : "", a.curve.mean_rate());
  }
  if (a.diurnal) {
    return fmt::format("{}, diurnal rate mean {} req/s (amplitude {}, period {} s)", gaps, w.rate,
                       a.diurnal->amplitude, a.diurnal->period_s);
  }
  return fmt::format("{} {} req/s", gaps, w.rate);
}

}  // namespace dysta
