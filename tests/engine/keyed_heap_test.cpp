// The O(log R) heap path for keyed policies makes exactly the choices of the O(R) scan.
#include <gtest/gtest.h>

#include <filesystem>

#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"
#include "dysta/scheduler.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

RunResult run_with(const ProfileSet& set, const std::vector<Request>& requests,
                   const std::string& name, Semantics semantics, bool fast) {
  auto policy = make_policy(name, {}, semantics);
  auto predictor = make_predictor("average", set, {}, semantics);
  EngineOptions options;
  options.semantics = semantics;
  options.keyed_fast_path = fast;
  return simulate(set, requests, *policy, policy_registry().get("policy", name).traits, *predictor,
                  options);
}

// The K.1 synthetic Sanger set (written once per test binary).
const ProfileSet& k1_sanger() {
  static const ProfileSet set = [] {
    test::TempDir dir;
    write_k1_synthetic_sets(dir.path());
    return load_profiles(dir.path() / "sanger", {});
  }();
  return set;
}

// A Poisson stream of `n` requests at `rate` on `set` (the default SLO multiplier and priorities).
std::vector<Request> poisson(const ProfileSet& set, double rate, std::size_t n, std::uint64_t seed,
                             Semantics semantics) {
  StreamSpec spec;
  spec.rate_per_s = rate;
  spec.num_requests = n;
  PyRandom rng(seed);
  return generate_poisson_stream(set, spec, rng, semantics);
}

TEST(KeyedHeap, SameChoicesAsScanForEveryKeyedPolicy) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  for (const char* sub : {"sanger", "eyerissv2"}) {
    const ProfileSet set = load_profiles(dir.path() / sub, {});
    for (Semantics semantics : {Semantics::reference, Semantics::corrected}) {
      for (double rate : {30.0, 120.0}) {  // light load and overload (queue grows)
        StreamSpec spec;
        spec.rate_per_s = std::string(sub) == "sanger" ? rate : rate / 4;
        spec.num_requests = 600;
        PyRandom rng(3);
        const auto requests = generate_poisson_stream(set, spec, rng, semantics);
        int keyed = 0;
        for (const PolicyInfo* info : policy_registry().all()) {
          if (!make_policy(info->name, {}, semantics)->make_index()) continue;
          ++keyed;
          const RunResult scan = run_with(set, requests, info->name, semantics, false);
          const RunResult heap = run_with(set, requests, info->name, semantics, true);
          SCOPED_TRACE(info->name + " " + sub + " rate " + std::to_string(rate));
          EXPECT_EQ(scan.finish_order, heap.finish_order);
          EXPECT_EQ(scan.finish_s, heap.finish_s);
          EXPECT_EQ(scan.first_start_s, heap.first_start_s);
          EXPECT_EQ(scan.max_ready, heap.max_ready);
          EXPECT_EQ(scan.decisions, heap.decisions);
        }
        // fcfs, sjf, sjf_sparse, edf, llf, llf_sparse, dysta, dysta_naive, dysta_oracle,
        // dysta_seconds, sdrm3, sdrm3_sparse, prema, prema_sparse, dysta_hw (its index drives
        // the hardware model) and planaria, in both semantics
        EXPECT_EQ(keyed, 16);
      }
    }
  }
}

TEST(KeyedHeap, OnlyPoliciesWithAnExactIndexProvideOne) {
  for (const char* name :
       {"fcfs", "sjf", "sjf_sparse", "planaria", "edf", "dysta", "dysta_naive", "dysta_oracle",
        "dysta_seconds", "sdrm3", "sdrm3_sparse", "llf", "llf_sparse", "prema", "prema_sparse"}) {
    EXPECT_NE(make_policy(name, {}, Semantics::corrected)->make_index(), nullptr) << name;
  }
  for (const char* name : {"planaria", "sdrm3", "sdrm3_sparse", "prema", "prema_sparse"}) {
    EXPECT_NE(make_policy(name, {}, Semantics::reference)->make_index(), nullptr) << name;
  }
  for (Semantics semantics : {Semantics::reference, Semantics::corrected}) {
    EXPECT_NE(make_policy("dysta_hw", {}, semantics)->make_index(), nullptr);
  }
}

