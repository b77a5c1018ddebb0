// The push-style Scheduler (scheduler.h): hand-worked sequences of admit/next/layer_done, its
// contract checks, and the property that driving it by hand reproduces simulate() exactly.
#include "dysta/scheduler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

using test::req;
using test::tiny_set;

struct Parts {
  std::unique_ptr<Policy> policy;
  std::unique_ptr<Predictor> predictor;
  PolicyTraits traits;
};

Parts parts(const ProfileSet& set, const std::string& name, Semantics sem = Semantics::corrected) {
  return {make_policy(name, {}, sem), make_predictor("average", set, {}, sem),
          policy_registry().get("policy", name).traits};
}

// Records what the policy saw at every decision.
struct Views : EngineObserver {
  std::vector<std::vector<TaskView>> seen;
  void on_decision(const DecisionContext& ctx, std::size_t) override {
    seen.emplace_back(ctx.tasks.begin(), ctx.tasks.end());
  }
};

// FCFS by hand (the engine test's FcfsHandWorked): r0 (a) at 0.5 runs 0.5-1.5; r1 (b) and r2 (a)
// are admitted at the boundary 1.5; r0 finishes 1.5-3.5, then r1 3.5-4.0-4.5, r2 4.5-5.5-7.5.
TEST(Scheduler, FcfsHandWorked) {
  const ProfileSet set = tiny_set();
  Parts p = parts(set, "fcfs");
  Scheduler s(set, *p.policy, p.traits, *p.predictor);
  EXPECT_EQ(s.admit(req(0.5, 0), 0.5), 0u);
  ScheduledLayer l = s.next(0.5);
  EXPECT_EQ(l.task, 0u);
  EXPECT_EQ(l.layer, 0u);
  EXPECT_EQ(l.start_s, 0.5);
  EXPECT_TRUE(s.running());
  EXPECT_FALSE(s.layer_done(0, 0.0, 1.5));
  EXPECT_EQ(s.admit(req(1.0, 1), 1.5), 1u);
  EXPECT_EQ(s.admit(req(1.2, 0), 1.5), 2u);
  EXPECT_EQ(s.ready(), 3u);
  l = s.next(1.5);
  EXPECT_EQ(l.task, 0u);
  EXPECT_EQ(l.layer, 1u);
  EXPECT_TRUE(s.layer_done(0, 0.0, 3.5));
  ASSERT_EQ(s.finished().size(), 1u);
  EXPECT_EQ(s.finished()[0].task, 0u);
  EXPECT_EQ(s.finished()[0].first_start_s, 0.5);
  EXPECT_EQ(s.finished()[0].finish_s, 3.5);
  s.clear_finished();
  double now = 3.5;
  const std::vector<std::uint32_t> expected_tasks = {1, 1, 2, 2};
  const std::vector<double> latency = {0.5, 0.5, 1.0, 2.0};
  for (std::size_t i = 0; i < expected_tasks.size(); ++i) {
    l = s.next(now);
    EXPECT_EQ(l.task, expected_tasks[i]);
    EXPECT_EQ(l.layer, i % 2);
    now += latency[i];
    s.layer_done(l.task, 0.0, now);
  }
  ASSERT_EQ(s.finished().size(), 2u);
  EXPECT_EQ(s.finished()[0].finish_s, 4.5);
  EXPECT_EQ(s.finished()[1].finish_s, 7.5);
  EXPECT_EQ(s.finished()[1].first_start_s, 4.5);
  EXPECT_EQ(s.ready(), 0u);
  EXPECT_EQ(s.stats().decisions, 6u);
  EXPECT_EQ(s.stats().layers_executed, 6u);
  EXPECT_EQ(s.stats().max_ready, 3u);
  EXPECT_EQ(s.stats().requests, 3u);
  EXPECT_EQ(s.stats().first_arrival_s, 0.5);
  EXPECT_EQ(s.stats().last_finish_s, 7.5);
}

