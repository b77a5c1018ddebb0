// Running a `dysta profile` job and writing its outputs (docs/profile-format.md).
#include <cmath>
#include <sstream>

#include "dysta/accelerators/profiling.h"
#include "dysta/accelerators/sanger.h"
#include "dysta/atomic_output.h"
#include "dysta/csv.h"
#include "dysta/error.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

std::string bare_message(const InputError& e) {
  std::string w = e.what();
  const std::string prefix = e.field() + ": ";
  if (!e.field().empty() && w.rfind(prefix, 0) == 0) w.erase(0, prefix.size());
  return w;
}

// Places an error at `line` of the job file, under `scope` (model, sample). An error that names
// another file (a mask file) keeps that file's text and is attributed to `field`.
[[noreturn]] void relocate(const InputError& e, const std::string& file, std::size_t line,
                           const std::string& scope, const std::string& field) {
  if (!e.file().empty()) throw InputError(file, line, scope + "." + field, e.what());
  throw InputError(file, line, scope + "." + e.field(), bare_message(e));
}

// Compares shapes ignoring leading 1s on the mask.
void check_shape(const BitMask& mask, const std::vector<std::int64_t>& expected,
                 const std::string& field) {
  if (mask.empty()) throw InputError("", 0, field, "empty mask " + shape_to_string(mask.shape()));
  std::vector<std::int64_t> got = mask.shape();
  while (got.size() > expected.size() && got.front() == 1) got.erase(got.begin());
  if (got != expected) {
    throw InputError("", 0, field,
                     "mask shape " + shape_to_string(mask.shape()) +
                         " does not match the layer (expected " + shape_to_string(expected) + ")");
  }
}

BitMask load_raw(const MaskSpec& m, const std::vector<std::int64_t>& default_shape,
                 const std::string& field) {
  if (m.kind == MaskSpec::Kind::npy) return npy_to_mask(read_npy(m.file), m.file.string());
  return parse_bit_string(m.bits, m.shape.empty() ? default_shape : m.shape, field);
}

std::vector<double> parse_values(const std::string& text) {
  std::vector<double> out;
  std::istringstream in(text);
  std::string tok;
  while (in >> tok) out.push_back(std::strtod(tok.c_str(), nullptr));
  return out;
}

AttentionStats attention_stats(const AttentionSpec& a, std::int64_t declared_seq_len,
                               Semantics semantics, const std::string& layer) {
  if (a.kind == AttentionSpec::Kind::stats) {
    AttentionStats s = a.stats;
    s.seq_len = declared_seq_len;
    return s;
  }
  BitMask mask;
  if (a.kind == AttentionSpec::Kind::mask) {
    mask = load_raw(a.source, {}, layer + ".mask");
  } else if (a.source.kind == MaskSpec::Kind::npy) {
    const NpyArray arr = read_npy(a.source.file);
    mask =
        sanger_threshold_mask(npy_to_doubles(arr, a.source.file.string()), arr.shape, a.threshold);
  } else {
    try {
      mask = sanger_threshold_mask(parse_values(a.source.bits), a.source.shape, a.threshold);
    } catch (const InputError& e) {
      throw InputError("", 0, layer + ".probabilities", bare_message(e));
    }
  }
  SangerMaskOptions opts;
  opts.valid_len = a.valid_len;
  const SangerMaskStats st = sanger_mask_stats(mask, opts, semantics, layer);
  if (declared_seq_len > 0 && declared_seq_len != st.seq_len) {
    throw InputError("", 0, layer + ".seq_len",
                     "the layer declares " + std::to_string(declared_seq_len) +
                         " tokens but its mask is " + std::to_string(st.seq_len) + " x " +
                         std::to_string(st.seq_len));
  }
  AttentionStats s;
  s.density = st.density;
  s.load_balance = st.lb_50_skip;
  s.lb_50_no_skip = st.lb_50_no_skip;
  s.lb_25_skip = st.lb_25_skip;
  s.lb_25_no_skip = st.lb_25_no_skip;
  s.seq_len = st.seq_len;
  return s;
}