// The BoundIndex of the Dysta family and llf / llf_sparse (policies/bound_index.h), Sdrm3Index
// (policies/sdrm3_index.h) and prema's PremaIndex / PremaReferenceIndex (policies/prema_index.h,
// prema_reference_index.h) at long queues in both semantics (the reference semantics' clock
// rollback makes an index fall back to scanning): same runs as the scan.
TEST(KeyedHeap, DystaFamilyIndexMatchesTheScanUnderOverload) {
  const ProfileSet& set = k1_sanger();
  for (Semantics semantics : {Semantics::reference, Semantics::corrected}) {
    const auto requests = poisson(set, 150, 1500, 11, semantics);
    for (const char* name : {"dysta", "dysta_naive", "dysta_oracle", "dysta_seconds", "sdrm3",
                             "sdrm3_sparse", "llf", "llf_sparse", "prema", "prema_sparse"}) {
      const RunResult scan = run_with(set, requests, name, semantics, false);
      const RunResult heap = run_with(set, requests, name, semantics, true);
      SCOPED_TRACE(name);
      EXPECT_EQ(scan.finish_order, heap.finish_order);
      EXPECT_EQ(scan.finish_s, heap.finish_s);
      EXPECT_EQ(scan.first_start_s, heap.first_start_s);
      EXPECT_EQ(scan.decisions, heap.decisions);
      EXPECT_GT(scan.max_ready, 200u);  // well inside the tree mode (from 128 ready tasks)
    }
  }
}

// A policy whose index asks the engine to scan below 4 ready tasks (TaskIndex::scan_below()), so
// the Scheduler moves between its scan and a fresh index many times in one run.
class SwitchEarly final : public Policy {
 public:
  explicit SwitchEarly(std::unique_ptr<Policy> inner) : inner_(std::move(inner)) {}
  std::size_t select(const DecisionContext& ctx) override { return inner_->select(ctx); }
  std::unique_ptr<TaskIndex> make_index() const override {
    ++indexes;
    return std::make_unique<Index>(inner_->make_index());
  }
  mutable int indexes = 0;

 private:
  struct Index final : TaskIndex {
    explicit Index(std::unique_ptr<TaskIndex> inner) : inner_(std::move(inner)) {}
    void insert(std::uint32_t slot, const TaskView& task) override { inner_->insert(slot, task); }
    std::uint32_t best(double now) override { return inner_->best(now); }
    void update_best(std::uint32_t slot, const TaskView& task) override {
      inner_->update_best(slot, task);
    }
    void erase_best(std::uint32_t slot) override { inner_->erase_best(slot); }
    std::size_t scan_below() const override { return 4; }
    std::unique_ptr<TaskIndex> inner_;
  };
  std::unique_ptr<Policy> inner_;
};

// Scan -> index (at 4 ready tasks) -> scan (below 2) and back, tens of times per run, for the
// policies whose indexes let the engine scan short queues: the same runs as the scan alone.
TEST(KeyedHeap, SchedulerMovesBetweenScanAndIndexWithoutChangingTheRun) {
  const ProfileSet& set = k1_sanger();
  for (Semantics semantics : {Semantics::reference, Semantics::corrected}) {
    const auto requests = poisson(set, 85, 800, 5, semantics);
    for (const char* name : {"dysta", "dysta_oracle", "sdrm3", "sdrm3_sparse", "llf"}) {
      SCOPED_TRACE(std::string(name) + " " + to_string(semantics));
      EXPECT_GT(make_policy(name, {}, semantics)->make_index()->scan_below(), 0u);
      const RunResult scan = run_with(set, requests, name, semantics, false);
      SwitchEarly policy(make_policy(name, {}, semantics));
      auto predictor = make_predictor("average", set, {}, semantics);
      EngineOptions options;
      options.semantics = semantics;
      const RunResult mixed = simulate(
          set, requests, policy, policy_registry().get("policy", name).traits, *predictor, options);
      EXPECT_GT(policy.indexes, 10);  // one at construction, then one per move to the index
      EXPECT_EQ(scan.finish_order, mixed.finish_order);
      EXPECT_EQ(scan.finish_s, mixed.finish_s);
      EXPECT_EQ(scan.first_start_s, mixed.first_start_s);
      EXPECT_EQ(scan.decisions, mixed.decisions);
      EXPECT_EQ(scan.max_ready, mixed.max_ready);
    }
  }
}

