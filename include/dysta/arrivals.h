// Arrival processes beyond Poisson: renewal processes with a given mean and coefficient of
// variation (exponential, gamma, Weibull gaps) and time-varying rates (piecewise-linear or
// diurnal curves) applied by time rescaling. Every draw goes through PyRandom with the algorithms
// of CPython's `random` module (expovariate, gammavariate, weibullvariate), so a stream is
// reproducible from its seed and equals what Python draws from the same seed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dysta/py_random.h"

namespace dysta {

enum class GapKind { exponential, gamma, weibull };

// "exponential", "gamma", "weibull"; parse throws InputError naming `field` for anything else.
const char* gap_kind_name(GapKind kind);
GapKind parse_gap_kind(const std::string& text, const std::string& field);

// A rate that changes with time: linear between the points (t_i, rate_i), t_0 = 0 < t_1 < ...,
// every rate_i >= 0 and at least one > 0. Past the last point the curve repeats with period
// t_last when `periodic`, else it stays at rate_last (which must then be > 0). Units: seconds and
// requests per second.
struct RateCurve {
  std::vector<double> t_s;
  std::vector<double> rate_per_s;
  bool periodic = false;

  bool empty() const { return t_s.empty(); }
  // Throws InputError naming `field` when the points break the rules above.
  void validate(const std::string& field) const;
  // Rate at time t >= 0.
  double rate_at(double t) const;
  // Expected arrivals in [0, t]: the integral of the rate.
  double integral(double t) const;
  // The time t >= 0 with integral(t) = s, for s >= 0 (the first such t where the rate is zero
  // over an interval).
  double inverse_integral(double s) const;
  // Mean rate over one period (periodic) or over [0, t_last] (otherwise).
  double mean_rate() const;

  // mean x (1 + amplitude x sin(2 pi (t - phase) / period)), sampled at `points` equally spaced
  // times per period and linearly interpolated (exact at the sample points); periodic.
  // Requires mean > 0, 0 <= amplitude <= 1, period > 0, points >= 4.
  static RateCurve diurnal(double mean_rate, double amplitude, double period_s, double phase_s,
                           int points);
};

// What generates arrival times. Without a curve the process is a renewal process whose gaps have
// mean 1 / rate_per_s and coefficient of variation `cv` (exponential requires cv = 1: Poisson).
// With a curve, unit-mean gaps of the same kind and CV are drawn in operational time s and mapped
// to t = curve.inverse_integral(s) (time rescaling): for exponential gaps this is exactly the
// non-homogeneous Poisson process with that rate; for gamma and Weibull gaps it is the renewal
// process of the given CV run at the curve's speed.
struct ArrivalSpec {
  GapKind kind = GapKind::exponential;
  double rate_per_s = 30;  // > 0; ignored when `curve` is set
  double cv = 1;           // > 0 (gamma: 0.05..20, weibull: 0.05..20; exponential: 1)
  RateCurve curve;

  // Throws InputError naming `field`.<key> when a parameter is out of range.
  void validate(const std::string& field) const;
};

// Gap distributions as CPython draws them. gammavariate(alpha, beta): Cheng (1977) for alpha > 1,
// exponential for alpha = 1, Kennedy & Gentle's algorithm GS for alpha < 1 (mean alpha x beta).
// weibullvariate(scale, shape) by inversion (mean scale x Gamma(1 + 1/shape)).
double py_gammavariate(PyRandom& rng, double alpha, double beta);
double py_weibullvariate(PyRandom& rng, double scale, double shape);

// Weibull shape k whose coefficient of variation is `cv` (0.05 <= cv <= 20): the root of
// Gamma(1 + 2/k) / Gamma(1 + 1/k)^2 - 1 = cv^2, found by bisection on log k.
double weibull_shape_for_cv(double cv);

// Draws increasing arrival times (seconds from 0) for one ArrivalSpec. Without a curve and with
// exponential gaps each gap is rng.expovariate(rate), so the times equal those of the Poisson
// stream generator (spec B.3) for the same draws.
class ArrivalProcess {
 public:
  explicit ArrivalProcess(const ArrivalSpec& spec, const std::string& field = "arrivals");
  // The next arrival time; consumes the draws of one gap.
  double next(PyRandom& rng);

 private:
  double draw_gap(PyRandom& rng, double mean);

  ArrivalSpec spec_;
  double alpha_ = 1;  // gamma shape
  double weibull_shape_ = 1;
  double weibull_unit_scale_ = 1;  // scale giving mean 1
  double t_ = 0;                   // real time of the last arrival
  double s_ = 0;                   // operational time of the last arrival (curve only)
};

// Sample mean and coefficient of variation (population standard deviation / mean) of the gaps
// between consecutive times, for checks and characterisation. Requires times.size() >= 3.
struct GapStats {
  double mean = 0;
  double cv = 0;
};
GapStats gap_stats(const std::vector<double>& times);

}  // namespace dysta
