#include "dysta/benchmark/characterise.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/read_file.h"

namespace dysta::benchmark {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean_of(std::span<const double> values) {
  if (values.empty()) return kNaN;
  double sum = 0;
  for (const double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// CSV cell: shortest round-trip decimal, "nan" for NaN (never "-nan").
std::string num(double v) {
  return std::isnan(v) ? std::string("nan") : format_double(v);
}

// Markdown cell with `digits` decimals.
std::string fixed(double v, int digits) {
  return std::isnan(v) ? std::string("nan") : fmt::format("{:.{}f}", v, digits);
}

// Column-major copy of one layer's sparsity over samples.
std::vector<double> layer_sparsity(const VariantProfile& v, std::size_t layer) {
  std::vector<double> out(v.num_samples());
  for (std::size_t s = 0; s < out.size(); ++s) out[s] = v.sparsity[s * v.num_layers + layer];
  return out;
}

bool constant(std::span<const double> values) {
  return std::all_of(values.begin(), values.end(), [&](double x) { return x == values.front(); });
}

LayerCorrelation layer_correlation(const VariantProfile& v) {
  LayerCorrelation c;
  const std::size_t L = v.num_layers;
  std::vector<std::vector<double>> columns;
  std::vector<bool> included(L, false);
  for (std::size_t l = 0; l < L; ++l) {
    std::vector<double> col = layer_sparsity(v, l);
    if (col.size() < 2 || constant(col)) {
      ++c.excluded;
      continue;
    }
    included[l] = true;
    c.layers.push_back(l);
    columns.push_back(std::move(col));
  }
  const std::size_t m = c.layers.size();
  c.r.assign(m * m, 1.0);
  double off_sum = 0;
  std::size_t off_count = 0;
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = i + 1; j < m; ++j) {
      const double r = pearson(columns[i], columns[j]);
      c.r[i * m + j] = r;
      c.r[j * m + i] = r;
      off_sum += r;
      ++off_count;
    }
  }
  c.mean_offdiagonal = off_count > 0 ? off_sum / static_cast<double>(off_count) : kNaN;
  double adj_sum = 0;
  for (std::size_t i = 0; i + 1 < m; ++i) {
    if (c.layers[i + 1] == c.layers[i] + 1) {
      adj_sum += c.r[i * m + i + 1];
      ++c.adjacent_pairs;
    }
  }
  c.mean_adjacent = c.adjacent_pairs > 0 ? adj_sum / static_cast<double>(c.adjacent_pairs) : kNaN;
  return c;
}

RemainingCorrelation remaining_correlation(const VariantProfile& v, double fraction) {
  RemainingCorrelation out{fraction, 0, kNaN};
  const std::size_t L = v.num_layers, n = v.num_samples();
  if (L < 2) return out;
  const auto rounded = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(L)));
  const std::size_t k = std::clamp<std::size_t>(rounded, 1, L - 1);
  out.k = k;
  std::vector<double> early(n), rest(n);
  for (std::size_t s = 0; s < n; ++s) {
    early[s] = mean_of(v.sparsities(s).first(k));
    rest[s] = v.remaining(s)[k];
  }
  out.r = pearson(early, rest);
  return out;
}

std::string predictor_label(const PredictorSpec& p) {
  std::string label = p.name;
  for (const auto& [k, v] : p.params) label += fmt::format(" {}={}", k, format_double(v));
  return label;
}

}  // namespace

Distribution distribution(std::span<const double> values) {
  if (values.empty()) return {kNaN, kNaN, kNaN, kNaN, kNaN};
  Distribution d;
  d.mean = mean_of(values);
  double sq = 0;
  for (const double v : values) sq += (v - d.mean) * (v - d.mean);
  d.std = std::sqrt(sq / static_cast<double>(values.size()));
  d.min = *std::min_element(values.begin(), values.end());
  d.max = *std::max_element(values.begin(), values.end());
  d.cv = d.mean != 0 ? d.std / d.mean : kNaN;
  return d;
}

double pearson(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size() || x.size() < 2 || constant(x) || constant(y)) return kNaN;
  const double mx = mean_of(x), my = mean_of(y);
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return kNaN;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

