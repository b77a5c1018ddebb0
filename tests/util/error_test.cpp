// InputError's one-line message "<file>:<line>: <field>: <message>" with unknown parts left out
// (include/dysta/error.h), and parameter resolution of the component registries.
#include "dysta/error.h"

#include <gtest/gtest.h>

#include <string>

#include "dysta/registry.h"

namespace dysta {
namespace {

TEST(InputError, MessageNamesFileLineAndField) {
  const InputError e("a.csv", 12, "latency_s", "negative latency");
  EXPECT_STREQ(e.what(), "a.csv:12: latency_s: negative latency");
  EXPECT_EQ(e.file(), "a.csv");
  EXPECT_EQ(e.line(), 12u);
  EXPECT_EQ(e.field(), "latency_s");
}

TEST(InputError, UnknownPartsAreLeftOut) {
  EXPECT_STREQ(InputError("a.csv", 0, "", "empty").what(), "a.csv: empty");
  EXPECT_STREQ(InputError("", 0, "rate", "must be > 0").what(), "rate: must be > 0");
  EXPECT_STREQ(InputError("", 3, "", "bad").what(), "line 3: bad");
  EXPECT_STREQ(InputError("plain").what(), "plain");
}

// Defaults are filled in; a given value overrides; an unknown name is rejected with the valid
// names listed and the field "<kind>_params.<name>".
TEST(Registry, ResolveParams) {
  const std::vector<ParamSpec> specs = {{"alpha", 1.0, ""}, {"beta", 0.5, ""}};
  const ParamValues out = resolve_params("policy", "x", specs, {{"beta", 2.0}});
  EXPECT_EQ(out.at("alpha"), 1.0);
  EXPECT_EQ(out.at("beta"), 2.0);
  try {
    resolve_params("policy", "x", specs, {{"gamma", 1.0}});
    ADD_FAILURE() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "policy_params.gamma");
    EXPECT_NE(std::string(e.what()).find("alpha, beta"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dysta
