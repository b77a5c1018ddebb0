#include "dysta/benchmark/scenarios.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "dysta/config.h"
#include "dysta/error.h"

namespace dysta::benchmark {

namespace fs = std::filesystem;

namespace {

std::vector<std::pair<std::string, double>> all_patterns(const std::vector<std::string>& models,
                                                         const std::string& level,
                                                         double weight = 1) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& m : models) {
    for (const char* p : {"block4", "filter", "unstructured"}) {
      out.emplace_back(m + "_" + p + "_" + level, weight);
    }
  }
  return out;
}

const std::vector<std::string> kPaperPolicies = {"fcfs",  "sjf",         "prema", "planaria",
                                                 "sdrm3", "dysta_naive", "dysta", "dysta_oracle"};

ScenarioDef scenario(std::string name, std::string summary, std::string folder, std::string data,
                     std::vector<std::pair<std::string, double>> mix, std::vector<double> slos,
                     double default_slo) {
  ScenarioDef d;
  d.name = std::move(name);
  d.summary = std::move(summary);
  d.folder = std::move(folder);
  d.accelerator = d.folder == "sanger" ? "sanger" : "eyeriss_v2";
  d.data = std::move(data);
  d.mix = std::move(mix);
  d.utilisations = {0.3, 0.5, 0.7, 0.8};
  d.slo_multipliers = std::move(slos);
  d.default_slo = default_slo;
  d.policies = kPaperPolicies;
  return d;
}

}  // namespace

