// End-to-end regression tests of issue 20 (docs/robustness.md): hostile inputs through the CLI
// exit 2 with one line and write nothing; sweeps survive kill -9, full and read-only file systems
// and a second writer.
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "test_paths.h"
#include "test_util.h"

extern char** environ;

namespace fs = std::filesystem;

namespace dysta {
namespace {

using test::dysta_cli;

const std::string kNativeProfile =
    "model,pattern,sample,layer,latency_s,sparsity\n"
    "a,,0,0,0.001,0.5\na,,0,1,0.002,0.25\na,,1,0,0.003,0.5\na,,1,1,0.001,0\n"
    "b,x,0,0,0.010,0.9\nb,x,0,1,0.020,0.1\nb,x,1,0,0.011,0.8\nb,x,1,1,0.019,0.2\n";

void write_bytes(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Every file below `dir` whose name holds ".tmp-" (a temporary that was not cleaned up).
std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) {
      out.push_back(e.path().string());
    }
  }
  return out;
}

struct Hostile {
  std::string name;
  std::string args;   // after "run -q --out o"
  std::string field;  // the error line must contain it
};

TEST(HostileInput, EachExitsTwoWithOneLineAndWritesNothing) {
  test::TempDir dir;
  const fs::path d = dir.path();
  write_bytes(d / "p.csv", kNativeProfile);
  write_bytes(d / "huge.csv", "model,pattern,sample,layer,latency_s,sparsity\nm,,0,0,1e308,0.5\n");
  write_bytes(d / "bad-utf8.csv",
              "model,pattern,sample,layer,latency_s,sparsity\nm\xff,,0,0,0.1,0.5\n");
  write_bytes(d / "load_balance_tiny.csv",
              "overall-sparsity,50%-skip,batch-indx,layer-indx\n0.5,1e-320,0,0\n");
  write_bytes(d / "dup.yaml", "profiles: p.csv\nworkload:\n  rate: 10\n  rate: 20\n");
  write_bytes(d / "desc.yaml", "profiles: p.csv\ndescription: \"caf\xe9\"\n");
  write_bytes(d / "names" / "net\xfe_p.csv",
              "sim_lat,overall-sparsity,batch-indx,layer-indx\n0.1,0.5,0,0\n");
  fs::create_symlink(d / "loop2", d / "loop1");
  fs::create_symlink(d / "loop1", d / "loop2");
  ASSERT_EQ(::mkfifo((d / "fifo.csv").c_str(), 0600), 0);
  fs::create_directories(d / "a-directory");
  std::string list = "[";
  for (int i = 1; i <= 1000; ++i) list += std::to_string(i) + (i < 1000 ? "," : "]");
  write_bytes(d / "big-sweep.yaml", "profiles: p.csv\nsweep: {seeds: " + list + ", rates: " + list +
                                        ", slo_multipliers: " + list + "}\n");

  const std::vector<Hostile> cases = {
      {"tiny rate", "--profiles p.csv --rate 5e-324", "workload.rate"},
      {"huge latency", "--profiles huge.csv", "latency_s"},
      {"denormal load balance", "--profiles load_balance_tiny.csv", "50%-skip"},
      {"denormal clock", "--profiles p.csv --set sanger.clock_hz=1e-320", "sanger.clock_hz"},
      {"pe_rows does not fit", "--profiles p.csv --set sanger.pe_rows=4294967360",
       "sanger.pe_rows"},
      {"priority does not fit", "--profiles p.csv --set workload.priorities=[2147483648]",
       "workload.priorities[0]"},
      {"mix weight", "--profiles p.csv --set 'workload.mix={a: 1e308}'", "workload.mix.a"},
      {"negative beta", "--profiles p.csv --set policy_params.dysta.beta=-1", "beta"},
      {"huge beta", "--profiles p.csv --set policy_params.dysta.beta=1e308", "beta"},
      {"duplicate key", "-c dup.yaml", "duplicate key"},
      {"symlink loop profile", "--profiles loop1", "loop1"},
      {"symlink loop config", "-c loop1", "loop1"},
      {"directory config", "-c a-directory", "a-directory"},
      {"non-UTF-8 description", "-c desc.yaml", "description"},
      {"non-UTF-8 model name", "--profiles bad-utf8.csv", "model"},
      {"non-UTF-8 file name", "--profiles names", "file name"},
      {"requests 9e15", "--profiles p.csv --requests 9e15", "workload.requests"},
      {"FIFO profile", "--profiles fifo.csv", "FIFO"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    fs::remove_all(d / "o");
    const auto r = dysta_cli(d, "run -q --out o " + c.args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("dysta: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(c.field), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "o")) << "partial output";
  }
  const std::vector<Hostile> sweeps = {
      {"threads 1e15", "--profiles p.csv --set sweep.threads=1e15", "sweep.threads"},
      {"a billion points", "-c big-sweep.yaml", "kMaxSweepPoints"},
  };
  for (const auto& c : sweeps) {
    SCOPED_TRACE(c.name);
    const auto r = dysta_cli(d, "sweep -q --out o " + c.args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find(c.field), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "o"));
  }
}

TEST(HostileInput, ValidButUnusualInputsGiveCorrectResults) {
  test::TempDir dir;
  const fs::path d = dir.path();
  // A spreadsheet's byte-order mark.
  write_bytes(d / "bom.csv", "\xEF\xBB\xBF" + kNativeProfile);
  auto r = dysta_cli(d, "run -q --requests 50 --profiles bom.csv --out bom");
  ASSERT_EQ(r.status, 0) << r.err;
  // Output paths are literal ('#' started a YAML comment: "res #1" wrote to "res").
  r = dysta_cli(d, "run -q --requests 50 --profiles bom.csv --out 'res #1'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(d / "res #1" / "summary.json"));
  EXPECT_FALSE(fs::exists(d / "res"));
  // A model name with a comma (from a file name) is quoted in trace.csv and replays exactly.
  write_bytes(d / "set" / "net,v2_filter.csv",
              "sim_lat,overall-sparsity,batch-indx,layer-indx\n0.1,0.5,0,0\n0.2,0.5,0,1\n"
              "0.3,0.4,1,0\n0.1,0.3,1,1\n");
  r = dysta_cli(d, "run -q --requests 40 --profiles set --out c1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(test::read_text(d / "c1/trace.csv").find("\"net,v2_filter\""), std::string::npos);
  r = dysta_cli(d, "run -q --profiles set --trace c1/trace.csv --out c2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(test::read_text(d / "c1/requests.csv"), test::read_text(d / "c2/requests.csv"));
  // 65536 x 65536 PEs overflowed an int and gave NaN metrics.
  write_bytes(d / "load_balance_m.csv",
              "overall-sparsity,50%-skip,batch-indx,layer-indx\n0.5,0.5,0,0\n0.4,0.6,1,0\n");
  r = dysta_cli(d, "run -q --requests 20 --profiles " +
                       test::shell_quoted((d / "load_balance_m.csv").string()) +
                       " --set sanger.pe_rows=65536 --set sanger.pes_per_row=65536 --out big");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(d / "big/summary.json"));
  EXPECT_TRUE(j["metrics"]["antt"].is_number()) << j["metrics"].dump();
  // The written config reloads (priorities were written as -2147483648).
  r = dysta_cli(d, "run -q -c big/config.yaml --out big2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(test::read_text(d / "big/requests.csv"), test::read_text(d / "big2/requests.csv"));
}

TEST(HostileInput, MergeOfAPointSummaryWithAnOverflowingNumberIsAnError) {
  test::TempDir dir;
  const fs::path d = dir.path();
  write_bytes(d / "p.csv", kNativeProfile);
  ASSERT_EQ(dysta_cli(d,
                      "sweep -q --profiles p.csv --requests 20 --rates 10 --slos 5 --seeds 1 "
                      "--policies fcfs --out s")
                .status,
            0);
  fs::path summary;
  for (const auto& e : fs::directory_iterator(d / "s/points")) summary = e.path() / "summary.json";
  std::string text = test::read_text(summary);
  const auto at = text.find("\"antt\": ");
  ASSERT_NE(at, std::string::npos) << text;
  text.insert(at + 8, "1e999, \"x\": ");
  write_bytes(summary, text);
  const auto r = dysta_cli(d, "merge s -o m.csv");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("summary.json"), std::string::npos) << r.err;
}

// --- Fault injection ---------------------------------------------------------------------------

pid_t spawn_cli(const fs::path& cwd, const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {DYSTA_CLI};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const std::string old = fs::current_path().string();
  fs::current_path(cwd);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv_s[0].c_str(), &actions, nullptr, argv.data(), environ);
  fs::current_path(old);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

std::vector<std::string> sweep_args(const std::string& out) {
  return {
      "sweep",          "-q",      "--profiles", "p.csv",  "--requests", "300",     "--policies",
      "fcfs,sjf,dysta", "--rates", "20,40,80",   "--slos", "2,5,10",     "--seeds", "1,2",
      "--threads",      "2",       "--out",      out};
}

std::string cli_args(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += test::shell_quoted(a) + " ";
  return s;
}

// Every output file of a sweep folder (results, summary, table, each point's files), except
// config.yaml (it names the folder) and the lock files.
std::map<std::string, std::string> sweep_files(const fs::path& out) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.rfind(".lock", 0) != 0 && name != "config.yaml") {
      files[fs::relative(e.path(), out).string()] = test::read_text(e.path());
    }
  }
  return files;
}

