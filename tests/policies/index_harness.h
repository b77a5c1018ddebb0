// The engine's side of a TaskIndex in the index property tests (bound_index_test.cpp,
// clock_index_test.cpp, prema_reference_index_test.cpp): the ready tasks in arrival order, their
// policy states and the slots the index knows them by.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dysta/policy.h"
#include "dysta/task_index.h"

namespace dysta::test {

// The ready tasks as the Scheduler's scan path keeps them (arrival order), with the slot each
// has in the index under test (slots are reused after a removal, as the engine does).
struct ReadyTasks {
  std::vector<TaskView> views;
  std::vector<PolicyTaskState> states;
  std::vector<std::uint32_t> slots;
  std::vector<std::uint32_t> free_slots;
  std::uint32_t next_slot = 0, next_request = 0;

  std::size_t size() const { return views.size(); }
  bool empty() const { return views.empty(); }
  // Admits `t` as the next request (its request number is set) into both.
  void admit(TaskView t, TaskIndex& index) {
    t.request = next_request++;
    std::uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      slot = next_slot++;
    }
    views.push_back(t);
    states.push_back(PolicyTaskState{});
    slots.push_back(slot);
    index.insert(slot, t);
  }
  // The position of the task in `slot` (size() if none).
  std::size_t position(std::uint32_t slot) const {
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i] == slot) return i;
    }
    return slots.size();
  }
  // The task at `pos` finished: it leaves both.
  void finish(std::size_t pos, TaskIndex& index) {
    index.erase_best(slots[pos]);
    free_slots.push_back(slots[pos]);
    const auto at = static_cast<std::ptrdiff_t>(pos);
    views.erase(views.begin() + at);
    states.erase(states.begin() + at);
    slots.erase(slots.begin() + at);
  }
  DecisionContext context(double now) { return {now, views, states}; }
};

}  // namespace dysta::test
