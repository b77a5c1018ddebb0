#include "dysta/semantics.h"

#include "dysta/error.h"

namespace dysta {

Semantics parse_semantics(std::string_view text) {
  if (text == "reference") return Semantics::reference;
  if (text == "corrected") return Semantics::corrected;
  throw InputError("", 0, "semantics",
                   "unknown value '" + std::string(text) + "' (expected reference or corrected)");
}

std::string to_string(Semantics semantics) {
  return semantics == Semantics::reference ? "reference" : "corrected";
}

}  // namespace dysta
