#include "dysta/predictor.h"

namespace dysta {

Registry<PredictorInfo>& predictor_registry() {
  static Registry<PredictorInfo> registry;
  return registry;
}

std::unique_ptr<Predictor> make_predictor(const std::string& name, const ProfileSet& profiles,
                                          const ParamValues& params, Semantics semantics) {
  const PredictorInfo& info = predictor_registry().get("predictor", name);
  return info.make(profiles, resolve_params("predictor", name, info.params, params), semantics);
}

}  // namespace dysta
