// Metrics of one run (spec E, plus the breakdowns researchers expect).
#pragma once

#include <map>
#include <string>
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
  // Average normalised turnaround time: mean of (finish - arrival) / true isolated latency, summed
  // in completion order with numpy's pairwise summation (spec E, L.2).
  double antt = 0;
  // Inferences per second: N / (last finish - first arrival). The artifact calls this "STP".
  double throughput_inf_s = 0;
  // System throughput in the multiprogram sense: sum over requests of isolated / turnaround.
  double stp_multiprogram = 0;
  Percentiles turnaround_s;  // linear interpolation between order statistics
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
  double makespan_s = 0;  // last finish - first arrival
  double idle_s = 0;
  // The policy's own counters (PolicyStatistics, e.g. dysta_hw's hardware statistics); empty
  // for policies without them. summary.json "policy_statistics".
  std::map<std::string, double> policy_statistics;
};

// Subscribes to a run and keeps the policy's PolicyStatistics at its end (on_run_end()).
class PolicyStatisticsRecorder final : public EngineObserver {
 public:
  bool wants_decisions() const override { return false; }
  void on_run_end(const Policy& policy) override;
  const std::map<std::string, double>& statistics() const { return statistics_; }

 private:
  std::map<std::string, double> statistics_;
};

RunMetrics compute_metrics(const ProfileSet& profiles, std::span<const Request> requests,
                           const RunResult& result);

// Linear-interpolation percentile (numpy's default method) of unsorted values; q in [0, 100].
// By selection (std::nth_element, O(n) expected), the same value as after a full sort.
double percentile(std::vector<double> values, double q);
// {percentile(values, 50), percentile(values, 90), percentile(values, 99)} with one copy.
Percentiles percentiles_50_90_99(std::vector<double> values);

}  // namespace dysta
