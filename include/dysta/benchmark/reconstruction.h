// Post-training pruning with layer-wise reconstruction (docs/benchmark.md, "Static sparsity"):
// the Optimal Brain Compression / SparseGPT family (Frantar & Alistarh, NeurIPS 2022 and ICML
// 2023). No labels and no training loop: each conv/dense layer, in execution order, gets the mask
// and the remaining weights that minimise the change of its output on calibration activations.
//
// For one layer with dense weights W_d (rows = output units, columns = the K inputs of one
// output: kernel taps x input channels), the calibration gives, over N patch samples, the dense
// network's layer inputs x_d and the partly pruned network's inputs x_p (layers before this one
// already pruned). With H = sum x_p x_p^T + lambda I and G = sum x_d x_p^T:
//   1. drift correction: W* = W_d (G + lambda I) H^-1 minimises
//      sum ||W_d x_d - W x_p||^2 + lambda ||W - W_d||^2 (ridge towards the dense weights);
//   2. pruning of W* under the pattern with the OBS rule on U = upper Cholesky factor of H^-1
//      (H^-1 = U^T U), SparseGPT's sequential column sweep: columns in blocks; at a block's start
//      the units of the block with the lowest sum of w_j^2 / U_jj^2 are masked (per layer, not per
//      row); then column by column, a masked weight is removed and its error
//      w_j / U_jj is propagated to the later columns of its row (w_k -= err U_jk, k > j).
//      filter: a unit is a whole row, scored by its output energy w H w^T (nothing in the row
//      is left to compensate; the next layer's drift correction does).
// lambda = damping x mean(diag(sum x_p x_p^T)) (1 when that is 0), damping 0.01 (SparseGPT).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dysta/benchmark/pruning.h"
#include "dysta/inference/network.h"

namespace dysta::benchmark {

// One layer's reconstruction problem in row form. Rows of one group share H and G (a standard
// conv or dense layer has one group; a depthwise conv one group per channel).
struct RowProblem {
  std::int64_t rows = 0, cols = 0;
  std::vector<double> w;               // rows x cols, the dense weights (row-major)
  std::vector<int> group;              // [rows] -> group index
  std::vector<std::vector<double>> h;  // [group] cols x cols: sum x_p x_p^T (undamped)
  std::vector<std::vector<double>> g;  // [group] cols x cols: sum x_d x_p^T; empty = equal to h
  // Pruning units: each a list of (row, col) cells. Every unit except filter units lies in one
  // column block (see col_blocks); units are listed in order of their first cell.
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> units;
  bool whole_rows = false;  // filter: units are whole rows, scored by w H w^T
  // Column block starts (ascending, first 0); the sweep selects the units of one block at a time.
  std::vector<std::int64_t> col_blocks = {0};
  // Weight of each row's output error in the mask selection (empty = 1): the square of the
  // scale of a batch-norm / channel-affine layer that reads the layer's output, so that rows are
  // compared by their effect after it.
  std::vector<double> row_scale;
};

struct ReconstructionOptions {
  double damping = 0.01;            // lambda = damping x mean diagonal of H
  std::int64_t block = 128;         // SparseGPT column block (columns)
  std::int64_t max_positions = 64;  // output positions sampled per image and layer
  bool correct_drift = true;        // step 1 (off: W* = W_d, SparseGPT on W_d with H of x_p)
  // Batch-norm statistics re-estimation: every batch-norm / channel-affine layer (op
  // "BatchNormalization" or "ChannelAffine") after the first pruned layer maps the per-channel
  // mean and standard deviation of its input in the pruned network (over all calibration
  // positions) to those in the dense network: y = a k (x - mu_p) + a mu_d + b with k =
  // sd_d / sd_p (k = 1 when sd_p <= 1e-6 sd_d, e.g. a removed filter), a and b the layer's own
  // scale and shift (probed by running it on 0 and 1).
  bool reestimate_bn = true;
};

// True for the ops treated as batch norm (a per-channel affine map on the last axis).
bool is_channel_affine(const inference::Layer& layer);

// Solves one problem: round(sparsity x units) units are zeroed (allocated to column blocks in
// proportion: block b gets round(s x units up to its end) - round(s x units before it)), ties by
// lower unit index. Returns the new rows x cols weights. Throws InputError when H is not positive
// definite after damping.
std::vector<double> reconstruct(const RowProblem& problem, double sparsity,
                                const ReconstructionOptions& options);

// Builds the units and column blocks of a kernel for a pattern. Layouts as prune_kernel: conv
// [kh,kw,Cin,Cout] -> rows Cout, cols kh*kw*Cin (col = tap * Cin + c); depthwise [kh,kw,C,mult]
// -> rows C*mult (row = c * mult + m, group c), cols kh*kw; dense [in,out] -> rows out, cols in.
// block4: 4 consecutive input channels at one tap and output (depthwise: 4 consecutive channels
// at one tap and multiplier, i.e. cells of 4 rows). Fills rows, cols, w, group (groups: 1, or C
// for depthwise), units, whole_rows and col_blocks; h and g are left to the caller.
RowProblem kernel_problem(const inference::Tensor& kernel, bool depthwise, PrunePattern pattern,
                          std::int64_t block);

// Writes the rows x cols solution back into kernel layout (inverse of kernel_problem).
std::vector<float> kernel_values(const inference::Tensor& kernel, bool depthwise,
                                 const std::vector<double>& rows);

// Adds one image's patches of a conv/dense layer to the groups' H (x_p x_p^T) and G (x_d x_p^T).
// x_d / x_p: the layer's input in the dense / partly pruned network (NHWC [1,H,W,C], or [1, in]
// for dense); `output_h`, `output_w`: the layer's output size (1 x 1 for dense). Positions are
// sampled evenly: at most options.max_positions of the output_h x output_w (position
// floor(i P / M), i < M). Accumulation order is fixed, so results are deterministic.
void accumulate_patches(const inference::Layer& layer, const inference::Tensor& x_d,
                        const inference::Tensor& x_p, std::int64_t output_h, std::int64_t output_w,
                        const ReconstructionOptions& options, RowProblem& problem);

// Prunes `network` in place (from `dense`, as prune_network) with layer-wise reconstruction on
// the calibration inputs (network input tensors, one per image; disjoint from the evaluation
// inputs). The prunable layers, groups and targets are prune_network's. The network is run layer
// by layer on every calibration input twice (dense and partly pruned) with `threads` workers;
// results do not depend on `threads`. With options.reestimate_bn the batch-norm layers' functions
// are replaced (Network::set_layer_function): callers deriving several variants keep a copy of
// the original functions (Layer::run) and restore them.
PruneReport prune_network_reconstructed(inference::Network& network,
                                        const std::vector<std::vector<float>>& dense,
                                        PrunePattern pattern, const PruneLevel& level,
                                        const std::vector<inference::Tensor>& calibration,
                                        const ReconstructionOptions& options, int threads);

}  // namespace dysta::benchmark