// A request admitted while a layer runs joins the ready tasks when the layer ends (also on the
// keyed fast path, whose heap must not change under the running task). SJF: r0 (a, Rest 3) runs
// layer 0 (0-1); r1 (b, Rest 1) arrives at 0.5 during it; at 1 r1 wins and runs 1-1.5-2.
TEST(Scheduler, AdmissionDuringALayer) {
  const ProfileSet set = tiny_set();
  for (bool keyed : {true, false}) {
    SCOPED_TRACE(keyed);
    Parts p = parts(set, "sjf");
    SchedulerOptions options;
    options.keyed_fast_path = keyed;
    Scheduler s(set, *p.policy, p.traits, *p.predictor, options);
    s.admit(req(0, 0), 0);
    EXPECT_EQ(s.next(0).task, 0u);
    s.admit(req(0.5, 1), 0.5);
    EXPECT_FALSE(s.layer_done(0, 0, 1));
    EXPECT_EQ(s.ready(), 2u);
    ScheduledLayer l = s.next(1);
    EXPECT_EQ(l.task, 1u);
    EXPECT_EQ(l.start_s, 1.0);
    s.layer_done(1, 0, 1.5);
    EXPECT_EQ(s.next(1.5).task, 1u);
    EXPECT_TRUE(s.layer_done(1, 0, 2.0));
    EXPECT_EQ(s.next(2.0).task, 0u);
    EXPECT_TRUE(s.layer_done(0, 0, 4.0));
    ASSERT_EQ(s.finished().size(), 2u);
    EXPECT_EQ(s.finished()[0].task, 1u);
    EXPECT_EQ(s.finished()[0].first_start_s, 1.0);
    EXPECT_EQ(s.finished()[1].task, 0u);
  }
}

// The monitor uses the sparsity the caller measured, not the profile's: variant "m" has average
// sparsity 0.25 at every layer (density 0.75); a measured sparsity of 0.625 gives the density
// ratio 0.375 / 0.75 = 0.5, so the average predictor's gamma is 0.5 after one layer, and
// gamma x Rest = 0.5 x 4 = 2 at the second decision.
TEST(Scheduler, MonitorTakesTheMeasuredSparsity) {
  const ProfileSet set(
      {test::simple_variant("m", "m", 3, {1, 2, 3, 3, 2, 1}, {0.5, 0.5, 0.5, 0, 0, 0})});
  Parts p = parts(set, "dysta");
  Views views;
  SchedulerOptions options;
  options.observers = {&views};
  Scheduler s(set, *p.policy, p.traits, *p.predictor, options);
  s.admit(req(0, 0), 0);
  s.next(0);
  s.layer_done(0, 0.625, 1.7);  // a real runtime's clock: not the profile's 1 s
  s.next(1.7);
  ASSERT_EQ(views.seen.size(), 2u);
  const TaskView& t = views.seen[1][0];
  EXPECT_EQ(t.gamma, 0.5);
  EXPECT_EQ(t.est_remaining_s, 4.0);
  EXPECT_EQ(t.last_exec_s, 1.7);
  EXPECT_EQ(t.layers_done, 1u);
  // Without a LatencyOracle the true latencies are unknown.
  EXPECT_TRUE(std::isnan(t.real_remaining_s));
  EXPECT_TRUE(std::isnan(t.real_isolated_s));
}

// Only an oracle policy needs true latencies, and it gets them only through a LatencyOracle.
TEST(Scheduler, OracleNeedsALatencyOracle) {
  const ProfileSet set(
      {test::simple_variant("m", "m", 3, {1, 2, 3, 3, 2, 1}, {0.5, 0.5, 0.5, 0, 0, 0})});
  Parts p = parts(set, "dysta_oracle");
  EXPECT_TRUE(p.traits.oracle);
  EXPECT_THROW(Scheduler(set, *p.policy, p.traits, *p.predictor), std::invalid_argument);
  const ProfileOracle oracle(set);
  Views views;
  SchedulerOptions options;
  options.oracle = &oracle;
  options.observers = {&views};
  Scheduler s(set, *p.policy, p.traits, *p.predictor, options);
  s.admit(req(0, 0, 1), 0);  // sample 1: latencies [3, 2, 1]
  s.layer_done(s.next(0).task, 0, 3);
  s.next(3);
  ASSERT_EQ(views.seen.size(), 2u);
  EXPECT_EQ(views.seen[0][0].real_remaining_s, 6.0);
  EXPECT_EQ(views.seen[1][0].real_remaining_s, 3.0);
  EXPECT_EQ(views.seen[1][0].real_isolated_s, 6.0);
}

