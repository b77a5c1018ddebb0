#!/usr/bin/env bash
# The sparsity-awareness ablation and Dysta vs the baselines on the paper's multi-CNN scenarios
# (docs/benchmark.md, "Dysta and the baselines"): every policy at 30-90% load (the scenario's
# suggested rates), SLO x3, x5, x10, seeds 1-5, 1000 requests per point; then the mean over seeds
# as Markdown tables (scripts/benchmark_ablation.py).
#
# Usage: bash scripts/benchmark-ablation.sh [BENCHMARK_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${1:-data/benchmark}
OUT=${2:-dysta-out/benchmark-ablation}
POLICIES=fcfs,sjf,prema,prema_sparse,planaria,sdrm3,dysta_naive,dysta,dysta_oracle
for s in paper-cnn paper-cnn-shifted; do
  nice -n 10 ./build/dysta sweep -c "$BENCH/scenarios/$s.yaml" --slos 3,5,10 --seeds 1,2,3,4,5 \
    --policies "$POLICIES" --out "$OUT/$s" > /dev/null
  /usr/bin/python3 scripts/benchmark_ablation.py "$OUT/$s/results.csv" "$s"
done
