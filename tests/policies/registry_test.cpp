// The policy registry: spec B.5 flags of the eleven reference schedulers, and errors for unknown
// names and parameters.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "dysta/policy.h"
#include "test_util.h"

namespace dysta {
namespace {

// Spec B.5 table: (pattern-aware init, hw monitor) per scheduler name.
TEST(PolicyRegistry, TraitsMatchSpecTable) {
  const std::map<std::string, std::pair<bool, bool>> expected = {
      {"fcfs", {false, false}},        {"sjf", {false, false}},
      {"sjf_sparse", {true, true}},    {"prema", {false, false}},
      {"prema_sparse", {true, true}},  {"planaria", {false, false}},
      {"sdrm3", {false, false}},       {"sdrm3_sparse", {true, true}},
      {"dysta", {true, true}},         {"dysta_naive", {false, false}},
      {"dysta_oracle", {true, false}},
  };
  for (const auto& [name, flags] : expected) {
    SCOPED_TRACE(name);
    const PolicyInfo* info = policy_registry().find(name);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->traits.pattern_aware, flags.first);
    EXPECT_EQ(info->traits.monitor, flags.second);
    EXPECT_FALSE(info->description.empty());
    EXPECT_NE(make_policy(name, {}, Semantics::reference), nullptr);
  }
}

// Documented defaults (spec M): beta 0.01 for the Dysta family, alpha 1.0 for SDRM3.
TEST(PolicyRegistry, DefaultParameters) {
  for (const char* name : {"dysta", "dysta_naive", "dysta_oracle"}) {
    const auto& params = policy_registry().find(name)->params;
    ASSERT_EQ(params.size(), 1u);
    EXPECT_EQ(params[0].name, "beta");
    EXPECT_EQ(params[0].default_value, 0.01);
  }
  for (const char* name : {"sdrm3", "sdrm3_sparse"}) {
    const auto& params = policy_registry().find(name)->params;
    ASSERT_EQ(params.size(), 1u);
    EXPECT_EQ(params[0].name, "alpha");
    EXPECT_EQ(params[0].default_value, 1.0);
  }
}

// An unknown name lists the valid names; an unknown parameter names itself and the valid ones.
TEST(PolicyRegistry, UnknownNameAndParameter) {
  const InputError e =
      test::capture_input_error([] { make_policy("no_such_policy", {}, Semantics::corrected); });
  const std::string what = e.what();
  EXPECT_EQ(e.field(), "policy");
  EXPECT_NE(what.find("'no_such_policy'"), std::string::npos) << what;
  for (const char* name : {"dysta", "fcfs", "planaria", "prema_sparse", "sdrm3", "sjf"}) {
    EXPECT_NE(what.find(name), std::string::npos) << name;
  }
  const InputError p = test::capture_input_error([] {
    make_policy("dysta", {{"alpha", 1.0}}, Semantics::corrected);
  });
  EXPECT_EQ(p.field(), "policy_params.alpha");
  EXPECT_NE(std::string(p.what()).find("beta"), std::string::npos) << p.what();
  EXPECT_THROW(make_policy("fcfs", {{"beta", 1.0}}, Semantics::corrected), InputError);
}

}  // namespace
}  // namespace dysta
