// The attention side of the benchmark: PP-OCRv4 attention profiled on Sanger, the calibration of
// the statistical attention model, and the synthetic BERT / GPT-2 / BART workloads.
#include "dysta/benchmark/attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "dysta/accelerators/sanger.h"
#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/profile.h"
#include "dysta/py_random.h"
#include "inference/real_assets.h"
#include "test_util.h"

namespace dysta::benchmark {
namespace {

double logit(double p) {
  return std::log(p / (1.0 - p));
}

// Model parameters away from the clamps: densities 0.1-0.8, load balance 0.15-0.9.
AttentionCalibration known_parameters() {
  AttentionCalibration c;
  c.intercept = 4.0;
  c.slope = -1.0;
  c.sample_sd = 0.3;
  c.noise_sd = 0.4;
  c.rho = 0.6;
  c.layer_offset_sd = 0.4;
  c.lb_intercept = 0.5;
  c.lb_slope = 0.8;
  c.lb_residual_sd = 0.2;
  return c;
}

// Sequence lengths log-uniform in [20, 400].
std::vector<std::int64_t> spread_lengths(std::size_t n, std::uint64_t seed) {
  PyRandom rng(seed);
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::llround(20.0 * std::pow(20.0, rng.random())));
  }
  return out;
}

// Pooled lag-k correlation over samples of the per-layer-centred logit densities.
double lag_correlation(const ProfiledVariant& v, std::size_t k) {
  const std::size_t K = v.layer_names.size(), n = v.sample_ids.size();
  std::vector<double> mean(K, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t l = 0; l < K; ++l) mean[l] += logit(v.attention[i * K + l].density) / n;
  }
  const auto r = [&](std::size_t i, std::size_t l) {
    return logit(v.attention[i * K + l].density) - mean[l];
  };
  double cross = 0, sq_a = 0, sq_b = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t l = 0; l + k < K; ++l) {
      cross += r(i, l) * r(i, l + k);
      sq_a += r(i, l) * r(i, l);
      sq_b += r(i, l + k) * r(i, l + k);
    }
  }
  return cross / std::sqrt(sq_a * sq_b);
}

std::string native_text(const ProfiledVariant& v) {
  test::TempDir dir;
  write_native_profiles(to_profile_set({v}), dir.path() / "profiles.csv");
  return test::read_text(dir.path() / "profiles.csv");
}

TEST(AttentionCalibration, RecoversKnownParametersFromSynthesisedData) {
  const AttentionCalibration truth = known_parameters();
  const TransformerShape shape{"known", 40, 0, {}};
  const ProfiledVariant v = synthesize_attention(truth, shape, spread_lengths(2000, 3), 11);
  CalibrationOptions every_length;
  every_length.min_tokens = 1;
  const AttentionCalibration fit = calibrate_attention(v, every_length);
  EXPECT_EQ(fit.samples, 2000u);
  EXPECT_EQ(fit.layers, 40u);
  EXPECT_NEAR(fit.intercept, truth.intercept, 0.1);
  EXPECT_NEAR(fit.slope, truth.slope, 0.03);
  const double persistent = 0.09 / (0.09 + 0.16);
  EXPECT_NEAR(fit.residual_sd, 0.5, 0.01);
  EXPECT_NEAR(fit.lag1_corr, persistent + (1 - persistent) * 0.6, 0.02);
  EXPECT_NEAR(fit.persistent, persistent, 0.05);
  EXPECT_NEAR(fit.rho, truth.rho, 0.05);
  EXPECT_NEAR(fit.sample_sd, truth.sample_sd, 0.03);
  EXPECT_NEAR(fit.noise_sd, truth.noise_sd, 0.03);
  // The offsets are 40 draws: their spread matches the requested one up to sampling noise.
  EXPECT_NEAR(fit.layer_offset_sd, truth.layer_offset_sd, 0.12);
  EXPECT_NEAR(fit.lb_intercept, truth.lb_intercept, 0.02);
  EXPECT_NEAR(fit.lb_slope, truth.lb_slope, 0.02);
  EXPECT_NEAR(fit.lb_residual_sd, truth.lb_residual_sd, 0.01);
  EXPECT_GT(fit.r_squared, 0.8);
  EXPECT_GE(fit.tokens_min, 20);
  EXPECT_LE(fit.tokens_max, 400);
}

