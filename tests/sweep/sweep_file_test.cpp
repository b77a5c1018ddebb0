// Sweep files: expansion order, axes, keys, validation; equality with run_sweep().
#include "dysta/sweep_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "dysta/report.h"
#include "dysta/sha256.h"
#include "dysta/sweep_merge.h"
#include "dysta/sweep_runner.h"
#include "test_paths.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

const std::string kData = std::string(DYSTA_SOURCE_DIR) + "/data/synthetic";

Config config_from(const fs::path& dir, const std::string& yaml) {
  test::write_text(dir / "sweep.yaml", yaml);
  return load_config(dir / "sweep.yaml", {});
}

// An sjf sweep of the synthetic Sanger set in reference semantics; `rates` and `seeds` are YAML
// list items ("60, 90").
Config reference_sjf_sweep(const fs::path& dir, int requests, const std::string& rates,
                           const std::string& seeds) {
  return config_from(dir, "profiles: " + kData + "/sanger\nsemantics: reference\n" +
                              "workload: {requests: " + std::to_string(requests) + "}\n" +
                              "sweep: {policies: [sjf], rates: [" + rates + "], seeds: [" + seeds +
                              "]}\n");
}

std::vector<std::optional<RunMetrics>> run_all(const SweepPlan& plan, unsigned threads = 2) {
  LocalQueue queue(pending_points(plan, nullptr, {}, true));
  std::vector<std::optional<RunMetrics>> results;
  run_points(plan, queue, {threads, nullptr, true, nullptr}, &results);
  return results;
}

TEST(SweepFile, ClassicAxesExpandInRunSweepOrderWithTheSameResults) {
  test::TempDir dir;
  for (const char* semantics : {"reference", "corrected"}) {
    const Config c =
        config_from(dir.path(), "profiles: " + kData + "/sanger\nsemantics: " + semantics +
                                    "\nworkload: {requests: 120}\n"
                                    "sweep:\n  policies: [fcfs, prema, dysta]\n"
                                    "  rates: [60, 90]\n  slo_multipliers: [2, 10]\n"
                                    "  seeds: [1, 2]\n");
    const SweepPlan plan = expand_sweep(c, "sweep.yaml");
    ASSERT_EQ(plan.points.size(), 2u * 2u * 2u * 3u);
    EXPECT_TRUE(plan.classic);

    SweepSpec spec;
    spec.policies = {"fcfs", "prema", "dysta"};
    spec.rates = {60, 90};
    spec.slo_multipliers = {2, 10};
    spec.seeds = {1, 2};
    spec.num_requests = 120;
    spec.semantics = parse_semantics(semantics);
    const auto expected = run_sweep(*plan.profile_sets[0], spec);
    const auto results = run_all(plan);
    ASSERT_EQ(expected.size(), plan.points.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const PointConfig& p = plan.points[i];
      EXPECT_EQ(p.seed, expected[i].seed);
      EXPECT_EQ(p.rate, expected[i].rate);
      EXPECT_EQ(p.slo_multiplier, expected[i].slo_multiplier);
      EXPECT_EQ(p.policy, expected[i].policy);
      EXPECT_EQ(metrics_json(*results[i]), metrics_json(expected[i].metrics)) << semantics << i;
    }
  }
}

TEST(SweepFile, ReferencePointsRecordEarlierRatesAndRecomputeAlone) {
  test::TempDir dir;
  const Config c = reference_sjf_sweep(dir.path(), 100, "60, 90, 120", "3");
  const SweepPlan plan = expand_sweep(c, "sweep.yaml");
  ASSERT_EQ(plan.points.size(), 3u);
  EXPECT_TRUE(plan.points[0].earlier_rates.empty());
  EXPECT_EQ(plan.points[2].earlier_rates, (std::vector<double>{60, 90}));
  const auto results = run_all(plan);
  // The last point alone, from its own configuration (as a shard or MPI rank computes it).
  const ProfileSet& set = *plan.profile_sets[0];
  const auto alone = run_point(set, point_stream(set, plan.points[2]), plan.points[2]);
  EXPECT_EQ(metrics_json(alone), metrics_json(*results[2]));
  // Its stream differs from a fresh generator at that rate.
  PointConfig fresh = plan.points[2];
  fresh.earlier_rates.clear();
  EXPECT_NE(point_stream(set, fresh)[0].arrival_s, point_stream(set, plan.points[2])[0].arrival_s);
  EXPECT_NE(point_key(fresh), plan.keys[2]);
}

