#include "inference/js_literal.h"

#include <cctype>
#include <cstdlib>

#include "dysta/error.h"
#include "dysta/input_checks.h"

namespace dysta::inference::detail {
namespace {

class Parser {
 public:
  Parser(std::string_view text, std::size_t pos, const std::string& file)
      : s_(text), i_(pos), file_(file) {}

  // Nesting limit of objects, arrays and prefixes (!, void): the parser recurses once per level,
  // so without it a deeply nested input overflows the stack. Model files nest fewer than 20.
  static constexpr int kMaxDepth = 256;

  nlohmann::json value() {
    if (++depth_ > kMaxDepth) {
      fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    nlohmann::json v = value_at_depth();
    --depth_;
    return v;
  }

  nlohmann::json value_at_depth() {
    skip_space();
    if (i_ >= s_.size()) fail("unexpected end of input");
    const char c = s_[i_];
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"' || c == '\'') return string();
    if (c == '!') {
      ++i_;
      const nlohmann::json v = value();
      if (v.is_number()) return v.get<double>() == 0.0;
      if (v.is_boolean()) return !v.get<bool>();
      fail("unsupported negation");
    }
    if (c == '-' || c == '+' || c == '.' || std::isdigit(static_cast<unsigned char>(c))) {
      return number();
    }
    const std::string word = identifier();
    if (word == "true") return true;
    if (word == "false") return false;
    if (word == "null") return nullptr;
    if (word == "void") {
      value();
      return nullptr;
    }
    fail("unexpected token '" + word + "'");
  }

  std::size_t pos() const { return i_; }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(file_, 0, "offset " + std::to_string(i_), message);
  }

  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }

  void expect(char c) {
    skip_space();
    if (i_ >= s_.size() || s_[i_] != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }

  std::string identifier() {
    const std::size_t start = i_;
    while (i_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '$')) {
      ++i_;
    }
    if (start == i_) fail(std::string("unexpected character '") + s_[i_] + "'");
    return std::string(s_.substr(start, i_ - start));
  }

  nlohmann::json object() {
    nlohmann::json obj = nlohmann::json::object();
    ++i_;
    skip_space();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return obj;
    }
    while (true) {
      skip_space();
      if (i_ >= s_.size()) fail("unterminated object");
      std::string key;
      if (s_[i_] == '"' || s_[i_] == '\'') {
        key = string().get<std::string>();
      } else {
        key = identifier();
      }
      expect(':');
      obj[key] = value();
      skip_space();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      expect('}');
      return obj;
    }
  }

  nlohmann::json array() {
    nlohmann::json arr = nlohmann::json::array();
    ++i_;
    skip_space();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return arr;
    }
    while (true) {
      arr.push_back(value());
      skip_space();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      expect(']');
      return arr;
    }
  }

  nlohmann::json string() {
    const char quote = s_[i_++];
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == quote) break;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated escape");
      const char e = s_[i_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (i_ + 4 > s_.size()) fail("short \\u escape");
          const std::string hex(s_.substr(i_, 4));
          char* end = nullptr;
          const unsigned long cp = std::strtoul(hex.c_str(), &end, 16);
          if (end != hex.c_str() + 4 || hex[0] == '+' || hex[0] == '-' || hex[0] == ' ') {
            fail("bad \\u escape '" + hex + "'");
          }
          // A lone surrogate has no UTF-8 form (pairs are not needed by the model files).
          if (cp >= 0xD800 && cp <= 0xDFFF) fail("\\u escape of a surrogate '" + hex + "'");
          i_ += 4;
          // Encode the code point (BMP only) as UTF-8.
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default:
          out += e;
      }
    }
    if (!is_valid_utf8(out)) fail("string is not valid UTF-8");
    return out;
  }

  nlohmann::json number() {
    const std::size_t start = i_;
    if (s_[i_] == '-' || s_[i_] == '+') ++i_;
    while (i_ < s_.size() &&
           (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' || s_[i_] == 'e' ||
            s_[i_] == 'E' ||
            ((s_[i_] == '-' || s_[i_] == '+') && (s_[i_ - 1] == 'e' || s_[i_ - 1] == 'E')))) {
      ++i_;
    }
    const std::string text(s_.substr(start, i_ - start));
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) fail("bad number '" + text + "'");
    const bool integral = text.find_first_of(".eE") == std::string::npos;
    if (integral && v >= -9.0e15 && v <= 9.0e15) return static_cast<std::int64_t>(v);
    return v;
  }

  std::string_view s_;
  std::size_t i_;
  const std::string& file_;
  int depth_ = 0;
};

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

nlohmann::json parse_js_value(std::string_view text, std::size_t& pos, const std::string& file) {
  Parser p(text, pos, file);
  nlohmann::json v = p.value();
  pos = p.pos();
  return v;
}

std::vector<std::uint8_t> base64_decode(std::string_view text, const std::string& file) {
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = base64_value(c);
    if (v < 0 || padding > 0) {
      throw InputError(file, 0, "base64", std::string("invalid character '") + c + "'");
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
    }
  }
  if (padding > 2) throw InputError(file, 0, "base64", "too much padding");
  return out;
}

}  // namespace dysta::inference::detail
