// libFuzzer target: a sweep point's summary.json (read by resume and `dysta merge`).
#include "dysta/sweep_runner.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dysta::fuzz;
  const auto path = write_input("point/summary.json", as_text(data, size));
  input_errors_only([&] {
    const dysta::StoredPoint p = dysta::read_point(path.parent_path());
    (void)dysta::point_key(p.point);
  });
  return 0;
}
