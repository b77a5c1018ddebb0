// RTL/model co-simulation of the Dysta hardware scheduler (docs/hardware.md, "Verification").
//
// Drives rtl/dysta_scheduler.sv (Verilator) and the C++ model (scheduler_model.h) with the same
// host commands and accelerator events, cycle by cycle. Every cycle it requires the same value on
// every output (host_cmd_ready, host_err, queue_len, npu_start, npu_task, npu_slot, npu_layer,
// out_vld, out_dat) and the same sys_clk; at every decision the same queue position, queue and
// register contents (slot, layer, deadline, last-execution clock, gamma and score of every
// queued request, beta, time shift and staged values); after each workload every table entry.
// The stimulus includes the protocol's illegal and corner sequences (docs/hardware.md,
// "Protocol"): commands held valid while not ready, offers withdrawn, npu_done / npu_last /
// npu_vld outside EXE, table writes in every state (and to the running request's entries in the
// npu_done cycle), requests longer than 2^LAYER_BITS layers, negative and saturating waits and
// slacks (sys_clk starts at an offset up to 2^46), back-to-back commands, full and empty queues.
// Functional coverage counts events in valid pipeline slots only; a required bin left at zero
// fails the run. The RTL's SystemVerilog assertions are checked in the same simulation.
//
// Usage: dysta_cosim_<cfg> [--workloads N] [--seed S] [--min-decisions D] [--no-coverage]
// Exit status 0 only if everything matched, at least D decisions were checked and every required
// coverage bin was hit.
#include <verilated.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#ifndef COSIM_TOP  // built by rtl/tb/mutation_test.py: plain --prefix Vcosim
#define COSIM_TOP Vcosim
#define COSIM_HEADER "Vcosim.h"
#define COSIM_ROOT_HEADER "Vcosim___024root.h"
#endif
#include COSIM_HEADER
#include COSIM_ROOT_HEADER
#include "dysta/hardware/scheduler_model.h"
#include "dysta/py_random.h"

