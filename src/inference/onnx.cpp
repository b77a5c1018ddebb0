#include "dysta/inference/onnx.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "dysta/error.h"
#include "dysta/inference/ops.h"
#include "dysta/input_checks.h"

namespace dysta::inference {
namespace fs = std::filesystem;

const OnnxAttribute* OnnxNode::attribute(const std::string& n) const {
  for (const OnnxAttribute& a : attributes) {
    if (a.name == n) return &a;
  }
  return nullptr;
}

namespace {

// IEEE 754 binary16 bits to float (exact: every half value is a float).
float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t mant = h & 0x3FFu;
  std::uint32_t bits = 0;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      bits = sign | (static_cast<std::uint32_t>(127 - 15 - e) << 23) | ((mant & 0x3FFu) << 13);
    }
  } else if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

using i64 = std::int64_t;

// Protobuf wire-format cursor over one message's bytes.
class Wire {
 public:
  Wire(const std::uint8_t* p, std::size_t n, const std::string& file, const char* message)
      : p_(p), end_(p + n), file_(file), message_(message) {}

  bool done() const { return p_ >= end_; }

  // Reads the next field key; returns false at the end of the message.
  bool next(int& field, int& wire_type) {
    if (done()) return false;
    const std::uint64_t key = varint();
    field = static_cast<int>(key >> 3);
    wire_type = static_cast<int>(key & 7);
    return true;
  }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) fail("truncated varint");
      const std::uint8_t b = *p_++;
      v |= std::uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    fail("varint too long");
  }

  Wire sub() {
    const std::uint64_t n = varint();
    if (n > static_cast<std::uint64_t>(end_ - p_)) fail("length past the end of the message");
    Wire w(p_, static_cast<std::size_t>(n), file_, message_);
    p_ += n;
    return w;
  }

  std::string bytes() {
    Wire w = sub();
    return std::string(reinterpret_cast<const char*>(w.p_),
                       static_cast<std::size_t>(w.end_ - w.p_));
  }

  float fixed32_float() {
    if (end_ - p_ < 4) fail("truncated fixed32");
    float f;
    std::memcpy(&f, p_, 4);
    p_ += 4;
    return f;
  }

  void skip(int wire_type) {
    switch (wire_type) {
      case 0:
        varint();
        return;
      case 1:
        advance(8);
        return;
      case 2:
        sub();
        return;
      case 5:
        advance(4);
        return;
      default:
        fail("unsupported wire type " + std::to_string(wire_type));
    }
  }

  // A repeated varint field, packed (wire type 2) or not.
  void ints(int wire_type, std::vector<i64>& out) {
    if (wire_type == 2) {
      Wire w = sub();
      while (!w.done()) out.push_back(static_cast<i64>(w.varint()));
    } else {
      out.push_back(static_cast<i64>(varint()));
    }
  }

  void floats(int wire_type, std::vector<float>& out) {
    if (wire_type == 2) {
      Wire w = sub();
      while (!w.done()) out.push_back(w.fixed32_float());
    } else {
      out.push_back(fixed32_float());
    }
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file_, 0, message_, what);
  }

 private:
  void advance(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) fail("truncated field");
    p_ += n;
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
  const std::string& file_;
  const char* message_;
};

