// BoundIndex (src/policies/bound_index.h), the Dysta family's sub-linear selection, chooses
// exactly what the policies' full scan (select()) chooses: property tests on random sequences of
// admissions, decisions, executed layers and completions, with ties (values drawn from small
// pools), extreme values (0, -0, denormals, 1e300, +-inf, NaN), clock standstill and rollback, and
// the hysteresis between the scan and heap modes.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dysta/policy.h"
#include "index_harness.h"
#include "policies/dysta_rule.h"

namespace dysta {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The (R, isolated) of each Dysta policy (src/policies/dysta*.cpp).
struct GammaRest {
  double operator()(const TaskView& t) const { return t.gamma * t.est_remaining_s; }
};
struct Rest {
  double operator()(const TaskView& t) const { return t.est_remaining_s; }
};
struct EstIso {
  double operator()(const TaskView& t) const { return t.est_isolated_s; }
};
struct RealRest {
  double operator()(const TaskView& t) const { return t.real_remaining_s; }
};
struct RealIso {
  double operator()(const TaskView& t) const { return t.real_isolated_s; }
};
struct One {
  double operator()(const TaskView&) const { return 1.0; }
};

template <typename R, typename I>
std::unique_ptr<TaskIndex> index_for(double beta, R r, I i, std::size_t large_from,
                                     std::size_t small_below) {
  return std::make_unique<detail::BoundIndex<detail::DystaBoundRule<R, I>>>(
      detail::DystaBoundRule<R, I>{beta, r, i}, large_from, small_below);
}
std::unique_ptr<TaskIndex> index_for(const std::string& name, double beta, std::size_t large_from,
                                     std::size_t small_below) {
  if (name == "dysta") return index_for(beta, GammaRest{}, EstIso{}, large_from, small_below);
  if (name == "dysta_naive") return index_for(beta, Rest{}, EstIso{}, large_from, small_below);
  if (name == "dysta_oracle")
    return index_for(beta, RealRest{}, RealIso{}, large_from, small_below);
  return index_for(beta, GammaRest{}, One{}, large_from, small_below);  // dysta_seconds
}

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
  std::vector<double> rest, iso, gamma, slack;
};

// Few distinct values: many exact ties of bounds and of scores.
const Pools kTies = {{0.5, 1.0, 1.0, 2.0}, {1.0, 2.0}, {1.0}, {-1.0, 0.0, 5.0}};
// Spread values: rare ties, wide magnitudes.
const Pools kSpread = {{1e-6, 1e-3, 0.01, 0.02, 0.3, 0.7, 1.5, 4.0, 33.0, 250.0},
                       {1e-3, 0.01, 0.5, 1.0, 3.0, 80.0},
                       {0.25, 0.5, 0.9, 1.0, 1.1, 2.0},
                       {-50.0, -1.0, -1e-3, 0.0, 1e-3, 0.2, 1.0, 7.0, 100.0}};
// Extremes, including values that make scores NaN or infinite and irregular divisors.
const Pools kExtreme = {{0.0, -0.0, 5e-324, 1e-300, 1.0, 1e300, kInf, kNaN},
                        {0.0, 5e-324, 1.0, 1e300, kInf, kNaN, -0.0, -1.0},
                        {0.0, 1.0, 1e-300, 1e300, kInf},
                        {-kInf, -1e300, 0.0, 1.0, 1e300, kInf}};

