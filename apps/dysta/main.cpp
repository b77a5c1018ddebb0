// dysta: simulate online scheduling of sparse multi-DNN workloads on one accelerator.
// Exit status: 0 success, 2 bad input (file, config, flag), 1 internal error.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <new>
#include <string_view>

#include "commands.h"
#include "common.h"
#include "dysta/error.h"
#include "dysta/inference/ops.h"

int main(int argc, char** argv) {
  dysta::inference::stop_blas_threads();  // BLAS threads only where inference asks for them
  CLI::App app{
      "dysta " DYSTA_VERSION
      ": scheduling sparse multi-DNN workloads on DNN accelerators (Sparse-DySta, MICRO'23)"};
  app.require_subcommand(1);
  struct Command {
    std::string_view name;
    void (*add)(CLI::App&);
    bool keeps_results = false;  // every point's or request's results stay in memory
  };
  static constexpr Command kCommands[] = {
      {"run", dysta::cli::add_run_command, true},
      {"sweep", dysta::cli::add_sweep_command, true},
      {"list", dysta::cli::add_list_command},
      {"profile", dysta::cli::add_profile_command},
      {"merge", dysta::cli::add_merge_command},
      {"reproduce", dysta::cli::add_reproduce_command},
      {"infer", dysta::cli::add_infer_command},
      {"characterise", dysta::cli::add_characterise_command},
      {"benchmark", dysta::cli::add_benchmark_command},
      {"serve", dysta::cli::add_serve_command},
      {"cluster", dysta::cli::add_cluster_command},
  };
  // Only the named command's options are built when the first argument names one (building all
  // of them is about half of a short run's start-up); `dysta --help`, no command or an unknown
  // one get every command, for the help text and the error.
  const Command* named = nullptr;
  for (const Command& c : kCommands) {
    if (argc > 1 && c.name == argv[1]) named = &c;
  }
  // A sweep or a batch run grows the heap into huge pages before anything else allocates, so
  // nearly all of its memory lies on them (a streaming run keeps O(1) per request: its peak RSS
  // is a target in bench/README.md, and it stays on ordinary pages).
  bool stream = false;
  for (int i = 2; i < argc; ++i) stream |= std::string_view(argv[i]) == "--stream";
  if (named && named->keeps_results && !stream) dysta::cli::reserve_heap_in_huge_pages();
  for (const Command& c : kCommands) {
    if (!named || named == &c) c.add(app);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const dysta::InputError& e) {
    std::cerr << "dysta: error: " << e.what() << "\n";
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // The environment, not the program: a folder that cannot be created or read, a full disk.
    std::cerr << "dysta: error: " << e.path1().string() << ": " << e.code().message()
              << (e.path2().empty() ? "" : " (with " + e.path2().string() + ")") << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "dysta: error: out of memory (the input asks for more than this machine has; "
                 "see the size limits in docs/config.md)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dysta: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
