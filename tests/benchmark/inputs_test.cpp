// Benchmark inputs (src/benchmark/inputs.cpp): the low-light corruption (Brooks et al. 2019) and
// the input lists' structure.
#include "dysta/benchmark/inputs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace dysta::benchmark {
namespace {

inference::Image grey_ramp() {
  inference::Image img;
  img.width = 64;
  img.height = 4;
  img.rgb.resize(static_cast<std::size_t>(img.width * img.height * 3));
  for (std::size_t i = 0; i < img.rgb.size(); ++i) {
    img.rgb[i] = static_cast<std::uint8_t>((i / 3) % 64 * 4);
  }
  return img;
}

double mean(const inference::Image& img) {
  double s = 0;
  for (const auto v : img.rgb) s += v;
  return s / static_cast<double>(img.rgb.size());
}

TEST(LowLight, ToneCurveAndItsInverseRoundTrip) {
  for (double x = 0; x <= 1.0; x += 0.05) {
    EXPECT_NEAR(inverse_smoothstep_tone(smoothstep_tone(x)), x, 1e-12);
  }
  EXPECT_DOUBLE_EQ(smoothstep_tone(0.5), 0.5);
  EXPECT_DOUBLE_EQ(smoothstep_tone(1.0), 1.0);
  EXPECT_NEAR(inverse_smoothstep_tone(0.0), 0.0, 1e-15);
}

TEST(LowLight, NoiselessUnitExposureIsTheIdentity) {
  // With exposure 1 and no noise, inverting and re-applying the pipeline returns every 8-bit
  // value (up to the final rounding).
  const LowLightLevel identity{"id", 1.0, 0.0, 0.0};
  const inference::Image in = grey_ramp();
  const inference::Image out = low_light(in, identity, "k");
  EXPECT_EQ(out.rgb, in.rgb);
}

TEST(LowLight, ExposureScalesLinearLightAndLevelsDarkenInOrder) {
  const inference::Image in = grey_ramp();
  // Noiseless 1/8 exposure of a mid-grey pixel: y = 128 -> linear l -> tone(gamma(l / 8)).
  const LowLightLevel dim_clean{"d", 1.0 / 8, 0.0, 0.0};
  const inference::Image d = low_light(in, dim_clean, "k");
  const double y = 128 / 255.0;
  const double lin = std::pow(inverse_smoothstep_tone(y), 2.2) / 8;
  const double expected = smoothstep_tone(std::pow(lin, 1 / 2.2)) * 255;
  // pixel value 128 is at ramp position 32.
  EXPECT_EQ(d.rgb[32 * 3], static_cast<std::uint8_t>(std::lround(expected)));
  const double m0 = mean(in), m1 = mean(low_light(in, kLowLightLevels[0], "k")),
               m2 = mean(low_light(in, kLowLightLevels[1], "k"));
  EXPECT_LT(m1, 0.6 * m0);
  EXPECT_LT(m2, m1);
}

TEST(LowLight, NoiseIsDeterministicPerKeyAndFollowsThePapersReadShotFit) {
  const inference::Image in = grey_ramp();
  EXPECT_EQ(low_light(in, kLowLightLevels[1], "a").rgb, low_light(in, kLowLightLevels[1], "a").rgb);
  EXPECT_NE(low_light(in, kLowLightLevels[1], "a").rgb, low_light(in, kLowLightLevels[1], "b").rgb);
  for (const auto& level : kLowLightLevels) {
    // ln read = 2.18 ln shot + 1.20 (Brooks et al. 2019), to the 3 digits written.
    EXPECT_NEAR(level.read, std::exp(2.18 * std::log(level.shot) + 1.20), 0.005 * level.read);
  }
}

TEST(BenchmarkInputs, CalibrationAndEvaluationInputsAreDisjoint) {
  inference::AssetPaths paths;
  paths.cache = "/nonexistent-cache";
  ImageInputOptions o;
  const auto eval = scene_inputs(paths, o);
  const auto cal = scene_calibration_inputs(paths);
  std::set<std::string> ids;
  std::size_t video = 0, ood = 0;
  for (const auto& r : eval) {
    ids.insert(r.id);
    video += r.source == "video" ? 1 : 0;
    ood += r.source == "ood" ? 1 : 0;
  }
  for (const auto& r : cal) EXPECT_EQ(ids.count(r.id), 0u) << r.id;
  // Video frames are about a fifth of the in-distribution scene inputs at most.
  EXPECT_LE(static_cast<double>(video), 0.2 * static_cast<double>(eval.size() - ood));
  EXPECT_GT(ood, 0u);
  std::set<int> face_rows;
  for (const auto& r : face_inputs(paths)) face_rows.insert(r.index);
  for (const auto& r : face_calibration_inputs(paths)) EXPECT_EQ(face_rows.count(r.index), 0u);
  EXPECT_EQ(face_rows.size() + face_calibration_inputs(paths).size(), 200u);
}

}  // namespace
}  // namespace dysta::benchmark
