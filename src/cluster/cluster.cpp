// Cluster set-up (catalogue, eligibility) and simulate_cluster(): one Scheduler per device,
// driven by a global event queue ordered by (time, device), with dispatch at each arrival.
#include "dysta/cluster.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <limits>
#include <queue>
#include <set>
#include <thread>
#include <unordered_map>

#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"

namespace dysta {

ProfileSet scaled_profiles(const ProfileSet& profiles, double speed) {
  if (!(speed > 0) || !std::isfinite(speed)) {
    throw InputError("", 0, "speed", "must be a finite number > 0");
  }
  std::vector<VariantProfile> variants;
  for (const VariantProfile& v : profiles.variants()) {
    if (speed == 1) {
      variants.push_back(v);
      continue;
    }
    std::vector<double> latency = v.latency_s;
    for (double& x : latency) x /= speed;
    VariantProfile scaled = make_variant(v.name, v.architecture, v.pattern, v.sample_ids,
                                         v.num_layers, std::move(latency), v.sparsity);
    scaled.source = v.source;
    scaled.format = v.format;
    variants.push_back(std::move(scaled));
  }
  return ProfileSet(std::move(variants));
}

const char* to_string(Binding binding) {
  return binding == Binding::late ? "late" : "early";
}

Registry<DispatcherInfo>& dispatcher_registry() {
  static Registry<DispatcherInfo> registry;
  return registry;
}

std::unique_ptr<Dispatcher> make_dispatcher(const std::string& name, const ParamValues& params,
                                            const Cluster& cluster) {
  const DispatcherInfo& info = dispatcher_registry().get("dispatcher", name);
  return info.make(resolve_params("dispatcher", name, info.params, params), cluster);
}

Cluster::Cluster(std::vector<DeviceGroup> groups) : groups_(std::move(groups)) {
  if (groups_.empty()) throw InputError("", 0, "cluster.groups", "no device group");
  std::set<std::string> names;
  std::vector<VariantProfile> catalogue;
  std::set<std::string> in_catalogue;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const DeviceGroup& group = groups_[g];
    const std::string field = "cluster.groups[" + std::to_string(g) + "]";
    if (group.count == 0) throw InputError("", 0, field + ".count", "must be >= 1");
    if (!group.profiles || group.profiles->size() == 0) {
      throw InputError("", 0, field + ".profiles", "empty profile set");
    }
    if (!names.insert(group.name).second) {
      throw InputError("", 0, field + ".name", "two groups named '" + group.name + "'");
    }
    for (std::size_t i = 0; i < group.count; ++i) {
      device_group_.push_back(static_cast<std::uint32_t>(g));
    }
    for (const VariantProfile& v : group.profiles->variants()) {
      if (in_catalogue.insert(v.name).second) catalogue.push_back(v);
    }
  }
  if (device_group_.size() > std::numeric_limits<std::uint32_t>::max() / 2) {
    throw InputError("", 0, "cluster.groups", "too many devices");
  }
  catalogue_ = ProfileSet(std::move(catalogue));
  const std::size_t models = catalogue_.size();
  local_.assign(groups_.size() * models, -1);
  eligible_.resize(models);
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (std::size_t m = 0; m < models; ++m) {
      if (const auto v = groups_[g].profiles->find(catalogue_.variant(m).name)) {
        local_[g * models + m] = static_cast<std::int64_t>(*v);
      }
    }
  }
  for (std::size_t d = 0; d < device_group_.size(); ++d) {
    for (std::size_t m = 0; m < models; ++m) {
      if (local_[device_group_[d] * models + m] >= 0) {
        eligible_[m].push_back(static_cast<std::uint32_t>(d));
      }
    }
  }
}

Request Cluster::local_request(const Request& request, std::size_t group) const {
  Request r = request;
  const std::int64_t v = local_variant(group, request.variant);
  if (v < 0) throw std::logic_error("Cluster::local_request: the group lacks the model");
  r.variant = static_cast<std::uint32_t>(v);
  const VariantProfile& profile = groups_[group].profiles->variant(r.variant);
  r.sample_pos = static_cast<std::uint32_t>(request.sample_pos % profile.num_samples());
  return r;
}

