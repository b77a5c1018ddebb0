// The ready tasks of a TaskIndex's small-queue mode, in arrival order (the order of the scan a
// policy's select() expects), with each task's policy state and its engine slot (issue 15:
// BoundIndex, Sdrm3Index, PremaIndex and PremaReferenceIndex decide by the policy's own scan
// over these below their large-queue threshold).
// Costs: add O(1); update O(1); erase O(n) (n is below the index's threshold, about a hundred).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "dysta/policy.h"

namespace dysta::detail {

class DenseTasks {
 public:
  // Appends a task (the latest arrival) with a fresh policy state.
  void add(std::uint32_t slot, const TaskView& task, PolicyTaskState state = {}) {
    if (slot >= position_.size()) position_.resize(std::size_t{slot} + 1);
    position_[slot] = static_cast<std::uint32_t>(views_.size());
    views_.push_back(task);
    states_.push_back(state);
    slots_.push_back(slot);
  }
  void update(std::uint32_t slot, const TaskView& task) { views_[position_[slot]] = task; }
  void erase(std::uint32_t slot) {
    const std::size_t p = position_[slot];
    views_.erase(views_.begin() + static_cast<std::ptrdiff_t>(p));
    states_.erase(states_.begin() + static_cast<std::ptrdiff_t>(p));
    slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(p));
    for (std::size_t i = p; i < slots_.size(); ++i) {
      position_[slots_[i]] = static_cast<std::uint32_t>(i);
    }
  }
  void clear() {
    views_.clear();
    states_.clear();
    slots_.clear();
  }

  std::size_t size() const { return views_.size(); }
  // The scan's input: the views in arrival order and their states.
  DecisionContext context(double now) { return {now, views_, states_}; }
  std::span<const TaskView> views() const { return views_; }
  const PolicyTaskState& state(std::size_t i) const { return states_[i]; }
  std::uint32_t slot(std::size_t i) const { return slots_[i]; }

 private:
  std::vector<TaskView> views_;
  std::vector<PolicyTaskState> states_;
  std::vector<std::uint32_t> slots_;
  std::vector<std::uint32_t> position_;  // by slot: index in views_
};

}  // namespace dysta::detail