TEST(Scheduler, ContractViolationsThrow) {
  const ProfileSet set = tiny_set();
  Parts p = parts(set, "fcfs");
  Scheduler s(set, *p.policy, p.traits, *p.predictor);
  EXPECT_THROW(s.next(0), std::logic_error);                   // nothing ready
  EXPECT_THROW(s.admit(req(2, 0), 1), std::invalid_argument);  // admitted before arrival
  EXPECT_THROW(s.admit(req(0, 7), 1), std::invalid_argument);  // unknown variant
  s.admit(req(1, 0), 1);
  EXPECT_THROW(s.admit(req(0.5, 1), 1), InputError);      // arrivals decrease
  EXPECT_THROW(s.layer_done(0, 0, 1), std::logic_error);  // nothing running
  const ScheduledLayer l = s.next(1);
  EXPECT_THROW(s.next(1), std::logic_error);                       // a layer is running
  EXPECT_THROW(s.layer_done(l.task + 1, 0, 2), std::logic_error);  // not the running task
  EXPECT_FALSE(s.layer_done(l.task, 0, 2));
}

// Drives a Scheduler the way a runtime would, with its own (corrected or reference) admission
// loop written here, and the latencies and sparsities of the profile set.
RunResult drive_by_hand(const ProfileSet& set, const std::vector<Request>& reqs,
                        const std::string& name, Semantics sem) {
  Parts p = parts(set, name, sem);
  const ProfileOracle oracle(set);
  SchedulerOptions options;
  options.oracle = &oracle;
  Scheduler s(set, *p.policy, p.traits, *p.predictor, options);
  RunResult r;
  r.finish_s.assign(reqs.size(), -1);
  r.first_start_s.assign(reqs.size(), -1);
  std::size_t next = 0;
  double now = 0, busy_until = 0;
  const bool reference = sem == Semantics::reference;
  while (next < reqs.size() || s.ready() > 0) {
    if (s.ready() == 0) {
      if (reference) {
        if (reqs[next].arrival_s < now) ++r.clock_rollbacks;
        now = reqs[next].arrival_s;
        s.admit(reqs[next++], now);
      } else {
        now = std::max(now, reqs[next].arrival_s);
      }
      r.idle_s += std::max(0.0, now - busy_until);
    }
    while (next < reqs.size() &&
           (reference ? reqs[next].arrival_s < now : reqs[next].arrival_s <= now)) {
      s.admit(reqs[next++], now);
    }
    const ScheduledLayer l = s.next(now);
    const VariantProfile& v = set.variant(l.variant);
    now = l.start_s + v.latencies(l.sample_pos)[l.layer];
    busy_until = now;
    s.layer_done(l.task, v.sparsities(l.sample_pos)[l.layer], now);
    for (const Completion& c : s.finished()) {
      r.finish_s[c.task] = c.finish_s;
      r.first_start_s[c.task] = c.first_start_s;
      r.finish_order.push_back(c.task);
    }
    s.clear_finished();
  }
  r.decisions = s.stats().decisions;
  r.layers_executed = s.stats().layers_executed;
  r.max_ready = s.stats().max_ready;
  return r;
}