// TensorProto -> float tensor (FLOAT, DOUBLE, INT32, INT64, INT8, UINT8, BOOL).
Tensor parse_tensor(Wire w, const std::string& file, std::string* name_out) {
  Shape dims;
  int dtype = 0;
  std::vector<float> fdata;
  std::vector<i64> idata;
  std::string raw, name;
  int field, wt;
  while (w.next(field, wt)) {
    switch (field) {
      case 1:
        w.ints(wt, dims);
        break;
      case 2:
        dtype = static_cast<int>(w.varint());
        break;
      case 4:
        w.floats(wt, fdata);
        break;
      case 5:
      case 7:
        w.ints(wt, idata);
        break;
      case 8:
        name = w.bytes();
        break;
      case 9:
        raw = w.bytes();
        break;
      default:
        w.skip(wt);
    }
  }
  if (name_out != nullptr) *name_out = name;
  // Element count, multiplied with overflow checks and bounded by the values actually present
  // (every element takes at least one raw byte or one list entry), before anything is allocated.
  const std::size_t present = std::max({raw.size(), fdata.size(), idata.size()});
  i64 n = 1;
  for (const i64 d : dims) {
    if (d < 0) {
      throw InputError(file, 0, "tensor " + name, "negative dimension in " + shape_string(dims));
    }
    if (__builtin_mul_overflow(n, d, &n) || n > static_cast<i64>(present)) {
      if (std::find(dims.begin(), dims.end(), 0) != dims.end()) {
        n = 0;
        break;
      }
      throw InputError(file, 0, "tensor " + name,
                       "shape " + shape_string(dims) + " needs more values than the " +
                           std::to_string(present) + " the tensor holds");
    }
  }
  Tensor t(dims);
  const auto need = [&](std::size_t bytes_per) {
    if (raw.size() != static_cast<std::size_t>(n) * bytes_per) {
      throw InputError(file, 0, "tensor " + name,
                       "raw_data has " + std::to_string(raw.size()) + " bytes, shape " +
                           shape_string(dims) + " needs " +
                           std::to_string(static_cast<std::size_t>(n) * bytes_per));
    }
  };
  const auto from_list = [&](auto& list) {
    if (static_cast<i64>(list.size()) != n) {
      throw InputError(file, 0, "tensor " + name,
                       std::to_string(list.size()) + " values for shape " + shape_string(dims));
    }
    for (i64 i = 0; i < n; ++i) t.data[i] = static_cast<float>(list[i]);
  };
  switch (dtype) {
    case 1:  // FLOAT
      if (!raw.empty() || fdata.empty()) {
        need(4);
        if (!raw.empty()) std::memcpy(t.data.data(), raw.data(), raw.size());
      } else {
        from_list(fdata);
      }
      break;
    case 10:  // FLOAT16 (IEEE binary16), widened exactly to float32
      if (!raw.empty() || idata.empty()) {
        need(2);
        for (i64 i = 0; i < n; ++i) {
          std::uint16_t h;
          std::memcpy(&h, raw.data() + 2 * i, 2);
          t.data[i] = half_to_float(h);
        }
      } else {
        if (static_cast<i64>(idata.size()) != n) from_list(idata);  // throws the size error
        for (i64 i = 0; i < n; ++i) t.data[i] = half_to_float(static_cast<std::uint16_t>(idata[i]));
      }
      break;
    case 11:  // DOUBLE
      need(8);
      for (i64 i = 0; i < n; ++i) {
        double d;
        std::memcpy(&d, raw.data() + 8 * i, 8);
        t.data[i] = static_cast<float>(d);
      }
      break;
    case 6:  // INT32
    case 7:  // INT64
      if (!raw.empty() || idata.empty()) {
        const std::size_t size = dtype == 6 ? 4 : 8;
        need(size);
        for (i64 i = 0; i < n; ++i) {
          i64 v = 0;
          if (size == 4) {
            std::int32_t v32;
            std::memcpy(&v32, raw.data() + 4 * i, 4);
            v = v32;
          } else {
            std::memcpy(&v, raw.data() + 8 * i, 8);
          }
          t.data[i] = static_cast<float>(v);
        }
      } else {
        from_list(idata);
      }
      break;
    case 2:  // UINT8
    case 3:  // INT8
    case 9:  // BOOL
      if (!raw.empty() || idata.empty()) {
        need(1);
        for (i64 i = 0; i < n; ++i) {
          t.data[i] = dtype == 3 ? static_cast<float>(static_cast<std::int8_t>(raw[i]))
                                 : static_cast<float>(static_cast<std::uint8_t>(raw[i]));
        }
      } else {
        from_list(idata);
      }
      break;
    default:
      throw InputError(file, 0, "tensor " + name, "unsupported data type " + std::to_string(dtype));
  }
  return t;
}

OnnxAttribute parse_attribute(Wire w, const std::string& file) {
  OnnxAttribute a;
  int field, wt;
  while (w.next(field, wt)) {
    switch (field) {
      case 1:
        a.name = w.bytes();
        break;
      case 2:
        a.f = w.fixed32_float();
        break;
      case 3:
        a.i = static_cast<i64>(w.varint());
        break;
      case 4:
        a.s = w.bytes();
        break;
      case 5:
        a.t = parse_tensor(w.sub(), file, nullptr);
        a.has_tensor = true;
        break;
      case 7:
        w.floats(wt, a.floats);
        break;
      case 8:
        w.ints(wt, a.ints);
        break;
      default:
        w.skip(wt);
    }
  }
  return a;
}

OnnxNode parse_node(Wire w, const std::string& file) {
  OnnxNode n;
  int field, wt;
  while (w.next(field, wt)) {
    switch (field) {
      case 1:
        n.inputs.push_back(w.bytes());
        break;
      case 2:
        n.outputs.push_back(w.bytes());
        break;
      case 3:
        n.name = w.bytes();
        break;
      case 4:
        n.op_type = w.bytes();
        break;
      case 5:
        n.attributes.push_back(parse_attribute(w.sub(), file));
        break;
      case 7:
        n.domain = w.bytes();
        break;
      default:
        w.skip(wt);
    }
  }
  return n;
}

std::string value_info_name(Wire w) {
  int field, wt;
  std::string name;
  while (w.next(field, wt)) {
    if (field == 1) {
      name = w.bytes();
    } else {
      w.skip(wt);
    }
  }
  return name;
}

}  // namespace

