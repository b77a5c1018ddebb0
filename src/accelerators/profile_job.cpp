// Reader of `dysta profile` job files (docs/profile-format.md). Strict: unknown keys, wrong types
// and inconsistent shapes are InputErrors naming file, line and field.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "dysta/accelerators/profiling.h"
#include "dysta/csv.h"
#include "dysta/error.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

class Reader {
 public:
  Reader(std::string file, fs::path base) : file_(std::move(file)), base_(std::move(base)) {}

  std::size_t line(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    return m.is_null() || m.line < 0 ? 0 : static_cast<std::size_t>(m.line) + 1;
  }

  [[noreturn]] void fail(const YAML::Node& n, const std::string& field,
                         const std::string& msg) const {
    throw InputError(file_, line(n), field, msg);
  }

  void require_map(const YAML::Node& n, const std::string& field) const {
    if (!n.IsMap()) fail(n, field, "expected a mapping (key: value)");
  }

  void check_keys(const YAML::Node& n, const std::string& field,
                  std::initializer_list<const char*> allowed) const {
    require_map(n, field);
    for (const auto& kv : n) {
      const std::string key = kv.first.as<std::string>();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
        std::string valid;
        for (const char* a : allowed) valid += (valid.empty() ? "" : ", ") + std::string(a);
        fail(kv.first, field + "." + key, "unknown key (valid: " + valid + ")");
      }
    }
  }

  std::string text(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "expected a text value");
    return n.as<std::string>();
  }

  double number(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "expected a number");
    double v = 0;
    if (!YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
      fail(n, field, "not a finite number: '" + n.as<std::string>() + "'");
    }
    return v;
  }

  std::int64_t integer(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "expected an integer");
    std::int64_t v = 0;
    if (!YAML::convert<std::int64_t>::decode(n, v)) {
      fail(n, field, "not an integer: '" + n.as<std::string>() + "'");
    }
    return v;
  }

  // An integer or a list of integers.
  std::vector<std::int64_t> integers(const YAML::Node& n, const std::string& field) const {
    std::vector<std::int64_t> out;
    if (n.IsSequence()) {
      for (std::size_t i = 0; i < n.size(); ++i) {
        out.push_back(integer(n[i], field + "[" + std::to_string(i) + "]"));
      }
    } else {
      out.push_back(integer(n, field));
    }
    return out;
  }

  // `n` or [h, w] -> {h, w}.
  std::pair<std::int64_t, std::int64_t> pair(const YAML::Node& n, const std::string& field) const {
    const auto v = integers(n, field);
    if (v.size() == 1) return {v[0], v[0]};
    if (v.size() == 2) return {v[0], v[1]};
    fail(n, field, "expected one integer or a list of two");
  }

  double fraction(const YAML::Node& n, const std::string& field, bool zero_ok) const {
    const double v = number(n, field);
    if (v > 1.0 || v < 0.0 || (!zero_ok && v == 0.0)) {
      fail(n, field,
           std::string("must be in ") + (zero_ok ? "[0, 1]" : "(0, 1]") + ", found " +
               format_double(v));
    }
    return v;
  }

  std::string name(const YAML::Node& n, const std::string& field) const {
    const std::string s = text(n, field);
    if (s.empty()) fail(n, field, "must not be empty");
    for (const char ch : s) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
      if (!ok) fail(n, field, "'" + s + "': use letters, digits, '_' and '-' only");
    }
    return s;
  }

  // density: or sparsity: (exactly one) -> kept fraction.
  double density_of(const YAML::Node& n, const std::string& field, bool zero_ok) const {
    const bool d = static_cast<bool>(n["density"]), s = static_cast<bool>(n["sparsity"]);
    if (d == s) fail(n, field, "give exactly one of density (kept fraction) or sparsity");
    if (d) return fraction(n["density"], field + ".density", zero_ok);
    const double sp = fraction(n["sparsity"], field + ".sparsity", true);
    if (!zero_ok && sp == 1.0) fail(n["sparsity"], field + ".sparsity", "must be < 1");
    return 1.0 - sp;
  }

  // {npy: path} or {bits: "0101", shape: [...]}: the raw forms shared by every mask.
  bool raw_mask(const YAML::Node& n, const std::string& field, MaskSpec& m) const {
    if (n["npy"]) {
      m.kind = MaskSpec::Kind::npy;
      const fs::path p = text(n["npy"], field + ".npy");
      m.file = p.is_absolute() ? p : base_ / p;
      return true;
    }
    if (n["bits"]) {
      m.kind = MaskSpec::Kind::bits;
      m.bits = text(n["bits"], field + ".bits");
      if (n["shape"]) m.shape = integers(n["shape"], field + ".shape");
      return true;
    }
    return false;
  }

  MaskSpec weights(const YAML::Node& n, const std::string& field) const {
    MaskSpec m;
    m.line = line(n);
    if (n.IsScalar()) {  // shorthand: `weights: dense`
      m.kind = MaskSpec::Kind::pattern;
      m.pattern = parse_or_fail(n, field);
      if (m.pattern != PruningPattern::dense) {
        fail(n, field, "only 'dense' has a shorthand; give {pattern: ..., density: ...}");
      }
      return m;
    }
    check_keys(n, field, {"pattern", "density", "sparsity", "block", "npy", "bits", "shape"});
    if (raw_mask(n, field, m)) return m;
    if (!n["pattern"])
      fail(n, field, "give a pattern (dense, unstructured, filter, block), npy or bits");
    m.kind = MaskSpec::Kind::pattern;
    m.pattern = parse_or_fail(n["pattern"], field + ".pattern");
    if (m.pattern == PruningPattern::dense) {
      m.density = 1.0;
    } else {
      m.density = density_of(n, field, true);
    }
    if (n["block"]) {
      m.block = integer(n["block"], field + ".block");
      if (m.block <= 0) fail(n["block"], field + ".block", "must be positive");
    }
    return m;
  }

  MaskSpec activation(const YAML::Node& n, const std::string& field) const {
    MaskSpec m;
    m.line = line(n);
    if (n.IsScalar()) {  // shorthand: a density
      m.kind = MaskSpec::Kind::random;
      m.density = fraction(n, field + ".density", true);
      return m;
    }
    check_keys(n, field, {"density", "sparsity", "npy", "bits", "shape"});
    if (raw_mask(n, field, m)) return m;
    m.kind = MaskSpec::Kind::random;
    m.density = density_of(n, field, true);
    return m;
  }

  AttentionSpec attention(const YAML::Node& n, const std::string& field) const {
    AttentionSpec a;
    a.line = line(n);
    check_keys(n, field,
               {"density", "load_balance", "lb_50_no_skip", "lb_25_skip", "lb_25_no_skip", "mask",
                "probabilities", "threshold", "valid_len"});
    const int forms = (n["density"] ? 1 : 0) + (n["mask"] ? 1 : 0) + (n["probabilities"] ? 1 : 0);
    if (forms != 1) {
      fail(n, field,
           "give exactly one of density + load_balance, mask, or probabilities + threshold");
    }
    if (n["density"]) {
      a.kind = AttentionSpec::Kind::stats;
      a.stats.density = fraction(n["density"], field + ".density", false);
      if (!n["load_balance"]) fail(n, field + ".load_balance", "required with density");
      a.stats.load_balance = fraction(n["load_balance"], field + ".load_balance", false);
      if (n["lb_50_no_skip"])
        a.stats.lb_50_no_skip = fraction(n["lb_50_no_skip"], field + ".lb_50_no_skip", false);
      if (n["lb_25_skip"])
        a.stats.lb_25_skip = fraction(n["lb_25_skip"], field + ".lb_25_skip", false);
      if (n["lb_25_no_skip"])
        a.stats.lb_25_no_skip = fraction(n["lb_25_no_skip"], field + ".lb_25_no_skip", false);
      for (const char* k : {"threshold", "valid_len"}) {
        if (n[k]) fail(n[k], field + "." + k, "only used with mask or probabilities");
      }
      return a;
    }
    for (const char* k : {"load_balance", "lb_50_no_skip", "lb_25_skip", "lb_25_no_skip"}) {
      if (n[k])
        fail(n[k], field + "." + k,
             "only used with density (statistics are computed from the mask)");
    }
    if (n["valid_len"]) {
      a.valid_len = integers(n["valid_len"], field + ".valid_len");
      for (const auto v : a.valid_len) {
        if (v <= 0) fail(n["valid_len"], field + ".valid_len", "must be positive");
      }
    }
    const bool probs = static_cast<bool>(n["probabilities"]);
    const YAML::Node src = probs ? n["probabilities"] : n["mask"];
    const std::string sf = field + (probs ? ".probabilities" : ".mask");
    a.source.line = line(src);
    if (probs) {
      a.kind = AttentionSpec::Kind::probabilities;
      check_keys(src, sf, {"npy", "values", "shape"});
      if (src["npy"]) {
        raw_mask(src, sf, a.source);
      } else if (src["values"] && src["values"].IsSequence()) {
        // Inline probabilities travel in `bits` as text; parsed when profiling.
        a.source.kind = MaskSpec::Kind::bits;
        for (std::size_t i = 0; i < src["values"].size(); ++i) {
          a.source.bits +=
              format_double(number(src["values"][i], sf + ".values[" + std::to_string(i) + "]")) +
              " ";
        }
        if (!src["shape"]) fail(src, sf + ".shape", "required with values");
        a.source.shape = integers(src["shape"], sf + ".shape");
      } else {
        fail(src, sf, "give npy: <file> or values: [...] with shape");
      }
      if (!n["threshold"]) fail(n, field + ".threshold", "required with probabilities");
      a.threshold = number(n["threshold"], field + ".threshold");
    } else {
      a.kind = AttentionSpec::Kind::mask;
      check_keys(src, sf, {"npy", "bits", "shape"});
      if (!raw_mask(src, sf, a.source)) fail(src, sf, "give npy: <file> or bits: with shape");
      if (a.source.kind == MaskSpec::Kind::bits && a.source.shape.empty()) {
        fail(src, sf + ".shape", "required with bits");
      }
      if (n["threshold"])
        fail(n["threshold"], field + ".threshold", "only used with probabilities");
    }
    return a;
  }

  ProfileLayerSpec layer(const YAML::Node& n, const std::string& prefix, std::size_t index) const {
    ProfileLayerSpec l;
    l.line = line(n);
    const std::string at = prefix + ".layers[" + std::to_string(index) + "]";
    require_map(n, at);
    if (!n["name"]) fail(n, at + ".name", "required");
    l.name = name(n["name"], at + ".name");
    const std::string f = prefix + "." + l.name;
    if (!n["type"]) fail(n, f + ".type", "required (conv, fc or attention)");
    try {
      l.shape.type = parse_layer_type(text(n["type"], f + ".type"), f + ".type");
    } catch (const InputError& e) {
      throw InputError(file_, line(n["type"]), e.field(), strip_field(e));
    }
    switch (l.shape.type) {
      case LayerType::attention:
        check_keys(n, f, {"name", "type", "seq_len"});
        if (n["seq_len"]) {
          l.seq_len = integer(n["seq_len"], f + ".seq_len");
          if (l.seq_len <= 0) fail(n["seq_len"], f + ".seq_len", "must be positive");
        }
        return l;
      case LayerType::fc:
        check_keys(n, f, {"name", "type", "in_features", "out_features", "weights"});
        for (const char* k : {"in_features", "out_features"}) {
          if (!n[k]) fail(n, f + "." + k, "required");
        }
        l.shape.in_channels = integer(n["in_features"], f + ".in_features");
        l.shape.out_channels = integer(n["out_features"], f + ".out_features");
        break;
      case LayerType::conv: {
        check_keys(n, f,
                   {"name", "type", "input", "out_channels", "kernel", "stride", "padding",
                    "dilation", "groups", "weights"});
        for (const char* k : {"input", "out_channels", "kernel"}) {
          if (!n[k]) fail(n, f + "." + k, "required");
        }
        const auto in = integers(n["input"], f + ".input");
        if (in.size() != 3) fail(n["input"], f + ".input", "expected [C, H, W]");
        l.shape.in_channels = in[0];
        l.shape.in_height = in[1];
        l.shape.in_width = in[2];
        l.shape.out_channels = integer(n["out_channels"], f + ".out_channels");
        std::tie(l.shape.kernel_h, l.shape.kernel_w) = pair(n["kernel"], f + ".kernel");
        if (n["stride"])
          std::tie(l.shape.stride_h, l.shape.stride_w) = pair(n["stride"], f + ".stride");
        if (n["padding"])
          std::tie(l.shape.pad_h, l.shape.pad_w) = pair(n["padding"], f + ".padding");
        if (n["dilation"]) {
          std::tie(l.shape.dilation_h, l.shape.dilation_w) = pair(n["dilation"], f + ".dilation");
        }
        if (n["groups"]) l.shape.groups = integer(n["groups"], f + ".groups");
        break;
      }
    }
    try {
      validate_shape(l.shape, f);
    } catch (const InputError& e) {
      throw InputError(file_, l.line, e.field(), strip_field(e));
    }
    if (!n["weights"]) fail(n, f + ".weights", "required (pattern, npy or bits)");
    l.weights = weights(n["weights"], f + ".weights");
    return l;
  }

  ProfileSampleSpec sample(const YAML::Node& n, const ProfileModelSpec& m,
                           std::size_t index) const {
    ProfileSampleSpec s;
    s.line = line(n);
    const std::string at = m.model + ".samples[" + std::to_string(index) + "]";
    check_keys(n, at, {"id", "layers"});
    if (!n["id"]) fail(n, at + ".id", "required");
    s.id = integer(n["id"], at + ".id");
    if (s.id < 0) fail(n["id"], at + ".id", "must be >= 0");
    const std::string f = m.model + ".sample " + std::to_string(s.id);
    const YAML::Node layers = n["layers"];
    if (!layers) fail(n, f + ".layers", "required");
    const std::size_t L = m.layers.size();
    std::vector<std::optional<YAML::Node>> per_layer(L);
    if (layers.IsSequence()) {
      if (layers.size() != L) {
        fail(layers, f + ".layers",
             "lists " + std::to_string(layers.size()) + " layers, the model has " +
                 std::to_string(L));
      }
      for (std::size_t i = 0; i < L; ++i) per_layer[i].emplace(layers[i]);
    } else if (layers.IsMap()) {
      for (const auto& kv : layers) {
        const std::string key = kv.first.as<std::string>();
        const auto it = std::find_if(m.layers.begin(), m.layers.end(),
                                     [&](const ProfileLayerSpec& l) { return l.name == key; });
        if (it == m.layers.end())
          fail(kv.first, f + "." + key, "no layer of that name in the model");
        per_layer[static_cast<std::size_t>(it - m.layers.begin())].emplace(kv.second);
      }
      for (std::size_t i = 0; i < L; ++i) {
        if (!per_layer[i])
          fail(layers, f + "." + m.layers[i].name, "missing (every layer needs an input)");
      }
    } else {
      fail(layers, f + ".layers",
           "expected a mapping layer name -> input, or a list in layer order");
    }
    s.activations.resize(L);
    s.attention.resize(L);
    for (std::size_t i = 0; i < L; ++i) {
      const std::string lf = f + "." + m.layers[i].name;
      if (m.layers[i].shape.type == LayerType::attention) {
        s.attention[i] = attention(*per_layer[i], lf);
      } else {
        s.activations[i] = activation(*per_layer[i], lf);
      }
    }
    return s;
  }

  ProfileModelSpec model(const YAML::Node& n, std::size_t index) const {
    ProfileModelSpec m;
    m.line = line(n);
    const std::string at = "models[" + std::to_string(index) + "]";
    check_keys(n, at,
               {"model", "pattern", "accelerator", "params", "seq_len", "layers", "samples"});
    if (!n["model"]) fail(n, at + ".model", "required");
    m.model = name(n["model"], at + ".model");
    if (n["pattern"]) m.pattern = name(n["pattern"], m.model + ".pattern");
    if (!n["accelerator"]) fail(n, m.model + ".accelerator", "required (e.g. eyeriss_v2, sanger)");
    m.accelerator = text(n["accelerator"], m.model + ".accelerator");
    if (n["params"]) require_map(n["params"], m.model + ".params");
    if (n["seq_len"]) {
      m.seq_len = integer(n["seq_len"], m.model + ".seq_len");
      if (m.seq_len <= 0) fail(n["seq_len"], m.model + ".seq_len", "must be positive");
    }
    const YAML::Node layers = n["layers"];
    if (!layers || !layers.IsSequence() || layers.size() == 0) {
      fail(layers ? layers : n, m.model + ".layers", "a non-empty list of layers is required");
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      m.layers.push_back(layer(layers[i], m.model, i));
      if (!names.insert(m.layers.back().name).second) {
        fail(layers[i], m.model + "." + m.layers.back().name, "duplicate layer name");
      }
    }
    const YAML::Node samples = n["samples"];
    if (!samples || !samples.IsSequence() || samples.size() == 0) {
      fail(samples ? samples : n, m.model + ".samples", "a non-empty list of samples is required");
    }
    std::set<std::int64_t> ids;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      m.samples.push_back(sample(samples[i], m, i));
      if (!ids.insert(m.samples.back().id).second) {
        fail(samples[i], m.model + ".samples[" + std::to_string(i) + "].id",
             "duplicate sample id " + std::to_string(m.samples.back().id));
      }
    }
    return m;
  }

  ParamValues params(const YAML::Node& n, const std::string& field) const {
    ParamValues p;
    if (!n) return p;
    for (const auto& kv : n) {
      const std::string key = kv.first.as<std::string>();
      p[key] = number(kv.second, field + "." + key);
    }
    return p;
  }

  static std::string strip_field(const InputError& e) {
    std::string w = e.what();
    const std::string prefix = e.field() + ": ";
    if (!e.field().empty() && w.rfind(prefix, 0) == 0) w.erase(0, prefix.size());
    return w;
  }

 private:
  PruningPattern parse_or_fail(const YAML::Node& n, const std::string& field) const {
    try {
      return parse_pruning_pattern(text(n, field), field);
    } catch (const InputError& e) {
      if (!e.file().empty()) throw;
      throw InputError(file_, line(n), e.field(), strip_field(e));
    }
  }

  std::string file_;
  fs::path base_;
};

}  // namespace

