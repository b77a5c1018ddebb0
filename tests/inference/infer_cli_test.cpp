// `dysta infer`: the documented per-layer sparsity dump, and its input errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "inference/real_assets.h"
#include "test_paths.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

int run_cli(const fs::path& dir, const std::string& args, std::string* out = nullptr,
            const std::string& env = "") {
  const fs::path o = dir / "stdout.txt", e = dir / "stderr.txt";
  std::string cmd = env + test::shell_quoted(DYSTA_CLI);
  cmd +=
      " " + args + " > " + test::shell_quoted(o.string()) + " 2> " + test::shell_quoted(e.string());
  const int raw = std::system(cmd.c_str());
  if (out != nullptr) *out = test::read_text(o) + test::read_text(e);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

TEST(InferCli, BadInputsExitWithStatus2) {
  test::TempDir dir;
  std::string out;
  EXPECT_EQ(run_cli(dir.path(), "infer --model no_such_model --image x.png", &out), 2);
  EXPECT_NE(out.find("unknown model 'no_such_model'"), std::string::npos) << out;
  EXPECT_EQ(run_cli(dir.path(), "infer --model mobilenet_v2", &out), 2);
  EXPECT_EQ(run_cli(dir.path(), "infer --list", &out), 0);
  EXPECT_NE(out.find("ppocr_v4_rec"), std::string::npos) << out;
}

TEST(InferCli, DumpsPerLayerSparsityOfOneImage) {
  const inference::AssetPaths a = test::require_assets();
  if (IsSkipped()) return;
  test::TempDir dir;
  const fs::path csv = dir.path() / "sparsity.csv";
  std::string out;
  const std::string image = (a.skimage_data() / "chelsea.png").string();
  ASSERT_EQ(run_cli(dir.path(),
                    "infer --model mobilenet_v2 --image '" + image + "' --dump-sparsity '" +
                        csv.string() + "'",
                    &out),
            0)
      << out;
  EXPECT_NE(out.find("class Neutral"), std::string::npos) << out;
  std::istringstream lines(test::read_text(csv));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("model,input,layer_index,layer,op,kind,", 0), 0u) << line;
  int conv = 0, activation = 0;
  while (std::getline(lines, line)) {
    conv += line.find(",conv,") != std::string::npos;
    activation += line.find(",activation,") != std::string::npos;
  }
  EXPECT_EQ(conv, 52);  // 35 Conv2D + 17 DepthwiseConv2D
  EXPECT_EQ(activation, 37);
  EXPECT_EQ(run_cli(dir.path(),
                    "infer --model mobilenet_v2 --image '" + image +
                        "' --dump-sparsity /no/such/dir/x.csv",
                    &out),
            2)
      << out;
  EXPECT_EQ(run_cli(dir.path(), "infer --model mobilenet_v2 --image /no/such.png", &out), 2);
  // The image codecs are the module libdysta_media.so (dlopen on first use): without it the
  // first image fails with a clear error.
  EXPECT_EQ(run_cli(dir.path(), "infer --model mobilenet_v2 --image '" + image + "'", &out,
                    "DYSTA_MEDIA_MODULE=/nonexistent/libdysta_media.so "),
            2);
  EXPECT_NE(out.find("libdysta_media.so: the image and font module was not found"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace dysta
