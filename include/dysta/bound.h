// Offline lower bounds on what any scheduler could have achieved on a request stream, from the
// requests' true isolated latencies (docs/policies.md, "How far from optimal").
//
// Relaxation: layer-granular preemption (spec A.1) is relaxed to arbitrary preemption on one
// machine, and the scheduler is clairvoyant (knows every arrival and true latency in advance).
// Every layer-preemptive schedule (any policy, with or without dropping, idling or not) is such a
// schedule, so its number of SLO violations and its ANTT are at least the bounds below. The
// bounds hold for the corrected semantics; the reference semantics' clock rollback (quirk Q2)
// is not a physical schedule and can undercut them.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "dysta/profile.h"
#include "dysta/workload.h"

namespace dysta {

// One job of the relaxed problem: released at release_s, needs processing_s of machine time,
// on time iff it completes by deadline_s.
struct BoundJob {
  double release_s = 0;
  double processing_s = 0;
  double deadline_s = 0;
};

struct LateJobsOptions {
  // Branch-and-bound nodes allowed per busy period before the relaxation takes over.
  std::size_t node_limit = 200000;
  // Size of the consecutive blocks of the partition relaxation.
  std::size_t block_size = 12;
  // Work units (one per search node, per job examined, per idle-time gap visited or moved) that
  // all the searches of one call may use together: the greedy solutions, the exact searches and
  // the blocks. Once spent, a search stops as at node_limit (its period falls back to the
  // relaxation, a block to Moore-Hodgson), so the searches cost O(work_limit) in all; the rest
  // is O(N log N) (Moore-Hodgson, sorting, antt_lower_bound()).
  std::size_t work_limit = 200'000'000;
};

// Minimum number of late jobs on one preemptive machine with release dates (1|r_j,pmtn|sum U_j;
// Lawler 1990, Baptiste 1999), solved per busy period of the whole job set (an on-time set's
// schedule stays inside the busy periods, so the periods are independent). A set of jobs can
// all be on time iff preemptive EDF (Jackson's schedule) meets their deadlines (Horn 1974).
//  * exact: branch and bound over the jobs in deadline order (include a job iff it still fits
//    into the idle time of the chosen set's EDF schedule), seeded with a greedy solution and
//    pruned by a count of the remaining jobs that fit individually.
//  * relaxation (a period whose search exceeds node_limit or the shared work_limit): the larger of
//      - Moore-Hodgson (1968) with every release moved to the period's start (fewer constraints),
//      - the sum over consecutive blocks (release order, block_size jobs) of each block's exact
//        minimum: an optimal schedule restricted to a block is a schedule of that block alone,
//        so the minimum is superadditive over a partition of the jobs (a block whose search
//        also runs out counts its Moore-Hodgson relaxation from the block's first release).
//    If the relaxation equals the late count of the best solution found, the period is exact.
// Completion times are compared with deadline + 1e-9 s (ties count as on time, erring low).
struct LateJobsBound {
  std::size_t min_late = 0;  // lower bound on the number of late jobs (exact if `exact`)
  bool exact = true;         // every busy period solved exactly
  std::size_t busy_periods = 0;
  std::size_t exact_periods = 0;
  std::size_t largest_period = 0;  // jobs in the largest busy period
  // Late jobs of a feasible solution (exact periods: the minimum; the others: the greedy one), so
  // min_late <= exact minimum <= upper. Shows how loose a relaxation is.
  std::size_t upper = 0;
  std::size_t work = 0;             // work units used (LateJobsOptions::work_limit)
  bool work_limit_reached = false;  // the searches stopped at work_limit
};
LateJobsBound min_late_jobs(std::span<const BoundJob> jobs, const LateJobsOptions& options = {});

// Lower bound on the mean normalised turnaround (1/N) sum (C_j - r_j) / p_j over all preemptive
// schedules: with weights w_j = 1/p_j, sum w_j C_j >= sum w_j (M_j + p_j / 2) for the mean busy
// time M_j of any schedule, and the preemptive schedule that runs the available job of largest
// w_j / p_j (here: smallest p_j; ties: earlier release, then index) minimises sum w_j M_j
// (Goemans 1997, the mean-busy-time LP relaxation). Each job's term is >= 1.
double antt_lower_bound(std::span<const BoundJob> jobs);

// Jobs of a request stream: release = arrival, processing = true isolated latency of the
// request's sample, deadline = the request's deadline.
std::vector<BoundJob> bound_jobs(const ProfileSet& profiles, std::span<const Request> requests);

struct StreamBound {
  std::size_t requests = 0;
  LateJobsBound late;
  double violation_rate = 0;  // late.min_late / requests
  double antt = 0;            // antt_lower_bound()
};
StreamBound stream_bound(const ProfileSet& profiles, std::span<const Request> requests,
                         const LateJobsOptions& options = {});

// {requests, min_violations, violation_rate, violations_bound: "exact minimum ..." or
//  "relaxation ...", busy_periods, exact_busy_periods, largest_busy_period, antt, antt_bound},
// plus search_work_limit_reached: true and search_work_limit (the units used) only when the
// searches stopped at LateJobsOptions::work_limit.
nlohmann::json bound_json(const StreamBound& bound);

}  // namespace dysta
