// libFuzzer target: Sanger load-balance profile CSV (spec F.1, F.2).
#include "fuzz_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dysta::fuzz::fuzz_profile("load_balance_model.csv",
                            "batch-indx,layer-indx,overall-sparsity,50%-skip", data, size);
  return 0;
}
