#!/usr/bin/env bash
# The two paper grids the original artifact was timed on (issue 15), as whole `dysta sweep`
# processes on one thread, reference semantics (the artifact's rules, bit-exact parity: spec K):
#   Sanger across SLO      fig14-attnn: synthetic Sanger set, 30 and 40 req/s x SLO 10..150 x 7
#                          policies x seeds 1-5 = 420 runs of 1000 requests
#   CNN across arrival rate fig15-cnn: synthetic Eyeriss-V2 set, 2..6 req/s x SLO 10 x 7 policies
#                          x seeds 1-5 = 175 runs of 1000 requests
# Prints each grid's wall time (best of --repeat runs) and the speed-up over the artifact's time
# for the same grid. The artifact (Python) is not part of this repository; its times default to
# the ones measured side by side on the project's machine for issue 15 (24.7 s and 60.0 s) and
# can be replaced: ARTIFACT_SANGER_S=... ARTIFACT_CNN_S=... bash bench/paper_grids.sh.
# Usage: bash bench/paper_grids.sh [build-dir] [--repeat N] [--smoke]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build; REPEAT=3; SEEDS=1,2,3,4,5; REQUESTS=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) REPEAT=${2:?}; shift 2 ;;
    --smoke) REPEAT=1; SEEDS=1; REQUESTS=50; shift ;;
    *) BUILD=$1; shift ;;
  esac
done
DYSTA="$BUILD/dysta"
[ -x "$DYSTA" ] || { echo "build first: bash scripts/setup.sh" >&2; exit 1; }
ARTIFACT_SANGER_S=${ARTIFACT_SANGER_S:-24.7}
ARTIFACT_CNN_S=${ARTIFACT_CNN_S:-60.0}
SEVEN=fcfs,sjf,prema,planaria,sdrm3,dysta_oracle,dysta
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
now() { date +%s.%N; }
echo "| grid | runs | artifact | dysta, 1 thread (best of $REPEAT) | ratio | load avg |"
echo "|---|---|---|---|---|---|"
# name profiles rates slos artifact-seconds
for grid in "Sanger-across-SLO data/synthetic/sanger 30,40 10,25,50,75,100,150 $ARTIFACT_SANGER_S" \
            "CNN-across-rates data/synthetic/eyerissv2 2,3,4,5,6 10 $ARTIFACT_CNN_S"; do
  read -r name profiles rates slos artifact <<<"$grid"
  best=""; l=$(cut -d' ' -f1 /proc/loadavg)
  for _ in $(seq "$REPEAT"); do
    start=$(now)
    "$DYSTA" sweep --csv --semantics reference --profiles "$profiles" --rates "$rates" \
      --slos "$slos" --policies "$SEVEN" --seeds "$SEEDS" --requests "$REQUESTS" --threads 1 \
      >"$TMP/grid.csv" 2>/dev/null
    end=$(now)
    best=$(awk -v b="$best" -v t="$(awk -v s="$start" -v e="$end" 'BEGIN {print e - s}')" \
      'BEGIN {print (b == "" || t < b) ? t : b}')
  done
  runs=$(($(wc -l <"$TMP/grid.csv") - 1))
  [ "$runs" -gt 0 ] || { echo "paper_grids.sh: $name gave no rows" >&2; exit 1; }
  awk -v n="$name" -v r="$runs" -v a="$artifact" -v t="$best" -v l="$l" \
    'BEGIN {printf "| %s | %d | %.1f s | %.3f s | %.0fx | %s |\n", n, r, a, t, a / t, l}'
done