const std::vector<ScenarioDef>& benchmark_scenarios() {
  static const std::vector<ScenarioDef> defs = [] {
    const std::vector<double> paper_slos = {10, 25, 50, 75, 100, 150};
    std::vector<ScenarioDef> d;
    d.push_back(scenario(
        "paper-cnn",
        "the paper's multi-CNN setting: 4 real CNNs x 3 pruning patterns (sparse20) on Eyeriss-V2",
        "eyerissv2-sparse20", "real",
        all_patterns({"faceresnet", "inceptionv3", "mobilenetv2", "ssdmobilenetv1"}, "sparse20"),
        paper_slos, 10));
    d.back().paper_rates = {3, 4};
    d.back().utilisations = {0.3, 0.5, 0.7, 0.8, 0.9};
    d.push_back(scenario(
        "paper-cnn-shifted",
        "the paper's multi-CNN setting under distribution shift: as paper-cnn, with the scene "
        "models' requests drawn from real photos and their low-light corrupted versions "
        "(out-of-distribution, Brooks et al. 2019 noise model)",
        "eyerissv2-sparse20-shifted", "real (ood: corrupted real photos)",
        all_patterns({"faceresnet", "inceptionv3", "mobilenetv2", "ssdmobilenetv1"}, "sparse20"),
        paper_slos, 10));
    d.back().paper_rates = {3, 4};
    d.back().utilisations = {0.3, 0.5, 0.7, 0.8, 0.9};
    d.push_back(scenario(
        "paper-attnn",
        "the paper's multi-AttNN setting: full-size BERT, GPT-2, BART attention on "
        "Sanger (SYNTHETIC densities calibrated on the transformers trained here, "
        "at the real lengths of SQuAD/GLUE-like requests)",
        "sanger", "synthetic (real lengths)",
        {{"bart-synthetic", 1}, {"bert-synthetic", 1}, {"gpt2-synthetic", 1}}, paper_slos, 10));
    d.back().paper_rates = {30, 40};
    // The mobile and AR/VR scenarios use the function-preserving set (eyerissv2-sparse20, each
    // network at its searched level): at 60% (and 40/30%) most scene variants are broken.
    d.push_back(scenario("mobile",
                         "mobile phone: photo classification, face detection and face unlock, "
                         "pruned CNNs that keep their function (the sparse20 set, each network "
                         "and pattern at its searched level) on Eyeriss-V2",
                         "eyerissv2-sparse20", "real",
                         all_patterns({"faceresnet", "mobilenetv2", "ssdmobilenetv1"}, "sparse20"),
                         {5, 10, 20}, 10));
    d.push_back(scenario("arvr",
                         "AR/VR wearable: continuous face detection with face recognition and "
                         "scene classification, block-4 pruned (the sparse20 set) on "
                         "Eyeriss-V2, tight SLOs",
                         "eyerissv2-sparse20", "real",
                         {{"ssdmobilenetv1_block4_sparse20", 4},
                          {"faceresnet_block4_sparse20", 2},
                          {"mobilenetv2_block4_sparse20", 1}},
                         {2, 5, 10}, 5));
    d.push_back(scenario(
        "datacentre",
        "data centre: text recognition (real PP-OCRv4 attention) with question answering "
        "(bert-small-trained) and sentence tasks (gpt2-small-trained, bart-small-trained), real "
        "attention of transformers trained here on real requests, on Sanger at high load",
        "sanger", "real (small trained transformers)",
        {{"bart-small-trained", 1},
         {"bert-small-trained", 1},
         {"gpt2-small-trained", 1},
         {"ppocrv4", 1}},
        {10, 25, 50}, 10));
    d.back().utilisations = {0.5, 0.7, 0.8};
    d.back().default_utilisation = 0.7;
    {
      // Issue 19's data-centre fleet: the real attention models on 16 Sanger devices, the
      // paper-level CNNs on 32 Eyeriss-V2 devices and 16 twice as fast, bursty traffic.
      std::vector<std::pair<std::string, double>> mix = {{"bart-small-trained", 1},
                                                         {"bert-small-trained", 1},
                                                         {"gpt2-small-trained", 1},
                                                         {"ppocrv4", 1}};
      const auto cnns =
          all_patterns({"faceresnet", "inceptionv3", "mobilenetv2", "ssdmobilenetv1"}, "sparse20");
      mix.insert(mix.end(), cnns.begin(), cnns.end());
      d.push_back(scenario(
          "datacentre-fleet",
          "data-centre fleet (run with dysta cluster): 16 Sanger devices serve the real "
          "attention models, 32 Eyeriss-V2 devices and 16 twice as fast serve the paper-level "
          "CNNs; bursty traffic (gamma inter-arrival gaps, CV 2), every model of a pool at the "
          "same rate, both pools equally loaded",
          "eyerissv2-sparse20", "real (CNNs) + real (small trained transformers, OCR)",
          std::move(mix), {10, 25, 50}, 10));
      ScenarioDef& f = d.back();
      f.accelerator = "sanger + eyeriss_v2";
      for (const char* m :
           {"bart-small-trained", "bert-small-trained", "gpt2-small-trained", "ppocrv4"}) {
        f.mix_folder[m] = "sanger";
      }
      f.fleet = {{"sanger", 16, 1, "sanger"},
                 {"eyeriss", 32, 1, "eyerissv2-sparse20"},
                 {"eyeriss-x2", 16, 2, "eyerissv2-sparse20"}};
      f.dispatcher = "earliest_finish";
      f.dispatchers = {"round_robin", "jsq", "least_work", "earliest_finish"};
      f.arrival_cv = 2;
      f.utilisations = {0.5, 0.7, 0.9};
      f.default_utilisation = 0.7;
    }
    return d;
  }();
  return defs;
}

std::string folder_of(const ScenarioDef& def, const std::string& variant) {
  const auto it = def.mix_folder.find(variant);
  return it == def.mix_folder.end() ? def.folder : it->second;
}

std::vector<std::pair<std::string, double>> fleet_weights(
    const ScenarioDef& def, const std::map<std::string, double>& mean_iso) {
  std::map<std::string, double> capacity, latency_sum;
  for (const FleetGroup& g : def.fleet)
    capacity[g.folder] += static_cast<double>(g.count) * g.speed;
  for (const auto& [variant, w] : def.mix) {
    const std::string folder = folder_of(def, variant);
    const auto it = mean_iso.find(folder + "/" + variant);
    if (it == mean_iso.end()) return {};
    latency_sum[folder] += it->second;
  }
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [variant, w] : def.mix) {
    const std::string folder = folder_of(def, variant);
    if (!capacity.count(folder)) return {};
    out.emplace_back(variant, capacity[folder] / latency_sum[folder]);
  }
  return out;
}

double rate_for_utilisation(const ScenarioDef& def, const std::map<std::string, double>& mean_iso,
                            double utilisation) {
  if (!def.fleet.empty()) {
    double total = 0;
    for (const auto& [variant, w] : fleet_weights(def, mean_iso)) total += w;
    return utilisation * total;
  }
  double weighted = 0, total = 0;
  for (const auto& [variant, w] : def.mix) {
    const auto it = mean_iso.find(def.folder + "/" + variant);
    if (it == mean_iso.end()) return 0;
    weighted += w * it->second;
    total += w;
  }
  return weighted > 0 ? utilisation * total / weighted : 0;
}

