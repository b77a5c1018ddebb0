#!/usr/bin/env bash
# Instruction counts of the simulation hot loop under callgrind (repeatable on noisy machines:
# the same binary and inputs give the same count). Counts only the engine (simulate_stream and
# everything it calls), for one 2000-request run per policy on the synthetic Sanger set at
# 90 req/s, and prints instructions per executed layer.
# Usage: bash bench/callgrind.sh [build-dir] [--check bench/callgrind_baseline.txt] [--requests N]
# With --check, fails if any policy needs more than 5% more instructions than the baseline (which
# holds 2000-request counts: use it with the default size only). Fails if a count is not positive.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build
CHECK=""
REQUESTS=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --check) CHECK=${2:?baseline file}; shift 2 ;;
    --requests) REQUESTS=${2:?request count}; shift 2 ;;
    *) BUILD=$1; shift ;;
  esac
done
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
status=0
printf "%-14s %14s %10s %12s\n" policy instructions layers "instr/layer"
for policy in fcfs sjf sjf_sparse prema planaria sdrm3 dysta dysta_naive dysta_oracle; do
  valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" --toggle-collect='*simulate_stream*' \
    "$BUILD/dysta" run -q --profiles data/synthetic/sanger --policy "$policy" --rate 90 \
    --requests "$REQUESTS" --out "$TMP/run" \
    >/dev/null 2>"$TMP/vg.log"
  ir=$(grep -E "^summary:|^totals:" "$TMP/cg.out" | head -1 | awk '{print $2}')
  layers=$(python3 -c "import json;print(json.load(open('$TMP/run/summary.json'))['metrics']['layers_executed'])")
  awk -v i="$ir" -v l="$layers" 'BEGIN {exit !(i > 0 && l > 0)}' ||
    { echo "callgrind.sh: $policy gave instructions '$ir', layers '$layers'" >&2; exit 1; }
  per=$(awk -v i="$ir" -v l="$layers" 'BEGIN {printf "%.1f", i/l}')
  printf "%-14s %14s %10s %12s\n" "$policy" "$ir" "$layers" "$per"
  if [ -n "$CHECK" ]; then
    base=$(awk -v p="$policy" '$1 == p {print $2}' "$CHECK")
    if [ -n "$base" ] && awk -v i="$ir" -v b="$base" 'BEGIN {exit !(i > 1.05 * b)}'; then
      echo "  REGRESSION: $policy $ir > 1.05 x baseline $base" >&2
      status=1
    fi
  fi
done
exit $status
