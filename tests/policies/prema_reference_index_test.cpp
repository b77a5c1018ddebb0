// prema / prema_sparse in the reference semantics choose through PremaReferenceIndex
// (src/policies/prema_reference_index.h): property tests that it chooses exactly what the scan
// (Prema::select(), spec C.3 with quirks Q2-Q4) chooses, decision by decision, on random runs of
// admissions, decisions, executed layers and completions: tokens that land exactly on 3 and 9
// (binary-fraction times and latencies), newly admitted tasks (out of the maximum), equal
// estimates, prema_sparse's gamma_last products that tie where estimates differ (Q3), clock
// standstill and rollback (Q2), irregular values; the runs check that these cases occur. A mutant
// of each stop rule fails the same tests.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "dysta/policy.h"
#include "index_harness.h"
#include "policies/prema_reference_index.h"

namespace dysta {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using Mutant = detail::PremaReferenceIndex::Mutant;

// Deterministic picks (no std::*_distribution: project rule).
class Picker {
 public:
  explicit Picker(std::uint64_t seed) : rng_(seed) {}
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  bool chance(unsigned percent) { return below(1000) < 10 * percent; }
  bool permille(unsigned p) { return below(1000) < p; }
  template <typename T>
  T from(const std::vector<T>& pool) {
    return pool[below(pool.size())];
  }

