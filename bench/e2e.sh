#!/usr/bin/env bash
# End-to-end speed of `dysta sweep`/`dysta run` (Release build): the complete experiment grid of
# spec G.2 (every figure, both accelerators, 5 seeds, 1000 requests), overload runs and a streaming
# run of 10 million requests. Prints wall time, requests/s and layers/s.
# Usage: bash bench/e2e.sh [build-dir] [threads] [--smoke]
# --smoke runs every part at a tiny size (2 seeds, 50 requests, 20,000-request stream) and fails
# unless every part reports a non-zero rate; CTest runs it (tests/CMakeLists.txt) so the script
# keeps working as the CLI and its CSV columns change.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build; THREADS=2; SMOKE=0; pos=0
for arg in "$@"; do
  case "$arg" in
    --smoke) SMOKE=1 ;;
    *) pos=$((pos + 1)); if [ $pos -eq 1 ]; then BUILD=$arg; else THREADS=$arg; fi ;;
  esac
done
SEEDS=1,2,3,4,5; REQUESTS=1000; POINT_SEEDS=$(seq -s, 1 20); OVERLOAD=(5000 20000); STREAM=10000000
if [ $SMOKE -eq 1 ]; then SEEDS=1,2; REQUESTS=50; POINT_SEEDS=1,2; OVERLOAD=(200); STREAM=20000; fi
DYSTA="$BUILD/dysta"
[ -x "$DYSTA" ] || { echo "build first: bash scripts/setup.sh" >&2; exit 1; }
SANGER=data/synthetic/sanger
EYERISS=data/synthetic/eyerissv2
SEVEN=fcfs,sjf,prema,planaria,sdrm3,dysta_oracle,dysta
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Timestamps from bash itself (bash >= 5): a `date` process per timestamp would add its own
# start-up (about 2 ms on the machine of bench/README.md) to every measured run.
export LC_ALL=C  # EPOCHREALTIME with a decimal point
# Fails the script when a measured quantity is not a positive number.
positive() { awk -v v="$2" 'BEGIN {exit !(v + 0 > 0)}' || { echo "e2e.sh: $1 is '$2', expected > 0" >&2; exit 1; }; }
# Sums the named columns of a `dysta sweep --csv` table: prints rows and each column's sum.
sum_columns() {
  awk -F, -v cols="$2" 'NR == 1 {n = split(cols, want, ","); for (i = 1; i <= n; i++) {
        for (c = 1; c <= NF; c++) if ($c == want[i]) idx[i] = c
        if (!(i in idx)) {print "e2e.sh: column " want[i] " missing" > "/dev/stderr"; exit 1}}; next}
      {rows++; for (i = 1; i <= n; i++) sum[i] += $idx[i]}
      END {printf "%d", rows; for (i = 1; i <= n; i++) printf " %.0f", sum[i]; print ""}' "$1"
}

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

echo "== spec G.2 grid: seeds $SEEDS x $REQUESTS requests, $THREADS threads"
total_start=$EPOCHREALTIME
all_points=0; all_requests=0; all_layers=0; all_time=0
for grid in "${GRIDS[@]}"; do
  read -r name profiles rates slos policies <<<"$grid"
  start=$EPOCHREALTIME
  "$DYSTA" sweep --csv --profiles "$profiles" --rates "$rates" --slos "$slos" \
    --policies "$policies" --seeds "$SEEDS" --requests "$REQUESTS" --threads "$THREADS" >"$TMP/$name.csv"
  end=$EPOCHREALTIME
  read -r points requests layers < <(sum_columns "$TMP/$name.csv" requests,layers_executed)
  positive "$name requests" "$requests"; positive "$name layers" "$layers"
  all_points=$((all_points + points)); all_requests=$((all_requests + requests)); all_layers=$((all_layers + layers))
  all_time=$(awk -v a="$all_time" -v s="$start" -v e="$end" 'BEGIN {printf "%.6f", a + e - s}')
  awk -v n="$name" -v p="$points" -v r="$requests" -v l="$layers" -v s="$start" -v e="$end" \
    'BEGIN {t=e-s; printf "  %-12s %4d runs %8.3f s  %6.2f ms/run  %10.0f req/s  %11.0f layers/s\n", n, p, t, 1000*t/p, r/t, l/t}'
done
total_end=$EPOCHREALTIME
# TOTAL: the eight dysta processes' wall times (start to exit each); the script's own column sums
# between them are reported apart.
awk -v p="$all_points" -v r="$all_requests" -v l="$all_layers" -v t="$all_time" -v s="$total_start" -v e="$total_end" \
  'BEGIN {printf "  %-12s %4d runs %8.3f s  %6.2f ms/run  %10.0f req/s  %11.0f layers/s  (script wall incl. its column sums: %.3f s)\n", "TOTAL", p, t, 1000*t/p, r/t, l/t, e-s}'

npoint=$(awk -F, '{print NF}' <<<"$POINT_SEEDS")
echo "== one $REQUESTS-request point (single thread), mean of $npoint runs, synthetic Sanger set at 60 req/s"
for policy in fcfs sjf prema planaria sdrm3 dysta dysta_oracle; do
  start=$EPOCHREALTIME
  "$DYSTA" sweep --csv --profiles "$SANGER" --rates 60 --slos 10 --policies "$policy" \
    --seeds "$POINT_SEEDS" --requests "$REQUESTS" --threads 1 >"$TMP/point.csv"
  end=$EPOCHREALTIME
  read -r points requests < <(sum_columns "$TMP/point.csv" requests)
  positive "$policy point requests" "$requests"
  awk -v n="$policy" -v k="$npoint" -v s="$start" -v e="$end" 'BEGIN {printf "  %-12s %6.3f ms/point (incl. process start)\n", n, 1000*(e-s)/k}'
done

echo "== overload: 1.5x capacity of the synthetic Sanger set (138 req/s), single run"
for n in "${OVERLOAD[@]}"; do
  for policy in fcfs sjf planaria prema sdrm3 dysta; do
    start=$EPOCHREALTIME
    "$DYSTA" run -q --profiles "$SANGER" --policy "$policy" --rate 138 --requests "$n" --out "$TMP/ov" >/dev/null
    end=$EPOCHREALTIME
    maxq=$(python3 -c "import json,sys;print(json.load(open('$TMP/ov/summary.json'))['metrics']['max_ready_tasks'])")
    positive "$policy overload max ready tasks" "$maxq"
    awk -v p="$policy" -v n="$n" -v q="$maxq" -v s="$start" -v e="$end" \
      'BEGIN {printf "  %-9s %6d requests %8.3f s  max ready %s\n", p, n, e-s, q}'
  done
done

echo "== streaming: $STREAM requests, dysta, 60 req/s, online metrics"
start=$EPOCHREALTIME
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "  peak RSS %M KB" "$DYSTA" run -q --stream --profiles "$SANGER" --policy dysta --rate 60 \
    --requests "$STREAM" --out "$TMP/stream"
else
  "$DYSTA" run -q --stream --profiles "$SANGER" --policy dysta --rate 60 --requests "$STREAM" --out "$TMP/stream"
fi
end=$EPOCHREALTIME
done_requests=$(python3 -c "import json;print(json.load(open('$TMP/stream/summary.json'))['metrics']['requests'])")
positive "stream requests" "$done_requests"
awk -v r="$done_requests" -v s="$start" -v e="$end" 'BEGIN {printf "  wall %.2f s, %.0f req/s\n", e-s, r/(e-s)}'
