// Profile construction and the derived tables of spec B.1, in the reference's arithmetic order
// (spec L.2) so that reference semantics is bit-exact.
#include "dysta/profile.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "dysta/atomic_output.h"
#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/input_checks.h"
#include "dysta/numeric.h"

namespace fs = std::filesystem;

namespace dysta {

std::string to_string(ProfileFormat format) {
  switch (format) {
    case ProfileFormat::sanger:
      return "sanger";
    case ProfileFormat::eyeriss_v2:
      return "eyeriss_v2";
    case ProfileFormat::native:
      return "native";
  }
  return "?";
}

std::optional<std::size_t> VariantProfile::sample_position(std::int64_t sample_id) const {
  const auto it = sample_index_.find(sample_id);
  if (it == sample_index_.end()) return std::nullopt;
  return it->second;
}

namespace {

// Python's sum(x[k:]) accumulates left to right from x[k] (spec L.2), which costs O(L^2) per
// sample. Up to this many layers (ten times the largest shipped profile, 97 layers) that exact
// order is kept, so reference semantics stays bit-exact; longer
// profiles use the O(L) recurrence remaining[k] = x[k] + remaining[k+1], which differs only by
// rounding. Loading is thus linear in the data: at most this many additions per cell.
constexpr std::size_t kExactSuffixLayers = 1024;

// remaining[k] = x[k] + x[k+1] + ... + x[L-1], accumulated left to right when L <=
// kExactSuffixLayers, else right to left; remaining[L] = 0.
void left_to_right_suffix_sums(std::span<const double> x, double* remaining) {
  const std::size_t n = x.size();
  if (n > kExactSuffixLayers) {
    remaining[n] = 0.0;
    for (std::size_t k = n; k-- > 0;) remaining[k] = x[k] + remaining[k + 1];
    return;
  }
  for (std::size_t k = 0; k < n; ++k) {
    double s = 0.0;
    for (std::size_t j = k; j < n; ++j) s += x[j];
    remaining[k] = s;
  }
  remaining[n] = 0.0;
}

}  // namespace

VariantProfile make_variant(std::string name, std::string architecture, std::string pattern,
                            std::vector<std::int64_t> sample_ids, std::size_t num_layers,
                            std::vector<double> latency_s, std::vector<double> sparsity) {
  VariantProfile v;
  v.name = std::move(name);
  v.architecture = std::move(architecture);
  v.pattern = std::move(pattern);
  v.num_layers = num_layers;
  v.sample_ids = std::move(sample_ids);
  v.latency_s = std::move(latency_s);
  v.sparsity = std::move(sparsity);
  const std::size_t n = v.sample_ids.size();
  const std::size_t L = num_layers;
  if (n == 0 || L == 0) throw InputError(v.source, 0, v.name, "profile has no samples or layers");
  if (v.latency_s.size() != n * L || v.sparsity.size() != n * L) {
    throw InputError(v.source, 0, v.name, "profile tables do not match samples x layers");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!v.sample_index_.emplace(v.sample_ids[i], i).second) {
      throw InputError(v.source, 0, "sample",
                       "duplicate sample id " + std::to_string(v.sample_ids[i]));
    }
  }

  // Per-layer means: whole-vector additions in sample order, then one division (B.1 step 5).
  v.avg_latency_s.assign(L, 0.0);
  v.avg_sparsity.assign(L, 0.0);
  for (std::size_t s = 0; s < n; ++s) {
    for (std::size_t l = 0; l < L; ++l) {
      v.avg_latency_s[l] = v.avg_latency_s[l] + v.latency_s[s * L + l];
      v.avg_sparsity[l] = v.avg_sparsity[l] + v.sparsity[s * L + l];
    }
  }
  for (std::size_t l = 0; l < L; ++l) {
    v.avg_latency_s[l] /= static_cast<double>(n);
    v.avg_sparsity[l] /= static_cast<double>(n);
  }

