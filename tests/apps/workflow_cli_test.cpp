// End-to-end tests of the experiment workflow: resumable sweeps, shards, MPI, merge, progress,
// timelines, decision logs and the figure scripts.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "test_paths.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

using test::dysta_cli;
using test::shell;

const std::string kExample =
    std::string(DYSTA_SOURCE_DIR) + "/examples/cnn_patterns_corrected.yaml";
// 8 policies x 2 rates x 2 SLOs x 2 seeds = 64 points of 60 requests.
const std::string kSweep = "sweep -c '" + kExample + "' --requests 60 --seeds 1,2 -q";

std::size_t lines(const std::string& s) {
  return std::count(s.begin(), s.end(), '\n');
}

TEST(WorkflowCli, SweepResumesAndForceRedoes) {
  test::TempDir dir;
  const auto first = dysta_cli(dir.path(), kSweep + " --out s");
  ASSERT_EQ(first.status, 0) << first.err;
  const fs::path points = dir.path() / "s/points";
  std::size_t folders = 0;
  for (const auto& e : fs::directory_iterator(points)) {
    EXPECT_TRUE(fs::exists(e.path() / "summary.json"));
    EXPECT_TRUE(fs::exists(e.path() / "requests.csv"));
    ++folders;
  }
  EXPECT_EQ(folders, 64u);
  const std::string table = test::read_text(dir.path() / "s/results.csv");
  EXPECT_EQ(lines(table), 65u);

  // A rerun runs nothing and prints the same table; a lost point is recomputed alone.
  fs::remove_all(points / fs::directory_iterator(points)->path().filename());
  const auto again = dysta_cli(dir.path(), kSweep + " --out s");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, first.out);
  EXPECT_EQ(test::read_text(dir.path() / "s/results.csv"), table);
  const auto verbose =
      dysta_cli(dir.path(), "sweep -c '" + kExample + "' --requests 60 --seeds 1,2 --out s");
  EXPECT_NE(verbose.err.find("0 to run, 64 already done"), std::string::npos) << verbose.err;
  const auto forced = dysta_cli(dir.path(), kSweep + " --out s --force");
  ASSERT_EQ(forced.status, 0);
  EXPECT_EQ(forced.out, first.out);
}

TEST(WorkflowCli, ProgressLinesWhenNotATerminalAndQuietSilencesThem) {
  test::TempDir dir;
  const auto r = dysta_cli(dir.path(), "sweep -c '" + kExample +
                                           "' --requests 60 --seeds 1,2 --threads 1 "
                                           "--progress-interval 0");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("sweep: 64 to run"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/s, ETA"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sweep: 64/64 done in"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);  // no bar redraws in a log file
  const auto q = dysta_cli(dir.path(), kSweep);
  ASSERT_EQ(q.status, 0);
  EXPECT_EQ(q.err, "");
  EXPECT_EQ(q.out, r.out);
}

