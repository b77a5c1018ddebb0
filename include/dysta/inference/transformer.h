// The small transformers trained by scripts/train-transformers.py (docs/benchmark.md, "Trained
// transformers"), run by dysta's own ONNX engine, and the capture of their attention
// probabilities.
//
// A model folder holds model.onnx (opset 11, fp16 weights widened by Cast nodes), vocab.txt (line
// k = the real tokenizer id of compact id k; ids outside it map to the unknown row) and
// reference.json (model name, "causal", "max_len", and PyTorch's logits on a few inputs).
// Graph inputs: ids, positions, token_types [1, L] (integer-valued) and an additive attention
// bias [1, 1, L, L] (0 = visible, -1e4 = masked); an encoder-decoder ("kind": "encoder-decoder",
// BART-shaped) also takes the decoder's ids [1, L] (the ids shifted right behind
// "decoder_start") and its causal bias [1, 1, L, L], and its cross-attention uses the encoder's
// bias. Output: logits [1, L, vocab] (the decoder's, for an encoder-decoder).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dysta/inference/network.h"

namespace dysta::inference {

// The additive mask value of a hidden key (the training script's NEG).
inline constexpr float kAttentionMasked = -1e4f;

class TrainedTransformer {
 public:
  // Throws InputError naming the file for a missing or malformed model folder.
  static TrainedTransformer load(const std::filesystem::path& dir);

  const std::string& name() const { return name_; }
  bool causal() const { return causal_; }
  bool encoder_decoder() const { return encoder_decoder_; }
  std::int64_t max_len() const { return max_len_; }
  std::size_t vocab_size() const { return vocab_.size(); }
  std::int32_t unknown_id() const { return unk_; }
  const Network& network() const { return network_; }

  // Real tokenizer ids -> the model's compact ids (unknown_id() for ids outside vocab.txt;
  // negative ids other than -1 name special tokens, e.g. text::kBartBos).
  std::vector<std::int32_t> compact(std::span<const std::int32_t> real_ids) const;

  // Logits [1, L, vocab] for compact `ids` with `token_types` (empty = all 0; else same size).
  // Positions 0..L-1. Only the first `valid` tokens are visible as keys (padding masked; valid
  // = 0 means all L); causal models also hide later keys. Throws InputError for L = 0,
  // L > max_len(), an id outside the vocabulary or mismatched sizes.
  Tensor run(std::span<const std::int32_t> ids, std::span<const std::int32_t> token_types = {},
             std::size_t valid = 0, std::span<LayerObserver* const> observers = {}) const;
  // The graph inputs run() feeds (4 tensors, or 6 for an encoder-decoder); same contract.
  std::vector<Tensor> inputs(std::span<const std::int32_t> ids,
                             std::span<const std::int32_t> token_types = {},
                             std::size_t valid = 0) const;

 private:
  std::string name_;
  bool causal_ = false;
  bool encoder_decoder_ = false;
  std::int32_t decoder_start_ = 0;
  std::int64_t max_len_ = 0;
  std::vector<std::int32_t> vocab_;
  std::unordered_map<std::int32_t, std::int32_t> index_;
  std::int32_t unk_ = 0;
  Network network_;
};

// The additive bias [1, 1, L, L] of TrainedTransformer::run: key j visible from query i iff j <
// valid and (not causal or j <= i).
Tensor attention_bias(std::size_t len, std::size_t valid, bool causal);

// One attention layer's post-softmax probabilities, [heads, L, L] row-major (batch 1).
struct CapturedAttention {
  std::string layer;  // the softmax's output value name
  std::int64_t heads = 0;
  std::int64_t len = 0;
  std::vector<float> probabilities;
};

// Runs `network` on `inputs` and returns the probabilities of every attention layer (a Softmax of
// attention scores: LayerKind::kAttention) in execution order. Throws InputError for an
// attention output that is not [1, heads, L, L].
std::vector<CapturedAttention> capture_attention(const Network& network, std::vector<Tensor> inputs,
                                                 std::vector<Tensor>* outputs = nullptr);

}  // namespace dysta::inference
