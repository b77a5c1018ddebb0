#include "dysta/csv.h"

#include <charconv>
#include <cmath>
#include <filesystem>

#include "dysta/error.h"
#include "dysta/input_checks.h"

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

bool split_csv_record(std::string_view line, std::vector<std::string_view>& out,
                      std::string& storage, const std::string& file, std::size_t line_no) {
  out.clear();
  storage.clear();
  storage.reserve(line.size());  // views into storage stay valid: it never reallocates below
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (true) {
    std::size_t j = i;
    while (j < n && (line[j] == ' ' || line[j] == '\t')) ++j;
    if (j < n && line[j] == '"') {
      const std::size_t begin = storage.size();
      std::size_t k = j + 1;
      while (true) {
        if (k >= n) return false;  // the quoted field continues on the next line
        if (line[k] == '"') {
          if (k + 1 < n && line[k + 1] == '"') {
            storage += '"';
            k += 2;
            continue;
          }
          ++k;
          break;
        }
        storage += line[k++];
      }
      out.emplace_back(storage.data() + begin, storage.size() - begin);
      while (k < n && (line[k] == ' ' || line[k] == '\t')) ++k;
      if (k == n) return true;
      if (line[k] != ',') {
        throw InputError(file, line_no, "",
                         "text after the closing quote of field " + std::to_string(out.size()) +
                             " (a quote inside a quoted field is written \"\")");
      }
      i = k + 1;
      continue;
    }
    const std::size_t comma = line.find(',', i);
    const std::string_view field =
        line.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    out.push_back(trim(field));
    if (comma == std::string_view::npos) return true;
    i = comma + 1;
  }
}

CsvReader::CsvReader(const std::string& path) : path_(path) {
  require_regular_file(path);  // a FIFO would block forever
  in_.open(path, std::ios::binary);
  if (!in_) throw InputError(path, 0, "", "cannot open file");
  std::error_code ec;
  file_size_ = std::filesystem::file_size(path, ec);
  if (ec) file_size_ = 0;
  if (in_.peek() == 0xEF) {  // UTF-8 byte-order mark
    char bom[3] = {};
    in_.read(bom, 3);
    if (!(in_ && bom[1] == '\xBB' && bom[2] == '\xBF')) {
      in_.clear();
      in_.seekg(0);
    }
  }
  if (!read_record()) throw InputError(path, 0, "", "empty file (no header row)");
  header_line_ = line_;
  for (auto p : fields_) header_.emplace_back(p);
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i].empty()) throw InputError(path, line_, "header", "empty column name");
    for (std::size_t j = 0; j < i; ++j) {
      if (header_[i] == header_[j]) {
        throw InputError(path, line_, header_[i], "duplicate column");
      }
    }
  }
}

bool CsvReader::read_record() {
  std::string more;
  while (std::getline(in_, row_text_)) {
    line_ = ++next_line_;
    bytes_read_ += row_text_.size() + 1;
    if (blank(row_text_)) continue;
    while (!split_csv_record(row_text_, fields_, unquoted_, path_, line_)) {
      if (!std::getline(in_, more)) {
        throw InputError(path_, line_, "", "quoted field not closed before the end of the file");
      }
      ++next_line_;
      bytes_read_ += more.size() + 1;
      row_text_ += '\n';
      row_text_ += more;
    }
    return true;
  }
  if (in_.bad()) throw InputError(path_, next_line_, "", "read error");
  return false;
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
  if (!read_record()) return false;
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

std::string_view CsvReader::text(std::size_t col) const {
  return fields_.at(col);  // unquoted fields are trimmed when split
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
  std::string out;
  append_csv_field(out, text);
  return out;
}

void append_csv_field(std::string& out, std::string_view text) {
  const bool edge_space = !text.empty() && (text.front() == ' ' || text.front() == '\t' ||
                                            text.back() == ' ' || text.back() == '\t');
  if (text.find_first_of(",\"\n\r") == std::string_view::npos && !edge_space) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace dysta
