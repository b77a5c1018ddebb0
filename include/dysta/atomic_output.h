// All-or-nothing output: a file or folder appears complete or not at all.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace dysta {

// Writes `contents` to `path` through a temporary file in the same folder and a rename.
void write_file_atomically(const std::filesystem::path& path, const std::string& contents);

// Creates a fresh temporary folder beside `target`, calls `fill(tmp)`, then renames it to
// `target`, replacing an existing folder of that name. If `fill` throws, the temporary folder is
// removed and `target` is left untouched.
void write_folder_atomically(const std::filesystem::path& target,
                             const std::function<void(const std::filesystem::path&)>& fill);

}  // namespace dysta
