// libFuzzer target: Eyeriss-V2 profile CSV (spec F.4).
#include "fuzz_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dysta::fuzz::fuzz_profile("net_pattern.csv", "batch-indx,layer-indx,sim_lat,overall-sparsity",
                            data, size);
  return 0;
}
