// All-or-nothing output: a file or folder appears complete or not at all.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace dysta {

// Writes `contents` to `path` through a temporary file in the same folder and a rename.
void write_file_atomically(const std::filesystem::path& path, const std::string& contents);

// Creates a fresh temporary folder beside `target`, calls `fill(tmp)`, then renames it to
// `target`, replacing an existing folder of that name (atomically, also when another process
// creates `target` meanwhile). If anything fails, the temporary folder is removed and `target`
// is left untouched.
void write_folder_atomically(const std::filesystem::path& target,
                             const std::function<void(const std::filesystem::path&)>& fill);

// Removes the temporaries ("<name>.tmp-<pid>-<n>", "<name>.old.tmp-<pid>-<n>") that the two
// functions above left in `dir` when their process was killed: those whose process no longer
// runs. Returns how many it removed.
std::size_t remove_orphaned_temporaries(const std::filesystem::path& dir);

// An exclusive advisory lock (flock) on the file `path`, created if needed, held until
// destruction; the kernel releases it when the process dies. When another process holds it,
// `waiting` is called once and the constructor blocks until the lock is free.
class FileLock {
 public:
  FileLock(const std::filesystem::path& path, const std::function<void()>& waiting);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace dysta
