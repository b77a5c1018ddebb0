// Policy::scores() (policy.h): every built-in policy except dysta_hw (which reports after select())
// reports the number it ranks
// each candidate by, taken right before select(); select() must then pick the best score by the
// declared order and documented tie-break (score_rules.h), and scores() must change nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "dysta/policy.h"
#include "policies/score_rules.h"
#include "test_util.h"

namespace dysta {
namespace {

const char* const kScored[] = {"fcfs",         "sjf",         "sjf_sparse",   "prema",
                               "prema_sparse", "planaria",    "sdrm3",        "sdrm3_sparse",
                               "dysta",        "dysta_naive", "dysta_oracle", "edf",
                               "llf",          "llf_sparse",  "dysta_seconds"};

ScoreOrder expected_order(const std::string& name) {
  return name == "planaria" || name.starts_with("sdrm3") ? ScoreOrder::largest_wins
                                                         : ScoreOrder::smallest_wins;
}

std::vector<double> scores_of(const Policy& policy, test::Decision& d, double now) {
  std::vector<double> out(d.tasks.size(), std::numeric_limits<double>::quiet_NaN());
  EXPECT_TRUE(policy.scores(DecisionContext{now, d.tasks, d.state}, out));
  return out;
}

// Calls scores() then select() on the same decision, as an observer would, and checks that the
// choice is the best score, that scores() left the state alone and is repeatable.
std::vector<double> check_decision(Policy& policy, const std::string& name, Semantics semantics,
                                   test::Decision& d, double now) {
  std::vector<double> tokens;
  for (const auto& s : d.state) tokens.push_back(s.token);
  const std::vector<double> scores = scores_of(policy, d, now);
  for (std::size_t i = 0; i < d.state.size(); ++i) EXPECT_EQ(d.state[i].token, tokens[i]);
  const std::vector<double> again = scores_of(policy, d, now);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    EXPECT_FALSE(std::isnan(scores[i])) << i;
    if (!std::isnan(scores[i])) {
      EXPECT_EQ(scores[i], again[i]) << i;
    }
  }
  const std::size_t chosen = d.select(policy, now);
  EXPECT_EQ(chosen, test::best_by_scores(name, semantics, policy.score_order(), scores, d.tasks))
      << name << " " << to_string(semantics) << " now " << now << " ready " << d.tasks.size();
  return scores;
}

TEST(PolicyScores, EveryPolicyDeclaresItsScore) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    for (const std::string name : kScored) {
      SCOPED_TRACE(name);
      auto policy = make_policy(name, {}, sem);
      EXPECT_EQ(policy->score_order(), expected_order(name));
      EXPECT_NE(std::string(policy->score_meaning()), "");
      const std::string wins =
          expected_order(name) == ScoreOrder::largest_wins ? "largest wins" : "smallest wins";
      EXPECT_NE(std::string(policy->score_meaning()).find(wins), std::string::npos);
    }
  }
  EXPECT_STREQ(score_order_name(ScoreOrder::smallest_wins), "min");
  EXPECT_STREQ(score_order_name(ScoreOrder::largest_wins), "max");
}

// dysta_hw's score lives inside the stateful hardware model (src/policies/dysta_hw.cpp): none
// before select(); after it the scoring pass's scores (none before bind()).
TEST(PolicyScores, DystaHwScoresOnlyAfterSelect) {
  auto policy = make_policy("dysta_hw", {}, Semantics::corrected);
  test::Decision d({TaskView{}});
  std::vector<double> out(1, 7.0);
  EXPECT_FALSE(policy->scores(DecisionContext{0, d.tasks, d.state}, out));
  EXPECT_FALSE(policy->scores_after_select(DecisionContext{0, d.tasks, d.state}, out));
  EXPECT_EQ(policy->score_order(), ScoreOrder::smallest_wins);
  EXPECT_NE(std::string(policy->score_meaning()).find("after select()"), std::string::npos);
}

// Keyed policies: the score is the heap key.
TEST(PolicyScores, KeyedPoliciesScoreTheirKey) {
  for (const char* name : {"fcfs", "sjf", "sjf_sparse"}) {
    auto policy = make_policy(name, {}, Semantics::corrected);
    ASSERT_TRUE(policy->keyed());
    test::Decision d({{.arrival_s = 1, .est_remaining_s = 3, .gamma = 0.5},
                      {.arrival_s = 2, .est_remaining_s = 1, .gamma = 4}});
    const auto s = scores_of(*policy, d, 5);
    for (std::size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i], policy->key(d.tasks[i])) << name;
  }
}

TaskView prema_task(double arrival, int priority, double rest, double last_exec, double gamma,
                    double iso) {
  return {.arrival_s = arrival,
          .deadline_s = arrival + 100,
          .last_exec_s = last_exec,
          .est_remaining_s = rest,
          .est_next_layer_s = 1,
          .est_isolated_s = iso,
          .gamma = gamma,
          .priority = priority};
}

