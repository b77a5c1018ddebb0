// The layer-preemptive engine (spec B.5, B.6, quirk Q2) on hand-worked runs.
#include "dysta/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "dysta/experiment.h"
#include "dysta/run.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

using test::req;
using test::tiny_set;

RunResult run(const ProfileSet& set, const std::vector<Request>& requests,
              const std::string& policy_name, Semantics sem, EngineObserver* observer = nullptr) {
  auto policy = make_policy(policy_name, {}, sem);
  auto predictor = make_predictor("average", set, {}, sem);
  const PolicyInfo& info = policy_registry().get("policy", policy_name);
  return simulate(set, requests, *policy, info.traits, *predictor, sem, observer);
}

// FCFS: r0 (a) at 0.5, r1 (b) at 1.0, r2 (a) at 1.2.
//   idle 0 -> 0.5; r0: 0.5-1.5, 1.5-3.5 (r1, r2 admitted at 1.5: 3 ready); r1: 3.5-4.0-4.5;
//   r2: 4.5-5.5-7.5.
TEST(Engine, FcfsHandWorked) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    SCOPED_TRACE(to_string(sem));
    const ProfileSet set = tiny_set();
    const RunResult r = run(set, {req(0.5, 0), req(1.0, 1), req(1.2, 0)}, "fcfs", sem);
    EXPECT_EQ(r.finish_s, (std::vector<double>{3.5, 4.5, 7.5}));
    EXPECT_EQ(r.first_start_s, (std::vector<double>{0.5, 3.5, 4.5}));
    EXPECT_EQ(r.finish_order, (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_EQ(r.layers_executed, 6u);
    EXPECT_EQ(r.decisions, 6u);
    EXPECT_EQ(r.max_ready, 3u);
    EXPECT_EQ(r.idle_s, 0.5);
    EXPECT_EQ(r.clock_rollbacks, 0u);
  }
}

// SJF preempts at a layer boundary: r0 (a) at 0 runs layer 0 (0-1); at 1, r1 (b, Rest 1) beats
// r0 (Rest 2) and runs 1-1.5-2.0; r0 finishes 2-4.
TEST(Engine, SjfPreemptsAtLayerBoundary) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    const ProfileSet set = tiny_set();
    const RunResult r = run(set, {req(0, 0), req(0.5, 1)}, "sjf", sem);
    EXPECT_EQ(r.finish_s, (std::vector<double>{4.0, 2.0}));
    EXPECT_EQ(r.first_start_s, (std::vector<double>{0.0, 1.0}));
    EXPECT_EQ(r.finish_order, (std::vector<std::uint32_t>{1, 0}));
    EXPECT_EQ(r.max_ready, 2u);
    EXPECT_EQ(r.idle_s, 0.0);
  }
}

// Q2: r0 (a) at 0 runs 0-1-3; r1 (b) arrives at 1.5, after the boundary at 1 and before the
// finish at 3. reference: the run queue empties at 3 and the clock is set back to 1.5 (one
// rollback): r1 runs 1.5-2.0-2.5. corrected: r1 runs 3-3.5-4.
TEST(Engine, ClockRollbackQ2) {
  const ProfileSet set = tiny_set();
  const std::vector<Request> reqs = {req(0, 0), req(1.5, 1)};
  const RunResult ref = run(set, reqs, "fcfs", Semantics::reference);
  EXPECT_EQ(ref.clock_rollbacks, 1u);
  EXPECT_EQ(ref.finish_s, (std::vector<double>{3.0, 2.5}));
  EXPECT_EQ(ref.first_start_s[1], 1.5);
  EXPECT_EQ(ref.idle_s, 0.0);
  const RunResult cor = run(set, reqs, "fcfs", Semantics::corrected);
  EXPECT_EQ(cor.clock_rollbacks, 0u);
  EXPECT_EQ(cor.finish_s, (std::vector<double>{3.0, 4.0}));
  EXPECT_EQ(cor.first_start_s[1], 3.0);
  EXPECT_EQ(cor.idle_s, 0.0);
}

