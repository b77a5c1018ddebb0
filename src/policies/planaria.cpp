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
// level give the choice in O(levels + log R).
#include <algorithm>

#include "dysta/policy.h"
#include "policies/incumbent.h"

namespace dysta {
namespace {

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

class PlanariaIndex final : public TaskIndex {
 public:
  void insert(std::uint32_t slot, const TaskView& t) override {
    Level& level = level_for(t.priority);
    push(level.live, {t.deadline_s, t.request, slot});
  }

  std::uint32_t best(double now) override {
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

  void erase_best(std::uint32_t) override {
    Level& level = levels_[best_level_];
    pop(best_live_ ? level.live : level.expired);
  }

 private:
  struct Entry {
    double deadline;
    std::uint32_t order;
    std::uint32_t slot;
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
  static void push(std::vector<Entry>& heap, const Entry& e) {
    heap.push_back(e);
    std::push_heap(heap.begin(), heap.end(), Later{});
  }
  static void pop(std::vector<Entry>& heap) {
    std::pop_heap(heap.begin(), heap.end(), Later{});
    heap.pop_back();
  }
  Level& level_for(int priority) {
    for (auto& level : levels_) {
      if (level.priority == priority) return level;
    }
    levels_.push_back({priority, {}, {}});
    return levels_.back();
  }

  std::vector<Level> levels_;
  std::size_t best_level_ = 0;
  bool best_live_ = true;
  std::uint32_t best_slot_ = 0;
};

class Planaria final : public Policy, public PolicyScores {
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
    if (semantics_ == Semantics::reference) return nullptr;  // clock rollback, Q5 incumbent
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
