// Cluster metrics: each device's compute_metrics() and the per-group and total aggregates.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "dysta/cluster.h"
#include "dysta/numeric.h"

namespace dysta {

void DeviceRecorder::ensure(std::uint32_t number) {
  if (number >= requests_.size()) {
    requests_.resize(number + 1);
    finish_s_.resize(number + 1, -1.0);
    first_start_s_.resize(number + 1, -1.0);
    dropped_.resize(number + 1, 0);
  }
}

void DeviceRecorder::on_completion(const Request& request, std::uint32_t number,
                                   double first_start_s, double finish_s) {
  ensure(number);
  requests_[number] = request;
  finish_s_[number] = finish_s;
  first_start_s_[number] = first_start_s;
  finish_order_.push_back(number);
  if (!profiles_) throw std::logic_error("DeviceRecorder: bind() the device's profile set first");
  const double isolated = profiles_->variant(request.variant).remaining(request.sample_pos)[0];
  done_.push_back(
      {finish_s, finish_s - request.arrival_s, isolated, false, finish_s > request.deadline_s});
}

void DeviceRecorder::on_drop(const Request& request, std::uint32_t number, double now_s) {
  ensure(number);
  requests_[number] = request;
  finish_s_[number] = now_s;
  dropped_[number] = 1;
  done_.push_back({now_s, 0, 0, true, true});
}

RunResult DeviceRecorder::result(const EngineStats& stats) const {
  RunResult r;
  static_cast<EngineStats&>(r) = stats;
  r.finish_s = finish_s_;
  r.first_start_s = first_start_s_;
  r.finish_order = finish_order_;
  if (std::find(dropped_.begin(), dropped_.end(), 1) != dropped_.end()) r.dropped_flags = dropped_;
  return r;
}

namespace {

struct Ref {
  double finish_s;
  std::uint32_t device;
  const DeviceRecorder::Done* done;
};

// Aggregates the completions `refs` (already in (finish, device) order) of the given devices.
AggregateMetrics aggregate(const std::vector<Ref>& refs, const std::vector<std::size_t>& devices,
                           std::span<const DeviceRun> runs, std::span<const double> utilisation,
                           double first_arrival_s) {
  AggregateMetrics m;
  std::vector<double> normalized, turnaround;
  double last_finish = 0;
  for (const Ref& r : refs) {
    ++m.requests;
    if (r.done->violated) ++m.violations;
    if (r.done->dropped) {
      ++m.dropped;
      continue;
    }
    if (last_finish <= r.finish_s) last_finish = r.finish_s;
    turnaround.push_back(r.done->turnaround_s);
    normalized.push_back(r.done->turnaround_s / r.done->isolated_s);
  }
  for (std::size_t d : devices) m.dispatched += runs[d].dispatched;
  double sum_u = 0;
  for (std::size_t d : devices) sum_u += utilisation[d];
  const double n_dev = static_cast<double>(devices.size());
  m.utilisation = devices.empty() ? 0.0 : sum_u / n_dev;
  if (!devices.empty() && m.utilisation > 0) {
    double sq = 0;
    for (std::size_t d : devices)
      sq += (utilisation[d] - m.utilisation) * (utilisation[d] - m.utilisation);
    m.load_imbalance = std::sqrt(sq / n_dev) / m.utilisation;
  }
  if (m.requests == 0) return m;
  const std::size_t served = m.requests - m.dropped;
  m.slo_violation_rate = static_cast<double>(m.violations) / static_cast<double>(m.requests);
  m.antt = served ? numpy_mean(normalized) : 0.0;
  m.makespan_s = last_finish - first_arrival_s;
  m.throughput_inf_s = static_cast<double>(served) / m.makespan_s;
  m.goodput_inf_s = static_cast<double>(m.requests - m.violations) / m.makespan_s;
  m.turnaround_s = {percentile(turnaround, 50), percentile(turnaround, 90),
                    percentile(turnaround, 99)};
  return m;
}

}  // namespace

ClusterMetrics cluster_metrics(const Cluster& cluster, std::span<const DeviceRun> runs,
                               std::span<const DeviceRecorder> recorders) {
  const std::size_t n = cluster.num_devices();
  ClusterMetrics out;
  double end_s = 0, first_arrival = std::numeric_limits<double>::infinity();
  for (std::size_t d = 0; d < n; ++d) {
    end_s = std::max(end_s, runs[d].stats.last_finish_s);
    if (runs[d].dispatched > 0)
      first_arrival = std::min(first_arrival, runs[d].stats.first_arrival_s);
  }
  for (std::size_t d = 0; d < n; ++d) {
    out.devices.push_back(runs[d].dispatched > 0
                              ? compute_metrics(*cluster.groups()[cluster.group_of(d)].profiles,
                                                recorders[d].requests(),
                                                recorders[d].result(runs[d].stats))
                              : RunMetrics{});
    out.device_utilisation.push_back(end_s > 0 ? runs[d].busy_s / end_s : 0.0);
    out.device_dispatched.push_back(runs[d].dispatched);
  }
  // Merge the devices' completion lists by (finish time, device); each list is in time order.
  std::vector<Ref> refs;
  for (std::size_t d = 0; d < n; ++d) {
    for (const auto& done : recorders[d].done()) {
      refs.push_back({done.finish_s, static_cast<std::uint32_t>(d), &done});
    }
  }
  std::stable_sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) {
    return a.finish_s != b.finish_s ? a.finish_s < b.finish_s : a.device < b.device;
  });
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  out.total = aggregate(refs, all, runs, out.device_utilisation, first_arrival);
  for (std::size_t g = 0; g < cluster.groups().size(); ++g) {
    std::vector<Ref> mine;
    std::vector<std::size_t> devices;
    for (std::size_t d = 0; d < n; ++d) {
      if (cluster.group_of(d) == g) devices.push_back(d);
    }
    for (const Ref& r : refs) {
      if (cluster.group_of(r.device) == g) mine.push_back(r);
    }
    double first = std::numeric_limits<double>::infinity();
    for (std::size_t d : devices) {
      if (runs[d].dispatched > 0) first = std::min(first, runs[d].stats.first_arrival_s);
    }
    out.groups.push_back(aggregate(mine, devices, runs, out.device_utilisation, first));
  }
  return out;
}