OnnxModel read_onnx(const fs::path& path) {
  const std::string file = path.string();
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(file, 0, "", "cannot open ONNX file");
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                        std::istreambuf_iterator<char>()};
  OnnxModel m;
  Wire w(bytes.data(), bytes.size(), file, "ModelProto");
  int field, wt;
  bool has_graph = false;
  std::vector<std::string> declared_inputs;
  while (w.next(field, wt)) {
    if (field == 1 && wt == 0) {
      m.ir_version = static_cast<i64>(w.varint());
    } else if (field == 8 && wt == 2) {
      Wire op = w.sub();
      std::string domain;
      i64 version = 0;
      int f2, wt2;
      while (op.next(f2, wt2)) {
        if (f2 == 1) {
          domain = op.bytes();
        } else if (f2 == 2) {
          version = static_cast<i64>(op.varint());
        } else {
          op.skip(wt2);
        }
      }
      if (domain.empty() || domain == "ai.onnx") m.opset = version;
    } else if (field == 7 && wt == 2) {
      has_graph = true;
      Wire g = w.sub();
      int gf, gwt;
      while (g.next(gf, gwt)) {
        if (gf == 1) {
          m.nodes.push_back(parse_node(g.sub(), file));
        } else if (gf == 5) {
          std::string name;
          Tensor t = parse_tensor(g.sub(), file, &name);
          m.initializers.emplace_back(name, std::move(t));
        } else if (gf == 11) {
          declared_inputs.push_back(value_info_name(g.sub()));
        } else if (gf == 12) {
          m.outputs.push_back(value_info_name(g.sub()));
        } else {
          g.skip(gwt);
        }
      }
    } else {
      w.skip(wt);
    }
  }
  if (!has_graph) throw InputError(file, 0, "ModelProto.graph", "missing graph");
  for (const std::string& name : declared_inputs) {
    const bool init = std::any_of(m.initializers.begin(), m.initializers.end(),
                                  [&](const auto& p) { return p.first == name; });
    if (!init) m.inputs.push_back(name);
  }
  return m;
}

namespace {

using Args = std::span<const Tensor* const>;

// One node's operands: runtime values (by value id) or constants, in ONNX input order.
struct Operand {
  int value = -1;                          // network value id, or -1 for a constant / absent input
  std::shared_ptr<const Tensor> constant;  // null for runtime values and absent inputs
};

i64 attr_i(const OnnxNode& n, const char* name, i64 fallback) {
  const OnnxAttribute* a = n.attribute(name);
  return a != nullptr ? a->i : fallback;
}
float attr_f(const OnnxNode& n, const char* name, float fallback) {
  const OnnxAttribute* a = n.attribute(name);
  return a != nullptr ? a->f : fallback;
}
std::vector<i64> attr_ints(const OnnxNode& n, const char* name, std::vector<i64> fallback = {}) {
  const OnnxAttribute* a = n.attribute(name);
  return a != nullptr ? a->ints : fallback;
}

std::size_t norm_axis(i64 axis, std::size_t rank, const char* op) {
  const i64 r = static_cast<i64>(rank);
  if (axis < -r || axis >= r) {
    throw InputError(
        "", 0, op,
        "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  }
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

std::vector<i64> tensor_ints(const Tensor& t) {
  std::vector<i64> v(t.data.size());
  std::transform(t.data.begin(), t.data.end(), v.begin(),
                 [](float f) { return static_cast<i64>(std::llround(f)); });
  return v;
}

Tensor reshaped(const Tensor& x, Shape shape) {
  Tensor y;
  y.shape = std::move(shape);
  y.data = x.data;
  return y;
}

Tensor onnx_reshape(const Tensor& x, const std::vector<i64>& spec) {
  Shape out(spec.size());
  i64 known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == 0) {
      if (i >= x.rank()) throw InputError("", 0, "Reshape", "0 refers past the input rank");
      out[i] = x.dim(i);
    } else if (spec[i] == -1) {
      if (infer >= 0) throw InputError("", 0, "Reshape", "more than one -1");
      infer = static_cast<int>(i);
      continue;
    } else {
      out[i] = spec[i];
    }
    known *= out[i];
  }
  if (infer >= 0) out[static_cast<std::size_t>(infer)] = known == 0 ? 0 : x.size() / known;
  if (element_count(out) != x.size()) {
    throw InputError("", 0, "Reshape",
                     "cannot reshape " + shape_string(x.shape) + " to " + shape_string(out));
  }
  return reshaped(x, out);
}

Tensor onnx_slice(const Tensor& x, const std::vector<i64>& starts, const std::vector<i64>& ends,
                  const std::vector<i64>& axes_in, const std::vector<i64>& steps) {
  const std::size_t r = x.rank();
  if (r == 0) throw InputError("", 0, "Slice", "cannot slice a scalar");
  std::vector<i64> axes = axes_in;
  if (axes.empty()) {
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<i64>(i));
  }
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      (!steps.empty() && steps.size() != starts.size())) {
    throw InputError("", 0, "Slice", "starts, ends, axes and steps differ in length");
  }
  Shape begin(r, 0);
  Shape out = x.shape;
  for (std::size_t k = 0; k < axes.size(); ++k) {
    const std::size_t ax = norm_axis(axes[k], r, "Slice");
    const i64 d = x.dim(ax);
    if (!steps.empty() && steps[k] != 1)
      throw InputError("", 0, "Slice", "only step 1 is supported");
    const i64 s = std::clamp<i64>(starts[k] < 0 ? starts[k] + d : starts[k], 0, d);
    const i64 e = std::clamp<i64>(ends[k] < 0 ? ends[k] + d : ends[k], 0, d);
    begin[ax] = s;
    out[ax] = std::max<i64>(e - s, 0);
  }
  Tensor y(out);
  if (y.size() == 0) return y;
  Shape in_strides(r, 1);
  for (std::size_t i = r - 1; i > 0; --i) in_strides[i - 1] = in_strides[i] * x.dim(i);
  Shape idx(r, 0);
  for (i64 o = 0; o < y.size(); ++o) {
    i64 off = 0;
    for (std::size_t i = 0; i < r; ++i) off += (begin[i] + idx[i]) * in_strides[i];
    y.data[o] = x.data[off];
    for (std::size_t ax = r; ax-- > 0;) {
      if (++idx[ax] < out[ax]) break;
      idx[ax] = 0;
    }
  }
  return y;
}

