// Shared plumbing of the CLI commands: configuration flags and profile loading.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "dysta/config.h"
#include "dysta/profile.h"
#include "dysta/workload.h"

namespace dysta::cli {

// Flags every experiment command accepts. Convenience flags become `--set` overrides so they go
// through the same validation as the config file.
struct ConfigFlags {
  std::string config;
  std::vector<std::string> sets;
  std::string profiles, policy, predictor, semantics, trace, out, rate, slo, requests, seed;
};

void add_config_flags(CLI::App* cmd, ConfigFlags& flags);

// `text` as a double-quoted YAML scalar that parses back to exactly `text` (paths given as flags
// are literal, not YAML).
std::string yaml_quoted(const std::string& text);

// The config named by --config (the embedded default when absent) with all overrides applied.
Config resolve_config(const ConfigFlags& flags);

ProfileSet load_config_profiles(const Config& config);

// Grows the heap in one step of 1 GiB of address space whose 2 MiB-aligned part the kernel may
// back with transparent huge pages (Linux with glibc; madvise mode), and holds the free part below
// the first huge page in a block never written, so later requests start on the huge pages: a
// command that keeps a few MB of results (a sweep) then takes a handful of page faults instead of
// one per 4 KiB page, about 10 us each on the virtual machines measured in bench/README.md, and an
// overloaded run's queue of 10^5 tasks, read at random, takes few TLB misses (bench/overload.sh:
// 6-20 % faster than on the first 48 MiB alone). The heap is never trimmed afterwards. main()
// calls it first thing for `sweep` and a batch `run`. Changes where memory lies, never a result;
// RSS grows in 2 MiB steps as memory is touched. Elsewhere it does nothing.
void reserve_heap_in_huge_pages();

// Ends a command whose output is complete: flushes standard output and error and exits with
// status 0 without running destructors or exit handlers (the kernel takes the memory back; freeing
// a sweep's plan, results and the CLI took about 0.5 ms of a 40 ms grid, bench/README.md). For
// callers with nothing left pending: worker threads joined, output files closed, no MPI. A
// failed write to standard output (a full disk behind a redirection) exits with status 2 and a
// message; a closed pipe ends the process by SIGPIPE, as any write to it did before.
[[noreturn]] void exit_after_output();

}  // namespace dysta::cli
