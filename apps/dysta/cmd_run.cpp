// `dysta run`: one simulation -> summary.json, requests.csv, trace.csv, config.yaml.
// With --stream: requests generated on the fly and metrics computed online.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.h"
#include "common.h"
#include "dysta/atomic_output.h"
#include "dysta/bound.h"
#include "dysta/error.h"
#include "dysta/experiment.h"
#include "dysta/report.h"
#include "dysta/streaming.h"
#include "dysta/timeline.h"

namespace dysta::cli {
namespace {

struct RunFlags {
  ConfigFlags config;
  std::string export_trace;
  bool quiet = false;
  bool stream = false;
  bool exact_percentiles = false;
  std::string timeline, timeline_tracks = "request", decisions;
};

void print_metrics(const RunMetrics& m) {
  std::cout << fmt::format("  SLO violation rate   {:.4f}  ({} of {})\n", m.slo_violation_rate,
                           m.violations, m.requests);
  std::cout << fmt::format("  ANTT                 {:.4f}\n", m.antt);
  std::cout << fmt::format("  inferences/s         {:.4f}\n", m.throughput_inf_s);
  std::cout << fmt::format("  goodput (on time)/s  {:.4f}\n", m.goodput_inf_s);
  if (m.dropped > 0) {
    std::cout << fmt::format("  dropped              {:.4f}  ({} of {})\n", m.drop_rate, m.dropped,
                             m.requests);
  }
  std::cout << fmt::format("  STP (multiprogram)   {:.4f}\n", m.stp_multiprogram);
  std::cout << fmt::format("  turnaround p50/p90/p99  {:.6f} / {:.6f} / {:.6f} s\n",
                           m.turnaround_s.p50, m.turnaround_s.p90, m.turnaround_s.p99);
  std::cout << fmt::format("  Jain fairness        {:.4f}\n", m.jain_fairness);
  std::cout << fmt::format("  max ready tasks      {}\n", m.max_ready);
}

nlohmann::json summary_header(const Config& config, const std::string& workload) {
  nlohmann::json summary;
  summary["dysta_version"] = DYSTA_VERSION;
  if (!config.description.empty()) summary["description"] = config.description;
  if (!config.scenario.empty()) summary["scenario"] = config.scenario;
  summary["profiles"] = config.profiles;
  summary["semantics"] = to_string(config.semantics);
  summary["policy"] = config.policy;
  summary["predictor"] = config.predictor;
  summary["workload"] = workload;
  if (config.drop != DropRule::none) summary["drop"] = to_string(config.drop);
  return summary;
}

void run(const RunFlags& flags) {
  // Extra output files: a folder of that name is an error before anything runs or is written.
  for (const auto& [flag, value] :
       {std::pair<const char*, const std::string&>{"--export-trace", flags.export_trace},
        {"--timeline", flags.timeline},
        {"--decisions", flags.decisions}}) {
    std::error_code ec;
    if (!value.empty() && std::filesystem::is_directory(value, ec)) {
      throw InputError(value, 0, flag, "is a directory (give a file name)");
    }
  }
  const Config config = resolve_config(flags.config);
  const ProfileSet profiles = load_config_profiles(config);
  PolicyChoice choice{config.predictor, config.predictor_params, config.policy_params, config.drop};
  validate_choice({config.policy}, choice, profiles, config.semantics);
  const bool replay = !config.workload.trace.empty();
  const std::string source =
      replay ? "trace " + config.workload.trace
             : fmt::format("{}, SLO x{}, seed {}", arrivals_text(config.workload),
                           config.workload.slo_multiplier, config.workload.seed);

  RunMetrics metrics;
  std::optional<StreamBound> bound;  // not with --stream (needs the whole stream)
  std::vector<std::pair<std::string, std::string>> files;  // name -> contents
  nlohmann::json summary = summary_header(config, source);
  if (flags.stream) {
    if (replay) throw InputError("", 0, "--stream", "streams are generated; drop --trace");
    for (const auto& [flag, value] :
         {std::pair<const char*, const std::string&>{"--export-trace", flags.export_trace},
          {"--timeline", flags.timeline},
          {"--decisions", flags.decisions}}) {
      if (!value.empty()) throw InputError("", 0, flag, "not available with --stream");
    }
    const MetricsOptions options = MetricsOptions::streaming(flags.exact_percentiles);
    metrics = run_streaming(profiles, stream_spec(config, profiles), config.workload.seed,
                            config.policy, choice, config.semantics, options);
    summary["streaming"] = true;
    summary["percentiles"] =
        options.percentiles == MetricsOptions::Percentiles::exact
            ? std::string("exact")
            : fmt::format("quantile sketch, relative error <= {}", options.relative_accuracy);
  } else {
    std::vector<Request> requests;
    if (replay) {
      requests = read_trace(config.workload.trace, profiles);
    } else {
      PyRandom rng(config.workload.seed);
      requests =
          generate_poisson_stream(profiles, stream_spec(config, profiles), rng, config.semantics);
    }
    RunResult raw;
    std::optional<TimelineRecorder> timeline;
    std::optional<DecisionLog> decisions;
    std::vector<EngineObserver*> observers;
    if (!flags.timeline.empty()) {
      observers.push_back(
          &timeline.emplace(profiles, requests, parse_timeline_tracks(flags.timeline_tracks)));
    }
    if (!flags.decisions.empty()) observers.push_back(&decisions.emplace(profiles));
    metrics =
        run_policy(profiles, requests, config.policy, choice, config.semantics, &raw, observers);
    if (timeline) write_file_atomically(flags.timeline, timeline->json());
    if (decisions) write_file_atomically(flags.decisions, decisions->csv());
    bound = stream_bound(profiles, requests);
    summary["bound"] = bound_json(*bound);
    const std::string trace = format_trace(requests, profiles);
    files.emplace_back("requests.csv", requests_csv(profiles, requests, raw));
    files.emplace_back("trace.csv", trace);
    if (!flags.export_trace.empty()) write_file_atomically(flags.export_trace, trace);
  }
  summary["metrics"] = metrics_json(metrics);
  files.emplace_back("summary.json", summary.dump(2) + "\n");
  files.emplace_back("config.yaml", to_yaml(config));
  write_folder_atomically(config.output, [&](const std::filesystem::path& dir) {
    for (const auto& [name, contents] : files) write_file_atomically(dir / name, contents);
  });

  if (flags.quiet) exit_after_output();
  if (!config.description.empty()) std::cout << config.description << "\n";
  std::cout << fmt::format(
      "policy {} | predictor {} | {} semantics{}\nprofiles {} ({} models)\nworkload {} requests, "
      "{}\n\n",
      config.policy, config.predictor, to_string(config.semantics),
      flags.stream ? " | streaming" : "", config.profiles, profiles.size(), metrics.requests,
      source);
  print_metrics(metrics);
  if (bound) {
    std::cout << fmt::format(
        "\nbound (any schedule, arbitrary preemption, clairvoyant; docs/policies.md)\n"
        "  SLO violation rate   >= {:.4f}  ({} of {}; {})\n"
        "  ANTT                 >= {:.4f}  (mean-busy-time relaxation)\n",
        bound->violation_rate, bound->late.min_late, bound->requests,
        bound->late.exact
            ? "exact minimum"
            : fmt::format("relaxation in {} of {} busy periods{}",
                          bound->late.busy_periods - bound->late.exact_periods,
                          bound->late.busy_periods,
                          bound->late.work_limit_reached ? ", search work limit reached" : ""),
        bound->antt);
  }
  std::string names;
  for (const auto& [name, _] : files) names += (names.empty() ? "" : ", ") + name;
  std::cout << fmt::format("\nwrote {}/{{{}}}\n", config.output, names);
  exit_after_output();
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "simulate one workload under one policy");
  add_config_flags(cmd, flags->config);
  cmd->add_option("--export-trace", flags->export_trace,
                  "also write the request stream as a trace CSV to this file");
  cmd->add_flag("-q,--quiet", flags->quiet, "print nothing on success");
  cmd->add_flag("--stream", flags->stream,
                "generate requests on the fly and compute metrics online; memory does not grow "
                "with the number of requests (writes summary.json and config.yaml only)");
  cmd->add_option("--timeline", flags->timeline,
                  "write a Chrome trace of the run to this file (open it in ui.perfetto.dev)");
  cmd->add_option("--timeline-tracks", flags->timeline_tracks,
                  "timeline tracks: request (one per request, default) or model");
  cmd->add_option("--decisions", flags->decisions,
                  "write every scheduling decision, one CSV row per candidate, to this file");
  cmd->add_flag("--exact-percentiles", flags->exact_percentiles,
                "with --stream: keep every turnaround for exact percentiles (O(n) memory)");
  cmd->callback([flags] { run(*flags); });
}

}  // namespace dysta::cli
