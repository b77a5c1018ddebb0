#include "dysta/inference/tfjs.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "dysta/error.h"
#include "dysta/inference/ops.h"
#include "dysta/read_file.h"
#include "inference/js_literal.h"

namespace dysta::inference {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The first object or string literal assigned to "exports" in a UMD wrapper (the wrapper's own
// "module.exports=e()" is skipped).
json js_exported_literal(const std::string& text, const std::string& file) {
  const std::string marker = "exports=";
  for (std::size_t at = text.find(marker); at != std::string::npos;
       at = text.find(marker, at + 1)) {
    std::size_t pos = at + marker.size();
    if (pos < text.size() && (text[pos] == '{' || text[pos] == '"')) {
      return detail::parse_js_value(text, pos, file);
    }
  }
  throw InputError(file, 0, "exports", "no exported object or string literal found");
}

// A nlohmann::json type or range error while a model is read or built (a shard path that is not a
// string, a shape entry that is not a number) is malformed input: an InputError naming the file.
template <class F>
auto json_errors_as_input_errors(const std::string& file, F&& f) {
  try {
    return f();
  } catch (const json::exception& e) {
    throw InputError(file, 0, "", std::string("malformed model: ") + e.what());
  }
}

// Every number of a model's JSON must be finite and fit an int32: the builder converts them with
// nlohmann's get<int> / get<std::int64_t>, and a float out of the target's range is undefined
// behaviour there (fuzz_tfjs found 4.4e86 as a shape entry). Iterative: nesting depth is not
// bounded by the JSON parser.
void check_numbers(const json& root, const std::string& file) {
  constexpr double kLimit = 2147483647.0;
  std::vector<const json*> stack = {&root};
  while (!stack.empty()) {
    const json* v = stack.back();
    stack.pop_back();
    if (v->is_structured()) {
      for (const json& e : *v) stack.push_back(&e);
    } else if (v->is_number()) {
      const double x = v->get<double>();
      if (!(std::abs(x) <= kLimit)) {
        throw InputError(
            file, 0, "",
            "malformed model: number " + v->dump() + " is outside [-2147483647, 2147483647]");
      }
    }
  }
}

const json& field(const json& obj, const char* key, const std::string& file) {
  if (!obj.is_object() || !obj.contains(key)) throw InputError(file, 0, key, "missing field");
  return obj.at(key);
}

}  // namespace

static WeightMap decode_weights_impl(const json& specs, std::span<const std::uint8_t> bytes,
                                     const std::string& file);

WeightMap decode_weights(const json& specs, std::span<const std::uint8_t> bytes,
                         const std::string& file) {
  return json_errors_as_input_errors(file, [&] { return decode_weights_impl(specs, bytes, file); });
}

static WeightMap decode_weights_impl(const json& specs, std::span<const std::uint8_t> bytes,
                                     const std::string& file) {
  WeightMap out;
  std::size_t offset = 0;
  for (const json& spec : specs) {
    const std::string name = field(spec, "name", file).get<std::string>();
    Shape shape;
    for (const json& d : field(spec, "shape", file)) shape.push_back(d.get<std::int64_t>());
    const std::string dtype = field(spec, "dtype", file).get<std::string>();
    if (dtype != "float32" && dtype != "int32") {
      throw InputError(file, 0, name, "unsupported dtype '" + dtype + "'");
    }
    const std::int64_t n = element_count(shape);
    Tensor t(shape);
    const auto need = [&](std::size_t count) {
      if (offset + count > bytes.size()) {
        throw InputError(file, 0, name,
                         "weight data ends early (tensor needs " + std::to_string(count) +
                             " bytes at offset " + std::to_string(offset) + ")");
      }
    };
    if (spec.contains("quantization") && !spec["quantization"].is_null()) {
      const json& q = spec["quantization"];
      const std::string qtype = field(q, "dtype", file).get<std::string>();
      const double mn = field(q, "min", file).get<double>();
      const double scale = field(q, "scale", file).get<double>();
      if (qtype == "uint8") {
        need(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i) {
          t.data[i] = static_cast<float>(mn + scale * bytes[offset + i]);
        }
        offset += static_cast<std::size_t>(n);
      } else if (qtype == "uint16") {
        need(static_cast<std::size_t>(n) * 2);
        for (std::int64_t i = 0; i < n; ++i) {
          const unsigned v = bytes[offset + 2 * i] | (bytes[offset + 2 * i + 1] << 8);
          t.data[i] = static_cast<float>(mn + scale * v);
        }
        offset += static_cast<std::size_t>(n) * 2;
      } else {
        throw InputError(file, 0, name, "unsupported quantization dtype '" + qtype + "'");
      }
      if (dtype == "int32") {
        for (float& v : t.data) v = std::round(v);
      }
    } else {
      need(static_cast<std::size_t>(n) * 4);
      for (std::int64_t i = 0; i < n; ++i) {
        std::uint32_t bits = 0;
        for (int b = 0; b < 4; ++b) bits |= std::uint32_t{bytes[offset + 4 * i + b]} << (8 * b);
        if (dtype == "float32") {
          std::memcpy(&t.data[i], &bits, 4);
        } else {
          t.data[i] = static_cast<float>(static_cast<std::int32_t>(bits));
        }
      }
      offset += static_cast<std::size_t>(n) * 4;
    }
    if (!out.emplace(name, std::move(t)).second) {
      throw InputError(file, 0, name, "duplicate weight name");
    }
  }
  if (offset != bytes.size()) {
    throw InputError(file, 0, "weights",
                     "manifest describes " + std::to_string(offset) + " bytes but the data has " +
                         std::to_string(bytes.size()));
  }
  return out;
}

namespace {
WeightMap load_weights_manifest_impl(const fs::path& manifest);
TfjsModel read_tfjs_model_impl(const fs::path& dir);
}  // namespace

WeightMap load_weights_manifest(const fs::path& manifest) {
  return json_errors_as_input_errors(manifest.string(),
                                     [&] { return load_weights_manifest_impl(manifest); });
}

TfjsModel read_tfjs_model(const fs::path& dir) {
  return json_errors_as_input_errors((dir / "model.json").string(),
                                     [&] { return read_tfjs_model_impl(dir); });
}

namespace {

WeightMap load_weights_manifest_impl(const fs::path& manifest) {
  const std::string file = manifest.string();
  json groups;
  try {
    groups = json::parse(read_file(manifest));
  } catch (const json::exception& e) {
    throw InputError(file, 0, "", std::string("invalid JSON: ") + e.what());
  }
  if (!groups.is_array()) throw InputError(file, 0, "", "manifest must be a JSON array");
  check_numbers(groups, file);
  std::vector<std::uint8_t> bytes;
  json specs = json::array();
  for (const json& g : groups) {
    for (const json& p : field(g, "paths", file)) {
      const std::string data = read_file(manifest.parent_path() / p.get<std::string>());
      bytes.insert(bytes.end(), data.begin(), data.end());
    }
    for (const json& w : field(g, "weights", file)) specs.push_back(w);
  }
  return decode_weights(specs, bytes, file);
}

TfjsModel read_tfjs_model_impl(const fs::path& dir) {
  json model;
  const fs::path plain = dir / "model.json", wrapped = dir / "model.min.js";
  if (fs::exists(plain)) {
    try {
      model = json::parse(read_file(plain));
    } catch (const json::exception& e) {
      throw InputError(plain.string(), 0, "", std::string("invalid JSON: ") + e.what());
    }
  } else if (fs::exists(wrapped)) {
    model = js_exported_literal(read_file(wrapped), wrapped.string());
  } else {
    throw InputError(dir.string(), 0, "", "no model.json or model.min.js in the folder");
  }
  const std::string file = fs::exists(plain) ? plain.string() : wrapped.string();
  check_numbers(model, file);
  TfjsModel out;
  out.topology = field(model, "modelTopology", file);
  std::vector<std::uint8_t> bytes;
  json specs = json::array();
  for (const json& g : field(model, "weightsManifest", file)) {
    for (const json& p : field(g, "paths", file)) {
      const fs::path raw = dir / p.get<std::string>();
      const fs::path js = dir / (p.get<std::string>() + ".min.js");
      std::vector<std::uint8_t> shard;
      if (fs::exists(raw)) {
        const std::string data = read_file(raw);
        shard.assign(data.begin(), data.end());
      } else if (fs::exists(js)) {
        const json b64 = js_exported_literal(read_file(js), js.string());
        if (!b64.is_string()) throw InputError(js.string(), 0, "exports", "expected a string");
        shard = detail::base64_decode(b64.get<std::string>(), js.string());
      } else {
        throw InputError(file, 0, "weightsManifest",
                         "shard '" + p.get<std::string>() + "' not found in " + dir.string());
      }
      bytes.insert(bytes.end(), shard.begin(), shard.end());
    }
    for (const json& w : field(g, "weights", file)) specs.push_back(w);
  }
  out.weights = decode_weights(specs, bytes, file);
  return out;
}

}  // namespace

namespace {

using Args = std::span<const Tensor* const>;

std::vector<int> int_list(const json& v, std::size_t n, const std::string& where) {
  std::vector<int> out;
  if (v.is_number()) {
    out.assign(n, v.get<int>());
  } else if (v.is_array()) {
    for (const json& e : v) out.push_back(e.get<int>());
  }
  if (out.size() != n) throw InputError(where, 0, "", "expected " + std::to_string(n) + " ints");
  return out;
}

class KerasBuilder {
 public:
  KerasBuilder(const TfjsModel& model, const std::string& name) : model_(model), net_(name) {}

