#!/usr/bin/env bash
# The two paper grids the original artifact was timed on (issue 15), as whole `dysta sweep`
# processes on one thread, reference semantics (the artifact's rules, bit-exact parity: spec K):
#   Sanger across SLO      fig14-attnn: synthetic Sanger set, 30 and 40 req/s x SLO 10..150 x 7
#                          policies x seeds 1-5 = 420 runs of 1000 requests
#   CNN across arrival rate fig15-cnn: synthetic Eyeriss-V2 set, 2..6 req/s x SLO 10 x 7 policies
#                          x seeds 1-5 = 175 runs of 1000 requests
# Prints each grid's wall time (best of --repeat runs) and the speed-up over the artifact's time
# for the same grid.
#
# The artifact (Python, github SamsungLabs/Sparse-Multi-DNN-Scheduling, commit b9f1913) is not
# part of this repository. With ARTIFACT_DIR=<a checkout of it>, the script times it side by side:
# its simulator.py with the arguments of its own scripts (script/attnn/
# dysta_comparison_sanger_across_slo.sh, script/cnn/dysta_comparison_eyerissv2_across_arrival_rates.sh)
# on a copy holding the same CSVs, whole processes under Debian's python3 (numpy, pandas,
# matplotlib, scikit-learn), best of ARTIFACT_REPEAT runs (default 1). Its figure module imports
# `brokenaxes`, which Debian does not package and these two figures never call: a stub module
# stands in. Without ARTIFACT_DIR the artifact's times are ARTIFACT_SANGER_S and ARTIFACT_CNN_S
# (defaults: the times measured side by side on the project's machine on 2026-12-06, bench/README).
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
ARTIFACT_SANGER_S=${ARTIFACT_SANGER_S:-18.69}
ARTIFACT_CNN_S=${ARTIFACT_CNN_S:-6.22}
ARTIFACT_REPEAT=${ARTIFACT_REPEAT:-1}
if [ -n "${ARTIFACT_DIR:-}" ] && [ ! -f "$ARTIFACT_DIR/dysta_scheduler/simulator.py" ]; then
  echo "paper_grids.sh: ARTIFACT_DIR=$ARTIFACT_DIR holds no dysta_scheduler/simulator.py" >&2
  exit 1
fi
SEVEN=fcfs,sjf,prema,planaria,sdrm3,dysta_oracle,dysta
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Timestamps from bash itself (bash >= 5): a `date` process per timestamp would add its own
# start-up (about 2 ms on the machine of bench/README.md) to every measured run.
export LC_ALL=C  # EPOCHREALTIME with a decimal point
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN {print e - s}'; }
least() { awk -v b="$1" -v t="$2" 'BEGIN {print (b == "" || t < b) ? t : b}'; }

# time_artifact <profiles-dir> <csv-subdir> <figure flag> <rates> <slos>: best wall time.
time_artifact() {
  local profiles=$1 sub=$2 flag=$3 rates=$4 slos=$5 best="" start end
  local work="$TMP/artifact"
  rm -rf "$work" && mkdir -p "$work/stub"
  cp -r "$ARTIFACT_DIR/dysta_scheduler" "$work/"
  mkdir -p "$work/dysta_scheduler/csv_files/$sub"
  cp "$profiles"/*.csv "$work/dysta_scheduler/csv_files/$sub/"
  echo "def brokenaxes(*args, **kwargs): raise RuntimeError('brokenaxes stub')" \
    >"$work/stub/brokenaxes.py"
  for _ in $(seq "$ARTIFACT_REPEAT"); do
    start=$EPOCHREALTIME
    # shellcheck disable=SC2086 # rates and slos are word lists
    (cd "$work/dysta_scheduler" && PYTHONPATH="$work/stub" MPLBACKEND=Agg /usr/bin/python3 \
      simulator.py --schedule_method fcfs sjf prema planaria sdrm3 dysta_oracle dysta "$flag" \
      --csv_lat_dir "./csv_files/$sub/" --lat_slo_mult ${slos//,/ } \
      --sample_per_sec ${rates//,/ } --num_sample "$REQUESTS" \
      --num_random_seeds "$(tr ',' '\n' <<<"$SEEDS" | wc -l)" >"$TMP/artifact.log" 2>&1) ||
      { echo "paper_grids.sh: the artifact failed (log follows)" >&2; tail -5 "$TMP/artifact.log" >&2; exit 1; }
    end=$EPOCHREALTIME
    best=$(least "$best" "$(elapsed "$start" "$end")")
  done
  echo "$best"
}

echo "| grid | runs | artifact | dysta, 1 thread (best of $REPEAT) | ratio | load avg |"
echo "|---|---|---|---|---|---|"
# name profiles csv-subdir artifact-flag rates slos artifact-seconds
for grid in "Sanger-across-SLO data/synthetic/sanger sanger --fig_across_slo 30,40 10,25,50,75,100,150 $ARTIFACT_SANGER_S" \
            "CNN-across-rates data/synthetic/eyerissv2 eyerissv2 --fig_across_ar 2,3,4,5,6 10 $ARTIFACT_CNN_S"; do
  read -r name profiles sub flag rates slos artifact <<<"$grid"
  best=""; l=$(cut -d' ' -f1 /proc/loadavg)
  for _ in $(seq "$REPEAT"); do
    start=$EPOCHREALTIME
    "$DYSTA" sweep --csv --semantics reference --profiles "$profiles" --rates "$rates" \
      --slos "$slos" --policies "$SEVEN" --seeds "$SEEDS" --requests "$REQUESTS" --threads 1 \
      >"$TMP/grid.csv" 2>/dev/null
    end=$EPOCHREALTIME
    best=$(least "$best" "$(elapsed "$start" "$end")")
  done
  runs=$(($(wc -l <"$TMP/grid.csv") - 1))
  [ "$runs" -gt 0 ] || { echo "paper_grids.sh: $name gave no rows" >&2; exit 1; }
  label="$artifact s"
  if [ -n "${ARTIFACT_DIR:-}" ]; then
    artifact=$(time_artifact "$profiles" "$sub" "$flag" "$rates" "$slos")
    label=$(awk -v a="$artifact" 'BEGIN {printf "%.2f s (measured)", a}')
  fi
  awk -v n="$name" -v r="$runs" -v a="$artifact" -v al="$label" -v t="$best" -v l="$l" \
    'BEGIN {printf "| %s | %d | %s | %.4f s | %.0fx | %s |\n", n, r, al, t, a / t, l}'
done
