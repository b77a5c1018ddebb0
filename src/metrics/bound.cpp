#include "dysta/bound.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <queue>
#include <utility>

namespace dysta {
namespace {

constexpr double kTolerance_s = 1e-9;  // completion <= deadline + this counts as on time
constexpr double kInf = std::numeric_limits<double>::infinity();

bool on_time(double completion, double deadline) {
  return completion <= deadline + kTolerance_s;
}

// Work units of the branch and bound (LateJobsOptions::work_limit): one per search node, per
// job examined and per idle gap visited or copied, shared by every search of one
// min_late_jobs() call. A search that runs out stops as if it had hit node_limit.
class Budget {
 public:
  explicit Budget(std::size_t limit) : left_(limit) {}
  // Charges n units; false (and spent() from now on) when fewer than n were left.
  bool take(std::size_t n) {
    if (spent_) return false;
    if (n > left_) {
      used_ += left_;
      left_ = 0;
      spent_ = true;
      return false;
    }
    left_ -= n;
    used_ += n;
    return true;
  }
  bool spent() const { return spent_; }
  std::size_t used() const { return used_; }

 private:
  std::size_t left_;
  std::size_t used_ = 0;
  bool spent_ = false;
};

// Idle time of the EDF schedule of the jobs chosen so far, as sorted disjoint intervals (the
// last one unbounded). Jobs are added in deadline order, so a new job has the lowest priority:
// it runs exactly in the idle time after its release and delays no chosen job. Each operation
// starts at the first gap ending after the release (binary search) and adds the gaps it visits
// to `work`.
class IdleTime {
 public:
  explicit IdleTime(double from) : gaps_{{from, kInf}} {}

  std::size_t size() const { return gaps_.size(); }

  // Completion time of a job (release r, processing p) added now; does not change anything.
  double completion(double r, double p, std::size_t& work) const {
    double need = p;
    for (std::size_t i = first_ending_after(r); i < gaps_.size(); ++i) {
      ++work;
      const auto& [start, end] = gaps_[i];
      const double a = std::max(start, r);
      if (end - a >= need) return a + need;
      need -= end - a;
    }
    return kInf;  // unreachable: the last gap is unbounded
  }

  // Adds the job: fills the idle time after r with p.
  void add(double r, double p, std::size_t& work) {
    const std::size_t from = first_ending_after(r);
    double need = p;
    std::size_t i = from;
    std::pair<double, double> keep[2];
    std::size_t kept = 0;
    for (; i < gaps_.size() && need > 0; ++i) {
      ++work;
      const auto [start, end] = gaps_[i];
      const double a = std::max(start, r);
      if (a > start) keep[kept++] = {start, a};
      if (end - a > need) {
        keep[kept++] = {a + need, end};
        need = 0;
      } else {
        need -= end - a;
      }
    }
    // gaps_[from, i) -> keep[0, kept): at most the head of the first gap and the tail of the last.
    const std::size_t removed = i - from;
    const auto at = gaps_.begin() + static_cast<std::ptrdiff_t>(from);
    std::copy(keep, keep + std::min(kept, removed), at);
    if (kept > removed) {
      gaps_.insert(at + static_cast<std::ptrdiff_t>(removed), keep + removed, keep + kept);
    } else if (kept < removed) {
      gaps_.erase(at + static_cast<std::ptrdiff_t>(kept),
                  at + static_cast<std::ptrdiff_t>(removed));
    }
    if (kept != removed) work += gaps_.size() - from;  // moved
  }

  // Idle time within [r, d].
  double capacity(double r, double d, std::size_t& work) const {
    double total = 0;
    for (std::size_t i = first_ending_after(r); i < gaps_.size(); ++i) {
      ++work;
      const auto& [start, end] = gaps_[i];
      if (start >= d) break;
      const double a = std::max(start, r), b = std::min(end, d);
      if (b > a) total += b - a;
    }
    return total;
  }

