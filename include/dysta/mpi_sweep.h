// Optional MPI backend of sweeps (CMake -DDYSTA_WITH_MPI=ON, Debian libopenmpi-dev): the points
// of a plan are spread over the ranks of MPI_COMM_WORLD with dynamic load balancing. Every rank
// writes the folders of the points it runs, so the sweep's output folder must be on a file
// system all ranks share (one machine, NFS, Lustre). docs/workflow.md.
#pragma once

#include <memory>
#include <vector>

#include "dysta/sweep_runner.h"

namespace dysta {

// True when this build includes the MPI backend.
bool mpi_built();

// MPI for the lifetime of the object: MPI_Init_thread on construction (throws InputError when the
// build has no MPI), MPI_Finalize on destruction.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool serialized_threads() const { return serialized_; }  // worker threads may call MPI
  void barrier() const;
  // Ends every rank with `status` (after a failure on one of them).
  [[noreturn]] void abort(int status) const;

 private:
  int rank_ = 0, size_ = 1;
  bool serialized_ = false;
};

// Runs the plan's points over all ranks; call it on every rank with the same plan. Rank 0
// hands out chunks of `pending` (ignored on the other ranks) on request, guided self-scheduling:
// a chunk is about remaining / (4 x ranks) points (1 to 16), so ranks that finish early take more.
// Rank 0 also runs points on its worker threads while its main thread serves requests. `progress`
// is used on rank 0 only and counts the points of every rank. Returns on each rank when it gets
// no more work; follow with barrier() before reading the folders of other ranks.
void run_points_mpi(const MpiSession& mpi, const SweepPlan& plan,
                    const std::vector<std::size_t>& pending, const RunOptions& options);

}  // namespace dysta
