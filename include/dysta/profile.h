// Latency/sparsity profiles of model variants (spec B.1, F.2, F.4, F.5).
//
// A variant is one architecture with one pruning pattern (e.g. resnet50 + filter). Its profile
// holds, per profiled input sample and per layer, the layer latency on the accelerator and the
// measured sparsity (always stored as a fraction of zeros, spec F.5), plus the derived per-layer
// averages and remaining-latency tables the scheduler uses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dysta/sanger_latency.h"

namespace dysta {

enum class ProfileFormat {
  sanger,      // load_balance_*.csv: latency from the Sanger formula (F.1, F.2)
  eyeriss_v2,  // *.csv with sim_lat (F.4)
  native,      // model,pattern,sample,layer,latency_s,sparsity (docs/formats.md)
};
std::string to_string(ProfileFormat format);

struct VariantProfile {
  std::string name;          // unique variant name, e.g. "resnet50_filter_sparse20"
  std::string architecture;  // group key for model-wide averages and SLO targets
  std::string pattern;       // pruning pattern label ("" when not applicable)
  std::string source;        // file it was read from
  ProfileFormat format = ProfileFormat::native;
  std::size_t num_layers = 0;

  // Sample ids (the file's batch index / sample column) in order of first appearance.
  std::vector<std::int64_t> sample_ids;
  // Row-major [sample position][layer].
  std::vector<double> latency_s;
  std::vector<double> sparsity;  // fraction of zeros in [0, 1]
  // Row-major [sample position][k], k = 0..num_layers: latency of layers k..L-1 summed left to
  // right (as Python's sum() over the remaining queue does); entry L is 0.
  std::vector<double> real_remaining_s;

  // Per-layer means over samples (this variant = "pattern" level).
  std::vector<double> avg_latency_s;
  std::vector<double> avg_sparsity;
  std::vector<double> est_remaining_pattern_s;  // [k], k = 0..L, left-to-right sums
  double target_latency_pattern_s = 0;          // mean end-to-end latency over samples

  // Architecture level (sample-weighted over the variants of the same architecture, B.1 step 7).
  std::vector<double> avg_latency_model_s;
  std::vector<double> est_remaining_model_s;  // [k], k = 0..L
  double target_latency_model_s = 0;          // the SLO base: mean isolated latency

  std::size_t num_samples() const { return sample_ids.size(); }
  // Position of a sample id, if present.
  std::optional<std::size_t> sample_position(std::int64_t sample_id) const;
  std::span<const double> latencies(std::size_t sample_pos) const {
    return {latency_s.data() + sample_pos * num_layers, num_layers};
  }
  std::span<const double> sparsities(std::size_t sample_pos) const {
    return {sparsity.data() + sample_pos * num_layers, num_layers};
  }
  std::span<const double> remaining(std::size_t sample_pos) const {
    return {real_remaining_s.data() + sample_pos * (num_layers + 1), num_layers + 1};
  }

  std::unordered_map<std::int64_t, std::size_t> sample_index_;  // id -> position
};

struct ProfileLoadOptions {
  SangerConfig sanger;  // constants of the Sanger latency formula for sanger-format files
};

// A set of variants, sorted by name (spec Q17: the reference lists models in filesystem order;
// dysta sorts so the variant a random index picks is the same on every machine).
class ProfileSet {
 public:
  ProfileSet() = default;
  explicit ProfileSet(std::vector<VariantProfile> variants);  // sorts, merges architectures

  std::span<const VariantProfile> variants() const { return variants_; }
  const VariantProfile& variant(std::size_t i) const { return variants_.at(i); }
  std::size_t size() const { return variants_.size(); }
  std::optional<std::size_t> find(std::string_view name) const;
  std::vector<std::string> architectures() const;  // distinct keys, sorted
  std::size_t max_layers() const;

 private:
  std::vector<VariantProfile> variants_;
};

// Reads one file; the format is recognised from its header. A native file may hold several
// variants. Throws InputError naming file, line and field on any defect.
std::vector<VariantProfile> read_profile_file(const std::filesystem::path& path,
                                              const ProfileLoadOptions& options);

// Loads every *.csv file of a directory (sorted by file name), or a single file.
ProfileSet load_profiles(const std::filesystem::path& path, const ProfileLoadOptions& options);
ProfileSet load_profiles(const std::vector<std::filesystem::path>& files,
                         const ProfileLoadOptions& options);

// Builds a variant from raw per-sample, per-layer data (computes all derived tables).
// `latency_s` and `sparsity` are row-major [sample][layer].
VariantProfile make_variant(std::string name, std::string architecture, std::string pattern,
                            std::vector<std::int64_t> sample_ids, std::size_t num_layers,
                            std::vector<double> latency_s, std::vector<double> sparsity);

// Writes a profile set in the native long format.
void write_native_profiles(const ProfileSet& set, const std::filesystem::path& path);
// The text write_native_profiles writes.
std::string native_profiles_text(const ProfileSet& set);

}  // namespace dysta
