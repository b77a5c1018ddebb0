#!/usr/bin/env bash
# Installs the Debian packages dysta needs and builds it (Release) into build/.
# Usage: bash scripts/setup.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
PKGS=(g++ cmake make pkg-config libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
      libyaml-cpp-dev libfmt-dev verilator yosys
      libopenblas-dev libpng-dev libjpeg-dev libfreetype-dev fonts-dejavu-core
      python3-matplotlib python3-pandas libopenmpi-dev openmpi-bin valgrind)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
# The MPI backend of `dysta sweep --mpi` is built whenever an MPI compiler wrapper is present.
MPI_FLAG=-DDYSTA_WITH_MPI=OFF
command -v mpicxx >/dev/null 2>&1 && MPI_FLAG=-DDYSTA_WITH_MPI=ON
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "$MPI_FLAG" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
