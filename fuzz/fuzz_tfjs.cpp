// libFuzzer target: a tfjs layers model folder (model.json and its weight manifest) and the Keras
// network builder (docs/inference.md). The input is model.json; a fixed 16-byte shard sits beside.
#include "dysta/inference/tfjs.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dysta::fuzz;
  static const auto shard = write_input("tfjs/group1-shard1of1", std::string(16, '\x01'));
  const auto path = write_input("tfjs/model.json", as_text(data, size));
  input_errors_only([&] {
    const auto model = dysta::inference::read_tfjs_model(path.parent_path());
    (void)dysta::inference::build_keras_network(model, "fuzz");
  });
  return 0;
}