// PointStreams continues the generator across a seed's rates and equals point_stream() for any
// order of points: in plan order, reversed, interleaved seeds, a changed request count, and a
// corrected-semantics point (no earlier rates) in between.
TEST(SweepFile, PointStreamsEqualPointStreamInAnyOrder) {
  test::TempDir dir;
  const Config c = reference_sjf_sweep(dir.path(), 80, "60, 90, 120, 150", "3, 4");
  const SweepPlan plan = expand_sweep(c, "sweep.yaml");
  ASSERT_EQ(plan.points.size(), 8u);
  const ProfileSet& set = *plan.profile_sets[0];
  std::vector<PointConfig> order(plan.points.begin(), plan.points.end());
  for (auto it = plan.points.rbegin(); it != plan.points.rend(); ++it) order.push_back(*it);
  for (std::size_t i = 0; i < 4; ++i) {  // seeds interleaved
    order.push_back(plan.points[i]);
    order.push_back(plan.points[4 + i]);
  }
  PointConfig fewer = plan.points[1];
  fewer.requests = 50;
  order.push_back(plan.points[0]);
  order.push_back(fewer);
  PointConfig corrected = plan.points[2];
  corrected.semantics = Semantics::corrected;
  corrected.earlier_rates.clear();
  order.push_back(corrected);
  order.push_back(plan.points[3]);
  PointStreams streams;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::vector<Request> a = streams.stream(set, order[k]);
    const std::vector<Request> b = point_stream(set, order[k]);
    ASSERT_EQ(a.size(), b.size()) << k;
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].arrival_s, b[i].arrival_s) << k << " " << i;
      ASSERT_EQ(a[i].variant, b[i].variant) << k << " " << i;
      ASSERT_EQ(a[i].sample_pos, b[i].sample_pos) << k << " " << i;
      ASSERT_EQ(a[i].priority, b[i].priority) << k << " " << i;
      ASSERT_EQ(a[i].deadline_s, b[i].deadline_s) << k << " " << i;
    }
  }
}

TEST(SweepFile, ParameterAndPredictorAxesMultiplyOnlyTheirComponent) {
  test::TempDir dir;
  const Config c = config_from(dir.path(), "profiles: " + kData +
                                               "/sanger\nworkload: {requests: 50}\n"
                                               "sweep:\n"
                                               "  policies: [fcfs, dysta]\n"
                                               "  predictors: [average, last_n]\n"
                                               "  policy_params:\n"
                                               "    dysta: {beta: [0.005, 0.02]}\n"
                                               "  predictor_params:\n"
                                               "    last_n: {n: [2, 4]}\n");
  const SweepPlan plan = expand_sweep(c, "sweep.yaml");
  EXPECT_FALSE(plan.classic);
  // (fcfs + 2 dysta) x (average + 2 last_n)
  ASSERT_EQ(plan.points.size(), 9u);
  EXPECT_EQ(plan.points[0].policy, "fcfs");
  EXPECT_TRUE(plan.points[0].policy_params.empty());
  EXPECT_EQ(plan.points[0].predictor, "average");
  EXPECT_EQ(plan.points[1].predictor_params.at("n"), 2);
  EXPECT_EQ(plan.points[2].predictor_params.at("n"), 4);
  EXPECT_EQ(plan.points[3].policy_params.at("beta"), 0.005);
  EXPECT_EQ(plan.points[6].policy_params.at("beta"), 0.02);
  std::set<std::string> keys(plan.keys.begin(), plan.keys.end());
  EXPECT_EQ(keys.size(), plan.points.size());
  // All points share one stream.
  for (const auto s : plan.stream) EXPECT_EQ(s, plan.stream[0]);

  const auto results = run_all(plan);
  const auto merged = collect_results(plan, results);
  const PointLabels labels = point_labels(merged);
  EXPECT_EQ(labels.label[0], "fcfs / average");
  EXPECT_EQ(labels.label[5], "dysta beta=0.005 / last_n n=4");
  EXPECT_EQ(labels.group[0], "");
  // A different beta changes Dysta's decisions on this workload.
  EXPECT_NE(merged_csv(merged).find("beta=0.02"), std::string::npos);
}

TEST(SweepFile, ProfileSetAndSemanticsAxesGroupThePoints) {
  test::TempDir dir;
  const Config c = config_from(dir.path(), "profiles: " + kData +
                                               "/sanger\nworkload: {requests: 40, rate: 20}\n"
                                               "sweep:\n"
                                               "  profiles: [" +
                                               kData + "/sanger, " + kData +
                                               "/eyerissv2]\n"
                                               "  semantics: [reference, corrected]\n"
                                               "  policies: [sjf]\n");
  const SweepPlan plan = expand_sweep(c, "sweep.yaml");
  ASSERT_EQ(plan.points.size(), 4u);
  EXPECT_EQ(plan.profile_sets.size(), 2u);
  EXPECT_EQ(plan.points[1].semantics, Semantics::corrected);
  EXPECT_EQ(plan.profile_set[2], 1u);
  const auto merged = collect_results(plan, run_all(plan, 1));
  const PointLabels labels = point_labels(merged);
  EXPECT_EQ(labels.group[0], "profiles " + kData + "/sanger, reference semantics");
  const std::string table = merged_table(merged);
  EXPECT_NE(table.find("[profiles " + kData + "/eyerissv2, corrected semantics]"),
            std::string::npos);
}