// An arrival exactly at a layer boundary. SJF, r0 (a) and r1 (a) at 0, r2 (b) at 1.0.
// reference (idle admission takes one request; then arrival < now):
//   0-1 r0 layer 0; at 1 admit r1 only (1.0 < 1.0 is false); r0 (Rest 2) beats r1 (3): 1-3;
//   at 3 admit r2: 3-3.5-4; r1 4-5-7. Finish [3, 7, 4]; at most 2 ready.
// corrected (arrival <= now): at 0 admit r0 and r1 (tie -> r0) 0-1; at 1 admit r2 (Rest 1):
//   1-1.5-2; r0 2-4; r1 4-5-7. Finish [4, 7, 2]; 3 ready.
TEST(Engine, AdmissionAtBoundaryStrictVsInclusive) {
  const ProfileSet set = tiny_set();
  const std::vector<Request> reqs = {req(0, 0), req(0, 0), req(1.0, 1)};
  const RunResult ref = run(set, reqs, "sjf", Semantics::reference);
  EXPECT_EQ(ref.finish_s, (std::vector<double>{3.0, 7.0, 4.0}));
  EXPECT_EQ(ref.max_ready, 2u);
  EXPECT_EQ(ref.clock_rollbacks, 0u);
  EXPECT_EQ(ref.first_start_s, (std::vector<double>{0.0, 4.0, 3.0}));
  const RunResult cor = run(set, reqs, "sjf", Semantics::corrected);
  EXPECT_EQ(cor.finish_s, (std::vector<double>{4.0, 7.0, 2.0}));
  EXPECT_EQ(cor.max_ready, 3u);
  EXPECT_EQ(cor.first_start_s, (std::vector<double>{0.0, 4.0, 1.0}));
}

// Idle time is counted from 0 and between busy periods: r0 (a) at 1 runs 1-4; r1 (b) at 10
// runs 10-11. idle = 1 + 6 = 7.
TEST(Engine, IdleTime) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    const ProfileSet set = tiny_set();
    const RunResult r = run(set, {req(1, 0), req(10, 1)}, "fcfs", sem);
    EXPECT_EQ(r.finish_s, (std::vector<double>{4.0, 11.0}));
    EXPECT_EQ(r.idle_s, 7.0);
    EXPECT_EQ(r.clock_rollbacks, 0u);
    EXPECT_EQ(r.max_ready, 1u);
  }
}

// Records what the policy saw at every decision and the layer/finish events.
struct Recorder : EngineObserver {
  struct Seen {
    double now;
    std::size_t chosen;
    std::vector<TaskView> tasks;
  };
  std::vector<Seen> decisions;
  std::vector<std::uint32_t> admitted;
  std::vector<std::tuple<std::uint32_t, std::uint32_t, double, double>> layers;
  std::vector<std::pair<std::uint32_t, double>> finished;
  void on_admit(std::uint32_t r, double) override { admitted.push_back(r); }
  void on_decision(const DecisionContext& ctx, std::size_t chosen) override {
    decisions.push_back({ctx.now_s, chosen, {ctx.tasks.begin(), ctx.tasks.end()}});
  }
  void on_layer(std::uint32_t r, std::uint32_t l, double s, double e) override {
    layers.emplace_back(r, l, s, e);
  }
  void on_finish(std::uint32_t r, double t) override { finished.emplace_back(r, t); }
};

// Variant "m": 3 layers, sample 0 latencies [1, 2, 3] and sparsity 0.5 everywhere, sample 1
// latencies [3, 2, 1] and sparsity 0 -> averages: latency [2, 2, 2], sparsity 0.25 (density
// 0.75). Sample 0's density ratio is 0.5 / 0.75 = 2/3 at every layer, so with the monitor
// gamma = 2/3 after the first layer; without it gamma stays 1.
TEST(Engine, MonitorUpdatesGammaOnlyForMonitoredPolicies) {
  const ProfileSet set(
      {test::simple_variant("m", "m", 3, {1, 2, 3, 3, 2, 1}, {0.5, 0.5, 0.5, 0, 0, 0})});
  const std::vector<Request> reqs = {req(0, 0, 0)};
  for (const char* name : {"dysta", "sjf_sparse", "prema_sparse", "sdrm3_sparse", "dysta_naive",
                           "sjf", "prema", "dysta_oracle"}) {
    SCOPED_TRACE(name);
    Recorder rec;
    run(set, reqs, name, Semantics::reference, &rec);
    ASSERT_EQ(rec.decisions.size(), 3u);
    const bool monitored = policy_registry().find(name)->traits.monitor;
    EXPECT_EQ(rec.decisions[0].tasks[0].gamma, 1.0);
    EXPECT_EQ(rec.decisions[1].tasks[0].gamma, monitored ? 2.0 / 3.0 : 1.0);
    EXPECT_EQ(rec.decisions[2].tasks[0].gamma, monitored ? 2.0 / 3.0 : 1.0);
  }
}