// A runtime that admits requests while a layer runs (cluster.h, the Python Scheduler): the
// admissions flushed by layer_done() may move the Scheduler to its index; running_view() must
// still be the task that ran.
TEST(KeyedHeap, RunningViewSurvivesAMoveToTheIndexDuringLayerDone) {
  const ProfileSet& set = k1_sanger();
  const auto requests = poisson(set, 85, 600, 7, Semantics::corrected);
  SwitchEarly policy(make_policy("dysta", {}, Semantics::corrected));
  auto predictor = make_predictor("average", set, {}, Semantics::corrected);
  Scheduler s(set, policy, policy_registry().get("policy", "dysta").traits, *predictor);
  std::size_t next = 0, checked = 0;
  double now = 0;
  while (next < requests.size() || s.ready() > 0) {
    if (s.ready() == 0) now = std::max(now, requests[next].arrival_s);
    while (next < requests.size() && requests[next].arrival_s <= now)
      s.admit(requests[next++], now);
    const ScheduledLayer l = s.next(now);
    const VariantProfile& v = set.variant(l.variant);
    const double end = l.start_s + v.latencies(l.sample_pos)[l.layer];
    // Arrivals during the layer join at its end (pending admissions).
    while (next < requests.size() && requests[next].arrival_s <= end) {
      s.admit(requests[next], requests[next].arrival_s);
      ++next;
    }
    now = end;
    if (!s.layer_done(l.task, v.sparsities(l.sample_pos)[l.layer], now)) {
      ASSERT_EQ(s.running_view().request, l.task);
      ASSERT_EQ(s.running_view().layers_done, l.layer + 1);
      ++checked;
    }
    s.clear_finished();
  }
  EXPECT_GT(policy.indexes, 10);
  EXPECT_GT(checked, 1000u);
}

// Many requests with equal deadlines and all three priorities at overload: the Planaria index
// must reproduce the scan's tie rule (corrected: score, then deadline, then arrival; reference:
// the "-1 incumbent", Q5, with overdue tasks).
TEST(KeyedHeap, PlanariaIndexHandlesTiesAndOverdueTasks) {
  std::vector<double> lat = {0.01, 0.02, 0.01}, sp = {0.5, 0.5, 0.5};
  ProfileSet set({make_variant("m", "m", "", {0}, 3, lat, sp)});
  std::vector<Request> requests;
  for (int i = 0; i < 400; ++i) {
    Request r;
    r.arrival_s = 0.005 * (i / 4);  // groups of four simultaneous arrivals
    r.priority = 1 + 2 * (i % 3);
    r.slo_multiplier = (i % 5 == 0) ? 0.5 : 3.0;
    r.deadline_s = deadline_for(r, set);
    requests.push_back(r);
  }
  for (Semantics semantics : {Semantics::corrected, Semantics::reference}) {
    const RunResult scan = run_with(set, requests, "planaria", semantics, false);
    const RunResult heap = run_with(set, requests, "planaria", semantics, true);
    EXPECT_EQ(scan.finish_order, heap.finish_order);
    EXPECT_EQ(scan.finish_s, heap.finish_s);
    EXPECT_GT(scan.max_ready, 50u);
  }
}

}  // namespace
}  // namespace dysta
