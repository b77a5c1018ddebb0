// Whole-file input.
#pragma once

#include <filesystem>
#include <string>

namespace dysta {

// The bytes of `path`. Throws InputError naming the file when it cannot be opened or read, or is
// not a regular file (require_regular_file()).
std::string read_file(const std::filesystem::path& path);

}  // namespace dysta
