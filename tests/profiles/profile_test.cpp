// Profile loading and derived tables (spec B.1, F.2, F.4, F.5, K.1).
#include "dysta/profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dysta/accelerators/sanger.h"
#include "dysta/csv.h"
#include "dysta/py_random.h"
#include "dysta/synthetic.h"
#include "test_util.h"

namespace dysta {
namespace {

using test::capture_input_error;
using test::TempDir;
using test::write_text;

class K1Sets : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    write_k1_synthetic_sets(dir_->path());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static ProfileSet sanger() { return load_profiles(dir_->path() / "sanger", {}); }
  static ProfileSet eyeriss() { return load_profiles(dir_->path() / "eyerissv2", {}); }
  static TempDir* dir_;
};
TempDir* K1Sets::dir_ = nullptr;

// K.1 "Derived LUT checks": Sanger mean isolated latencies (= per-model targets), sorted order.
TEST_F(K1Sets, SangerTargetsAndOrder) {
  const ProfileSet set = sanger();
  ASSERT_EQ(set.size(), 3u);
  EXPECT_EQ(set.variant(0).name, "load_balance_bart_glue_128");
  EXPECT_EQ(set.variant(1).name, "load_balance_bert_squad_384");
  EXPECT_EQ(set.variant(2).name, "load_balance_gpt2_glue_128");
  EXPECT_NEAR(set.variant(0).target_latency_model_s, 0.006530228, 5e-10);
  EXPECT_NEAR(set.variant(1).target_latency_model_s, 0.012344250, 5e-10);
  EXPECT_NEAR(set.variant(2).target_latency_model_s, 0.013849473, 5e-10);
  for (const auto& v : set.variants()) {
    EXPECT_EQ(v.format, ProfileFormat::sanger);
    EXPECT_EQ(v.architecture, v.name);  // each Sanger file is its own model (B.1 step 7)
    EXPECT_EQ(v.target_latency_model_s, v.target_latency_pattern_s);
    EXPECT_EQ(v.avg_latency_model_s, v.avg_latency_s);
    EXPECT_EQ(v.num_samples(), 20u);
  }
  EXPECT_EQ(set.variant(0).num_layers, 6u);
  EXPECT_EQ(set.variant(1).num_layers, 12u);
  EXPECT_EQ(set.max_layers(), 12u);
}

// Sanger's overall-sparsity is a density: latency = F.1 formula of (density, 50%-skip) and the
// stored sparsity is 1 - density (F.5). bert b = 1, l = 2: s = 0.10 + 0.01 * ((7 + 6) mod 11) =
// 0.12, lb = 0.5 + 0.05 * ((1 + 4) mod 9) = 0.75.
TEST_F(K1Sets, SangerStoresZeroFractionAndFormulaLatency) {
  const ProfileSet set = sanger();
  const VariantProfile& bert = set.variant(*set.find("load_balance_bert_squad_384"));
  const SangerConfig config;
  EXPECT_EQ(bert.sparsity[0], 1 - 0.1);
  EXPECT_EQ(bert.latency_s[0], sanger_layer_latency_s(0.1, 0.5, config));
  const std::size_t pos = *bert.sample_position(1);
  EXPECT_EQ(bert.sparsities(pos)[2], 1 - 0.12);
  EXPECT_EQ(bert.latencies(pos)[2], sanger_layer_latency_s(0.12, 0.75, config));
}

// A different Sanger sequence length changes every latency (the loader passes its SangerConfig).
TEST_F(K1Sets, SangerConfigIsApplied) {
  ProfileLoadOptions opts;
  opts.sanger.seq_len = 128;
  const ProfileSet set = load_profiles(dir_->path() / "sanger", opts);
  EXPECT_EQ(set.variant(1).latency_s[0], sanger_layer_latency_s(0.1, 0.5, opts.sanger));
  EXPECT_LT(set.variant(1).target_latency_model_s, 0.012344250 / 2);
}

// K.1 Eyeriss: per-pattern targets, per-architecture merge (sample-weighted), sorted order,
// sparsity stored as is, architecture = name up to the first underscore.
TEST_F(K1Sets, EyerissTargetsMergeAndOrder) {
  const ProfileSet set = eyeriss();
  ASSERT_EQ(set.size(), 3u);
  const VariantProfile& filter = set.variant(0);
  const VariantProfile& unstructured = set.variant(1);
  const VariantProfile& netb = set.variant(2);
  EXPECT_EQ(filter.name, "netA_filter_sparse20");
  EXPECT_EQ(unstructured.name, "netA_unstructured_sparse20");
  EXPECT_EQ(netb.name, "netB_block4_sparse20");
  EXPECT_EQ(filter.architecture, "netA");
  EXPECT_EQ(filter.pattern, "filter_sparse20");
  EXPECT_EQ(netb.architecture, "netB");
  EXPECT_EQ(set.architectures(), (std::vector<std::string>{"netA", "netB"}));

  EXPECT_NEAR(filter.target_latency_pattern_s, 0.0310964, 1e-7);
  EXPECT_NEAR(unstructured.target_latency_pattern_s, 0.0375764, 1e-7);
  EXPECT_NEAR(netb.target_latency_pattern_s, 0.047717, 1e-6);
  EXPECT_NEAR(filter.target_latency_model_s, 0.0343364, 1e-7);
  EXPECT_EQ(filter.target_latency_model_s, unstructured.target_latency_model_s);
  EXPECT_NEAR(netb.target_latency_model_s, 0.047717, 1e-6);
  // 30 samples each: the model average is (30 a_f + 30 a_u) / 60 per layer.
  for (std::size_t l = 0; l < 8; ++l) {
    EXPECT_DOUBLE_EQ(filter.avg_latency_model_s[l],
                     (30 * filter.avg_latency_s[l] + 30 * unstructured.avg_latency_s[l]) / 60);
  }
  EXPECT_EQ(filter.est_remaining_model_s, unstructured.est_remaining_model_s);
  EXPECT_NE(filter.est_remaining_pattern_s, unstructured.est_remaining_pattern_s);

  // netB b = 0, l = 0: sp = 0.35, lat = ((0.01 * 1) * (1 - 0.35)) * 1.5 = 0.00975 ("%.9f").
  EXPECT_EQ(netb.sparsity[0], 0.35);
  EXPECT_EQ(netb.latency_s[0], 0.00975);
  EXPECT_EQ(netb.num_layers, 5u);
  EXPECT_EQ(netb.num_samples(), 30u);
}

// Writing a set in the native format and reading it back gives the same tables bit for bit.
TEST_F(K1Sets, NativeRoundTrip) {
  TempDir out;
  for (const ProfileSet& set : {sanger(), eyeriss()}) {
    write_native_profiles(set, out.path() / "native.csv");
    const ProfileSet back = load_profiles(out.path() / "native.csv", {});
    ASSERT_EQ(back.size(), set.size());
    for (std::size_t i = 0; i < set.size(); ++i) {
      EXPECT_EQ(back.variant(i).name, set.variant(i).name);
      EXPECT_EQ(back.variant(i).architecture, set.variant(i).architecture);
      EXPECT_EQ(back.variant(i).sample_ids, set.variant(i).sample_ids);
      EXPECT_EQ(back.variant(i).latency_s, set.variant(i).latency_s);
      EXPECT_EQ(back.variant(i).sparsity, set.variant(i).sparsity);
      EXPECT_EQ(back.variant(i).format, ProfileFormat::native);
      EXPECT_DOUBLE_EQ(back.variant(i).target_latency_model_s,
                       set.variant(i).target_latency_model_s);
    }
  }
}

// Native format: model,pattern,sample,layer,latency_s,sparsity; several variants per file, name
// = model_pattern (model alone when the pattern is empty), architecture = model; rows in any
// order; sample ids in order of first appearance.
TEST(NativeProfiles, SeveralVariantsPerFile) {
  TempDir dir;
  write_text(dir.path() / "p.csv",
             "model,pattern,sample,layer,latency_s,sparsity\n"
             "net,a,5,1,2.0,0.5\n"
             "net,a,5,0,1.0,0.25\n"
             "net,b,0,0,7.0,0.0\n"
             "net,a,2,0,3.0,0.75\n"
             "net,a,2,1,4.0,0.5\n"
             "net,b,0,1,1.0,0.0\n"
             "solo,,0,0,0.5,0.1\n");
  const ProfileSet set = load_profiles(dir.path() / "p.csv", {});
  ASSERT_EQ(set.size(), 3u);
  const VariantProfile& a = set.variant(0);
  const VariantProfile& b = set.variant(1);
  const VariantProfile& solo = set.variant(2);
  EXPECT_EQ(a.name, "net_a");
  EXPECT_EQ(a.architecture, "net");
  EXPECT_EQ(a.pattern, "a");
  EXPECT_EQ(b.name, "net_b");
  EXPECT_EQ(solo.name, "solo");
  EXPECT_EQ(solo.pattern, "");
  EXPECT_EQ(a.sample_ids, (std::vector<std::int64_t>{5, 2}));
  EXPECT_EQ(*a.sample_position(2), 1u);
  EXPECT_FALSE(a.sample_position(0).has_value());
  EXPECT_EQ(a.latency_s, (std::vector<double>{1.0, 2.0, 3.0, 4.0}));
  EXPECT_EQ(a.sparsity, (std::vector<double>{0.25, 0.5, 0.75, 0.5}));
  // Pattern level: a = [2, 3] per layer, target mean(3, 7) = 5; b = [7, 1], target 8.
  EXPECT_EQ(a.avg_latency_s, (std::vector<double>{2.0, 3.0}));
  EXPECT_EQ(a.avg_sparsity, (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(a.target_latency_pattern_s, 5.0);
  EXPECT_EQ(b.target_latency_pattern_s, 8.0);
  // Architecture "net" (B.1 step 7): weights 2 (a) and 1 (b): per layer
  // [(2*2 + 7)/3, (2*3 + 1)/3] = [11/3, 7/3], target (2*5 + 8)/3 = 6, remaining left to right.
  const std::vector<double> model_avg = {11.0 / 3.0, 7.0 / 3.0};
  for (const VariantProfile* v : {&a, &b}) {
    EXPECT_EQ(v->avg_latency_model_s, model_avg);
    EXPECT_EQ(v->target_latency_model_s, 6.0);
    EXPECT_EQ(v->est_remaining_model_s,
              (std::vector<double>{11.0 / 3.0 + 7.0 / 3.0, 7.0 / 3.0, 0.0}));
  }
  EXPECT_EQ(a.est_remaining_pattern_s, (std::vector<double>{5.0, 3.0, 0.0}));
  EXPECT_EQ(b.est_remaining_pattern_s, (std::vector<double>{8.0, 1.0, 0.0}));
  EXPECT_EQ(solo.target_latency_model_s, 0.5);
}

// real_remaining_s[k] is the left-to-right sum of layers k..L-1 and entry L is 0:
// (0.1 + 0.2) + 0.3 = 0.6000000000000001, not 0.1 + (0.2 + 0.3) = 0.6.
TEST(Profiles, RemainingTablesAreLeftToRightSums) {
  const VariantProfile v = test::simple_variant("v", "v", 3, {0.1, 0.2, 0.3, 0.3, 0.2, 0.1});
  const auto r0 = v.remaining(0);
  ASSERT_EQ(r0.size(), 4u);
  EXPECT_EQ(r0[0], (0.1 + 0.2) + 0.3);
  EXPECT_NE(r0[0], 0.6);
  EXPECT_EQ(r0[1], 0.2 + 0.3);
  EXPECT_EQ(r0[2], 0.3);
  EXPECT_EQ(r0[3], 0.0);
  const auto r1 = v.remaining(1);
  EXPECT_EQ(r1[0], (0.3 + 0.2) + 0.1);
  EXPECT_EQ(r1[1], 0.2 + 0.1);
  // Averages (x_0 + x_1) / 2 per layer, target = numpy mean of the two sequential totals.
  EXPECT_EQ(v.avg_latency_s,
            (std::vector<double>{(0.1 + 0.3) / 2, (0.2 + 0.2) / 2, (0.3 + 0.1) / 2}));
  EXPECT_EQ(v.target_latency_pattern_s, (((0.1 + 0.2) + 0.3) + ((0.3 + 0.2) + 0.1)) / 2);
  EXPECT_EQ(v.est_remaining_pattern_s[0],
            (v.avg_latency_s[0] + v.avg_latency_s[1]) + v.avg_latency_s[2]);
  EXPECT_EQ(v.est_remaining_pattern_s[3], 0.0);
}

// make_variant rejects tables that do not match samples x layers and duplicate sample ids.
TEST(Profiles, MakeVariantValidates) {
  EXPECT_THROW(make_variant("v", "v", "", {0, 1}, 2, {1, 2, 3}, {0, 0, 0}), InputError);
  EXPECT_THROW(make_variant("v", "v", "", {0, 0}, 1, {1, 2}, {0, 0}), InputError);
  EXPECT_THROW(make_variant("v", "v", "", {}, 1, {}, {}), InputError);
}

// The same variant name twice in one set is an error.
TEST(Profiles, DuplicateVariantNameRejected) {
  std::vector<VariantProfile> vs = {test::simple_variant("x", "x", 1, {1.0}),
                                    test::simple_variant("x", "x", 1, {2.0})};
  EXPECT_THROW(ProfileSet{std::move(vs)}, InputError);
}

// ---------------------------------------------------------------------------------------------
// Bad input: every defect raises InputError naming the file, the line and the field.

struct BadFile {
  std::string file;
  std::string text;
  std::size_t line;
  std::string field;
};

void expect_bad(const BadFile& bad) {
  TempDir dir;
  const auto path = dir.path() / bad.file;
  write_text(path, bad.text);
  const InputError e = capture_input_error([&] { load_profiles(path, {}); });
  SCOPED_TRACE(e.what());
  EXPECT_EQ(e.file(), path.string());
  EXPECT_EQ(e.line(), bad.line);
  EXPECT_EQ(e.field(), bad.field);
  const std::string what = e.what();
  EXPECT_NE(what.find(path.string() + ":" + std::to_string(bad.line) + ":"), std::string::npos);
  EXPECT_NE(what.find(bad.field), std::string::npos);
}

const char kEyerissHeader[] = "sim_lat,overall-sparsity,batch-indx,layer-indx\n";
const char kNativeHeader[] = "model,pattern,sample,layer,latency_s,sparsity\n";
const char kSangerHeader[] =
    "50%-no-skip,50%-skip,25%-no-skip,25%-skip,overall-sparsity,batch-indx,layer-indx\n";

// A truncated last row (fewer fields than the header) names the first missing column.
TEST(ProfileErrors, TruncatedLastRow) {
  expect_bad({"load_balance_x.csv",
              std::string(kSangerHeader) + "0.5,0.5,0.5,0.5,0.2,0,0\n0.5,0.5,0.5", 3, "25%-skip"});
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,0.5,0,0\n0.1,0.5,0\n", 3, "layer-indx"});
}

TEST(ProfileErrors, MissingColumn) {
  expect_bad({"e.csv", "sim_lat,overall-sparsity,batch-indx\n0.1,0.5,0\n", 1, "layer-indx"});
  expect_bad({"n.csv", "model,pattern,sample,layer,latency_s\nm,,0,0,1.0\n", 1, "sparsity"});
}

TEST(ProfileErrors, DuplicateCell) {
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,0.5,0,0\n0.1,0.5,0,1\n0.2,0.5,0,0\n", 4,
              "layer"});
}

// Sample 1 has no row for layer 1; the error points at the sample's first row.
TEST(ProfileErrors, MissingCell) {
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,0.5,0,0\n0.1,0.5,0,1\n0.2,0.5,1,0\n", 4,
              "layer"});
}