namespace {

using dysta::PyRandom;
namespace hw = dysta::hw;

hw::HwConfig rtl_config() {
  hw::HwConfig c;
  c.queue_bits = COSIM_QUEUE_BITS;
  c.slot_bits = COSIM_SLOT_BITS;
  c.layer_bits = COSIM_LAYER_BITS;
  c.format = COSIM_SCORE_W == 32 ? hw::ScoreFormat::fp32 : hw::ScoreFormat::fp16;
  c.shared_units = COSIM_SHARED != 0;
  c.nnz_bits = COSIM_NNZ_W;
  c.time_bits = 48;
  return c;
}

constexpr int kLanes = 3;      // X_DIM
constexpr int kLaneBits = 16;  // DATA_W
// Score pipeline stages of the RTL (dysta_scheduler.sv: T_REQ + 1, T_U, T_S) at which the
// coverage samples a valid slot.
constexpr int kStageDiff = 5;
constexpr int kStageU = 14;
constexpr int kStageS = static_cast<int>(hw::kScoreLatency) - 1;

template <typename T>
bool bit_of(const T& v, std::size_t i) {
  if constexpr (std::is_integral_v<T>) {
    return ((static_cast<std::uint64_t>(v) >> i) & 1u) != 0;
  } else {
    return ((v[i / 32] >> (i % 32)) & 1u) != 0;
  }
}
std::int64_t sext49(std::uint64_t v) {
  const std::uint64_t m = std::uint64_t{1} << 48;
  v &= (m << 1) - 1;
  return static_cast<std::int64_t>(v ^ m) - static_cast<std::int64_t>(m);
}

// Functional coverage bins. Datapath bins count valid pipeline slots only.
enum Bin {
  kWaitNegative,     // wait < 0 (clamped to 0)
  kWaitSaturated,    // Q(wait) above the Q range
  kSlackNegative,    // deadline passed, within range
  kSlackLow,         // Q(slack) below the Q range (saturated low)
  kSlackHigh,        // Q(slack) above the Q range (saturated high)
  kUrgencyClamped,   // float(slack) - R < 0 (clamped to 0)
  kScoreTie,         // a later slot with a score equal to the best so far
  kScoreBetter,      // a later slot beating the best so far
  kLayerSaturated,   // rate step of a request at layer 2^LAYER_BITS - 1
  kNnzSaturated,     // the non-zero counter saturated
  kDensityZero,      // rate step with inv_density = 0 (gamma = 1)
  kDoneWrite,        // the running request's rate-table entry written in the npu_done cycle
  kHeldValid,        // host_cmd_valid while not ready
  kStrayDone,        // npu_done outside EXE
  kStrayValid,       // npu_vld outside EXE
  kPushFull,         // push into a full queue (error bit 0)
  kPushDuplicate,    // push of a queued id (error bit 1)
  kBadCode,          // undefined command code (error bit 2)
  kRemoveTail,       // last layer of the request at the queue's tail
  kRemoveMiddle,     // last layer of a request with others behind it
  kDecideFull,       // decision with the queue full
  kDecideSingle,     // decision with one request queued
  kBackToBack,       // third accepted command in consecutive cycles
  kPushAfterRemove,  // push accepted in the first cycle after a removal
  kBins
};
constexpr std::array<const char*, kBins> kBinNames = {
    "wait < 0 (clamped)",    "wait saturated",        "slack < 0",
    "slack saturated low",   "slack saturated high",  "urgency clamped at 0",
    "equal score (tie)",     "later score better",    "layer index saturated",
    "nnz counter saturated", "inv_density = 0",       "write at npu_done",
    "valid held, not ready", "npu_done outside EXE",  "npu_vld outside EXE",
    "push into full queue",  "push of queued id",     "undefined command",
    "remove at tail",        "remove with followers", "decision, queue full",
    "decision, one request", "back-to-back commands", "push right after removal"};

// Knobs of one workload; the directed cases are particular settings.
struct WorkloadSpec {
  std::string name;
  int requests = 40;
  int max_gap = 60;        // cycles between arrivals
  int burst_percent = 20;  // chance that the next request arrives in the same cycle
  int same_percent = 10;   // chance that a request copies the previous one (equal scores)
  int max_layer_cycles = 40;
  int one_cycle_percent = 10;
  int beat_percent = 60;
  int zero_lane_percent = 40;
  int passed_percent = 20;   // deadlines already passed
  int far_percent = 10;      // deadlines far beyond the Q range (saturation)
  int raw_lut_percent = 0;   // lookup-table entries with random bits (NaN, inf, subnormals)
  int noise_percent = 3;     // extra commands in any state (table writes, beta, bad codes, ...)
  int dup_percent = 3;       // pushes of an id that is still queued
  int overfill_percent = 3;  // pushes while the queue is full
  int idle_cycles = 0;       // cycles with nothing to do before the first request
  bool all_full = false;     // fill the queue completely at the start
  // Chance that the host rewrites the running request's inv_density / inv_outputs entry in the
  // npu_done cycle (the contract: a write accepted in that cycle is seen by the rate step).
  int done_write_percent = 0;
  int hold_percent = 50;            // a pending command is offered (valid) while not ready
  int withdraw_percent = 2;         // an offer made while not ready and withdrawn the next cycle
  int stray_percent = 5;            // npu_done / npu_last / npu_vld outside EXE
  int long_percent = 3;             // requests longer than 2^LAYER_BITS layers
  int future_arrival_percent = 5;   // last_exec in the future: negative wait
  int ancient_arrival_percent = 5;  // last_exec 0: wait of the whole sys_clk offset
  std::uint64_t clock_offset = 0;   // sys_clk at the end of reset
  int time_shift = -1;              // -1: random 0..6
};

class Bench {
 public:
  explicit Bench(std::uint64_t seed) : cfg_(rtl_config()), rng_(seed), model_(cfg_) {
    coverage_.fill(0);
  }

  std::size_t decisions() const { return decisions_; }
  std::size_t cycles() const { return total_cycles_; }
  std::size_t compares() const { return compares_; }
  const std::array<std::uint64_t, kBins>& coverage() const { return coverage_; }

  void run(const WorkloadSpec& spec) {
    spec_ = spec;
    reset();
    configure();
    generate_requests();
    std::uint64_t guard = 0;
    while (!requests_.empty() || !script_.empty() || !model_.queue().empty() ||
           model_.executing() || active_ || pending_) {
      step();
      if (++guard > 20'000'000) fail("workload does not finish");
    }
    for (int i = 0; i < 40; ++i) step();  // idle tail: nothing may start
    compare_registers();
    compare_tables();
  }

 private:
  struct Arrival {
    std::uint64_t cycle;
    std::uint64_t deadline;
    std::uint64_t staged_arrival;
    std::uint32_t slot;
    std::uint32_t layers;
    bool same_as_previous;
  };
  struct Cmd {
    hw::HostCommand code;
    std::uint64_t data;
    int push_layers = 0;  // for push: the request's layer count
  };

  [[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "MISMATCH [%s] cycle %llu: %s\n", spec_.name.c_str(),
                 static_cast<unsigned long long>(cycle_), what.c_str());
    std::exit(1);
  }
  template <typename A, typename B>
  void expect_eq(const A& rtl, const B& model, const char* what, std::size_t index = 0) {
    ++compares_;
    if (static_cast<std::uint64_t>(rtl) != static_cast<std::uint64_t>(model)) {
      fail(std::string(what) + "[" + std::to_string(index) + "]: rtl " +
           std::to_string(static_cast<std::uint64_t>(rtl)) + " model " +
           std::to_string(static_cast<std::uint64_t>(model)));
    }
  }

