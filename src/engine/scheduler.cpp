#include "dysta/scheduler.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "dysta/error.h"

namespace dysta {

const double* ProfileOracle::real_remaining_s(const Request& request) const {
  const VariantProfile& v = profiles_.variant(request.variant);
  return v.real_remaining_s.data() + request.sample_pos * (v.num_layers + 1);
}

Scheduler::Scheduler(const ProfileSet& estimates, Policy& policy, const PolicyTraits& traits,
                     const Predictor& predictor, SchedulerOptions options)
    : estimates_(estimates),
      policy_(policy),
      traits_(traits),
      predictor_(predictor),
      oracle_(options.oracle),
      drop_(options.drop),
      keep_finished_(options.keep_finished),
      layer_hooks_(policy.has_layer_hooks()) {
  if (traits.oracle && !oracle_) {
    throw std::invalid_argument("Scheduler: an oracle policy needs a LatencyOracle");
  }
  for (EngineObserver* o : options.observers) {
    if (!o) continue;
    observers_.push_back(o);
    if (o->wants_layers()) layer_observers_.push_back(o);
    if (o->wants_decisions()) decision_observers_.push_back(o);
    if (o->wants_request_events()) request_observers_.push_back(o);
  }
  policy_.bind(estimates_);
  if (drop_ != DropRule::none && !policy_.allows_drop()) {
    throw InputError("", 0, "drop",
                     "this policy keeps its own copy of the request queue (a hardware model) and "
                     "cannot drop requests; use drop: none");
  }
  if (drop_ == DropRule::oracle && !oracle_) {
    throw std::invalid_argument("Scheduler: drop: oracle needs a LatencyOracle");
  }
  if (options.keyed_fast_path && decision_observers_.empty() && drop_ == DropRule::none) {
    index_ = policy_.make_index();
    if (index_ && index_->scan_below() > 0) {
      index_from_ = index_->scan_below();
      index_.reset();
    }
  }
  alone_ok_ = (index_from_ > 0 || (index_ && index_->memoryless())) && !layer_hooks_ &&
              layer_observers_.empty() && decision_observers_.empty() &&
              request_observers_.empty() && drop_ == DropRule::none;
  constexpr std::size_t kReserve = 64;
  views_.reserve(kReserve);
  data_.reserve(kReserve);
  if (!index_) {
    states_.reserve(kReserve);
    data_of_.reserve(kReserve);
  }
}

Scheduler::~Scheduler() = default;

void Scheduler::check_admission(const Request& r, double now_s) const {
  if (stats_.admitted > 0 && r.arrival_s < last_arrival_s_) {
    throw InputError(
        "", 0, "arrival_s",
        "requests must be in arrival order (request " + std::to_string(stats_.admitted) + ")");
  }
  if (r.arrival_s > now_s) {
    throw std::invalid_argument("Scheduler::admit: request " + std::to_string(stats_.admitted) +
                                " arrives after the admission time");
  }
  if (r.variant >= estimates_.size()) {
    throw std::invalid_argument("Scheduler::admit: unknown variant " + std::to_string(r.variant));
  }
}

double Scheduler::alone_end(double now_s, const double* latency_s, std::uint32_t layers,
                            double next_arrival_s, bool admits_equal) {
  const auto run = [&]<bool kAdmitsEqual>() {
    double now = now_s;
    for (std::uint32_t k = 0;;) {
      now += latency_s[k];
      if (++k == layers) return now;
      if (kAdmitsEqual ? now >= next_arrival_s : now > next_arrival_s) {
        return std::numeric_limits<double>::quiet_NaN();
      }
    }
  };
  return admits_equal ? run.template operator()<true>() : run.template operator()<false>();
}

void Scheduler::fail_alone() const {
  if (!alone_ok_) throw std::logic_error("Scheduler::run_alone: not available (can_run_alone())");
  throw std::logic_error("Scheduler::run_alone: a task is ready, running or waiting");
}

std::uint32_t Scheduler::number_admission(const Request& r) {
  if (stats_.admitted == 0) stats_.first_arrival_s = r.arrival_s;
  last_arrival_s_ = r.arrival_s;
  return static_cast<std::uint32_t>(stats_.admitted++);
}

void Scheduler::complete(const Request& r, std::uint32_t number, double first_start_s,
                         double now_s) {
  if (stats_.last_finish_s <= now_s) stats_.last_finish_s = now_s;
  ++stats_.requests;
  for (EngineObserver* o : request_observers_) o->on_finish(number, now_s);
  for (EngineObserver* o : observers_) o->on_completion(r, number, first_start_s, now_s);
  if (keep_finished_) finished_.push_back({r, number, first_start_s, now_s});
}

std::uint32_t Scheduler::admit(const Request& r, double now_s) {
  check_admission(r, now_s);
  const std::uint32_t number = number_admission(r);
  if (running_) {
    pending_.push_back({r, number});
  } else {
    insert(r, number);
  }
  for (EngineObserver* o : request_observers_) o->on_admit(number, now_s);
  return number;
}

void Scheduler::insert(const Request& r, std::uint32_t number) {
  const VariantProfile& v = estimates_.variant(r.variant);
  // The task's slot in data_ (and, on the index path, in views_); both are written in place.
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(data_.size());
    data_.emplace_back();
    if (index_) views_.emplace_back();
  }
  TaskData& d = data_[slot];
  d.real_remaining = oracle_ ? oracle_->real_remaining_s(r) : nullptr;
  d.est_remaining =
      traits_.pattern_aware ? v.est_remaining_pattern_s.data() : v.est_remaining_model_s.data();
  d.est_layer = traits_.pattern_aware ? v.avg_latency_s.data() : v.avg_latency_model_s.data();
  d.request = r;
  d.first_start_s = -1;
  // A fresh predictor state: the window entries not yet written are never read (predictor.h).
  d.predictor.sum = 0;
  d.predictor.count = 0;
  ++count_;
  const double real =
      d.real_remaining ? d.real_remaining[0] : std::numeric_limits<double>::quiet_NaN();
  // Built in the destination, every field once (a TaskView built on the stack and then copied
  // is written in 8-byte and read in 16-byte pieces, a store-forwarding stall per piece).
  const auto build = [&](auto construct) -> TaskView& {
    return construct(r.arrival_s, r.deadline_s, r.arrival_s, d.est_remaining[0], d.est_layer[0],
                     d.est_remaining[0], real, real, 1.0, number, r.variant, std::uint32_t{0},
                     static_cast<std::uint32_t>(v.num_layers), r.sample_pos, r.priority);
  };
  if (index_) {
    index_->insert(slot, build([&](auto... field) -> TaskView& {
                     return *::new (static_cast<void*>(&views_[slot])) TaskView{field...};
                   }));
  } else {
#if __cpp_aggregate_paren_init >= 201902L
    build([&](auto... field) -> TaskView& { return views_.emplace_back(field...); });
#else  // e.g. Clang before 16: built on the stack and copied
    build([&](auto... field) -> TaskView& { return views_.emplace_back(TaskView{field...}); });
#endif
    states_.push_back(PolicyTaskState{});
    data_of_.push_back(slot);
    if (count_ == index_from_) enter_index();
  }
}