VariantStats characterise_variant(const VariantProfile& v) {
  VariantStats st;
  st.name = v.name;
  st.architecture = v.architecture;
  st.pattern = v.pattern;
  st.samples = v.num_samples();
  st.layers = v.num_layers;
  const std::size_t n = st.samples, L = st.layers;

  st.sample_ids = v.sample_ids;
  st.sample_latency_s.resize(n);
  for (std::size_t s = 0; s < n; ++s) {
    double sum = 0;
    for (const double x : v.latencies(s)) sum += x;
    st.sample_latency_s[s] = sum;
  }
  st.latency_s = distribution(st.sample_latency_s);

  std::vector<double> ranges;
  for (std::size_t l = 0; l < L; ++l) {
    const std::vector<double> sp = layer_sparsity(v, l);
    std::vector<double> lat(n);
    for (std::size_t s = 0; s < n; ++s) lat[s] = v.latency_s[s * L + l];
    const Distribution ds = distribution(sp), dl = distribution(lat);
    st.per_layer.push_back({l, ds.min, ds.mean, ds.max, dl.mean, dl.cv});
    ranges.push_back(ds.max - ds.min);
  }
  const Distribution dr = distribution(ranges);
  st.layer_range_min = dr.min;
  st.layer_range_mean = dr.mean;
  st.layer_range_max = dr.max;

  // Weights: pattern-average layer latency, or equal when those are all 0.
  double weight_sum = 0;
  for (const double w : v.avg_latency_s) weight_sum += w;
  std::vector<double>& network = st.sample_network_sparsity;
  network.resize(n);
  for (std::size_t s = 0; s < n; ++s) {
    const auto sp = v.sparsities(s);
    double acc = 0;
    for (std::size_t l = 0; l < L; ++l) {
      acc +=
          (weight_sum > 0 ? v.avg_latency_s[l] / weight_sum : 1.0 / static_cast<double>(L)) * sp[l];
    }
    network[s] = acc;
  }
  st.network_sparsity = distribution(network);
  const Distribution& ns = st.network_sparsity;
  st.network_sparsity_prr = ns.mean > 0 ? (ns.max - ns.min) / ns.mean : (n > 0 ? 0.0 : kNaN);

  st.correlation = layer_correlation(v);
  for (const double f : kRemainingFractions) st.remaining.push_back(remaining_correlation(v, f));
  st.best_predictor_rel_rmse = kNaN;
  return st;
}

std::vector<PredictorSpec> default_predictors() {
  return {{"average", {}}, {"last_one", {}}, {"last_n", {{"n", 3}}}, {"regression", {}}};
}

Characterisation characterise(const ProfileSet& profiles, const CharacteriseOptions& options) {
  std::vector<bool> selected(profiles.size(), options.variants.empty());
  for (const auto& name : options.variants) {
    const auto i = profiles.find(name);
    if (!i) {
      std::string valid;
      for (const auto& v : profiles.variants()) valid += (valid.empty() ? "" : ", ") + v.name;
      throw InputError("", 0, "--variants",
                       "unknown variant '" + name + "' (valid: " + valid + ")");
    }
    selected[*i] = true;
  }

  Characterisation out;
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    if (selected[i]) out.variants.push_back(characterise_variant(profiles.variant(i)));
  }
  if (options.predictors.empty()) return out;

  const auto rows = predictor_accuracy(profiles, options.predictors, options.semantics);
  std::vector<std::string> labels;
  for (const auto& p : options.predictors) labels.push_back(predictor_label(p));
  for (VariantStats& st : out.variants) {
    const VariantProfile& v = profiles.variant(*profiles.find(st.name));
    const std::size_t L = v.num_layers, n = v.num_samples();
    std::vector<double> mean_remaining(L);
    for (std::size_t k = 0; k < L; ++k) {
      double sum = 0;
      for (std::size_t s = 0; s < n; ++s) sum += v.remaining(s)[k];
      mean_remaining[k] = n > 0 ? sum / static_cast<double>(n) : kNaN;
    }
    // Mean relative RMSE per predictor over k = 1..L-1 (k = 0 alone when L = 1).
    const std::size_t k_first = L > 1 ? 1 : 0;
    std::vector<double> rel_sum(labels.size(), 0.0);
    for (const PredictorAccuracy& row : rows) {
      if (row.model != st.name) continue;
      const double mr = mean_remaining[row.layers_observed];
      const double rel = mr > 0 ? row.rmse_s / mr : kNaN;
      out.predictors.push_back({row, mr, rel});
      if (row.layers_observed >= k_first) {
        const auto p = static_cast<std::size_t>(
            std::find(labels.begin(), labels.end(), row.predictor) - labels.begin());
        if (p < labels.size()) rel_sum[p] += rel;
      }
    }
    const double count = static_cast<double>(L - k_first);
    for (std::size_t p = 0; p < labels.size(); ++p) {
      const double mean = count > 0 ? rel_sum[p] / count : kNaN;
      if (!std::isnan(mean) && (st.best_predictor.empty() || mean < st.best_predictor_rel_rmse)) {
        st.best_predictor = labels[p];
        st.best_predictor_rel_rmse = mean;
      }
    }
  }
  return out;
}

