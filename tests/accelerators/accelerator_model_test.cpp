// The accelerator interface and registry, the bit-packed mask, mask files and synthetic masks.
#include <gtest/gtest.h>

#include <cmath>

#include "dysta/accelerators/bit_mask.h"
#include "dysta/accelerators/eyeriss_v2.h"
#include "dysta/accelerators/masks.h"
#include "dysta/accelerators/model.h"
#include "dysta/accelerators/profiling.h"
#include "dysta/error.h"
#include "dysta/py_random.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

TEST(BitMask, CountsAndExtractsAcrossWordBoundaries) {
  PyRandom rng(11);
  BitMask m({3, 7, 29});
  std::vector<bool> ref(m.size());
  for (std::uint64_t i = 0; i < m.size(); ++i) {
    ref[i] = rng.random() < 0.4;
    if (ref[i]) m.set(i);
  }
  for (int t = 0; t < 500; ++t) {
    const auto a = static_cast<std::uint64_t>(rng.randint(0, static_cast<std::int64_t>(m.size())));
    const auto b = static_cast<std::uint64_t>(
        rng.randint(static_cast<std::int64_t>(a), static_cast<std::int64_t>(m.size())));
    std::uint64_t expected = 0;
    for (std::uint64_t i = a; i < b; ++i) expected += ref[i] ? 1 : 0;
    EXPECT_EQ(m.count(a, b), expected);
    const auto n = static_cast<unsigned>(rng.randint(0, 64));
    std::uint64_t bits = 0;
    for (unsigned k = 0; k < n && a + k < m.size(); ++k) bits |= std::uint64_t{ref[a + k]} << k;
    EXPECT_EQ(m.bits(a, n), bits);
  }
  const BitMask ones = BitMask::ones({5, 13});
  EXPECT_EQ(ones.count(), 65u);
  EXPECT_EQ(ones.bits(60, 64), 0x1Fu);  // nothing past the end
  EXPECT_EQ(m.reshaped({21, 29}).count(), m.count());
  EXPECT_THROW(m.reshaped({20, 29}), InputError);
  EXPECT_EQ(BitMask::ones({1, 1, 4, 2}).squeezed_leading(2).shape(),
            (std::vector<std::int64_t>{4, 2}));
  EXPECT_THROW(BitMask({3, -1}), InputError);
}

TEST(AcceleratorRegistry, ListsTheModelsAndRejectsUnknownNames) {
  for (const char* name : {"sanger", "eyeriss_v2", "dense_array"}) {
    EXPECT_NE(accelerator_registry().find(name), nullptr) << name;
  }
  EXPECT_EQ(accelerator_registry().find("sanger")->artifact_csv, ArtifactCsv::sanger_stats);
  EXPECT_EQ(accelerator_registry().find("eyeriss_v2")->artifact_dir, "eyerissv2");
  try {
    make_accelerator("scnn", {}, Semantics::corrected);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("valid: dense_array, eyeriss_v2, sanger"),
              std::string::npos)
        << e.what();
  }
}

TEST(AcceleratorRegistry, EyerissModelThroughTheInterface) {
  LayerShape s;
  s.in_channels = 16;
  s.in_height = s.in_width = 8;
  s.out_channels = 16;
  s.kernel_h = s.kernel_w = 3;
  s.pad_h = s.pad_w = 1;
  const BitMask act = random_mask(s.activation_shape(), 0.6, 1);
  const BitMask wt = random_mask(s.weight_shape(), 0.7, 2);
  LayerInput in;
  in.name = "conv";
  in.shape = s;
  in.activation = &act;
  in.weights = &wt;
  for (const auto sem : {Semantics::reference, Semantics::corrected}) {
    const auto model = make_accelerator("eyeriss_v2", {}, sem);
    const LayerLatency r = model->latency(in);
    const auto direct = eyeriss_v2_simulate(s, act, wt, EyerissV2Config{}, sem);
    EXPECT_EQ(r.seconds, direct.latency_s);
    EXPECT_EQ(r.cycles, static_cast<double>(direct.cycles));
    double sum = 0;
    for (const auto& t : r.breakdown) sum += t.cycles;
    EXPECT_EQ(std::floor(sum + 1e-9), r.cycles);
  }
  EXPECT_NEAR(layer_sparsity(in), 1.0 - std::llround(0.6 * 1024) / 1024.0, 1e-15);
  // Constants are parameters: half the clock, twice the latency.
  const auto slow = make_accelerator("eyeriss_v2", {{"clock_hz", 100e6}}, Semantics::corrected);
  const auto fast = make_accelerator("eyeriss_v2", {}, Semantics::corrected);
  EXPECT_DOUBLE_EQ(slow->latency(in).seconds, 2 * fast->latency(in).seconds);
  EXPECT_THROW(make_accelerator("eyeriss_v2", {{"pe_rows", 2.5}}, Semantics::corrected),
               InputError);
  LayerInput missing = in;
  missing.weights = nullptr;
  EXPECT_THROW(fast->latency(missing), InputError);
}