// prema, corrected, first decision at now 2 (previous decision time 0):
//   task 0: p 3, token 2, idle 2 - max(0, 0) = 2, IsoE 4 -> token 2 + 3 x 2 / 4 = 3.5
//   task 1: p 1, token 1, idle 2 - 0.5 = 1.5, IsoE 4 -> token 1 + 1 x 1.5 / 4 = 1.375
// max token 3.5 -> threshold 3 -> task 0 qualifies (score = Rest 2), task 1 does not (+inf),
// although it is shorter. select() then stores exactly the tokens the scores assumed.
TEST(PolicyScores, PremaHandComputed) {
  auto policy = make_policy("prema", {}, Semantics::corrected);
  test::Decision d({prema_task(0, 3, 2, 0, 1, 4), prema_task(0.5, 1, 1, 0.5, 1, 4)});
  d.state[0].token = 2;
  d.state[1].token = 1;
  const auto s = check_decision(*policy, "prema", Semantics::corrected, d, 2);
  EXPECT_EQ(s[0], 2.0);
  EXPECT_EQ(s[1], std::numeric_limits<double>::infinity());
  EXPECT_EQ(d.state[0].token, 3.5);
  EXPECT_EQ(d.state[1].token, 1.375);
  // Next decision at 3: corrected credits 3 - max(last_exec, 2) = 1: tokens 3.5 + 3/4 = 4.25,
  // 1.375 + 1/4 = 1.625 -> threshold 3 again: task 0 only.
  const auto s2 = check_decision(*policy, "prema", Semantics::corrected, d, 3);
  EXPECT_EQ(s2[0], 2.0);
  EXPECT_EQ(s2[1], std::numeric_limits<double>::infinity());
  EXPECT_EQ(d.state[0].token, 4.25);
  EXPECT_EQ(d.state[1].token, 1.625);
}

// prema_sparse, reference (Q3, Q4): tokens 1, now 0 (no idle time, tokens stay 1; a new task
// gets its priority 1 but is left out of the maximum) -> threshold 1, all candidates; the
// estimate uses the LAST task's gamma 4: Rest [2, 3, 1] -> [8, 12, 4] -> task 2.
TEST(PolicyScores, PremaSparseReferenceUsesLastGamma) {
  auto policy = make_policy("prema_sparse", {}, Semantics::reference);
  test::Decision d({prema_task(0, 1, 2, 0, 1.0, 4), prema_task(0, 1, 3, 0, 0.5, 4),
                    prema_task(0, 1, 1, 0, 4.0, 4)});
  d.state[0].token = 1;
  d.state[1].token = 1;  // state[2] is new (-1)
  const auto s = check_decision(*policy, "prema_sparse", Semantics::reference, d, 0);
  EXPECT_EQ(s, (std::vector<double>{8, 12, 4}));
  EXPECT_EQ(d.state[2].token, 1.0);
}

TaskView dysta_task(double deadline, double rest, double last_exec, double iso, double gamma) {
  return {.deadline_s = deadline,
          .last_exec_s = last_exec,
          .est_remaining_s = rest,
          .est_isolated_s = iso,
          .real_remaining_s = 2 * rest,
          .real_isolated_s = 2 * iso,
          .gamma = gamma};
}

// beta 0.5, now 4, N 2 (all values dyadic, so the sums are exact):
//   dysta, task 0: R = 0.5 x 4 = 2, slack 6 -> U 4, P = (4 - 2) / 8 / 2 = 0.125
//                  -> 2 + 0.5 x 4.125 = 4.0625
//          task 1: R = 1 x 3 = 3, slack 1 -> U 0 (clamped), P = 4 / 2 / 2 = 1 -> 3 + 0.5 = 3.5
//   dysta_naive ignores gamma: task 0 R 4 -> U 2 -> 4 + 0.5 x 2.125 = 5.0625; task 1 3.5
//   dysta_oracle, true latencies twice the estimates: task 0 R 8 (U 0), P 2 / 16 / 2 = 0.0625
//                  -> 8.03125; task 1 R 6, P 4 / 4 / 2 = 0.5 -> 6.25
TEST(PolicyScores, DystaHandComputed) {
  const ParamValues beta{{"beta", 0.5}};
  struct Case {
    const char* name;
    std::vector<double> scores;
  };
  for (const Case& c : {Case{"dysta", {4.0625, 3.5}}, Case{"dysta_naive", {5.0625, 3.5}},
                        Case{"dysta_oracle", {8.03125, 6.25}}}) {
    for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
      auto policy = make_policy(c.name, beta, sem);
      test::Decision d({dysta_task(10, 4, 2, 8, 0.5), dysta_task(5, 3, 0, 2, 1)});
      EXPECT_EQ(check_decision(*policy, c.name, sem, d, 4), c.scores) << c.name;
    }
  }
}

