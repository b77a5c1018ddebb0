#include "dysta/inference/faceapi.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "dysta/error.h"
#include "dysta/inference/ops.h"
#include "dysta/inference/tfjs.h"

namespace dysta::inference {
namespace fs = std::filesystem;

namespace {

using Args = std::span<const Tensor* const>;

// Builds hand-written networks from a weight map, one layer per operation.
class NetBuilder {
 public:
  NetBuilder(WeightMap weights, std::string file, const std::string& name)
      : w_(std::move(weights)), file_(std::move(file)), net_(name) {}

  std::shared_ptr<const Tensor> weight(const std::string& name) const {
    const auto it = w_.find(name);
    if (it == w_.end()) throw InputError(file_, 0, name, "weight missing from the manifest");
    return std::make_shared<Tensor>(it->second);
  }

  int input(const std::string& name) { return net_.add_input(name); }

  int layer(const std::string& name, const std::string& op, LayerKind kind, std::vector<int> in,
            LayerFn fn, std::shared_ptr<const Tensor> weights = nullptr) {
    Layer l;
    l.name = name;
    l.op = op;
    l.kind = kind;
    l.inputs = std::move(in);
    l.run = std::move(fn);
    l.weights = std::move(weights);
    l.weights_editable = l.weights != nullptr;
    return net_.add_layer(std::move(l));
  }

  // Conv2D (TF "same" or "valid") with optional bias; depthwise when `depthwise`.
  int conv(const std::string& name, int x, const std::string& kernel, const std::string& bias,
           int stride, bool same, bool depthwise = false) {
    auto k = weight(kernel);
    std::shared_ptr<const Tensor> b = bias.empty() ? nullptr : weight(bias);
    const int kh = static_cast<int>(k->dim(0)), kw = static_cast<int>(k->dim(1));
    ConvGeometry g;
    g.stride_h = g.stride_w = stride;
    g.same = same;
    g.depthwise = depthwise;
    const int out = layer(
        name, depthwise ? "DepthwiseConv2D" : "Conv2D", LayerKind::kConv, {x},
        [k, b, kh, kw, stride, same, depthwise](Args a) {
          Conv2DParams p;
          p.stride_h = p.stride_w = stride;
          if (same) p.pad = same_padding(a[0]->dim(1), a[0]->dim(2), kh, kw, stride, stride);
          return depthwise ? depthwise_conv2d(*a[0], *k, b.get(), p)
                           : conv2d(*a[0], *k, b.get(), p);
        },
        k);
    net_.set_conv_geometry(out, g);
    return out;
  }

  int clip_layer(const std::string& name, int x, float hi) {
    return layer(name, hi == 6.0f ? "Relu6" : "Relu", LayerKind::kActivation, {x},
                 [hi](Args a) { return clip(*a[0], 0.0f, hi); });
  }

  int affine(const std::string& name, int x, std::vector<float> scale, std::vector<float> shift) {
    auto s = std::make_shared<std::vector<float>>(std::move(scale));
    auto t = std::make_shared<std::vector<float>>(std::move(shift));
    return layer(name, "ChannelAffine", LayerKind::kOther, {x},
                 [s, t](Args a) { return channel_affine(*a[0], *s, *t, 3); });
  }

  Network finish() { return std::move(net_); }
  Network& net() { return net_; }

