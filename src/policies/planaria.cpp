// Planaria (Ghodrati et al., MICRO'20) on one accelerator without spatial fission (spec C.4):
// score = priority / slack with slack = deadline - now (resource estimate fixed to 1); the
// highest score runs.
// reference: the artifact's "-1 incumbent" selection (Q5): all-negative scores pick the latest
//   arrival; exact ties keep the earlier arrival.
// corrected: a plain argmax; ties go to the earlier deadline, then the earlier arrival. IEEE
//   division: zero slack gives an infinite score, so that task runs.
// scores() reports priority / slack (largest wins) in both semantics.
//
// Fast path (corrected): within one priority level the score is monotone in the deadline (tasks
// not yet due: earliest deadline scores highest; overdue tasks score below every task not yet
// due, and among them the earliest deadline again scores highest). So the best task of a level is
// the earliest deadline not before `now`, or else the earliest overdue one: two deadline heaps per
// level give the choice in O(levels + log R). Both semantics' indexes scan (as select()) while
// fewer than 8 tasks are ready, and keep their heaps only from 8 ready tasks down to 4 (callgrind,
// synthetic Sanger set at 90 req/s: the scan is cheaper than the heaps below about 10 tasks).
//
// Fast path (reference): the "-1 incumbent" scan in arrival order (IncumbentArgmax, Q5) chooses
//   - if some score is >= 0: among the tasks with the largest non-negative score, the earliest
//     arrival, and among equal arrivals the last admitted (a tie replaces an incumbent unless the
//     incumbent arrived strictly earlier; negative scores never replace a non-negative one);
//   - if every score is < 0: the earliest admitted task j such that every task admitted after it
//     has the same score and a strictly later arrival (each task replaces a negative incumbent
//     except on that tie), so usually the last admitted task.
// A score is >= 0 exactly when the deadline is not before `now` (priority > 0), and within one
// priority level it does not increase with the deadline. So per level a deadline min-heap of the
// tasks not yet due gives the level's largest score at its root; equal scores (equal deadlines,
// or deadlines whose slacks round to the same quotient) form a connected top of the heap that is
// enumerated. The all-negative case walks back from the last admitted task over the tasks with
// its score (a doubly linked list in admission order). O(levels + log R) per decision, plus the
// tied tasks. Tasks with priority <= 0, |deadline| > 1e307 or a decision time beyond 1e307
// (where the slack could overflow to an infinity or the score round to -0) and a clock that went
// back while tasks are ready (the heaps dropped tasks that fell due) fall back to the scan
// itself over the list.
#include <algorithm>
#include <cmath>
#include <limits>

#include "dysta/policy.h"
#include "policies/incumbent.h"

namespace dysta {
namespace {

// Min-heap steps of both indexes' deadline heaps (Later: "comes after" in the heap's order).
template <typename Later, typename Entry>
void heap_push(std::vector<Entry>& heap, const Entry& e) {
  heap.push_back(e);
  std::push_heap(heap.begin(), heap.end(), Later{});
}
template <typename Later, typename Entry>
void heap_pop(std::vector<Entry>& heap) {
  std::pop_heap(heap.begin(), heap.end(), Later{});
  heap.pop_back();
}

double planaria_score(const TaskView& t, double now) {
  return t.priority / (t.deadline_s - now);
}

// True when a candidate (score, deadline, arrival order) beats the incumbent in corrected order.
bool beats(double score, double deadline, std::uint32_t order, double best_score,
           double best_deadline, std::uint32_t best_order) {
  if (score != best_score) return score > best_score;
  if (deadline != best_deadline) return deadline < best_deadline;
  return order < best_order;
}

// Below kLargeFrom ready tasks both indexes scan a compact copy instead (cheaper than the heaps
// for short queues); they build the heaps at kLargeFrom and leave them below kSmallBelow.
constexpr std::size_t kLargeFrom = 8;
constexpr std::size_t kSmallBelow = 4;

class PlanariaIndex final : public TaskIndex {
 public:
  // Planaria's select() is a stateless scan: the engine scans short queues itself.
  std::size_t scan_below() const override { return kLargeFrom; }
  void insert(std::uint32_t slot, const TaskView& t) override {
    if (!large_) {
      small_.push_back({t.deadline_s, t.request, slot, t.priority});
      if (small_.size() >= kLargeFrom) enter_large();
      return;
    }
    ++count_;
    Level& level = level_for(t.priority);
    push(level.live, {t.deadline_s, t.request, slot, t.priority});
  }

