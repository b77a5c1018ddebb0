// A binary tensor (a sparsity mask) stored as packed bits, row-major (C order): element i of the
// flattened tensor is bit (i mod 64) of word (i / 64). Counting uses popcount over whole words.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

// Marks a function whose hot loop is popcounts: it is compiled twice, with and without the x86-64
// POPCNT instruction, and the dynamic loader picks the variant the CPU supports.
#if defined(__x86_64__) && defined(__ELF__) && defined(__GNUC__) && !defined(__clang__)
#define DYSTA_POPCOUNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define DYSTA_POPCOUNT_CLONES
#endif

namespace dysta {

class BitMask {
 public:
  BitMask() = default;
  // All-zero mask of the given shape. Throws InputError on a negative dimension.
  explicit BitMask(std::vector<std::int64_t> shape);
  // All-one mask of the given shape.
  static BitMask ones(std::vector<std::int64_t> shape);

  const std::vector<std::int64_t>& shape() const { return shape_; }
  std::size_t rank() const { return shape_.size(); }
  std::int64_t dim(std::size_t axis) const { return shape_.at(axis); }
  std::uint64_t size() const { return size_; }  // number of elements
  bool empty() const { return size_ == 0; }

  bool test(std::uint64_t i) const { return (words_[i >> 6] >> (i & 63)) & 1u; }
  void set(std::uint64_t i) { words_[i >> 6] |= std::uint64_t{1} << (i & 63); }
  void reset(std::uint64_t i) { words_[i >> 6] &= ~(std::uint64_t{1} << (i & 63)); }

  // Number of ones in the whole mask / in elements [begin, end).
  std::uint64_t count() const;
  std::uint64_t count(std::uint64_t begin, std::uint64_t end) const;
  // Elements [begin, begin + n) as the low n bits of a word (n <= 64; elements past the end read
  // as 0).
  std::uint64_t bits(std::uint64_t begin, unsigned n) const;

  // Same bits, another shape of the same element count. Throws InputError otherwise.
  BitMask reshaped(std::vector<std::int64_t> shape) const;
  // The shape without leading dimensions of size 1 (keeps at least `min_rank` dimensions).
  BitMask squeezed_leading(std::size_t min_rank) const;

  std::span<const std::uint64_t> words() const { return words_; }
  std::span<std::uint64_t> words() { return words_; }

 private:
  std::vector<std::int64_t> shape_;
  std::uint64_t size_ = 0;
  std::vector<std::uint64_t> words_;  // bits past size_ are always 0
};

// "[a, b, c]" for messages.
std::string shape_to_string(const std::vector<std::int64_t>& shape);

}  // namespace dysta
