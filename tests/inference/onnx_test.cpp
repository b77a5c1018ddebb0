// ONNX reader and interpreter on tiny models written here with a minimal protobuf encoder.
#include "dysta/inference/onnx.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "dysta/error.h"
#include "dysta/inference/sparsity.h"
#include "test_util.h"

namespace dysta::inference {
namespace {

// Protobuf wire-format writer (just what ONNX messages need).
class Pb {
 public:
  Pb& varint(int field, std::uint64_t v) {
    key(field, 0);
    raw_varint(v);
    return *this;
  }
  Pb& bytes(int field, const std::string& s) {
    key(field, 2);
    raw_varint(s.size());
    buf_ += s;
    return *this;
  }
  Pb& message(int field, const Pb& m) { return bytes(field, m.buf_); }
  Pb& f32(int field, float f) {
    key(field, 5);
    char b[4];
    std::memcpy(b, &f, 4);
    buf_.append(b, 4);
    return *this;
  }
  Pb& packed_ints(int field, const std::vector<std::int64_t>& v) {
    Pb inner;
    for (const auto x : v) inner.raw_varint(static_cast<std::uint64_t>(x));
    return bytes(field, inner.buf_);
  }
  const std::string& str() const { return buf_; }

 private:
  void key(int field, int wt) { raw_varint(static_cast<std::uint64_t>(field) << 3 | wt); }
  void raw_varint(std::uint64_t v) {
    while (v >= 0x80) {
      buf_ += static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    buf_ += static_cast<char>(v);
  }
  std::string buf_;
};

Pb tensor(const std::string& name, const std::vector<std::int64_t>& dims,
          const std::vector<float>& values) {
  Pb t;
  for (const auto d : dims) t.varint(1, static_cast<std::uint64_t>(d));  // unpacked dims
  t.varint(2, 1);                                                        // FLOAT
  std::string raw(values.size() * 4, '\0');
  if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());  // data() may be null
  t.bytes(8, name).bytes(9, raw);
  return t;
}

Pb int64_tensor(const std::string& name, const std::vector<std::int64_t>& values) {
  Pb t;
  t.packed_ints(1, {static_cast<std::int64_t>(values.size())}).varint(2, 7).packed_ints(7, values);
  t.bytes(8, name);
  return t;
}

Pb node(const std::string& op, const std::vector<std::string>& in, const std::string& out,
        const std::vector<Pb>& attributes = {}) {
  Pb n;
  for (const auto& i : in) n.bytes(1, i);
  n.bytes(2, out).bytes(3, out + "_node").bytes(4, op);
  for (const Pb& a : attributes) n.message(5, a);
  return n;
}

Pb int_attr(const std::string& name, std::int64_t v) {
  Pb a;
  a.bytes(1, name).varint(3, static_cast<std::uint64_t>(v)).varint(20, 2);
  return a;
}
Pb ints_attr(const std::string& name, const std::vector<std::int64_t>& v) {
  Pb a;
  a.bytes(1, name).packed_ints(8, v).varint(20, 7);
  return a;
}
Pb tensor_attr(const std::string& name, const Pb& t) {
  Pb a;
  a.bytes(1, name).message(5, t).varint(20, 4);
  return a;
}
Pb value_info(const std::string& name) {
  Pb v;
  v.bytes(1, name);
  return v;
}

std::filesystem::path write_model(const std::filesystem::path& dir, const Pb& graph, int opset) {
  Pb op;
  op.bytes(1, "").varint(2, static_cast<std::uint64_t>(opset));
  Pb model;
  model.varint(1, 8).message(8, op).message(7, graph);
  const auto path = dir / "m.onnx";
  std::ofstream(path, std::ios::binary) << model.str();
  return path;
}

TEST(InferenceOnnx, ConvReluReshapeMatMulSoftmax) {
  test::TempDir dir;
  // x [1,1,2,2] -> Conv(1x1 weight 2 from a Constant node, bias -1 initializer, pads 0)
  // -> Relu -> Reshape [1,4] -> MatMul [4,2] -> Softmax(axis 1).
  Pb g;
  g.message(1, node("Constant", {}, "W", {tensor_attr("value", tensor("", {1, 1, 1, 1}, {2}))}));
  g.message(1, node("Conv", {"x", "W", "B"}, "c",
                    {ints_attr("kernel_shape", {1, 1}), ints_attr("pads", {0, 0, 0, 0}),
                     ints_attr("strides", {1, 1}), int_attr("group", 1)}));
  g.message(1, node("Relu", {"c"}, "r"));
  g.message(1, node("Reshape", {"r", "shape"}, "f"));
  g.message(1, node("MatMul", {"f", "M"}, "m"));
  g.message(1, node("Softmax", {"m"}, "out", {int_attr("axis", 1)}));
  g.message(5, tensor("B", {1}, {-1}));
  g.message(5, int64_tensor("shape", {1, 4}));
  g.message(5, tensor("M", {4, 2}, {1, 0, 1, 0, 1, 0, 1, 0}));
  g.message(11, value_info("x")).message(11, value_info("B")).message(12, value_info("out"));
  const OnnxModel m = read_onnx(write_model(dir.path(), g, 9));
  EXPECT_EQ(m.opset, 9);
  EXPECT_EQ(m.inputs, (std::vector<std::string>{"x"}));
  const Network net = build_onnx_network(m, "tiny");
  ASSERT_EQ(net.layers().size(), 5u);
  EXPECT_EQ(net.layers()[0].kind, LayerKind::kConv);
  EXPECT_EQ(net.layers()[1].kind, LayerKind::kActivation);
  EXPECT_EQ(net.layers()[3].kind, LayerKind::kDense);
  EXPECT_EQ(net.layers()[4].kind, LayerKind::kOther);  // classifier softmax, not attention
  // x = [0, 1, 2, 3] -> 2x-1 = [-1, 1, 3, 5] -> relu [0, 1, 3, 5] -> m = [9, 0] -> softmax.
  SparsityRecorder rec;
  LayerObserver* const obs[] = {&rec};
  const auto out = net.run({Tensor({1, 1, 2, 2}, {0, 1, 2, 3})}, obs);
  ASSERT_EQ(out[0].shape, (Shape{1, 2}));
  EXPECT_NEAR(out[0].data[0], 1.0f / (1.0f + std::exp(-9.0f)), 1e-6f);
  EXPECT_DOUBLE_EQ(rec.layers()[1].output_zero_fraction, 0.25);
}

TEST(InferenceOnnx, SoftmaxOfActivationProductIsAttention) {
  test::TempDir dir;
  Pb g;
  g.message(1, node("Transpose", {"k"}, "kt", {ints_attr("perm", {0, 1, 3, 2})}));
  g.message(1, node("MatMul", {"q", "kt"}, "s"));
  g.message(1, node("Softmax", {"s"}, "p", {int_attr("axis", 3)}));
  g.message(11, value_info("q")).message(11, value_info("k")).message(12, value_info("p"));
  const Network net = build_onnx_network(read_onnx(write_model(dir.path(), g, 9)), "attn");
  EXPECT_EQ(net.layers()[1].kind, LayerKind::kMatMul);
  EXPECT_EQ(net.layers()[2].kind, LayerKind::kAttention);
  SparsityRecorder rec({.record_attention = true});
  LayerObserver* const obs[] = {&rec};
  // One head, T = 2, d = 1: q = [[0],[10]], k = [[0],[1]] -> scores [[0,0],[0,10]].
  net.run({Tensor({1, 1, 2, 1}, {0, 10}), Tensor({1, 1, 2, 1}, {0, 1})}, obs);
  const LayerSparsity& a = rec.layers().back();
  ASSERT_EQ(a.kind, LayerKind::kAttention);
  ASSERT_EQ(a.attention.size(), 4u);
  EXPECT_FLOAT_EQ(a.attention[0], 0.5f);
  EXPECT_NEAR(a.attention[2], 1.0f / (1.0f + std::exp(10.0f)), 1e-9);
  EXPECT_DOUBLE_EQ(a.attention_below_1e3, 0.25);  // p = 4.5e-5
}

TEST(InferenceOnnx, Float16InitializerGatherAndErf) {
  test::TempDir dir;
  // E: FLOAT16 [3, 2] raw bits 1.0, -2.0 | 65504 (largest half), 2^-24 (smallest subnormal) |
  // 0.5, 0 -> Cast to float -> Gather(ids, axis 0) -> Erf.
  Pb e;
  e.varint(1, 3).varint(1, 2).varint(2, 10);  // FLOAT16
  const std::uint16_t bits[] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x3800, 0x0000};
  std::string raw(sizeof bits, '\0');
  std::memcpy(raw.data(), bits, raw.size());
  e.bytes(8, "E16").bytes(9, raw);
  Pb g;
  g.message(1, node("Cast", {"E16"}, "E", {int_attr("to", 1)}));
  g.message(1, node("Gather", {"E", "ids"}, "x", {int_attr("axis", 0)}));
  g.message(1, node("Erf", {"x"}, "y"));
  g.message(5, e);
  g.message(11, value_info("ids")).message(12, value_info("x")).message(12, value_info("y"));
  const Network net = build_onnx_network(read_onnx(write_model(dir.path(), g, 11)), "emb");
  // ids [[2, 0], [-2, 2]]: -2 counts from the end (row 1).
  const auto out = net.run({Tensor({2, 2}, {2, 0, -2, 2})});
  ASSERT_EQ(out[0].shape, (Shape{2, 2, 2}));
  EXPECT_EQ(out[0].data, (std::vector<float>{0.5f, 0, 1, -2, 65504, 0x1p-24f, 0.5f, 0}));
  EXPECT_FLOAT_EQ(out[1].data[0], std::erf(0.5f));
  EXPECT_FLOAT_EQ(out[1].data[3], std::erf(-2.0f));
  // An index past the axis is an input error.
  EXPECT_THROW(net.run({Tensor({1}, {3})}), InputError);
}

// Found by fuzz_onnx (scripts/fuzz.sh): a Clip bound given as an empty initializer, and Conv
// strides with one value, ended in std::out_of_range ("internal error") instead of an InputError.
TEST(InferenceOnnx, ClipBoundsAndWindowAttributesAreChecked) {
  test::TempDir dir;
  const auto expect_error = [&](const Pb& g, int opset, const std::string& needle) {
    try {
      // Conv windows are checked when the input's shape is known, on the first run.
      const Network net = build_onnx_network(read_onnx(write_model(dir.path(), g, opset)), "bad");
      net.run({Tensor({1, 1, 2, 2}, {0, 1, 2, 3})});
      FAIL() << "accepted: " << needle;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  Pb clip;
  clip.message(1, node("Clip", {"x", "lo"}, "y"));
  clip.message(5, tensor("lo", {0}, {}));
  clip.message(11, value_info("x")).message(12, value_info("y"));
  expect_error(clip, 11, "Clip min must be one value, found 0");
  Pb clip2;
  clip2.message(1, node("Clip", {"x", "lo", "hi"}, "y"));
  clip2.message(5, tensor("lo", {1}, {0})).message(5, tensor("hi", {2}, {6, 7}));
  clip2.message(11, value_info("x")).message(12, value_info("y"));
  expect_error(clip2, 11, "Clip max must be one value, found 2");
  for (const auto& [strides, needle] :
       std::vector<std::pair<std::vector<std::int64_t>, std::string>>{
           {{1}, "strides must have 2 values, found 1"},
           {{1, 0}, "strides must be in [1, 65536], found 0"}}) {
    Pb g;
    g.message(1, node("Conv", {"x", "W"}, "c",
                      {ints_attr("kernel_shape", {1, 1}), ints_attr("strides", strides)}));
    g.message(5, tensor("W", {1, 1, 1, 1}, {2}));
    g.message(11, value_info("x")).message(12, value_info("c"));
    expect_error(g, 9, needle);
  }
}

TEST(InferenceOnnx, MalformedFilesAndUnsupportedOperatorsAreInputErrors) {
  test::TempDir dir;
  Pb g;
  g.message(1, node("Tile", {"x", "x"}, "y"));
  g.message(11, value_info("x")).message(12, value_info("y"));
  const auto path = write_model(dir.path(), g, 9);
  try {
    build_onnx_network(read_onnx(path), "bad");
    FAIL() << "unsupported operator accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("Tile"), std::string::npos);
  }
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() - 3);
  EXPECT_THROW(read_onnx(path), InputError);
  EXPECT_THROW(read_onnx(dir.path() / "missing.onnx"), InputError);
}

}  // namespace
}  // namespace dysta::inference
