// The two simulation semantics (docs/semantics.md lists every difference).
#pragma once

#include <string>
#include <string_view>

namespace dysta {

enum class Semantics {
  // Reproduces the original artifact (Sparse-DySta, MICRO'23, commit b9f1913) bit for bit,
  // including quirks Q1-Q6, Q10 of spec section J.
  reference,
  // Default: the same method with the artifact's bugs fixed.
  corrected,
};

// Parses "reference" or "corrected"; throws InputError otherwise.
Semantics parse_semantics(std::string_view text);
std::string to_string(Semantics semantics);

}  // namespace dysta
