// The MPI primitives the sweep's MPI backend needs (src/sweep/mpi_sweep.cpp), implemented by the
// module libdysta_mpi.so (src/mpi/transport.cpp, built with -DDYSTA_WITH_MPI=ON) and loaded with
// dlopen only by `dysta sweep --mpi`: a program that never uses MPI does not load Open MPI and
// its dependencies at start-up (issue 15). Plain C types only, so the module depends on no dysta
// code. All messages are arrays of uint64 on MPI_COMM_WORLD.
#pragma once

#include <cstdint>

extern "C" {

struct DystaMpiTransport {
  int abi;  // kDystaMpiAbi
  // MPI_Init_thread(MPI_THREAD_SERIALIZED); sets rank and size; returns 1 if the library
  // provides serialized threads.
  int (*init)(int* rank, int* size);
  void (*finalize)();
  void (*barrier)();
  void (*abort)(int status);
  void (*send)(int dest, int tag, const std::uint64_t* data, int count);
  // Blocks until a message with `tag` from `source` is available; returns its length.
  int (*probe_count)(int source, int tag);
  void (*recv)(int source, int tag, std::uint64_t* data, int count);
  // Non-blocking probe for `tag` from any rank: 1 and the sender in *source if one is waiting.
  int (*poll)(int tag, int* source);
};

// The module's only exported symbol: the DystaMpiTransport table (dysta::load_module()).
const void* dysta_mpi_transport();
}

namespace dysta {

inline constexpr int kDystaMpiAbi = 1;

// The transport of libdysta_mpi.so (dysta/module_loader.h; the environment variable
// DYSTA_MPI_MODULE names the file), or nullptr when the module is absent (a build without MPI).
const DystaMpiTransport* mpi_transport();

}  // namespace dysta
