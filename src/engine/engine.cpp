#include "dysta/engine.h"

#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "dysta/error.h"

namespace dysta {
namespace {

// Engine-private per-task data, parallel to the TaskView the policy sees.
struct TaskData {
  const double* latency;         // true per-layer latency of the request's sample
  const double* sparsity;        // measured sparsity per layer
  const double* real_remaining;  // [k] = true latency of layers k..L-1
  const double* est_remaining;   // [k] = estimated latency of layers k..L-1
  const double* est_layer;       // estimated per-layer latency
  Request request;
  double first_start_s;
  PredictorState predictor;
};

// Ready tasks in arrival order, chosen by Policy::select() (any policy).
class ScanStore {
 public:
  ScanStore(Policy& policy, EngineObserver* observer, std::size_t reserve)
      : policy_(policy), observer_(observer) {
    views_.reserve(reserve);
    states_.reserve(reserve);
    data_.reserve(reserve);
  }
  std::size_t size() const { return views_.size(); }
  void add(const TaskView& v, const TaskData& d) {
    views_.push_back(v);
    states_.push_back(PolicyTaskState{});
    data_.push_back(d);
  }
  std::size_t select(double now) {
    const DecisionContext ctx{now, views_, states_};
    const std::size_t chosen = policy_.select(ctx);
    if (chosen >= views_.size()) throw std::logic_error("policy returned an invalid task index");
    if (observer_) observer_->on_decision(ctx, chosen);
    return chosen;
  }
  TaskView& view(std::size_t pos) { return views_[pos]; }
  TaskData& data(std::size_t pos) { return data_[pos]; }
  void executed(std::size_t) {}
  void remove(std::size_t pos) {
    const auto offset = static_cast<std::ptrdiff_t>(pos);
    views_.erase(views_.begin() + offset);
    states_.erase(states_.begin() + offset);
    data_.erase(data_.begin() + offset);
  }

 private:
  Policy& policy_;
  EngineObserver* observer_;
  std::vector<TaskView> views_;
  std::vector<PolicyTaskState> states_;
  std::vector<TaskData> data_;
};

// Ready tasks in stable slots, chosen by the policy's TaskIndex (task_index.h): no scan, no
// shifting on removal; each decision costs what the index costs (O(log R) for the built-ins).
class IndexStore {
 public:
  IndexStore(std::unique_ptr<TaskIndex> index, std::size_t reserve) : index_(std::move(index)) {
    views_.reserve(reserve);
    data_.reserve(reserve);
  }
  std::size_t size() const { return count_; }
  void add(const TaskView& v, const TaskData& d) {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
      views_[slot] = v;
      data_[slot] = d;
    } else {
      slot = static_cast<std::uint32_t>(views_.size());
      views_.push_back(v);
      data_.push_back(d);
    }
    ++count_;
    index_->insert(slot, views_[slot]);
  }
  std::size_t select(double now) {
    const std::uint32_t slot = index_->best(now);
    if (slot >= views_.size()) throw std::logic_error("task index returned an invalid slot");
    return slot;
  }
  TaskView& view(std::size_t slot) { return views_[slot]; }
  TaskData& data(std::size_t slot) { return data_[slot]; }
  void executed(std::size_t slot) {
    index_->update_best(static_cast<std::uint32_t>(slot), views_[slot]);
  }
  void remove(std::size_t slot) {
    index_->erase_best(static_cast<std::uint32_t>(slot));
    free_.push_back(static_cast<std::uint32_t>(slot));
    --count_;
  }

