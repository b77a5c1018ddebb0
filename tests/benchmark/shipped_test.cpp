// The shipped benchmark (data/benchmark/, docs/benchmark.md): the manifest matches every file,
// every profile set loads with the expected variants and inputs, broken variants are in no
// scenario, every scenario runs, and a slice regenerated from the fetched packages reproduces the
// shipped rows byte for byte.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>
#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "../inference/real_assets.h"
#include "dysta/benchmark/build.h"
#include "dysta/benchmark/inputs.h"
#include "dysta/benchmark/pruning.h"
#include "dysta/benchmark/scenarios.h"
#include "dysta/profile.h"
#include "test_paths.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta::benchmark {
namespace {

const fs::path kBench = fs::path(DYSTA_SOURCE_DIR) / "data" / "benchmark";

TEST(ShippedBenchmark, ManifestListsEveryFileWithItsSha256) {
  const ManifestCheck c = check_manifest(kBench);
  EXPECT_GT(c.files, 40u);
  for (const auto& p : c.problems) ADD_FAILURE() << p;
  const auto j = nlohmann::json::parse(test::read_text(kBench / "manifest.json"));
  EXPECT_EQ(j.at("dysta_version").get<std::string>(), DYSTA_VERSION);
  EXPECT_GE(j.at("packages").size(), 8u);  // every package incl. opencv-doc
  for (const auto& p : j.at("packages")) {
    EXPECT_EQ(p.at("archive_sha256").get<std::string>().size(), 64u);
  }
  EXPECT_TRUE(j.at("settings").contains("seed"));
  // The inputs of each set by package and source (docs/benchmark.md, "Inputs"): 71 distinct
  // stills, video frames at most a fifth of the in-distribution scenes, 72 low-light corrupted
  // photos in the shifted set, calibration inputs apart.
  const auto& sets = j.at("inputs").at("sets");
  EXPECT_EQ(sets.at("scenes").at("count").get<int>(), 87);
  const int video = sets.at("scenes").at("by_source").at("opencv-doc-4.6.0 (video)").get<int>();
  EXPECT_EQ(video, 16);
  EXPECT_LE(video * 5, sets.at("scenes").at("count").get<int>());
  EXPECT_EQ(sets.at("scenes-shifted").at("count").get<int>(), 143);
  int ood = 0;
  for (const auto& [source, n] : sets.at("scenes-shifted").at("by_source").items()) {
    if (source.find("(ood)") != std::string::npos) ood += n.get<int>();
  }
  EXPECT_EQ(ood, 72);
  EXPECT_EQ(sets.at("faces").at("count").get<int>(), 168);
  EXPECT_EQ(sets.at("calibration-scenes").at("count").get<int>(), 32);
  EXPECT_EQ(sets.at("calibration-faces").at("count").get<int>(), 32);
  EXPECT_EQ(sets.at("text").at("count").get<int>(), 200);
  EXPECT_NE(j.at("labels").at("synthetic").get<std::string>().find("SYNTHETIC"), std::string::npos);
}

TEST(ShippedBenchmark, ACorruptedFileIsReported) {
  test::TempDir dir;
  fs::copy(kBench, dir.path() / "b", fs::copy_options::recursive);
  test::write_text(dir.path() / "b" / "agreement.csv", "tampered\n");
  test::write_text(dir.path() / "b" / "extra.csv", "x\n");
  const ManifestCheck c = check_manifest(dir.path() / "b");
  ASSERT_EQ(c.problems.size(), 2u);
  EXPECT_NE(c.problems[0].find("agreement.csv: SHA-256 differs"), std::string::npos);
  EXPECT_NE(c.problems[1].find("extra.csv: not in the manifest"), std::string::npos);
  EXPECT_NE(test::dysta_cli(dir.path(), "benchmark check b").status, 0);
}

struct SetExpectation {
  const char* folder;
  std::vector<std::string> variants;
  std::size_t min_samples;
};

// The CNN variants of a slot ("dense", "sparse20", "sparse60") as the manifest lists them: one
// per model (dense) or per model and pattern, each named "<model>_<pattern>_<level>" with the
// level its search kept.
std::vector<std::string> cnn_variants(const std::string& slot) {
  const auto j = nlohmann::json::parse(test::read_text(kBench / "manifest.json"));
  std::vector<std::string> out;
  for (const auto& [name, info] : j.at("variants").items()) {
    if (info.at("slot").get<std::string>() == slot) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  std::set<std::string> keys;
  for (const auto& name : out) {
    keys.insert(slot == "dense" ? name : name.substr(0, name.rfind('_')));
    if (slot == "dense") continue;
    const std::string level = name.substr(name.rfind('_') + 1);
    EXPECT_NO_THROW(parse_prune_level(level, "level")) << name;
  }
  EXPECT_EQ(keys.size(), out.size()) << slot;  // one level per model and pattern
  EXPECT_EQ(out.size(), slot == "dense" ? 4u : 12u) << slot;
  return out;
}

TEST(ShippedBenchmark, EveryProfileSetLoadsWithItsVariantsAndInputs) {
  // Scene models: 87 in-distribution inputs (143 in the shifted set); faceresnet 168 faces.
  const std::vector<SetExpectation> sets = {
      {"eyerissv2-dense", cnn_variants("dense"), 87},
      {"eyerissv2-sparse20", cnn_variants("sparse20"), 87},
      {"eyerissv2-sparse20-shifted", cnn_variants("sparse20"), 143},
      {"eyerissv2-sparse60", cnn_variants("sparse60"), 87},
      {"eyerissv2-sparse20-reference", cnn_variants("sparse20"), 87},
      {"sanger",
       {"bart-small-trained", "bart-synthetic", "bert-small-trained", "bert-synthetic",
        "gpt2-small-trained", "gpt2-synthetic", "ppocrv4"},
       200},
      {"sanger-artifact",
       {"bart-small-trained", "bart-synthetic", "bert-small-trained", "bert-synthetic",
        "gpt2-small-trained", "gpt2-synthetic", "ppocrv4"},
       200},
  };
  std::size_t folders = 0;
  for (const auto& e : fs::directory_iterator(kBench / "profiles")) {
    if (e.is_directory()) ++folders;
  }
  EXPECT_EQ(folders, sets.size());
  for (const auto& s : sets) {
    SCOPED_TRACE(s.folder);
    const ProfileSet set = load_profiles(kBench / "profiles" / s.folder, ProfileLoadOptions{});
    std::vector<std::string> names;
    for (const auto& v : set.variants()) {
      names.push_back(v.name);
      const bool faces = v.architecture == "faceresnet";
      EXPECT_EQ(v.num_samples(), faces ? 168u : s.min_samples) << v.name;
      EXPECT_GT(v.target_latency_pattern_s, 0.0) << v.name;
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, s.variants);
  }
}

TEST(ShippedBenchmark, BrokenVariantsAreFlaggedAndInNoScenario) {
  const auto j = nlohmann::json::parse(test::read_text(kBench / "manifest.json"));
  std::set<std::string> broken;
  for (const auto& b : j.at("broken")) broken.insert(b.get<std::string>());
  std::size_t variants = 0;
  for (const auto& [name, info] : j.at("variants").items()) {
    ++variants;
    EXPECT_EQ(info.at("broken").get<bool>(), broken.count(name) > 0) << name;
  }
  EXPECT_EQ(variants, 4u * 7u);
  for (const auto& info : read_scenarios(kBench / "scenarios")) {
    const YAML::Node y = YAML::LoadFile(info.file.string());
    for (const auto& m : y["workload"]["mix"]) {
      EXPECT_EQ(broken.count(m.first.as<std::string>()), 0u) << info.name;
    }
  }
}

TEST(ShippedBenchmark, TheLevelSearchKeptWhatItReportsAndLoweredOnlyMissedLevels) {
  const auto j = nlohmann::json::parse(test::read_text(kBench / "manifest.json"));
  const std::string search = test::read_text(kBench / "level-search.csv");
  std::istringstream in(search);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "model,pattern,slot,level,inputs,non_majority_agreement,majority_agreement,goal,"
            "outcome");
  // Per model, pattern and slot: zero or more "missed" rows, then one "kept" or "last" row whose
  // level is the shipped variant's; a "kept" variant is not broken and meets its goal in
  // agreement.csv.
  std::map<std::string, std::vector<std::vector<std::string>>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 9u) << line;
    rows[f[0] + "_" + f[1] + "_" + f[2]].push_back(f);
  }
  EXPECT_EQ(rows.size(), 4u * 3u * 2u);
  for (const auto& [key, attempts] : rows) {
    SCOPED_TRACE(key);
    for (std::size_t k = 0; k + 1 < attempts.size(); ++k) EXPECT_EQ(attempts[k][8], "missed");
    const auto& last = attempts.back();
    ASSERT_TRUE(last[8] == "kept" || last[8] == "last") << last[8];
    const std::string name = last[0] + "_" + last[1] + "_" + last[3];
    ASSERT_TRUE(j.at("variants").contains(name)) << name;
    const auto& info = j.at("variants").at(name);
    EXPECT_EQ(info.at("slot").get<std::string>(), last[2]);
    if (last[8] == "kept") {
      EXPECT_FALSE(info.at("broken").get<bool>());
      EXPECT_GE(std::stod(info.at("non_majority_agreement").get<std::string>()),
                std::stod(last[7]));
    }
    // The paper's level first; the first attempt is the slot's own level.
    EXPECT_EQ(attempts.front()[3], last[2]);
  }
}

