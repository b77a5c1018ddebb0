// Exact sub-linear selection for policies whose scores change with the clock (issue 15): a
// TaskIndex that finds the choice of a "smallest score wins, ties to the earliest arrival" scan
// without scoring every ready task, from lower bounds of the score over groups of tasks that
// change only when one of the tasks runs.
//
// Contract of the Rule (all functions pure):
//   Item item(const TaskView& t)  what the score needs of t's view: a function of the view only
//       (so it changes only when t runs), with `double bound` and `double order` members: the
//       tasks are kept sorted by (bound, order, arrival); a task whose bound or order is NaN must
//       have a NaN score at every instant (it is left out of the tree);
//   Agg agg(const Item& i); void merge(Agg& a, const Agg& b)  a summary of a set of items;
//       Agg has `double min_bound`, the smallest bound of the set;
//   double lower(const Agg& a, double now, double n)  <= the score of every member of the set
//       whose score is not NaN, or NaN (no bound), and >= a.min_bound, whenever now >= the last
//       run of every member (lower() may rely on it);
//   double score(const Item& i, double now, double n)  the policy's score of the task at `now`
//       with n ready tasks, the same IEEE operations as its select();
//   bool regular(const Item& i)  false for a task lower() cannot bound (the index then scans);
//   std::size_t select(const DecisionContext& ctx)  the policy's own scan (Policy::select()).
//
// The scan being reproduced (detail::dysta_select): the first task in arrival order is the
// incumbent and a task replaces it only if its score is strictly smaller. Hence: if the first
// task's score is NaN it is chosen; otherwise the choice is the earliest arrival among the tasks
// with the smallest non-NaN score (NaN scores never win).
//
// Below `large_from` ready tasks best() is the policy's own scan over a copy of the ready tasks'
// views in arrival order (removal from it is O(large_from)). At
// or above it (until the count falls below `small_below`) the tasks are also kept in a treap (a
// balanced search tree; node priorities from a fixed hash, so its shape never affects a choice)
// sorted by (bound, order, arrival), each node holding the Agg of its subtree; an insertion, a
// removal or a task's new view costs O(log R) expected. best() scores the first arrival, then
// walks the tree depth-first, smaller keys first, skipping every subtree whose lower() exceeds
// the best score found so far. Subtrees whose lower() equals it are still visited, so an earlier
// arrival with an equal score still wins.
// Cost per decision: the nodes whose subtree bound does not exceed the best score found when
// they are reached, typically O(log R) paths; the worst case (every bound below the chosen score)
// is O(R), the scan's order. best() falls back to a full scan of score() (the arrival order is kept
// in a list with tombstones, compacted when half of it is dead: O(1) amortised per removal) while
// a ready task is irregular or `now` is earlier than a ready task's last execution (clock
// rollback, quirk Q2).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "dysta/policy.h"
#include "dysta/task_index.h"
#include "policies/arrival_order.h"
#include "policies/dense_tasks.h"

namespace dysta::detail {

template <typename Rule>
class BoundIndex final : public TaskIndex {
 public:
  // Tree mode from `large_from` ready tasks down to `small_below` (hysteresis: building the tree
  // costs O(R log R) and happens at most once per large_from - small_below insertions).
  // Defaults: callgrind counts of dysta on the synthetic Sanger set near and above capacity (the
  // SIMD scan is cheaper than tree updates below about a hundred ready tasks).
  explicit BoundIndex(Rule rule, std::size_t large_from = 128, std::size_t small_below = 64)
      : rule_(rule), large_from_(large_from), small_below_(std::min(small_below, large_from)) {}

  void insert(std::uint32_t slot, const TaskView& task) override {
    ++live_count_;
    if (!large_) {
      dense_.add(slot, task);
      if (live_count_ >= large_from_) build_tree();
      return;
    }
    add(slot, task);
    tree_add(slot);
  }

  // The scan-mode paths of best() and update_best() stay small (one call per layer each); the
  // tree-mode work is in separate functions that are not inlined into them.
  std::uint32_t best(double now) override {
    if (!large_) return dense_.slot(rule_.select(DecisionContext{now, dense_.views(), {}}));
    return tree_best(now);
  }

  // The policy's select() is a stateless scan (no PolicyTaskState): the engine scans short
  // queues itself (TaskIndex::scan_below()).
  std::size_t scan_below() const override { return large_from_; }

  void update_best(std::uint32_t slot, const TaskView& task) override {
    if (!large_) {
      dense_.update(slot, task);
      return;
    }
    tree_update(slot, task);
  }