 private:
  // Gaps ending at or before r contribute nothing to any operation at release r.
  std::size_t first_ending_after(double r) const {
    const auto it = std::upper_bound(gaps_.begin(), gaps_.end(), r,
                                     [](double v, const auto& g) { return v < g.second; });
    return static_cast<std::size_t>(it - gaps_.begin());
  }

  std::vector<std::pair<double, double>> gaps_;
};

// Exact maximum number of on-time jobs of one busy period by branch and bound; `jobs` sorted by
// deadline. solve() returns false when the node limit or the work budget runs out
// (best_on_time then holds the best found, a feasible count).
class MaxOnTime {
 public:
  MaxOnTime(std::span<const BoundJob> jobs, double start, std::size_t node_limit, Budget& budget)
      : jobs_(jobs), start_(start), limit_(node_limit), budget_(budget) {}

  // Greedy: every job, in deadline order, that still fits (stops early, with the count so far,
  // when the budget runs out: still a feasible set). Computed once.
  std::size_t greedy() {
    if (greedy_done_) return greedy_;
    greedy_done_ = true;
    IdleTime idle(start_);
    for (const BoundJob& j : jobs_) {
      std::size_t work = 0;
      const bool fits = on_time(idle.completion(j.release_s, j.processing_s, work), j.deadline_s);
      if (fits) idle.add(j.release_s, j.processing_s, work);
      if (!budget_.take(work + 1)) break;
      if (fits) ++greedy_;
    }
    return greedy_;
  }

  bool solve(std::size_t& best_on_time) {
    best_ = greedy();
    nodes_ = 0;
    exhausted_ = budget_.spent();
    search(0, IdleTime(start_), 0);
    best_on_time = best_;
    return !exhausted_;
  }

 private:
  // Upper bound on how many of jobs[k..] can still be added: those that fit alone (all of them
  // once the budget is spent; the search then stops).
  std::size_t fitting(std::size_t k, const IdleTime& idle) {
    std::size_t n = 0;
    for (std::size_t i = k; i < jobs_.size(); ++i) {
      const BoundJob& j = jobs_[i];
      std::size_t work = 1;
      if (idle.capacity(j.release_s, j.deadline_s + kTolerance_s, work) >= j.processing_s) ++n;
      if (!budget_.take(work)) return jobs_.size() - k;
    }
    return n;
  }

  void search(std::size_t k, const IdleTime& idle, std::size_t count) {
    if (exhausted_) return;
    if (++nodes_ > limit_ || !budget_.take(1)) {
      exhausted_ = true;
      return;
    }
    if (count > best_) best_ = count;
    if (k == jobs_.size()) return;
    if (count + (jobs_.size() - k) <= best_) return;
    if (count + fitting(k, idle) <= best_) return;
    if (budget_.spent()) {
      exhausted_ = true;
      return;
    }
    const BoundJob& j = jobs_[k];
    std::size_t work = 0;
    if (on_time(idle.completion(j.release_s, j.processing_s, work), j.deadline_s)) {
      work += idle.size();
      IdleTime with = idle;
      with.add(j.release_s, j.processing_s, work);
      if (!budget_.take(work)) {
        exhausted_ = true;
        return;
      }
      search(k + 1, with, count + 1);
    } else if (!budget_.take(work)) {
      exhausted_ = true;
      return;
    }
    search(k + 1, idle, count);
  }

