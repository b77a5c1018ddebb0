// run_cluster_config(): what `dysta cluster` runs for a resolved config (cluster_run.h).
#include <fmt/format.h>

#include <map>
#include <memory>

#include "dysta/cluster_run.h"
#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/report.h"

namespace dysta {
namespace {

// Requests drawn on the fly from the generator (memory does not grow with the stream).
class GeneratorSource final : public RequestSource {
 public:
  explicit GeneratorSource(PoissonGenerator& generator) : generator_(generator) {}
  const Request* peek() override {
    if (!has_ && !generator_.done()) {
      next_ = generator_.next();
      has_ = true;
    }
    return has_ ? &next_ : nullptr;
  }
  void pop() override { has_ = false; }

 private:
  PoissonGenerator& generator_;
  Request next_;
  bool has_ = false;
};

}  // namespace

nlohmann::json aggregate_json(const AggregateMetrics& m) {
  nlohmann::json j;
  j["requests"] = m.requests;
  j["violations"] = m.violations;
  j["slo_violation_rate"] = m.slo_violation_rate;
  j["dropped"] = m.dropped;
  j["antt"] = m.antt;
  j["goodput_inf_s"] = m.goodput_inf_s;
  j["throughput_inf_s"] = m.throughput_inf_s;
  j["makespan_s"] = m.makespan_s;
  j["turnaround_s"] = {
      {"p50", m.turnaround_s.p50}, {"p90", m.turnaround_s.p90}, {"p99", m.turnaround_s.p99}};
  j["utilisation"] = m.utilisation;
  j["load_imbalance"] = m.load_imbalance;
  j["dispatched"] = m.dispatched;
  return j;
}

ClusterReport run_cluster_config(const Config& config, bool stream) {
  if (config.semantics != Semantics::corrected) {
    throw InputError("", 0, "semantics",
                     "a cluster simulates corrected semantics only (reference is the artifact's "
                     "single accelerator)");
  }
  // Profile sets by (path, speed), loaded once.
  std::map<std::pair<std::string, double>, std::shared_ptr<const ProfileSet>> sets;
  std::vector<DeviceGroup> groups;
  for (const DeviceGroupConfig& gc : config.cluster.groups) {
    auto& set = sets[{gc.profiles, gc.speed}];
    if (!set) {
      ProfileLoadOptions options;
      options.sanger = config.sanger;
      ProfileSet loaded = load_profiles(gc.profiles, options);
      set = std::make_shared<const ProfileSet>(gc.speed == 1 ? std::move(loaded)
                                                             : scaled_profiles(loaded, gc.speed));
    }
    DeviceGroup g;
    g.name = gc.name;
    g.count = gc.count;
    g.profiles = set;
    g.policy = gc.policy;
    g.policy_params = gc.policy_params;
    g.predictor = gc.predictor;
    g.predictor_params = gc.predictor_params;
    g.drop = config.drop;
    // Unknown policies, predictors and parameters fail before any work.
    const auto it = g.policy_params.find(g.policy);
    make_policy(g.policy, it == g.policy_params.end() ? ParamValues{} : it->second,
                config.semantics);
    for (const auto& [name, _] : g.policy_params) policy_registry().get("policy", name);
    make_predictor(g.predictor, *set, g.predictor_params, config.semantics);
    groups.push_back(std::move(g));
  }
  const Cluster cluster(std::move(groups));
  const ProfileSet& catalogue = cluster.catalogue();
  ClusterOptions options;
  options.dispatcher = config.cluster.dispatcher;
  options.dispatcher_params = config.cluster.dispatcher_params;
  options.threads = config.cluster.threads;
  options.binding = config.cluster.late_binding ? Binding::late : Binding::early;
  options.late_depth = config.cluster.depth;
  make_dispatcher(options.dispatcher, options.dispatcher_params, cluster);

  std::vector<DeviceRecorder> recorders;
  std::vector<MetricsAccumulator> online;
  std::vector<CompletionSink*> sinks;
  if (stream) {
    if (!config.workload.trace.empty()) {
      throw InputError("", 0, "--stream", "streams are generated; drop --trace");
    }
    online.reserve(cluster.num_devices());
    for (std::size_t d = 0; d < cluster.num_devices(); ++d) {
      online.emplace_back(*cluster.groups()[cluster.group_of(d)].profiles,
                          MetricsOptions::streaming());
    }
    for (auto& o : online) sinks.push_back(&o);
  } else {
    recorders.resize(cluster.num_devices());
    for (std::size_t d = 0; d < cluster.num_devices(); ++d) {
      recorders[d].bind(cluster.groups()[cluster.group_of(d)].profiles.get());
      sinks.push_back(&recorders[d]);
    }
  }
  ClusterReport report;
  std::vector<DeviceRun> runs;
  if (!config.workload.trace.empty()) {
    const std::vector<Request> requests = read_trace(config.workload.trace, catalogue);
    SpanSource source(requests);
    runs = simulate_cluster(cluster, source, options, sinks);
    report.workload = "trace " + config.workload.trace;
  } else {
    const StreamSpec spec = stream_spec(config, catalogue);
    PyRandom rng(config.workload.seed);
    PoissonGenerator generator(catalogue, spec, rng, config.semantics);
    GeneratorSource source(generator);
    runs = simulate_cluster(cluster, source, options, sinks);
    report.workload = fmt::format("{}, SLO x{}, seed {}", arrivals_text(config.workload),
                                  config.workload.slo_multiplier, config.workload.seed);
  }
  report.metrics = stream ? cluster_metrics_online(cluster, runs, online)
                          : cluster_metrics(cluster, runs, recorders);
  report.devices = cluster.num_devices();
  const ClusterMetrics& metrics = report.metrics;

  nlohmann::json& summary = report.summary;
  summary["dysta_version"] = DYSTA_VERSION;
  if (!config.description.empty()) summary["description"] = config.description;
  if (!config.scenario.empty()) summary["scenario"] = config.scenario;
  summary["semantics"] = to_string(config.semantics);
  summary["dispatcher"] = options.dispatcher;
  summary["dispatcher_params"] = options.dispatcher_params;
  summary["binding"] = to_string(options.binding);
  if (options.binding == Binding::late) summary["depth"] = options.late_depth;
  summary["workload"] = report.workload;
  summary["devices"] = cluster.num_devices();
  if (stream) {
    summary["streaming"] = true;
    summary["percentiles"] =
        "quantile sketches, relative error <= 0.001 (totals and groups: the devices' sketches "
        "merged)";
  }
  if (config.drop != DropRule::none) summary["drop"] = to_string(config.drop);
  summary["metrics"] = aggregate_json(metrics.total);
  for (std::size_t g = 0; g < cluster.groups().size(); ++g) {
    const DeviceGroup& group = cluster.groups()[g];
    const DeviceGroupConfig& gc = config.cluster.groups[g];
    report.group_names.push_back(group.name);
    nlohmann::json j;
    j["name"] = group.name;
    j["count"] = group.count;
    j["profiles"] = gc.profiles;
    j["speed"] = gc.speed;
    j["policy"] = group.policy;
    j["predictor"] = group.predictor;
    j["metrics"] = aggregate_json(metrics.groups[g]);
    summary["groups"].push_back(j);
  }
  for (std::size_t d = 0; d < cluster.num_devices(); ++d) {
    nlohmann::json j;
    j["device"] = d;
    j["group"] = cluster.groups()[cluster.group_of(d)].name;
    j["dispatched"] = metrics.device_dispatched[d];
    j["utilisation"] = metrics.device_utilisation[d];
    j["metrics"] = metrics_json(metrics.devices[d]);
    summary["per_device"].push_back(j);
  }
  return report;
}

}  // namespace dysta
