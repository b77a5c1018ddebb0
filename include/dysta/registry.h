// A catalogue of named components (policies, predictors) filled by self-registration at start-up.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "dysta/error.h"

namespace dysta {

// A numeric parameter a component accepts: its default (unless required), its valid closed range
// [min, max] and whether it must be an integer. resolve_params() checks every value against it
// when the component is loaded, so a component's factory sees only values in range.
struct ParamSpec {
  std::string name;
  double default_value = 0;
  std::string help;
  double min = -1e300;  // valid range, inclusive; documented in docs/config.md
  double max = 1e300;
  bool integer = false;   // must be a whole number
  bool required = false;  // no default: must be given
};
using ParamValues = std::map<std::string, double>;

// "[min, max]" (or "integer in [min, max]") for messages and `dysta list`.
std::string param_range_text(const ParamSpec& spec);

// Fills defaults and rejects unknown parameters, missing required ones, non-finite values and
// values outside the declared range or not integral (naming the parameter and the component).
ParamValues resolve_params(const std::string& kind, const std::string& component,
                           const std::vector<ParamSpec>& specs, const ParamValues& given);

template <typename Info>
class Registry {
 public:
  // Adds an entry; returns true so it can initialise a static. Duplicate names are a bug.
  bool add(Info info) {
    const std::string name = info.name;
    if (!entries_.emplace(name, std::move(info)).second) {
      throw std::logic_error("duplicate registration of '" + name + "'");
    }
    return true;
  }
  // Adds or replaces an entry: components defined while the program runs (Python policies,
  // docs/python.md). Not safe while another thread reads the registry.
  void put(Info info) {
    const std::string name = info.name;
    entries_.insert_or_assign(name, std::move(info));
  }
  const Info* find(const std::string& name) const {
    const auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  // Throws InputError listing the valid names when `name` is unknown.
  const Info& get(const std::string& kind, const std::string& name) const {
    if (const Info* info = find(name)) return *info;
    std::string valid;
    for (const auto& [n, _] : entries_) valid += (valid.empty() ? "" : ", ") + n;
    throw InputError("", 0, kind, "unknown " + kind + " '" + name + "' (valid: " + valid + ")");
  }
  std::vector<const Info*> all() const {
    std::vector<const Info*> out;
    for (const auto& [_, info] : entries_) out.push_back(&info);
    return out;
  }

 private:
  std::map<std::string, Info> entries_;  // sorted by name
};

}  // namespace dysta

#define DYSTA_CONCAT_INNER(a, b) a##b
#define DYSTA_CONCAT(a, b) DYSTA_CONCAT_INNER(a, b)
