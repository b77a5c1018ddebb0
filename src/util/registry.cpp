#include "dysta/registry.h"

namespace dysta {

ParamValues resolve_params(const std::string& kind, const std::string& component,
                           const std::vector<ParamSpec>& specs, const ParamValues& given) {
  ParamValues out;
  for (const auto& s : specs) out[s.name] = s.default_value;
  for (const auto& [name, value] : given) {
    if (!out.contains(name)) {
      std::string valid;
      for (const auto& s : specs) valid += (valid.empty() ? "" : ", ") + s.name;
      throw InputError("", 0, kind + "_params." + name,
                       "unknown parameter of " + kind + " '" + component +
                           "' (valid: " + (valid.empty() ? "none" : valid) + ")");
    }
    out[name] = value;
  }
  return out;
}

}  // namespace dysta
