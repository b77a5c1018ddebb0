// Metrics of one run (spec E, plus the breakdowns researchers expect).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dysta/engine.h"
#include "dysta/profile.h"
#include "dysta/workload.h"

namespace dysta {

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0;
};

struct GroupRate {
  std::size_t requests = 0;
  std::size_t violations = 0;
  double rate() const { return requests ? static_cast<double>(violations) / requests : 0.0; }
  bool operator==(const GroupRate&) const = default;
};

struct RunMetrics {
  std::size_t requests = 0;
  std::size_t violations = 0;  // late or dropped
  // Fraction of requests finishing strictly after their deadline (spec E); a request dropped by
  // EngineOptions::drop counts as a violation.
  double slo_violation_rate = 0;
  // Requests dropped by EngineOptions::drop and their fraction of `requests` (0 when drop is off).
  // With drops, ANTT, STP, fairness and the turnaround percentiles are over the served requests.
  std::size_t dropped = 0;
  double drop_rate = 0;
  // Goodput: requests that finished by their deadline per second, (requests - violations) /
  // makespan_s.
  double goodput_inf_s = 0;
  // Average normalised turnaround time: mean of (finish - arrival) / true isolated latency (spec
  // E), summed as MetricsOptions::sums says (batch runs: numpy's pairwise summation in completion
  // order, L.2).
  double antt = 0;
  // Inferences per second: served requests / makespan_s. The artifact calls this "STP".
  double throughput_inf_s = 0;
  // System throughput in the multiprogram sense: sum over requests of isolated / turnaround.
  double stp_multiprogram = 0;
  Percentiles turnaround_s;  // as MetricsOptions::percentiles says (batch runs: exact)
  Percentiles normalized_turnaround;
  // Jain's fairness index of normalised progress (isolated / turnaround), in (0, 1].
  double jain_fairness = 0;
  std::map<std::string, GroupRate> by_variant;
  std::map<std::string, GroupRate> by_architecture;
  std::map<int, GroupRate> by_priority;
  std::size_t max_ready = 0;
  std::size_t decisions = 0;
  std::size_t layers_executed = 0;
  std::size_t clock_rollbacks = 0;
  double makespan_s = 0;  // last served finish - first arrival
  double idle_s = 0;
  // The policy's own counters (PolicyStatistics, e.g. dysta_hw's hardware statistics); empty
  // for policies without them. summary.json "policy_statistics".
  std::map<std::string, double> policy_statistics;
};

// Subscribes to a run and keeps the policy's PolicyStatistics at its end (on_run_end()).
class PolicyStatisticsRecorder final : public EngineObserver {
 public:
  bool wants_decisions() const override { return false; }
  bool wants_layers() const override { return false; }
  bool wants_request_events() const override { return false; }
  void on_run_end(const Policy& policy) override;
  const std::map<std::string, double>& statistics() const { return statistics_; }

 private:
  std::map<std::string, double> statistics_;
};

// Log-bucketed quantile sketch (the DDSketch construction): a positive value x falls in bucket
// ceil(log(x) / log(g)) with g = (1 + a) / (1 - a), and a bucket reports 2 g^i / (g + 1), so every
// reported quantile is within relative error `a` of a value of that rank. Values <= 0 are
// counted as 0. Deterministic and independent of the order of add(); memory ~ log(max/min) /
// (2a) counters.
class QuantileSketch {
 public:
  explicit QuantileSketch(double relative_accuracy = 1e-3);
  void add(double x);
  std::uint64_t count() const { return count_; }
  // Value of rank floor(q / 100 * (count - 1)) (0-based), within the relative accuracy.
  double quantile(double q) const;
  double relative_accuracy() const { return accuracy_; }
  // Adds every value `other` holds: afterwards the sketch equals one fed both streams, in any
  // order (bucket counts add). Throws std::invalid_argument for a different relative accuracy.
  void merge(const QuantileSketch& other);

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

// How a MetricsAccumulator reduces the requests it is fed. Batch runs (compute_metrics,
// run_policy, sweeps) use batch(); streaming runs (run_streaming, `dysta run --stream`) use
// streaming(). Counts, rates, groups, makespan and goodput do not depend on these options.
struct MetricsOptions {
  // The sums behind ANTT, STP and Jain fairness.
  enum class Sums {
    // The reference artifact's orders (spec E, L.2): ANTT = numpy.mean of the normalised
    // turnarounds in completion order (pairwise summation); STP and Jain's two sums left to right
    // in request order. Keeps three doubles per served request.
    artifact,
    // Neumaier-compensated running sums in completion order (CompensatedSum): O(1) memory; within
    // about one rounding of the exact sum, so the last bits can differ from `artifact`.
    compensated,
  };
  // Turnaround and normalised-turnaround percentiles.
  enum class Percentiles {
    // Linear interpolation between order statistics (percentile(), numpy's default). Keeps two
    // doubles per served request.
    exact,
    // QuantileSketch: the order statistic of rank floor(q / 100 * (n - 1)), within
    // relative_accuracy; no interpolation. O(log(max / min) / relative_accuracy) memory.
    sketch,
  };
  Sums sums = Sums::artifact;
  Percentiles percentiles = Percentiles::exact;
  double relative_accuracy = 1e-3;  // sketch only; in (0, 1)

