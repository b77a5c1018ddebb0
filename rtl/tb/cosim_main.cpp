// RTL/model co-simulation of the Dysta hardware scheduler (docs/hardware.md).
//
// Drives rtl/dysta_scheduler.sv (Verilator) and the C++ model (scheduler_model.h) with the same
// host commands and accelerator events, cycle by cycle, and requires at every cycle the same
// host_cmd_ready and npu_start, and at every decision the same chosen request, sys_clk, queue and
// register contents (slot, layer, deadline, last-execution clock, gamma and score of every queued
// request, the error flags, beta, time shift and staged values). Lookup tables are compared after
// each workload. Directed corner cases run first, then random workloads.
//
// Usage: dysta_cosim_<cfg> [--workloads N] [--seed S] [--min-decisions D]
// Exit status 0 only if everything matched and at least D decisions were checked.
#include <verilated.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <type_traits>
#include <vector>

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

template <typename T>
bool bit_of(const T& v, std::size_t i) {
  if constexpr (std::is_integral_v<T>) {
    return ((static_cast<std::uint64_t>(v) >> i) & 1u) != 0;
  } else {
    return ((v[i / 32] >> (i % 32)) & 1u) != 0;
  }
}

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
  int noise_percent = 3;     // extra commands: nop, LUT writes, beta, bad code, clear errors
  int dup_percent = 3;       // pushes of an id that is still queued
  int overfill_percent = 3;  // pushes while the queue is full
  int idle_cycles = 0;       // cycles with nothing to do before the first request
  bool all_full = false;     // fill the queue completely at the start
  // Chance that the host rewrites the running request's inv_density / inv_outputs entry in the
  // npu_done cycle (the contract: a write accepted in that cycle is seen by the rate step).
  int done_write_percent = 0;
};

class Bench {
 public:
  explicit Bench(std::uint64_t seed) : cfg_(rtl_config()), rng_(seed), model_(cfg_) {}

  std::size_t decisions() const { return decisions_; }
  std::size_t cycles() const { return total_cycles_; }
  std::size_t compares() const { return compares_; }

  void run(const WorkloadSpec& spec) {
    spec_ = spec;
    reset();
    configure();
    generate_requests();
    std::uint64_t guard = 0;
    while (!requests_.empty() || !script_.empty() || !model_.queue().empty() ||
           model_.executing() || active_) {
      step();
      if (++guard > 20'000'000) fail("workload does not finish");
    }
    for (int i = 0; i < 20; ++i) step();  // idle tail: nothing may start
    compare_registers("end of workload");
    compare_tables();
  }

 private:
  struct Arrival {
    std::uint64_t cycle;
    std::uint64_t deadline;
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
    top_->eval();
    cycle_ = 0;
    model_ = hw::SchedulerModel(cfg_);
    script_.clear();
    requests_.clear();
    free_ids_.clear();
    for (std::uint32_t id = 0; id < cfg_.depth(); ++id) free_ids_.push_back(id);
    layers_left_.assign(cfg_.depth(), 0);
    active_ = false;
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

  // Loads every table through the command port (the model follows command by command).
  void configure() {
    const std::uint32_t slots = 1u << cfg_.slot_bits, layers = 1u << cfg_.layer_bits;
    time_shift_ = rand_below(7);
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
      a.slot = rand_below(1u << cfg_.slot_bits);
      a.layers = 1 + rand_below(std::min<std::uint32_t>(6, 1u << cfg_.layer_bits));
      a.same_as_previous = false;
      if (chance(spec_.passed_percent)) {
        a.deadline = t > 4 * unit ? t - rand_below(static_cast<std::uint32_t>(4 * unit)) : 0;
      } else if (chance(spec_.far_percent)) {
        a.deadline = t + (unit << (cfg_.q().width - cfg_.q().frac_bits)) + rand_below(1000);
      } else {
        a.deadline = t + rand_below(static_cast<std::uint32_t>(
                             std::min<std::uint64_t>(8 * unit + 1000, 0xFFFFFFFFu)));
      }
      requests_.push_back(a);
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
      if (!a.same_as_previous) {
        script_.push_back({hw::HostCommand::stage_deadline, a.deadline});
        script_.push_back({hw::HostCommand::stage_arrival, a.cycle});
      }
      script_.push_back(
          {hw::HostCommand::push, hw::cmd::push(id, a.slot), static_cast<int>(a.layers)});
      return;
    }
    if (chance(spec_.noise_percent)) {
      switch (rand_below(6)) {
        case 0:
          script_.push_back({hw::HostCommand::nop, 0});
          break;
        case 1:
          script_.push_back({hw::HostCommand::lut_rest,
                             hw::cmd::lut_entry(lut_value(0, 64), rand_below(1u << cfg_.slot_bits),
                                                rand_below(1u << cfg_.layer_bits))});
          break;
        case 2:
          script_.push_back({hw::HostCommand::set_beta, lut_value(0, 2)});
          break;
        case 3:
          script_.push_back({static_cast<hw::HostCommand>(0xC + rand_below(4)), 0});
          break;
        case 4:
          script_.push_back({hw::HostCommand::clear_errors, 0});
          break;
        default:
          script_.push_back(
              {hw::HostCommand::lut_inv_isolated,
               hw::cmd::slot_entry(lut_value(0, 8), rand_below(1u << cfg_.slot_bits))});
          break;
      }
    }
  }

