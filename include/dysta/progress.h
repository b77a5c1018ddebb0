// Progress of long runs on stderr: a redrawn bar with rate and ETA on a terminal, periodic plain
// lines otherwise (logs, CI, Slurm output files).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace dysta {

class Progress {
 public:
  enum class Mode { off, bar, lines };
  // `total` units will be counted by add(); `skipped` were already done (shown, not timed).
  // Mode::lines prints every `interval_s` seconds; Mode::bar redraws at most 10 times a second.
  Progress(std::string what, std::size_t total, std::size_t skipped, Mode mode,
           double interval_s = 10, std::FILE* out = stderr);
  // bar when `out` is a terminal, lines otherwise; off when quiet.
  static Mode auto_mode(bool quiet, std::FILE* out = stderr);

  // Thread-safe; cheap when nothing is printed.
  void add(std::size_t n = 1);
  // Prints the final state (once).
  void finish();
  std::size_t done() const { return done_.load(); }

 private:
  void print(bool final);
  std::string what_;
  std::size_t total_, skipped_;
  Mode mode_;
  double interval_s_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::size_t> done_{0};
  std::atomic<std::int64_t> next_print_ns_{0};
  std::mutex print_mutex_;
  bool finished_ = false;
};

// "1:02:03", "4:05" or "12 s".
std::string format_duration(double seconds);

}  // namespace dysta
