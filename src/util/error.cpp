#include "dysta/error.h"

namespace dysta {
namespace {

std::string compose(const std::string& file, std::size_t line, const std::string& field,
                    const std::string& message) {
  std::string out;
  if (!file.empty()) {
    out.append(file);
    if (line > 0) out.append(":").append(std::to_string(line));
    out.append(": ");
  } else if (line > 0) {
    out.append("line ").append(std::to_string(line)).append(": ");
  }
  if (!field.empty()) out.append(field).append(": ");
  out.append(message);
  return out;
}

}  // namespace

InputError::InputError(std::string file, std::size_t line, std::string field,
                       const std::string& message)
    : std::runtime_error(compose(file, line, field, message)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)),
      message_(message) {}

}  // namespace dysta
