// Reader for the JavaScript object literals and base64 strings inside the UMD-wrapped model files
// of the nsfwjs package (docs/inference.md, "tfjs models").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace dysta::inference::detail {

// Parses one JavaScript value literal starting at text[pos]: objects with bare or quoted keys,
// arrays, double- or single-quoted strings, numbers (".5", "-0", "1e-3"), true/false/!0/!1,
// null/void 0. Advances pos past the value. Throws InputError naming `file` on bad syntax.
nlohmann::json parse_js_value(std::string_view text, std::size_t& pos, const std::string& file);

// Standard base64 (RFC 4648, '=' padding, whitespace ignored). Throws InputError naming `file`.
std::vector<std::uint8_t> base64_decode(std::string_view text, const std::string& file);

}  // namespace dysta::inference::detail
