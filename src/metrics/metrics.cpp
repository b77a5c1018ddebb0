#include "dysta/metrics.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>

#include "dysta/error.h"
#include "dysta/numeric.h"

namespace dysta {

namespace {
// percentile() of values[from, end) where every value before `from` is <= every value from it on
// and q's lower index is >= from: selects the two neighbouring order statistics instead of
// sorting (O(n) expected), so the result is the sorted computation's value for value.
double select_percentile(std::vector<double>& values, std::size_t from, double q,
                         std::size_t& lower) {
  const double pos = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  const auto at = [&](std::size_t k) { return values.begin() + static_cast<std::ptrdiff_t>(k); };
  std::nth_element(at(from), at(lo), values.end());
  // After nth_element every value past lo is >= values[lo]: the next order statistic is their
  // minimum.
  const double next = hi == lo ? values[lo] : *std::min_element(at(hi), values.end());
  lower = lo;
  return values[lo] + (next - values[lo]) * frac;
}

// The order statistics of `values` at `ranks` (ascending, each < values.size()) into `out`, or
// false when a value is negative, -0 or NaN. For the other doubles the IEEE bit patterns order as
// the values, so a histogram of the patterns (relative to the smallest, about one bucket per
// value) names the bucket holding each rank, and only those buckets' values are selected among,
// the same way when a bucket holds many (each level narrows the range of the patterns; O(n)
// expected). An order statistic is a value, so these are the doubles a sort would put there.
// `lo` and `hi`: the smallest and largest bit pattern of `values` (bit_range()).
bool bucket_order_statistics(std::span<const double> values, std::uint64_t lo, std::uint64_t hi,
                             std::span<const std::size_t> ranks, double* out);

// Widens `range` (members lo, hi) by the IEEE bit pattern of `v`.
template <class Range>
void widen(Range& range, double v) {
  const auto k = std::bit_cast<std::uint64_t>(v);
  range.lo = std::min(range.lo, k);
  range.hi = std::max(range.hi, k);
}

// The smallest and largest IEEE bit pattern of `values`.
std::pair<std::uint64_t, std::uint64_t> bit_range(std::span<const double> values) {
  struct {
    std::uint64_t lo = ~std::uint64_t{0}, hi = 0;
  } range;
  for (const double v : values) widen(range, v);
  return {range.lo, range.hi};
}

bool bucket_order_statistics(std::span<const double> values, std::span<const std::size_t> ranks,
                             double* out) {
  const auto [lo, hi] = bit_range(values);
  return bucket_order_statistics(values, lo, hi, ranks, out);
}

bool bucket_order_statistics(std::span<const double> values, std::uint64_t lo, std::uint64_t hi,
                             std::span<const std::size_t> ranks, double* out) {
  constexpr std::uint64_t kLargestOrdered = 0x7ff0000000000000ULL;  // +inf
  if (hi > kLargestOrdered) return false;
  if (lo == hi) {
    for (std::size_t j = 0; j < ranks.size(); ++j) out[j] = values[0];
    return true;
  }
  constexpr std::size_t kSelectBelow = 48;  // fewer values: nth_element
  if (values.size() < kSelectBelow) {
    std::array<double, kSelectBelow> copy;
    std::copy(values.begin(), values.end(), copy.begin());
    const auto end = copy.begin() + static_cast<std::ptrdiff_t>(values.size());
    for (std::size_t j = 0; j < ranks.size(); ++j) {
      const auto nth = copy.begin() + static_cast<std::ptrdiff_t>(ranks[j]);
      std::nth_element(copy.begin(), nth, end);
      out[j] = *nth;
    }
    return true;
  }
  constexpr int kMaxBits = 12;
  const int bits = std::min(kMaxBits, std::max(4, static_cast<int>(std::bit_width(values.size()))));
  const int shift = std::max(0, static_cast<int>(std::bit_width(hi - lo)) - bits);
  const std::size_t buckets = static_cast<std::size_t>((hi - lo) >> shift) + 1;
  std::array<std::uint32_t, std::size_t{1} << kMaxBits> count;
  std::fill_n(count.begin(), buckets, 0u);
  const auto bucket = [&](double v) {
    return static_cast<std::size_t>((std::bit_cast<std::uint64_t>(v) - lo) >> shift);
  };
  for (const double v : values) ++count[bucket(v)];
  // Per rank: its rank inside its bucket; per target bucket: its values' place in `chosen`.
  constexpr std::size_t kMaxRanks = 8;
  if (ranks.size() > kMaxRanks) return false;
  std::array<std::size_t, kMaxRanks> of_rank{}, rank_in{};
  std::array<std::size_t, kMaxRanks> target_start{}, target_size{};
  std::size_t targets = 0, gathered = 0;
  std::array<std::uint8_t, std::size_t{1} << kMaxBits> tag;  // target + 1; 0: not a target
  std::fill_n(tag.begin(), buckets, std::uint8_t{0});
  std::size_t below = 0, b = 0;
  for (std::size_t j = 0; j < ranks.size(); ++j) {
    while (below + count[b] <= ranks[j]) below += count[b++];
    rank_in[j] = ranks[j] - below;
    if (tag[b] == 0) {
      target_start[targets] = gathered;
      target_size[targets] = count[b];
      gathered += count[b];
      tag[b] = static_cast<std::uint8_t>(++targets);
    }
    of_rank[j] = tag[b] - 1u;
  }
  std::vector<double> chosen(gathered);
  std::array<std::size_t, kMaxRanks> fill = target_start;
  for (const double v : values) {
    const std::uint8_t t = tag[bucket(v)];
    if (t != 0) chosen[fill[t - 1u]++] = v;
  }
  // Ascending ranks meet the targets in order: the ranks of one target are consecutive.
  for (std::size_t j = 0; j < ranks.size();) {
    std::size_t k = j;
    while (k < ranks.size() && of_rank[k] == of_rank[j]) ++k;
    const std::size_t t = of_rank[j];
    bucket_order_statistics(
        std::span<const double>(chosen).subspan(target_start[t], target_size[t]),
        std::span<const std::size_t>(rank_in).subspan(j, k - j), out + j);
    j = k;
  }
  return true;
}

// `lo` and `hi`: bit_range(values), known to the caller.
Percentiles percentiles_of(std::span<const double> values, std::uint64_t lo, std::uint64_t hi) {
  if (values.empty()) return {std::nan(""), std::nan(""), std::nan("")};
  constexpr std::size_t kBucketsFrom = 32;  // fewer values: selection in place
  if (values.size() >= kBucketsFrom) {
    const double qs[3] = {50, 90, 99};
    std::array<std::size_t, 6> ranks;
    std::array<double, 3> fracs;
    for (int i = 0; i < 3; ++i) {
      const double pos = qs[i] / 100.0 * static_cast<double>(values.size() - 1);
      const auto lo = static_cast<std::size_t>(std::floor(pos));
      ranks[2 * i] = lo;
      ranks[2 * i + 1] = std::min(lo + 1, values.size() - 1);
      fracs[i] = pos - static_cast<double>(lo);
    }
    std::array<double, 6> at;
    if (bucket_order_statistics(values, lo, hi, ranks, at.data())) {
      // select_percentile()'s interpolation of the same two order statistics.
      const auto interpolate = [&](int i) {
        return at[2 * i] + (at[2 * i + 1] - at[2 * i]) * fracs[i];
      };
      return {interpolate(0), interpolate(1), interpolate(2)};
    }
  }
  std::vector<double> copy(values.begin(), values.end());
  std::size_t from = 0;
  const double p50 = select_percentile(copy, from, 50, from);
  const double p90 = select_percentile(copy, from, 90, from);
  return {p50, p90, select_percentile(copy, from, 99, from)};
}

Percentiles percentiles_of(std::span<const double> values) {
  const auto [lo, hi] = bit_range(values);
  return percentiles_of(values, lo, hi);
}

}  // namespace

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::nan("");
  std::size_t lower = 0;
  return select_percentile(values, 0, q, lower);
}

