#include "dysta/hardware/soft_float.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace dysta::hw {
namespace {

struct Unpacked {
  bool sign;
  std::uint32_t exp;  // biased exponent field
  std::uint32_t man;  // fraction field
};

Unpacked unpack(FloatFormat f, std::uint32_t a) {
  a &= f.mask();
  return {((a >> (f.width() - 1)) & 1u) != 0, (a >> f.man_bits) & f.exp_max(),
          a & ((1u << f.man_bits) - 1)};
}

std::uint32_t pack(FloatFormat f, bool sign, std::uint32_t exp, std::uint32_t man) {
  return (static_cast<std::uint32_t>(sign) << (f.width() - 1)) | (exp << f.man_bits) | man;
}

std::uint32_t signed_zero(FloatFormat f, bool sign) {
  return pack(f, sign, 0, 0);
}
std::uint32_t signed_inf(FloatFormat f, bool sign) {
  return pack(f, sign, f.exp_max(), 0);
}

// Rounds the value (-1)^sign x (mag + delta) x 2^unit_exp, 0 <= delta < 1 with delta > 0 iff
// `sticky`, to M+1 significant bits (nearest, ties to even) with an unbounded exponent, then
// applies flush-to-zero and overflow-to-infinity. This is the one rounding step every operation
// uses (rtl/dysta_fp_round.sv is its hardware twin). mag = 0 gives a zero of the given sign.
std::uint32_t round_pack(FloatFormat f, bool sign, int unit_exp, std::uint64_t mag, bool sticky) {
  if (mag == 0) return signed_zero(f, sign);
  const int msb = 63 - std::countl_zero(mag);
  int shift = msb - f.man_bits;  // bits below the kept M+1
  std::uint64_t kept;
  if (shift > 0) {
    kept = mag >> shift;
    const std::uint64_t rem = mag & ((std::uint64_t{1} << shift) - 1);
    const std::uint64_t half = std::uint64_t{1} << (shift - 1);
    const bool up = rem > half || (rem == half && (sticky || (kept & 1u) != 0));
    if (up) {
      ++kept;
      if (kept >> (f.man_bits + 1)) {
        kept >>= 1;
        ++shift;
      }
    }
  } else {
    if (sticky) throw std::logic_error("round_pack: sticky bit without guard bits");
    kept = mag << -shift;
  }
  const int exp = unit_exp + shift + f.man_bits + f.bias();
  if (exp >= static_cast<int>(f.exp_max())) return signed_inf(f, sign);
  if (exp <= 0) return signed_zero(f, sign);
  return pack(f, sign, static_cast<std::uint32_t>(exp),
              static_cast<std::uint32_t>(kept) & ((1u << f.man_bits) - 1));
}

bool is_normal(FloatFormat f, std::uint32_t a) {
  const std::uint32_t exp = (a >> f.man_bits) & f.exp_max();
  return exp != 0 && exp != f.exp_max();
}

// The value of a normal encoding (exponent field 1 .. exp_max - 1), exactly.
double normal_to_double(FloatFormat f, std::uint32_t a) {
  const std::uint64_t sign = (a >> (f.width() - 1)) & 1u;
  const std::uint64_t exp = ((a >> f.man_bits) & f.exp_max()) - f.bias() + 1023;
  const std::uint64_t man = a & ((1u << f.man_bits) - 1);
  return std::bit_cast<double>((sign << 63) | (exp << 52) | (man << (52 - f.man_bits)));
}

// round_pack() for a value given as a double that is zero or normal: rounds its significand to
// M+1 bits (nearest, ties to even; the carry of a round-up propagates into the exponent field),
// with the exponent unbounded, then flushes to zero / overflows to infinity. A zero keeps its
// sign.
std::uint32_t round_double(FloatFormat f, double x) {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  const bool sign = (bits >> 63) != 0;
  const int drop = 52 - f.man_bits;
  std::uint64_t mag = bits & ~(std::uint64_t{1} << 63);
  mag += ((std::uint64_t{1} << (drop - 1)) - 1) + ((mag >> drop) & 1u);
  mag >>= drop;
  const int exp = static_cast<int>(mag >> f.man_bits) - 1023 + f.bias();
  if (exp >= static_cast<int>(f.exp_max())) return signed_inf(f, sign);
  if (exp <= 0) return signed_zero(f, sign);
  return pack(f, sign, static_cast<std::uint32_t>(exp),
              static_cast<std::uint32_t>(mag) & ((1u << f.man_bits) - 1));
}

// Fast paths (equal to the reference for every input; tests/hardware/arith_test.cpp checks).
// Normal operands only. FP32/FP16 products of two normals are exact in double (24 x 24 bits);
// FP16 sums are exact in double (exponent spread <= 29, 11-bit significands); FP32 sums are
// rounded twice, to 53 bits and then to 24, which equals one rounding to 24 bits because
// 53 >= 2 x 24 + 2 (Figueroa, "When is double rounding innocuous?", SIGNUM 1995). Inputs and
// results never leave double's normal range, and the rounding of round_double() has an unbounded
// exponent, so the flush-to-zero and overflow rules apply to the same rounded value as in
// round_pack(). x - x is +0 in double's round-to-nearest, as the reference requires. The host's
// rounding mode must be the default (round to nearest), which this library never changes.
static_assert(std::numeric_limits<double>::is_iec559);

}  // namespace