 private:
  WeightMap w_;
  std::string file_;
  Network net_;
};

// [N,H,W,C*k] -> [N, H*W*k, k2] with k2 values per anchor.
Tensor per_anchor(const Tensor& x, std::int64_t values) {
  Tensor y;
  y.shape = {x.dim(0), x.size() / x.dim(0) / values, values};
  y.data = x.data;
  return y;
}

float iou(const FaceDetection& a, const FaceDetection& b) {
  const float iw = std::max(0.0f, std::min(a.right, b.right) - std::max(a.left, b.left));
  const float ih = std::max(0.0f, std::min(a.bottom, b.bottom) - std::max(a.top, b.top));
  const float inter = iw * ih;
  const float uni =
      (a.right - a.left) * (a.bottom - a.top) + (b.right - b.left) * (b.bottom - b.top) - inter;
  return uni > 0.0f ? inter / uni : 0.0f;
}

// Pads an RGB image with black to a square: bottom/right, or centred (extra pixel after).
Tensor pad_to_square(const Image& image, bool centre) {
  const int side = std::max(image.width, image.height);
  Tensor t({1, side, side, 3});
  const int dx = image.width < side ? (centre ? (side - image.width) / 2 : 0) : 0;
  const int dy = image.height < side ? (centre ? (side - image.height) / 2 : 0) : 0;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      for (int c = 0; c < 3; ++c)
        t.data[(static_cast<std::size_t>(y + dy) * side + x + dx) * 3 + c] = image.at(y, x, c);
  return t;
}

}  // namespace

FaceDetector::FaceDetector(const fs::path& dir) {
  const fs::path manifest = dir / "ssd_mobilenetv1_model-weights_manifest.json";
  NetBuilder b(load_weights_manifest(manifest), manifest.string(), name_);
  const auto anchors = b.weight("Output/extra_dim");
  if (anchors->size() % 4 != 0)
    throw InputError(manifest.string(), 0, "Output/extra_dim", "bad shape");
  anchors_ = Tensor({anchors->size() / 4, 4}, anchors->data);

  // Pointwise layer: conv "same" + BN offset, ReLU6.
  const auto pointwise = [&](const std::string& prefix, int x, int stride) {
    const int c =
        b.conv(prefix, x, prefix + "/weights", prefix + "/convolution_bn_offset", stride, true);
    return b.clip_layer(prefix + "/relu6", c, 6.0f);
  };
  int x = b.input("image");
  x = pointwise("MobilenetV1/Conv2d_0_pointwise", x, 2);
  int conv11 = -1;
  for (int i = 1; i <= 13; ++i) {
    const std::string dw = fmt::format("MobilenetV1/Conv2d_{}_depthwise", i);
    const int stride = (i == 2 || i == 4 || i == 6 || i == 12) ? 2 : 1;
    x = b.conv(dw, x, dw + "/depthwise_weights", "", stride, true, /*depthwise=*/true);
    std::vector<float> scale, shift;
    batch_norm_coefficients(b.weight(dw + "/BatchNorm/gamma")->data,
                            b.weight(dw + "/BatchNorm/beta")->data,
                            b.weight(dw + "/BatchNorm/moving_mean")->data,
                            b.weight(dw + "/BatchNorm/moving_variance")->data, 1e-3f, scale, shift);
    x = b.affine(dw + "/BatchNorm", x, scale, shift);
    x = b.clip_layer(dw + "/relu6", x, 6.0f);
    x = pointwise(fmt::format("MobilenetV1/Conv2d_{}_pointwise", i), x, 1);
    if (i == 11) conv11 = x;
  }
  std::vector<int> features = {conv11, x};
  int p = x;
  for (int i = 0; i < 8; ++i) {
    p = pointwise(fmt::format("Prediction/Conv2d_{}_pointwise", i), p, i % 2 == 1 ? 2 : 1);
    if (i % 2 == 1) features.push_back(p);
  }
  std::vector<int> boxes, classes;
  for (std::size_t i = 0; i < features.size(); ++i) {
    const std::string pre = fmt::format("Prediction/BoxPredictor_{}", i);
    const int be =
        b.conv(pre + "/BoxEncodingPredictor", features[i], pre + "/BoxEncodingPredictor/weights",
               pre + "/BoxEncodingPredictor/biases", 1, true);
    boxes.push_back(b.layer(pre + "/boxes", "Reshape", LayerKind::kOther, {be},
                            [](Args a) { return per_anchor(*a[0], 4); }));
    const int cl = b.conv(pre + "/ClassPredictor", features[i], pre + "/ClassPredictor/weights",
                          pre + "/ClassPredictor/biases", 1, true);
    classes.push_back(b.layer(pre + "/classes", "Reshape", LayerKind::kOther, {cl},
                              [](Args a) { return per_anchor(*a[0], 3); }));
  }
  const auto cat = [](Args a) { return concat(std::vector<const Tensor*>(a.begin(), a.end()), 1); };
  b.net().mark_output(b.layer("box_encodings", "Concat", LayerKind::kOther, boxes, cat));
  b.net().mark_output(b.layer("class_logits", "Concat", LayerKind::kOther, classes, cat));
  network_ = b.finish();
}

Tensor FaceDetector::preprocess(const Image& image) const {
  Tensor x = pad_to_square(image, /*centre=*/false);
  if (x.dim(1) != 512) x = resize_bilinear(x, 512, 512, false);
  for (float& v : x.data) v = v / 127.5f - 1.0f;
  return x;
}

std::vector<FaceDetection> FaceDetector::decode(const std::vector<Tensor>& out, int image_width,
                                                int image_height, float min_score,
                                                std::size_t max_results) const {
  const Tensor& enc = out.at(0);
  const Tensor& logits = out.at(1);
  const std::int64_t n = anchors_.dim(0);
  if (enc.size() != n * 4 || logits.size() != n * 3) {
    throw InputError("", 0, name_, "outputs do not match the " + std::to_string(n) + " anchors");
  }
  const float side = static_cast<float>(std::max(image_width, image_height));
  std::vector<FaceDetection> candidates;
  for (std::int64_t i = 0; i < n; ++i) {
    const float score = 1.0f / (1.0f + std::exp(-logits.data[i * 3 + 1]));
    if (score < min_score) continue;
    const float* a = anchors_.ptr() + i * 4;
    const float* e = enc.ptr() + i * 4;
    const float ah = a[2] - a[0], aw = a[3] - a[1];
    const float cy = a[0] + ah / 2 + e[0] / 10 * ah, cx = a[1] + aw / 2 + e[1] / 10 * aw;
    const float hh = std::exp(e[2] / 5) * ah / 2, hw = std::exp(e[3] / 5) * aw / 2;
    FaceDetection d;
    d.score = score;
    d.top = std::max(0.0f, cy - hh) * side;
    d.left = std::max(0.0f, cx - hw) * side;
    d.bottom = std::min(1.0f, cy + hh) * side;
    d.right = std::min(1.0f, cx + hw) * side;
    candidates.push_back(d);
  }
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const FaceDetection& x, const FaceDetection& y) { return x.score > y.score; });
  std::vector<FaceDetection> kept;
  for (const FaceDetection& c : candidates) {
    if (kept.size() >= max_results) break;
    const bool overlaps = std::any_of(kept.begin(), kept.end(),
                                      [&](const FaceDetection& k) { return iou(k, c) > 0.5f; });
    if (!overlaps) kept.push_back(c);
  }
  return kept;
}