namespace {

// Rates with 4 significant digits (readable, and exact in the YAML text).
double round4(double x) {
  return std::stod(fmt::format("{:.4g}", x));
}

void emit_json(YAML::Emitter& e, const nlohmann::ordered_json& j) {
  if (j.is_object()) {
    e << YAML::BeginMap;
    for (const auto& [k, v] : j.items()) {
      e << YAML::Key << k << YAML::Value;
      emit_json(e, v);
    }
    e << YAML::EndMap;
  } else if (j.is_array()) {
    e << YAML::BeginSeq;
    for (const auto& v : j) emit_json(e, v);
    e << YAML::EndSeq;
  } else if (j.is_string()) {
    e << j.get<std::string>();
  } else if (j.is_boolean()) {
    e << j.get<bool>();
  } else if (j.is_number_integer()) {
    e << j.get<long long>();
  } else if (j.is_number()) {
    e << fmt::format("{}", j.get<double>());
  } else {
    e << YAML::Null;
  }
}

}  // namespace

std::string scenario_yaml(const ScenarioDef& def, const std::map<std::string, double>& mean_iso,
                          const nlohmann::ordered_json& provenance) {
  const double default_rate = round4(rate_for_utilisation(def, mean_iso, def.default_utilisation));
  if (!(default_rate > 0)) return "";
  const bool fleet = !def.fleet.empty();
  std::vector<std::pair<std::string, double>> mix = def.mix;
  if (fleet) {
    mix = fleet_weights(def, mean_iso);
    for (auto& [v, w] : mix) w = round4(w);
  }
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "description" << YAML::Value
    << fmt::format("benchmark scenario {}: {}", def.name, def.summary);
  e << YAML::Key << "profiles" << YAML::Value << "../profiles/" + def.folder;
  e << YAML::Key << "semantics" << YAML::Value << "corrected";
  e << YAML::Key << "policy" << YAML::Value << "dysta";
  e << YAML::Key << "predictor" << YAML::Value << "average";
  e << YAML::Key << "workload" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "rate" << YAML::Value << fmt::format("{}", default_rate);
  e << YAML::Key << "requests" << YAML::Value << 1000;
  e << YAML::Key << "slo_multiplier" << YAML::Value << fmt::format("{}", def.default_slo);
  e << YAML::Key << "seed" << YAML::Value << 1;
  e << YAML::Key << "priorities" << YAML::Value << YAML::Flow << YAML::BeginSeq << 1 << 3 << 9
    << YAML::EndSeq;
  if (fleet) {
    e << YAML::Key << "arrivals" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
      << "kind" << YAML::Value << "gamma" << YAML::Key << "cv" << YAML::Value
      << fmt::format("{}", def.arrival_cv) << YAML::EndMap;
  }
  e << YAML::Key << "mix" << YAML::Value << YAML::BeginMap;
  for (const auto& [v, w] : mix) e << YAML::Key << v << YAML::Value << fmt::format("{}", w);
  e << YAML::EndMap << YAML::EndMap;
  if (fleet) {
    e << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "dispatcher" << YAML::Value << def.dispatcher;
    e << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
    for (const FleetGroup& g : def.fleet) {
      e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << g.name << YAML::Key
        << "count" << YAML::Value << g.count;
      if (g.folder != def.folder) {
        e << YAML::Key << "profiles" << YAML::Value << "../profiles/" + g.folder;
      }
      if (g.speed != 1) e << YAML::Key << "speed" << YAML::Value << fmt::format("{}", g.speed);
      e << YAML::EndMap;
    }
    e << YAML::EndSeq << YAML::EndMap;
  }
  e << YAML::Key << "sweep" << YAML::Value << YAML::BeginMap;
  if (fleet) {
    if (!def.dispatchers.empty()) {
      e << YAML::Key << "dispatchers" << YAML::Value << YAML::Flow << def.dispatchers;
    }
  } else {
    e << YAML::Key << "policies" << YAML::Value << YAML::Flow << def.policies;
  }
  e << YAML::Key << "rates" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const double u : def.utilisations) {
    e << fmt::format("{}", round4(rate_for_utilisation(def, mean_iso, u)));
  }
  e << YAML::EndSeq;
  if (!fleet) {
    e << YAML::Key << "slo_multipliers" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const double s : def.slo_multipliers) e << fmt::format("{}", s);
    e << YAML::EndSeq;
  }
  e << YAML::Key << "seeds" << YAML::Value << YAML::Flow << YAML::BeginSeq << 1 << 2 << 3
    << YAML::EndSeq;
  e << YAML::EndMap;
  e << YAML::Key << "output" << YAML::Value << "dysta-out/" + def.name;

  e << YAML::Key << "scenario" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << def.name;
  e << YAML::Key << "summary" << YAML::Value << def.summary;
  e << YAML::Key << "accelerator" << YAML::Value << def.accelerator;
  e << YAML::Key << "data" << YAML::Value << def.data;
  e << YAML::Key << "variants" << YAML::Value << YAML::BeginMap;
  for (const auto& [v, w] : mix) {
    e << YAML::Key << v << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "weight"
      << YAML::Value << fmt::format("{}", w) << YAML::Key << "mean_isolated_ms" << YAML::Value
      << fmt::format("{:.6g}", mean_iso.at(folder_of(def, v) + "/" + v) * 1e3) << YAML::EndMap;
  }
  e << YAML::EndMap;
  e << YAML::Key << "utilisation_rates" << YAML::Value << YAML::BeginMap;
  for (const double u : def.utilisations) {
    e << YAML::Key << fmt::format("{}", u) << YAML::Value
      << fmt::format("{}", round4(rate_for_utilisation(def, mean_iso, u)));
  }
  e << YAML::EndMap;
  e << YAML::Key << "default_utilisation" << YAML::Value
    << fmt::format("{}", def.default_utilisation);
  if (!def.paper_rates.empty()) {
    e << YAML::Key << "paper_rates" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const double r : def.paper_rates) e << fmt::format("{}", r);
    e << YAML::EndSeq;
    e << YAML::Key << "paper_rate_utilisation" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const double r : def.paper_rates) {
      const double per_unit = rate_for_utilisation(def, mean_iso, 1.0);
      e << fmt::format("{:.4g}", r / per_unit);
    }
    e << YAML::EndSeq;
  }
  e << YAML::Key << "provenance" << YAML::Value;
  emit_json(e, provenance);
  e << YAML::EndMap;
  e << YAML::EndMap;
  return "# GENERATED by scripts/make-benchmark.sh (dysta benchmark build); do not edit.\n" +
         std::string(fleet ? "# A runnable dysta cluster config: dysta cluster -c <this file>; "
                             "dysta sweep -c <this file>.\n"
                           : "# A runnable dysta config: dysta run -c <this file>; dysta sweep -c "
                             "<this file>.\n") +
         std::string(e.c_str()) + "\n";
}

