// The scheduler's arithmetic (include/dysta/hardware/soft_float.h, fixed_point.h): hand-computed
// encodings, and FP32/FP16 results against the host's correctly rounded IEEE arithmetic wherever
// the hardware's flush-to-zero rules do not apply.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "dysta/hardware/fixed_point.h"
#include "dysta/hardware/soft_float.h"
#include "dysta/py_random.h"

namespace dysta::hw {
namespace {

std::uint32_t f32(float x) {
  return std::bit_cast<std::uint32_t>(x);
}
float as_f32(std::uint32_t b) {
  return std::bit_cast<float>(b);
}

TEST(SoftFloat, HandComputedEncodings) {
  EXPECT_EQ(fp_one(kFp32), 0x3F800000u);
  EXPECT_EQ(fp_one(kFp16), 0x3C00u);
  EXPECT_EQ(fp_nan(kFp16), 0x7E00u);
  EXPECT_EQ(fp_from_double(kFp32, 0.01), 0x3C23D70Au);  // 0.00999999977648...
  EXPECT_EQ(fp_from_double(kFp16, 0.01), 0x211Fu);      // 0.01000213623046875
  EXPECT_EQ(fp_from_double(kFp16, 0.1), 0x2E66u);
  EXPECT_EQ(fp_from_double(kFp16, 65504.0), 0x7BFFu);
  EXPECT_EQ(fp_from_double(kFp16, 65520.0), 0x7C00u);  // halfway to 2^16 rounds to even: +inf
  EXPECT_EQ(fp_from_double(kFp16, 1e-5), 0x0000u);     // subnormal in FP16: flushed
  EXPECT_EQ(fp_from_double(kFp16, -1e-5), 0x8000u);
  EXPECT_DOUBLE_EQ(fp_to_double(kFp16, 0x211F), 0.01000213623046875);
  EXPECT_EQ(fp_to_double(kFp16, 0x0001), 0.0);  // subnormal encoding reads as zero
}

TEST(SoftFloat, HandComputedArithmetic) {
  const FloatFormat h = kFp16;
  // 1.5 x 1.5 = 2.25 exactly.
  EXPECT_EQ(fp_mul(h, 0x3E00, 0x3E00), 0x4080u);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even -> 1.
  EXPECT_EQ(fp_add(h, 0x3C00, 0x1000), 0x3C00u);
  // 1 + 3 x 2^-11 is halfway between 1 + 2^-10 and 1 + 2^-9: ties to even -> 1 + 2^-9 (0x3C02).
  EXPECT_EQ(fp_add(h, 0x3C00, fp_from_double(h, 3.0 / 2048)), 0x3C02u);
  // 1 - 2^-11 = 0.99951171875 is exact with exponent -1; 1 - 2^-12 is halfway between it and 1:
  // ties to even -> 1.
  EXPECT_EQ(fp_sub(h, 0x3C00, 0x1000), 0x3BFFu);
  EXPECT_EQ(fp_sub(h, 0x3C00, 0x0C00), 0x3C00u);
  // x - x = +0; (-0) + (-0) = -0; (+0) + (-0) = +0.
  EXPECT_EQ(fp_sub(h, 0x4500, 0x4500), 0x0000u);
  EXPECT_EQ(fp_add(h, 0x8000, 0x8000), 0x8000u);
  EXPECT_EQ(fp_add(h, 0x0000, 0x8000), 0x0000u);
  // Subnormal inputs are zeros: 0x0001 + 1 = 1; 0x03FF x 2 = +0.
  EXPECT_EQ(fp_add(h, 0x0001, 0x3C00), 0x3C00u);
  EXPECT_EQ(fp_mul(h, 0x03FF, 0x4000), 0x0000u);
  // 2^-14 x 0.5 = 2^-15 is below the normal range: flushed to +0 (-0 with a negative factor).
  EXPECT_EQ(fp_mul(h, 0x0400, 0x3800), 0x0000u);
  EXPECT_EQ(fp_mul(h, 0x0400, 0xB800), 0x8000u);
  // 256 x 256 = 65536 overflows to +inf; inf x 0 and inf - inf are NaN.
  EXPECT_EQ(fp_mul(h, 0x5C00, 0x5C00), 0x7C00u);
  EXPECT_EQ(fp_mul(h, 0x7C00, 0x0000), fp_nan(h));
  EXPECT_EQ(fp_sub(h, 0x7C00, 0x7C00), fp_nan(h));
  EXPECT_EQ(fp_add(h, 0x7C00, 0x3C00), 0x7C00u);
  EXPECT_EQ(fp_add(h, 0x7C01, 0x3C00), fp_nan(h));  // any NaN -> canonical NaN
}

TEST(SoftFloat, ConversionsAndReciprocals) {
  // Q13.18 1.5 -> FP32 1.5; Q7.8 -0.5 -> FP16 -0.5; integer 300 -> FP16 300.
  EXPECT_EQ(fp_from_fixed(kFp32, 3 << 17, 18), 0x3FC00000u);
  EXPECT_EQ(fp_from_fixed(kFp16, -128, 8), 0xB800u);
  EXPECT_EQ(fp_from_fixed(kFp16, 300, 0), 0x5CB0u);
  // 2049 needs 12 bits: halfway between 2048 and 2050 -> even mantissa -> 2048.
  EXPECT_EQ(fp_from_fixed(kFp16, 2049, 0), 0x6800u);
  EXPECT_EQ(fp_from_fixed(kFp16, 2051, 0), 0x6802u);  // halfway, rounds up to 2052
  // Q13.18 most negative: -8192 = -2^13.
  EXPECT_EQ(fp_from_fixed(kFp32, -(std::int64_t{1} << 31), 18), 0xC6000000u);
  EXPECT_EQ(fp_from_fixed(kFp32, 0, 18), 0u);
  // 1/3: FP16 0x3555 (0.333251953125), FP32 0x3EAAAAAB; 1/n exact for powers of two.
  EXPECT_EQ(fp_recip(kFp16, 3), 0x3555u);
  EXPECT_EQ(fp_recip(kFp32, 3), 0x3EAAAAABu);
  EXPECT_EQ(fp_recip(kFp16, 512), 0x1800u);
  for (std::uint32_t n = 1; n <= 4096; ++n) {
    ASSERT_EQ(fp_recip(kFp32, n), f32(1.0f / static_cast<float>(n))) << n;
  }
}

TEST(SoftFloat, OrderKey) {
  const FloatFormat h = kFp16;
  const std::uint32_t order[] = {0xFC00, 0xC000, 0xBC00, 0x8000, 0x0000, 0x0400,
                                 0x3C00, 0x4000, 0x7BFF, 0x7C00, 0x7E00};
  for (std::size_t i = 1; i < std::size(order); ++i) {
    EXPECT_LT(fp_order_key(h, order[i - 1]), fp_order_key(h, order[i])) << i;
  }
}

// Random operands with a wide exponent spread; inputs that the hardware reads as zero, and
// results in or next to the subnormal range (where IEEE's gradual underflow differs from
// flush-to-zero), are left out.
std::uint32_t random_f32(PyRandom& rng) {
  const std::uint32_t sign = rng.getrandbits(1) << 31;
  const std::uint32_t exp = 60 + rng.getrandbits(7);  // 60..187
  return sign | (exp << 23) | rng.getrandbits(23);
}

bool comparable_f32(float r) {
  return std::isinf(r) || r == 0 || std::fabs(r) >= 0x1p-125f;
}

TEST(SoftFloat, Fp32MatchesIeee) {
  PyRandom rng(8);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    std::uint32_t a = random_f32(rng), b = random_f32(rng);
    if (i % 4 == 1) b = (b & 0x807FFFFFu) | (a & 0x7F800000u);  // equal exponents: cancellation
    const float sum = as_f32(a) + as_f32(b), prod = as_f32(a) * as_f32(b);
    if (comparable_f32(sum)) {
      ASSERT_EQ(fp_add(kFp32, a, b), f32(sum)) << std::hex << a << " + " << b;
      ++checked;
    }
    if (comparable_f32(prod)) {
      ASSERT_EQ(fp_mul(kFp32, a, b), f32(prod)) << std::hex << a << " * " << b;
      ++checked;
    }
  }
  EXPECT_GT(checked, 350000);
}

// FP16 sums and products of FP16 values are exact in double, so rounding the double once gives
// the IEEE result; _Float16 (correctly rounded conversion) checks fp_from_double itself.
TEST(SoftFloat, Fp16MatchesIeee) {
  PyRandom rng(16);
  for (int i = 0; i < 200000; ++i) {
    const std::uint32_t a =
        (rng.getrandbits(1) << 15) | ((1 + rng.getrandbits(4)) << 10) | rng.getrandbits(10);
    std::uint32_t b =
        (rng.getrandbits(1) << 15) | ((1 + rng.getrandbits(4)) << 10) | rng.getrandbits(10);
    if (i % 4 == 1) b = (b & 0x83FFu) | (a & 0x7C00u);
    const double x = fp_to_double(kFp16, a), y = fp_to_double(kFp16, b);
#ifdef __FLT16_MAX__  // _Float16 exists (GCC 12 on x86-64; not clang 14, the sanitizer build's)
    for (const double exact : {x + y, x * y}) {
      const _Float16 ieee = static_cast<_Float16>(exact);
      const double r = static_cast<double>(ieee);
      if (!(std::isinf(r) || r == 0 || std::fabs(r) >= 0x1p-13)) continue;
      ASSERT_EQ(fp_from_double(kFp16, exact), std::bit_cast<std::uint16_t>(ieee)) << exact;
    }
#endif
    ASSERT_EQ(fp_add(kFp16, a, b), fp_from_double(kFp16, x + y)) << std::hex << a << "+" << b;
    ASSERT_EQ(fp_mul(kFp16, a, b), fp_from_double(kFp16, x * y)) << std::hex << a << "*" << b;
  }
}

// The fast (double-based) paths of fp_mul, fp_add and fp_from_fixed against the bit-level
// reference: every combination of edge encodings, then millions of random encodings drawn so
// that cancellation, ties, results around the normal range's bottom and top, and non-normal
// operands all occur.
std::vector<std::uint32_t> edge_encodings(FloatFormat f) {
  const std::uint32_t top = 1u << (f.width() - 1), man = (1u << f.man_bits) - 1;
  const std::uint32_t one = fp_one(f), min_normal = 1u << f.man_bits;
  const std::uint32_t inf = f.exp_max() << f.man_bits, max_finite = inf - 1;
  std::vector<std::uint32_t> v = {
      0,
      1,                               // smallest subnormal
      man,                             // largest subnormal
      min_normal,                      // 2^(1 - bias)
      min_normal + 1,                  // and one ulp above
      min_normal + man,                // just below 2^(2 - bias)
      2 * min_normal,                  // 2^(2 - bias)
      one,                             // 1
      one + 1,                         // 1 + ulp
      one - 1,                         // 1 - ulp/2
      one + (1u << (f.man_bits - 1)),  // 1.5
      one + (1u << f.man_bits),        // 2
      (static_cast<std::uint32_t>(f.bias() - f.man_bits - 1))
          << f.man_bits,  // half an ulp of 1: 1 + it ties
      (static_cast<std::uint32_t>(f.bias() - f.man_bits - 1) << f.man_bits) +
          1,  // just above half an ulp of 1
      (static_cast<std::uint32_t>(f.bias() - f.man_bits) << f.man_bits),
      max_finite,
      max_finite - 1,
      (f.exp_max() - 1) << f.man_bits,  // 2^(bias)
      inf,
      inf + 1,                         // signalling-style NaN
      inf | (1u << (f.man_bits - 1)),  // canonical NaN
      inf | man};
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) v.push_back(v[i] | top);
  return v;
}

