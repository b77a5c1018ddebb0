#include "dysta/accelerators/bit_mask.h"

#include <bit>

#include "dysta/error.h"

namespace dysta {
namespace {

std::uint64_t element_count(const std::vector<std::int64_t>& shape) {
  std::uint64_t n = 1;
  for (const std::int64_t d : shape) {
    if (d < 0) throw InputError("", 0, "shape", "negative dimension in " + shape_to_string(shape));
    const auto ud = static_cast<std::uint64_t>(d);
    if (ud != 0 && n > (std::uint64_t{1} << 40) / ud) {
      throw InputError("", 0, "shape", "tensor too large: " + shape_to_string(shape));
    }
    n *= ud;
  }
  return n;
}

std::uint64_t low_bits(unsigned n) {
  return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
}

}  // namespace

std::string shape_to_string(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

BitMask::BitMask(std::vector<std::int64_t> shape)
    : shape_(std::move(shape)), size_(element_count(shape_)), words_((size_ + 63) / 64, 0) {}

BitMask BitMask::ones(std::vector<std::int64_t> shape) {
  BitMask m(std::move(shape));
  for (auto& w : m.words_) w = ~std::uint64_t{0};
  if (m.size_ % 64 != 0) m.words_.back() = low_bits(static_cast<unsigned>(m.size_ % 64));
  return m;
}

DYSTA_POPCOUNT_CLONES std::uint64_t BitMask::count() const {
  std::uint64_t n = 0;
  for (const auto w : words_) n += static_cast<std::uint64_t>(std::popcount(w));
  return n;
}

DYSTA_POPCOUNT_CLONES std::uint64_t BitMask::count(std::uint64_t begin, std::uint64_t end) const {
  if (end > size_) end = size_;
  if (begin >= end) return 0;
  const std::uint64_t first = begin >> 6, last = (end - 1) >> 6;
  const std::uint64_t head = ~std::uint64_t{0} << (begin & 63);
  const std::uint64_t tail = low_bits(static_cast<unsigned>(((end - 1) & 63) + 1));
  if (first == last) return static_cast<std::uint64_t>(std::popcount(words_[first] & head & tail));
  std::uint64_t n = static_cast<std::uint64_t>(std::popcount(words_[first] & head));
  for (std::uint64_t w = first + 1; w < last; ++w) {
    n += static_cast<std::uint64_t>(std::popcount(words_[w]));
  }
  return n + static_cast<std::uint64_t>(std::popcount(words_[last] & tail));
}

std::uint64_t BitMask::bits(std::uint64_t begin, unsigned n) const {
  if (n == 0 || begin >= size_) return 0;
  const std::uint64_t word = begin >> 6;
  const unsigned offset = static_cast<unsigned>(begin & 63);
  std::uint64_t v = words_[word] >> offset;
  if (offset != 0 && word + 1 < words_.size()) v |= words_[word + 1] << (64 - offset);
  return v & low_bits(n);
}

BitMask BitMask::reshaped(std::vector<std::int64_t> shape) const {
  if (element_count(shape) != size_) {
    throw InputError("", 0, "shape",
                     "cannot view " + shape_to_string(shape_) + " as " + shape_to_string(shape));
  }
  BitMask m = *this;
  m.shape_ = std::move(shape);
  return m;
}

BitMask BitMask::squeezed_leading(std::size_t min_rank) const {
  std::vector<std::int64_t> s = shape_;
  while (s.size() > min_rank && s.front() == 1) s.erase(s.begin());
  return reshaped(std::move(s));
}

}  // namespace dysta
