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

// Idle time of the EDF schedule of the jobs chosen so far, as sorted disjoint intervals (the
// last one unbounded). Jobs are added in deadline order, so a new job has the lowest priority:
// it runs exactly in the idle time after its release and delays no chosen job.
class IdleTime {
 public:
  explicit IdleTime(double from) : gaps_{{from, kInf}} {}

  // Completion time of a job (release r, processing p) added now; does not change anything.
  double completion(double r, double p) const {
    double need = p;
    for (const auto& [start, end] : gaps_) {
      if (end <= r) continue;
      const double a = std::max(start, r);
      if (end - a >= need) return a + need;
      need -= end - a;
    }
    return kInf;  // unreachable: the last gap is unbounded
  }

  // Adds the job: fills the idle time after r with p.
  void add(double r, double p) {
    double need = p;
    std::vector<std::pair<double, double>> out;
    out.reserve(gaps_.size() + 1);
    for (const auto& [start, end] : gaps_) {
      if (need <= 0 || end <= r) {
        out.emplace_back(start, end);
        continue;
      }
      const double a = std::max(start, r);
      if (a > start) out.emplace_back(start, a);
      if (end - a > need) {
        out.emplace_back(a + need, end);
        need = 0;
      } else {
        need -= end - a;
      }
    }
    gaps_ = std::move(out);
  }

  // Idle time within [r, d].
  double capacity(double r, double d) const {
    double total = 0;
    for (const auto& [start, end] : gaps_) {
      if (start >= d) break;
      const double a = std::max(start, r), b = std::min(end, d);
      if (b > a) total += b - a;
    }
    return total;
  }

 private:
  std::vector<std::pair<double, double>> gaps_;
};

// Exact maximum number of on-time jobs of one busy period by branch and bound; `jobs` sorted by
// deadline. Returns false when the node budget runs out (best_on_time then holds the best found).
class MaxOnTime {
 public:
  MaxOnTime(std::span<const BoundJob> jobs, double start, std::size_t node_limit)
      : jobs_(jobs), start_(start), limit_(node_limit) {}

  // Greedy: every job, in deadline order, that still fits.
  std::size_t greedy() const {
    IdleTime idle(start_);
    std::size_t count = 0;
    for (const BoundJob& j : jobs_) {
      if (on_time(idle.completion(j.release_s, j.processing_s), j.deadline_s)) {
        idle.add(j.release_s, j.processing_s);
        ++count;
      }
    }
    return count;
  }

  bool solve(std::size_t& best_on_time) {
    best_ = greedy();
    nodes_ = 0;
    exhausted_ = false;
    search(0, IdleTime(start_), 0);
    best_on_time = best_;
    return !exhausted_;
  }

 private:
  // Upper bound on how many of jobs[k..] can still be added: those that fit alone.
  std::size_t fitting(std::size_t k, const IdleTime& idle) const {
    std::size_t n = 0;
    for (std::size_t i = k; i < jobs_.size(); ++i) {
      const BoundJob& j = jobs_[i];
      if (idle.capacity(j.release_s, j.deadline_s + kTolerance_s) >= j.processing_s) ++n;
    }
    return n;
  }

  void search(std::size_t k, const IdleTime& idle, std::size_t count) {
    if (exhausted_) return;
    if (++nodes_ > limit_) {
      exhausted_ = true;
      return;
    }
    if (count > best_) best_ = count;
    if (k == jobs_.size()) return;
    if (count + (jobs_.size() - k) <= best_) return;
    if (count + fitting(k, idle) <= best_) return;
    const BoundJob& j = jobs_[k];
    if (on_time(idle.completion(j.release_s, j.processing_s), j.deadline_s)) {
      IdleTime with = idle;
      with.add(j.release_s, j.processing_s);
      search(k + 1, with, count + 1);
    }
    search(k + 1, idle, count);
  }

  std::span<const BoundJob> jobs_;
  double start_;
  std::size_t limit_;
  std::size_t best_ = 0, nodes_ = 0;
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
PeriodResult solve_period(std::vector<BoundJob> period, const LateJobsOptions& options) {
  const double start = period.front().release_s;
  std::vector<BoundJob> sorted = period;
  std::stable_sort(sorted.begin(), sorted.end(), by_deadline);
  MaxOnTime exact(sorted, start, options.node_limit);
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
    MaxOnTime solver(block, block_start, options.node_limit);
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
  auto flush = [&] {
    if (period.empty()) return;
    const PeriodResult r = solve_period(std::move(period), options);
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
  j["antt"] = b.antt;
  j["antt_bound"] =
      "lower bound: mean-busy-time relaxation with weights 1/isolated latency (Goemans 1997)";
  return j;
}

}  // namespace dysta
