// Planaria in the reference semantics chooses through its index (Policy::make_index(),
// src/policies/planaria.cpp): property tests that the index chooses exactly what the "-1
// incumbent" scan (select(), quirk Q5) chooses on random sequences of admissions, decisions and
// completions, with exact ties (equal deadlines, equal arrivals, equal scores across priority
// levels, deadlines one ulp apart), zero slack (+inf scores), all-overdue queues, a clock that
// goes back while tasks are ready, and irregular values (priority <= 0, infinite and NaN
// deadlines, huge clocks) where the index scans. Counters check that every kind of state occurred.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "dysta/policy.h"
#include "index_harness.h"

namespace dysta {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Deterministic picks (no std::*_distribution: project rule).
class Picker {
 public:
  explicit Picker(std::uint64_t seed) : rng_(seed) {}
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <typename T>
  T from(const std::vector<T>& pool) {
    return pool[below(pool.size())];
  }

 private:
  std::mt19937_64 rng_;
};

enum class Mode { engine, rollback, extreme };

struct Coverage {
  int decisions = 0;
  int all_negative = 0;           // every score < 0
  int all_negative_tied = 0;      // ... and the last two admitted tasks score the same
  int tied_max = 0;               // >= 2 tasks share the largest non-negative score
  int tied_max_arrivals = 0;      // ... with different arrivals
  int tied_max_same_arrival = 0;  // ... two of them with the same arrival
  int infinite = 0;               // the largest score is +inf (zero slack)
};

double score(const TaskView& t, double now) {
  return t.priority / (t.deadline_s - now);
}

void count(const std::vector<TaskView>& ready, double now, Coverage& c) {
  ++c.decisions;
  double top = -1;
  bool any = false;
  for (const TaskView& t : ready) {
    const double s = score(t, now);
    if (s >= 0 && (!any || s > top)) {
      top = s;
      any = true;
    }
  }
  if (!any) {
    ++c.all_negative;
    if (ready.size() >= 2 &&
        score(ready[ready.size() - 1], now) == score(ready[ready.size() - 2], now)) {
      ++c.all_negative_tied;
    }
    return;
  }
  if (top == kInf) ++c.infinite;
  std::vector<double> arrivals;
  for (const TaskView& t : ready) {
    if (score(t, now) == top) arrivals.push_back(t.arrival_s);
  }
  if (arrivals.size() < 2) return;
  ++c.tied_max;
  bool same = false, different = false;
  for (std::size_t i = 1; i < arrivals.size(); ++i) {
    (arrivals[i] == arrivals[0] ? same : different) = true;
  }
  if (same) ++c.tied_max_same_arrival;
  if (different) ++c.tied_max_arrivals;
}

// One random run; returns the number of decisions where the index and the scan differ.
int compare_run(Mode mode, std::uint64_t seed, Coverage& coverage,
                Semantics semantics = Semantics::reference) {
  Picker pick(seed);
  auto policy = make_policy("planaria", {}, semantics);
  auto index = policy->make_index();
  EXPECT_NE(index, nullptr);
  if (!index) return 1;
  test::ReadyTasks tasks;
  const std::vector<TaskView>& ready = tasks.views;  // admission order
  const std::vector<std::uint32_t>& slot_of = tasks.slots;
  const std::vector<double> slacks = {-1.0, 0.0, 0.0, 0.5, 1.0, 2.0, 4.0, 0.3, 0.1};
  const std::vector<int> priorities =
      mode == Mode::extreme ? std::vector<int>{1, 2, 4, 0, -1} : std::vector<int>{1, 2, 4};
  const std::vector<double> extreme_deadlines = {kInf, -kInf, std::nan(""), 1e308, -1e308};
  double now = 0;
  int mismatches = 0;
  for (int step = 0; step < 3000; ++step) {
    // Phases: grow the queue, then drain it (all-overdue queues appear while it drains).
    const std::size_t target = (step / 250) % 2 == 0 ? 60 : 4;
    const unsigned admit_percent = ready.size() < target ? 60 : 8;
    while (pick.chance(admit_percent) || ready.empty()) {
      TaskView t;
      t.arrival_s = pick.chance(30) ? now : now - pick.from(std::vector<double>{0.0, 0.25, 1.0});
      if (mode != Mode::rollback && !ready.empty() && t.arrival_s < ready.back().arrival_s) {
        t.arrival_s = ready.back().arrival_s;  // the Scheduler admits in arrival order
      }
      t.priority = pick.from(priorities);
      if (!ready.empty() && pick.chance(20)) {
        // An earlier task's deadline, or one ulp later (slacks that may round to one score).
        const TaskView& other = ready[pick.below(ready.size())];
        t.deadline_s = other.deadline_s;
        if (pick.chance(50)) t.deadline_s = std::nextafter(t.deadline_s, kInf);
      } else {
        t.deadline_s = now + pick.from(slacks) * t.priority;  // equal scores across levels
      }
      if (mode == Mode::extreme && pick.chance(3)) t.deadline_s = pick.from(extreme_deadlines);
      t.last_exec_s = t.arrival_s;
      tasks.admit(t, *index);
      if (pick.chance(50)) break;
    }
    count(ready, now, coverage);
    const std::size_t scan = policy->select(tasks.context(now));
    const std::uint32_t chosen_slot = index->best(now);
    if (slot_of[scan] != chosen_slot) {
      ++mismatches;
      if (mismatches <= 3) {
        ADD_FAILURE() << "seed " << seed << " step " << step << " ready " << ready.size() << " now "
                      << now << ": scan chose slot " << slot_of[scan] << ", index " << chosen_slot;
      }
    }
    // The chosen task runs a layer (its deadline and priority do not change) or finishes.
    const std::uint32_t run_slot = slot_of[scan];
    if (pick.chance(35)) {
      tasks.finish(scan, *index);
    } else {
      tasks.views[scan].last_exec_s = now;
      index->update_best(run_slot, tasks.views[scan]);
    }
    if (mode == Mode::rollback && pick.chance(4)) {
      now -= pick.from(std::vector<double>{0.25, 1.0, 3.0});
    } else {
      now += pick.from(std::vector<double>{0.0, 0.0, 0.05, 0.1, 0.25, 1.0});
    }
    if (mode == Mode::extreme && pick.chance(2)) now = pick.chance(50) ? 1e308 : now;
    if (mode == Mode::extreme && now > 1e300 && pick.chance(20)) now = 0;
  }
  return mismatches;
}

TEST(PlanariaReferenceIndex, SameChoiceAsTheScanOnRandomStates) {
  Coverage coverage;
  for (Mode mode : {Mode::engine, Mode::rollback, Mode::extreme}) {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      EXPECT_EQ(compare_run(mode, seed, coverage), 0)
          << "mode " << static_cast<int>(mode) << " seed " << seed;
    }
  }
  EXPECT_EQ(coverage.decisions, 3 * 6 * 3000);
  // Every kind of state the rule distinguishes occurred (counts are from these fixed seeds).
  EXPECT_GT(coverage.all_negative, 500);
  EXPECT_GT(coverage.all_negative_tied, 50);
  EXPECT_GT(coverage.tied_max, 500);
  EXPECT_GT(coverage.tied_max_arrivals, 100);
  EXPECT_GT(coverage.tied_max_same_arrival, 100);
  EXPECT_GT(coverage.infinite, 100);
}

