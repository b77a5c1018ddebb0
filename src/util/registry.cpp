#include "dysta/registry.h"

#include <cmath>

#include "dysta/csv.h"

namespace dysta {

std::string param_range_text(const ParamSpec& spec) {
  return std::string(spec.integer ? "an integer in [" : "in [") + format_double(spec.min) + ", " +
         format_double(spec.max) + "]";
}

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
  for (const auto& s : specs) {
    const std::string field = kind + "_params." + s.name;
    const std::string of = " (" + kind + " '" + component + "')";
    if (s.required && !given.contains(s.name)) {
      throw InputError("", 0, field, "required parameter" + of + " not given");
    }
    const double v = out[s.name];
    if (!std::isfinite(v) || v < s.min || v > s.max || (s.integer && v != std::floor(v))) {
      throw InputError("", 0, field,
                       "must be " + param_range_text(s) + of + ", found " + format_double(v));
    }
  }
  return out;
}

}  // namespace dysta