  std::uint32_t best(double now) override {
    if (!large_) {
      // The scan itself (select(), corrected) over the tasks in arrival order.
      const Entry* b = small_.data();
      double best_score = b->priority / (b->deadline - now);
      for (std::size_t i = 1; i < small_.size(); ++i) {
        const Entry& e = small_[i];
        const double score = e.priority / (e.deadline - now);
        if (beats(score, e.deadline, e.order, best_score, b->deadline, b->order)) {
          b = &e;
          best_score = score;
        }
      }
      return b->slot;
    }
    bool found = false;
    double best_score = 0, best_deadline = 0;
    std::uint32_t best_order = 0;
    for (std::size_t i = 0; i < levels_.size(); ++i) {
      Level& level = levels_[i];
      while (!level.live.empty() && level.live.front().deadline < now) {
        push(level.expired, level.live.front());
        pop(level.live);
      }
      const bool live = !level.live.empty();
      if (!live && level.expired.empty()) continue;
      const Entry& e = live ? level.live.front() : level.expired.front();
      const double score = level.priority / (e.deadline - now);
      if (!found || beats(score, e.deadline, e.order, best_score, best_deadline, best_order)) {
        found = true;
        best_score = score;
        best_deadline = e.deadline;
        best_order = e.order;
        best_level_ = i;
        best_live_ = live;
        best_slot_ = e.slot;
      }
    }
    return best_slot_;
  }

  void update_best(std::uint32_t, const TaskView&) override {}  // deadline and priority are fixed

  void erase_best(std::uint32_t slot) override {
    if (!large_) {
      auto it = small_.begin();
      while (it->slot != slot) ++it;
      small_.erase(it);
      return;
    }
    Level& level = levels_[best_level_];
    pop(best_live_ ? level.live : level.expired);
    if (--count_ < kSmallBelow) leave_large();
  }

 private:
  struct Entry {
    double deadline;
    std::uint32_t order;
    std::uint32_t slot;
    int priority;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.deadline > b.deadline || (a.deadline == b.deadline && a.order > b.order);
    }
  };
  struct Level {
    int priority;
    std::vector<Entry> live, expired;  // min-heaps on (deadline, order)
  };
  static void push(std::vector<Entry>& heap, const Entry& e) { heap_push<Later>(heap, e); }
  static void pop(std::vector<Entry>& heap) { heap_pop<Later>(heap); }
  Level& level_for(int priority) {
    for (auto& level : levels_) {
      if (level.priority == priority) return level;
    }
    levels_.push_back({priority, {}, {}});
    return levels_.back();
  }
  // The heaps hold every ready task (a task not yet due is in `live`; best() moves the rest).
  void enter_large() {
    large_ = true;
    count_ = small_.size();
    for (const Entry& e : small_) push(level_for(e.priority).live, e);
    small_.clear();
  }
  void leave_large() {
    large_ = false;
    for (Level& level : levels_) {
      small_.insert(small_.end(), level.live.begin(), level.live.end());
      small_.insert(small_.end(), level.expired.begin(), level.expired.end());
      level.live.clear();
      level.expired.clear();
    }
    std::sort(small_.begin(), small_.end(),
              [](const Entry& a, const Entry& b) { return a.order < b.order; });
  }

  bool large_ = false;
  std::vector<Entry> small_;  // small mode: the ready tasks in arrival order
  std::size_t count_ = 0;     // large mode: ready tasks
  std::vector<Level> levels_;
  std::size_t best_level_ = 0;
  bool best_live_ = true;
  std::uint32_t best_slot_ = 0;
};

// The reference semantics' choice (file comment, "Fast path (reference)").
class PlanariaReferenceIndex final : public TaskIndex {
 public:
  // Planaria's select() is a stateless scan: the engine scans short queues itself.
  std::size_t scan_below() const override { return kLargeFrom; }
  void insert(std::uint32_t slot, const TaskView& t) override {
    if (slot >= nodes_.size()) nodes_.resize(slot + 1);
    Node& n = nodes_[slot];
    n.deadline = t.deadline_s;
    n.arrival = t.arrival_s;
    n.seq = next_seq_++;
    n.priority = t.priority;
    n.alive = true;
    n.regular = t.priority > 0 && std::abs(t.deadline_s) <= kLargest && std::isfinite(t.arrival_s);
    n.prev = tail_;
    n.next = kNone;
    if (tail_ != kNone) {
      nodes_[tail_].next = slot;
    } else {
      head_ = slot;
    }
    tail_ = slot;
    ++count_;
    if (!n.regular) {
      ++irregular_;
      return;
    }
    n.level = level_for(t.priority);
    if (large_) {
      push(levels_[n.level].heap, {n.deadline, n.seq, slot});
    } else if (count_ >= kLargeFrom) {
      large_ = true;
      rebuild();
    }
  }

