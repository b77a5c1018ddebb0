// Offline bounds (dysta/bound.h): hand-worked cases, brute force over subsets with preemptive EDF
// (exact minimum), brute force over layer-granular schedules (the relaxation is a lower bound),
// and every policy's run staying at or above the bounds.
#include "dysta/bound.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "dysta/experiment.h"
#include "dysta/policy.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

// Deterministic generator for test instances (splitmix64; no std::*_distribution).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
};

// Independent check: do all `jobs` meet their deadlines under preemptive EDF? Event-driven.
bool edf_meets_all(const std::vector<BoundJob>& jobs) {
  const std::size_t n = jobs.size();
  std::vector<double> left(n);
  for (std::size_t i = 0; i < n; ++i) left[i] = jobs[i].processing_s;
  double t = 0;
  std::size_t done = 0;
  while (done < n) {
    std::size_t best = n;
    double next_release = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
      if (left[i] <= 0) continue;
      if (jobs[i].release_s <= t) {
        if (best == n || jobs[i].deadline_s < jobs[best].deadline_s) best = i;
      } else {
        next_release = std::min(next_release, jobs[i].release_s);
      }
    }
    if (best == n) {
      t = next_release;
      continue;
    }
    const double run = std::min(left[best], next_release - t);
    t += run;
    left[best] -= run;
    if (left[best] <= 1e-12) {
      left[best] = 0;
      ++done;
      if (t > jobs[best].deadline_s + 1e-9) return false;
    }
  }
  return true;
}

std::size_t brute_force_min_late(const std::vector<BoundJob>& jobs) {
  const std::size_t n = jobs.size();
  std::size_t best = 0;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    const auto size = static_cast<std::size_t>(__builtin_popcount(mask));
    if (size <= best) continue;
    std::vector<BoundJob> subset;
    for (std::size_t i = 0; i < n; ++i) {
      if (mask & (1u << i)) subset.push_back(jobs[i]);
    }
    if (edf_meets_all(subset)) best = size;
  }
  return n - best;
}

// Integer data (exact in doubles): releases 0..9, processing 1..4, slack 0..6 beyond it.
std::vector<BoundJob> random_jobs(Rng& rng, std::size_t n) {
  std::vector<BoundJob> jobs;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = rng.below(10), p = 1 + rng.below(4);
    jobs.push_back({r, p, r + p + rng.below(7)});
  }
  return jobs;
}

// A (r 0, p 2, d 2), B (0, 2, 3), C (1, 1, 2): {A, C} needs 3 units by 2, {A, B} 4 by 3; {B, C}
// fits (B 0-1, C 1-2, B 2-3). Minimum 1 late job; one busy period [0, 5).
TEST(Bound, HandWorkedMinLate) {
  const std::vector<BoundJob> jobs = {{0, 2, 2}, {0, 2, 3}, {1, 1, 2}};
  const LateJobsBound b = min_late_jobs(jobs);
  EXPECT_EQ(b.min_late, 1u);
  EXPECT_TRUE(b.exact);
  EXPECT_EQ(b.busy_periods, 1u);
  EXPECT_EQ(b.largest_period, 3u);
  // Two busy periods: the same three jobs, and a copy shifted to 10 -> 2 late, 2 periods.
  std::vector<BoundJob> twice = jobs;
  for (const auto& j : jobs) twice.push_back({j.release_s + 10, j.processing_s, j.deadline_s + 10});
  const LateJobsBound b2 = min_late_jobs(twice);
  EXPECT_EQ(b2.min_late, 2u);
  EXPECT_EQ(b2.busy_periods, 2u);
}

// ANTT bound by hand: A (r 0, p 2), B (r 1, p 1). Smallest p first: A 0-1, B 1-2, A 2-3.
// M_A = (0.5 x 1 + 2.5 x 1) / 2 = 1.5, M_B = 1.5. Terms: A (1.5 + 1 - 0) / 2 = 1.25,
// B (1.5 + 0.5 - 1) / 1 = 1 -> 1.125. The best schedule (B first at 1) reaches (3/2 + 1) / 2 =
// 1.25; FCFS (2/2 + 2/1) / 2 = 1.5.
TEST(Bound, HandWorkedAntt) {
  const std::vector<BoundJob> jobs = {{0, 2, 100}, {1, 1, 100}};
  EXPECT_DOUBLE_EQ(antt_lower_bound(jobs), 1.125);
  EXPECT_DOUBLE_EQ(antt_lower_bound(std::vector<BoundJob>{{3, 2, 5}}), 1.0);
}

