// CPython-compatible random number generator (spec B.2).
//
// dysta never uses std::*_distribution (their algorithms are implementation-defined). Every draw
// goes through this class, which reproduces CPython 3's `random` module exactly: MT19937 with
// CPython's integer seeding (init_by_array over the 32-bit words of the seed), `random()` from
// two 32-bit outputs (53-bit resolution), `getrandbits`, `randint` by rejection sampling and
// `expovariate` by inversion.
#pragma once

#include <array>
#include <cstdint>

namespace dysta {

class PyRandom {
 public:
  explicit PyRandom(std::uint64_t seed = 0) { this->seed(seed); }

  // Equivalent to Python's random.seed(n) for a non-negative integer n < 2^64.
  void seed(std::uint64_t n);

  // One tempered MT19937 output (CPython genrand_uint32).
  std::uint32_t next_u32();
  // random.getrandbits(k) for 1 <= k <= 32.
  std::uint32_t getrandbits(int k);
  // random.random(): uniform on [0, 1) with 53-bit resolution.
  double random();
  // random.randint(lo, hi), inclusive; requires lo <= hi and hi - lo < 2^32.
  std::int64_t randint(std::int64_t lo, std::int64_t hi);
  // random.expovariate(lambda) = -log(1 - random()) / lambda.
  double expovariate(double lambda);

 private:
  void init_genrand(std::uint32_t s);
  void reload();

  static constexpr int kN = 624;
  std::array<std::uint32_t, kN> mt_{};
  int index_ = kN + 1;
};

}  // namespace dysta