Percentiles percentiles_50_90_99(std::vector<double> values) {
  return percentiles_of(values);
}

void PolicyStatisticsRecorder::on_run_end(const Policy& policy) {
  const PolicyStatistics* s = policy_statistics(policy);
  statistics_ = s ? s->statistics() : std::map<std::string, double>{};
}

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

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.accuracy_ != accuracy_) {
    throw std::invalid_argument("QuantileSketch::merge: different relative accuracies");
  }
  count_ += other.count_;
  zeros_ += other.zeros_;
  if (other.buckets_.empty()) return;
  const auto other_end = other.offset_ + static_cast<std::int64_t>(other.buckets_.size());
  if (buckets_.empty()) {
    offset_ = other.offset_;
    buckets_ = other.buckets_;
    return;
  }
  if (other.offset_ < offset_) {
    buckets_.insert(buckets_.begin(), static_cast<std::size_t>(offset_ - other.offset_), 0);
    offset_ = other.offset_;
  }
  if (other_end > offset_ + static_cast<std::int64_t>(buckets_.size())) {
    buckets_.resize(static_cast<std::size_t>(other_end - offset_), 0);
  }
  for (std::size_t j = 0; j < other.buckets_.size(); ++j) {
    buckets_[static_cast<std::size_t>(other.offset_ - offset_) + j] += other.buckets_[j];
  }
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

