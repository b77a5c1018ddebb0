#!/usr/bin/env bash
# End-to-end speed of `dysta sweep`/`dysta run` (Release build): the complete experiment grid of
# spec G.2 (every figure, both accelerators, 5 seeds, 1000 requests), overload runs and a streaming
# run of 10 million requests. Prints wall time, requests/s and layers/s.
# Usage: bash bench/e2e.sh [build-dir] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
THREADS=${2:-2}
DYSTA="$BUILD/dysta"
[ -x "$DYSTA" ] || { echo "build first: bash scripts/setup.sh" >&2; exit 1; }
SANGER=data/synthetic/sanger
EYERISS=data/synthetic/eyerissv2
SEVEN=fcfs,sjf,prema,planaria,sdrm3,dysta_oracle,dysta
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

now() { date +%s.%N; }

# name profiles rates slos policies
GRIDS=(
  "fig12-attnn $SANGER 30,40 10 fcfs,sjf,prema,planaria,sdrm3,dysta"
  "fig13-attnn $SANGER 30 10 prema,dysta_naive,dysta"
  "fig14-attnn $SANGER 30,40 10,25,50,75,100,150 $SEVEN"
  "fig15-attnn $SANGER 10,20,30,40 10 $SEVEN"
  "fig12-cnn $EYERISS 3,4 10 fcfs,sjf,prema,planaria,sdrm3,dysta"
  "fig13-cnn $EYERISS 3 10 prema,dysta_naive,dysta"
  "fig14-cnn $EYERISS 3,4 10,25,50,75,100,150 $SEVEN"
  "fig15-cnn $EYERISS 2,3,4,5,6 10 $SEVEN"
)

echo "== spec G.2 grid: 5 seeds x 1000 requests, $THREADS threads"
total_start=$(now)
all_points=0; all_requests=0; all_layers=0
for grid in "${GRIDS[@]}"; do
  read -r name profiles rates slos policies <<<"$grid"
  start=$(now)
  "$DYSTA" sweep --csv --profiles "$profiles" --rates "$rates" --slos "$slos" \
    --policies "$policies" --seeds 1,2,3,4,5 --requests 1000 --threads "$THREADS" >"$TMP/$name.csv"
  end=$(now)
  read -r points requests layers < <(awk -F, 'NR>1 {p++; r+=$5; l+=$15} END {print p, r, l}' "$TMP/$name.csv")
  all_points=$((all_points + points)); all_requests=$((all_requests + requests)); all_layers=$((all_layers + layers))
  awk -v n="$name" -v p="$points" -v r="$requests" -v l="$layers" -v s="$start" -v e="$end" \
    'BEGIN {t=e-s; printf "  %-12s %4d runs %8.3f s  %6.2f ms/run  %10.0f req/s  %11.0f layers/s\n", n, p, t, 1000*t/p, r/t, l/t}'
done
total_end=$(now)
awk -v p="$all_points" -v r="$all_requests" -v l="$all_layers" -v s="$total_start" -v e="$total_end" \
  'BEGIN {t=e-s; printf "  %-12s %4d runs %8.3f s  %6.2f ms/run  %10.0f req/s  %11.0f layers/s\n", "TOTAL", p, t, 1000*t/p, r/t, l/t}'

echo "== one 1000-request point (single thread), mean of 20 runs, synthetic Sanger set at 60 req/s"
for policy in fcfs sjf prema planaria sdrm3 dysta dysta_oracle; do
  start=$(now)
  "$DYSTA" sweep --csv --profiles "$SANGER" --rates 60 --slos 10 --policies "$policy" \
    --seeds 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20 --requests 1000 --threads 1 >/dev/null
  end=$(now)
  awk -v n="$policy" -v s="$start" -v e="$end" 'BEGIN {printf "  %-12s %6.3f ms/point (incl. process start)\n", n, 1000*(e-s)/20}'
done

echo "== overload: 1.5x capacity of the synthetic Sanger set (138 req/s), single run"
for n in 5000 20000; do
  for policy in fcfs sjf planaria prema sdrm3 dysta; do
    start=$(now)
    "$DYSTA" run -q --profiles "$SANGER" --policy "$policy" --rate 138 --requests "$n" --out "$TMP/ov" >/dev/null
    end=$(now)
    maxq=$(python3 -c "import json,sys;print(json.load(open('$TMP/ov/summary.json'))['metrics']['max_ready_tasks'])" 2>/dev/null || echo "?")
    awk -v p="$policy" -v n="$n" -v q="$maxq" -v s="$start" -v e="$end" \
      'BEGIN {printf "  %-9s %6d requests %8.3f s  max ready %s\n", p, n, e-s, q}'
  done
done

echo "== streaming: 10,000,000 requests, dysta, 60 req/s, online metrics"
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "  wall %e s, peak RSS %M KB" "$DYSTA" run -q --stream --profiles "$SANGER" --policy dysta --rate 60 \
    --requests 10000000 --out "$TMP/stream"
else
  start=$(now); "$DYSTA" run -q --stream --profiles "$SANGER" --policy dysta --rate 60 --requests 10000000 --out "$TMP/stream"; end=$(now)
  awk -v s="$start" -v e="$end" 'BEGIN {printf "  wall %.2f s\n", e-s}'
fi
