// libFuzzer target: native profile CSV (docs/formats.md).
#include "fuzz_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dysta::fuzz::fuzz_profile("native.csv", "model,pattern,sample,layer,latency_s,sparsity", data,
                            size);
  return 0;
}
