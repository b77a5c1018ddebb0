// Bit-exact binary floating point of the hardware scheduler's score unit (spec H.4): IEEE 754
// binary32 (FP32) or binary16 (FP16) encodings, round-to-nearest-even, with the simplifications
// usual in FPGA floating-point units, which the RTL (rtl/dysta_fp_*.sv) implements identically:
//
// * Subnormal inputs are read as zero of the same sign (denormals-are-zero).
// * A result is rounded to precision M+1 with an unbounded exponent; if its exponent is then below
//   the normal range it becomes a zero of the result's sign (flush-to-zero after rounding); if it
//   is above the range it becomes an infinity of that sign.
// * Every NaN result is the canonical quiet NaN (sign 0, exponent all ones, top fraction bit 1).
// * x - x = +0 (round-to-nearest rule); (+0) + (-0) = +0; (-0) + (-0) = -0.
//
// Values travel as raw encodings in the low bits of a std::uint32_t.
#pragma once

#include <cstdint>

namespace dysta::hw {

struct FloatFormat {
  int exp_bits;  // E
  int man_bits;  // M (stored fraction bits)
  constexpr int width() const { return 1 + exp_bits + man_bits; }
  constexpr int bias() const { return (1 << (exp_bits - 1)) - 1; }
  constexpr std::uint32_t exp_max() const { return (1u << exp_bits) - 1; }
  constexpr std::uint32_t mask() const { return width() == 32 ? 0xFFFFFFFFu : (1u << width()) - 1; }
  constexpr bool operator==(const FloatFormat&) const = default;
};

inline constexpr FloatFormat kFp32{8, 23};
inline constexpr FloatFormat kFp16{5, 10};

std::uint32_t fp_one(FloatFormat f);
std::uint32_t fp_nan(FloatFormat f);  // the canonical quiet NaN
std::uint32_t fp_neg(FloatFormat f, std::uint32_t a);
bool fp_is_nan(FloatFormat f, std::uint32_t a);
// Exponent field 0: zero or subnormal, both read as zero.
bool fp_is_zero(FloatFormat f, std::uint32_t a);
bool fp_sign(FloatFormat f, std::uint32_t a);

std::uint32_t fp_mul(FloatFormat f, std::uint32_t a, std::uint32_t b);
std::uint32_t fp_add(FloatFormat f, std::uint32_t a, std::uint32_t b);
inline std::uint32_t fp_sub(FloatFormat f, std::uint32_t a, std::uint32_t b) {
  return fp_add(f, a, fp_neg(f, b));
}

// value x 2^-frac_bits (a two's complement fixed-point number) rounded to the format.
std::uint32_t fp_from_fixed(FloatFormat f, std::int64_t value, int frac_bits);

// The bit-level implementations of fp_mul, fp_add and fp_from_fixed (integer significands and
// one rounding step, the structure of rtl/dysta_fp_*.sv). The functions above return the same
// encoding for every input; for normal operands they compute in double instead (soft_float.cpp
// gives the argument), several times faster. tests/hardware/arith_test.cpp checks the equality.
namespace reference {
std::uint32_t fp_mul(FloatFormat f, std::uint32_t a, std::uint32_t b);
std::uint32_t fp_add(FloatFormat f, std::uint32_t a, std::uint32_t b);
std::uint32_t fp_from_fixed(FloatFormat f, std::int64_t value, int frac_bits);
}  // namespace reference
// The nearest value to 1/n (n >= 1), as the host computes the 1/N table (spec C.7's division by N).
std::uint32_t fp_recip(FloatFormat f, std::uint64_t n);

// Host-side conversions (not hardware): a double rounded with the same rules, and back.
std::uint32_t fp_from_double(FloatFormat f, double x);
double fp_to_double(FloatFormat f, std::uint32_t a);  // subnormal encodings read as zero

// An unsigned key that orders encodings by value: -inf < ... < -0 < +0 < ... < +inf < NaN (the
// canonical NaN has sign 0). The scheduler keeps the task with the strictly smallest key.
std::uint32_t fp_order_key(FloatFormat f, std::uint32_t a);

}  // namespace dysta::hw
