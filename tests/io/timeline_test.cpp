// The Chrome trace as a viewer reads it (issue 14, item 7): JSON numbers parsed into doubles
// (nlohmann::json, like JavaScript's JSON.parse, rounds correctly), each slice's end computed as
// ts + dur in double. The default run (benchmark scenario paper-cnn), cut to 100 requests, has
// thousands of back-to-back layer slices; times rounded to decimal nanoseconds made about one in
// eight of them overlap its successor by one ulp, which viewers draw as nesting.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_paths.h"
#include "test_util.h"

namespace dysta {
namespace {

struct Slice {
  double ts, dur;
  double end() const { return ts + dur; }  // as the viewer computes it
};

TEST(Timeline, NoSliceOverlapsItsSuccessorAfterParsing) {
  test::TempDir dir;
  for (const char* tracks : {"request", "model"}) {
    const auto r =
        test::dysta_cli(dir.path(), std::string("run -q --requests 100 --timeline t.json ") +
                                        "--timeline-tracks " + tracks + " --out o");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto trace = nlohmann::json::parse(test::read_text(dir.path() / "t.json"));
    std::vector<Slice> accelerator;
    std::map<int, std::vector<Slice>> track_layers;  // tid -> layer slices on the tracks process
    std::map<int, Slice> request_span;               // tid -> request slice (request tracks)
    for (const auto& e : trace["traceEvents"]) {
      if (e["ph"] != "X") continue;
      const Slice s{e["ts"].get<double>(), e["dur"].get<double>()};
      ASSERT_GT(s.dur, 0.0) << e.dump();
      if (e["pid"] == 1) {
        accelerator.push_back(s);
      } else if (e["cat"] == "layer") {
        track_layers[e["tid"].get<int>()].push_back(s);
      } else {
        request_span[e["tid"].get<int>()] = s;
      }
    }
    ASSERT_GT(accelerator.size(), 1000u);
    auto by_start = [](const Slice& a, const Slice& b) { return a.ts < b.ts; };
    std::sort(accelerator.begin(), accelerator.end(), by_start);
    std::size_t touching = 0;
    for (std::size_t i = 0; i + 1 < accelerator.size(); ++i) {
      EXPECT_LE(accelerator[i].end(), accelerator[i + 1].ts) << tracks << " slice " << i;
      touching += accelerator[i].end() == accelerator[i + 1].ts;
    }
    // Most layers start the moment the previous one ends: the case that used to overlap.
    EXPECT_GT(touching, accelerator.size() / 2);
    for (auto& [tid, layers] : track_layers) {
      std::sort(layers.begin(), layers.end(), by_start);
      for (std::size_t i = 0; i + 1 < layers.size(); ++i) {
        EXPECT_LE(layers[i].end(), layers[i + 1].ts) << tracks << " track " << tid;
      }
      if (request_span.empty()) continue;
      const Slice& span = request_span.at(tid);
      EXPECT_GE(layers.front().ts, span.ts) << "track " << tid;
      EXPECT_LE(layers.back().end(), span.end()) << "track " << tid;
    }
    EXPECT_EQ(request_span.size(), std::string(tracks) == "request" ? 100u : 0u);
  }
}

}  // namespace
}  // namespace dysta
