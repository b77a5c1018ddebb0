// Exact sub-linear selection for policies whose scores change with the clock (issue 15): a
// TaskIndex that finds the choice of a "smallest score wins, ties to the earliest arrival" scan
// without scoring every ready task, given a per-task lower bound of the score that changes only
// when that task runs.
//
// Contract of the Rule (all functions pure):
//   Item item(const TaskView& t)  what the score needs of t's view, with `double bound` first: a
//       function of the view only, so it changes only when t runs; NaN only if the score is NaN
//       at every instant;
//   double score(const Item& i, double now, double n)  the policy's score of the task at `now`
//       with n ready tasks, the same IEEE operations as its select();
//   bool regular(const Item& i)  true when, for every now >= the task's last run and n >= 1,
//       score(i, now, n) is NaN or >= i.bound.
//
// The scan being reproduced (detail::dysta_select): the first task in arrival order is the
// incumbent and a task replaces it only if its score is strictly smaller. Hence: if the first
// task's score is NaN it is chosen; otherwise the choice is the earliest arrival among the tasks
// with the smallest non-NaN score (NaN scores never win).
//
// best() below `large_from` ready tasks: that scan over the ready tasks in arrival order (kept in
// a list with tombstones, compacted when half of it is dead: O(1) amortised per removal).
// At or above it (until the count falls below `small_below`): the tasks with a non-NaN bound are
// also kept in a binary min-heap on (bound, arrival), updated in O(log R) when a task runs or
// finishes. best() scores the first arrival, then walks the heap depth-first from the root,
// skipping every subtree whose root's bound exceeds the best score found so far: all tasks in it
// have bounds, hence scores, above that score. Entries whose bound equals the best score are
// still visited, so an earlier arrival with an equal score still wins.
// Cost per decision: O(k) for the k heap entries whose bound is <= the best score found when they
// are reached, at least the tasks whose bound is <= the chosen score; the worst case (every bound
// below the chosen score, e.g. many tasks with equal bounds) is O(R), the scan's order. best()
// falls back to the full scan while a ready task is irregular or `now` is earlier than a ready
// task's last execution (clock rollback, quirk Q2), where the bound is not guaranteed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "dysta/policy.h"
#include "dysta/task_index.h"

namespace dysta::detail {

template <typename Rule>
class BoundIndex final : public TaskIndex {
 public:
  // Heap mode from `large_from` ready tasks down to `small_below` (hysteresis: rebuilding the heap
  // costs O(R) and happens at most once per large_from - small_below insertions).
  explicit BoundIndex(Rule rule, std::size_t large_from = 48, std::size_t small_below = 16)
      : rule_(rule), large_from_(large_from), small_below_(std::min(small_below, large_from)) {}

  void insert(std::uint32_t slot, const TaskView& task) override {
    if (slot >= items_.size()) {
      items_.resize(slot + 1);
      requests_.resize(slot + 1);
      heap_pos_.resize(slot + 1, kNone);
      live_.resize(slot + 1, 0);
      irregular_.resize(slot + 1, 0);
    }
    items_[slot] = rule_.item(task);
    requests_[slot] = task.request;
    live_[slot] = 1;
    order_.push_back({task.request, slot});
    ++live_count_;
    note_item(slot, task.last_exec_s);
    if (large_) {
      heap_add(slot);
    } else if (live_count_ >= large_from_) {
      build_heap();
    }
  }

  std::uint32_t best(double now) override {
    const Arrival first = first_live();
    if (!large_ || irregular_count_ > 0 || !(now >= max_last_exec_)) return scan(now);
    const auto n = static_cast<double>(live_count_);
    double best_score = rule_.score(items_[first.slot], now, n);
    if (std::isnan(best_score)) return first.slot;
    std::uint32_t best_slot = first.slot, best_request = first.request;
    ++stats_.decisions;
    stack_.clear();
    if (!heap_.empty()) stack_.push_back(0);
    const std::size_t size = heap_.size();
    while (!stack_.empty()) {
      const std::uint32_t h = stack_.back();
      stack_.pop_back();
      const Node& e = heap_[h];
      if (e.item.bound > best_score) continue;  // and so is every bound below it
      ++stats_.scored;
      const double s = rule_.score(e.item, now, n);
      if (s < best_score || (s == best_score && e.request < best_request)) {
        best_score = s;
        best_slot = e.slot;
        best_request = e.request;
      }
      const std::size_t c = 2 * std::size_t{h} + 1;
      if (c + 1 < size) stack_.push_back(static_cast<std::uint32_t>(c + 1));
      if (c < size) stack_.push_back(static_cast<std::uint32_t>(c));
    }
    return best_slot;
  }

  void update_best(std::uint32_t slot, const TaskView& task) override {
    if (irregular_[slot]) --irregular_count_;
    items_[slot] = rule_.item(task);
    note_item(slot, task.last_exec_s);
    if (!large_) return;
    const std::uint32_t p = heap_pos_[slot];
    if (p == kNone) {
      heap_add(slot);
    } else if (std::isnan(items_[slot].bound)) {
      heap_remove(p);
    } else {
      heap_[p].item = items_[slot];
      sift_down(sift_up(p));
    }
  }

