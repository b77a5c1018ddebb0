// Many accelerators: a cluster of devices, each a Scheduler with its own policy and predictor, and
// a dispatcher that binds every arriving request to one device (early binding). docs/cluster.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/metrics.h"
#include "dysta/profile.h"
#include "dysta/registry.h"
#include "dysta/scheduler.h"
#include "dysta/streaming.h"
#include "dysta/workload.h"

namespace dysta {

// `count` identical devices: one accelerator kind (its profile set), one local policy and one
// predictor. A device's profile set is both its latency tables and its estimate source, as in
// simulate_stream().
struct DeviceGroup {
  std::string name;
  std::size_t count = 1;
  std::shared_ptr<const ProfileSet> profiles;
  std::string policy = "dysta";
  std::map<std::string, ParamValues> policy_params;  // per policy name
  std::string predictor = "average";
  ParamValues predictor_params;
  DropRule drop = DropRule::none;
};

// The profile set of an accelerator `speed` times as fast: every layer latency divided by
// `speed` (> 0) and the derived tables recomputed; speed 1 returns an identical copy.
ProfileSet scaled_profiles(const ProfileSet& profiles, double speed);

// The devices of a cluster and the models they serve. Devices are numbered group by group in
// group order. The catalogue is the union of the groups' models, sorted by name; for each model
// the variant of the first group that has it (its profile defines the request's deadline, spec
// B.4, and the sample drawn). A request's `variant` indexes the catalogue; on a device it becomes
// that device's variant of the same name and sample position `sample_pos mod num_samples`.
class Cluster {
 public:
  // Throws InputError (field "cluster.groups...") for an empty cluster, a group without devices
  // or profiles, or two groups of one name.
  explicit Cluster(std::vector<DeviceGroup> groups);

  std::span<const DeviceGroup> groups() const { return groups_; }
  std::size_t num_devices() const { return device_group_.size(); }
  std::uint32_t group_of(std::size_t device) const { return device_group_[device]; }
  const ProfileSet& catalogue() const { return catalogue_; }
  // The group's variant index of catalogue model `model`, or -1 when the group lacks it.
  std::int64_t local_variant(std::size_t group, std::size_t model) const {
    return local_[group * catalogue_.size() + model];
  }
  // Devices that can serve catalogue model `model`, ascending (never empty).
  std::span<const std::uint32_t> eligible(std::size_t model) const { return eligible_[model]; }
  // The request as device group `group` runs it (variant and sample translated). Requires the
  // group to have the model.
  Request local_request(const Request& request, std::size_t group) const;

 private:
  std::vector<DeviceGroup> groups_;
  std::vector<std::uint32_t> device_group_;
  ProfileSet catalogue_;
  std::vector<std::int64_t> local_;  // [group][model]
  std::vector<std::vector<std::uint32_t>> eligible_;
};

// What a dispatcher may know about a device at a dispatch instant t: the device as it is at t
// (layers that ended before t are done; a layer ending at exactly t or later is still running).
struct DeviceState {
  std::uint32_t group = 0;
  // Requests dispatched to the device and not yet finished or dropped (including the running one).
  std::uint32_t in_flight = 0;
  // Sum over in-flight requests of the remaining latency by the device's per-variant average
  // tables (est_remaining_pattern_s, whatever the policy), seconds. Not sparsity aware.
  double outstanding_s = 0;
  // Sum over in-flight requests of gamma x Rest as the device's own policy and predictor estimate
  // them (spec C; for monitored policies gamma follows the measured sparsity), seconds.
  double outstanding_monitored_s = 0;
  std::uint64_t dispatched = 0;
};

// One dispatch decision.
struct DispatchContext {
  double now_s = 0;                         // the request's arrival
  const Request* request;                   // catalogue variant
  std::uint32_t model = 0;                  // = request->variant
  std::span<const std::uint32_t> eligible;  // devices that can serve it, ascending; never empty
  std::span<const DeviceState> devices;     // every device, by number
  // Estimated isolated latency of this request on each group (Rest at admission as the group's
  // policy estimates it; NaN where the group lacks the model), seconds.
  std::span<const double> isolated_est_s;
};

// Contract: choose() returns one of ctx.eligible, depends only on its arguments and the
// dispatcher's own members (its seeded generator), and does not allocate per call. One object
// serves one run.
class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  virtual std::uint32_t choose(const DispatchContext& ctx) = 0;
  // True when choose() never reads ctx.devices: the devices can then be simulated independently
  // (in parallel) after every request is dispatched.
  virtual bool oblivious() const { return false; }
};

struct DispatcherInfo {
  std::string name;
  std::string description;  // one line, shown by `dysta list`
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Dispatcher>(const ParamValues&, const Cluster&)> make;
};

Registry<DispatcherInfo>& dispatcher_registry();

// Creates a registered dispatcher; throws InputError for an unknown name or parameter.
std::unique_ptr<Dispatcher> make_dispatcher(const std::string& name, const ParamValues& params,
                                            const Cluster& cluster);

// When a request is bound to a device.
//   early  at its arrival, by the dispatcher among every eligible device (the default)
//   late   at its arrival only if an eligible device has a free slot (fewer than `late_depth`
//          requests in flight), by the dispatcher among those; otherwise it waits in a central
//          queue, and a device that completes or drops a request pulls the earliest-arrived
//          queued request it can serve (ties: the lower catalogue model) at that layer boundary.
//          With late_depth 1 a device runs one request at a time.
enum class Binding : std::uint8_t { early, late };
const char* to_string(Binding binding);

