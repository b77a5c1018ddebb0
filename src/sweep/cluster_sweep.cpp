// Cluster sweeps (cluster_sweep.h): axes expanded into resolved configs, keyed point folders, a
// thread pool over points and the merged table.
#include "dysta/cluster_sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "dysta/atomic_output.h"
#include "dysta/cluster.h"
#include "dysta/cluster_run.h"
#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/read_file.h"
#include "dysta/sha256.h"
#include "dysta/sweep_file.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

std::string where(const std::string& config_file, std::size_t line) {
  return line ? config_file : std::string("command line (--set)");
}

std::string params_text(const ParamValues& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += ';';
    out += k + "=" + format_double(v);
  }
  return out;
}

// RFC 4180 quoting for a cell that needs it.
std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string key_of(const ClusterSweepPoint& point, bool stream,
                   std::map<std::string, std::string>& digests) {
  std::string text = cluster_point_text(point) + (stream ? "stream: true\n" : "stream: false\n");
  for (const auto& g : point.config.cluster.groups) {
    auto& d = digests[g.profiles];
    if (d.empty()) d = profiles_sha256(g.profiles);
    text += "profiles_sha256: " + d + "\n";
  }
  return sha256_hex(text).substr(0, 16);
}

// Every combination of the axes' values, first axis outermost.
std::vector<std::vector<double>> product(const std::vector<const SweepParamAxis*>& axes) {
  std::vector<std::vector<double>> out{{}};
  for (const SweepParamAxis* axis : axes) {
    std::vector<std::vector<double>> next;
    for (const auto& prefix : out) {
      for (double v : axis->values) {
        next.push_back(prefix);
        next.back().push_back(v);
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace

ClusterSweepPlan expand_cluster_sweep(const Config& config, const std::string& config_file,
                                      bool stream) {
  const SweepConfig& sw = config.sweep;
  auto reject = [&](bool given, const char* key) {
    if (given) {
      throw InputError(config_file, 0, key,
                       "not an axis of a cluster sweep (set the groups' keys in cluster.groups; "
                       "docs/cluster.md lists the cluster axes)");
    }
  };
  reject(!sw.profiles.empty(), "sweep.profiles");
  reject(!sw.semantics.empty(), "sweep.semantics");
  reject(!sw.policies.empty(), "sweep.policies");
  reject(!sw.predictors.empty(), "sweep.predictors");
  reject(!sw.policy_params.empty(), "sweep.policy_params");
  reject(!sw.predictor_params.empty(), "sweep.predictor_params");
  if (config.semantics != Semantics::corrected) {
    throw InputError(config_file, 0, "semantics", "a cluster simulates corrected semantics only");
  }
  const std::vector<std::uint64_t> seeds =
      sw.seeds.empty() ? std::vector<std::uint64_t>{config.workload.seed} : sw.seeds;
  const std::vector<double> rates =
      sw.rates.empty() ? std::vector<double>{config.workload.rate} : sw.rates;
  const std::vector<double> slos = sw.slo_multipliers.empty()
                                       ? std::vector<double>{config.workload.slo_multiplier}
                                       : sw.slo_multipliers;
  if (!sw.arrival_cvs.empty() &&
      (!config.workload.arrivals || config.workload.arrivals->kind == GapKind::exponential)) {
    throw InputError(config_file, 0, "sweep.arrival_cvs",
                     "needs workload.arrivals with kind gamma or weibull (exponential gaps have "
                     "cv 1)");
  }
  const double base_cv = config.workload.arrivals ? config.workload.arrivals->cv : 1.0;
  const std::vector<double> cvs =
      sw.arrival_cvs.empty() ? std::vector<double>{base_cv} : sw.arrival_cvs;
  if (!config.workload.per_model.empty()) {
    if (!sw.rates.empty()) {
      throw InputError(config_file, 0, "sweep.rates", "workload.per_model sets each model's rate");
    }
    if (!sw.arrival_cvs.empty()) {
      throw InputError(config_file, 0, "sweep.arrival_cvs",
                       "workload.per_model sets each model's process");
    }
  }
  if (!sw.rates.empty() && !config.workload.trace.empty()) {
    throw InputError(config_file, 0, "sweep.rates", "a trace has its own arrival times");
  }
  if (!sw.arrival_cvs.empty() && !config.workload.trace.empty()) {
    throw InputError(config_file, 0, "sweep.arrival_cvs", "a trace has its own arrival times");
  }
  const std::vector<std::string> bindings =
      sw.bindings.empty() ? std::vector<std::string>{config.cluster.late_binding ? "late" : "early"}
                          : sw.bindings;
  const std::vector<std::string> dispatchers =
      sw.dispatchers.empty() ? std::vector<std::string>{config.cluster.dispatcher} : sw.dispatchers;
  for (std::size_t i = 0; i < dispatchers.size(); ++i) {
    if (!dispatcher_registry().find(dispatchers[i])) {
      throw InputError(config_file, 0, "sweep.dispatchers[" + std::to_string(i) + "]",
                       "unknown dispatcher '" + dispatchers[i] + "' (see `dysta list`)");
    }
  }
  // Device-count axes by group index.
  const auto& groups = config.cluster.groups;
  std::vector<std::pair<std::size_t, const SweepParamAxis*>> count_axes;
  for (const SweepParamAxis& axis : sw.device_counts) {
    std::size_t g = 0;
    if (axis.component.empty()) {
      if (groups.size() != 1) {
        throw InputError(where(config_file, axis.line), axis.line, axis.key,
                         "a list needs a cluster of one group; give group name -> counts");
      }
    } else {
      const auto it = std::find_if(groups.begin(), groups.end(), [&](const DeviceGroupConfig& x) {
        return x.name == axis.component;
      });
      if (it == groups.end()) {
        throw InputError(where(config_file, axis.line), axis.line, axis.key,
                         "no device group named '" + axis.component + "'");
      }
      g = static_cast<std::size_t>(it - groups.begin());
    }
    for (const auto& [other, _] : count_axes) {
      if (other == g) {
        throw InputError(where(config_file, axis.line), axis.line, axis.key,
                         "group '" + groups[g].name + "' swept twice");
      }
    }
    count_axes.emplace_back(g, &axis);
  }
  std::vector<const SweepParamAxis*> count_list;
  for (const auto& [g, axis] : count_axes) count_list.push_back(axis);
  // Dispatcher-parameter axes, each for a swept dispatcher and one of its parameters.
  std::map<std::string, std::vector<const SweepParamAxis*>> param_axes;
  for (const SweepParamAxis& axis : sw.dispatcher_params) {
    if (std::find(dispatchers.begin(), dispatchers.end(), axis.component) == dispatchers.end()) {
      throw InputError(where(config_file, axis.line), axis.line, axis.key,
                       "'" + axis.component + "' is not one of the swept dispatchers");
    }
    const DispatcherInfo& info = dispatcher_registry().get("dispatcher", axis.component);
    if (std::none_of(info.params.begin(), info.params.end(),
                     [&](const ParamSpec& p) { return p.name == axis.param; })) {
      throw InputError(where(config_file, axis.line), axis.line, axis.key,
                       "dispatcher '" + axis.component + "' has no parameter '" + axis.param + "'");
    }
    param_axes[axis.component].push_back(&axis);
  }

  ClusterSweepPlan plan;
  plan.stream = stream;
  plan.columns = {"seed", "rate", "arrival_cv", "slo_multiplier"};
  for (const DeviceGroupConfig& g : groups) plan.columns.push_back("devices." + g.name);
  for (const char* c : {"binding", "dispatcher", "dispatcher_params"}) plan.columns.push_back(c);

  Config base = config;
  base.output.clear();
  base.description.clear();
  base.scenario.clear();
  base.sweep = SweepConfig{};
  // The number of points before any is built (saturating: lists hold up to 100,000 values).
  std::size_t total = 1;
  auto times = [&total](std::size_t n) {
    total = n != 0 && total > kMaxSweepPoints / n ? kMaxSweepPoints + 1 : total * n;
  };
  for (const std::size_t n :
       {seeds.size(), rates.size(), cvs.size(), slos.size(), bindings.size(), dispatchers.size()}) {
    times(n);
  }
  for (const SweepParamAxis* axis : count_list) times(axis->values.size());
  for (const SweepParamAxis& axis : sw.dispatcher_params) times(axis.values.size());
  if (total > kMaxSweepPoints) {
    throw InputError(config_file, 0, "sweep",
                     "more than kMaxSweepPoints = " + std::to_string(kMaxSweepPoints) + " points");
  }
  const std::vector<std::vector<double>> count_values = product(count_list);
  for (const std::uint64_t seed : seeds) {
    for (const double rate : rates) {
      for (const double cv : cvs) {
        for (const double slo : slos) {
          for (const auto& counts : count_values) {
            for (const std::string& binding : bindings) {
              for (const std::string& dispatcher : dispatchers) {
                const auto axes_it = param_axes.find(dispatcher);
                const std::vector<const SweepParamAxis*> mine =
                    axes_it == param_axes.end() ? std::vector<const SweepParamAxis*>{}
                                                : axes_it->second;
                for (const auto& values : product(mine)) {
                  ClusterSweepPoint p;
                  p.config = base;
                  Config& c = p.config;
                  c.workload.seed = seed;
                  c.workload.rate = rate;
                  c.workload.slo_multiplier = slo;
                  if (c.workload.arrivals) c.workload.arrivals->cv = cv;
                  std::int64_t devices = 0;
                  for (std::size_t i = 0; i < count_axes.size(); ++i) {
                    c.cluster.groups[count_axes[i].first].count =
                        static_cast<std::size_t>(counts[i]);
                  }
                  for (const auto& g : c.cluster.groups) {
                    devices += static_cast<std::int64_t>(g.count);
                  }
                  if (devices > kMaxDevices) {
                    throw InputError(config_file, 0, "sweep.device_counts",
                                     "more than kMaxDevices devices in a point");
                  }
                  c.cluster.late_binding = binding == "late";
                  c.cluster.dispatcher = dispatcher;
                  if (dispatcher != config.cluster.dispatcher) c.cluster.dispatcher_params = {};
                  for (std::size_t i = 0; i < mine.size(); ++i) {
                    c.cluster.dispatcher_params[mine[i]->param] = values[i];
                  }
                  const DispatcherInfo& info = dispatcher_registry().get("dispatcher", dispatcher);
                  try {
                    resolve_params("dispatcher", dispatcher, info.params,
                                   c.cluster.dispatcher_params);
                    if (c.workload.arrivals) {
                      c.workload.arrivals->spec(rate).validate("workload.arrivals");
                    }
                  } catch (const InputError& e) {
                    throw InputError(config_file, 0, e.field(), e.message());
                  }
                  p.values = {std::to_string(seed), format_double(rate), format_double(cv),
                              format_double(slo)};
                  for (const auto& g : c.cluster.groups)
                    p.values.push_back(std::to_string(g.count));
                  p.values.push_back(binding);
                  p.values.push_back(dispatcher);
                  p.values.push_back(params_text(c.cluster.dispatcher_params));
                  plan.points.push_back(std::move(p));
                }
              }
            }
          }
        }
      }
    }
  }
  if (plan.points.size() > kMaxSweepPoints) {
    throw InputError(config_file, 0, "sweep", "more than kMaxSweepPoints points");
  }
  // Profile digests once per path.
  std::map<std::string, std::string> digests;
  for (const ClusterSweepPoint& p : plan.points) plan.keys.push_back(key_of(p, stream, digests));
  return plan;
}

std::string cluster_point_text(const ClusterSweepPoint& point) {
  Config c = point.config;
  c.cluster.threads = 1;  // results do not depend on it
  c.cluster.present = true;
  return to_yaml(c);
}

std::string cluster_point_key(const ClusterSweepPoint& point, bool stream) {
  std::map<std::string, std::string> digests;
  return key_of(point, stream, digests);
}

bool ClusterPointStore::done(const std::string& key, const ClusterSweepPoint& point) const {
  const fs::path dir = folder(key);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  const fs::path yaml = dir / "config.yaml";
  if (!fs::exists(yaml, ec) || !fs::exists(dir / "summary.json", ec) ||
      read_file(yaml) != cluster_point_text(point)) {
    throw InputError(dir.string(), 0, "",
                     "point folder does not hold the configuration of key " + key +
                         " (hand-edited or corrupted; remove it or run with --force)");
  }
  return true;
}

void ClusterPointStore::write(const std::string& key, const ClusterSweepPoint& point,
                              const nlohmann::json& summary) const {
  fs::create_directories(root_ / "points");
  const std::string summary_text = summary.dump(2) + "\n";
  const std::string config_text = cluster_point_text(point);
  write_folder_atomically(folder(key), [&](const fs::path& dir) {
    write_file_atomically(dir / "summary.json", summary_text);
    write_file_atomically(dir / "config.yaml", config_text);
  });
}

nlohmann::json ClusterPointStore::read(const std::string& key) const {
  const fs::path file = folder(key) / "summary.json";
  try {
    nlohmann::json j = nlohmann::json::parse(read_file(file));
    if (j.value("key", std::string()) != key) {
      throw InputError(file.string(), 0, "key", "does not match the folder name");
    }
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file.string(), 0, "", std::string("malformed summary: ") + e.what());
  }
}

void run_cluster_points(const ClusterSweepPlan& plan, const std::vector<std::size_t>& indices,
                        unsigned threads, const ClusterPointStore* store, Progress* progress,
                        std::vector<std::optional<nlohmann::json>>* results) {
  if (results) results->resize(plan.points.size());
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(
      std::min<std::size_t>(threads, std::max<std::size_t>(1, indices.size())));
  std::atomic<std::size_t> cursor{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::size_t error_at = indices.size();
  std::exception_ptr error;
  auto work = [&] {
    while (!failed.load()) {
      const std::size_t k = cursor.fetch_add(1);
      if (k >= indices.size()) return;
      const std::size_t i = indices[k];
      try {
        const ClusterSweepPoint& point = plan.points[i];
        nlohmann::json summary = run_cluster_config(point.config, plan.stream).summary;
        summary["key"] = plan.keys[i];
        nlohmann::json values;
        for (std::size_t c = 0; c < plan.columns.size(); ++c) {
          values[plan.columns[c]] = point.values[c];
        }
        summary["point"] = values;
        if (store) store->write(plan.keys[i], point, summary);
        if (results) (*results)[i] = std::move(summary);
        if (progress) progress->add();
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (k < error_at) {
          error_at = k;
          error = std::current_exception();
        }
        failed.store(true);
      }
    }
  };
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
}

namespace {

const char* const kMetricColumns[] = {
    "requests",      "violations",       "slo_violation_rate", "dropped", "antt",
    "goodput_inf_s", "throughput_inf_s", "makespan_s",         "p50_s",   "p90_s",
    "p99_s",         "utilisation",      "load_imbalance"};

std::string number_text(const nlohmann::json& x) {
  if (x.is_null()) return "nan";
  if (x.is_number_integer() || x.is_number_unsigned()) return x.dump();
  return format_double(x.get<double>());
}

std::vector<std::string> metric_values(const nlohmann::json& summary) {
  const nlohmann::json& m = summary.at("metrics");
  std::vector<std::string> out;
  for (const char* c : kMetricColumns) {
    const std::string name = c;
    if (name.size() == 5 && name[0] == 'p' && name.substr(3) == "_s") {
      out.push_back(number_text(m.at("turnaround_s").at(name.substr(0, 3))));
    } else {
      out.push_back(number_text(m.at(name)));
    }
  }
  return out;
}

}  // namespace

std::string cluster_sweep_csv(const ClusterSweepPlan& plan,
                              const std::vector<nlohmann::json>& summaries) {
  std::vector<std::string> header = plan.columns;
  for (const char* c : kMetricColumns) header.emplace_back(c);
  header.emplace_back("key");
  std::string out;
  auto row = [&out](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out += csv_cell(cells[i]);
    }
    out += '\n';
  };
  row(header);
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    std::vector<std::string> cells = plan.points[i].values;
    for (auto& v : metric_values(summaries[i])) cells.push_back(std::move(v));
    cells.push_back(plan.keys[i]);
    row(cells);
  }
  return out;
}

std::string cluster_sweep_table(const ClusterSweepPlan& plan,
                                const std::vector<nlohmann::json>& summaries) {
  // Only the axis columns that vary, then the headline metrics.
  std::vector<std::size_t> varying;
  for (std::size_t c = 0; c < plan.columns.size(); ++c) {
    std::set<std::string> seen;
    for (const auto& p : plan.points) seen.insert(p.values[c]);
    if (seen.size() > 1) varying.push_back(c);
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (std::size_t c : varying) header.push_back(plan.columns[c]);
  for (const char* c : {"violations", "ANTT", "goodput/s", "p99 ms", "utilisation", "imbalance"}) {
    header.emplace_back(c);
  }
  rows.push_back(header);
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const nlohmann::json& m = summaries[i].at("metrics");
    std::vector<std::string> r;
    for (std::size_t c : varying) r.push_back(plan.points[i].values[c]);
    auto num = [](const nlohmann::json& x, const char* f, double scale = 1) {
      return x.is_null() ? std::string("nan")
                         : fmt::format(fmt::runtime(f), x.get<double>() * scale);
    };
    r.push_back(num(m.at("slo_violation_rate"), "{:.5f}"));
    r.push_back(num(m.at("antt"), "{:.4f}"));
    r.push_back(num(m.at("goodput_inf_s"), "{:.1f}"));
    r.push_back(num(m.at("turnaround_s").at("p99"), "{:.2f}", 1e3));
    r.push_back(num(m.at("utilisation"), "{:.4f}"));
    r.push_back(num(m.at("load_imbalance"), "{:.4f}"));
    rows.push_back(std::move(r));
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out;
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) {
      out += fmt::format("{:>{}}", r[c], width[c] + (c ? 2 : 0));
    }
    out += '\n';
  }
  return out;
}

}  // namespace dysta
