// Helpers shared by the tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dysta/error.h"
#include "dysta/metrics.h"
#include "dysta/policy.h"
#include "dysta/profile.h"
#include "test_paths.h"

namespace dysta::test {

// Marsaglia's xorshift64 (13, 7, 17): a test's own reproducible bit stream (never
// std::*_distribution). `state` must not be 0.
struct XorShift64 {
  std::uint64_t state;
  std::uint64_t operator()() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

// A fresh temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("dysta-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A finished shell command: exit status (-1 if it did not exit normally), stdout and stderr.
struct CommandResult {
  int status = -1;
  std::string out, err;
};

// 'text' for the shell (the tests' paths hold no quotes).
inline std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  out += text;
  out += "'";
  return out;
}

// Runs `command` with /bin/sh in folder `cwd`, capturing stdout and stderr through files there.
inline CommandResult shell(const std::filesystem::path& cwd, const std::string& command) {
  const std::filesystem::path out = cwd / "stdout.txt", err = cwd / "stderr.txt";
  std::string cmd = "cd " + shell_quoted(cwd.string()) + " && ";
  cmd += command;
  cmd += " > " + shell_quoted(out.string()) + " 2> " + shell_quoted(err.string());
  const int raw = std::system(cmd.c_str());
  CommandResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

#ifdef DYSTA_CLI
// Runs the dysta CLI with `args` in folder `cwd`.
inline CommandResult dysta_cli(const std::filesystem::path& cwd, const std::string& args) {
  return shell(cwd, shell_quoted(DYSTA_CLI) + " " + args);
}
#endif

// Runs `f`, which must throw InputError, and returns the error (a failure is recorded if it does
// not throw or throws something else).
inline InputError capture_input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return InputError("<other exception>");
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
  return InputError("<nothing thrown>");
}

// The ready tasks and policy state of one hand-built decision.
struct Decision {
  std::vector<TaskView> tasks;
  std::vector<PolicyTaskState> state;

  explicit Decision(std::vector<TaskView> t) : tasks(std::move(t)), state(tasks.size()) {}
  std::size_t select(Policy& policy, double now_s) {
    return policy.select(DecisionContext{now_s, tasks, state});
  }
};

// A variant whose samples all share `num_layers`; ids 0..n-1 unless given.
inline VariantProfile simple_variant(const std::string& name, const std::string& architecture,
                                     std::size_t num_layers, std::vector<double> latency_s,
                                     std::vector<double> sparsity = {},
                                     std::vector<std::int64_t> sample_ids = {}) {
  const std::size_t n = latency_s.size() / num_layers;
  if (sparsity.empty()) sparsity.assign(latency_s.size(), 0.0);
  if (sample_ids.empty()) {
    for (std::size_t i = 0; i < n; ++i) sample_ids.push_back(static_cast<std::int64_t>(i));
  }
  return make_variant(name, architecture, "", std::move(sample_ids), num_layers,
                      std::move(latency_s), std::move(sparsity));
}

// A request of sample 0 with SLO multiplier 1.
// The engine and Scheduler tests' two-variant set: "a" layers [1, 2] s, "b" layers [0.5, 0.5] s,
// one sample each, separate architectures.
inline ProfileSet tiny_set() {
  return ProfileSet(
      {simple_variant("a", "a", 2, {1.0, 2.0}), simple_variant("b", "b", 2, {0.5, 0.5})});
}

// A request of priority 1, SLO multiplier 1 and deadline arrival + 100 s.
inline Request req(double arrival, std::uint32_t variant, std::uint32_t sample_pos = 0) {
  return {.arrival_s = arrival,
          .variant = variant,
          .sample_pos = sample_pos,
          .priority = 1,
          .slo_multiplier = 1,
          .deadline_s = arrival + 100};
}

inline Request request(double arrival, std::uint32_t variant, int priority, double deadline) {
  return {.arrival_s = arrival,
          .variant = variant,
          .sample_pos = 0,
          .priority = priority,
          .slo_multiplier = 1,
          .deadline_s = deadline};
}

// Every field of two RunMetrics equal, doubles with == (bit for bit for non-NaN values).
inline void expect_same_metrics(const RunMetrics& a, const RunMetrics& b) {
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.violations, b.violations);
  EXPECT_EQ(a.slo_violation_rate, b.slo_violation_rate);
  EXPECT_EQ(a.dropped, b.dropped);
  EXPECT_EQ(a.drop_rate, b.drop_rate);
  EXPECT_EQ(a.goodput_inf_s, b.goodput_inf_s);
  EXPECT_EQ(a.antt, b.antt);
  EXPECT_EQ(a.throughput_inf_s, b.throughput_inf_s);
  EXPECT_EQ(a.stp_multiprogram, b.stp_multiprogram);
  EXPECT_EQ(a.turnaround_s.p50, b.turnaround_s.p50);
  EXPECT_EQ(a.turnaround_s.p90, b.turnaround_s.p90);
  EXPECT_EQ(a.turnaround_s.p99, b.turnaround_s.p99);
  EXPECT_EQ(a.normalized_turnaround.p50, b.normalized_turnaround.p50);
  EXPECT_EQ(a.normalized_turnaround.p90, b.normalized_turnaround.p90);
  EXPECT_EQ(a.normalized_turnaround.p99, b.normalized_turnaround.p99);
  EXPECT_EQ(a.jain_fairness, b.jain_fairness);
  EXPECT_EQ(a.by_variant, b.by_variant);
  EXPECT_EQ(a.by_architecture, b.by_architecture);
  EXPECT_EQ(a.by_priority, b.by_priority);
  EXPECT_EQ(a.max_ready, b.max_ready);
  EXPECT_EQ(a.decisions, b.decisions);
  EXPECT_EQ(a.layers_executed, b.layers_executed);
  EXPECT_EQ(a.clock_rollbacks, b.clock_rollbacks);
  EXPECT_EQ(a.makespan_s, b.makespan_s);
  EXPECT_EQ(a.idle_s, b.idle_s);
  EXPECT_EQ(a.policy_statistics, b.policy_statistics);
}

}  // namespace dysta::test
