// Checks every reader applies before trusting input (docs/robustness.md): the path names a regular
// file (a FIFO would block forever, a directory or device is not data), and text that ends up in
// outputs (names, descriptions, paths) is valid UTF-8 (JSON and YAML writers need it).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace dysta {

// Throws InputError naming `path` unless it exists and is (a symlink to) a regular file: "no such
// file", "too many levels of symbolic links", "is a directory", "is a FIFO, socket or device".
void require_regular_file(const std::filesystem::path& path);

// True when `text` is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or code points above
// U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` with every byte outside printable ASCII written as \xNN (for error messages).
std::string escape_bytes(std::string_view text);

// Throws InputError(file, line, field, ...) showing the escaped text unless it is valid UTF-8.
void require_utf8(std::string_view text, const std::string& file, std::size_t line,
                  const std::string& field);

}  // namespace dysta
