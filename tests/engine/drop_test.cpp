// EngineOptions::drop (engine.h DropRule): hand-worked runs, metrics of dropped requests, and the
// streaming metrics agreeing with the batch ones.
#include <gtest/gtest.h>

#include <vector>

#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/metrics.h"
#include "dysta/streaming.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

// "a": two samples, layers [1, 2] and [2, 4] s -> estimated layers [1.5, 3], Rest 4.5 at start;
// "b": one sample, layers [0.5, 0.5].
ProfileSet drop_set() {
  return ProfileSet({test::simple_variant("a", "a", 2, {1.0, 2.0, 2.0, 4.0}),
                     test::simple_variant("b", "b", 2, {0.5, 0.5})});
}

Request req(double arrival, std::uint32_t variant, double deadline) {
  return {.arrival_s = arrival,
          .variant = variant,
          .sample_pos = 0,
          .priority = 1,
          .slo_multiplier = 1,
          .deadline_s = deadline};
}

// r0 (a, sample 0: true 3 s) at 0, deadline 10; r1 (b, 1 s) at 0.5, deadline 1.7; r2 (a, sample 0)
// at 0.6, deadline 6.1. FCFS, corrected semantics.
//   none:      r0 0-1-3, r1 3-4 (late), r2 4-5-7 (late).
//   estimated: at 1, r1: 1 + 1 = 2 > 1.7 -> dropped; r2: 1 + 4.5 = 5.5 <= 6.1 kept; r0 runs 1-3;
//              at 3, r2: 3 + 4.5 = 7.5 > 6.1 -> dropped (it would have made it: a false drop).
//   oracle:    at 1, r1 dropped (1 + 1 > 1.7); at 3, r2: 3 + 3 = 6 <= 6.1 kept, runs 3-4-6, on
//   time.
const std::vector<Request> kRequests = {req(0, 0, 10), req(0.5, 1, 1.7), req(0.6, 0, 6.1)};

RunResult run(DropRule drop, RunMetrics* metrics = nullptr) {
  const ProfileSet set = drop_set();
  PolicyChoice choice;
  choice.drop = drop;
  RunResult raw;
  const RunMetrics m = run_policy(set, kRequests, "fcfs", choice, Semantics::corrected, &raw);
  if (metrics) *metrics = m;
  return raw;
}

TEST(Drop, OffChangesNothing) {
  RunMetrics m;
  const RunResult r = run(DropRule::none, &m);
  EXPECT_EQ(r.finish_s, (std::vector<double>{3, 4, 7}));
  EXPECT_TRUE(r.dropped_flags.empty());
  EXPECT_EQ(r.dropped, 0u);
  EXPECT_EQ(m.violations, 2u);
  EXPECT_EQ(m.dropped, 0u);
  EXPECT_EQ(m.drop_rate, 0.0);
  EXPECT_DOUBLE_EQ(m.goodput_inf_s, 1.0 / 7.0);  // one on time over makespan 7 - 0
  EXPECT_DOUBLE_EQ(m.throughput_inf_s, 3.0 / 7.0);
}