  static MetricsOptions batch() { return {}; }
  // O(1) memory per request, or exact percentiles (O(n)) with `exact_percentiles`.
  static MetricsOptions streaming(bool exact_percentiles = false) {
    return {Sums::compensated, exact_percentiles ? Percentiles::exact : Percentiles::sketch, 1e-3};
  }
};

// The one computation of RunMetrics (spec E): fed every request of a run once, as a completion
// or a drop, in completion order (as an observer of the run, or replayed from a RunResult by
// compute_metrics()). Results depend only on what was fed, in that order, and the options.
// A request violates its SLO when it finishes strictly after its deadline or is dropped; a
// dropped request counts in `requests`, `violations`, `dropped` and its groups, nothing else.
// Makespan = last served finish - earliest arrival fed. When no request is served, ANTT, STP,
// fairness, throughput, goodput, makespan and the percentiles are 0.
class MetricsAccumulator final : public CompletionSink {
 public:
  explicit MetricsAccumulator(const ProfileSet& profiles,
                              const MetricsOptions& options = MetricsOptions::batch());
  bool wants_request_events() const override { return false; }
  // `index`: the request's number in its run (0, 1, ... in arrival order), each at most once.
  void on_completion(const Request& request, std::uint32_t index, double first_start_s,
                     double finish_s) override;
  void on_drop(const Request& request, std::uint32_t index, double now_s) override;
  // on_completion(requests[i], i, 0, finish_s[i]) for each i of `order` in turn, in one pass
  // (compute_metrics()); every i < requests.size() and finish_s.size().
  void on_completions(std::span<const Request> requests, std::span<const std::uint32_t> order,
                      std::span<const double> finish_s);
  // Capacity for `requests` requests fed (no effect on results; avoids regrowing the buffers).
  void reserve(std::size_t requests);
  // The metrics of everything fed so far; the engine counters (decisions, layers, max ready,
  // clock rollbacks, idle time) come from `stats`.
  RunMetrics finish(const EngineStats& stats) const;
  // The turnaround sketch of the served requests (Percentiles::sketch; empty otherwise), for
  // merging the sketches of several devices.
  const QuantileSketch& turnaround_sketch() const { return turnaround_sketch_; }

 private:
  void count(const Request& request, bool violated);
  GroupRate& priority_group(int priority);

  // Priorities in [0, kDensePriorities) are counted in a vector indexed by priority, others in a
  // map; finish() reports the priorities with requests.
  static constexpr int kDensePriorities = 64;

  const ProfileSet& profiles_;
  MetricsOptions options_;
  std::vector<GroupRate> by_variant_;  // by variant index
  std::vector<GroupRate> by_dense_priority_;
  std::map<int, GroupRate> by_sparse_priority_;
  std::size_t served_ = 0, violations_ = 0, dropped_ = 0;
  double first_arrival_s_;  // +inf until a request is fed
  double last_finish_s_ = 0;
  // Sums::compensated
  CompensatedSum normalized_sum_, progress_sum_, progress_sq_sum_;
  // Buffers written in full after they grow (on_completions()): elements are left
  // uninitialised instead of zeroed first.
  template <class T>
  struct UninitialisedAllocator : std::allocator<T> {
    using value_type = T;
    template <class U>
    struct rebind {
      using other = UninitialisedAllocator<U>;
    };
    UninitialisedAllocator() = default;
    template <class U>
    UninitialisedAllocator(const UninitialisedAllocator<U>&) {}
    template <class U>
    void construct(U* p) {
      ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  };
  using Values = std::vector<double, UninitialisedAllocator<double>>;
  struct Progress {
    std::uint32_t index;  // request number
    double progress;
  };
  // The IEEE bit patterns' smallest and largest of some values (percentiles_of()).
  struct BitRange {
    std::uint64_t lo = ~std::uint64_t{0}, hi = 0;
  };

  // Sums::artifact: NTTs in completion order (with exact percentiles also their percentiles'
  // input); (request number, progress) pairs
  Values normalized_by_completion_;
  std::vector<Progress, UninitialisedAllocator<Progress>> progress_;
  // Percentiles
  QuantileSketch turnaround_sketch_, normalized_sketch_;
  Values turnaround_;  // exact only
  Values normalized_;  // exact only, when normalized_by_completion_ does not hold them
  BitRange turnaround_bits_, normalized_bits_;  // exact only: of turnaround_ and the NTTs
};

// Feeds `result` (every request completed or dropped; completions in result.finish_order) to a
// MetricsAccumulator. Throws std::invalid_argument when the result does not account for every
// request exactly once.
RunMetrics compute_metrics(const ProfileSet& profiles, std::span<const Request> requests,
                           const RunResult& result,
                           const MetricsOptions& options = MetricsOptions::batch());

// The metrics of the schedule `result` (nothing dropped) for `requests` whose deadlines may differ
// from those `base` was computed with: `base` is compute_metrics() of the same result for the same
// requests except deadline_s and slo_multiplier. Returns exactly what compute_metrics(profiles,
// requests, result) returns, recounting only what reads deadlines (violations, the violation
// rate, goodput and the groups' violations); O(requests). Sweeps use it for the points of a
// shared schedule (sweep_runner.h). Throws std::invalid_argument when `result` is sized for
// another request list or dropped requests.
RunMetrics recount_violations(RunMetrics base, const ProfileSet& profiles,
                              std::span<const Request> requests, const RunResult& result);

// Linear-interpolation percentile (numpy's default method) of unsorted values; q in [0, 100].
// By selection (std::nth_element, O(n) expected), the same value as after a full sort.
double percentile(std::vector<double> values, double q);
// {percentile(values, 50), percentile(values, 90), percentile(values, 99)} with one copy.
Percentiles percentiles_50_90_99(std::vector<double> values);

}  // namespace dysta
