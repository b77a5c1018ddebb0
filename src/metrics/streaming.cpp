#include "dysta/streaming.h"

#include <cmath>

#include "dysta/error.h"
#include "dysta/policy.h"
#include "dysta/predictor.h"

namespace dysta {

QuantileSketch::QuantileSketch(double relative_accuracy) : accuracy_(relative_accuracy) {
  if (!(relative_accuracy > 0 && relative_accuracy < 1)) {
    throw InputError("", 0, "relative_accuracy", "must be in (0, 1)");
  }
  gamma_ = (1 + relative_accuracy) / (1 - relative_accuracy);
  log_gamma_ = std::log(gamma_);
}

void QuantileSketch::add(double x) {
  ++count_;
  if (!(x > 0)) {
    ++zeros_;
    return;
  }
  const auto index = static_cast<std::int64_t>(std::ceil(std::log(x) / log_gamma_));
  if (buckets_.empty()) {
    offset_ = index;
    buckets_.assign(1, 0);
  } else if (index < offset_) {
    buckets_.insert(buckets_.begin(), static_cast<std::size_t>(offset_ - index), 0);
    offset_ = index;
  } else if (index >= offset_ + static_cast<std::int64_t>(buckets_.size())) {
    buckets_.resize(static_cast<std::size_t>(index - offset_ + 1), 0);
  }
  ++buckets_[static_cast<std::size_t>(index - offset_)];
}

double QuantileSketch::quantile(double q) const {
  if (count_ == 0) return std::nan("");
  const auto rank =
      static_cast<std::uint64_t>(std::floor(q / 100.0 * static_cast<double>(count_ - 1)));
  if (rank < zeros_) return 0.0;
  std::uint64_t seen = zeros_;
  for (std::size_t j = 0; j < buckets_.size(); ++j) {
    seen += buckets_[j];
    if (rank < seen) {
      const double i = static_cast<double>(offset_ + static_cast<std::int64_t>(j));
      return 2 * std::exp(i * log_gamma_) / (gamma_ + 1);
    }
  }
  return 2 *
         std::exp(static_cast<double>(offset_ + static_cast<std::int64_t>(buckets_.size()) - 1) *
                  log_gamma_) /
         (gamma_ + 1);
}

void CompensatedSum::add(double x) {
  const double t = sum_ + x;
  if (std::fabs(sum_) >= std::fabs(x)) {
    compensation_ += (sum_ - t) + x;
  } else {
    compensation_ += (x - t) + sum_;
  }
  sum_ = t;
}

OnlineMetrics::OnlineMetrics(const ProfileSet& profiles, const StreamingOptions& options)
    : profiles_(profiles),
      options_(options),
      by_variant_(profiles.size()),
      turnaround_sketch_(options.relative_accuracy),
      normalized_sketch_(options.relative_accuracy) {}

void OnlineMetrics::on_completion(const Request& r, std::uint32_t, double, double finish_s) {
  const VariantProfile& v = profiles_.variant(r.variant);
  const double isolated = v.real_remaining_s[r.sample_pos * (v.num_layers + 1)];
  const double turnaround = finish_s - r.arrival_s;
  const double normalized = turnaround / isolated;
  const double progress = isolated / turnaround;
  const bool violated = finish_s > r.deadline_s;
  ++count_;
  GroupRate& gv = by_variant_[r.variant];
  GroupRate& gp = by_priority_[r.priority];
  ++gv.requests;
  ++gp.requests;
  if (violated) {
    ++violations_;
    ++gv.violations;
    ++gp.violations;
  }
  normalized_sum_.add(normalized);
  progress_sum_.add(progress);
  progress_sq_sum_.add(progress * progress);
  if (options_.exact_percentiles) {
    turnaround_.push_back(turnaround);
    normalized_.push_back(normalized);
  } else {
    turnaround_sketch_.add(turnaround);
    normalized_sketch_.add(normalized);
  }
}

// A dropped request is a violation and counts in its groups; it adds nothing else (metrics.h).
void OnlineMetrics::on_drop(const Request& r, std::uint32_t, double) {
  ++dropped_;
  ++violations_;
  for (GroupRate* g : {&by_variant_[r.variant], &by_priority_[r.priority]}) {
    ++g->requests;
    ++g->violations;
  }
}

RunMetrics OnlineMetrics::finish(const EngineStats& stats) const {
  RunMetrics m;
  m.requests = count_ + dropped_;
  m.violations = violations_;
  m.dropped = dropped_;
  m.max_ready = stats.max_ready;
  m.decisions = stats.decisions;
  m.layers_executed = stats.layers_executed;
  m.clock_rollbacks = stats.clock_rollbacks;
  m.idle_s = stats.idle_s;
  if (m.requests == 0) return m;
  m.slo_violation_rate = static_cast<double>(violations_) / static_cast<double>(m.requests);
  m.drop_rate = static_cast<double>(dropped_) / static_cast<double>(m.requests);
  if (count_ == 0) return m;
  const double n = static_cast<double>(count_);
  m.antt = normalized_sum_.value() / n;
  m.makespan_s = stats.last_finish_s - stats.first_arrival_s;
  m.throughput_inf_s = n / m.makespan_s;
  m.goodput_inf_s = static_cast<double>(m.requests - violations_) / m.makespan_s;
  m.stp_multiprogram = progress_sum_.value();
  const double sp = progress_sum_.value(), sp2 = progress_sq_sum_.value();
  m.jain_fairness = sp2 > 0 ? (sp * sp) / (n * sp2) : 0.0;
  if (options_.exact_percentiles) {
    m.turnaround_s = percentiles_50_90_99(turnaround_);
    m.normalized_turnaround = percentiles_50_90_99(normalized_);
  } else {
    m.turnaround_s = {turnaround_sketch_.quantile(50), turnaround_sketch_.quantile(90),
                      turnaround_sketch_.quantile(99)};
    m.normalized_turnaround = {normalized_sketch_.quantile(50), normalized_sketch_.quantile(90),
                               normalized_sketch_.quantile(99)};
  }
  for (std::size_t v = 0; v < by_variant_.size(); ++v) {
    if (by_variant_[v].requests == 0) continue;
    const VariantProfile& p = profiles_.variant(v);
    m.by_variant[p.name] = by_variant_[v];
    GroupRate& a = m.by_architecture[p.architecture];
    a.requests += by_variant_[v].requests;
    a.violations += by_variant_[v].violations;
  }
  m.by_priority = by_priority_;
  return m;
}

namespace {
class GeneratorSource final : public RequestSource {
 public:
  explicit GeneratorSource(PoissonGenerator& generator) : generator_(generator) { advance(); }
  const Request* peek() override { return has_ ? &current_ : nullptr; }
  void pop() override { advance(); }