  std::uint32_t best(double now) override {
    if (!large_ || irregular_ > 0 || !(std::abs(now) <= kLargest)) return scan(now);
    if (now < horizon_) rebuild();
    horizon_ = now;
    // Each level's root: its largest score among the tasks not yet due (stale and fallen-due
    // entries leave the heap here).
    double top = -1;
    bool any = false;
    for (Level& level : levels_) {
      std::vector<Entry>& heap = level.heap;
      while (!heap.empty() && (!valid(heap.front()) || heap.front().deadline < now)) pop(heap);
      if (heap.empty()) continue;
      const double score = level.priority / (heap.front().deadline - now);
      if (!any || score > top) top = score;
      any = true;
    }
    if (!any) return all_negative(now);
    // Every task scoring `top`: the earliest arrival, then the last admitted.
    found_ = false;
    for (const Level& level : levels_) {
      if (!level.heap.empty()) collect(level, 0, top, now);
    }
    return best_slot_;
  }

  void update_best(std::uint32_t, const TaskView&) override {}  // deadline, priority are fixed

  void erase_best(std::uint32_t slot) override {
    Node& n = nodes_[slot];
    n.alive = false;  // its heap entry (if any) is now stale
    if (!n.regular) --irregular_;
    if (n.prev != kNone) {
      nodes_[n.prev].next = n.next;
    } else {
      head_ = n.next;
    }
    if (n.next != kNone) {
      nodes_[n.next].prev = n.prev;
    } else {
      tail_ = n.prev;
    }
    if (--count_ < kSmallBelow && large_) {
      large_ = false;
      for (Level& level : levels_) level.heap.clear();
    }
  }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  static constexpr double kLargest = 1e307;  // |slack| <= 2e307: finite, and no score rounds to 0
  struct Node {
    double deadline = 0, arrival = 0;
    std::uint64_t seq = 0;  // admission order
    int priority = 0;
    std::uint32_t prev = kNone, next = kNone;
    std::uint32_t level = 0;
    bool alive = false, regular = false;
  };
  struct Entry {
    double deadline;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.deadline > b.deadline || (a.deadline == b.deadline && a.seq > b.seq);
    }
  };
  struct Level {
    int priority;
    std::vector<Entry> heap;  // min-heap on (deadline, seq); may hold stale entries
  };
  static void push(std::vector<Entry>& heap, const Entry& e) { heap_push<Later>(heap, e); }
  static void pop(std::vector<Entry>& heap) { heap_pop<Later>(heap); }
  bool valid(const Entry& e) const {
    const Node& n = nodes_[e.slot];
    return n.alive && n.seq == e.seq;
  }
  std::uint32_t level_for(int priority) {
    for (std::uint32_t i = 0; i < levels_.size(); ++i) {
      if (levels_[i].priority == priority) return i;
    }
    levels_.push_back({priority, {}});
    return static_cast<std::uint32_t>(levels_.size() - 1);
  }

  // The heap entries of `level` under position `i` whose score equals `top` (a child's deadline
  // is not earlier, so its score is not larger: a subtree below `top` is skipped).
  void collect(const Level& level, std::size_t i, double top, double now) {
    const Entry& e = level.heap[i];
    if (level.priority / (e.deadline - now) != top) return;
    if (valid(e)) {
      const Node& n = nodes_[e.slot];
      if (!found_ || detail::reference_tie_prefers(n.arrival, n.seq, best_arrival_, best_seq_)) {
        found_ = true;
        best_arrival_ = n.arrival;
        best_seq_ = n.seq;
        best_slot_ = e.slot;
      }
    }
    for (std::size_t c = 2 * i + 1; c <= 2 * i + 2 && c < level.heap.size(); ++c) {
      collect(level, c, top, now);
    }
  }

  // Every score < 0: the earliest admitted task after which every task has its score and a
  // strictly later arrival (walking back from the last admitted task).
  std::uint32_t all_negative(double now) const {
    std::uint32_t best = tail_;
    const Node& last = nodes_[tail_];
    const double score = last.priority / (last.deadline - now);
    double later_min = last.arrival;  // the earliest arrival after the candidate
    for (std::uint32_t s = last.prev; s != kNone; s = nodes_[s].prev) {
      const Node& n = nodes_[s];
      if (n.priority / (n.deadline - now) != score) break;
      if (n.arrival < later_min) {
        best = s;
        later_min = n.arrival;
      }
    }
    return best;
  }

