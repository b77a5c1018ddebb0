// libdysta_mpi.so: the MPI primitives of src/sweep/mpi_transport.h over Open MPI's C API (the C++
// bindings are deprecated and need another library). Loaded with dlopen by `dysta sweep --mpi`.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include "sweep/mpi_transport.h"

namespace {

int init(int* rank, int* size) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return provided >= MPI_THREAD_SERIALIZED ? 1 : 0;
}
void finalize() {
  MPI_Finalize();
}
void barrier() {
  MPI_Barrier(MPI_COMM_WORLD);
}
void abort_all(int status) {
  MPI_Abort(MPI_COMM_WORLD, status);
}
void send(int dest, int tag, const std::uint64_t* data, int count) {
  MPI_Send(data, count, MPI_UINT64_T, dest, tag, MPI_COMM_WORLD);
}
int probe_count(int source, int tag) {
  MPI_Status status;
  MPI_Probe(source, tag, MPI_COMM_WORLD, &status);
  int count = 0;
  MPI_Get_count(&status, MPI_UINT64_T, &count);
  return count;
}
void recv(int source, int tag, std::uint64_t* data, int count) {
  MPI_Recv(data, count, MPI_UINT64_T, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}
int poll(int tag, int* source) {
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &status);
  if (flag) *source = status.MPI_SOURCE;
  return flag;
}

const DystaMpiTransport kTransport = {dysta::kDystaMpiAbi, init, finalize, barrier, abort_all, send,
                                      probe_count,         recv, poll};

}  // namespace

extern "C" __attribute__((visibility("default"))) const void* dysta_mpi_transport() {
  return &kTransport;
}