// Records every on_layer() call (and no decisions: the keyed path stays on).
struct LayerLog : EngineObserver {
  bool wants_decisions() const override { return false; }
  struct Entry {
    std::uint32_t request, layer;
    double start_s, end_s;
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries;
  void on_layer(std::uint32_t request, std::uint32_t layer, double start_s, double end_s) override {
    entries.push_back({request, layer, start_s, end_s});
  }
};

// The K1 synthetic Sanger set and one request whose variant has at least 5 layers, for the
// run_sole() and run_alone() tests: its layers' latencies and sparsities, and the end of its layer
// 2 when it starts at its arrival.
struct SoleRequest {
  ProfileSet set;
  Request r;
  const double* latency = nullptr;
  const double* sparsity = nullptr;
  std::size_t layers = 0;
  double end_of_layer_2 = 0;
};
SoleRequest sole_request() {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  SoleRequest s{load_profiles(dir.path() / "sanger", {}), req(0.25, 1, 3)};
  const VariantProfile& v = s.set.variant(s.r.variant);
  s.latency = v.latencies(s.r.sample_pos).data();  // the variant's storage: valid after a move
  s.sparsity = v.sparsities(s.r.sample_pos).data();
  s.layers = v.num_layers;
  s.end_of_layer_2 = s.r.arrival_s;
  for (int k = 0; k < 3; ++k) s.end_of_layer_2 += s.latency[k];
  return s;
}

// run_sole() does what next() / layer_done() pairs do for a sole ready task (dysta: monitored,
// so gamma changes every layer): the same layers and times, monitor state, statistics and
// completion, and it stops exactly where the next arrival would be admitted: at a layer that ends
// at the arrival when admits_equal (corrected semantics), one layer later otherwise.
TEST(Scheduler, RunSoleEqualsNextAndLayerDonePairs) {
  const auto [set, r, latency, sparsity, layers, end_of_layer_2] = sole_request();
  ASSERT_GE(layers, 5u);
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    double next_arrival;
    bool admits_equal;
    std::size_t layers;  // expected layers run
  };
  for (const Case c : {Case{end_of_layer_2, true, 3}, Case{end_of_layer_2, false, 4},
                       Case{r.arrival_s, true, 1}, Case{inf, false, layers}}) {
    SCOPED_TRACE(std::to_string(c.next_arrival) + " " + std::to_string(c.admits_equal));
    Parts pa = parts(set, "dysta"), pb = parts(set, "dysta");
    LayerLog log_a, log_b;
    const ProfileOracle oracle(set);  // real_remaining_s is tracked too
    SchedulerOptions oa, ob;
    oa.observers = {&log_a};
    ob.observers = {&log_b};
    oa.oracle = ob.oracle = &oracle;
    Scheduler a(set, *pa.policy, pa.traits, *pa.predictor, oa);
    Scheduler b(set, *pb.policy, pb.traits, *pb.predictor, ob);
    a.admit(r, r.arrival_s);
    b.admit(r, r.arrival_s);
    ASSERT_TRUE(a.sole_runnable());
    EXPECT_EQ(a.sole_view().request, 0u);
    const double end_a = a.run_sole(r.arrival_s, latency, sparsity, c.next_arrival, c.admits_equal);
    double now = r.arrival_s;
    bool finished = false;
    while (!finished) {
      const ScheduledLayer l = b.next(now);
      now = l.start_s + latency[l.layer];
      finished = b.layer_done(l.task, sparsity[l.layer], now);
      if (c.admits_equal ? now >= c.next_arrival : now > c.next_arrival) break;
    }
    EXPECT_EQ(end_a, now);
    EXPECT_EQ(log_a.entries, log_b.entries);
    EXPECT_EQ(log_a.entries.size(), c.layers);
    EXPECT_EQ(a.stats().decisions, b.stats().decisions);
    EXPECT_EQ(a.stats().layers_executed, c.layers);
    EXPECT_EQ(a.stats().max_ready, b.stats().max_ready);
    EXPECT_EQ(a.stats().requests, b.stats().requests);
    EXPECT_EQ(a.stats().last_finish_s, b.stats().last_finish_s);
    ASSERT_EQ(a.finished().size(), b.finished().size());
    if (finished) {
      EXPECT_EQ(a.finished()[0].first_start_s, r.arrival_s);
      EXPECT_EQ(a.finished()[0].finish_s, now);
      EXPECT_EQ(a.ready(), 0u);
      continue;
    }
    // The task's view after the segment, then the next layer of both: same gamma path.
    const TaskView& ta = a.sole_view();
    const TaskView& tb = b.running_view();
    EXPECT_EQ(ta.layers_done, tb.layers_done);
    EXPECT_EQ(ta.gamma, tb.gamma);
    EXPECT_NE(ta.gamma, 1.0);
    EXPECT_EQ(ta.last_exec_s, tb.last_exec_s);
    EXPECT_EQ(ta.est_remaining_s, tb.est_remaining_s);
    EXPECT_EQ(ta.est_next_layer_s, tb.est_next_layer_s);
    EXPECT_EQ(ta.real_remaining_s, tb.real_remaining_s);
    const ScheduledLayer la = a.next(now), lb = b.next(now);
    EXPECT_EQ(la.layer, lb.layer);
    a.layer_done(la.task, sparsity[la.layer], now + 1);
    b.layer_done(lb.task, sparsity[lb.layer], now + 1);
    EXPECT_EQ(a.running_view().gamma, b.running_view().gamma);
  }
}

