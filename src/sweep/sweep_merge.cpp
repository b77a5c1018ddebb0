#include "dysta/sweep_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "dysta/csv.h"
#include "dysta/error.h"
#include "dysta/report.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

bool is_point_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p / "summary.json", ec) && fs::is_directory(p, ec);
}

// Point folders directly inside `dir` (temporary folders of unfinished writes are skipped).
void add_children(const fs::path& dir, std::vector<fs::path>& out) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) continue;
    if (entry.is_directory() && is_point_folder(entry.path())) out.push_back(entry.path());
  }
}

std::vector<SweepPoint> as_sweep_points(const std::vector<MergedPoint>& points,
                                        const std::vector<std::string>& labels,
                                        const std::vector<std::size_t>& members) {
  std::vector<SweepPoint> out;
  for (const std::size_t i : members) {
    const MergedPoint& p = points[i];
    out.push_back({p.point.seed, p.point.rate, p.point.slo_multiplier, labels[i], p.metrics});
  }
  return out;
}

// Point indices per group, groups in order of first appearance.
std::vector<std::pair<std::string, std::vector<std::size_t>>> by_group(const PointLabels& labels) {
  std::vector<std::pair<std::string, std::vector<std::size_t>>> out;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < labels.group.size(); ++i) {
    const auto [it, inserted] = index.try_emplace(labels.group[i], out.size());
    if (inserted) out.push_back({labels.group[i], {}});
    out[it->second].second.push_back(i);
  }
  return out;
}

}  // namespace

std::vector<MergedPoint> collect_plan(const SweepPlan& plan, const PointStore& store) {
  std::vector<MergedPoint> out;
  std::map<std::string, RunMetrics> read;
  std::size_t missing = 0;
  std::string first_missing;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const std::string& key = plan.keys[i];
    auto it = read.find(key);
    if (it == read.end()) {
      if (!store.done(key, plan.points[i])) {
        if (missing++ == 0) first_missing = fmt::format("point {} ({})", i, key);
        continue;
      }
      it = read.emplace(key, read_point(store.folder(key)).metrics).first;
    }
    out.push_back({key, plan.points[i], it->second});
  }
  if (missing > 0) {
    throw InputError(store.root().string(), 0, "points",
                     fmt::format("{} of {} points not finished, first {} (run the remaining "
                                 "shards, or the sweep again to resume)",
                                 missing, plan.points.size(), first_missing));
  }
  return out;
}

std::vector<MergedPoint> collect_results(const SweepPlan& plan,
                                         const std::vector<std::optional<RunMetrics>>& results) {
  return collect_results(plan, std::vector<std::optional<RunMetrics>>(results));
}

std::vector<MergedPoint> collect_results(const SweepPlan& plan,
                                         std::vector<std::optional<RunMetrics>>&& results) {
  std::vector<MergedPoint> out;
  out.reserve(plan.points.size());
  // A point listed again (equal key) repeats the metrics of its first listing.
  std::map<std::string, std::size_t> first;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const auto [it, inserted] = first.try_emplace(plan.keys[i], i);
    if (!inserted) {
      out.push_back({plan.keys[i], plan.points[i], out[it->second].metrics});
      continue;
    }
    std::optional<RunMetrics>& m = results.at(i);
    if (!m) throw std::logic_error("collect_results: point " + std::to_string(i) + " not run");
    out.push_back({plan.keys[i], plan.points[i], std::move(*m)});
  }
  return out;
}

std::vector<MergedPoint> collect_folders(const std::vector<fs::path>& paths) {
  std::vector<fs::path> folders;
  for (const auto& p : paths) {
    std::error_code ec;
    const std::size_t before = folders.size();
    if (fs::is_directory(p / "points", ec)) {
      add_children(p / "points", folders);
    } else if (is_point_folder(p)) {
      folders.push_back(p);
    } else if (fs::is_directory(p, ec)) {
      add_children(p, folders);
    } else {
      throw InputError(p.string(), 0, "", "no such folder");
    }
    if (folders.size() == before) {
      throw InputError(p.string(), 0, "", "holds no point folder (<key>/summary.json)");
    }
  }
  std::vector<MergedPoint> out;
  std::set<std::string> seen;
  for (const auto& f : folders) {
    StoredPoint s = read_point(f);
    if (!seen.insert(s.key).second) continue;
    out.push_back({std::move(s.key), std::move(s.point), std::move(s.metrics)});
  }
  sort_points(out);
  return out;
}

void sort_points(std::vector<MergedPoint>& points) {
  auto order = [](const MergedPoint& m) {
    const PointConfig& p = m.point;
    return std::make_tuple(p.profiles, to_string(p.semantics), p.seed, p.rate, p.slo_multiplier,
                           p.policy, format_params(p.policy_params), p.predictor,
                           format_params(p.predictor_params), p.requests, m.key);
  };
  std::stable_sort(points.begin(), points.end(),
                   [&](const MergedPoint& a, const MergedPoint& b) { return order(a) < order(b); });
}