  void step() {
    top_->eval();
    expect_eq(top_->rootp->dysta_scheduler__DOT__sys_clk, cycle_, "sys_clk");
    const bool ready = top_->host_cmd_ready != 0;
    expect_eq(ready, model_.ready(cycle_), "host_cmd_ready");

    // Host.
    top_->host_cmd_valid = 0;
    bool commanded = false;
    if (ready) {
      if (active_ && cycle_ == done_ && chance(spec_.done_write_percent)) {
        const hw::RequestRegs& run = model_.requests()[decision_.id];
        const auto code =
            chance(50) ? hw::HostCommand::lut_inv_density : hw::HostCommand::lut_inv_outputs;
        script_.push_front({code, hw::cmd::lut_entry(lut_value(0.5, 8.0), run.slot, run.layer)});
      }
      plan_host();
      if (!script_.empty()) {
        const Cmd c = script_.front();
        script_.pop_front();
        top_->host_cmd_valid = 1;
        top_->host_cmd_code = static_cast<std::uint8_t>(c.code);
        top_->host_cmd_data = c.data;
        const std::size_t before = model_.queue().size();
        model_.command(cycle_, c.code, c.data);
        commanded = true;
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
    }

    // FSM leaves IDLE at the first cycle without a command.
    if (!commanded && model_.can_decide() && cycle_ >= model_.idle_since()) {
      decision_ = model_.decide();
      pending_ = true;
      expect_eq(decision_.now_cycle, cycle_, "scoring starts");
    }

    // Accelerator stand-in.
    top_->npu_vld = 0;
    top_->npu_done = 0;
    top_->npu_last = 0;
    top_->npu_dat = 0;
    if (active_ && cycle_ > start_) {
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
        model_.layer_done(cycle_, nnz_, last);
        if (last) free_ids_.push_back(decision_.id);
        active_ = false;
      }
    }

    // npu_start (combinational from the state) must match the model's start cycle.
    const bool start = top_->npu_start != 0;
    const bool expected = pending_ && decision_.start_cycle == cycle_;
    expect_eq(start, expected, "npu_start");
    if (start) {
      pending_ = false;
      expect_eq(top_->npu_task, decision_.id, "npu_task");
      expect_eq(top_->rootp->dysta_scheduler__DOT__best_pos, decision_.pos, "best_pos");
      ++decisions_;
      compare_registers("decision");
      active_ = true;
      start_ = cycle_;
      nnz_ = 0;
      const std::uint32_t len =
          chance(spec_.one_cycle_percent)
              ? 1
              : 1 + rand_below(static_cast<std::uint32_t>(spec_.max_layer_cycles));
      done_ = cycle_ + len;
    }
    clock();
    ++cycle_;
    ++total_cycles_;
  }

  void compare_registers(const char* where) {
    (void)where;
    auto* r = top_->rootp;
    const auto& q = model_.queue();
    expect_eq(r->dysta_scheduler__DOT__num, q.size(), "queue length");
    expect_eq(top_->queue_len, q.size(), "queue_len port");
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
    expect_eq(top_->host_err, model_.errors(), "errors");
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
  std::uint64_t start_ = 0, done_ = 0, nnz_ = 0;
  std::size_t decisions_ = 0, total_cycles_ = 0, compares_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  int workloads = 2000;
  std::uint64_t seed = 1;
  std::size_t min_decisions = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--workloads")
      workloads = std::atoi(argv[i + 1]);
    else if (a == "--seed")
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--min-decisions")
      min_decisions = std::strtoull(argv[i + 1], nullptr, 10);
  }
  const hw::HwConfig cfg = rtl_config();
  std::printf(
      "co-simulation: QUEUE_BITS %u SLOT_BITS %u LAYER_BITS %u SCORE_W %u SHARED %d "
      "NNZ_W %u\n",
      cfg.queue_bits, cfg.slot_bits, cfg.layer_bits, cfg.score_bits(), COSIM_SHARED, cfg.nnz_bits);

  std::vector<WorkloadSpec> directed;
  {
    WorkloadSpec s;
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
    s.name = "table write at npu_done";
    s.done_write_percent = 100;
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
    std::printf("  directed %-20s %6zu decisions\n", s.name.c_str(), bench.decisions() - before);
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
    bench.run(s);
  }
  std::printf("random workloads %d, decisions checked %zu, cycles %zu, values compared %zu\n",
              workloads, bench.decisions(), bench.cycles(), bench.compares());
  if (bench.decisions() < min_decisions) {
    std::fprintf(stderr, "FAIL: only %zu decisions checked (need %zu)\n", bench.decisions(),
                 min_decisions);
    return 1;
  }
  std::printf("PASS: RTL and model identical at every cycle and decision\n");
  return 0;
}