Tensor reduce_mean(const Tensor& x, std::vector<i64> axes, bool keepdims) {
  const std::size_t r = x.rank();
  std::vector<bool> reduce(r, axes.empty());
  for (const i64 a : axes) reduce[norm_axis(a, r, "ReduceMean")] = true;
  Shape kept(r);
  for (std::size_t i = 0; i < r; ++i) kept[i] = reduce[i] ? 1 : x.dim(i);
  Tensor y(kept);
  std::vector<i64> out_strides(r, 1);
  for (std::size_t i = r; i-- > 1;) out_strides[i - 1] = out_strides[i] * kept[i];
  std::vector<i64> idx(r, 0);
  for (i64 o = 0; o < x.size(); ++o) {
    i64 off = 0;
    for (std::size_t i = 0; i < r; ++i) off += (reduce[i] ? 0 : idx[i]) * out_strides[i];
    y.data[off] += x.data[o];
    for (std::size_t ax = r; ax-- > 0;) {
      if (++idx[ax] < x.dim(ax)) break;
      idx[ax] = 0;
    }
  }
  const float count = static_cast<float>(x.size() / std::max<i64>(y.size(), 1));
  for (float& v : y.data) v /= count;
  if (keepdims) return y;
  Shape squeezed;
  for (std::size_t i = 0; i < r; ++i) {
    if (!reduce[i]) squeezed.push_back(x.dim(i));
  }
  return reshaped(y, squeezed);
}

// Gather (ONNX): out[i_0..i_{a-1}, j.., k..] = x[i_0..i_{a-1}, idx[j..], k..]; negative indices
// count from the end; indices are integer-valued floats (Tensor convention).
Tensor onnx_gather(const Tensor& x, const Tensor& idx, i64 axis) {
  const std::size_t r = x.rank();
  if (r == 0) throw InputError("", 0, "Gather", "cannot gather from a scalar");
  const std::size_t ax = norm_axis(axis, r, "Gather");
  Shape out;
  for (std::size_t i = 0; i < ax; ++i) out.push_back(x.dim(i));
  for (std::size_t i = 0; i < idx.rank(); ++i) out.push_back(idx.dim(i));
  for (std::size_t i = ax + 1; i < r; ++i) out.push_back(x.dim(i));
  i64 outer = 1, inner = 1;
  for (std::size_t i = 0; i < ax; ++i) outer *= x.dim(i);
  for (std::size_t i = ax + 1; i < r; ++i) inner *= x.dim(i);
  const i64 n = x.dim(ax);
  const auto count = static_cast<i64>(idx.data.size());
  Tensor y(out);
  for (i64 o = 0; o < outer; ++o) {
    for (i64 j = 0; j < count; ++j) {
      const float f = idx.data[static_cast<std::size_t>(j)];
      i64 k = static_cast<i64>(f);
      if (static_cast<float>(k) != f || k < -n || k >= n) {
        throw InputError("", 0, "Gather",
                         fmt::format("index {} out of range for axis of size {}", f, n));
      }
      if (k < 0) k += n;
      std::copy_n(x.data.begin() + (o * n + k) * inner, inner,
                  y.data.begin() + (o * count + j) * inner);
    }
  }
  return y;
}

// Softmax over `axis`: opset < 13 flattens to [prod(dims[:axis]), prod(dims[axis:])].
Tensor onnx_softmax(const Tensor& x, i64 axis, i64 opset) {
  const std::size_t ax = norm_axis(axis, x.rank(), "Softmax");
  if (opset < 13 || ax == x.rank() - 1) {
    i64 inner = 1;
    for (std::size_t i = ax; i < x.rank(); ++i) inner *= x.dim(i);
    return reshaped(softmax_last(reshaped(x, {x.size() / std::max<i64>(inner, 1), inner})),
                    x.shape);
  }
  std::vector<std::size_t> perm(x.rank());
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::swap(perm[ax], perm.back());
  return transpose(softmax_last(transpose(x, perm)), perm);
}

// Spatial parameters of Conv / pooling nodes for an NCHW input.
struct Window {
  int kh = 1, kw = 1;
  Padding2D pad;
  int sh = 1, sw = 1, dh = 1, dw = 1;
};

