// Tokenizers against ids produced by the npm packages' own JavaScript
// (tests/text/make-tokenizer-fixtures.sh) and hand-checked cases.
#include "dysta/text/tokenizer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dysta/error.h"
#include "dysta/read_file.h"
#include "inference/real_assets.h"
#include "test_paths.h"

namespace dysta::text {
namespace {

nlohmann::json fixtures() {
  return nlohmann::json::parse(read_file(std::filesystem::path(DYSTA_SOURCE_DIR) /
                                         "tests/text/data/tokenizer-fixtures.json"));
}

TEST(Utf8, RoundTripAndInvalidBytes) {
  const std::string s = "a\xC3\xA9\xE2\x80\x94\xF0\x9F\x90\x8B";  // a é — 🐋
  EXPECT_EQ(decode_utf8(s), (std::u32string{U'a', 0xE9, 0x2014, 0x1F40B}));
  EXPECT_EQ(encode_utf8(decode_utf8(s)), s);
  // A lone continuation byte, a truncated sequence and an overlong '/' each read as U+FFFD.
  EXPECT_EQ(decode_utf8("\x80x\xE2\x80"), (std::u32string{0xFFFD, U'x', 0xFFFD, 0xFFFD}));
  EXPECT_EQ(decode_utf8("\xC0\xAF"), (std::u32string{0xFFFD, 0xFFFD}));
}

TEST(UnicodeClasses, HandPicked) {
  EXPECT_TRUE(is_letter(U'a'));
  EXPECT_TRUE(is_letter(0xE9));    // é
  EXPECT_TRUE(is_letter(0x4E2D));  // 中
  EXPECT_FALSE(is_letter(U'1'));
  EXPECT_TRUE(is_number(0xBD));  // ½ (No)
  EXPECT_TRUE(is_number(U'7'));
  EXPECT_TRUE(is_js_space(0xA0));
  EXPECT_FALSE(is_js_space(0x85));            // NEL is not JavaScript white space
  EXPECT_TRUE(is_bert_punctuation(U'$'));     // ASCII symbol: punctuation for BERT
  EXPECT_TRUE(is_bert_punctuation(0x2014));   // em dash (Pd)
  EXPECT_FALSE(is_bert_punctuation(0x20AC));  // euro sign (Sc)
}

TEST(Gpt2Tokenizer, PretokenizerPattern) {
  const auto paths = test::require_assets();
  if (IsSkipped()) return;
  const Gpt2Tokenizer t = Gpt2Tokenizer::load(paths.gpt2_tokenizer());
  // Contractions, " ?letters", " ?numbers", " ?other", and the white-space run that leaves its
  // last space to the next word.
  EXPECT_EQ(t.pretokenize("I'll go  now!!\n"),
            (std::vector<std::string>{"I", "'ll", " go", " ", " now", "!!", "\n"}));
  EXPECT_EQ(t.pretokenize("a 12b"), (std::vector<std::string>{"a", " 12", "b"}));
  EXPECT_EQ(t.encode("The"), (std::vector<std::int32_t>{464}));
  EXPECT_EQ(t.encode(" the"), (std::vector<std::int32_t>{262}));
  EXPECT_EQ(t.end_of_text(), 50256);
  EXPECT_EQ(t.vocab_size(), 50257u);
}

TEST(Gpt2Tokenizer, MatchesTheNpmPackagesIds) {
  const auto paths = test::require_assets();
  if (IsSkipped()) return;
  const Gpt2Tokenizer t = Gpt2Tokenizer::load(paths.gpt2_tokenizer());
  const nlohmann::json f = fixtures();
  ASSERT_GE(f.size(), 7u);
  for (const auto& c : f) {
    EXPECT_EQ(t.encode(c["text"].get<std::string>()), c["gpt2"].get<std::vector<std::int32_t>>())
        << c["text"];
  }
}

TEST(BertTokenizer, MatchesTheNpmPackagesIds) {
  const auto paths = test::require_assets();
  if (IsSkipped()) return;
  const BertTokenizer t = BertTokenizer::load(paths.bert_vocab());
  EXPECT_EQ(t.vocab_size(), 30522u);
  for (const auto& c : fixtures()) {
    const std::string text = c["text"].get<std::string>();
    EXPECT_EQ(t.basic(text), c["bert_words"].get<std::vector<std::string>>()) << text;
    EXPECT_EQ(t.encode(text), c["bert"].get<std::vector<std::int32_t>>()) << text;
  }
}

TEST(BertTokenizer, HandCheckedPieces) {
  const auto paths = test::require_assets();
  if (IsSkipped()) return;
  const BertTokenizer t = BertTokenizer::load(paths.bert_vocab());
  // bert-base-uncased ids: the 1996, whale 13156, . 1012, [UNK] 100.
  EXPECT_EQ(t.encode("The WHALE."), (std::vector<std::int32_t>{1996, 13156, 1012}));
  // "7½": standard BERT keeps ½ (no NFKC), so "7" + "##½" (1021, 13714); the npm package's
  // JavaScript applies NFKC first and differs here.
  EXPECT_EQ(t.encode("7\xC2\xBD"), (std::vector<std::int32_t>{1021, 13714}));
  // Accents are stripped after lower-casing: Ångström -> angstrom.
  EXPECT_EQ(t.basic("\xC3\x85ngstr\xC3\xB6m"), (std::vector<std::string>{"angstrom"}));
  // A word of more than 100 characters is one [UNK].
  EXPECT_EQ(t.encode(std::string(101, 'a')), (std::vector<std::int32_t>{BertTokenizer::kUnk}));
  // Controls are dropped, CJK ideographs are words of their own.
  EXPECT_EQ(t.basic("a\x07"
                    "b \xE4\xB8\xADx"),
            (std::vector<std::string>{"ab", "\xE4\xB8\xAD", "x"}));
}

TEST(Tokenizers, MissingOrBadFilesAreInputErrors) {
  EXPECT_THROW(Gpt2Tokenizer::load("/nonexistent/dir"), InputError);
  EXPECT_THROW(BertTokenizer::load("/nonexistent/vocab.json"), InputError);
}

}  // namespace
}  // namespace dysta::text