std::string variants_csv(const Characterisation& c) {
  std::string out =
      "variant,architecture,pattern,samples,layers,latency_mean_s,latency_std_s,latency_min_s,"
      "latency_max_s,latency_cv,layer_sparsity_range_min,layer_sparsity_range_mean,"
      "layer_sparsity_range_max,network_sparsity_mean,network_sparsity_std,network_sparsity_min,"
      "network_sparsity_max,network_sparsity_prr,corr_layers,corr_layers_excluded,"
      "corr_mean_offdiagonal,corr_mean_adjacent,remaining_r_k1,remaining_r_k25,remaining_r_k50,"
      "remaining_r_k75,best_predictor,best_predictor_rel_rmse\n";
  for (const VariantStats& v : c.variants) {
    const Distribution &lat = v.latency_s, &ns = v.network_sparsity;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", v.name,
                       v.architecture, v.pattern, v.samples, v.layers, num(lat.mean), num(lat.std),
                       num(lat.min), num(lat.max), num(lat.cv), num(v.layer_range_min),
                       num(v.layer_range_mean), num(v.layer_range_max), num(ns.mean), num(ns.std),
                       num(ns.min), num(ns.max), num(v.network_sparsity_prr),
                       v.correlation.layers.size(), v.correlation.excluded,
                       num(v.correlation.mean_offdiagonal), num(v.correlation.mean_adjacent));
    for (const RemainingCorrelation& r : v.remaining) out += fmt::format(",{}", num(r.r));
    out += fmt::format(",{},{}\n", v.best_predictor, num(v.best_predictor_rel_rmse));
  }
  return out;
}

std::string samples_csv(const Characterisation& c) {
  std::string out = "variant,sample,latency_s,network_sparsity\n";
  for (const VariantStats& v : c.variants) {
    for (std::size_t s = 0; s < v.samples; ++s) {
      out += fmt::format("{},{},{},{}\n", v.name, v.sample_ids[s], num(v.sample_latency_s[s]),
                         num(v.sample_network_sparsity[s]));
    }
  }
  return out;
}

std::string layers_csv(const Characterisation& c) {
  std::string out =
      "variant,layer,sparsity_min,sparsity_mean,sparsity_max,latency_mean_s,latency_cv\n";
  for (const VariantStats& v : c.variants) {
    for (const LayerStats& l : v.per_layer) {
      out += fmt::format("{},{},{},{},{},{},{}\n", v.name, l.layer, num(l.sparsity_min),
                         num(l.sparsity_mean), num(l.sparsity_max), num(l.latency_mean_s),
                         num(l.latency_cv));
    }
  }
  return out;
}

std::string correlation_csv(const Characterisation& c) {
  std::string out = "variant,layer_a,layer_b,r\n";
  for (const VariantStats& v : c.variants) {
    const LayerCorrelation& lc = v.correlation;
    for (std::size_t i = 0; i < lc.layers.size(); ++i) {
      for (std::size_t j = 0; j < lc.layers.size(); ++j) {
        out += fmt::format("{},{},{},{}\n", v.name, lc.layers[i], lc.layers[j], num(lc.at(i, j)));
      }
    }
  }
  return out;
}