Window window(const OnnxNode& n, const Tensor& x, int kh, int kw) {
  Window w;
  w.kh = kh;
  w.kw = kw;
  const auto strides = attr_ints(n, "strides", {1, 1});
  const auto dil = attr_ints(n, "dilations", {1, 1});
  // Two spatial values each (NCHW), positive and small enough for int arithmetic on the sizes.
  for (const auto* v : {&strides, &dil}) {
    const char* what = v == &strides ? "strides" : "dilations";
    if (v->size() != 2) {
      throw InputError(
          "", 0, n.outputs.empty() ? n.op_type : n.outputs[0],
          std::string(what) + " must have 2 values, found " + std::to_string(v->size()));
    }
    for (const auto x : *v) {
      if (x < 1 || x > (1 << 16)) {
        throw InputError("", 0, n.outputs.empty() ? n.op_type : n.outputs[0],
                         std::string(what) + " must be in [1, 65536], found " + std::to_string(x));
      }
    }
  }
  w.sh = static_cast<int>(strides[0]);
  w.sw = static_cast<int>(strides[1]);
  w.dh = static_cast<int>(dil[0]);
  w.dw = static_cast<int>(dil[1]);
  const OnnxAttribute* ap = n.attribute("auto_pad");
  const std::string auto_pad = ap != nullptr ? ap->s : "NOTSET";
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    w.pad = same_padding(x.dim(2), x.dim(3), kh, kw, w.sh, w.sw, w.dh, w.dw);
    if (auto_pad == "SAME_LOWER") {
      std::swap(w.pad.top, w.pad.bottom);
      std::swap(w.pad.left, w.pad.right);
    }
  } else if (auto_pad == "NOTSET") {
    const auto pads = attr_ints(n, "pads", {0, 0, 0, 0});
    if (pads.size() != 4) throw InputError("", 0, n.op_type, "pads must have 4 values");
    w.pad = {static_cast<int>(pads[0]), static_cast<int>(pads[2]), static_cast<int>(pads[1]),
             static_cast<int>(pads[3])};
  }
  if (attr_i(n, "ceil_mode", 0) != 0) throw InputError("", 0, n.op_type, "ceil_mode unsupported");
  return w;
}

class OnnxBuilder {
 public:
  OnnxBuilder(const OnnxModel& m, const std::string& name) : m_(m), net_(name) {}

  Network build() {
    for (const auto& [name, t] : m_.initializers) constants_[name] = std::make_shared<Tensor>(t);
    for (const std::string& in : m_.inputs) values_[in] = net_.add_input(in);
    for (const OnnxNode& n : m_.nodes) add(n);
    for (const std::string& out : m_.outputs) {
      const auto it = values_.find(out);
      if (it == values_.end()) throw InputError(net_.name(), 0, out, "graph output not computed");
      net_.mark_output(it->second);
    }
    return std::move(net_);
  }

 private:
  Operand operand(const std::string& name, const OnnxNode& n) {
    if (name.empty()) return {};
    if (const auto c = constants_.find(name); c != constants_.end()) return {-1, c->second};
    if (const auto v = values_.find(name); v != values_.end()) return {v->second, nullptr};
    throw InputError(net_.name(), 0, n.name.empty() ? n.op_type : n.name,
                     "input '" + name + "' is not defined before use");
  }

  void add(const OnnxNode& n) {
    if (!n.domain.empty() && n.domain != "ai.onnx") {
      throw InputError(net_.name(), 0, n.name, "unsupported operator domain '" + n.domain + "'");
    }
    if (n.outputs.empty()) throw InputError(net_.name(), 0, n.name, "node has no output");
    if (n.op_type == "Constant") {
      const OnnxAttribute* v = n.attribute("value");
      if (v == nullptr || !v->has_tensor) {
        throw InputError(net_.name(), 0, n.outputs[0], "Constant without a tensor value");
      }
      constants_[n.outputs[0]] = std::make_shared<Tensor>(v->t);
      return;
    }
    for (std::size_t k = 1; k < n.outputs.size(); ++k) {
      if (!n.outputs[k].empty() && n.op_type != "BatchNormalization") {
        throw InputError(net_.name(), 0, n.outputs[0],
                         n.op_type + " with several outputs is unsupported");
      }
    }
    std::vector<Operand> ops;
    for (const std::string& in : n.inputs) ops.push_back(operand(in, n));
    const bool all_const =
        std::all_of(ops.begin(), ops.end(), [](const Operand& o) { return o.value < 0; });
    LayerKind kind = LayerKind::kOther;
    std::shared_ptr<const Tensor> weights;
    auto fn = make_op(n, ops, kind, weights);
    // Wrap: gather runtime values and constants into ONNX input order.
    std::vector<int> runtime;
    std::vector<int> slot(ops.size(), -1);
    for (std::size_t k = 0; k < ops.size(); ++k) {
      if (ops[k].value >= 0) {
        slot[k] = static_cast<int>(runtime.size());
        runtime.push_back(ops[k].value);
      }
    }
    LayerFn run = [fn, ops, slot](Args rt) {
      std::vector<const Tensor*> all(ops.size(), nullptr);
      for (std::size_t k = 0; k < ops.size(); ++k) {
        all[k] = slot[k] >= 0 ? rt[static_cast<std::size_t>(slot[k])] : ops[k].constant.get();
      }
      return fn(all);
    };
    if (all_const && !ops.empty()) {
      // Fold constant subgraphs at load time.
      constants_[n.outputs[0]] = std::make_shared<Tensor>(run({}));
      return;
    }
    Layer l;
    l.name = n.outputs[0];
    l.op = n.op_type;
    l.kind = kind;
    l.inputs = runtime;
    l.run = std::move(run);
    l.weights = std::move(weights);
    values_[n.outputs[0]] = net_.add_layer(std::move(l));
    kinds_[n.outputs[0]] = kind;
    // Attention scores: the product of two runtime matrices (MatMul), possibly scaled, biased or
    // masked by element-wise Add/Sub/Mul/Div; a Softmax of scores is an attention layer.
    const bool elementwise =
        n.op_type == "Add" || n.op_type == "Sub" || n.op_type == "Mul" || n.op_type == "Div";
    if (kind == LayerKind::kMatMul ||
        (elementwise && std::any_of(n.inputs.begin(), n.inputs.end(), [this](const std::string& v) {
           return scores_.count(v) != 0;
         }))) {
      scores_.insert(n.outputs[0]);
    }
  }