 private:
  std::mt19937_64 rng_;
};

struct Pools {
  std::vector<int> priority;
  std::vector<double> rest, isolated, gamma, step;
};
const double kOne = 1.0, kOneUp = std::nextafter(1.0, 2.0), kOneUp2 = std::nextafter(kOneUp, 2.0);
// Binary fractions only: tokens land exactly on 3 and 9, estimates tie exactly.
const Pools kExact = {
    {1, 3, 9}, {0.5, 1.0, 2.0}, {0.25, 0.5, 1.0, 2.0}, {1.0, 0.5, 2.0}, {0.0, 0.125, 0.25, 0.5}};
// Adjacent estimates whose gamma_last products round to one value (Q3).
const Pools kProductTies = {{1, 3, 9},
                            {kOne, kOneUp, kOneUp2, 1.0 + 1e-15, 2.0, std::nextafter(2.0, 3.0)},
                            {0.25, 0.5, 1.0},
                            {1e-310, 0.3, 0.7, 0.1, 1.0},
                            {0.0, 0.05, 0.1, 0.25}};
// Spread values: rare ties, wide magnitudes.
const Pools kSpread = {{1, 3, 9},
                       {1e-6, 1e-3, 0.01, 0.3, 0.7, 1.5, 4.0, 33.0},
                       {1e-3, 0.01, 0.3, 0.7, 1.5, 4.0, 33.0},
                       {0.25, 0.5, 0.9, 1.0, 1.1, 2.0},
                       {0.0, 1e-3, 0.01, 0.05, 0.2}};
// Irregular values: priorities not > 0, D not positive and finite, NaN estimates and gammas.
const Pools kExtreme = {{1, 3, 9, 0, -1},
                        {0.0, -0.0, 5e-324, 1.0, 1e300, kInf, -kInf, kNaN},
                        {0.0, -1.0, 5e-324, 1e-300, 1.0, 1e300, kInf, kNaN},
                        {0.0, -1.0, 1e-300, 1.0, 1e300, kInf, kNaN},
                        {0.0, 1e-3, 0.05, 0.2}};

struct RunSpec {
  Pools pools;
  std::size_t large_from = 0;  // ready tasks from which the index leaves the dense scan
  bool rollback = false;       // the clock goes back with tasks waiting (Q2)
  bool extremes = false;       // decisions at 1e300 and NaN
  int steps = 1500;
  std::size_t queue = 40;  // the ready queue oscillates between about 2 and 2 x queue + 8
};

struct Outcome {
  int compared = 0;
  int mismatches = 0;
  int exact_threshold = 0;  // decisions where a token grows to exactly 3 or 9
  int new_candidate = 0;    // candidates initialised in their decision
  int product_ties = 0;     // decisions whose smallest product ties between different estimates
};

// One random run: the scan (Prema::select(), reference) and the index side by side.
Outcome compare_run(bool sparse, Mutant mutant, const RunSpec& spec, std::uint64_t seed,
                    bool stop_at_first_mismatch) {
  const char* name = sparse ? "prema_sparse" : "prema";
  Picker pick(seed);
  auto policy = make_policy(name, {}, Semantics::reference);
  detail::PremaReferenceIndex index(sparse, make_policy(name, {}, Semantics::reference),
                                    spec.large_from, mutant);
  const Pools& pools = spec.pools;
  test::ReadyTasks tasks;
  std::vector<TaskView>& ready = tasks.views;          // arrival order
  std::vector<PolicyTaskState>& state = tasks.states;  // ready[i]'s token
  double now = 0;
  Outcome out;
  auto random_view = [&](TaskView& t) {
    t.est_remaining_s = pick.from(pools.rest);
    t.est_isolated_s = pick.from(pools.isolated);
    t.gamma = pick.from(pools.gamma);
  };
  for (int step = 0; step < spec.steps; ++step) {
    const std::size_t target = (step / 300) % 2 == 0 ? 2 * spec.queue + 8 : 2;
    const unsigned admit_percent = ready.size() < target ? 60 : 5;
    while (pick.chance(admit_percent) || ready.empty()) {
      TaskView t;
      t.arrival_s = now;
      t.last_exec_s = now;
      random_view(t);
      t.priority = pick.from(pools.priority);
      tasks.admit(t, index);
      if (pick.chance(50)) break;
    }
    double decision_now = now;
    if (spec.extremes && pick.permille(5)) decision_now = pick.chance(50) ? 1e300 : kNaN;
    std::vector<double> before(ready.size());
    for (std::size_t i = 0; i < ready.size(); ++i) before[i] = state[i].token;
    const std::size_t scan = policy->select(tasks.context(decision_now));
    const std::size_t chosen = tasks.position(index.best(decision_now));
    ++out.compared;
    if (chosen != scan) {
      ++out.mismatches;
      if (stop_at_first_mismatch) {
        ADD_FAILURE() << name << " seed " << seed << " step " << step << " ready " << ready.size()
                      << " now " << decision_now << ": index " << chosen << ", scan " << scan;
        return out;
      }
    }
    // What the decision exercised (from the scan's tokens after its accrual).
    double max_token = 0;
    bool exact = false;
    for (std::size_t i = 0; i < ready.size(); ++i) {
      if (before[i] < 0) continue;  // initialised in this decision: out of the maximum
      max_token = std::max(max_token, state[i].token);
      const double t = state[i].token;
      exact = exact || ((t == 3 || t == 9) && before[i] < t);  // reached exactly by accrual
    }
    out.exact_threshold += exact;
    const double threshold = max_token >= 9 ? 9 : (max_token >= 3 ? 3 : 1);
    const double last_gamma = ready.back().gamma;
    double min_e = kInf;
    for (std::size_t i = 0; i < ready.size(); ++i) {
      if (!(state[i].token >= threshold)) continue;
      out.new_candidate += before[i] < 0;
      min_e = std::min(min_e,
                       sparse ? last_gamma * ready[i].est_remaining_s : ready[i].est_remaining_s);
    }
    double tied_rest = kNaN;
    bool product_tie = false;
    for (std::size_t i = 0; sparse && i < ready.size(); ++i) {
      if (!(state[i].token >= threshold) || last_gamma * ready[i].est_remaining_s != min_e) {
        continue;
      }
      if (std::isnan(tied_rest)) tied_rest = ready[i].est_remaining_s;
      product_tie = product_tie || ready[i].est_remaining_s != tied_rest;
    }
    out.product_ties += product_tie;

    // The scan's choice runs one layer (so both go on from the same state).
    if (spec.rollback && pick.chance(3)) {
      now -= 0.3;
    } else {
      now += pick.from(pools.step);
    }
    const std::uint32_t run_slot = tasks.slots[scan];
    if (pick.chance(15)) {
      tasks.finish(scan, index);
    } else {
      TaskView& t = ready[scan];
      t.last_exec_s = now;
      random_view(t);
      index.update_best(run_slot, t);
    }
    if (ready.empty()) now += spec.rollback && pick.chance(50) ? -1.0 : 1.0;
  }
  return out;
}

// Every kind of run for one pool: index from the first task, hysteresis around a small dense
// phase with clock rollback, the default threshold (128) with a long queue.
std::vector<RunSpec> runs_for(const Pools& pools, bool extremes) {
  std::vector<RunSpec> runs;
  RunSpec r;
  r.pools = pools;
  r.extremes = extremes;
  runs.push_back(r);
  r.large_from = 6;
  r.rollback = true;
  runs.push_back(r);
  r.large_from = 128;
  r.rollback = false;
  r.queue = 100;
  runs.push_back(r);
  return runs;
}

TEST(PremaReferenceIndex, SameChoiceAsTheScanOnRandomRuns) {
  int compared = 0;
  Outcome total;
  Outcome sparse_ties;
  for (bool sparse : {false, true}) {
    for (const Pools* pools : {&kExact, &kProductTies, &kSpread, &kExtreme}) {
      for (const RunSpec& spec : runs_for(*pools, pools == &kExtreme)) {
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
          const Outcome o = compare_run(sparse, Mutant::none, spec, seed, true);
          EXPECT_EQ(o.mismatches, 0);
          compared += o.compared;
          total.exact_threshold += pools == &kExact ? o.exact_threshold : 0;
          total.new_candidate += o.new_candidate;
          sparse_ties.product_ties += sparse ? o.product_ties : 0;
        }
      }
    }
  }
  EXPECT_EQ(compared, 2 * 4 * 3 * 3 * 1500);
  // The cases the index must get right occurred.
  EXPECT_GT(total.exact_threshold, 1000);
  EXPECT_GT(total.new_candidate, 100);
  EXPECT_GT(sparse_ties.product_ties, 100);
}