TEST(SweepFile, KeysAreStableAndFollowFileContentsNotPaths) {
  test::TempDir dir;
  fs::copy(kData + "/sanger", dir.path() / "copy");
  const std::string body =
      "\nworkload: {requests: 10}\nsweep: {policies: [dysta], rates: [30], seeds: [1]}\n";
  const SweepPlan a =
      expand_sweep(config_from(dir.path(), "profiles: " + kData + "/sanger" + body), "sweep.yaml");
  const SweepPlan b = expand_sweep(config_from(dir.path(), "profiles: copy" + body), "sweep.yaml");
  EXPECT_EQ(a.keys, b.keys);
  EXPECT_EQ(a.keys[0].size(), 16u);
  // The key is part of the on-disk format: changing the canonical form orphans every stored
  // point. Update this value only on purpose (and say so in the release notes).
  EXPECT_EQ(a.keys[0], "72f5a92bb59cfa70");
  // A changed profile file changes the key.
  const fs::path f = dir.path() / "copy" / "load_balance_bart_glue_128.csv";
  std::string text = test::read_text(f);
  text.back() = text.back() == '\n' ? ' ' : '\n';
  test::write_text(f, text + "\n");
  const SweepPlan c = expand_sweep(config_from(dir.path(), "profiles: copy" + body), "sweep.yaml");
  EXPECT_NE(c.keys[0], a.keys[0]);
}