std::uint32_t fp_one(FloatFormat f) {
  return pack(f, false, static_cast<std::uint32_t>(f.bias()), 0);
}
std::uint32_t fp_nan(FloatFormat f) {
  return pack(f, false, f.exp_max(), 1u << (f.man_bits - 1));
}
std::uint32_t fp_neg(FloatFormat f, std::uint32_t a) {
  return (a ^ (1u << (f.width() - 1))) & f.mask();
}
bool fp_is_nan(FloatFormat f, std::uint32_t a) {
  const Unpacked u = unpack(f, a);
  return u.exp == f.exp_max() && u.man != 0;
}
bool fp_is_zero(FloatFormat f, std::uint32_t a) {
  return unpack(f, a).exp == 0;
}
bool fp_sign(FloatFormat f, std::uint32_t a) {
  return unpack(f, a).sign;
}

namespace reference {

std::uint32_t fp_mul(FloatFormat f, std::uint32_t a, std::uint32_t b) {
  const Unpacked x = unpack(f, a), y = unpack(f, b);
  const bool sign = x.sign != y.sign;
  const bool x_inf = x.exp == f.exp_max(), y_inf = y.exp == f.exp_max();
  if ((x_inf && x.man != 0) || (y_inf && y.man != 0)) return fp_nan(f);
  if ((x_inf && y.exp == 0) || (y_inf && x.exp == 0)) return fp_nan(f);
  if (x_inf || y_inf) return signed_inf(f, sign);
  if (x.exp == 0 || y.exp == 0) return signed_zero(f, sign);
  const std::uint64_t mx = (1u << f.man_bits) | x.man, my = (1u << f.man_bits) | y.man;
  // value = mx my 2^(ex + ey - 2 bias - 2M)
  const int unit = static_cast<int>(x.exp + y.exp) - 2 * f.bias() - 2 * f.man_bits;
  return round_pack(f, sign, unit, mx * my, false);
}

std::uint32_t fp_add(FloatFormat f, std::uint32_t a, std::uint32_t b) {
  Unpacked x = unpack(f, a), y = unpack(f, b);
  const bool x_inf = x.exp == f.exp_max(), y_inf = y.exp == f.exp_max();
  if ((x_inf && x.man != 0) || (y_inf && y.man != 0)) return fp_nan(f);
  if (x_inf && y_inf) return x.sign == y.sign ? signed_inf(f, x.sign) : fp_nan(f);
  if (x_inf) return signed_inf(f, x.sign);
  if (y_inf) return signed_inf(f, y.sign);
  if (x.exp == 0 && y.exp == 0) return signed_zero(f, x.sign && y.sign);
  if (x.exp == 0) return b & f.mask();
  if (y.exp == 0) return a & f.mask();
  // |x| >= |y| after the swap.
  if (y.exp > x.exp || (y.exp == x.exp && y.man > x.man)) std::swap(x, y);
  // Exact sum in units of 2^(ex - bias - M - K). An addend shifted by more than K bits lies
  // below an eighth of the result's ulp, so only its sign and non-zeroness matter: it is
  // replaced by one unit, which rounds identically.
  const int k = f.man_bits + 5;
  const std::uint32_t d = x.exp - y.exp;
  const std::uint64_t mx = std::uint64_t{(1u << f.man_bits) | x.man} << k;
  const std::uint64_t my_full = (1u << f.man_bits) | y.man;
  const std::uint64_t my = d <= static_cast<std::uint32_t>(k) ? my_full << (k - d) : 1;
  const std::uint64_t sum = x.sign == y.sign ? mx + my : mx - my;
  if (sum == 0) return signed_zero(f, false);
  const int unit = static_cast<int>(x.exp) - f.bias() - f.man_bits - k;
  return round_pack(f, x.sign, unit, sum, false);
}

std::uint32_t fp_from_fixed(FloatFormat f, std::int64_t value, int frac_bits) {
  const bool sign = value < 0;
  const std::uint64_t mag =
      sign ? ~static_cast<std::uint64_t>(value) + 1 : static_cast<std::uint64_t>(value);
  return round_pack(f, sign, -frac_bits, mag, false);
}

}  // namespace reference

