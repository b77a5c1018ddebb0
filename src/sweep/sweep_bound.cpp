// bound_points() (sweep_merge.h): the offline bounds (bound.h) of a sweep plan's streams.
#include <algorithm>
#include <set>
#include <utility>

#include "dysta/bound.h"
#include "dysta/sweep_merge.h"

namespace dysta {

std::vector<MergedPoint> bound_points(const SweepPlan& plan) {
  std::vector<MergedPoint> out;
  std::set<std::pair<std::uint32_t, double>> seen;  // (stream id, SLO multiplier)
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const PointConfig& p = plan.points[i];
    if (!seen.insert({plan.stream[i], p.slo_multiplier}).second) continue;
    const ProfileSet& profiles = *plan.profile_sets[plan.profile_set[i]];
    const std::vector<Request> requests = point_stream(profiles, p);
    const StreamBound b = stream_bound(profiles, requests);
    MergedPoint m;
    m.key = "bound-" + plan.keys[i];
    m.point = p;
    m.point.policy = "bound";
    m.point.policy_params.clear();
    m.point.drop = DropRule::none;
    RunMetrics& r = m.metrics;
    r.requests = b.requests;
    r.violations = b.late.min_late;
    r.slo_violation_rate = b.violation_rate;
    r.antt = b.antt;
    // Makespan of any work-conserving schedule: the end of the last busy period.
    const std::vector<BoundJob> jobs = bound_jobs(profiles, requests);
    double busy_until = 0;
    for (const BoundJob& j : jobs) busy_until = std::max(busy_until, j.release_s) + j.processing_s;
    if (!jobs.empty()) {
      r.makespan_s = busy_until - jobs.front().release_s;
      r.throughput_inf_s = static_cast<double>(jobs.size()) / r.makespan_s;
      r.goodput_inf_s = static_cast<double>(r.requests - r.violations) / r.makespan_s;
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace dysta
