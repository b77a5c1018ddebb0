// Bit-accurate, cycle-accurate model of the Dysta hardware scheduler (spec H), the golden reference
// of rtl/dysta_scheduler.sv: same register files, lookup tables, arithmetic formats, host
// commands and FSM cycle counts. docs/hardware.md describes the design and every fix of spec H.7.
//
// Score of a queued task (spec C.7, the rule the paper's results come from, with the last-layer
// density ratio as gamma, spec D / H.3), at the snapshot `now` of the sys_clk cycle counter:
//   R     = gamma x rest[slot][layer]                         (float)
//   U     = max(0, float(Q(deadline - now)) - R)              (float)
//   P     = float(Q(max(0, now - last_exec))) x inv_iso[slot] x recip[N-1]      (float)
//   score = R + beta x (U + P)
// where Q(cycles) = floor(cycles / 2^time_shift) saturated to the Q format, i.e. time measured in
// units of 2^(time_shift + F) cycles. The task with the strictly smallest score wins; ties go to
// the earlier queue position, and the queue is kept in push (arrival) order.
// After a layer: gamma = float(nnz) x inv_out[slot][layer] x inv_density[slot][layer], or 1 when
// inv_density is zero (a layer with no average density carries no information, spec D).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dysta/hardware/fixed_point.h"
#include "dysta/hardware/soft_float.h"

namespace dysta::hw {

enum class ScoreFormat { fp32, fp16 };  // FP32 + Q13.18, or FP16 + Q7.8 (spec H.4)

// Synthesis parameters of the scheduler (rtl/dysta_scheduler.sv has the same names in capitals).
struct HwConfig {
  unsigned queue_bits = 9;  // REQST_DEPTH: 2^queue_bits request ids and queue entries
  unsigned slot_bits = 5;   // 2^slot_bits (model, pattern) slots in the lookup tables
  unsigned layer_bits = 6;  // 2^layer_bits layers per slot
  ScoreFormat format = ScoreFormat::fp32;
  bool shared_units = true;  // COMPUTE_OPT: the rate step borrows the score unit's multipliers
  unsigned nnz_bits = 24;    // width of the saturating non-zero counter
  unsigned time_bits = 48;   // width of sys_clk, deadlines and last-execution clocks (cycles)

