#include "dysta/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace dysta {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 10) return fmt::format("{:.1f} s", s);
  if (s < 60) return fmt::format("{:.0f} s", s);
  const auto total = static_cast<long long>(s + 0.5);
  const long long h = total / 3600, m = total / 60 % 60, sec = total % 60;
  return h > 0 ? fmt::format("{}:{:02}:{:02}", h, m, sec) : fmt::format("{}:{:02}", m, sec);
}

Progress::Mode Progress::auto_mode(bool quiet, std::FILE* out) {
  if (quiet) return Mode::off;
  return ::isatty(::fileno(out)) ? Mode::bar : Mode::lines;
}

Progress::Progress(std::string what, std::size_t total, std::size_t skipped, Mode mode,
                   double interval_s, std::FILE* out)
    : what_(std::move(what)),
      total_(total),
      skipped_(skipped),
      mode_(mode),
      interval_s_(mode == Mode::bar ? 0.1 : interval_s),
      out_(out),
      start_(std::chrono::steady_clock::now()) {
  const auto first = mode_ == Mode::bar ? 0.0 : interval_s_;
  next_print_ns_ = static_cast<std::int64_t>(first * 1e9);
  if (mode_ == Mode::lines) {
    std::fprintf(out_, "%s\n",
                 fmt::format("{}: {} to run{}", what_, total_,
                             skipped_ ? fmt::format(", {} already done (skipped)", skipped_) : "")
                     .c_str());
    std::fflush(out_);
  }
}

void Progress::add(std::size_t n) {
  done_.fetch_add(n);
  if (mode_ == Mode::off) return;
  const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - start_)
                                  .count();
  std::int64_t due = next_print_ns_.load();
  if (now_ns < due) return;
  if (!next_print_ns_.compare_exchange_strong(
          due, now_ns + static_cast<std::int64_t>(interval_s_ * 1e9)))
    return;
  std::lock_guard lock(print_mutex_);
  if (!finished_) print(false);
}

void Progress::finish() {
  std::lock_guard lock(print_mutex_);
  if (finished_ || mode_ == Mode::off) return;
  print(true);
  finished_ = true;
}

void Progress::print(bool final) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::size_t done = std::min(done_.load(), total_);
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  const double fraction = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1;
  const std::string eta =
      rate > 0 ? format_duration(static_cast<double>(total_ - done) / rate) : "?";
  std::string line;
  if (mode_ == Mode::bar) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    const std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
    line = final ? fmt::format("\r{}: [{}] {}/{} in {} ({:.1f}/s)\033[K\n", what_, bar, done,
                               total_, format_duration(elapsed), rate)
                 : fmt::format("\r{}: [{}] {}/{} {:3.0f}%  {:.1f}/s  ETA {}\033[K", what_, bar,
                               done, total_, fraction * 100, rate, eta);
  } else {
    line = final ? fmt::format("{}: {}/{} done in {} ({:.1f}/s)\n", what_, done, total_,
                               format_duration(elapsed), rate)
                 : fmt::format("{}: {}/{} ({:.0f}%), {:.1f}/s, ETA {}\n", what_, done, total_,
                               fraction * 100, rate, eta);
  }
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

}  // namespace dysta