MetricsAccumulator::MetricsAccumulator(const ProfileSet& profiles, const MetricsOptions& options)
    : profiles_(profiles),
      options_(options),
      by_variant_(profiles.size()),
      first_arrival_s_(std::numeric_limits<double>::infinity()),
      turnaround_sketch_(options.relative_accuracy),
      normalized_sketch_(options.relative_accuracy) {}

void MetricsAccumulator::reserve(std::size_t requests) {
  if (options_.sums == MetricsOptions::Sums::artifact) {
    normalized_by_completion_.reserve(requests);
    progress_.reserve(requests);
  }
  if (options_.percentiles == MetricsOptions::Percentiles::exact) {
    turnaround_.reserve(requests);
    if (options_.sums != MetricsOptions::Sums::artifact) normalized_.reserve(requests);
  }
}

GroupRate& MetricsAccumulator::priority_group(int priority) {
  if (priority >= 0 && priority < kDensePriorities) {
    const auto p = static_cast<std::size_t>(priority);
    if (p >= by_dense_priority_.size()) by_dense_priority_.resize(p + 1);
    return by_dense_priority_[p];
  }
  return by_sparse_priority_[priority];
}

void MetricsAccumulator::count(const Request& r, bool violated) {
  first_arrival_s_ = std::min(first_arrival_s_, r.arrival_s);
  GroupRate& gv = by_variant_.at(r.variant);
  GroupRate& gp = priority_group(r.priority);
  ++gv.requests;
  ++gp.requests;
  if (violated) {
    ++violations_;
    ++gv.violations;
    ++gp.violations;
  }
}

void MetricsAccumulator::on_completion(const Request& r, std::uint32_t index, double,
                                       double finish_s) {
  const double isolated = profiles_.variant(r.variant).remaining(r.sample_pos)[0];
  const double turnaround = finish_s - r.arrival_s;
  const double normalized = turnaround / isolated;
  const double progress = isolated / turnaround;
  count(r, finish_s > r.deadline_s);
  ++served_;
  if (last_finish_s_ <= finish_s) last_finish_s_ = finish_s;
  if (options_.sums == MetricsOptions::Sums::artifact) {
    normalized_by_completion_.push_back(normalized);
    progress_.push_back({index, progress});
  } else {
    normalized_sum_.add(normalized);
    progress_sum_.add(progress);
    progress_sq_sum_.add(progress * progress);
  }
  if (options_.percentiles == MetricsOptions::Percentiles::exact) {
    turnaround_.push_back(turnaround);
    widen(turnaround_bits_, turnaround);
    widen(normalized_bits_, normalized);
    // With Sums::artifact normalized_by_completion_ holds the same values in the same order.
    if (options_.sums != MetricsOptions::Sums::artifact) normalized_.push_back(normalized);
  } else {
    turnaround_sketch_.add(turnaround);
    normalized_sketch_.add(normalized);
  }
}

