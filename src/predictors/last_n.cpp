// Last-N predictor (spec D, `last_N_pred_linear_rate`): mean density ratio of the last N executed
// layers, summed left to right. reference divides by N even before N layers ran (Q10);
// corrected divides by the number of ratios actually observed.
#include <cmath>

#include "dysta/error.h"
#include "dysta/predictor.h"

namespace dysta {
namespace {

class LastN final : public Predictor {
 public:
  LastN(const ProfileSet& profiles, std::size_t n, Semantics semantics)
      : profiles_(profiles), n_(n), reference_(semantics == Semantics::reference) {}

  double observe(PredictorState& st, std::uint32_t variant, std::uint32_t layer,
                 double measured) const override {
    st.window[st.count % PredictorState::kMaxWindow] =
        density_ratio(measured, profiles_.variant(variant).avg_sparsity[layer]);
    ++st.count;
    const std::size_t have = st.count < n_ ? st.count : n_;
    double sum = 0;
    for (std::size_t j = st.count - have; j < st.count; ++j) {
      sum += st.window[j % PredictorState::kMaxWindow];
    }
    return sum / static_cast<double>(reference_ ? n_ : have);
  }

 private:
  const ProfileSet& profiles_;
  std::size_t n_;
  bool reference_;
};

DYSTA_REGISTER_PREDICTOR(
    {"last_n",
     "mean density ratio of the last n executed layers",
     {{"n", 3, "window length in layers", 1, PredictorState::kMaxWindow, true}},
     [](const ProfileSet& p, const ParamValues& params, Semantics s) {
       const double n = params.at("n");
       if (!(n >= 1 && n <= PredictorState::kMaxWindow) || n != std::floor(n)) {
         throw InputError("", 0, "predictor_params.n", "must be an integer in 1..16");
       }
       return std::make_unique<LastN>(p, static_cast<std::size_t>(n), s);
     }});

}  // namespace
}  // namespace dysta
