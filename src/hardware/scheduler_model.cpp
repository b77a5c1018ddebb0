#include "dysta/hardware/scheduler_model.h"

#include <algorithm>
#include <functional>
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
      beta_(default_beta(config.format)),
      remaining_(config.depth(), 0),
      seq_(config.depth(), 0),
      saturated_(std::size_t{1} << config.slot_bits),
      sat_terms_(std::size_t{1} << config.slot_bits, 0),
      in_saturated_(config.depth(), 0),
      generation_(config.depth(), 0),
      scored_pass_(config.depth(), 0) {
  config_.validate();
  queue_.reserve(config.depth());
  order_.reserve(config.depth());
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
      if (scores_pending_) materialize_scores();
      rest_[lut(slot, layer)] = value;
      order_valid_ = false;
      break;
    case HostCommand::lut_inv_density:
      inv_density_[lut(slot, layer)] = value;
      break;
    case HostCommand::lut_inv_outputs:
      inv_outputs_[lut(slot, layer)] = value;
      break;
    case HostCommand::lut_inv_isolated: {
      if (scores_pending_) materialize_scores();
      const auto irregular = [this](std::uint32_t v) {
        return fp_sign(fp_, v) || fp_is_nan(fp_, v);
      };
      irregular_inv_iso_ -= irregular(inv_isolated_[slot]) ? 1 : 0;
      irregular_inv_iso_ += irregular(value) ? 1 : 0;
      inv_isolated_[slot] = value;
      sat_terms_valid_ = false;
      break;
    }
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
        seq_[id] = next_seq_++;
        scored_pass_[id] = pass_;  // its score register (0) is current
        if (order_valid_) order_insert(id);
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

ScoreTerms SchedulerModel::score_terms(std::uint32_t id, std::uint32_t remaining,
                                       const PassInputs& in) const {
  const RequestRegs& r = regs_[id];
  const int frac = q_.frac_bits;
  const auto shift = static_cast<int>(in.time_shift);
  ScoreTerms t;
  t.id = id;
  const std::int64_t slack =
      static_cast<std::int64_t>(r.deadline) - static_cast<std::int64_t>(in.now);
  const std::int64_t wait =
      static_cast<std::int64_t>(in.now) - static_cast<std::int64_t>(r.last_exec);
  t.slack_q = q_from_cycles(q_, slack, shift);
  t.wait_q = std::max<std::int64_t>(0, q_from_cycles(q_, wait, shift));
  t.remaining = remaining;
  t.urgency = fp_sub(fp_, fp_from_fixed(fp_, t.slack_q, frac), t.remaining);
  if (fp_sign(fp_, t.urgency)) t.urgency = 0;
  t.penalty = fp_mul(fp_, fp_mul(fp_, fp_from_fixed(fp_, t.wait_q, frac), inv_isolated_[r.slot]),
                     in.recip_n);
  t.cost = fp_add(fp_, t.urgency, t.penalty);
  t.score = fp_add(fp_, t.remaining, fp_mul(fp_, in.beta, t.cost));
  return t;
}

bool SchedulerModel::prunable(const PassInputs& in) const {
  const auto regular = [this](std::uint32_t v) { return !fp_sign(fp_, v) && !fp_is_nan(fp_, v); };
  return regular(in.beta) && regular(in.recip_n) && irregular_inv_iso_ == 0;
}

void SchedulerModel::order_insert(std::uint32_t id) {
  remaining_[id] = remaining_of(id);
  const OrderEntry e{fp_order_key(fp_, remaining_[id]), id, seq_[id]};
  order_.insert(std::upper_bound(order_.begin(), order_.end(), e), e);
  in_saturated_[id] = 0;
  fresh_heap_.push_back({regs_[id].last_exec, id, ++generation_[id]});
  std::push_heap(fresh_heap_.begin(), fresh_heap_.end(), std::greater<>{});
  if (fresh_heap_.size() > 2 * config_.depth() + 64) {  // drop stale records
    fresh_heap_.clear();
    for (const OrderEntry& o : order_) {
      fresh_heap_.push_back({regs_[o.id].last_exec, o.id, generation_[o.id]});
    }
    std::make_heap(fresh_heap_.begin(), fresh_heap_.end(), std::greater<>{});
  }
}

void SchedulerModel::order_erase(std::uint32_t id) {
  const OrderEntry e{fp_order_key(fp_, remaining_[id]), id, seq_[id]};
  std::vector<OrderEntry>& list = in_saturated_[id] ? saturated_[regs_[id].slot] : order_;
  const auto it = std::lower_bound(list.begin(), list.end(), e);
  if (it == list.end() || it->id != id) throw std::logic_error("hardware model: order lost");
  list.erase(it);
}

void SchedulerModel::rebuild_order() {
  order_.clear();
  fresh_heap_.clear();
  for (auto& list : saturated_) list.clear();
  for (const std::uint32_t id : queue_) {
    remaining_[id] = remaining_of(id);
    in_saturated_[id] = 0;
    order_.push_back({fp_order_key(fp_, remaining_[id]), id, seq_[id]});
    fresh_heap_.push_back({regs_[id].last_exec, id, ++generation_[id]});
  }
  std::sort(order_.begin(), order_.end());
  std::make_heap(fresh_heap_.begin(), fresh_heap_.end(), std::greater<>{});
  order_valid_ = true;
  order_shift_ = time_shift_;
  order_now_ = 0;
}

// Moves the requests of order_ whose wait at `now` saturates the Q format to their slot's list.
void SchedulerModel::move_saturated(std::uint64_t now) {
  const auto shift = static_cast<int>(order_shift_);
  while (!fresh_heap_.empty()) {
    const WaitEntry w = fresh_heap_.front();
    const std::int64_t wait =
        static_cast<std::int64_t>(now) - static_cast<std::int64_t>(w.last_exec);
    if (q_from_cycles(q_, wait, shift) < q_.max()) break;
    std::pop_heap(fresh_heap_.begin(), fresh_heap_.end(), std::greater<>{});
    fresh_heap_.pop_back();
    if (!regs_[w.id].queued || generation_[w.id] != w.generation || in_saturated_[w.id]) continue;
    order_erase(w.id);
    in_saturated_[w.id] = 1;
    const OrderEntry e{fp_order_key(fp_, remaining_[w.id]), w.id, seq_[w.id]};
    std::vector<OrderEntry>& list = saturated_[regs_[w.id].slot];
    list.insert(std::upper_bound(list.begin(), list.end(), e), e);
  }
}

void SchedulerModel::materialize_scores() const {
  for (const std::uint32_t id : queue_) {
    if (scored_pass_[id] == pass_) continue;
    regs_[id].score = score_terms(id, remaining_of(id), last_pass_).score;
    scored_pass_[id] = pass_;
  }
  scores_pending_ = false;
}

ModelDecision SchedulerModel::decide(std::vector<ScoreTerms>* terms) {
  if (!can_decide()) throw std::logic_error("hardware model: decide() needs IDLE, queue non-empty");
  const auto n = static_cast<std::uint32_t>(queue_.size());
  const PassInputs in{hold_until(), recip_[n - 1], beta_, time_shift_};
  ++pass_;
  last_pass_ = in;
  scores_pending_ = false;
  if (terms) terms->clear();
  ModelDecision best;
  std::uint32_t best_key = 0;
  if (!terms && prunable(in)) {
    if (!order_valid_ || in.time_shift != order_shift_ || in.now < order_now_) rebuild_order();
    order_now_ = in.now;
    move_saturated(in.now);
    std::uint64_t best_seq = 0;
    std::uint32_t evaluated = 0;
    // Scans one list, sorted by (key of R, seq), whose entries have lower bounds bound(e) that
    // are non-decreasing along it and equal for equal R. An entry is skipped when its bound
    // exceeds the best key so far (and so is the rest of the list), or equals it with a later
    // push than the best (it could at most tie and lose the tie; so could the rest of its run of
    // equal R keys, skipped by binary search).
    const auto scan = [&](const std::vector<OrderEntry>& list, auto bound) {
      for (std::size_t i = 0; i < list.size();) {
        const OrderEntry& e = list[i];
        if (evaluated > 0) {
          const std::uint32_t bound_key = bound(e);
          if (bound_key > best_key) break;
          if (bound_key == best_key && e.seq > best_seq) {
            const OrderEntry run_end{e.key, 0, std::numeric_limits<std::uint64_t>::max()};
            i = static_cast<std::size_t>(
                std::upper_bound(list.begin() + static_cast<std::ptrdiff_t>(i), list.end(),
                                 run_end) -
                list.begin());
            continue;
          }
        }
        const std::uint32_t score = score_terms(e.id, remaining_[e.id], in).score;
        regs_[e.id].score = score;
        scored_pass_[e.id] = pass_;
        const std::uint32_t key = fp_order_key(fp_, score);
        if (evaluated++ == 0 || key < best_key || (key == best_key && e.seq < best_seq)) {
          best_key = key;
          best_seq = e.seq;
          best.id = e.id;
        }
        ++i;
      }
    };
    scan(order_, [](const OrderEntry& e) { return e.key; });  // score >= R
    if (!sat_terms_valid_ || in.recip_n != sat_terms_recip_ || in.beta != sat_terms_beta_) {
      // score >= R + beta x P_sat (U >= +0; all operations monotone); a NaN bound term is
      // replaced by +0 and a NaN bound (R = -inf) by R, both still lower bounds.
      const std::uint32_t wait_sat = fp_from_fixed(fp_, q_.max(), q_.frac_bits);
      for (std::size_t slot = 0; slot < saturated_.size(); ++slot) {
        const std::uint32_t p_sat =
            fp_mul(fp_, fp_mul(fp_, wait_sat, inv_isolated_[slot]), in.recip_n);
        const std::uint32_t term = fp_mul(fp_, in.beta, p_sat);
        sat_terms_[slot] = fp_is_nan(fp_, term) ? 0 : term;
      }
      sat_terms_valid_ = true;
      sat_terms_recip_ = in.recip_n;
      sat_terms_beta_ = in.beta;
    }
    for (std::size_t slot = 0; slot < saturated_.size(); ++slot) {
      if (saturated_[slot].empty()) continue;
      const std::uint32_t term = sat_terms_[slot];
      scan(saturated_[slot], [&](const OrderEntry& e) {
        const std::uint32_t bound = fp_add(fp_, remaining_[e.id], term);
        return fp_order_key(fp_, fp_is_nan(fp_, bound) ? remaining_[e.id] : bound);
      });
    }
    scores_evaluated_ += evaluated;
    scores_pending_ = evaluated < n;
    // The queue is in push order: its position by binary search on seq.
    const auto it =
        std::lower_bound(queue_.begin(), queue_.end(), best_seq,
                         [this](std::uint32_t id, std::uint64_t seq) { return seq_[id] < seq; });
    best.pos = static_cast<std::uint32_t>(it - queue_.begin());
    best.slot = regs_[best.id].slot;
    best.layer = regs_[best.id].layer;
  } else {
    for (std::uint32_t pos = 0; pos < n; ++pos) {
      const std::uint32_t id = queue_[pos];
      RequestRegs& r = regs_[id];
      const ScoreTerms t = score_terms(id, remaining_of(id), in);
      r.score = t.score;
      scored_pass_[id] = pass_;
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
    scores_evaluated_ += n;
  }
  best.queue_length = n;
  best.now_cycle = in.now;
  best.start_cycle = in.now + n + kScoreLatency + 1;
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
  if (order_valid_) order_erase(active_.id);
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
  } else if (order_valid_) {
    order_insert(active_.id);
  }
  phase_ = Phase::idle;
}

}  // namespace dysta::hw