// A random encoding: 1/8 any bit pattern, otherwise a random significand with the exponent
// field drawn from a band (bottom, middle or top of the range) or near `near`'s exponent.
std::uint32_t random_encoding(FloatFormat f, PyRandom& rng, std::uint32_t near) {
  const std::uint32_t sign = rng.getrandbits(1) << (f.width() - 1);
  const std::uint32_t man = rng.getrandbits(f.man_bits);
  const int emax = static_cast<int>(f.exp_max());
  int exp;
  switch (rng.getrandbits(3)) {
    case 0:
      return rng.getrandbits(f.width());
    case 1:  // bottom of the range, subnormals and zero included
      exp = static_cast<int>(rng.getrandbits(3));
      break;
    case 2:  // top of the range, infinities and NaNs included
      exp = emax - static_cast<int>(rng.getrandbits(3));
      break;
    case 3:  // a little below the exponent of one, or around its square root
    case 4:
      exp = f.bias() - 16 + static_cast<int>(rng.getrandbits(5));
      break;
    default: {  // near the other operand: cancellation, ties, sticky bits
      const int nexp = static_cast<int>((near >> f.man_bits) & f.exp_max());
      exp = nexp - static_cast<int>(rng.getrandbits(5)) + 2;
      if (exp < 0 || exp > emax) exp = nexp;
      if (rng.getrandbits(1)) {  // same magnitude but a few ulps, either sign: x - x and friends
        const std::uint32_t near_man = near & ((1u << f.man_bits) - 1);
        const std::uint32_t m = (near_man + rng.getrandbits(2)) & ((1u << f.man_bits) - 1);
        return sign | (static_cast<std::uint32_t>(nexp) << f.man_bits) | m;
      }
      if (rng.getrandbits(1)) {  // exactly half an ulp of `near`, or one ulp-sticky above
        exp = nexp - f.man_bits - 1;
        if (exp < 0) exp = 0;
        return sign | (static_cast<std::uint32_t>(exp) << f.man_bits) | rng.getrandbits(1);
      }
    }
  }
  return sign | (static_cast<std::uint32_t>(exp) << f.man_bits) | man;
}

