// Streaming runs: requests generated on the fly and metrics accumulated as requests complete
// (MetricsAccumulator, metrics.h), so memory does not grow with the number of requests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/metrics.h"
#include "dysta/run.h"
#include "dysta/workload.h"

namespace dysta {

// Generates `spec.num_requests` requests lazily from `seed` (the same stream as
// generate_poisson_stream) and simulates them under `policy`, a MetricsAccumulator with
// `options` subscribed to the run. With MetricsOptions::batch() the metrics are bit-identical to
// run_policy() on the same stream (O(n) memory); the default, streaming(), keeps memory bounded.
RunMetrics run_streaming(const ProfileSet& profiles, const StreamSpec& spec, std::uint64_t seed,
                         const std::string& policy, const PolicyChoice& choice, Semantics semantics,
                         const MetricsOptions& options = MetricsOptions::streaming());

}  // namespace dysta