// The corrected semantics' index (deadline heaps per level from 8 ready tasks, the scan over a
// compact copy below 4) on the states the engine produces (arrivals in order, a clock that never
// goes back, regular values).
TEST(PlanariaCorrectedIndex, SameChoiceAsTheScanOnRandomStates) {
  Coverage coverage;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    EXPECT_EQ(compare_run(Mode::engine, seed, coverage, Semantics::corrected), 0) << seed;
  }
  EXPECT_GT(coverage.tied_max, 200);
}

// Hand-computed cases at now = 10 (tasks in admission order).
TEST(PlanariaReferenceIndex, HandComputedChoices) {
  struct Case {
    std::vector<TaskView> tasks;
    std::uint32_t expected;  // slot = position
  };
  auto task = [](double arrival, double deadline, int priority) {
    TaskView t;
    t.arrival_s = arrival;
    t.deadline_s = deadline;
    t.priority = priority;
    return t;
  };
  const std::vector<Case> cases = {
      // scores [0.5, 0.5 (priority 2, slack 4), 0.25]: equal scores, the earlier arrival.
      {{task(0, 12, 1), task(1, 14, 2), task(2, 14, 1)}, 0},
      // the same with equal arrivals: the later admitted of the tied tasks.
      {{task(1, 12, 1), task(1, 14, 2), task(2, 14, 1)}, 1},
      // zero slack: +inf wins over any finite score.
      {{task(0, 10.5, 4), task(1, 10, 1), task(2, 11, 1)}, 1},
      // all overdue, scores [-0.2, -0.5, -1]: the last admitted.
      {{task(0, 5, 1), task(1, 8, 1), task(2, 9, 1)}, 2},
      // all overdue, scores [-0.5, -0.5]: the incumbent arrived strictly earlier and stays.
      {{task(0, 8, 1), task(1, 8, 1)}, 0},
      // all overdue, scores [-1, -0.5, -0.5] with equal arrivals: the last admitted.
      {{task(0, 9, 1), task(1, 8, 1), task(1, 8, 1)}, 2},
      // all overdue, [-0.5 (arrival 0), -0.5 (arrival 1), -0.5 (arrival 1)]: task 0 is kept.
      {{task(0, 8, 1), task(1, 8, 1), task(1, 8, 1)}, 0},
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    auto index = make_policy("planaria", {}, Semantics::reference)->make_index();
    ASSERT_NE(index, nullptr);
    for (std::uint32_t i = 0; i < cases[c].tasks.size(); ++i) {
      TaskView t = cases[c].tasks[i];
      t.request = i;
      index->insert(i, t);
    }
    EXPECT_EQ(index->best(10), cases[c].expected) << "case " << c;
  }
}

}  // namespace
}  // namespace dysta