  Network build() {
    const json& mc = model_.topology.contains("model_config") ? model_.topology["model_config"]
                                                              : model_.topology;
    const json& cfg = field(mc, "config", where_);
    for (const json& layer : field(cfg, "layers", where_)) add(layer);
    for (const json& out : field(cfg, "output_layers", where_)) {
      const std::string n = out.at(0).get<std::string>();
      net_.mark_output(value(n));
    }
    return std::move(net_);
  }

 private:
  int value(const std::string& layer) {
    const auto it = last_value_.find(layer);
    if (it == last_value_.end()) throw InputError(where_, 0, layer, "unknown inbound layer");
    return it->second;
  }

  std::shared_ptr<const Tensor> weight(const std::string& layer, const std::string& param) {
    const auto it = model_.weights.find(layer + "/" + param);
    if (it == model_.weights.end()) {
      throw InputError(where_, 0, layer + "/" + param, "weight missing from the manifest");
    }
    return std::make_shared<Tensor>(it->second);
  }

  int add_layer(const std::string& name, const std::string& op, LayerKind kind,
                std::vector<int> inputs, LayerFn fn, std::shared_ptr<const Tensor> w = nullptr) {
    Layer l;
    l.name = name;
    l.op = op;
    l.kind = kind;
    l.inputs = std::move(inputs);
    l.run = std::move(fn);
    l.weights = std::move(w);
    l.weights_editable = l.weights != nullptr;
    return net_.add_layer(std::move(l));
  }

