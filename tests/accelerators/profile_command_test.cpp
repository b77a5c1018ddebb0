// `dysta profile`: job files -> profile sets in the native and artifact formats; round trips into
// the profile loader and the simulator; bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "dysta/accelerators/profiling.h"
#include "dysta/error.h"
#include "dysta/experiment.h"
#include "dysta/workload.h"
#include "test_paths.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

const fs::path kExample = fs::path(DYSTA_SOURCE_DIR) / "examples/profile/tiny.yaml";

void expect_same_tables(const VariantProfile& a, const ProfiledVariant& b) {
  ASSERT_EQ(a.sample_ids, b.sample_ids);
  ASSERT_EQ(a.num_layers, b.layer_names.size());
  EXPECT_EQ(a.latency_s, b.latency_s);  // exact: written with round-trip formatting
  EXPECT_EQ(a.sparsity, b.sparsity);
}

TEST(ProfileCommand, ExampleRoundTripsThroughNativeAndArtifactFormats) {
  test::TempDir dir;
  const ProfileJob job = read_profile_job(kExample);
  ASSERT_EQ(job.models.size(), 3u);
  const auto variants = run_profile_job(job, Semantics::corrected);
  write_profile_outputs(variants, dir.path());

  const ProfileSet native = load_profiles(dir.path() / "profiles.csv", {});
  ASSERT_EQ(native.size(), 3u);
  for (const auto& v : variants) {
    const auto i = native.find(v.variant_name());
    ASSERT_TRUE(i.has_value()) << v.variant_name();
    expect_same_tables(native.variant(*i), v);
    EXPECT_EQ(native.variant(*i).architecture, v.model);
  }
  // The two tinycnn variants form one architecture (sample-weighted targets, spec B.1 step 7).
  EXPECT_EQ(native.architectures(), (std::vector<std::string>{"tinybert", "tinycnn"}));

  // Eyeriss-V2 CSVs: sim_lat and the input zero fraction, read back exactly.
  const ProfileSet eyeriss = load_profiles(dir.path() / "artifact/eyerissv2", {});
  ASSERT_EQ(eyeriss.size(), 2u);
  for (const auto& v : variants) {
    if (v.accelerator != "eyeriss_v2") continue;
    const auto i = eyeriss.find(v.variant_name());
    ASSERT_TRUE(i.has_value());
    EXPECT_EQ(eyeriss.variant(*i).format, ProfileFormat::eyeriss_v2);
    expect_same_tables(eyeriss.variant(*i), v);
  }
  // The Sanger CSV carries statistics; its density column is the complement of the sparsity.
  const ProfileSet sanger = load_profiles(dir.path() / "artifact/sanger", {});
  ASSERT_EQ(sanger.size(), 1u);
  EXPECT_EQ(sanger.variant(0).format, ProfileFormat::sanger);
  EXPECT_EQ(sanger.variant(0).sparsity, variants[2].sparsity);

  // The simulator runs on the result.
  StreamSpec spec;
  spec.num_requests = 200;
  spec.rate_per_s = 2000;
  PyRandom rng(3);
  const auto requests = generate_poisson_stream(native, spec, rng, Semantics::corrected);
  const RunMetrics m = run_policy(native, requests, "dysta", PolicyChoice{}, Semantics::corrected);
  EXPECT_EQ(m.requests, 200u);
  EXPECT_GE(m.antt, 1.0);
}

