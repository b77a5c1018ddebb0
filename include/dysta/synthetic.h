// The synthetic profile sets of spec K.1, used for golden parity with the reference artifact and
// as dysta's embedded example workload. They are made-up numbers, not measurements.
#pragma once

#include <filesystem>

namespace dysta {

// Writes <dir>/sanger/load_balance_{bert_squad_384,gpt2_glue_128,bart_glue_128}.csv and
// <dir>/eyerissv2/{netA_unstructured_sparse20,netA_filter_sparse20,netB_block4_sparse20}.csv
// byte-for-byte as spec K.1 defines them (C printf formatting).
void write_k1_synthetic_sets(const std::filesystem::path& dir);

}  // namespace dysta