  // Target: numpy mean over samples of each sample's left-to-right end-to-end sum (step 6).
  std::vector<double> e2e(n);
  for (std::size_t s = 0; s < n; ++s) e2e[s] = sequential_sum(v.latencies(s));
  v.target_latency_pattern_s = numpy_mean(e2e);

  v.real_remaining_s.assign(n * (L + 1), 0.0);
  for (std::size_t s = 0; s < n; ++s) {
    left_to_right_suffix_sums(v.latencies(s), v.real_remaining_s.data() + s * (L + 1));
  }
  v.est_remaining_pattern_s.assign(L + 1, 0.0);
  left_to_right_suffix_sums(v.avg_latency_s, v.est_remaining_pattern_s.data());

  // Until merged into a set, the model level equals the pattern level.
  v.avg_latency_model_s = v.avg_latency_s;
  v.est_remaining_model_s = v.est_remaining_pattern_s;
  v.target_latency_model_s = v.target_latency_pattern_s;
  return v;
}

ProfileSet::ProfileSet(std::vector<VariantProfile> variants) : variants_(std::move(variants)) {
  std::stable_sort(
      variants_.begin(), variants_.end(),
      [](const VariantProfile& a, const VariantProfile& b) { return a.name < b.name; });
  for (std::size_t i = 1; i < variants_.size(); ++i) {
    if (variants_[i].name == variants_[i - 1].name) {
      throw InputError(
          variants_[i].source, 0, "model",
          "variant '" + variants_[i].name + "' also defined in " + variants_[i - 1].source);
    }
  }
  // Architecture level (B.1 step 7). Sanger files are their own architecture and copy the
  // pattern level; other variants are merged per architecture with sample-count weights,
  // accumulated in variant order and divided once by the total sample count.
  std::map<std::string, std::vector<std::size_t>> groups;
  std::vector<std::string> group_order;
  for (std::size_t i = 0; i < variants_.size(); ++i) {
    if (variants_[i].format == ProfileFormat::sanger) continue;
    auto [it, inserted] = groups.try_emplace(variants_[i].architecture);
    if (inserted) group_order.push_back(variants_[i].architecture);
    it->second.push_back(i);
  }
  for (const auto& key : group_order) {
    const auto& members = groups[key];
    const std::size_t L = variants_[members.front()].num_layers;
    double target = 0.0;
    std::vector<double> avg(L, 0.0);
    std::size_t total = 0;
    for (std::size_t i : members) {
      const VariantProfile& v = variants_[i];
      if (v.num_layers != L) {
        throw InputError(v.source, 0, "layer",
                         "architecture '" + key + "': variant '" + v.name + "' has " +
                             std::to_string(v.num_layers) + " layers but '" +
                             variants_[members.front()].name + "' has " + std::to_string(L));
      }
      const double n = static_cast<double>(v.num_samples());
      total += v.num_samples();
      target += n * v.target_latency_pattern_s;
      for (std::size_t l = 0; l < L; ++l) avg[l] = avg[l] + n * v.avg_latency_s[l];
    }
    target /= static_cast<double>(total);
    for (double& a : avg) a /= static_cast<double>(total);
    std::vector<double> remaining(L + 1);
    left_to_right_suffix_sums(avg, remaining.data());
    for (std::size_t i : members) {
      variants_[i].target_latency_model_s = target;
      variants_[i].avg_latency_model_s = avg;
      variants_[i].est_remaining_model_s = remaining;
    }
  }
}

std::optional<std::size_t> ProfileSet::find(std::string_view name) const {
  for (std::size_t i = 0; i < variants_.size(); ++i) {
    if (variants_[i].name == name) return i;
  }
  return std::nullopt;
}

std::vector<std::string> ProfileSet::architectures() const {
  std::set<std::string> keys;
  for (const auto& v : variants_) keys.insert(v.architecture);
  return {keys.begin(), keys.end()};
}