TEST(ProfileErrors, NanLatency) {
  expect_bad(
      {"n.csv", std::string(kNativeHeader) + "m,,0,0,1.0,0.5\nm,,0,1,nan,0.5\n", 3, "latency_s"});
  expect_bad({"e.csv", std::string(kEyerissHeader) + "nan,0.5,0,0\n", 2, "sim_lat"});
}

TEST(ProfileErrors, NegativeLatency) {
  expect_bad({"n.csv", std::string(kNativeHeader) + "m,,0,0,-0.5,0.5\n", 2, "latency_s"});
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,0.5,0,0\n-0.1,0.5,0,1\n", 3, "sim_lat"});
}

TEST(ProfileErrors, SparsityOutOfRange) {
  expect_bad({"n.csv", std::string(kNativeHeader) + "m,,0,0,1.0,1.5\n", 2, "sparsity"});
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,1.5,0,0\n", 2, "overall-sparsity"});
  expect_bad({"load_balance_x.csv", std::string(kSangerHeader) + "0.5,0.5,0.5,0.5,1.5,0,0\n", 2,
              "overall-sparsity"});
  // A Sanger density of 0 would divide by zero in F.1; a load balance above 1 is invalid too.
  expect_bad({"load_balance_x.csv", std::string(kSangerHeader) + "0.5,0.5,0.5,0.5,0,0,0\n", 2,
              "overall-sparsity"});
  expect_bad({"load_balance_x.csv", std::string(kSangerHeader) + "0.5,1.2,0.5,0.5,0.2,0,0\n", 2,
              "50%-skip"});
}