 private:
  std::unique_ptr<TaskIndex> index_;
  std::vector<TaskView> views_;
  std::vector<TaskData> data_;
  std::vector<std::uint32_t> free_;
  std::size_t count_ = 0;
};

// EngineOptions::drop: true when the task cannot meet its deadline even if it ran alone from now.
bool out_of_time(const TaskView& t, double now, DropRule rule) {
  const double remaining =
      rule == DropRule::oracle ? t.real_remaining_s : t.gamma * t.est_remaining_s;
  return now + remaining > t.deadline_s;
}

// Removes the ready tasks out_of_time() at `now`, reporting each to `sink` (arrival order kept).
void drop_hopeless(ScanStore& store, double now, DropRule rule, EngineStats& stats,
                   CompletionSink& sink) {
  for (std::size_t i = 0; i < store.size();) {
    if (out_of_time(store.view(i), now, rule)) {
      ++stats.dropped;
      sink.on_drop(store.data(i).request, store.view(i).request, now);
      store.remove(i);
    } else {
      ++i;
    }
  }
}

template <typename Store>
EngineStats run(const ProfileSet& profiles, RequestSource& source, Store& store, Policy& policy,
                const PolicyTraits& traits, const Predictor& predictor,
                const EngineOptions& options, CompletionSink& sink) {
  const bool reference = options.semantics == Semantics::reference;
  EngineObserver* observer = options.observer;
  EngineStats stats;
  std::uint32_t admitted = 0;
  double last_arrival = 0;

  auto admit = [&](const Request& r) {
    if (admitted > 0 && r.arrival_s < last_arrival) {
      throw InputError(
          "", 0, "arrival_s",
          "requests must be in arrival order (request " + std::to_string(admitted) + ")");
    }
    if (admitted == 0) stats.first_arrival_s = r.arrival_s;
    last_arrival = r.arrival_s;
    const VariantProfile& v = profiles.variant(r.variant);
    const std::size_t L = v.num_layers;
    TaskData d;
    d.latency = v.latency_s.data() + r.sample_pos * L;
    d.sparsity = v.sparsity.data() + r.sample_pos * L;
    d.real_remaining = v.real_remaining_s.data() + r.sample_pos * (L + 1);
    d.est_remaining =
        traits.pattern_aware ? v.est_remaining_pattern_s.data() : v.est_remaining_model_s.data();
    d.est_layer = traits.pattern_aware ? v.avg_latency_s.data() : v.avg_latency_model_s.data();
    d.request = r;
    d.first_start_s = -1;
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
    t.request = admitted++;
    t.variant = r.variant;
    t.layers_done = 0;
    t.num_layers = static_cast<std::uint32_t>(L);
    t.sample_pos = r.sample_pos;
    t.priority = r.priority;
    store.add(t, d);
    source.pop();
    if (observer) observer->on_admit(t.request, r.arrival_s);
  };

  double now = 0.0;
  double busy_until = 0.0;  // end of the last executed layer
  while (true) {
    // Admission (spec B.6 admit()).
    const Request* next = source.peek();
    if (next) {
      if (store.size() == 0) {
        const double t = next->arrival_s;
        if (reference) {
          if (t < now) ++stats.clock_rollbacks;
          now = t;
          admit(*next);
        } else {
          if (t > now) now = t;
          while (next && next->arrival_s <= now) {
            admit(*next);
            next = source.peek();
          }
        }
        if (now > busy_until) stats.idle_s += now - busy_until;
      } else if (reference) {
        while (next && next->arrival_s < now) {
          admit(*next);
          next = source.peek();
        }
      } else {
        while (next && next->arrival_s <= now) {
          admit(*next);
          next = source.peek();
        }
      }
    } else if (store.size() == 0) {
      break;
    }
    if constexpr (std::is_same_v<Store, ScanStore>) {
      if (options.drop != DropRule::none) {
        drop_hopeless(store, now, options.drop, stats, sink);
        if (store.size() == 0) continue;
      }
    }
    if (store.size() > stats.max_ready) stats.max_ready = store.size();

    // Decision.
    const std::size_t chosen = store.select(now);
    ++stats.decisions;
    const double overhead = policy.decision_overhead_s();
    if (overhead > 0) now += overhead;  // the scheduler's decision delays the layer

    // Execute one layer of the chosen task (spec B.6 steps 2-4).
    TaskView& t = store.view(chosen);
    TaskData& d = store.data(chosen);
    const std::uint32_t k = t.layers_done;
    const double lat = d.latency[k];
    if (traits.monitor) t.gamma = predictor.observe(d.predictor, t.variant, k, d.sparsity[k]);
    if (d.first_start_s < 0) d.first_start_s = now;
    const double start = now;
    now += lat;
    busy_until = now;
    t.last_exec_s = now;
    t.layers_done = k + 1;
    t.est_remaining_s = d.est_remaining[k + 1];
    t.real_remaining_s = d.real_remaining[k + 1];
    t.est_next_layer_s = k + 1 < t.num_layers ? d.est_layer[k + 1] : 0.0;
    ++stats.layers_executed;
    if (observer) observer->on_layer(t.request, k, start, now);
    if (t.layers_done == t.num_layers) {
      if (stats.last_finish_s <= now) stats.last_finish_s = now;
      ++stats.requests;
      if (observer) observer->on_finish(t.request, now);
      sink.on_completion(d.request, t.request, d.first_start_s, now);
      store.remove(chosen);
    } else {
      store.executed(chosen);
    }
  }
  return stats;
}

class CollectSink final : public CompletionSink {
 public:
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
  policy.bind(profiles);
  if (options.drop != DropRule::none && !policy.allows_drop()) {
    throw InputError("", 0, "drop",
                     "this policy keeps its own copy of the request queue (a hardware model) and "
                     "cannot drop requests; use drop: none");
  }
  const bool scan_needed = options.observer && options.observer->wants_decisions();
  if (options.keyed_fast_path && !scan_needed && options.drop == DropRule::none) {
    if (auto index = policy.make_index()) {
      IndexStore store(std::move(index), 64);
      return run(profiles, source, store, policy, traits, predictor, options, sink);
    }
  }
  ScanStore store(policy, options.observer, 64);
  return run(profiles, source, store, policy, traits, predictor, options, sink);
}

const char* to_string(DropRule rule) {
  switch (rule) {
    case DropRule::estimated:
      return "estimated";
    case DropRule::oracle:
      return "oracle";
    case DropRule::none:
      break;
  }
  return "none";
}

DropRule parse_drop_rule(const std::string& text, const std::string& field) {
  for (DropRule r : {DropRule::none, DropRule::estimated, DropRule::oracle}) {
    if (text == to_string(r)) return r;
  }
  throw InputError("", 0, field, "expected none, estimated or oracle, found '" + text + "'");
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
  options.observer = observer;
  return simulate(profiles, requests, policy, traits, predictor, options);
}

}  // namespace dysta
