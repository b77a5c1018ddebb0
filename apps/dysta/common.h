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

}  // namespace dysta::cli
