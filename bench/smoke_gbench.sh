#!/usr/bin/env bash
# Runs every Google Benchmark of dysta_bench for a minimal time and fails unless each one reports
# a positive iteration count and time. Usage: bash bench/smoke_gbench.sh path/to/dysta_bench
set -euo pipefail
BENCH=${1:?path to dysta_bench}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$BENCH" --benchmark_min_time=0.001 --benchmark_format=json --benchmark_out="$OUT" >/dev/null
python3 - "$OUT" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
bad = [r["name"] for r in runs if not (r.get("iterations", 0) > 0 and r.get("real_time", 0) > 0)]
if not runs or bad:
    sys.exit(f"smoke_gbench: {len(runs)} benchmarks, not positive: {bad}")
print(f"{len(runs)} benchmarks ran, all with positive iterations and time")
PY