// Runs the example sweep as 1 process, 3 shards (+ merge) and, when built with MPI, on 2 and 4
// ranks over loopback TCP; every merged table must be byte-identical.
TEST(WorkflowCli, OneProcessShardsAndMpiRanksMergeToIdenticalTables) {
  test::TempDir dir;
  ASSERT_EQ(dysta_cli(dir.path(), kSweep + " --out one").status, 0);
  const std::string expected = test::read_text(dir.path() / "one/results.csv");
  ASSERT_EQ(lines(expected), 65u);

  for (int k = 0; k < 3; ++k) {
    const auto r = dysta_cli(
        dir.path(), kSweep + " --out shards --shard " + std::to_string(k) + "/3 --threads 1");
    ASSERT_EQ(r.status, 0) << r.err;
    if (k < 2) {
      EXPECT_EQ(r.out, "");  // incomplete: no table yet
      EXPECT_NE(r.err.find("dysta merge shards"), std::string::npos) << r.err;
    }
  }
  ASSERT_EQ(dysta_cli(dir.path(), "merge shards -o merged.csv").status, 0);
  EXPECT_EQ(test::read_text(dir.path() / "merged.csv"), expected);
  EXPECT_EQ(test::read_text(dir.path() / "shards/results.csv"), expected);
  const auto plain = dysta_cli(dir.path(), "merge one");
  EXPECT_EQ(plain.out, expected);
  // In sweep order with the config (and its overrides).
  const auto ordered = dysta_cli(dir.path(), "merge shards -c '" + kExample +
                                                 "' --set workload.requests=60 "
                                                 "--set sweep.seeds=[1,2] --table");
  ASSERT_EQ(ordered.status, 0) << ordered.err;
  EXPECT_NE(test::read_text(dir.path() / "one/table.txt").find(ordered.out.substr(0, 200)),
            std::string::npos);

#if DYSTA_WITH_MPI
  for (const int ranks : {2, 4}) {
    const std::string out = "mpi" + std::to_string(ranks);
    const auto r =
        shell(dir.path(),
              "OMPI_MCA_btl_vader_single_copy_mechanism=none '" + std::string(DYSTA_MPIEXEC) +
                  "' --allow-run-as-root --oversubscribe -np " + std::to_string(ranks) +
                  " --mca btl self,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo '" +
                  std::string(DYSTA_CLI) + "' " + kSweep + " --mpi --out " + out);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(test::read_text(dir.path() / out / "results.csv"), expected) << ranks;
    const auto m = dysta_cli(dir.path(), "merge " + out);
    EXPECT_EQ(m.out, expected) << ranks;
  }
  // The module is loaded only for --mpi: a wrong DYSTA_MPI_MODULE fails there, nowhere else.
  const auto missing =
      shell(dir.path(), "DYSTA_MPI_MODULE=/nonexistent/libdysta_mpi.so '" + std::string(DYSTA_CLI) +
                            "' " + kSweep + " --mpi --out nompi");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("built without MPI"), std::string::npos) << missing.err;
  EXPECT_EQ(shell(dir.path(), "DYSTA_MPI_MODULE=/nonexistent/libdysta_mpi.so '" +
                                  std::string(DYSTA_CLI) + "' " + kSweep + " --out plain")
                .status,
            0);
#else
  std::cerr << "MPI identity not checked: configure with -DDYSTA_WITH_MPI=ON\n";
#endif
}

TEST(WorkflowCli, SweepFileAxesAndErrors) {
  test::TempDir dir;
  test::write_text(dir.path() / "axes.yaml",
                   "profiles: " + std::string(DYSTA_SOURCE_DIR) +
                       "/data/synthetic/sanger\nworkload: {requests: 80, rate: 90}\n"
                       "sweep:\n  policies: [sjf, dysta]\n  predictors: [average, last_one]\n"
                       "  policy_params:\n    dysta: {beta: [0.01, 1]}\n");
  const auto r = dysta_cli(dir.path(), "sweep -c axes.yaml -q --csv");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(r.out), 1u + 6u);
  EXPECT_NE(r.out.find(",dysta,beta=1,last_one,,1,90,10,80,dysta beta=1 / last_one,"),
            std::string::npos)
      << r.out;
  const auto t = dysta_cli(dir.path(), "sweep -c axes.yaml -q");
  EXPECT_NE(t.out.find("sweep of 6 points"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("dysta beta=0.01 / average"), std::string::npos) << t.out;

  struct Case {
    std::string args, expected;
  };
  for (const Case& c : std::vector<Case>{
           {"sweep --shard 1/3", "--shard: needs an output folder"},
           {"sweep --out x --shard 3/3", "--shard: expected k/N"},
           {"merge nowhere", "nowhere: no such folder"},
           {"merge .", "holds no point folder"},
           {"sweep -c axes.yaml --set sweep.policy_params.dysta.gamma=[1]",
            "sweep.policy_params.dysta.gamma: unknown parameter of policy 'dysta'"},
           {"reproduce fig99", "unknown figure 'fig99'"},
           {"reproduce fig12 --profiles x", "--profiles: say which workload"},
       }) {
    const auto e = dysta_cli(dir.path(), c.args);
    EXPECT_EQ(e.status, 2) << c.args;
    EXPECT_NE(e.err.find(c.expected), std::string::npos) << c.args << " -> " << e.err;
  }
#if !DYSTA_WITH_MPI
  EXPECT_NE(dysta_cli(dir.path(), "sweep --out x --mpi").err.find("built without MPI"),
            std::string::npos);
#endif
}