std::vector<FaceDetection> FaceDetector::detect(const Image& image, float min_score,
                                                std::span<LayerObserver* const> observers) const {
  return decode(run(image, observers), image.width, image.height, min_score);
}

std::string FaceDetector::describe(const std::vector<Tensor>& outputs) const {
  // Box coordinates relative to the padded square (the image size is not known here).
  const std::vector<FaceDetection> best = decode(outputs, 1, 1, 0.0f, 1);
  if (best.empty()) return "no face";
  const FaceDetection& d = best[0];
  return fmt::format("best face score {:.3f}, box (relative) x {:.3f}-{:.3f} y {:.3f}-{:.3f}",
                     d.score, d.left, d.right, d.top, d.bottom);
}

FaceEmbedder::FaceEmbedder(const fs::path& dir) {
  const fs::path manifest = dir / "face_recognition_model-weights_manifest.json";
  NetBuilder b(load_weights_manifest(manifest), manifest.string(), name_);
  // conv -> +bias -> *scale_w + scale_b -> optional ReLU.
  const auto conv = [&](const std::string& prefix, int x, int stride, bool same, bool with_relu) {
    int c =
        b.conv(prefix + "/conv", x, prefix + "/conv/filters", prefix + "/conv/bias", stride, same);
    c = b.affine(prefix + "/scale", c, b.weight(prefix + "/scale/weights")->data,
                 b.weight(prefix + "/scale/biases")->data);
    return with_relu ? b.clip_layer(prefix + "/relu", c, std::numeric_limits<float>::infinity())
                     : c;
  };
  const auto relu_of = [&](const std::string& name, int v) {
    return b.clip_layer(name, v, std::numeric_limits<float>::infinity());
  };
  const auto residual = [&](const std::string& prefix, int x) {
    int out = conv(prefix + "/conv1", x, 1, true, true);
    out = conv(prefix + "/conv2", out, 1, true, false);
    out = b.layer(prefix + "/add", "Add", LayerKind::kOther, {out, x}, [](Args a) {
      return add_all({a[0], a[1]});
    });
    return relu_of(prefix + "/relu", out);
  };
  const auto residual_down = [&](const std::string& prefix, int x) {
    int out = conv(prefix + "/conv1", x, 2, false, true);
    out = conv(prefix + "/conv2", out, 1, true, false);
    const int pooled = b.layer(prefix + "/avgpool", "AvgPool", LayerKind::kOther, {x}, [](Args a) {
      Pool2DParams p;
      p.kernel_h = p.kernel_w = p.stride_h = p.stride_w = 2;
      return avg_pool2d(*a[0], p);
    });
    // Shortcut: zero-extend the conv path to the pooled size and the pooled path's channels.
    out = b.layer(prefix + "/add", "Add", LayerKind::kOther, {out, pooled}, [](Args a) {
      Tensor o = *a[0];
      const Tensor& s = *a[1];
      if (o.dim(1) != s.dim(1) || o.dim(2) != s.dim(2)) {
        o = zero_pad2d(o, {0, static_cast<int>(s.dim(1) - o.dim(1)), 0,
                           static_cast<int>(s.dim(2) - o.dim(2))});
      }
      if (o.dim(3) == s.dim(3)) return add_all({&o, &s});
      const Tensor zeros(s.shape);
      const Tensor wide = concat({&s, &zeros}, 3);
      return add_all({&o, &wide});
    });
    return relu_of(prefix + "/relu", out);
  };
  int x = b.input("face");
  x = conv("conv32_down", x, 2, false, true);
  x = b.layer("maxpool", "MaxPool", LayerKind::kOther, {x}, [](Args a) {
    Pool2DParams p;
    p.kernel_h = p.kernel_w = 3;
    p.stride_h = p.stride_w = 2;
    return max_pool2d(*a[0], p);
  });
  for (const char* blk : {"conv32_1", "conv32_2", "conv32_3"}) x = residual(blk, x);
  x = residual_down("conv64_down", x);
  for (const char* blk : {"conv64_1", "conv64_2", "conv64_3"}) x = residual(blk, x);
  x = residual_down("conv128_down", x);
  for (const char* blk : {"conv128_1", "conv128_2"}) x = residual(blk, x);
  x = residual_down("conv256_down", x);
  for (const char* blk : {"conv256_1", "conv256_2"}) x = residual(blk, x);
  x = residual_down("conv256_down_out", x);
  x = b.layer("global_avg_pool", "GlobalAveragePool", LayerKind::kOther, {x},
              [](Args a) { return global_avg_pool(*a[0]); });
  auto fc = b.weight("fc");
  x = b.layer(
      "fc", "Dense", LayerKind::kDense, {x}, [fc](Args a) { return dense(*a[0], *fc, nullptr); },
      fc);
  b.net().mark_output(x);
  network_ = b.finish();
}

Tensor FaceEmbedder::preprocess(const Image& image) const {
  Tensor x = pad_to_square(image, /*centre=*/true);
  if (x.dim(1) != 150) x = resize_bilinear(x, 150, 150, false);
  constexpr float kMean[3] = {122.782f, 117.001f, 104.298f};
  for (std::size_t i = 0; i < x.data.size(); ++i) x.data[i] = (x.data[i] - kMean[i % 3]) / 255.0f;
  return x;
}

std::vector<float> FaceEmbedder::embed(const Image& face,
                                       std::span<LayerObserver* const> observers) const {
  return run(face, observers).at(0).data;
}

std::string FaceEmbedder::describe(const std::vector<Tensor>& outputs) const {
  const std::vector<float>& v = outputs.at(0).data;
  const double norm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
  return fmt::format("128-d descriptor, norm {:.3f}", norm);
}

float euclidean_distance(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) throw InputError("", 0, "descriptor", "sizes differ");
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return static_cast<float>(std::sqrt(s));
}

}  // namespace dysta::inference
