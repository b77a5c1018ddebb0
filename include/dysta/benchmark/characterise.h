// Characterisation of a profile set (the sparse multi-DNN benchmark): per model variant the
// distribution of isolated latency over input samples, the per-layer sparsity ranges, the
// network-level sparsity and its relative range (the paper's PRR), the cross-layer correlation of
// sparsity (the paper's motivation for a runtime predictor), and how well each latency predictor
// of spec D estimates the remaining latency after k layers (relative RMSE).
//
// Conventions (all functions):
//  * Latencies are in seconds; sparsity is the fraction of zeros in [0, 1].
//  * std is the population standard deviation (divisor n, numpy.std's default); CV = std / mean
//    (NaN when the mean is 0).
//  * Sums run left to right over samples (or layers) in profile order, so results are
//    deterministic and identical on every machine.
//  * A statistic that is undefined (no samples, zero variance, no layer pair) is NaN; CSV and
//    Markdown outputs write it as "nan".
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "dysta/predictor_accuracy.h"
#include "dysta/profile.h"
#include "dysta/semantics.h"

namespace dysta::benchmark {

// Summary of a list of values.
struct Distribution {
  double mean = 0;
  double std = 0;  // population standard deviation
  double min = 0;
  double max = 0;
  double cv = 0;  // std / mean
};

// Mean, population std, min, max and CV of `values` (all NaN when empty).
Distribution distribution(std::span<const double> values);

// Pearson correlation of two equally long series; NaN when either has zero variance (all values
// equal) or fewer than 2 values. The result is clamped to [-1, 1].
double pearson(std::span<const double> x, std::span<const double> y);

// One layer of a variant, over its samples.
struct LayerStats {
  std::size_t layer = 0;
  double sparsity_min = 0;
  double sparsity_mean = 0;
  double sparsity_max = 0;
  double latency_mean_s = 0;
  double latency_cv = 0;  // population std / mean of the layer's latency over samples
};

// Pearson correlation matrix of per-sample sparsity between layers (spec D "correlation figure":
// numpy.corrcoef of per-layer sparsity across samples). Layers whose sparsity is the same for
// every sample (zero variance) have no defined correlation and are excluded.
struct LayerCorrelation {
  std::vector<std::size_t> layers;  // included layer indices, ascending
  std::vector<double> r;            // row-major [i][j] over `layers`; diagonal 1
  std::size_t excluded = 0;         // layers left out for zero variance
  // Mean of r over the pairs i < j of included layers (NaN when fewer than 2 layers).
  double mean_offdiagonal = 0;
  // Mean of r over adjacent layers (l, l + 1) of the network that are both included (NaN when
  // there is no such pair).
  double mean_adjacent = 0;
  std::size_t adjacent_pairs = 0;

  double at(std::size_t i, std::size_t j) const { return r[i * layers.size() + j]; }
};

// Correlation, over samples, between the mean sparsity of the first k layers (unweighted, as the
// average-ratio predictor averages per-layer ratios) and the true remaining latency of layers
// k..L-1: the information a runtime predictor can exploit after k layers. Negative = sparser
// early layers go with less remaining work.
struct RemainingCorrelation {
  double fraction = 0;  // requested position: k = clamp(round(fraction x L), 1, L - 1)
  std::size_t k = 0;    // 0 when the variant has a single layer (r is then NaN)
  double r = 0;
};

// The fractions of the network after which RemainingCorrelation is reported: k = 1 (fraction 0)
// and k at 25 %, 50 % and 75 % of the layers.
inline constexpr double kRemainingFractions[] = {0.0, 0.25, 0.5, 0.75};

struct VariantStats {
  std::string name;
  std::string architecture;
  std::string pattern;
  std::size_t samples = 0;
  std::size_t layers = 0;

  // Per sample, in profile order: its id, isolated latency (sum of its layer latencies, left to
  // right, seconds) and network-level sparsity (below).
  std::vector<std::int64_t> sample_ids;
  std::vector<double> sample_latency_s;
  std::vector<double> sample_network_sparsity;

  Distribution latency_s;  // of sample_latency_s

  std::vector<LayerStats> per_layer;  // one per layer, in layer order
  // Over layers, of the per-layer sparsity range (max - min over samples).
  double layer_range_min = 0;
  double layer_range_mean = 0;
  double layer_range_max = 0;

  // Network-level sparsity of each sample: the mean of its layers' sparsities weighted by the
  // variant's pattern-average layer latency (avg_latency_s). The weights are the same for every
  // sample: they stand for layer size (profiles carry no MAC counts) without depending on the
  // sample's own sparsity, as the sample's own latencies would. When every average latency is 0
  // the layers are weighted equally.
  Distribution network_sparsity;  // of sample_network_sparsity
  // Relative range (max - min) / mean of the network-level sparsity over samples (the paper's
  // PRR); 0 when the mean is 0 (then every sample is dense).
  double network_sparsity_prr = 0;

  LayerCorrelation correlation;
  std::vector<RemainingCorrelation> remaining;  // one per kRemainingFractions entry

