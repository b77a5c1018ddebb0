// Optional O(log R) selection structures for policies (spec C; issue "overload stays
// near-linear"). A policy that can find its choice without scanning every ready task returns a
// TaskIndex from Policy::make_index(); the engine then keeps tasks in stable slots and asks the
// index instead of calling select(). The index must choose exactly what select() would.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace dysta {

struct TaskView;

class TaskIndex {
 public:
  virtual ~TaskIndex() = default;
  // A task entered the ready set in slot `slot` (slots are reused after erase()).
  virtual void insert(std::uint32_t slot, const TaskView& task) = 0;
  // Returns the slot of the task to run next at time `now_s`; never called when empty.
  virtual std::uint32_t best(double now_s) = 0;
  // The task best() returned executed a layer (its view is updated) / finished.
  virtual void update_best(std::uint32_t slot, const TaskView& task) = 0;
  virtual void erase_best(std::uint32_t slot) = 0;

  // Ready-task count from which the engine decides with this index; below it, the engine may use
  // the policy's select() over its own arrival-ordered views, which costs less than an index for
  // short queues. The Scheduler starts on that scan, moves to a fresh index (insert() of every
  // ready task in arrival order) when scan_below() tasks are ready and back to the scan when
  // fewer than scan_below() / 2 are (hysteresis). An index may return non-zero only if its
  // policy's select() reads no PolicyTaskState and keeps no state between decisions, so the two
  // paths make the same choice at every decision. 0 (the default): the index from the start.
  virtual std::size_t scan_below() const { return 0; }
  // True only if an index that has become empty decides exactly as a fresh one would, so a task
  // that was inserted, chosen at each of its layers and erased while no other task was ready
  // leaves no trace (Scheduler::run_alone() then skips it). False (the default): unknown.
  virtual bool memoryless() const { return false; }
};

// Min-heap on (key(task), arrival order): the choice of a policy that runs the task with the
// smallest key, ties to the earliest arrival, where only the running task's key changes.
class KeyHeapIndex final : public TaskIndex {
 public:
  using KeyFn = std::function<double(const TaskView&)>;
  explicit KeyHeapIndex(KeyFn key) : key_(std::move(key)) {}
  void insert(std::uint32_t slot, const TaskView& task) override;
  std::uint32_t best(double) override { return heap_.front().slot; }
  void update_best(std::uint32_t slot, const TaskView& task) override;
  void erase_best(std::uint32_t slot) override;
  bool memoryless() const override { return true; }  // the heap is its only state

  struct Entry {
    double key;
    std::uint32_t order;  // request index = arrival order
    std::uint32_t slot;
  };

 private:
  KeyFn key_;
  std::vector<Entry> heap_;
};

}  // namespace dysta
