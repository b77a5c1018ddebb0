#include "dysta/sweep_runner.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "dysta/atomic_output.h"
#include "dysta/error.h"
#include "dysta/read_file.h"
#include "dysta/report.h"

namespace fs = std::filesystem;

namespace dysta {
namespace {

void write_plain(const fs::path& path, const std::string& contents) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) {
    throw InputError(
        path.string(), 0, "",
        std::string("write failed") + (errno != 0 ? std::string(": ") + std::strerror(errno) : ""));
  }
}

// nlohmann writes NaN and infinities as null.
double number(const nlohmann::json& j) {
  return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

std::string summary_text(const std::string& key, const PointConfig& point,
                         const RunMetrics& metrics) {
  nlohmann::json j;
  j["dysta_version"] = DYSTA_VERSION;
  j["key"] = key;
  j["point"] = point_json(point);
  j["metrics"] = metrics_json(metrics);
  return j.dump(2) + "\n";
}

// The fields that make up the key (the path of the profile set is not one of them).
nlohmann::json keyed_fields(nlohmann::json point) {
  point.erase("profiles");
  return point;
}

}  // namespace

RunMetrics metrics_from_json(const nlohmann::json& j, const std::string& file) {
  RunMetrics m;
  const char* field = "metrics";
  try {
    auto pct = [&](const char* name, Percentiles& p) {
      field = name;
      const auto& x = j.at(name);
      p.p50 = number(x.at("p50"));
      p.p90 = number(x.at("p90"));
      p.p99 = number(x.at("p99"));
    };
    auto group_list = [&](const char* name) {
      field = name;
      std::vector<std::pair<std::string, GroupRate>> out;
      for (const auto& item : j.at(name).items()) {
        GroupRate g;
        g.requests = item.value().at("requests").get<std::size_t>();
        g.violations = item.value().at("violations").get<std::size_t>();
        out.emplace_back(item.key(), g);
      }
      return out;
    };
    auto groups = [&](const char* name, auto& out, auto key_of) {
      for (const auto& [k, g] : group_list(name)) out[key_of(k)] = g;
    };
    field = "requests";
    m.requests = j.at(field).get<std::size_t>();
    field = "violations";
    m.violations = j.at(field).get<std::size_t>();
    field = "slo_violation_rate";
    m.slo_violation_rate = number(j.at(field));
    field = "antt";
    m.antt = number(j.at(field));
    field = "throughput_inf_per_s";
    m.throughput_inf_s = number(j.at(field));
    field = "stp_multiprogram";
    m.stp_multiprogram = number(j.at(field));
    // Absent from points written before dropping existed (nothing was dropped then).
    field = "dropped";
    if (j.contains(field)) m.dropped = j.at(field).get<std::size_t>();
    field = "drop_rate";
    if (j.contains(field)) m.drop_rate = number(j.at(field));
    pct("turnaround_s", m.turnaround_s);
    pct("normalized_turnaround", m.normalized_turnaround);
    field = "jain_fairness";
    m.jain_fairness = number(j.at(field));
    groups("by_model", m.by_variant, [](const std::string& k) { return k; });
    groups("by_architecture", m.by_architecture, [](const std::string& k) { return k; });
    groups("by_priority", m.by_priority, [&](const std::string& k) {
      int v = 0;
      const auto r = std::from_chars(k.data(), k.data() + k.size(), v);
      if (r.ec != std::errc() || r.ptr != k.data() + k.size()) throw InputError("not a priority");
      return v;
    });
    field = "max_ready_tasks";
    m.max_ready = j.at(field).get<std::size_t>();
    field = "decisions";
    m.decisions = j.at(field).get<std::size_t>();
    field = "layers_executed";
    m.layers_executed = j.at(field).get<std::size_t>();
    field = "clock_rollbacks";
    m.clock_rollbacks = j.at(field).get<std::size_t>();
    field = "makespan_s";
    m.makespan_s = number(j.at(field));
    field = "idle_s";
    m.idle_s = number(j.at(field));
    field = "goodput_inf_per_s";
    m.goodput_inf_s = j.contains(field)
                          ? number(j.at(field))
                          : static_cast<double>(m.requests - m.violations) / m.makespan_s;
  } catch (const std::exception&) {
    throw InputError(file, 0, std::string("metrics.") + field, "missing or malformed");
  }
  return m;
}

StoredPoint read_point(const fs::path& folder) {
  const fs::path path = folder / "summary.json";
  const std::string file = path.string();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {  // parse_error; out_of_range for 1e999
    throw InputError(file, 0, "", std::string("not valid JSON: ") + e.what());
  }
  StoredPoint p;
  if (!j.is_object() || !j.contains("key") || !j["key"].is_string()) {
    throw InputError(file, 0, "key", "missing (not a point folder's summary)");
  }
  p.key = j["key"].get<std::string>();
  if (!j.contains("point")) throw InputError(file, 0, "point", "missing");
  p.point = point_from_json(j["point"], file);
  if (!j.contains("metrics")) throw InputError(file, 0, "metrics", "missing");
  p.metrics = metrics_from_json(j["metrics"], file);
  return p;
}

bool PointStore::done(const std::string& key, const PointConfig& point) const {
  const fs::path summary = folder(key) / "summary.json";
  std::error_code ec;
  if (!fs::exists(summary, ec)) return false;
  nlohmann::json stored;
  try {
    stored = nlohmann::json::parse(read_file(summary)).at("point");
  } catch (const nlohmann::json::exception&) {
    throw InputError(summary.string(), 0, "point",
                     "unreadable point summary; delete the folder or rerun with --force");
  }
  if (keyed_fields(stored) != keyed_fields(point_json(point))) {
    throw InputError(summary.string(), 0, "point",
                     "holds a different configuration than point " + key +
                         "; delete the folder or rerun with --force");
  }
  return true;
}

