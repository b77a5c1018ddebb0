// dysta_hw: Dysta decided by the bit-accurate hardware scheduler model (include/dysta/hardware/).
#include "dysta/hardware/dysta_hw.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "dysta/error.h"

namespace dysta::hw {

DystaHwPolicy::DystaHwPolicy(const HwConfig& config, const HostParams& params)
    : config_(config), params_(params) {
  config_.validate();
}

void DystaHwPolicy::bind(const ProfileSet& profiles) {
  overhead_s_ = 0;
  config_ = fit_config(profiles, config_);
  const HostProgram program = make_host_program(profiles, config_, params_);
  model_.emplace(config_);
  std::uint64_t cycle = 0;
  for (const auto& [code, data] : program.commands) model_->command(cycle++, code, data);
  stats_ = DystaHwStats{};
  stats_.config_cycles = cycle;
  stats_.time_shift = program.time_shift;
  running_.reset();
  next_request_ = 0;
  waiting_.clear();
  free_ids_.clear();
  for (std::size_t id = config_.depth(); id-- > 0;) {
    free_ids_.push_back(static_cast<std::uint32_t>(id));
  }
  id_request_.assign(config_.depth(), 0);
  id_slot_.assign(config_.depth(), 0);
  slot_tasks_.clear();
}

std::uint64_t DystaHwPolicy::cycle_of(double seconds) const {
  const std::uint64_t limit = (std::uint64_t{1} << config_.time_bits) - 1;
  return std::min(limit,
                  stats_.config_cycles + to_cycles(seconds, params_.clock_hz, config_.time_bits));
}

void DystaHwPolicy::issue(HostCommand code, std::uint64_t data, std::uint64_t earliest) {
  while (true) {
    const std::uint64_t cycle = model_->next_ready(earliest);
    if (running_ && cycle > pending_done_) {
      finish_running();  // the layer ends first; the command goes to the following IDLE
      continue;
    }
    if (cycle == std::numeric_limits<std::uint64_t>::max()) {
      throw std::logic_error("dysta_hw: the host cannot reach the scheduler before it decides");
    }
    model_->command(cycle, code, data);
    return;
  }
}

void DystaHwPolicy::finish_running() {
  const Running run = *running_;
  running_.reset();
  const bool last = run.layer + 1 == run.num_layers;
  const std::uint64_t nnz = nonzeros(run.measured_sparsity, params_.layer_outputs);
  model_->layer_done(pending_done_, nnz, last);
  if (last) free_ids_.push_back(run.id);
}

void DystaHwPolicy::push(const Pending& r) {
  const std::uint64_t arrival = cycle_of(r.arrival_s);
  const std::uint32_t id = free_ids_.back();
  free_ids_.pop_back();
  id_request_[id] = r.request;
  id_slot_[id] = r.slot;
  issue(HostCommand::stage_deadline, cycle_of(r.deadline_s), arrival);
  issue(HostCommand::stage_arrival, arrival, arrival);
  issue(HostCommand::push, cmd::push(id, r.variant), arrival);
}

// No Policy::scores(): the hardware score of a candidate exists only inside select(), which first
// pushes the newly admitted requests into the model, delivers the running layer's npu_done
// (updating the monitor's gamma) and then scores the queue in FP32/FP16; taking it before
// select() without changing state would mean copying the whole SchedulerModel. The scores that
// pass wrote are reported after select() instead (scores_after_select()).
bool DystaHwPolicy::scores_after_select(const DecisionContext& ctx, std::span<double> out) const {
  if (!model_) return false;
  std::fill(out.begin(), out.end(), std::numeric_limits<double>::quiet_NaN());
  const FloatFormat fp = config_.fp();
  for (const std::uint32_t id : model_->queue()) {
    const std::uint32_t request = id_request_[id];
    const auto it =
        std::lower_bound(ctx.tasks.begin(), ctx.tasks.end(), request,
                         [](const TaskView& t, std::uint32_t req) { return t.request < req; });
    if (it == ctx.tasks.end() || it->request != request) continue;
    out[static_cast<std::size_t>(it - ctx.tasks.begin())] =
        fp_to_double(fp, model_->requests()[id].score);
  }
  return true;
}

std::map<std::string, double> DystaHwPolicy::statistics() const {
  const auto d = [](std::uint64_t x) { return static_cast<double>(x); };
  return {{"config_cycles", d(stats_.config_cycles)},
          {"decisions", d(stats_.decisions)},
          {"decision_cycles", d(stats_.decision_cycles)},
          {"max_decision_cycles", d(stats_.max_decision_cycles)},
          {"late_layers", d(stats_.late_layers)},
          {"queue_full_waits", d(stats_.queue_full_waits)},
          {"time_shift", d(stats_.time_shift)}};
}

const char* DystaHwPolicy::score_meaning() const {
  return "hardware score R + beta x (U + P) of the scoring pass (FP32/FP16, time in units of "
         "2^(time_shift + F) cycles), reported after select(); smallest wins; empty for requests "
         "still in the host FIFO";
}

void DystaHwPolicy::layer_done(const TaskView& task, std::uint32_t layer, double measured_sparsity,
                               double end_s) {
  if (!running_ || running_->request != task.request || running_->layer != layer) {
    throw std::logic_error("dysta_hw: layer_done() for a layer it did not choose");
  }
  running_->done = true;
  running_->end_s = end_s;
  running_->measured_sparsity = measured_sparsity;
}

ModelDecision DystaHwPolicy::schedule(double now_s) {
  const std::uint64_t now = cycle_of(now_s);
  if (running_) {
    if (!running_->done) throw std::logic_error("dysta_hw: select() before layer_done()");
    pending_done_ = cycle_of(running_->end_s);
    if (pending_done_ < running_->start_cycle + 1) {
      pending_done_ = running_->start_cycle + 1;
      ++stats_.late_layers;
    }
  }
  while (!waiting_.empty()) {
    if (model_->queue().size() == config_.depth()) {
      if (running_) {
        finish_running();  // its removal may free an entry
        continue;
      }
      ++stats_.queue_full_waits;
      break;
    }
    push(waiting_.front());
    waiting_.pop_front();
  }
  if (running_) finish_running();

  const ModelDecision d = model_->decide();
  const std::uint64_t latency = d.start_cycle > now ? d.start_cycle - now : 0;
  overhead_s_ = params_.charge_latency ? static_cast<double>(latency) / params_.clock_hz : 0.0;
  ++stats_.decisions;
  stats_.decision_cycles += latency;
  stats_.max_decision_cycles = std::max(stats_.max_decision_cycles, latency);
  return d;
}

std::size_t DystaHwPolicy::select(const DecisionContext& ctx) {
  if (!model_) throw std::logic_error("dysta_hw: bind() was not called (use run_policy)");
  // Newly admitted requests are the tail of ctx.tasks (arrival order).
  std::size_t first_new = ctx.tasks.size();
  while (first_new > 0 && ctx.tasks[first_new - 1].request >= next_request_) --first_new;
  for (std::size_t i = first_new; i < ctx.tasks.size(); ++i) {
    const TaskView& t = ctx.tasks[i];
    waiting_.push_back({t.request, t.variant, t.arrival_s, t.deadline_s, 0});
    next_request_ = t.request + 1;
  }
  const ModelDecision d = schedule(ctx.now_s);
  const std::uint32_t request = id_request_[d.id];
  const auto it =
      std::lower_bound(ctx.tasks.begin(), ctx.tasks.end(), request,
                       [](const TaskView& t, std::uint32_t req) { return t.request < req; });
  if (it == ctx.tasks.end() || it->request != request) {
    throw std::logic_error("dysta_hw: the scheduler chose a request that is not ready");
  }
  running_ = Running{d.id, request, it->variant, it->num_layers, it->layers_done, d.start_cycle};
  return static_cast<std::size_t>(it - ctx.tasks.begin());
}

void DystaHwPolicy::index_insert(std::uint32_t slot, const TaskView& task) {
  if (!model_) throw std::logic_error("dysta_hw: bind() was not called (use run_policy)");
  if (slot >= slot_tasks_.size()) slot_tasks_.resize(std::size_t{slot} + 1);
  slot_tasks_[slot] = {task.request, task.variant, task.num_layers, task.layers_done};
  waiting_.push_back({task.request, task.variant, task.arrival_s, task.deadline_s, slot});
  next_request_ = task.request + 1;
}

std::uint32_t DystaHwPolicy::index_best(double now_s) {
  const ModelDecision d = schedule(now_s);
  const std::uint32_t slot = id_slot_[d.id];
  const SlotTask& t = slot_tasks_[slot];
  if (t.request != id_request_[d.id]) {
    throw std::logic_error("dysta_hw: the scheduler chose a request that is not ready");
  }
  running_ = Running{d.id, t.request, t.variant, t.num_layers, t.layers_done, d.start_cycle};
  return slot;
}

// The engine's TaskIndex for dysta_hw: every call goes to the policy's host steps.
class DystaHwIndex final : public TaskIndex {
 public:
  explicit DystaHwIndex(DystaHwPolicy& policy) : policy_(policy) {}
  void insert(std::uint32_t slot, const TaskView& task) override {
    policy_.index_insert(slot, task);
  }
  std::uint32_t best(double now_s) override { return policy_.index_best(now_s); }
  void update_best(std::uint32_t slot, const TaskView& task) override {
    policy_.slot_tasks_[slot].layers_done = task.layers_done;
  }
  // The model removes a finished request at its last npu_done (finish_running()).
  void erase_best(std::uint32_t /*slot*/) override {}

