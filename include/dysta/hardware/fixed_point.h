// Two's complement fixed point of the hardware scheduler's time path (spec H.4): Q13.18 (32 bits,
// with FP32 scores) or Q7.8 (16 bits, with FP16 scores). Every operation saturates to the format's
// range instead of wrapping (the artifact's RTL wraps, H.7 #5); products are truncated towards
// minus infinity, as taking the product's middle bits does. rtl/dysta_scheduler.sv does the same.
#pragma once

#include <cstdint>

namespace dysta::hw {

struct QFormat {
  int width;      // W = 1 sign + integer + fraction bits
  int frac_bits;  // F
  constexpr std::int64_t max() const { return (std::int64_t{1} << (width - 1)) - 1; }
  constexpr std::int64_t min() const { return -(std::int64_t{1} << (width - 1)); }
  constexpr bool operator==(const QFormat&) const = default;
};

inline constexpr QFormat kQ13_18{32, 18};
inline constexpr QFormat kQ7_8{16, 8};

std::int64_t q_saturate(QFormat q, std::int64_t v);
// A cycle-count difference in Q units, where one unit is 2^(shift + F) cycles:
// floor(cycles / 2^shift) saturated (0 <= shift <= 63).
std::int64_t q_from_cycles(QFormat q, std::int64_t cycles, int shift);
// floor(a b / 2^F) saturated.
std::int64_t q_mul(QFormat q, std::int64_t a, std::int64_t b);
// Host side: the nearest Q value to x (ties to even), saturated; NaN gives 0.
std::int64_t q_from_double(QFormat q, double x);
double q_to_double(QFormat q, std::int64_t v);
// The W-bit two's complement encoding of v (the RTL's register contents), and back.
std::uint64_t q_encode(QFormat q, std::int64_t v);
std::int64_t q_decode(QFormat q, std::uint64_t bits);

}  // namespace dysta::hw