// One random run: admissions, decisions (index vs scan), layers and completions. Returns the
// number of decisions compared.
int compare_run(const std::string& name, double beta, const Pools& pools, std::uint64_t seed,
                std::size_t large_from, std::size_t small_below, bool rollback, bool extremes) {
  Picker pick(seed);
  auto policy = make_policy(name, {{"beta", beta}}, Semantics::corrected);
  auto index = index_for(name, beta, large_from, small_below);
  test::ReadyTasks ready;
  double now = 0;
  int compared = 0;
  auto random_view = [&](TaskView& t) {
    t.est_remaining_s = pick.from(pools.rest);
    t.real_remaining_s = pick.from(pools.rest);
    t.gamma = pick.from(pools.gamma);
  };
  for (int step = 0; step < 1500; ++step) {
    // Admissions: bursts grow the queue past large_from, completions shrink it again.
    const std::size_t target = (step / 300) % 2 == 0 ? 3 * large_from + 8 : small_below / 2;
    const unsigned admit_percent = ready.size() < target ? 70 : 10;
    while (pick.chance(admit_percent) || ready.empty()) {
      TaskView t;
      t.arrival_s = now;
      t.deadline_s = now + pick.from(pools.slack);
      t.last_exec_s = now;
      random_view(t);
      t.est_isolated_s = pick.from(pools.iso);
      t.real_isolated_s = pick.from(pools.iso);
      ready.admit(t, *index);
      if (pick.chance(50)) break;
    }
    // Decision at `now`.
    const std::size_t scan = policy->select(ready.context(now));
    const std::uint32_t chosen_slot = index->best(now);
    const std::size_t chosen = ready.position(chosen_slot);
    EXPECT_EQ(chosen, scan) << name << " beta " << beta << " seed " << seed << " step " << step
                            << " ready " << ready.size() << " now " << now;
    if (chosen != scan) return compared;
    ++compared;
    // The chosen task runs one layer; the clock moves on (sometimes not at all: equal idle times),
    // or, rarely, back (the reference semantics' rollback happens only when nothing is ready,
    // but the index must stay exact even if a caller's clock does).
    const double step_s = pick.from({0.0, 1e-3, 0.01, 0.05, 0.2});
    if (rollback && pick.chance(3)) {
      now -= 0.3;
    } else {
      now += step_s;
    }
    if (extremes && pick.chance(2)) now = pick.chance(50) ? 1e300 : now;
    TaskView& t = ready.views[scan];
    if (pick.chance(15)) {
      ready.finish(scan, *index);
    } else {
      t.last_exec_s = now;
      random_view(t);
      index->update_best(chosen_slot, t);
    }
    if (ready.empty()) now += 1.0;
  }
  return compared;
}

TEST(BoundIndex, SameChoiceAsTheScanOnRandomStates) {
  int compared = 0;
  for (const char* name : {"dysta", "dysta_naive", "dysta_oracle", "dysta_seconds"}) {
    for (double beta : {0.01, 0.0, 1.0, 1000.0}) {
      for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        // Tree mode from the start, hysteresis around small queues, and the default thresholds.
        compared += compare_run(name, beta, kTies, seed, 0, 0, false, false);
        compared += compare_run(name, beta, kSpread, seed, 0, 0, false, false);
        compared += compare_run(name, beta, kSpread, seed, 6, 3, true, false);
        compared += compare_run(name, beta, kTies, seed, 128, 64, false, false);
        compared += compare_run(name, beta, kExtreme, seed, 0, 0, false, true);
        compared += compare_run(name, beta, kExtreme, seed, 6, 3, true, true);
      }
    }
  }
  EXPECT_EQ(compared, 4 * 4 * 3 * 6 * 1500);
}

// The tree mode skips tasks: with spread bounds and a long queue most tasks are never scored.
TEST(BoundIndex, TreeModeScoresFewTasks) {
  using Rule = detail::DystaBoundRule<GammaRest, EstIso>;
  detail::BoundIndex<Rule> index(Rule{0.01, {}, {}}, 128, 64);
  Picker pick(7);
  for (std::uint32_t i = 0; i < 2000; ++i) {
    TaskView t;
    t.deadline_s = 1.0;
    t.est_remaining_s = 0.001 * static_cast<double>(1 + pick.below(100000));
    t.est_isolated_s = 1.0;
    t.request = i;
    index.insert(i, t);
  }
  for (int d = 0; d < 100; ++d) {
    const std::uint32_t slot = index.best(2.0);
    index.erase_best(slot);
  }
  EXPECT_EQ(index.stats().decisions, 100u);
  EXPECT_LT(index.stats().scored, 100u * 20);  // a full scan would score ~1950 per decision
}

// Negative or NaN beta: R is no lower bound, so no index (the scan decides).
TEST(BoundIndex, NoIndexWithoutANonNegativeBeta) {
  EXPECT_NE(make_policy("dysta_seconds", {{"beta", 0.0}}, Semantics::corrected)->make_index(),
            nullptr);
  EXPECT_EQ(make_policy("dysta_seconds", {{"beta", -0.5}}, Semantics::corrected)->make_index(),
            nullptr);
  EXPECT_EQ(detail::make_dysta_index(kNaN, GammaRest{}, EstIso{}), nullptr);
}

}  // namespace
}  // namespace dysta