PointLabels point_labels(const std::vector<MergedPoint>& points) {
  // Distinct values per (policy, parameter), predictor choices, and group axes.
  std::map<std::string, std::map<std::string, std::set<double>>> policy_values;
  std::map<std::string, std::map<std::string, std::set<double>>> predictor_values;
  std::set<std::string> predictor_choices, profiles, semantics;
  std::set<std::size_t> requests;
  for (const auto& m : points) {
    const PointConfig& p = m.point;
    for (const auto& [k, v] : p.policy_params) policy_values[p.policy][k].insert(v);
    for (const auto& [k, v] : p.predictor_params) predictor_values[p.predictor][k].insert(v);
    predictor_choices.insert(p.predictor + " " + format_params(p.predictor_params));
    profiles.insert(p.profiles);
    semantics.insert(to_string(p.semantics));
    requests.insert(p.requests);
  }
  PointLabels out;
  for (const auto& m : points) {
    const PointConfig& p = m.point;
    std::string label = p.policy;
    for (const auto& [k, v] : p.policy_params) {
      if (policy_values[p.policy][k].size() > 1)
        label += fmt::format(" {}={}", k, format_double(v));
    }
    if (predictor_choices.size() > 1) {
      label += " / " + p.predictor;
      for (const auto& [k, v] : p.predictor_params) {
        if (predictor_values[p.predictor][k].size() > 1) {
          label += fmt::format(" {}={}", k, format_double(v));
        }
      }
    }
    if (p.drop != DropRule::none) label += fmt::format(" +drop={}", to_string(p.drop));
    std::vector<std::string> parts;
    if (profiles.size() > 1) parts.push_back("profiles " + p.profiles);
    if (semantics.size() > 1) parts.push_back(to_string(p.semantics) + " semantics");
    if (requests.size() > 1) parts.push_back(fmt::format("{} requests", p.requests));
    std::string group;
    for (const auto& part : parts) group += (group.empty() ? "" : ", ") + part;
    out.label.push_back(std::move(label));
    out.group.push_back(std::move(group));
  }
  return out;
}

std::string merged_csv(const std::vector<MergedPoint>& points) {
  const PointLabels labels = point_labels(points);
  std::string out =
      "profiles,semantics,policy,policy_params,predictor,predictor_params,seed,rate,"
      "slo_multiplier,requests,label,group,slo_violation_rate,violations,antt,"
      "throughput_inf_per_s,stp_multiprogram,turnaround_p50_s,turnaround_p90_s,turnaround_p99_s,"
      "normalized_turnaround_p50,normalized_turnaround_p90,normalized_turnaround_p99,"
      "jain_fairness,max_ready_tasks,decisions,layers_executed,makespan_s,idle_s,drop,"
      "goodput_inf_per_s,dropped,drop_rate,key\n";
  out.reserve(out.size() + points.size() * 512);
  // Each field followed by a comma (the last by the newline); numbers as format_double() and
  // integers in decimal, written in place.
  const auto text = [&out](std::string_view field) {
    out += field;
    out += ',';
  };
  const auto quoted = [&out](const std::string& field) {
    append_csv_field(out, field);
    out += ',';
  };
  const auto number = [&out](auto value) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    out.append(buf, ec == std::errc() ? end : buf);
    out += ',';
  };
  for (std::size_t i = 0; i < points.size(); ++i) {
    const PointConfig& p = points[i].point;
    const RunMetrics& m = points[i].metrics;
    quoted(p.profiles);
    text(to_string(p.semantics));
    text(p.policy);
    quoted(format_params(p.policy_params));
    text(p.predictor);
    quoted(format_params(p.predictor_params));
    number(p.seed);
    number(p.rate);
    number(p.slo_multiplier);
    number(p.requests);
    quoted(labels.label[i]);
    quoted(labels.group[i]);
    number(m.slo_violation_rate);
    number(m.violations);
    for (const double x :
         {m.antt, m.throughput_inf_s, m.stp_multiprogram, m.turnaround_s.p50, m.turnaround_s.p90,
          m.turnaround_s.p99, m.normalized_turnaround.p50, m.normalized_turnaround.p90,
          m.normalized_turnaround.p99, m.jain_fairness}) {
      number(x);
    }
    number(m.max_ready);
    number(m.decisions);
    number(m.layers_executed);
    number(m.makespan_s);
    number(m.idle_s);
    text(to_string(p.drop));
    number(m.goodput_inf_s);
    number(m.dropped);
    number(m.drop_rate);
    out += points[i].key;
    out += '\n';
  }
  return out;
}

std::string merged_table(const std::vector<MergedPoint>& points) {
  const PointLabels labels = point_labels(points);
  std::string out;
  for (const auto& [group, members] : by_group(labels)) {
    if (!group.empty()) out += fmt::format("\n[{}]\n", group);
    out += sweep_table(as_sweep_points(points, labels.label, members));
  }
  return out;
}

nlohmann::json merged_json(const std::vector<MergedPoint>& points) {
  const PointLabels labels = point_labels(points);
  nlohmann::json j;
  j["points"] = nlohmann::json::array();
  for (std::size_t i = 0; i < points.size(); ++i) {
    j["points"].push_back({{"key", points[i].key},
                           {"label", labels.label[i]},
                           {"group", labels.group[i]},
                           {"point", point_json(points[i].point)},
                           {"metrics", metrics_json(points[i].metrics)}});
  }
  j["means"] = nlohmann::json::array();
  for (const auto& [group, members] : by_group(labels)) {
    for (const auto& a : aggregate_sweep(as_sweep_points(points, labels.label, members))) {
      nlohmann::json mean = aggregate_json(a);
      mean["group"] = group;
      j["means"].push_back(std::move(mean));
    }
  }
  return j;
}

}  // namespace dysta
