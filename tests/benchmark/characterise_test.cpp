// Profile-set characterisation (include/dysta/benchmark/characterise.h): hand-computed statistics
// on tiny variants, the `dysta characterise` CLI on the shipped synthetic sets, and the figure
// script scripts/plots/benchmark_figures.py.
#include "dysta/benchmark/characterise.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "test_paths.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta::benchmark {
namespace {

// 3 samples x 4 layers. Isolated latencies 1, 2, 3 s (each layer a quarter). Sparsity per layer
// over samples: layer 0 = 0.1, 0.2, 0.3; layer 1 = 0.2, 0.4, 0.6 (r = 1 with layer 0); layer 2 =
// 0.5 for all (constant, excluded); layer 3 = 0.9, 0.8, 0.7 (r = -1 with layers 0 and 1).
VariantProfile tiny() {
  return make_variant("tiny_dense", "tiny", "dense", {10, 11, 12}, 4,
                      {0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75, 0.75},
                      {0.1, 0.2, 0.5, 0.9, 0.2, 0.4, 0.5, 0.8, 0.3, 0.6, 0.5, 0.7});
}

constexpr double kEps = 1e-12;

TEST(Characterise, DistributionUsesPopulationStd) {
  const std::vector<double> v = {1, 2, 3};
  const Distribution d = distribution(v);
  EXPECT_DOUBLE_EQ(d.mean, 2);
  EXPECT_NEAR(d.std, std::sqrt(2.0 / 3.0), kEps);
  EXPECT_EQ(d.min, 1);
  EXPECT_EQ(d.max, 3);
  EXPECT_NEAR(d.cv, std::sqrt(2.0 / 3.0) / 2, kEps);
  EXPECT_TRUE(std::isnan(distribution(std::vector<double>{}).mean));
  EXPECT_TRUE(std::isnan(distribution(std::vector<double>{0, 0}).cv));  // mean 0
}

TEST(Characterise, PearsonHandComputed) {
  const std::vector<double> x = {0.1, 0.2, 0.3}, up = {0.2, 0.4, 0.6}, down = {0.9, 0.8, 0.7};
  EXPECT_NEAR(pearson(x, up), 1.0, kEps);
  EXPECT_NEAR(pearson(x, down), -1.0, kEps);
  // x = 1, 2, 3 and y = 1, 3, 2: cov = 1, var = 2 and 2 -> r = 0.5.
  EXPECT_NEAR(pearson(std::vector<double>{1, 2, 3}, std::vector<double>{1, 3, 2}), 0.5, kEps);
  EXPECT_TRUE(std::isnan(pearson(x, std::vector<double>{0.5, 0.5, 0.5})));  // zero variance
  EXPECT_TRUE(std::isnan(pearson(std::vector<double>{1}, std::vector<double>{2})));
}

TEST(Characterise, LatencySpreadAndSparsityRanges) {
  const VariantStats s = characterise_variant(tiny());
  EXPECT_EQ(s.name, "tiny_dense");
  EXPECT_EQ(s.architecture, "tiny");
  EXPECT_EQ(s.pattern, "dense");
  EXPECT_EQ(s.samples, 3u);
  EXPECT_EQ(s.layers, 4u);
  EXPECT_EQ(s.sample_ids, (std::vector<std::int64_t>{10, 11, 12}));
  EXPECT_EQ(s.sample_latency_s, (std::vector<double>{1, 2, 3}));
  EXPECT_DOUBLE_EQ(s.latency_s.mean, 2);
  EXPECT_EQ(s.latency_s.min, 1);
  EXPECT_EQ(s.latency_s.max, 3);
  EXPECT_NEAR(s.latency_s.std, std::sqrt(2.0 / 3.0), kEps);
  EXPECT_NEAR(s.latency_s.cv, std::sqrt(2.0 / 3.0) / 2, kEps);

  ASSERT_EQ(s.per_layer.size(), 4u);
  EXPECT_EQ(s.per_layer[0].layer, 0u);
  EXPECT_EQ(s.per_layer[0].sparsity_min, 0.1);
  EXPECT_EQ(s.per_layer[0].sparsity_max, 0.3);
  EXPECT_NEAR(s.per_layer[0].sparsity_mean, 0.2, kEps);
  EXPECT_NEAR(s.per_layer[3].sparsity_mean, 0.8, kEps);
  EXPECT_EQ(s.per_layer[2].sparsity_min, 0.5);
  EXPECT_EQ(s.per_layer[2].sparsity_max, 0.5);
  EXPECT_DOUBLE_EQ(s.per_layer[1].latency_mean_s, 0.5);
  EXPECT_NEAR(s.per_layer[1].latency_cv, std::sqrt(2.0 / 3.0) / 2, kEps);
  // Ranges 0.2, 0.4, 0, 0.2.
  EXPECT_EQ(s.layer_range_min, 0.0);
  EXPECT_NEAR(s.layer_range_max, 0.4, kEps);
  EXPECT_NEAR(s.layer_range_mean, 0.2, kEps);

  // Equal average layer latencies -> equal weights: 1.7/4, 1.9/4, 2.1/4; PRR = 0.1 / 0.475.
  ASSERT_EQ(s.sample_network_sparsity.size(), 3u);
  EXPECT_NEAR(s.sample_network_sparsity[0], 0.425, kEps);
  EXPECT_NEAR(s.sample_network_sparsity[2], 0.525, kEps);
  EXPECT_NEAR(s.network_sparsity.mean, 0.475, kEps);
  EXPECT_NEAR(s.network_sparsity_prr, 0.1 / 0.475, kEps);
}

TEST(Characterise, NetworkSparsityIsWeightedByAverageLayerLatency) {
  // Average layer latencies 1 and 3 s -> weights 0.25 and 0.75. Samples: 0.25*0.4 = 0.1 and
  // 0.75*0.8 = 0.6; mean 0.35, PRR 0.5 / 0.35.
  const VariantStats s = characterise_variant(
      make_variant("w", "w", "", {0, 1}, 2, {1, 3, 1, 3}, {0.4, 0.0, 0.0, 0.8}));
  EXPECT_NEAR(s.sample_network_sparsity[0], 0.1, kEps);
  EXPECT_NEAR(s.sample_network_sparsity[1], 0.6, kEps);
  EXPECT_NEAR(s.network_sparsity_prr, 0.5 / 0.35, kEps);
  // Both layers vary: perfectly anti-correlated.
  EXPECT_EQ(s.correlation.layers, (std::vector<std::size_t>{0, 1}));
  EXPECT_NEAR(s.correlation.at(0, 1), -1.0, kEps);
}

TEST(Characterise, CrossLayerCorrelationExcludesConstantLayers) {
  const LayerCorrelation c = characterise_variant(tiny()).correlation;
  EXPECT_EQ(c.layers, (std::vector<std::size_t>{0, 1, 3}));
  EXPECT_EQ(c.excluded, 1u);
  ASSERT_EQ(c.r.size(), 9u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(c.at(i, i), 1.0);
  EXPECT_NEAR(c.at(0, 1), 1.0, kEps);
  EXPECT_NEAR(c.at(1, 0), 1.0, kEps);
  EXPECT_NEAR(c.at(0, 2), -1.0, kEps);
  EXPECT_NEAR(c.at(1, 2), -1.0, kEps);
  EXPECT_LE(c.at(0, 1), 1.0);  // clamped
  EXPECT_NEAR(c.mean_offdiagonal, -1.0 / 3.0, kEps);
  // Adjacent included pairs: (0, 1) only; (1, 2) and (2, 3) involve the constant layer 2.
  EXPECT_EQ(c.adjacent_pairs, 1u);
  EXPECT_NEAR(c.mean_adjacent, 1.0, kEps);
}

TEST(Characterise, EarlySparsityVsRemainingLatency) {
  const VariantStats s = characterise_variant(tiny());
  ASSERT_EQ(s.remaining.size(), 4u);
  // L = 4: k = clamp(round(f x 4), 1, 3) = 1, 1, 2, 3.
  EXPECT_EQ(s.remaining[0].k, 1u);
  EXPECT_EQ(s.remaining[1].k, 1u);
  EXPECT_EQ(s.remaining[2].k, 2u);
  EXPECT_EQ(s.remaining[3].k, 3u);
  // Early mean sparsity and remaining latency both grow with the sample: r = 1.
  EXPECT_NEAR(s.remaining[0].r, 1.0, kEps);
  EXPECT_NEAR(s.remaining[2].r, 1.0, kEps);
  // A single-layer variant has nothing left to predict.
  const VariantStats one =
      characterise_variant(make_variant("o", "o", "", {0, 1}, 1, {1, 2}, {0.1, 0.2}));
  EXPECT_EQ(one.remaining[0].k, 0u);
  EXPECT_TRUE(std::isnan(one.remaining[0].r));
  EXPECT_TRUE(std::isnan(one.correlation.mean_offdiagonal));
  EXPECT_TRUE(std::isnan(one.correlation.mean_adjacent));
}

TEST(Characterise, PredictorRelativeRmse) {
  const ProfileSet set({tiny()});
  const Characterisation c = characterise(set, {});
  ASSERT_EQ(c.variants.size(), 1u);
  ASSERT_EQ(c.predictors.size(), 4u * 4u);  // 4 predictors x k = 0..3
  // k = 0: estimate = mean isolated latency 2 s, truths 1, 2, 3 -> RMSE sqrt(2/3), relative to
  // the mean remaining latency 2 s.
  const PredictorError& first = c.predictors.front();
  EXPECT_EQ(first.accuracy.model, "tiny_dense");
  EXPECT_EQ(first.accuracy.predictor, "average");
  EXPECT_EQ(first.accuracy.layers_observed, 0u);
  EXPECT_DOUBLE_EQ(first.mean_remaining_s, 2);
  EXPECT_NEAR(first.relative_rmse, std::sqrt(2.0 / 3.0) / 2, kEps);
  for (const PredictorError& e : c.predictors) {
    EXPECT_NEAR(e.relative_rmse, e.accuracy.rmse_s / e.mean_remaining_s, kEps);
  }
  // k = 2: remaining latencies 0.5, 1, 1.5 -> mean 1.
  EXPECT_DOUBLE_EQ(c.predictors[2].mean_remaining_s, 1.0);
  EXPECT_EQ(c.predictors[8].accuracy.predictor, "last_n n=3");
  EXPECT_FALSE(c.variants[0].best_predictor.empty());
  EXPECT_FALSE(std::isnan(c.variants[0].best_predictor_rel_rmse));
  // characterise_variant leaves the predictor summary empty.
  EXPECT_TRUE(characterise_variant(tiny()).best_predictor.empty());
}

TEST(Characterise, SelectsVariantsAndRejectsUnknownNames) {
  const ProfileSet set(
      {tiny(), make_variant("b", "b", "", {0, 1}, 2, {1, 1, 2, 2}, {0.1, 0.2, 0.3, 0.4})});
  CharacteriseOptions options;
  options.variants = {"tiny_dense"};
  const Characterisation c = characterise(set, options);
  ASSERT_EQ(c.variants.size(), 1u);
  EXPECT_EQ(c.variants[0].name, "tiny_dense");
  for (const auto& e : c.predictors) EXPECT_EQ(e.accuracy.model, "tiny_dense");

  options.variants = {"nope"};
  const InputError e = test::capture_input_error([&] { characterise(set, options); });
  EXPECT_EQ(e.field(), "--variants");
  EXPECT_NE(e.message().find("unknown variant 'nope'"), std::string::npos) << e.what();
  EXPECT_NE(e.message().find("b, tiny_dense"), std::string::npos) << e.what();
}

TEST(Characterise, TablesHaveTheDocumentedColumns) {
  const Characterisation c = characterise(ProfileSet({tiny()}), {});
  const auto header = [](const std::string& csv) { return csv.substr(0, csv.find('\n')); };
  EXPECT_EQ(header(layers_csv(c)),
            "variant,layer,sparsity_min,sparsity_mean,sparsity_max,latency_mean_s,latency_cv");
  EXPECT_EQ(header(correlation_csv(c)), "variant,layer_a,layer_b,r");
  EXPECT_EQ(header(samples_csv(c)), "variant,sample,latency_s,network_sparsity");
  EXPECT_EQ(header(predictors_csv(c)),
            "model,predictor,layers_observed,samples,mean_error_s,rmse_s,"
            "mean_abs_relative_error,mean_remaining_s,relative_rmse");
  EXPECT_EQ(header(variants_csv(c)).rfind("variant,architecture,pattern,samples,layers,", 0), 0u);
  // 3 included layers -> 9 matrix cells; 4 layers; 3 samples; 16 predictor rows.
  const auto rows = [](const std::string& csv) {
    return static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')) - 1;
  };
  EXPECT_EQ(rows(correlation_csv(c)), 9u);
  EXPECT_EQ(rows(layers_csv(c)), 4u);
  EXPECT_EQ(rows(samples_csv(c)), 3u);
  EXPECT_EQ(rows(predictors_csv(c)), 16u);
  EXPECT_EQ(rows(variants_csv(c)), 1u);
  EXPECT_NE(correlation_csv(c).find("tiny_dense,0,3,-"), std::string::npos);
  EXPECT_EQ(correlation_csv(c).find("tiny_dense,2,"), std::string::npos);  // constant layer
  EXPECT_NE(samples_csv(c).find("tiny_dense,12,3,"), std::string::npos);
  // Every variants.csv row has as many cells as the header.
  const std::string v = variants_csv(c);
  const std::string head = header(v), row = v.substr(v.find('\n') + 1);
  EXPECT_EQ(std::count(row.begin(), row.end(), ','), std::count(head.begin(), head.end(), ','));
  const std::string md = variants_markdown(c);
  EXPECT_EQ(md.rfind("| variant", 0), 0u) << md;
  EXPECT_NE(md.find("| tiny_dense"), std::string::npos) << md;
  EXPECT_NE(md.find("|:--"), std::string::npos) << md;
}

// --- CLI and figure script -----------------------------------------------------------------

using test::shell;

std::string quoted(const std::string& text) {
  return test::shell_quoted(text);
}

test::CommandResult dysta(const fs::path& cwd, const std::string& args) {
  return test::dysta_cli(cwd, args);
}

std::string synthetic(const std::string& set) {
  return quoted(std::string(DYSTA_SOURCE_DIR) + "/data/synthetic/" + set);
}

std::string first_line(const fs::path& path) {
  const std::string text = test::read_text(path);
  return text.substr(0, text.find('\n'));
}

TEST(CharacteriseCli, WritesAllTablesForTheSyntheticSets) {
  test::TempDir dir;
  for (const char* name : {"eyerissv2", "sanger"}) {
    const std::string set = name;
    const auto r = dysta(dir.path(), "characterise --profiles " + synthetic(set) + " --out " + set);
    ASSERT_EQ(r.status, 0) << r.err;
    const fs::path out = dir.path() / set;
    EXPECT_EQ(first_line(out / "variants.csv").rfind("variant,architecture,pattern,samples,", 0),
              0u);
    EXPECT_EQ(first_line(out / "layers.csv"),
              "variant,layer,sparsity_min,sparsity_mean,sparsity_max,latency_mean_s,latency_cv");
    EXPECT_EQ(first_line(out / "correlation.csv"), "variant,layer_a,layer_b,r");
    EXPECT_EQ(first_line(out / "samples.csv"), "variant,sample,latency_s,network_sparsity");
    EXPECT_EQ(first_line(out / "predictors.csv"),
              "model,predictor,layers_observed,samples,mean_error_s,rmse_s,"
              "mean_abs_relative_error,mean_remaining_s,relative_rmse");
    const std::string variants = test::read_text(out / "variants.csv");
    EXPECT_EQ(std::count(variants.begin(), variants.end(), '\n'), 4) << variants;  // 3 variants
    // The Markdown table: header, separator, one row per variant.
    EXPECT_EQ(r.out.rfind("| variant", 0), 0u) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 5) << r.out;
  }
  EXPECT_NE(test::read_text(dir.path() / "sanger/variants.csv").find("load_balance_bert_squad_384"),
            std::string::npos);
  // Deterministic: a rerun writes identical files; --variants keeps only the named ones.
  const auto again =
      dysta(dir.path(), "characterise -q --profiles " + synthetic("sanger") + " --out again");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_TRUE(again.out.empty());
  for (const char* f :
       {"variants.csv", "samples.csv", "layers.csv", "correlation.csv", "predictors.csv"}) {
    EXPECT_EQ(test::read_text(dir.path() / "again" / f), test::read_text(dir.path() / "sanger" / f))
        << f;
  }
  const auto some = dysta(dir.path(), "characterise --profiles " + synthetic("eyerissv2") +
                                          " --variants netB_block4_sparse20,netA_filter_sparse20"
                                          " --semantics reference --out some");
  ASSERT_EQ(some.status, 0) << some.err;
  const std::string variants = test::read_text(dir.path() / "some/variants.csv");
  EXPECT_EQ(std::count(variants.begin(), variants.end(), '\n'), 3) << variants;
  EXPECT_EQ(variants.find("netA_unstructured"), std::string::npos);
}

TEST(CharacteriseCli, BadInputExitsWithStatus2) {
  test::TempDir dir;
  const auto missing = dysta(dir.path(), "characterise --profiles no/such/folder --out x");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("no/such/folder"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir.path() / "x"));