 private:
  void advance() {
    has_ = !generator_.done();
    if (has_) current_ = generator_.next();
  }
  PoissonGenerator& generator_;
  Request current_;
  bool has_ = false;
};
}  // namespace

RunMetrics run_streaming(const ProfileSet& profiles, const StreamSpec& spec, std::uint64_t seed,
                         const std::string& policy_name, const PolicyChoice& choice,
                         Semantics semantics, const StreamingOptions& options) {
  const PolicyInfo& info = policy_registry().get("policy", policy_name);
  const auto it = choice.policy_params.find(policy_name);
  auto policy = make_policy(
      policy_name, it == choice.policy_params.end() ? ParamValues{} : it->second, semantics);
  auto predictor = make_predictor(choice.predictor, profiles, choice.predictor_params, semantics);
  PyRandom rng(seed);
  PoissonGenerator generator(profiles, spec, rng, semantics);
  GeneratorSource source(generator);
  OnlineMetrics sink(profiles, options);
  PolicyStatisticsRecorder statistics;
  EngineOptions engine_options;
  engine_options.semantics = semantics;
  engine_options.observers = {&statistics};
  engine_options.drop = choice.drop;
  const EngineStats stats =
      simulate_stream(profiles, source, *policy, info.traits, *predictor, engine_options, sink);
  RunMetrics metrics = sink.finish(stats);
  metrics.policy_statistics = statistics.statistics();
  return metrics;
}

}  // namespace dysta
