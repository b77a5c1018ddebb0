// Artifact-format Sanger statistics as written (src/benchmark/attention.cpp, rounded_attention):
// 6 decimals, and latencies that are the model's on exactly the written values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <memory>

#include "dysta/accelerators/model.h"
#include "dysta/accelerators/profiling.h"
#include "dysta/benchmark/attention.h"
#include "dysta/csv.h"
#include "test_util.h"

namespace dysta::benchmark {
namespace {

TEST(RoundedAttention, StatisticsHaveSixDecimalsAndLatenciesComeFromThem) {
  ProfiledVariant v;
  v.model = "m";
  v.accelerator = "sanger";
  v.artifact_csv = ArtifactCsv::sanger_stats;
  v.layer_names = {"attn0", "attn1"};
  v.sample_ids = {0};
  for (const double d : {0.8305555555555556, 0.70375}) {
    AttentionStats a;
    a.density = d;
    a.load_balance = 0.7786458333333334;
    a.lb_50_no_skip = 0.7786458333333334;
    a.seq_len = 100;
    v.attention.push_back(a);
    v.latency_s.push_back(1.0);  // stale: must be recomputed
    v.sparsity.push_back(1 - d);
    v.detail.emplace_back();
  }
  const ProfiledVariant r = rounded_attention(v);
  EXPECT_EQ(r.attention[0].density, 0.830556);
  EXPECT_EQ(r.attention[1].density, 0.70375);
  EXPECT_EQ(r.attention[0].load_balance, 0.778646);
  EXPECT_TRUE(std::isnan(r.attention[0].lb_25_skip));
  const auto sanger = make_accelerator("sanger", {}, Semantics::corrected);
  for (std::size_t i = 0; i < 2; ++i) {
    LayerInput in;
    in.type = LayerType::attention;
    in.attention = r.attention[i];
    EXPECT_EQ(r.latency_s[i], sanger->latency(in).seconds);
    EXPECT_NE(r.latency_s[i], 1.0);
    // Every written number reads back as the same double (strtod; pandas agrees for <= 15
    // significant digits: tests/benchmark/artifact_csv_parsers.py on the shipped files).
    const std::string text = format_double(r.attention[i].density);
    EXPECT_LE(text.size(), 8u) << text;
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), r.attention[i].density);
  }
  EXPECT_EQ(r.sparsity[0], 0.169444);
}

}  // namespace
}  // namespace dysta::benchmark
