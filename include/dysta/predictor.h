// Latency predictors of the sparsity monitor (spec D): each turns the sparsity measured after
// every executed layer into gamma, the factor applied to the pattern-average remaining latency.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dysta/profile.h"
#include "dysta/registry.h"
#include "dysta/semantics.h"

namespace dysta {

// Per-task predictor memory: sum and count are 0 at admission.
struct PredictorState {
  static constexpr std::size_t kMaxWindow = 16;
  double sum = 0;  // running sum of density ratios
  // Most recent ratios (ring buffer): only entries written since count was last 0 may be read
  // (the Scheduler reuses states without clearing the window).
  std::array<double, kMaxWindow> window{};
  std::uint32_t count = 0;  // layers observed
};

// Contract: observe() is called once per executed layer, in layer order, with the measured
// sparsity (fraction of zeros) of that layer; it returns the new gamma. It must not allocate.
class Predictor {
 public:
  virtual ~Predictor() = default;
  virtual double observe(PredictorState& state, std::uint32_t variant, std::uint32_t layer,
                         double measured_sparsity) const = 0;
  // observe() of layers first, first + 1, ..., first + count - 1 (count >= 1) in turn, with
  // measured sparsities measured_sparsity[0 .. count); returns the last gamma. For runs of
  // layers nothing reads the gammas between (Scheduler::run_sole()); an override must leave
  // `state` and return exactly what the calls would.
  virtual double observe_layers(PredictorState& state, std::uint32_t variant, std::uint32_t first,
                                const double* measured_sparsity, std::uint32_t count) const {
    double gamma = 0;
    for (std::uint32_t j = 0; j < count; ++j) {
      gamma = observe(state, variant, first + j, measured_sparsity[j]);
    }
    return gamma;
  }
};

// Density ratio rho = (1 - measured) / (1 - average) of one layer (spec D). A layer whose average
// density is 0 carries no information and yields 1.
// Inline: every monitored layer calls it.
inline double density_ratio(double measured_sparsity, double average_sparsity) {
  const double average_density = 1 - average_sparsity;
  if (average_density == 0) return 1.0;
  return (1 - measured_sparsity) / average_density;
}

struct PredictorInfo {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Predictor>(const ProfileSet&, const ParamValues&, Semantics)> make;
};

Registry<PredictorInfo>& predictor_registry();

std::unique_ptr<Predictor> make_predictor(const std::string& name, const ProfileSet& profiles,
                                          const ParamValues& params, Semantics semantics);

}  // namespace dysta

#define DYSTA_REGISTER_PREDICTOR(...)                                                      \
  [[maybe_unused]] static const bool DYSTA_CONCAT(dysta_predictor_registered_, __LINE__) = \
      ::dysta::predictor_registry().add(::dysta::PredictorInfo __VA_ARGS__)