  std::uint32_t rand_below(std::uint32_t n) {
    return n <= 1 ? 0 : static_cast<std::uint32_t>(rng_.randint(0, n - 1));
  }
  std::uint64_t rand_bits(int bits) {  // bits <= 64
    std::uint64_t v = 0;
    for (int b = 0; b < bits; b += 32) {
      v |= std::uint64_t{rng_.getrandbits(std::min(32, bits - b))} << b;
    }
    return v;
  }
  bool chance(int percent) { return static_cast<int>(rand_below(100)) < percent; }

  void reset() {
    top_ = std::make_unique<COSIM_TOP>();
    top_->rst = 1;
    top_->host_cmd_valid = 0;
    top_->npu_vld = 0;
    top_->npu_done = 0;
    top_->npu_last = 0;
    for (int i = 0; i < 3; ++i) clock();
    top_->rst = 0;
    // Test-bench backdoor: start sys_clk at an offset so that 48-bit times, long waits and
    // saturating slacks are reachable in a short simulation. The model numbers cycles alike.
    top_->rootp->dysta_scheduler__DOT__sys_clk = spec_.clock_offset;
    top_->eval();
    cycle_ = spec_.clock_offset;
    model_ = hw::SchedulerModel(cfg_);
    script_.clear();
    requests_.clear();
    free_ids_.clear();
    for (std::uint32_t id = 0; id < cfg_.depth(); ++id) free_ids_.push_back(id);
    layers_left_.assign(cfg_.depth(), 0);
    active_ = false;
    pending_ = false;
    cur_task_ = cur_slot_ = cur_layer_ = 0;
    prev_vld_ = false;
    prev_dat_ = 0;
    withdraw_ = false;
    run_len_ = 0;
    last_accept_ = ~std::uint64_t{0};
    removal_end_ = ~std::uint64_t{0};
  }

  void clock() {
    top_->clk = 0;
    top_->eval();
    top_->clk = 1;
    top_->eval();
  }

  std::uint32_t fp_value(double lo, double hi) {
    const double x = lo + (hi - lo) * rng_.random();
    return hw::fp_from_double(cfg_.fp(), x);
  }
  std::uint32_t lut_value(double lo, double hi) {
    if (chance(spec_.raw_lut_percent)) return rng_.getrandbits(static_cast<int>(cfg_.score_bits()));
    return fp_value(lo, hi);
  }
  std::uint32_t rand_slot() { return rand_below(1u << cfg_.slot_bits); }
  std::uint32_t rand_layer() { return rand_below(1u << cfg_.layer_bits); }

  // Loads every table through the command port (the model follows command by command).
  void configure() {
    const std::uint32_t slots = 1u << cfg_.slot_bits, layers = 1u << cfg_.layer_bits;
    time_shift_ =
        spec_.time_shift >= 0 ? static_cast<std::uint32_t>(spec_.time_shift) : rand_below(7);
    script_.push_back({hw::HostCommand::set_time_shift, time_shift_});
    if (chance(50)) script_.push_back({hw::HostCommand::set_beta, lut_value(0.0, 2.0)});
    for (std::uint32_t n = 1; n <= cfg_.depth(); ++n) {
      const std::uint32_t v = chance(spec_.raw_lut_percent)
                                  ? rng_.getrandbits(static_cast<int>(cfg_.score_bits()))
                                  : hw::fp_recip(cfg_.fp(), n);
      script_.push_back({hw::HostCommand::lut_recip, hw::cmd::recip_entry(v, n - 1)});
    }
    for (std::uint32_t s = 0; s < slots; ++s) {
      script_.push_back(
          {hw::HostCommand::lut_inv_isolated, hw::cmd::slot_entry(lut_value(0, 8), s)});
      for (std::uint32_t k = 0; k < layers; ++k) {
        script_.push_back({hw::HostCommand::lut_rest, hw::cmd::lut_entry(lut_value(0, 64), s, k)});
        const std::uint32_t dens = chance(10) ? 0 : lut_value(1.0, 8.0);
        script_.push_back({hw::HostCommand::lut_inv_density, hw::cmd::lut_entry(dens, s, k)});
        const std::uint32_t out = chance(50)
                                      ? hw::fp_from_double(cfg_.fp(), 1.0 / (1 << rand_below(8)))
                                      : lut_value(0.0, 0.5);
        script_.push_back({hw::HostCommand::lut_inv_outputs, hw::cmd::lut_entry(out, s, k)});
      }
    }
    while (!script_.empty()) step();
    compare_tables();
  }