std::size_t ProfileSet::max_layers() const {
  std::size_t m = 0;
  for (const auto& v : variants_) m = std::max(m, v.num_layers);
  return m;
}

// ---------------------------------------------------------------------------------------------
// Readers

namespace {

constexpr std::int64_t kMaxLayers = 100000;
// Largest accepted layer latency, in seconds (docs/formats.md): keeps every sum over a request's
// layers, and every arrival + SLO x latency, finite.
constexpr double kMaxLayerLatencyS = 1e6;

void check_latency(const CsvReader& csv, const std::string& field, double lat) {
  if (!(lat >= 0 && lat <= kMaxLayerLatencyS)) {
    throw InputError(csv.path(), csv.line(), field,
                     "latency must be in [0, " + format_double(kMaxLayerLatencyS) +
                         "] seconds, found " + format_double(lat));
  }
}

// Rows the readers may reserve ahead of time for one file, shared by the file's variants: at most
// one row per 8 bytes of file (no row is shorter), so reservations stay within twice the file's
// size even when a native file's variants each estimate the whole remainder as theirs.
struct ReserveBudget {
  std::uintmax_t rows = 0;
};

// Collects the cells of one variant while a file is read.
//
// Ordered mode, the layout every writer produces (samples in increasing id, each with its layers
// 0..L-1 in order): cells are appended to the flat [sample][layer] arrays the profile keeps, which
// are reserved once the first sample is complete from the bytes that remain, so memory is one
// copy of the data. The first row out of that order moves the cells to per-sample rows (general
// mode: any order, NaN = missing), which give the same profile and the same errors.
struct VariantBuilder {
  std::string name, architecture, pattern;
  std::vector<std::int64_t> sample_ids;
  std::vector<std::size_t> first_line;
  std::int64_t max_layer = -1;

  bool ordered = true;
  std::size_t layers = 0;      // L of the complete samples; 0 until the first one is complete
  std::size_t next_layer = 0;  // cells of the last sample so far
  std::uintmax_t start_bytes = 0;
  std::vector<double> flat_latency, flat_sparsity;

  std::unordered_map<std::int64_t, std::size_t> positions;
  std::vector<std::vector<double>> latency, sparsity;  // [sample][layer], NaN = missing

  void add(const CsvReader& csv, std::int64_t sample, std::int64_t layer, double lat, double sp,
           ReserveBudget& budget) {
    if (sample < 0) throw InputError(csv.path(), csv.line(), "sample", "must be >= 0");
    if (layer < 0 || layer >= kMaxLayers) {
      throw InputError(csv.path(), csv.line(), "layer",
                       "must be in [0, " + std::to_string(kMaxLayers) + ")");
    }
    max_layer = std::max(max_layer, layer);
    if (ordered && append_ordered(csv, sample, static_cast<std::size_t>(layer), budget)) {
      flat_latency.push_back(lat);
      flat_sparsity.push_back(sp);
      return;
    }
    if (ordered) to_general();
    auto [it, inserted] = positions.try_emplace(sample, sample_ids.size());
    if (inserted) {
      sample_ids.push_back(sample);
      latency.emplace_back();
      sparsity.emplace_back();
      first_line.push_back(csv.line());
    }
    auto& lat_row = latency[it->second];
    auto& sp_row = sparsity[it->second];
    const auto l = static_cast<std::size_t>(layer);
    if (lat_row.size() <= l) {
      lat_row.resize(l + 1, std::nan(""));
      sp_row.resize(l + 1, std::nan(""));
    }
    if (!std::isnan(lat_row[l])) {
      throw InputError(csv.path(), csv.line(), "layer",
                       "duplicate cell (sample " + std::to_string(sample) + ", layer " +
                           std::to_string(layer) + ")");
    }
    lat_row[l] = lat;
    sp_row[l] = sp;
  }

