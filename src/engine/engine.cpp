// simulate() and simulate_stream(): a Scheduler driven by a RequestSource, with layer latencies and
// measured sparsities from the profile set (spec B.6).
#include "dysta/engine.h"

#include <limits>

namespace dysta {
namespace {

class CollectSink final : public CompletionSink {
 public:
  bool wants_request_events() const override { return false; }
  explicit CollectSink(RunResult& result) : result_(result) {}
  void on_completion(const Request&, std::uint32_t index, double first_start_s,
                     double finish_s) override {
    result_.finish_s[index] = finish_s;
    result_.first_start_s[index] = first_start_s;
    result_.finish_order.push_back(index);
  }
  void on_drop(const Request&, std::uint32_t index, double now_s) override {
    if (result_.dropped_flags.empty()) result_.dropped_flags.assign(result_.finish_s.size(), 0);
    result_.dropped_flags[index] = 1;
    result_.finish_s[index] = now_s;
  }

 private:
  RunResult& result_;
};

}  // namespace

EngineStats simulate_stream(const ProfileSet& profiles, RequestSource& source, Policy& policy,
                            const PolicyTraits& traits, const Predictor& predictor,
                            const EngineOptions& options, CompletionSink& sink) {
  const ProfileOracle oracle(profiles);
  SchedulerOptions scheduler_options;
  scheduler_options.observers = options.observers;
  scheduler_options.observers.push_back(&sink);
  scheduler_options.keyed_fast_path = options.keyed_fast_path;
  // True latencies only where something may read them (the views are otherwise never read for
  // them: Policy::reads_true_latencies()); observers of decisions see the views.
  bool decision_observers = sink.wants_decisions();
  for (const EngineObserver* o : options.observers) decision_observers |= o && o->wants_decisions();
  const bool true_latencies = traits.oracle || options.drop == DropRule::oracle ||
                              policy.reads_true_latencies() || decision_observers;
  scheduler_options.oracle = true_latencies ? &oracle : nullptr;
  scheduler_options.drop = options.drop;
  scheduler_options.keep_finished = false;  // completions reach the sink
  Scheduler scheduler(profiles, policy, traits, predictor, std::move(scheduler_options));
  const bool reference = options.semantics == Semantics::reference;
  const bool drops = options.drop != DropRule::none;
  const std::span<const VariantProfile> variants = profiles.variants();
  EngineStats stats;

  double now = 0.0;
  double busy_until = 0.0;  // end of the last executed layer
  // The next request not yet admitted (null: none); valid until the source's next pop().
  const Request* next = source.peek();
  auto admit = [&] {
    scheduler.admit(*next, now);
    source.pop();
    next = source.peek();
  };
  const bool alone = scheduler.can_run_alone();
  while (true) {
    // Admission (spec B.6 admit()).
    if (next) {
      if (scheduler.ready() == 0) {
        const double t = next->arrival_s;
        if (reference) {
          if (t < now) ++stats.clock_rollbacks;
          now = t;
        } else if (t > now) {
          now = t;
        }
        if (now > busy_until) stats.idle_s += now - busy_until;
        // A request that would run alone to its end is accounted without entering the ready
        // tasks (Scheduler::run_alone(); the policy is never asked with one ready task).
        if (alone && next->variant < variants.size()) {
          const Request r = *next;
          source.pop();
          next = source.peek();
          const double next_arrival =
              next ? next->arrival_s : std::numeric_limits<double>::infinity();
          if (reference || next_arrival > now) {
            const VariantProfile& v = variants[r.variant];
            // The memo holds runs from the arrival (the clock may be past it in corrected).
            const std::size_t number = scheduler.stats().admitted;  // r's place in the source
            double* const memo = number < options.alone_ends.size() && now == r.arrival_s
                                     ? &options.alone_ends[number]
                                     : nullptr;
            const double end = scheduler.run_alone(
                r, now, v.latency_s.data() + std::size_t{r.sample_pos} * v.num_layers, next_arrival,
                !reference, memo);
            if (end == end) {  // not NaN: it ran
              now = end;
              busy_until = end;
              continue;
            }
          }
          scheduler.admit(r, now);
          if (!reference) {
            while (next && next->arrival_s <= now) admit();
          }
        } else if (reference) {
          admit();
        } else {
          while (next && next->arrival_s <= now) admit();
        }
      } else if (reference) {
        while (next && next->arrival_s < now) admit();
      } else {
        while (next && next->arrival_s <= now) admit();
      }
    } else if (scheduler.ready() == 0) {
      break;
    }
    if (drops) {
      scheduler.drop_hopeless(now);
      if (scheduler.ready() == 0) continue;
    }

    // The only ready task of a stateless policy runs until the next arrival is due or it ends
    // (the decisions in between could choose nothing else).
    if (scheduler.sole_runnable()) {
      const TaskView& t = scheduler.sole_view();
      const VariantProfile& v = variants[t.variant];
      const std::size_t row = std::size_t{t.sample_pos} * v.num_layers;
      now = scheduler.run_sole(now, v.latency_s.data() + row, v.sparsity.data() + row,
                               next ? next->arrival_s : std::numeric_limits<double>::infinity(),
                               !reference);
      busy_until = now;
      continue;
    }

    // Decision, then one layer of the chosen task (spec B.6 steps 2-4).
    const ScheduledLayer run = scheduler.next(now);
    const VariantProfile& v = variants[run.variant];
    const std::size_t at = run.sample_pos * v.num_layers + run.layer;
    now = run.start_s + v.latency_s[at];
    busy_until = now;
    scheduler.layer_done(run.task, v.sparsity[at], now);
  }
  for (EngineObserver* o : options.observers) {
    if (o) o->on_run_end(policy);
  }
  sink.on_run_end(policy);
  const SchedulerStats& s = scheduler.stats();
  stats.requests = s.requests;
  stats.layers_executed = s.layers_executed;
  stats.decisions = s.decisions;
  stats.max_ready = s.max_ready;
  stats.dropped = s.dropped;
  stats.first_arrival_s = s.first_arrival_s;
  stats.last_finish_s = s.last_finish_s;
  return stats;
}

RunResult simulate(const ProfileSet& profiles, std::span<const Request> requests, Policy& policy,
                   const PolicyTraits& traits, const Predictor& predictor,
                   const EngineOptions& options) {
  RunResult result;
  result.finish_s.assign(requests.size(), -1.0);
  result.first_start_s.assign(requests.size(), -1.0);
  result.finish_order.reserve(requests.size());
  SpanSource source(requests);
  CollectSink sink(result);
  static_cast<EngineStats&>(result) =
      simulate_stream(profiles, source, policy, traits, predictor, options, sink);
  return result;
}

RunResult simulate(const ProfileSet& profiles, std::span<const Request> requests, Policy& policy,
                   const PolicyTraits& traits, const Predictor& predictor, Semantics semantics,
                   EngineObserver* observer) {
  EngineOptions options;
  options.semantics = semantics;
  if (observer) options.observers.push_back(observer);
  return simulate(profiles, requests, policy, traits, predictor, options);
}

}  // namespace dysta