TEST(ProfileErrors, NonNumericText) {
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,0.5,0,0\nabc,0.5,0,1\n", 3, "sim_lat"});
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,0.5,x,0\n", 2, "batch-indx"});
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,0.5,0,1.5\n", 2, "layer-indx"});
  expect_bad({"n.csv", std::string(kNativeHeader) + "m,,0,0,1.0,0.5x\n", 2, "sparsity"});
}

TEST(ProfileErrors, UnknownHeaderFormat) {
  expect_bad({"u.csv", "foo,bar\n1,2\n", 1, "header"});
}

// Blank lines before the header are skipped (csv.h), so here the header is line 3 and header
// errors must point at line 3.
TEST(ProfileErrors, HeaderErrorsPointAtTheHeaderLine) {
  expect_bad({"e.csv", "\n\nsim_lat,overall-sparsity,batch-indx\n0.1,0.5,0\n", 3, "layer-indx"});
  expect_bad({"u.csv", "\n\nfoo,bar\n1,2\n", 3, "header"});
}

// An empty file has no line to point at; the error still names the file.
TEST(ProfileErrors, EmptyFile) {
  TempDir dir;
  const auto path = dir.path() / "empty.csv";
  write_text(path, "");
  const InputError e = capture_input_error([&] { load_profiles(path, {}); });
  EXPECT_EQ(e.file(), path.string());
  EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
  // A header without data rows is also rejected.
  write_text(path, kEyerissHeader);
  const InputError e2 = capture_input_error([&] { load_profiles(path, {}); });
  EXPECT_EQ(e2.file(), path.string());
}