namespace {

const ParamValues& params_for(const DeviceGroup& g) {
  static const ParamValues kEmpty;
  const auto it = g.policy_params.find(g.policy);
  return it == g.policy_params.end() ? kEmpty : it->second;
}

// Keeps a device's DeviceState current from its Scheduler's completions and drops, then forwards
// them to the caller's sink.
class StateKeeper final : public CompletionSink {
 public:
  StateKeeper(DeviceState& state, CompletionSink* sink, const ProfileSet& profiles)
      : state_(state), sink_(sink), profiles_(profiles) {}
  void on_completion(const Request& r, std::uint32_t n, double first, double finish) override {
    leave(r, n);
    if (sink_) sink_->on_completion(r, n, first, finish);
  }
  void on_drop(const Request& r, std::uint32_t n, double now) override {
    leave(r, n);
    if (sink_) sink_->on_drop(r, n, now);
  }
  void on_run_end(const Policy& policy) override {
    if (sink_) sink_->on_run_end(policy);
  }

  // Per-task estimates the state sums: [admission number] -> (layers done, monitored estimate).
  struct Task {
    std::uint32_t layers_done = 0;
    double monitored_s = 0;
  };
  std::unordered_map<std::uint32_t, Task> tasks;

 private:
  void leave(const Request& r, std::uint32_t n) {
    const auto it = tasks.find(n);
    const VariantProfile& v = profiles_.variant(r.variant);
    state_.outstanding_s -= v.est_remaining_pattern_s[it->second.layers_done];
    state_.outstanding_monitored_s -= it->second.monitored_s;
    tasks.erase(it);
    if (--state_.in_flight == 0) {  // no drift past an empty device
      state_.outstanding_s = 0;
      state_.outstanding_monitored_s = 0;
    }
  }
  DeviceState& state_;
  CompletionSink* sink_;
  const ProfileSet& profiles_;
};

struct Device {
  const ProfileSet* profiles = nullptr;
  PolicyTraits traits;
  std::unique_ptr<Policy> policy;
  std::unique_ptr<Predictor> predictor;
  std::unique_ptr<ProfileOracle> oracle;
  std::unique_ptr<StateKeeper> keeper;
  std::unique_ptr<Scheduler> scheduler;
  DropRule drop = DropRule::none;
  bool running = false;
  bool armed = false;  // idle, admitted a request, its first decision is queued
  ScheduledLayer run;
  double busy_until = 0;
  double idle_s = 0;
};

void make_device(const Cluster& cluster, std::size_t d, DeviceState& state, CompletionSink* sink,
                 Device& dev) {
  const DeviceGroup& group = cluster.groups()[cluster.group_of(d)];
  dev.profiles = group.profiles.get();
  dev.traits = policy_registry().get("policy", group.policy).traits;
  dev.policy = make_policy(group.policy, params_for(group), Semantics::corrected);
  dev.predictor =
      make_predictor(group.predictor, *dev.profiles, group.predictor_params, Semantics::corrected);
  dev.oracle = std::make_unique<ProfileOracle>(*dev.profiles);
  dev.keeper = std::make_unique<StateKeeper>(state, sink, *dev.profiles);
  SchedulerOptions options;
  options.observers.push_back(dev.keeper.get());
  options.oracle = dev.oracle.get();
  options.drop = group.drop;
  dev.drop = group.drop;
  dev.scheduler = std::make_unique<Scheduler>(*dev.profiles, *dev.policy, dev.traits,
                                              *dev.predictor, std::move(options));
}

struct Event {
  double time;
  std::uint32_t device;
  bool operator>(const Event& o) const {
    return time != o.time ? time > o.time : device > o.device;
  }
};

class EventLoop {
 public:
  EventLoop(const Cluster& cluster, const ClusterOptions& options,
            std::span<CompletionSink* const> sinks)
      : cluster_(cluster), states_(cluster.num_devices()), devices_(cluster.num_devices()) {
    for (std::size_t d = 0; d < devices_.size(); ++d) {
      states_[d].group = cluster.group_of(d);
      make_device(cluster, d, states_[d], sinks[d], devices_[d]);
    }
    dispatcher_ = make_dispatcher(options.dispatcher, options.dispatcher_params, cluster);
    isolated_.assign(cluster.groups().size(), 0);
    for (const DeviceGroup& g : cluster.groups()) {
      pattern_aware_.push_back(policy_registry().get("policy", g.policy).traits.pattern_aware);
    }
    late_ = options.binding == Binding::late;
    depth_ = options.late_depth;
    if (late_ && depth_ == 0) throw InputError("", 0, "cluster.depth", "must be >= 1");
    queued_.resize(cluster.catalogue().size());
    group_models_.resize(cluster.groups().size());
    for (std::size_t g = 0; g < cluster.groups().size(); ++g) {
      for (std::size_t m = 0; m < cluster.catalogue().size(); ++m) {
        if (cluster.local_variant(g, m) >= 0) {
          group_models_[g].push_back(static_cast<std::uint32_t>(m));
        }
      }
    }
  }