// Reference semantics: Sanger latencies use L = 512 (Q14), so the artifact's Sanger CSV,
// re-evaluated by the loader with the artifact's formula, gives exactly the native latencies.
TEST(ProfileCommand, ReferenceSangerCsvReproducesNativeLatencies) {
  test::TempDir dir;
  const auto variants = run_profile_job(read_profile_job(kExample), Semantics::reference);
  write_profile_outputs(variants, dir.path());
  const ProfileSet native = load_profiles(dir.path() / "profiles.csv", {});
  const ProfileSet sanger = load_profiles(dir.path() / "artifact/sanger", {});
  const auto i = native.find("tinybert");
  ASSERT_TRUE(i.has_value());
  EXPECT_EQ(sanger.variant(0).latency_s, native.variant(*i).latency_s);
  // The mask-derived statistics are the logger's six-decimal values.
  const std::string csv = test::read_text(dir.path() / "artifact/sanger/tinybert.csv");
  EXPECT_NE(csv.find(",0.27124,"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("0.271240234375"), std::string::npos);
  // Reference semantics draws samples 0..6 (Q1): the example has them.
  StreamSpec spec;
  spec.num_requests = 50;
  PyRandom rng(1);
  EXPECT_NO_THROW(generate_poisson_stream(native, spec, rng, Semantics::reference));
}

TEST(ProfileCommand, OutputsAreDeterministic) {
  test::TempDir a, b;
  write_profile_outputs(run_profile_job(read_profile_job(kExample), Semantics::corrected),
                        a.path());
  write_profile_outputs(run_profile_job(read_profile_job(kExample), Semantics::corrected),
                        b.path());
  for (const char* f : {"profiles.csv", "artifact/sanger/tinybert.csv",
                        "artifact/eyerissv2/tinycnn_filter50.csv", "details/breakdown.csv"}) {
    EXPECT_EQ(test::read_text(a.path() / f), test::read_text(b.path() / f)) << f;
  }
}

TEST(ProfileCommand, SummariesAndMasksAgree) {
  // A density summary is a synthetic mask with exactly that many ones; the stored sparsity is its
  // zero fraction (round(0.55 * 2048) ones), and the fc layer's inline bits give 21 of 32 ones.
  const auto variants = run_profile_job(read_profile_job(kExample), Semantics::corrected);
  const ProfiledVariant& v = variants[0];
  ASSERT_EQ(v.variant_name(), "tinycnn_unstructured50");
  const std::size_t L = v.layer_names.size();
  EXPECT_DOUBLE_EQ(v.sparsity[1 * L + 1], 1.0 - 1126.0 / 2048.0);
  EXPECT_DOUBLE_EQ(v.sparsity[7 * L + 4], 1.0 - 21.0 / 32.0);
  EXPECT_DOUBLE_EQ(v.sparsity[0 * L + 0], 0.0);
  // The breakdown adds up to the cycle count before its final floor.
  for (const auto& d : v.detail) {
    double sum = 0;
    for (const auto& t : d.breakdown) sum += t.cycles;
    EXPECT_EQ(std::floor(sum + 1e-9), d.cycles);
  }
}

// ---------------------------------------------------------------------------------------------
// Bad input: every error names the file, a line, the layer and the field.

const char* kHeader = "models:\n";
const char* kCnnModel =
    "  - model: net\n"
    "    accelerator: eyeriss_v2\n"
    "    layers:\n"
    "      - {name: conv1, type: conv, input: [4, 8, 8], out_channels: 8, kernel: 3, padding: 1,\n"
    "         weights: {pattern: unstructured, density: 0.5}}\n"
    "      - {name: fc1, type: fc, in_features: 16, out_features: 4, weights: dense}\n"
    "    samples:\n";

std::string profile_error(const std::string& yaml, Semantics sem = Semantics::corrected,
                          const std::function<void(const fs::path&)>& prepare = {}) {
  test::TempDir dir;
  const fs::path file = dir.path() / "job.yaml";
  test::write_text(file, yaml);
  if (prepare) prepare(dir.path());
  try {
    run_profile_job(read_profile_job(file), sem);
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("job.yaml:"), std::string::npos) << e.what();
    EXPECT_GT(e.line(), 0u) << e.what();
    return e.what();
  }
  return "";
}

void expect_error(const std::string& what, const std::string& needle) {
  EXPECT_NE(what.find(needle), std::string::npos)
      << "error: '" << what << "' lacks '" << needle << "'";
}

TEST(ProfileCommand, ValidCnnJobHasNoError) {
  EXPECT_EQ(
      profile_error(std::string(kHeader) + kCnnModel + "      - {id: 0, layers: [0.5, 0.5]}\n"),
      "");
}

TEST(ProfileCommand, UnknownLayerTypeNamesLayerAndField) {
  const std::string e = profile_error(
      "models:\n  - model: net\n    accelerator: eyeriss_v2\n    layers:\n"
      "      - {name: pool1, type: maxpool}\n    samples:\n      - {id: 0, layers: [0.5]}\n");
  expect_error(e, "job.yaml:5: net.pool1.type: unknown layer type 'maxpool'");
}

TEST(ProfileCommand, MaskShapeInconsistentWithLayer) {
  // 60 bits for a (4, 8, 8) activation.
  expect_error(
      profile_error(std::string(kHeader) + kCnnModel + "      - {id: 0, layers: [{bits: \"" +
                    std::string(60, '1') + "\"}, 0.5]}\n"),
      "net.sample 0.conv1.activation: 60 bits given for shape [4, 8, 8]");
  // An .npy of the wrong shape.
  expect_error(
      profile_error(
          std::string(kHeader) + kCnnModel + "      - {id: 3, layers: [0.5, {npy: a.npy}]}\n",
          Semantics::corrected,
          [](const fs::path& d) {
            write_npy_mask(d / "a.npy", BitMask::ones({1, 15}));
          }),
      "net.sample 3.fc1.activation: mask shape [1, 15] does not match the layer (expected [16])");
  // Weights of the wrong shape.
  std::string bad_weights =
      std::string(kHeader) + kCnnModel + "      - {id: 0, layers: [0.5, 0.5]}\n";
  bad_weights.replace(bad_weights.find("weights: dense"), 14, "weights: {npy: w.npy}");
  expect_error(profile_error(bad_weights, Semantics::corrected,
                             [](const fs::path& d) {
                               write_npy_mask(d / "w.npy", BitMask::ones({4, 17}));
                             }),
               "net.fc1.weights: mask shape [4, 17] does not match the layer (expected [4, 16])");
}