  void generate_requests() {
    const std::uint64_t unit = std::uint64_t{1} << (time_shift_ + cfg_.q().frac_bits);
    std::uint64_t t = cycle_ + spec_.idle_cycles;
    const int count =
        spec_.all_full ? static_cast<int>(cfg_.depth()) + spec_.requests : spec_.requests;
    const std::uint32_t max_layers = 1u << cfg_.layer_bits;
    for (int i = 0; i < count; ++i) {
      const bool same = i > 0 && chance(spec_.same_percent);
      if (same) {
        requests_.push_back(requests_.back());
        requests_.back().same_as_previous = true;
        continue;
      }
      if (!(spec_.all_full && i < static_cast<int>(cfg_.depth())) && !chance(spec_.burst_percent)) {
        t += 1 + rand_below(static_cast<std::uint32_t>(spec_.max_gap));
      }
      Arrival a;
      a.cycle = t;
      a.slot = rand_slot();
      a.layers = chance(spec_.long_percent)
                     ? max_layers + 1 + rand_below(4)
                     : 1 + rand_below(std::min<std::uint32_t>(6, max_layers));
      a.same_as_previous = false;
      if (chance(spec_.passed_percent)) {
        a.deadline = t > 4 * unit ? t - rand_below(static_cast<std::uint32_t>(
                                            std::min<std::uint64_t>(4 * unit, 0xFFFFFFFFu)))
                                  : 0;
        // Long passed (uniform below t): with a sys_clk offset the slack saturates low, and its
        // low bits are random, so a truncation instead of the saturation shows.
        if (chance(30)) a.deadline = t > 1 ? rand_bits(48) % t : 0;
      } else if (chance(spec_.far_percent)) {
        a.deadline = t + (unit << (cfg_.q().width - cfg_.q().frac_bits)) + rand_below(1000);
      } else {
        a.deadline = t + rand_below(static_cast<std::uint32_t>(
                             std::min<std::uint64_t>(8 * unit + 1000, 0xFFFFFFFFu)));
      }
      if (chance(spec_.future_arrival_percent)) {
        a.staged_arrival =
            t + 1 +
            rand_below(static_cast<std::uint32_t>(std::min<std::uint64_t>(4 * unit, 0xFFFFFFFFu)));
      } else if (chance(spec_.ancient_arrival_percent)) {
        a.staged_arrival = rand_below(100);
      } else {
        a.staged_arrival = t;
      }
      requests_.push_back(a);
    }
  }

  Cmd noise_command() {
    switch (rand_below(12)) {
      case 0:
        return {hw::HostCommand::nop, rand_bits(48)};
      case 1:
        return {hw::HostCommand::lut_rest,
                hw::cmd::lut_entry(lut_value(0, 64), rand_slot(), rand_layer())};
      case 2:
        return {hw::HostCommand::set_beta, lut_value(0, 2)};
      case 3:
        return {static_cast<hw::HostCommand>(0xC + rand_below(4)), rand_bits(48)};
      case 4:
        return {hw::HostCommand::clear_errors, 0};
      case 5:
        return {hw::HostCommand::lut_inv_density,
                hw::cmd::lut_entry(chance(20) ? 0 : lut_value(1, 8), rand_slot(), rand_layer())};
      case 6:
        return {hw::HostCommand::lut_inv_outputs,
                hw::cmd::lut_entry(lut_value(0, 0.5), rand_slot(), rand_layer())};
      case 7:
        return {
            hw::HostCommand::lut_recip,
            hw::cmd::recip_entry(
                chance(50) ? hw::fp_recip(cfg_.fp(),
                                          1 + rand_below(static_cast<std::uint32_t>(cfg_.depth())))
                           : lut_value(0, 1),
                rand_below(static_cast<std::uint32_t>(cfg_.depth())))};
      case 8:
        // Staged values are re-staged before the next push of a new request.
        return {hw::HostCommand::stage_deadline, rand_bits(48)};
      default:
        return {hw::HostCommand::lut_inv_isolated,
                hw::cmd::slot_entry(lut_value(0, 8), rand_slot())};
    }
  }

  // Plans host commands: the next arrival's stage + push commands, noise, error cases.
  void plan_host() {
    if (!script_.empty()) return;
    if (!requests_.empty() && requests_.front().cycle <= cycle_) {
      const Arrival a = requests_.front();
      requests_.pop_front();
      std::uint32_t id;
      const bool full = model_.queue().size() == cfg_.depth();
      if (full && !spec_.all_full && !chance(spec_.overfill_percent)) {
        requests_.push_front(a);  // wait for room (a host would)
        return;
      }
      if (!full && !free_ids_.empty() && !chance(spec_.dup_percent)) {
        id = free_ids_.front();
      } else if (!model_.queue().empty()) {
        id = model_.queue()[rand_below(static_cast<std::uint32_t>(model_.queue().size()))];
      } else {
        id = free_ids_.front();
      }
      if (!a.same_as_previous || stage_noise_) {
        script_.push_back({hw::HostCommand::stage_deadline, a.deadline});
        script_.push_back({hw::HostCommand::stage_arrival, a.staged_arrival});
        stage_noise_ = false;
      }
      script_.push_back(
          {hw::HostCommand::push, hw::cmd::push(id, a.slot), static_cast<int>(a.layers)});
      return;
    }
    if (chance(spec_.noise_percent)) {
      const int burst = chance(20) ? 1 + static_cast<int>(rand_below(4)) : 1;
      for (int i = 0; i < burst; ++i) {
        const Cmd c = noise_command();
        if (c.code == hw::HostCommand::stage_deadline) stage_noise_ = true;
        script_.push_back(c);
      }
    }
  }

