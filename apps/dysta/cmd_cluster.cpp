// `dysta cluster`: a multi-device simulation (the config's `cluster:` section, docs/cluster.md)
// -> summary.json (total, per group, per device), config.yaml.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "dysta/atomic_output.h"
#include "dysta/cluster.h"
#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/report.h"

namespace dysta::cli {
namespace {

struct ClusterFlags {
  ConfigFlags config;
  std::string dispatcher;
  std::string devices;
  std::string threads;
  std::string binding;
  bool quiet = false;
  bool stream = false;
};

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

void print_aggregate(const std::string& label, const AggregateMetrics& m) {
  std::cout << fmt::format(
      "  {:<12} {:>8} req  violations {:.4f}  ANTT {:.4f}  goodput {:.4f}/s  utilisation {:.3f}  "
      "imbalance {:.3f}\n",
      label, m.requests, m.slo_violation_rate, m.antt, m.goodput_inf_s, m.utilisation,
      m.load_imbalance);
}

void run_cluster(const ClusterFlags& flags) {
  ConfigFlags config_flags = flags.config;
  if (!flags.dispatcher.empty())
    config_flags.sets.push_back("cluster.dispatcher=" + flags.dispatcher);
  if (!flags.devices.empty()) config_flags.sets.push_back("cluster.devices=" + flags.devices);
  if (!flags.threads.empty()) config_flags.sets.push_back("cluster.threads=" + flags.threads);
  if (!flags.binding.empty()) config_flags.sets.push_back("cluster.binding=" + flags.binding);
  Config config = resolve_config(config_flags);
  if (config.semantics != Semantics::corrected) {
    throw InputError("", 0, "semantics",
                     "a cluster simulates corrected semantics only (reference is the artifact's "
                     "single accelerator)");
  }
  config.cluster.present = true;  // the resolved config written beside the result names it
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
  if (flags.stream) {
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
  std::vector<DeviceRun> runs;
  std::string source_text;
  if (!config.workload.trace.empty()) {
    const std::vector<Request> requests = read_trace(config.workload.trace, catalogue);
    SpanSource source(requests);
    runs = simulate_cluster(cluster, source, options, sinks);
    source_text = "trace " + config.workload.trace;
  } else {
    const StreamSpec spec = stream_spec(config, catalogue);
    PyRandom rng(config.workload.seed);
    PoissonGenerator generator(catalogue, spec, rng, config.semantics);
    GeneratorSource source(generator);
    runs = simulate_cluster(cluster, source, options, sinks);
    source_text = fmt::format("{}, SLO x{}, seed {}", arrivals_text(config.workload),
                              config.workload.slo_multiplier, config.workload.seed);
  }
  const ClusterMetrics metrics = flags.stream ? cluster_metrics_online(cluster, runs, online)
                                              : cluster_metrics(cluster, runs, recorders);

  nlohmann::json summary;
  summary["dysta_version"] = DYSTA_VERSION;
  if (!config.description.empty()) summary["description"] = config.description;
  if (!config.scenario.empty()) summary["scenario"] = config.scenario;
  summary["semantics"] = to_string(config.semantics);
  summary["dispatcher"] = options.dispatcher;
  summary["dispatcher_params"] = options.dispatcher_params;
  summary["binding"] = to_string(options.binding);
  if (options.binding == Binding::late) summary["depth"] = options.late_depth;
  summary["workload"] = source_text;
  summary["devices"] = cluster.num_devices();
  if (flags.stream) {
    summary["streaming"] = true;
    summary["percentiles"] =
        "per device: quantile sketch, relative error <= 0.001; totals and groups: none";
  }
  if (config.drop != DropRule::none) summary["drop"] = to_string(config.drop);
  summary["metrics"] = aggregate_json(metrics.total);
  for (std::size_t g = 0; g < cluster.groups().size(); ++g) {
    const DeviceGroup& group = cluster.groups()[g];
    const DeviceGroupConfig& gc = config.cluster.groups[g];
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
  const std::string summary_text = summary.dump(2) + "\n";
  const std::string config_text = to_yaml(config);
  write_folder_atomically(config.output, [&](const std::filesystem::path& dir) {
    write_file_atomically(dir / "summary.json", summary_text);
    write_file_atomically(dir / "config.yaml", config_text);
  });

  if (flags.quiet) return;
  if (!config.description.empty()) std::cout << config.description << "\n";
  std::cout << fmt::format("dispatcher {} | {} devices in {} groups | workload {}\n\n",
                           options.dispatcher, cluster.num_devices(), cluster.groups().size(),
                           source_text);
  print_aggregate("total", metrics.total);
  for (std::size_t g = 0; g < cluster.groups().size(); ++g) {
    print_aggregate(cluster.groups()[g].name, metrics.groups[g]);
  }
  std::cout << fmt::format("\nwrote {}/{{summary.json, config.yaml}}\n", config.output);
}

}  // namespace

void add_cluster_command(CLI::App& app) {
  auto flags = std::make_shared<ClusterFlags>();
  CLI::App* cmd = app.add_subcommand(
      "cluster", "simulate many accelerators behind a dispatcher (the config's cluster: section)");
  add_config_flags(cmd, flags->config);
  cmd->add_option("--dispatcher", flags->dispatcher, "dispatcher (see `dysta list`)");
  cmd->add_option("--binding", flags->binding,
                  "early (dispatch at arrival) or late (central queue)");
  cmd->add_option("--devices", flags->devices,
                  "one group of this many devices with the top-level profiles and policy");
  cmd->add_option("--threads", flags->threads,
                  "threads for oblivious dispatchers (0 = all cores; results do not depend on it)");
  cmd->add_flag("-q,--quiet", flags->quiet, "print nothing on success");
  cmd->add_flag("--stream", flags->stream,
                "online metrics per device: memory bounded by the requests in flight (use "
                "--threads 1: oblivious dispatchers on more threads keep the whole stream)");
  cmd->callback([flags] { run_cluster(*flags); });
}

}  // namespace dysta::cli
