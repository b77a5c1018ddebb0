// Eyeriss-V2 sparse CNN accelerator: mapping rules and cycle count of one conv or fc layer from a
// binary input-activation mask and a binary weight mask (spec F.3).
#pragma once

#include <cstdint>
#include <string>

#include "dysta/accelerators/bit_mask.h"
#include "dysta/accelerators/model.h"
#include "dysta/semantics.h"

namespace dysta {

// Constants; defaults are the reference artifact's (spec F.3, M).
struct EyerissV2Config {
  int pe_rows = 3, pe_cols = 4;            // PE cluster
  int cluster_rows = 8, cluster_cols = 2;  // cluster array; PE count = product = 192
  double clock_hz = 200e6;
  int iact_bits = 8;                   // activation width
  int iact_spad_height = 16;           // iact scratch-pad entries (R * C0 <= 16)
  std::int64_t iact_glb_bits = 96000;  // 3 banks x 32000 bits
  int max_m0 = 32;                     // M0 cap (Eyeriss-V2 Table III)
  int mac_cycles = 4;                  // cycles per effectual MAC
  int lookup_cycles = 2;               // cycles per non-empty iact column (read + weight address)
  // Reference semantics only: a channel count C that is not C2*C1*C0 is treated as zero-padded
  // to it (the padded channels add no MACs and no non-empty column) instead of failing as the
  // artifact's assertion does. Lets the artifact's procedure run on networks with channel counts
  // it never met (docs/benchmark.md); off by default.
  bool pad_channels = false;

  int pe_count() const { return pe_rows * pe_cols * cluster_rows * cluster_cols; }
};

// Loop-nest mapping (spec F.3 names). R is the kernel height.
struct EyerissV2Mapping {
  std::int64_t C0 = 0, C1 = 0, C2 = 0;
  std::int64_t F0 = 0, F1 = 0, F2 = 0;
  std::int64_t M0 = 0, M1 = 0, M2 = 0;
  std::int64_t S1 = 0, S2 = 0;
  std::int64_t E = 0;
  std::int64_t R = 0;
};

struct EyerissV2Result {
  EyerissV2Mapping mapping;
  std::uint64_t effectual_macs = 0;    // V
  std::uint64_t address_checks = 0;    // A
  std::uint64_t nonempty_columns = 0;  // Nnz
  // 4 V + A + 2 M1 S1 M2 S2 Nnz: work summed over all PEs.
  std::uint64_t work_cycles = 0;
  std::uint64_t cycles = 0;  // floor(work_cycles / PE count)
  double latency_s = 0;      // cycles / clock
};

// The mapping of spec F.3. Reference semantics: output width = input width (Q19). Corrected: E
// and the F split use the real output height and width; C0 and F0 are at least 1 where the
// reference would fail. Throws InputError naming `layer` where the reference model would abort.
EyerissV2Mapping eyeriss_v2_mapping(const LayerShape& shape, const EyerissV2Config& config,
                                    Semantics semantics, const std::string& layer = "layer");

// Cycle count of one layer (spec F.3). `activation`: (C, H, W) for conv, (C) for fc, leading 1s
// allowed; `weights`: (M, C/g, R, S) or (M, C). Both must match `shape`.
//
// Reference semantics reproduces the artifact: V counts a stride-1 "same"-padded convolution,
// whatever the layer's stride, padding and dilation (Q19); C must equal C2 C1 C0; the iact map
// is viewed as F2 F1 F0 rows of H values (padded to a square map when W != F2 F1 F0) and Nnz
// counts (channel, row) pairs whose R-row window inside its F0 group has a non-zero. The
// artifact accumulates in float32; dysta counts exactly, so results can differ by rounding once
// the work exceeds 2^24 (larger layers than the F.3 vectors).
//
// Corrected semantics: V and the output size use the real stride, padding and dilation; Nnz
// counts non-empty iact scratch-pad columns as the artifact's discarded permutes intended: one
// column = C0 channels x R kernel rows at one (output row, input column); channels need not fill
// C2 C1 C0 (the remainder is zero-padded). docs/accelerators.md lists the differences.
//
// Throws InputError naming `layer` and the field for inconsistent shapes or empty masks.
EyerissV2Result eyeriss_v2_simulate(const LayerShape& shape, const BitMask& activation,
                                    const BitMask& weights, const EyerissV2Config& config,
                                    Semantics semantics, const std::string& layer = "layer");

}  // namespace dysta
