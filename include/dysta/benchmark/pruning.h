// Magnitude pruning of a loaded network's conv and dense weights, per layer, in the three
// patterns of the paper (spec G.1): unstructured, block-4 and filter. One-shot, no fine-tuning
// (docs/benchmark.md, "Static sparsity").
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dysta/inference/network.h"

namespace dysta::benchmark {

enum class PrunePattern { unstructured, block4, filter };

std::string to_string(PrunePattern pattern);
// "unstructured", "block4" or "filter"; throws InputError naming `field` otherwise.
PrunePattern parse_prune_pattern(std::string_view text, const std::string& field);

// Target weight sparsity of the prunable layers, by layer group: the prunable layers in execution
// order are split into three equal groups (first, middle, last third), as the artifact's SparseML
// recipes set three final sparsities per level (spec G.1: sparse20 = 0.20/0.225/0.25, sparse60 =
// 0.575/0.60/0.625).
struct PruneLevel {
  std::string name;  // "sparse20", "sparse60", ... (prune_levels())
  std::array<double, 3> group_sparsity{};
};

PruneLevel sparse20();
PruneLevel sparse60();
// Every named level, lowest first: sparse1, sparse2, sparse5, sparse10 (sparse20's group ratios),
// sparse20, sparse30, sparse40 (sparse60's group spread), sparse60. The lower ones are the
// fallbacks of networks that cannot keep their function at the paper's levels (cnn.h).
const std::vector<PruneLevel>& prune_levels();
// A name of prune_levels(); throws InputError naming `field` otherwise.
PruneLevel parse_prune_level(std::string_view text, const std::string& field);

// Prunes one kernel and returns the pruned values. Layouts (the NHWC builders'): conv
// [kh,kw,Cin,Cout], depthwise [kh,kw,C,multiplier] (its input channel is C), dense [in,out].
// Rules, with n units and k = round(sparsity * n) of them zeroed, lowest score first (ties: lower
// flat index first):
//   unstructured: a unit is one weight, score |w|;
//   block4: a unit is 4 consecutive input channels at one (kh, kw, output) position (the last
//           block of a row may be shorter), score mean |w|;
//   filter: a unit is one output channel (all its kh x kw x Cin weights), score mean |w| (L1).
// Throws InputError for a sparsity outside [0, 1) or a kernel of another rank.
std::vector<float> prune_kernel(const inference::Tensor& kernel, bool depthwise,
                                PrunePattern pattern, double sparsity);

struct LayerPruning {
  std::size_t layer_index = 0;  // in Network::layers()
  std::string name;
  int group = 0;        // 0, 1, 2
  double target = 0;    // requested sparsity
  double achieved = 0;  // zero fraction of the pruned kernel (pre-existing zeros included)
  std::int64_t weights = 0;
};

struct PruneReport {
  PrunePattern pattern = PrunePattern::unstructured;
  PruneLevel level;
  std::string method = "magnitude";   // "magnitude" or "reconstruction" (reconstruction.h)
  std::vector<LayerPruning> layers;   // the pruned layers
  std::vector<std::string> excluded;  // conv/dense layers left dense (see prunable_layers)
  double overall_sparsity = 0;        // weight-count-weighted zero fraction of the pruned layers
};

// Installs `values` as the kernel of layer `layer_index` and appends its LayerPruning (achieved =
// zero fraction of `values`) to report.layers; adds its zeros and size to `zeros` / `total`.
void install_pruned_layer(inference::Network& network, std::size_t layer_index, int group,
                          double target, std::vector<float> values, PruneReport& report,
                          double& zeros, double& total);

// Indices of the conv/dense layers that are pruned: every conv/dense layer with editable weights
// except (a) a conv reading a network input directly (the RGB stem) and (b) the output heads,
// i.e. conv/dense layers from which no other conv/dense layer is reachable (classifier, SSD box
// and class predictors, the embedding projection). The excluded indices go to `excluded`.
std::vector<std::size_t> prunable_layers(const inference::Network& network,
                                         std::vector<std::size_t>* excluded = nullptr);

// Prunes `network` in place from the given dense weights (`dense[i]` = the values of layer i's
// weights, empty for layers without weights; use dense_weights() on the unpruned network).
PruneReport prune_network(inference::Network& network, const std::vector<std::vector<float>>& dense,
                          PrunePattern pattern, const PruneLevel& level);

// Copies of every layer's weight values (empty for layers without weights).
std::vector<std::vector<float>> dense_weights(const inference::Network& network);

// Restores the values returned by dense_weights().
void restore_weights(inference::Network& network, const std::vector<std::vector<float>>& dense);

}  // namespace dysta::benchmark