  void step() {
    top_->eval();
    auto* r = top_->rootp;
    // ---- every output, every cycle
    if (pending_ && decision_.start_cycle == cycle_) {
      cur_task_ = decision_.id;
      cur_slot_ = decision_.slot;
      cur_layer_ = decision_.layer;
    }
    expect_eq(r->dysta_scheduler__DOT__sys_clk, cycle_, "sys_clk");
    const bool ready = top_->host_cmd_ready != 0;
    expect_eq(ready, model_.ready(cycle_), "host_cmd_ready");
    expect_eq(top_->host_err, model_.errors(), "host_err");
    expect_eq(top_->queue_len, model_.queue_len(cycle_), "queue_len");
    const bool start = top_->npu_start != 0;
    const bool expected = pending_ && decision_.start_cycle == cycle_;
    expect_eq(start, expected, "npu_start");
    expect_eq(top_->npu_task, cur_task_, "npu_task");
    expect_eq(top_->npu_slot, cur_slot_, "npu_slot");
    expect_eq(top_->npu_layer, cur_layer_, "npu_layer");
    expect_eq(top_->out_vld, prev_vld_, "out_vld");
    expect_eq(top_->out_dat, prev_dat_, "out_dat");
    sample_pipeline();

    // ---- host
    top_->host_cmd_valid = 0;
    bool commanded = false;
    if (ready) {
      if (active_ && cycle_ == done_ && chance(spec_.done_write_percent)) {
        const hw::RequestRegs& run = model_.requests()[decision_.id];
        const auto code =
            chance(50) ? hw::HostCommand::lut_inv_density : hw::HostCommand::lut_inv_outputs;
        script_.push_front({code, hw::cmd::lut_entry(lut_value(0.5, 8.0), run.slot, run.layer)});
        ++coverage_[kDoneWrite];
      }
      plan_host();
      if (!script_.empty()) {
        const Cmd c = script_.front();
        script_.pop_front();
        drive(c);
        const std::size_t before = model_.queue().size();
        const std::uint32_t errs = model_.errors();
        model_.command(cycle_, c.code, c.data);
        commanded = true;
        count_command(c, before, errs);
        if (c.code == hw::HostCommand::push && model_.queue().size() > before) {
          const std::uint32_t id = model_.queue().back();
          layers_left_[id] = static_cast<std::uint32_t>(c.push_layers);
          for (auto it = free_ids_.begin(); it != free_ids_.end(); ++it) {
            if (*it == id) {
              free_ids_.erase(it);
              break;
            }
          }
        }
      }
      withdraw_ = false;
    } else {
      // Not ready: a pending command may be offered (it must not be taken), or a random offer
      // made and withdrawn.
      if (!script_.empty() && chance(spec_.hold_percent)) {
        drive(script_.front());
        ++coverage_[kHeldValid];
      } else if (withdraw_ || chance(spec_.withdraw_percent)) {
        drive(noise_command());
        ++coverage_[kHeldValid];
        withdraw_ = !withdraw_;
      }
    }
    if (commanded) {
      run_len_ = last_accept_ + 1 == cycle_ ? run_len_ + 1 : 1;
      last_accept_ = cycle_;
      if (run_len_ >= 3) ++coverage_[kBackToBack];
    }

    // FSM leaves IDLE at the first cycle without a command.
    if (!commanded && model_.can_decide() && cycle_ >= model_.idle_since()) {
      const std::size_t n = model_.queue().size();
      if (n == cfg_.depth()) ++coverage_[kDecideFull];
      if (n == 1) ++coverage_[kDecideSingle];
      decision_ = model_.decide();
      pending_ = true;
      expect_eq(decision_.now_cycle, cycle_, "scoring starts");
    }

    // ---- accelerator stand-in
    top_->npu_vld = 0;
    top_->npu_done = 0;
    top_->npu_last = 0;
    top_->npu_dat = 0;
    const bool exe = active_ && cycle_ > start_;
    if (exe) {
      if (chance(spec_.beat_percent)) {
        std::uint64_t dat = 0;
        for (int lane = 0; lane < kLanes; ++lane) {
          if (!chance(spec_.zero_lane_percent)) {
            const std::uint64_t w = 1 + rand_below((1u << kLaneBits) - 1);
            dat |= w << (lane * kLaneBits);
            ++nnz_;
          }
        }
        top_->npu_vld = 1;
        top_->npu_dat = dat;
      } else if (chance(30)) {
        // Words without npu_vld are not counted.
        top_->npu_dat = (std::uint64_t{rng_.getrandbits(16)} << 32) | rng_.getrandbits(32);
      }
      if (cycle_ == done_) {
        const bool last = --layers_left_[decision_.id] == 0;
        top_->npu_done = 1;
        top_->npu_last = last;
        const hw::RequestRegs& run = model_.requests()[decision_.id];
        if (run.layer == (1u << cfg_.layer_bits) - 1) ++coverage_[kLayerSaturated];
        if (nnz_ >= (std::uint64_t{1} << cfg_.nnz_bits) - 1) ++coverage_[kNnzSaturated];
        if (hw::fp_is_zero(cfg_.fp(), model_.inv_density(run.slot, run.layer))) {
          ++coverage_[kDensityZero];
        }
        if (last) {
          ++coverage_[decision_.pos + 1 == model_.queue().size() ? kRemoveTail : kRemoveMiddle];
        }
        model_.layer_done(cycle_, nnz_, last);
        if (last) {
          free_ids_.push_back(decision_.id);
          removal_end_ = model_.idle_since();
        }
        active_ = false;
      }
    } else if (chance(spec_.stray_percent)) {
      // Outside EXE (also in the npu_start cycle): ignored by the scheduler.
      if (chance(50)) {
        top_->npu_done = 1;
        top_->npu_last = chance(50);
        ++coverage_[kStrayDone];
      } else {
        top_->npu_vld = 1;
        top_->npu_dat = rand_bits(48);
        ++coverage_[kStrayValid];
      }
    }

    if (start) {
      pending_ = false;
      expect_eq(r->dysta_scheduler__DOT__best_pos, decision_.pos, "best_pos");
      ++decisions_;
      compare_registers();
      active_ = true;
      start_ = cycle_;
      nnz_ = 0;
      const std::uint32_t len =
          chance(spec_.one_cycle_percent)
              ? 1
              : 1 + rand_below(static_cast<std::uint32_t>(spec_.max_layer_cycles));
      done_ = cycle_ + len;
    }
    prev_vld_ = top_->npu_vld != 0;
    prev_dat_ = top_->npu_dat;
    clock();
    ++cycle_;
    ++total_cycles_;
  }

