#!/usr/bin/env bash
# Runs every libFuzzer target of fuzz/ for longer than CTest does (docs/robustness.md).
# Usage: bash scripts/fuzz.sh [seconds-per-target] [build-dir] [target...]
#   Builds <build-dir> (default build-asan: clang, -DDYSTA_SANITIZE=ON -DDYSTA_FUZZ=ON) if needed,
#   then runs each target at nice 10 for the given time (default 600 s) on a working copy of its
#   seed corpus, and prints "target executions crashes" per target. Crashing inputs are kept in
#   <build-dir>/fuzz/findings/<target>/ (turn each into a regression test).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-600}
BUILD_DIR=${2:-build-asan}
shift $(( $# > 2 ? 2 : $# ))
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(profile_native profile_eyeriss profile_sanger trace config sweep point_summary onnx
           tfjs js_literal npy image)
fi
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DDYSTA_SANITIZE=ON -DDYSTA_FUZZ=ON \
    -DDYSTA_BUILD_BENCH=OFF -DDYSTA_BUILD_RTL=OFF -DDYSTA_WITH_MPI=OFF >/dev/null
fi
for t in "${TARGETS[@]}"; do
  nice -n 10 cmake --build "$BUILD_DIR" -j 2 --target "fuzz_$t" >/dev/null
done
printf '%-16s %12s %8s\n' target executions crashes
for t in "${TARGETS[@]}"; do
  work="$BUILD_DIR/fuzz/long/$t"
  findings="$BUILD_DIR/fuzz/findings/$t"
  mkdir -p "$work" "$findings"
  log="$BUILD_DIR/fuzz/long/$t.log"
  # A run stops at its first crash; the crashing input lands in $findings.
  nice -n 10 "$BUILD_DIR/fuzz/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 \
    -timeout=20 -malloc_limit_mb=1024 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$work" "fuzz/corpus/$t" >"$log" 2>&1 || true
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find "$findings" -type f | wc -l)
  printf '%-16s %12s %8s\n' "$t" "${execs:-?}" "$crashes"
done