ProfileJob read_profile_job(const fs::path& path) {
  ProfileJob job;
  job.file = path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::BadFile&) {
    throw InputError(job.file, 0, "", "cannot read profile input file");
  } catch (const YAML::Exception& e) {
    throw InputError(job.file, e.mark.is_null() ? 0 : static_cast<std::size_t>(e.mark.line) + 1, "",
                     "YAML syntax error: " + e.msg);
  }
  Reader r(job.file, path.has_parent_path() ? path.parent_path() : fs::path("."));
  try {
    r.check_keys(root, "input", {"semantics", "seed", "models"});
    if (root["semantics"]) {
      try {
        job.semantics = parse_semantics(r.text(root["semantics"], "semantics"));
      } catch (const InputError& e) {
        if (!e.file().empty()) throw;
        r.fail(root["semantics"], "semantics", Reader::strip_field(e));
      }
    }
    if (root["seed"]) {
      const std::int64_t s = r.integer(root["seed"], "seed");
      if (s < 0) r.fail(root["seed"], "seed", "must be >= 0");
      job.seed = static_cast<std::uint64_t>(s);
    }
    const YAML::Node models = root["models"];
    if (!models || !models.IsSequence() || models.size() == 0) {
      r.fail(models ? models : root, "models", "a non-empty list of models is required");
    }
    std::set<std::string> variants;
    for (std::size_t i = 0; i < models.size(); ++i) {
      ProfileModelSpec m = r.model(models[i], i);
      m.params = r.params(models[i]["params"], m.model + ".params");
      if (!variants.insert(m.variant_name()).second) {
        r.fail(models[i], m.model + ".pattern",
               "model '" + m.model + "' with pattern '" + m.pattern + "' is listed twice");
      }
      // The accelerator must exist, take these parameters and support every layer type.
      std::unique_ptr<AcceleratorModel> acc;
      try {
        acc = make_accelerator(m.accelerator, m.params, Semantics::corrected);
      } catch (const InputError& e) {
        if (!e.file().empty()) throw;
        r.fail(models[i]["accelerator"], m.model + "." + e.field(), Reader::strip_field(e));
      }
      for (const auto& l : m.layers) {
        if (!acc->supports(l.shape.type)) {
          throw InputError(job.file, l.line, m.model + "." + l.name + ".type",
                           "accelerator '" + m.accelerator + "' does not model " +
                               to_string(l.shape.type) + " layers");
        }
      }
      job.models.push_back(std::move(m));
    }
  } catch (const YAML::Exception& e) {
    throw InputError(job.file, e.mark.is_null() ? 0 : static_cast<std::size_t>(e.mark.line) + 1, "",
                     e.msg);
  }
  return job;
}

}  // namespace dysta
