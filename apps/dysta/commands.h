// Subcommands of the `dysta` CLI; each file apps/dysta/cmd_<name>.cpp adds one.
#pragma once

#include <CLI/CLI.hpp>

namespace dysta::cli {

void add_run_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_list_command(CLI::App& app);
void add_profile_command(CLI::App& app);       // apps/dysta/cmd_profile.cpp (issue 3)
void add_merge_command(CLI::App& app);         // apps/dysta/cmd_merge.cpp
void add_reproduce_command(CLI::App& app);     // apps/dysta/cmd_reproduce.cpp
void add_infer_command(CLI::App& app);         // apps/dysta/cmd_infer.cpp (issue 4)
void add_characterise_command(CLI::App& app);  // apps/dysta/cmd_characterise.cpp
void add_benchmark_command(CLI::App& app);     // apps/dysta/cmd_benchmark.cpp (issue 5)
void add_serve_command(CLI::App& app);         // apps/dysta/cmd_serve.cpp (issue 14)
void add_cluster_command(CLI::App& app);       // apps/dysta/cmd_cluster.cpp (issue 19)

}  // namespace dysta::cli