 private:
  [[gnu::noinline]] std::uint32_t tree_best(double now) {
    const ArrivalOrder::Entry first = order_.first(alive());
    if (irregular_count_ > 0 || !(now >= max_last_exec_)) return scan(now);
    const auto n = static_cast<double>(live_count_);
    double best_score = rule_.score(nodes_[first.slot].item, now, n);
    if (std::isnan(best_score)) return first.slot;  // as the scan: a NaN incumbent stays
    std::uint32_t best_slot = first.slot, best_request = first.request;
    ++stats_.decisions;
    stack_.clear();
    if (root_ != kNone) stack_.push_back(root_);
    while (!stack_.empty()) {
      const std::uint32_t x = stack_.back();
      stack_.pop_back();
      const Node& node = nodes_[x];
      if (node.agg.min_bound > best_score) continue;
      if (rule_.lower(node.agg, now, n) > best_score) continue;
      ++stats_.scored;
      const double s = rule_.score(node.item, now, n);
      if (s < best_score || (s == best_score && node.request < best_request)) {
        best_score = s;
        best_slot = x;
        best_request = node.request;
      }
      if (node.right != kNone) stack_.push_back(node.right);
      if (node.left != kNone) stack_.push_back(node.left);
    }
    return best_slot;
  }

  [[gnu::noinline]] void tree_update(std::uint32_t slot, const TaskView& task) {
    views_[slot] = task;
    if (nodes_[slot].in_tree) root_ = erase(root_, slot);
    if (nodes_[slot].irregular) --irregular_count_;
    nodes_[slot].item = rule_.item(task);
    note_item(slot, task.last_exec_s);
    tree_add(slot);
  }

 public:
  void erase_best(std::uint32_t slot) override {
    --live_count_;
    if (!large_) {
      dense_.erase(slot);
      return;
    }
    if (nodes_[slot].in_tree) root_ = erase(root_, slot);
    live_[slot] = 0;
    order_.departed();
    if (nodes_[slot].irregular) --irregular_count_;
    nodes_[slot].irregular = false;
    if (live_count_ < small_below_ || live_count_ == 0) {
      leave_tree();
    } else if (order_.dead() > live_count_) {
      order_.compact(alive());
    }
  }

  // Counters for tests and benchmarks: tree-mode decisions and the tasks they scored.
  struct Stats {
    std::size_t decisions = 0;
    std::size_t scored = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  using Item = typename Rule::Item;
  using Agg = typename Rule::Agg;
  struct Node {
    Item item{};
    Agg agg{};                  // of the subtree
    std::uint32_t request = 0;  // arrival order
    std::uint32_t priority = 0;
    std::uint32_t left = kNone, right = kNone;
    bool in_tree = false;
    bool irregular = false;
  };

  static std::uint32_t hash(std::uint64_t x) {  // splitmix64 finaliser
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<std::uint32_t>(x ^ (x >> 31));
  }
  // Tree order: (bound, order, arrival); never NaN inside the tree.
  bool before(std::uint32_t a, std::uint32_t b) const {
    const Node& x = nodes_[a];
    const Node& y = nodes_[b];
    if (x.item.bound != y.item.bound) return x.item.bound < y.item.bound;
    if (x.item.order != y.item.order) return x.item.order < y.item.order;
    return x.request < y.request;
  }
  // The arrival list's liveness test (slots are reused: the request must match too).
  struct Alive {
    const BoundIndex* index;
    bool operator()(const ArrivalOrder::Entry& a) const {
      return index->live_[a.slot] != 0 && index->nodes_[a.slot].request == a.request;
    }
  };
  Alive alive() const { return {this}; }

  // The reproduced scan: arrival order, strictly smaller score replaces the incumbent.
  std::uint32_t scan(double now) {
    const auto n = static_cast<double>(live_count_);
    std::uint32_t best_slot = kNone;
    double best_score = 0;
    order_.for_each(alive(), [&](const ArrivalOrder::Entry& a) {
      const double s = rule_.score(nodes_[a.slot].item, now, n);
      if (best_slot == kNone || best_score > s) {
        best_slot = a.slot;
        best_score = s;
      }
    });
    return best_slot;
  }

  void note_item(std::uint32_t slot, double last_exec) {
    Node& x = nodes_[slot];
    x.irregular = !rule_.regular(x.item);
    if (x.irregular) ++irregular_count_;
    if (last_exec > max_last_exec_) max_last_exec_ = last_exec;  // NaN: idle NaN, score NaN
  }