void MetricsAccumulator::on_completions(std::span<const Request> requests,
                                        std::span<const std::uint32_t> order,
                                        std::span<const double> finish_s) {
  if (options_.sums != MetricsOptions::Sums::artifact ||
      options_.percentiles != MetricsOptions::Percentiles::exact) {
    for (const std::uint32_t i : order) on_completion(requests[i], i, 0.0, finish_s[i]);
    return;
  }
  // The same operations as on_completion(), in the same order per request, with the buffers
  // sized once and the per-variant rows looked up once.
  std::vector<const double*> remaining(by_variant_.size());
  std::vector<std::size_t> stride(by_variant_.size());
  for (std::size_t v = 0; v < by_variant_.size(); ++v) {
    const VariantProfile& p = profiles_.variant(v);
    remaining[v] = p.real_remaining_s.data();
    stride[v] = p.num_layers + 1;
  }
  const std::size_t base = turnaround_.size();
  const std::size_t m = order.size();
  normalized_by_completion_.resize(base + m);
  progress_.resize(base + m);
  turnaround_.resize(base + m);
  double* const ntt_out = normalized_by_completion_.data() + base;
  Progress* const progress_out = progress_.data() + base;
  double* const turnaround_out = turnaround_.data() + base;
  double first_arrival = first_arrival_s_, last_finish = last_finish_s_;
  BitRange turnaround_bits = turnaround_bits_, normalized_bits = normalized_bits_;
  std::size_t violations = 0;
  GroupRate* const by_variant = by_variant_.data();
  const std::size_t variants = by_variant_.size();
  for (std::size_t k = 0; k < m; ++k) {
    const std::uint32_t i = order[k];
    const Request& r = requests[i];
    const double finish = finish_s[i];
    if (r.variant >= variants) {
      // Keep what was fed before this request, as on_completion() would.
      normalized_by_completion_.resize(base + k);
      progress_.resize(base + k);
      turnaround_.resize(base + k);
      turnaround_bits_ = turnaround_bits;
      normalized_bits_ = normalized_bits;
      first_arrival_s_ = first_arrival;
      last_finish_s_ = last_finish;
      violations_ += violations;
      served_ += k;
      throw std::out_of_range("MetricsAccumulator: request of an unknown variant");
    }
    const double isolated = remaining[r.variant][r.sample_pos * stride[r.variant]];
    const double turnaround = finish - r.arrival_s;
    const double normalized = turnaround / isolated;
    const double progress = isolated / turnaround;
    first_arrival = std::min(first_arrival, r.arrival_s);
    const bool violated = finish > r.deadline_s;
    GroupRate& gv = by_variant[r.variant];
    const auto dense = static_cast<std::size_t>(static_cast<unsigned>(r.priority));
    GroupRate& gp =
        dense < by_dense_priority_.size() ? by_dense_priority_[dense] : priority_group(r.priority);
    ++gv.requests;
    ++gp.requests;
    violations += violated;
    gv.violations += violated;
    gp.violations += violated;
    if (last_finish <= finish) last_finish = finish;
    ntt_out[k] = normalized;
    progress_out[k] = {i, progress};
    turnaround_out[k] = turnaround;
    widen(turnaround_bits, turnaround);
    widen(normalized_bits, normalized);
  }
  turnaround_bits_ = turnaround_bits;
  normalized_bits_ = normalized_bits;
  first_arrival_s_ = first_arrival;
  last_finish_s_ = last_finish;
  violations_ += violations;
  served_ += m;
}

