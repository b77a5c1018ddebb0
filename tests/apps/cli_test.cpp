// End-to-end tests of the `dysta` command line: outputs, replay, exit codes, atomic writes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "test_paths.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

using test::dysta_cli;

const std::string kSanger = std::string(DYSTA_SOURCE_DIR) + "/data/synthetic/sanger";

TEST(Cli, RunWithNoArgumentsUsesEmbeddedDefaultAndWritesAllOutputs) {
  test::TempDir dir;
  const auto r = dysta_cli(dir.path(), "run");
  ASSERT_EQ(r.status, 0) << r.err;
  const fs::path out = dir.path() / "dysta-out" / "paper-cnn";
  for (const char* f : {"summary.json", "requests.csv", "trace.csv", "config.yaml"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  const auto summary = nlohmann::json::parse(test::read_text(out / "summary.json"));
  EXPECT_EQ(summary["policy"], "dysta");
  EXPECT_EQ(summary["metrics"]["requests"], 1000);
  EXPECT_GT(summary["metrics"]["antt"].get<double>(), 1.0);
  // The default is the real benchmark's paper-cnn scenario (docs/benchmark.md).
  EXPECT_EQ(summary["scenario"], "paper-cnn");
  EXPECT_NE(r.out.find("paper-cnn"), std::string::npos) << r.out;
  // 1000 requests plus the header.
  const std::string csv = test::read_text(out / "requests.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1001);
}

TEST(Cli, ReplayingTheWrittenTraceReproducesEveryRequest) {
  test::TempDir dir;
  ASSERT_EQ(dysta_cli(dir.path(), "run -q --policy prema --requests 300 --rate 90 --out a").status,
            0);
  ASSERT_EQ(dysta_cli(dir.path(), "run -q --policy prema --trace a/trace.csv --out b").status, 0);
  EXPECT_EQ(test::read_text(dir.path() / "a/requests.csv"),
            test::read_text(dir.path() / "b/requests.csv"));
}

TEST(Cli, ResolvedConfigReproducesTheRun) {
  test::TempDir dir;
  ASSERT_EQ(dysta_cli(dir.path(), "run -q --policy sjf_sparse --seed 7 --out a").status, 0);
  ASSERT_EQ(dysta_cli(dir.path(), "run -q -c a/config.yaml --out b").status, 0);
  EXPECT_EQ(test::read_text(dir.path() / "a/requests.csv"),
            test::read_text(dir.path() / "b/requests.csv"));
}

TEST(Cli, BadInputExitsWithStatusTwoAndNamesTheField) {
  test::TempDir dir;
  struct Case {
    std::string args, expected;
  };
  const std::vector<Case> cases = {
      {"run --policy fifo", "unknown policy 'fifo'"},
      {"run --predictor oracle", "unknown predictor 'oracle'"},
      {"run --rate 0", "workload.rate: must be > 0"},
      {"run --set workload.rat=3", "workload.rat: unknown key"},
      {"run --set policy_params.dysta.gamma=1", "unknown parameter of policy 'dysta'"},
      {"run --semantics exact", "semantics"},
      {"run --profiles nowhere", "nowhere: profiles: no such file or directory"},
      {"sweep --rates 10,abc", "sweep.rates[1]"},
      {"run --no-such-flag", "no-such-flag"},
  };
  for (const auto& c : cases) {
    const auto r = dysta_cli(dir.path(), c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.args << " -> " << r.err;
  }
}

TEST(Cli, MisspelledKeyInConfigFileNamesFileAndLine) {
  test::TempDir dir;
  test::write_text(dir.path() / "c.yaml",
                   "profiles: " + kSanger + "\nworkload:\n  rate: 50\n  reqests: 10\n");
  const auto r = dysta_cli(dir.path(), "run -c c.yaml");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("c.yaml:4: workload.reqests: unknown key"), std::string::npos) << r.err;
}

TEST(Cli, MalformedProfileFailsWithoutWritingOutput) {
  test::TempDir dir;
  test::write_text(
      dir.path() / "p/m.csv",
      "model,pattern,sample,layer,latency_s,sparsity\nm,,0,0,0.1,0.5\nm,,0,1,nan,0.5\n");
  const auto r = dysta_cli(dir.path(), "run --profiles p --out o");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("m.csv:3: latency_s"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "o"));
}

TEST(Cli, FailedRunLeavesAnExistingOutputFolderUntouched) {
  test::TempDir dir;
  ASSERT_EQ(dysta_cli(dir.path(), "run -q --requests 50 --out o").status, 0);
  const std::string before = test::read_text(dir.path() / "o/summary.json");
  test::write_text(dir.path() / "bad.csv",
                   "arrival_s,model,sample,priority,slo_multiplier\n0.1,x,0,1,2\n");
  EXPECT_EQ(dysta_cli(dir.path(), "run --trace bad.csv --out o").status, 2);
  EXPECT_EQ(test::read_text(dir.path() / "o/summary.json"), before);
  for (const auto& e : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
}

// A command ends without freeing its memory once its output is complete (exit_after_output);
// a write to standard output that fails still ends with status 2 and a message, not 0.
TEST(Cli, ResultsThatCannotBeWrittenExitWithStatusTwo) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  test::TempDir dir;
  const std::string cli = test::shell_quoted(DYSTA_CLI);
  for (const std::string args :
       {"sweep --csv --policies fcfs,dysta --rates 60 --slos 10 --requests 50 --threads 1",
        "sweep --policies fcfs --rates 60 --slos 10 --requests 50 --threads 1",
        "run --requests 50 --out out"}) {
    const auto full = test::shell(dir.path(), "{ " + cli + " " + args + " > /dev/full; }");
    EXPECT_EQ(full.status, 2) << args;
    EXPECT_NE(full.err.find("standard output: the results could not be written"), std::string::npos)
        << args << " -> " << full.err;
    const auto fine = dysta_cli(dir.path(), args);
    EXPECT_EQ(fine.status, 0) << args << " -> " << fine.err;
    EXPECT_FALSE(fine.out.empty()) << args;
  }
}

TEST(Cli, SweepIsIdenticalForOneAndTwoThreads) {
  test::TempDir dir;
  const std::string args =
      "sweep --csv --policies fcfs,prema,dysta --rates 60,90 --slos 2,10 --seeds 1,2,3 "
      "--requests 200 --threads ";
  const auto one = dysta_cli(dir.path(), args + "1");
  const auto two = dysta_cli(dir.path(), args + "2");
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(std::count(one.out.begin(), one.out.end(), '\n'), 1 + 3 * 2 * 2 * 3);
}

TEST(Cli, SweepWritesResultFolder) {
  test::TempDir dir;
  const auto r =
      dysta_cli(dir.path(), "sweep --policies sjf,dysta --seeds 1,2 --requests 100 --out s");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* f : {"results.csv", "summary.json", "table.txt", "config.yaml"}) {
    EXPECT_TRUE(fs::exists(dir.path() / "s" / f)) << f;
  }
  const auto j = nlohmann::json::parse(test::read_text(dir.path() / "s/summary.json"));
  // paper-cnn's sweep section: 5 rates x 6 SLOs; here 2 policies x 2 seeds
  EXPECT_EQ(j["points"].size(), 2u * 5u * 6u * 2u);
  EXPECT_EQ(j["means"].size(), 2u * 5u * 6u);
}

TEST(Cli, ListShowsPoliciesPredictorsAndModels) {
  test::TempDir dir;
  const auto r = dysta_cli(dir.path(), "list --models");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* name :
       {"fcfs", "sjf_sparse", "prema_sparse", "planaria", "sdrm3_sparse", "dysta_naive",
        "dysta_oracle", "beta", "alpha", "last_n", "regression",
        "inceptionv3_unstructured_sparse20", "paper-attnn", "datacentre", "synthetic"}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace dysta
