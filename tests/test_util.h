// Helpers shared by the tests.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/profile.h"

namespace dysta::test {

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

}  // namespace dysta::test