TEST(AttentionCalibration, TwoLayersIdentifyResidualSpreadAndLagOneCorrelation) {
  AttentionCalibration truth = known_parameters();
  // lag-1 correlation 0.36 + 0.64 * 0.6 = 0.744; with share 0.5 the calibration assumes 0.372.
  truth.sample_sd = 0.3;
  truth.noise_sd = 0.4;
  const ProfiledVariant v =
      synthesize_attention(truth, {"two", 2, 0, {}}, spread_lengths(4000, 5), 2);
  CalibrationOptions every_length;
  every_length.min_tokens = 1;
  const AttentionCalibration fit = calibrate_attention(v, every_length);
  const double r1 = 0.36 + 0.64 * 0.6;
  EXPECT_NEAR(fit.residual_sd, 0.5, 0.015);
  EXPECT_NEAR(fit.lag1_corr, r1, 0.02);
  EXPECT_TRUE(std::isnan(fit.lag2_corr));
  EXPECT_DOUBLE_EQ(fit.persistent, 0.5 * fit.lag1_corr);
  // Per-sample mean of 2 layers: variance residual_sd^2 (1 + r1) / 2.
  EXPECT_NEAR(fit.sample_mean_sd, 0.5 * std::sqrt((1 + r1) / 2), 0.015);
  ASSERT_EQ(fit.layer_offsets.size(), 2u);
  EXPECT_NEAR(fit.layer_offsets[0] + fit.layer_offsets[1], 0.0, 1e-12);
  // The model rebuilt from this fit reproduces the observed lag-1 correlation and spread.
  EXPECT_NEAR(fit.persistent + (1 - fit.persistent) * fit.rho, fit.lag1_corr, 1e-12);
  EXPECT_NEAR(fit.sample_sd * fit.sample_sd + fit.noise_sd * fit.noise_sd,
              fit.residual_sd * fit.residual_sd, 1e-12);
  CalibrationOptions all_persistent = every_length;
  all_persistent.persistent_share = 1.0;
  const AttentionCalibration shared = calibrate_attention(v, all_persistent);
  EXPECT_DOUBLE_EQ(shared.persistent, shared.lag1_corr);
  EXPECT_DOUBLE_EQ(shared.rho, 0.0);
}

TEST(AttentionCalibration, LeavesOutSamplesShorterThanTheFitRange) {
  const std::vector<std::int64_t> lengths = spread_lengths(200, 4);
  const ProfiledVariant v = synthesize_attention(known_parameters(), {"m", 2, 0, {}}, lengths, 1);
  const AttentionCalibration fit = calibrate_attention(v);
  const auto shorter =
      std::count_if(lengths.begin(), lengths.end(), [](std::int64_t t) { return t < 48; });
  EXPECT_GT(shorter, 0);
  EXPECT_EQ(fit.samples_excluded, static_cast<std::size_t>(shorter));
  EXPECT_EQ(fit.samples + fit.samples_excluded, 200u);
  EXPECT_EQ(fit.min_tokens, 48);
  EXPECT_GE(fit.tokens_min, 48);
  CalibrationOptions too_long;
  too_long.min_tokens = 1000;
  EXPECT_THROW(calibrate_attention(v, too_long), InputError);
}

TEST(AttentionCalibration, RejectsUnusableData) {
  const AttentionCalibration truth = known_parameters();
  EXPECT_THROW(calibrate_attention(synthesize_attention(truth, {"m", 2, 128, {}}, 2, 1)),
               InputError);
  // One length only: the length dependence is not identifiable.
  EXPECT_THROW(calibrate_attention(synthesize_attention(truth, {"m", 2, 128, {}}, 50, 1)),
               InputError);
  ProfiledVariant v = synthesize_attention(truth, {"m", 2, 0, {}}, spread_lengths(10, 1), 1);
  v.attention[3].density = 0;
  EXPECT_THROW(calibrate_attention(v), InputError);
  CalibrationOptions bad;
  bad.persistent_share = 1.5;
  EXPECT_THROW(calibrate_attention(v, bad), InputError);
}

TEST(AttentionCalibration, TableListsEveryNumber) {
  const ProfiledVariant v =
      synthesize_attention(known_parameters(), {"m", 2, 0, {}}, spread_lengths(30, 1), 1);
  const AttentionCalibration fit = calibrate_attention(v);
  const std::string table = calibration_table(fit);
  for (const char* row :
       {"intercept", "slope", "sample_mean_sd", "layer_offset[1]", "layer_offset_sd", "lag1_corr",
        "persistent", "rho", "lb_slope", "lb_residual_sd", "density_min", "tokens_max"}) {
    EXPECT_NE(table.find(std::string("\n") + row + " "), std::string::npos) << row;
  }
  EXPECT_NE(table.find(format_double(fit.slope)), std::string::npos);
  EXPECT_EQ(table, calibration_table(calibrate_attention(v)));
}

