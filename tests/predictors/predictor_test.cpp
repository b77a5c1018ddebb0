// Latency predictors of the sparsity monitor (spec D, quirk Q10) and the regression predictor.
#include "dysta/predictor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "test_util.h"

namespace dysta {
namespace {

// One variant, 4 layers, 2 samples with sparsities [0.5, 0.5, 0.5, 0.5] and [0, 0.5, 0.75, 0.25]:
// average sparsity [0.25, 0.5, 0.625, 0.375], average density [0.75, 0.5, 0.375, 0.625] (all
// exact in binary). Measured sparsities [0.625, 0, 0.25, 0.375] give densities
// [0.375, 1, 0.75, 0.625] and ratios rho = [0.5, 2, 2, 1].
ProfileSet four_layer_set() {
  return ProfileSet({test::simple_variant("v", "v", 4, {1, 1, 1, 1, 1, 1, 1, 1},
                                          {0.5, 0.5, 0.5, 0.5, 0.0, 0.5, 0.75, 0.25})});
}
const double kMeasured[] = {0.625, 0.0, 0.25, 0.375};

std::vector<double> run(const Predictor& p) {
  PredictorState st;
  std::vector<double> gammas;
  for (std::uint32_t l = 0; l < 4; ++l) gammas.push_back(p.observe(st, 0, l, kMeasured[l]));
  EXPECT_EQ(st.count, 4u);
  return gammas;
}

TEST(Predictor, DensityRatio) {
  EXPECT_EQ(density_ratio(0.625, 0.25), 0.5);
  EXPECT_EQ(density_ratio(0.0, 0.5), 2.0);
  // An average density of 0 carries no information.
  EXPECT_EQ(density_ratio(0.3, 1.0), 1.0);
}

// Average ratio: gamma_k = mean of rho_0..rho_{k-1} = 0.5, 1.25, 1.5, 1.375.
TEST(Predictor, AverageRatio) {
  const ProfileSet set = four_layer_set();
  EXPECT_EQ(set.variant(0).avg_sparsity, (std::vector<double>{0.25, 0.5, 0.625, 0.375}));
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto p = make_predictor("average", set, {}, sem);
    EXPECT_EQ(run(*p), (std::vector<double>{0.5, 1.25, 1.5, 1.375}));
  }
}

// Last-one: gamma_k = rho_{k-1} = 0.5, 2, 2, 1.
TEST(Predictor, LastOne) {
  const ProfileSet set = four_layer_set();
  auto p = make_predictor("last_one", set, {}, Semantics::reference);
  EXPECT_EQ(run(*p), (std::vector<double>{0.5, 2.0, 2.0, 1.0}));
}

// Last-N with n = 3 (the default). reference always divides by 3 (Q10):
// 0.5/3, 2.5/3, 4.5/3, (2+2+1)/3. corrected divides by the count: 0.5, 1.25, 1.5, 5/3.
TEST(Predictor, LastNQ10) {
  const ProfileSet set = four_layer_set();
  auto ref = make_predictor("last_n", set, {}, Semantics::reference);
  EXPECT_EQ(run(*ref), (std::vector<double>{0.5 / 3, 2.5 / 3, 4.5 / 3, 5.0 / 3}));
  auto cor = make_predictor("last_n", set, {{"n", 3}}, Semantics::corrected);
  EXPECT_EQ(run(*cor), (std::vector<double>{0.5, 1.25, 1.5, 5.0 / 3}));
  // n = 2: windows [0.5], [0.5, 2], [2, 2], [2, 1].
  auto two = make_predictor("last_n", set, {{"n", 2}}, Semantics::corrected);
  EXPECT_EQ(run(*two), (std::vector<double>{0.5, 1.25, 2.0, 1.5}));
}

TEST(Predictor, LastNRejectsBadWindow) {
  const ProfileSet set = four_layer_set();
  for (double n : {0.0, 17.0, 2.5}) {
    const InputError e = test::capture_input_error([&] {
      make_predictor("last_n", set, {{"n", n}}, Semantics::corrected);
    });
    EXPECT_EQ(e.field(), "predictor_params.n");
  }
}

// Regression: 3 layers, 3 samples. Layer-0 sparsities [0.25, 0.5, 0.75] (average 0.5, density
// 0.5) give rho_0 = [1.5, 1, 0.5]; layer-1 latencies 2 rho_0 = [3, 2, 1], layer-2 latencies 1.
// True remaining after layer 0 = [4, 3, 2]; average remaining = 2 + 1 = 3, so
// y = (2 rho + 1) / 3 exactly: slope 2/3, intercept 1/3. gamma x 3 then reproduces the true
// remaining latency, also for a ratio not in the profile (rho 1.25 -> 2.5 + 1 = 3.5).
TEST(Predictor, RegressionReproducesLinearRemaining) {
  const ProfileSet set({test::simple_variant("v", "v", 3, {1, 3, 1, 1, 2, 1, 1, 1, 1},
                                             {0.25, 0.5, 0.5, 0.5, 0.5, 0.5, 0.75, 0.5, 0.5})});
  const VariantProfile& v = set.variant(0);
  ASSERT_EQ(v.est_remaining_pattern_s[1], 3.0);
  auto p = make_predictor("regression", set, {}, Semantics::corrected);
  const double measured[] = {0.25, 0.5, 0.75, 0.375};
  const double remaining[] = {4.0, 3.0, 2.0, 3.5};
  for (int i = 0; i < 4; ++i) {
    PredictorState st;
    const double gamma = p->observe(st, 0, 0, measured[i]);
    EXPECT_NEAR(gamma * v.est_remaining_pattern_s[1], remaining[i], 1e-12) << i;
  }
  // Layer-1 ratios are all 1 (no variation): slope 0, intercept mean(y) = 1 / 1 = 1.
  PredictorState st;
  p->observe(st, 0, 0, 0.5);
  EXPECT_NEAR(p->observe(st, 0, 1, 0.5), 1.0, 1e-12);
  // After the last layer nothing is left to predict.
  EXPECT_EQ(p->observe(st, 0, 2, 0.5), 1.0);
}

// observe_layers() of any run of layers leaves the state and returns the gamma of observe()
// called layer by layer, bit for bit, for every registered predictor (Scheduler::run_sole()
// uses it). Sparsities not exact in binary, so the ratios' sums round.
TEST(Predictor, ObserveLayersEqualsObserveLayerByLayer) {
  constexpr std::uint32_t kLayers = 12;
  std::vector<double> latency, sparsity;
  std::uint64_t x = 12345;
  auto next = [&] {  // LCG in [0, 1)
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(x >> 11) * 0x1p-53;
  };
  for (std::uint32_t i = 0; i < 3 * kLayers; ++i) {
    latency.push_back(0.001 + next());
    sparsity.push_back(0.9 * next());
  }
  const ProfileSet set({test::simple_variant("v", "v", kLayers, latency, sparsity)});
  std::vector<double> measured;
  for (std::uint32_t l = 0; l < kLayers; ++l) measured.push_back(0.95 * next());
  for (const PredictorInfo* info : predictor_registry().all()) {
    for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
      auto p = make_predictor(info->name, set, {}, sem);
      for (std::uint32_t split = 1; split < kLayers; ++split) {
        PredictorState one, many;
        double gamma_one = 0, gamma_many = 0;
        for (std::uint32_t l = 0; l < kLayers; ++l) {
          gamma_one = p->observe(one, 0, l, measured[l]);
        }
        // Runs of `split` layers (the last one shorter).
        for (std::uint32_t l = 0; l < kLayers; l += split) {
          const std::uint32_t n = std::min(split, kLayers - l);
          gamma_many = p->observe_layers(many, 0, l, measured.data() + l, n);
        }
        EXPECT_EQ(gamma_many, gamma_one) << info->name << " split " << split;
        EXPECT_EQ(many.sum, one.sum) << info->name;
        EXPECT_EQ(many.count, one.count) << info->name;
      }
    }
  }
}

TEST(Predictor, UnknownNameListsValid) {
  const ProfileSet set = four_layer_set();
  const InputError e =
      test::capture_input_error([&] { make_predictor("ema", set, {}, Semantics::corrected); });
  const std::string what = e.what();
  for (const char* name : {"average", "last_n", "last_one", "regression"}) {
    EXPECT_NE(what.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace dysta