  void drive(const Cmd& c) {
    top_->host_cmd_valid = 1;
    top_->host_cmd_code = static_cast<std::uint8_t>(c.code);
    top_->host_cmd_data = c.data;
  }

  void count_command(const Cmd& c, std::size_t queue_before, std::uint32_t errors_before) {
    const std::uint32_t raised = model_.errors() & ~errors_before;
    if (c.code == hw::HostCommand::push) {
      if (queue_before == cfg_.depth()) ++coverage_[kPushFull];
      if (raised & hw::kErrIdQueued) ++coverage_[kPushDuplicate];
      if (model_.queue().size() > queue_before && cycle_ == removal_end_) {
        ++coverage_[kPushAfterRemove];
      }
    }
    if (static_cast<unsigned>(c.code) > 0xB) ++coverage_[kBadCode];
  }

  // Datapath coverage: only slots that carry a queued request (vpipe) are counted.
  void sample_pipeline() {
    auto* r = top_->rootp;
    const auto vpipe = static_cast<std::uint64_t>(r->dysta_scheduler__DOT__vpipe);
    auto valid = [&](int stage) { return ((vpipe >> (stage - 1)) & 1u) != 0; };
    if (valid(kStageDiff)) {
      const int sh = static_cast<int>(r->dysta_scheduler__DOT__time_shift);
      const std::int64_t wait = sext49(r->dysta_scheduler__DOT__wait_d) >> sh;
      const std::int64_t slack = sext49(r->dysta_scheduler__DOT__slack_d) >> sh;
      const std::int64_t qmax = (std::int64_t{1} << (cfg_.q().width - 1)) - 1;
      if (wait < 0) ++coverage_[kWaitNegative];
      if (wait > qmax) ++coverage_[kWaitSaturated];
      if (slack < 0 && slack >= -qmax - 1) ++coverage_[kSlackNegative];
      if (slack < -qmax - 1) ++coverage_[kSlackLow];
      if (slack > qmax) ++coverage_[kSlackHigh];
    }
    const unsigned w = cfg_.score_bits();
    if (valid(kStageU) && ((r->dysta_scheduler__DOT__u_u >> (w - 1)) & 1u)) {
      ++coverage_[kUrgencyClamped];
    }
    if (valid(kStageS) && r->dysta_scheduler__DOT__best_valid) {
      const auto key = r->dysta_scheduler__DOT__key_s, best = r->dysta_scheduler__DOT__best_key;
      if (key == best) ++coverage_[kScoreTie];
      if (key < best) ++coverage_[kScoreBetter];
    }
  }

