#include "common.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "dysta/error.h"

namespace dysta::cli {

std::string yaml_quoted(const std::string& text) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;  // UTF-8 passes through; invalid bytes are rejected by the config parser
    }
  }
  return out + "\"";
}

void add_config_flags(CLI::App* cmd, ConfigFlags& f) {
  cmd->add_option("-c,--config", f.config,
                  "YAML experiment config (default: the benchmark scenario "
                  "data/benchmark/scenarios/paper-cnn.yaml)");
  cmd->add_option("--set", f.sets,
                  "override a config key, e.g. --set workload.rate=60 (repeatable)");
  cmd->add_option("--profiles", f.profiles,
                  "profile directory or file (clears the config's workload.mix)");
  cmd->add_option("--policy", f.policy, "scheduling policy (see `dysta list`)");
  cmd->add_option("--predictor", f.predictor, "latency predictor of the sparsity monitor");
  cmd->add_option("--semantics", f.semantics, "reference | corrected (default corrected)");
  cmd->add_option("--rate", f.rate, "arrival rate, requests/s");
  cmd->add_option("--slo", f.slo, "SLO multiplier (x mean isolated latency)");
  cmd->add_option("--requests", f.requests, "number of requests");
  cmd->add_option("--seed", f.seed, "random seed");
  cmd->add_option("--trace", f.trace, "replay this request trace CSV instead of generating");
  cmd->add_option("-o,--out", f.out, "output folder");
}

Config resolve_config(const ConfigFlags& f) {
  // --profiles replaces the profile set, so the config's workload.mix (variant names of the old
  // set) no longer applies; an explicit --set workload.mix=... still does.
  std::vector<std::string> overrides;
  if (!f.profiles.empty()) overrides.push_back("workload.mix={}");
  overrides.insert(overrides.end(), f.sets.begin(), f.sets.end());
  auto add = [&](const std::string& key, const std::string& value) {
    if (!value.empty()) overrides.push_back(key + "=" + value);
  };
  // Paths are taken literally: as a double-quoted YAML scalar, so '#', ':', quotes or a leading
  // '[' do not change them.
  auto add_path = [&](const std::string& key, const std::string& value) {
    if (!value.empty()) overrides.push_back(key + "=" + yaml_quoted(value));
  };
  add_path("profiles", f.profiles);
  add("policy", f.policy);
  add("predictor", f.predictor);
  add("semantics", f.semantics);
  add("workload.rate", f.rate);
  add("workload.slo_multiplier", f.slo);
  add("workload.requests", f.requests);
  add("workload.seed", f.seed);
  add_path("workload.trace", f.trace);
  add_path("output", f.out);
  const std::filesystem::path path =
      f.config.empty() ? default_config_path() : std::filesystem::path(f.config);
  Config config = f.config.empty() ? load_default_config(overrides) : load_config(path, overrides);
  if (config.profiles.empty()) {
    throw InputError(path.string(), 0, "profiles", "not set (give --profiles or a config key)");
  }
  return config;
}

ProfileSet load_config_profiles(const Config& config) {
  ProfileLoadOptions options;
  options.sanger = config.sanger;
  return load_profiles(config.profiles, options);
}

void reserve_heap_in_huge_pages() {
#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE)
  constexpr std::size_t kPad = std::size_t{32} << 20;
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  // Requests below 32 MiB stay on the heap, which is never trimmed. Its first growth adds 1 GiB
  // of address space (touched memory only counts in RSS); later ones the request plus 32 MiB.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kPad));
  mallopt(M_TOP_PAD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  // That first growth, whatever is free at its top now (volatile: the pair must not be
  // optimised away). The block starts where the heap's free top starts.
  void* volatile block = std::malloc(kPad / 2);
  const auto top = reinterpret_cast<std::uintptr_t>(block);
  std::free(block);
  const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t first = (top + kHuge - 1) & ~(kHuge - 1);
  mallopt(M_TOP_PAD, static_cast<int>(kPad));
  if (top != 0 && end > first + kHuge) {
    madvise(reinterpret_cast<void*>(first), (end - first) & ~(kHuge - 1), MADV_HUGEPAGE);
    // The free top below the first huge page stays in 4 KiB pages (a fault each, about 10 us on
    // a virtual machine): a block that is never freed nor written holds it, so later requests
    // start on the huge pages.
    if (first - top > kHuge / 64) {
      static void* volatile head = std::malloc(first - top - 2 * sizeof(std::size_t));
      (void)head;
    }
  }
#endif
}

[[noreturn]] void exit_after_output() {
  std::cout.flush();
  const bool written = static_cast<bool>(std::cout) && std::fflush(stdout) == 0;
  if (!written) std::cerr << "dysta: error: standard output: the results could not be written\n";
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(written ? 0 : 2);
}

}  // namespace dysta::cli
