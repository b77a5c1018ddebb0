#include "dysta/accelerators/masks.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <numeric>

#include "dysta/atomic_output.h"
#include "dysta/error.h"
#include "dysta/input_checks.h"
#include "dysta/py_random.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

std::size_t item_size(const std::string& dtype) {
  if (dtype.size() != 3) return 0;
  const char kind = dtype[1];
  const int bytes = dtype[2] - '0';
  const bool one_byte = bytes == 1;
  const char order = dtype[0];
  if (!(order == '|' || order == '<' || order == '=')) return 0;
  if (order == '|' && !one_byte) return 0;
  if (kind == 'b' && one_byte) return 1;
  if ((kind == 'u' || kind == 'i') && (bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8)) {
    return static_cast<std::size_t>(bytes);
  }
  if (kind == 'f' && (bytes == 4 || bytes == 8)) return static_cast<std::size_t>(bytes);
  return 0;
}

// Value of the quoted string following `key` in the header dict.
std::string header_string(const std::string& header, const std::string& key) {
  const auto k = header.find(key);
  if (k == std::string::npos) return "";
  const auto open = header.find_first_of("'\"", k + key.size() + 1);
  if (open == std::string::npos) return "";
  const auto close = header.find(header[open], open + 1);
  if (close == std::string::npos) return "";
  return header.substr(open + 1, close - open - 1);
}

template <typename T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Element i of the array as a double.
double element(const NpyArray& a, std::size_t i) {
  const std::size_t n = item_size(a.dtype);
  const unsigned char* p = a.data.data() + i * n;
  const char kind = a.dtype[1];
  if (kind == 'b') return *p != 0 ? 1.0 : 0.0;
  if (kind == 'f') return n == 4 ? static_cast<double>(load<float>(p)) : load<double>(p);
  if (kind == 'u') {
    switch (n) {
      case 1:
        return *p;
      case 2:
        return load<std::uint16_t>(p);
      case 4:
        return load<std::uint32_t>(p);
      default:
        return static_cast<double>(load<std::uint64_t>(p));
    }
  }
  switch (n) {
    case 1:
      return static_cast<signed char>(*p);
    case 2:
      return load<std::int16_t>(p);
    case 4:
      return load<std::int32_t>(p);
    default:
      return static_cast<double>(load<std::int64_t>(p));
  }
}

}  // namespace

