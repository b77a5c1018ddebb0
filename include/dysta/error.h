// Errors raised for bad user input (files, configs, command-line values).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace dysta {

// A problem with user input, located as precisely as known. `what()` is one line:
//   "<file>:<line>: <field>: <message>"   (parts that are unknown are left out).
// The CLI prints it and exits with status 2.
class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::size_t line, std::string field, const std::string& message);
  explicit InputError(const std::string& message) : InputError("", 0, "", message) {}

  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }  // 1-based; 0 when not tied to a line
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }  // without the location prefix

 private:
  std::string file_;
  std::size_t line_;
  std::string field_;
  std::string message_;
};

}  // namespace dysta
