// The decision log (timeline.h, src/io/timeline.cpp): one row per candidate per decision, with
// the policy's score taken right before select() (PolicyScores::scores()) and which score wins.
#include <gtest/gtest.h>

#include <charconv>
#include <sstream>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/synthetic.h"
#include "dysta/timeline.h"
#include "policies/score_rules.h"
#include "test_util.h"

namespace dysta {
namespace {

struct Row {
  std::vector<std::string> cells;
};

// Decision log rows grouped by decision (cells split on ','; model names have none).
std::vector<std::vector<Row>> parse(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "decision,now_s,ready,chosen,request,model,priority,arrival_s,deadline_s,slack_s,"
            "layers_done,num_layers,est_remaining_s,gamma,est_next_layer_s,est_isolated_s,"
            "real_remaining_s,last_exec_s,token,score,score_wins");
  std::vector<std::vector<Row>> decisions;
  while (std::getline(in, line)) {
    Row row;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      row.cells.push_back(line.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    EXPECT_EQ(row.cells.size(), 21u) << line;
    const std::size_t d = std::stoul(row.cells[0]);
    if (d == decisions.size()) decisions.emplace_back();
    EXPECT_EQ(d + 1, decisions.size());
    decisions.back().push_back(std::move(row));
  }
  return decisions;
}

double number(const std::string& cell) {
  if (cell == "inf") return std::numeric_limits<double>::infinity();
  if (cell == "-inf") return -std::numeric_limits<double>::infinity();
  double v = 0;
  const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  EXPECT_TRUE(ec == std::errc() && ptr == cell.data() + cell.size()) << cell;
  return v;
}

class DecisionLogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    write_k1_synthetic_sets(dir_->path());
    set_ = new ProfileSet(load_profiles(dir_->path() / "sanger", {}));
  }
  static void TearDownTestSuite() {
    delete set_;
    delete dir_;
  }
  static std::vector<Request> requests(Semantics semantics, double rate) {
    StreamSpec spec;
    spec.rate_per_s = rate;
    spec.num_requests = 120;
    PyRandom rng(5);
    return generate_poisson_stream(*set_, spec, rng, semantics);
  }
  static test::TempDir* dir_;
  static ProfileSet* set_;
};
test::TempDir* DecisionLogTest::dir_ = nullptr;
ProfileSet* DecisionLogTest::set_ = nullptr;

// Every policy with scores: a score on every row, score_wins as declared, the chosen row is the
// best score by the documented rule (so the scores are those select() used: for PREMA the tokens
// after this decision's accrual, not after a second one), and the log does not change the run.
TEST_F(DecisionLogTest, EveryRowHasThePolicysScore) {
  for (Semantics sem : {Semantics::reference, Semantics::corrected}) {
    for (double rate : {40.0, 120.0}) {  // light load and overload (many ready tasks)
      const auto reqs = requests(sem, rate);
      for (const PolicyInfo* info : policy_registry().all()) {
        SCOPED_TRACE(info->name + " " + to_string(sem) + " rate " + std::to_string(rate));
        DecisionLog log(*set_);
        RunResult observed, plain;
        EngineObserver* observers[] = {&log};
        const RunMetrics m = run_policy(*set_, reqs, info->name, {}, sem, &observed, observers);
        run_policy(*set_, reqs, info->name, {}, sem, &plain);
        EXPECT_EQ(observed.finish_s, plain.finish_s);
        EXPECT_EQ(observed.finish_order, plain.finish_order);
        const auto decisions = parse(log.csv());
        ASSERT_EQ(decisions.size(), m.decisions);
        ASSERT_EQ(log.decisions(), m.decisions);
        auto policy = make_policy(info->name, {}, sem);
        // Scored policies; keyed ones without scores() log their key ("min"); the rest nothing
        // (dysta_hw, policies registered by other tests).
        std::vector<TaskView> probe_tasks(1);
        std::vector<PolicyTaskState> probe_state(1);
        std::vector<double> probe(1);
        const bool scored =
            test::scores_interface(*policy).scores({0, probe_tasks, probe_state}, probe);
        // dysta_hw: the hardware scoring pass's scores, taken after select(); requests still in
        // the host FIFO have none, and the chosen one has the smallest.
        const bool after = info->name == "dysta_hw";
        const bool none = !scored && !policy->keyed() && !after;
        EXPECT_EQ(none, info->name.starts_with("test_"));
        const std::string wins =
            none              ? ""
            : scored || after ? score_order_name(test::scores_interface(*policy).score_order())
                              : "min";
        for (const auto& rows : decisions) {
          std::vector<double> scores, hw_scores;
          double chosen_hw_score = 0;
          std::vector<TaskView> tasks;
          std::size_t chosen = rows.size();
          for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto& c = rows[i].cells;
            ASSERT_EQ(c[20], wins);
            if (c[3] == "1") chosen = i;
            if (none) {
              ASSERT_EQ(c[19], "");
              continue;
            }
            if (after && c[19].empty()) {
              ASSERT_NE(c[3], "1");  // the chosen request was scored
              continue;
            }
            ASSERT_NE(c[19], "");
            if (after) {
              const double v = number(c[19]);
              if (c[3] == "1") chosen_hw_score = v;
              hw_scores.push_back(v);
              continue;
            }
            scores.push_back(number(c[19]));
            TaskView t;
            t.arrival_s = number(c[7]);
            t.deadline_s = number(c[8]);
            tasks.push_back(t);
          }
          ASSERT_LT(chosen, rows.size());
          if (none) continue;
          if (after) {
            for (const double v : hw_scores) ASSERT_LE(chosen_hw_score, v);
            continue;
          }
          ASSERT_EQ(chosen, test::best_by_scores(info->name, sem,
                                                 test::scores_interface(*policy).score_order(),
                                                 scores, tasks))
              << "decision " << rows[0].cells[0];
        }
      }
    }
  }
}

