// Per-layer linear-regression predictor, in the form the artifact intended (spec D last
// paragraph, L.3): after k executed layers,
//   gamma_k = a_k * rho_{k-1} + b_k,   R_hat = gamma_k * sum_{j>=k} avgLat[j],
// where rho_{k-1} is the density ratio of the last executed layer and (a_k, b_k) is the ordinary
// least-squares line fitted, per variant and per k, over the variant's profiled samples with
// x = rho_{k-1}(sample) and y = true remaining latency / average remaining latency. When the x
// values of a layer do not vary, a_k = 0 and b_k = mean(y). The fit is in-sample on the profile.
// (The artifact's own regression is inconsistent between training and prediction, Q11; it is not
// reproduced.)
#include <cmath>
#include <vector>

#include "dysta/predictor.h"

namespace dysta {
namespace {

class Regression final : public Predictor {
 public:
  explicit Regression(const ProfileSet& profiles) : profiles_(profiles) {
    coef_.resize(profiles.size());
    for (std::size_t v = 0; v < profiles.size(); ++v) fit(profiles.variant(v), coef_[v]);
  }

  double observe(PredictorState& st, std::uint32_t variant, std::uint32_t layer,
                 double measured) const override {
    ++st.count;
    const auto& c = coef_[variant];
    const std::size_t k = layer + 1;                             // layers executed so far
    if (k >= profiles_.variant(variant).num_layers) return 1.0;  // nothing left to predict
    const double rho = density_ratio(measured, profiles_.variant(variant).avg_sparsity[layer]);
    return c[2 * k] * rho + c[2 * k + 1];
  }

 private:
  // coef[2k], coef[2k+1] = slope, intercept for k executed layers (k = 1..L-1).
  static void fit(const VariantProfile& v, std::vector<double>& coef) {
    const std::size_t L = v.num_layers;
    const std::size_t n = v.num_samples();
    coef.assign(2 * (L + 1), 0.0);
    for (std::size_t k = 1; k < L; ++k) {
      const double est = v.est_remaining_pattern_s[k];
      double mx = 0, my = 0;
      std::vector<double> xs(n), ys(n);
      for (std::size_t s = 0; s < n; ++s) {
        xs[s] = density_ratio(v.sparsity[s * L + k - 1], v.avg_sparsity[k - 1]);
        ys[s] = est > 0 ? v.real_remaining_s[s * (L + 1) + k] / est : 1.0;
        mx += xs[s];
        my += ys[s];
      }
      mx /= static_cast<double>(n);
      my /= static_cast<double>(n);
      double sxx = 0, sxy = 0;
      for (std::size_t s = 0; s < n; ++s) {
        sxx += (xs[s] - mx) * (xs[s] - mx);
        sxy += (xs[s] - mx) * (ys[s] - my);
      }
      const double slope = sxx > 1e-300 ? sxy / sxx : 0.0;
      coef[2 * k] = slope;
      coef[2 * k + 1] = my - slope * mx;
    }
  }

  const ProfileSet& profiles_;
  std::vector<std::vector<double>> coef_;
};

DYSTA_REGISTER_PREDICTOR({"regression",
                          "per-layer least-squares line from the last layer's density ratio",
                          {},
                          [](const ProfileSet& p, const ParamValues&, Semantics) {
                            return std::make_unique<Regression>(p);
                          }});

}  // namespace
}  // namespace dysta