std::string predictors_csv(const Characterisation& c) {
  std::string out =
      "model,predictor,layers_observed,samples,mean_error_s,rmse_s,mean_abs_relative_error,"
      "mean_remaining_s,relative_rmse\n";
  for (const PredictorError& e : c.predictors) {
    const PredictorAccuracy& r = e.accuracy;
    out +=
        fmt::format("{},{},{},{},{},{},{},{},{}\n", r.model, r.predictor, r.layers_observed,
                    r.samples, num(r.mean_error_s), num(r.rmse_s), num(r.mean_abs_relative_error),
                    num(e.mean_remaining_s), num(e.relative_rmse));
  }
  return out;
}

std::string variants_markdown(const Characterisation& c) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"variant", "samples", "layers", "latency mean (ms)", "latency min-max (ms)",
                  "latency CV", "layer sparsity range min / mean / max", "network sparsity", "PRR",
                  "corr. layers (excl.)", "mean r", "adjacent r",
                  "r(early sparsity, remaining) k1 / 25% / 50% / 75%",
                  "best predictor (rel. RMSE)"});
  for (const VariantStats& v : c.variants) {
    std::string remaining;
    for (const RemainingCorrelation& r : v.remaining) {
      remaining += fmt::format("{}{}", remaining.empty() ? "" : " / ", fixed(r.r, 2));
    }
    rows.push_back(
        {v.name, std::to_string(v.samples), std::to_string(v.layers),
         fixed(v.latency_s.mean * 1e3, 3),
         fmt::format("{}-{}", fixed(v.latency_s.min * 1e3, 3), fixed(v.latency_s.max * 1e3, 3)),
         fixed(v.latency_s.cv, 3),
         fmt::format("{} / {} / {}", fixed(v.layer_range_min, 3), fixed(v.layer_range_mean, 3),
                     fixed(v.layer_range_max, 3)),
         fixed(v.network_sparsity.mean, 3), fixed(v.network_sparsity_prr, 3),
         fmt::format("{} ({})", v.correlation.layers.size(), v.correlation.excluded),
         fixed(v.correlation.mean_offdiagonal, 2), fixed(v.correlation.mean_adjacent, 2), remaining,
         v.best_predictor.empty()
             ? std::string("-")
             : fmt::format("{} ({})", v.best_predictor, fixed(v.best_predictor_rel_rmse, 3))});
  }
  // Columns padded to their widest cell so the raw text reads as a table too.
  std::vector<std::size_t> width(rows.front().size(), 3);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  const auto line = [&](const std::vector<std::string>& row) {
    out += "|";
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += i == 0 ? fmt::format(" {:<{}} |", row[i], width[i])
                    : fmt::format(" {:>{}} |", row[i], width[i]);
    }
    out += "\n";
  };
  line(rows.front());
  // The variant column is left-aligned, the numbers right-aligned.
  out += "|";
  for (std::size_t i = 0; i < width.size(); ++i) {
    const std::string dashes(width[i] + 1, '-');
    out += i == 0 ? fmt::format(":{}|", dashes) : fmt::format("{}:|", dashes);
  }
  out += "\n";
  for (std::size_t r = 1; r < rows.size(); ++r) line(rows[r]);
  return out;
}

SampleSources read_sample_sources(const std::string& path) {
  const std::string text = read_file(path);
  SampleSources out;
  std::size_t line_no = 0, start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line_no == 1) {
      if (line != "model,sample,source") {
        throw InputError(path, line_no, "header", "expected 'model,sample,source'");
      }
      continue;
    }
    if (line.empty()) continue;
    const std::size_t a = line.find(','), b = a == std::string::npos ? a : line.find(',', a + 1);
    if (b == std::string::npos || line.find(',', b + 1) != std::string::npos) {
      throw InputError(path, line_no, "row", "expected 3 fields: model,sample,source");
    }
    const std::string model = line.substr(0, a), sample = line.substr(a + 1, b - a - 1),
                      source = line.substr(b + 1);
    std::int64_t id = 0;
    const auto r = std::from_chars(sample.data(), sample.data() + sample.size(), id);
    if (r.ec != std::errc() || r.ptr != sample.data() + sample.size() || model.empty() ||
        source.empty()) {
      throw InputError(path, line_no, "sample", "expected model,<integer sample>,source");
    }
    if (!out[model].emplace(id, source).second) {
      throw InputError(path, line_no, "sample", "repeated sample " + sample + " of " + model);
    }
  }
  return out;
}

