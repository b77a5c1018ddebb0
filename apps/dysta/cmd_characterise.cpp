// `dysta characterise`: per-variant statistics of a profile set (latency spread, sparsity ranges,
// cross-layer correlation, predictor accuracy) as five CSV tables in one folder, written
// atomically, and a Markdown table of the variants on stdout. include/dysta/benchmark/
// characterise.h defines every column; scripts/plots/benchmark_figures.py draws the folder.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "common.h"
#include "dysta/atomic_output.h"
#include "dysta/benchmark/characterise.h"
#include "dysta/error.h"

namespace dysta::cli {
namespace {

struct CharacteriseFlags {
  ConfigFlags config;  // only config, sets, profiles and semantics are used
  std::string out = "dysta-out/characterise";
  std::string variants;
  std::string sources;
  bool quiet = false;
};

std::vector<std::string> names(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    if (item.empty()) {
      throw InputError("", 0, "--variants",
                       "expected comma-separated variant names, found '" + text + "'");
    }
    out.push_back(item);
    start = comma + 1;
  }
  return out;
}

void characterise_command(const CharacteriseFlags& flags) {
  const Config config = resolve_config(flags.config);
  const ProfileSet set = load_config_profiles(config);
  benchmark::CharacteriseOptions options;
  options.semantics = config.semantics;
  if (!flags.variants.empty()) options.variants = names(flags.variants);
  const benchmark::Characterisation c = benchmark::characterise(set, options);
  std::vector<benchmark::SourceStats> by_source;
  if (!flags.sources.empty()) {
    by_source = benchmark::characterise_by_source(
        set, benchmark::read_sample_sources(flags.sources), options);
  }
  write_folder_atomically(flags.out, [&](const std::filesystem::path& dir) {
    if (!flags.sources.empty()) {
      write_file_atomically(dir / "sources.csv", benchmark::sources_csv(by_source));
    }
    write_file_atomically(dir / "variants.csv", benchmark::variants_csv(c));
    write_file_atomically(dir / "samples.csv", benchmark::samples_csv(c));
    write_file_atomically(dir / "layers.csv", benchmark::layers_csv(c));
    write_file_atomically(dir / "correlation.csv", benchmark::correlation_csv(c));
    write_file_atomically(dir / "predictors.csv", benchmark::predictors_csv(c));
  });
  if (flags.quiet) return;
  std::cout << benchmark::variants_markdown(c);
  if (!flags.sources.empty()) std::cout << "\n" << benchmark::sources_markdown(by_source);
  std::cerr << fmt::format(
      "characterised {} variant(s) of {} ({} semantics); wrote {}/{{variants,samples,layers,"
      "correlation,predictors}}.csv\nfigures: python3 scripts/plots/benchmark_figures.py {}\n",
      c.variants.size(), config.profiles, to_string(config.semantics), flags.out, flags.out);
}

}  // namespace

void add_characterise_command(CLI::App& app) {
  auto flags = std::make_shared<CharacteriseFlags>();
  CLI::App* cmd = app.add_subcommand(
      "characterise",
      "per-variant statistics of a profile set: isolated-latency spread, per-layer sparsity "
      "ranges, cross-layer sparsity correlation, predictor accuracy; writes variants.csv, "
      "samples.csv, layers.csv, correlation.csv, predictors.csv and prints a Markdown table");
  cmd->add_option("--profiles", flags->config.profiles, "profile directory or file")->required();
  cmd->add_option("--semantics", flags->config.semantics,
                  "reference | corrected (default corrected): the predictors' semantics");
  cmd->add_option("-c,--config", flags->config.config,
                  "YAML config whose sanger.* constants turn Sanger-format files into latencies "
                  "(default: the embedded example's)");
  cmd->add_option("--set", flags->config.sets, "override a config key (repeatable)");
  cmd->add_option("-o,--out", flags->out,
                  "output folder (default dysta-out/characterise; replaced if it exists)");
  cmd->add_option("--variants", flags->variants,
                  "comma-separated variant names to characterise (default: all)");
  cmd->add_option("--sources", flags->sources,
                  "model,sample,source CSV (data/benchmark/sources/<folder>.csv): also latency CV "
                  "and per-layer sparsity ranges per input source, in sources.csv");
  cmd->add_flag("-q,--quiet", flags->quiet, "print nothing on success");
  cmd->callback([flags] { characterise_command(*flags); });
}

}  // namespace dysta::cli
