// `dysta reproduce <figure>`: runs the experiment grid of one of the paper's figures (spec G.2)
// on a profile set, merges the points into a table and renders the figure (PNG and SVG) with
// the scripts in scripts/plots (Debian python3-matplotlib). docs/workflow.md.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "commands.h"
#include "dysta/atomic_output.h"
#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor_accuracy.h"
#include "dysta/sweep_merge.h"

namespace fs = std::filesystem;

namespace dysta::cli {
namespace {

struct Grid {
  std::vector<double> rates, slos;
};

// One figure of spec G.2.
struct Figure {
  std::string name;
  std::vector<std::string> aliases;
  std::string what;    // one line for --help and titles
  std::string script;  // scripts/plots/<script>.py
  std::vector<std::string> policies;
  Grid attnn, cnn;
  bool predictor = false;  // Fig. 9: predictor accuracy instead of a sweep
  bool scenarios = false;  // one figure per benchmark scenario (reproduce_gap)
};

const std::vector<std::string> kSix = {"fcfs", "sjf", "prema", "planaria", "sdrm3", "dysta"};
const std::vector<std::string> kSeven = {"fcfs",  "sjf",          "prema", "planaria",
                                         "sdrm3", "dysta_oracle", "dysta"};

const std::vector<Figure>& figures() {
  static const std::vector<Figure> kFigures = {
      {"fig12",
       {"tradeoff"},
       "SLO violation rate vs ANTT trade-off",
       "tradeoff",
       kSix,
       {{30, 40}, {10}},
       {{3, 4}, {10}}},
      {"fig13",
       {"sparsity"},
       "effect of sparsity awareness",
       "sparsity_effect",
       {"prema", "dysta_naive", "dysta"},
       {{30}, {10}},
       {{3}, {10}}},
      {"fig14",
       {"slo", "table5"},
       "metrics across SLO multipliers",
       "across_slo",
       kSeven,
       {{30, 40}, {10, 25, 50, 75, 100, 150}},
       {{3, 4}, {10, 25, 50, 75, 100, 150}}},
      {"fig15",
       {"rates"},
       "metrics across arrival rates",
       "across_rates",
       kSeven,
       {{10, 20, 30, 40}, {10}},
       {{2, 3, 4, 5, 6}, {10}}},
      {"fig9",
       {"predictor"},
       "latency predictor accuracy vs layers observed",
       "predictor_accuracy",
       {},
       {},
       {},
       true},
      {"gap",
       {"bound"},
       "every policy, with and without dropping, against the offline bound",
       "gap",
       {},
       {},
       {},
       false,
       true},
  };
  return kFigures;
}

const Figure& find_figure(const std::string& name) {
  for (const auto& f : figures()) {
    if (f.name == name) return f;
    for (const auto& a : f.aliases) {
      if (a == name) return f;
    }
  }
  std::string valid;
  for (const auto& f : figures()) {
    valid += (valid.empty() ? "" : ", ") + f.name;
    for (const auto& a : f.aliases) valid += "|" + a;
  }
  throw InputError("", 0, "figure", "unknown figure '" + name + "' (valid: " + valid + ", all)");
}

struct ReproduceFlags {
  std::string figure;
  std::string workload = "both";
  std::string profiles, rates, slos, seeds = "1,2,3,4,5", policies, semantics = "corrected";
  std::size_t requests = 1000;
  unsigned threads = 0;
  std::string out = "dysta-out/reproduce";
  std::string formats = "png,svg";
  bool force = false, quiet = false, no_plot = false, requests_csv = false;
};

std::vector<double> numbers(const std::string& text, const char* flag) {
  std::vector<double> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !(v > 0)) {
      throw InputError("", 0, flag,
                       "expected comma-separated positive numbers, found '" + text + "'");
    }
    out.push_back(v);
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// $DYSTA_PLOTS_DIR, else the installed scripts (<prefix>/share/dysta/plots) when present, else
// the source tree's scripts/plots.
fs::path plots_dir() {
  if (const char* env = std::getenv("DYSTA_PLOTS_DIR")) return env;
  std::error_code ec;
  if (fs::is_directory(DYSTA_INSTALL_PLOTS_DIR, ec)) return DYSTA_INSTALL_PLOTS_DIR;
  return DYSTA_PLOTS_DIR;
}

// Debian's matplotlib lives in the system interpreter; DYSTA_PYTHON overrides.
std::string python() {
  if (const char* env = std::getenv("DYSTA_PYTHON")) return env;
  std::error_code ec;
  if (fs::exists("/usr/bin/python3", ec)) return "/usr/bin/python3";
  return "python3";
}

void render(const std::string& script, const fs::path& table, const fs::path& prefix,
            const std::string& title, const ReproduceFlags& flags) {
  const fs::path path = plots_dir() / (script + ".py");
  const std::string cmd = fmt::format(
      "{} {} {} --out {} --title {} --formats {} {}", shell_quote(python()),
      shell_quote(path.string()), shell_quote(table.string()), shell_quote(prefix.string()),
      shell_quote(title), shell_quote(flags.formats), flags.quiet ? ">/dev/null" : "1>&2");
  const int status = std::system(cmd.c_str());
  if (status != 0) {
    throw InputError(path.string(), 0, "plot",
                     fmt::format("the plot script failed (status {}); it needs python3 with "
                                 "matplotlib (Debian: apt-get install python3-matplotlib). The "
                                 "table is {}",
                                 status, table.string()));
  }
  if (!flags.quiet) {
    std::cerr << fmt::format("wrote {}.{{{}}}\n", prefix.string(), flags.formats);
  }
}

// Mean isolated latency of a request drawn over variants (by workload.mix weight, else
// uniformly) and samples, seconds.
double mean_service_s(const ProfileSet& set, const std::map<std::string, double>& mix) {
  double sum = 0, weights = 0;
  for (const auto& v : set.variants()) {
    const auto it = mix.find(v.name);
    const double w = mix.empty() ? 1.0 : (it == mix.end() ? 0.0 : it->second);
    sum += w * v.target_latency_pattern_s;
    weights += w;
  }
  return weights > 0 ? sum / weights : 0.0;
}

void reproduce_one(const Figure& fig, const std::string& workload, const ReproduceFlags& flags) {
  const bool attnn = workload == "attnn";
  // Default: the benchmark's paper setting (docs/benchmark.md), with its profile set and mix.
  const std::string scenario = attnn ? "paper-attnn" : "paper-cnn";
  const Config base =
      flags.profiles.empty()
          ? load_config(data_dir() / "benchmark" / "scenarios" / (scenario + ".yaml"), {})
          : load_config("", {});
  const std::string profiles = flags.profiles.empty() ? base.profiles : flags.profiles;
  // "AttNN (synthetic/sanger)": the last two components name the set and say what it is.
  const fs::path set_path = fs::path(profiles).lexically_normal();
  const fs::path set_name = set_path.has_filename() ? set_path : set_path.parent_path();
  const std::string workload_title =
      flags.profiles.empty()
          ? fmt::format("{} (benchmark {}{})", attnn ? "AttNN" : "CNN", scenario,
                        attnn ? ", synthetic" : "")
          : fmt::format("{} ({}/{})", attnn ? "AttNN" : "CNN",
                        set_name.parent_path().filename().string(), set_name.filename().string());
  const fs::path dir = fs::path(flags.out) / fig.name;
  const fs::path table = dir / (workload + ".csv");
  const fs::path prefix = dir / (fig.name + "_" + workload);
  const Semantics semantics = parse_semantics(flags.semantics);

  if (fig.predictor) {
    ProfileLoadOptions options;
    const ProfileSet set = load_profiles(profiles, options);
    const auto rows = predictor_accuracy(
        set, {{"average", {}}, {"last_one", {}}, {"last_n", {{"n", 3}}}, {"regression", {}}},
        semantics);
    write_file_atomically(table, predictor_accuracy_csv(rows));
    if (!flags.quiet) std::cerr << fmt::format("wrote {}\n", table.string());
    if (!flags.no_plot) render(fig.script, table, prefix, fig.what + ", " + workload_title, flags);
    return;
  }

  Config config = base;
  config.profiles = profiles;
  config.semantics = semantics;
  config.workload.requests = flags.requests;
  const Grid& grid = attnn ? fig.attnn : fig.cnn;
  config.sweep.policies = flags.policies.empty() ? fig.policies : words(flags.policies);
  config.sweep.rates = flags.rates.empty() ? grid.rates : numbers(flags.rates, "--rates");
  config.sweep.slo_multipliers = flags.slos.empty() ? grid.slos : numbers(flags.slos, "--slos");
  config.sweep.seeds.clear();
  for (const double s : numbers(flags.seeds, "--seeds")) {
    if (s != static_cast<double>(static_cast<std::uint64_t>(s))) {
      throw InputError("", 0, "--seeds", "seeds are whole numbers");
    }
    config.sweep.seeds.push_back(static_cast<std::uint64_t>(s));
  }
  config.sweep.threads = flags.threads;
  config.output = flags.out;
  const SweepPlan plan = expand_sweep(config, "dysta reproduce " + fig.name);

  // Points live in <out>/points, shared by all figures (Fig. 12 and 14 share points).
  const PointStore store(flags.out);
  std::size_t skipped = 0;
  const auto pending = pending_points(plan, &store, {}, flags.force, &skipped);
  if (!flags.quiet) {
    const double service = mean_service_s(*plan.profile_sets.front(), config.workload.mix);
    std::string loads;
    for (const double r : config.sweep.rates) {
      loads +=
          fmt::format("{}{:.0f}% at {} req/s", loads.empty() ? "" : ", ", 100 * r * service, r);
    }
    std::cerr << fmt::format("{} {} on {}: {} points; offered load {}\n", fig.name, fig.what,
                             profiles, plan.points.size(), loads);
  }
  Progress progress(fig.name + " " + workload, pending.size(), skipped,
                    Progress::auto_mode(flags.quiet));
  LocalQueue queue(pending);
  run_points(plan, queue, {config.sweep.threads, &store, flags.requests_csv, &progress}, nullptr);
  progress.finish();
  std::vector<MergedPoint> merged = collect_plan(plan, store);
  write_file_atomically(table, merged_csv(merged));
  write_file_atomically(dir / (workload + "_table.txt"), merged_table(merged));
  if (!flags.quiet) {
    std::cout << fmt::format("{}: {}, {}\n", fig.name, fig.what, workload_title)
              << merged_table(merged) << "\n";
  }
  if (!flags.no_plot) render(fig.script, table, prefix, fig.what + ", " + workload_title, flags);
}

// Every registered policy, in name order.
std::vector<std::string> all_policies() {
  std::vector<std::string> out;
  for (const PolicyInfo* info : policy_registry().all()) out.push_back(info->name);
  return out;
}

// The gap figure (docs/policies.md): per benchmark scenario, every policy without dropping and
// with both drop rules, and the offline bound of each stream (sweep_merge.h bound_points()), at
// the scenario's default load and at the heaviest load of its sweep, SLO as in the scenario.
void reproduce_gap(const Figure& fig, const ReproduceFlags& flags) {
  if (!flags.profiles.empty()) {
    throw InputError("", 0, "--profiles", "the gap figure runs every benchmark scenario");
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(data_dir() / "benchmark" / "scenarios")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  const fs::path dir = fs::path(flags.out) / fig.name;
  const PointStore store(flags.out);
  for (const fs::path& file : files) {
    const std::string scenario = file.stem().string();
    Config config = load_config(file, {});
    if (config.cluster.present) continue;  // fleet scenarios: one device's policies do not apply
    config.semantics = parse_semantics(flags.semantics);
    config.workload.requests = flags.requests;
    config.sweep.policies = flags.policies.empty() ? all_policies() : words(flags.policies);
    if (!flags.rates.empty()) {
      config.sweep.rates = numbers(flags.rates, "--rates");
    } else {
      std::vector<double> rates = {config.workload.rate};
      if (!config.sweep.rates.empty()) {
        const double heaviest =
            *std::max_element(config.sweep.rates.begin(), config.sweep.rates.end());
        if (heaviest != config.workload.rate) rates.push_back(heaviest);
      }
      config.sweep.rates = rates;
    }
    config.sweep.slo_multipliers = flags.slos.empty()
                                       ? std::vector<double>{config.workload.slo_multiplier}
                                       : numbers(flags.slos, "--slos");
    config.sweep.seeds.clear();
    for (const double s : numbers(flags.seeds, "--seeds")) {
      config.sweep.seeds.push_back(static_cast<std::uint64_t>(s));
    }
    config.sweep.policy_params.clear();
    config.sweep.predictors.clear();
    config.sweep.predictor_params.clear();
    config.sweep.profiles.clear();
    config.sweep.semantics.clear();
    config.sweep.threads = flags.threads;
    std::vector<MergedPoint> merged, bounds;
    const std::vector<std::string> policies = config.sweep.policies;
    for (const DropRule drop : {DropRule::none, DropRule::estimated, DropRule::oracle}) {
      config.drop = drop;
      config.sweep.policies.clear();
      for (const auto& p : policies) {
        // dysta_hw's hardware model cannot drop (Policy::allows_drop()).
        if (drop == DropRule::none || make_policy(p, {}, config.semantics)->allows_drop()) {
          config.sweep.policies.push_back(p);
        }
      }
      const SweepPlan plan = expand_sweep(config, file.string());
      std::size_t skipped = 0;
      const auto pending = pending_points(plan, &store, {}, flags.force, &skipped);
      Progress progress(fmt::format("{} {} drop={}", fig.name, scenario, to_string(drop)),
                        pending.size(), skipped, Progress::auto_mode(flags.quiet));
      LocalQueue queue(pending);
      run_points(plan, queue, {config.sweep.threads, &store, flags.requests_csv, &progress},
                 nullptr);
      progress.finish();
      for (auto& m : collect_plan(plan, store)) merged.push_back(std::move(m));
      if (drop == DropRule::none) bounds = bound_points(plan);
    }
    for (auto& b : bounds) merged.push_back(std::move(b));
    const fs::path table = dir / (scenario + ".csv");
    write_file_atomically(table, merged_csv(merged));
    write_file_atomically(dir / (scenario + "_table.txt"), merged_table(merged));
    if (!flags.quiet) {
      std::cout << fmt::format("{}: {}, scenario {}\n", fig.name, fig.what, scenario)
                << merged_table(merged) << "\n";
    }
    if (!flags.no_plot) {
      render(fig.script, table, dir / (fig.name + "_" + scenario),
             fmt::format("{}: {}", scenario, fig.what), flags);
    }
  }
}

void reproduce(const ReproduceFlags& flags) {
  std::vector<const Figure*> todo;
  if (flags.figure == "all") {
    for (const auto& f : figures()) todo.push_back(&f);
  } else {
    todo.push_back(&find_figure(flags.figure));
  }
  if (flags.workload != "both" && flags.workload != "attnn" && flags.workload != "cnn") {
    throw InputError("", 0, "--workload", "expected attnn, cnn or both");
  }
  if (!flags.profiles.empty() && flags.workload == "both") {
    throw InputError("", 0, "--profiles", "say which workload it is: --workload attnn or cnn");
  }
  parse_semantics(flags.semantics);
  for (const auto& f : words(flags.formats)) {
    if (f != "png" && f != "svg" && f != "pdf") {
      throw InputError("", 0, "--formats", "expected png, svg and/or pdf, found '" + f + "'");
    }
  }
  for (const Figure* fig : todo) {
    if (fig->scenarios) {
      reproduce_gap(*fig, flags);
      continue;
    }
    std::vector<std::string> workloads;
    if (flags.workload == "both") {
      // The paper evaluates predictors on the AttNN models only (spec D, G.2).
      workloads = fig->predictor ? std::vector<std::string>{"attnn"}
                                 : std::vector<std::string>{"attnn", "cnn"};
    } else {
      workloads = {flags.workload};
    }
    for (const auto& w : workloads) reproduce_one(*fig, w, flags);
  }
}

}  // namespace

void add_reproduce_command(CLI::App& app) {
  auto flags = std::make_shared<ReproduceFlags>();
  std::string list;
  for (const auto& f : figures()) {
    list += fmt::format(
        "\n  {:<6} {:<22} {}", f.name,
        f.aliases.empty() ? "" : "(" + fmt::format("{}", fmt::join(f.aliases, ", ")) + ")", f.what);
  }
  CLI::App* cmd = app.add_subcommand(
      "reproduce",
      "run the experiment grid of one of the paper's figures (spec G.2) and render it as PNG and "
      "SVG. Figures:" +
          list + "\n  all    every figure");
  cmd->add_option("figure", flags->figure, "fig12, fig13, fig14, fig15, fig9, gap (or alias), all")
      ->required();
  cmd->add_option("--workload", flags->workload, "attnn, cnn or both (default both)");
  cmd->add_option("--profiles", flags->profiles,
                  "profile set (default: the benchmark scenarios paper-attnn and paper-cnn, "
                  "data/benchmark/scenarios)");
  cmd->add_option("--rates", flags->rates, "override the figure's arrival rates, req/s");
  cmd->add_option("--slos", flags->slos, "override the figure's SLO multipliers");
  cmd->add_option("--policies", flags->policies, "override the figure's policies");
  cmd->add_option("--seeds", flags->seeds, "comma-separated seeds (default 1,2,3,4,5)");
  cmd->add_option("--requests", flags->requests, "requests per point (default 1000)");
  cmd->add_option("--semantics", flags->semantics, "reference | corrected (default corrected)");
  cmd->add_option("--threads", flags->threads, "worker threads (0 = all cores)");
  cmd->add_option("-o,--out", flags->out,
                  "output folder (default dysta-out/reproduce): points/ shared by all figures, "
                  "<figure>/ with tables and images");
  cmd->add_option("--formats", flags->formats, "image formats (default png,svg)");
  cmd->add_flag("--force", flags->force, "rerun points whose folder exists");
  cmd->add_flag("--no-plot", flags->no_plot, "write the tables only");
  cmd->add_flag("--requests-csv", flags->requests_csv,
                "also keep each point's requests.csv (about 200 kB per 1000 requests)");
  cmd->add_flag("-q,--quiet", flags->quiet, "no tables or progress");
  cmd->callback([flags] { reproduce(*flags); });
}

}  // namespace dysta::cli
