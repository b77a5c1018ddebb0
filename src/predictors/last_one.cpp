// Last-one predictor (spec D, `last_one_pred_linear_rate`; the RTL's choice): gamma = density
// ratio of the most recently executed layer.
#include "dysta/predictor.h"

namespace dysta {
namespace {

class LastOne final : public Predictor {
 public:
  explicit LastOne(const ProfileSet& profiles) : profiles_(profiles) {}
  double observe(PredictorState& st, std::uint32_t variant, std::uint32_t layer,
                 double measured) const override {
    ++st.count;
    return density_ratio(measured, profiles_.variant(variant).avg_sparsity[layer]);
  }

 private:
  const ProfileSet& profiles_;
};

DYSTA_REGISTER_PREDICTOR({"last_one",
                          "density ratio of the last executed layer",
                          {},
                          [](const ProfileSet& p, const ParamValues&, Semantics) {
                            return std::make_unique<LastOne>(p);
                          }});

}  // namespace
}  // namespace dysta
