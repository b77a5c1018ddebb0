#include "dysta/module_loader.h"
#include "sweep/mpi_transport.h"

namespace dysta {

const DystaMpiTransport* mpi_transport() {
  return static_cast<const DystaMpiTransport*>(
      load_module("libdysta_mpi.so", "dysta_mpi_transport", kDystaMpiAbi, "DYSTA_MPI_MODULE"));
}

}  // namespace dysta
