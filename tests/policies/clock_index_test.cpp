// sdrm3 / sdrm3_sparse in both semantics choose through Sdrm3Index (src/policies/sdrm3_index.h),
// llf / llf_sparse (LaxityBoundRule, src/policies/laxity.h) through BoundIndex and corrected
// prema / prema_sparse through PremaIndex: property tests that each chooses exactly what the full
// scan (select()) chooses on random sequences of
// admissions, decisions, executed layers and completions, with exact ties (values from small
// pools), extreme values (0, -0, denormals, 1e300, +-inf, NaN) and clock standstill and rollback; a
// mutant of the stop rule (a subtree whose bound equals the best score is skipped) fails the same
// test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dysta/policy.h"
#include "index_harness.h"
#include "policies/laxity.h"
#include "policies/prema_index.h"
#include "policies/sdrm3_index.h"

namespace dysta {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Deterministic picks (no std::*_distribution: project rule).
class Picker {
 public:
  explicit Picker(std::uint64_t seed) : rng_(seed) {}
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  double from(const std::vector<double>& pool) { return pool[below(pool.size())]; }

 private:
  std::mt19937_64 rng_;
};

struct Pools {
  std::vector<double> rest, head, gamma, slack;
  std::vector<int> priority = {1, 3, 9};
};
// Few distinct values: many exact ties of MapScore (U = 1 after the deadline, equal F).
const Pools kTies = {{0.5, 1.0, 2.0}, {0.5, 1.0}, {1.0}, {-1.0, 0.0, 5.0}};
// Ties where the reference bound of a late task is its score: torun 0 gives U = -0.
const Pools kTiesZeroRest = {{0.0, 1.0}, {0.5, 1.0}, {1.0}, {-1.0, 0.0, 5.0}};
// Spread values: rare ties, wide magnitudes.
const Pools kSpread = {{1e-6, 1e-3, 0.01, 0.3, 0.7, 1.5, 4.0, 33.0},
                       {1e-4, 1e-3, 0.01, 0.02, 0.5, 1.0, 3.0},
                       {0.25, 0.5, 0.9, 1.0, 1.1, 2.0},
                       {-50.0, -1.0, -1e-3, 0.0, 1e-3, 0.2, 1.0, 7.0, 100.0}};
// Extremes, including heads that are not > 0 (irregular: the index scans) and NaN scores.
const Pools kExtreme = {{0.0, -0.0, 5e-324, 1e-300, 1.0, 1e300, kInf, kNaN},
                        {0.0, -0.0, 5e-324, 1e-300, 1.0, 1e300, kInf, kNaN, -1.0},
                        {0.0, 1.0, 1e-300, 1e300, kInf},
                        {-kInf, -1e300, 0.0, 1.0, 1e300, kInf},
                        {1, 3, 9, 0, -1}};

// The mutants: skip subtrees whose bound equals the best score (">=" instead of ">").
struct MutantLaxityRule : detail::LaxityBoundRule {
  double lower(const Agg& a, double now, double n) const {
    return std::nextafter(detail::LaxityBoundRule::lower(a, now, n), kInf);
  }
};

using IndexFactory = std::function<std::unique_ptr<TaskIndex>(std::size_t, std::size_t)>;
using PolicyFactory = std::function<std::unique_ptr<Policy>()>;
IndexFactory prema_index(bool sparse, double wake_scale) {
  return [=](std::size_t large_from, std::size_t) -> std::unique_ptr<TaskIndex> {
    return std::make_unique<detail::PremaIndex>(
        sparse, make_policy(sparse ? "prema_sparse" : "prema", {}, Semantics::corrected),
        large_from, wake_scale);
  };
}
// equal_bounds_visited = false: the mutant stop rule; near_list_checked = false: the mutant
// that reads pass 1's short list of buckets whatever the threshold.
IndexFactory sdrm3_index(double alpha, bool sparse, Semantics semantics,
                         bool equal_bounds_visited = true, bool near_list_checked = true) {
  return [=](std::size_t large_from, std::size_t small_below) -> std::unique_ptr<TaskIndex> {
    return std::make_unique<detail::Sdrm3Index>(alpha, sparse, semantics, large_from, small_below,
                                                equal_bounds_visited, near_list_checked);
  };
}
template <typename Rule>
IndexFactory laxity_index(bool sparse) {
  return [=](std::size_t large_from, std::size_t small_below) -> std::unique_ptr<TaskIndex> {
    Rule rule;
    rule.sparse = sparse;
    return std::make_unique<detail::BoundIndex<Rule>>(rule, large_from, small_below);
  };
}

struct Outcome {
  int compared = 0;
  int mismatches = 0;
};

// One random run: admissions, decisions (index vs scan), layers and completions.
Outcome compare_run(const PolicyFactory& make_policy_fn, const IndexFactory& make_index,
                    const Pools& pools, std::uint64_t seed, std::size_t large_from,
                    std::size_t small_below, bool rollback, bool extremes,
                    bool stop_at_first_mismatch) {
  Picker pick(seed);
  auto policy = make_policy_fn();  // fresh per run: PREMA's select() keeps the last decision time
  auto index = make_index(large_from, small_below);
  test::ReadyTasks ready;  // states: PREMA's tokens
  double now = 0;
  Outcome out;
  auto random_view = [&](TaskView& t) {
    t.est_remaining_s = pick.from(pools.rest);
    t.est_next_layer_s = pick.from(pools.head);
    t.gamma = pick.from(pools.gamma);
    t.est_isolated_s = pick.from(pools.rest);
  };
  for (int step = 0; step < 1500; ++step) {
    const std::size_t target = (step / 300) % 2 == 0 ? 3 * large_from + 8 : small_below / 2;
    const unsigned admit_percent = ready.size() < target ? 70 : 10;
    while (pick.chance(admit_percent) || ready.empty()) {
      TaskView t;
      t.arrival_s = now;
      t.deadline_s = now + pick.from(pools.slack);
      t.last_exec_s = now;
      random_view(t);
      t.priority = pools.priority[pick.below(pools.priority.size())];
      ready.admit(t, *index);
      if (pick.chance(50)) break;
    }
    const std::size_t scan = policy->select(ready.context(now));
    const std::uint32_t chosen_slot = index->best(now);
    const std::size_t chosen = ready.position(chosen_slot);
    ++out.compared;
    if (chosen != scan) {
      ++out.mismatches;
      if (stop_at_first_mismatch) {
        ADD_FAILURE() << "seed " << seed << " step " << step << " ready " << ready.size() << " now "
                      << now << ": index " << chosen << ", scan " << scan;
        return out;
      }
    }
    // The scan's choice runs one layer (so both go on from the same state).
    const double step_s = pick.from({0.0, 1e-3, 0.01, 0.05, 0.2});
    if (rollback && pick.chance(3)) {
      now -= 0.3;
    } else {
      now += step_s;
    }
    if (extremes && pick.chance(2)) now = pick.chance(50) ? 1e300 : now;
    const std::uint32_t run_slot = ready.slots[scan];  // best() changes nothing: any slot may run
    TaskView& t = ready.views[scan];
    if (pick.chance(15)) {
      ready.finish(scan, *index);
    } else {
      t.last_exec_s = now;
      random_view(t);
      index->update_best(run_slot, t);
    }
    if (ready.empty()) now += 1.0;
  }
  return out;
}

// Every kind of random run (tree mode from the start, hysteresis around small queues, the
// default thresholds, extremes) for one policy; returns the decisions compared.
int check_policy(const PolicyFactory& policy, const IndexFactory& make_index, std::uint64_t seed) {
  int compared = 0;
  int run = 0;
  for (const Outcome& o : {
           compare_run(policy, make_index, kTies, seed, 0, 0, false, false, true),
           compare_run(policy, make_index, kSpread, seed, 0, 0, false, false, true),
           compare_run(policy, make_index, kSpread, seed, 6, 3, true, false, true),
           compare_run(policy, make_index, kTies, seed, 128, 64, false, false, true),
           compare_run(policy, make_index, kExtreme, seed, 0, 0, false, true, true),
           compare_run(policy, make_index, kExtreme, seed, 6, 3, true, true, true),
       }) {
    EXPECT_EQ(o.mismatches, 0) << "run kind " << run;
    ++run;
    compared += o.compared;
  }
  return compared;
}

TEST(Sdrm3Index, SameChoiceAsTheScanOnRandomStates) {
  int compared = 0;
  for (Semantics semantics : {Semantics::corrected, Semantics::reference}) {
    for (bool sparse : {false, true}) {
      for (double alpha : {1.0, 0.0, 0.1, 1000.0}) {
        const PolicyFactory policy = [=] {
          return make_policy(sparse ? "sdrm3_sparse" : "sdrm3", {{"alpha", alpha}}, semantics);
        };
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
          SCOPED_TRACE(::testing::Message() << (sparse ? "sdrm3_sparse" : "sdrm3") << " alpha "
                                            << alpha << " " << to_string(semantics));
          compared += check_policy(policy, sdrm3_index(alpha, sparse, semantics), seed);
          const Outcome o = compare_run(policy, sdrm3_index(alpha, sparse, semantics),
                                        kTiesZeroRest, seed, 0, 0, false, false, true);
          EXPECT_EQ(o.mismatches, 0) << "zero torun";
          compared += o.compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 2 * 2 * 4 * 3 * 7 * 1500);
}

TEST(LaxityIndex, SameChoiceAsTheScanOnRandomStates) {
  int compared = 0;
  for (bool sparse : {false, true}) {
    for (Semantics semantics : {Semantics::corrected, Semantics::reference}) {
      const PolicyFactory policy = [=] {
        return make_policy(sparse ? "llf_sparse" : "llf", {}, semantics);
      };
      for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        SCOPED_TRACE(sparse ? "llf_sparse" : "llf");
        compared += check_policy(policy, laxity_index<detail::LaxityBoundRule>(sparse), seed);
      }
    }
  }
  EXPECT_EQ(compared, 2 * 2 * 4 * 6 * 1500);
}

// The same property tests catch a stop rule that skips subtrees whose bound ties the best score
// (an earlier arrival with an equal score is then missed).
TEST(Sdrm3Index, MutantStopRuleFailsTheProperty) {
  for (Semantics semantics : {Semantics::corrected, Semantics::reference}) {
    const PolicyFactory policy = [=] { return make_policy("sdrm3", {}, semantics); };
    int mismatches = 0;
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      mismatches += compare_run(policy, sdrm3_index(1.0, false, semantics, false),
                                semantics == Semantics::corrected ? kTies : kTiesZeroRest, seed, 0,
                                0, false, false, false)
                        .mismatches;
    }
    EXPECT_GT(mismatches, 0) << to_string(semantics);
  }
}
// ... and a best() that reads only the buckets listed near the largest bound, also when the best
// score found leaves room below that list.
TEST(Sdrm3Index, MutantNearListFailsTheProperty) {
  for (Semantics semantics : {Semantics::corrected, Semantics::reference}) {
    for (bool sparse : {false, true}) {
      const PolicyFactory policy = [=] {
        return make_policy(sparse ? "sdrm3_sparse" : "sdrm3", {}, semantics);
      };
      int mismatches = 0;
      for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        mismatches += compare_run(policy, sdrm3_index(1.0, sparse, semantics, true, false), kSpread,
                                  seed, 0, 0, false, false, false)
                          .mismatches;
      }
      EXPECT_GT(mismatches, 0) << to_string(semantics) << (sparse ? " sparse" : "");
    }
  }
}
TEST(LaxityIndex, MutantStopRuleFailsTheProperty) {
  const PolicyFactory policy = [] { return make_policy("llf", {}, Semantics::corrected); };
  int mismatches = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    mismatches += compare_run(policy, laxity_index<MutantLaxityRule>(false), kTies, seed, 0, 0,
                              false, false, false)
                      .mismatches;
  }
  EXPECT_GT(mismatches, 0);
}