// A third accelerator is one registered class; dense_array is that example. Its latency ignores
// the masks and follows the real geometry.
TEST(AcceleratorRegistry, DenseArrayIsSparsityUnaware) {
  LayerShape s;
  s.in_channels = 64;
  s.in_height = s.in_width = 56;
  s.out_channels = 64;
  s.kernel_h = s.kernel_w = 3;
  s.pad_h = s.pad_w = 1;
  const BitMask sparse = random_mask(s.activation_shape(), 0.1, 3);
  const BitMask dense = BitMask::ones(s.activation_shape());
  const BitMask wt = BitMask::ones(s.weight_shape());
  const auto model = make_accelerator("dense_array", {}, Semantics::corrected);
  LayerInput in;
  in.name = "c";
  in.shape = s;
  in.weights = &wt;
  in.activation = &sparse;
  const double t_sparse = model->latency(in).seconds;
  in.activation = &dense;
  EXPECT_EQ(model->latency(in).seconds, t_sparse);
  EXPECT_DOUBLE_EQ(model->latency(in).cycles, std::ceil(static_cast<double>(s.dense_macs()) / 192));
}

TEST(MaskFiles, NpyRoundTripAndDtypes) {
  test::TempDir dir;
  BitMask m({2, 3, 5});
  for (std::uint64_t i = 0; i < m.size(); i += 3) m.set(i);
  write_npy_mask(dir.path() / "m.npy", m);
  const NpyArray a = read_npy(dir.path() / "m.npy");
  EXPECT_EQ(a.shape, m.shape());
  EXPECT_EQ(a.dtype, "|u1");
  const BitMask back = npy_to_mask(a, "m.npy");
  for (std::uint64_t i = 0; i < m.size(); ++i) EXPECT_EQ(back.test(i), m.test(i));

  // A float32 file written by hand: header v1, C order.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes =
      std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  const float values[] = {0.0f, 0.25f, -1.5f, 0.0f};
  bytes.append(reinterpret_cast<const char*>(values), sizeof(values));
  test::write_text(dir.path() / "f.npy", bytes);
  const NpyArray f = read_npy(dir.path() / "f.npy");
  EXPECT_EQ(f.shape, (std::vector<std::int64_t>{4}));
  EXPECT_EQ(npy_to_doubles(f, "f.npy"), (std::vector<double>{0.0, 0.25, -1.5, 0.0}));
  EXPECT_EQ(npy_to_mask(f, "f.npy").count(), 2u);

  test::write_text(dir.path() / "bad.npy", "not numpy");
  EXPECT_THROW(read_npy(dir.path() / "bad.npy"), InputError);
  std::string fortran = bytes;
  fortran.replace(fortran.find("False"), 5, "True ");
  test::write_text(dir.path() / "fo.npy", fortran);
  EXPECT_THROW(read_npy(dir.path() / "fo.npy"), InputError);
  test::write_text(dir.path() / "short.npy", bytes.substr(0, bytes.size() - 3));
  EXPECT_THROW(read_npy(dir.path() / "short.npy"), InputError);
  std::string big_endian = bytes;
  big_endian.replace(big_endian.find("<f4"), 3, ">f4");
  test::write_text(dir.path() / "be.npy", big_endian);
  EXPECT_THROW(read_npy(dir.path() / "be.npy"), InputError);
  EXPECT_THROW(read_npy(dir.path() / "missing.npy"), InputError);

  // Found by fuzz_npy (scripts/fuzz.sh): a dimension past 64 bits ended in std::out_of_range
  // from stoll; dimensions whose product overflows wrapped around to a small element count.
  const auto with_shape = [&](const std::string& shape) {
    std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + h.size() + 1) % 64 != 0) h += ' ';
    h += '\n';
    std::string b = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size()) + '\0' + h;
    b.append(reinterpret_cast<const char*>(values), sizeof(values));
    test::write_text(dir.path() / "s.npy", b);
    return test::capture_input_error([&] { read_npy(dir.path() / "s.npy"); });
  };
  EXPECT_EQ(with_shape("(6, 3666666666666666666666666666, 3)").field(), "shape");
  // 2^32 x 2^30 x 4 bytes wraps to 0 in 64-bit arithmetic.
  EXPECT_EQ(with_shape("(4294967296, 1073741824)").field(), "shape");
  EXPECT_NE(std::string(with_shape("(4, 5)").what()).find("truncated"), std::string::npos);
}

TEST(MaskFiles, BitStrings) {
  const BitMask m = parse_bit_string("10 01\n1_1", {2, 3}, "x");
  EXPECT_EQ(m.count(), 4u);
  EXPECT_TRUE(m.test(0));
  EXPECT_FALSE(m.test(1));
  EXPECT_THROW(parse_bit_string("1012", {4}, "x"), InputError);
  EXPECT_THROW(parse_bit_string("101", {4}, "x"), InputError);
  EXPECT_THROW(parse_bit_string("10101", {4}, "x"), InputError);
}