TEST(ProfileCommand, UnreadableMaskFileNamesLayerAndFile) {
  const std::string e = profile_error(std::string(kHeader) + kCnnModel +
                                      "      - {id: 2, layers: [0.5, {npy: gone.npy}]}\n");
  expect_error(e, "job.yaml:9: net.sample 2.fc1.activation: ");
  expect_error(e, "gone.npy: cannot open .npy file");
}

TEST(ProfileCommand, EmptyTensors) {
  expect_error(profile_error(std::string(kHeader) + kCnnModel +
                                 "      - {id: 0, layers: [0.5, {npy: e.npy}]}\n",
                             Semantics::corrected,
                             [](const fs::path& d) {
                               write_npy_mask(d / "e.npy", BitMask({0, 16}));
                             }),
               "net.sample 0.fc1.activation: empty mask [0, 16]");
  expect_error(
      profile_error("models:\n  - model: net\n    accelerator: eyeriss_v2\n    layers:\n"
                    "      - {name: c, type: conv, input: [0, 8, 8], out_channels: 8, "
                    "kernel: 3, weights: dense}\n    samples:\n      - {id: 0, layers: [0.5]}\n"),
      "net.c.in_channels: must be positive");
}

const char* kAttention =
    "models:\n"
    "  - model: bert\n"
    "    accelerator: sanger\n"
    "    seq_len: 128\n"
    "    layers:\n"
    "      - {name: enc0, type: attention}\n"
    "    samples:\n";

TEST(ProfileCommand, DensityAndLoadBalanceOutOfRange) {
  const std::string base = kAttention;
  expect_error(profile_error(base + "      - {id: 0, layers: [{density: 0, load_balance: 0.5}]}\n"),
               "bert.sample 0.enc0.density: must be in (0, 1], found 0");
  expect_error(
      profile_error(base + "      - {id: 0, layers: [{density: 1.2, load_balance: 0.5}]}\n"),
      "enc0.density: must be in (0, 1], found 1.2");
  expect_error(profile_error(base + "      - {id: 0, layers: [{density: 0.2, load_balance: 0}]}\n"),
               "enc0.load_balance: must be in (0, 1], found 0");
  expect_error(
      profile_error(base + "      - {id: 0, layers: [{density: 0.2, load_balance: -1}]}\n"),
      "enc0.load_balance: must be in (0, 1]");
  expect_error(profile_error(base + "      - {id: 0, layers: [{density: 0.2}]}\n"),
               "enc0.load_balance: required with density");
  expect_error(
      profile_error(std::string(kHeader) + kCnnModel + "      - {id: 0, layers: [1.5, 0.5]}\n"),
      "net.sample 0.conv1.density: must be in [0, 1], found 1.5");
  // An all-zero attention mask has density 0.
  expect_error(profile_error(base + "      - {id: 0, layers: [{mask: {npy: z.npy}}]}\n",
                             Semantics::corrected,
                             [](const fs::path& d) {
                               write_npy_mask(d / "z.npy", BitMask({2, 128, 128}));
                             }),
               "bert.sample 0.enc0.mask: no kept entry");
}

TEST(ProfileCommand, AttentionShapeAndSequenceLength) {
  const std::string base = kAttention;
  expect_error(profile_error(base + "      - {id: 0, layers: [{mask: {npy: m.npy}}]}\n",
                             Semantics::corrected,
                             [](const fs::path& d) {
                               write_npy_mask(d / "m.npy", BitMask::ones({2, 64, 64}));
                             }),
               "bert.sample 0.enc0.seq_len: the layer declares 128 tokens but its mask is 64 x 64");
  expect_error(profile_error(base + "      - {id: 0, layers: [{mask: {npy: m.npy}}]}\n",
                             Semantics::corrected,
                             [](const fs::path& d) {
                               write_npy_mask(d / "m.npy", BitMask::ones({2, 64, 32}));
                             }),
               "enc0.mask: the last two dimensions must be equal");
  // Corrected semantics needs the real length.
  std::string no_len = base + "      - {id: 0, layers: [{density: 0.2, load_balance: 0.9}]}\n";
  no_len.erase(no_len.find("    seq_len: 128\n"), 17);
  expect_error(profile_error(no_len), "bert.sample 0.enc0.seq_len: must be positive");
  EXPECT_EQ(profile_error(no_len, Semantics::reference), "");  // the reference uses 512 (Q14)
}