// Long runs with a queue of several hundred tasks in a steady overload-like regime.
TEST(PremaReferenceIndex, SameChoiceAsTheScanOnLongRuns) {
  for (bool sparse : {false, true}) {
    for (const Pools* pools : {&kExact, &kSpread}) {
      RunSpec spec;
      spec.pools = *pools;
      spec.steps = 12000;
      spec.queue = 250;
      spec.large_from = 128;
      const Outcome o = compare_run(sparse, Mutant::none, spec, 7, true);
      EXPECT_EQ(o.mismatches, 0);
      EXPECT_EQ(o.compared, 12000);
    }
  }
}

// Each deliberately wrong stop rule is caught by the same runs.
int mutant_mismatches(bool sparse, Mutant mutant, const Pools& pools, bool rollback) {
  int mismatches = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    RunSpec spec;
    spec.pools = pools;
    spec.rollback = rollback;
    mismatches += compare_run(sparse, mutant, spec, seed, false).mismatches;
  }
  return mismatches;
}
TEST(PremaReferenceIndex, StickingBelowNineFailsTheProperty) {
  EXPECT_GT(mutant_mismatches(false, Mutant::sticky_at_3, kExact, false), 0);
  EXPECT_GT(mutant_mismatches(true, Mutant::sticky_at_3, kSpread, false), 0);
}
TEST(PremaReferenceIndex, FirstEstimateOnlyFailsOnProductTies) {
  EXPECT_GT(mutant_mismatches(true, Mutant::first_estimate, kProductTies, false), 0);
  EXPECT_EQ(mutant_mismatches(false, Mutant::first_estimate, kProductTies, false), 0);
}
TEST(PremaReferenceIndex, NewTasksInTheMaximumFailTheProperty) {
  EXPECT_GT(mutant_mismatches(false, Mutant::new_in_maximum, kExact, false), 0);
}
TEST(PremaReferenceIndex, IgnoringClockRollbackFailsTheProperty) {
  EXPECT_GT(mutant_mismatches(false, Mutant::no_clock_check, kExact, true), 0);
  EXPECT_EQ(mutant_mismatches(false, Mutant::no_clock_check, kExact, false), 0);
}

