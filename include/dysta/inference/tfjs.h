// Loaders for TensorFlow.js model files: weight manifests (uint8/uint16-quantised or raw) and
// Keras "layers" models (docs/inference.md, "tfjs models").
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "dysta/inference/network.h"
#include "dysta/inference/tensor.h"

namespace dysta::inference {

// Weight tensors by manifest name. int32 tensors are stored as floats.
using WeightMap = std::map<std::string, Tensor>;

// Decodes the tensors of `specs` (the "weights" arrays of a manifest's groups, concatenated)
// from `bytes` in manifest order: quantised tensors (quantization {dtype uint8|uint16, min,
// scale}) as min + q*scale, others as little-endian float32/int32. The byte count must match
// exactly; any mismatch throws InputError naming `file` and the tensor.
WeightMap decode_weights(const nlohmann::json& specs, std::span<const std::uint8_t> bytes,
                         const std::string& file);

// Reads a tfjs weights manifest (JSON array of {paths, weights}) and the binary files it lists
// (paths relative to the manifest's folder).
WeightMap load_weights_manifest(const std::filesystem::path& manifest);

// A Keras "layers" model: topology and weights.
struct TfjsModel {
  nlohmann::json topology;  // modelTopology
  WeightMap weights;
};

// Reads a tfjs layers model folder: model.json (plain JSON) or model.min.js (UMD wrapper around
// a JavaScript object literal), and the shards listed in its manifest as raw files or as
// "<path>.min.js" UMD wrappers around a base64 string.
TfjsModel read_tfjs_model(const std::filesystem::path& dir);

// Builds the network of a Keras functional model (model_config.class_name "Model"/"Functional",
// channels_last). Supported layers: InputLayer, Conv2D, DepthwiseConv2D, BatchNormalization,
// ReLU, Activation, Add, Concatenate, ZeroPadding2D, MaxPooling2D, AveragePooling2D,
// GlobalAveragePooling2D, Flatten, Dense, Dropout. A Conv2D/Dense with a non-linear activation
// becomes two layers, "<name>" and "<name>/<activation>". Input: NHWC floats as the model expects
// them (preprocessing is the caller's).
Network build_keras_network(const TfjsModel& model, const std::string& name);

}  // namespace dysta::inference