TEST(ShippedBenchmark, EveryScenarioRunsAsAConfig) {
  const auto infos = read_scenarios(kBench / "scenarios");
  ASSERT_EQ(infos.size(), 7u);
  for (const auto& info : infos) {
    SCOPED_TRACE(info.name);
    EXPECT_GE(info.utilisation, 0.3);
    EXPECT_LE(info.utilisation, 0.8);
    test::TempDir dir;
    // Fleet scenarios are cluster configs.
    const bool fleet = YAML::LoadFile(info.file.string())["cluster"].IsDefined();
    const auto r = test::dysta_cli(dir.path(), std::string(fleet ? "cluster" : "run") + " -c " +
                                                   test::shell_quoted(info.file.string()) +
                                                   " --requests 300 --out out");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto j = nlohmann::json::parse(test::read_text(dir.path() / "out" / "summary.json"));
    EXPECT_EQ(j.at("scenario").get<std::string>(), info.name);
  }
}

// The first `rows` data lines of a CSV text (header included).
std::string head_lines(const std::string& text, std::size_t rows) {
  std::istringstream in(text);
  std::string line, out;
  for (std::size_t i = 0; i <= rows && std::getline(in, line); ++i) out += line + "\n";
  return out;
}

TEST(ShippedBenchmark, ASliceRegeneratedFromThePackagesMatchesTheShippedRows) {
  const inference::AssetPaths paths = test::require_assets();
  if (testing::Test::IsSkipped()) return;
  test::TempDir dir;
  const fs::path out = dir.path() / "slice";
  // The scene models' pruning calibrates on opencv-doc photos and vtest frames
  // (make-benchmark.sh); without them only the face net (calibrated on LFW) is regenerated.
  const bool scenes = fs::exists(paths.opencv_data() / "left01.jpg") &&
                      fs::exists(vtest_frames_dir(paths) / ".complete");
  // The same OpenBLAS kernels as scripts/make-benchmark.sh.
  const auto r =
      test::shell(dir.path(), "OPENBLAS_CORETYPE=Haswell " + test::shell_quoted(DYSTA_CLI) +
                                  " benchmark build --models " +
                                  (scenes ? "mobilenetv2,faceresnet" : "faceresnet") +
                                  " --max-inputs 3 --no-extra-photos --no-low-light --vtest-step 0 "
                                  "--no-synthetic --threads 2 --out slice --levels-from " +
                                  test::shell_quoted(kBench.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  std::size_t compared = 0;
  for (const char* folder : {"eyerissv2-sparse20", "eyerissv2-sparse60",
                             "eyerissv2-sparse20-reference", "eyerissv2-dense"}) {
    // (eyerissv2-sparse20-shifted starts with the same stills.)
    for (const auto& e : fs::directory_iterator(out / "profiles" / folder)) {
      const std::string name = e.path().filename().string();
      SCOPED_TRACE(std::string(folder) + "/" + name);
      const std::string mine = test::read_text(e.path());
      const std::string shipped = test::read_text(kBench / "profiles" / folder / name);
      const std::size_t rows = std::count(mine.begin(), mine.end(), '\n') - 1;
      EXPECT_EQ(head_lines(shipped, rows), mine);
      ++compared;
    }
  }
  EXPECT_EQ(compared, (scenes ? 2u : 1u) * (3 + 3 + 3 + 1));
  // The first three OCR lines: same text, same statistics and latencies.
  const std::string ocr = test::read_text(out / "profiles" / "sanger" / "ppocrv4.csv");
  EXPECT_EQ(head_lines(test::read_text(kBench / "profiles" / "sanger" / "ppocrv4.csv"), 6), ocr);
  const std::string lines = test::read_text(out / "text-lines.csv");
  EXPECT_EQ(head_lines(test::read_text(kBench / "text-lines.csv"), 3), lines);
  // The first three requests of each trained transformer: same statistics and latencies.
  for (const auto& [m, layers] :
       {std::pair{"bert-small-trained", 4u}, std::pair{"gpt2-small-trained", 4u},
        std::pair{"bart-small-trained", 6u}}) {
    SCOPED_TRACE(m);
    const std::string p = std::string("profiles/sanger/") + m + ".csv";
    const std::string mine = test::read_text(out / p);
    const std::size_t rows = std::count(mine.begin(), mine.end(), '\n') - 1;
    // 3 requests x attention layers (BART: 2 encoder, 2 x 2 decoder self + cross)
    EXPECT_EQ(rows, 3u * layers);
    EXPECT_EQ(head_lines(test::read_text(kBench / p), rows), mine);
  }
}

}  // namespace
}  // namespace dysta::benchmark
