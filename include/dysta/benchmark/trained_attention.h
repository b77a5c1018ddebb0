// Real attention of the transformers trained by scripts/train-transformers.py, on real request
// texts at their real lengths, profiled on Sanger (spec F.1, F.2, F.5; docs/benchmark.md,
// "Trained transformers").
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "dysta/benchmark/attention.h"

#include "dysta/accelerators/profiling.h"
#include "dysta/inference/transformer.h"
#include "dysta/text/requests.h"

namespace dysta::benchmark {

struct TrainedAttentionOptions {
  // Sanger's pruning threshold on post-softmax probabilities: kept iff p > threshold (spec F.2),
  // and, unlike upstream, each query row also keeps its largest probability (first on ties), so
  // that a nearly uniform head of a long request (1/L < threshold) keeps one key per row instead
  // of none. In (0, 1).
  double threshold = 0.01;
  // Worker threads running requests in parallel (>= 1). Results do not depend on it.
  int threads = 1;
  // Sanger constants overriding the artifact defaults (docs/accelerators.md).
  ParamValues sanger_params;
};

// Per (layer, head), means over requests of per-query-row means over the valid query rows i
// (probabilities p_ij, L tokens): attention on the previous token (p_i,i-1; row 0 counts 0), the
// next token (p_i,i+1; the last row counts 0), itself, the first token ([CLS] for BERT), the
// delimiter tokens ([SEP] / <|endoftext|>; 0 when a request has none), the row entropy in nats,
// and the kept fraction of the thresholded mask (over all L x L entries).
struct HeadStats {
  std::size_t layer = 0;
  std::size_t head = 0;
  double previous = 0, next = 0, self = 0, first = 0, delimiter = 0, entropy = 0, density = 0;
};

struct TrainedAttentionResult {
  // model = the given name, pattern "", accelerator "sanger", layers "attn0".."attn<K-1>",
  // sample ids 0..n-1 in request order. Per (request, layer): the Sanger mask statistics of the
  // thresholded (heads, L, L) probabilities in corrected semantics, sparsity = 1 - density,
  // latency and cycle breakdown of the corrected Sanger model with L = the request's tokens.
  ProfiledVariant variant;
  std::vector<std::int64_t> tokens;  // [request]
  std::vector<HeadStats> heads;      // layer-major
};

// Runs `model` on every request (real ids mapped to compact ids, no padding: the sequence is the
// request's own tokens), captures every attention layer and profiles it on Sanger. `delimiters`
// are the real ids counted as delimiters in HeadStats. Sets the OpenBLAS thread count to 1.
// Throws InputError for a bad threshold, threads < 1, a request longer than the model's maximum,
// or a layer with no kept entry.
TrainedAttentionResult profile_trained_attention(const inference::TrainedTransformer& model,
                                                 const std::string& name,
                                                 const std::vector<text::TextRequest>& requests,
                                                 const std::vector<std::int32_t>& delimiters,
                                                 const TrainedAttentionOptions& options = {});

// CSV: model,layer,head,previous,next,self,first,delimiter,entropy,density (header line first).
std::string head_stats_csv(const std::string& model, const std::vector<HeadStats>& heads);

// CSV of requests: model,request,task,source,tokens,truncated (header line first).
std::string request_lengths_csv(const std::string& model,
                                const std::vector<text::TextRequest>& requests);

// The benchmark's trained attention sets (docs/benchmark.md, "Trained transformers").
struct TrainedSets {
  std::map<std::string, std::string> files;  // transformer-requests.csv, attention-heads.csv
  std::vector<ProfiledVariant> variants;     // bert-, gpt2-, bart-small-trained
  nlohmann::ordered_json manifest;           // per model: files' SHA-256, metrics, lengths
  std::string calibration_text;              // attention-calibration.txt
  struct Shape {
    AttentionCalibration calibration;
    std::vector<std::int64_t> lengths;  // real request lengths, request order
  };
  std::map<std::string, Shape> shapes;  // "bert", "gpt2", "bart" (paper_transformer_shapes keys)
};

// Loads bert-small, gpt2-small and bart-small from `models_dir` (empty = data_dir() / "models"),
// builds `requests` SQuAD-like (BERT) and GLUE-like (GPT-2; BART: the same texts in BART's form,
// text::bart_requests) requests from the held-out text with seed `seed` (at most max_inputs each
// when max_inputs > 0), profiles them (threshold 0.01, `threads` workers) and calibrates the
// synthetic model on each (min_tokens 8: GLUE-like sentences are short). Throws InputError for a
// missing model or package.
TrainedSets trained_attention_sets(const std::filesystem::path& models_dir,
                                   const inference::AssetPaths& paths, std::size_t requests,
                                   std::size_t max_inputs, std::uint64_t seed, int threads,
                                   std::ostream& log);

}  // namespace dysta::benchmark
