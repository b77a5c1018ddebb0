// libFuzzer target: request trace CSV (docs/formats.md), against a fixed two-model profile set;
// an accepted trace must survive format_trace() -> read_trace() unchanged.
#include "dysta/profile.h"
#include "dysta/workload.h"
#include "fuzz_util.h"

namespace {
const dysta::ProfileSet& profiles() {
  static const dysta::ProfileSet set = [] {
    const auto path = dysta::fuzz::write_input(
        "trace-profiles.csv",
        "model,pattern,sample,layer,latency_s,sparsity\n"
        "a,,0,0,0.001,0.5\na,,0,1,0.002,0.25\na,,3,0,0.003,0.5\na,,3,1,0.001,0\n"
        "b,x,7,0,0.010,0.9\nb,x,7,1,0.020,0.1\n");
    return dysta::load_profiles(path, dysta::ProfileLoadOptions{});
  }();
  return set;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dysta::fuzz;
  std::string text(as_text(data, size));
  if (text.empty() || text[0] != '!') {
    text = "arrival_s,model,sample,priority,slo_multiplier\n" + text;
  } else {
    text.erase(0, 1);
  }
  const auto path = write_input("trace.csv", text);
  input_errors_only([&] {
    const auto requests = dysta::read_trace(path, profiles());
    const auto again = write_input("trace2.csv", dysta::format_trace(requests, profiles()));
    if (dysta::format_trace(dysta::read_trace(again, profiles()), profiles()) !=
        dysta::format_trace(requests, profiles())) {
      std::abort();
    }
  });
  return 0;
}