  // Adds the activation layer "<name>/<act>" after value `v` when act is not linear.
  int activation(const std::string& name, const std::string& act, int v) {
    if (act == "linear") return v;
    if (act == "relu") {
      return add_layer(name + "/relu", "Relu", LayerKind::kActivation, {v},
                       [](Args a) { return relu(*a[0]); });
    }
    if (act == "relu6") {
      return add_layer(name + "/relu6", "Relu6", LayerKind::kActivation, {v},
                       [](Args a) { return clip(*a[0], 0.0f, 6.0f); });
    }
    if (act == "softmax") {
      return add_layer(name + "/softmax", "Softmax", LayerKind::kOther, {v},
                       [](Args a) { return softmax_last(*a[0]); });
    }
    if (act == "sigmoid") {
      return add_layer(name + "/sigmoid", "Sigmoid", LayerKind::kOther, {v},
                       [](Args a) { return sigmoid(*a[0]); });
    }
    throw InputError(where_, 0, name, "unsupported activation '" + act + "'");
  }

  Padding2D padding(const std::string& mode, const std::string& name) {
    if (mode == "valid") return {};
    if (mode == "same") return {-1, -1, -1, -1};  // resolved per input shape at run time
    throw InputError(where_, 0, name, "unsupported padding '" + mode + "'");
  }

