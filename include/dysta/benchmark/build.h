// Builds the benchmark folder (data/benchmark/) from the fetched packages: pruned CNN variants
// profiled on Eyeriss-V2, the OCR recogniser's attention and the calibrated synthetic
// transformers on Sanger, scenario configs and the provenance manifest (docs/benchmark.md).
// Deterministic: the same packages give byte-identical files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "dysta/benchmark/inputs.h"
#include "dysta/benchmark/reconstruction.h"
#include "dysta/inference/models.h"

namespace dysta::benchmark {

struct BuildOptions {
  std::filesystem::path out;  // replaced as a whole once everything succeeded
  inference::AssetPaths paths;
  std::vector<std::string> cnns;  // benchmark CNN keys; empty = all four
  std::size_t max_inputs = 0;     // 0 = every input; else the first N (quick builds, tests)
  ImageInputOptions images;
  std::size_t text_lines = 200;         // OCR recogniser inputs
  std::size_t synthetic_samples = 200;  // per synthetic transformer
  std::uint64_t seed = 1;               // text line choice and synthetic attention
  int threads = 1;
  bool attention = true;  // OCR + synthetic transformers
  bool synthetic = true;  // the synthetic transformers (calibrated on the trained ones)
  bool cnn = true;        // false: attention sets only (the CNN loop is skipped)
  // Trained transformers (scripts/train-transformers.py): <dir>/bert-small, <dir>/gpt2-small.
  // Empty = data_dir() / "models".
  std::filesystem::path trained_models;
  std::size_t transformer_requests = 200;  // per trained transformer
  bool reconstruct = true;  // layer-wise reconstruction pruning; false = magnitude (baseline)
  ReconstructionOptions reconstruction;
  // Per network and pattern, fall back to lower levels until the variant keeps its function
  // (CnnVariantSpec::goal; level-search.csv); false = the paper's levels for every network.
  bool level_search = true;
  // A benchmark folder whose manifest gives each variant's level (no search): regenerates that
  // folder's variants from a slice of the inputs. Empty = unused.
  std::filesystem::path levels_from;
};

// Runs everything and writes the folder. Progress lines go to `log`.
void build_benchmark(const BuildOptions& options, std::ostream& log);

// The files a manifest lists: path (relative to the folder) -> SHA-256.
struct ManifestCheck {
  std::size_t files = 0;
  std::vector<std::string> problems;  // one line per missing, extra or changed file
};

// Checks `<dir>/manifest.json` against the files of the folder (every file listed with its
// SHA-256, no unlisted data file). Throws InputError when the manifest is unreadable.
ManifestCheck check_manifest(const std::filesystem::path& dir);

}  // namespace dysta::benchmark