  // True when (sample, layer) continues the ordered layout; the caller then appends the cell.
  bool append_ordered(const CsvReader& csv, std::int64_t sample, std::size_t layer,
                      ReserveBudget& budget) {
    if (!sample_ids.empty() && sample == sample_ids.back()) {
      if (layer != next_layer || (layers != 0 && layer >= layers)) return false;
      ++next_layer;
      return true;
    }
    if (layer != 0) return false;
    if (sample_ids.empty()) {
      start_bytes = csv.bytes_read();
    } else {
      if (sample <= sample_ids.back()) return false;          // ids must increase to be new
      if (layers != 0 && next_layer != layers) return false;  // the last sample is incomplete
      if (layers == 0) {
        layers = next_layer;
        reserve(csv, budget);
      }
    }
    sample_ids.push_back(sample);
    first_line.push_back(csv.line());
    next_layer = 1;
    return true;
  }

  // Reserves room for the rows that the rest of the file holds at the first sample's bytes per
  // row (untouched reserved pages cost no memory), within the file's budget.
  void reserve(const CsvReader& csv, ReserveBudget& budget) {
    const std::uintmax_t rows = flat_latency.size();
    const std::uintmax_t used = csv.bytes_read() - start_bytes;
    if (rows == 0 || used == 0 || csv.file_size() <= csv.bytes_read()) return;
    const std::uintmax_t remaining = (csv.file_size() - csv.bytes_read()) * rows / used;
    const std::uintmax_t want = std::min(remaining + remaining / 16 + 16, budget.rows);
    budget.rows -= want;
    flat_latency.reserve(flat_latency.size() + static_cast<std::size_t>(want));
    flat_sparsity.reserve(flat_sparsity.size() + static_cast<std::size_t>(want));
  }

  void to_general() {
    ordered = false;
    const std::size_t n = sample_ids.size();
    latency.resize(n);
    sparsity.resize(n);
    std::size_t at = 0;
    for (std::size_t s = 0; s < n; ++s) {
      positions.emplace(sample_ids[s], s);
      const std::size_t cells = s + 1 < n ? layers : next_layer;
      const auto from = static_cast<std::ptrdiff_t>(at);
      const auto to = static_cast<std::ptrdiff_t>(at + cells);
      latency[s].assign(flat_latency.begin() + from, flat_latency.begin() + to);
      sparsity[s].assign(flat_sparsity.begin() + from, flat_sparsity.begin() + to);
      at += cells;
    }
    std::vector<double>().swap(flat_latency);
    std::vector<double>().swap(flat_sparsity);
  }

