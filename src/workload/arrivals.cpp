#include "dysta/arrivals.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "dysta/error.h"

namespace dysta {

namespace {

constexpr double kMaxRate = 1e9;  // requests/s; beyond it gaps underflow the clock's resolution
constexpr double kMinCv = 0.05;
constexpr double kMaxCv = 20;

bool finite_positive(double x) {
  return std::isfinite(x) && x > 0;
}

}  // namespace

const char* gap_kind_name(GapKind kind) {
  switch (kind) {
    case GapKind::exponential:
      return "exponential";
    case GapKind::gamma:
      return "gamma";
    case GapKind::weibull:
      return "weibull";
  }
  return "?";
}

GapKind parse_gap_kind(const std::string& text, const std::string& field) {
  if (text == "exponential" || text == "poisson") return GapKind::exponential;
  if (text == "gamma") return GapKind::gamma;
  if (text == "weibull") return GapKind::weibull;
  throw InputError("", 0, field,
                   "unknown inter-arrival kind '" + text + "' (use exponential, gamma or weibull)");
}

// ---- RateCurve ---------------------------------------------------------------------------------

void RateCurve::validate(const std::string& field) const {
  if (t_s.size() != rate_per_s.size()) {
    throw InputError("", 0, field, "needs as many rates as times");
  }
  if (t_s.size() < 2) throw InputError("", 0, field, "needs at least two points");
  if (t_s.front() != 0) throw InputError("", 0, field, "the first point must be at t = 0");
  double area = 0;
  for (std::size_t i = 0; i < t_s.size(); ++i) {
    if (!std::isfinite(t_s[i])) throw InputError("", 0, field, "times must be finite");
    if (!(rate_per_s[i] >= 0) || !(rate_per_s[i] <= kMaxRate)) {
      throw InputError("", 0, field, "rates must be in [0, 1e9] requests/s");
    }
    if (i > 0) {
      if (!(t_s[i] > t_s[i - 1])) throw InputError("", 0, field, "times must increase");
      area += 0.5 * (rate_per_s[i - 1] + rate_per_s[i]) * (t_s[i] - t_s[i - 1]);
    }
  }
  if (!(area > 0)) throw InputError("", 0, field, "the rate is zero everywhere");
  if (!periodic && !(rate_per_s.back() > 0)) {
    throw InputError("", 0, field,
                     "a non-periodic curve must end with a rate > 0 (it stays there)");
  }
}

namespace {

// Integral of the curve over [0, t] for 0 <= t <= t_last (one pass over the segments).
double integral_within(const RateCurve& c, double t) {
  double acc = 0;
  for (std::size_t i = 1; i < c.t_s.size(); ++i) {
    const double t0 = c.t_s[i - 1], t1 = c.t_s[i];
    const double r0 = c.rate_per_s[i - 1], r1 = c.rate_per_s[i];
    if (t >= t1) {
      acc += 0.5 * (r0 + r1) * (t1 - t0);
      continue;
    }
    const double dt = t - t0;
    return acc + r0 * dt + 0.5 * (r1 - r0) / (t1 - t0) * dt * dt;
  }
  return acc;
}

// The first t in [0, t_last] with integral_within(t) = s, for 0 <= s <= the curve's total.
double inverse_within(const RateCurve& c, double s) {
  if (s <= 0) return 0;
  double acc = 0;
  for (std::size_t i = 1; i < c.t_s.size(); ++i) {
    const double t0 = c.t_s[i - 1], t1 = c.t_s[i];
    const double r0 = c.rate_per_s[i - 1], r1 = c.rate_per_s[i];
    const double area = 0.5 * (r0 + r1) * (t1 - t0);
    if (acc + area < s && i + 1 < c.t_s.size()) {
      acc += area;
      continue;
    }
    // Solve a dt^2 + r0 dt = rem on this segment; the stable root form avoids cancellation and
    // covers a < 0, a = 0 and r0 = 0.
    const double rem = std::min(s - acc, area);
    const double a = 0.5 * (r1 - r0) / (t1 - t0);
    const double disc = std::max(0.0, r0 * r0 + 4 * a * rem);
    const double denom = r0 + std::sqrt(disc);
    const double dt = denom > 0 ? 2 * rem / denom : 0;
    return std::min(t1, t0 + dt);
  }
  return c.t_s.back();
}

double total_area(const RateCurve& c) {
  return integral_within(c, c.t_s.back());
}

}  // namespace

double RateCurve::rate_at(double t) const {
  const double last = t_s.back();
  if (t >= last) {
    if (!periodic) return rate_per_s.back();
    t = std::fmod(t, last);
  }
  const auto it = std::upper_bound(t_s.begin(), t_s.end(), t);
  const std::size_t i = static_cast<std::size_t>(it - t_s.begin());  // t_s[i-1] <= t < t_s[i]
  const double t0 = t_s[i - 1], t1 = t_s[i];
  const double r0 = rate_per_s[i - 1], r1 = rate_per_s[i];
  return r0 + (r1 - r0) * (t - t0) / (t1 - t0);
}

double RateCurve::integral(double t) const {
  const double last = t_s.back();
  if (t <= last) return integral_within(*this, std::max(0.0, t));
  const double whole = total_area(*this);
  if (!periodic) return whole + rate_per_s.back() * (t - last);
  const double periods = std::floor(t / last);
  return periods * whole + integral_within(*this, t - periods * last);
}

double RateCurve::inverse_integral(double s) const {
  const double whole = total_area(*this);
  if (s <= whole) return inverse_within(*this, s);
  if (!periodic) return t_s.back() + (s - whole) / rate_per_s.back();
  // k whole periods, then the remainder; an exact multiple lands at the end of period k - 1.
  double k = std::floor(s / whole);
  double rem = s - k * whole;
  if (rem <= 0) {
    k -= 1;
    rem += whole;
  }
  return k * t_s.back() + inverse_within(*this, rem);
}

double RateCurve::mean_rate() const {
  return total_area(*this) / t_s.back();
}

RateCurve RateCurve::diurnal(double mean_rate, double amplitude, double period_s, double phase_s,
                             int points) {
  if (!finite_positive(mean_rate) || mean_rate > kMaxRate) {
    throw InputError("", 0, "diurnal.mean_rate", "must be in (0, 1e9] requests/s");
  }
  if (!(amplitude >= 0 && amplitude <= 1)) {
    throw InputError("", 0, "diurnal.amplitude", "must be in [0, 1]");
  }
  if (!finite_positive(period_s)) throw InputError("", 0, "diurnal.period_s", "must be > 0");
  if (!std::isfinite(phase_s)) throw InputError("", 0, "diurnal.phase_s", "must be finite");
  if (points < 4 || points > 100000) {
    throw InputError("", 0, "diurnal.points", "must be in [4, 100000]");
  }
  RateCurve c;
  c.periodic = true;
  for (int i = 0; i <= points; ++i) {
    const double t = period_s * i / points;
    c.t_s.push_back(t);
    c.rate_per_s.push_back(
        mean_rate * (1 + amplitude * std::sin(2 * std::numbers::pi * (t - phase_s) / period_s)));
  }
  c.rate_per_s.back() = c.rate_per_s.front();  // exactly periodic despite rounding of sin
  for (double& r : c.rate_per_s) r = std::max(0.0, r);
  c.validate("diurnal");
  return c;
}

// ---- CPython's gap distributions ---------------------------------------------------------------

double py_gammavariate(PyRandom& rng, double alpha, double beta) {
  if (alpha > 1.0) {
    // Cheng (1977), "The generation of Gamma variables with non-integral shape parameters".
    const double log4 = std::log(4.0);
    const double sg_magic = 1.0 + std::log(4.5);
    const double ainv = std::sqrt(2.0 * alpha - 1.0);
    const double bbb = alpha - log4;
    const double ccc = alpha + ainv;
    for (;;) {
      const double u1 = rng.random();
      if (!(1e-7 < u1 && u1 < 0.9999999)) continue;
      const double u2 = 1.0 - rng.random();
      const double v = std::log(u1 / (1.0 - u1)) / ainv;
      const double x = alpha * std::exp(v);
      const double z = u1 * u1 * u2;
      const double r = bbb + ccc * v - x;
      if (r + sg_magic - 4.5 * z >= 0.0 || r >= std::log(z)) return x * beta;
    }
  }
  if (alpha == 1.0) return -std::log(1.0 - rng.random()) * beta;
  // 0 < alpha < 1: algorithm GS (Kennedy & Gentle, Statistical Computing).
  const double e = std::numbers::e;
  for (;;) {
    const double u = rng.random();
    const double b = (e + alpha) / e;
    const double p = b * u;
    const double x = p <= 1.0 ? std::pow(p, 1.0 / alpha) : -std::log((b - p) / alpha);
    const double u1 = rng.random();
    if (p > 1.0) {
      if (u1 <= std::pow(x, alpha - 1.0)) return x * beta;
    } else if (u1 <= std::exp(-x)) {
      return x * beta;
    }
  }
}

double py_weibullvariate(PyRandom& rng, double scale, double shape) {
  const double u = 1.0 - rng.random();
  return scale * std::pow(-std::log(u), 1.0 / shape);
}

double weibull_shape_for_cv(double cv) {
  if (!(cv >= kMinCv && cv <= kMaxCv)) {
    throw InputError("", 0, "cv", "must be in [0.05, 20] for Weibull gaps");
  }
  const auto cv_of = [](double k) {
    const double log_ratio = std::lgamma(1 + 2 / k) - 2 * std::lgamma(1 + 1 / k);
    return std::sqrt(std::expm1(log_ratio));
  };
  // cv_of decreases in k; [0.05, 200] brackets every cv in [0.05, 20].
  double lo = std::log(0.05), hi = std::log(200.0);
  for (int i = 0; i < 200 && hi - lo > 1e-15; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (cv_of(std::exp(mid)) > cv) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return std::exp(0.5 * (lo + hi));
}

// ---- ArrivalSpec / ArrivalProcess --------------------------------------------------------------

void ArrivalSpec::validate(const std::string& field) const {
  if (curve.empty()) {
    if (!finite_positive(rate_per_s) || rate_per_s > kMaxRate) {
      throw InputError("", 0, field + ".rate", "must be in (0, 1e9] requests/s");
    }
  } else {
    curve.validate(field + ".curve");
  }
  switch (kind) {
    case GapKind::exponential:
      if (cv != 1) {
        throw InputError("", 0, field + ".cv",
                         "exponential gaps have cv = 1 (use gamma or weibull for another cv)");
      }
      break;
    case GapKind::gamma:
    case GapKind::weibull:
      if (!(cv >= kMinCv && cv <= kMaxCv)) {
        throw InputError("", 0, field + ".cv", "must be in [0.05, 20]");
      }
      break;
  }
}

ArrivalProcess::ArrivalProcess(const ArrivalSpec& spec, const std::string& field) : spec_(spec) {
  spec_.validate(field);
  if (spec_.kind == GapKind::gamma) alpha_ = 1.0 / (spec_.cv * spec_.cv);
  if (spec_.kind == GapKind::weibull) {
    weibull_shape_ = weibull_shape_for_cv(spec_.cv);
    weibull_unit_scale_ = 1.0 / std::exp(std::lgamma(1 + 1 / weibull_shape_));
  }
}

double ArrivalProcess::draw_gap(PyRandom& rng, double mean) {
  switch (spec_.kind) {
    case GapKind::exponential:
      return rng.expovariate(1.0 / mean);
    case GapKind::gamma:
      return py_gammavariate(rng, alpha_, mean / alpha_);
    case GapKind::weibull:
      return py_weibullvariate(rng, mean * weibull_unit_scale_, weibull_shape_);
  }
  return 0;
}

double ArrivalProcess::next(PyRandom& rng) {
  if (spec_.curve.empty()) {
    // expovariate(rate) directly (not 1 / (1 / rate)), as the Poisson generator draws it.
    t_ += spec_.kind == GapKind::exponential ? rng.expovariate(spec_.rate_per_s)
                                             : draw_gap(rng, 1.0 / spec_.rate_per_s);
    return t_;
  }
  s_ += draw_gap(rng, 1.0);
  t_ = std::max(t_, spec_.curve.inverse_integral(s_));
  return t_;
}

GapStats gap_stats(const std::vector<double>& times) {
  if (times.size() < 3)
    throw InputError("", 0, "times", "need at least 3 times for gap statistics");
  const std::size_t n = times.size() - 1;
  double sum = 0;
  for (std::size_t i = 1; i < times.size(); ++i) sum += times[i] - times[i - 1];
  const double mean = sum / static_cast<double>(n);
  double sq = 0;
  for (std::size_t i = 1; i < times.size(); ++i) {
    const double d = times[i] - times[i - 1] - mean;
    sq += d * d;
  }
  return {mean, std::sqrt(sq / static_cast<double>(n)) / mean};
}

}  // namespace dysta
