#include "dysta/inference/tensor.h"

#include <algorithm>

#include "dysta/error.h"

namespace dysta::inference {

std::int64_t element_count(const Shape& shape) {
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
  std::int64_t n = 1;
  for (const std::int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) {
      throw InputError("", 0, "tensor", "shape " + shape_string(shape) + " has no valid size");
    }
  }
  return n;
}

std::string shape_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor::Tensor(Shape s, float fill)
    : shape(std::move(s)), data(static_cast<std::size_t>(element_count(shape)), fill) {}

Tensor::Tensor(Shape s, std::vector<float> values) : shape(std::move(s)), data(std::move(values)) {
  if (static_cast<std::int64_t>(data.size()) != element_count(shape)) {
    throw InputError("", 0, "tensor",
                     "shape " + shape_string(shape) + " does not match " +
                         std::to_string(data.size()) + " values");
  }
}

std::int64_t count_zeros(const Tensor& t) {
  return std::count(t.data.begin(), t.data.end(), 0.0f);
}

double zero_fraction(const Tensor& t) {
  if (t.data.empty()) return 0.0;
  return static_cast<double>(count_zeros(t)) / static_cast<double>(t.data.size());
}

}  // namespace dysta::inference
