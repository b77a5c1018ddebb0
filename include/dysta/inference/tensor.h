// Dense float32 tensors of the inference engine (docs/inference.md).
//
// Layout: row-major over `shape` (last axis fastest). Image tensors of the engine's spatial ops are
// NHWC ([batch, height, width, channels]); the ONNX interpreter keeps ONNX's NCHW semantics for
// its graph values and converts at its conv and pooling nodes. Integer-valued ONNX tensors (shapes,
// indices) are stored as floats too; every integer below 2^24 is exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dysta::inference {

using Shape = std::vector<std::int64_t>;

// Number of elements of a shape (1 for a scalar, i.e. an empty shape).
std::int64_t element_count(const Shape& shape);

// "[1,224,224,3]"
std::string shape_string(const Shape& shape);

struct Tensor {
  Shape shape;
  std::vector<float> data;  // element_count(shape) values, row-major

  Tensor() = default;
  explicit Tensor(Shape s, float fill = 0.0f);
  Tensor(Shape s, std::vector<float> values);  // values.size() must equal element_count(s)

  std::int64_t size() const { return static_cast<std::int64_t>(data.size()); }
  std::size_t rank() const { return shape.size(); }
  std::int64_t dim(std::size_t axis) const { return shape[axis]; }
  float* ptr() { return data.data(); }
  const float* ptr() const { return data.data(); }
};

// Fraction of elements that are exactly 0.0f (0 for an empty tensor).
double zero_fraction(const Tensor& t);

// Number of elements that are exactly 0.0f.
std::int64_t count_zeros(const Tensor& t);

}  // namespace dysta::inference
