#include "dysta/report.h"

#include <fmt/format.h>

#include <charconv>
#include <iterator>
#include <map>
#include <tuple>

#include "dysta/csv.h"
#include "dysta/numeric.h"

namespace dysta {

nlohmann::json metrics_json(const RunMetrics& m) {
  nlohmann::json j;
  j["requests"] = m.requests;
  j["violations"] = m.violations;
  j["slo_violation_rate"] = m.slo_violation_rate;
  j["antt"] = m.antt;
  j["throughput_inf_per_s"] = m.throughput_inf_s;
  j["goodput_inf_per_s"] = m.goodput_inf_s;
  j["dropped"] = m.dropped;
  j["drop_rate"] = m.drop_rate;
  j["stp_multiprogram"] = m.stp_multiprogram;
  j["turnaround_s"] = {
      {"p50", m.turnaround_s.p50}, {"p90", m.turnaround_s.p90}, {"p99", m.turnaround_s.p99}};
  j["normalized_turnaround"] = {{"p50", m.normalized_turnaround.p50},
                                {"p90", m.normalized_turnaround.p90},
                                {"p99", m.normalized_turnaround.p99}};
  j["jain_fairness"] = m.jain_fairness;
  auto groups = [](const auto& map) {
    nlohmann::json g = nlohmann::json::object();
    for (const auto& [key, rate] : map) {
      g[fmt::format("{}", key)] = {{"requests", rate.requests},
                                   {"violations", rate.violations},
                                   {"slo_violation_rate", rate.rate()}};
    }
    return g;
  };
  j["by_model"] = groups(m.by_variant);
  j["by_architecture"] = groups(m.by_architecture);
  j["by_priority"] = groups(m.by_priority);
  j["max_ready_tasks"] = m.max_ready;
  j["decisions"] = m.decisions;
  j["layers_executed"] = m.layers_executed;
  j["clock_rollbacks"] = m.clock_rollbacks;
  j["makespan_s"] = m.makespan_s;
  j["idle_s"] = m.idle_s;
  if (!m.policy_statistics.empty()) j["policy_statistics"] = m.policy_statistics;
  return j;
}

namespace {
// Appends the shortest round-trip text of `x` (format_double's) without a temporary string.
void append_double(fmt::memory_buffer& out, double x) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  if (ec != std::errc()) {
    out.append(std::string_view("nan"));
  } else {
    out.append(buf, ptr);
  }
}
}  // namespace

std::string requests_csv(const ProfileSet& profiles, const std::vector<Request>& requests,
                         const RunResult& result) {
  // Written straight into one buffer: sweeps write this file for every point, so it must cost
  // less than the simulation itself.
  fmt::memory_buffer out;
  out.append(std::string_view(
      "request,arrival_s,model,architecture,sample,priority,slo_multiplier,deadline_s,"
      "first_start_s,finish_s,turnaround_s,isolated_s,normalized_turnaround,violated\n"));
  // "model,architecture" of each variant, as CSV fields, written once.
  std::vector<std::string> names(profiles.size());
  for (std::size_t k = 0; k < names.size(); ++k) {
    const VariantProfile& v = profiles.variant(k);
    names[k] = csv_field(v.name) + "," + csv_field(v.architecture);
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    const VariantProfile& v = profiles.variant(r.variant);
    const double isolated = v.remaining(r.sample_pos)[0];
    const double finish = result.finish_s[i];
    const double turnaround = finish - r.arrival_s;
    fmt::format_to(std::back_inserter(out), "{},", i);
    append_double(out, r.arrival_s);
    fmt::format_to(std::back_inserter(out), ",{},{},{},", names[r.variant],
                   v.sample_ids[r.sample_pos], r.priority);
    for (const double x : {r.slo_multiplier, r.deadline_s, result.first_start_s[i], finish,
                           turnaround, isolated, turnaround / isolated}) {
      append_double(out, x);
      out.push_back(',');
    }
    out.push_back(finish > r.deadline_s ? '1' : '0');
    out.push_back('\n');
  }
  return fmt::to_string(out);
}

