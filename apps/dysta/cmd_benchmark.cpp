// `dysta benchmark build|check`: generate the benchmark folder from the fetched packages, or
// verify a folder against its manifest (docs/benchmark.md).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "dysta/benchmark/build.h"
#include "dysta/benchmark/cnn.h"
#include "dysta/config.h"
#include "dysta/error.h"

namespace dysta::cli {
namespace {

struct BuildFlags {
  std::string out;
  std::string cache;
  std::vector<std::string> models;
  std::size_t max_inputs = 0;
  int threads = 1;
  bool no_extra_photos = false;
  int vtest_step = 50;
  std::size_t text_lines = 200;
  std::size_t synthetic_samples = 200;
  std::uint64_t seed = 1;
  bool no_attention = false;
  bool no_synthetic = false;
  bool no_cnn = false;
  std::size_t transformer_requests = 200;
  std::string pruning = "reconstruction";
  bool no_bn_reestimate = false;
  bool no_level_search = false;
  std::string levels_from;
  bool no_low_light = false;
};

void build(const BuildFlags& f) {
  benchmark::BuildOptions o;
  o.out = f.out;
  if (!f.cache.empty()) o.paths.cache = f.cache;
  for (const auto& m : f.models) benchmark::find_cnn(m, "--models");
  o.cnns = f.models;
  o.max_inputs = f.max_inputs;
  if (f.threads < 1) throw InputError("", 0, "--threads", "must be >= 1");
  o.threads = f.threads;
  o.images.extra_photos = !f.no_extra_photos;
  if (f.vtest_step < 0 || f.vtest_step % 5 != 0) {
    throw InputError("", 0, "--vtest-step", "must be a multiple of 5 (the extracted frames), >= 0");
  }
  o.images.vtest_step = f.vtest_step;
  o.text_lines = f.text_lines;
  o.synthetic_samples = f.synthetic_samples;
  o.seed = f.seed;
  o.attention = !f.no_attention;
  o.synthetic = !f.no_synthetic;
  if (f.pruning != "reconstruction" && f.pruning != "magnitude") {
    throw InputError("", 0, "--pruning",
                     "expected reconstruction or magnitude, found '" + f.pruning + "'");
  }
  o.reconstruct = f.pruning == "reconstruction";
  o.reconstruction.reestimate_bn = !f.no_bn_reestimate;
  o.level_search = !f.no_level_search;
  o.levels_from = f.levels_from;
  o.images.low_light = !f.no_low_light;
  if (f.no_cnn && !f.models.empty()) {
    throw InputError("", 0, "--no-cnn", "conflicts with --models");
  }
  o.cnn = !f.no_cnn;
  o.transformer_requests = f.transformer_requests;
  benchmark::build_benchmark(o, std::cerr);
}

void check(const std::string& dir) {
  const benchmark::ManifestCheck c = benchmark::check_manifest(dir);
  for (const auto& p : c.problems) std::cout << dir << "/" << p << "\n";
  if (!c.problems.empty()) {
    throw InputError(
        dir + "/manifest.json", 0, "files",
        fmt::format("{} problem(s) among {} listed files", c.problems.size(), c.files));
  }
  std::cout << fmt::format("{}: {} files match manifest.json\n", dir, c.files);
}

}  // namespace

void add_benchmark_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "benchmark", "build the sparse multi-DNN benchmark from the fetched models, or check it");
  cmd->require_subcommand(1);

  auto f = std::make_shared<BuildFlags>();
  CLI::App* b = cmd->add_subcommand(
      "build", "profile pruned real CNNs (Eyeriss-V2) and attention (Sanger) into a folder");
  b->add_option("-o,--out", f->out, "output folder (replaced once everything succeeded)")
      ->required();
  b->add_option("--cache", f->cache, "model cache (default: $DYSTA_CACHE or ~/.cache/dysta)");
  b->add_option("--models", f->models,
                "CNNs: mobilenetv2 inceptionv3 ssdmobilenetv1 faceresnet (default all)")
      ->delimiter(',');
  b->add_option("--max-inputs", f->max_inputs, "only the first N inputs per model (0 = all)");
  b->add_option("-j,--threads", f->threads, "inputs profiled in parallel (results identical)");
  b->add_flag("--no-extra-photos", f->no_extra_photos,
              "skip opencv-doc photos (fetch-models.sh --all)");
  b->add_option("--vtest-step", f->vtest_step,
                "every N-th vtest.avi frame (a multiple of 5; 0 = none)");
  b->add_option("--pruning", f->pruning,
                "reconstruction (layer-wise, OBC/SparseGPT; default) or magnitude (baseline)");
  b->add_flag("--no-bn-reestimate", f->no_bn_reestimate,
              "reconstruction without batch-norm statistics re-estimation");
  b->add_flag("--no-level-search", f->no_level_search,
              "the paper's levels for every network (no fallback to lower levels)");
  b->add_option("--levels-from", f->levels_from,
                "take each variant's level from this benchmark folder's manifest.json (no search)");
  b->add_flag("--no-low-light", f->no_low_light, "no out-of-distribution (low-light) inputs");
  b->add_option("--text-lines", f->text_lines, "OCR text lines");
  b->add_option("--synthetic-samples", f->synthetic_samples, "samples per synthetic model");
  b->add_option("--seed", f->seed, "seed of the text lines and the synthetic attention");
  b->add_flag("--no-attention", f->no_attention, "CNNs only");
  b->add_flag("--no-cnn", f->no_cnn, "attention sets only");
  b->add_option("--transformer-requests", f->transformer_requests,
                "requests per trained transformer (bert-small, gpt2-small)");
  b->add_flag("--no-synthetic", f->no_synthetic,
              "no synthetic transformers (their calibration needs the full OCR set)");
  b->callback([f] { build(*f); });

  auto dir = std::make_shared<std::string>(data_dir().string() + "/benchmark");
  CLI::App* c = cmd->add_subcommand("check", "verify a benchmark folder against its manifest");
  c->add_option("dir", *dir, "benchmark folder (default: the shipped data/benchmark)");
  c->callback([dir] { check(*dir); });
}

}  // namespace dysta::cli