TEST(SweepFile, Sha256MatchesFipsVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(SweepFile, PointJsonRoundTrips) {
  test::TempDir dir;
  const SweepPlan plan =
      expand_sweep(config_from(dir.path(), "profiles: " + kData +
                                               "/sanger\nsemantics: reference\nworkload: {mix: "
                                               "{load_balance_bert_squad_384: 2}}\n"
                                               "sweep: {rates: [30, 40], predictors: [last_n]}\n"),
                   "sweep.yaml");
  for (const auto& p : plan.points) {
    const PointConfig back = point_from_json(point_json(p), "x");
    EXPECT_EQ(point_json(back), point_json(p));
    EXPECT_EQ(point_key(back), point_key(p));
  }
}

// PointKeyer builds the canonical JSON text from the base's members: its keys must be those of
// point_key() (SHA-256 of nlohmann's dump) for any base and any values of the five per-point
// fields, including edge numbers (0.0 and -0.0 apart), escaped strings, parameters, mixes, drops
// and earlier rates.
TEST(SweepFile, PointKeyerEqualsPointKeyOnRandomPoints) {
  test::XorShift64 next{0x9e3779b97f4a7c15ULL};
  const std::vector<double> numbers = {0.0,     -0.0, 1.0,      0.1,   1e-7,  1e21, 123456789.125,
                                       1.0 / 3, 30,   2.5e-300, 1e300, -4.75, 1e15, 1e16};
  const std::vector<std::string> names = {"fcfs", "dysta", "a\"b", "tab\there", "é", "", "x_y"};
  const auto number = [&] {
    const double x = numbers[next() % numbers.size()];
    return next() % 3 == 0 ? x : x * static_cast<double>(next() % 1000 + 1) / 7.0;
  };
  const auto params = [&] {
    ParamValues p;
    for (std::uint64_t n = next() % 4; n > 0; --n) p[names[next() % names.size()]] = number();
    return p;
  };
  std::size_t checked = 0;
  for (int b = 0; b < 60; ++b) {
    PointConfig base;
    base.profiles = "/some/path/" + std::to_string(b);
    base.profiles_sha256 = sha256_hex(std::to_string(b));
    base.sanger.clock_hz = number();
    base.sanger.bandwidth_gb_s = number();
    base.semantics = next() % 2 ? Semantics::reference : Semantics::corrected;
    base.seed = next() % 3 == 0 ? kMaxSeed : next() % 1000;
    base.rate = number();
    base.earlier_rates.clear();
    for (std::uint64_t n = next() % 4; n > 0; --n) base.earlier_rates.push_back(number());
    base.requests = 1 + next() % 100000;
    base.priorities.clear();
    for (std::uint64_t n = next() % 4; n > 0; --n) {
      base.priorities.push_back(static_cast<int>(1 + next() % kMaxPriority));
    }
    base.mix = params();
    base.drop = static_cast<DropRule>(next() % 3);
    // One keyer for all the base's points: it remembers dumps, more values than it keeps.
    PointKeyer keyer(base);
    std::vector<std::pair<PointConfig, std::string>> keyed;
    for (int k = 0; k < 50; ++k) {
      PointConfig p = base;
      p.policy = names[next() % names.size()];
      p.policy_params = params();
      p.predictor = names[next() % names.size()];
      p.predictor_params = params();
      p.slo_multiplier = number();
      nlohmann::json j = point_json(p);
      j.erase("profiles");
      const std::string expected = sha256_hex(j.dump()).substr(0, 16);
      ASSERT_EQ(point_key(p), expected);
      ASSERT_EQ(keyer.key(p), expected) << j.dump();
      keyed.emplace_back(std::move(p), expected);
      ++checked;
    }
    // Keyed again in reverse: remembered and forgotten dumps alike give the same keys.
    for (auto it = keyed.rbegin(); it != keyed.rend(); ++it) {
      ASSERT_EQ(keyer.key(it->first), it->second);
    }
  }
  EXPECT_EQ(checked, 3000u);
}

TEST(SweepFile, Sha256OfEveryLengthAroundTheBlockBoundaries) {
  // Fed whole or in pieces, with or without the CPU's SHA instructions, the digest is the same;
  // lengths 0..200 cross the padding cases.
  for (std::size_t n = 0; n <= 200; ++n) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i) text += static_cast<char>('a' + (i * 7 + n) % 26);
    Sha256 pieces;
    for (std::size_t i = 0; i < n; i += 1 + i % 13) {
      pieces.update(std::string_view(text).substr(i, 1 + i % 13));
    }
    const std::string whole = sha256_hex(text);
    ASSERT_EQ(pieces.hex(), whole) << n;
    const bool before = Sha256::use_hardware(false);
    EXPECT_EQ(sha256_hex(text), whole) << n;
    Sha256::use_hardware(before);
  }
  const bool before = Sha256::use_hardware(false);
  EXPECT_FALSE(Sha256::hardware());
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  Sha256::use_hardware(before);
  // Vectors of FIPS 180-4's examples (two blocks; 56 bytes pad into a second block).
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(SweepFile, BadAxesNameFileLineAndKey) {
  test::TempDir dir;
  const std::string head = "profiles: " + kData + "/sanger\n";
  struct Case {
    std::string yaml, expected;
  };
  const std::vector<Case> cases = {
      {head + "sweep:\n  policies: [dysta]\n  policy_params:\n    dysta: {gamma: [1, 2]}\n",
       "sweep.yaml:5: sweep.policy_params.dysta.gamma: unknown parameter of policy 'dysta'"},
      {head + "sweep:\n  policies: [fcfs]\n  policy_params:\n    dysta: {beta: [1]}\n",
       "sweep.yaml:5: sweep.policy_params.dysta.beta: 'dysta' is not one of the swept policies"},
      {head + "sweep:\n  predictors: [average, oracle]\n", "unknown predictor 'oracle'"},
      {head + "sweep:\n  semantics: [reference, exact]\n",
       "sweep.yaml:3: sweep.semantics[1]: expected reference or corrected"},
      {head + "sweep:\n  predictor_params:\n    last_n: {n: [2, x]}\n",
       "sweep.predictor_params.last_n.n[1]: expected a finite number"},
      {head + "sweep:\n  profiles: [nowhere]\n", "no such file or directory"},
      {head + "sweep:\n  predictors: [last_n]\n  predictor_params:\n    last_n: {n: [0]}\n",
       "sweep.predictor_params.last_n.n"},
  };
  for (const auto& c : cases) {
    const InputError e = test::capture_input_error([&] {
      expand_sweep(config_from(dir.path(), c.yaml), (dir.path() / "sweep.yaml").string());
    });
    EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
        << c.yaml << "\n-> " << e.what();
  }
}

TEST(SweepFile, ResolvedConfigYamlExpandsToTheSamePoints) {
  test::TempDir dir;
  const Config c = config_from(dir.path(), "profiles: " + kData +
                                               "/sanger\nsweep:\n  semantics: [corrected]\n"
                                               "  policies: [dysta, sdrm3]\n"
                                               "  predictors: [average, last_n]\n"
                                               "  policy_params:\n    dysta: {beta: [0.1, 0.2]}\n"
                                               "    sdrm3: {alpha: [2]}\n"
                                               "  predictor_params:\n    last_n: {n: [3]}\n");
  test::write_text(dir.path() / "again.yaml", to_yaml(c));
  const Config again = load_config(dir.path() / "again.yaml", {});
  EXPECT_EQ(expand_sweep(c, "a").keys, expand_sweep(again, "b").keys);
}

}  // namespace
}  // namespace dysta