std::vector<SourceStats> characterise_by_source(const ProfileSet& profiles,
                                                const SampleSources& sources,
                                                const CharacteriseOptions& options) {
  std::vector<SourceStats> out;
  for (const VariantProfile& v : profiles.variants()) {
    if (!options.variants.empty() && std::find(options.variants.begin(), options.variants.end(),
                                               v.name) == options.variants.end()) {
      continue;
    }
    const auto it = sources.find(v.architecture);
    if (it == sources.end()) continue;
    std::vector<std::string> order;
    std::vector<std::string> of(v.num_samples());
    for (std::size_t s = 0; s < v.num_samples(); ++s) {
      const auto jt = it->second.find(v.sample_ids[s]);
      if (jt == it->second.end()) {
        throw InputError(
            "", 0, v.name,
            fmt::format("sample {} has no source in the sources file", v.sample_ids[s]));
      }
      of[s] = jt->second;
      if (std::find(order.begin(), order.end(), of[s]) == order.end()) order.push_back(of[s]);
    }
    order.push_back("all");
    const std::size_t L = v.num_layers;
    for (const std::string& src : order) {
      VariantProfile sub = v;
      sub.sample_ids.clear();
      sub.latency_s.clear();
      sub.sparsity.clear();
      sub.real_remaining_s.clear();
      for (std::size_t s = 0; s < v.num_samples(); ++s) {
        if (src != "all" && of[s] != src) continue;
        sub.sample_ids.push_back(v.sample_ids[s]);
        const auto lat = v.latencies(s), sp = v.sparsities(s), rem = v.remaining(s);
        sub.latency_s.insert(sub.latency_s.end(), lat.begin(), lat.end());
        sub.sparsity.insert(sub.sparsity.end(), sp.begin(), sp.end());
        sub.real_remaining_s.insert(sub.real_remaining_s.end(), rem.begin(), rem.end());
      }
      (void)L;
      const VariantStats st = characterise_variant(sub);
      SourceStats row;
      row.variant = v.name;
      row.source = src;
      row.samples = st.samples;
      row.latency_s = st.latency_s;
      row.layer_range_min = st.layer_range_min;
      row.layer_range_mean = st.layer_range_mean;
      row.layer_range_max = st.layer_range_max;
      row.network_sparsity = st.network_sparsity;
      out.push_back(std::move(row));
    }
  }
  return out;
}

std::string sources_csv(const std::vector<SourceStats>& rows) {
  std::string out =
      "variant,source,samples,latency_mean_s,latency_cv,latency_min_s,latency_max_s,"
      "layer_sparsity_range_min,layer_sparsity_range_mean,layer_sparsity_range_max,"
      "network_sparsity_mean,network_sparsity_std\n";
  for (const SourceStats& r : rows) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", r.variant, r.source, r.samples,
                       num(r.latency_s.mean), num(r.latency_s.cv), num(r.latency_s.min),
                       num(r.latency_s.max), num(r.layer_range_min), num(r.layer_range_mean),
                       num(r.layer_range_max), num(r.network_sparsity.mean),
                       num(r.network_sparsity.std));
  }
  return out;
}

std::string sources_markdown(const std::vector<SourceStats>& rows) {
  std::string out =
      "| variant | source | samples | mean isolated (ms) | CV | latency range (ms) | per-layer "
      "sparsity range (min / mean / max) | network sparsity (mean +- std) |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const SourceStats& r : rows) {
    out += fmt::format("| {} | {} | {} | {} | {}% | {} - {} | {} / {} / {} | {} +- {} |\n",
                       r.variant, r.source, r.samples, fixed(r.latency_s.mean * 1e3, 3),
                       fixed(r.latency_s.cv * 100, 2), fixed(r.latency_s.min * 1e3, 3),
                       fixed(r.latency_s.max * 1e3, 3), fixed(r.layer_range_min, 3),
                       fixed(r.layer_range_mean, 3), fixed(r.layer_range_max, 3),
                       fixed(r.network_sparsity.mean, 3), fixed(r.network_sparsity.std, 3));
  }
  return out;
}

}  // namespace dysta::benchmark