NpyArray read_npy(const fs::path& path) {
  const std::string file = path.string();
  try {
    require_regular_file(path);
  } catch (const InputError& e) {
    throw InputError(file, 0, "", "cannot open .npy file: " + e.message());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(file, 0, "", "cannot open .npy file");
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
  static const unsigned char kMagic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (bytes.size() < 10 || !std::equal(std::begin(kMagic), std::end(kMagic), bytes.begin())) {
    throw InputError(file, 0, "", "not an .npy file (bad magic)");
  }
  const int major = bytes[6];
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = bytes[8] | (static_cast<std::size_t>(bytes[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw InputError(file, 0, "", "truncated .npy header");
    header_len = bytes[8] | (static_cast<std::size_t>(bytes[9]) << 8) |
                 (static_cast<std::size_t>(bytes[10]) << 16) |
                 (static_cast<std::size_t>(bytes[11]) << 24);
    header_start = 12;
  } else {
    throw InputError(file, 0, "", "unsupported .npy format version " + std::to_string(major));
  }
  if (header_start + header_len > bytes.size())
    throw InputError(file, 0, "", "truncated .npy header");
  const std::string header(bytes.begin() + static_cast<std::ptrdiff_t>(header_start),
                           bytes.begin() + static_cast<std::ptrdiff_t>(header_start + header_len));
  NpyArray a;
  a.dtype = header_string(header, "descr");
  const std::size_t isz = item_size(a.dtype);
  if (isz == 0) {
    throw InputError(
        file, 0, "dtype",
        "unsupported dtype '" + a.dtype +
            "' (supported: b1, u1, i1, u2, i2, u4, i4, u8, i8, f4, f8, little-endian)");
  }
  const auto fo = header.find("fortran_order");
  if (fo != std::string::npos && header.compare(header.find(':', fo) + 1, 5, " True") == 0) {
    throw InputError(file, 0, "fortran_order",
                     "Fortran-order arrays are not supported (save C order)");
  }
  const auto sk = header.find("shape");
  const auto open = sk == std::string::npos ? sk : header.find('(', sk);
  const auto close = open == std::string::npos ? open : header.find(')', open);
  if (close == std::string::npos) throw InputError(file, 0, "shape", "no shape in .npy header");
  std::size_t pos = open + 1;
  while (pos < close) {
    while (pos < close && (header[pos] == ' ' || header[pos] == ',')) ++pos;
    if (pos >= close) break;
    std::size_t end = pos;
    while (end < close && header[end] >= '0' && header[end] <= '9') ++end;
    if (end == pos) throw InputError(file, 0, "shape", "malformed shape in .npy header");
    std::int64_t d = 0;
    const auto [ptr, ec] = std::from_chars(header.data() + pos, header.data() + end, d);
    if (ec != std::errc() || ptr != header.data() + end) {
      throw InputError(file, 0, "shape",
                       "dimension '" + header.substr(pos, end - pos) + "' does not fit in 64 bits");
    }
    a.shape.push_back(d);
    pos = end;
  }
  // Element count and byte size, checked against overflow and then against the bytes present.
  const std::size_t data_start = header_start + header_len;
  const std::uint64_t present = bytes.size() - data_start;
  std::uint64_t n = 1;
  for (const auto d : a.shape) {
    const auto u = static_cast<std::uint64_t>(d);
    if (u != 0 && n > std::numeric_limits<std::uint64_t>::max() / isz / u) {
      throw InputError(file, 0, "shape",
                       "shape has more elements than fit in 64 bits (" + std::to_string(present) +
                           " data bytes present)");
    }
    n *= u;
  }
  if (present < n * isz) {
    throw InputError(file, 0, "",
                     "truncated .npy data: " + std::to_string(n) + " elements of " +
                         std::to_string(isz) + " bytes expected");
  }
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start),
                bytes.begin() + static_cast<std::ptrdiff_t>(data_start + n * isz));
  return a;
}

BitMask npy_to_mask(const NpyArray& a, const std::string& file) {
  BitMask m;
  try {
    m = BitMask(a.shape);
  } catch (const InputError& e) {
    throw InputError(file, 0, "shape", e.what());
  }
  const std::size_t isz = item_size(a.dtype);
  if (isz == 0) throw InputError(file, 0, "dtype", "unsupported dtype '" + a.dtype + "'");
  if (a.dtype[1] == 'b' || a.dtype[1] == 'u' || a.dtype[1] == 'i') {
    // Integer bytes: non-zero iff any byte is non-zero.
    for (std::uint64_t i = 0; i < m.size(); ++i) {
      const unsigned char* p = a.data.data() + i * isz;
      bool nz = false;
      for (std::size_t b = 0; b < isz; ++b) nz = nz || p[b] != 0;
      if (nz) m.set(i);
    }
    return m;
  }
  for (std::uint64_t i = 0; i < m.size(); ++i) {
    if (element(a, i) != 0.0) m.set(i);
  }
  return m;
}

std::vector<double> npy_to_doubles(const NpyArray& a, const std::string& file) {
  const std::size_t isz = item_size(a.dtype);
  if (isz == 0) throw InputError(file, 0, "dtype", "unsupported dtype '" + a.dtype + "'");
  std::vector<double> out(a.data.size() / isz);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = element(a, i);
  return out;
}

void write_npy_mask(const fs::path& path, const BitMask& mask) {
  std::string shape = "(";
  for (std::size_t i = 0; i < mask.rank(); ++i) {
    shape +=
        std::to_string(mask.dim(i)) + (mask.rank() == 1 ? "," : (i + 1 < mask.rank() ? ", " : ""));
  }
  shape += ")";
  std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(1);
  out += static_cast<char>(0);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.reserve(out.size() + mask.size());
  for (std::uint64_t i = 0; i < mask.size(); ++i) out += static_cast<char>(mask.test(i) ? 1 : 0);
  write_file_atomically(path, out);
}

BitMask parse_bit_string(std::string_view text, const std::vector<std::int64_t>& shape,
                         const std::string& field) {
  BitMask m(shape);
  std::uint64_t i = 0;
  for (const char ch : text) {
    if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == ',' || ch == '_') continue;
    if (ch != '0' && ch != '1') {
      throw InputError("", 0, field,
                       std::string("bit strings hold '0' and '1' only, found '") + ch + "'");
    }
    if (i >= m.size()) break;
    if (ch == '1') m.set(i);
    ++i;
  }
  std::uint64_t total = 0;
  for (const char ch : text) total += (ch == '0' || ch == '1') ? 1 : 0;
  if (total != m.size()) {
    throw InputError("", 0, field,
                     std::to_string(total) + " bits given for shape " + shape_to_string(shape) +
                         " (" + std::to_string(m.size()) + " elements)");
  }
  return m;
}