void Scheduler::enter_index() {
  // Views move to their data slots (free slots keep stale views, never read).
  std::vector<TaskView> by_slot(data_.size());
  for (std::size_t pos = 0; pos < count_; ++pos) by_slot[data_of_[pos]] = views_[pos];
  views_.swap(by_slot);
  index_ = policy_.make_index();
  for (std::size_t pos = 0; pos < count_; ++pos)
    index_->insert(data_of_[pos], views_[data_of_[pos]]);
  // running_view() stays valid across layer_done()'s flush of pending admissions.
  if (running_pos_ < data_of_.size()) running_pos_ = data_of_[running_pos_];
  states_.clear();
  data_of_.clear();
}

void Scheduler::leave_index() {
  index_.reset();
  std::vector<char> free(data_.size(), 0);
  for (const std::uint32_t slot : free_) free[slot] = 1;
  data_of_.clear();
  for (std::uint32_t slot = 0; slot < data_.size(); ++slot) {
    if (!free[slot]) data_of_.push_back(slot);
  }
  // Arrival rank = admission number (requests are admitted in arrival order).
  std::sort(data_of_.begin(), data_of_.end(), [&](std::uint32_t a, std::uint32_t b) {
    return views_[a].request < views_[b].request;
  });
  std::vector<TaskView> ranked;
  ranked.reserve(std::max(views_.capacity(), data_of_.size()));
  for (const std::uint32_t slot : data_of_) ranked.push_back(views_[slot]);
  views_.swap(ranked);
  states_.assign(count_, PolicyTaskState{});
}

