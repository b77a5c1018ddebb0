// Golden parity with the unmodified reference artifact (spec K.2, run G1): the synthetic Sanger
// set of K.1, 11 policies, seeds 1 and 2, rates 60 and 90 req/s, SLO multipliers 2 and 10,
// 200 requests, reference semantics. Every printed number must be reproduced.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "dysta/experiment.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

struct Golden {
  double vio_m2[2], vio_m10[2], antt_m2[2], antt_m10[2];
};

// rate -> policy -> values (s1, s2)
const std::map<int, std::map<std::string, Golden>> kG1 = {
    {60,
     {{"fcfs", {{0.305, 0.400}, {0.000, 0.000}, {1.898677, 2.087820}, {1.898677, 2.087820}}},
      {"sjf", {{0.200, 0.245}, {0.000, 0.000}, {1.636682, 1.746745}, {1.636682, 1.746745}}},
      {"sjf_sparse", {{0.185, 0.220}, {0.000, 0.005}, {1.668502, 1.774620}, {1.668502, 1.774620}}},
      {"prema", {{0.270, 0.355}, {0.000, 0.000}, {1.750492, 1.873516}, {1.750492, 1.873516}}},
      {"prema_sparse",
       {{0.265, 0.350}, {0.000, 0.000}, {1.744166, 1.872295}, {1.744166, 1.872295}}},
      {"planaria", {{0.230, 0.250}, {0.000, 0.000}, {2.095287, 2.695498}, {1.903617, 2.071912}}},
      {"sdrm3", {{0.395, 0.570}, {0.000, 0.000}, {2.420890, 2.759592}, {2.384574, 2.694851}}},
      {"sdrm3_sparse",
       {{0.395, 0.570}, {0.000, 0.000}, {2.419232, 2.766100}, {2.388023, 2.698049}}},
      {"dysta", {{0.145, 0.170}, {0.000, 0.005}, {1.642536, 1.758707}, {1.642536, 1.756419}}},
      {"dysta_naive", {{0.145, 0.175}, {0.000, 0.005}, {1.641703, 1.755356}, {1.641703, 1.753777}}},
      {"dysta_oracle",
       {{0.145, 0.175}, {0.000, 0.005}, {1.641703, 1.755356}, {1.639574, 1.753777}}}}},
    {90,
     {{"fcfs", {{0.940, 0.830}, {0.740, 0.270}, {17.921748, 7.177113}, {17.921748, 7.177113}}},
      {"sjf", {{0.590, 0.470}, {0.285, 0.160}, {10.689975, 4.642572}, {10.689975, 4.642572}}},
      {"sjf_sparse",
       {{0.510, 0.425}, {0.205, 0.110}, {12.205729, 5.041002}, {12.205729, 5.041002}}},
      {"prema", {{0.795, 0.700}, {0.280, 0.140}, {10.948057, 4.892113}, {10.948057, 4.892113}}},
      {"prema_sparse",
       {{0.795, 0.700}, {0.280, 0.140}, {10.948057, 4.892113}, {10.948057, 4.892113}}},
      {"planaria", {{0.475, 0.430}, {0.175, 0.080}, {24.605667, 9.217568}, {20.132324, 7.134863}}},
      {"sdrm3", {{0.950, 0.910}, {0.870, 0.460}, {26.481376, 10.441089}, {26.524532, 10.399923}}},
      {"sdrm3_sparse",
       {{0.950, 0.910}, {0.875, 0.465}, {26.461657, 10.393893}, {26.543736, 10.395699}}},
      {"dysta", {{0.435, 0.320}, {0.145, 0.090}, {11.935350, 4.956303}, {11.820137, 4.895252}}},
      {"dysta_naive",
       {{0.390, 0.350}, {0.140, 0.080}, {11.380965, 4.848440}, {11.360061, 4.860240}}},
      {"dysta_oracle",
       {{0.400, 0.355}, {0.145, 0.080}, {11.379241, 4.861304}, {11.382956, 4.892426}}}}},
};

const std::map<int, std::array<double, 2>> kStp = {{60, {58.959508, 62.478129}},
                                                   {90, {87.227962, 86.330012}}};

TEST(GoldenK2, G1SangerAllPoliciesReproducePrintedNumbers) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  ProfileLoadOptions opts;
  const ProfileSet set = load_profiles(dir.path() / "sanger", opts);

  SweepSpec spec;
  spec.policies = {"fcfs",  "sjf",          "sjf_sparse", "prema",       "prema_sparse", "planaria",
                   "sdrm3", "sdrm3_sparse", "dysta",      "dysta_naive", "dysta_oracle"};
  spec.rates = {60, 90};
  spec.slo_multipliers = {2, 10};
  spec.seeds = {1, 2};
  spec.num_requests = 200;
  spec.semantics = Semantics::reference;
  const auto points = run_sweep(set, spec);
  ASSERT_EQ(points.size(), 2u * 2u * 2u * 11u);
  for (const auto& p : points) {
    const int seed_index = static_cast<int>(p.seed) - 1;
    const Golden& g = kG1.at(static_cast<int>(p.rate)).at(p.policy);
    const bool m2 = p.slo_multiplier == 2;
    const double vio = m2 ? g.vio_m2[seed_index] : g.vio_m10[seed_index];
    const double antt = m2 ? g.antt_m2[seed_index] : g.antt_m10[seed_index];
    SCOPED_TRACE(p.policy + " rate " + std::to_string(p.rate) + " m " +
                 std::to_string(p.slo_multiplier) + " seed " + std::to_string(p.seed));
    EXPECT_NEAR(p.metrics.slo_violation_rate, vio, 1e-9);
    EXPECT_NEAR(p.metrics.antt, antt, 5e-7);
    EXPECT_NEAR(p.metrics.throughput_inf_s, kStp.at(static_cast<int>(p.rate))[seed_index], 5e-7);
  }
}

}  // namespace
}  // namespace dysta