TEST(ProfileCommand, StructuralErrors) {
  const std::string cnn = std::string(kHeader) + kCnnModel;
  expect_error(profile_error(cnn + "      - {id: 0, layers: {conv1: 0.5}}\n"),
               "net.sample 0.fc1: missing");
  expect_error(profile_error(cnn + "      - {id: 0, layers: [0.5]}\n"),
               "lists 1 layers, the model has 2");
  expect_error(profile_error(cnn + "      - {id: 0, layers: {conv1: 0.5, fc1: 0.5, fc2: 0.1}}\n"),
               "net.sample 0.fc2: no layer of that name");
  expect_error(profile_error(cnn + "      - {id: 0, layers: [0.5, 0.5], extra: 1}\n"),
               "net.samples[0].extra: unknown key");
  expect_error(
      profile_error(cnn +
                    "      - {id: 0, layers: [0.5, 0.5]}\n      - {id: 0, layers: [0.5, 0.5]}\n"),
      "duplicate sample id 0");
  std::string unknown_acc = cnn + "      - {id: 0, layers: [0.5, 0.5]}\n";
  unknown_acc.replace(unknown_acc.find("eyeriss_v2"), 10, "tpu");
  expect_error(profile_error(unknown_acc), "unknown accelerator 'tpu'");
  std::string wrong_acc = cnn + "      - {id: 0, layers: [0.5, 0.5]}\n";
  wrong_acc.replace(wrong_acc.find("eyeriss_v2"), 10, "sanger");
  expect_error(profile_error(wrong_acc),
               "net.conv1.type: accelerator 'sanger' does not model conv layers");
  expect_error(profile_error(cnn + "      - {id: 0, layers: [0.5, 0.5]}\n" + kCnnModel +
                             "      - {id: 0, layers: [0.5, 0.5]}\n"),
               "is listed twice");
  std::string bad_param = cnn + "      - {id: 0, layers: [0.5, 0.5]}\n";
  bad_param.insert(bad_param.find("    layers:"), "    params: {clock_hz: -5}\n");
  expect_error(profile_error(bad_param), "accelerator_params.clock_hz: must be in [1000, 1e+12]");
  expect_error(profile_error("models: [\n"), "YAML syntax error");
  // Reference semantics rejects what the artifact cannot run, naming the layer.
  std::string c6 = cnn + "      - {id: 0, layers: [0.5, 0.5]}\n";
  c6.replace(c6.find("input: [4, 8, 8]"), 16, "input: [6, 8, 8]");
  expect_error(profile_error(c6, Semantics::reference),
               "net.sample 0.conv1.in_channels: reference semantics");
  EXPECT_EQ(profile_error(c6, Semantics::corrected), "");
}

// ---------------------------------------------------------------------------------------------
// The CLI: profile the example, then simulate on the result.

using test::dysta_cli;

TEST(ProfileCommand, CliProfileThenRun) {
  test::TempDir dir;
  const auto p = dysta_cli(dir.path(), "profile '" + kExample.string() + "' --out prof");
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_TRUE(fs::exists(dir.path() / "prof/profiles.csv"));
  EXPECT_TRUE(fs::exists(dir.path() / "prof/artifact/sanger/tinybert.csv"));
  EXPECT_TRUE(fs::exists(dir.path() / "prof/artifact/eyerissv2/tinycnn_unstructured50.csv"));
  const auto r = dysta_cli(dir.path(), "run -q --profiles prof --requests 300 --out run");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "run/summary.json"));
  // The artifact-format folders feed `dysta run` too, in reference semantics.
  const auto a = dysta_cli(dir.path(),
                           "run -q --profiles prof/artifact/eyerissv2 --semantics reference "
                           "--requests 100 --out run2");
  EXPECT_EQ(a.status, 0) << a.err;
}

TEST(ProfileCommand, CliBadInputExitsWithStatus2) {
  test::TempDir dir;
  test::write_text(
      dir.path() / "bad.yaml",
      std::string(kAttention) + "      - {id: 0, layers: [{density: 0.3, load_balance: 0}]}\n");
  const auto r = dysta_cli(dir.path(), "profile bad.yaml --out prof");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("bad.yaml:8: bert.sample 0.enc0.load_balance: must be in (0, 1]"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "prof"));
}

}  // namespace
}  // namespace dysta
