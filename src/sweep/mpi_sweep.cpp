#include "dysta/mpi_sweep.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>

#include "dysta/error.h"
#include "sweep/mpi_transport.h"

namespace dysta {

namespace {

constexpr int kTagRequest = 1;  // worker -> rank 0: uint64 points finished since last request
constexpr int kTagWork = 2;     // rank 0 -> worker: uint64 point indices; empty = no more work
constexpr std::size_t kMaxChunk = 16;

// The loaded transport, or the error of a build without the MPI module.
const DystaMpiTransport& transport() {
  const DystaMpiTransport* t = mpi_transport();
  if (t == nullptr) {
    throw InputError("", 0, "--mpi",
                     "this dysta was built without MPI: its module libdysta_mpi.so was not found "
                     "(configure with -DDYSTA_WITH_MPI=ON; Debian package libopenmpi-dev), or "
                     "DYSTA_MPI_MODULE names a file that is not the module");
  }
  return *t;
}

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
    const DystaMpiTransport& mpi = transport();
    std::uint64_t finished = finished_.exchange(0);
    mpi.send(0, kTagRequest, &finished, 1);
    const int count = mpi.probe_count(0, kTagWork);
    std::vector<std::uint64_t> data(static_cast<std::size_t>(count));
    mpi.recv(0, kTagWork, data.data(), count);
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
  return mpi_transport() != nullptr;
}

MpiSession::MpiSession() {
  serialized_ = transport().init(&rank_, &size_) != 0;
}

MpiSession::~MpiSession() {
  transport().finalize();
}

void MpiSession::barrier() const {
  transport().barrier();
}

void MpiSession::abort(int status) const {
  std::fflush(stdout);
  std::fflush(stderr);
  transport().abort(status);
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
  const DystaMpiTransport& mpi_calls = transport();
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
    int source = 0;
    if (!mpi_calls.poll(kTagRequest, &source)) {
      if (local_done && failure) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    std::uint64_t count = 0;
    mpi_calls.recv(source, kTagRequest, &count, 1);
    if (options.progress && count > 0) options.progress->add(count);
    const std::vector<std::uint64_t> chunk = dispenser.take();
    mpi_calls.send(source, kTagWork, chunk.data(), static_cast<int>(chunk.size()));
    if (chunk.empty()) ++finished_ranks;
  }
  compute.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace dysta
