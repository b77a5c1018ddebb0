// libFuzzer target: NumPy .npy reader and its conversions (sparsity masks, LFW inputs).
#include "dysta/accelerators/masks.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dysta::fuzz;
  const auto path = write_input("array.npy", as_text(data, size));
  input_errors_only([&] {
    const auto array = dysta::read_npy(path);
    input_errors_only([&] { (void)dysta::npy_to_mask(array, path.string()); });
    (void)dysta::npy_to_doubles(array, path.string());
  });
  return 0;
}