std::uint64_t seed_from_key(std::string_view key) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char ch : key) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

// The first `k` positions of a uniform random permutation of 0..n-1 (partial Fisher-Yates).
std::vector<std::uint64_t> random_positions(std::uint64_t n, std::uint64_t k, std::uint64_t seed) {
  std::vector<std::uint64_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::uint64_t{0});
  PyRandom rng(seed);
  for (std::uint64_t i = 0; i < k; ++i) {
    const std::uint64_t j = static_cast<std::uint64_t>(
        rng.randint(static_cast<std::int64_t>(i), static_cast<std::int64_t>(n - 1)));
    std::swap(idx[i], idx[j]);
  }
  idx.resize(k);
  return idx;
}

std::uint64_t kept_count(double density, std::uint64_t n) {
  return static_cast<std::uint64_t>(std::llround(density * static_cast<double>(n)));
}

}  // namespace

BitMask random_mask(const std::vector<std::int64_t>& shape, double density, std::uint64_t seed) {
  BitMask m(shape);
  if (!(density >= 0.0 && density <= 1.0)) {
    throw InputError("", 0, "density", "must be in [0, 1]");
  }
  const std::uint64_t k = kept_count(density, m.size());
  if (k == m.size()) return BitMask::ones(shape);
  for (const auto i : random_positions(m.size(), k, seed)) m.set(i);
  return m;
}

PruningPattern parse_pruning_pattern(std::string_view text, const std::string& field) {
  if (text == "dense") return PruningPattern::dense;
  if (text == "unstructured") return PruningPattern::unstructured;
  if (text == "filter") return PruningPattern::filter;
  if (text == "block") return PruningPattern::block;
  throw InputError("", 0, field,
                   "unknown pruning pattern '" + std::string(text) +
                       "' (valid: dense, unstructured, filter, block)");
}

BitMask pruned_weights(const LayerShape& shape, PruningPattern pattern, double density,
                       std::int64_t block, std::uint64_t seed) {
  const std::vector<std::int64_t> ws = shape.weight_shape();
  switch (pattern) {
    case PruningPattern::dense:
      return BitMask::ones(ws);
    case PruningPattern::unstructured:
      return random_mask(ws, density, seed);
    case PruningPattern::filter: {
      BitMask m(ws);
      const auto M = static_cast<std::uint64_t>(ws[0]);
      const std::uint64_t per_filter = m.size() / M;
      for (const auto f : random_positions(M, kept_count(density, M), seed)) {
        for (std::uint64_t i = 0; i < per_filter; ++i) m.set(f * per_filter + i);
      }
      return m;
    }
    case PruningPattern::block: {
      if (block <= 0) throw InputError("", 0, "block", "must be positive");
      BitMask m(ws);
      // Blocks run along the input-channel axis (axis 1) at fixed output channel and tap.
      const std::int64_t M = ws[0], Cg = ws[1];
      const std::int64_t taps = ws.size() == 4 ? ws[2] * ws[3] : 1;
      const std::int64_t per_row = (Cg + block - 1) / block;
      const auto blocks = static_cast<std::uint64_t>(M * per_row * taps);
      for (const auto b : random_positions(blocks, kept_count(density, blocks), seed)) {
        const auto bi = static_cast<std::int64_t>(b);
        const std::int64_t m_idx = bi / (per_row * taps);
        const std::int64_t cb = (bi / taps) % per_row;
        const std::int64_t tap = bi % taps;
        for (std::int64_t c = cb * block; c < std::min(Cg, (cb + 1) * block); ++c) {
          m.set(static_cast<std::uint64_t>((m_idx * Cg + c) * taps + tap));
        }
      }
      return m;
    }
  }
  return BitMask(ws);
}

}  // namespace dysta
