// `dysta run`: one simulation -> summary.json, requests.csv, trace.csv, config.yaml.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "common.h"
#include "dysta/atomic_output.h"
#include "dysta/experiment.h"
#include "dysta/report.h"

namespace dysta::cli {
namespace {

struct RunFlags {
  ConfigFlags config;
  std::string export_trace;
  bool quiet = false;
};

void run(const RunFlags& flags) {
  const Config config = resolve_config(flags.config);
  const ProfileSet profiles = load_config_profiles(config);
  PolicyChoice choice{config.predictor, config.predictor_params, config.policy_params};
  validate_choice({config.policy}, choice, profiles, config.semantics);

  std::vector<Request> requests;
  std::string source;
  if (!config.workload.trace.empty()) {
    requests = read_trace(config.workload.trace, profiles);
    source = "trace " + config.workload.trace;
  } else {
    StreamSpec spec;
    spec.rate_per_s = config.workload.rate;
    spec.num_requests = config.workload.requests;
    spec.slo_multiplier = config.workload.slo_multiplier;
    spec.priorities = config.workload.priorities;
    spec.mix = mix_weights(config, profiles);
    PyRandom rng(config.workload.seed);
    requests = generate_poisson_stream(profiles, spec, rng, config.semantics);
    source = fmt::format("Poisson {} req/s, SLO x{}, seed {}", config.workload.rate,
                         config.workload.slo_multiplier, config.workload.seed);
  }

  RunResult raw;
  const RunMetrics metrics =
      run_policy(profiles, requests, config.policy, choice, config.semantics, &raw);

  nlohmann::json summary;
  summary["dysta_version"] = DYSTA_VERSION;
  if (!config.description.empty()) summary["description"] = config.description;
  summary["profiles"] = config.profiles;
  summary["semantics"] = to_string(config.semantics);
  summary["policy"] = config.policy;
  summary["predictor"] = config.predictor;
  summary["workload"] = source;
  summary["metrics"] = metrics_json(metrics);

  const std::string trace = format_trace(requests, profiles);
  write_folder_atomically(config.output, [&](const std::filesystem::path& dir) {
    write_file_atomically(dir / "summary.json", summary.dump(2) + "\n");
    write_file_atomically(dir / "requests.csv", requests_csv(profiles, requests, raw));
    write_file_atomically(dir / "trace.csv", trace);
    write_file_atomically(dir / "config.yaml", to_yaml(config));
  });
  if (!flags.export_trace.empty()) write_file_atomically(flags.export_trace, trace);

  if (flags.quiet) return;
  if (!config.description.empty()) std::cout << config.description << "\n";
  std::cout << fmt::format(
      "policy {} | predictor {} | {} semantics\nprofiles {} ({} models)\nworkload {} requests, "
      "{}\n\n",
      config.policy, config.predictor, to_string(config.semantics), config.profiles,
      profiles.size(), requests.size(), source);
  std::cout << fmt::format("  SLO violation rate   {:.4f}  ({} of {})\n",
                           metrics.slo_violation_rate, metrics.violations, metrics.requests);
  std::cout << fmt::format("  ANTT                 {:.4f}\n", metrics.antt);
  std::cout << fmt::format("  inferences/s         {:.4f}\n", metrics.throughput_inf_s);
  std::cout << fmt::format("  STP (multiprogram)   {:.4f}\n", metrics.stp_multiprogram);
  std::cout << fmt::format("  turnaround p50/p90/p99  {:.6f} / {:.6f} / {:.6f} s\n",
                           metrics.turnaround_s.p50, metrics.turnaround_s.p90,
                           metrics.turnaround_s.p99);
  std::cout << fmt::format("  Jain fairness        {:.4f}\n", metrics.jain_fairness);
  std::cout << fmt::format("  max ready tasks      {}\n", metrics.max_ready);
  std::cout << fmt::format("\nwrote {}/{{summary.json, requests.csv, trace.csv, config.yaml}}\n",
                           config.output);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "simulate one workload under one policy");
  add_config_flags(cmd, flags->config);
  cmd->add_option("--export-trace", flags->export_trace,
                  "also write the request stream as a trace CSV to this file");
  cmd->add_flag("-q,--quiet", flags->quiet, "print nothing on success");
  cmd->callback([flags] { run(*flags); });
}

}  // namespace dysta::cli
