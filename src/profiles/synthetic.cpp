#include "dysta/synthetic.h"

#include <cstdio>
#include <string>

#include "dysta/atomic_output.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

void sanger_file(const fs::path& path, int layers, double base) {
  std::string out =
      "50%-no-skip,50%-skip,25%-no-skip,25%-skip,overall-sparsity,batch-indx,layer-indx\n";
  char line[256];
  for (int b = 0; b < 20; ++b) {
    for (int l = 0; l < layers; ++l) {
      const double s = base + 0.01 * ((7 * b + 3 * l) % 11);
      const double lb = 0.5 + 0.05 * ((b + 2 * l) % 9);
      std::snprintf(line, sizeof(line), "%.6f,%.6f,%.6f,%.6f,%.6f,%d,%d\n", lb, lb, lb, lb, s, b,
                    l);
      out += line;
    }
  }
  write_file_atomically(path, out);
}

void eyeriss_file(const fs::path& path, int layers, double base, double off) {
  std::string out = "sim_lat,overall-sparsity,batch-indx,layer-indx\n";
  char line[256];
  for (int b = 0; b < 30; ++b) {
    for (int l = 0; l < layers; ++l) {
      const double sp = (0.3 + off) + 0.02 * ((5 * b + 7 * l) % 13);
      const double lat = ((base * (1 + 0.1 * l)) * (1 - sp)) * 1.5;
      std::snprintf(line, sizeof(line), "%.9f,%.6f,%d,%d\n", lat, sp, b, l);
      out += line;
    }
  }
  write_file_atomically(path, out);
}

}  // namespace

void write_k1_synthetic_sets(const fs::path& dir) {
  sanger_file(dir / "sanger" / "load_balance_bert_squad_384.csv", 12, 0.10);
  sanger_file(dir / "sanger" / "load_balance_gpt2_glue_128.csv", 12, 0.20);
  sanger_file(dir / "sanger" / "load_balance_bart_glue_128.csv", 6, 0.15);
  eyeriss_file(dir / "eyerissv2" / "netA_unstructured_sparse20.csv", 8, 0.004, 0.0);
  eyeriss_file(dir / "eyerissv2" / "netA_filter_sparse20.csv", 8, 0.004, 0.1);
  eyeriss_file(dir / "eyerissv2" / "netB_block4_sparse20.csv", 5, 0.010, 0.05);
}

}  // namespace dysta
