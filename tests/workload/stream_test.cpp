// Request streams (spec B.3, B.4) and trace CSV import/export.
#include "dysta/workload.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "dysta/csv.h"
#include "test_util.h"

namespace dysta {
namespace {

using test::capture_input_error;
using test::TempDir;
using test::write_text;

// Three one-layer variants "a", "b", "c" with the given sample ids (listed in reverse so that a
// sample's position differs from its id) and target latencies 1, 2, 3 s.
ProfileSet three_variants(int num_samples) {
  std::vector<VariantProfile> vs;
  const char* names[] = {"a", "b", "c"};
  for (int k = 0; k < 3; ++k) {
    std::vector<std::int64_t> ids;
    for (int s = num_samples - 1; s >= 0; --s) ids.push_back(s);
    std::vector<double> lat(static_cast<std::size_t>(num_samples), k + 1.0);
    vs.push_back(test::simple_variant(names[k], names[k], 1, lat, {}, ids));
  }
  return ProfileSet(std::move(vs));
}

std::int64_t sample_id(const ProfileSet& set, const Request& r) {
  return set.variant(r.variant).sample_ids[r.sample_pos];
}

// Spec B.3 test vector: seed 1, rate 50, M = 3, reference semantics; first six rows
// (t, model index, priority, sample id). Draw order: expovariate, randint(0, 2) model,
// randint(0, 2) priority, randint(0, 6) sample.
TEST(PoissonStream, ReferenceTestVector) {
  const ProfileSet set = three_variants(7);
  StreamSpec spec;
  spec.rate_per_s = 50;
  spec.num_requests = 6;
  PyRandom rng(1);
  const auto reqs = generate_poisson_stream(set, spec, rng, Semantics::reference);
  ASSERT_EQ(reqs.size(), 6u);
  struct Row {
    double t;
    std::uint32_t model;
    int priority;
    std::int64_t sample;
  };
  const Row expected[] = {{0.002885821282190184, 0, 3, 0}, {0.01656699687538219, 1, 3, 5},
                          {0.026115304593339127, 0, 1, 3}, {0.026690445084716123, 1, 3, 4},
                          {0.05542368739179134, 0, 9, 3},  {0.06161762152487585, 0, 9, 0}};
  for (std::size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(reqs[i].arrival_s, expected[i].t);
    EXPECT_EQ(reqs[i].variant, expected[i].model);
    EXPECT_EQ(reqs[i].priority, expected[i].priority);
    EXPECT_EQ(sample_id(set, reqs[i]), expected[i].sample);
    // Ids are stored in reverse, so the position is 6 - id.
    EXPECT_EQ(reqs[i].sample_pos, static_cast<std::uint32_t>(6 - expected[i].sample));
  }
}

// Deadline = arrival + m x target latency of the architecture (B.4), in that order.
TEST(PoissonStream, DeadlineFromArchitectureTarget) {
  const ProfileSet set = three_variants(7);
  StreamSpec spec;
  spec.rate_per_s = 50;
  spec.num_requests = 20;
  spec.slo_multiplier = 2.5;
  PyRandom rng(3);
  auto reqs = generate_poisson_stream(set, spec, rng, Semantics::corrected);
  for (const auto& r : reqs) {
    EXPECT_EQ(r.slo_multiplier, 2.5);
    EXPECT_EQ(r.deadline_s, r.arrival_s + (r.variant + 1.0) * 2.5);
  }
  apply_slo_multiplier(reqs, set, 10);
  for (const auto& r : reqs) {
    EXPECT_EQ(r.slo_multiplier, 10);
    EXPECT_EQ(r.deadline_s, r.arrival_s + (r.variant + 1.0) * 10);
    EXPECT_EQ(deadline_for(r, set), r.deadline_s);
  }
}

// Q1: reference semantics draws sample ids 0..6 and rejects a variant lacking one of them.
TEST(PoissonStream, ReferenceRejectsVariantWithoutSamplesZeroToSix) {
  const ProfileSet set = three_variants(6);  // ids 0..5
  StreamSpec spec;
  spec.num_requests = 5;
  PyRandom rng(1);
  const InputError e =
      capture_input_error([&] { generate_poisson_stream(set, spec, rng, Semantics::reference); });
  EXPECT_EQ(e.field(), "sample");
  EXPECT_NE(std::string(e.what()).find("'a'"), std::string::npos) << e.what();
  PyRandom rng2(1);
  EXPECT_NO_THROW(generate_poisson_stream(set, spec, rng2, Semantics::corrected));
}

// corrected draws the sample position by randint(0, n - 1) over all n = 20 samples: CPython
// seed 1, rate 50 gives positions 3, 12, 0, 19 for the first four requests; over many draws
// reference stays within ids 0..6 while corrected reaches every sample.
TEST(PoissonStream, CorrectedDrawsOverAllSamples) {
  const ProfileSet set = three_variants(20);
  StreamSpec spec;
  spec.rate_per_s = 50;
  spec.num_requests = 2000;
  PyRandom rng(1);
  const auto corrected = generate_poisson_stream(set, spec, rng, Semantics::corrected);
  const std::uint32_t first[] = {3, 12, 0, 19};
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(corrected[i].sample_pos, first[i]);
  EXPECT_EQ(corrected[2].arrival_s, 0.04765873431998138);
  std::set<std::int64_t> ids;
  for (const auto& r : corrected) ids.insert(sample_id(set, r));
  EXPECT_EQ(ids.size(), 20u);

  rng.seed(1);
  const auto reference = generate_poisson_stream(set, spec, rng, Semantics::reference);
  std::set<std::int64_t> ref_ids;
  for (const auto& r : reference) ref_ids.insert(sample_id(set, r));
  EXPECT_EQ(ref_ids, (std::set<std::int64_t>{0, 1, 2, 3, 4, 5, 6}));
}

// With a mix, a zero-weight variant is never drawn and the others are drawn in proportion.
TEST(PoissonStream, MixZeroWeightNeverDrawn) {
  const ProfileSet set = three_variants(7);
  StreamSpec spec;
  spec.num_requests = 3000;
  spec.mix = {1, 0, 3};
  PyRandom rng(5);
  const auto reqs = generate_poisson_stream(set, spec, rng, Semantics::corrected);
  std::size_t count[3] = {0, 0, 0};
  for (const auto& r : reqs) ++count[r.variant];
  EXPECT_EQ(count[1], 0u);
  EXPECT_NEAR(static_cast<double>(count[2]) / 3000, 0.75, 0.03);
  spec.mix = {0, 0, 1};
  rng.seed(5);
  for (const auto& r : generate_poisson_stream(set, spec, rng, Semantics::reference)) {
    EXPECT_EQ(r.variant, 2u);
  }
  spec.mix = {1, 0};
  EXPECT_THROW(generate_poisson_stream(set, spec, rng, Semantics::corrected), InputError);
  spec.mix = {0, 0, 0};
  EXPECT_THROW(generate_poisson_stream(set, spec, rng, Semantics::corrected), InputError);
}

// Custom priority levels are drawn uniformly by index.
TEST(PoissonStream, PrioritiesAndArgumentChecks) {
  const ProfileSet set = three_variants(7);
  StreamSpec spec;
  spec.num_requests = 300;
  spec.priorities = {2, 4};
  PyRandom rng(1);
  std::set<int> seen;
  for (const auto& r : generate_poisson_stream(set, spec, rng, Semantics::corrected)) {
    seen.insert(r.priority);
  }
  EXPECT_EQ(seen, (std::set<int>{2, 4}));
  StreamSpec bad = spec;
  bad.rate_per_s = 0;
  EXPECT_THROW(generate_poisson_stream(set, bad, rng, Semantics::corrected), InputError);
  bad = spec;
  bad.num_requests = 0;
  EXPECT_THROW(generate_poisson_stream(set, bad, rng, Semantics::corrected), InputError);
  bad = spec;
  bad.slo_multiplier = 0;
  EXPECT_THROW(generate_poisson_stream(set, bad, rng, Semantics::corrected), InputError);
}

// format_trace then read_trace reproduces the requests exactly (shortest round-trip decimals).
TEST(Trace, RoundTrip) {
  const ProfileSet set = three_variants(20);
  StreamSpec spec;
  spec.rate_per_s = 37;
  spec.num_requests = 200;
  spec.slo_multiplier = 7.3;
  PyRandom rng(11);
  const auto reqs = generate_poisson_stream(set, spec, rng, Semantics::corrected);
  TempDir dir;
  const std::string text = format_trace(reqs, set);
  EXPECT_EQ(text.substr(0, text.find('\n')), "arrival_s,model,sample,priority,slo_multiplier");
  write_text(dir.path() / "t.csv", text);
  const auto back = read_trace(dir.path() / "t.csv", set);
  ASSERT_EQ(back.size(), reqs.size());
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    EXPECT_EQ(back[i].arrival_s, reqs[i].arrival_s);
    EXPECT_EQ(back[i].variant, reqs[i].variant);
    EXPECT_EQ(back[i].sample_pos, reqs[i].sample_pos);
    EXPECT_EQ(back[i].priority, reqs[i].priority);
    EXPECT_EQ(back[i].slo_multiplier, reqs[i].slo_multiplier);
    EXPECT_EQ(back[i].deadline_s, reqs[i].deadline_s);
  }
}

// One trace row: model "b", sample id 3 (position 16 of 20), deadline 0.5 + 4 x 2.
TEST(Trace, ReadsByNameAndSampleId) {
  const ProfileSet set = three_variants(20);
  TempDir dir;
  write_text(dir.path() / "t.csv",
             "arrival_s,model,sample,priority,slo_multiplier\n0.5,b,3,9,4\n0.5,a,0,1,1\n");
  const auto reqs = read_trace(dir.path() / "t.csv", set);
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].variant, 1u);
  EXPECT_EQ(reqs[0].sample_pos, 16u);
  EXPECT_EQ(reqs[0].priority, 9);
  EXPECT_EQ(reqs[0].deadline_s, 0.5 + 2.0 * 4);
  EXPECT_EQ(reqs[1].sample_pos, 19u);
}