  void run(RequestSource& source) {
    while (const Request* r = source.peek()) {
      const Request request = *r;
      source.pop();
      advance_before(request.arrival_s);
      dispatch(request);
    }
    advance_before(std::numeric_limits<double>::infinity());
    while (!events_.empty()) process_next();  // events at +inf cannot exist; defensive
  }

  std::vector<DeviceRun> results() {
    std::vector<DeviceRun> out(devices_.size());
    for (std::size_t d = 0; d < devices_.size(); ++d) {
      Device& dev = devices_[d];
      dev.keeper->on_run_end(*dev.policy);
      const SchedulerStats& s = dev.scheduler->stats();
      EngineStats& e = out[d].stats;
      e.requests = s.requests;
      e.layers_executed = s.layers_executed;
      e.decisions = s.decisions;
      e.max_ready = s.max_ready;
      e.dropped = s.dropped;
      e.first_arrival_s = s.first_arrival_s;
      e.last_finish_s = s.last_finish_s;
      e.idle_s = dev.idle_s;
      out[d].dispatched = states_[d].dispatched;
      // As run_partitioned() computes it (the same rounding for any thread count).
      out[d].busy_s = s.admitted ? e.last_finish_s - e.idle_s : 0.0;
    }
    return out;
  }

 private:
  // Every layer boundary before `t` (all arrivals at or before those boundaries are admitted).
  void advance_before(double t) {
    while (!events_.empty() && events_.top().time < t) process_next();
  }

  void process_next() {
    const Event e = events_.top();
    events_.pop();
    Device& dev = devices_[e.device];
    DeviceState& state = states_[e.device];
    const double now = e.time;
    dev.armed = false;
    if (dev.running) {
      const VariantProfile& v = dev.profiles->variant(dev.run.variant);
      const std::size_t at = dev.run.sample_pos * v.num_layers + dev.run.layer;
      // Before the layer: the task's estimates leave the sums; after, its new ones join.
      auto& task = dev.keeper->tasks.at(dev.run.task);
      const double before = task.monitored_s;
      dev.running = false;
      const bool finished = dev.scheduler->layer_done(dev.run.task, v.sparsity[at], now);
      if (finished) {
        dev.scheduler->clear_finished();
      } else {
        const TaskView& view = dev.scheduler->running_view();
        task.layers_done = view.layers_done;
        task.monitored_s = view.gamma * view.est_remaining_s;
        state.outstanding_s -= v.avg_latency_s[view.layers_done - 1];
        state.outstanding_monitored_s += task.monitored_s - before;
      }
      dev.busy_until = now;
    }
    start(e.device, now);
  }

  void start(std::uint32_t d, double now) {
    Device& dev = devices_[d];
    while (true) {
      if (late_) pull(d, now);
      if (dev.drop == DropRule::none || dev.scheduler->drop_hopeless(now) == 0 || !late_) break;
    }
    if (dev.scheduler->ready() == 0) return;
    dev.run = dev.scheduler->next(now);
    const VariantProfile& v = dev.profiles->variant(dev.run.variant);
    const double end =
        dev.run.start_s + v.latency_s[dev.run.sample_pos * v.num_layers + dev.run.layer];
    dev.running = true;
    events_.push({end, d});
  }

