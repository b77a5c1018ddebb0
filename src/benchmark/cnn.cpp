#include "dysta/benchmark/cnn.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "dysta/accelerators/eyeriss_v2.h"
#include "dysta/benchmark/reconstruction.h"
#include "dysta/error.h"
#include "dysta/inference/faceapi.h"
#include "dysta/inference/ops.h"

namespace dysta::benchmark {

using inference::LayerEvent;
using inference::LayerKind;
using inference::Network;
using inference::Tensor;

const std::vector<CnnModel>& benchmark_cnns() {
  static const std::vector<CnnModel> models = {
      {"mobilenetv2", "mobilenet_v2", CnnTask::classifier,
       "MobileNetV2 224 px (nsfwjs 5-class content classifier, ImageNet backbone), ReLU6"},
      {"inceptionv3", "inception_v3", CnnTask::classifier,
       "InceptionV3 299 px (nsfwjs 5-class content classifier, ImageNet backbone), ReLU"},
      {"ssdmobilenetv1", "ssd_mobilenet_v1", CnnTask::detector,
       "SSD-MobileNetV1 512 px face detector (face-api), ReLU6"},
      {"faceresnet", "face_embedding", CnnTask::embedding,
       "ResNet-34-style face embedding 150 px (face-api / dlib), ReLU"},
  };
  return models;
}

const CnnModel& find_cnn(const std::string& key, const std::string& field) {
  for (const auto& m : benchmark_cnns()) {
    if (m.key == key) return m;
  }
  throw InputError("", 0, field,
                   "unknown benchmark CNN '" + key +
                       "' (expected mobilenetv2, inceptionv3, ssdmobilenetv1 or faceresnet)");
}

std::string CnnVariantSpec::label() const {
  return pattern ? to_string(*pattern) + "_" + level.name : "dense";
}

std::vector<InputRef> inputs_for(const CnnModel& model, const inference::AssetPaths& paths,
                                 const ImageInputOptions& options) {
  return model.task == CnnTask::embedding ? face_inputs(paths) : scene_inputs(paths, options);
}

std::vector<InputRef> calibration_for(const CnnModel& model, const inference::AssetPaths& paths) {
  return model.task == CnnTask::embedding ? face_calibration_inputs(paths)
                                          : scene_calibration_inputs(paths);
}

namespace {

BitMask weight_mask(const Tensor& k, bool fc, bool depthwise) {
  if (fc) {
    const std::int64_t in = k.dim(0), out = k.dim(1);
    BitMask m({out, in});
    for (std::int64_t c = 0; c < in; ++c) {
      for (std::int64_t o = 0; o < out; ++o) {
        if (k.data[static_cast<std::size_t>(c * out + o)] != 0.0f) {
          m.set(static_cast<std::uint64_t>(o * in + c));
        }
      }
    }
    return m;
  }
  const std::int64_t R = k.dim(0), S = k.dim(1), C = k.dim(2), D = k.dim(3);
  const std::int64_t M = depthwise ? C * D : D;
  const std::int64_t Cg = depthwise ? 1 : C;
  BitMask m({M, Cg, R, S});
  for (std::int64_t r = 0; r < R; ++r) {
    for (std::int64_t s = 0; s < S; ++s) {
      for (std::int64_t c = 0; c < C; ++c) {
        for (std::int64_t d = 0; d < D; ++d) {
          if (k.data[static_cast<std::size_t>(((r * S + s) * C + c) * D + d)] == 0.0f) continue;
          const std::int64_t mo = depthwise ? c * D + d : d;
          const std::int64_t ci = depthwise ? 0 : c;
          m.set(static_cast<std::uint64_t>(((mo * Cg + ci) * R + r) * S + s));
        }
      }
    }
  }
  return m;
}

// PyTorch-style symmetric padding reproducing the layer's real output size: TF "same" pads
// the odd pixel bottom/right, so the symmetric pad is ceil(total / 2) (docs/benchmark.md).
std::int64_t symmetric_pad(std::int64_t in, std::int64_t out, std::int64_t k, int stride,
                           int dilation, bool same, int before, int after) {
  if (!same) return (before + after + 1) / 2;
  const std::int64_t total =
      std::max<std::int64_t>((out - 1) * stride + (k - 1) * dilation + 1 - in, 0);
  return (total + 1) / 2;
}

template <typename Plan>
LayerShape layer_shape(const Plan& p, const Tensor& input, const Tensor& output,
                       const std::string& name) {
  LayerShape s;
  if (p.fc) {
    s.type = LayerType::fc;
    s.in_channels = input.size();
    s.out_channels = p.cout;
    return s;
  }
  if (input.rank() != 4 || output.rank() != 4) {
    throw InputError("", 0, name, "conv layer without NHWC input/output");
  }
  const auto& g = p.geometry;
  s.type = LayerType::conv;
  s.in_height = input.dim(1);
  s.in_width = input.dim(2);
  s.in_channels = input.dim(3);
  s.out_channels = p.cout;
  s.kernel_h = p.kh;
  s.kernel_w = p.kw;
  s.stride_h = g.stride_h;
  s.stride_w = g.stride_w;
  s.dilation_h = g.dilation_h;
  s.dilation_w = g.dilation_w;
  s.groups = g.depthwise ? s.in_channels : 1;
  s.pad_h = symmetric_pad(s.in_height, output.dim(1), p.kh, g.stride_h, g.dilation_h, g.same,
                          g.pad_top, g.pad_bottom);
  s.pad_w = symmetric_pad(s.in_width, output.dim(2), p.kw, g.stride_w, g.dilation_w, g.same,
                          g.pad_left, g.pad_right);
  if (s.out_height() != output.dim(1) || s.out_width() != output.dim(2)) {
    throw InputError("", 0, name,
                     fmt::format("symmetric padding {}x{} does not reproduce the output {}x{}",
                                 s.pad_h, s.pad_w, output.dim(1), output.dim(2)));
  }
  return s;
}

// Activation mask (C, H, W) of an NHWC [1, H, W, C] tensor, or (C) of a [1, C] one.
BitMask activation_mask(const Tensor& t, bool fc) {
  if (fc) {
    BitMask m({t.size()});
    for (std::int64_t i = 0; i < t.size(); ++i) {
      if (t.data[static_cast<std::size_t>(i)] != 0.0f) m.set(static_cast<std::uint64_t>(i));
    }
    return m;
  }
  const std::int64_t H = t.dim(1), W = t.dim(2), C = t.dim(3);
  BitMask m({C, H, W});
  for (std::int64_t h = 0; h < H; ++h) {
    for (std::int64_t w = 0; w < W; ++w) {
      const float* px = t.ptr() + (h * W + w) * C;
      for (std::int64_t c = 0; c < C; ++c) {
        if (px[c] != 0.0f) m.set(static_cast<std::uint64_t>((c * H + h) * W + w));
      }
    }
  }
  return m;
}

struct SampleRow {
  std::vector<double> corrected, reference, sparsity;
};

// Records one sample's row through an EyerissLayerTimer.
class EyerissObserver final : public inference::LayerObserver {
 public:
  EyerissObserver(const EyerissLayerTimer& timer, bool reference)
      : timer_(timer), reference_(reference) {
    row_.corrected.assign(timer.size(), 0.0);
    row_.sparsity.assign(timer.size(), 0.0);
    if (reference) row_.reference.assign(timer.size(), 0.0);
    shapes_.resize(timer.size());
  }