  using OpFn = std::function<Tensor(const std::vector<const Tensor*>&)>;

  static const Tensor& in(const std::vector<const Tensor*>& a, std::size_t k, const char* op) {
    if (k >= a.size() || a[k] == nullptr) {
      throw InputError("", 0, op, "missing input " + std::to_string(k));
    }
    return *a[k];
  }

  OpFn make_op(const OnnxNode& n, const std::vector<Operand>& ops, LayerKind& kind,
               std::shared_ptr<const Tensor>& weights) {
    const std::string& t = n.op_type;
    const i64 opset = m_.opset;
    const auto binary_op = [](BinaryOp op) -> OpFn {
      return [op](const std::vector<const Tensor*>& a) {
        return binary(in(a, 0, "binary"), in(a, 1, "binary"), op);
      };
    };
    if (t == "Add") return binary_op(BinaryOp::kAdd);
    if (t == "Sub") return binary_op(BinaryOp::kSub);
    if (t == "Mul") return binary_op(BinaryOp::kMul);
    if (t == "Div") return binary_op(BinaryOp::kDiv);
    if (t == "Pow") return binary_op(BinaryOp::kPow);
    if (t == "Identity") return [](const auto& a) { return in(a, 0, "Identity"); };
    if (t == "Sqrt") {
      return [](const auto& a) {
        Tensor y = in(a, 0, "Sqrt");
        for (float& v : y.data) v = std::sqrt(v);
        return y;
      };
    }
    if (t == "Relu") {
      kind = LayerKind::kActivation;
      return [](const auto& a) { return relu(in(a, 0, "Relu")); };
    }
    if (t == "Sigmoid") return [](const auto& a) { return sigmoid(in(a, 0, "Sigmoid")); };
    if (t == "HardSigmoid") {
      const float alpha = attr_f(n, "alpha", 0.2f), beta = attr_f(n, "beta", 0.5f);
      return [alpha, beta](const auto& a) {
        return hard_sigmoid(in(a, 0, "HardSigmoid"), alpha, beta);
      };
    }
    if (t == "Clip") {
      float lo = -std::numeric_limits<float>::infinity(), hi = -lo;
      if (opset < 11) {
        lo = attr_f(n, "min", lo);
        hi = attr_f(n, "max", hi);
      } else {
        // min and max are scalars (one value each) when given.
        const auto bound = [&](std::size_t k, float fallback) {
          if (ops.size() <= k || !ops[k].constant) return fallback;
          if (ops[k].constant->data.size() != 1) {
            throw InputError(net_.name(), 0, n.outputs[0],
                             std::string("Clip ") + (k == 1 ? "min" : "max") +
                                 " must be one value, found " +
                                 std::to_string(ops[k].constant->data.size()));
          }
          return ops[k].constant->data[0];
        };
        lo = bound(1, lo);
        hi = bound(2, hi);
        if ((ops.size() > 1 && ops[1].value >= 0) || (ops.size() > 2 && ops[2].value >= 0)) {
          throw InputError(net_.name(), 0, n.outputs[0], "Clip bounds must be constant");
        }
      }
      if (lo == 0.0f) kind = LayerKind::kActivation;
      return [lo, hi](const auto& a) { return clip(in(a, 0, "Clip"), lo, hi); };
    }
    if (t == "Softmax") {
      const i64 axis = attr_i(n, "axis", opset < 13 ? 1 : -1);
      if (!ops.empty() && ops[0].value >= 0 && scores_.count(n.inputs[0]) != 0) {
        kind = LayerKind::kAttention;
      }
      return
          [axis, opset](const auto& a) { return onnx_softmax(in(a, 0, "Softmax"), axis, opset); };
    }
    if (t == "Conv") return conv(n, ops, kind, weights);
    if (t == "BatchNormalization") {
      const float eps = attr_f(n, "epsilon", 1e-5f);
      for (std::size_t k = 1; k < 5; ++k) {
        if (k >= ops.size() || !ops[k].constant) {
          throw InputError(net_.name(), 0, n.outputs[0], "BatchNormalization needs constant stats");
        }
      }
      auto scale = std::make_shared<std::vector<float>>();
      auto shift = std::make_shared<std::vector<float>>();
      batch_norm_coefficients(ops[1].constant->data, ops[2].constant->data, ops[3].constant->data,
                              ops[4].constant->data, eps, *scale, *shift);
      return [scale, shift](const auto& a) {
        return channel_affine(in(a, 0, "BatchNormalization"), *scale, *shift, 1);
      };
    }
    if (t == "AveragePool" || t == "MaxPool") {
      const auto k = attr_ints(n, "kernel_shape");
      if (k.size() != 2) throw InputError(net_.name(), 0, n.outputs[0], "2D pooling only");
      const bool mx = t == "MaxPool";
      const bool include = attr_i(n, "count_include_pad", 0) != 0;
      const OnnxNode node = n;
      return [node, k, mx, include](const auto& a) {
        const Tensor& x = in(a, 0, "Pool");
        const Window w = window(node, x, static_cast<int>(k[0]), static_cast<int>(k[1]));
        Pool2DParams p;
        p.kernel_h = w.kh;
        p.kernel_w = w.kw;
        p.stride_h = w.sh;
        p.stride_w = w.sw;
        p.pad = w.pad;
        p.count_include_pad = include;
        const Tensor nhwc = nchw_to_nhwc(x);
        return nhwc_to_nchw(mx ? max_pool2d(nhwc, p) : avg_pool2d(nhwc, p));
      };
    }
    if (t == "GlobalAveragePool") {
      return [](const auto& a) {
        const Tensor& x = in(a, 0, "GlobalAveragePool");
        const Tensor y = global_avg_pool(nchw_to_nhwc(x));
        return reshaped(y, {x.dim(0), x.dim(1), 1, 1});
      };
    }
    if (t == "MatMul" || t == "Gemm") {
      const bool const_b = ops.size() > 1 && ops[1].constant != nullptr;
      kind = const_b ? LayerKind::kDense : LayerKind::kMatMul;
      if (const_b) weights = ops[1].constant;
      if (t == "MatMul")
        return [](const auto& a) { return matmul(in(a, 0, "MatMul"), in(a, 1, "MatMul")); };
      const float alpha = attr_f(n, "alpha", 1.0f), beta = attr_f(n, "beta", 1.0f);
      const bool ta = attr_i(n, "transA", 0) != 0, tb = attr_i(n, "transB", 0) != 0;
      if (const_b && tb) {
        weights = std::make_shared<Tensor>(transpose(*ops[1].constant, {1, 0}));
      }
      return [alpha, beta, ta, tb](const auto& a) {
        const Tensor A = ta ? transpose(in(a, 0, "Gemm"), {1, 0}) : in(a, 0, "Gemm");
        const Tensor B = tb ? transpose(in(a, 1, "Gemm"), {1, 0}) : in(a, 1, "Gemm");
        Tensor y = matmul(A, B);
        if (alpha != 1.0f) y = binary(y, Tensor({}, alpha), BinaryOp::kMul);
        if (a.size() > 2 && a[2] != nullptr) {
          y = binary(y, beta == 1.0f ? *a[2] : binary(*a[2], Tensor({}, beta), BinaryOp::kMul),
                     BinaryOp::kAdd);
        }
        return y;
      };
    }
    if (t == "Transpose") {
      const auto perm_attr = attr_ints(n, "perm");
      return [perm_attr](const auto& a) {
        const Tensor& x = in(a, 0, "Transpose");
        std::vector<std::size_t> perm(x.rank());
        for (std::size_t i = 0; i < perm.size(); ++i) {
          perm[i] =
              perm_attr.empty() ? perm.size() - 1 - i : static_cast<std::size_t>(perm_attr[i]);
        }
        return transpose(x, perm);
      };
    }
    if (t == "Reshape") {
      return [](const auto& a) {
        return onnx_reshape(in(a, 0, "Reshape"), tensor_ints(in(a, 1, "Reshape")));
      };
    }
    if (t == "Flatten") {
      const i64 axis = attr_i(n, "axis", 1);
      return [axis](const auto& a) {
        const Tensor& x = in(a, 0, "Flatten");
        const std::size_t ax =
            axis == static_cast<i64>(x.rank()) ? x.rank() : norm_axis(axis, x.rank(), "Flatten");
        i64 outer = 1;
        for (std::size_t i = 0; i < ax; ++i) outer *= x.dim(i);
        return reshaped(x, {outer, outer == 0 ? 0 : x.size() / outer});
      };
    }
    if (t == "Squeeze" || t == "Unsqueeze") {
      const bool sq = t == "Squeeze";
      const auto axes_attr = attr_ints(n, "axes");
      return [sq, axes_attr](const auto& a) {
        const Tensor& x = in(a, 0, "Squeeze");
        std::vector<i64> axes = axes_attr;
        if (axes.empty() && a.size() > 1 && a[1] != nullptr) axes = tensor_ints(*a[1]);
        Shape out;
        if (sq) {
          std::vector<bool> drop(x.rank(), axes.empty());
          for (const i64 ax : axes) drop[norm_axis(ax, x.rank(), "Squeeze")] = true;
          for (std::size_t i = 0; i < x.rank(); ++i) {
            if (!drop[i] || x.dim(i) != 1) out.push_back(x.dim(i));
          }
        } else {
          const std::size_t r = x.rank() + axes.size();
          std::vector<bool> add(r, false);
          for (const i64 ax : axes) add[norm_axis(ax, r, "Unsqueeze")] = true;
          std::size_t src = 0;
          for (std::size_t i = 0; i < r; ++i) out.push_back(add[i] ? 1 : x.dim(src++));
        }
        return reshaped(x, out);
      };
    }
    if (t == "Slice") {
      if (opset < 10) {
        const auto s = attr_ints(n, "starts"), e = attr_ints(n, "ends"), ax = attr_ints(n, "axes");
        return [s, e, ax](const auto& a) { return onnx_slice(in(a, 0, "Slice"), s, e, ax, {}); };
      }
      return [](const auto& a) {
        const auto opt = [&](std::size_t k) {
          return a.size() > k && a[k] != nullptr ? tensor_ints(*a[k]) : std::vector<i64>{};
        };
        return onnx_slice(in(a, 0, "Slice"), tensor_ints(in(a, 1, "Slice")),
                          tensor_ints(in(a, 2, "Slice")), opt(3), opt(4));
      };
    }
    if (t == "Concat") {
      const i64 axis = attr_i(n, "axis", 0);
      return [axis](const auto& a) {
        std::vector<const Tensor*> xs;
        for (const Tensor* x : a) {
          if (x != nullptr) xs.push_back(x);
        }
        if (xs.empty()) throw InputError("", 0, "Concat", "no inputs");
        return concat(xs, norm_axis(axis, xs[0]->rank(), "Concat"));
      };
    }
    if (t == "ReduceMean") {
      const auto axes = attr_ints(n, "axes");
      const bool keep = attr_i(n, "keepdims", 1) != 0;
      return
          [axes, keep](const auto& a) { return reduce_mean(in(a, 0, "ReduceMean"), axes, keep); };
    }
    if (t == "Erf") {
      return [](const auto& a) {
        Tensor y = in(a, 0, "Erf");
        for (float& v : y.data) v = std::erf(v);
        return y;
      };
    }
    if (t == "Gather") {
      const i64 axis = attr_i(n, "axis", 0);
      return [axis](const auto& a) {
        return onnx_gather(in(a, 0, "Gather"), in(a, 1, "Gather"), axis);
      };
    }
    if (t == "Shape") {
      return [](const auto& a) {
        const Tensor& x = in(a, 0, "Shape");
        Tensor y({static_cast<i64>(x.rank())});
        for (std::size_t i = 0; i < x.rank(); ++i) y.data[i] = static_cast<float>(x.dim(i));
        return y;
      };
    }
    if (t == "Cast") {
      const i64 to = attr_i(n, "to", 1);
      const bool integral = to == 2 || to == 3 || to == 4 || to == 5 || to == 6 || to == 7 ||
                            to == 12 || to == 13 || to == 9;
      return [integral, to](const auto& a) {
        Tensor y = in(a, 0, "Cast");
        if (integral) {
          for (float& v : y.data) v = to == 9 ? (v != 0.0f ? 1.0f : 0.0f) : std::trunc(v);
        }
        return y;
      };
    }
    throw InputError(net_.name(), 0, n.outputs[0], "unsupported ONNX operator '" + t + "'");
  }

