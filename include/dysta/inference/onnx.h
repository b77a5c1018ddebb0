// ONNX loader and interpreter (docs/inference.md, "ONNX"). The model file is read with a small
// protobuf wire-format reader (no protobuf dependency); the graph becomes a Network whose values
// keep ONNX's NCHW semantics. Supported operators: Constant, Identity, Add, Sub, Mul, Div, Pow,
// Sqrt, Relu, Clip, Sigmoid, HardSigmoid, Softmax, Conv (groups/depthwise, pads, strides,
// dilations), BatchNormalization, AveragePool, MaxPool, GlobalAveragePool, MatMul, Gemm,
// Transpose, Reshape, Flatten, Squeeze, Unsqueeze, Slice, Concat, ReduceMean, Shape, Cast.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dysta/inference/network.h"

namespace dysta::inference {

// A decoded ONNX node (attributes kept as raw values by name).
struct OnnxAttribute {
  std::string name;
  float f = 0.0f;
  std::int64_t i = 0;
  std::string s;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  bool has_tensor = false;
  Tensor t;
};

struct OnnxNode {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<OnnxAttribute> attributes;

  const OnnxAttribute* attribute(const std::string& name) const;
};

struct OnnxModel {
  std::int64_t ir_version = 0;
  std::int64_t opset = 0;  // default ("" / "ai.onnx") domain
  std::vector<OnnxNode> nodes;
  std::vector<std::pair<std::string, Tensor>> initializers;
  std::vector<std::string> inputs;  // graph inputs that are not initializers
  std::vector<std::string> outputs;
};

// Parses an ONNX file (ModelProto). Throws InputError naming the file on malformed data.
OnnxModel read_onnx(const std::filesystem::path& path);

// Builds the network: one layer per non-Constant node, named after the node's first output.
// Kinds: Conv -> conv; MatMul/Gemm with a constant right operand -> dense, else matmul; Softmax
// fed directly by an activation x activation MatMul -> attention; Relu and Clip(min = 0) ->
// activation.
Network build_onnx_network(const OnnxModel& model, const std::string& name);

}  // namespace dysta::inference
