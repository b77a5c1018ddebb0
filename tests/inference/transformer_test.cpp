// Trained transformers on dysta's ONNX engine against PyTorch's logits, and attention capture on
// a hand-made 2-layer model.
#include "dysta/inference/transformer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "dysta/config.h"
#include "dysta/error.h"
#include "dysta/inference/onnx.h"
#include "dysta/read_file.h"

namespace dysta::inference {
namespace {

// Logits of dysta's engine against the PyTorch logits stored by scripts/train-transformers.py
// (same fp16-rounded weights): the first 32 logits and the log-sum-exp over the whole vocabulary
// of every valid position within 2e-3 absolute, and the same arg-max. The third input has 3
// padding tokens, which are masked (their ids are 0 and must not change the valid logits).
void check_parity(const std::string& model) {
  const std::filesystem::path dir = data_dir() / "models" / model;
  if (!std::filesystem::exists(dir / "model.onnx")) GTEST_SKIP() << "no " << dir;
  const TrainedTransformer t = TrainedTransformer::load(dir);
  EXPECT_EQ(t.name(), model);
  const nlohmann::json ref = nlohmann::json::parse(read_file(dir / "reference.json"));
  ASSERT_EQ(ref["references"].size(), 3u);
  constexpr double kTol = 2e-3;
  for (const auto& r : ref["references"]) {
    const auto ids = r["ids"].get<std::vector<std::int32_t>>();
    const auto typ = r["token_types"].get<std::vector<std::int32_t>>();
    const auto valid = r["valid"].get<std::size_t>();
    const Tensor lg = t.run(ids, typ, valid);
    const auto v = static_cast<std::size_t>(lg.dim(2));
    ASSERT_EQ(v, t.vocab_size());
    for (std::size_t i = 0; i < valid; ++i) {
      const float* row = lg.data.data() + i * v;
      double mx = row[0];
      std::size_t arg = 0;
      for (std::size_t k = 1; k < v; ++k) {
        if (row[k] > mx) {
          mx = row[k];
          arg = k;
        }
      }
      double sum = 0;
      for (std::size_t k = 0; k < v; ++k) sum += std::exp(row[k] - mx);
      EXPECT_NEAR(mx + std::log(sum), r["logsumexp"][i].get<double>(), kTol)
          << model << " pos " << i;
      EXPECT_EQ(arg, r["argmax"][i].get<std::size_t>()) << model << " pos " << i;
      for (std::size_t k = 0; k < 32; ++k) {
        EXPECT_NEAR(row[k], r["logits_first32"][i][k].get<double>(), kTol)
            << model << " pos " << i << " logit " << k;
      }
    }
  }
}

TEST(TrainedTransformer, BertLogitsMatchPyTorch) {
  check_parity("bert-small");
}

TEST(TrainedTransformer, Gpt2LogitsMatchPyTorch) {
  check_parity("gpt2-small");
}

TEST(TrainedTransformer, BartLogitsMatchPyTorch) {
  check_parity("bart-small");
}

TEST(TrainedTransformer, BartFeedsTheShiftedIdsToTheDecoder) {
  const std::filesystem::path dir = data_dir() / "models" / "bart-small";
  if (!std::filesystem::exists(dir / "model.onnx")) GTEST_SKIP() << "no " << dir;
  const TrainedTransformer t = TrainedTransformer::load(dir);
  ASSERT_TRUE(t.encoder_decoder());
  const std::vector<std::int32_t> ids = {1, 40, 41, 42, 2};
  const std::vector<Tensor> in = t.inputs(ids, {}, 4);
  ASSERT_EQ(in.size(), 6u);
  EXPECT_EQ(in[4].data, (std::vector<float>{1, 1, 40, 41, 42}));  // decoder_start = <s> = 1
  // Encoder bias: padding key 4 hidden from every query; decoder bias: causal and padding.
  EXPECT_EQ(in[3].data[0 * 5 + 4], kAttentionMasked);
  EXPECT_EQ(in[3].data[0 * 5 + 3], 0.0f);
  EXPECT_EQ(in[5].data[0 * 5 + 1], kAttentionMasked);
  EXPECT_EQ(in[5].data[3 * 5 + 3], 0.0f);
  EXPECT_EQ(in[5].data[4 * 5 + 4], kAttentionMasked);
  // <s> and </s> are the special rows 1 and 2 (vocab.txt ids -2 and -3).
  EXPECT_EQ(t.compact(std::vector<std::int32_t>{-2, -3, -1, 99999999}),
            (std::vector<std::int32_t>{1, 2, 0, 0}));
  // 2 encoder layers, then per decoder layer self- and cross-attention.
  const auto caps = capture_attention(t.network(), t.inputs(ids));
  EXPECT_EQ(caps.size(), 6u);
}

TEST(TrainedTransformer, CapturesEveryLayerAndHeadOverValidTokens) {
  const std::filesystem::path dir = data_dir() / "models" / "gpt2-small";
  if (!std::filesystem::exists(dir / "model.onnx")) GTEST_SKIP() << "no " << dir;
  const TrainedTransformer t = TrainedTransformer::load(dir);
  const std::vector<std::int32_t> ids = {5, 17, 300, 42, 9};
  std::vector<Tensor> out;
  const auto caps =
      capture_attention(t.network(),
                        {Tensor({1, 5}, {5, 17, 300, 42, 9}), Tensor({1, 5}, {0, 1, 2, 3, 4}),
                         Tensor({1, 5}, 0.0f), attention_bias(5, 5, true)},
                        &out);
  ASSERT_EQ(caps.size(), 4u);  // 4 layers
  for (const CapturedAttention& c : caps) {
    EXPECT_EQ(c.heads, 4);
    EXPECT_EQ(c.len, 5);
    for (std::int64_t h = 0; h < 4; ++h) {
      for (std::int64_t i = 0; i < 5; ++i) {
        double row = 0;
        for (std::int64_t j = 0; j < 5; ++j) {
          const float p = c.probabilities[static_cast<std::size_t>((h * 5 + i) * 5 + j)];
          if (j > i) {
            EXPECT_EQ(p, 0.0f);  // causal: later keys masked exactly
          }
          row += p;
        }
        EXPECT_NEAR(row, 1.0, 1e-5);
      }
    }
  }
  // Same logits as run().
  const Tensor lg = t.run(ids);
  ASSERT_EQ(lg.data.size(), out.at(0).data.size());
  for (std::size_t k = 0; k < lg.data.size(); ++k) ASSERT_EQ(lg.data[k], out[0].data[k]);
}

// A hand-made 2-layer single-head model, d = 2: x = E[ids]; layer 1: p1 = softmax(x x^T +
// bias), y = p1 x; layer 2: p2 = softmax(0.5 * y y^T + bias). Inputs and names as the trained
// models'.
OnnxModel two_layer_model() {
  OnnxModel m;
  m.opset = 11;
  m.inputs = {"ids", "positions", "token_types", "bias"};
  m.outputs = {"y"};
  m.initializers.emplace_back("E", Tensor({3, 2}, {0, 0, 3, 0, 0, 2}));
  m.initializers.emplace_back("shape", Tensor({4}, {1, 1, -1, 2}));
  m.initializers.emplace_back("half", Tensor({}, 0.5f));
  const auto node = [&](std::string op, std::vector<std::string> in, std::string out,
                        std::vector<OnnxAttribute> attrs = {}) {
    OnnxNode n;
    n.op_type = std::move(op);
    n.inputs = std::move(in);
    n.outputs = {std::move(out)};
    n.attributes = std::move(attrs);
    m.nodes.push_back(std::move(n));
  };
  OnnxAttribute perm;
  perm.name = "perm";
  perm.ints = {0, 1, 3, 2};
  OnnxAttribute axis;
  axis.name = "axis";
  axis.i = 3;
  node("Gather", {"E", "ids"}, "x");
  node("Reshape", {"x", "shape"}, "x4");
  node("Transpose", {"x4"}, "xt", {perm});
  node("MatMul", {"x4", "xt"}, "s1");
  node("Add", {"s1", "bias"}, "s1b");
  node("Softmax", {"s1b"}, "p1", {axis});
  node("MatMul", {"p1", "x4"}, "y1");
  node("Transpose", {"y1"}, "yt", {perm});
  node("MatMul", {"y1", "yt"}, "s2");
  node("Mul", {"s2", "half"}, "s2h");
  node("Add", {"s2h", "bias"}, "s2b");
  node("Softmax", {"s2b"}, "p2", {axis});
  node("MatMul", {"p2", "y1"}, "y");
  return m;
}

TEST(AttentionCapture, HandMadeTwoLayerModel) {
  const Network net = build_onnx_network(two_layer_model(), "two-layer");
  // Tokens 1, 2, 0 and one padding token (id 0) that is masked as a key.
  const std::vector<float> ids = {1, 2, 0, 0};
  const auto caps = capture_attention(net, {Tensor({1, 4}, ids), Tensor({1, 4}, {0, 1, 2, 3}),
                                            Tensor({1, 4}, 0.0f), attention_bias(4, 3, false)});
  ASSERT_EQ(caps.size(), 2u);
  EXPECT_EQ(caps[0].layer, "p1");
  EXPECT_EQ(caps[1].layer, "p2");
  // Layer 1 by hand: x = (3,0), (0,2), (0,0), (0,0); scores x_i . x_j over keys 0..2.
  const double e9 = std::exp(9.0), e4 = std::exp(4.0);
  const double p1[4][4] = {{e9 / (e9 + 2), 1 / (e9 + 2), 1 / (e9 + 2), 0},
                           {1 / (e4 + 2), e4 / (e4 + 2), 1 / (e4 + 2), 0},
                           {1.0 / 3, 1.0 / 3, 1.0 / 3, 0},
                           {1.0 / 3, 1.0 / 3, 1.0 / 3, 0}};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      EXPECT_NEAR(caps[0].probabilities[static_cast<std::size_t>(i * 4 + j)], p1[i][j], 1e-6)
          << i << "," << j;
    }
  }
  // Layer 2 by hand from y = p1 x.
  double y[4][2];
  const double x[4][2] = {{3, 0}, {0, 2}, {0, 0}, {0, 0}};
  for (int i = 0; i < 4; ++i) {
    for (int c = 0; c < 2; ++c) {
      y[i][c] = 0;
      for (int j = 0; j < 4; ++j) y[i][c] += p1[i][j] * x[j][c];
    }
  }
  for (int i = 0; i < 4; ++i) {
    double s[3], z = 0;
    for (int j = 0; j < 3; ++j) {
      s[j] = std::exp(0.5 * (y[i][0] * y[j][0] + y[i][1] * y[j][1]));
      z += s[j];
    }
    for (int j = 0; j < 3; ++j) {
      EXPECT_NEAR(caps[1].probabilities[static_cast<std::size_t>(i * 4 + j)], s[j] / z, 1e-6);
    }
    EXPECT_EQ(caps[1].probabilities[static_cast<std::size_t>(i * 4 + 3)], 0.0f);  // padding key
  }
}

TEST(AttentionCapture, SoftmaxOfDenseOutputIsNotAttention) {
  // A classifier head: Softmax(MatMul(x, W)) with a constant W is not attention.
  OnnxModel m;
  m.opset = 11;
  m.inputs = {"x"};
  m.outputs = {"p"};
  m.initializers.emplace_back("W", Tensor({2, 2}, {1, 0, 0, 1}));
  OnnxNode mm;
  mm.op_type = "MatMul";
  mm.inputs = {"x", "W"};
  mm.outputs = {"s"};
  OnnxNode sm;
  sm.op_type = "Softmax";
  sm.inputs = {"s"};
  sm.outputs = {"p"};
  m.nodes = {mm, sm};
  const Network net = build_onnx_network(m, "head");
  EXPECT_TRUE(capture_attention(net, {Tensor({1, 2}, {1, 2})}).empty());
}

TEST(TrainedTransformer, MissingFolderIsAnInputError) {
  EXPECT_THROW(TrainedTransformer::load("/nonexistent/model"), InputError);
}

}  // namespace
}  // namespace dysta::inference
