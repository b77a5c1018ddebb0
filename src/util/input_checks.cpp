#include "dysta/input_checks.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "dysta/error.h"

namespace dysta {

void require_regular_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    throw InputError(path.string(), 0, "",
                     err == ENOENT ? std::string("no such file or directory") : std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path.string(), 0, "", "is a directory, not a file");
  if (!S_ISREG(st.st_mode)) {
    throw InputError(path.string(), 0, "",
                     "is not a regular file (a FIFO, socket or device is refused)");
  }
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(text[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += len;
  }
  return true;
}

std::string escape_bytes(std::string_view text) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void require_utf8(std::string_view text, const std::string& file, std::size_t line,
                  const std::string& field) {
  if (!is_valid_utf8(text)) {
    throw InputError(file, line, field,
                     "not valid UTF-8 text: '" + escape_bytes(text) + "' (bytes shown as \\xNN)");
  }
}

}  // namespace dysta