TEST(WorkflowCli, TimelineIsAValidChromeTrace) {
  test::TempDir dir;
  for (const char* tracks : {"request", "model"}) {
    const auto r =
        dysta_cli(dir.path(), std::string("run -q --requests 60 --rate 90 --slo 2 ") +
                                  "--timeline t.json --timeline-tracks " + tracks + " --out o");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto summary = nlohmann::json::parse(test::read_text(dir.path() / "o/summary.json"));
    const auto& m = summary["metrics"];
    const auto trace = nlohmann::json::parse(test::read_text(dir.path() / "t.json"));
    ASSERT_TRUE(trace["traceEvents"].is_array());
    std::size_t accelerator_layers = 0, track_layers = 0, arrivals = 0, misses = 0, spans = 0;
    std::map<int, std::pair<double, double>> span_of;  // tid -> request span (per request)
    double last_end = 0;
    for (const auto& e : trace["traceEvents"]) {
      ASSERT_TRUE(e.contains("ph") && e.contains("name") && e.contains("pid")) << e.dump();
      const std::string ph = e["ph"];
      if (ph == "M") continue;
      ASSERT_TRUE(e["ts"].is_number()) << e.dump();
      if (ph == "X") {
        ASSERT_GE(e["dur"].get<double>(), 0.0) << e.dump();
        if (e["cat"] == "layer" && e["pid"] == 1) {
          ++accelerator_layers;
          // One accelerator: layers never overlap (corrected semantics).
          EXPECT_GE(e["ts"].get<double>(), last_end - 1e-3);
          last_end = e["ts"].get<double>() + e["dur"].get<double>();
        } else if (e["cat"] == "layer") {
          ++track_layers;
        } else {
          ++spans;
          span_of[e["tid"]] = {e["ts"].get<double>(),
                               e["ts"].get<double>() + e["dur"].get<double>()};
        }
      } else if (ph == "i") {
        (e["name"] == "arrival" ? arrivals : misses) += 1;
      }
    }
    EXPECT_EQ(accelerator_layers, m["layers_executed"].get<std::size_t>());
    EXPECT_EQ(track_layers, accelerator_layers);
    EXPECT_EQ(arrivals, 60u);
    EXPECT_EQ(misses, m["violations"].get<std::size_t>());
    EXPECT_GT(misses, 0u);
    EXPECT_EQ(spans, std::string(tracks) == "request" ? 60u : 0u);
    // Layers nest inside their request's span.
    for (const auto& e : trace["traceEvents"]) {
      if (e["ph"] != "X" || e["cat"] != "layer" || e["pid"] != 2 || span_of.empty()) continue;
      const auto& [begin, end] = span_of.at(e["tid"]);
      EXPECT_GE(e["ts"].get<double>(), begin);
      EXPECT_LE(e["ts"].get<double>() + e["dur"].get<double>(), end + 1e-9);
    }
  }
  EXPECT_EQ(dysta_cli(dir.path(), "run --timeline t.json --timeline-tracks cpu").status, 2);
  EXPECT_EQ(dysta_cli(dir.path(), "run --stream --timeline t.json").status, 2);
}

// Every candidate row carries the policy's score (Policy::scores()) and which score wins.
TEST(WorkflowCli, DecisionLogListsEveryCandidate) {
  test::TempDir dir;
  for (const std::string policy : {"sjf", "dysta", "prema", "planaria", "sdrm3"}) {
    SCOPED_TRACE(policy);
    const auto r = dysta_cli(dir.path(), "run -q --requests 50 --rate 90 --policy " + policy +
                                             " --decisions d.csv --out o");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto summary = nlohmann::json::parse(test::read_text(dir.path() / "o/summary.json"));
    std::istringstream in(test::read_text(dir.path() / "d.csv"));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line.substr(0, 30), "decision,now_s,ready,chosen,re");
    EXPECT_EQ(line.substr(line.size() - 17), ",score,score_wins");
    const std::string wins = policy == "planaria" || policy == "sdrm3" ? "max" : "min";
    std::map<long, std::pair<long, long>> per;  // decision -> (rows, chosen)
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      std::string cell;
      while (std::getline(ss, cell, ',')) f.push_back(cell);
      if (line.back() == ',') f.push_back("");
      ASSERT_EQ(f.size(), 21u) << line;
      auto& [rows, chosen] = per[std::stol(f[0])];
      ++rows;
      chosen += std::stol(f[3]);
      EXPECT_EQ(std::stol(f[2]), 0L + std::stol(f[2]));
      ASSERT_FALSE(f[19].empty()) << line;
      EXPECT_EQ(f[20], wins) << line;
    }
    EXPECT_EQ(per.size(), summary["metrics"]["decisions"].get<std::size_t>());
    for (const auto& [d, rc] : per) EXPECT_EQ(rc.second, 1) << d;
    // The log does not change the run.
    ASSERT_EQ(
        dysta_cli(dir.path(), "run -q --requests 50 --rate 90 --policy " + policy + " --out p")
            .status,
        0);
    EXPECT_EQ(test::read_text(dir.path() / "o/requests.csv"),
              test::read_text(dir.path() / "p/requests.csv"));
  }
}

