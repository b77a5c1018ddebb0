#include "dysta/task_index.h"

#include <algorithm>
#include <stdexcept>

#include "dysta/policy.h"

namespace dysta {
namespace {
// std heaps are max-heaps: "a before b" in heap order means a is chosen later.
struct Later {
  bool operator()(const KeyHeapIndex::Entry& a, const KeyHeapIndex::Entry& b) const {
    return a.key > b.key || (a.key == b.key && a.order > b.order);
  }
};
}  // namespace

void KeyHeapIndex::insert(std::uint32_t slot, const TaskView& task) {
  heap_.push_back({key_(task), task.request, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void KeyHeapIndex::update_best(std::uint32_t slot, const TaskView& task) {
  if (heap_.front().slot != slot) throw std::logic_error("KeyHeapIndex: not the best task");
  const double key = key_(task);
  // A best task whose key did not grow stays the best: (key, order) is still the smallest, so the
  // heap needs no reordering (FCFS keys never change, SJF's shrink as layers finish).
  if (key <= heap_.front().key) {
    heap_.front().key = key;
    return;
  }
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  heap_.back().key = key;
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void KeyHeapIndex::erase_best(std::uint32_t slot) {
  if (heap_.front().slot != slot) throw std::logic_error("KeyHeapIndex: not the best task");
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  heap_.pop_back();
}

std::unique_ptr<TaskIndex> Policy::make_index() const {
  if (!keyed()) return nullptr;
  return std::make_unique<KeyHeapIndex>([this](const TaskView& t) { return key(t); });
}

}  // namespace dysta
