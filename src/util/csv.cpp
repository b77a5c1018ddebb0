#include "dysta/csv.h"

#include <charconv>
#include <cmath>

#include "dysta/error.h"

namespace dysta {

void split_csv_line(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(line.substr(start));
      return;
    }
    out.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}
bool blank(std::string_view s) {
  return trim(s).empty();
}
}  // namespace

CsvReader::CsvReader(const std::string& path) : path_(path), in_(path) {
  if (!in_) throw InputError(path, 0, "", "cannot open file");
  std::string line;
  while (std::getline(in_, line)) {
    ++line_;
    if (blank(line)) continue;
    header_line_ = line_;
    std::vector<std::string_view> parts;
    split_csv_line(line, parts);
    for (auto p : parts) header_.emplace_back(trim(p));
    for (std::size_t i = 0; i < header_.size(); ++i) {
      if (header_[i].empty()) throw InputError(path, line_, "header", "empty column name");
      for (std::size_t j = 0; j < i; ++j) {
        if (header_[i] == header_[j]) {
          throw InputError(path, line_, header_[i], "duplicate column");
        }
      }
    }
    return;
  }
  throw InputError(path, 0, "", "empty file (no header row)");
}

bool CsvReader::has_column(std::string_view name) const {
  for (const auto& h : header_) {
    if (h == name) return true;
  }
  return false;
}

std::size_t CsvReader::column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  throw InputError(path_, header_line_, std::string(name), "missing column");
}

bool CsvReader::next_row() {
  while (std::getline(in_, row_text_)) {
    ++line_;
    if (blank(row_text_)) continue;
    split_csv_line(row_text_, fields_);
    if (fields_.size() < header_.size()) {
      throw InputError(path_, line_, header_[fields_.size()],
                       "missing: expected " + std::to_string(header_.size()) + " fields, found " +
                           std::to_string(fields_.size()) + " (truncated or malformed row)");
    }
    if (fields_.size() > header_.size()) {
      throw InputError(path_, line_, "",
                       "expected " + std::to_string(header_.size()) + " fields, found " +
                           std::to_string(fields_.size()) + " (malformed row)");
    }
    return true;
  }
  if (in_.bad()) throw InputError(path_, line_, "", "read error");
  return false;
}

std::string_view CsvReader::text(std::size_t col) const {
  return trim(fields_.at(col));
}

double CsvReader::number(std::size_t col) const {
  const std::string_view t = text(col);
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
    throw InputError(path_, line_, header_[col], "not a number: '" + std::string(t) + "'");
  }
  if (!std::isfinite(value)) {
    throw InputError(path_, line_, header_[col],
                     "value must be finite, found '" + std::string(t) + "'");
  }
  return value;
}

std::int64_t CsvReader::integer(std::size_t col) const {
  const std::string_view t = text(col);
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
    // Accept integral floats such as "3.0" (pandas writes them); reject anything else.
    double d = 0.0;
    const auto [p2, e2] = std::from_chars(t.data(), t.data() + t.size(), d);
    if (!t.empty() && e2 == std::errc() && p2 == t.data() + t.size() && std::isfinite(d) &&
        d == std::floor(d) && std::fabs(d) < 9.0e15) {
      return static_cast<std::int64_t>(d);
    }
    throw InputError(path_, line_, header_[col], "not an integer: '" + std::string(t) + "'");
  }
  return value;
}

std::string format_double(double value) {
  char buf[64];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "nan";
  return std::string(buf, ptr);
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string q = "\"";
  for (const char c : text) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace dysta
