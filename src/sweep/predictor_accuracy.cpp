#include "dysta/predictor_accuracy.h"

#include <fmt/format.h>

#include <cmath>

#include "dysta/csv.h"
#include "dysta/predictor.h"

namespace dysta {

std::vector<PredictorAccuracy> predictor_accuracy(const ProfileSet& profiles,
                                                  const std::vector<PredictorSpec>& predictors,
                                                  Semantics semantics) {
  std::vector<std::unique_ptr<Predictor>> made;
  std::vector<std::string> labels;
  for (const auto& p : predictors) {
    made.push_back(make_predictor(p.name, profiles, p.params, semantics));
    std::string label = p.name;
    for (const auto& [k, v] : p.params) label += fmt::format(" {}={}", k, format_double(v));
    labels.push_back(std::move(label));
  }
  std::vector<PredictorAccuracy> out;
  for (std::uint32_t vi = 0; vi < profiles.size(); ++vi) {
    const VariantProfile& v = profiles.variant(vi);
    const std::size_t L = v.num_layers, n = v.num_samples();
    for (std::size_t pi = 0; pi < made.size(); ++pi) {
      // Sums per k over samples: error, squared error, |relative error|.
      std::vector<double> err(L, 0.0), sq(L, 0.0), rel(L, 0.0);
      for (std::size_t s = 0; s < n; ++s) {
        PredictorState state{};
        double gamma = 1;
        const auto sparsity = v.sparsities(s);
        const auto truth = v.remaining(s);
        for (std::size_t k = 0; k < L; ++k) {
          if (k > 0) {
            gamma =
                made[pi]->observe(state, vi, static_cast<std::uint32_t>(k - 1), sparsity[k - 1]);
          }
          const double estimate = gamma * v.est_remaining_pattern_s[k];
          const double e = estimate - truth[k];
          err[k] += e;
          sq[k] += e * e;
          rel[k] += truth[k] > 0 ? std::abs(e) / truth[k] : 0.0;
        }
      }
      for (std::size_t k = 0; k < L; ++k) {
        const double count = static_cast<double>(n);
        out.push_back(
            {v.name, labels[pi], k, n, err[k] / count, std::sqrt(sq[k] / count), rel[k] / count});
      }
    }
  }
  return out;
}

std::string predictor_accuracy_csv(const std::vector<PredictorAccuracy>& rows) {
  std::string out =
      "model,predictor,layers_observed,samples,mean_error_s,rmse_s,mean_abs_relative_error\n";
  for (const auto& r : rows) {
    out += fmt::format("{},{},{},{},{},{},{}\n", r.model, r.predictor, r.layers_observed, r.samples,
                       format_double(r.mean_error_s), format_double(r.rmse_s),
                       format_double(r.mean_abs_relative_error));
  }
  return out;
}

}  // namespace dysta