// The exact minimum equals brute force over all subsets (a subset can be all on time iff
// preemptive EDF meets its deadlines), on 600 random instances of 1 to 8 jobs; the relaxation
// (no search budget) never exceeds it and equals it whenever it claims exactness.
TEST(Bound, MinLateMatchesBruteForceOverSubsets) {
  Rng rng{42};
  std::size_t with_late = 0;
  for (int trial = 0; trial < 600; ++trial) {
    const std::vector<BoundJob> jobs = random_jobs(rng, 1 + trial % 8);
    const std::size_t expected = brute_force_min_late(jobs);
    const LateJobsBound b = min_late_jobs(jobs);
    ASSERT_TRUE(b.exact);
    ASSERT_EQ(b.min_late, expected) << "trial " << trial;
    const LateJobsBound relaxed = min_late_jobs(jobs, {.node_limit = 0, .block_size = 3});
    ASSERT_LE(relaxed.min_late, expected) << "trial " << trial;
    ASSERT_GE(relaxed.upper, expected) << "trial " << trial;
    ASSERT_EQ(b.upper, expected);
    if (relaxed.exact) {
      ASSERT_EQ(relaxed.min_late, expected) << "trial " << trial;
    }
    with_late += expected > 0 ? 1 : 0;
  }
  EXPECT_GT(with_late, 100u);  // the instances are not trivially feasible
}

// The shared work budget (LateJobsOptions::work_limit): whatever point the searches stop at, the
// bound stays <= the brute-force minimum <= upper, and the stop is reported. 8 jobs, budgets from
// nothing to enough.
TEST(Bound, WorkLimitKeepsAValidBound) {
  Rng rng{11};
  std::size_t reached = 0, exact_anyway = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const std::vector<BoundJob> jobs = random_jobs(rng, 8);
    const std::size_t expected = brute_force_min_late(jobs);
    const LateJobsBound full = min_late_jobs(jobs);
    ASSERT_FALSE(full.work_limit_reached);
    ASSERT_GT(full.work, 0u);
    for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{40},
                              std::size_t{150}, full.work - 1, full.work}) {
      const LateJobsBound b = min_late_jobs(jobs, {.block_size = 3, .work_limit = limit});
      SCOPED_TRACE(::testing::Message() << "trial " << trial << " limit " << limit);
      ASSERT_LE(b.min_late, expected);
      ASSERT_GE(b.upper, expected);
      ASSERT_LE(b.work, limit);
      ASSERT_EQ(b.work_limit_reached, limit < full.work);
      if (b.exact) {
        ASSERT_EQ(b.min_late, expected);
      }
      if (!b.work_limit_reached) {
        ASSERT_EQ(b.min_late, full.min_late);
      }
      reached += b.work_limit_reached ? 1 : 0;
      exact_anyway += b.work_limit_reached && b.exact ? 1 : 0;
    }
  }
  EXPECT_GT(reached, 600u);
  EXPECT_GT(exact_anyway, 0u);  // the relaxation can still close the gap
}

// A stream of 60 jobs at 1.5x load in one busy period: within the budget the searches decide
// the same as without one; with a small budget the bound is below (or at) the full one, the
// feasible solution above (or at) it, and summary.json flags the stop (the key is absent
// otherwise, so summaries of runs within the budget keep their bytes).
TEST(Bound, WorkLimitOnABusyPeriodIsFlagged) {
  Rng rng{3};
  std::vector<BoundJob> jobs;
  double t = 0;
  for (int i = 0; i < 60; ++i) {
    const double p = 1 + rng.below(4);
    jobs.push_back({t, p, t + p + rng.below(12)});
    t += 1 + rng.below(2);  // mean gap 1.5, mean processing 2.5
  }
  const LateJobsBound full = min_late_jobs(jobs);
  ASSERT_EQ(full.busy_periods, 1u);
  ASSERT_FALSE(full.work_limit_reached);
  const LateJobsBound same = min_late_jobs(jobs, {.work_limit = full.work});
  EXPECT_EQ(same.min_late, full.min_late);
  EXPECT_EQ(same.upper, full.upper);
  EXPECT_EQ(same.exact, full.exact);
  const LateJobsBound cut = min_late_jobs(jobs, {.work_limit = full.work / 50});
  ASSERT_TRUE(cut.work_limit_reached);
  EXPECT_LE(cut.min_late, full.min_late);
  EXPECT_GE(cut.upper, full.upper);
  EXPECT_GT(cut.min_late, 0u);  // the relaxation still counts late jobs

  StreamBound sb;
  sb.requests = jobs.size();
  sb.late = full;
  EXPECT_FALSE(bound_json(sb).contains("search_work_limit_reached"));
  sb.late = cut;
  const nlohmann::json j = bound_json(sb);
  EXPECT_EQ(j.at("search_work_limit_reached"), true);
  EXPECT_EQ(j.at("search_work_limit"), cut.work);
}