TEST(Drop, EstimatedRemaining) {
  RunMetrics m;
  const RunResult r = run(DropRule::estimated, &m);
  EXPECT_EQ(r.finish_s, (std::vector<double>{3, 1, 3}));  // drop times for r1, r2
  EXPECT_EQ(r.dropped_flags, (std::vector<std::uint8_t>{0, 1, 1}));
  EXPECT_EQ(r.finish_order, (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(r.dropped, 2u);
  EXPECT_EQ(r.layers_executed, 2u);
  EXPECT_EQ(m.violations, 2u);
  EXPECT_EQ(m.dropped, 2u);
  EXPECT_DOUBLE_EQ(m.drop_rate, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.slo_violation_rate, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.antt, 1.0);        // r0 only: 3 / 3
  EXPECT_DOUBLE_EQ(m.makespan_s, 3.0);  // last served finish - first arrival
  EXPECT_DOUBLE_EQ(m.goodput_inf_s, 1.0 / 3.0);
  EXPECT_EQ(m.by_variant.at("b").violations, 1u);
}

TEST(Drop, OracleRemaining) {
  RunMetrics m;
  const RunResult r = run(DropRule::oracle, &m);
  EXPECT_EQ(r.finish_s, (std::vector<double>{3, 1, 6}));
  EXPECT_EQ(r.dropped_flags, (std::vector<std::uint8_t>{0, 1, 0}));
  EXPECT_EQ(r.finish_order, (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(m.violations, 1u);
  EXPECT_EQ(m.dropped, 1u);
  EXPECT_DOUBLE_EQ(m.antt, (1.0 + 5.4 / 3.0) / 2.0);  // r0 3/3, r2 (6 - 0.6)/3
  EXPECT_DOUBLE_EQ(m.goodput_inf_s, 2.0 / 6.0);
}

// Several requests dropped by one decision (the survivors keep arrival order): six requests at 0;
// r1, r3, r4 (b, 1 s, deadline 0.9) are hopeless at once, r5 (b, deadline 20) survives behind
// r0 and r2 (a, deadline 20). FCFS: r0 0-1-3, r2 3-4-6, r5 6-6.5-7.
TEST(Drop, ManyDroppedInOneDecisionKeepOrder) {
  const ProfileSet set = drop_set();
  const std::vector<Request> requests = {req(0, 0, 20),  req(0, 1, 0.9), req(0, 0, 20),
                                         req(0, 1, 0.9), req(0, 1, 0.9), req(0, 1, 20)};
  PolicyChoice choice;
  choice.drop = DropRule::estimated;
  RunResult r;
  run_policy(set, requests, "fcfs", choice, Semantics::corrected, &r);
  EXPECT_EQ(r.dropped_flags, (std::vector<std::uint8_t>{0, 1, 0, 1, 1, 0}));
  EXPECT_EQ(r.finish_order, (std::vector<std::uint32_t>{0, 2, 5}));
  EXPECT_EQ(r.finish_s, (std::vector<double>{3, 0, 6, 0, 0, 7}));
  EXPECT_EQ(r.dropped, 3u);
}

TEST(Drop, ParseAndName) {
  EXPECT_EQ(parse_drop_rule("oracle"), DropRule::oracle);
  EXPECT_STREQ(to_string(DropRule::estimated), "estimated");
  EXPECT_THROW(parse_drop_rule("sometimes"), InputError);
}

// The streaming metrics count drops like the batch metrics.
TEST(Drop, StreamingMatchesBatch) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  const ProfileSet set = load_profiles(dir.path() / "sanger", {});
  for (DropRule drop : {DropRule::estimated, DropRule::oracle}) {
    for (const char* policy : {"fcfs", "dysta", "edf"}) {
      StreamSpec spec;
      spec.rate_per_s = 85;
      spec.num_requests = 2000;
      spec.slo_multiplier = 5;
      PyRandom rng(11);
      const auto requests = generate_poisson_stream(set, spec, rng, Semantics::corrected);
      PolicyChoice choice;
      choice.drop = drop;
      const RunMetrics batch = run_policy(set, requests, policy, choice, Semantics::corrected);
      const MetricsOptions exact = MetricsOptions::streaming(true);
      const RunMetrics stream =
          run_streaming(set, spec, 11, policy, choice, Semantics::corrected, exact);
      SCOPED_TRACE(std::string(policy) + " " + to_string(drop));
      EXPECT_GT(batch.dropped, 0u);
      EXPECT_EQ(stream.requests, batch.requests);
      EXPECT_EQ(stream.violations, batch.violations);
      EXPECT_EQ(stream.dropped, batch.dropped);
      EXPECT_EQ(stream.drop_rate, batch.drop_rate);
      EXPECT_EQ(stream.slo_violation_rate, batch.slo_violation_rate);
      EXPECT_NEAR(stream.goodput_inf_s, batch.goodput_inf_s, 1e-12 * batch.goodput_inf_s);
      EXPECT_NEAR(stream.antt, batch.antt, 1e-12 * batch.antt);
      EXPECT_EQ(stream.turnaround_s.p99, batch.turnaround_s.p99);
      EXPECT_EQ(stream.by_architecture, batch.by_architecture);
      EXPECT_LE(batch.violations, batch.requests);
      EXPECT_GE(batch.violations, batch.dropped);
    }
  }
}

}  // namespace
}  // namespace dysta