TEST(AttentionSynthesis, PaperShapes) {
  const std::vector<TransformerShape> shapes = paper_transformer_shapes();
  ASSERT_EQ(shapes.size(), 3u);
  EXPECT_EQ(shapes[0].name, "bert");
  EXPECT_EQ(shapes[0].seq_len, 384);
  EXPECT_EQ(shapes[1].name, "gpt2");
  EXPECT_EQ(shapes[1].seq_len, 128);
  EXPECT_EQ(shapes[2].name, "bart");
  EXPECT_EQ(shapes[2].seq_len, 128);
  for (const TransformerShape& s : shapes) EXPECT_EQ(s.layers, 12u);
  ASSERT_EQ(shapes[2].layer_names.size(), 12u);
  EXPECT_EQ(shapes[2].layer_names[0], "enc0");
  EXPECT_EQ(shapes[2].layer_names[11], "dec5");
}

TEST(AttentionSynthesis, DeterministicShapedAndInRange) {
  const AttentionCalibration c = known_parameters();
  for (const TransformerShape& shape : paper_transformer_shapes()) {
    const ProfiledVariant a = synthesize_attention(c, shape, 20, 7);
    const ProfiledVariant b = synthesize_attention(c, shape, 20, 7);
    const ProfiledVariant other = synthesize_attention(c, shape, 20, 8);
    EXPECT_EQ(a.model, shape.name);
    EXPECT_EQ(a.pattern, "");
    EXPECT_EQ(a.accelerator, "sanger");
    EXPECT_EQ(a.artifact_dir, "sanger");
    ASSERT_EQ(a.layer_names.size(), 12u);
    if (shape.layer_names.empty()) {
      EXPECT_EQ(a.layer_names[11], "attn11");
    }
    ASSERT_EQ(a.sample_ids.size(), 20u);
    EXPECT_EQ(a.sample_ids.back(), 19);
    ASSERT_EQ(a.attention.size(), 240u);
    ASSERT_EQ(a.latency_s.size(), 240u);
    ASSERT_EQ(a.detail.size(), 240u);
    EXPECT_EQ(artifact_csv_text(a), artifact_csv_text(b));
    EXPECT_EQ(native_text(a), native_text(b));
    EXPECT_NE(artifact_csv_text(a), artifact_csv_text(other));
    EXPECT_NE(native_text(a), native_text(other));
    const double L = static_cast<double>(shape.seq_len);
    for (std::size_t j = 0; j < a.attention.size(); ++j) {
      const AttentionStats& s = a.attention[j];
      EXPECT_GE(s.density, 1.0 / L);
      EXPECT_LE(s.density, 1.0);
      EXPECT_GE(s.load_balance, 1.0 / 32.0);
      EXPECT_LE(s.load_balance, 1.0);
      EXPECT_EQ(s.seq_len, shape.seq_len);
      EXPECT_TRUE(std::isnan(s.lb_25_skip));
      EXPECT_EQ(a.sparsity[j], 1.0 - s.density);
      const SangerLatency ref =
          sanger_latency(s.density, s.load_balance, shape.seq_len, {}, Semantics::corrected);
      EXPECT_EQ(a.latency_s[j], ref.total_s);
    }
  }
  // Same draws whether the lengths are given per sample or by the shape.
  const TransformerShape bert = paper_transformer_shapes()[0];
  EXPECT_EQ(artifact_csv_text(synthesize_attention(c, bert, 5, 3)),
            artifact_csv_text(synthesize_attention(c, bert, std::vector<std::int64_t>(5, 384), 3)));
}