  VariantProfile build(const std::string& path, ProfileFormat format) {
    const auto L = static_cast<std::size_t>(max_layer + 1);
    std::vector<double> lat, sp;
    if (ordered) {
      if (next_layer != L) {
        throw InputError(path, first_line.back(), "layer",
                         "missing cell: sample " + std::to_string(sample_ids.back()) +
                             " has no row for layer " + std::to_string(next_layer) + " (variant '" +
                             name + "' has " + std::to_string(L) + " layers)");
      }
      lat = std::move(flat_latency);
      sp = std::move(flat_sparsity);
    } else {
      lat.reserve(L * sample_ids.size());
      sp.reserve(L * sample_ids.size());
      for (std::size_t s = 0; s < sample_ids.size(); ++s) {
        latency[s].resize(L, std::nan(""));
        sparsity[s].resize(L, std::nan(""));
        for (std::size_t l = 0; l < L; ++l) {
          if (std::isnan(latency[s][l])) {
            throw InputError(path, first_line[s], "layer",
                             "missing cell: sample " + std::to_string(sample_ids[s]) +
                                 " has no row for layer " + std::to_string(l) + " (variant '" +
                                 name + "' has " + std::to_string(L) + " layers)");
          }
          lat.push_back(latency[s][l]);
          sp.push_back(sparsity[s][l]);
        }
        std::vector<double>().swap(latency[s]);  // memory stays proportional to the data
        std::vector<double>().swap(sparsity[s]);
      }
    }
    VariantProfile v;
    try {
      v = make_variant(name, architecture, pattern, sample_ids, L, std::move(lat), std::move(sp));
    } catch (const InputError& e) {
      throw InputError(path, e.line(), e.field(), e.message());
    }
    v.source = path;
    v.format = format;
    return v;
  }
};

void check_fraction(const CsvReader& csv, std::size_t col, double value, bool zero_allowed) {
  if (value > 1.0 || value < 0.0 || (!zero_allowed && value == 0.0)) {
    throw InputError(csv.path(), csv.line(), csv.header()[col],
                     std::string("must be in ") + (zero_allowed ? "[0, 1]" : "(0, 1]") +
                         ", found " + format_double(value));
  }
}

// The variant name a Sanger or Eyeriss-V2 file's name gives (text before the first dot); it is
// written into outputs, so it must be UTF-8.
std::string stem_to_first_dot(const fs::path& path) {
  const std::string file = path.filename().string();
  std::string stem = file.substr(0, file.find('.'));
  require_utf8(stem, path.string(), 0, "file name");
  if (stem.empty()) throw InputError(path.string(), 0, "file name", "empty model name");
  return stem;
}

VariantProfile read_sanger(CsvReader& csv, const ProfileLoadOptions& options) {
  const std::size_t c_density = csv.column("overall-sparsity");
  const std::size_t c_lb = csv.column("50%-skip");
  const std::size_t c_sample = csv.column("batch-indx");
  const std::size_t c_layer = csv.column("layer-indx");
  VariantBuilder b;
  ReserveBudget budget{csv.file_size() / 8};
  b.name = stem_to_first_dot(csv.path());
  b.architecture = b.name;  // Sanger files are each their own model (B.1 step 7)
  while (csv.next_row()) {
    const double density = csv.number(c_density);
    const double lb = csv.number(c_lb);
    check_fraction(csv, c_density, density, false);
    check_fraction(csv, c_lb, lb, false);
    const double lat = sanger_layer_latency_s(density, lb, options.sanger);
    check_latency(csv, "50%-skip", lat);  // derived: a tiny load balance divides
    // Sanger's column is a density; the LUT stores the zero fraction (F.5).
    b.add(csv, csv.integer(c_sample), csv.integer(c_layer), lat, 1 - density, budget);
  }
  if (b.sample_ids.empty()) throw InputError(csv.path(), csv.line(), "", "no data rows");
  return b.build(csv.path(), ProfileFormat::sanger);
}

VariantProfile read_eyeriss(CsvReader& csv) {
  const std::size_t c_lat = csv.column("sim_lat");
  const std::size_t c_sp = csv.column("overall-sparsity");
  const std::size_t c_sample = csv.column("batch-indx");
  const std::size_t c_layer = csv.column("layer-indx");
  VariantBuilder b;
  ReserveBudget budget{csv.file_size() / 8};
  b.name = stem_to_first_dot(csv.path());
  const auto underscore = b.name.find('_');
  b.architecture = b.name.substr(0, underscore);
  b.pattern = underscore == std::string::npos ? "" : b.name.substr(underscore + 1);
  while (csv.next_row()) {
    const double lat = csv.number(c_lat);
    check_latency(csv, "sim_lat", lat);
    const double sp = csv.number(c_sp);
    check_fraction(csv, c_sp, sp, true);
    b.add(csv, csv.integer(c_sample), csv.integer(c_layer), lat, sp, budget);
  }
  if (b.sample_ids.empty()) throw InputError(csv.path(), csv.line(), "", "no data rows");
  return b.build(csv.path(), ProfileFormat::eyeriss_v2);
}

std::vector<VariantProfile> read_native(CsvReader& csv) {
  const std::size_t c_model = csv.column("model");
  const std::size_t c_pattern = csv.column("pattern");
  const std::size_t c_sample = csv.column("sample");
  const std::size_t c_layer = csv.column("layer");
  const std::size_t c_lat = csv.column("latency_s");
  const std::size_t c_sp = csv.column("sparsity");
  std::vector<VariantBuilder> builders;
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  ReserveBudget budget{csv.file_size() / 8};
  while (csv.next_row()) {
    const std::string model(csv.text(c_model));
    const std::string pattern(csv.text(c_pattern));
    if (model.empty()) throw InputError(csv.path(), csv.line(), "model", "empty model name");
    require_utf8(model, csv.path(), csv.line(), "model");
    require_utf8(pattern, csv.path(), csv.line(), "pattern");
    const double lat = csv.number(c_lat);
    check_latency(csv, "latency_s", lat);
    const double sp = csv.number(c_sp);
    check_fraction(csv, c_sp, sp, true);
    auto [it, inserted] = index.try_emplace({model, pattern}, builders.size());
    if (inserted) {
      VariantBuilder b;
      b.name = pattern.empty() ? model : model + "_" + pattern;
      b.architecture = model;
      b.pattern = pattern;
      builders.push_back(std::move(b));
    }
    builders[it->second].add(csv, csv.integer(c_sample), csv.integer(c_layer), lat, sp, budget);
  }
  if (builders.empty()) throw InputError(csv.path(), csv.line(), "", "no data rows");
  std::vector<VariantProfile> out;
  for (auto& b : builders) out.push_back(b.build(csv.path(), ProfileFormat::native));
  return out;
}

}  // namespace

