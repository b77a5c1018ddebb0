// Observers that record per-layer sparsity of one inference (docs/inference.md, "Sparsity").
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "dysta/inference/network.h"

namespace dysta::inference {

// Bit i is set when element i (row-major) is non-zero.
using BitMask = std::vector<std::uint64_t>;

BitMask nonzero_mask(const Tensor& t);

// What one layer of one inference looked like.
struct LayerSparsity {
  std::size_t layer_index = 0;  // position in Network::layers()
  std::string name;
  std::string op;
  LayerKind kind = LayerKind::kOther;
  Shape input_shape;  // first input
  Shape output_shape;
  // Exact-zero fraction of the first input: for conv/dense/matmul the input activations the
  // accelerator would skip, for activations and attention the pre-activation/logit tensor.
  double input_zero_fraction = 0.0;
  double output_zero_fraction = 0.0;
  std::int64_t weight_count = 0;  // conv/dense only
  double weight_zero_fraction = 0.0;
  // Attention only: fraction of probabilities below 1e-3, 1e-2 and 1/T (T = last axis length).
  double attention_below_1e3 = 0.0;
  double attention_below_1e2 = 0.0;
  double attention_below_inv_t = 0.0;
  BitMask input_mask;            // conv/dense/matmul, when masks are recorded
  std::vector<float> attention;  // attention probabilities, when recorded
};

// Records the layers of kind conv, dense, matmul, attention and activation (or every layer).
class SparsityRecorder final : public LayerObserver {
 public:
  struct Options {
    bool record_masks = false;      // keep the input activation masks
    bool record_attention = false;  // keep the post-softmax attention probabilities
    bool all_layers = false;        // record kOther layers too
  };

  SparsityRecorder() = default;
  explicit SparsityRecorder(Options options) : options_(options) {}

  void on_layer(const LayerEvent& event) override;

  const std::vector<LayerSparsity>& layers() const { return layers_; }
  // Forgets the recorded layers (the weight statistics cache stays: reuse with one network).
  void clear() { layers_.clear(); }

  // Size-weighted exact-zero fraction of the outputs of the activation layers (ReLU family).
  double activation_zero_fraction() const;
  // The activation layers' output zero fractions, in execution order.
  std::vector<double> activation_zero_fractions() const;

 private:
  Options options_;
  std::vector<LayerSparsity> layers_;
  std::map<const Tensor*, double> weight_zero_fraction_;  // weights are immutable: count once
};

// Static weight mask of one conv/dense layer (bit set = non-zero weight).
struct WeightMask {
  std::string layer;
  Shape shape;
  BitMask mask;
  double zero_fraction = 0.0;
};

std::vector<WeightMask> weight_masks(const Network& network);

// CSV with one row per recorded layer and the header
// model,input,layer_index,layer,op,kind,input_shape,output_shape,input_zero_fraction,
// output_zero_fraction,weight_count,weight_zero_fraction,attn_below_1e-3,attn_below_1e-2,
// attn_below_1_over_T
void write_sparsity_csv_header(std::ostream& out);
void write_sparsity_csv_rows(std::ostream& out, const std::string& model, const std::string& input,
                             const std::vector<LayerSparsity>& layers);

}  // namespace dysta::inference