  const auto unknown =
      dysta(dir.path(), "characterise --profiles " + synthetic("sanger") +
                            " --variants load_balance_bert_squad_384,bert --out x");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(
      unknown.err.find("--variants: unknown variant 'bert' (valid: load_balance_bart_glue_128"),
      std::string::npos)
      << unknown.err;
  EXPECT_FALSE(fs::exists(dir.path() / "x"));

  const auto semantics = dysta(
      dir.path(), "characterise --profiles " + synthetic("sanger") + " --semantics exact --out x");
  EXPECT_EQ(semantics.status, 2);
  EXPECT_NE(semantics.err.find("semantics"), std::string::npos) << semantics.err;

  const auto empty_name = dysta(
      dir.path(), "characterise --profiles " + synthetic("sanger") + " --variants a,,b --out x");
  EXPECT_EQ(empty_name.status, 2);
  EXPECT_NE(empty_name.err.find("--variants"), std::string::npos) << empty_name.err;
}

bool have_matplotlib() {
  return std::system("/usr/bin/python3 -c 'import matplotlib' > /dev/null 2>&1") == 0;
}

TEST(CharacteriseCli, FigureScriptDrawsEveryFigure) {
  if (!have_matplotlib()) GTEST_SKIP() << "python3-matplotlib not installed";
  test::TempDir dir;
  ASSERT_EQ(
      dysta(dir.path(), "characterise -q --profiles " + synthetic("eyerissv2") + " --out c").status,
      0);
  const std::string script =
      "/usr/bin/python3 " +
      quoted(std::string(DYSTA_SOURCE_DIR) + "/scripts/plots/benchmark_figures.py") + " ";
  const auto r = shell(dir.path(), script + "c --out figs --title 'synthetic eyerissv2'");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* name :
       {"latency_distribution", "sparsity_ranges", "correlation", "predictor_rmse"}) {
    for (const char* ext : {".png", ".svg"}) {
      const fs::path image = dir.path() / "figs" / (std::string(name) + ext);
      ASSERT_TRUE(fs::exists(image)) << image;
      EXPECT_GT(fs::file_size(image), 10000u) << image;
    }
    EXPECT_EQ(test::read_text(dir.path() / "figs" / (std::string(name) + ".png")).substr(1, 3),
              "PNG");
  }
  // Chosen variants; an unknown one is an error naming it.
  const auto some = shell(dir.path(), script +
                                          "c --out some --formats png --variants "
                                          "netB_block4_sparse20");
  ASSERT_EQ(some.status, 0) << some.err;
  EXPECT_TRUE(fs::exists(dir.path() / "some/correlation.png"));
  const auto bad = shell(dir.path(), script + "c --out bad --variants nope");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("nope"), std::string::npos) << bad.err;
  const auto missing = shell(dir.path(), script + "no_such_folder");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("dysta characterise"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace dysta::benchmark
