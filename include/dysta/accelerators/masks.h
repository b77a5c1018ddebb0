// Where sparsity masks come from: NumPy .npy files, inline bit strings, and deterministic
// synthetic masks (pruning patterns and density summaries) for `dysta profile`
// (docs/profile-format.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "dysta/accelerators/bit_mask.h"
#include "dysta/accelerators/model.h"

namespace dysta {

// A NumPy array as stored in an .npy file (format versions 1-3, C order, little-endian or
// single-byte dtypes: b1, u1, i1, u2, i2, u4, i4, u8, i8, f4, f8).
struct NpyArray {
  std::vector<std::int64_t> shape;
  std::string dtype;  // e.g. "<f4", "|b1"
  std::vector<unsigned char> data;
};

// Throws InputError naming the file for unreadable or unsupported files.
NpyArray read_npy(const std::filesystem::path& path);
// Non-zero elements become 1.
BitMask npy_to_mask(const NpyArray& array, const std::string& file);
std::vector<double> npy_to_doubles(const NpyArray& array, const std::string& file);
// Writes a mask as an .npy file of dtype |u1 (0/1).
void write_npy_mask(const std::filesystem::path& path, const BitMask& mask);

// Parses '0'/'1' characters in row-major order (whitespace, ',' and '_' ignored) into a mask of
// `shape`. Throws InputError naming `field` on another character or a wrong count.
BitMask parse_bit_string(std::string_view text, const std::vector<std::int64_t>& shape,
                         const std::string& field);

// A stable 64-bit seed from a text key (FNV-1a), so synthetic masks do not depend on the order
// in which they are generated.
std::uint64_t seed_from_key(std::string_view key);

// Exactly round(density * size) ones at positions drawn uniformly without replacement (a partial
// Fisher-Yates shuffle driven by PyRandom(seed)). For a fixed seed the ones of a lower density are
// a subset of those of a higher one. density in [0, 1].
BitMask random_mask(const std::vector<std::int64_t>& shape, double density, std::uint64_t seed);

// Weight-pruning patterns for a conv or fc layer's (M, C/g, R, S) or (M, C) mask.
enum class PruningPattern {
  dense,         // every weight kept
  unstructured,  // round(density * weights) weights kept at random
  filter,        // round(density * M) whole output filters kept at random
  block,         // round(density * blocks) blocks of `block` consecutive input channels kept
};
// Parses "dense", "unstructured", "filter" or "block"; throws InputError naming `field`.
PruningPattern parse_pruning_pattern(std::string_view text, const std::string& field);

BitMask pruned_weights(const LayerShape& shape, PruningPattern pattern, double density,
                       std::int64_t block, std::uint64_t seed);

}  // namespace dysta
