#!/usr/bin/env bash
# Characterises every profile set of the benchmark (dysta characterise) and draws its figures
# (scripts/plots/benchmark_figures.py) into docs/figures/benchmark/<set>/, with the tables beside
# them in <out>/<set>/ (default dysta-out/benchmark-characterisation). docs/benchmark.md quotes
# these tables and shows these figures.
#
# Usage: bash scripts/benchmark-figures.sh [BENCHMARK_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${1:-data/benchmark}
OUT=${2:-dysta-out/benchmark-characterisation}
FIGS=docs/figures/benchmark
[ -x build/dysta ] || { echo "benchmark-figures.sh: build/dysta missing: run bash scripts/setup.sh" >&2; exit 1; }

for set in eyerissv2-sparse20 eyerissv2-sparse20-shifted eyerissv2-sparse60 eyerissv2-dense sanger; do
  # Per-source statistics (sources.csv) where the benchmark lists the inputs' sources.
  SOURCES=()
  [ -f "$BENCH/sources/$set.csv" ] && SOURCES=(--sources "$BENCH/sources/$set.csv")
  ./build/dysta characterise --profiles "$BENCH/profiles/$set" "${SOURCES[@]}" --out "$OUT/$set" -q
  /usr/bin/python3 scripts/plots/benchmark_figures.py "$OUT/$set" --out "$FIGS/$set" \
    --title "$set" --formats png
  echo "benchmark-figures.sh: $set -> $OUT/$set, $FIGS/$set"
done
