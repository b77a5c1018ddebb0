// The arrival order of a TaskIndex's ready tasks in its large-queue mode, with tombstones (issue
// 15): tasks are appended in arrival order and leave from anywhere; a departed entry stays until
// compact() (O(1) amortised per departure when compacted as the dead outnumber the live). An
// entry is live when the caller's `alive(entry)` says so (slots are reused, so it compares the
// request number too). Used by BoundIndex, Sdrm3Index and PremaReferenceIndex for their exact
// fallback scans and the reference semantics' "latest arrival" rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dysta::detail {

class ArrivalOrder {
 public:
  struct Entry {
    std::uint32_t request;
    std::uint32_t slot;
  };

  void push(std::uint32_t request, std::uint32_t slot) { entries_.push_back({request, slot}); }
  void departed() { ++dead_; }
  std::size_t dead() const { return dead_; }
  void clear() {
    entries_.clear();
    head_ = 0;
    dead_ = 0;
  }

  // Drops the dead entries (keeps the order).
  template <typename Alive>
  void compact(Alive alive) {
    std::size_t out = 0;
    for (std::size_t i = head_; i < entries_.size(); ++i) {
      if (alive(entries_[i])) entries_[out++] = entries_[i];
    }
    entries_.resize(out);
    head_ = 0;
    dead_ = 0;
  }
  // f(entry) for every live entry, in arrival order.
  template <typename Alive, typename F>
  void for_each(Alive alive, F&& f) const {
    for (std::size_t i = head_; i < entries_.size(); ++i) {
      if (alive(entries_[i])) f(entries_[i]);
    }
  }
  // The earliest / latest live entry (there must be one); the non-const forms also drop the
  // dead entries they pass at the ends.
  template <typename Alive>
  Entry first(Alive alive) {
    while (!alive(entries_[head_])) ++head_;
    return entries_[head_];
  }
  template <typename Alive>
  Entry first(Alive alive) const {
    std::size_t i = head_;
    while (!alive(entries_[i])) ++i;
    return entries_[i];
  }
  template <typename Alive>
  Entry last(Alive alive) {
    while (!alive(entries_.back())) {
      entries_.pop_back();
      if (dead_ > 0) --dead_;
    }
    return entries_.back();
  }
  // The live entries from the latest backwards while f(entry) returns true.
  template <typename Alive, typename F>
  void for_each_backward_while(Alive alive, F&& f) const {
    for (std::size_t i = entries_.size(); i-- > head_;) {
      if (alive(entries_[i]) && !f(entries_[i])) return;
    }
  }

 private:
  std::vector<Entry> entries_;
  std::size_t head_ = 0;  // entries_[0, head_) are dead
  std::size_t dead_ = 0;  // departures not yet compacted
};

}  // namespace dysta::detail