TEST(AttentionSynthesis, CrossLayerCorrelationMatchesTheRequestedOne) {
  AttentionCalibration c = known_parameters();
  c.intercept = 3.0;  // density about 0.2 at L = 128
  c.sample_sd = 0.4;
  c.noise_sd = 0.3;
  c.rho = 0.7;
  const double persistent = 0.16 / 0.25;
  const ProfiledVariant v = synthesize_attention(c, {"corr", 12, 128, {}}, 4000, 21);
  EXPECT_NEAR(lag_correlation(v, 1), persistent + (1 - persistent) * 0.7, 0.02);
  EXPECT_NEAR(lag_correlation(v, 3), persistent + (1 - persistent) * std::pow(0.7, 3), 0.02);
  EXPECT_NEAR(lag_correlation(v, 11), persistent + (1 - persistent) * std::pow(0.7, 11), 0.03);
  // Independent layers when nothing is shared.
  c.sample_sd = 0;
  c.rho = 0;
  EXPECT_NEAR(lag_correlation(synthesize_attention(c, {"corr", 12, 128, {}}, 4000, 21), 1), 0.0,
              0.03);
}

TEST(AttentionSynthesis, ClampsDensityToOneKeptEntryPerRow) {
  AttentionCalibration c = known_parameters();
  c.intercept = -30;  // far below 1 / L
  const ProfiledVariant v = synthesize_attention(c, {"tiny", 2, 64, {}}, 5, 1);
  for (const AttentionStats& s : v.attention) EXPECT_EQ(s.density, 1.0 / 64.0);
}

TEST(AttentionSynthesis, RejectsBadInput) {
  const AttentionCalibration c = known_parameters();
  EXPECT_THROW(synthesize_attention(c, {"m", 0, 128, {}}, 5, 1), InputError);
  EXPECT_THROW(synthesize_attention(c, {"m", 2, 0, {}}, 5, 1), InputError);
  EXPECT_THROW(synthesize_attention(c, {"m", 2, 128, {}}, 0, 1), InputError);
  EXPECT_THROW(synthesize_attention(c, {"a b", 2, 128, {}}, 5, 1), InputError);
  EXPECT_THROW(synthesize_attention(c, {"m", 2, 128, {"x"}}, 5, 1), InputError);
  AttentionCalibration bad = c;
  bad.rho = 1.5;
  EXPECT_THROW(synthesize_attention(bad, {"m", 2, 128, {}}, 5, 1), InputError);
  bad = c;
  bad.noise_sd = -1;
  EXPECT_THROW(synthesize_attention(bad, {"m", 2, 128, {}}, 5, 1), InputError);
}

TEST(BenchmarkAttention, TokenBudgetsSpreadFrom20To400) {
  const std::vector<int> a = benchmark_token_budgets(50, 1);
  EXPECT_EQ(a, benchmark_token_budgets(50, 1));
  EXPECT_NE(a, benchmark_token_budgets(50, 2));
  ASSERT_EQ(a.size(), 50u);
  for (const int b : a) {
    EXPECT_GE(b, kMinTokens);
    EXPECT_LE(b, kMaxTokens);
  }
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_LE(sorted.front(), 22);
  EXPECT_GE(sorted.back(), 380);
  // One budget per log-scale stratum: the median is near sqrt(20 * 400) = 89.
  EXPECT_NEAR(sorted[25], 89, 10);
  EXPECT_FALSE(std::is_sorted(a.begin(), a.end()));
  EXPECT_TRUE(benchmark_token_budgets(0, 1).empty());
}

TEST(OcrAttention, RejectsBadOptionsBeforeLoadingTheModel) {
  inference::AssetPaths nowhere;
  nowhere.cache = "/nonexistent/dysta-cache";
  OcrAttentionOptions o;
  o.threshold = 0;
  EXPECT_THROW(profile_ocr_attention(nowhere, {"text"}, o), InputError);
  o.threshold = 0.01;
  o.threads = 0;
  EXPECT_THROW(profile_ocr_attention(nowhere, {"text"}, o), InputError);
  o.threads = 1;
  EXPECT_THROW(profile_ocr_attention(nowhere, {"text", "  "}, o), InputError);
  OcrAttentionOptions bad_param;
  bad_param.sanger_params = {{"hidden", -1}};
  EXPECT_THROW(profile_ocr_attention(nowhere, {"text"}, bad_param), InputError);
  EXPECT_THROW(profile_ocr_attention(nowhere, {"text"}, o), InputError);  // no model files
}

