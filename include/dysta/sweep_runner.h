// Running the points of a sweep plan: point folders (resume), shards, a thread pool fed by a
// queue of point indices (local, or over MPI ranks in mpi_sweep.h). docs/workflow.md.
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dysta/metrics.h"
#include "dysta/progress.h"
#include "dysta/sweep_file.h"

namespace dysta {

// The folder of a sweep's points: <root>/points/<key>/{summary.json, requests.csv}. A point's
// folder appears complete or not at all (written beside and renamed), so its existence means the
// point is finished.
class PointStore {
 public:
  explicit PointStore(std::filesystem::path root) : root_(std::move(root)) {}
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path folder(const std::string& key) const { return root_ / "points" / key; }

  // True when the point's folder exists. Throws InputError when it holds a different
  // configuration (a corrupted or hand-edited folder), so a result is never silently reused.
  bool done(const std::string& key, const PointConfig& point) const;
  // Writes (or, with an existing folder, replaces) the point's folder.
  void write(const std::string& key, const PointConfig& point, const RunMetrics& metrics,
             const std::string* requests_csv) const;

 private:
  std::filesystem::path root_;
};

// The contents of one point folder.
struct StoredPoint {
  std::string key;
  PointConfig point;
  RunMetrics metrics;
};
// Reads <folder>/summary.json; throws InputError naming the file and field when malformed.
StoredPoint read_point(const std::filesystem::path& folder);

// Inverse of metrics_json() (report.h).
RunMetrics metrics_from_json(const nlohmann::json& j, const std::string& file);

// "k/N" with 0 <= k < N; throws InputError naming --shard otherwise.
struct Shard {
  std::size_t index = 0, count = 1;
};
Shard parse_shard(const std::string& text);

// Indices of the plan's points to run: those with index mod N = k, each key once (the first
// index), and without `force` only those whose folder is not done. `skipped` receives the number
// of this shard's points already done.
std::vector<std::size_t> pending_points(const SweepPlan& plan, const PointStore* store, Shard shard,
                                        bool force, std::size_t* skipped = nullptr);

// Hands out point indices to the worker threads of run_points(). Thread-safe.
class PointQueue {
 public:
  virtual ~PointQueue() = default;
  // Replaces `chunk` with the next indices to run; false when there is no more work.
  virtual bool next(std::vector<std::size_t>& chunk) = 0;
  // Called after each finished point.
  virtual void finished(std::size_t /*index*/) {}
  // Stops handing out work (after a failure).
  virtual void abort() = 0;
};

// Hands out `indices` one at a time, in order.
class LocalQueue final : public PointQueue {
 public:
  explicit LocalQueue(std::vector<std::size_t> indices) : indices_(std::move(indices)) {}
  bool next(std::vector<std::size_t>& chunk) override;
  void abort() override { cursor_.store(indices_.size()); }

 private:
  std::vector<std::size_t> indices_;
  std::atomic<std::size_t> cursor_{0};
};

struct RunOptions {
  unsigned threads = 0;               // 0 = all hardware threads
  const PointStore* store = nullptr;  // write every point's folder
  bool write_requests = true;         // include requests.csv in point folders
  Progress* progress = nullptr;
  // Points of one stream that differ only in SLO multiplier share one simulation when their
  // policy does not read deadlines (Policy::reads_deadlines()) and nothing is dropped: the
  // schedule is the same; each point after the first recounts only the metrics that read
  // deadlines (recount_violations(), metrics.h). Off: every point simulates.
  // The results are identical either way.
  bool share_schedules = true;
};

// Runs the points the queue hands out on a pool of threads. Consecutive points of one stream
// reuse it. With `results`, (*results)[i] receives point i's metrics (sized to the plan). The
// results do not depend on the number of threads. Rethrows the first failure.
void run_points(const SweepPlan& plan, PointQueue& queue, const RunOptions& options,
                std::vector<std::optional<RunMetrics>>* results = nullptr);

}  // namespace dysta
