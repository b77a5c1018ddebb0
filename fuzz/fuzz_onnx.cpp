// libFuzzer target: ONNX protobuf reader and the network builder (docs/inference.md).
#include "dysta/inference/onnx.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dysta::fuzz;
  const auto path = write_input("model.onnx", as_text(data, size));
  input_errors_only([&] {
    const auto model = dysta::inference::read_onnx(path);
    (void)dysta::inference::build_onnx_network(model, "fuzz");
  });
  return 0;
}