void expect_fast_equals_reference(FloatFormat f, std::uint32_t a, std::uint32_t b) {
  ASSERT_EQ(fp_add(f, a, b), reference::fp_add(f, a, b)) << std::hex << a << " + " << b;
  ASSERT_EQ(fp_mul(f, a, b), reference::fp_mul(f, a, b)) << std::hex << a << " * " << b;
}

TEST(SoftFloat, FastPathsEqualReferenceOnEdgeEncodings) {
  for (const FloatFormat f : {kFp32, kFp16}) {
    const std::vector<std::uint32_t> edges = edge_encodings(f);
    for (const std::uint32_t a : edges) {
      for (const std::uint32_t b : edges) expect_fast_equals_reference(f, a, b);
    }
    // x - x = +0 and (-x) + x = +0 for every edge value; ties to even around one.
    for (const std::uint32_t a : edges) {
      if (fp_is_nan(f, a)) continue;
      if ((a & f.mask() & ~(1u << (f.width() - 1))) != (f.exp_max() << f.man_bits)) {
        EXPECT_EQ(fp_sub(f, a, a), 0u) << std::hex << a;
        EXPECT_EQ(fp_add(f, fp_neg(f, a), a), 0u) << std::hex << a;
      }
    }
  }
  // Hand-computed FP32 cases through the fast path: 1 + 2^-24 ties to 1, (1 + 2^-23) + 2^-24
  // ties to 1 + 2^-22; the smallest normal times 0.5 flushes to zero (of the product's sign), as
  // does (2^-63 - 2^-86) x 2^-64; max finite + half its ulp ties to even, i.e. overflows.
  EXPECT_EQ(fp_add(kFp32, f32(1.0f), f32(0x1p-24f)), f32(1.0f));
  EXPECT_EQ(fp_add(kFp32, f32(1.0f + 0x1p-23f), f32(0x1p-24f)), f32(1.0f + 0x1p-22f));
  EXPECT_EQ(fp_mul(kFp32, f32(0x1p-126f), f32(0.5f)), 0u);
  EXPECT_EQ(fp_mul(kFp32, f32(-0x1p-126f), f32(0.5f)), 0x80000000u);
  EXPECT_EQ(fp_mul(kFp32, f32(0x1p-126f - 0x1p-149f), 0x3F800000u), 0u);  // subnormal in: zero
  EXPECT_EQ(fp_mul(kFp32, f32(2.0f - 0x1p-22f), f32(0x1p-64f)), f32(0x1p-63f - 0x1p-86f));
  EXPECT_EQ(fp_mul(kFp32, f32(0x1p-63f - 0x1p-86f), f32(0x1p-64f)), 0u);
  EXPECT_EQ(fp_mul(kFp32, f32(0x1p127f), f32(2.0f)), 0x7F800000u);
  EXPECT_EQ(fp_add(kFp32, 0x7F7FFFFFu, f32(0x1p103f)), 0x7F800000u);  // tie above max: to inf
  EXPECT_EQ(fp_add(kFp32, 0x7F7FFFFFu, f32(0x1p102f)), 0x7F7FFFFFu);
}

