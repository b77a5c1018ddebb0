#include "dysta/policy.h"

namespace dysta {

Registry<PolicyInfo>& policy_registry() {
  static Registry<PolicyInfo> registry;
  return registry;
}

std::unique_ptr<Policy> make_policy(const std::string& name, const ParamValues& params,
                                    Semantics semantics) {
  const PolicyInfo& info = policy_registry().get("policy", name);
  return info.make(resolve_params("policy", name, info.params, params), semantics);
}

}  // namespace dysta
