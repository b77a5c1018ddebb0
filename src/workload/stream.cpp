#include <cmath>

#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/workload.h"

namespace dysta {

namespace {
// Number of fields of the artifact's per-model info record, used as the sample count (Q1).
constexpr int kReferenceSampleRange = 7;
}  // namespace

double deadline_for(const Request& r, const ProfileSet& profiles) {
  const double slo_s = profiles.variant(r.variant).target_latency_model_s * r.slo_multiplier;
  return r.arrival_s + slo_s;
}

void apply_slo_multiplier(std::vector<Request>& requests, const ProfileSet& profiles, double m) {
  for (auto& r : requests) {
    r.slo_multiplier = m;
    r.deadline_s = deadline_for(r, profiles);
  }
}

PoissonGenerator::PoissonGenerator(const ProfileSet& profiles, const StreamSpec& spec,
                                   PyRandom& rng, Semantics semantics)
    : profiles_(profiles), spec_(spec), rng_(rng), semantics_(semantics) {
  if (!(spec.rate_per_s > 0) || !std::isfinite(spec.rate_per_s)) {
    throw InputError("", 0, "rate", "must be a finite number > 0");
  }
  if (spec.num_requests == 0) throw InputError("", 0, "requests", "must be > 0");
  if (!(spec.slo_multiplier > 0)) throw InputError("", 0, "slo_multiplier", "must be > 0");
  if (spec.priorities.empty()) throw InputError("", 0, "priorities", "must not be empty");
  if (profiles.size() == 0) throw InputError("", 0, "profiles", "empty profile set");
  if (!spec.per_model.empty()) {
    if (spec.per_model.size() != profiles.size()) {
      throw InputError("", 0, "per_model", "needs one entry per variant");
    }
    bool any = false;
    for (std::size_t m = 0; m < profiles.size(); ++m) {
      if (!spec.per_model[m]) {
        models_.emplace_back();
        continue;
      }
      any = true;
      const std::string field = "workload.per_model." + profiles.variant(m).name;
      ArrivalProcess process(*spec.per_model[m], field);
      const std::uint64_t lo = rng_.next_u32();
      const std::uint64_t hi = rng_.next_u32();
      ModelStream stream{std::move(process), PyRandom(lo | (hi << 32)), 0.0};
      stream.next_s = stream.process.next(stream.rng);
      models_.emplace_back(std::move(stream));
    }
    if (!any) throw InputError("", 0, "per_model", "no model has a rate");
  } else if (spec.arrivals) {
    ArrivalSpec arrivals = *spec.arrivals;
    arrivals.rate_per_s = spec.rate_per_s;
    process_.emplace(arrivals, "workload.arrivals");
  }
  if (!spec.mix.empty()) {
    if (spec.mix.size() != profiles.size()) {
      throw InputError("", 0, "mix", "needs one weight per variant");
    }
    double total = 0;
    for (double w : spec.mix) {
      if (!(w >= 0) || !std::isfinite(w)) throw InputError("", 0, "mix", "weights must be >= 0");
      total += w;
    }
    if (!(total > 0)) throw InputError("", 0, "mix", "weights sum to zero");
    double acc = 0;
    for (double w : spec.mix) cumulative_.push_back((acc += w) / total);
  }
  if (semantics == Semantics::reference) {
    for (const auto& v : profiles.variants()) {
      for (int id = 0; id < kReferenceSampleRange; ++id) {
        if (!v.sample_position(id)) {
          throw InputError(v.source, 0, "sample",
                           "reference semantics draws sample ids 0..6 (quirk Q1) but variant '" +
                               v.name + "' has no sample " + std::to_string(id));
        }
      }
    }
  }
}

Request PoissonGenerator::next() {
  Request r;
  if (!models_.empty()) {
    std::size_t best = models_.size();
    for (std::size_t m = 0; m < models_.size(); ++m) {
      if (models_[m] && (best == models_.size() || models_[m]->next_s < models_[best]->next_s)) {
        best = m;
      }
    }
    ModelStream& stream = *models_[best];
    r.arrival_s = stream.next_s;
    r.variant = static_cast<std::uint32_t>(best);
    stream.next_s = stream.process.next(stream.rng);
  } else {
    if (process_) {
      t_ = process_->next(rng_);
    } else {
      t_ += rng_.expovariate(spec_.rate_per_s);
    }
    r.arrival_s = t_;
    if (cumulative_.empty()) {
      r.variant = static_cast<std::uint32_t>(
          rng_.randint(0, static_cast<std::int64_t>(profiles_.size()) - 1));
    } else {
      const double u = rng_.random();
      std::size_t k = 0;
      while (k + 1 < cumulative_.size() && !(u < cumulative_[k])) ++k;
      while (spec_.mix[k] == 0 && k > 0) --k;  // never pick a zero-weight variant at the edge
      r.variant = static_cast<std::uint32_t>(k);
    }
  }
  const auto num_priorities = static_cast<std::int64_t>(spec_.priorities.size());
  r.priority = spec_.priorities[static_cast<std::size_t>(rng_.randint(0, num_priorities - 1))];
  const VariantProfile& v = profiles_.variant(r.variant);
  if (semantics_ == Semantics::reference) {
    const std::int64_t id = rng_.randint(0, kReferenceSampleRange - 1);
    r.sample_pos = static_cast<std::uint32_t>(*v.sample_position(id));
  } else {
    r.sample_pos =
        static_cast<std::uint32_t>(rng_.randint(0, static_cast<std::int64_t>(v.num_samples()) - 1));
  }
  r.slo_multiplier = spec_.slo_multiplier;
  r.deadline_s = deadline_for(r, profiles_);
  ++produced_;
  return r;
}

std::vector<Request> generate_poisson_stream(const ProfileSet& profiles, const StreamSpec& spec,
                                             PyRandom& rng, Semantics semantics) {
  PoissonGenerator generator(profiles, spec, rng, semantics);
  std::vector<Request> out;
  out.reserve(spec.num_requests);
  while (!generator.done()) out.push_back(generator.next());
  return out;
}

std::vector<Request> read_trace(const std::filesystem::path& path, const ProfileSet& profiles) {
  CsvReader csv(path.string());
  const std::size_t c_arrival = csv.column("arrival_s");
  const std::size_t c_model = csv.column("model");
  const std::size_t c_sample = csv.column("sample");
  const std::size_t c_priority = csv.column("priority");
  const std::size_t c_slo = csv.column("slo_multiplier");
  std::vector<Request> out;
  double last = 0;
  while (csv.next_row()) {
    if (out.size() == static_cast<std::size_t>(kMaxRequests)) {
      throw InputError(csv.path(), csv.line(), "",
                       "more than kMaxRequests = " + std::to_string(kMaxRequests) + " requests");
    }
    Request r;
    r.arrival_s = csv.number(c_arrival);
    if (!(r.arrival_s >= 0 && r.arrival_s <= kMaxArrivalS)) {
      throw InputError(csv.path(), csv.line(), "arrival_s",
                       "must be in [0, " + format_double(kMaxArrivalS) + "] seconds");
    }
    if (!out.empty() && r.arrival_s < last) {
      throw InputError(csv.path(), csv.line(), "arrival_s", "rows must be in arrival order");
    }
    last = r.arrival_s;
    const std::string_view model = csv.text(c_model);
    const auto variant = profiles.find(model);
    if (!variant) {
      throw InputError(csv.path(), csv.line(), "model",
                       "unknown model '" + std::string(model) + "' (not in the profile set)");
    }
    r.variant = static_cast<std::uint32_t>(*variant);
    const std::int64_t sample = csv.integer(c_sample);
    const auto pos = profiles.variant(*variant).sample_position(sample);
    if (!pos) {
      throw InputError(
          csv.path(), csv.line(), "sample",
          "model '" + std::string(model) + "' has no sample " + std::to_string(sample));
    }
    r.sample_pos = static_cast<std::uint32_t>(*pos);
    const std::int64_t priority = csv.integer(c_priority);
    if (priority < 1 || priority > kMaxPriority) {
      throw InputError(csv.path(), csv.line(), "priority",
                       "must be an integer in [1, " + std::to_string(kMaxPriority) + "]");
    }
    r.priority = static_cast<int>(priority);
    r.slo_multiplier = csv.number(c_slo);
    if (!(r.slo_multiplier >= kMinSloMultiplier && r.slo_multiplier <= kMaxSloMultiplier)) {
      throw InputError(csv.path(), csv.line(), "slo_multiplier",
                       "must be in [" + format_double(kMinSloMultiplier) + ", " +
                           format_double(kMaxSloMultiplier) + "]");
    }
    r.deadline_s = deadline_for(r, profiles);
    out.push_back(r);
  }
  if (out.empty()) throw InputError(csv.path(), csv.line(), "", "trace has no requests");
  return out;
}

std::string format_trace(const std::vector<Request>& requests, const ProfileSet& profiles) {
  std::string out = "arrival_s,model,sample,priority,slo_multiplier\n";
  std::vector<std::string> names(profiles.size());  // each variant's CSV field, made once
  for (std::size_t k = 0; k < names.size(); ++k) names[k] = csv_field(profiles.variant(k).name);
  out.reserve(out.size() + requests.size() * 64);
  for (const auto& r : requests) {
    const VariantProfile& v = profiles.variant(r.variant);
    out += format_double(r.arrival_s);
    out += ',';
    out += names[r.variant];
    out += ',';
    out += std::to_string(v.sample_ids[r.sample_pos]);
    out += ',';
    out += std::to_string(r.priority);
    out += ',';
    out += format_double(r.slo_multiplier);
    out += '\n';
  }
  return out;
}

}  // namespace dysta