void Scheduler::remove(std::size_t pos) {
  --count_;
  if (index_) {
    index_->erase_best(static_cast<std::uint32_t>(pos));
    free_.push_back(static_cast<std::uint32_t>(pos));
    if (count_ < index_from_ / 2) leave_index();
    return;
  }
  const auto offset = static_cast<std::ptrdiff_t>(pos);
  free_.push_back(data_of_[pos]);
  views_.erase(views_.begin() + offset);
  states_.erase(states_.begin() + offset);
  data_of_.erase(data_of_.begin() + offset);
}

std::size_t Scheduler::drop_hopeless(double now_s) {
  if (drop_ == DropRule::none) return 0;
  if (running_) throw std::logic_error("Scheduler::drop_hopeless: a layer is running");
  // The drop rule keeps the scan path (no TaskIndex): one pass that keeps the survivors in
  // arrival order, O(ready) whatever the number dropped.
  std::size_t dropped = 0, kept = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    const TaskView& t = views_[i];
    const double remaining =
        drop_ == DropRule::oracle ? t.real_remaining_s : t.gamma * t.est_remaining_s;
    if (now_s + remaining > t.deadline_s) {
      ++stats_.dropped;
      ++dropped;
      for (EngineObserver* o : observers_) o->on_drop(data_at(i).request, t.request, now_s);
      free_.push_back(data_of_[i]);
      continue;
    }
    if (kept != i) {
      views_[kept] = views_[i];
      states_[kept] = states_[i];
      data_of_[kept] = data_of_[i];
    }
    ++kept;
  }
  count_ = kept;
  views_.resize(kept);
  states_.resize(kept);
  data_of_.resize(kept);
  return dropped;
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

void Scheduler::fail_not_running(std::uint32_t task) const {
  throw std::logic_error("Scheduler::layer_done: task " + std::to_string(task) + " is not running");
}

void Scheduler::fail_next() const {
  if (running_) throw std::logic_error("Scheduler::next: a layer is still running");
  throw std::logic_error("Scheduler::next: no ready task");
}

void Scheduler::fail_select() {
  throw std::logic_error("policy returned an invalid task index");
}

std::size_t Scheduler::observed_select(double now_s) {
  const DecisionContext ctx{now_s, views_, states_};
  for (EngineObserver* o : decision_observers_) o->before_decision(ctx, policy_);
  const std::size_t chosen = policy_.select(ctx);
  if (chosen >= views_.size()) fail_select();
  for (EngineObserver* o : decision_observers_) o->on_decision(ctx, chosen);
  return chosen;
}

void Scheduler::finish(std::size_t pos, double now_s) {
  const TaskData& d = data_at(pos);
  complete(d.request, views_[pos].request, d.first_start_s, now_s);
  remove(pos);
}

void Scheduler::flush_pending() {
  for (const Pending& p : pending_) insert(p.request, p.number);
  pending_.clear();
}

}  // namespace dysta