// run_sole() only for one ready task of a stateless scan: not for fcfs (its heap index decides
// from the start), two ready tasks or a running layer.
TEST(Scheduler, RunSoleOnlyForASoleStatelessTask) {
  const ProfileSet set = tiny_set();
  const double latency[] = {1.0, 2.0}, sparsity[] = {0.0, 0.0};
  Parts fcfs = parts(set, "fcfs");
  Scheduler f(set, *fcfs.policy, fcfs.traits, *fcfs.predictor);
  f.admit(req(0, 0), 0);
  EXPECT_FALSE(f.sole_runnable());
  EXPECT_THROW(f.run_sole(0, latency, sparsity, 5, true), std::logic_error);
  Parts dysta = parts(set, "dysta");
  Scheduler d(set, *dysta.policy, dysta.traits, *dysta.predictor);
  EXPECT_FALSE(d.sole_runnable());
  d.admit(req(0, 0), 0);
  EXPECT_TRUE(d.sole_runnable());
  const ScheduledLayer l = d.next(0);
  EXPECT_FALSE(d.sole_runnable());  // a layer runs
  d.layer_done(l.task, 0.0, 1.0);
  d.admit(req(0.5, 1), 1.0);
  EXPECT_FALSE(d.sole_runnable());  // two ready tasks
  EXPECT_THROW(d.run_sole(1.0, latency, sparsity, 5, true), std::logic_error);
}

// run_alone() accounts a request exactly as admit() then run_sole() would when run_sole() runs it
// to its end, and changes nothing (NaN) when run_sole() would stop at an earlier layer: the four
// stop cases of RunSoleEqualsNextAndLayerDonePairs, then a second request on both schedulers.
TEST(Scheduler, RunAloneEqualsAdmitAndRunSole) {
  const auto [set, r, latency, sparsity, layers, end_of_layer_2] = sole_request();
  ASSERT_GE(layers, 5u);
  double end = r.arrival_s;
  for (std::size_t k = 0; k < layers; ++k) end += latency[k];
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    double next_arrival;
    bool admits_equal;
    bool alone;  // run_sole() would run every layer
  };
  for (const Case c : {Case{end_of_layer_2, true, false}, Case{end_of_layer_2, false, false},
                       Case{r.arrival_s, true, false}, Case{inf, false, true},
                       Case{end, true, true}, Case{end, false, true}}) {
    SCOPED_TRACE(std::to_string(c.next_arrival) + " " + std::to_string(c.admits_equal));
    Parts pa = parts(set, "dysta"), pb = parts(set, "dysta");
    Scheduler a(set, *pa.policy, pa.traits, *pa.predictor);
    Scheduler b(set, *pb.policy, pb.traits, *pb.predictor);
    ASSERT_TRUE(a.can_run_alone());
    const double end_a = a.run_alone(r, r.arrival_s, latency, c.next_arrival, c.admits_equal);
    b.admit(r, r.arrival_s);
    const double end_b = b.run_sole(r.arrival_s, latency, sparsity, c.next_arrival, c.admits_equal);
    if (!c.alone) {
      EXPECT_TRUE(std::isnan(end_a));
      EXPECT_EQ(a.stats().admitted, 0u);
      EXPECT_EQ(a.stats().layers_executed, 0u);
      EXPECT_EQ(a.ready(), 0u);
      EXPECT_EQ(b.ready(), 1u);
      continue;
    }
    EXPECT_EQ(end_a, end);
    EXPECT_EQ(end_a, end_b);
    EXPECT_EQ(a.ready(), 0u);
    EXPECT_EQ(a.stats().admitted, b.stats().admitted);
    EXPECT_EQ(a.stats().requests, 1u);
    EXPECT_EQ(a.stats().decisions, b.stats().decisions);
    EXPECT_EQ(a.stats().layers_executed, layers);
    EXPECT_EQ(a.stats().max_ready, b.stats().max_ready);
    EXPECT_EQ(a.stats().first_arrival_s, b.stats().first_arrival_s);
    EXPECT_EQ(a.stats().last_finish_s, b.stats().last_finish_s);
    ASSERT_EQ(a.finished().size(), 1u);
    ASSERT_EQ(b.finished().size(), 1u);
    EXPECT_EQ(a.finished()[0].task, b.finished()[0].task);
    EXPECT_EQ(a.finished()[0].first_start_s, b.finished()[0].first_start_s);
    EXPECT_EQ(a.finished()[0].finish_s, b.finished()[0].finish_s);
    // The next admission continues the same numbering and arrival-order check.
    const Request r2 = req(end + 1, 0, 0);
    EXPECT_EQ(a.admit(r2, end + 1), b.admit(r2, end + 1));
    EXPECT_THROW(a.run_alone(r, end + 1, latency, inf, true), std::logic_error);  // one is ready
  }
}

