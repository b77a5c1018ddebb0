#include "dysta/read_file.h"

#include <fstream>
#include <iterator>

#include "dysta/error.h"
#include "dysta/input_checks.h"

namespace dysta {

std::string read_file(const std::filesystem::path& path) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), 0, "", "cannot open file");
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw InputError(path.string(), 0, "", "cannot read file");
  return bytes;
}

}  // namespace dysta