// Hand-computed decisions (index from the first task; D = isolated estimate; prema_sparse:
// D = gamma x isolated).
struct Hand {
  explicit Hand(bool sparse)
      : index(sparse, make_policy(sparse ? "prema_sparse" : "prema", {}, Semantics::reference), 0) {
  }
  void admit(double now, int priority, double rest, double isolated, double gamma = 1.0) {
    TaskView t;
    t.arrival_s = t.last_exec_s = now;
    t.priority = priority;
    t.est_remaining_s = rest;
    t.est_isolated_s = isolated;
    t.gamma = gamma;
    t.request = next;
    views.push_back(t);
    index.insert(next++, t);
  }
  detail::PremaReferenceIndex index;
  std::vector<TaskView> views;
  std::uint32_t next = 0;
};

TEST(PremaReferenceIndex, HandComputedTokensAndThresholds) {
  Hand h(false);
  h.admit(0, 1, 5.0, 1.0);  // r0
  h.admit(0, 3, 2.0, 1.0);  // r1
  // t = 0: both initialised (1 and 3), neither enters the maximum: threshold 1, r1 (Rest 2).
  EXPECT_EQ(h.index.best(0), 1u);
  h.views[1].last_exec_s = 1;
  h.index.update_best(1, h.views[1]);
  h.admit(1, 9, 1.0, 1.0);  // r2, new at t = 1: token 9, out of the maximum
  // t = 1: r0 = 1 + 1 x 1 = 2, r1 = 3 + 0 = 3: maximum 3, threshold 3: candidates r1 (Rest 2) and
  // r2 (token 9, Rest 1): r2.
  EXPECT_EQ(h.index.best(1), 2u);
  h.views[2].last_exec_s = 1.5;
  h.index.update_best(2, h.views[2]);
  // t = 1.5: r0 = 2 + 1.5 = 3.5, r1 = 3 + 3 x 0.5 = 4.5, r2 = 9 (exactly): threshold 9, r2.
  EXPECT_EQ(h.index.best(1.5), 2u);
  h.index.erase_best(2);
  // t = 2: r0 = 3.5 + 2 = 5.5, r1 = 4.5 + 3 x 1 = 7.5: threshold 3, both candidates, r1 (Rest 2).
  EXPECT_EQ(h.index.best(2), 1u);
  h.index.erase_best(1);
  // t = 2.5 (whole idle time 2.5 again, Q4): r0 = 5.5 + 2.5 = 8: threshold 3, r0.
  EXPECT_EQ(h.index.best(2.5), 0u);
}

TEST(PremaReferenceIndex, HandComputedProductTie) {
  // gamma_last = 1e-310 (subnormal products): Rest 1 and 1 + 2^-52 give the same product, so the
  // earlier arrival wins although its Rest is larger (Q3: the scan's strict "shortest > e").
  Hand h(true);
  h.admit(0, 1, kOneUp, 1.0, 1.0);  // r0: larger Rest, earlier
  h.admit(0, 1, kOne, 1.0, 1.0);    // r1: smaller Rest
  h.admit(0, 1, 2.0, 1.0, 1e-310);  // r2: gamma_last
  ASSERT_EQ(1e-310 * kOne, 1e-310 * kOneUp);
  ASSERT_LT(1e-310 * kOne, 1e-310 * 2.0);
  EXPECT_EQ(h.index.best(0), 0u);
  // Without the tie (gamma_last = 1) the smaller Rest wins.
  Hand g(true);
  g.admit(0, 1, kOneUp, 1.0, 1.0);
  g.admit(0, 1, kOne, 1.0, 1.0);
  g.admit(0, 1, 2.0, 1.0, 1.0);
  EXPECT_EQ(g.index.best(0), 1u);
}

}  // namespace
}  // namespace dysta