  void dispatch(const Request& request) {
    const double t = request.arrival_s;
    const std::uint32_t model = request.variant;
    for (std::size_t g = 0; g < isolated_.size(); ++g) {
      const std::int64_t v = cluster_.local_variant(g, model);
      if (v < 0) {
        isolated_[g] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      const DeviceGroup& group = cluster_.groups()[g];
      const VariantProfile& p = group.profiles->variant(static_cast<std::size_t>(v));
      isolated_[g] = pattern_aware_[g] ? p.est_remaining_pattern_s[0] : p.est_remaining_model_s[0];
    }
    DispatchContext ctx;
    ctx.now_s = t;
    ctx.request = &request;
    ctx.model = model;
    ctx.eligible = cluster_.eligible(model);
    ctx.devices = states_;
    ctx.isolated_est_s = isolated_;
    if (late_) {
      // Late binding: only devices with a free slot may take it; none: the central queue.
      free_.clear();
      for (const std::uint32_t d : ctx.eligible) {
        if (states_[d].in_flight < depth_) free_.push_back(d);
      }
      if (free_.empty()) {
        queued_[model].push_back(request);
        return;
      }
      ctx.eligible = free_;
    }
    const std::uint32_t d = dispatcher_->choose(ctx);
    if (!std::binary_search(ctx.eligible.begin(), ctx.eligible.end(), d)) {
      throw std::logic_error("dispatcher chose a device that cannot serve the model");
    }
    admit_to(d, request, t, true);
  }

  // Device d admits catalogue request `request` at `now`; `arm`: an idle device queues its first
  // decision at `now` (false when the caller is about to decide).
  void admit_to(std::uint32_t d, const Request& request, double now, bool arm) {
    Device& dev = devices_[d];
    DeviceState& state = states_[d];
    const Request local = cluster_.local_request(request, state.group);
    if (arm && !dev.running && !dev.armed && dev.scheduler->ready() == 0) {
      // Idle: the device's clock jumps to the arrival (simulate_stream, corrected semantics).
      if (now > dev.busy_until) dev.idle_s += now - dev.busy_until;
      dev.armed = true;
      events_.push({now, d});
    }
    const std::uint32_t number = dev.scheduler->admit(local, now);
    const VariantProfile& v = dev.profiles->variant(local.variant);
    const double est =
        dev.traits.pattern_aware ? v.est_remaining_pattern_s[0] : v.est_remaining_model_s[0];
    dev.keeper->tasks.emplace(number, StateKeeper::Task{0, est});
    ++state.in_flight;
    ++state.dispatched;
    state.outstanding_s += v.est_remaining_pattern_s[0];
    state.outstanding_monitored_s += est;
  }

  // Late binding: device d, at a layer boundary `now` with free slots, pulls the earliest-arrived
  // queued requests it can serve (ties: lower catalogue model), up to its depth.
  void pull(std::uint32_t d, double now) {
    const std::vector<std::uint32_t>& models = group_models_[states_[d].group];
    while (states_[d].in_flight < depth_) {
      std::deque<Request>* best = nullptr;
      for (const std::uint32_t m : models) {
        std::deque<Request>& q = queued_[m];
        if (!q.empty() && (!best || q.front().arrival_s < best->front().arrival_s)) best = &q;
      }
      if (!best) return;
      const Request r = best->front();
      best->pop_front();
      admit_to(d, r, now, false);
    }
  }

  const Cluster& cluster_;
  std::vector<DeviceState> states_;
  std::vector<Device> devices_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::vector<double> isolated_;
  std::vector<bool> pattern_aware_;  // by group
  // Late binding (ClusterOptions::binding): the central queue, one FIFO per catalogue model.
  bool late_ = false;
  std::uint32_t depth_ = 1;
  std::vector<std::deque<Request>> queued_;
  std::vector<std::vector<std::uint32_t>> group_models_;  // catalogue models each group serves
  std::vector<std::uint32_t> free_;                       // scratch: eligible devices with a slot
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
};

// Oblivious dispatchers: dispatch everything first, then each device is simulate_stream() of its
// sub-stream (the same Scheduler calls as the event loop), devices spread over threads.
std::vector<DeviceRun> run_partitioned(const Cluster& cluster, RequestSource& source,
                                       const ClusterOptions& options,
                                       std::span<CompletionSink* const> sinks, unsigned threads) {
  const std::size_t n = cluster.num_devices();
  auto dispatcher = make_dispatcher(options.dispatcher, options.dispatcher_params, cluster);
  std::vector<DeviceState> states(n);
  for (std::size_t d = 0; d < n; ++d) states[d].group = cluster.group_of(d);
  std::vector<std::vector<Request>> streams(n);
  std::vector<double> isolated(cluster.groups().size(), std::numeric_limits<double>::quiet_NaN());
  while (const Request* r = source.peek()) {
    const Request request = *r;
    source.pop();
    DispatchContext ctx;
    ctx.now_s = request.arrival_s;
    ctx.request = &request;
    ctx.model = request.variant;
    ctx.eligible = cluster.eligible(request.variant);
    ctx.devices = states;
    ctx.isolated_est_s = isolated;
    const std::uint32_t d = dispatcher->choose(ctx);
    if (!std::binary_search(ctx.eligible.begin(), ctx.eligible.end(), d)) {
      throw std::logic_error("dispatcher chose a device that cannot serve the model");
    }
    ++states[d].dispatched;
    streams[d].push_back(cluster.local_request(request, states[d].group));
  }
  std::vector<DeviceRun> out(n);
  auto simulate_device = [&](std::size_t d) {
    const DeviceGroup& group = cluster.groups()[cluster.group_of(d)];
    const PolicyTraits traits = policy_registry().get("policy", group.policy).traits;
    auto policy = make_policy(group.policy, params_for(group), Semantics::corrected);
    auto predictor = make_predictor(group.predictor, *group.profiles, group.predictor_params,
                                    Semantics::corrected);
    EngineOptions engine;
    engine.semantics = Semantics::corrected;
    engine.drop = group.drop;
    SpanSource sub(streams[d]);
    CompletionSink null_sink;
    CompletionSink& sink = sinks[d] ? *sinks[d] : null_sink;
    out[d].stats = simulate_stream(*group.profiles, sub, *policy, traits, *predictor, engine, sink);
    out[d].dispatched = states[d].dispatched;
    out[d].busy_s = streams[d].empty() ? 0.0 : out[d].stats.last_finish_s - out[d].stats.idle_s;
    std::vector<Request>().swap(streams[d]);
  };
  if (threads <= 1 || n == 1) {
    for (std::size_t d = 0; d < n; ++d) simulate_device(d);
    return out;
  }
  // Device d runs on worker d mod threads; each device's result lands in its own slot.
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> errors(threads);
  for (unsigned w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      try {
        for (std::size_t d = w; d < n; d += threads) simulate_device(d);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& t : workers) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return out;
}

// The caller's sinks on a second thread (event-loop runs with threads != 1): the event loop
// appends each completion, drop and run end to a bounded single-producer single-consumer ring,
// and one consumer thread calls the sinks in ring order, so every sink receives exactly the calls
// of a one-thread run, in the same order. Memory: the ring's fixed capacity.
class SinkPipe {
 public:
  struct Record {
    enum class Kind : std::uint8_t { completion, drop, run_end, end };
    Kind kind = Kind::end;
    std::uint32_t device = 0;
    std::uint32_t number = 0;
    Request request;
    double first_start_s = 0, time_s = 0;
    const Policy* policy = nullptr;
  };

  explicit SinkPipe(std::span<CompletionSink* const> sinks)
      : sinks_(sinks.begin(), sinks.end()), ring_(kCapacity) {
    consumer_ = std::thread([this] { consume(); });
  }
  ~SinkPipe() {
    if (consumer_.joinable()) finish_consumer();
  }
  SinkPipe(const SinkPipe&) = delete;
  SinkPipe& operator=(const SinkPipe&) = delete;

  void push(const Record& r) {
    if (tail_local_ - head_cached_ == kCapacity) {
      publish();
      head_cached_ = head_.load(std::memory_order_acquire);
      while (tail_local_ - head_cached_ == kCapacity) {
        head_.wait(head_cached_, std::memory_order_acquire);
        head_cached_ = head_.load(std::memory_order_acquire);
      }
    }
    ring_[tail_local_ % kCapacity] = r;
    if (++tail_local_ % kBatch == 0) publish();
  }
  // After the last push: the consumer drains the ring and stops; rethrows a sink's exception.
  void close() {
    finish_consumer();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr std::uint64_t kCapacity = 8192;  // records
  static constexpr std::uint64_t kBatch = 256;      // records per hand-over

  void publish() {
    tail_.store(tail_local_, std::memory_order_release);
    tail_.notify_one();
  }
  void finish_consumer() {
    push(Record{});  // Kind::end
    publish();
    consumer_.join();
  }
  void consume() {
    std::uint64_t head = 0;
    while (true) {
      std::uint64_t tail = tail_.load(std::memory_order_acquire);
      while (tail == head) {
        tail_.wait(head, std::memory_order_acquire);
        tail = tail_.load(std::memory_order_acquire);
      }
      for (; head != tail; ++head) {
        const Record& r = ring_[head % kCapacity];
        if (r.kind == Record::Kind::end) return;
        if (error_) continue;  // keep draining so the producer never blocks
        try {
          CompletionSink& sink = *sinks_[r.device];
          switch (r.kind) {
            case Record::Kind::completion:
              sink.on_completion(r.request, r.number, r.first_start_s, r.time_s);
              break;
            case Record::Kind::drop:
              sink.on_drop(r.request, r.number, r.time_s);
              break;
            case Record::Kind::run_end:
              sink.on_run_end(*r.policy);
              break;
            case Record::Kind::end:
              break;
          }
        } catch (...) {
          error_ = std::current_exception();
        }
        if ((head + 1) % kBatch == 0) {
          head_.store(head + 1, std::memory_order_release);
          head_.notify_one();
        }
      }
      head_.store(head, std::memory_order_release);
      head_.notify_one();
    }
  }

  std::vector<CompletionSink*> sinks_;
  std::vector<Record> ring_;
  std::atomic<std::uint64_t> head_{0}, tail_{0};
  std::uint64_t tail_local_ = 0, head_cached_ = 0;  // producer only
  std::exception_ptr error_;                        // consumer only until joined
  std::thread consumer_;
};

// Device d's sink as seen by the event loop: records into the pipe.
class PipedSink final : public CompletionSink {
 public:
  PipedSink(SinkPipe& pipe, std::uint32_t device) : pipe_(pipe), device_(device) {}
  void on_completion(const Request& r, std::uint32_t n, double first, double finish) override {
    SinkPipe::Record rec;
    rec.kind = SinkPipe::Record::Kind::completion;
    rec.device = device_;
    rec.number = n;
    rec.request = r;
    rec.first_start_s = first;
    rec.time_s = finish;
    pipe_.push(rec);
  }
  void on_drop(const Request& r, std::uint32_t n, double now) override {
    SinkPipe::Record rec;
    rec.kind = SinkPipe::Record::Kind::drop;
    rec.device = device_;
    rec.number = n;
    rec.request = r;
    rec.time_s = now;
    pipe_.push(rec);
  }
  void on_run_end(const Policy& policy) override {
    SinkPipe::Record rec;
    rec.kind = SinkPipe::Record::Kind::run_end;
    rec.device = device_;
    rec.policy = &policy;
    pipe_.push(rec);
  }

 private:
  SinkPipe& pipe_;
  std::uint32_t device_;
};

}  // namespace

std::vector<DeviceRun> simulate_cluster(const Cluster& cluster, RequestSource& source,
                                        const ClusterOptions& options,
                                        std::span<CompletionSink* const> sinks) {
  if (sinks.size() != cluster.num_devices()) {
    throw std::invalid_argument("simulate_cluster: one sink per device");
  }
  auto probe = make_dispatcher(options.dispatcher, options.dispatcher_params, cluster);
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (probe->oblivious() && threads > 1 && options.binding == Binding::early) {
    return run_partitioned(cluster, source, options, sinks, threads);
  }
  if (threads > 1 && std::any_of(sinks.begin(), sinks.end(), [](auto* s) { return s; })) {
    SinkPipe pipe(sinks);
    std::vector<PipedSink> piped;
    piped.reserve(sinks.size());
    std::vector<CompletionSink*> forward;
    for (std::size_t d = 0; d < sinks.size(); ++d) {
      piped.emplace_back(pipe, static_cast<std::uint32_t>(d));
      forward.push_back(sinks[d] ? &piped.back() : nullptr);
    }
    EventLoop loop(cluster, options, forward);
    loop.run(source);
    std::vector<DeviceRun> out = loop.results();
    pipe.close();  // every sink call made before the loop (and its policies) goes away
    return out;
  }
  EventLoop loop(cluster, options, sinks);
  loop.run(source);
  return loop.results();
}

}  // namespace dysta