  FloatFormat fp() const { return format == ScoreFormat::fp32 ? kFp32 : kFp16; }
  QFormat q() const { return format == ScoreFormat::fp32 ? kQ13_18 : kQ7_8; }
  unsigned score_bits() const { return format == ScoreFormat::fp32 ? 32 : 16; }
  std::size_t depth() const { return std::size_t{1} << queue_bits; }
  std::size_t lut_entries() const { return std::size_t{1} << (slot_bits + layer_bits); }
  // Throws InputError for widths the design does not support.
  void validate() const;
};

// FSM timing in cycles (identical in the RTL, which derives them from its pipeline schedule
// T_S and RC_END). With the FSM leaving IDLE at cycle t with N queued requests: now = t, the N
// scores are issued at t+1 .. t+N and each is compared kScoreLatency - 1 cycles after its issue
// (2-cycle RAM reads, pipelined float units); one more cycle latches npu_task/slot/layer, and
// npu_start is asserted at t + N + kScoreLatency + 1. After npu_done at cycle d: the rate step
// occupies d+1 .. d+kRateCycles; then a finished task's removal takes N - pos + 1 cycles (N before
// removal, pos its queue position); then IDLE.
inline constexpr std::uint64_t kScoreLatency = 29;
inline constexpr std::uint64_t kRateCycles = 10;

// Host command codes (`host_cmd_code`, 4 bits; spec H.5 with H.7 #1 fixed). Data fields of the
// 48-bit `host_cmd_data` word: value [31:0], layer [39:32], slot [47:40], request id [15:0],
// 1/N table index [47:32]; fields wider than the configuration are truncated to it.
enum class HostCommand : std::uint8_t {
  nop = 0x0,
  lut_rest = 0x1,          // rest[slot][layer] = value (float)
  lut_inv_density = 0x2,   // inv_density[slot][layer] = value (float)
  lut_inv_outputs = 0x3,   // inv_out[slot][layer] = value (float)
  lut_inv_isolated = 0x4,  // inv_iso[slot] = value (float)
  lut_recip = 0x5,         // recip[index] = value (float), index = N - 1
  set_beta = 0x6,          // beta = value (float)
  set_time_shift = 0x7,    // time_shift = data[5:0]
  stage_deadline = 0x8,    // staged deadline = data (absolute cycle)
  stage_arrival = 0x9,     // staged arrival = data (absolute cycle)
  push = 0xA,              // new request: id, slot; layer 0, gamma 1, score +0, the staged
                           // deadline and arrival (as last-execution clock); appended to the queue
  clear_errors = 0xB,      // errors = 0
};

// Sticky error flags (`host_err`): a rejected command changes nothing else.
inline constexpr std::uint32_t kErrQueueFull = 1;   // push with 2^queue_bits requests queued
inline constexpr std::uint32_t kErrIdQueued = 2;    // push of an id that is still queued
inline constexpr std::uint32_t kErrBadCommand = 4;  // undefined command code

namespace cmd {
std::uint64_t lut_entry(std::uint32_t value, std::uint32_t slot, std::uint32_t layer);
std::uint64_t slot_entry(std::uint32_t value, std::uint32_t slot);
std::uint64_t recip_entry(std::uint32_t value, std::uint32_t index);
std::uint64_t push(std::uint32_t id, std::uint32_t slot);
}  // namespace cmd

// Per-request registers.
struct RequestRegs {
  std::uint32_t slot = 0;
  std::uint32_t layer = 0;      // next layer to run (saturates at 2^layer_bits - 1)
  std::uint64_t deadline = 0;   // cycles
  std::uint64_t last_exec = 0;  // cycles: arrival, then the npu_done cycle of its last layer
  std::uint32_t gamma = 0;      // float
  std::uint32_t score = 0;      // float, written by every scoring pass
  bool queued = false;
};

// Intermediate values of one task's score (for tests and traces).
struct ScoreTerms {
  std::uint32_t id = 0;
  std::int64_t slack_q = 0, wait_q = 0;
  std::uint32_t remaining = 0, urgency = 0, penalty = 0, cost = 0, score = 0;  // floats
};

struct ModelDecision {
  std::uint32_t id = 0;            // npu_task
  std::uint32_t pos = 0;           // its queue position
  std::uint32_t queue_length = 0;  // N
  std::uint64_t now_cycle = 0;     // t: the snapshot used for every score
  std::uint64_t start_cycle = 0;   // npu_start
  std::uint32_t slot = 0;          // npu_slot
  std::uint32_t layer = 0;         // npu_layer: the layer to run (before the increment)
};

class SchedulerModel {
 public:
  explicit SchedulerModel(const HwConfig& config);

  const HwConfig& config() const { return config_; }

  // --- host port. Commands are given in cycle order, at most one per cycle; commands of cycle c
  // come before layer_done(c). Table-write contract: a write accepted at cycle c is seen by every
  // table read of cycle c + 1 on; the rate step reads in the first RATE cycle (npu_done + 1), so a
  // write accepted in the npu_done cycle, also to the running request's entry, is used by that
  // layer's gamma (docs/hardware.md, "Protocol"). A command is accepted (host_cmd_ready) in IDLE
  // and while the NPU runs a layer (EXE). In IDLE with a non-empty queue the FSM leaves at the
  // first cycle without a command, so a host holding it there issues commands back to back.
  bool ready(std::uint64_t cycle) const;
  // The earliest cycle >= `cycle` at which ready() holds, if the FSM is in IDLE or EXE and no
  // other event intervenes; in EXE the caller must deliver the layer's npu_done first if that
  // comes earlier.
  std::uint64_t next_ready(std::uint64_t cycle) const;
  // Throws std::logic_error if the command is not accepted at `cycle` (a host-driver bug).
  void command(std::uint64_t cycle, HostCommand code, std::uint64_t data);

