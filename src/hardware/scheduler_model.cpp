#include "dysta/hardware/scheduler_model.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "dysta/error.h"

namespace dysta::hw {

namespace {
std::uint64_t field(std::uint64_t data, unsigned lsb, unsigned width) {
  return (data >> lsb) & ((std::uint64_t{1} << width) - 1);
}
std::uint64_t low_bits(std::uint64_t v, unsigned width) {
  return width >= 64 ? v : v & ((std::uint64_t{1} << width) - 1);
}
}  // namespace

void HwConfig::validate() const {
  auto check = [](bool ok, const char* name, const std::string& why) {
    if (!ok) throw InputError("", 0, name, why);
  };
  check(queue_bits >= 1 && queue_bits <= 16, "queue_bits", "must be in 1..16");
  check(slot_bits >= 1 && slot_bits <= 8, "slot_bits", "must be in 1..8");
  check(layer_bits >= 1 && layer_bits <= 8, "layer_bits", "must be in 1..8");
  check(slot_bits + layer_bits <= 16, "slot_bits", "slot_bits + layer_bits must be <= 16");
  check(nnz_bits >= 1 && nnz_bits <= 32, "nnz_bits", "must be in 1..32");
  check(time_bits >= 16 && time_bits <= 48, "time_bits", "must be in 16..48");
}

namespace cmd {
std::uint64_t lut_entry(std::uint32_t value, std::uint32_t slot, std::uint32_t layer) {
  return value | (std::uint64_t{layer & 0xFFu} << 32) | (std::uint64_t{slot & 0xFFu} << 40);
}
std::uint64_t slot_entry(std::uint32_t value, std::uint32_t slot) {
  return value | (std::uint64_t{slot & 0xFFu} << 40);
}
std::uint64_t recip_entry(std::uint32_t value, std::uint32_t index) {
  return value | (std::uint64_t{index & 0xFFFFu} << 32);
}
std::uint64_t push(std::uint32_t id, std::uint32_t slot) {
  return (id & 0xFFFFu) | (std::uint64_t{slot & 0xFFu} << 40);
}
}  // namespace cmd

std::uint32_t SchedulerModel::default_beta(ScoreFormat format) {
  HwConfig c;
  c.format = format;
  return fp_from_double(c.fp(), 0.01);
}

SchedulerModel::SchedulerModel(const HwConfig& config)
    : config_(config),
      fp_(config.fp()),
      q_(config.q()),
      regs_(config.depth()),
      rest_(config.lut_entries(), 0),
      inv_density_(config.lut_entries(), 0),
      inv_outputs_(config.lut_entries(), 0),
      recip_(config.depth(), 0),
      inv_isolated_(std::size_t{1} << config.slot_bits, 0),
      beta_(default_beta(config.format)) {
  config_.validate();
  queue_.reserve(config.depth());
}

std::uint64_t SchedulerModel::hold_until() const {
  const std::uint64_t after = any_command_ ? last_command_ + 1 : 0;
  return std::max(idle_since_, after);
}

bool SchedulerModel::ready(std::uint64_t cycle) const {
  if (any_command_ && cycle <= last_command_) return false;
  if (phase_ == Phase::exe) return cycle >= active_.start_cycle + 1;
  if (cycle < idle_since_) return false;
  return queue_.empty() || cycle <= hold_until();
}

std::uint64_t SchedulerModel::next_ready(std::uint64_t cycle) const {
  std::uint64_t c = any_command_ ? std::max(cycle, last_command_ + 1) : cycle;
  if (phase_ == Phase::exe) return std::max(c, active_.start_cycle + 1);
  c = std::max(c, idle_since_);
  if (!queue_.empty() && c > hold_until()) return std::numeric_limits<std::uint64_t>::max();
  return c;
}

void SchedulerModel::command(std::uint64_t cycle, HostCommand code, std::uint64_t data) {
  if (!ready(cycle)) {
    throw std::logic_error("hardware model: host command at cycle " + std::to_string(cycle) +
                           " while the scheduler is not ready");
  }
  any_command_ = true;
  last_command_ = cycle;
  const std::uint32_t value = static_cast<std::uint32_t>(low_bits(data, config_.score_bits()));
  const auto slot = static_cast<std::uint32_t>(field(data, 40, config_.slot_bits));
  const auto layer = static_cast<std::uint32_t>(field(data, 32, config_.layer_bits));
  switch (code) {
    case HostCommand::nop:
      break;
    case HostCommand::lut_rest:
      rest_[lut(slot, layer)] = value;
      break;
    case HostCommand::lut_inv_density:
      inv_density_[lut(slot, layer)] = value;
      break;
    case HostCommand::lut_inv_outputs:
      inv_outputs_[lut(slot, layer)] = value;
      break;
    case HostCommand::lut_inv_isolated:
      inv_isolated_[slot] = value;
      break;
    case HostCommand::lut_recip:
      recip_[field(data, 32, config_.queue_bits)] = value;
      break;
    case HostCommand::set_beta:
      beta_ = value;
      break;
    case HostCommand::set_time_shift:
      time_shift_ = static_cast<unsigned>(field(data, 0, 6));
      break;
    case HostCommand::stage_deadline:
      staged_deadline_ = low_bits(data, config_.time_bits);
      break;
    case HostCommand::stage_arrival:
      staged_arrival_ = low_bits(data, config_.time_bits);
      break;
    case HostCommand::push: {
      const auto id = static_cast<std::uint32_t>(field(data, 0, config_.queue_bits));
      if (queue_.size() == config_.depth()) {
        errors_ |= kErrQueueFull;
      } else if (regs_[id].queued) {
        errors_ |= kErrIdQueued;
      } else {
        regs_[id] = {slot, 0, staged_deadline_, staged_arrival_, fp_one(fp_), 0, true};
        queue_.push_back(id);
      }
      break;
    }
    case HostCommand::clear_errors:
      errors_ = 0;
      break;
    default:
      errors_ |= kErrBadCommand;
      break;
  }
}

bool SchedulerModel::can_decide() const {
  return phase_ == Phase::idle && !queue_.empty();
}

ModelDecision SchedulerModel::decide(std::vector<ScoreTerms>* terms) {
  if (!can_decide()) throw std::logic_error("hardware model: decide() needs IDLE, queue non-empty");
  const std::uint64_t now = hold_until();
  const auto n = static_cast<std::uint32_t>(queue_.size());
  const std::uint32_t recip_n = recip_[n - 1];
  const int frac = q_.frac_bits;
  const auto shift = static_cast<int>(time_shift_);
  if (terms) terms->clear();
  ModelDecision best;
  std::uint32_t best_key = 0;
  for (std::uint32_t pos = 0; pos < n; ++pos) {
    const std::uint32_t id = queue_[pos];
    RequestRegs& r = regs_[id];
    ScoreTerms t;
    t.id = id;
    const std::int64_t slack =
        static_cast<std::int64_t>(r.deadline) - static_cast<std::int64_t>(now);
    const std::int64_t wait =
        static_cast<std::int64_t>(now) - static_cast<std::int64_t>(r.last_exec);
    t.slack_q = q_from_cycles(q_, slack, shift);
    t.wait_q = std::max<std::int64_t>(0, q_from_cycles(q_, wait, shift));
    t.remaining = fp_mul(fp_, r.gamma, rest_[lut(r.slot, r.layer)]);
    t.urgency = fp_sub(fp_, fp_from_fixed(fp_, t.slack_q, frac), t.remaining);
    if (fp_sign(fp_, t.urgency)) t.urgency = 0;
    t.penalty = fp_mul(fp_, fp_mul(fp_, fp_from_fixed(fp_, t.wait_q, frac), inv_isolated_[r.slot]),
                       recip_n);
    t.cost = fp_add(fp_, t.urgency, t.penalty);
    t.score = fp_add(fp_, t.remaining, fp_mul(fp_, beta_, t.cost));
    r.score = t.score;
    const std::uint32_t key = fp_order_key(fp_, t.score);
    if (pos == 0 || key < best_key) {
      best_key = key;
      best.id = id;
      best.pos = pos;
      best.slot = r.slot;
      best.layer = r.layer;
    }
    if (terms) terms->push_back(t);
  }
  best.queue_length = n;
  best.now_cycle = now;
  best.start_cycle = now + n + kScoreLatency + 1;
  active_ = best;
  phase_ = Phase::exe;
  return best;
}

void SchedulerModel::layer_done(std::uint64_t cycle, std::uint64_t nnz, bool last) {
  if (phase_ != Phase::exe) throw std::logic_error("hardware model: npu_done outside EXE");
  if (cycle < active_.start_cycle + 1 || (any_command_ && cycle < last_command_)) {
    throw std::logic_error("hardware model: npu_done at cycle " + std::to_string(cycle) +
                           " is out of order");
  }
  RequestRegs& r = regs_[active_.id];
  const std::size_t entry = lut(r.slot, r.layer);
  const std::uint64_t nnz_max = (std::uint64_t{1} << config_.nnz_bits) - 1;
  const auto count = static_cast<std::int64_t>(std::min(nnz, nnz_max));
  const std::uint32_t ratio = fp_mul(
      fp_, fp_mul(fp_, fp_from_fixed(fp_, count, 0), inv_outputs_[entry]), inv_density_[entry]);
  r.gamma = fp_is_zero(fp_, inv_density_[entry]) ? fp_one(fp_) : ratio;
  r.last_exec = cycle;
  const std::uint32_t layer_max = (1u << config_.layer_bits) - 1;
  if (r.layer < layer_max) ++r.layer;
  idle_since_ = cycle + kRateCycles + 1;
  removing_ = last;
  if (last) {
    idle_since_ += queue_.size() - active_.pos + 1;
    queue_.erase(queue_.begin() + active_.pos);
    r.queued = false;
  }
  phase_ = Phase::idle;
}

}  // namespace dysta::hw