TEST(ProfileErrors, DirectoryWithoutCsv) {
  TempDir dir;
  write_text(dir.path() / "notes.txt", "nothing\n");
  const InputError e = capture_input_error([&] { load_profiles(dir.path(), {}); });
  EXPECT_EQ(e.file(), dir.path().string());
  EXPECT_EQ(e.field(), "profiles");
  const InputError missing =
      capture_input_error([&] { load_profiles(dir.path() / "absent.csv", {}); });
  EXPECT_EQ(missing.file(), (dir.path() / "absent.csv").string());
}

// Variants of one architecture must have the same layer count (B.1 step 7).
TEST(ProfileErrors, ArchitectureLayerMismatch) {
  TempDir dir;
  write_text(dir.path() / "n.csv",
             std::string(kNativeHeader) + "m,a,0,0,1.0,0.5\nm,a,0,1,1.0,0.5\nm,b,0,0,1.0,0.5\n");
  const InputError e = capture_input_error([&] { load_profiles(dir.path() / "n.csv", {}); });
  EXPECT_EQ(e.field(), "layer");
  EXPECT_NE(std::string(e.what()).find("n.csv"), std::string::npos);
}

// The reader appends rows in the writers' order (samples ascending, layers 0..L-1) straight into
// the profile's arrays and falls back to per-sample rows on the first row out of that order. Any
// row order, and a switch at any row, gives the profile of the ordered file.
TEST(ProfileLoading, AnyRowOrderGivesTheOrderedProfile) {
  PyRandom rng(7);
  for (int trial = 0; trial < 60; ++trial) {
    const auto samples = static_cast<std::size_t>(rng.randint(1, 6));
    const auto layers = static_cast<std::size_t>(rng.randint(1, 5));
    struct Row {
      std::int64_t sample;
      std::size_t layer;
      double latency, sparsity;
    };
    std::vector<Row> rows;
    std::vector<std::int64_t> ids;
    std::int64_t id = rng.randint(0, 3);
    for (std::size_t s = 0; s < samples; ++s) {
      ids.push_back(id);
      for (std::size_t l = 0; l < layers; ++l) {
        rows.push_back({id, l, static_cast<double>(rng.randint(1, 999)) / 1000.0,
                        static_cast<double>(rng.randint(0, 100)) / 100.0});
      }
      id += rng.randint(1, 3);
    }
    const auto text = [&](const std::vector<Row>& rs) {
      std::string t = "sim_lat,overall-sparsity,batch-indx,layer-indx\n";
      for (const Row& r : rs) {
        t += format_double(r.latency) + "," + format_double(r.sparsity) + "," +
             std::to_string(r.sample) + "," + std::to_string(r.layer) + "\n";
      }
      return t;
    };
    TempDir dir;
    write_text(dir.path() / "m_p.csv", text(rows));
    const VariantProfile ordered = load_profiles(dir.path() / "m_p.csv", {}).variant(0);
    EXPECT_EQ(ordered.sample_ids, ids);
    ASSERT_EQ(ordered.latency_s.size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(ordered.latency_s[i], rows[i].latency);
      EXPECT_EQ(ordered.sparsity[i], rows[i].sparsity);
    }
    // One row moved earlier (the switch happens there), or the whole file shuffled.
    std::vector<Row> moved = rows;
    const auto from =
        static_cast<std::size_t>(rng.randint(0, static_cast<std::int64_t>(rows.size()) - 1));
    const auto to = static_cast<std::size_t>(rng.randint(0, static_cast<std::int64_t>(from)));
    std::rotate(moved.begin() + static_cast<std::ptrdiff_t>(to),
                moved.begin() + static_cast<std::ptrdiff_t>(from),
                moved.begin() + static_cast<std::ptrdiff_t>(from) + 1);
    std::vector<Row> shuffled = rows;
    for (std::size_t i = shuffled.size(); i > 1; --i) {
      std::swap(
          shuffled[i - 1],
          shuffled[static_cast<std::size_t>(rng.randint(0, static_cast<std::int64_t>(i) - 1))]);
    }
    for (const auto& variant : {moved, shuffled}) {
      write_text(dir.path() / "m_p.csv", text(variant));
      const VariantProfile v = load_profiles(dir.path() / "m_p.csv", {}).variant(0);
      // Samples keep their order of first appearance; each sample's cells are the same.
      ASSERT_EQ(v.num_samples(), samples);
      ASSERT_EQ(v.num_layers, layers);
      for (std::size_t s = 0; s < samples; ++s) {
        const std::size_t p = *ordered.sample_position(v.sample_ids[s]);
        for (std::size_t l = 0; l < layers; ++l) {
          EXPECT_EQ(v.latency_s[s * layers + l], ordered.latency_s[p * layers + l]);
          EXPECT_EQ(v.sparsity[s * layers + l], ordered.sparsity[p * layers + l]);
          EXPECT_EQ(v.real_remaining_s[s * (layers + 1) + l],
                    ordered.real_remaining_s[p * (layers + 1) + l]);
        }
      }
    }
  }
}

// In the ordered layout an incomplete sample is found where it ends (the middle one) or at the end
// of the file (the last one); either way the error names the sample's first row.
TEST(ProfileErrors, MissingCellInTheOrderedLayout) {
  expect_bad({"e.csv",
              std::string(kEyerissHeader) +
                  "0.1,0.5,0,0\n0.1,0.5,0,1\n0.2,0.5,1,0\n0.2,0.5,2,0\n0.2,0.5,2,1\n",
              4, "layer"});
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,0.5,0,0\n0.1,0.5,0,1\n0.2,0.5,1,0\n", 4,
              "layer"});
  // A later sample with more layers than the first: the first one misses the extra layer.
  expect_bad({"e.csv", std::string(kEyerissHeader) + "0.1,0.5,0,0\n0.2,0.5,1,0\n0.2,0.5,1,1\n", 2,
              "layer"});
}

}  // namespace
}  // namespace dysta
