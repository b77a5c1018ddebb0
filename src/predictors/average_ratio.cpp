// Average-ratio predictor (spec D, `avg_pred_linear_rate`; the one the artifact's scheduler uses):
// gamma = mean of the density ratios of all executed layers, summed left to right.
#include "dysta/predictor.h"

namespace dysta {
namespace {

class AverageRatio final : public Predictor {
 public:
  explicit AverageRatio(const ProfileSet& profiles) : profiles_(profiles) {}
  double observe(PredictorState& st, std::uint32_t variant, std::uint32_t layer,
                 double measured) const override {
    // The Scheduler admits only variants of the profile set (no bounds check per layer).
    st.sum += density_ratio(measured, profiles_.variants()[variant].avg_sparsity[layer]);
    ++st.count;
    return st.sum / st.count;
  }
  // The same additions in the same order; only the last mean is divided out.
  double observe_layers(PredictorState& st, std::uint32_t variant, std::uint32_t first,
                        const double* measured, std::uint32_t count) const override {
    const double* average = profiles_.variants()[variant].avg_sparsity.data() + first;
    double sum = st.sum;
    for (std::uint32_t j = 0; j < count; ++j) sum += density_ratio(measured[j], average[j]);
    st.sum = sum;
    st.count += count;
    return st.sum / st.count;
  }

 private:
  const ProfileSet& profiles_;
};

DYSTA_REGISTER_PREDICTOR({"average",
                          "mean density ratio of all executed layers (default)",
                          {},
                          [](const ProfileSet& p, const ParamValues&, Semantics) {
                            return std::make_unique<AverageRatio>(p);
                          }});

}  // namespace
}  // namespace dysta