struct ClusterOptions {
  Binding binding = Binding::early;
  std::uint32_t late_depth = 1;  // late binding: requests in flight per device, >= 1
  std::string dispatcher = "round_robin";
  ParamValues dispatcher_params;
  // Threads (0 = all cores); results never depend on it. An oblivious dispatcher with early
  // binding simulates the devices on this many workers (the whole stream in memory); any other
  // run with threads > 1 keeps its one event loop (each decision needs every device's state at
  // the arrival) and calls the sinks on a second thread through a bounded ring (docs/cluster.md).
  unsigned threads = 1;
};

// Per device: what simulate_stream() would report for its sub-stream, and the dispatch count.
struct DeviceRun {
  EngineStats stats;
  std::uint64_t dispatched = 0;
  double busy_s = 0;  // time the device ran layers (incl. decision overheads) = last_finish - idle
};

// Runs the requests of `source` (catalogue variants, arrival order, corrected semantics: spec
// B.6 admission with arrival <= now) on the cluster. Each request is dispatched at its arrival t
// after every device has processed its layer boundaries before t; the chosen device admits it at
// t. `sinks[d]` (one per device, not owned) receives device d's completions and drops with its
// local requests and admission numbers, in the device's order; a sink is called from one thread
// at a time, always with the calls and order of a one-thread run. A one-device cluster makes
// exactly the Scheduler calls of simulate_stream(). Memory: the requests in flight plus a fixed
// ring of 8,192 sink records (oblivious dispatchers with threads != 1: the whole stream).
std::vector<DeviceRun> simulate_cluster(const Cluster& cluster, RequestSource& source,
                                        const ClusterOptions& options,
                                        std::span<CompletionSink* const> sinks);

// ---- Metrics ---------------------------------------------------------------------------------

// Collects one device's run like simulate() does (per-request finish times in admission order),
// so its metrics are compute_metrics() of the device's sub-stream.
class DeviceRecorder final : public CompletionSink {
 public:
  void on_completion(const Request& request, std::uint32_t number, double first_start_s,
                     double finish_s) override;
  void on_drop(const Request& request, std::uint32_t number, double now_s) override;
  // The sub-stream in admission order and its RunResult (stats from the DeviceRun).
  const std::vector<Request>& requests() const { return requests_; }
  RunResult result(const EngineStats& stats) const;
  // (finish_s, normalized turnaround, served) in the device's completion order.
  struct Done {
    double finish_s;
    double turnaround_s;
    double isolated_s;
    bool dropped;
    bool violated;
  };
  const std::vector<Done>& done() const { return done_; }
  // The device's profile set (for isolated latencies); required before the run.
  void bind(const ProfileSet* profiles) { profiles_ = profiles; }

 private:
  void ensure(std::uint32_t number);
  const ProfileSet* profiles_ = nullptr;
  std::vector<Request> requests_;
  std::vector<double> finish_s_, first_start_s_;
  std::vector<std::uint8_t> dropped_;
  std::vector<std::uint32_t> finish_order_;
  std::vector<Done> done_;
};

struct AggregateMetrics {
  std::size_t requests = 0, violations = 0, dropped = 0;
  double slo_violation_rate = 0;
  double antt = 0;           // mean normalised turnaround of served requests (device isolated)
  double goodput_inf_s = 0;  // on-time requests / makespan
  double throughput_inf_s = 0;
  double makespan_s = 0;  // last finish - first arrival
  Percentiles turnaround_s;
  double utilisation = 0;     // mean over the devices of busy_s / cluster end time
  double load_imbalance = 0;  // coefficient of variation (population) of device utilisation
  std::uint64_t dispatched = 0;
};

struct ClusterMetrics {
  AggregateMetrics total;
  std::vector<AggregateMetrics> groups;  // by group
  std::vector<RunMetrics> devices;       // compute_metrics() of each device's sub-stream
  std::vector<double> device_utilisation;
  std::vector<std::uint64_t> device_dispatched;
};

// Metrics of a run: per device, per group and total. Totals over the union of the devices'
// completions merged in (finish time, device) order; ANTT with numpy's pairwise summation in that
// order, so a one-device cluster's totals equal its device's metrics. Utilisation is over
// [0, latest finish of any device].
ClusterMetrics cluster_metrics(const Cluster& cluster, std::span<const DeviceRun> runs,
                               std::span<const DeviceRecorder> recorders);

// The same from per-device MetricsAccumulators with MetricsOptions::streaming() (memory independent
// of the stream length): device metrics are MetricsAccumulator::finish(); totals and groups sum the
// counts, weight each device's ANTT by its served requests and take the turnaround percentiles
// from the merged device sketches (QuantileSketch::merge: within the sketch's relative accuracy of
// the order statistic of rank floor(q / 100 x (served - 1)) over all the devices' served requests).
ClusterMetrics cluster_metrics_online(const Cluster& cluster, std::span<const DeviceRun> runs,
                                      std::span<const MetricsAccumulator> online);

}  // namespace dysta

// Registers a DispatcherInfo at start-up: DYSTA_REGISTER_DISPATCHER({"name", "description", ...});
#define DYSTA_REGISTER_DISPATCHER(...)                                                      \
  [[maybe_unused]] static const bool DYSTA_CONCAT(dysta_dispatcher_registered_, __LINE__) = \
      ::dysta::dispatcher_registry().add(::dysta::DispatcherInfo __VA_ARGS__)
