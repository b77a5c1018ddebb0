// Trained transformers on dysta's ONNX engine, and attention capture
// (include/dysta/inference/transformer.h).
#include "dysta/inference/transformer.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "dysta/error.h"
#include "dysta/inference/onnx.h"
#include "dysta/read_file.h"

namespace fs = std::filesystem;

namespace dysta::inference {
namespace {

// Keeps the output of every attention layer.
class AttentionObserver final : public LayerObserver {
 public:
  void on_layer(const LayerEvent& e) override {
    if (e.layer.kind != LayerKind::kAttention) return;
    const Shape& s = e.output.shape;
    if (s.size() != 4 || s[0] != 1 || s[2] != s[3]) {
      throw InputError(
          "", 0, e.layer.name,
          fmt::format("attention probabilities {} are not [1, heads, L, L]", shape_string(s)));
    }
    captured.push_back({e.layer.name, s[1], s[2], e.output.data});
  }
  std::vector<CapturedAttention> captured;
};

}  // namespace

Tensor attention_bias(std::size_t len, std::size_t valid, bool causal) {
  const auto l = static_cast<std::int64_t>(len);
  Tensor b({1, 1, l, l});
  for (std::size_t i = 0; i < len; ++i) {
    for (std::size_t j = 0; j < len; ++j) {
      const bool visible = j < valid && (!causal || j <= i);
      b.data[i * len + j] = visible ? 0.0f : kAttentionMasked;
    }
  }
  return b;
}

TrainedTransformer TrainedTransformer::load(const fs::path& dir) {
  TrainedTransformer t;
  const fs::path ref_path = dir / "reference.json";
  nlohmann::json ref;
  try {
    ref = nlohmann::json::parse(read_file(ref_path));
    t.name_ = ref.at("model").get<std::string>();
    t.causal_ = ref.at("causal").get<bool>();
    t.max_len_ = ref.at("max_len").get<std::int64_t>();
    const std::string kind = ref.value("kind", t.causal_ ? "decoder" : "encoder");
    if (kind != "encoder" && kind != "decoder" && kind != "encoder-decoder") {
      throw InputError(ref_path.string(), 0, "kind",
                       fmt::format("unknown kind '{}' (encoder, decoder, encoder-decoder)", kind));
    }
    t.encoder_decoder_ = kind == "encoder-decoder";
    if (t.encoder_decoder_) t.decoder_start_ = ref.at("decoder_start").get<std::int32_t>();
  } catch (const nlohmann::json::exception& e) {
    throw InputError(ref_path.string(), 0, "", fmt::format("malformed: {}", e.what()));
  }
  if (t.max_len_ <= 0) throw InputError(ref_path.string(), 0, "max_len", "must be > 0");

  const fs::path vocab_path = dir / "vocab.txt";
  const std::string vocab = read_file(vocab_path);
  std::size_t line = 0;
  for (std::size_t pos = 0; pos < vocab.size();) {
    std::size_t end = vocab.find('\n', pos);
    if (end == std::string::npos) end = vocab.size();
    ++line;
    const std::string_view row(vocab.data() + pos, end - pos);
    std::int32_t id = 0;
    const auto [p, ec] = std::from_chars(row.data(), row.data() + row.size(), id);
    if (ec != std::errc() || p != row.data() + row.size()) {
      throw InputError(vocab_path.string(), line, "", "expected one integer token id");
    }
    if (id != -1 && !t.index_.emplace(id, static_cast<std::int32_t>(t.vocab_.size())).second) {
      throw InputError(vocab_path.string(), line, "", fmt::format("duplicate token id {}", id));
    }
    t.vocab_.push_back(id);
    pos = end + 1;
  }
  if (t.vocab_.size() < 2) throw InputError(vocab_path.string(), 0, "", "fewer than 2 ids");
  if (t.decoder_start_ < 0 || static_cast<std::size_t>(t.decoder_start_) >= t.vocab_.size()) {
    throw InputError(ref_path.string(), 0, "decoder_start",
                     fmt::format("{} outside the vocabulary", t.decoder_start_));
  }
  // Unknown row: the id -1 of a GPT-2-shaped model, else BERT's [UNK] (100).
  const auto unk = t.index_.find(100);
  t.unk_ = t.vocab_[0] < 0 ? 0 : unk != t.index_.end() ? unk->second : 0;
  t.network_ = build_onnx_network(read_onnx(dir / "model.onnx"), t.name_);
  return t;
}

std::vector<std::int32_t> TrainedTransformer::compact(std::span<const std::int32_t> real) const {
  std::vector<std::int32_t> out;
  out.reserve(real.size());
  for (const std::int32_t id : real) {
    const auto it = index_.find(id);
    out.push_back(it == index_.end() ? unk_ : it->second);
  }
  return out;
}

std::vector<Tensor> TrainedTransformer::inputs(std::span<const std::int32_t> ids,
                                               std::span<const std::int32_t> token_types,
                                               std::size_t valid) const {
  const std::size_t n = ids.size();
  if (n == 0 || static_cast<std::int64_t>(n) > max_len_) {
    throw InputError("", 0, name_ + ".ids", fmt::format("length {} outside 1..{}", n, max_len_));
  }
  if (!token_types.empty() && token_types.size() != n) {
    throw InputError("", 0, name_ + ".token_types", "size differs from ids");
  }
  if (valid > n) throw InputError("", 0, name_ + ".valid", "more valid tokens than ids");
  const auto l = static_cast<std::int64_t>(n);
  Tensor x({1, l}), pos({1, l}), typ({1, l});
  for (std::size_t i = 0; i < n; ++i) {
    if (ids[i] < 0 || static_cast<std::size_t>(ids[i]) >= vocab_.size()) {
      throw InputError("", 0, name_ + ".ids",
                       fmt::format("compact id {} outside the vocabulary", ids[i]));
    }
    x.data[i] = static_cast<float>(ids[i]);
    pos.data[i] = static_cast<float>(i);
    typ.data[i] = token_types.empty() ? 0.0f : static_cast<float>(token_types[i] != 0);
  }
  const std::size_t visible = valid == 0 ? n : valid;
  std::vector<Tensor> in;
  in.push_back(std::move(x));
  in.push_back(std::move(pos));
  in.push_back(std::move(typ));
  in.push_back(attention_bias(n, visible, causal_));
  if (encoder_decoder_) {
    Tensor dec({1, l});
    dec.data[0] = static_cast<float>(decoder_start_);
    for (std::size_t i = 1; i < n; ++i) dec.data[i] = static_cast<float>(ids[i - 1]);
    in.push_back(std::move(dec));
    in.push_back(attention_bias(n, visible, true));
  }
  return in;
}

Tensor TrainedTransformer::run(std::span<const std::int32_t> ids,
                               std::span<const std::int32_t> token_types, std::size_t valid,
                               std::span<LayerObserver* const> observers) const {
  std::vector<Tensor> out = network_.run(inputs(ids, token_types, valid), observers);
  return std::move(out.at(0));
}

std::vector<CapturedAttention> capture_attention(const Network& network, std::vector<Tensor> inputs,
                                                 std::vector<Tensor>* outputs) {
  AttentionObserver obs;
  LayerObserver* const observers[] = {&obs};
  std::vector<Tensor> out = network.run(std::move(inputs), observers);
  if (outputs != nullptr) *outputs = std::move(out);
  return std::move(obs.captured);
}

}  // namespace dysta::inference
