#include "dysta/read_file.h"

#include <fstream>
#include <iterator>

#include "dysta/error.h"

namespace dysta {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), 0, "", "cannot open file");
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw InputError(path.string(), 0, "", "cannot read file");
  return bytes;
}

}  // namespace dysta
