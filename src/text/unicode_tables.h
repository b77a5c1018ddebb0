// Unicode character classes for the tokenizers (generated tables: unicode_tables.cpp, written by
// scripts/gen-unicode-tables.py from Python's unicodedata).
#pragma once

#include <cstddef>
#include <cstdint>

namespace dysta::text::detail {

struct CodeRange {
  char32_t first;
  char32_t last;  // inclusive
};

// A code point and its BERT-uncased folding (lower-case, NFD, combining marks Mn dropped), UTF-8;
// sorted by code point. Code points not listed fold to themselves (ASCII: tolower).
struct FoldEntry {
  char32_t cp;
  const char* utf8;
};

extern const CodeRange kLetter[];  // general category L*
extern const std::size_t kLetter_size;
extern const CodeRange kNumber[];  // N*
extern const std::size_t kNumber_size;
extern const CodeRange kPunctuation[];  // P*
extern const std::size_t kPunctuation_size;
extern const CodeRange kControl[];  // Cc, Cf
extern const std::size_t kControl_size;
extern const CodeRange kSpaceSeparator[];  // Zs
extern const std::size_t kSpaceSeparator_size;
extern const FoldEntry kFold[];
extern const std::size_t kFold_size;

}  // namespace dysta::text::detail