  // The scan itself (IncumbentArgmax, reference) over the tasks in admission order.
  std::uint32_t scan(double now) const {
    std::uint32_t best = head_;
    double best_score = -1;
    bool has_best = false;
    for (std::uint32_t s = head_; s != kNone; s = nodes_[s].next) {
      const Node& n = nodes_[s];
      const double score = n.priority / (n.deadline - now);
      if (best_score < 0 || best_score <= score) {
        if (has_best && best_score == score && nodes_[best].arrival < n.arrival) continue;
        best = s;
        best_score = score;
        has_best = true;
      }
    }
    return best;
  }

  // Large mode starts, or the clock went back (tasks dropped as fallen due may be due no
  // longer): the heaps get every regular ready task.
  void rebuild() {
    for (Level& level : levels_) level.heap.clear();
    for (std::uint32_t s = head_; s != kNone; s = nodes_[s].next) {
      const Node& n = nodes_[s];
      if (n.regular) push(levels_[n.level].heap, {n.deadline, n.seq, s});
    }
    horizon_ = -std::numeric_limits<double>::infinity();
  }

  std::vector<Node> nodes_;  // by slot
  std::vector<Level> levels_;
  std::uint32_t head_ = kNone, tail_ = kNone;  // admission order of the ready tasks
  std::uint64_t next_seq_ = 0;
  std::size_t irregular_ = 0;
  std::size_t count_ = 0;  // ready tasks
  bool large_ = false;     // heaps kept (from kLargeFrom ready tasks down to kSmallBelow)
  double horizon_ = -std::numeric_limits<double>::infinity();  // latest `now` of best()
  bool found_ = false;
  double best_arrival_ = 0;
  std::uint64_t best_seq_ = 0;
  std::uint32_t best_slot_ = 0;
};

class Planaria final : public PlainPolicy, public PolicyScores {
 public:
  explicit Planaria(Semantics semantics) : semantics_(semantics) {}

  std::size_t select(const DecisionContext& ctx) override {
    if (semantics_ == Semantics::reference) {
      detail::IncumbentArgmax argmax(semantics_);
      for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
        argmax.offer(i, planaria_score(ctx.tasks[i], ctx.now_s), ctx.tasks[i], ctx.tasks);
      }
      return argmax.best();
    }
    std::size_t best = 0;
    double best_score = planaria_score(ctx.tasks[0], ctx.now_s);
    for (std::size_t i = 1; i < ctx.tasks.size(); ++i) {
      const TaskView& t = ctx.tasks[i];
      const double score = planaria_score(t, ctx.now_s);
      const TaskView& b = ctx.tasks[best];
      if (beats(score, t.deadline_s, t.request, best_score, b.deadline_s, b.request)) {
        best = i;
        best_score = score;
      }
    }
    return best;
  }

  bool scores(const DecisionContext& ctx, std::span<double> out) const override {
    for (std::size_t i = 0; i < ctx.tasks.size(); ++i) {
      out[i] = planaria_score(ctx.tasks[i], ctx.now_s);
    }
    return true;
  }
  ScoreOrder score_order() const override { return ScoreOrder::largest_wins; }
  const char* score_meaning() const override {
    return semantics_ == Semantics::reference
               ? "priority / slack (1/s); largest wins, with the artifact's -1 incumbent (Q5): "
                 "a task replaces a negative incumbent whatever its score (all negative: the "
                 "latest arrival), an exact tie keeps the incumbent only if it arrived strictly "
                 "earlier"
               : "priority / slack (1/s); largest wins, ties: earlier deadline, then earliest "
                 "arrival";
  }

  std::unique_ptr<TaskIndex> make_index() const override {
    if (semantics_ == Semantics::reference) return std::make_unique<PlanariaReferenceIndex>();
    return std::make_unique<PlanariaIndex>();
  }

 private:
  Semantics semantics_;
};

DYSTA_REGISTER_POLICY({"planaria",
                       "Planaria: highest priority per unit of slack (MICRO'20)",
                       {false, false},
                       {},
                       [](const ParamValues&, Semantics s) {
                         return std::make_unique<Planaria>(s);
                       }});

}  // namespace
}  // namespace dysta