TEST(PremaIndex, SameChoiceAsTheScanOnRandomStates) {
  int compared = 0;
  for (bool sparse : {false, true}) {
    const PolicyFactory policy = [=] {
      return make_policy(sparse ? "prema_sparse" : "prema", {}, Semantics::corrected);
    };
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE(sparse ? "prema_sparse" : "prema");
      compared += check_policy(policy, prema_index(sparse, 1.0), seed);
    }
  }
  EXPECT_EQ(compared, 2 * 4 * 6 * 1500);
}

// Wake times twice as late as the bound allows miss tokens reaching the next band.
TEST(PremaIndex, LateWakeMutantFailsTheProperty) {
  const PolicyFactory policy = [] { return make_policy("prema", {}, Semantics::corrected); };
  int mismatches = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    mismatches +=
        compare_run(policy, prema_index(false, 2.0), kSpread, seed, 0, 0, false, false, false)
            .mismatches;
  }
  EXPECT_GT(mismatches, 0);
}

// Both semantics have an index (the reference one: PremaReferenceIndex,
// tests/policies/prema_reference_index_test.cpp).
TEST(PremaIndex, BothSemantics) {
  for (const char* name : {"prema", "prema_sparse"}) {
    EXPECT_NE(make_policy(name, {}, Semantics::corrected)->make_index(), nullptr);
    EXPECT_NE(make_policy(name, {}, Semantics::reference)->make_index(), nullptr);
  }
}

// The index exists in both semantics.
TEST(Sdrm3Index, BothSemantics) {
  for (const char* name : {"sdrm3", "sdrm3_sparse"}) {
    EXPECT_NE(make_policy(name, {}, Semantics::corrected)->make_index(), nullptr);
    EXPECT_NE(make_policy(name, {}, Semantics::reference)->make_index(), nullptr);
  }
}

}  // namespace
}  // namespace dysta
