// The two face-api nets (npm @vladmandic/face-api, spec §2.2): an SSD-MobileNetV1 face detector
// and a ResNet-34-style face-embedding net. Weights come from tfjs weight manifests; the
// architectures are written here (no graph ships with the weights).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dysta/inference/models.h"

namespace dysta::inference {

// A detected face; coordinates in pixels of the original image.
struct FaceDetection {
  float score = 0.0f;
  float left = 0.0f, top = 0.0f, right = 0.0f, bottom = 0.0f;
};

// SSD-MobileNetV1 (512 px, ReLU6, 5118 anchors). Input: the image zero-padded bottom/right to a
// square, resized (bilinear, no align_corners) to 512 x 512, x/127.5 - 1. Outputs: box encodings
// [1,5118,4] (ty, tx, th, tw) and class logits [1,5118,3] (index 1 = face).
class FaceDetector final : public RealModel {
 public:
  explicit FaceDetector(const std::filesystem::path& model_dir);

  const std::string& name() const override { return name_; }
  const Network& network() const override { return network_; }
  Network& mutable_network() override { return network_; }
  Tensor preprocess(const Image& image) const override;
  std::string describe(const std::vector<Tensor>& outputs) const override;

  // Faces with score >= min_score after non-maximum suppression (IoU 0.5), best first. Boxes are
  // decoded with the TF object-detection box coder (scales 10, 10, 5, 5) against the anchors
  // shipped with the weights, for an image of the given size.
  std::vector<FaceDetection> decode(const std::vector<Tensor>& outputs, int image_width,
                                    int image_height, float min_score = 0.5f,
                                    std::size_t max_results = 100) const;
  std::vector<FaceDetection> detect(const Image& image, float min_score = 0.5f,
                                    std::span<LayerObserver* const> observers = {}) const;

 private:
  std::string name_ = "ssd_mobilenet_v1";
  Tensor anchors_;  // [5118,4] (ymin, xmin, ymax, xmax), relative to the padded square
  Network network_;
};

// ResNet-34-style face embedding (dlib metric net; 150 px, ReLU). Input: the face crop
// zero-padded to a centred square, resized (bilinear, no align_corners) to 150 x 150,
// (RGB - [122.782, 117.001, 104.298]) / 255. Output: [1,128] descriptor; faces of one person
// lie within Euclidean distance 0.6.
class FaceEmbedder final : public RealModel {
 public:
  explicit FaceEmbedder(const std::filesystem::path& model_dir);

  const std::string& name() const override { return name_; }
  const Network& network() const override { return network_; }
  Network& mutable_network() override { return network_; }
  Tensor preprocess(const Image& image) const override;
  std::string describe(const std::vector<Tensor>& outputs) const override;

  std::vector<float> embed(const Image& face, std::span<LayerObserver* const> observers = {}) const;

 private:
  std::string name_ = "face_embedding";
  Network network_;
};

float euclidean_distance(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace dysta::inference