// The task view is kept current: after layer 0 (0-1) of sample 0 of "m".
TEST(Engine, TaskViewFieldsAfterOneLayer) {
  const ProfileSet set(
      {test::simple_variant("m", "m", 3, {1, 2, 3, 3, 2, 1}, {0.5, 0.5, 0.5, 0, 0, 0})});
  Recorder rec;
  Request r = req(0, 0, 0);
  r.priority = 3;
  run(set, {r}, "fcfs", Semantics::corrected, &rec);
  ASSERT_EQ(rec.decisions.size(), 3u);
  const TaskView& t0 = rec.decisions[0].tasks[0];
  EXPECT_EQ(t0.est_remaining_s, 6.0);
  EXPECT_EQ(t0.est_isolated_s, 6.0);
  EXPECT_EQ(t0.real_remaining_s, 6.0);
  EXPECT_EQ(t0.real_isolated_s, 6.0);
  EXPECT_EQ(t0.est_next_layer_s, 2.0);
  EXPECT_EQ(t0.last_exec_s, 0.0);
  EXPECT_EQ(t0.priority, 3);
  EXPECT_EQ(t0.deadline_s, 100.0);
  const TaskView& t1 = rec.decisions[1].tasks[0];
  EXPECT_EQ(rec.decisions[1].now, 1.0);
  EXPECT_EQ(t1.layers_done, 1u);
  EXPECT_EQ(t1.num_layers, 3u);
  EXPECT_EQ(t1.last_exec_s, 1.0);
  EXPECT_EQ(t1.est_remaining_s, 4.0);
  EXPECT_EQ(t1.real_remaining_s, 5.0);
  EXPECT_EQ(t1.est_isolated_s, 6.0);
  EXPECT_EQ(t1.real_isolated_s, 6.0);
  // Events: admission, three layers 0-1-3-6, finish at 6.
  EXPECT_EQ(rec.admitted, (std::vector<std::uint32_t>{0}));
  ASSERT_EQ(rec.layers.size(), 3u);
  EXPECT_EQ(rec.layers[2], std::make_tuple(0u, 2u, 3.0, 6.0));
  EXPECT_EQ(rec.finished, (std::vector<std::pair<std::uint32_t, double>>{{0, 6.0}}));
}

// A policy that may read true latencies (the default reads_true_latencies()) gets them from
// simulate() without observers; the built-in PlainPolicy ones declare they do not read them
// unless their traits say oracle (then they get them: dysta_oracle's golden parity).
TEST(Engine, TrueLatenciesReachPoliciesThatMayReadThem) {
  struct Reads final : Policy {
    std::vector<double> seen;
    std::size_t select(const DecisionContext& ctx) override {
      seen.push_back(ctx.tasks[0].real_remaining_s);
      return 0;
    }
  };
  const ProfileSet set(
      {test::simple_variant("m", "m", 3, {1, 2, 3, 3, 2, 1}, {0.5, 0.5, 0.5, 0, 0, 0})});
  const std::vector<Request> reqs = {req(0, 0, 0), req(0.5, 0, 1)};
  Reads policy;
  auto predictor = make_predictor("average", set, {}, Semantics::corrected);
  simulate(set, reqs, policy, PolicyTraits{}, *predictor, Semantics::corrected);
  ASSERT_GE(policy.seen.size(), 2u);
  EXPECT_EQ(policy.seen[0], 6.0);  // r0 at 0: 1 + 2 + 3
  EXPECT_EQ(policy.seen[1], 5.0);  // r0 at 1 (r1 admitted): layer 0 ran, 2 + 3 left
  for (const PolicyInfo* info : policy_registry().all()) {
    const auto p = make_policy(info->name, {}, Semantics::corrected);
    EXPECT_EQ(p->reads_true_latencies(), p->has_layer_hooks()) << info->name;
  }
}

// Pattern-aware policies start from the variant's own averages, the others from the
// architecture's: "net_p" [1, 1] and "net_q" [3, 3] share architecture "net" (average [2, 2]).
TEST(Engine, PatternAwareInitialisation) {
  const ProfileSet set({make_variant("net_p", "net", "p", {0}, 2, {1, 1}, {0, 0}),
                        make_variant("net_q", "net", "q", {0}, 2, {3, 3}, {0, 0})});
  for (const char* name : {"dysta", "dysta_naive"}) {
    Recorder rec;
    run(set, {req(0, 0)}, name, Semantics::reference, &rec);
    const bool aware = policy_registry().find(name)->traits.pattern_aware;
    EXPECT_EQ(rec.decisions[0].tasks[0].est_remaining_s, aware ? 2.0 : 4.0) << name;
    EXPECT_EQ(rec.decisions[0].tasks[0].est_next_layer_s, aware ? 1.0 : 2.0) << name;
    EXPECT_EQ(rec.decisions[0].tasks[0].real_remaining_s, 2.0) << name;
  }
}

