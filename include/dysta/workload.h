// Request streams: Poisson generation (spec B.3, B.4) and trace replay/export.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dysta/arrivals.h"
#include "dysta/profile.h"
#include "dysta/py_random.h"
#include "dysta/semantics.h"

namespace dysta {

// Valid ranges of the numeric keys (docs/config.md), checked when a config is loaded. They keep
// every derived quantity (arrival times, deadlines, sizes) finite and every allocation bounded.
inline constexpr double kMinRate = 1e-6;  // workload.rate, sweep.rates: requests/s
inline constexpr double kMaxRate = 1e9;
inline constexpr double kMinSloMultiplier = 1e-6;  // workload.slo_multiplier, trace column
inline constexpr double kMaxSloMultiplier = 1e6;
inline constexpr std::int64_t kMaxRequests = 10'000'000;  // workload.requests, trace rows
inline constexpr std::int64_t kMaxPriority = 1'000'000;   // workload.priorities, trace column
inline constexpr double kMaxArrivalS = 1e12;              // trace arrival_s, seconds
inline constexpr double kMaxMixWeight = 1e6;              // workload.mix weights, in [0, max]
inline constexpr std::int64_t kMaxSeed = 9'007'199'254'740'992;  // 2^53
inline constexpr std::int64_t kMaxThreads = 1024;                // sweep.threads
inline constexpr std::size_t kMaxSweepPoints = 1'000'000;        // product of the sweep axes
inline constexpr std::size_t kMaxListLength = 100'000;           // any list in a config
inline constexpr std::int64_t kMaxDevices = 1'000'000;           // cluster: all groups together
inline constexpr std::int64_t kMaxDepth = 1'000'000;             // cluster.depth
inline constexpr double kMinSpeed = 1e-6;                        // cluster.groups[].speed
inline constexpr double kMaxSpeed = 1e6;
inline constexpr double kMinArrivalCv = 0.05;  // workload.arrivals.cv (gamma, weibull)
inline constexpr double kMaxArrivalCv = 20;
inline constexpr std::int64_t kMaxDiurnalPoints = 100'000;  // workload.arrivals.diurnal.points

// One inference request. `deadline_s` = arrival_s + slo_multiplier x target latency of the
// variant's architecture (spec B.4), computed in that order.
struct Request {
  double arrival_s = 0;
  std::uint32_t variant = 0;     // index into the ProfileSet
  std::uint32_t sample_pos = 0;  // position of the input sample in the variant's profile
  int priority = 1;
  double slo_multiplier = 1;
  double deadline_s = 0;
};

struct StreamSpec {
  double rate_per_s = 30;                // Poisson arrival rate (> 0)
  std::size_t num_requests = 1000;       // N (> 0)
  double slo_multiplier = 10;            // m (> 0)
  std::vector<int> priorities{1, 3, 9};  // drawn uniformly (PREMA's levels)
  // Optional relative weights per variant (same order as the ProfileSet); empty = uniform over
  // variants as in the reference.
  std::vector<double> mix;
  // Inter-arrival process (arrivals.h); empty = Poisson at rate_per_s, drawn exactly as spec B.3.
  // When set, its rate_per_s is replaced by this spec's rate_per_s (the mean rate of a renewal
  // process; ignored when it has a rate curve).
  std::optional<ArrivalSpec> arrivals;
  // Per-model arrival processes (workload.per_model): when non-empty (one entry per variant),
  // model m's requests arrive by its own process per_model[m] (its rate_per_s is the model's
  // rate; nullopt: the model gets no requests) and the stream is the merge of these processes;
  // rate_per_s, mix and arrivals are then unused.
  std::vector<std::optional<ArrivalSpec>> per_model;
};

// Generates N requests, drawing from `rng` in the reference order (B.3): inter-arrival time (one
// gap of spec.arrivals when set, whose draws come first),
// variant, priority, sample. In reference semantics the sample index is drawn from 0..6 and looked
// up by sample id (quirk Q1; throws InputError if a variant lacks ids 0..6); in corrected
// semantics it is drawn uniformly over the variant's profiled samples. With a mix, the variant is
// drawn by one random() against the cumulative normalised weights instead of randint.
std::vector<Request> generate_poisson_stream(const ProfileSet& profiles, const StreamSpec& spec,
                                             PyRandom& rng, Semantics semantics);

// With spec.per_model, the stream is the superposition of one process per model: at
// construction, for each model with a process in variant order, a generator for its gaps is
// seeded with the 64-bit number of two 32-bit draws of `rng` (the first the low word), and its
// first arrival drawn; each request is then the earliest pending arrival (ties: the lower
// variant), its priority and sample drawn from `rng`, and that model's next arrival drawn from
// its own generator. Each model's arrival times are therefore exactly its own process.
// Draws the same requests as generate_poisson_stream, one at a time (for streaming runs).
// `profiles` and `rng` must outlive it. Validation happens in the constructor.
class PoissonGenerator {
 public:
  PoissonGenerator(const ProfileSet& profiles, const StreamSpec& spec, PyRandom& rng,
                   Semantics semantics);
  bool done() const { return produced_ >= spec_.num_requests; }
  // Draws the next request (B.3 order). Requires !done().
  Request next();

 private:
  const ProfileSet& profiles_;
  StreamSpec spec_;
  PyRandom& rng_;
  Semantics semantics_;
  std::vector<double> cumulative_;
  std::optional<ArrivalProcess> process_;  // spec.arrivals set
  // spec.per_model: each model's process and generator, and its pending arrival (+inf: none).
  struct ModelStream {
    ArrivalProcess process;
    PyRandom rng;
    double next_s;
  };
  std::vector<std::optional<ModelStream>> models_;
  double t_ = 0.0;
  std::size_t produced_ = 0;
};

// Sets every request's multiplier to `m` and recomputes its deadline.
void apply_slo_multiplier(std::vector<Request>& requests, const ProfileSet& profiles, double m);
double deadline_for(const Request& r, const ProfileSet& profiles);

// Trace CSV: arrival_s,model,sample,priority,slo_multiplier (model = variant name, sample = the
// profile's sample id). Rows must be in non-decreasing arrival order.
std::vector<Request> read_trace(const std::filesystem::path& path, const ProfileSet& profiles);
std::string format_trace(const std::vector<Request>& requests, const ProfileSet& profiles);

}  // namespace dysta
