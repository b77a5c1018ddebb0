// PREMA and PREMA-sparse (spec C.3, quirks Q3, Q4).
// Token update: a new task (token < 0) gets token = p; otherwise token += p x W / D with
// D = IsoE (prema) or gamma x IsoE (prema_sparse). Threshold = 9 if maxTok >= 9, 3 if >= 3,
// else 1; candidates have token >= threshold; the smallest (gamma x) Rest wins, ties first.
#include <gtest/gtest.h>

#include <vector>

#include "dysta/policy.h"
#include "test_util.h"

namespace dysta {
namespace {

TaskView task(double arrival, int priority, double rest, double last_exec, double gamma = 1.0) {
  return {.arrival_s = arrival,
          .deadline_s = arrival + 100,
          .last_exec_s = last_exec,
          .est_remaining_s = rest,
          .est_next_layer_s = 1,
          .est_isolated_s = 4,
          .gamma = gamma,
          .priority = priority};
}

// Three new tasks, priorities [1, 9, 3], Rest [3, 2, 1]. Tokens become [1, 9, 3] either way.
// reference: new tasks do not enter maxTok, so maxTok = 0 -> threshold 1 -> all candidates ->
// shortest Rest = task 2. corrected: maxTok = 9 -> threshold 9 -> only task 1.
TEST(Prema, NewTaskTokenInitAndMaxToken) {
  auto ref = make_policy("prema", {}, Semantics::reference);
  test::Decision d({task(0, 1, 3, 0), task(0.1, 9, 2, 0.1), task(0.2, 3, 1, 0.2)});
  EXPECT_EQ(d.select(*ref, 0.2), 2u);
  EXPECT_EQ(d.state[0].token, 1);
  EXPECT_EQ(d.state[1].token, 9);
  EXPECT_EQ(d.state[2].token, 3);

  auto cor = make_policy("prema", {}, Semantics::corrected);
  test::Decision d2({task(0, 1, 3, 0), task(0.1, 9, 2, 0.1), task(0.2, 3, 1, 0.2)});
  EXPECT_EQ(d2.select(*cor, 0.2), 1u);
}

// Tokens preset, no idle time (last_exec = now), so tokens are unchanged by the update.
std::size_t select_with_tokens(Semantics sem, const std::vector<double>& tokens,
                               const std::vector<double>& rest) {
  auto policy = make_policy("prema", {}, sem);
  std::vector<TaskView> tasks;
  for (std::size_t i = 0; i < rest.size(); ++i) tasks.push_back(task(i, 1, rest[i], 5.0));
  test::Decision d(tasks);
  for (std::size_t i = 0; i < tokens.size(); ++i) d.state[i].token = tokens[i];
  return d.select(*policy, 5.0);
}

TEST(Prema, ThresholdLevels) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    // maxTok 8 -> threshold 3 -> candidates {0, 1} -> Rest 1 -> task 1 (task 2 is shorter but
    // its token 1 < 3).
    EXPECT_EQ(select_with_tokens(sem, {8.0, 3.0, 1.0}, {5, 1, 0.5}), 1u);
    // maxTok 9 -> threshold 9 -> only task 0.
    EXPECT_EQ(select_with_tokens(sem, {9.0, 8.0, 3.0}, {5, 1, 0.5}), 0u);
    // maxTok 2.9 -> threshold 1 -> candidates {0, 1} (token 0.5 < 1) -> task 1.
    EXPECT_EQ(select_with_tokens(sem, {2.9, 1.0, 0.5}, {5, 2, 1}), 1u);
  }
}

// A token exactly equal to the threshold qualifies (>=): maxTok = 3.0 -> threshold 3 -> only
// task 1 (token 3.0), although tasks 0 and 2 are shorter.
TEST(Prema, ThresholdComparisonIsGreaterOrEqual) {
  EXPECT_EQ(select_with_tokens(Semantics::reference, {2.9, 3.0, 1.0}, {1, 5, 0.5}), 1u);
  EXPECT_EQ(select_with_tokens(Semantics::corrected, {2.9, 3.0, 1.0}, {1, 5, 0.5}), 1u);
}