// The files that are missing, extra or different in `got` (empty when identical).
std::vector<std::string> differences(const std::map<std::string, std::string>& got,
                                     const std::map<std::string, std::string>& want) {
  std::vector<std::string> out;
  for (const auto& [name, text] : want) {
    const auto it = got.find(name);
    if (it == got.end()) {
      out.push_back("missing " + name);
    } else if (it->second != text) {
      out.push_back("differs " + name);
    }
  }
  for (const auto& [name, text] : got) {
    if (!want.contains(name)) out.push_back("extra " + name);
  }
  return out;
}

TEST(FaultInjection, SweepKilledAtRandomMomentsResumesByteIdentically) {
  test::TempDir dir;
  const fs::path d = dir.path();
  write_bytes(d / "p.csv", kNativeProfile);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(dysta_cli(d, cli_args(sweep_args("ref"))).status, 0);
  const double full_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto reference = sweep_files(d / "ref");
  ASSERT_GT(reference.size(), 50u);
  std::uint64_t state = 20;  // deterministic moments (no std::*_distribution)
  for (int seed = 0; seed < 4; ++seed) {
    SCOPED_TRACE(fmt::format("kill {}", seed));
    const std::string out = fmt::format("k{}", seed);
    for (int kill = 0; kill < 2; ++kill) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const double fraction = static_cast<double>(state >> 11) / 9007199254740992.0;
      const pid_t pid = spawn_cli(d, sweep_args(out));
      ASSERT_GT(pid, 0);
      std::this_thread::sleep_for(std::chrono::duration<double>(fraction * full_s));
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    const auto r = dysta_cli(d, cli_args(sweep_args(out)));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(differences(sweep_files(d / out), reference), std::vector<std::string>{});
    EXPECT_EQ(temporaries(d / out), std::vector<std::string>{});
  }
}

