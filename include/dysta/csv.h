// A strict reader for the CSV files dysta consumes: comma-separated, a header row, RFC 4180
// quoting (a field in double quotes may hold commas, doubled quotes and line breaks; its text is
// taken literally), unquoted fields trimmed of spaces and tabs, CRLF tolerated, blank lines
// ignored, a UTF-8 byte-order mark before the header skipped (spreadsheet programs write one).
// Only regular files are read (require_regular_file()). Every error names the file, line and
// column.
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
  std::size_t line() const { return line_; }  // 1-based line where the current row starts
  std::size_t header_line() const { return header_line_; }
  // Size of the file in bytes when it was opened, and bytes consumed so far (line ends counted
  // as one byte): what a caller needs to estimate how many rows remain.
  std::uintmax_t file_size() const { return file_size_; }
  std::uintmax_t bytes_read() const { return bytes_read_; }

  std::string_view text(std::size_t col) const;
  // Parses a finite double; throws InputError naming file, line and column otherwise.
  double number(std::size_t col) const;
  std::int64_t integer(std::size_t col) const;

 private:
  std::string path_;
  std::ifstream in_;
  std::vector<std::string> header_;
  // Reads the next non-blank record (several lines when a quoted field holds line breaks) and
  // splits it into fields_; false at end of file.
  bool read_record();

  std::string row_text_;
  std::string unquoted_;  // text of the quoted fields of the current row (fields_ point into it)
  std::vector<std::string_view> fields_;
  std::size_t line_ = 0;       // first line of the current record
  std::size_t next_line_ = 0;  // lines consumed so far
  std::size_t header_line_ = 0;
  std::uintmax_t file_size_ = 0;
  std::uintmax_t bytes_read_ = 0;
};

// Splits one CSV record into fields: RFC 4180 quoting, unquoted fields trimmed, a trailing '\r'
// stripped. Quoted fields are unescaped into `storage` (cleared first; the views in `out` point
// into `line` or `storage`). Returns false when a quote is not closed before the end (the record
// continues on the next line); throws InputError(file, line) on text after a closing quote.
bool split_csv_record(std::string_view line, std::vector<std::string_view>& out,
                      std::string& storage, const std::string& file = "", std::size_t line_no = 0);
// The same without quoting support, for callers that know their text has none.
void split_csv_line(std::string_view line, std::vector<std::string_view>& out);

// Shortest decimal text that parses back to exactly `value` (round-trip), e.g. "0.1".
std::string format_double(double value);

// `text` as one RFC 4180 CSV field: quoted (inner quotes doubled) when it holds a comma, quote,
// line break, or leading or trailing space or tab (which the reader would trim), else unchanged.
// CsvReader reads every such field back to `text`.
std::string csv_field(const std::string& text);
// csv_field(text) appended to `out`.
void append_csv_field(std::string& out, std::string_view text);

}  // namespace dysta
