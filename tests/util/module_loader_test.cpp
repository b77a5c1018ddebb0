// dysta/module_loader.h: the dlopen modules (libdysta_media.so, libdysta_mpi.so) are found in
// this build, their ABI number is checked, and a missing module is reported, not a crash.
#include "dysta/module_loader.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "inference/media.h"
#include "test_paths.h"
#include "test_util.h"

namespace dysta {
namespace {

TEST(ModuleLoader, FindsTheMediaModuleOfThisBuildAndChecksItsAbi) {
  const void* table =
      load_module("libdysta_media.so", "dysta_media", inference::kDystaMediaAbi, nullptr);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(static_cast<const DystaMedia*>(table)->abi, inference::kDystaMediaAbi);
  EXPECT_EQ(load_module("libdysta_media.so", "dysta_media", inference::kDystaMediaAbi + 1, nullptr),
            nullptr);
}

TEST(ModuleLoader, MissingModuleOrSymbolIsNull) {
  EXPECT_EQ(load_module("libdysta_no_such_module.so", "dysta_media", 1, nullptr), nullptr);
  ::setenv("DYSTA_TEST_MODULE_PATH", "/nonexistent/libdysta_other.so", 1);
  EXPECT_EQ(load_module("libdysta_other.so", "dysta_media", 1, "DYSTA_TEST_MODULE_PATH"), nullptr);
}

// A scheduling run of the CLI never needs the media module (tests/inference/infer_cli_test.cpp
// checks the error of a command that does).
TEST(ModuleLoader, SchedulingRunWithoutTheMediaModule) {
  test::TempDir dir;
  const std::string run = "DYSTA_MEDIA_MODULE=/nonexistent/libdysta_media.so " +
                          test::shell_quoted(test::cli_path()) + " run -q --requests 20 --out " +
                          test::shell_quoted((dir.path() / "run").string()) + " > /dev/null 2>&1";
  EXPECT_EQ(std::system(run.c_str()), 0);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "run" / "summary.json"));
}

}  // namespace
}  // namespace dysta
