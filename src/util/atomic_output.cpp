#include "dysta/atomic_output.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <atomic>
#include <fstream>
#include <vector>

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
  const auto fail = [&](const char* what) {
    const int err = errno;
    std::error_code ec;
    fs::remove(tmp, ec);
    throw InputError(path.string(), 0, "",
                     std::string(what) + (err != 0 ? std::string(": ") + std::strerror(err) : ""));
  };
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail("cannot write file");
    out << contents;
    out.flush();
    if (!out) fail("write failed");
    out.close();
    if (!out) fail("write failed");
  }
  errno = 0;
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot move the written file into place");
}

void write_folder_atomically(const fs::path& target,
                             const std::function<void(const fs::path&)>& fill) {
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent);
  const fs::path tmp = target.string() + unique_suffix();
  try {
    fs::create_directories(tmp);
    fill(tmp);
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
      const int err = errno;
      if (err != ENOTEMPTY && err != EEXIST) {
        throw fs::filesystem_error("cannot move into place", tmp, target,
                                   std::error_code(err, std::generic_category()));
      }
      // `target` exists (perhaps just written by another process): swap the two atomically,
      // so readers see the old or the new folder, never none; tmp then holds the old one.
      if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
        throw fs::filesystem_error("cannot replace", tmp, target,
                                   std::error_code(errno, std::generic_category()));
      }
      std::error_code ec;
      fs::remove_all(tmp, ec);
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
}

std::size_t remove_orphaned_temporaries(const fs::path& dir) {
  std::size_t removed = 0;
  std::error_code ec;
  std::vector<fs::path> orphans;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto at = name.rfind(".tmp-");
    if (at == std::string::npos) continue;
    // ".tmp-<pid>-<counter>"
    const std::string rest = name.substr(at + 5);
    const auto dash = rest.find('-');
    if (dash == std::string::npos || dash == 0) continue;
    const std::string pid_text = rest.substr(0, dash);
    if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9) {
      continue;
    }
    const auto pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == ::getpid()) continue;
    if (::kill(pid, 0) == 0 || errno == EPERM) continue;  // its writer still runs
    orphans.push_back(it->path());
  }
  for (const auto& p : orphans) {
    std::error_code rm;
    if (fs::remove_all(p, rm) > 0 && !rm) ++removed;
  }
  return removed;
}

FileLock::FileLock(const fs::path& path, const std::function<void()>& waiting) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw fs::filesystem_error("cannot create lock file", path,
                               std::error_code(errno, std::generic_category()));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  if (errno == EWOULDBLOCK) {
    if (waiting) waiting();
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) break;
    }
    return;
  }
  const int err = errno;
  ::close(fd_);
  throw fs::filesystem_error("cannot lock", path, std::error_code(err, std::generic_category()));
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace dysta
