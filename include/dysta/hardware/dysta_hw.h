// The `dysta_hw` policy: Dysta scheduled by the bit-accurate hardware model (scheduler_model.h)
// instead of double-precision software, so finite precision and decision latency become visible.
//
// The policy plays host and accelerator stand-in around the model. Before the run it loads the
// lookup tables (host.h) in `config_cycles` cycles; simulated time t seconds is cycle
// config_cycles + floor(t x clock_hz). A request admitted by the engine is pushed with its arrival
// and deadline (three commands), at its arrival cycle or as soon as the scheduler accepts
// commands; while the hardware queue is full it waits in a host-side FIFO. After each layer the
// model receives npu_done at the layer's end cycle with the layer's non-zero count
// round((1 - measured sparsity) x layer_outputs), then scores the queue and picks the next task.
//
// With parameter charge_latency = 1 each decision's cycles (npu_done to npu_start) are charged to
// simulated time through Policy::decision_overhead_s(); by default they are not, and stats()
// reports them (and, through PolicyStatistics, summary.json). The layer's end time and measured
// sparsity come from Policy::layer_done(); the profiles given to bind() are read for their
// averages only. A layer shorter than the preceding decision is counted as late (the model then
// sees its npu_done one cycle after npu_start).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dysta/hardware/host.h"
#include "dysta/hardware/scheduler_model.h"
#include "dysta/policy.h"
#include "dysta/profile.h"
#include "dysta/workload.h"

namespace dysta::hw {

struct DystaHwStats {
  std::uint64_t config_cycles = 0;  // loading the lookup tables before time 0
  std::uint64_t decisions = 0;
  std::uint64_t decision_cycles = 0;  // sum over decisions of npu_start - engine decision cycle
  std::uint64_t max_decision_cycles = 0;
  std::uint64_t late_layers = 0;       // layers that ended before their npu_start
  std::uint64_t queue_full_waits = 0;  // decisions taken while requests waited in the host FIFO
  std::uint32_t time_shift = 0;
};

class DystaHwPolicy final : public Policy, public PolicyScores, public PolicyStatistics {
 public:
  DystaHwPolicy(const HwConfig& config, const HostParams& params);

  // Fits slot_bits/layer_bits to the profile set, builds and loads the lookup tables (the engine
  // calls it at the start of every run).
  void bind(const ProfileSet& profiles) override;
  // Throws std::logic_error if bind() was not called.
  std::size_t select(const DecisionContext& ctx) override;
  double decision_overhead_s() const override { return overhead_s_; }
  // The running layer's end and measured sparsity (the monitor's npu_done of the next decision).
  void layer_done(const TaskView& task, std::uint32_t layer, double measured_sparsity,
                  double end_s) override;
  // The model keeps its own copy of the request queue; the engine cannot take requests out.
  bool allows_drop() const override { return false; }
  // The engine's index path (task_index.h): the same host and model steps as select(), fed by
  // the engine's insert()/update_best() instead of a scan of ctx.tasks, so the engine keeps the
  // ready tasks in stable slots (no O(ready) order-preserving erase per finished request under
  // overload). The index drives this policy object (one run, owned by the same Scheduler).
  std::unique_ptr<TaskIndex> make_index() const override;
  // The scores of the scoring pass the last select() ran (decoded from FP32/FP16; units of
  // 2^(time_shift + F) cycles, smallest wins); NaN for requests still waiting in the host FIFO.
  bool scores_after_select(const DecisionContext& ctx, std::span<double> out) const override;
  ScoreOrder score_order() const override { return ScoreOrder::smallest_wins; }
  const char* score_meaning() const override;

  const DystaHwStats& stats() const { return stats_; }
  // stats() by field name (summary.json "policy_statistics").
  std::map<std::string, double> statistics() const override;
  const HwConfig& config() const { return config_; }
  const SchedulerModel& model() const { return *model_; }

 private:
  struct Running {
    std::uint32_t id = 0;
    std::uint32_t request = 0;
    std::uint32_t variant = 0;
    std::uint32_t num_layers = 0;
    std::uint32_t layer = 0;
    std::uint64_t start_cycle = 0;
    bool done = false;  // layer_done() reported its end
    double end_s = 0;
    double measured_sparsity = 0;
  };
  // A request admitted by the engine, waiting for a free hardware queue entry.
  struct Pending {
    std::uint32_t request = 0;
    std::uint32_t variant = 0;
    double arrival_s = 0;
    double deadline_s = 0;
    std::uint32_t slot = 0;  // the engine's slot (index path)
  };
  // Index path: what the engine told about the task in each slot.
  struct SlotTask {
    std::uint32_t request = 0, variant = 0, num_layers = 0, layers_done = 0;
  };
  friend class DystaHwIndex;

  std::uint64_t cycle_of(double seconds) const;
  void issue(HostCommand code, std::uint64_t data, std::uint64_t earliest);
  void finish_running();
  void push(const Pending& request);
  // Pushes waiting requests, delivers the running layer's npu_done and runs the scoring pass.
  ModelDecision schedule(double now_s);
  void index_insert(std::uint32_t slot, const TaskView& task);
  std::uint32_t index_best(double now_s);

  HwConfig config_;
  HostParams params_;
  std::optional<SchedulerModel> model_;
  std::optional<Running> running_;
  std::uint64_t pending_done_ = 0;  // npu_done cycle of running_
  std::uint32_t next_request_ = 0;  // first request index not yet seen by the host
  std::deque<Pending> waiting_;
  double overhead_s_ = 0;  // charged time of the last decision
  std::vector<std::uint32_t> free_ids_;
  std::vector<std::uint32_t> id_request_;
  std::vector<std::uint32_t> id_slot_;  // index path: engine slot of each queued id
  std::vector<SlotTask> slot_tasks_;    // index path
  DystaHwStats stats_;
};

}  // namespace dysta::hw
