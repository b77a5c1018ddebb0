// `dysta merge`: point folders (of shards, MPI runs, several sweeps) -> one table.
#include <iostream>
#include <memory>

#include "commands.h"
#include "common.h"
#include "dysta/atomic_output.h"
#include "dysta/error.h"
#include "dysta/sweep_merge.h"

namespace dysta::cli {
namespace {

struct MergeFlags {
  std::vector<std::string> paths;
  std::string config;
  std::vector<std::string> sets;
  std::string out, json;
  bool table = false;
};

void merge(const MergeFlags& flags) {
  std::vector<MergedPoint> merged;
  if (!flags.config.empty()) {
    if (flags.paths.size() != 1) {
      throw InputError("", 0, "paths", "with -c give exactly one sweep output folder");
    }
    const Config config = load_config(flags.config, flags.sets);
    const SweepPlan plan = expand_sweep(config, flags.config);
    merged = collect_plan(plan, PointStore(flags.paths.front()));
  } else {
    if (!flags.sets.empty()) throw InputError("", 0, "--set", "needs -c CONFIG");
    std::vector<std::filesystem::path> paths(flags.paths.begin(), flags.paths.end());
    merged = collect_folders(paths);
  }
  if (!flags.json.empty()) {
    nlohmann::json j = merged_json(merged);
    j["dysta_version"] = DYSTA_VERSION;
    write_file_atomically(flags.json, j.dump(2) + "\n");
  }
  if (!flags.out.empty()) write_file_atomically(flags.out, merged_csv(merged));
  if (flags.table) {
    std::cout << merged_table(merged);
  } else if (flags.out.empty()) {
    std::cout << merged_csv(merged);
  }
}

}  // namespace

void add_merge_command(CLI::App& app) {
  auto flags = std::make_shared<MergeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "merge",
      "combine point folders (sweep output folders, their points/ folders, or single points) "
      "into one table: CSV on stdout or -o FILE");
  cmd->add_option("paths", flags->paths, "sweep output folders or point folders")->required();
  cmd->add_option("-c,--config", flags->config,
                  "the sweep's config: rows in sweep order, and an error if a point is missing");
  cmd->add_option("--set", flags->sets, "override a key of the -c config (as for sweep)");
  cmd->add_option("-o,--out", flags->out, "write the CSV table to this file");
  cmd->add_option("--json", flags->json, "also write points and per-seed means as JSON");
  cmd->add_flag("--table", flags->table, "print the artifact-style table instead of the CSV");
  cmd->callback([flags] { merge(*flags); });
}

}  // namespace dysta::cli