std::vector<VariantProfile> read_profile_file(const fs::path& path,
                                              const ProfileLoadOptions& options) {
  CsvReader csv(path.string());
  if (csv.has_column("latency_s")) return read_native(csv);
  if (csv.has_column("sim_lat")) return {read_eyeriss(csv)};
  if (csv.has_column("50%-skip") || csv.has_column("overall-sparsity")) {
    return {read_sanger(csv, options)};
  }
  throw InputError(path.string(), csv.header_line(), "header",
                   "unrecognised profile format (expected a native file with latency_s, an "
                   "Eyeriss-V2 file with sim_lat, or a Sanger file with 50%-skip)");
}

ProfileSet load_profiles(const std::vector<fs::path>& files, const ProfileLoadOptions& options) {
  std::vector<VariantProfile> all;
  for (const auto& f : files) {
    for (auto& v : read_profile_file(f, options)) all.push_back(std::move(v));
  }
  if (all.empty()) throw InputError("", 0, "profiles", "no profile files given");
  return ProfileSet(std::move(all));
}

ProfileSet load_profiles(const fs::path& path, const ProfileLoadOptions& options) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.is_regular_file() && entry.path().extension() == ".csv") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    if (files.empty())
      throw InputError(path.string(), 0, "profiles", "directory has no .csv files");
    return load_profiles(files, options);
  }
  try {
    require_regular_file(path);  // a missing path, a symlink loop, a FIFO or a device
  } catch (const InputError& e) {
    throw InputError(path.string(), 0, "profiles", e.message());
  }
  return load_profiles(std::vector<fs::path>{path}, options);
}

void write_native_profiles(const ProfileSet& set, const fs::path& path) {
  write_file_atomically(path, native_profiles_text(set));
}

std::string native_profiles_text(const ProfileSet& set) {
  std::string out = "model,pattern,sample,layer,latency_s,sparsity\n";
  for (const auto& v : set.variants()) {
    for (std::size_t s = 0; s < v.num_samples(); ++s) {
      for (std::size_t l = 0; l < v.num_layers; ++l) {
        out += csv_field(v.architecture) + "," + csv_field(v.pattern) + "," +
               std::to_string(v.sample_ids[s]) + "," + std::to_string(l) + "," +
               format_double(v.latency_s[s * v.num_layers + l]) + "," +
               format_double(v.sparsity[s * v.num_layers + l]) + "\n";
      }
    }
  }
  return out;
}

}  // namespace dysta