fs::path default_scenario_dir() {
  return data_dir() / "benchmark" / "scenarios";
}

std::vector<ScenarioInfo> read_scenarios(const fs::path& dir) {
  std::vector<ScenarioInfo> out;
  if (!fs::is_directory(dir)) return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(f.string());
    } catch (const YAML::Exception& ex) {
      throw InputError(f.string(), static_cast<std::size_t>(ex.mark.line + 1), "",
                       "malformed YAML: " + ex.msg);
    }
    const YAML::Node s = root["scenario"];
    if (!s || !s.IsMap()) throw InputError(f.string(), 0, "scenario", "missing scenario block");
    ScenarioInfo info;
    info.file = f;
    try {
      info.name = s["name"].as<std::string>();
      info.summary = s["summary"].as<std::string>("");
      info.accelerator = s["accelerator"].as<std::string>("");
      info.data = s["data"].as<std::string>("");
      info.variants = s["variants"] ? s["variants"].size() : 0;
      info.rate = root["workload"]["rate"].as<double>(0);
      double per_unit = 0;
      for (const auto& kv : s["utilisation_rates"]) {
        per_unit = kv.second.as<double>() / kv.first.as<double>();
        break;
      }
      info.utilisation = per_unit > 0 ? info.rate / per_unit : 0;
    } catch (const YAML::Exception& ex) {
      throw InputError(f.string(), static_cast<std::size_t>(ex.mark.line + 1), "scenario",
                       "malformed scenario block: " + ex.msg);
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace dysta::benchmark
