// libFuzzer target: PNG/JPEG decoding (load_image picks the decoder by signature).
#include "dysta/inference/image.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dysta::fuzz;
  const auto path = write_input("image", as_text(data, size));
  input_errors_only([&] {
    const auto image = dysta::inference::load_image(path);
    if (image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3) std::abort();
  });
  return 0;
}
