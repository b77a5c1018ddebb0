#include "dysta/mpi_sweep.h"

#include <cstdlib>

#include "dysta/error.h"

#if DYSTA_WITH_MPI
// The C API only (the C++ bindings are deprecated and need another library).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>
#endif

namespace dysta {

#if DYSTA_WITH_MPI

namespace {

constexpr int kTagRequest = 1;  // worker -> rank 0: uint64 points finished since last request
constexpr int kTagWork = 2;     // rank 0 -> worker: uint64 point indices; empty = no more work
constexpr std::size_t kMaxChunk = 16;

// The shared cursor over the pending points (rank 0).
class Dispenser {
 public:
  Dispenser(const std::vector<std::size_t>& pending, int ranks)
      : pending_(pending), ranks_(ranks) {}
  std::vector<std::uint64_t> take() {
    std::lock_guard lock(mutex_);
    const std::size_t remaining = pending_.size() - cursor_;
    std::size_t n = remaining / (4 * static_cast<std::size_t>(ranks_));
    n = std::clamp<std::size_t>(n, 1, kMaxChunk);
    n = std::min(n, remaining);
    std::vector<std::uint64_t> chunk(pending_.begin() + static_cast<long>(cursor_),
                                     pending_.begin() + static_cast<long>(cursor_ + n));
    cursor_ += n;
    return chunk;
  }
  void stop() {
    std::lock_guard lock(mutex_);
    cursor_ = pending_.size();
  }

 private:
  const std::vector<std::size_t>& pending_;
  int ranks_;
  std::mutex mutex_;
  std::size_t cursor_ = 0;
};

// Rank 0's own worker threads take chunks directly.
class CoordinatorQueue final : public PointQueue {
 public:
  explicit CoordinatorQueue(Dispenser& d) : dispenser_(d) {}
  bool next(std::vector<std::size_t>& chunk) override {
    const auto c = dispenser_.take();
    chunk.assign(c.begin(), c.end());
    return !chunk.empty();
  }
  void abort() override { dispenser_.stop(); }

 private:
  Dispenser& dispenser_;
};

// Ranks > 0 ask rank 0 for chunks (MPI calls serialised by a mutex).
class WorkerQueue final : public PointQueue {
 public:
  bool next(std::vector<std::size_t>& chunk) override {
    std::lock_guard lock(mutex_);
    chunk.clear();
    if (exhausted_) return false;
    std::uint64_t finished = finished_.exchange(0);
    MPI_Send(&finished, 1, MPI_UINT64_T, 0, kTagRequest, MPI_COMM_WORLD);
    MPI_Status status;
    MPI_Probe(0, kTagWork, MPI_COMM_WORLD, &status);
    int count = 0;
    MPI_Get_count(&status, MPI_UINT64_T, &count);
    std::vector<std::uint64_t> data(static_cast<std::size_t>(count));
    MPI_Recv(data.data(), count, MPI_UINT64_T, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (data.empty()) {
      exhausted_ = true;
      return false;
    }
    chunk.assign(data.begin(), data.end());
    return true;
  }
  void finished(std::size_t) override { finished_.fetch_add(1); }
  void abort() override {
    std::lock_guard lock(mutex_);
    exhausted_ = true;
  }

 private:
  std::mutex mutex_;
  std::atomic<std::uint64_t> finished_{0};
  bool exhausted_ = false;
};

}  // namespace

bool mpi_built() {
  return true;
}

MpiSession::MpiSession() {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  serialized_ = provided >= MPI_THREAD_SERIALIZED;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  MPI_Finalize();
}

void MpiSession::barrier() const {
  MPI_Barrier(MPI_COMM_WORLD);
}

void MpiSession::abort(int status) const {
  std::fflush(stdout);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);
}

void run_points_mpi(const MpiSession& mpi, const SweepPlan& plan,
                    const std::vector<std::size_t>& pending, const RunOptions& options) {
  RunOptions local = options;
  if (!mpi.serialized_threads()) local.threads = 1;
  if (mpi.rank() != 0) {
    local.progress = nullptr;
    WorkerQueue queue;
    run_points(plan, queue, local, nullptr);
    return;
  }
  Dispenser dispenser(pending, mpi.size());
  CoordinatorQueue queue(dispenser);
  std::exception_ptr failure;
  std::atomic<bool> local_done{false};
  std::jthread compute([&] {
    try {
      run_points(plan, queue, local, nullptr);
    } catch (...) {
      failure = std::current_exception();
    }
    local_done = true;
  });
  // Serve requests until every other rank has been told there is no more work. Polling with a
  // short sleep keeps this thread off the CPU (a blocking receive spins in Open MPI).
  int finished_ranks = 0;
  while (finished_ranks < mpi.size() - 1) {
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &status);
    if (!flag) {
      if (local_done && failure) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    std::uint64_t count = 0;
    MPI_Recv(&count, 1, MPI_UINT64_T, status.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    if (options.progress && count > 0) options.progress->add(count);
    const std::vector<std::uint64_t> chunk = dispenser.take();
    MPI_Send(chunk.data(), static_cast<int>(chunk.size()), MPI_UINT64_T, status.MPI_SOURCE,
             kTagWork, MPI_COMM_WORLD);
    if (chunk.empty()) ++finished_ranks;
  }
  compute.join();
  if (failure) std::rethrow_exception(failure);
}

#else  // !DYSTA_WITH_MPI

namespace {
[[noreturn]] void not_built() {
  throw InputError("", 0, "--mpi",
                   "this dysta was built without MPI (configure with -DDYSTA_WITH_MPI=ON; Debian "
                   "package libopenmpi-dev)");
}
}  // namespace

bool mpi_built() {
  return false;
}
MpiSession::MpiSession() {
  not_built();
}
MpiSession::~MpiSession() = default;
void MpiSession::barrier() const {}
void MpiSession::abort(int status) const {
  std::exit(status);
}
void run_points_mpi(const MpiSession&, const SweepPlan&, const std::vector<std::size_t>&,
                    const RunOptions&) {
  not_built();
}

#endif

}  // namespace dysta
