// Streaming runs: requests generated on the fly and metrics computed online, so memory does not
// grow with the number of requests (issue: millions of requests in bounded memory).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/metrics.h"
#include "dysta/run.h"
#include "dysta/workload.h"

namespace dysta {

// Log-bucketed quantile sketch (the DDSketch construction): a positive value x falls in bucket
// ceil(log(x) / log(g)) with g = (1 + a) / (1 - a), and a bucket reports 2 g^i / (g + 1), so every
// reported quantile is within relative error `a` of a value of that rank. Values <= 0 are
// counted as 0. Deterministic; memory ~ log(max/min) / (2a) counters.
class QuantileSketch {
 public:
  explicit QuantileSketch(double relative_accuracy = 1e-3);
  void add(double x);
  std::uint64_t count() const { return count_; }
  // Value of rank floor(q / 100 * (count - 1)) (0-based), within the relative accuracy.
  double quantile(double q) const;
  double relative_accuracy() const { return accuracy_; }

 private:
  double accuracy_, log_gamma_, gamma_;
  std::vector<std::uint64_t> buckets_;  // buckets_[j] counts index offset_ + j
  std::int64_t offset_ = 0;
  std::uint64_t zeros_ = 0, count_ = 0;
};

// Sum with Neumaier compensation: exact to about one rounding of the final result.
class CompensatedSum {
 public:
  void add(double x);
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0, compensation_ = 0;
};

struct StreamingOptions {
  // Keep every turnaround (O(n) memory) for exact percentiles instead of the sketch.
  bool exact_percentiles = false;
  double relative_accuracy = 1e-3;
};

// A CompletionSink computing RunMetrics online: exact counts, violation rates and extrema;
// ANTT, STP and Jain fairness from compensated sums; percentiles from QuantileSketch (or exact).
class OnlineMetrics final : public CompletionSink {
 public:
  OnlineMetrics(const ProfileSet& profiles, const StreamingOptions& options);
  void on_completion(const Request& request, std::uint32_t index, double first_start_s,
                     double finish_s) override;
  RunMetrics finish(const EngineStats& stats) const;

 private:
  const ProfileSet& profiles_;
  StreamingOptions options_;
  std::vector<GroupRate> by_variant_;
  std::map<int, GroupRate> by_priority_;
  std::size_t count_ = 0, violations_ = 0;
  CompensatedSum normalized_sum_, progress_sum_, progress_sq_sum_;
  QuantileSketch turnaround_sketch_, normalized_sketch_;
  std::vector<double> turnaround_, normalized_;  // exact mode only
};

// Generates `spec.num_requests` requests lazily from `seed` (the same stream as
// generate_poisson_stream) and simulates them under `policy` with online metrics.
RunMetrics run_streaming(const ProfileSet& profiles, const StreamSpec& spec, std::uint64_t seed,
                         const std::string& policy, const PolicyChoice& choice, Semantics semantics,
                         const StreamingOptions& options = {});

}  // namespace dysta