std::uint32_t fp_mul(FloatFormat f, std::uint32_t a, std::uint32_t b) {
  a &= f.mask();
  b &= f.mask();
  if (is_normal(f, a) && is_normal(f, b)) {
    return round_double(f, normal_to_double(f, a) * normal_to_double(f, b));
  }
  return reference::fp_mul(f, a, b);
}

std::uint32_t fp_add(FloatFormat f, std::uint32_t a, std::uint32_t b) {
  a &= f.mask();
  b &= f.mask();
  if (is_normal(f, a) && is_normal(f, b)) {
    return round_double(f, normal_to_double(f, a) + normal_to_double(f, b));
  }
  return reference::fp_add(f, a, b);
}

std::uint32_t fp_from_fixed(FloatFormat f, std::int64_t value, int frac_bits) {
  // |value| < 2^53 converts to double exactly; scaling by 2^-frac_bits (0..1000) stays normal.
  constexpr std::int64_t kExact = std::int64_t{1} << 53;
  if (value > -kExact && value < kExact && frac_bits >= 0 && frac_bits <= 1000) {
    const double scale = std::bit_cast<double>(static_cast<std::uint64_t>(1023 - frac_bits) << 52);
    return round_double(f, static_cast<double>(value) * scale);
  }
  return reference::fp_from_fixed(f, value, frac_bits);
}

std::uint32_t fp_recip(FloatFormat f, std::uint64_t n) {
  if (n == 0) throw std::logic_error("fp_recip: n must be >= 1");
  constexpr std::uint64_t kTop = std::uint64_t{1} << 63;
  const std::uint64_t q = kTop / n, r = kTop % n;
  return round_pack(f, false, -63, q, r != 0);
}

std::uint32_t fp_from_double(FloatFormat f, double x) {
  if (std::isnan(x)) return fp_nan(f);
  if (std::isinf(x)) return signed_inf(f, x < 0);
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const bool sign = (bits >> 63) != 0;
  const int exp = static_cast<int>((bits >> 52) & 0x7FF);
  std::uint64_t man = bits & ((std::uint64_t{1} << 52) - 1);
  if (exp == 0 && man == 0) return signed_zero(f, sign);
  int unit;
  if (exp == 0) {
    unit = -1074;  // double subnormal
  } else {
    man |= std::uint64_t{1} << 52;
    unit = exp - 1075;
  }
  return round_pack(f, sign, unit, man, false);
}

double fp_to_double(FloatFormat f, std::uint32_t a) {
  const Unpacked u = unpack(f, a);
  if (u.exp == f.exp_max()) {
    if (u.man != 0) return std::nan("");
    return u.sign ? -INFINITY : INFINITY;
  }
  if (u.exp == 0) return u.sign ? -0.0 : 0.0;
  const double m = 1.0 + std::ldexp(static_cast<double>(u.man), -f.man_bits);
  const double v = std::ldexp(m, static_cast<int>(u.exp) - f.bias());
  return u.sign ? -v : v;
}

std::uint32_t fp_order_key(FloatFormat f, std::uint32_t a) {
  a &= f.mask();
  const std::uint32_t top = 1u << (f.width() - 1);
  return (a & top) ? (~a & f.mask()) : (a | top);
}

}  // namespace dysta::hw
