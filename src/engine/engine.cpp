#include "dysta/engine.h"

#include <stdexcept>

#include "dysta/error.h"

namespace dysta {
namespace {

// Engine-private per-task data, parallel to the TaskView array the policy sees.
struct TaskData {
  const double* latency;         // true per-layer latency of the request's sample
  const double* sparsity;        // measured sparsity per layer
  const double* real_remaining;  // [k] = true latency of layers k..L-1
  const double* est_remaining;   // [k] = estimated latency of layers k..L-1
  const double* est_layer;       // estimated per-layer latency
  PredictorState predictor;
};

}  // namespace

RunResult simulate(const ProfileSet& profiles, std::span<const Request> requests, Policy& policy,
                   const PolicyTraits& traits, const Predictor& predictor, Semantics semantics,
                   EngineObserver* observer) {
  const std::size_t n = requests.size();
  RunResult result;
  result.finish_s.assign(n, -1.0);
  result.first_start_s.assign(n, -1.0);
  result.finish_order.reserve(n);
  if (n == 0) return result;
  for (std::size_t i = 1; i < n; ++i) {
    if (requests[i].arrival_s < requests[i - 1].arrival_s) {
      throw InputError("", 0, "arrival_s", "requests must be in arrival order");
    }
  }

  const bool reference = semantics == Semantics::reference;
  std::vector<TaskView> views;
  std::vector<PolicyTaskState> states;
  std::vector<TaskData> data;
  views.reserve(n);
  states.reserve(n);
  data.reserve(n);

  auto admit = [&](std::size_t index) {
    const Request& r = requests[index];
    const VariantProfile& v = profiles.variant(r.variant);
    const std::size_t L = v.num_layers;
    TaskData d;
    d.latency = v.latency_s.data() + r.sample_pos * L;
    d.sparsity = v.sparsity.data() + r.sample_pos * L;
    d.real_remaining = v.real_remaining_s.data() + r.sample_pos * (L + 1);
    d.est_remaining =
        traits.pattern_aware ? v.est_remaining_pattern_s.data() : v.est_remaining_model_s.data();
    d.est_layer = traits.pattern_aware ? v.avg_latency_s.data() : v.avg_latency_model_s.data();
    d.predictor = PredictorState{};
    TaskView t;
    t.arrival_s = r.arrival_s;
    t.deadline_s = r.deadline_s;
    t.last_exec_s = r.arrival_s;
    t.est_remaining_s = d.est_remaining[0];
    t.est_next_layer_s = d.est_layer[0];
    t.est_isolated_s = d.est_remaining[0];
    t.real_remaining_s = d.real_remaining[0];
    t.real_isolated_s = d.real_remaining[0];
    t.gamma = 1.0;
    t.request = static_cast<std::uint32_t>(index);
    t.variant = r.variant;
    t.layers_done = 0;
    t.num_layers = static_cast<std::uint32_t>(L);
    t.priority = r.priority;
    views.push_back(t);
    states.push_back(PolicyTaskState{});
    data.push_back(d);
    if (observer) observer->on_admit(t.request, r.arrival_s);
  };

  double now = 0.0;
  std::size_t next = 0;
  std::size_t finished = 0;
  double busy_until = 0.0;  // end of the last executed layer
  while (finished < n) {
    // Admission (spec B.6 admit()).
    if (next < n) {
      if (views.empty()) {
        const double t = requests[next].arrival_s;
        if (reference) {
          if (t < now) ++result.clock_rollbacks;
          now = t;
          admit(next++);
        } else {
          if (t > now) now = t;
          while (next < n && requests[next].arrival_s <= now) admit(next++);
        }
        if (now > busy_until) result.idle_s += now - busy_until;
      } else if (reference) {
        while (next < n && requests[next].arrival_s < now) admit(next++);
      } else {
        while (next < n && requests[next].arrival_s <= now) admit(next++);
      }
    }
    if (views.size() > result.max_ready) result.max_ready = views.size();

    // Decision.
    const DecisionContext ctx{now, views, states};
    const std::size_t chosen = policy.select(ctx);
    if (chosen >= views.size()) throw std::logic_error("policy returned an invalid task index");
    if (observer) observer->on_decision(ctx, chosen);
    ++result.decisions;

    // Execute one layer of the chosen task (spec B.6 step 2-4).
    TaskView& t = views[chosen];
    TaskData& d = data[chosen];
    const std::uint32_t k = t.layers_done;
    const double lat = d.latency[k];
    if (traits.monitor) t.gamma = predictor.observe(d.predictor, t.variant, k, d.sparsity[k]);
    if (result.first_start_s[t.request] < 0) result.first_start_s[t.request] = now;
    const double start = now;
    now += lat;
    busy_until = now;
    t.last_exec_s = now;
    t.layers_done = k + 1;
    t.est_remaining_s = d.est_remaining[k + 1];
    t.real_remaining_s = d.real_remaining[k + 1];
    t.est_next_layer_s = k + 1 < t.num_layers ? d.est_layer[k + 1] : 0.0;
    ++result.layers_executed;
    if (observer) observer->on_layer(t.request, k, start, now);
    if (t.layers_done == t.num_layers) {
      result.finish_s[t.request] = now;
      result.finish_order.push_back(t.request);
      if (observer) observer->on_finish(t.request, now);
      views.erase(views.begin() + static_cast<std::ptrdiff_t>(chosen));
      states.erase(states.begin() + static_cast<std::ptrdiff_t>(chosen));
      data.erase(data.begin() + static_cast<std::ptrdiff_t>(chosen));
      ++finished;
    }
  }
  return result;
}

}  // namespace dysta