TEST(OcrAttention, RealLinesDecodeAndProfileIdenticallyForAnyThreadCount) {
  const inference::AssetPaths paths = test::require_assets();
  if (IsSkipped()) return;
  const std::vector<std::string> lines = {"Call me Ishmael.", "The abundant fruits of another year",
                                          "Some years ago, never mind how long precisely"};
  OcrAttentionOptions one;
  const OcrAttentionResult a = profile_ocr_attention(paths, lines, one);
  OcrAttentionOptions two;
  two.threads = 2;
  const OcrAttentionResult b = profile_ocr_attention(paths, lines, two);

  ASSERT_EQ(a.samples.size(), 3u);
  EXPECT_EQ(a.decode_accuracy(), 1.0);
  EXPECT_EQ(a.variant.model, "ppocrv4");
  EXPECT_EQ(a.variant.pattern, "");
  EXPECT_EQ(a.variant.accelerator, "sanger");
  EXPECT_EQ(a.variant.layer_names, (std::vector<std::string>{"attn0", "attn1"}));
  EXPECT_EQ(a.variant.sample_ids, (std::vector<std::int64_t>{0, 1, 2}));
  ASSERT_EQ(a.variant.attention.size(), 6u);
  const inference::TextRenderer renderer;
  for (std::size_t i = 0; i < 3; ++i) {
    const OcrSample& s = a.samples[i];
    EXPECT_EQ(s.text, lines[i]);
    EXPECT_EQ(s.decoded, lines[i]);
    EXPECT_TRUE(s.exact);
    EXPECT_EQ(s.tokens, renderer.width(lines[i]) / 8);
    for (std::size_t l = 0; l < 2; ++l) {
      const AttentionStats& st = a.variant.attention[i * 2 + l];
      EXPECT_GT(st.density, 0.0);
      EXPECT_LE(st.density, 1.0);
      EXPECT_GT(st.load_balance, 0.0);
      EXPECT_LE(st.load_balance, 1.0);
      EXPECT_FALSE(std::isnan(st.lb_25_no_skip));
      EXPECT_EQ(st.seq_len, s.tokens);
      EXPECT_EQ(a.variant.sparsity[i * 2 + l], 1.0 - st.density);
      EXPECT_EQ(
          a.variant.latency_s[i * 2 + l],
          sanger_latency(st.density, st.load_balance, s.tokens, {}, Semantics::corrected).total_s);
    }
    EXPECT_EQ(b.samples[i].decoded, s.decoded);
    EXPECT_EQ(b.samples[i].tokens, s.tokens);
  }
  EXPECT_EQ(a.variant.latency_s, b.variant.latency_s);
  EXPECT_EQ(artifact_csv_text(a.variant), artifact_csv_text(b.variant));
  EXPECT_EQ(native_text(a.variant), native_text(b.variant));
  // A higher threshold keeps fewer entries.
  OcrAttentionOptions strict;
  strict.threshold = 0.05;
  const OcrAttentionResult c = profile_ocr_attention(paths, {lines[2]}, strict);
  EXPECT_LT(c.variant.attention[0].density, a.variant.attention[4].density);
  // The Sanger constants are options: SVTR's real width d = 120 makes the linear layers cheaper.
  OcrAttentionOptions narrow;
  narrow.sanger_params = {{"hidden", 120}};
  const OcrAttentionResult d = profile_ocr_attention(paths, {lines[2]}, narrow);
  EXPECT_EQ(d.variant.attention[0].density, a.variant.attention[4].density);
  EXPECT_LT(d.variant.latency_s[0], a.variant.latency_s[4]);
}

TEST(BenchmarkAttention, TextLinesAreDeterministicAndOfSpreadLengths) {
  const inference::AssetPaths paths = test::require_assets();
  if (IsSkipped()) return;
  const std::vector<std::string> a = benchmark_text_lines(paths, 30, 1);
  EXPECT_EQ(a, benchmark_text_lines(paths, 30, 1));
  EXPECT_NE(a, benchmark_text_lines(paths, 30, 2));
  ASSERT_EQ(a.size(), 30u);
  const std::vector<int> budgets = benchmark_token_budgets(30, 1);
  const inference::TextRenderer renderer;
  std::vector<int> tokens;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_FALSE(a[i].empty());
    const int t = renderer.width(a[i]) / 8;
    tokens.push_back(t);
    if (a[i].find(' ') != std::string::npos) {
      EXPECT_LE(t, budgets[i]) << a[i];
    }
  }
  EXPECT_LE(*std::min_element(tokens.begin(), tokens.end()), 30);
  EXPECT_GE(*std::max_element(tokens.begin(), tokens.end()), 300);
  EXPECT_GE(std::set<std::string>(a.begin(), a.end()).size(), 29u);
  EXPECT_EQ(benchmark_text_lines(paths, 0, 1).size(), 0u);
}

}  // namespace
}  // namespace dysta::benchmark
