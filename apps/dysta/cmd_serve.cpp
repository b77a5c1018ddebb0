// `dysta serve`: the Scheduler inside a real runtime (runtime.h): real CNNs executed layer by
// layer on real inputs, then the same request stream simulated from the calibration profiles.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <sstream>

#include "commands.h"
#include "dysta/atomic_output.h"
#include "dysta/error.h"
#include "dysta/report.h"
#include "dysta/runtime.h"

namespace dysta::cli {
namespace {

struct ServeFlags {
  std::string models = "mobilenetv2,faceresnet";
  std::string patterns = "unstructured";
  std::string level = "sparse20";
  std::size_t samples = 4;
  std::string policy = "dysta";
  std::string predictor = "average";
  double rate = 0;
  double utilisation = 0.5;
  std::size_t requests = 50;
  double slo = 10;
  std::uint64_t seed = 1;
  std::string clock = "accelerator";
  std::size_t calibration_runs = 3;
  std::size_t workers = 1;
  std::string cache;
  std::string out;
  bool quiet = false;
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void serve_command(const ServeFlags& f) {
  runtime::ServeOptions o;
  o.models = split(f.models);
  o.patterns = split(f.patterns);
  o.level = f.level;
  o.samples = f.samples;
  o.policy = f.policy;
  o.choice.predictor = f.predictor;
  o.rate_per_s = f.rate;
  o.utilisation = f.utilisation;
  o.requests = f.requests;
  o.slo_multiplier = f.slo;
  o.seed = f.seed;
  o.clock = runtime::parse_clock(f.clock);
  o.calibration_runs = f.calibration_runs;
  o.workers = f.workers;
  if (!f.cache.empty()) o.paths.cache = f.cache;
  if (!o.paths.complete()) {
    throw InputError(o.paths.cache.string(), 0, "--cache",
                     "real models not fetched: run `bash scripts/fetch-models.sh`");
  }
  const runtime::ServeReport r = runtime::serve(o);
  if (!f.out.empty()) {
    nlohmann::json summary;
    summary["clock"] = runtime::to_string(o.clock);
    summary["policy"] = o.policy;
    summary["predictor"] = o.choice.predictor;
    summary["rate_per_s"] = r.rate_per_s;
    summary["requests"] = o.requests;
    summary["slo_multiplier"] = o.slo_multiplier;
    summary["seed"] = o.seed;
    summary["served_wall_s"] = r.wall_s;
    summary["workers"] = o.workers;
    summary["measured"] = metrics_json(r.measured);
    summary["predicted"] = metrics_json(r.predicted);
    const ProfileSet& profiles =
        o.clock == runtime::Clock::accelerator ? r.accelerator_profiles : r.cpu_profiles;
    write_folder_atomically(f.out, [&](const std::filesystem::path& dir) {
      write_file_atomically(dir / "summary.json", summary.dump(2) + "\n");
      write_file_atomically(dir / "requests.csv",
                            requests_csv(profiles, r.requests, r.measured_raw));
      write_file_atomically(dir / "trace.csv", format_trace(r.requests, profiles));
      write_file_atomically(dir / "profiles-accelerator.csv",
                            native_profiles_text(r.accelerator_profiles));
      write_file_atomically(dir / "profiles-cpu.csv", native_profiles_text(r.cpu_profiles));
    });
  }
  if (f.quiet) return;
  std::cout << fmt::format(
      "served {} requests ({} clock, policy {}, {:.4g} req/s, SLO x{}) in {:.2f} s wall\n",
      o.requests, runtime::to_string(o.clock), o.policy, r.rate_per_s, o.slo_multiplier, r.wall_s);
  std::cout << fmt::format("{:<22} {:>12} {:>12}\n", "", "measured", "predicted");
  std::cout << fmt::format("{:<22} {:>12.4f} {:>12.4f}\n", "SLO violation rate",
                           r.measured.slo_violation_rate, r.predicted.slo_violation_rate);
  std::cout << fmt::format("{:<22} {:>12.4f} {:>12.4f}\n", "ANTT", r.measured.antt,
                           r.predicted.antt);
  std::cout << fmt::format("{:<22} {:>12.4f} {:>12.4f}\n", "turnaround p99 (s)",
                           r.measured.turnaround_s.p99, r.predicted.turnaround_s.p99);
  std::cout << fmt::format("{:<22} {:>12} {:>12}\n", "decisions", r.measured.decisions,
                           r.predicted.decisions);
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "run real CNNs layer by layer under the scheduler on a Poisson stream of real inputs "
      "(virtual Eyeriss-V2 clock or wall clock) and compare with the simulator's prediction");
  cmd->add_option("--models", flags->models,
                  "benchmark CNNs, comma-separated (mobilenetv2, inceptionv3, ssdmobilenetv1, "
                  "faceresnet)");
  cmd->add_option("--patterns", flags->patterns,
                  "pruning patterns, comma-separated (unstructured, block4, filter)");
  cmd->add_option(
      "--level", flags->level,
      "pruning level: sparse1, sparse2, sparse5, sparse10, sparse20, sparse30, sparse40 or sparse60");
  cmd->add_option("--samples", flags->samples, "inputs per model (the first of its input list)");
  cmd->add_option("--policy", flags->policy, "scheduling policy (not an oracle)");
  cmd->add_option("--predictor", flags->predictor, "latency predictor of the sparsity monitor");
  cmd->add_option("--rate", flags->rate, "arrival rate, requests/s (0: from --utilisation)");
  cmd->add_option("--utilisation", flags->utilisation,
                  "load when --rate is 0: rate = utilisation / mean isolated latency");
  cmd->add_option("--requests", flags->requests, "number of requests");
  cmd->add_option("--slo", flags->slo, "SLO multiplier (x mean isolated latency)");
  cmd->add_option("--seed", flags->seed, "random seed of the stream");
  cmd->add_option("--clock", flags->clock, "accelerator (virtual Eyeriss-V2 time) or wall");
  cmd->add_option("--calibration-runs", flags->calibration_runs,
                  "isolated runs of every input before serving (CPU time per layer: median)");
  cmd->add_option(
      "--workers", flags->workers,
      "CPU threads executing each layer (its GEMMs in row blocks fixed by their shape: results on "
      "the accelerator clock are the same for any count)");
  cmd->add_option("--cache", flags->cache, "model cache folder (default: as fetch-models.sh)");
  cmd->add_option("-o,--out", flags->out,
                  "write summary.json, requests.csv, trace.csv and the calibration profiles");
  cmd->add_flag("-q,--quiet", flags->quiet, "print nothing on success");
  cmd->callback([flags] { serve_command(*flags); });
}

}  // namespace dysta::cli