  void compare_registers() {
    auto* r = top_->rootp;
    const auto& q = model_.queue();
    expect_eq(r->dysta_scheduler__DOT__num, q.size(), "queue length");
    for (std::size_t i = 0; i < q.size(); ++i) {
      expect_eq(r->dysta_scheduler__DOT__u_queue__DOT__mem[i], q[i], "queue", i);
    }
    const auto& regs = model_.requests();
    for (std::size_t id = 0; id < regs.size(); ++id) {
      expect_eq(bit_of(r->dysta_scheduler__DOT__queued, id), regs[id].queued, "queued", id);
      if (!regs[id].queued) continue;
      expect_eq(r->dysta_scheduler__DOT__u_slot__DOT__mem[id], regs[id].slot, "slot", id);
      expect_eq(r->dysta_scheduler__DOT__u_layer__DOT__mem[id], regs[id].layer, "layer", id);
      expect_eq(r->dysta_scheduler__DOT__u_deadline__DOT__mem[id], regs[id].deadline, "deadline",
                id);
      expect_eq(r->dysta_scheduler__DOT__u_last_exec__DOT__mem[id], regs[id].last_exec, "last_exec",
                id);
      expect_eq(r->dysta_scheduler__DOT__u_gamma__DOT__mem[id], regs[id].gamma, "gamma", id);
      expect_eq(r->dysta_scheduler__DOT__u_score__DOT__mem[id], regs[id].score, "score", id);
    }
    expect_eq(r->dysta_scheduler__DOT__beta, model_.beta(), "beta");
    expect_eq(r->dysta_scheduler__DOT__time_shift, model_.time_shift(), "time_shift");
    expect_eq(r->dysta_scheduler__DOT__staged_deadline, model_.staged_deadline(),
              "staged deadline");
    expect_eq(r->dysta_scheduler__DOT__staged_arrival, model_.staged_arrival(), "staged arrival");
  }

  void compare_tables() {
    auto* r = top_->rootp;
    const std::size_t slots = std::size_t{1} << cfg_.slot_bits;
    const std::size_t layers = std::size_t{1} << cfg_.layer_bits;
    for (std::size_t s = 0; s < slots; ++s) {
      expect_eq(r->dysta_scheduler__DOT__u_inv_isolated__DOT__mem[s], model_.inv_isolated(s),
                "inv_isolated", s);
      for (std::size_t k = 0; k < layers; ++k) {
        const std::size_t a = s * layers + k;
        expect_eq(r->dysta_scheduler__DOT__u_rest__DOT__mem[a], model_.rest(s, k), "rest", a);
        expect_eq(r->dysta_scheduler__DOT__u_inv_density__DOT__mem[a], model_.inv_density(s, k),
                  "inv_density", a);
        expect_eq(r->dysta_scheduler__DOT__u_inv_outputs__DOT__mem[a], model_.inv_outputs(s, k),
                  "inv_outputs", a);
      }
    }
    for (std::size_t n = 0; n < cfg_.depth(); ++n) {
      expect_eq(r->dysta_scheduler__DOT__u_recip__DOT__mem[n], model_.recip(n), "recip", n);
    }
  }

  hw::HwConfig cfg_;
  PyRandom rng_;
  hw::SchedulerModel model_;
  std::unique_ptr<COSIM_TOP> top_;
  WorkloadSpec spec_;
  std::uint64_t cycle_ = 0;
  std::uint32_t time_shift_ = 0;
  std::deque<Cmd> script_;
  std::deque<Arrival> requests_;
  std::deque<std::uint32_t> free_ids_;
  std::vector<std::uint32_t> layers_left_;
  hw::ModelDecision decision_;
  bool pending_ = false;
  bool active_ = false;
  bool stage_noise_ = false;
  bool withdraw_ = false;
  bool prev_vld_ = false;
  std::uint64_t prev_dat_ = 0;
  std::uint32_t cur_task_ = 0, cur_slot_ = 0, cur_layer_ = 0;
  std::uint64_t start_ = 0, done_ = 0, nnz_ = 0;
  std::uint64_t last_accept_ = 0, removal_end_ = 0;
  int run_len_ = 0;
  std::size_t decisions_ = 0, total_cycles_ = 0, compares_ = 0;
  std::array<std::uint64_t, kBins> coverage_{};
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  int workloads = 2000;
  std::uint64_t seed = 1;
  std::size_t min_decisions = 0;
  bool check_coverage = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--workloads" && has_value)
      workloads = std::atoi(argv[++i]);
    else if (a == "--seed" && has_value)
      seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--min-decisions" && has_value)
      min_decisions = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--no-coverage")
      check_coverage = false;
  }
  const hw::HwConfig cfg = rtl_config();
  std::printf(
      "co-simulation: QUEUE_BITS %u SLOT_BITS %u LAYER_BITS %u SCORE_W %u SHARED %d "
      "NNZ_W %u\n",
      cfg.queue_bits, cfg.slot_bits, cfg.layer_bits, cfg.score_bits(), COSIM_SHARED, cfg.nnz_bits);

