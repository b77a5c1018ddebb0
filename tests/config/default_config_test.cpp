// load_default_config(): the shipped default config read without its scenario metadata gives the
// same Config as the full parse, with and without command-line overrides.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dysta/config.h"

namespace dysta {
namespace {

TEST(DefaultConfig, SameConfigAsTheFullParse) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"workload.mix={}", "profiles=\"../x\"", "policy=fcfs", "workload.requests=20"},
      {"scenario={name: other}"},
  };
  for (const auto& overrides : cases) {
    const Config fast = load_default_config(overrides);
    const Config full = load_config(default_config_path(), overrides);
    EXPECT_EQ(to_yaml(fast), to_yaml(full));
    EXPECT_EQ(fast.scenario, full.scenario);
    EXPECT_EQ(fast.profiles, full.profiles);
    EXPECT_FALSE(fast.scenario.empty());
  }
}

}  // namespace
}  // namespace dysta