  std::span<const BoundJob> jobs_;
  double start_;
  std::size_t limit_;
  Budget& budget_;
  std::size_t best_ = 0, nodes_ = 0;
  std::size_t greedy_ = 0;
  bool greedy_done_ = false;
  bool exhausted_ = false;
};

bool by_deadline(const BoundJob& a, const BoundJob& b) {
  if (a.deadline_s != b.deadline_s) return a.deadline_s < b.deadline_s;
  return a.release_s < b.release_s;
}

// Moore-Hodgson: exact minimum number of late jobs with every job released at `start` (jobs
// sorted by deadline).
std::size_t moore_hodgson(std::span<const BoundJob> jobs, double start) {
  std::priority_queue<double> chosen;  // processing times of the on-time jobs
  double t = start;
  std::size_t late = 0;
  for (const BoundJob& j : jobs) {
    chosen.push(j.processing_s);
    t += j.processing_s;
    if (!on_time(t, j.deadline_s)) {
      t -= chosen.top();
      chosen.pop();
      ++late;
    }
  }
  return late;
}

struct PeriodResult {
  std::size_t min_late = 0;
  bool exact = false;
  std::size_t upper = 0;  // late jobs of a feasible solution
};

// `period`: the jobs of one busy period in release order.
PeriodResult solve_period(std::vector<BoundJob> period, const LateJobsOptions& options,
                          Budget& budget) {
  const double start = period.front().release_s;
  std::vector<BoundJob> sorted = period;
  std::stable_sort(sorted.begin(), sorted.end(), by_deadline);
  MaxOnTime exact(sorted, start, options.node_limit, budget);
  std::size_t on_time_jobs = 0;
  if (exact.solve(on_time_jobs)) {
    return {period.size() - on_time_jobs, true, period.size() - on_time_jobs};
  }
  const std::size_t greedy_late = period.size() - exact.greedy();

  // Relaxations (header): Moore-Hodgson from the period's start, and blocks.
  std::size_t relaxed = moore_hodgson(sorted, start);
  std::size_t blocks = 0;
  for (std::size_t b = 0; b < period.size(); b += options.block_size) {
    const std::size_t e = std::min(period.size(), b + options.block_size);
    std::vector<BoundJob> block(period.begin() + static_cast<std::ptrdiff_t>(b),
                                period.begin() + static_cast<std::ptrdiff_t>(e));
    std::stable_sort(block.begin(), block.end(), by_deadline);
    const double block_start = period[b].release_s;
    MaxOnTime solver(block, block_start, options.node_limit, budget);
    std::size_t fit = 0;
    blocks += solver.solve(fit) ? block.size() - fit : moore_hodgson(block, block_start);
  }
  relaxed = std::max(relaxed, blocks);
  // The search's best set is at least as good as the greedy one.
  const std::size_t upper = std::min(greedy_late, period.size() - on_time_jobs);
  return {relaxed, relaxed == upper, upper};
}

}  // namespace

LateJobsBound min_late_jobs(std::span<const BoundJob> jobs, const LateJobsOptions& options) {
  LateJobsBound out;
  if (jobs.empty()) return out;
  std::vector<BoundJob> ordered(jobs.begin(), jobs.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const BoundJob& a, const BoundJob& b) { return a.release_s < b.release_s; });
  std::vector<BoundJob> period;
  double busy_until = -kInf;
  Budget budget(options.work_limit);
  auto flush = [&] {
    if (period.empty()) return;
    const PeriodResult r = solve_period(std::move(period), options, budget);
    out.min_late += r.min_late;
    out.upper += r.upper;
    ++out.busy_periods;
    if (r.exact) ++out.exact_periods;
    period.clear();
  };
  for (const BoundJob& j : ordered) {
    if (j.release_s > busy_until) flush();
    period.push_back(j);
    out.largest_period = std::max(out.largest_period, period.size());
    busy_until = std::max(busy_until, j.release_s) + j.processing_s;
  }
  flush();
  out.exact = out.exact_periods == out.busy_periods;
  out.work = budget.used();
  out.work_limit_reached = budget.spent();
  return out;
}