  // --- FSM. True in IDLE with a non-empty queue: the FSM starts a scoring pass at
  // max(IDLE entry, last command + 1).
  bool can_decide() const;
  // IDLE -> SCORE -> START: scores every queued request and returns the choice.
  //
  // Model speed-up, not hardware (the RTL scores all N entries; cycle timing is unchanged): the
  // pruned pass returns the full pass's decision without scoring every entry. With beta,
  // recip[N-1] and every inv_iso entry non-negative (sign bit 0, not NaN), U + P >= +0 or NaN,
  // so score = R + beta x (U + P) has an order key >= that of any lower bound built with the same
  // monotone operations (RNE addition and multiplication by a non-negative value are monotone; a
  // NaN score has the largest key). Bounds used: R itself, which changes only when the request
  // runs or the rest table is written; and R + beta x P_sat for a request whose wait saturates
  // the Q format (it stays saturated until it runs, since the clock only advances; P_sat is its
  // slot's penalty at the maximum wait). Requests are kept in lists sorted by (key of R, push
  // order): unsaturated ones in one list, saturated ones per slot. Each list is scanned in order;
  // a request is skipped when its bound's key exceeds the best score key found so far (so is the
  // rest of the list) or equals it and the request was pushed after the best one (it could at
  // most tie and lose the tie to the earlier queue position; so could the rest of its run of
  // equal R). Worst case (all bounds below the best score): every entry, as the full pass.
  // `terms`, or a negative/NaN beta, recip[N-1] or inv_iso entry, selects the full pass. The
  // score registers of skipped requests are computed from the same pass inputs when first read
  // (requests(), or before a rest / inv_iso table write), so every observable register holds
  // what the full pass writes (tests/hardware/scheduler_model_pruning_test.cpp).
  ModelDecision decide(std::vector<ScoreTerms>* terms = nullptr);
  // Scores computed by decide() passes (full: N per pass), for tests and benchmarks.
  std::uint64_t scores_evaluated() const { return scores_evaluated_; }
  bool executing() const { return phase_ == Phase::exe; }
  // EXE -> RATE -> (REMOVE) -> IDLE: npu_done at `cycle` (>= npu_start + 1) with the layer's
  // non-zero count (saturated to nnz_bits) and npu_last.
  void layer_done(std::uint64_t cycle, std::uint64_t nnz, bool last);
  // The cycle the FSM entered (or will enter) IDLE; valid when !executing().
  std::uint64_t idle_since() const { return idle_since_; }
  // The queue_len output at `cycle` (after the commands of earlier cycles): a finished request
  // leaves the count in the last REMOVE cycle's edge, i.e. at idle_since().
  std::size_t queue_len(std::uint64_t cycle) const {
    return queue_.size() + (removing_ && cycle < idle_since_ ? 1 : 0);
  }

  // --- register contents.
  const std::vector<RequestRegs>& requests() const {
    if (scores_pending_) materialize_scores();
    return regs_;
  }
  const std::vector<std::uint32_t>& queue() const { return queue_; }  // ids in queue order
  std::uint32_t rest(std::size_t slot, std::size_t layer) const { return rest_[lut(slot, layer)]; }
  std::uint32_t inv_density(std::size_t slot, std::size_t layer) const {
    return inv_density_[lut(slot, layer)];
  }
  std::uint32_t inv_outputs(std::size_t slot, std::size_t layer) const {
    return inv_outputs_[lut(slot, layer)];
  }
  std::uint32_t inv_isolated(std::size_t slot) const { return inv_isolated_[slot]; }
  std::uint32_t recip(std::size_t index) const { return recip_[index]; }
  std::uint32_t beta() const { return beta_; }
  unsigned time_shift() const { return time_shift_; }
  std::uint32_t errors() const { return errors_; }
  std::uint64_t staged_deadline() const { return staged_deadline_; }
  std::uint64_t staged_arrival() const { return staged_arrival_; }

  // Reset value of beta: 0.01 rounded to the score format (spec C.6, H.7 #4).
  static std::uint32_t default_beta(ScoreFormat format);