bool have_matplotlib() {
  return std::system("/usr/bin/python3 -c 'import matplotlib' > /dev/null 2>&1") == 0;
}

TEST(WorkflowCli, FigureScriptsRenderEveryFigureFromASmallSweep) {
  if (!have_matplotlib()) GTEST_SKIP() << "python3-matplotlib not installed";
  test::TempDir dir;
  const std::string common = " --workload attnn --requests 40 --seeds 1,2 -q --out r";
  struct Fig {
    std::string name, extra, image;
  };
  for (const Fig& f : std::vector<Fig>{{"fig12", "", "fig12/fig12_attnn"},
                                       {"sparsity", "", "fig13/fig13_attnn"},
                                       {"fig14", " --slos 2,10 --rates 60", "fig14/fig14_attnn"},
                                       {"fig15", " --rates 60,90", "fig15/fig15_attnn"},
                                       {"fig9", "", "fig9/fig9_attnn"}}) {
    const auto r = dysta_cli(dir.path(), "reproduce " + f.name + common + f.extra);
    ASSERT_EQ(r.status, 0) << f.name << ": " << r.err;
    for (const char* ext : {".png", ".svg"}) {
      const fs::path image = dir.path() / "r" / (f.image + ext);
      ASSERT_TRUE(fs::exists(image)) << image;
      EXPECT_GT(fs::file_size(image), 10000u) << image;
    }
    const std::string png = test::read_text(dir.path() / "r" / (f.image + ".png"));
    EXPECT_EQ(png.substr(1, 3), "PNG");
  }
  // Fig. 12's points are reused by Fig. 13 and 14 (shared points folder).
  const auto again = dysta_cli(dir.path(), "reproduce fig12" + common + " --no-plot");
  ASSERT_EQ(again.status, 0);
  // A script on a plain sweep table.
  ASSERT_EQ(dysta_cli(dir.path(), kSweep + " --out s").status, 0);
  const auto script = shell(dir.path(), "/usr/bin/python3 '" + std::string(DYSTA_SOURCE_DIR) +
                                            "/scripts/plots/tradeoff.py' s/results.csv --out t "
                                            "--formats png");
  ASSERT_EQ(script.status, 0) << script.err;
  EXPECT_TRUE(fs::exists(dir.path() / "t.png"));
}

// `sweep --bound` adds one bound row per (rate, SLO) block, at or below every policy.
TEST(WorkflowCli, SweepBoundRow) {
  test::TempDir dir;
  const auto r = dysta_cli(dir.path(), kSweep + " --bound --out s");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\nbound "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("offline lower bound"), std::string::npos);
  const std::string bounds = test::read_text(dir.path() / "s" / "bounds.csv");
  EXPECT_NE(bounds.find(",bound,"), std::string::npos) << bounds;
  EXPECT_NE(test::read_text(dir.path() / "s" / "table.txt").find("\nbound "), std::string::npos);
}

// `reproduce gap`: one table and one plot per benchmark scenario, with the drop variants (none
// for dysta_hw, which cannot drop) and the bound rows.
TEST(WorkflowCli, ReproduceGapFigure) {
  if (!have_matplotlib()) GTEST_SKIP() << "python3-matplotlib not installed";
  test::TempDir dir;
  const auto r = dysta_cli(dir.path(),
                           "reproduce gap --requests 60 --seeds 1 --policies fcfs,edf,dysta_hw "
                           "--formats png -q --out r");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* scenario : {"arvr", "datacentre", "mobile", "paper-attnn", "paper-cnn"}) {
    SCOPED_TRACE(scenario);
    const fs::path image = dir.path() / "r" / "gap" / (std::string("gap_") + scenario + ".png");
    ASSERT_TRUE(fs::exists(image));
    EXPECT_GT(fs::file_size(image), 10000u);
    const std::string table =
        test::read_text(dir.path() / "r" / "gap" / (std::string(scenario) + ".csv"));
    EXPECT_NE(table.find(",edf +drop=estimated,"), std::string::npos);
    EXPECT_NE(table.find(",edf +drop=oracle,"), std::string::npos);
    EXPECT_NE(table.find(",bound,"), std::string::npos);
    EXPECT_NE(table.find(",dysta_hw,"), std::string::npos);
    EXPECT_EQ(table.find("dysta_hw +drop"), std::string::npos);
  }
}

}  // namespace
}  // namespace dysta