TEST(SoftFloat, FastPathsEqualReferenceOnRandomEncodings) {
  PyRandom rng(2023);
  for (const FloatFormat f : {kFp32, kFp16}) {
    for (int i = 0; i < 2'000'000; ++i) {
      const std::uint32_t a = random_encoding(f, rng, 0);
      const std::uint32_t b = random_encoding(f, rng, a);
      expect_fast_equals_reference(f, a, b);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(SoftFloat, FastFromFixedEqualsReference) {
  PyRandom rng(1518);
  const std::int64_t extremes[] = {0,
                                   1,
                                   -1,
                                   (std::int64_t{1} << 53) - 1,
                                   std::int64_t{1} << 53,
                                   -(std::int64_t{1} << 53) + 1,
                                   -(std::int64_t{1} << 53),
                                   std::numeric_limits<std::int64_t>::max(),
                                   std::numeric_limits<std::int64_t>::min(),
                                   (std::int64_t{1} << 31) - 1,
                                   -(std::int64_t{1} << 31),
                                   2049,
                                   2051,
                                   (std::int64_t{1} << 24) + 1,
                                   (std::int64_t{1} << 24) + 3};
  for (const FloatFormat f : {kFp32, kFp16}) {
    for (const std::int64_t v : extremes) {
      for (const int frac : {0, 1, 8, 18, 24, 40, 63, 150, 1000, 1001, -1}) {
        ASSERT_EQ(fp_from_fixed(f, v, frac), reference::fp_from_fixed(f, v, frac))
            << v << " / 2^" << frac;
      }
    }
    for (int i = 0; i < 500'000; ++i) {
      const int bits = 1 + static_cast<int>(rng.getrandbits(6));  // magnitude below 2^bits
      std::uint64_t mag = (std::uint64_t{rng.getrandbits(32)} << 32) | rng.getrandbits(32);
      mag = bits >= 64 ? mag : mag & ((std::uint64_t{1} << bits) - 1);
      const auto v = static_cast<std::int64_t>(rng.getrandbits(1) ? ~mag + 1 : mag);
      const int frac = static_cast<int>(rng.getrandbits(6));
      ASSERT_EQ(fp_from_fixed(f, v, frac), reference::fp_from_fixed(f, v, frac))
          << v << " / 2^" << frac;
    }
  }
}

TEST(FixedPoint, HandComputed) {
  // Cycle differences: floor(1000 / 2^4) = 62; floor(-17 / 4) = -5; saturation at 2^15 - 1.
  EXPECT_EQ(q_from_cycles(kQ7_8, 1000, 4), 62);
  EXPECT_EQ(q_from_cycles(kQ7_8, -17, 2), -5);
  EXPECT_EQ(q_from_cycles(kQ7_8, 40000, 0), 32767);
  EXPECT_EQ(q_from_cycles(kQ7_8, -40000, 0), -32768);
  EXPECT_EQ(q_from_cycles(kQ13_18, std::int64_t{1} << 47, 63), 0);
  // Q13.18: 1.5 x 2.25 = 3.375 exactly.
  EXPECT_EQ(q_mul(kQ13_18, 3 << 17, 9 << 16), 27 << 15);
  // Q7.8: (-1/256) x 0.5 = -1/512, truncated towards minus infinity: -1/256.
  EXPECT_EQ(q_mul(kQ7_8, -1, 128), -1);
  EXPECT_EQ(q_mul(kQ7_8, 1, 128), 0);
  // Q7.8: 100 x 2 saturates at 127.99609375.
  EXPECT_EQ(q_mul(kQ7_8, 100 << 8, 2 << 8), 32767);
  EXPECT_EQ(q_mul(kQ7_8, -(100 << 8), 2 << 8), -32768);
  // Host conversions: nearest, ties to even, saturating.
  EXPECT_EQ(q_from_double(kQ7_8, 0.25), 64);
  EXPECT_EQ(q_from_double(kQ7_8, 1.0 / 512), 0);  // tie -> even 0
  EXPECT_EQ(q_from_double(kQ7_8, 3.0 / 512), 2);  // tie -> even 2
  EXPECT_EQ(q_from_double(kQ7_8, 1000.0), 32767);
  EXPECT_EQ(q_encode(kQ7_8, -1), 0xFFFFu);
  EXPECT_EQ(q_decode(kQ7_8, 0xFFFF), -1);
  EXPECT_EQ(q_decode(kQ13_18, 0x80000000u), -(std::int64_t{1} << 31));
}

}  // namespace
}  // namespace dysta::hw