 private:
  DystaHwPolicy& policy_;
};

std::unique_ptr<TaskIndex> DystaHwPolicy::make_index() const {
  // The Scheduler asks its (non-const) policy for the index once per run, after bind().
  return std::make_unique<DystaHwIndex>(const_cast<DystaHwPolicy&>(*this));
}

namespace {

const std::vector<ParamSpec> kParams = {
    {"score_bits", 32, "score format: 32 = FP32 + Q13.18 time, 16 = FP16 + Q7.8 time", 16, 32,
     true},
    {"queue_bits", 9, "hardware queue of 2^queue_bits requests (REQST_DEPTH)", 1, 16, true},
    {"clock_hz", kMeasuredClockHz,
     "scheduler clock in Hz (time base of deadlines and waits); default: routed iCE40 Fmax", 1e3,
     1e12},
    {"beta", 0.01, "weight of urgency + preemption penalty (loaded as a float constant)", 0, 1000},
    {"time_shift", -1,
     "Q time unit = 2^(time_shift + F) cycles; -1 = nearest to the longest "
     "isolated latency",
     -1, 63, true},
    {"layer_outputs", 16384, "output words per layer counted by the sparsity monitor", 1, 1e9,
     true},
    {"charge_latency", 0, "1 = charge each decision's cycles to the accelerator's time", 0, 1,
     true},
};

std::unique_ptr<Policy> make(const ParamValues& p, Semantics) {
  HwConfig config;
  const double bits = p.at("score_bits");
  if (bits != 32 && bits != 16) throw InputError("", 0, "score_bits", "must be 32 or 16");
  config.format = bits == 32 ? ScoreFormat::fp32 : ScoreFormat::fp16;
  const double qb = p.at("queue_bits");
  if (!(qb >= 1 && qb <= 16) || qb != static_cast<int>(qb)) {
    throw InputError("", 0, "queue_bits", "must be an integer in 1..16");
  }
  config.queue_bits = static_cast<unsigned>(qb);
  HostParams host;
  host.clock_hz = p.at("clock_hz");
  host.beta = p.at("beta");
  const double shift = p.at("time_shift");
  if (!(shift >= -1 && shift <= 63) || shift != static_cast<int>(shift)) {
    throw InputError("", 0, "time_shift", "must be an integer in -1..63");
  }
  host.time_shift = static_cast<int>(shift);
  host.layer_outputs = p.at("layer_outputs");
  if (!(host.clock_hz > 0)) throw InputError("", 0, "clock_hz", "must be > 0");
  if (!(host.layer_outputs >= 1)) throw InputError("", 0, "layer_outputs", "must be >= 1");
  const double charge = p.at("charge_latency");
  if (charge != 0 && charge != 1) throw InputError("", 0, "charge_latency", "must be 0 or 1");
  host.charge_latency = charge == 1;
  return std::make_unique<DystaHwPolicy>(config, host);
}

DYSTA_REGISTER_POLICY({"dysta_hw",
                       "Dysta decided by the bit-accurate hardware scheduler model (FP32/FP16 "
                       "scores, fixed-point time, last-layer sparsity monitor)",
                       {true, true},
                       kParams,
                       make});

}  // namespace
}  // namespace dysta::hw
