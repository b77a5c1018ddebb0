// Sweeps over seeds x rates x SLO multipliers x policies (spec B.4) spread over threads with
// results independent of the thread count (dysta::sweep). One run: run.h (dysta::core).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/metrics.h"
#include "dysta/profile.h"
#include "dysta/run.h"
#include "dysta/semantics.h"
#include "dysta/workload.h"

namespace dysta {

struct SweepSpec {
  std::vector<std::string> policies;
  std::vector<double> rates;
  std::vector<double> slo_multipliers;
  std::vector<std::uint64_t> seeds;
  std::size_t num_requests = 1000;
  std::vector<int> priorities{1, 3, 9};
  std::vector<double> mix;
  PolicyChoice choice;
  Semantics semantics = Semantics::corrected;
  unsigned threads = 0;  // 0 = all hardware threads
};

struct SweepPoint {
  std::uint64_t seed = 0;
  double rate = 0;
  double slo_multiplier = 0;
  std::string policy;
  RunMetrics metrics;
};

// Request streams: in reference semantics one generator per seed, seeded once, continues across
// the rates in the given order (spec B.4); in corrected semantics every (seed, rate) pair has its
// own generator seeded with the seed, so each point equals a single `dysta run`. Points are
// returned in seed, rate, SLO multiplier, policy order.
std::vector<SweepPoint> run_sweep(const ProfileSet& profiles, const SweepSpec& spec);

}  // namespace dysta