  void add(const json& layer) {
    const std::string cls = field(layer, "class_name", where_).get<std::string>();
    const json& c = field(layer, "config", where_);
    const std::string name =
        layer.contains("name") ? layer["name"].get<std::string>() : c.at("name").get<std::string>();
    if (c.contains("data_format") && c["data_format"] != "channels_last") {
      throw InputError(where_, 0, name, "only channels_last is supported");
    }
    std::vector<int> in;
    const json& inbound = field(layer, "inbound_nodes", where_);
    if (!inbound.empty()) {
      for (const json& ref : inbound.at(0)) in.push_back(value(ref.at(0).get<std::string>()));
    }
    int out = -1;
    if (cls == "InputLayer") {
      out = net_.add_input(name);
    } else if (cls == "Conv2D" || cls == "DepthwiseConv2D") {
      const bool dw = cls == "DepthwiseConv2D";
      auto k = weight(name, dw ? "depthwise_kernel" : "kernel");
      std::shared_ptr<const Tensor> b;
      if (c.value("use_bias", true)) b = weight(name, "bias");
      const std::vector<int> s = int_list(c.at("strides"), 2, name);
      const std::vector<int> d = int_list(c.value("dilation_rate", json(1)), 2, name);
      const Padding2D pad = padding(c.at("padding").get<std::string>(), name);
      const bool same = pad.top < 0;
      const int kh = static_cast<int>(k->dim(0)), kw = static_cast<int>(k->dim(1));
      out = add_layer(
          name, cls, LayerKind::kConv, in,
          [k, b, s, d, same, pad, dw, kh, kw](Args a) {
            Conv2DParams p;
            p.stride_h = s[0];
            p.stride_w = s[1];
            p.dilation_h = d[0];
            p.dilation_w = d[1];
            p.pad = same ? same_padding(a[0]->dim(1), a[0]->dim(2), kh, kw, s[0], s[1], d[0], d[1])
                         : pad;
            return dw ? depthwise_conv2d(*a[0], *k, b.get(), p) : conv2d(*a[0], *k, b.get(), p);
          },
          k);
      {
        ConvGeometry g;
        g.stride_h = s[0];
        g.stride_w = s[1];
        g.dilation_h = d[0];
        g.dilation_w = d[1];
        g.same = same;
        if (!same) {
          g.pad_top = pad.top;
          g.pad_bottom = pad.bottom;
          g.pad_left = pad.left;
          g.pad_right = pad.right;
        }
        g.depthwise = dw;
        net_.set_conv_geometry(out, g);
      }
      out = activation(name, c.value("activation", std::string("linear")), out);
    } else if (cls == "BatchNormalization") {
      const int axis = c.value("axis", -1);
      if (axis != -1 && axis != 3) throw InputError(where_, 0, name, "BN axis must be channels");
      const float eps = c.value("epsilon", 1e-3f);
      const auto mean = weight(name, "moving_mean");
      const auto var = weight(name, "moving_variance");
      const std::size_t n = mean->data.size();
      const std::vector<float> gamma =
          c.value("scale", true) ? weight(name, "gamma")->data : std::vector<float>(n, 1.0f);
      const std::vector<float> beta =
          c.value("center", true) ? weight(name, "beta")->data : std::vector<float>(n, 0.0f);
      auto scale = std::make_shared<std::vector<float>>();
      auto shift = std::make_shared<std::vector<float>>();
      batch_norm_coefficients(gamma, beta, mean->data, var->data, eps, *scale, *shift);
      out = add_layer(name, cls, LayerKind::kOther, in, [scale, shift](Args a) {
        return channel_affine(*a[0], *scale, *shift, a[0]->rank() - 1);
      });
    } else if (cls == "ReLU") {
      const json mv = c.value("max_value", json());
      if (c.value("negative_slope", 0.0) != 0.0 || c.value("threshold", 0.0) != 0.0) {
        throw InputError(where_, 0, name, "only plain ReLU / ReLU(max) is supported");
      }
      if (mv.is_null()) {
        out =
            add_layer(name, "Relu", LayerKind::kActivation, in, [](Args a) { return relu(*a[0]); });
      } else {
        const float hi = mv.get<float>();
        out = add_layer(name, "Relu" + std::to_string(static_cast<int>(hi)), LayerKind::kActivation,
                        in, [hi](Args a) { return clip(*a[0], 0.0f, hi); });
      }
    } else if (cls == "Activation") {
      const std::string act = c.at("activation").get<std::string>();
      if (act != "relu" && act != "relu6") {
        throw InputError(where_, 0, name, "unsupported activation '" + act + "'");
      }
      const float hi = act == "relu6" ? 6.0f : std::numeric_limits<float>::infinity();
      out = add_layer(name, act == "relu" ? "Relu" : "Relu6", LayerKind::kActivation, in,
                      [hi](Args a) { return clip(*a[0], 0.0f, hi); });
    } else if (cls == "Add") {
      out = add_layer(name, cls, LayerKind::kOther, in, [](Args a) {
        return add_all(std::vector<const Tensor*>(a.begin(), a.end()));
      });
    } else if (cls == "Concatenate") {
      const int axis = c.value("axis", -1);
      out = add_layer(name, cls, LayerKind::kOther, in, [axis](Args a) {
        const std::size_t ax = axis < 0 ? a[0]->rank() + axis : static_cast<std::size_t>(axis);
        return concat(std::vector<const Tensor*>(a.begin(), a.end()), ax);
      });
    } else if (cls == "ZeroPadding2D") {
      const json& p = c.at("padding");
      Padding2D pad;
      if (p.is_number()) {
        pad = {p.get<int>(), p.get<int>(), p.get<int>(), p.get<int>()};
      } else if (p.at(0).is_number()) {
        pad = {p[0].get<int>(), p[0].get<int>(), p[1].get<int>(), p[1].get<int>()};
      } else {
        pad = {p[0][0].get<int>(), p[0][1].get<int>(), p[1][0].get<int>(), p[1][1].get<int>()};
      }
      out = add_layer(name, cls, LayerKind::kOther, in,
                      [pad](Args a) { return zero_pad2d(*a[0], pad); });
    } else if (cls == "MaxPooling2D" || cls == "AveragePooling2D") {
      const std::vector<int> k = int_list(c.at("pool_size"), 2, name);
      const json st = c.value("strides", json());
      const std::vector<int> s = st.is_null() ? k : int_list(st, 2, name);
      const Padding2D pad = padding(c.at("padding").get<std::string>(), name);
      const bool same = pad.top < 0, mx = cls == "MaxPooling2D";
      out = add_layer(name, cls, LayerKind::kOther, in, [k, s, pad, same, mx](Args a) {
        Pool2DParams p;
        p.kernel_h = k[0];
        p.kernel_w = k[1];
        p.stride_h = s[0];
        p.stride_w = s[1];
        p.pad = same ? same_padding(a[0]->dim(1), a[0]->dim(2), k[0], k[1], s[0], s[1]) : pad;
        p.count_include_pad = false;  // TF excludes padded cells
        return mx ? max_pool2d(*a[0], p) : avg_pool2d(*a[0], p);
      });
    } else if (cls == "GlobalAveragePooling2D") {
      out = add_layer(name, cls, LayerKind::kOther, in,
                      [](Args a) { return global_avg_pool(*a[0]); });
    } else if (cls == "Flatten") {
      out = add_layer(name, cls, LayerKind::kOther, in, [](Args a) { return flatten(*a[0]); });
    } else if (cls == "Dropout") {
      out = add_layer(name, cls, LayerKind::kOther, in, [](Args a) { return *a[0]; });
    } else if (cls == "Dense") {
      auto k = weight(name, "kernel");
      std::shared_ptr<const Tensor> b;
      if (c.value("use_bias", true)) b = weight(name, "bias");
      out = add_layer(
          name, cls, LayerKind::kDense, in, [k, b](Args a) { return dense(*a[0], *k, b.get()); },
          k);
      out = activation(name, c.value("activation", std::string("linear")), out);
    } else {
      throw InputError(where_, 0, name, "unsupported Keras layer class '" + cls + "'");
    }
    last_value_[name] = out;
  }

  const TfjsModel& model_;
  Network net_;
  std::string where_ = "keras model";
  std::map<std::string, int> last_value_;
};

}  // namespace

Network build_keras_network(const TfjsModel& model, const std::string& name) {
  return json_errors_as_input_errors(name, [&] { return KerasBuilder(model, name).build(); });
}

}  // namespace dysta::inference