void expect_trace_error(const std::string& body, std::size_t line, const std::string& field) {
  const ProfileSet set = three_variants(7);
  TempDir dir;
  const auto path = dir.path() / "t.csv";
  write_text(path, body);
  const InputError e = capture_input_error([&] { read_trace(path, set); });
  SCOPED_TRACE(e.what());
  EXPECT_EQ(e.file(), path.string());
  EXPECT_EQ(e.line(), line);
  EXPECT_EQ(e.field(), field);
}

const std::string kTraceHeader = "arrival_s,model,sample,priority,slo_multiplier\n";

TEST(Trace, Errors) {
  expect_trace_error(kTraceHeader + "0.1,a,0,1,2\n0.2,zzz,0,1,2\n", 3, "model");
  expect_trace_error(kTraceHeader + "0.1,a,7,1,2\n", 2, "sample");
  expect_trace_error(kTraceHeader + "0.3,a,0,1,2\n0.2,b,0,1,2\n", 3, "arrival_s");
  expect_trace_error("arrival_s,model,sample,slo_multiplier\n0.1,a,0,2\n", 1, "priority");
  expect_trace_error(kTraceHeader + "0.1,a,0,1,0\n", 2, "slo_multiplier");
  expect_trace_error(kTraceHeader + "0.1,a,0,1,2\n0.2,a,0,1,-1\n", 3, "slo_multiplier");
  expect_trace_error(kTraceHeader + "0.1,a,0,0,2\n", 2, "priority");
  expect_trace_error(kTraceHeader + "-0.1,a,0,1,2\n", 2, "arrival_s");
  expect_trace_error(kTraceHeader + "x,a,0,1,2\n", 2, "arrival_s");
}

}  // namespace
}  // namespace dysta
