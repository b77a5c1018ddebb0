// libFuzzer target: YAML experiment config (docs/config.md). An accepted config must reload from
// the YAML dysta writes beside every result (to_yaml) to the same configuration.
#include "dysta/config.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dysta::fuzz;
  const auto path = write_input("config.yaml", as_text(data, size));
  input_errors_only([&] {
    const dysta::Config c = dysta::load_config(path, {});
    const std::string yaml = dysta::to_yaml(c);
    const auto again = write_input("config2.yaml", yaml);
    if (dysta::to_yaml(dysta::load_config(again, {})) != yaml) std::abort();
  });
  return 0;
}
