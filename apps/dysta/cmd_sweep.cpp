// `dysta sweep`: seeds x rates x SLO multipliers x policies on all cores.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "common.h"
#include "dysta/atomic_output.h"
#include "dysta/error.h"
#include "dysta/experiment.h"
#include "dysta/report.h"

namespace dysta::cli {
namespace {

struct SweepFlags {
  ConfigFlags config;
  std::string policies, rates, slos, seeds, threads;
  bool csv = false;
};

void sweep(const SweepFlags& flags) {
  ConfigFlags cf = flags.config;
  auto list = [](const std::string& text) { return "[" + text + "]"; };
  if (!flags.policies.empty()) cf.sets.push_back("sweep.policies=" + list(flags.policies));
  if (!flags.rates.empty()) cf.sets.push_back("sweep.rates=" + list(flags.rates));
  if (!flags.slos.empty()) cf.sets.push_back("sweep.slo_multipliers=" + list(flags.slos));
  if (!flags.seeds.empty()) cf.sets.push_back("sweep.seeds=" + list(flags.seeds));
  if (!flags.threads.empty()) cf.sets.push_back("sweep.threads=" + flags.threads);
  const Config config = resolve_config(cf);
  if (!config.workload.trace.empty()) {
    throw InputError("", 0, "workload.trace",
                     "a sweep generates its streams; use `dysta run` to replay a trace");
  }
  const ProfileSet profiles = load_config_profiles(config);

  SweepSpec spec;
  spec.policies = config.sweep.policies.empty() ? std::vector<std::string>{config.policy}
                                                : config.sweep.policies;
  spec.rates =
      config.sweep.rates.empty() ? std::vector<double>{config.workload.rate} : config.sweep.rates;
  spec.slo_multipliers = config.sweep.slo_multipliers.empty()
                             ? std::vector<double>{config.workload.slo_multiplier}
                             : config.sweep.slo_multipliers;
  spec.seeds = config.sweep.seeds.empty() ? std::vector<std::uint64_t>{config.workload.seed}
                                          : config.sweep.seeds;
  spec.num_requests = config.workload.requests;
  spec.priorities = config.workload.priorities;
  spec.mix = mix_weights(config, profiles);
  spec.choice = {config.predictor, config.predictor_params, config.policy_params};
  spec.semantics = config.semantics;
  spec.threads = config.sweep.threads;
  const auto points = run_sweep(profiles, spec);

  const bool write_folder =
      !flags.config.out.empty() ||
      std::find_if(flags.config.sets.begin(), flags.config.sets.end(), [](const std::string& s) {
        return s.rfind("output=", 0) == 0;
      }) != flags.config.sets.end();
  if (write_folder) {
    nlohmann::json summary = sweep_json(points);
    summary["dysta_version"] = DYSTA_VERSION;
    summary["profiles"] = config.profiles;
    summary["semantics"] = to_string(config.semantics);
    summary["predictor"] = config.predictor;
    summary["requests_per_point"] = config.workload.requests;
    write_folder_atomically(config.output, [&](const std::filesystem::path& dir) {
      write_file_atomically(dir / "results.csv", sweep_csv(points));
      write_file_atomically(dir / "summary.json", summary.dump(2) + "\n");
      write_file_atomically(dir / "table.txt", sweep_table(points));
      write_file_atomically(dir / "config.yaml", to_yaml(config));
    });
  }
  if (flags.csv) {
    std::cout << sweep_csv(points);
  } else {
    std::cout << fmt::format("{} semantics, predictor {}, {} requests per point, profiles {}\n",
                             to_string(config.semantics), config.predictor,
                             config.workload.requests, config.profiles)
              << sweep_table(points);
  }
  if (write_folder) {
    std::cerr << fmt::format("wrote {}/{{results.csv, summary.json, table.txt, config.yaml}}\n",
                             config.output);
  }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto flags = std::make_shared<SweepFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "run seeds x rates x SLO multipliers x policies; print the artifact-style table");
  add_config_flags(cmd, flags->config);
  cmd->add_option("--policies", flags->policies, "comma-separated policies (default: --policy)");
  cmd->add_option("--rates", flags->rates, "comma-separated arrival rates, req/s");
  cmd->add_option("--slos", flags->slos, "comma-separated SLO multipliers");
  cmd->add_option("--seeds", flags->seeds, "comma-separated seeds");
  cmd->add_option("--threads", flags->threads, "worker threads (0 = all cores)");
  cmd->add_flag("--csv", flags->csv, "print one CSV row per point instead of the table");
  cmd->callback([flags] { sweep(*flags); });
}

}  // namespace dysta::cli
