// `dysta sweep`: a config's sweep section expanded into points (sweep_file.h) and run on all
// cores, resumably into point folders with --out, sharded with --shard, over MPI ranks with --mpi.
// Prints the artifact-style table (docs/workflow.md).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "commands.h"
#include "common.h"
#include "dysta/atomic_output.h"
#include "dysta/cluster_sweep.h"
#include "dysta/error.h"
#include "dysta/mpi_sweep.h"
#include "dysta/sweep_merge.h"

namespace dysta::cli {
namespace {

struct SweepFlags {
  ConfigFlags config;
  std::string policies, rates, slos, seeds, threads, predictors, shard, dispatchers;
  bool csv = false;
  bool force = false;
  bool quiet = false;
  bool mpi = false;
  bool no_requests = false;
  bool bound = false;
  bool stream = false;
  double progress_interval_s = 10;
};

bool output_requested(const ConfigFlags& f) {
  return !f.out.empty() || std::any_of(f.sets.begin(), f.sets.end(), [](const std::string& s) {
    return s.rfind("output=", 0) == 0;
  });
}

// The merged points plus, with --bound, one `bound` row per stream (sweep_merge.h).
std::vector<MergedPoint> with_bounds(const SweepFlags& flags, const SweepPlan& plan,
                                     std::vector<MergedPoint> merged) {
  if (!flags.bound) return merged;
  for (auto& b : bound_points(plan)) merged.push_back(std::move(b));
  return merged;
}

void print_results(const SweepFlags& flags, const Config& config, const SweepPlan& plan,
                   const std::vector<MergedPoint>& merged_points) {
  std::vector<MergedPoint> bounded;
  if (flags.bound) bounded = with_bounds(flags, plan, merged_points);
  const std::vector<MergedPoint>& merged = flags.bound ? bounded : merged_points;
  if (flags.csv) {
    std::cout << merged_csv(merged);
    return;
  }
  if (plan.classic) {
    std::cout << fmt::format("{} semantics, predictor {}, {} requests per point, profiles {}\n",
                             to_string(plan.points.front().semantics),
                             plan.points.front().predictor, config.workload.requests,
                             plan.points.front().profiles);
  } else {
    std::cout << fmt::format("sweep of {} points, {} requests per point\n", plan.points.size(),
                             config.workload.requests);
  }
  std::cout << merged_table(merged);
  if (flags.bound) {
    std::cout << "\nbound: offline lower bound for any schedule with arbitrary preemption "
                 "(violations: exact minimum or relaxation; ANTT: mean-busy-time relaxation; "
                 "docs/policies.md)\n";
  }
}

void write_merged(const SweepFlags& flags, const Config& config, const SweepPlan& plan,
                  const std::vector<MergedPoint>& merged) {
  const std::filesystem::path dir = config.output;
  nlohmann::json summary = merged_json(merged);
  summary["dysta_version"] = DYSTA_VERSION;
  if (!config.description.empty()) summary["description"] = config.description;
  summary["requests_per_point"] = config.workload.requests;
  std::vector<MergedPoint> sorted = merged;
  sort_points(sorted);
  sorted.erase(
      std::unique(sorted.begin(), sorted.end(),
                  [](const MergedPoint& a, const MergedPoint& b) { return a.key == b.key; }),
      sorted.end());
  write_file_atomically(dir / "results.csv", merged_csv(sorted));
  write_file_atomically(dir / "summary.json", summary.dump(2) + "\n");
  write_file_atomically(dir / "table.txt", merged_table(with_bounds(flags, plan, merged)));
  if (flags.bound) write_file_atomically(dir / "bounds.csv", merged_csv(bound_points(plan)));
  write_file_atomically(dir / "config.yaml", to_yaml(config));
}

// A config with a `cluster:` section: points are `dysta cluster` runs (cluster_sweep.h).
void cluster_sweep(const SweepFlags& flags, const Config& config, const std::string& config_file,
                   bool to_folder, const Shard& shard) {
  if (flags.mpi) throw InputError("", 0, "--mpi", "not supported by cluster sweeps (use --shard)");
  if (flags.bound) throw InputError("", 0, "--bound", "single-accelerator sweeps only");
  const ClusterSweepPlan plan = expand_cluster_sweep(config, config_file, flags.stream);
  const Progress::Mode mode = Progress::auto_mode(flags.quiet);
  auto print = [&](const std::vector<nlohmann::json>& summaries) {
    if (flags.csv) {
      std::cout << cluster_sweep_csv(plan, summaries);
      return;
    }
    std::cout << fmt::format("cluster sweep of {} points, {} requests per point\n",
                             plan.points.size(), config.workload.requests);
    std::cout << cluster_sweep_table(plan, summaries);
  };
  if (!to_folder) {
    std::vector<std::size_t> all;
    for (std::size_t i = shard.index; i < plan.points.size(); i += shard.count) all.push_back(i);
    Progress progress("cluster sweep", all.size(), 0, mode, flags.progress_interval_s);
    std::vector<std::optional<nlohmann::json>> results;
    run_cluster_points(plan, all, config.sweep.threads, nullptr, &progress, &results);
    progress.finish();
    std::vector<nlohmann::json> summaries;
    for (auto& r : results) summaries.push_back(std::move(*r));
    print(summaries);
    return;
  }
  const std::filesystem::path out = config.output;
  const ClusterPointStore store(out);
  const std::string lock_name =
      flags.shard.empty() ? ".lock" : fmt::format(".lock-shard-{}-of-{}", shard.index, shard.count);
  FileLock lock(out / lock_name, [&] {
    std::cerr << "dysta: another dysta sweep is writing to " << out.string()
              << "; waiting for it to finish (lock " << (out / lock_name).string() << ")\n";
  });
  remove_orphaned_temporaries(out);
  remove_orphaned_temporaries(out / "points");
  std::vector<std::size_t> pending;
  std::size_t skipped = 0;
  std::set<std::string> seen;
  for (std::size_t i = shard.index; i < plan.points.size(); i += shard.count) {
    if (!seen.insert(plan.keys[i]).second) continue;
    if (!flags.force && store.done(plan.keys[i], plan.points[i])) {
      ++skipped;
      continue;
    }
    pending.push_back(i);
  }
  Progress progress(flags.shard.empty() ? "cluster sweep" : "cluster sweep shard " + flags.shard,
                    pending.size(), skipped, mode, flags.progress_interval_s);
  run_cluster_points(plan, pending, config.sweep.threads, &store, &progress, nullptr);
  progress.finish();
  std::size_t done = 0;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    done += store.done(plan.keys[i], plan.points[i]) ? 1 : 0;
  }
  if (done < plan.points.size()) {
    std::cerr << fmt::format(
        "ran {} points ({} already done); {} of {} points of the sweep are finished. When every "
        "shard has finished, rerun without --shard to merge.\n",
        pending.size(), skipped, done, plan.points.size());
    return;
  }
  std::vector<nlohmann::json> summaries;
  nlohmann::json merged;
  merged["dysta_version"] = DYSTA_VERSION;
  if (!config.description.empty()) merged["description"] = config.description;
  merged["requests_per_point"] = config.workload.requests;
  merged["columns"] = plan.columns;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    summaries.push_back(store.read(plan.keys[i]));
    merged["points"].push_back({{"key", plan.keys[i]},
                                {"point", summaries.back().at("point")},
                                {"metrics", summaries.back().at("metrics")}});
  }
  write_file_atomically(out / "results.csv", cluster_sweep_csv(plan, summaries));
  write_file_atomically(out / "summary.json", merged.dump(2) + "\n");
  write_file_atomically(out / "table.txt", cluster_sweep_table(plan, summaries));
  write_file_atomically(out / "config.yaml", to_yaml(config));
  print(summaries);
  if (!flags.quiet) {
    std::cerr << fmt::format(
        "ran {} points ({} already done); wrote {}/{{points/, results.csv, summary.json, "
        "table.txt, config.yaml}}\n",
        pending.size(), skipped, config.output);
  }
}