// Planaria: priority / slack, largest wins. now 0, deadlines [2, 4, 8], priorities [1, 2, 1]:
// [0.5, 0.5, 0.125]; corrected breaks the tie by the earlier deadline (task 0).
TEST(PolicyScores, PlanariaHandComputed) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("planaria", {}, sem);
    test::Decision d({{.arrival_s = -3, .deadline_s = 2, .priority = 1},
                      {.arrival_s = -2, .deadline_s = 4, .priority = 2},
                      {.arrival_s = -1, .deadline_s = 8, .priority = 1}});
    EXPECT_EQ(check_decision(*policy, "planaria", sem, d, 0),
              (std::vector<double>{0.5, 0.5, 0.125}));
  }
  // All overdue: scores [-0.2, -0.5, -1]; reference's -1 incumbent takes the last task (Q5).
  test::Decision late({{.arrival_s = 0, .deadline_s = 5, .priority = 1},
                       {.arrival_s = 1, .deadline_s = 8, .priority = 1},
                       {.arrival_s = 2, .deadline_s = 9, .priority = 1}});
  auto ref = make_policy("planaria", {}, Semantics::reference);
  EXPECT_EQ(check_decision(*ref, "planaria", Semantics::reference, late, 10),
            (std::vector<double>{-0.2, -0.5, -1}));
  EXPECT_EQ(late.select(*ref, 10), 2u);
}

// SDRM3: MapScore = min(1, R / slack) + alpha x idle / head. now 4, alpha 1:
//   task 0: R 2, slack 8 -> U 0.25; idle 4 - 2 = 2, head 1 -> F 2 -> 2.25
//   task 1: R 2, slack 1 -> U 1 (clamped); idle 0 -> 1
TEST(PolicyScores, Sdrm3HandComputed) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    auto policy = make_policy("sdrm3", {}, sem);
    test::Decision d(
        {{.deadline_s = 12, .last_exec_s = 2, .est_remaining_s = 2, .est_next_layer_s = 1},
         {.deadline_s = 5, .last_exec_s = 4, .est_remaining_s = 2, .est_next_layer_s = 1}});
    EXPECT_EQ(check_decision(*policy, "sdrm3", sem, d, 4), (std::vector<double>{2.25, 1}));
  }
}

// Random decisions, including ties (values from small grids), overdue tasks, new tasks and long
// sequences of decisions on the same tasks (PREMA's tokens accumulate). Ready counts cover the
// scalar tails and the two-task SIMD paths.
TEST(PolicyScores, SelectPicksTheBestScoreOnRandomDecisions) {
  std::mt19937_64 rng(20240611);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  const int priorities[] = {1, 3, 9};
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    for (const std::string name : kScored) {
      SCOPED_TRACE(name);
      for (int trial = 0; trial < 60; ++trial) {
        auto policy = make_policy(name, {}, sem);
        const bool grid = trial % 2 == 0;  // coarse values: many exact ties
        auto value = [&](double lo, double hi) {
          return grid ? lo + static_cast<double>(pick(4)) * (hi - lo) / 4 : uniform(lo, hi);
        };
        const std::size_t ready = 1 + pick(trial < 30 ? 6 : 70);
        double now = value(0, 4);
        std::vector<TaskView> tasks;
        double arrival = 0;
        for (std::size_t i = 0; i < ready; ++i) {
          if (!grid || pick(2) == 0) arrival += value(0, 0.5);
          TaskView t;
          t.arrival_s = arrival;
          t.request = static_cast<std::uint32_t>(i);
          t.deadline_s = arrival + value(0.25, 6);  // some overdue at later decisions
          t.last_exec_s = arrival + value(0, 1);
          t.est_remaining_s = value(0.25, 3);
          t.est_next_layer_s = pick(10) == 0 ? 0.0 : value(0.125, 1);
          t.est_isolated_s = t.est_remaining_s + value(0.25, 2);
          t.real_remaining_s = value(0.25, 3);
          t.real_isolated_s = t.real_remaining_s + value(0.25, 2);
          t.gamma = value(0.5, 2);
          t.priority = priorities[pick(3)];
          tasks.push_back(t);
        }
        test::Decision d(tasks);
        for (auto& s : d.state) s.token = pick(3) == 0 ? -1.0 : value(0.5, 10);
        for (int step = 0; step < 8; ++step) {
          for (const auto& t : d.tasks) now = std::max(now, t.last_exec_s);
          if (step > 0) now += value(0, 2);
          for (auto& t : d.tasks) {  // a zero next-layer estimate needs idle time (no 0 / 0)
            if (t.est_next_layer_s == 0 && t.last_exec_s == now) t.last_exec_s = now - 0.5;
          }
          check_decision(*policy, name, sem, d, now);
          if (::testing::Test::HasFailure()) return;
        }
      }
    }
  }
}

}  // namespace
}  // namespace dysta