TEST(FaultInjection, TwoSweepsIntoOneFolderAreSerialised) {
  test::TempDir dir;
  const fs::path d = dir.path();
  write_bytes(d / "p.csv", kNativeProfile);
  ASSERT_EQ(dysta_cli(d, cli_args(sweep_args("ref"))).status, 0);
  for (int pair = 0; pair < 3; ++pair) {
    const std::string out = fmt::format("pair{}", pair);
    const pid_t a = spawn_cli(d, sweep_args(out));
    const pid_t b = spawn_cli(d, sweep_args(out));
    int sa = 0, sb = 0;
    ::waitpid(a, &sa, 0);
    ::waitpid(b, &sb, 0);
    EXPECT_TRUE(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    EXPECT_TRUE(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    EXPECT_EQ(differences(sweep_files(d / out), sweep_files(d / "ref")),
              std::vector<std::string>{});
    EXPECT_EQ(temporaries(d / out), std::vector<std::string>{});
  }
}

// A small tmpfs (root only): full, then read-only. Each failure is one line, exit 2, and leaves
// no temporary and no half-written file behind.
TEST(FaultInjection, FullAndReadOnlyFileSystemsGiveOneClearError) {
  test::TempDir dir;
  const fs::path d = dir.path();
  write_bytes(d / "p.csv", kNativeProfile);
  const fs::path mnt = d / "mnt";
  fs::create_directories(mnt);
  if (::geteuid() != 0 || ::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") != 0) {
    // Without a mount: a read-only folder by permissions (not read-only for root).
    if (::geteuid() == 0) GTEST_SKIP() << "cannot mount a tmpfs here: full-disk case skipped";
    fs::permissions(mnt, fs::perms::owner_read | fs::perms::owner_exec);
    const auto r = dysta_cli(d, "sweep -q --profiles p.csv --requests 50 --out mnt/o");
    fs::permissions(mnt, fs::perms::owner_all);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    GTEST_SKIP() << "not root: full-disk case skipped (read-only folder checked)";
  }
  struct Unmount {
    fs::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  // Full: 64 kB hold a few point folders, not the sweep's.
  auto r = dysta_cli(d, cli_args(sweep_args("mnt/o")));
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_EQ(temporaries(mnt), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(mnt / "o/results.csv"));
  // Read-only.
  fs::remove_all(mnt / "o");
  ASSERT_EQ(::mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "size=64k"), 0);
  r = dysta_cli(d, "run -q --profiles p.csv --requests 50 --out mnt/o");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.err;
  r = dysta_cli(d, cli_args(sweep_args("mnt/o")));
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_FALSE(fs::exists(mnt / "o"));
}

}  // namespace
}  // namespace dysta
