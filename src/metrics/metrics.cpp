#include "dysta/metrics.h"

#include <algorithm>
#include <cmath>

#include "dysta/numeric.h"

namespace dysta {

namespace {
// percentile() of values[from, end) where every value before `from` is <= every value from it on
// and q's lower index is >= from: selects the two neighbouring order statistics instead of
// sorting (O(n) expected), so the result is the sorted computation's value for value.
double select_percentile(std::vector<double>& values, std::size_t from, double q,
                         std::size_t& lower) {
  const double pos = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  const auto at = [&](std::size_t k) { return values.begin() + static_cast<std::ptrdiff_t>(k); };
  std::nth_element(at(from), at(lo), values.end());
  // After nth_element every value past lo is >= values[lo]: the next order statistic is their
  // minimum.
  const double next = hi == lo ? values[lo] : *std::min_element(at(hi), values.end());
  lower = lo;
  return values[lo] + (next - values[lo]) * frac;
}
}  // namespace

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::nan("");
  std::size_t lower = 0;
  return select_percentile(values, 0, q, lower);
}

Percentiles percentiles_50_90_99(std::vector<double> values) {
  if (values.empty()) return {std::nan(""), std::nan(""), std::nan("")};
  std::size_t from = 0;
  const double p50 = select_percentile(values, from, 50, from);
  const double p90 = select_percentile(values, from, 90, from);
  return {p50, p90, select_percentile(values, from, 99, from)};
}

void PolicyStatisticsRecorder::on_run_end(const Policy& policy) {
  const PolicyStatistics* s = policy_statistics(policy);
  statistics_ = s ? s->statistics() : std::map<std::string, double>{};
}

RunMetrics compute_metrics(const ProfileSet& profiles, std::span<const Request> requests,
                           const RunResult& result) {
  RunMetrics m;
  const std::size_t n = requests.size();
  m.requests = n;
  m.max_ready = result.max_ready;
  m.decisions = result.decisions;
  m.layers_executed = result.layers_executed;
  m.clock_rollbacks = result.clock_rollbacks;
  m.idle_s = result.idle_s;
  if (n == 0) return m;

  // Served requests fill turnaround and progress in request order; a dropped request only counts
  // as a violation (its finish_s is the drop time).
  const bool any_dropped = !result.dropped_flags.empty();
  std::vector<double> turnaround, normalized(n), normalized_served, progress;
  turnaround.reserve(n);
  normalized_served.reserve(n);
  progress.reserve(n);
  double last_finish = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Request& r = requests[i];
    const VariantProfile& v = profiles.variant(r.variant);
    const double finish = result.finish_s[i];
    const double isolated = v.remaining(r.sample_pos)[0];
    const bool dropped = any_dropped && result.dropped_flags[i] != 0;
    const bool violated = dropped || finish > r.deadline_s;
    if (violated) ++m.violations;
    auto count = [violated](GroupRate& g) {
      ++g.requests;
      if (violated) ++g.violations;
    };
    count(m.by_variant[v.name]);
    count(m.by_architecture[v.architecture]);
    count(m.by_priority[r.priority]);
    if (dropped) {
      ++m.dropped;
      continue;
    }
    if (last_finish <= finish) last_finish = finish;
    turnaround.push_back(finish - r.arrival_s);
    normalized[i] = turnaround.back() / isolated;
    normalized_served.push_back(normalized[i]);
    progress.push_back(isolated / turnaround.back());
  }
  m.slo_violation_rate = static_cast<double>(m.violations) / static_cast<double>(n);
  m.drop_rate = static_cast<double>(m.dropped) / static_cast<double>(n);
  const std::size_t served = n - m.dropped;

  std::vector<double> ntt_in_finish_order;
  ntt_in_finish_order.reserve(served);
  for (std::uint32_t idx : result.finish_order) ntt_in_finish_order.push_back(normalized[idx]);
  m.antt = served ? numpy_mean(ntt_in_finish_order) : 0.0;

  m.makespan_s = last_finish - requests[0].arrival_s;
  m.throughput_inf_s = static_cast<double>(served) / m.makespan_s;
  m.goodput_inf_s = static_cast<double>(n - m.violations) / m.makespan_s;
  double sum_p = 0, sum_p2 = 0;
  for (double p : progress) {
    sum_p += p;
    sum_p2 += p * p;
  }
  m.stp_multiprogram = sum_p;
  m.jain_fairness = sum_p2 > 0 ? (sum_p * sum_p) / (static_cast<double>(served) * sum_p2) : 0.0;
  m.turnaround_s = percentiles_50_90_99(std::move(turnaround));
  m.normalized_turnaround = percentiles_50_90_99(std::move(normalized_served));
  return m;
}

}  // namespace dysta
