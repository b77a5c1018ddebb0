#include "dysta/arrivals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dysta/error.h"
#include "test_util.h"

namespace dysta {
namespace {

// Reference draws: CPython 3.11 (Debian's python3),
//   r = random.Random(12345)
//   [r.gammavariate(0.5, 2.0) for _ in range(4)]; [r.gammavariate(4.0, 0.25) for _ in range(4)]
//   [r.gammavariate(1.0, 3.0) for _ in range(2)]; [r.weibullvariate(1.5, 0.7) for _ in range(3)]
//   r.random()
TEST(Arrivals, GapDrawsEqualCPython) {
  PyRandom rng(12345);
  const double gs[] = {0.4865966799811557, 1.9090375377332034, 0.3805011566752124,
                       0.8981204309852483};
  for (double want : gs) EXPECT_EQ(py_gammavariate(rng, 0.5, 2.0), want);
  const double cheng[] = {0.47805728660076335, 1.0989339935099374, 1.0841200889112004,
                          1.005967575654586};
  for (double want : cheng) EXPECT_EQ(py_gammavariate(rng, 4.0, 0.25), want);
  EXPECT_EQ(py_gammavariate(rng, 1.0, 3.0), 3.807851034162428);
  EXPECT_EQ(py_gammavariate(rng, 1.0, 3.0), 0.6320570910857489);
  const double weib[] = {0.4312609452197709, 0.007194064607969036, 0.4267015995919533};
  for (double want : weib) EXPECT_EQ(py_weibullvariate(rng, 1.5, 0.7), want);
  EXPECT_EQ(rng.random(), 0.9674824588798714);  // same number of draws consumed
}

TEST(Arrivals, WeibullShapeForCv) {
  EXPECT_NEAR(weibull_shape_for_cv(1.0), 1.0, 1e-12);  // the exponential distribution
  for (double cv : {0.1, 0.5, 2.0, 5.0}) {
    const double k = weibull_shape_for_cv(cv);
    const double ratio = std::exp(std::lgamma(1 + 2 / k) - 2 * std::lgamma(1 + 1 / k));
    EXPECT_NEAR(std::sqrt(ratio - 1), cv, 1e-9 * cv) << cv;
  }
  EXPECT_THROW(weibull_shape_for_cv(0.01), InputError);
}

std::vector<double> draw(const ArrivalSpec& spec, std::uint64_t seed, std::size_t n) {
  ArrivalProcess p(spec);
  PyRandom rng(seed);
  std::vector<double> t(n);
  for (auto& x : t) x = p.next(rng);
  return t;
}

// 200,000 gaps at fixed seeds: the sample mean is within 1% of 1 / rate and the CV within 3% of
// the stated one (the standard errors at this size are below 0.5% for every case).
TEST(Arrivals, RenewalStreamsHaveStatedMeanAndCv) {
  struct Case {
    GapKind kind;
    double cv;
  };
  for (const Case c :
       {Case{GapKind::exponential, 1.0}, Case{GapKind::gamma, 0.5}, Case{GapKind::gamma, 2.0},
        Case{GapKind::weibull, 0.5}, Case{GapKind::weibull, 2.0}}) {
    ArrivalSpec spec;
    spec.kind = c.kind;
    spec.rate_per_s = 40;
    spec.cv = c.cv;
    const auto t = draw(spec, 7, 200000);
    const GapStats s = gap_stats(t);
    EXPECT_NEAR(s.mean, 1.0 / 40, 0.01 / 40) << gap_kind_name(c.kind) << " cv " << c.cv;
    EXPECT_NEAR(s.cv, c.cv, 0.03 * c.cv) << gap_kind_name(c.kind) << " cv " << c.cv;
    for (std::size_t i = 1; i < t.size(); ++i) ASSERT_GE(t[i], t[i - 1]);
  }
}

// Without a curve, exponential gaps are rng.expovariate(rate) summed in order: the arrival times of
// the Poisson stream generator (spec B.3) for the same gap draws.
TEST(Arrivals, ExponentialWithoutCurveSumsExpovariate) {
  ArrivalSpec spec;
  spec.rate_per_s = 25;
  const auto t = draw(spec, 3, 50);
  PyRandom rng(3);
  double clock = 0;
  for (std::size_t i = 0; i < t.size(); ++i) EXPECT_EQ(t[i], clock += rng.expovariate(25)) << i;
}

TEST(Arrivals, RateCurveIntegralAndInverse) {
  RateCurve c;
  c.t_s = {0, 10, 20, 30};
  c.rate_per_s = {0, 10, 10, 0};  // ramp up, plateau, ramp down: 50 + 100 + 50 arrivals
  EXPECT_DOUBLE_EQ(c.integral(10), 50);
  EXPECT_DOUBLE_EQ(c.integral(5), 12.5);  // 0.5 * 5 * 5
  EXPECT_DOUBLE_EQ(c.integral(30), 200);
  EXPECT_DOUBLE_EQ(c.rate_at(25), 5);
  EXPECT_DOUBLE_EQ(c.mean_rate(), 200.0 / 30);
  EXPECT_NEAR(c.inverse_integral(12.5), 5, 1e-12);
  EXPECT_NEAR(c.inverse_integral(100), 15, 1e-12);
  EXPECT_NEAR(c.inverse_integral(187.5), 25, 1e-12);
  // Not periodic: the last rate (0) would be used past the end, so validation refuses it.
  EXPECT_THROW(c.validate("curve"), InputError);
  c.periodic = true;
  EXPECT_NO_THROW(c.validate("curve"));
  EXPECT_DOUBLE_EQ(c.integral(35), 212.5);
  EXPECT_NEAR(c.inverse_integral(212.5), 35, 1e-12);
  EXPECT_NEAR(c.inverse_integral(400), 60, 1e-12);  // two whole periods end at t = 60
  for (double s : {0.3, 17.0, 99.9, 150.0, 333.0, 1234.5}) {
    EXPECT_NEAR(c.integral(c.inverse_integral(s)), s, 1e-9 * s) << s;
  }
}

TEST(Arrivals, CurveValidationNamesTheField) {
  RateCurve c;
  c.t_s = {0, 5, 5};
  c.rate_per_s = {1, 1, 1};
  const InputError e = test::capture_input_error([&] { c.validate("workload.arrivals.curve"); });
  EXPECT_EQ(e.field(), "workload.arrivals.curve");
  EXPECT_NE(std::string(e.what()).find("increase"), std::string::npos);
  ArrivalSpec spec;
  spec.cv = 2;
  EXPECT_THROW(ArrivalProcess{spec}, InputError);  // exponential gaps have cv 1
  spec.kind = GapKind::gamma;
  spec.rate_per_s = std::nan("");
  EXPECT_THROW(ArrivalProcess{spec}, InputError);
  EXPECT_THROW(parse_gap_kind("pareto", "kind"), InputError);
}

// A non-homogeneous Poisson process: the count of arrivals in each part of a periodic diurnal
// curve matches the curve's integral over it (Poisson: variance = mean; 4 sigma bounds).
TEST(Arrivals, DiurnalCurveCountsFollowTheRate) {
  ArrivalSpec spec;
  spec.curve = RateCurve::diurnal(/*mean*/ 50, /*amplitude*/ 0.8, /*period*/ 100, /*phase*/ 0, 48);
  EXPECT_NEAR(spec.curve.mean_rate(), 50, 1e-9);
  ArrivalProcess p(spec);
  PyRandom rng(11);
  const double horizon = 2000;  // 20 periods, about 100,000 arrivals
  std::vector<int> counts(4, 0);
  for (double t = p.next(rng); t < horizon; t = p.next(rng)) {
    ++counts[static_cast<int>(std::fmod(t, 100.0) / 25.0)];
  }
  for (int q = 0; q < 4; ++q) {
    const double expect =
        20 * (spec.curve.integral(25.0 * (q + 1)) - spec.curve.integral(25.0 * q));
    EXPECT_NEAR(counts[q], expect, 4 * std::sqrt(expect)) << "quarter " << q;
  }
  EXPECT_GT(counts[0], 2 * counts[2]);  // the peak quarter against the trough
}

TEST(Arrivals, GammaGapsOnACurveKeepTheirMeanRate) {
  ArrivalSpec spec;
  spec.kind = GapKind::gamma;
  spec.cv = 3;
  spec.curve.t_s = {0, 50, 100};
  spec.curve.rate_per_s = {20, 60, 20};
  spec.curve.periodic = true;
  const auto t = draw(spec, 5, 100000);
  // Arrivals up to time T, in expectation, equal the integral of the rate (renewal theorem in
  // operational time); T spans about 2,500 periods.
  const double T = t.back();
  EXPECT_NEAR(static_cast<double>(t.size()) / spec.curve.integral(T), 1.0, 0.03);
}

}  // namespace
}  // namespace dysta
