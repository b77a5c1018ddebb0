// `dysta profile`: sparsity inputs -> latency profiles (docs/profile-format.md).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "dysta/accelerators/profiling.h"
#include "dysta/atomic_output.h"
#include "dysta/error.h"

namespace dysta::cli {
namespace {

struct ProfileFlags {
  std::string input;
  std::string out;
  std::string semantics;
  bool quiet = false;
};

void profile(const ProfileFlags& flags) {
  const ProfileJob job = read_profile_job(flags.input);
  // The flag overrides the file; both absent = corrected (the project default).
  Semantics semantics = job.semantics.value_or(Semantics::corrected);
  if (!flags.semantics.empty()) semantics = parse_semantics(flags.semantics);
  const std::vector<ProfiledVariant> variants = run_profile_job(job, semantics);
  write_folder_atomically(
      flags.out, [&](const std::filesystem::path& dir) { write_profile_outputs(variants, dir); });
  if (flags.quiet) return;
  std::cout << fmt::format("profiled {} model(s) from {} ({} semantics)\n", variants.size(),
                           flags.input, to_string(semantics));
  for (const auto& v : variants) {
    const std::size_t L = v.layer_names.size();
    double total = 0;
    for (const double x : v.latency_s) total += x;
    std::cout << fmt::format("  {:<32} {:<11} {:>3} layers {:>4} samples  mean {:.6f} ms\n",
                             v.variant_name(), v.accelerator, L, v.sample_ids.size(),
                             total / static_cast<double>(v.sample_ids.size()) * 1e3);
  }
  std::cout << fmt::format(
      "wrote {}/profiles.csv (native), {}/artifact/ (artifact CSVs), "
      "{}/details/breakdown.csv\n",
      flags.out, flags.out, flags.out);
}

}  // namespace

void add_profile_command(CLI::App& app) {
  auto flags = std::make_shared<ProfileFlags>();
  CLI::App* cmd = app.add_subcommand(
      "profile", "turn per-layer sparsity (masks or statistics) into latency profiles");
  cmd->add_option("input", flags->input, "profile input (YAML or JSON; docs/profile-format.md)")
      ->required();
  cmd->add_option("-o,--out", flags->out, "output folder (replaced if it exists)")->required();
  cmd->add_option("--semantics", flags->semantics,
                  "reference | corrected (default: the input's `semantics`, else corrected)");
  cmd->add_flag("-q,--quiet", flags->quiet, "print nothing on success");
  cmd->callback([flags] { profile(*flags); });
}

}  // namespace dysta::cli
