// libFuzzer target: the JavaScript literal and base64 readers of UMD-wrapped model files.
#include "fuzz_util.h"
#include "inference/js_literal.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dysta::fuzz;
  const std::string_view text = as_text(data, size);
  input_errors_only([&] {
    std::size_t pos = 0;
    (void)dysta::inference::detail::parse_js_value(text, pos, "input.js");
  });
  input_errors_only([&] { (void)dysta::inference::detail::base64_decode(text, "input.js"); });
  return 0;
}