  // The predictor with the lowest mean relative RMSE over k = 1..L-1 (k = 0 when L = 1; ties go
  // to the earlier predictor of the options), and that mean. Empty / NaN without predictors.
  std::string best_predictor;
  double best_predictor_rel_rmse = 0;
};

// Everything except the predictor fields (best_predictor is left empty).
VariantStats characterise_variant(const VariantProfile& variant);

// A predictor_accuracy() row with its error relative to the variant's mean true remaining
// latency after k layers (mean over samples of layers k..L-1), so variants of different sizes
// are comparable.
struct PredictorError {
  PredictorAccuracy accuracy;
  double mean_remaining_s = 0;
  double relative_rmse = 0;  // rmse_s / mean_remaining_s (NaN when mean_remaining_s is 0)
};

// average, last_one, last_n (n = 3), regression: the predictors of the paper's Fig. 9.
std::vector<PredictorSpec> default_predictors();

struct CharacteriseOptions {
  Semantics semantics = Semantics::corrected;  // of the predictors (spec D, quirk Q10)
  std::vector<PredictorSpec> predictors = default_predictors();
  // Variants to characterise, by name; empty = all. An unknown name is an InputError (field
  // "--variants") listing the valid names. Output order is always the set's (sorted) order.
  std::vector<std::string> variants;
};

struct Characterisation {
  std::vector<VariantStats> variants;
  // predictor_accuracy() rows of the selected variants (variant, predictor, k nesting).
  std::vector<PredictorError> predictors;
};

// Characterises the selected variants of `profiles`. Predictors see the whole set (as in a
// simulation of it). Throws InputError for an unknown variant, predictor or parameter.
Characterisation characterise(const ProfileSet& profiles, const CharacteriseOptions& options);

// CSV tables (header line first; numbers as shortest round-trip decimals, NaN as "nan"):
// variants.csv: variant,architecture,pattern,samples,layers,latency_mean_s,latency_std_s,
//   latency_min_s,latency_max_s,latency_cv,layer_sparsity_range_min,layer_sparsity_range_mean,
//   layer_sparsity_range_max,network_sparsity_mean,network_sparsity_std,network_sparsity_min,
//   network_sparsity_max,network_sparsity_prr,corr_layers,corr_layers_excluded,
//   corr_mean_offdiagonal,corr_mean_adjacent,remaining_r_k1,remaining_r_k25,remaining_r_k50,
//   remaining_r_k75,best_predictor,best_predictor_rel_rmse
std::string variants_csv(const Characterisation& c);
// samples.csv: variant,sample,latency_s,network_sparsity (one row per profiled sample)
std::string samples_csv(const Characterisation& c);
// layers.csv: variant,layer,sparsity_min,sparsity_mean,sparsity_max,latency_mean_s,latency_cv
std::string layers_csv(const Characterisation& c);
// correlation.csv: variant,layer_a,layer_b,r for every ordered pair of included layers
// (the full matrix, diagonal included).
std::string correlation_csv(const Characterisation& c);
// predictors.csv: the columns of predictor_accuracy_csv() (model,predictor,layers_observed,
// samples,mean_error_s,rmse_s,mean_abs_relative_error) then mean_remaining_s,relative_rmse.
std::string predictors_csv(const Characterisation& c);

// A GitHub-flavoured Markdown table of the main variants.csv columns, rounded for reading
// (latencies in ms).
std::string variants_markdown(const Characterisation& c);

// ---------------------------------------------------------------------------------------------
// By input source (docs/benchmark.md, "Characterisation by source"): where the dynamic spread
// comes from. The benchmark writes, per profile folder, sources/<folder>.csv with the columns
// model,sample,source (model = variant architecture, sample = the profile's sample id).

// architecture -> sample id -> source.
using SampleSources = std::map<std::string, std::map<std::int64_t, std::string>>;

// Reads a model,sample,source CSV (header first). Throws InputError naming file, line and field
// for a malformed row or a repeated (model, sample).
SampleSources read_sample_sources(const std::string& path);

// One variant restricted to the samples of one source.
struct SourceStats {
  std::string variant;
  std::string source;
  std::size_t samples = 0;
  Distribution latency_s;  // isolated latency over the source's samples
  // Over layers, of the per-layer input-sparsity range (max - min over the source's samples).
  double layer_range_min = 0, layer_range_mean = 0, layer_range_max = 0;
  Distribution network_sparsity;  // as VariantStats (weights of the whole variant)
};

// Per selected variant (options.variants; empty = all) whose architecture `sources` lists: one
// row per source, sources in order of first appearance in sample order, then "all". Samples not
// listed are an InputError naming the variant.
std::vector<SourceStats> characterise_by_source(const ProfileSet& profiles,
                                                const SampleSources& sources,
                                                const CharacteriseOptions& options);

// sources.csv: variant,source,samples,latency_mean_s,latency_cv,latency_min_s,latency_max_s,
//   layer_sparsity_range_min,layer_sparsity_range_mean,layer_sparsity_range_max,
//   network_sparsity_mean,network_sparsity_std
std::string sources_csv(const std::vector<SourceStats>& rows);
// Markdown table of the same (latencies in ms).
std::string sources_markdown(const std::vector<SourceStats>& rows);

}  // namespace dysta::benchmark
