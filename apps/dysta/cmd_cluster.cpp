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
#include "dysta/cluster_run.h"
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
  config.cluster.present = true;  // the resolved config written beside the result names it
  const ClusterReport report = run_cluster_config(config, flags.stream);
  const std::string summary_text = report.summary.dump(2) + "\n";
  const std::string config_text = to_yaml(config);
  write_folder_atomically(config.output, [&](const std::filesystem::path& dir) {
    write_file_atomically(dir / "summary.json", summary_text);
    write_file_atomically(dir / "config.yaml", config_text);
  });
  const ClusterMetrics& metrics = report.metrics;
  if (flags.quiet) return;
  if (!config.description.empty()) std::cout << config.description << "\n";
  std::cout << fmt::format("dispatcher {} | {} devices in {} groups | workload {}\n\n",
                           config.cluster.dispatcher, report.devices, report.group_names.size(),
                           report.workload);
  print_aggregate("total", metrics.total);
  for (std::size_t g = 0; g < report.group_names.size(); ++g) {
    print_aggregate(report.group_names[g], metrics.groups[g]);
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
                  "threads (0 = all cores; results do not depend on it): oblivious dispatchers "
                  "simulate devices in parallel; other runs feed the metrics on a second thread");
  cmd->add_flag("-q,--quiet", flags->quiet, "print nothing on success");
  cmd->add_flag("--stream", flags->stream,
                "online metrics per device: memory bounded by the requests in flight (oblivious "
                "dispatchers on more than one thread keep the whole stream)");
  cmd->callback([flags] { run_cluster(*flags); });
}

}  // namespace dysta::cli