void sweep(const SweepFlags& flags) {
  ConfigFlags cf = flags.config;
  auto list = [](const std::string& text) { return "[" + text + "]"; };
  if (!flags.policies.empty()) cf.sets.push_back("sweep.policies=" + list(flags.policies));
  if (!flags.predictors.empty()) cf.sets.push_back("sweep.predictors=" + list(flags.predictors));
  if (!flags.rates.empty()) cf.sets.push_back("sweep.rates=" + list(flags.rates));
  if (!flags.slos.empty()) cf.sets.push_back("sweep.slo_multipliers=" + list(flags.slos));
  if (!flags.seeds.empty()) cf.sets.push_back("sweep.seeds=" + list(flags.seeds));
  if (!flags.threads.empty()) cf.sets.push_back("sweep.threads=" + flags.threads);
  if (!flags.dispatchers.empty()) {
    cf.sets.push_back("sweep.dispatchers=" + list(flags.dispatchers));
  }
  const bool to_folder = output_requested(flags.config);
  const Shard shard = flags.shard.empty() ? Shard{} : parse_shard(flags.shard);
  if (!to_folder) {
    const char* needs = !flags.shard.empty() ? "--shard"
                        : flags.force        ? "--force"
                        : flags.mpi          ? "--mpi"
                                             : nullptr;
    if (needs) throw InputError("", 0, needs, "needs an output folder (--out DIR)");
  }
  std::optional<MpiSession> mpi;
  if (flags.mpi) mpi.emplace();
  const bool root = !mpi || mpi->rank() == 0;

  Config config = resolve_config(cf);
  if (mpi && flags.threads.empty() && config.sweep.threads == 0) config.sweep.threads = 1;
  const std::string config_file =
      flags.config.config.empty() ? default_config_path().string() : flags.config.config;
  if (config.cluster.present) {
    cluster_sweep(flags, config, config_file, to_folder, shard);
    return;
  }
  if (flags.stream) throw InputError("", 0, "--stream", "cluster sweeps only");
  const SweepPlan plan = expand_sweep(config, config_file);
  const Progress::Mode mode = Progress::auto_mode(flags.quiet || !root);

  if (!to_folder) {
    const std::vector<std::size_t> pending = pending_points(plan, nullptr, shard, true);
    Progress progress("sweep", pending.size(), 0, mode, flags.progress_interval_s);
    LocalQueue queue(pending);
    std::vector<std::optional<RunMetrics>> results;
    run_points(plan, queue, {config.sweep.threads, nullptr, true, &progress}, &results);
    progress.finish();
    print_results(flags, config, plan, collect_results(plan, std::move(results)));
    exit_after_output();
  }

  const PointStore store(config.output);
  // One writer per (output folder, shard) at a time: a second sweep into the same --out waits for
  // the first, then finds its points done (docs/workflow.md). Different shards run in parallel;
  // point folders are replaced atomically, so even overlapping writers cannot corrupt them. The
  // lock holder removes the temporaries of killed runs.
  std::optional<FileLock> lock;
  if (root) {
    const std::filesystem::path out = config.output;
    const std::string lock_name =
        flags.shard.empty() ? ".lock"
                            : fmt::format(".lock-shard-{}-of-{}", shard.index, shard.count);
    lock.emplace(out / lock_name, [&] {
      std::cerr << "dysta: another dysta sweep is writing to " << out.string()
                << "; waiting for it to finish (lock " << (out / lock_name).string() << ")\n";
    });
    remove_orphaned_temporaries(out);
    remove_orphaned_temporaries(out / "points");
  }
  RunOptions options{config.sweep.threads, &store, !flags.no_requests, nullptr};
  std::size_t ran = 0, skipped = 0;
  if (mpi) {
    std::vector<std::size_t> pending;
    if (root) pending = pending_points(plan, &store, shard, flags.force, &skipped);
    std::optional<Progress> progress;
    if (root) {
      progress.emplace(fmt::format("sweep ({} MPI ranks)", mpi->size()), pending.size(), skipped,
                       mode, flags.progress_interval_s);
      options.progress = &*progress;
    }
    try {
      run_points_mpi(*mpi, plan, pending, options);
    } catch (const InputError& e) {
      std::cerr << "dysta: error (rank " << mpi->rank() << "): " << e.what() << "\n";
      mpi->abort(2);
    } catch (const std::exception& e) {
      std::cerr << "dysta: internal error (rank " << mpi->rank() << "): " << e.what() << "\n";
      mpi->abort(1);
    }
    mpi->barrier();
    if (!root) return;
    progress->add(pending.size() - std::min(pending.size(), progress->done()));
    progress->finish();
    ran = pending.size();
  } else {
    const std::vector<std::size_t> pending =
        pending_points(plan, &store, shard, flags.force, &skipped);
    Progress progress(flags.shard.empty() ? "sweep" : "sweep shard " + flags.shard, pending.size(),
                      skipped, mode, flags.progress_interval_s);
    options.progress = &progress;
    LocalQueue queue(pending);
    run_points(plan, queue, options, nullptr);
    progress.finish();
    ran = pending.size();
  }

  std::size_t done = 0;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    done += store.done(plan.keys[i], plan.points[i]) ? 1 : 0;
  }
  if (done < plan.points.size()) {
    std::cerr << fmt::format(
        "ran {} points ({} already done); {} of {} points of the sweep are finished. When every "
        "shard has finished: dysta merge {} -o {}/results.csv\n",
        ran, skipped, done, plan.points.size(), config.output, config.output);
    return;
  }
  const std::vector<MergedPoint> merged = collect_plan(plan, store);
  write_merged(flags, config, plan, merged);
  print_results(flags, config, plan, merged);
  if (!flags.quiet) {
    std::cerr << fmt::format(
        "ran {} points ({} already done); wrote {}/{{points/, results.csv, summary.json, "
        "table.txt, config.yaml}}\n",
        ran, skipped, config.output);
  }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto flags = std::make_shared<SweepFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "run the config's sweep (policies x rates x SLO multipliers x seeds, and more axes); print "
      "the artifact-style table");
  add_config_flags(cmd, flags->config);
  cmd->add_option("--policies", flags->policies, "comma-separated policies (default: --policy)");
  cmd->add_option("--predictors", flags->predictors,
                  "comma-separated predictors (default: --predictor)");
  cmd->add_option("--rates", flags->rates, "comma-separated arrival rates, req/s");
  cmd->add_option("--slos", flags->slos, "comma-separated SLO multipliers");
  cmd->add_option("--seeds", flags->seeds, "comma-separated seeds");
  cmd->add_option("--threads", flags->threads, "worker threads (0 = all cores)");
  cmd->add_option("--dispatchers", flags->dispatchers,
                  "cluster sweeps: comma-separated dispatchers (default: cluster.dispatcher)");
  cmd->add_flag("--stream", flags->stream,
                "cluster sweeps: online metrics per point, as `dysta cluster --stream`");
  cmd->add_flag("--csv", flags->csv, "print the merged table (one CSV row per point)");
  cmd->add_flag("--force", flags->force, "with --out: rerun points whose folder exists");
  cmd->add_option("--shard", flags->shard,
                  "with --out: run only the points with index mod N = k (k/N, 0 <= k < N)");
  cmd->add_flag("--mpi", flags->mpi,
                "with --out: spread the points over the ranks of mpirun (built with "
                "-DDYSTA_WITH_MPI=ON); one thread per rank unless --threads");
  cmd->add_flag("--no-requests", flags->no_requests,
                "with --out: leave requests.csv out of the point folders");
  cmd->add_flag("--bound", flags->bound,
                "add a `bound` row per stream: the offline lower bound on violations and ANTT "
                "of any schedule (docs/policies.md); with --out also bounds.csv");
  cmd->add_flag("-q,--quiet", flags->quiet, "no progress on stderr");
  cmd->add_option("--progress-interval", flags->progress_interval_s,
                  "seconds between progress lines when stderr is not a terminal (default 10)");
  cmd->callback([flags] { sweep(*flags); });
}

}  // namespace dysta::cli
