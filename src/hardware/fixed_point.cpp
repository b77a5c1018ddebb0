#include "dysta/hardware/fixed_point.h"

#include <cmath>
#include <stdexcept>

namespace dysta::hw {

std::int64_t q_saturate(QFormat q, std::int64_t v) {
  return v > q.max() ? q.max() : (v < q.min() ? q.min() : v);
}

std::int64_t q_from_cycles(QFormat q, std::int64_t cycles, int shift) {
  if (shift < 0 || shift > 63) throw std::logic_error("q_from_cycles: shift out of range");
  return q_saturate(q, cycles >> shift);  // arithmetic shift: floor
}

std::int64_t q_mul(QFormat q, std::int64_t a, std::int64_t b) {
  // |a|, |b| <= 2^31, so the product fits in 63 bits.
  return q_saturate(q, (a * b) >> q.frac_bits);
}

std::int64_t q_from_double(QFormat q, double x) {
  if (std::isnan(x)) return 0;
  const double scaled = std::ldexp(x, q.frac_bits);
  if (scaled >= static_cast<double>(q.max())) return q.max();
  if (scaled <= static_cast<double>(q.min())) return q.min();
  return q_saturate(q, static_cast<std::int64_t>(std::nearbyint(scaled)));
}

double q_to_double(QFormat q, std::int64_t v) {
  return std::ldexp(static_cast<double>(v), -q.frac_bits);
}

std::uint64_t q_encode(QFormat q, std::int64_t v) {
  return static_cast<std::uint64_t>(v) & ((std::uint64_t{1} << q.width) - 1);
}

std::int64_t q_decode(QFormat q, std::uint64_t bits) {
  const std::uint64_t sign = std::uint64_t{1} << (q.width - 1);
  bits &= (sign << 1) - 1;
  return static_cast<std::int64_t>(bits ^ sign) - static_cast<std::int64_t>(sign);
}

}  // namespace dysta::hw
