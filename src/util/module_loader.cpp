#include "dysta/module_loader.h"

#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

namespace dysta {
namespace {

// DYSTA_MODULE_BUILD_DIR and DYSTA_MODULE_INSTALL_DIR are defined for this file only
// (CMakeLists.txt), so compiler caches stay valid for every other file across checkouts.
std::vector<std::filesystem::path> candidates(const std::string& file_name, const char* env) {
  if (const char* path = env != nullptr ? std::getenv(env) : nullptr;
      path != nullptr && *path != '\0') {
    return {path};
  }
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) paths.push_back(exe.parent_path() / file_name);
  paths.push_back(std::filesystem::path(DYSTA_MODULE_BUILD_DIR) / file_name);
  paths.push_back(std::filesystem::path(DYSTA_MODULE_INSTALL_DIR) / file_name);
  return paths;
}

const void* open(const std::string& file_name, const char* symbol, int abi, const char* env) {
  for (const std::filesystem::path& path : candidates(file_name, env)) {
    // RTLD_GLOBAL: libraries the module loads with dlopen itself (Open MPI's components)
    // resolve its dependencies' symbols.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (handle == nullptr) continue;
    using Entry = const void* (*)();
    const auto entry = reinterpret_cast<Entry>(dlsym(handle, symbol));
    const void* table = entry != nullptr ? entry() : nullptr;
    if (table != nullptr && *static_cast<const int*>(table) == abi) return table;
    dlclose(handle);
  }
  return nullptr;
}

}  // namespace

const void* load_module(const std::string& file_name, const char* symbol, int abi,
                        const char* env) {
  static std::mutex mutex;
  static std::map<std::string, const void*> loaded;
  const std::lock_guard lock(mutex);
  auto it = loaded.find(file_name);
  if (it == loaded.end()) it = loaded.emplace(file_name, open(file_name, symbol, abi, env)).first;
  const void* table = it->second;
  return table != nullptr && *static_cast<const int*>(table) == abi ? table : nullptr;
}

}  // namespace dysta
