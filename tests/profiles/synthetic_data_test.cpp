// The checked-in example profiles under data/synthetic are exactly what the K.1 generator writes.
#include <gtest/gtest.h>

#include <filesystem>

#include "dysta/synthetic.h"
#include "test_paths.h"
#include "test_util.h"

namespace dysta {
namespace {

TEST(SyntheticData, CheckedInFilesEqualGeneratorOutput) {
  test::TempDir dir;
  write_k1_synthetic_sets(dir.path());
  const std::filesystem::path data = std::filesystem::path(DYSTA_SOURCE_DIR) / "data" / "synthetic";
  int files = 0;
  for (const auto& sub : {"sanger", "eyerissv2"}) {
    for (const auto& e : std::filesystem::directory_iterator(dir.path() / sub)) {
      ++files;
      EXPECT_EQ(test::read_text(e.path()), test::read_text(data / sub / e.path().filename()))
          << e.path().filename();
    }
  }
  EXPECT_EQ(files, 6);
}

}  // namespace
}  // namespace dysta