  void on_layer(const LayerEvent& e) override {
    const int slot = timer_.position(e.index);
    if (slot < 0) return;
    const auto j = static_cast<std::size_t>(slot);
    const EyerissLayerTimer::Timing t = timer_.time(e, reference_);
    row_.sparsity[j] = t.sparsity;
    row_.corrected[j] = t.latency_s;
    if (reference_) row_.reference[j] = t.reference_latency_s;
    shapes_[j] = t.shape;
  }

  const SampleRow& row() const { return row_; }
  const std::vector<LayerShape>& shapes() const { return shapes_; }

 private:
  const EyerissLayerTimer& timer_;
  bool reference_;
  SampleRow row_;
  std::vector<LayerShape> shapes_;
};

std::vector<float> model_output(const CnnModel& model, const inference::RealModel& real,
                                const std::vector<Tensor>& outputs, const inference::Image& img) {
  switch (model.task) {
    case CnnTask::classifier:
    case CnnTask::embedding:
      return outputs.at(0).data;
    case CnnTask::detector: {
      const auto& det = dynamic_cast<const inference::FaceDetector&>(real);
      const auto best = det.decode(outputs, img.width, img.height, 0.0f, 1);
      return {best.empty() ? 0.0f : best[0].score};
    }
  }
  return {};
}

// The decision of a classifier (argmax class) or of the detector (best face score >= 0.5), as
// metrics_of counts them.
std::size_t decision_of(const CnnModel& model, const std::vector<float>& output) {
  if (model.task == CnnTask::detector) return output.at(0) >= 0.5f ? 1 : 0;
  return static_cast<std::size_t>(std::max_element(output.begin(), output.end()) - output.begin());
}

}  // namespace

EyerissLayerTimer::EyerissLayerTimer(const Network& net) {
  position_.assign(net.layers().size(), -1);
  for (std::size_t i = 0; i < net.layers().size(); ++i) {
    const auto& l = net.layers()[i];
    if (!((l.kind == LayerKind::kConv || l.kind == LayerKind::kDense) && l.weights)) continue;
    if (l.kind == LayerKind::kConv && !l.conv) {
      throw InputError("", 0, l.name, "conv layer without recorded geometry");
    }
    position_[i] = static_cast<int>(plans_.size());
    network_layers_.push_back(i);
    names_.push_back(l.name);
    Plan& p = plans_.emplace_back();
    p.fc = l.kind == LayerKind::kDense;
    const Tensor& k = *l.weights;
    if (p.fc) {
      p.cout = k.dim(1);
    } else {
      p.geometry = *l.conv;
      p.kh = k.dim(0);
      p.kw = k.dim(1);
      p.cout = p.geometry.depthwise ? k.dim(2) * k.dim(3) : k.dim(3);
    }
    p.weights = weight_mask(k, p.fc, !p.fc && p.geometry.depthwise);
    weight_sparsity_.push_back(1.0 - static_cast<double>(p.weights.count()) /
                                         static_cast<double>(p.weights.size()));
  }
}

int EyerissLayerTimer::position(std::size_t network_layer) const {
  return network_layer < position_.size() ? position_[network_layer] : -1;
}

EyerissLayerTimer::Timing EyerissLayerTimer::time(const LayerEvent& e, bool reference) const {
  const int slot = position(e.index);
  if (slot < 0) throw std::logic_error("EyerissLayerTimer::time: not a profiled layer");
  const Plan& p = plans_[static_cast<std::size_t>(slot)];
  const std::string& name = names_[static_cast<std::size_t>(slot)];
  Timing t;
  t.shape = layer_shape(p, *e.inputs[0], e.output, name);
  const BitMask act = activation_mask(*e.inputs[0], p.fc);
  t.sparsity = 1.0 - static_cast<double>(act.count()) / static_cast<double>(act.size());
  const EyerissV2Config cfg;
  t.latency_s =
      eyeriss_v2_simulate(t.shape, act, p.weights, cfg, Semantics::corrected, name).latency_s;
  if (reference) {
    EyerissV2Config ref_cfg;
    ref_cfg.pad_channels = true;
    t.reference_latency_s =
        eyeriss_v2_simulate(t.shape, act, p.weights, ref_cfg, Semantics::reference, name).latency_s;
  }
  return t;
}

CnnVariantProfile CnnVariantProfile::subset(const std::vector<std::size_t>& idx) const {
  CnnVariantProfile v = *this;
  const std::size_t L = layer_names.size();
  v.input_ids.clear();
  v.latency_corrected_s.clear();
  v.latency_reference_s.clear();
  v.sparsity.clear();
  v.outputs.clear();
  for (const std::size_t s : idx) {
    v.input_ids.push_back(input_ids.at(s));
    v.outputs.push_back(outputs.at(s));
    const auto at = static_cast<std::ptrdiff_t>(s * L);
    v.latency_corrected_s.insert(v.latency_corrected_s.end(), latency_corrected_s.begin() + at,
                                 latency_corrected_s.begin() + at + static_cast<std::ptrdiff_t>(L));
    v.sparsity.insert(v.sparsity.end(), sparsity.begin() + at,
                      sparsity.begin() + at + static_cast<std::ptrdiff_t>(L));
    if (!latency_reference_s.empty()) {
      v.latency_reference_s.insert(
          v.latency_reference_s.end(), latency_reference_s.begin() + at,
          latency_reference_s.begin() + at + static_cast<std::ptrdiff_t>(L));
    }
  }
  return v;
}

ProfiledVariant CnnVariantProfile::to_profiled(Semantics semantics) const {
  ProfiledVariant v;
  v.model = model;
  v.pattern = pattern;
  v.accelerator = "eyeriss_v2";
  v.artifact_csv = ArtifactCsv::sim_lat;
  v.artifact_dir = "eyerissv2";
  v.layer_names = layer_names;
  for (std::size_t s = 0; s < input_ids.size(); ++s) {
    v.sample_ids.push_back(static_cast<std::int64_t>(s));
  }
  const auto& lat = semantics == Semantics::reference ? latency_reference_s : latency_corrected_s;
  if (lat.size() != sparsity.size()) {
    throw InputError("", 0, model + "_" + pattern, "no latencies for these semantics");
  }
  v.latency_s = lat;
  v.sparsity.reserve(sparsity.size());
  for (const double x : sparsity) v.sparsity.push_back(std::round(x * 1e6) / 1e6);
  v.detail.resize(lat.size());
  for (std::size_t i = 0; i < lat.size(); ++i) v.detail[i].seconds = lat[i];
  return v;
}

std::vector<CnnVariantProfile> profile_cnn(const CnnModel& model,
                                           const inference::AssetPaths& paths,
                                           const std::vector<InputRef>& inputs,
                                           const std::vector<CnnVariantSpec>& variants,
                                           const CnnProfileOptions& options) {
  std::unique_ptr<inference::RealModel> real = inference::load_real_model(model.real_model, paths);
  Network& net = real->mutable_network();
  const std::vector<std::vector<float>> dense = dense_weights(net);
  inference::set_gemm_threads(1);

  const std::vector<std::string> names = EyerissLayerTimer(net).names();

  std::vector<Tensor> calibration;
  for (const CnnVariantSpec& spec : variants) {
    if (spec.pattern && spec.reconstruct && calibration.empty()) {
      if (options.calibration.empty()) {
        throw InputError("", 0, model.key, "reconstruction pruning needs calibration inputs");
      }
      for (const InputRef& in : options.calibration) {
        calibration.push_back(real->preprocess(load_input(in)));
      }
    }
  }

  std::vector<inference::LayerFn> functions;  // the original operators (batch-norm re-estimation)
  for (const auto& l : net.layers()) functions.push_back(l.run);
  const auto restore = [&] {
    restore_weights(net, dense);
    for (std::size_t i = 0; i < functions.size(); ++i) net.set_layer_function(i, functions[i]);
  };

  // Runs the network as it is now on the inputs `idx` into `vp` (sized for every input).
  const auto run_inputs = [&](CnnVariantProfile& vp, const EyerissLayerTimer& timer, bool reference,
                              const std::vector<std::size_t>& idx) {
    const std::size_t L = timer.size();
    std::vector<LayerShape> shapes;
    std::mutex shapes_mutex;
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    const auto worker = [&] {
      try {
        for (std::size_t k = next++; k < idx.size(); k = next++) {
          const std::size_t s = idx[k];
          const inference::Image img = load_input(inputs[s]);
          EyerissObserver obs(timer, reference);
          inference::LayerObserver* observers[] = {&obs};
          const std::vector<Tensor> outputs = real->run(img, observers);
          vp.outputs[s] = model_output(model, *real, outputs, img);
          const SampleRow& row = obs.row();
          std::copy(row.corrected.begin(), row.corrected.end(),
                    vp.latency_corrected_s.begin() + static_cast<std::ptrdiff_t>(s * L));
          std::copy(row.sparsity.begin(), row.sparsity.end(),
                    vp.sparsity.begin() + static_cast<std::ptrdiff_t>(s * L));
          if (reference) {
            std::copy(row.reference.begin(), row.reference.end(),
                      vp.latency_reference_s.begin() + static_cast<std::ptrdiff_t>(s * L));
          }
          if (k == 0) {
            std::lock_guard<std::mutex> lock(shapes_mutex);
            shapes = obs.shapes();
          }
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = idx.size();
      }
    };
    const int threads = std::max(1, std::min<int>(options.threads, static_cast<int>(idx.size())));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    vp.shapes = shapes;
  };

  const std::size_t n = inputs.size();
  std::vector<std::size_t> all_inputs(n);
  std::iota(all_inputs.begin(), all_inputs.end(), std::size_t{0});
  std::vector<std::string> sources;
  for (const auto& in : inputs) sources.push_back(in.source);

  // Screening of the level search for the decision models: every input whose dense answer is not
  // the majority one, and as many majority inputs (at least 16), evenly spaced. The non-majority
  // agreement on it is exact; the majority agreement is sampled.
  std::vector<std::size_t> dense_answer, screen;
  std::size_t majority = 0;
  const auto prepare_screen = [&](const CnnVariantProfile& dense) {
    if (model.task == CnnTask::embedding || !screen.empty()) return;
    std::vector<std::size_t> count;
    for (std::size_t s = 0; s < n; ++s) {
      dense_answer.push_back(decision_of(model, dense.outputs[s]));
      if (dense_answer.back() >= count.size()) count.resize(dense_answer.back() + 1, 0);
      ++count[dense_answer.back()];
    }
    majority =
        static_cast<std::size_t>(std::max_element(count.begin(), count.end()) - count.begin());
    std::vector<std::size_t> major;
    for (std::size_t s = 0; s < n; ++s) {
      (dense_answer[s] == majority ? major : screen).push_back(s);
    }
    const std::size_t take = std::min(major.size(), std::max<std::size_t>(16, screen.size()));
    for (std::size_t k = 0; k < take; ++k) screen.push_back(major[k * major.size() / take]);
    std::sort(screen.begin(), screen.end());
  };

  const auto fresh = [&](const CnnVariantSpec& spec, const EyerissLayerTimer& timer) {
    CnnVariantProfile vp;
    vp.model = model.key;
    vp.layer_names = names;
    vp.weight_sparsity = timer.weight_sparsity();
    const std::size_t L = timer.size();
    vp.input_ids.reserve(n);
    for (const auto& in : inputs) vp.input_ids.push_back(in.id);
    vp.latency_corrected_s.assign(n * L, 0.0);
    if (spec.reference) vp.latency_reference_s.assign(n * L, 0.0);
    vp.sparsity.assign(n * L, 0.0);
    vp.outputs.assign(n, {});
    return vp;
  };

  std::vector<CnnVariantProfile> out;
  for (const CnnVariantSpec& spec : variants) {
    std::vector<PruneLevel> levels = {spec.level};
    const bool search = spec.pattern && spec.goal > 0;
    if (search) {
      if (out.empty() || out.front().pruning) {
        throw InputError("", 0, model.key, "the level search needs the dense variant first");
      }
      levels.insert(levels.end(), spec.fallback.begin(), spec.fallback.end());
      prepare_screen(out.front());
    }
    std::vector<LevelAttempt> attempts;
    for (std::size_t k = 0; k < levels.size(); ++k) {
      const bool last = k + 1 == levels.size();
      restore();
      std::optional<PruneReport> pruning;
      if (spec.pattern) {
        pruning = spec.reconstruct ? prune_network_reconstructed(
                                         net, dense, *spec.pattern, levels[k], calibration,
                                         options.reconstruction, options.threads)
                                   : prune_network(net, dense, *spec.pattern, levels[k]);
      }
      const EyerissLayerTimer timer(net);
      CnnVariantProfile vp = fresh(spec, timer);
      vp.pattern = spec.pattern ? to_string(*spec.pattern) + "_" + levels[k].name : "dense";
      vp.slot = spec.slot_name();
      vp.pruning = std::move(pruning);
      LevelAttempt attempt;
      attempt.label = vp.pattern;
      if (search && !screen.empty()) {
        run_inputs(vp, timer, false, screen);
        std::size_t nm = 0, nm_kept = 0, mj = 0, mj_kept = 0;
        for (const std::size_t s : screen) {
          const bool kept = decision_of(model, vp.outputs[s]) == dense_answer[s];
          (dense_answer[s] == majority ? mj : nm) += 1;
          (dense_answer[s] == majority ? mj_kept : nm_kept) += kept ? 1 : 0;
        }
        attempt.inputs = screen.size();
        const double nan = std::nan("");
        attempt.non_majority_agreement =
            nm > 0 ? static_cast<double>(nm_kept) / static_cast<double>(nm) : nan;
        attempt.majority_agreement =
            mj > 0 ? static_cast<double>(mj_kept) / static_cast<double>(mj) : nan;
        // meets_goal's rule on the screened inputs.
        const bool pass = (nm == 0 || attempt.non_majority_agreement >= spec.goal) &&
                          (nm == 0 || attempt.non_majority_agreement >= kBrokenThreshold) &&
                          (mj == 0 || attempt.majority_agreement >= kBrokenThreshold);
        if (!pass && !last) {
          attempt.outcome = "missed";
          attempts.push_back(attempt);
          continue;
        }
        CnnVariantProfile full = fresh(spec, timer);
        full.pattern = vp.pattern;
        full.slot = vp.slot;
        full.pruning = std::move(vp.pruning);
        vp = std::move(full);
      }
      run_inputs(vp, timer, spec.reference, all_inputs);
      EyerissV2Config ref_cfg;
      for (const LayerShape& s : vp.shapes) {
        const EyerissV2Mapping m = eyeriss_v2_mapping(s, ref_cfg, Semantics::reference);
        vp.reference_padded.push_back(s.in_channels != m.C2 * m.C1 * m.C0);
      }
      if (search) {
        const FunctionMetrics m = function_metrics(model, out.front(), vp, sources).front();
        attempt.inputs = n;
        attempt.non_majority_agreement = m.non_majority_agreement;
        attempt.majority_agreement = m.majority_agreement;
        const bool ok = meets_goal(m, spec.goal);
        if (!ok && !last) {
          attempt.outcome = "missed";
          attempts.push_back(attempt);
          continue;
        }
        attempt.outcome = ok ? "kept" : "last";
        attempts.push_back(attempt);
      }
      vp.attempts = attempts;
      out.push_back(std::move(vp));
      break;
    }
  }
  restore();
  return out;
}

FunctionMetrics decision_metrics(const std::vector<std::size_t>& dense,
                                 const std::vector<std::size_t>& pruned, std::size_t answers) {
  if (dense.size() != pruned.size() || answers == 0) {
    throw InputError("", 0, "decision_metrics", "answers of different lengths");
  }
  FunctionMetrics m;
  m.answers = answers;
  m.inputs = dense.size();
  m.top2_overlap = m.within = m.change = m.majority_agreement = std::nan("");
  m.confusion.assign(answers * answers, 0);
  std::vector<std::size_t> count(answers, 0);
  std::size_t agree = 0;
  for (std::size_t i = 0; i < dense.size(); ++i) {
    if (dense[i] >= answers || pruned[i] >= answers) {
      throw InputError("", 0, "decision_metrics", "answer out of range");
    }
    ++count[dense[i]];
    ++m.confusion[dense[i] * answers + pruned[i]];
    agree += dense[i] == pruned[i] ? 1 : 0;
  }
  const double nan = std::nan("");
  if (dense.empty()) {
    m.agreement = m.base_rate = m.non_majority_agreement = nan;
    return m;
  }
  m.majority =
      static_cast<std::size_t>(std::max_element(count.begin(), count.end()) - count.begin());
  const auto n = static_cast<double>(dense.size());
  m.agreement = static_cast<double>(agree) / n;
  m.base_rate = static_cast<double>(count[m.majority]) / n;
  m.non_majority = dense.size() - count[m.majority];
  std::size_t nm_agree = 0;
  for (std::size_t i = 0; i < dense.size(); ++i) {
    if (dense[i] != m.majority && dense[i] == pruned[i]) ++nm_agree;
  }
  m.majority_agreement = static_cast<double>(m.confusion[m.majority * answers + m.majority]) /
                         static_cast<double>(count[m.majority]);
  m.non_majority_agreement =
      m.non_majority > 0 ? static_cast<double>(nm_agree) / static_cast<double>(m.non_majority)
                         : nan;
  return m;
}

namespace {

std::size_t argmax(const std::vector<float>& v) {
  return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Indices of the two largest values (ties: lower index first).
std::array<std::size_t, 2> top2(const std::vector<float>& v) {
  std::array<std::size_t, 2> t{0, 0};
  t[0] = argmax(v);
  bool set = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i == t[0]) continue;
    if (!set || v[i] > v[t[1]]) {
      t[1] = i;
      set = true;
    }
  }
  return t;
}

FunctionMetrics metrics_of(const CnnModel& model, const CnnVariantProfile& dense,
                           const CnnVariantProfile& pruned, const std::vector<std::size_t>& idx) {
  const double nan = std::nan("");
  std::vector<std::size_t> da, pa;
  FunctionMetrics m;
  double change = 0, overlap = 0, within = 0;
  switch (model.task) {
    case CnnTask::classifier: {
      std::size_t classes = 0;
      for (const std::size_t s : idx) {
        const auto& d = dense.outputs[s];
        const auto& p = pruned.outputs[s];
        classes = d.size();
        da.push_back(argmax(d));
        pa.push_back(argmax(p));
        change += std::fabs(static_cast<double>(p[da.back()]) - d[da.back()]);
        const auto td = top2(d), tp = top2(p);
        int common = 0;
        for (const auto a : td) common += (a == tp[0] || a == tp[1]) ? 1 : 0;
        overlap += common / 2.0;
      }
      m = decision_metrics(da, pa, std::max<std::size_t>(classes, 1));
      m.metric = "top1_agreement";
      m.change_metric = "mean_abs_top_prob_change";
      m.top2_overlap = idx.empty() ? nan : overlap / static_cast<double>(idx.size());
      m.within = nan;
      break;
    }
    case CnnTask::detector:
      for (const std::size_t s : idx) {
        const float d = dense.outputs[s][0], p = pruned.outputs[s][0];
        da.push_back(d >= 0.5f ? 1 : 0);
        pa.push_back(p >= 0.5f ? 1 : 0);
        change += std::fabs(static_cast<double>(p) - d);
      }
      m = decision_metrics(da, pa, 2);
      m.metric = "face_decision_agreement";
      m.answer_names = {"no_face", "face"};
      m.change_metric = "mean_abs_score_change";
      m.top2_overlap = nan;
      m.within = nan;
      break;
    case CnnTask::embedding:
      for (const std::size_t s : idx) {
        const double dist = inference::euclidean_distance(dense.outputs[s], pruned.outputs[s]);
        change += dist;
        within += dist < 0.6 ? 1 : 0;
      }
      for (std::size_t a = 0; a < idx.size(); ++a) {
        for (std::size_t b = a + 1; b < idx.size(); ++b) {
          const auto& da_ = dense.outputs[idx[a]];
          const auto& db_ = dense.outputs[idx[b]];
          da.push_back(inference::euclidean_distance(da_, db_) < 0.6 ? 1 : 0);
          pa.push_back(
              inference::euclidean_distance(pruned.outputs[idx[a]], pruned.outputs[idx[b]]) < 0.6
                  ? 1
                  : 0);
        }
      }
      m = decision_metrics(da, pa, 2);
      m.metric = "same_person_agreement";
      m.answer_names = {"different", "same"};
      m.change_metric = "mean_embedding_distance";
      m.top2_overlap = nan;
      m.within = idx.empty() ? nan : within / static_cast<double>(idx.size());
      break;
  }
  m.inputs = idx.size();
  m.change = idx.empty() ? nan : change / static_cast<double>(idx.size());
  if (m.answer_names.empty()) {
    for (std::size_t a = 0; a < m.answers; ++a) m.answer_names.push_back(std::to_string(a));
  }
  return m;
}

}  // namespace

std::vector<FunctionMetrics> function_metrics(const CnnModel& model, const CnnVariantProfile& dense,
                                              const CnnVariantProfile& pruned,
                                              const std::vector<std::string>& sources) {
  if (dense.outputs.size() != pruned.outputs.size() || dense.outputs.empty() ||
      sources.size() != dense.outputs.size()) {
    throw InputError("", 0, pruned.model + "_" + pruned.pattern,
                     "metrics need the dense and pruned outputs of the same inputs");
  }
  std::vector<std::string> order = {"all"};
  for (const auto& s : sources) {
    if (std::find(order.begin(), order.end(), s) == order.end()) order.push_back(s);
  }
  std::vector<FunctionMetrics> out;
  for (const auto& src : order) {
    std::vector<std::size_t> idx;
    for (std::size_t s = 0; s < sources.size(); ++s) {
      if (src == "all" || sources[s] == src) idx.push_back(s);
    }
    FunctionMetrics m = metrics_of(model, dense, pruned, idx);
    m.source = src;
    out.push_back(std::move(m));
  }
  return out;
}

bool is_broken(const FunctionMetrics& all) {
  const bool decisions = (all.non_majority > 0 && all.non_majority_agreement < kBrokenThreshold) ||
                         all.majority_agreement < kBrokenThreshold;
  const bool embedding = !std::isnan(all.within) && all.within < kBrokenThreshold;
  return decisions || embedding;
}

bool meets_goal(const FunctionMetrics& all, double goal) {
  if (is_broken(all)) return false;
  return all.non_majority == 0 || all.non_majority_agreement >= goal;
}

}  // namespace dysta::benchmark
