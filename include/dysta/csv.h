// A strict reader for the simple CSV files dysta consumes (no quoting; comma-separated; a header
// row; CRLF tolerated; blank lines ignored). Every error names the file, line and column.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace dysta {

class CsvReader {
 public:
  // Opens `path` and reads the header. Throws InputError if the file cannot be read or is empty.
  explicit CsvReader(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  bool has_column(std::string_view name) const;
  // Index of a required column; throws InputError naming the column when it is absent.
  std::size_t column(std::string_view name) const;

  // Advances to the next non-blank row; false at end of file. Throws InputError when the row has
  // a different number of fields than the header (e.g. a truncated last line).
  bool next_row();
  std::size_t line() const { return line_; }  // 1-based line number of the current row
  std::size_t header_line() const { return header_line_; }

  std::string_view text(std::size_t col) const;
  // Parses a finite double; throws InputError naming file, line and column otherwise.
  double number(std::size_t col) const;
  std::int64_t integer(std::size_t col) const;

 private:
  std::string path_;
  std::ifstream in_;
  std::vector<std::string> header_;
  std::string row_text_;
  std::vector<std::string_view> fields_;
  std::size_t line_ = 0;
  std::size_t header_line_ = 0;
};

// Splits one CSV line at commas (no quoting), stripping a trailing '\r'.
void split_csv_line(std::string_view line, std::vector<std::string_view>& out);

// Shortest decimal text that parses back to exactly `value` (round-trip), e.g. "0.1".
std::string format_double(double value);

// `text` as one RFC 4180 CSV field: quoted (inner quotes doubled) when it holds a comma, quote or
// newline, else unchanged. For free-text columns of files the project writes (its readers take
// numeric columns only).
std::string csv_field(const std::string& text);

}  // namespace dysta