  // A task enters the tree mode's records (views_, nodes_, the arrival list).
  void add(std::uint32_t slot, const TaskView& task) {
    if (slot >= nodes_.size()) {
      nodes_.resize(slot + 1);
      live_.resize(slot + 1, 0);
      views_.resize(slot + 1);
    }
    views_[slot] = task;
    Node& x = nodes_[slot];
    x.item = rule_.item(task);
    x.request = task.request;
    x.priority = hash(++inserted_);
    x.in_tree = false;
    live_[slot] = 1;
    order_.push(task.request, slot);
    note_item(slot, task.last_exec_s);
  }

  // Scan mode -> tree mode: the dense copy becomes the tree (O(R log R) expected).
  void build_tree() {
    large_ = true;
    order_.clear();
    irregular_count_ = 0;
    max_last_exec_ = -std::numeric_limits<double>::infinity();
    root_ = kNone;
    for (std::size_t i = 0; i < dense_.size(); ++i) add(dense_.slot(i), dense_.views()[i]);
    for (std::size_t i = 0; i < dense_.size(); ++i) tree_add(dense_.slot(i));
    dense_.clear();
  }

  // Tree mode -> scan mode: the ready tasks in arrival order become the dense copy.
  void leave_tree() {
    order_.for_each(alive(), [&](const ArrivalOrder::Entry& a) {
      dense_.add(a.slot, views_[a.slot]);
      live_[a.slot] = 0;
      nodes_[a.slot].in_tree = false;
    });
    order_.clear();
    root_ = kNone;
    large_ = false;
  }

  void tree_add(std::uint32_t slot) {
    Node& x = nodes_[slot];
    if (std::isnan(x.item.bound) || std::isnan(x.item.order)) return;  // never chosen
    x.left = x.right = kNone;
    x.agg = rule_.agg(x.item);
    x.in_tree = true;
    root_ = insert_at(root_, slot);
  }

  void pull(std::uint32_t x) {
    Node& node = nodes_[x];
    node.agg = rule_.agg(node.item);
    if (node.left != kNone) rule_.merge(node.agg, nodes_[node.left].agg);
    if (node.right != kNone) rule_.merge(node.agg, nodes_[node.right].agg);
  }
  std::uint32_t rotate_right(std::uint32_t x) {
    const std::uint32_t l = nodes_[x].left;
    nodes_[x].left = nodes_[l].right;
    nodes_[l].right = x;
    pull(x);
    pull(l);
    return l;
  }
  std::uint32_t rotate_left(std::uint32_t x) {
    const std::uint32_t r = nodes_[x].right;
    nodes_[x].right = nodes_[r].left;
    nodes_[r].left = x;
    pull(x);
    pull(r);
    return r;
  }
  std::uint32_t insert_at(std::uint32_t t, std::uint32_t slot) {
    if (t == kNone) return slot;
    if (before(slot, t)) {
      nodes_[t].left = insert_at(nodes_[t].left, slot);
      if (nodes_[nodes_[t].left].priority > nodes_[t].priority) return rotate_right(t);
    } else {
      nodes_[t].right = insert_at(nodes_[t].right, slot);
      if (nodes_[nodes_[t].right].priority > nodes_[t].priority) return rotate_left(t);
    }
    pull(t);
    return t;
  }
  std::uint32_t join(std::uint32_t a, std::uint32_t b) {  // every key of a before every key of b
    if (a == kNone) return b;
    if (b == kNone) return a;
    if (nodes_[a].priority > nodes_[b].priority) {
      nodes_[a].right = join(nodes_[a].right, b);
      pull(a);
      return a;
    }
    nodes_[b].left = join(a, nodes_[b].left);
    pull(b);
    return b;
  }
  std::uint32_t erase(std::uint32_t t, std::uint32_t slot) {
    if (t == slot) {
      nodes_[slot].in_tree = false;
      return join(nodes_[t].left, nodes_[t].right);
    }
    if (before(slot, t)) {
      nodes_[t].left = erase(nodes_[t].left, slot);
    } else {
      nodes_[t].right = erase(nodes_[t].right, slot);
    }
    pull(t);
    return t;
  }

  Rule rule_;
  std::size_t large_from_, small_below_;
  std::vector<Node> nodes_;         // by slot
  std::vector<TaskView> views_;     // by slot
  DenseTasks dense_;                // below large_from: the ready tasks in arrival order
  std::vector<std::uint8_t> live_;  // by slot
  ArrivalOrder order_;
  std::size_t live_count_ = 0;
  std::size_t irregular_count_ = 0;
  std::uint64_t inserted_ = 0;
  double max_last_exec_ = -std::numeric_limits<double>::infinity();  // since the set was empty
  bool large_ = false;
  std::uint32_t root_ = kNone;
  std::vector<std::uint32_t> stack_;
  Stats stats_;
};

}  // namespace dysta::detail