 private:
  enum class Phase { idle, exe };
  std::size_t lut(std::size_t slot, std::size_t layer) const {
    return (slot << config_.layer_bits) | layer;
  }
  std::uint64_t hold_until() const;

  // The quantities a scoring pass shares between all entries.
  struct PassInputs {
    std::uint64_t now = 0;
    std::uint32_t recip_n = 0, beta = 0;
    unsigned time_shift = 0;
  };
  // A queued request in the pruned pass's scan order.
  struct OrderEntry {
    std::uint32_t key;  // fp_order_key of its R
    std::uint32_t id;
    std::uint64_t seq;  // push order: equal keys are scanned in queue order
    bool operator<(const OrderEntry& o) const { return key != o.key ? key < o.key : seq < o.seq; }
  };
  std::uint32_t remaining_of(std::uint32_t id) const {
    const RequestRegs& r = regs_[id];
    return fp_mul(fp_, r.gamma, rest_[lut(r.slot, r.layer)]);
  }
  ScoreTerms score_terms(std::uint32_t id, std::uint32_t remaining, const PassInputs& in) const;
  bool prunable(const PassInputs& in) const;
  void order_insert(std::uint32_t id);
  void order_erase(std::uint32_t id);
  void rebuild_order();
  void materialize_scores() const;

  HwConfig config_;
  FloatFormat fp_;
  QFormat q_;
  // mutable: score registers skipped by a pruned pass are filled in when first read.
  mutable std::vector<RequestRegs> regs_;
  std::vector<std::uint32_t> queue_;
  std::vector<std::uint32_t> rest_, inv_density_, inv_outputs_, recip_, inv_isolated_;
  std::uint32_t beta_;
  unsigned time_shift_ = 0;
  std::uint64_t staged_deadline_ = 0, staged_arrival_ = 0;
  std::uint32_t errors_ = 0;

  Phase phase_ = Phase::idle;
  std::uint64_t idle_since_ = 0;
  bool any_command_ = false;
  bool removing_ = false;  // the last layer_done removed a request
  std::uint64_t last_command_ = 0;
  ModelDecision active_;

  // Pruned-pass state (see decide()). Valid if order_valid_; built for time_shift order_shift_
  // and passes at now >= order_now_.
  std::vector<std::uint32_t> remaining_;  // R of each queued request
  std::vector<std::uint64_t> seq_;        // push order of each request
  std::uint64_t next_seq_ = 0;
  // Queued requests whose wait was below the Q maximum when last checked, sorted by (key of R,
  // seq); and per slot those whose wait saturates (P then equals its slot's P_sat).
  std::vector<OrderEntry> order_;
  std::vector<std::vector<OrderEntry>> saturated_;
  // Per slot beta x P_sat (+0 if NaN), for recip sat_terms_recip_ and beta sat_terms_beta_.
  std::vector<std::uint32_t> sat_terms_;
  bool sat_terms_valid_ = false;
  std::uint32_t sat_terms_recip_ = 0, sat_terms_beta_ = 0;
  std::vector<std::uint8_t> in_saturated_;  // per request
  std::vector<std::uint32_t> generation_;   // per request: bumped when it enters order_
  struct WaitEntry {
    std::uint64_t last_exec;
    std::uint32_t id, generation;
    bool operator>(const WaitEntry& o) const { return last_exec > o.last_exec; }
  };
  std::vector<WaitEntry> fresh_heap_;  // min-heap on last_exec of order_'s requests (lazy)
  bool order_valid_ = true;
  unsigned order_shift_ = 0;
  std::uint64_t order_now_ = 0;
  void move_saturated(std::uint64_t now);
  std::size_t irregular_inv_iso_ = 0;  // inv_iso entries with sign bit 1 or NaN
  PassInputs last_pass_;
  std::uint64_t pass_ = 0;                          // scoring passes so far
  mutable std::vector<std::uint64_t> scored_pass_;  // the pass that last wrote each score
  mutable bool scores_pending_ = false;  // a queued request's score of pass_ is not yet written
  std::uint64_t scores_evaluated_ = 0;
};

}  // namespace dysta::hw
