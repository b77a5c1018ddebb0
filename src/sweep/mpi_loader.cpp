#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "sweep/mpi_transport.h"

namespace dysta {
namespace {

// DYSTA_MPI_MODULE_BUILD and DYSTA_MPI_MODULE_INSTALL are defined for this file only
// (CMakeLists.txt), so compiler caches stay valid for every other file across checkouts.
std::vector<std::string> candidates() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("DYSTA_MPI_MODULE"); env != nullptr && *env != '\0') {
    paths.emplace_back(env);
    return paths;
  }
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) paths.push_back((exe.parent_path() / "libdysta_mpi.so").string());
#ifdef DYSTA_MPI_MODULE_BUILD
  paths.emplace_back(DYSTA_MPI_MODULE_BUILD);
#endif
#ifdef DYSTA_MPI_MODULE_INSTALL
  paths.emplace_back(DYSTA_MPI_MODULE_INSTALL);
#endif
  return paths;
}

const DystaMpiTransport* load() {
  for (const std::string& path : candidates()) {
    // RTLD_GLOBAL: Open MPI's own components, which it opens with dlopen, resolve MPI symbols.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (handle == nullptr) continue;
    using Entry = const DystaMpiTransport* (*)();
    const auto entry = reinterpret_cast<Entry>(dlsym(handle, "dysta_mpi_transport"));
    const DystaMpiTransport* t = entry != nullptr ? entry() : nullptr;
    if (t != nullptr && t->abi == kDystaMpiAbi) return t;
    dlclose(handle);
  }
  return nullptr;
}

}  // namespace

const DystaMpiTransport* mpi_transport() {
  static const DystaMpiTransport* const transport = load();
  return transport;
}

}  // namespace dysta
