#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "dysta/benchmark/cnn.h"
#include "dysta/benchmark/inputs.h"
#include "dysta/benchmark/pruning.h"
#include "dysta/error.h"
#include "dysta/inference/ops.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/runtime.h"
#include "dysta/scheduler.h"

namespace dysta::runtime {

Clock parse_clock(const std::string& text) {
  if (text == "accelerator") return Clock::accelerator;
  if (text == "wall") return Clock::wall;
  throw InputError("", 0, "--clock", "expected accelerator or wall, found '" + text + "'");
}

const char* to_string(Clock clock) {
  return clock == Clock::accelerator ? "accelerator" : "wall";
}

namespace {

using Seconds = std::chrono::duration<double>;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxWorkers = 256;  // ServeOptions::workers

// One pruned variant: its own loaded network (pruning edits weights in place), the Eyeriss-V2
// timing of its layers and its inputs.
struct Variant {
  std::string name;
  std::string architecture;
  std::string pattern;
  std::unique_ptr<inference::RealModel> model;
  std::unique_ptr<benchmark::EyerissLayerTimer> timer;
  std::vector<benchmark::InputRef> inputs;
};

// What executing one scheduler layer measured.
struct LayerResult {
  double sparsity = 0;   // input activation zero fraction of the layer's conv/dense
  double latency_s = 0;  // Eyeriss-V2 latency on its real masks
  double cpu_s = 0;      // wall time of its network layers on this CPU
};

// Runs scheduler layer `k` of `run`: the network layers up to and including the k-th conv/dense
// layer (the last one also runs the layers after it, to the network's outputs).
LayerResult run_layer(inference::NetworkRun& run, const benchmark::EyerissLayerTimer& timer,
                      std::size_t k) {
  struct Capture final : inference::LayerObserver {
    const benchmark::EyerissLayerTimer& timer;
    std::size_t k;
    std::optional<benchmark::EyerissLayerTimer::Timing> timing;
    Capture(const benchmark::EyerissLayerTimer& t, std::size_t layer) : timer(t), k(layer) {}
    void on_layer(const inference::LayerEvent& e) override {
      if (timer.position(e.index) == static_cast<int>(k)) timing = timer.time(e);
    }
  } capture(timer, k);
  inference::LayerObserver* observers[] = {&capture};
  const bool last = k + 1 == timer.size();
  const auto start = SteadyClock::now();
  while (!run.done() && (last || !capture.timing)) run.step(observers);
  LayerResult r;
  r.cpu_s = Seconds(SteadyClock::now() - start).count();
  if (!capture.timing) throw std::logic_error("run_layer: the conv/dense layer did not run");
  r.sparsity = capture.timing->sparsity;
  r.latency_s = capture.timing->latency_s;
  return r;
}

std::vector<Variant> load_variants(const ServeOptions& o) {
  if (o.models.empty()) throw InputError("", 0, "--models", "no model given");
  if (o.patterns.empty()) throw InputError("", 0, "--patterns", "no pruning pattern given");
  if (o.samples == 0) throw InputError("", 0, "--samples", "must be >= 1");
  const benchmark::PruneLevel level = benchmark::parse_prune_level(o.level, "--level");
  benchmark::ImageInputOptions image_options;
  image_options.extra_photos = false;  // the default fetch set only
  image_options.vtest_step = 0;
  std::vector<Variant> variants;
  for (const std::string& key : o.models) {
    const benchmark::CnnModel& cnn = benchmark::find_cnn(key, "--models");
    std::vector<benchmark::InputRef> inputs = benchmark::inputs_for(cnn, o.paths, image_options);
    if (inputs.size() < o.samples) {
      throw InputError("", 0, "--samples",
                       fmt::format("{} has only {} inputs", key, inputs.size()));
    }
    inputs.resize(o.samples);
    for (const std::string& p : o.patterns) {
      const benchmark::PrunePattern pattern = benchmark::parse_prune_pattern(p, "--patterns");
      Variant v;
      v.architecture = key;
      v.pattern = benchmark::to_string(pattern) + "_" + level.name;
      v.name = key + "_" + v.pattern;
      v.model = inference::load_real_model(cnn.real_model, o.paths);
      inference::Network& net = v.model->mutable_network();
      benchmark::prune_network(net, benchmark::dense_weights(net), pattern, level);
      v.timer = std::make_unique<benchmark::EyerissLayerTimer>(net);
      v.inputs = inputs;
      variants.push_back(std::move(v));
    }
  }
  return variants;
}

// Runs every (variant, input) `runs` times in isolation: per scheduler layer its Eyeriss-V2
// latency and sparsity (the same every run) and the median of its CPU times.
void calibrate(const std::vector<Variant>& variants, std::size_t runs, ServeReport& report) {
  std::vector<VariantProfile> accelerator, cpu;
  for (const Variant& v : variants) {
    const std::size_t L = v.timer->size();
    std::vector<double> latency, sparsity, cpu_s;
    std::vector<std::int64_t> ids;
    for (std::size_t s = 0; s < v.inputs.size(); ++s) {
      ids.push_back(static_cast<std::int64_t>(s));
      const inference::Tensor input = v.model->preprocess(benchmark::load_input(v.inputs[s]));
      std::vector<std::vector<double>> times(L);
      for (std::size_t r = 0; r < runs; ++r) {
        inference::NetworkRun run(v.model->network(), {input});
        for (std::size_t k = 0; k < L; ++k) {
          const LayerResult m = run_layer(run, *v.timer, k);
          if (r == 0) {
            latency.push_back(m.latency_s);
            sparsity.push_back(m.sparsity);
          }
          times[k].push_back(m.cpu_s);
        }
      }
      for (std::vector<double>& t : times) {
        std::sort(t.begin(), t.end());
        cpu_s.push_back(t[t.size() / 2]);  // median (upper for an even count)
      }
    }
    accelerator.push_back(
        make_variant(v.name, v.architecture, v.pattern, ids, L, latency, sparsity));
    cpu.push_back(make_variant(v.name, v.architecture, v.pattern, ids, L, cpu_s, sparsity));
  }
  report.accelerator_profiles = ProfileSet(std::move(accelerator));
  report.cpu_profiles = ProfileSet(std::move(cpu));
}

// A one-job channel between the scheduler thread and the worker thread that executes layers
// (with `pool`'s threads).
class Worker {
 public:
  explicit Worker(inference::GemmPool& pool) : pool_(pool), thread_([this] { loop(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
  }
  // Runs layer k of `run` on the worker thread and waits for it.
  LayerResult execute(inference::NetworkRun& run, const benchmark::EyerissLayerTimer& timer,
                      std::size_t k) {
    std::unique_lock lock(mutex_);
    job_ = Job{&run, &timer, k};
    result_.reset();
    cv_.notify_all();
    cv_.wait(lock, [&] { return result_.has_value() || error_; });
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    return *result_;
  }

 private:
  struct Job {
    inference::NetworkRun* run;
    const benchmark::EyerissLayerTimer* timer;
    std::size_t k;
  };
  void loop() {
    const inference::ScopedGemmPool gemm(pool_);
    std::unique_lock lock(mutex_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || job_.has_value(); });
      if (stop_) return;
      const Job job = *job_;
      job_.reset();
      lock.unlock();
      std::optional<LayerResult> r;
      std::exception_ptr error;
      try {
        r = run_layer(*job.run, *job.timer, job.k);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      result_ = r;
      error_ = error;
      cv_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<Job> job_;
  std::optional<LayerResult> result_;
  std::exception_ptr error_;
  bool stop_ = false;
  inference::GemmPool& pool_;
  std::jthread thread_;  // last: joined before the members above are destroyed
};

// Arrivals in wall-clock mode: a thread that, at each request's arrival time, decodes and
// preprocesses its input and hands it to the scheduler thread.
class Arrivals {
 public:
  struct Arrived {
    std::size_t index;
    inference::Tensor input;
  };
  using Prepare = std::function<inference::Tensor(std::size_t)>;
  Arrivals(const std::vector<Request>& requests, SteadyClock::time_point start, Prepare prepare)
      : thread_([this, &requests, start, prepare = std::move(prepare)](std::stop_token stop) {
          for (std::size_t i = 0; i < requests.size(); ++i) {
            const auto due = start + std::chrono::duration_cast<SteadyClock::duration>(
                                         Seconds(requests[i].arrival_s));
            {
              std::unique_lock lock(mutex_);
              sleep_.wait_until(lock, stop, due, [] { return false; });
              if (stop.stop_requested()) return;
            }
            Arrived a{i, {}};
            try {
              a.input = prepare(i);
            } catch (...) {
              std::lock_guard lock(mutex_);
              error_ = std::current_exception();
              cv_.notify_all();
              return;
            }
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(a));
            cv_.notify_all();
          }
        }) {}
  ~Arrivals() { thread_.request_stop(); }

  // The requests that arrived so far; with `wait`, blocks until at least one has.
  std::deque<Arrived> take(bool wait) {
    std::unique_lock lock(mutex_);
    if (wait) cv_.wait(lock, [&] { return !queue_.empty() || error_; });
    if (error_) std::rethrow_exception(error_);
    return std::exchange(queue_, {});
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable_any sleep_;  // interruptible wait for the next arrival time
  std::deque<Arrived> queue_;
  std::exception_ptr error_;
  std::jthread thread_;
};

}  // namespace

ServeReport serve(const ServeOptions& o) {
  inference::set_gemm_threads(1);
  const PolicyInfo& info = policy_registry().get("policy", o.policy);
  if (info.traits.oracle) {
    throw InputError("", 0, "--policy",
                     o.policy + " needs true latencies in advance, which a runtime does not have");
  }
  if (o.requests == 0) throw InputError("", 0, "--requests", "must be >= 1");
  if (o.workers < 1 || o.workers > kMaxWorkers) {
    throw InputError("", 0, "--workers", fmt::format("must be in [1, {}]", kMaxWorkers));
  }
  std::vector<Variant> variants = load_variants(o);
  ServeReport report;
  if (o.calibration_runs == 0) throw InputError("", 0, "--calibration-runs", "must be >= 1");
  inference::GemmPool pool(o.workers);
  {
    const inference::ScopedGemmPool gemm(pool);
    calibrate(variants, o.calibration_runs, report);
  }
  const ProfileSet& profiles =
      o.clock == Clock::accelerator ? report.accelerator_profiles : report.cpu_profiles;
  // ProfileSet sorts variants by name: variant index -> ours.
  std::vector<const Variant*> by_index(profiles.size());
  for (const Variant& v : variants) by_index.at(*profiles.find(v.name)) = &v;

  report.rate_per_s = o.rate_per_s;
  if (!(report.rate_per_s > 0)) {
    if (!(o.utilisation > 0)) throw InputError("", 0, "--utilisation", "must be > 0");
    double mean = 0;
    for (const VariantProfile& v : profiles.variants()) mean += v.target_latency_pattern_s;
    mean /= static_cast<double>(profiles.size());
    report.rate_per_s = o.utilisation / mean;
  }
  StreamSpec spec;
  spec.rate_per_s = report.rate_per_s;
  spec.num_requests = o.requests;
  spec.slo_multiplier = o.slo_multiplier;
  PyRandom rng(o.seed);
  report.requests = generate_poisson_stream(profiles, spec, rng, Semantics::corrected);
  const std::vector<Request>& requests = report.requests;

  // Serve.
  auto policy =
      make_policy(o.policy,
                  o.choice.policy_params.contains(o.policy) ? o.choice.policy_params.at(o.policy)
                                                            : ParamValues{},
                  Semantics::corrected);
  auto predictor =
      make_predictor(o.choice.predictor, profiles, o.choice.predictor_params, Semantics::corrected);
  Scheduler scheduler(profiles, *policy, info.traits, *predictor);
  RunResult& result = report.measured_raw;
  result.finish_s.assign(requests.size(), -1);
  result.first_start_s.assign(requests.size(), -1);
  std::vector<std::unique_ptr<inference::NetworkRun>> runs(requests.size());
  auto prepare = [&](std::size_t i) {
    const Variant& v = *by_index[requests[i].variant];
    return v.model->preprocess(benchmark::load_input(v.inputs[requests[i].sample_pos]));
  };
  Worker worker(pool);
  const auto start = SteadyClock::now();
  std::optional<Arrivals> arrivals;
  if (o.clock == Clock::wall) arrivals.emplace(requests, start, prepare);
  auto wall_now = [&] { return Seconds(SteadyClock::now() - start).count(); };

  double now = 0, busy_until = 0;
  std::size_t next = 0;  // first request not yet admitted
  auto admit = [&](std::size_t i, inference::Tensor input) {
    const Variant& v = *by_index[requests[i].variant];
    std::vector<inference::Tensor> in;
    in.push_back(std::move(input));
    runs[i] = std::make_unique<inference::NetworkRun>(v.model->network(), std::move(in));
    scheduler.admit(requests[i], now);
  };
  while (result.finish_order.size() < requests.size()) {
    if (o.clock == Clock::accelerator) {
      if (scheduler.ready() == 0 && next < requests.size()) {
        now = std::max(now, requests[next].arrival_s);
      }
      while (next < requests.size() && requests[next].arrival_s <= now) {
        admit(next, prepare(next));
        ++next;
      }
    } else {
      for (auto& a : arrivals->take(scheduler.ready() == 0)) {
        now = wall_now();
        admit(a.index, std::move(a.input));
        ++next;
      }
      now = wall_now();
    }
    if (now > busy_until) result.idle_s += now - busy_until;
    const ScheduledLayer l = scheduler.next(now);
    const Variant& v = *by_index[l.variant];
    const LayerResult r = worker.execute(*runs[l.task], *v.timer, l.layer);
    now = o.clock == Clock::accelerator ? l.start_s + r.latency_s : wall_now();
    busy_until = now;
    if (scheduler.layer_done(l.task, r.sparsity, now)) {
      for (const Completion& c : scheduler.finished()) {
        result.finish_s[c.task] = c.finish_s;
        result.first_start_s[c.task] = c.first_start_s;
        result.finish_order.push_back(c.task);
        runs[c.task].reset();
      }
      scheduler.clear_finished();
    }
  }
  report.wall_s = wall_now();
  const SchedulerStats& s = scheduler.stats();
  result.requests = s.requests;
  result.layers_executed = s.layers_executed;
  result.decisions = s.decisions;
  result.max_ready = s.max_ready;
  result.first_arrival_s = s.first_arrival_s;
  result.last_finish_s = s.last_finish_s;
  report.measured = compute_metrics(profiles, requests, result);
  report.predicted = run_policy(profiles, requests, o.policy, o.choice, Semantics::corrected);
  return report;
}

}  // namespace dysta::runtime
