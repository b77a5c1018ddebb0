// A real multi-DNN runtime on top of the Scheduler (scheduler.h): pruned variants of the
// project's real CNNs (src/inference, src/benchmark) run layer by layer on CPU worker threads,
// requests arrive from a Poisson stream of real inputs, the Scheduler decides at every layer
// boundary and the monitor feeds back each executed layer's real activation sparsity. Time
// advances on a virtual accelerator clock charged with the Eyeriss-V2 latency of the layer just
// run on its real masks, or in wall-clock time. `dysta serve`; docs/architecture.md, "Runtime".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dysta/engine.h"
#include "dysta/experiment.h"
#include "dysta/inference/models.h"
#include "dysta/metrics.h"
#include "dysta/profile.h"
#include "dysta/workload.h"

namespace dysta::runtime {

enum class Clock {
  accelerator,  // virtual: each layer advances time by its Eyeriss-V2 latency on its real masks
  wall,         // wall-clock seconds since the start, layers executed on the CPU
};
// "accelerator" or "wall"; throws InputError naming --clock otherwise.
Clock parse_clock(const std::string& text);
const char* to_string(Clock clock);

struct ServeOptions {
  std::vector<std::string> models = {"mobilenetv2", "faceresnet"};  // benchmark CNN keys
  std::vector<std::string> patterns = {"unstructured"};             // pruning patterns (pruning.h)
  std::string level = "sparse20";
  std::size_t samples = 4;  // inputs per model: the first of its benchmark input list
  std::string policy = "dysta";
  PolicyChoice choice;
  double rate_per_s = 0;     // Poisson arrival rate; 0 = utilisation / mean isolated latency
  double utilisation = 0.5;  // used when rate_per_s = 0
  std::size_t requests = 50;
  double slo_multiplier = 10;
  std::uint64_t seed = 1;
  Clock clock = Clock::accelerator;
  std::size_t calibration_runs = 3;  // isolated runs per input; CPU time per layer = median
  // CPU threads executing each layer (calibration and serving): its GEMMs are cut into row blocks
  // that depend on the GEMM's shape only, shared among them (inference::GemmPool), so every
  // layer's output, sparsity and Eyeriss-V2 latency, and so the accelerator-clock run, are the
  // same for any count.
  std::size_t workers = 1;
  inference::AssetPaths paths;
};

struct ServeReport {
  // Calibration: every (variant, input) run in isolation (calibration_runs times). Per layer (a
  // conv/dense layer together with the layers after the previous one), the Eyeriss-V2 latency on
  // its real masks and the input activation sparsity; and the median CPU seconds of those layers.
  ProfileSet accelerator_profiles;
  ProfileSet cpu_profiles;
  double rate_per_s = 0;
  std::vector<Request> requests;  // drawn from the clock's profile set (corrected semantics)
  RunResult measured_raw;         // the execution: finish and first-start times on the clock
  RunMetrics measured;
  // What the simulator predicts for the same requests from the clock's profile set (run_policy,
  // i.e. `dysta run --profiles <calibration> --trace <requests>`).
  RunMetrics predicted;
  double wall_s = 0;  // duration of the served run
};

// Loads and prunes the models, calibrates, serves the stream and simulates it. Throws InputError
// for unknown models/patterns/policies, missing model files, workers outside [1, 256], or an
// oracle policy (a runtime does not know true latencies in advance).
ServeReport serve(const ServeOptions& options);

}  // namespace dysta::runtime
