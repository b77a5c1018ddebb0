#include "dysta/accelerators/model.h"

#include "dysta/error.h"

namespace dysta {

std::string to_string(LayerType type) {
  switch (type) {
    case LayerType::conv:
      return "conv";
    case LayerType::fc:
      return "fc";
    case LayerType::attention:
      return "attention";
  }
  return "?";
}

LayerType parse_layer_type(std::string_view text, const std::string& field) {
  if (text == "conv") return LayerType::conv;
  if (text == "fc") return LayerType::fc;
  if (text == "attention") return LayerType::attention;
  throw InputError("", 0, field,
                   "unknown layer type '" + std::string(text) + "' (valid: conv, fc, attention)");
}

std::int64_t LayerShape::out_height() const {
  if (type == LayerType::fc) return 1;
  return (in_height + 2 * pad_h - dilation_h * (kernel_h - 1) - 1) / stride_h + 1;
}

std::int64_t LayerShape::out_width() const {
  if (type == LayerType::fc) return 1;
  return (in_width + 2 * pad_w - dilation_w * (kernel_w - 1) - 1) / stride_w + 1;
}

std::vector<std::int64_t> LayerShape::activation_shape() const {
  if (type == LayerType::fc) return {in_channels};
  return {in_channels, in_height, in_width};
}

std::vector<std::int64_t> LayerShape::weight_shape() const {
  if (type == LayerType::fc) return {out_channels, in_channels};
  return {out_channels, in_channels / groups, kernel_h, kernel_w};
}

namespace {

// Number of (output index, kernel tap) pairs along one axis whose input index is inside [0, n).
std::uint64_t valid_taps(std::int64_t n, std::int64_t out, std::int64_t k, std::int64_t stride,
                         std::int64_t pad, std::int64_t dilation) {
  std::uint64_t total = 0;
  for (std::int64_t o = 0; o < out; ++o) {
    for (std::int64_t t = 0; t < k; ++t) {
      const std::int64_t i = o * stride - pad + t * dilation;
      if (i >= 0 && i < n) ++total;
    }
  }
  return total;
}

}  // namespace

std::uint64_t LayerShape::dense_macs() const {
  const auto per_channel_pair =
      valid_taps(in_height, out_height(), kernel_h, stride_h, pad_h, dilation_h) *
      valid_taps(in_width, out_width(), kernel_w, stride_w, pad_w, dilation_w);
  return static_cast<std::uint64_t>(out_channels) *
         static_cast<std::uint64_t>(in_channels / groups) * per_channel_pair;
}

void validate_shape(const LayerShape& s, const std::string& layer) {
  auto positive = [&](std::int64_t v, const char* field) {
    if (v <= 0) {
      throw InputError("", 0, layer + "." + field, "must be positive, found " + std::to_string(v));
    }
  };
  positive(s.in_channels, s.type == LayerType::fc ? "in_features" : "in_channels");
  positive(s.out_channels, s.type == LayerType::fc ? "out_features" : "out_channels");
  if (s.type == LayerType::fc) return;
  positive(s.in_height, "in_height");
  positive(s.in_width, "in_width");
  positive(s.kernel_h, "kernel_h");
  positive(s.kernel_w, "kernel_w");
  positive(s.stride_h, "stride_h");
  positive(s.stride_w, "stride_w");
  positive(s.dilation_h, "dilation_h");
  positive(s.dilation_w, "dilation_w");
  positive(s.groups, "groups");
  if (s.pad_h < 0 || s.pad_w < 0) throw InputError("", 0, layer + ".padding", "must be >= 0");
  if (s.in_channels % s.groups != 0 || s.out_channels % s.groups != 0) {
    throw InputError("", 0, layer + ".groups",
                     "in_channels (" + std::to_string(s.in_channels) + ") and out_channels (" +
                         std::to_string(s.out_channels) + ") must be multiples of groups (" +
                         std::to_string(s.groups) + ")");
  }
  if (s.out_height() <= 0 || s.out_width() <= 0) {
    throw InputError("", 0, layer + ".kernel",
                     "kernel larger than the padded input (output would be empty)");
  }
}

double layer_sparsity(const LayerInput& layer) {
  if (layer.type == LayerType::attention) return 1.0 - layer.attention.density;
  if (layer.activation == nullptr || layer.activation->empty()) {
    throw InputError("", 0, layer.name + ".activation", "missing or empty activation mask");
  }
  const auto n = static_cast<double>(layer.activation->size());
  return 1.0 - static_cast<double>(layer.activation->count()) / n;
}

Registry<AcceleratorInfo>& accelerator_registry() {
  static Registry<AcceleratorInfo> registry;
  return registry;
}

std::unique_ptr<AcceleratorModel> make_accelerator(const std::string& name,
                                                   const ParamValues& params, Semantics semantics) {
  const AcceleratorInfo& info = accelerator_registry().get("accelerator", name);
  return info.make(resolve_params("accelerator", name, info.params, params), semantics);
}

}  // namespace dysta