  void erase_best(std::uint32_t slot) override {
    live_[slot] = 0;
    --live_count_;
    ++dead_in_order_;
    if (irregular_[slot]) --irregular_count_;
    irregular_[slot] = 0;
    if (heap_pos_[slot] != kNone) heap_remove(heap_pos_[slot]);
    if (live_count_ == 0) {
      order_.clear();
      head_ = 0;
      dead_in_order_ = 0;
      max_last_exec_ = -std::numeric_limits<double>::infinity();
    } else if (dead_in_order_ > live_count_) {
      compact();
    }
    if (large_ && live_count_ < small_below_) {
      for (const Node& e : heap_) heap_pos_[e.slot] = kNone;
      heap_.clear();
      large_ = false;
    }
  }

  // Counters for tests and benchmarks: heap-mode decisions and the heap entries they scored.
  struct Stats {
    std::size_t decisions = 0;
    std::size_t scored = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  using Item = typename Rule::Item;
  struct Node {
    Item item;
    std::uint32_t request;  // arrival order
    std::uint32_t slot;
  };
  struct Arrival {
    std::uint32_t request;
    std::uint32_t slot;
  };
  static bool before(const Node& a, const Node& b) {
    return a.item.bound < b.item.bound || (a.item.bound == b.item.bound && a.request < b.request);
  }
  bool alive(const Arrival& a) const {
    return live_[a.slot] != 0 && requests_[a.slot] == a.request;
  }
  Arrival first_live() {
    while (!alive(order_[head_])) ++head_;
    return order_[head_];
  }

  // The reproduced scan: arrival order, strictly smaller score replaces the incumbent.
  std::uint32_t scan(double now) {
    const auto n = static_cast<double>(live_count_);
    std::uint32_t best_slot = kNone;
    double best_score = 0;
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (!alive(order_[i])) continue;
      const std::uint32_t slot = order_[i].slot;
      const double s = rule_.score(items_[slot], now, n);
      if (best_slot == kNone || best_score > s) {
        best_slot = slot;
        best_score = s;
      }
    }
    return best_slot;
  }

  void note_item(std::uint32_t slot, double last_exec) {
    irregular_[slot] = rule_.regular(items_[slot]) ? 0 : 1;
    if (irregular_[slot]) ++irregular_count_;
    if (last_exec > max_last_exec_) max_last_exec_ = last_exec;  // NaN: idle NaN, score NaN
  }

  void compact() {
    std::size_t out = 0;
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (alive(order_[i])) order_[out++] = order_[i];
    }
    order_.resize(out);
    head_ = 0;
    dead_in_order_ = 0;
  }

  void build_heap() {
    large_ = true;
    heap_.clear();
    for (std::size_t i = head_; i < order_.size(); ++i) {
      if (!alive(order_[i])) continue;
      const std::uint32_t slot = order_[i].slot;
      if (std::isnan(items_[slot].bound)) continue;
      heap_pos_[slot] = static_cast<std::uint32_t>(heap_.size());
      heap_.push_back({items_[slot], order_[i].request, slot});
    }
    for (std::size_t i = heap_.size() / 2; i-- > 0;) sift_down(static_cast<std::uint32_t>(i));
  }

  void heap_add(std::uint32_t slot) {
    if (std::isnan(items_[slot].bound)) return;
    const auto p = static_cast<std::uint32_t>(heap_.size());
    heap_.push_back({items_[slot], requests_[slot], slot});
    heap_pos_[slot] = p;
    sift_up(p);
  }
  void heap_remove(std::uint32_t p) {
    heap_pos_[heap_[p].slot] = kNone;
    const auto last = static_cast<std::uint32_t>(heap_.size() - 1);
    if (p != last) {
      heap_[p] = heap_[last];
      heap_pos_[heap_[p].slot] = p;
      heap_.pop_back();
      sift_down(sift_up(p));
    } else {
      heap_.pop_back();
    }
  }
  std::uint32_t sift_up(std::uint32_t p) {
    const Node e = heap_[p];
    while (p > 0) {
      const std::uint32_t parent = (p - 1) / 2;
      if (!before(e, heap_[parent])) break;
      heap_[p] = heap_[parent];
      heap_pos_[heap_[p].slot] = p;
      p = parent;
    }
    heap_[p] = e;
    heap_pos_[e.slot] = p;
    return p;
  }
  void sift_down(std::uint32_t p) {
    const Node e = heap_[p];
    const std::size_t size = heap_.size();
    while (true) {
      std::size_t c = 2 * std::size_t{p} + 1;
      if (c >= size) break;
      if (c + 1 < size && before(heap_[c + 1], heap_[c])) ++c;
      if (!before(heap_[c], e)) break;
      heap_[p] = heap_[c];
      heap_pos_[heap_[p].slot] = p;
      p = static_cast<std::uint32_t>(c);
    }
    heap_[p] = e;
    heap_pos_[e.slot] = p;
  }

  Rule rule_;
  std::size_t large_from_, small_below_;
  std::vector<Item> items_;              // by slot
  std::vector<std::uint32_t> requests_;  // by slot: arrival order of the task in it
  std::vector<std::uint32_t> heap_pos_;  // by slot: position in heap_ or kNone
  std::vector<std::uint8_t> live_;       // by slot
  std::vector<std::uint8_t> irregular_;  // by slot
  std::vector<Arrival> order_;           // arrival order, with tombstones
  std::size_t head_ = 0;                 // order_[0, head_) is dead
  std::size_t dead_in_order_ = 0;
  std::size_t live_count_ = 0;
  std::size_t irregular_count_ = 0;
  double max_last_exec_ = -std::numeric_limits<double>::infinity();  // since the set was empty
  bool large_ = false;
  std::vector<Node> heap_;
  std::vector<std::uint32_t> stack_;
  Stats stats_;
};

}  // namespace dysta::detail
