// `dysta list`: registered policies and predictors, the benchmark scenarios, and the models of
// a profile set.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "common.h"
#include "dysta/benchmark/scenarios.h"
#include "dysta/cluster.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"

namespace dysta::cli {
namespace {

struct ListFlags {
  ConfigFlags config;
  bool models = false;
};

template <typename Info>
void print_params(const Info& info) {
  for (const auto& p : info.params) {
    std::cout << fmt::format("      {} = {}  {} ({}{})\n", p.name, p.default_value, p.help,
                             param_range_text(p), p.required ? ", required" : "");
  }
}

void list(const ListFlags& flags) {
  std::cout << "policies:\n";
  for (const PolicyInfo* p : policy_registry().all()) {
    std::cout << fmt::format("  {:<14} {}{}\n", p->name, p->description,
                             p->traits.monitor ? " [monitor]" : "");
    print_params(*p);
  }
  std::cout << "predictors:\n";
  for (const PredictorInfo* p : predictor_registry().all()) {
    std::cout << fmt::format("  {:<14} {}\n", p->name, p->description);
    print_params(*p);
  }
  std::cout << "dispatchers (dysta cluster):\n";
  for (const DispatcherInfo* d : dispatcher_registry().all()) {
    std::cout << fmt::format("  {:<14} {}\n", d->name, d->description);
    print_params(*d);
  }
  const std::vector<benchmark::ScenarioInfo> scenarios =
      benchmark::read_scenarios(benchmark::default_scenario_dir());
  std::cout << fmt::format("benchmark scenarios ({}; dysta run -c <file>):\n",
                           benchmark::default_scenario_dir().string());
  if (scenarios.empty()) std::cout << "  (none: run bash scripts/make-benchmark.sh)\n";
  for (const auto& s : scenarios) {
    std::cout << fmt::format(
        "  {:<12} {:<10} {:>2} variants, {:.4g} req/s = {:.0f}% load, {}: {}\n", s.name,
        s.accelerator, s.variants, s.rate, s.utilisation * 100, s.data, s.summary);
  }
  const bool want_models =
      flags.models || !flags.config.config.empty() || !flags.config.profiles.empty();
  if (!want_models) return;
  const Config config = resolve_config(flags.config);
  const ProfileSet profiles = load_config_profiles(config);
  std::cout << fmt::format("models in {}:\n", config.profiles);
  std::cout << fmt::format("  {:<32} {:<16} {:>6} {:>7} {:>14} {:>14}\n", "model", "architecture",
                           "layers", "samples", "mean iso (ms)", "arch mean (ms)");
  for (const auto& v : profiles.variants()) {
    std::cout << fmt::format("  {:<32} {:<16} {:>6} {:>7} {:>14.6f} {:>14.6f}\n", v.name,
                             v.architecture, v.num_layers, v.num_samples(),
                             v.target_latency_pattern_s * 1e3, v.target_latency_model_s * 1e3);
  }
}

}  // namespace

void add_list_command(CLI::App& app) {
  auto flags = std::make_shared<ListFlags>();
  CLI::App* cmd =
      app.add_subcommand("list", "list policies, predictors and the models of a profile set");
  add_config_flags(cmd, flags->config);
  cmd->add_flag("--models", flags->models, "also list the models of the configured profile set");
  cmd->callback([flags] { list(*flags); });
}

}  // namespace dysta::cli
