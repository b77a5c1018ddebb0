// How well each latency predictor of the sparsity monitor estimates a request's remaining
// latency after k executed layers (spec D; the paper's Fig. 9 / Table 4 evaluation).
#pragma once

#include <string>
#include <vector>

#include "dysta/profile.h"
#include "dysta/registry.h"
#include "dysta/semantics.h"

namespace dysta {

struct PredictorSpec {
  std::string name;
  ParamValues params;
};

// One (model variant, predictor, k) cell over all profiled samples of the variant. The estimate
// after k layers is gamma_k x the pattern-average latency of layers k..L-1 (gamma_0 = 1, the
// static estimate); the truth is the sample's latency of layers k..L-1. Errors are
// estimate - truth, in seconds; relative errors divide by the truth.
struct PredictorAccuracy {
  std::string model;
  std::string predictor;  // name plus parameters, e.g. "last_n n=3"
  std::size_t layers_observed = 0;
  std::size_t samples = 0;
  double mean_error_s = 0;
  double rmse_s = 0;
  double mean_abs_relative_error = 0;
};

// For every variant, predictor and k = 0..L-1 (in that nesting order). Every sample is evaluated
// in-sample, as in the artifact's dysta_lat_pred.py. Throws InputError for an unknown predictor
// or parameter.
std::vector<PredictorAccuracy> predictor_accuracy(const ProfileSet& profiles,
                                                  const std::vector<PredictorSpec>& predictors,
                                                  Semantics semantics);

// model,predictor,layers_observed,samples,mean_error_s,rmse_s,mean_abs_relative_error
std::string predictor_accuracy_csv(const std::vector<PredictorAccuracy>& rows);

}  // namespace dysta