void PointStore::write(const std::string& key, const PointConfig& point, const RunMetrics& metrics,
                       const std::string* requests_csv) const {
  const std::string summary = summary_text(key, point, metrics);
  write_folder_atomically(folder(key), [&](const fs::path& dir) {
    write_plain(dir / "summary.json", summary);
    if (requests_csv) write_plain(dir / "requests.csv", *requests_csv);
  });
}

Shard parse_shard(const std::string& text) {
  Shard s;
  const auto slash = text.find('/');
  auto parse = [&](std::string_view part, std::size_t& out) {
    const auto r = std::from_chars(part.data(), part.data() + part.size(), out);
    return r.ec == std::errc() && r.ptr == part.data() + part.size() && !part.empty();
  };
  const std::string_view all(text);
  if (slash == std::string::npos || !parse(all.substr(0, slash), s.index) ||
      !parse(all.substr(slash + 1), s.count) || s.count == 0 || s.index >= s.count) {
    throw InputError("", 0, "--shard", "expected k/N with 0 <= k < N, found '" + text + "'");
  }
  return s;
}

std::vector<std::size_t> pending_points(const SweepPlan& plan, const PointStore* store, Shard shard,
                                        bool force, std::size_t* skipped) {
  std::vector<std::size_t> out;
  std::set<std::string> seen;
  std::size_t already = 0;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    if (i % shard.count != shard.index) continue;
    if (!seen.insert(plan.keys[i]).second) continue;
    if (store && !force && store->done(plan.keys[i], plan.points[i])) {
      ++already;
      continue;
    }
    out.push_back(i);
  }
  if (skipped) *skipped = already;
  return out;
}

bool LocalQueue::next(std::vector<std::size_t>& chunk) {
  const std::size_t i = cursor_.fetch_add(1);
  chunk.clear();
  if (i >= indices_.size()) return false;
  chunk.push_back(indices_[i]);
  return true;
}

namespace {

// A schedule whose metrics at other SLO multipliers differ only in what reads deadlines
// (recount_violations()).
struct SharedSchedule {
  RunResult raw;
  RunMetrics metrics;
};

// Everything but the stream and the SLO multiplier that decides a point's schedule (the
// semantics too: the answer of slo_free_schedule() is kept across streams).
std::string schedule_id(const PointConfig& p) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", p.policy, format_params(p.policy_params),
                     p.predictor, format_params(p.predictor_params), to_string(p.drop),
                     to_string(p.semantics));
}

}  // namespace

void run_points(const SweepPlan& plan, PointQueue& queue, const RunOptions& options,
                std::vector<std::optional<RunMetrics>>* results) {
  if (results) results->resize(plan.points.size());
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    std::vector<Request> base, requests;
    // The current stream's run_alone() outcomes (EngineOptions::alone_ends).
    std::vector<double> alone_ends;
    PointStreams streams;  // continues reference semantics' generator across a seed's rates
    std::size_t have_stream = std::numeric_limits<std::size_t>::max();
    double have_slo = std::numeric_limits<double>::quiet_NaN();
    // The current stream's schedules that do not depend on the SLO multiplier, by schedule_id().
    std::map<std::string, SharedSchedule> shared;
    std::map<std::string, bool> blind;  // schedule_id() -> slo_free_schedule()
    std::vector<std::size_t> chunk;
    try {
      while (queue.next(chunk)) {
        for (const std::size_t i : chunk) {
          const PointConfig& p = plan.points[i];
          const ProfileSet& set = *plan.profile_sets[plan.profile_set[i]];
          if (plan.stream[i] != have_stream) {
            base = streams.stream(set, p);
            requests = base;
            alone_ends.assign(base.size(), -std::numeric_limits<double>::infinity());
            have_stream = plan.stream[i];
            have_slo = p.slo_multiplier;
            shared.clear();
          } else if (p.slo_multiplier != have_slo) {
            requests = base;
            apply_slo_multiplier(requests, set, p.slo_multiplier);
            have_slo = p.slo_multiplier;
          }
          RunResult raw;
          RunMetrics metrics;
          const std::string id = options.share_schedules ? schedule_id(p) : std::string();
          bool share = false;
          if (options.share_schedules) {
            const auto [it, inserted] = blind.try_emplace(id, false);
            if (inserted) it->second = slo_free_schedule(p);
            share = it->second;
          }
          if (const auto hit = shared.find(id); share && hit != shared.end()) {
            metrics = recount_violations(hit->second.metrics, set, requests, hit->second.raw);
            if (options.store) raw = hit->second.raw;
          } else {
            metrics =
                run_point(set, requests, p, options.store || share ? &raw : nullptr, alone_ends);
            if (share) shared[id] = {raw, metrics};
          }
          if (options.store) {
            if (options.write_requests) {
              const std::string csv = requests_csv(set, requests, raw);
              options.store->write(plan.keys[i], p, metrics, &csv);
            } else {
              options.store->write(plan.keys[i], p, metrics, nullptr);
            }
          }
          if (results) (*results)[i] = metrics;
          queue.finished(i);
          if (options.progress) options.progress->add();
        }
      }
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      queue.abort();
    }
  };
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace dysta