std::string key(const ProfileJob& job, const ProfileModelSpec& m, const std::string& layer,
                const std::string& what) {
  return std::to_string(job.seed) + "/" + m.model + "/" + m.pattern + "/" + layer + "/" + what;
}

std::string field_or_empty(double v) {
  return std::isnan(v) ? "" : format_double(v);
}

}  // namespace

std::vector<ProfiledVariant> run_profile_job(const ProfileJob& job, Semantics semantics) {
  std::vector<ProfiledVariant> out;
  for (const ProfileModelSpec& m : job.models) {
    const AcceleratorInfo* info = nullptr;
    std::unique_ptr<AcceleratorModel> acc;
    try {
      info = &accelerator_registry().get("accelerator", m.accelerator);
      acc = make_accelerator(m.accelerator, m.params, semantics);
    } catch (const InputError& e) {
      relocate(e, job.file, m.line, m.model, "accelerator");
    }
    ProfiledVariant v;
    v.model = m.model;
    v.pattern = m.pattern;
    v.accelerator = m.accelerator;
    v.artifact_csv = info->artifact_csv;
    v.artifact_dir = info->artifact_dir;
    const std::size_t L = m.layers.size();

    // Weight masks are static: built once per layer.
    std::vector<BitMask> weights(L);
    for (std::size_t l = 0; l < L; ++l) {
      const ProfileLayerSpec& spec = m.layers[l];
      v.layer_names.push_back(spec.name);
      if (spec.shape.type == LayerType::attention) continue;
      const std::string field = spec.name + ".weights";
      try {
        const MaskSpec& w = spec.weights;
        if (w.kind == MaskSpec::Kind::pattern) {
          weights[l] = pruned_weights(spec.shape, w.pattern, w.density, w.block,
                                      seed_from_key(key(job, m, spec.name, "weights")));
        } else {
          weights[l] = load_raw(w, spec.shape.weight_shape(), field);
        }
        check_shape(weights[l], spec.shape.weight_shape(), field);
      } catch (const InputError& e) {
        relocate(e, job.file, spec.weights.line ? spec.weights.line : spec.line, m.model, field);
      }
    }

    for (const ProfileSampleSpec& s : m.samples) {
      v.sample_ids.push_back(s.id);
      const std::string scope = m.model + ".sample " + std::to_string(s.id);
      for (std::size_t l = 0; l < L; ++l) {
        const ProfileLayerSpec& spec = m.layers[l];
        LayerInput in;
        in.name = spec.name;
        in.type = spec.shape.type;
        in.shape = spec.shape;
        BitMask act;
        std::size_t line = s.line;
        std::string field = spec.name;
        try {
          if (spec.shape.type == LayerType::attention) {
            line = s.attention[l].line ? s.attention[l].line : s.line;
            field = spec.name + (s.attention[l].kind == AttentionSpec::Kind::probabilities
                                     ? ".probabilities"
                                     : ".mask");
            in.attention = attention_stats(s.attention[l], spec.seq_len ? spec.seq_len : m.seq_len,
                                           semantics, spec.name);
          } else {
            const MaskSpec& a = s.activations[l];
            line = a.line ? a.line : s.line;
            field = spec.name + ".activation";
            if (a.kind == MaskSpec::Kind::random) {
              act =
                  random_mask(spec.shape.activation_shape(), a.density,
                              seed_from_key(key(job, m, spec.name,
                                                "sample/" + std::to_string(s.id) + "/activation")));
            } else {
              act = load_raw(a, spec.shape.activation_shape(), field);
            }
            check_shape(act, spec.shape.activation_shape(), field);
            in.activation = &act;
            in.weights = &weights[l];
          }
          LayerLatency r = acc->latency(in);
          if (!(r.seconds >= 0 && std::isfinite(r.seconds))) {
            throw InputError(
                "", 0, spec.name,
                "accelerator '" + m.accelerator + "' returned latency " + format_double(r.seconds));
          }
          v.latency_s.push_back(r.seconds);
          v.sparsity.push_back(layer_sparsity(in));
          v.attention.push_back(in.attention);
          v.detail.push_back(std::move(r));
        } catch (const InputError& e) {
          relocate(e, job.file, line, scope, field);
        }
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

ProfileSet to_profile_set(const std::vector<ProfiledVariant>& variants) {
  std::vector<VariantProfile> all;
  for (const auto& v : variants) {
    VariantProfile p = make_variant(v.variant_name(), v.model, v.pattern, v.sample_ids,
                                    v.layer_names.size(), v.latency_s, v.sparsity);
    p.source = "dysta profile (" + v.accelerator + ")";
    p.format = ProfileFormat::native;
    all.push_back(std::move(p));
  }
  return ProfileSet(std::move(all));
}

std::string artifact_csv_text(const ProfiledVariant& v) {
  const std::size_t L = v.layer_names.size();
  std::string out;
  if (v.artifact_csv == ArtifactCsv::sanger_stats) {
    // Spec F.2: the columns of upstream Sanger's logger plus Dysta's indices; overall-sparsity is
    // the density. Unknown load-balance columns are left empty.
    out = "50%-no-skip,50%-skip,25%-no-skip,25%-skip,overall-sparsity,batch-indx,layer-indx\n";
    for (std::size_t s = 0; s < v.sample_ids.size(); ++s) {
      for (std::size_t l = 0; l < L; ++l) {
        const AttentionStats& a = v.attention[s * L + l];
        out += field_or_empty(a.lb_50_no_skip) + "," + format_double(a.load_balance) + "," +
               field_or_empty(a.lb_25_no_skip) + "," + field_or_empty(a.lb_25_skip) + "," +
               format_double(a.density) + "," + std::to_string(v.sample_ids[s]) + "," +
               std::to_string(l) + "\n";
      }
    }
    return out;
  }
  // Spec F.4: latency in seconds and the zero fraction of the layer input.
  out = "sim_lat,overall-sparsity,batch-indx,layer-indx\n";
  for (std::size_t s = 0; s < v.sample_ids.size(); ++s) {
    for (std::size_t l = 0; l < L; ++l) {
      out += format_double(v.latency_s[s * L + l]) + "," + format_double(v.sparsity[s * L + l]) +
             "," + std::to_string(v.sample_ids[s]) + "," + std::to_string(l) + "\n";
    }
  }
  return out;
}

void write_profile_outputs(const std::vector<ProfiledVariant>& variants, const fs::path& dir) {
  write_native_profiles(to_profile_set(variants), dir / "profiles.csv");
  std::string breakdown = "model,pattern,sample,layer,layer_name,term,cycles\n";
  for (const auto& v : variants) {
    write_file_atomically(dir / "artifact" / v.artifact_dir / (v.variant_name() + ".csv"),
                          artifact_csv_text(v));
    const std::size_t L = v.layer_names.size();
    for (std::size_t s = 0; s < v.sample_ids.size(); ++s) {
      for (std::size_t l = 0; l < L; ++l) {
        const LayerLatency& d = v.detail[s * L + l];
        const std::string head = v.model + "," + v.pattern + "," + std::to_string(v.sample_ids[s]) +
                                 "," + std::to_string(l) + "," + v.layer_names[l] + ",";
        for (const auto& t : d.breakdown)
          breakdown += head + t.name + "," + format_double(t.cycles) + "\n";
        breakdown += head + "total," + format_double(d.cycles) + "\n";
      }
    }
  }
  write_file_atomically(dir / "details" / "breakdown.csv", breakdown);
}

}  // namespace dysta