std::vector<SweepAggregate> aggregate_sweep(const std::vector<SweepPoint>& points) {
  std::vector<SweepAggregate> out;
  std::map<std::tuple<double, double, std::string>, std::size_t> index;
  for (const auto& p : points) {
    const auto key = std::make_tuple(p.rate, p.slo_multiplier, p.policy);
    auto [it, inserted] = index.try_emplace(key, out.size());
    if (inserted) {
      out.push_back({});
      out.back().rate = p.rate;
      out.back().slo_multiplier = p.slo_multiplier;
      out.back().policy = p.policy;
    }
    SweepAggregate& a = out[it->second];
    a.violation_rate.push_back(p.metrics.slo_violation_rate);
    a.antt.push_back(p.metrics.antt);
    a.throughput_inf_s.push_back(p.metrics.throughput_inf_s);
  }
  for (auto& a : out) {
    a.mean_violation_rate = numpy_mean(a.violation_rate);
    a.mean_antt = numpy_mean(a.antt);
    a.mean_throughput_inf_s = numpy_mean(a.throughput_inf_s);
  }
  return out;
}

std::string sweep_table(const std::vector<SweepPoint>& points) {
  const auto aggregates = aggregate_sweep(points);
  std::string out;
  std::size_t width = 6;
  for (const auto& a : aggregates) width = std::max(width, a.policy.size());
  auto values = [](const std::vector<double>& v, double mean, int precision) {
    std::string s;
    for (double x : v) s += fmt::format("{:.{}f} ", x, precision);
    return s + fmt::format("| {:.{}f}", mean, precision);
  };
  double rate = -1, slo = -1;
  for (const auto& a : aggregates) {
    if (a.rate != rate || a.slo_multiplier != slo) {
      rate = a.rate;
      slo = a.slo_multiplier;
      out += fmt::format("\nrate {} req/s, SLO multiplier {} (per seed | mean)\n",
                         format_double(rate), format_double(slo));
      out += fmt::format("{:<{}}  {}  {}  {}\n", "policy", width, "violation rate", "ANTT",
                         "inferences/s");
    }
    out += fmt::format(
        "{:<{}}  {}  {}  {}\n", a.policy, width, values(a.violation_rate, a.mean_violation_rate, 3),
        values(a.antt, a.mean_antt, 6), values(a.throughput_inf_s, a.mean_throughput_inf_s, 6));
  }
  return out;
}

std::string sweep_csv(const std::vector<SweepPoint>& points) {
  std::string out =
      "seed,rate,slo_multiplier,policy,requests,slo_violation_rate,antt,throughput_inf_per_s,"
      "stp_multiprogram,turnaround_p50_s,turnaround_p90_s,turnaround_p99_s,jain_fairness,"
      "max_ready_tasks,layers_executed\n";
  for (const auto& p : points) {
    const RunMetrics& m = p.metrics;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", p.seed,
                       format_double(p.rate), format_double(p.slo_multiplier), p.policy, m.requests,
                       format_double(m.slo_violation_rate), format_double(m.antt),
                       format_double(m.throughput_inf_s), format_double(m.stp_multiprogram),
                       format_double(m.turnaround_s.p50), format_double(m.turnaround_s.p90),
                       format_double(m.turnaround_s.p99), format_double(m.jain_fairness),
                       m.max_ready, m.layers_executed);
  }
  return out;
}

nlohmann::json sweep_json(const std::vector<SweepPoint>& points) {
  nlohmann::json j;
  j["points"] = nlohmann::json::array();
  for (const auto& p : points) {
    j["points"].push_back({{"seed", p.seed},
                           {"rate", p.rate},
                           {"slo_multiplier", p.slo_multiplier},
                           {"policy", p.policy},
                           {"metrics", metrics_json(p.metrics)}});
  }
  j["means"] = nlohmann::json::array();
  for (const auto& a : aggregate_sweep(points)) j["means"].push_back(aggregate_json(a));
  return j;
}

nlohmann::json aggregate_json(const SweepAggregate& a) {
  return {{"rate", a.rate},
          {"slo_multiplier", a.slo_multiplier},
          {"policy", a.policy},
          {"slo_violation_rate", a.violation_rate},
          {"antt", a.antt},
          {"throughput_inf_per_s", a.throughput_inf_s},
          {"mean_slo_violation_rate", a.mean_violation_rate},
          {"mean_antt", a.mean_antt},
          {"mean_throughput_inf_per_s", a.mean_throughput_inf_s}};
}

}  // namespace dysta