// Spec K.1 probe: FCFS, seed 1, rate 50, N = 200 on the Sanger set in reference semantics uses
// only sample ids 0..6 and has exactly 4 clock rollbacks; the Eyeriss set at rate 20, N = 100
// has 2.
TEST(Engine, K1ProbeClockRollbacks) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  struct Probe {
    const char* sub;
    double rate;
    std::size_t n;
    std::size_t rollbacks;
  };
  for (const Probe& probe : {Probe{"sanger", 50, 200, 4}, Probe{"eyerissv2", 20, 100, 2}}) {
    SCOPED_TRACE(probe.sub);
    const ProfileSet set = load_profiles(dir.path() / probe.sub, {});
    StreamSpec spec;
    spec.rate_per_s = probe.rate;
    spec.num_requests = probe.n;
    PyRandom rng(1);
    const auto reqs = generate_poisson_stream(set, spec, rng, Semantics::reference);
    std::set<std::int64_t> ids;
    for (const auto& r : reqs) ids.insert(set.variant(r.variant).sample_ids[r.sample_pos]);
    EXPECT_EQ(ids, (std::set<std::int64_t>{0, 1, 2, 3, 4, 5, 6}));
    RunResult raw;
    const RunMetrics m = run_policy(set, reqs, "fcfs", {}, Semantics::reference, &raw);
    EXPECT_EQ(raw.clock_rollbacks, probe.rollbacks);
    EXPECT_EQ(m.clock_rollbacks, probe.rollbacks);
    EXPECT_EQ(run_policy(set, reqs, "fcfs", {}, Semantics::corrected).clock_rollbacks, 0u);
  }
}

// EngineOptions::alone_ends: one memo shared by every policy's runs of a stream, at two SLO
// multipliers (deadlines aside the same requests), gives the results of runs without it; the
// runs fill it (it is used).
TEST(Engine, AloneEndsMemoChangesNothing) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  for (const char* sub : {"sanger", "eyerissv2"}) {
    const ProfileSet set = load_profiles(dir.path() / sub, {});
    for (const double rate : {5.0, 40.0}) {
      for (const Semantics sem : {Semantics::reference, Semantics::corrected}) {
        SCOPED_TRACE(std::string(sub) + " rate " + std::to_string(rate) + " " + to_string(sem));
        StreamSpec spec;
        spec.rate_per_s = rate;
        spec.num_requests = 300;
        PyRandom rng(7);
        const std::vector<Request> base = generate_poisson_stream(set, spec, rng, sem);
        std::vector<double> memo(base.size(), -std::numeric_limits<double>::infinity());
        for (const double slo : {10.0, 50.0}) {
          std::vector<Request> reqs = base;
          apply_slo_multiplier(reqs, set, slo);
          for (const PolicyInfo* info : policy_registry().all()) {
            RunResult plain, memoised;
            const RunMetrics a = run_policy(set, reqs, info->name, {}, sem, &plain);
            const RunMetrics b = run_policy(set, reqs, info->name, {}, sem, &memoised, {}, memo);
            test::expect_same_metrics(a, b);
            EXPECT_EQ(plain.finish_s, memoised.finish_s) << info->name;
            EXPECT_EQ(plain.first_start_s, memoised.first_start_s) << info->name;
            EXPECT_EQ(plain.finish_order, memoised.finish_order) << info->name;
          }
        }
        const auto known = std::count_if(memo.begin(), memo.end(), [](double e) {
          return e != -std::numeric_limits<double>::infinity();
        });
        EXPECT_GT(known, 0);
      }
    }
  }
}

// Requests must be in arrival order; an empty stream gives an empty result.
TEST(Engine, InputChecks) {
  const ProfileSet set = tiny_set();
  EXPECT_THROW(run(set, {req(1, 0), req(0.5, 1)}, "fcfs", Semantics::corrected), InputError);
  const RunResult empty = run(set, {}, "fcfs", Semantics::corrected);
  EXPECT_TRUE(empty.finish_s.empty());
  EXPECT_EQ(empty.decisions, 0u);
}

// A policy returning an index outside the ready list is a programming error.
TEST(Engine, InvalidPolicyIndexThrows) {
  struct Bad : Policy {
    std::size_t select(const DecisionContext& ctx) override { return ctx.tasks.size(); }
  } bad;
  const ProfileSet set = tiny_set();
  auto predictor = make_predictor("average", set, {}, Semantics::corrected);
  const std::vector<Request> reqs = {req(0, 0)};
  EXPECT_THROW(simulate(set, reqs, bad, {}, *predictor, Semantics::corrected), std::logic_error);
}

}  // namespace
}  // namespace dysta