  OpFn conv(const OnnxNode& n, const std::vector<Operand>& ops, LayerKind& kind,
            std::shared_ptr<const Tensor>& weights) {
    if (ops.size() < 2 || !ops[1].constant || ops[1].constant->rank() != 4) {
      throw InputError(net_.name(), 0, n.outputs[0], "Conv needs a constant 4-D weight");
    }
    kind = LayerKind::kConv;
    const i64 group = attr_i(n, "group", 1);
    weights = ops[1].constant;  // [Cout, Cin/group, kh, kw], used as is by conv2d_nchw
    std::shared_ptr<const Tensor> bias;
    if (ops.size() > 2 && ops[2].constant) bias = ops[2].constant;
    const OnnxNode node = n;
    const std::shared_ptr<const Tensor> k = weights;
    return [node, k, bias, group](const std::vector<const Tensor*>& a) {
      const Tensor& x = in(a, 0, "Conv");
      if (x.rank() != 4) throw InputError("", 0, "Conv", "input must be NCHW");
      const Window w = window(node, x, static_cast<int>(k->dim(2)), static_cast<int>(k->dim(3)));
      Conv2DParams p;
      p.stride_h = w.sh;
      p.stride_w = w.sw;
      p.dilation_h = w.dh;
      p.dilation_w = w.dw;
      p.pad = w.pad;
      p.groups = static_cast<int>(group);
      return conv2d_nchw(x, *k, bias.get(), p);
    };
  }

  const OnnxModel& m_;
  Network net_;
  std::map<std::string, std::shared_ptr<const Tensor>> constants_;
  std::map<std::string, int> values_;
  std::map<std::string, LayerKind> kinds_;
  std::set<std::string> scores_;  // values holding attention scores (see add())
};

}  // namespace

Network build_onnx_network(const OnnxModel& model, const std::string& name) {
  return OnnxBuilder(model, name).build();
}

}  // namespace dysta::inference