double antt_lower_bound(std::span<const BoundJob> jobs) {
  const std::size_t n = jobs.size();
  if (n == 0) return 0;
  std::vector<std::size_t> by_release(n);
  std::iota(by_release.begin(), by_release.end(), 0);
  std::stable_sort(by_release.begin(), by_release.end(), [&](std::size_t a, std::size_t b) {
    return jobs[a].release_s < jobs[b].release_s;
  });
  // Available jobs, smallest processing time first (ties: earlier release, then index).
  auto later = [&](std::size_t a, std::size_t b) {
    if (jobs[a].processing_s != jobs[b].processing_s) {
      return jobs[a].processing_s > jobs[b].processing_s;
    }
    if (jobs[a].release_s != jobs[b].release_s) return jobs[a].release_s > jobs[b].release_s;
    return a > b;
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> ready(later);
  std::vector<double> left(n), busy_moment(n, 0.0);  // busy_moment: integral of t over its pieces
  for (std::size_t i = 0; i < n; ++i) left[i] = jobs[i].processing_s;
  double t = -kInf;
  std::size_t next = 0;
  while (next < n || !ready.empty()) {
    if (ready.empty()) t = std::max(t, jobs[by_release[next]].release_s);
    while (next < n && jobs[by_release[next]].release_s <= t) ready.push(by_release[next++]);
    const std::size_t j = ready.top();
    const double finish = t + left[j];
    const bool preempted = next < n && jobs[by_release[next]].release_s < finish;
    const double until = preempted ? jobs[by_release[next]].release_s : finish;
    busy_moment[j] += (until - t) * (t + until) / 2;
    if (preempted) {
      left[j] -= until - t;
    } else {
      left[j] = 0;
      ready.pop();
    }
    t = until;
  }
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const BoundJob& j = jobs[i];
    const double mean_busy = busy_moment[i] / j.processing_s;
    sum += (mean_busy + j.processing_s / 2 - j.release_s) / j.processing_s;
  }
  return sum / static_cast<double>(n);
}

std::vector<BoundJob> bound_jobs(const ProfileSet& profiles, std::span<const Request> requests) {
  std::vector<BoundJob> jobs;
  jobs.reserve(requests.size());
  for (const Request& r : requests) {
    const VariantProfile& v = profiles.variant(r.variant);
    jobs.push_back({r.arrival_s, v.remaining(r.sample_pos)[0], r.deadline_s});
  }
  return jobs;
}

StreamBound stream_bound(const ProfileSet& profiles, std::span<const Request> requests,
                         const LateJobsOptions& options) {
  StreamBound b;
  b.requests = requests.size();
  if (requests.empty()) return b;
  const std::vector<BoundJob> jobs = bound_jobs(profiles, requests);
  b.late = min_late_jobs(jobs, options);
  b.violation_rate = static_cast<double>(b.late.min_late) / static_cast<double>(b.requests);
  b.antt = antt_lower_bound(jobs);
  return b;
}

nlohmann::json bound_json(const StreamBound& b) {
  nlohmann::json j;
  j["requests"] = b.requests;
  j["min_violations"] = b.late.min_late;
  j["violation_rate"] = b.violation_rate;
  j["violations_bound"] =
      b.late.exact ? "exact minimum number of late requests with arbitrary preemption (a lower "
                     "bound for layer preemption)"
                   : "lower bound: exact minimum in the exactly solved busy periods, relaxation "
                     "(Moore-Hodgson from the period start / block partition) in the others";
  j["min_violations_upper"] = b.late.upper;
  j["busy_periods"] = b.late.busy_periods;
  j["exact_busy_periods"] = b.late.exact_periods;
  j["largest_busy_period"] = b.late.largest_period;
  // Only when reached, so summaries of runs within the limit are unchanged.
  if (b.late.work_limit_reached) {
    j["search_work_limit_reached"] = true;
    j["search_work_limit"] = b.late.work;
  }
  j["antt"] = b.antt;
  j["antt_bound"] =
      "lower bound: mean-busy-time relaxation with weights 1/isolated latency (Goemans 1997)";
  return j;
}

}  // namespace dysta