namespace {

// Totals of the devices `devices` from their RunMetrics (streaming); turnaround percentiles from
// the devices' sketches merged (exactly the sketch of all their served requests).
AggregateMetrics sum_devices(const std::vector<std::size_t>& devices,
                             std::span<const DeviceRun> runs, const ClusterMetrics& m,
                             std::span<const MetricsAccumulator> online) {
  AggregateMetrics a;
  std::optional<QuantileSketch> sketch;
  for (std::size_t d : devices) {
    if (!sketch) {
      sketch.emplace(online[d].turnaround_sketch());
    } else {
      sketch->merge(online[d].turnaround_sketch());
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  a.turnaround_s = {nan, nan, nan};  // no served request
  double first = std::numeric_limits<double>::infinity(), last = 0, weighted_antt = 0;
  for (std::size_t d : devices) {
    const RunMetrics& r = m.devices[d];
    a.requests += r.requests;
    a.violations += r.violations;
    a.dropped += r.dropped;
    a.dispatched += runs[d].dispatched;
    weighted_antt += r.antt * static_cast<double>(r.requests - r.dropped);
    if (runs[d].dispatched > 0) {
      first = std::min(first, runs[d].stats.first_arrival_s);
      last = std::max(last, runs[d].stats.last_finish_s);
    }
  }
  double sum_u = 0;
  for (std::size_t d : devices) sum_u += m.device_utilisation[d];
  const double n_dev = static_cast<double>(devices.size());
  a.utilisation = devices.empty() ? 0.0 : sum_u / n_dev;
  if (!devices.empty() && a.utilisation > 0) {
    double sq = 0;
    for (std::size_t d : devices) {
      const double x = m.device_utilisation[d] - a.utilisation;
      sq += x * x;
    }
    a.load_imbalance = std::sqrt(sq / n_dev) / a.utilisation;
  }
  if (a.requests == 0) return a;
  const std::size_t served = a.requests - a.dropped;
  a.slo_violation_rate = static_cast<double>(a.violations) / static_cast<double>(a.requests);
  a.antt = served ? weighted_antt / static_cast<double>(served) : 0.0;
  a.makespan_s = last - first;
  a.throughput_inf_s = static_cast<double>(served) / a.makespan_s;
  a.goodput_inf_s = static_cast<double>(a.requests - a.violations) / a.makespan_s;
  if (sketch && sketch->count() > 0) {
    a.turnaround_s = {sketch->quantile(50), sketch->quantile(90), sketch->quantile(99)};
  }
  return a;
}

}  // namespace

ClusterMetrics cluster_metrics_online(const Cluster& cluster, std::span<const DeviceRun> runs,
                                      std::span<const MetricsAccumulator> online) {
  const std::size_t n = cluster.num_devices();
  ClusterMetrics out;
  double end_s = 0;
  for (std::size_t d = 0; d < n; ++d) end_s = std::max(end_s, runs[d].stats.last_finish_s);
  for (std::size_t d = 0; d < n; ++d) {
    out.devices.push_back(runs[d].dispatched > 0 ? online[d].finish(runs[d].stats) : RunMetrics{});
    out.device_utilisation.push_back(end_s > 0 ? runs[d].busy_s / end_s : 0.0);
    out.device_dispatched.push_back(runs[d].dispatched);
  }
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  out.total = sum_devices(all, runs, out, online);
  for (std::size_t g = 0; g < cluster.groups().size(); ++g) {
    std::vector<std::size_t> devices;
    for (std::size_t d = 0; d < n; ++d) {
      if (cluster.group_of(d) == g) devices.push_back(d);
    }
    out.groups.push_back(sum_devices(devices, runs, out, online));
  }
  return out;
}

}  // namespace dysta