// run_alone() is there only for stateless scans and memoryless indexes (fcfs's heap, prema's
// token index) when nothing watches layers, admissions or decisions, and it checks the request as
// admit() does.
TEST(Scheduler, RunAloneOnlyWhereNothingWatches) {
  const ProfileSet set = tiny_set();
  const double latency[] = {1.0, 2.0};
  const double inf = std::numeric_limits<double>::infinity();
  Parts fcfs = parts(set, "fcfs");
  EXPECT_TRUE(Scheduler(set, *fcfs.policy, fcfs.traits, *fcfs.predictor).can_run_alone());
  SchedulerOptions scan;
  scan.keyed_fast_path = false;  // fcfs's select() with no index: not known to be stateless
  Scheduler f(set, *fcfs.policy, fcfs.traits, *fcfs.predictor, scan);
  EXPECT_FALSE(f.can_run_alone());
  EXPECT_THROW(f.run_alone(req(0, 0), 0, latency, inf, true), std::logic_error);
  Parts prema = parts(set, "prema");
  EXPECT_TRUE(Scheduler(set, *prema.policy, prema.traits, *prema.predictor).can_run_alone());
  SchedulerOptions prema_scan;
  prema_scan.keyed_fast_path = false;  // select() keeps the last decision time
  EXPECT_FALSE(
      Scheduler(set, *prema.policy, prema.traits, *prema.predictor, prema_scan).can_run_alone());
  Parts dysta = parts(set, "dysta");
  LayerLog log;
  SchedulerOptions with_log;
  with_log.observers = {&log};
  EXPECT_FALSE(
      Scheduler(set, *dysta.policy, dysta.traits, *dysta.predictor, with_log).can_run_alone());
  SchedulerOptions with_drop;
  with_drop.drop = DropRule::estimated;
  EXPECT_FALSE(
      Scheduler(set, *dysta.policy, dysta.traits, *dysta.predictor, with_drop).can_run_alone());
  Scheduler d(set, *dysta.policy, dysta.traits, *dysta.predictor);
  ASSERT_TRUE(d.can_run_alone());
  EXPECT_THROW(d.run_alone(req(2, 0), 1, latency, inf, true), std::invalid_argument);  // future
  EXPECT_THROW(d.run_alone(req(0, 7), 0, latency, inf, true), std::invalid_argument);  // variant
  EXPECT_EQ(d.run_alone(req(1, 0), 1, latency, inf, true), 4.0);
  EXPECT_THROW(d.run_alone(req(0.5, 0), 4, latency, inf, true), InputError);  // arrival order
  EXPECT_EQ(d.stats().admitted, 1u);
}

// Property: for every policy, both semantics and several random streams, the hand-driven
// Scheduler takes exactly the decisions of simulate(): identical finish and start times (bit for
// bit), completion order, counters and idle time.
TEST(Scheduler, DrivenByHandEqualsSimulate) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  for (const char* sub : {"sanger", "eyerissv2"}) {
    const ProfileSet set = load_profiles(dir.path() / sub, {});
    for (Semantics sem : {Semantics::corrected, Semantics::reference}) {
      for (std::uint64_t seed : {1, 2, 3}) {
        // Seed 3 at a light load: most layers run as a sole ready task (Scheduler::run_sole()).
        StreamSpec spec;
        spec.rate_per_s = std::string(sub) == "sanger" ? 90 : 30;
        if (seed == 3) spec.rate_per_s /= 6;
        spec.num_requests = 150;
        spec.slo_multiplier = 5;
        PyRandom rng(seed);
        const auto reqs = generate_poisson_stream(set, spec, rng, sem);
        for (const PolicyInfo* info : policy_registry().all()) {
          SCOPED_TRACE(std::string(sub) + " " + to_string(sem) + " " + info->name);
          Parts p = parts(set, info->name, sem);
          const RunResult sim =
              simulate(set, reqs, *p.policy, p.traits, *p.predictor, sem, nullptr);
          const RunResult hand = drive_by_hand(set, reqs, info->name, sem);
          EXPECT_EQ(hand.finish_s, sim.finish_s);
          EXPECT_EQ(hand.first_start_s, sim.first_start_s);
          EXPECT_EQ(hand.finish_order, sim.finish_order);
          EXPECT_EQ(hand.decisions, sim.decisions);
          EXPECT_EQ(hand.layers_executed, sim.layers_executed);
          EXPECT_EQ(hand.max_ready, sim.max_ready);
          EXPECT_EQ(hand.clock_rollbacks, sim.clock_rollbacks);
          EXPECT_EQ(hand.idle_s, sim.idle_s);
        }
      }
    }
  }
}

}  // namespace
}  // namespace dysta
