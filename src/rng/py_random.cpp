// MT19937 as in the reference implementation by Matsumoto and Nishimura, seeded the way CPython's
// _randommodule.c does it (spec B.2).
#include "dysta/py_random.h"

#include <cmath>
#include <stdexcept>
#include <vector>

namespace dysta {
namespace {
constexpr int kM = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperMask = 0x80000000U;
constexpr std::uint32_t kLowerMask = 0x7fffffffU;
}  // namespace

void PyRandom::init_genrand(std::uint32_t s) {
  mt_[0] = s;
  for (int i = 1; i < kN; ++i) {
    mt_[i] = 1812433253U * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
  }
  index_ = kN;
}

void PyRandom::seed(std::uint64_t n) {
  // CPython: key = 32-bit little-endian words of |n|; at least one word (n = 0 gives [0]).
  std::vector<std::uint32_t> key;
  key.push_back(static_cast<std::uint32_t>(n & 0xffffffffU));
  if ((n >> 32) != 0) key.push_back(static_cast<std::uint32_t>(n >> 32));

  init_genrand(19650218U);
  int i = 1;
  std::size_t j = 0;
  const std::size_t key_length = key.size();
  for (std::size_t k = (kN > key_length ? kN : key_length); k > 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525U)) + key[j] +
             static_cast<std::uint32_t>(j);
    ++i;
    ++j;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
    if (j >= key_length) j = 0;
  }
  for (int k = kN - 1; k > 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941U)) -
             static_cast<std::uint32_t>(i);
    ++i;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
  }
  mt_[0] = 0x80000000U;
  index_ = kN;
}

void PyRandom::reload() {
  int kk = 0;
  for (; kk < kN - kM; ++kk) {
    const std::uint32_t y = (mt_[kk] & kUpperMask) | (mt_[kk + 1] & kLowerMask);
    mt_[kk] = mt_[kk + kM] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
  }
  for (; kk < kN - 1; ++kk) {
    const std::uint32_t y = (mt_[kk] & kUpperMask) | (mt_[kk + 1] & kLowerMask);
    mt_[kk] = mt_[kk + (kM - kN)] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
  }
  const std::uint32_t y = (mt_[kN - 1] & kUpperMask) | (mt_[0] & kLowerMask);
  mt_[kN - 1] = mt_[kM - 1] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
  index_ = 0;
}

std::uint32_t PyRandom::next_u32() {
  if (index_ >= kN) reload();
  std::uint32_t y = mt_[index_++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= (y >> 18);
  return y;
}

std::uint32_t PyRandom::getrandbits(int k) {
  if (k < 1 || k > 32) throw std::invalid_argument("getrandbits: k must be in [1, 32]");
  return next_u32() >> (32 - k);
}

double PyRandom::random() {
  const std::uint32_t a = next_u32() >> 5;
  const std::uint32_t b = next_u32() >> 6;
  return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) *
         (1.0 / 9007199254740992.0);
}

std::int64_t PyRandom::randint(std::int64_t lo, std::int64_t hi) {
  if (hi < lo) throw std::invalid_argument("randint: empty range");
  const std::uint64_t n = static_cast<std::uint64_t>(hi - lo) + 1;
  if (n > (std::uint64_t{1} << 32)) throw std::invalid_argument("randint: range too wide");
  int k = 0;  // bit_length(n)
  for (std::uint64_t v = n; v != 0; v >>= 1) ++k;
  // n = 2^32 has bit length 33; CPython then draws 33 bits from two words. Not needed here.
  if (k > 32) throw std::invalid_argument("randint: range too wide");
  std::uint64_t r = getrandbits(k);
  while (r >= n) r = getrandbits(k);
  return lo + static_cast<std::int64_t>(r);
}

double PyRandom::expovariate(double lambda) {
  return -std::log(1.0 - random()) / lambda;
}

}  // namespace dysta
