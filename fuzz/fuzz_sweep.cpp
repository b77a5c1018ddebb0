// libFuzzer target: a config's sweep section expanded into points (docs/workflow.md), with the
// profile set fixed to a small native file so the mutations exercise the axes.
#include "dysta/config.h"
#include "dysta/sweep_file.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dysta::fuzz;
  static const auto profiles = write_input("sweep-profiles.csv",
                                           "model,pattern,sample,layer,latency_s,sparsity\n"
                                           "a,,0,0,0.001,0.5\na,,0,1,0.002,0.25\n"
                                           "b,x,7,0,0.010,0.9\nb,x,7,1,0.020,0.1\n");
  const auto path = write_input("sweep.yaml", as_text(data, size));
  input_errors_only([&] {
    dysta::Config c = dysta::load_config(path, {});
    c.profiles = profiles.string();
    c.sweep.profiles.clear();
    const dysta::SweepPlan plan = dysta::expand_sweep(c, path.string());
    for (const auto& p : plan.points) {
      if (dysta::point_key(dysta::point_from_json(dysta::point_json(p), "x")) !=
          dysta::point_key(p)) {
        std::abort();
      }
    }
  });
  return 0;
}
