#include "dysta/data_dir.h"

#include <cstdlib>
#include <system_error>

namespace dysta {

// DYSTA_INSTALL_DATA_DIR and DYSTA_SOURCE_DATA_DIR are defined for this file only (CMakeLists.txt),
// so compiler caches stay valid for every other file across checkouts and prefixes.
std::filesystem::path data_dir() {
  if (const char* env = std::getenv("DYSTA_DATA_DIR"); env != nullptr && *env != '\0') return env;
  const std::filesystem::path installed(DYSTA_INSTALL_DATA_DIR);
  std::error_code ec;
  if (std::filesystem::is_directory(installed, ec)) return installed;
  return std::filesystem::path(DYSTA_SOURCE_DATA_DIR);
}

}  // namespace dysta