// Subscribed through simulate()'s observer bus, the log takes every policy's scores before
// select() (EngineObserver::before_decision()): keyed sjf logs its key (Rest), prema its
// scores, exactly as through run_policy().
TEST_F(DecisionLogTest, ThroughSimulateTheBusGivesScores) {
  const auto reqs = requests(Semantics::corrected, 60);
  for (const char* name : {"sjf", "prema"}) {
    auto policy = make_policy(name, {}, Semantics::corrected);
    auto predictor = make_predictor("average", *set_, {}, Semantics::corrected);
    DecisionLog log(*set_);
    simulate(*set_, reqs, *policy, policy_registry().get("policy", name).traits, *predictor,
             Semantics::corrected, &log);
    DecisionLog via_run_policy(*set_);
    EngineObserver* observers[] = {&via_run_policy};
    run_policy(*set_, reqs, name, {}, Semantics::corrected, nullptr, observers);
    EXPECT_EQ(log.csv(), via_run_policy.csv());
    const auto decisions = parse(log.csv());
    ASSERT_FALSE(decisions.empty());
    for (const auto& rows : decisions) {
      for (const auto& row : rows) {
        if (std::string(name) == "sjf") {
          EXPECT_EQ(number(row.cells[19]), number(row.cells[12]));  // Rest
        } else {
          EXPECT_NE(row.cells[19], "");
        }
        EXPECT_EQ(row.cells[20], "min");
      }
    }
  }
}

// A hand-built decision, with the hooks called as the Scheduler calls them. PREMA, reference (whole
// idle time credited), now 2:
//   task 0: p 3, token 2, idle 2, IsoE 4 -> 2 + 3 x 2 / 4 = 3.5
//   task 1: p 1, token 2.5, idle 1.5, IsoE 4 -> 2.5 + 1.5 / 4 = 2.875
// max 3.5 -> threshold 3: scores [Rest 2, inf] -> task 0. (Scores taken after select() would
// credit the idle time twice: tokens 5 and 3.25, task 1 would qualify with score 1.)
TEST_F(DecisionLogTest, LogsScoresTakenBeforeSelect) {
  auto policy = make_policy("prema", {}, Semantics::reference);
  DecisionLog log(*set_);
  const auto task = [](double arrival, int priority, double rest, double last_exec) {
    return TaskView{.arrival_s = arrival,
                    .deadline_s = arrival + 100,
                    .last_exec_s = last_exec,
                    .est_remaining_s = rest,
                    .est_isolated_s = 4,
                    .request = arrival == 0 ? 0u : 1u,
                    .priority = priority};
  };
  test::Decision d({task(0, 3, 2, 0), task(0.5, 1, 1, 0.5)});
  d.state[0].token = 2;
  d.state[1].token = 2.5;
  const DecisionContext ctx{2, d.tasks, d.state};
  log.before_decision(ctx, *policy);
  const std::size_t chosen = policy->select(ctx);
  log.on_decision(ctx, chosen);
  EXPECT_EQ(chosen, 0u);
  const auto decisions = parse(log.csv());
  ASSERT_EQ(decisions.size(), 1u);
  const auto& rows = decisions[0];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].cells[18], "3.5");
  EXPECT_EQ(rows[0].cells[19], "2");
  EXPECT_EQ(rows[1].cells[18], "2.875");
  EXPECT_EQ(rows[1].cells[19], "inf");
  EXPECT_EQ(rows[0].cells[20], "min");
}

}  // namespace
}  // namespace dysta