TEST(SyntheticMasks, ExactCountsNestingAndPatterns) {
  const std::vector<std::int64_t> shape{16, 9, 9};
  const BitMask low = random_mask(shape, 0.3, 42), high = random_mask(shape, 0.7, 42);
  EXPECT_EQ(low.count(), static_cast<std::uint64_t>(std::llround(0.3 * 1296)));
  EXPECT_EQ(high.count(), static_cast<std::uint64_t>(std::llround(0.7 * 1296)));
  for (std::uint64_t i = 0; i < low.size(); ++i) {
    if (low.test(i)) {
      EXPECT_TRUE(high.test(i));
    }
  }
  EXPECT_NE(random_mask(shape, 0.3, 43).words()[0], low.words()[0]);
  EXPECT_EQ(random_mask(shape, 0.0, 1).count(), 0u);
  EXPECT_EQ(random_mask(shape, 1.0, 1).count(), 1296u);
  EXPECT_EQ(seed_from_key("a/b"), seed_from_key("a/b"));
  EXPECT_NE(seed_from_key("a/b"), seed_from_key("a/c"));

  LayerShape s;
  s.in_channels = 10;
  s.in_height = s.in_width = 5;
  s.out_channels = 8;
  s.kernel_h = s.kernel_w = 3;
  const BitMask filters = pruned_weights(s, PruningPattern::filter, 0.5, 4, 7);
  EXPECT_EQ(filters.count(), 4u * 90u);
  int whole = 0;
  for (std::uint64_t m = 0; m < 8; ++m) {
    const auto c = filters.count(m * 90, (m + 1) * 90);
    EXPECT_TRUE(c == 0 || c == 90);
    whole += c == 90 ? 1 : 0;
  }
  EXPECT_EQ(whole, 4);
  // Blocks of 4 input channels at fixed (m, r, s): ceil(10 / 4) = 3 blocks per tap.
  const BitMask blocks = pruned_weights(s, PruningPattern::block, 0.5, 4, 7);
  const std::uint64_t nblocks = 8 * 3 * 9;
  std::uint64_t kept_blocks = 0, kept_weights = 0;
  for (std::uint64_t m = 0; m < 8; ++m) {
    for (std::uint64_t tap = 0; tap < 9; ++tap) {
      for (std::uint64_t cb = 0; cb < 3; ++cb) {
        int on = 0, size = 0;
        for (std::uint64_t c = cb * 4; c < std::min<std::uint64_t>(10, cb * 4 + 4); ++c, ++size) {
          on += blocks.test((m * 10 + c) * 9 + tap) ? 1 : 0;
        }
        EXPECT_TRUE(on == 0 || on == size);
        kept_blocks += on > 0 ? 1 : 0;
        kept_weights += static_cast<std::uint64_t>(on);
      }
    }
  }
  EXPECT_EQ(kept_blocks, static_cast<std::uint64_t>(std::llround(0.5 * nblocks)));
  EXPECT_EQ(blocks.count(), kept_weights);
  EXPECT_EQ(pruned_weights(s, PruningPattern::dense, 0.1, 4, 7).count(), 720u);
  EXPECT_EQ(pruned_weights(s, PruningPattern::unstructured, 0.25, 4, 7).count(), 180u);
  EXPECT_THROW(parse_pruning_pattern("channel", "w"), InputError);
}

// A user accelerator, registered from this test file, drives `dysta profile` end to end.
class ConstantModel final : public AcceleratorModel {
 public:
  std::string name() const override { return "test_constant"; }
  bool supports(LayerType) const override { return true; }
  LayerLatency latency(const LayerInput&) const override { return {1e-3, 1000, {{"all", 1000}}}; }
};

DYSTA_REGISTER_ACCELERATOR({"test_constant",
                            "1 ms per layer (test only)",
                            {},
                            ArtifactCsv::sim_lat,
                            "test_constant",
                            [](const ParamValues&, Semantics) -> std::unique_ptr<AcceleratorModel> {
                              return std::make_unique<ConstantModel>();
                            }});

TEST(AcceleratorRegistry, UserModelDrivesProfiling) {
  test::TempDir dir;
  test::write_text(dir.path() / "job.yaml",
                   "models:\n"
                   "  - {model: m, accelerator: test_constant,\n"
                   "     layers: [{name: a, type: attention}, {name: f, type: fc, in_features: 8,\n"
                   "               out_features: 2, weights: dense}],\n"
                   "     samples: [{id: 0, layers: [{density: 0.5, load_balance: 1}, 0.5]},\n"
                   "               {id: 1, layers: [{density: 0.25, load_balance: 1}, 1.0]}]}\n");
  const auto variants =
      run_profile_job(read_profile_job(dir.path() / "job.yaml"), Semantics::corrected);
  ASSERT_EQ(variants.size(), 1u);
  EXPECT_EQ(variants[0].latency_s, (std::vector<double>{1e-3, 1e-3, 1e-3, 1e-3}));
  EXPECT_EQ(variants[0].sparsity, (std::vector<double>{0.5, 0.5, 0.75, 0.0}));
  write_profile_outputs(variants, dir.path() / "out");
  EXPECT_TRUE(fs::exists(dir.path() / "out/artifact/test_constant/m.csv"));
  EXPECT_EQ(load_profiles(dir.path() / "out/profiles.csv", {}).variant(0).target_latency_pattern_s,
            2e-3);
}

}  // namespace
}  // namespace dysta