  const int depth = static_cast<int>(cfg.depth());
  std::vector<WorkloadSpec> directed;
  {
    WorkloadSpec s;
    s.name = "table write at npu_done";  // failed before the table-write contract was fixed
    s.done_write_percent = 100;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "empty queue";
    s.idle_cycles = 200;
    s.requests = 3;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "full queue";
    s.all_full = true;
    s.requests = 8;
    s.overfill_percent = 100;
    s.dup_percent = 20;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "queue full/empty edges";
    s.requests = 3 * depth;
    s.burst_percent = 90;
    s.max_gap = 4;
    s.max_layer_cycles = 3;
    s.overfill_percent = 50;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "deadlines passed";
    s.passed_percent = 100;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "equal scores";
    s.same_percent = 90;
    s.burst_percent = 100;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "one-cycle layers";
    s.one_cycle_percent = 100;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "counter saturation";
    s.max_layer_cycles = 400;
    s.beat_percent = 100;
    s.zero_lane_percent = 0;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "far deadlines";
    s.far_percent = 100;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "long requests";
    s.requests = 4;
    s.long_percent = 100;
    s.max_layer_cycles = 4;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "waits and slacks at 2^46";  // saturating Q conversions in both directions
    s.clock_offset = std::uint64_t{1} << 46;
    s.time_shift = 0;
    s.passed_percent = 50;
    s.future_arrival_percent = 30;
    s.ancient_arrival_percent = 40;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "held and stray signals";
    s.hold_percent = 100;
    s.withdraw_percent = 30;
    s.stray_percent = 60;
    s.noise_percent = 30;
    directed.push_back(s);
    s = WorkloadSpec{};
    s.name = "raw float tables";
    s.raw_lut_percent = 100;
    directed.push_back(s);
  }
  Bench bench(seed);
  for (const WorkloadSpec& s : directed) {
    const std::size_t before = bench.decisions();
    bench.run(s);
    std::printf("  directed %-26s %6zu decisions\n", s.name.c_str(), bench.decisions() - before);
  }
  PyRandom knobs(seed * 7919 + 1);
  for (int w = 0; w < workloads; ++w) {
    WorkloadSpec s;
    s.name = "random " + std::to_string(w);
    s.requests = static_cast<int>(knobs.randint(5, 60));
    s.max_gap = static_cast<int>(knobs.randint(1, 120));
    s.burst_percent = static_cast<int>(knobs.randint(0, 60));
    s.same_percent = static_cast<int>(knobs.randint(0, 30));
    s.max_layer_cycles = static_cast<int>(knobs.randint(1, 80));
    s.one_cycle_percent = static_cast<int>(knobs.randint(0, 30));
    s.passed_percent = static_cast<int>(knobs.randint(0, 50));
    s.far_percent = static_cast<int>(knobs.randint(0, 20));
    s.raw_lut_percent = knobs.randint(0, 9) == 0 ? static_cast<int>(knobs.randint(1, 30)) : 0;
    s.hold_percent = static_cast<int>(knobs.randint(0, 100));
    s.stray_percent = static_cast<int>(knobs.randint(0, 20));
    s.noise_percent = static_cast<int>(knobs.randint(0, 10));
    s.done_write_percent = static_cast<int>(knobs.randint(0, 20));
    if (knobs.randint(0, 9) == 0) s.clock_offset = std::uint64_t{1} << knobs.randint(20, 46);
    bench.run(s);
  }
  std::printf("random workloads %d, decisions checked %zu, cycles %zu, values compared %zu\n",
              workloads, bench.decisions(), bench.cycles(), bench.compares());
  // Required bins: all but the counter saturation, which needs 2^NNZ_W / X_DIM beats.
  bool covered = true;
  std::printf("functional coverage (valid pipeline slots and protocol events):\n");
  for (int b = 0; b < kBins; ++b) {
    const bool required = b != kNnzSaturated || cfg.nnz_bits <= 12;
    const std::uint64_t n = bench.coverage()[static_cast<std::size_t>(b)];
    std::printf("  %-28s %10llu%s\n", kBinNames[static_cast<std::size_t>(b)],
                static_cast<unsigned long long>(n),
                n == 0 ? (required ? "  <- NOT COVERED" : "  (not required)") : "");
    if (n == 0 && required) covered = false;
  }
  if (bench.decisions() < min_decisions) {
    std::fprintf(stderr, "FAIL: only %zu decisions checked (need %zu)\n", bench.decisions(),
                 min_decisions);
    return 1;
  }
  if (check_coverage && !covered) {
    std::fprintf(stderr, "FAIL: a required coverage bin was not hit\n");
    return 1;
  }
  std::printf("PASS: RTL and model identical at every cycle and decision\n");
  return 0;
}