// All candidates, Rest [2, 1, 1] -> the first of the tied tasks (1).
TEST(Prema, TieGoesToFirstCandidate) {
  EXPECT_EQ(select_with_tokens(Semantics::reference, {3, 3, 3}, {2, 1, 1}), 1u);
}

// Q4: p = 3, IsoE = 4, last run at 0. reference adds the whole idle time at every decision:
// now 2: 1 + 3 x 2 / 4 = 2.5; again at 2: 4.0; at 3: 4.0 + 3 x 3 / 4 = 6.25.
// corrected adds only the time since the previous decision: 2.5, 2.5, then 2.5 + 3 x 1 / 4 = 3.25.
TEST(Prema, TokenGrowth) {
  auto ref = make_policy("prema", {}, Semantics::reference);
  test::Decision d({task(0, 3, 2, 0)});
  d.state[0].token = 1;
  d.select(*ref, 2);
  EXPECT_EQ(d.state[0].token, 2.5);
  d.select(*ref, 2);
  EXPECT_EQ(d.state[0].token, 4.0);
  d.select(*ref, 3);
  EXPECT_EQ(d.state[0].token, 6.25);

  auto cor = make_policy("prema", {}, Semantics::corrected);
  test::Decision c({task(0, 3, 2, 0)});
  c.state[0].token = 1;
  c.select(*cor, 2);
  EXPECT_EQ(c.state[0].token, 2.5);
  c.select(*cor, 2);
  EXPECT_EQ(c.state[0].token, 2.5);
  c.select(*cor, 3);
  EXPECT_EQ(c.state[0].token, 3.25);
}

// prema_sparse divides the idle time by gamma x IsoE: p = 1, W = 2, IsoE = 4, gamma = 0.5 ->
// + 2 / 2 = 1; prema adds 2 / 4 = 0.5.
TEST(Prema, SparseTokenUsesGammaScaledIsolatedTime) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto sparse = make_policy("prema_sparse", {}, sem);
    test::Decision d({task(0, 1, 2, 0, 0.5)});
    d.state[0].token = 1;
    d.select(*sparse, 2);
    EXPECT_EQ(d.state[0].token, 2.0);
    auto plain = make_policy("prema", {}, sem);
    test::Decision p({task(0, 1, 2, 0, 0.5)});
    p.state[0].token = 1;
    p.select(*plain, 2);
    EXPECT_EQ(p.state[0].token, 1.5);
  }
}

// Q3: all tokens 1 (threshold 1, all candidates), Rest [2, 3, 1], gamma [1, 0.5, 4].
// reference multiplies every Rest by the LAST task's gamma (4): [8, 12, 4] -> task 2.
// corrected uses each task's own gamma: [2, 1.5, 4] -> task 1. prema ignores gamma -> task 2.
TEST(Prema, SparseCandidateGammaQ3) {
  auto make = [] {
    test::Decision d({task(0, 1, 2, 0, 1.0), task(1, 1, 3, 0, 0.5), task(2, 1, 1, 0, 4.0)});
    for (auto& s : d.state) s.token = 1;
    return d;
  };
  auto ref = make_policy("prema_sparse", {}, Semantics::reference);
  auto cor = make_policy("prema_sparse", {}, Semantics::corrected);
  auto plain = make_policy("prema", {}, Semantics::corrected);
  auto d1 = make();
  EXPECT_EQ(d1.select(*ref, 0), 2u);
  auto d2 = make();
  EXPECT_EQ(d2.select(*cor, 0), 1u);
  auto d3 = make();
  EXPECT_EQ(d3.select(*plain, 0), 2u);
}

}  // namespace
}  // namespace dysta