void MetricsAccumulator::on_drop(const Request& r, std::uint32_t, double) {
  count(r, true);
  ++dropped_;
}

RunMetrics MetricsAccumulator::finish(const EngineStats& stats) const {
  RunMetrics m;
  m.requests = served_ + dropped_;
  m.violations = violations_;
  m.dropped = dropped_;
  m.max_ready = stats.max_ready;
  m.decisions = stats.decisions;
  m.layers_executed = stats.layers_executed;
  m.clock_rollbacks = stats.clock_rollbacks;
  m.idle_s = stats.idle_s;
  if (m.requests == 0) return m;
  const double n = static_cast<double>(m.requests);
  m.slo_violation_rate = static_cast<double>(violations_) / n;
  m.drop_rate = static_cast<double>(dropped_) / n;
  for (std::size_t v = 0; v < by_variant_.size(); ++v) {
    if (by_variant_[v].requests == 0) continue;
    const VariantProfile& p = profiles_.variant(v);
    m.by_variant[p.name] = by_variant_[v];
    GroupRate& a = m.by_architecture[p.architecture];
    a.requests += by_variant_[v].requests;
    a.violations += by_variant_[v].violations;
  }
  m.by_priority = by_sparse_priority_;
  for (std::size_t p = 0; p < by_dense_priority_.size(); ++p) {
    if (by_dense_priority_[p].requests > 0) {
      m.by_priority.emplace(static_cast<int>(p), by_dense_priority_[p]);
    }
  }
  if (served_ == 0) return m;

  const double served = static_cast<double>(served_);
  m.makespan_s = last_finish_s_ - first_arrival_s_;
  m.throughput_inf_s = served / m.makespan_s;
  m.goodput_inf_s = static_cast<double>(m.requests - violations_) / m.makespan_s;
  double sum_p = 0, sum_p2 = 0;
  if (options_.sums == MetricsOptions::Sums::artifact) {
    m.antt = numpy_mean(normalized_by_completion_);
    // Summed in request order (the order of a sort of (index, progress) pairs).
    std::uint32_t max_index = 0;
    for (const auto& [index, p] : progress_) max_index = std::max(max_index, index);
    bool placed = progress_.empty() || max_index < 2 * progress_.size();
    std::vector<double> by_index;
    std::vector<std::uint8_t> present;
    if (placed) {  // dense request numbers: place each by its index (no sort)
      by_index.resize(progress_.empty() ? 0 : std::size_t{max_index} + 1);
      present.assign(by_index.size(), 0);
      for (const auto& [index, p] : progress_) {
        if (present[index]) {  // a repeated index: the sort orders its values
          placed = false;
          break;
        }
        by_index[index] = p;
        present[index] = 1;
      }
    }
    if (placed) {
      for (std::size_t i = 0; i < by_index.size(); ++i) {
        if (!present[i]) continue;
        sum_p += by_index[i];
        sum_p2 += by_index[i] * by_index[i];
      }
    } else {
      std::vector<std::pair<std::uint32_t, double>> by_request(progress_.size());
      for (std::size_t k = 0; k < progress_.size(); ++k) {
        by_request[k] = {progress_[k].index, progress_[k].progress};
      }
      std::sort(by_request.begin(), by_request.end());
      for (const auto& [index, p] : by_request) {
        sum_p += p;
        sum_p2 += p * p;
      }
    }
  } else {
    m.antt = normalized_sum_.value() / served;
    sum_p = progress_sum_.value();
    sum_p2 = progress_sq_sum_.value();
  }
  m.stp_multiprogram = sum_p;
  m.jain_fairness = sum_p2 > 0 ? (sum_p * sum_p) / (served * sum_p2) : 0.0;
  if (options_.percentiles == MetricsOptions::Percentiles::exact) {
    m.turnaround_s = percentiles_of(turnaround_, turnaround_bits_.lo, turnaround_bits_.hi);
    m.normalized_turnaround = percentiles_of(
        options_.sums == MetricsOptions::Sums::artifact ? normalized_by_completion_ : normalized_,
        normalized_bits_.lo, normalized_bits_.hi);
  } else {
    m.turnaround_s = {turnaround_sketch_.quantile(50), turnaround_sketch_.quantile(90),
                      turnaround_sketch_.quantile(99)};
    m.normalized_turnaround = {normalized_sketch_.quantile(50), normalized_sketch_.quantile(90),
                               normalized_sketch_.quantile(99)};
  }
  return m;
}

