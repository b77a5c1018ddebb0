// Small hand-checkable clusters for the cluster tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dysta/cluster.h"
#include "dysta/engine.h"

namespace dysta::test {

// Models "a" (one layer of 1 s) and "b" (one layer of 3 s), one sample each, sparsity 0.5; an
// accelerator `speed` times as fast divides the latencies.
inline std::shared_ptr<const ProfileSet> tiny_profiles(double speed = 1,
                                                       std::vector<std::string> models = {"a",
                                                                                          "b"}) {
  std::vector<VariantProfile> variants;
  for (const std::string& m : models) {
    const double latency = m == "a" ? 1.0 : 3.0;
    variants.push_back(make_variant(m, m + "_arch", "", {0}, 1, {latency}, {0.5}));
  }
  return std::make_shared<const ProfileSet>(
      scaled_profiles(ProfileSet(std::move(variants)), speed));
}

inline DeviceGroup tiny_group(const std::string& name, std::size_t count,
                              std::shared_ptr<const ProfileSet> profiles,
                              const std::string& policy = "fcfs") {
  DeviceGroup g;
  g.name = name;
  g.count = count;
  g.profiles = std::move(profiles);
  g.policy = policy;
  return g;
}

// Requests of catalogue models at the given times (names resolved in the catalogue), SLO
// multiplier `m`.
inline std::vector<Request> tiny_requests(const Cluster& cluster,
                                          const std::vector<std::pair<double, std::string>>& at,
                                          double m = 10) {
  std::vector<Request> out;
  for (const auto& [t, model] : at) {
    Request r;
    r.arrival_s = t;
    r.variant = static_cast<std::uint32_t>(*cluster.catalogue().find(model));
    r.slo_multiplier = m;
    r.deadline_s = deadline_for(r, cluster.catalogue());
    out.push_back(r);
  }
  return out;
}

struct ClusterRun {
  std::vector<DeviceRun> runs;
  std::vector<DeviceRecorder> recorders;
  // Per device: the arrival times it received, in admission order.
  std::vector<std::vector<double>> arrivals() const {
    std::vector<std::vector<double>> out;
    for (const auto& r : recorders) {
      std::vector<double> times;
      for (const Request& q : r.requests()) times.push_back(q.arrival_s);
      out.push_back(times);
    }
    return out;
  }
};

inline ClusterRun run_cluster(const Cluster& cluster, const std::vector<Request>& requests,
                              const ClusterOptions& options) {
  ClusterRun out;
  out.recorders.resize(cluster.num_devices());
  std::vector<CompletionSink*> sinks;
  for (std::size_t d = 0; d < cluster.num_devices(); ++d) {
    out.recorders[d].bind(cluster.groups()[cluster.group_of(d)].profiles.get());
    sinks.push_back(&out.recorders[d]);
  }
  SpanSource source(requests);
  out.runs = simulate_cluster(cluster, source, options, sinks);
  return out;
}

}  // namespace dysta::test