// Layer-granular schedules: every order of the layers (each job's layers in sequence), each layer
// started as early as possible (optimal for a fixed order; idling allowed). The minimum late
// count and ANTT over all of them are >= the bounds.
struct LayerJob {
  double release;
  double deadline;
  std::vector<double> layers;
  double total() const {
    double s = 0;
    for (double l : layers) s += l;
    return s;
  }
};

void enumerate(const std::vector<LayerJob>& jobs, std::vector<std::size_t>& next_layer,
               std::vector<double>& finish, double t, std::size_t left, std::size_t& best_late,
               double& best_antt) {
  if (left == 0) {
    std::size_t late = 0;
    double antt = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (finish[i] > jobs[i].deadline + 1e-9) ++late;
      antt += (finish[i] - jobs[i].release) / jobs[i].total();
    }
    best_late = std::min(best_late, late);
    best_antt = std::min(best_antt, antt / static_cast<double>(jobs.size()));
    return;
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (next_layer[i] == jobs[i].layers.size()) continue;
    const double end = std::max(t, jobs[i].release) + jobs[i].layers[next_layer[i]];
    const double saved = finish[i];
    ++next_layer[i];
    finish[i] = end;
    enumerate(jobs, next_layer, finish, end, left - 1, best_late, best_antt);
    --next_layer[i];
    finish[i] = saved;
  }
}

TEST(Bound, LowerBoundsLayerGranularSchedules) {
  Rng rng{7};
  std::size_t strictly_lower = 0;
  for (int trial = 0; trial < 150; ++trial) {
    const std::size_t n = 2 + trial % 3;  // 2..4 jobs of 2 or 3 layers: <= 34650 orders
    std::vector<LayerJob> jobs;
    std::vector<BoundJob> relaxed;
    std::size_t layers = 0;
    for (std::size_t i = 0; i < n; ++i) {
      LayerJob j;
      j.release = rng.below(6);
      const std::size_t count = n == 4 ? 2 : 2 + static_cast<std::size_t>(rng.below(2));
      for (std::size_t l = 0; l < count; ++l) j.layers.push_back(1 + rng.below(3));
      j.deadline = j.release + j.total() + rng.below(6);
      layers += count;
      relaxed.push_back({j.release, j.total(), j.deadline});
      jobs.push_back(std::move(j));
    }
    std::vector<std::size_t> next(n, 0);
    std::vector<double> finish(n, 0);
    std::size_t best_late = n;
    double best_antt = std::numeric_limits<double>::infinity();
    enumerate(jobs, next, finish, 0, layers, best_late, best_antt);
    const LateJobsBound b = min_late_jobs(relaxed);
    ASSERT_LE(b.min_late, best_late) << "trial " << trial;
    ASSERT_LE(antt_lower_bound(relaxed), best_antt + 1e-12) << "trial " << trial;
    strictly_lower += b.min_late < best_late ? 1 : 0;
  }
  EXPECT_GT(strictly_lower, 0u);  // layer granularity does cost something on some instances
}

// Every policy (but dysta_hw), with and without dropping, on a loaded synthetic stream (corrected
// semantics): violations >= the bound's minimum and ANTT >= its ANTT bound.
TEST(Bound, EveryPolicyAtOrAboveTheBound) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  const ProfileSet set = load_profiles(dir.path() / "sanger", {});
  StreamSpec spec;
  spec.rate_per_s = 85;
  spec.num_requests = 400;
  spec.slo_multiplier = 3;
  PyRandom rng(5);
  const auto requests = generate_poisson_stream(set, spec, rng, Semantics::corrected);
  const StreamBound bound = stream_bound(set, requests);
  EXPECT_GT(bound.late.min_late, 0u);
  EXPECT_GE(bound.antt, 1.0);
  for (const PolicyInfo* info : policy_registry().all()) {
    // dysta_hw models a hardware scheduler whose timing needs layers longer than these.
    if (info->name == "dysta_hw") continue;
    for (DropRule drop : {DropRule::none, DropRule::estimated, DropRule::oracle}) {
      PolicyChoice choice;
      choice.drop = drop;
      const RunMetrics m = run_policy(set, requests, info->name, choice, Semantics::corrected);
      SCOPED_TRACE(info->name + " " + to_string(drop));
      EXPECT_GE(m.violations, bound.late.min_late);
      if (drop == DropRule::none) {
        EXPECT_GE(m.antt, bound.antt);
      }
    }
  }
}

}  // namespace
}  // namespace dysta
