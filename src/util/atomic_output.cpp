#include "dysta/atomic_output.h"

#include <unistd.h>

#include <atomic>
#include <fstream>

#include "dysta/error.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {
// Unique per process and call (thread-safe: sweeps write point folders from several threads).
std::string unique_suffix() {
  static std::atomic<unsigned long> counter{0};
  return ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}
}  // namespace

void write_file_atomically(const fs::path& path, const std::string& contents) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const fs::path tmp = path.string() + unique_suffix();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path.string(), 0, "", "cannot write file");
    out << contents;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw InputError(path.string(), 0, "", "write failed");
    }
  }
  fs::rename(tmp, path);
}

void write_folder_atomically(const fs::path& target,
                             const std::function<void(const fs::path&)>& fill) {
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent);
  const fs::path tmp = target.string() + unique_suffix();
  fs::create_directories(tmp);
  try {
    fill(tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  if (fs::exists(target)) {
    const fs::path old = target.string() + ".old" + unique_suffix();
    fs::rename(target, old);
    fs::rename(tmp, target);
    std::error_code ec;
    fs::remove_all(old, ec);
  } else {
    fs::rename(tmp, target);
  }
}

}  // namespace dysta