RunMetrics compute_metrics(const ProfileSet& profiles, std::span<const Request> requests,
                           const RunResult& result, const MetricsOptions& options) {
  const std::size_t n = requests.size();
  const bool any_dropped = !result.dropped_flags.empty();
  if (result.finish_s.size() != n || (any_dropped && result.dropped_flags.size() != n)) {
    throw std::invalid_argument("compute_metrics: result sized for another request list");
  }
  MetricsAccumulator accumulator(profiles, options);
  accumulator.reserve(result.finish_order.size());
  std::vector<std::uint8_t> seen(n, 0);
  auto mark = [&](std::uint32_t i) {
    if (i >= n || seen[i]) {
      throw std::invalid_argument("compute_metrics: request " + std::to_string(i) +
                                  " reported twice or out of range");
    }
    seen[i] = 1;
  };
  for (std::uint32_t i : result.finish_order) mark(i);
  accumulator.on_completions(requests, result.finish_order, result.finish_s);
  for (std::uint32_t i = 0; any_dropped && i < n; ++i) {
    if (!result.dropped_flags[i]) continue;
    mark(i);
    accumulator.on_drop(requests[i], i, result.finish_s[i]);
  }
  if (std::find(seen.begin(), seen.end(), 0) != seen.end()) {
    throw std::invalid_argument("compute_metrics: a request neither finished nor dropped");
  }
  return accumulator.finish(result);
}

RunMetrics recount_violations(RunMetrics base, const ProfileSet& profiles,
                              std::span<const Request> requests, const RunResult& result) {
  const std::size_t n = requests.size();
  if (result.finish_s.size() != n || !result.dropped_flags.empty() || base.dropped != 0 ||
      base.requests != n) {
    throw std::invalid_argument("recount_violations: result of another request list or with drops");
  }
  RunMetrics m = std::move(base);
  if (n == 0) return m;
  // Violations per variant (indexed), per priority (the groups `base` already has) and in all.
  std::vector<std::size_t> by_variant(profiles.size(), 0);
  for (auto& [priority, group] : m.by_priority) group.violations = 0;
  std::size_t violations = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Request& r = requests[i];
    if (!(result.finish_s[i] > r.deadline_s)) continue;
    ++violations;
    ++by_variant.at(r.variant);
    ++m.by_priority.at(r.priority).violations;
  }
  m.violations = violations;
  m.slo_violation_rate = static_cast<double>(violations) / static_cast<double>(n);
  for (auto& [name, group] : m.by_architecture) group.violations = 0;
  for (std::size_t v = 0; v < by_variant.size(); ++v) {
    const VariantProfile& p = profiles.variant(v);
    const auto it = m.by_variant.find(p.name);
    if (it == m.by_variant.end()) continue;
    it->second.violations = by_variant[v];
    m.by_architecture.at(p.architecture).violations += by_variant[v];
  }
  if (!result.finish_order.empty()) {  // served requests (finish(): goodput 0 otherwise)
    m.goodput_inf_s = static_cast<double>(m.requests - violations) / m.makespan_s;
  }
  return m;
}

}  // namespace dysta
