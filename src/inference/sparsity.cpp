#include "dysta/inference/sparsity.h"

#include "dysta/csv.h"

#include <fmt/format.h>

#include <algorithm>

namespace dysta::inference {

BitMask nonzero_mask(const Tensor& t) {
  BitMask mask(static_cast<std::size_t>((t.size() + 63) / 64), 0);
  for (std::int64_t i = 0; i < t.size(); ++i) {
    if (t.data[i] != 0.0f) mask[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  return mask;
}

void SparsityRecorder::on_layer(const LayerEvent& e) {
  const LayerKind kind = e.layer.kind;
  if (kind == LayerKind::kOther && !options_.all_layers) return;
  LayerSparsity s;
  s.layer_index = e.index;
  s.name = e.layer.name;
  s.op = e.layer.op;
  s.kind = kind;
  if (!e.inputs.empty()) {
    s.input_shape = e.inputs[0]->shape;
    s.input_zero_fraction = zero_fraction(*e.inputs[0]);
  }
  s.output_shape = e.output.shape;
  s.output_zero_fraction = zero_fraction(e.output);
  if (e.layer.weights) {
    s.weight_count = e.layer.weights->size();
    const Tensor* w = e.layer.weights.get();
    auto it = weight_zero_fraction_.find(w);
    if (it == weight_zero_fraction_.end())
      it = weight_zero_fraction_.emplace(w, zero_fraction(*w)).first;
    s.weight_zero_fraction = it->second;
  }
  const bool compute =
      kind == LayerKind::kConv || kind == LayerKind::kDense || kind == LayerKind::kMatMul;
  if (compute && options_.record_masks && !e.inputs.empty()) {
    s.input_mask = nonzero_mask(*e.inputs[0]);
  }
  if (kind == LayerKind::kAttention && e.output.rank() >= 1 && e.output.size() > 0) {
    const float inv_t = 1.0f / static_cast<float>(e.output.shape.back());
    std::int64_t a = 0, b = 0, c = 0;
    for (const float p : e.output.data) {
      a += p < 1e-3f;
      b += p < 1e-2f;
      c += p < inv_t;
    }
    const double n = static_cast<double>(e.output.size());
    s.attention_below_1e3 = static_cast<double>(a) / n;
    s.attention_below_1e2 = static_cast<double>(b) / n;
    s.attention_below_inv_t = static_cast<double>(c) / n;
    if (options_.record_attention) s.attention = e.output.data;
  }
  layers_.push_back(std::move(s));
}

double SparsityRecorder::activation_zero_fraction() const {
  double zeros = 0.0, total = 0.0;
  for (const LayerSparsity& s : layers_) {
    if (s.kind != LayerKind::kActivation) continue;
    const double n = static_cast<double>(element_count(s.output_shape));
    zeros += s.output_zero_fraction * n;
    total += n;
  }
  return total > 0.0 ? zeros / total : 0.0;
}

std::vector<double> SparsityRecorder::activation_zero_fractions() const {
  std::vector<double> out;
  for (const LayerSparsity& s : layers_) {
    if (s.kind == LayerKind::kActivation) out.push_back(s.output_zero_fraction);
  }
  return out;
}

std::vector<WeightMask> weight_masks(const Network& network) {
  std::vector<WeightMask> out;
  for (const Layer& l : network.layers()) {
    if (!l.weights) continue;
    out.push_back({l.name, l.weights->shape, nonzero_mask(*l.weights), zero_fraction(*l.weights)});
  }
  return out;
}

namespace {

std::string shape_field(const Shape& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += "x";
    s += std::to_string(shape[i]);
  }
  return s;
}
}  // namespace

void write_sparsity_csv_header(std::ostream& out) {
  out << "model,input,layer_index,layer,op,kind,input_shape,output_shape,input_zero_fraction,"
         "output_zero_fraction,weight_count,weight_zero_fraction,attn_below_1e-3,"
         "attn_below_1e-2,attn_below_1_over_T\n";
}

void write_sparsity_csv_rows(std::ostream& out, const std::string& model, const std::string& input,
                             const std::vector<LayerSparsity>& layers) {
  for (const LayerSparsity& s : layers) {
    out << fmt::format("{},{},{},{},{},{},{},{},{:.6f},{:.6f},{},{:.6f},{:.6f},{:.6f},{:.6f}\n",
                       csv_field(model), csv_field(input), s.layer_index, csv_field(s.name),
                       csv_field(s.op), layer_kind_name(s.kind), shape_field(s.input_shape),
                       shape_field(s.output_shape), s.input_zero_fraction, s.output_zero_fraction,
                       s.weight_count, s.weight_zero_fraction, s.attention_below_1e3,
                       s.attention_below_1e2, s.attention_below_inv_t);
  }
}

}  // namespace dysta::inference
