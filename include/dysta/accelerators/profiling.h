// `dysta profile`: per-sample, per-layer sparsity inputs -> latency profiles on an accelerator.
//
// The input is one YAML (or JSON) file, documented layer by layer in docs/profile-format.md. It
// lists models; each model has static layers (shape and weight mask for conv/fc, sequence length
// for attention) and samples (per layer: an activation mask or its density for conv/fc; density
// and load balance, a boolean mask, or probabilities and a threshold for attention). The output is
// a profile set in the native format and in the original artifact's CSV formats (spec F.2, F.4).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dysta/accelerators/masks.h"
#include "dysta/accelerators/model.h"
#include "dysta/profile.h"
#include "dysta/registry.h"
#include "dysta/semantics.h"

namespace dysta {

// Where one mask comes from.
struct MaskSpec {
  enum class Kind { none, npy, bits, random, pattern };
  Kind kind = Kind::none;
  std::filesystem::path file;       // npy (resolved against the input file's folder)
  std::string bits;                 // bits: '0'/'1' text, row-major
  std::vector<std::int64_t> shape;  // bits: shape (empty = the layer's expected shape)
  double density = 1;               // random, pattern: kept fraction in [0, 1]
  PruningPattern pattern = PruningPattern::dense;
  std::int64_t block = 4;  // pattern block: input channels per block
  std::size_t line = 0;    // input line, for messages
};

// One attention layer of one sample.
struct AttentionSpec {
  enum class Kind { none, stats, mask, probabilities };
  Kind kind = Kind::none;
  AttentionStats stats;                 // stats: density, load balance (+ optional columns)
  MaskSpec source;                      // mask or probabilities (npy or bits)
  double threshold = 0;                 // probabilities: kept iff p > threshold
  std::vector<std::int64_t> valid_len;  // valid (non-padding) tokens per batch element
  std::size_t line = 0;
};

struct ProfileLayerSpec {
  std::string name;
  LayerShape shape;          // conv, fc (shape.type is the layer type; attention uses type only)
  MaskSpec weights;          // conv, fc
  std::int64_t seq_len = 0;  // attention: tokens (0 = the model's seq_len)
  std::size_t line = 0;
};

struct ProfileSampleSpec {
  std::int64_t id = 0;
  std::size_t line = 0;
  std::vector<MaskSpec> activations;     // [layer], conv/fc layers
  std::vector<AttentionSpec> attention;  // [layer], attention layers
};

struct ProfileModelSpec {
  std::string model;    // architecture (native `model` column)
  std::string pattern;  // pruning-pattern label (native `pattern` column); may be empty
  std::string accelerator;
  ParamValues params;  // accelerator constants overriding the defaults
  std::int64_t seq_len = 0;
  std::vector<ProfileLayerSpec> layers;
  std::vector<ProfileSampleSpec> samples;
  std::size_t line = 0;
  std::string variant_name() const { return pattern.empty() ? model : model + "_" + pattern; }
};

struct ProfileJob {
  std::string file;                    // the input file, for messages
  std::optional<Semantics> semantics;  // the file's `semantics`, if given
  std::uint64_t seed = 0;              // seeds synthetic masks
  std::vector<ProfileModelSpec> models;
};

// Reads and checks the structure of a job file (mask contents are read while profiling). Throws
// InputError naming file, line and field.
ProfileJob read_profile_job(const std::filesystem::path& path);

// One profiled variant: per sample and layer, latency and stored sparsity (spec F.5), plus what
// the artifact CSVs and the breakdown table need.
struct ProfiledVariant {
  std::string model, pattern, accelerator;
  ArtifactCsv artifact_csv = ArtifactCsv::sim_lat;
  std::string artifact_dir;
  std::vector<std::string> layer_names;
  std::vector<std::int64_t> sample_ids;
  std::vector<double> latency_s;          // [sample][layer]
  std::vector<double> sparsity;           // [sample][layer], fraction of zeros
  std::vector<AttentionStats> attention;  // [sample][layer] (attention layers)
  std::vector<LayerLatency> detail;       // [sample][layer]
  std::string variant_name() const { return pattern.empty() ? model : model + "_" + pattern; }
};

// Runs every model of the job under `semantics`. Throws InputError naming the input file, the
// line of the sample (or layer) and the layer's field.
std::vector<ProfiledVariant> run_profile_job(const ProfileJob& job, Semantics semantics);

// The variants as a profile set (the same one `dysta run` loads from the native file).
ProfileSet to_profile_set(const std::vector<ProfiledVariant>& variants);

// Writes into `dir` (created if needed):
//   profiles.csv                       native format, every variant
//   artifact/<artifact_dir>/<variant>.csv  the artifact's CSV format of the accelerator
//   details/breakdown.csv              model,pattern,sample,layer,layer_name,term,cycles
void write_profile_outputs(const std::vector<ProfiledVariant>& variants,
                           const std::filesystem::path& dir);

// The artifact CSV text of one variant (spec F.2 or F.4).
std::string artifact_csv_text(const ProfiledVariant& variant);

}  // namespace dysta
