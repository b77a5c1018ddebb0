#!/usr/bin/env bash
# Every policy under overload: the synthetic Sanger set at 101 req/s (about 1.1x capacity), one
# run of N requests per policy (default 1,000,000), `dysta sweep` (simulation and metrics; no
# offline bound) on one thread, then `dysta run` (whole CLI: offline bound, requests.csv,
# trace.csv) for the policies given with --run. Prints wall time, CPU time, peak RSS and the
# largest ready queue per policy, with the load average read just before each run (the machine
# may be shared). A run that exceeds the time limit (default 60 s) is stopped and reported as such.
# Then `dysta sweep --semantics reference` for the policies whose reference semantics differ in how
# they choose (--reference, default planaria, prema, prema_sparse, sdrm3, sdrm3_sparse).
# Usage: bash bench/overload.sh [build-dir] [--requests N] [--limit SECONDS] [--run p1,p2]
#        [--reference p1,p2] [--smoke]   (--smoke: 300 requests, 20 s limit; fails unless every
#        run finishes)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build; N=1000000; LIMIT=60; RUN=fcfs,dysta; SMOKE=0
REFERENCE=planaria,prema,prema_sparse,sdrm3,sdrm3_sparse
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) N=${2:?}; shift 2 ;;
    --limit) LIMIT=${2:?}; shift 2 ;;
    --run) RUN=${2:?}; shift 2 ;;
    --reference) REFERENCE=${2:?}; shift 2 ;;
    --smoke) SMOKE=1; N=300; LIMIT=20; shift ;;
    *) BUILD=$1; shift ;;
  esac
done
DYSTA="$BUILD/dysta"
[ -x "$DYSTA" ] || { echo "build first: bash scripts/setup.sh" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }
SANGER=data/synthetic/sanger
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
POLICIES=$("$DYSTA" list | awk '/^policies:/ {on=1; next} /^[a-z]/ {on=0} on && /^  [a-z]/ {print $1}')
[ -n "$POLICIES" ] || { echo "overload.sh: no policies listed" >&2; exit 1; }
load() { cut -d' ' -f1 /proc/loadavg; }
failed=0
# measure COMMAND...: runs it under the time limit; sets wall, user, rss (MiB), l (load average
# before the run) and stopped (1 if the limit stopped it).
measure() {
  l=$(load); stopped=0; wall="-"; user="-"; rss="-"
  local status=0
  timeout "$LIMIT" /usr/bin/time -f "%e %U %M" -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err" || status=$?
  if [ $status -eq 124 ]; then stopped=1; failed=1; return; fi
  [ $status -eq 0 ] || { cat "$TMP/err" >&2; echo "overload.sh: '$*' failed" >&2; exit 1; }
  local kb
  read -r wall user kb <"$TMP/time"
  rss=$(awk -v k="$kb" 'BEGIN {printf "%.0f", k / 1024}')
}
row() {  # command policy max-ready
  if [ $stopped -eq 1 ]; then
    printf "| %s | %s | > %s s (stopped) | - | - | - | %s |\n" "$1" "$2" "$LIMIT" "$l"
  else
    printf "| %s | %s | %.2f s | %.2f s | %s MiB | %s | %s |\n" "$1" "$2" "$wall" "$user" "$rss" "$3" "$l"
  fi
}
echo "== $N requests, synthetic Sanger set at 101 req/s (rho ~1.1), corrected semantics, 1 thread"
echo "| command | policy | wall | user CPU | peak RSS | max ready tasks | load avg |"
echo "|---|---|---|---|---|---|---|"
# sweep_row LABEL SEMANTICS POLICY: one `dysta sweep` run and its row.
sweep_row() {
  measure "$DYSTA" sweep --csv --semantics "$2" --profiles "$SANGER" --rates 101 --slos 10 \
    --seeds 1 --policies "$3" --requests "$N" --threads 1
  maxq="-"
  if [ $stopped -eq 0 ]; then
    maxq=$(awk -F, 'NR == 1 {for (c = 1; c <= NF; c++) if ($c == "max_ready_tasks") m = c; next}
                    {print $m}' "$TMP/out")
    awk -v q="$maxq" 'BEGIN {exit !(q + 0 > 0)}' ||
      { echo "overload.sh: $3 max ready tasks '$maxq'" >&2; exit 1; }
  fi
  row "$1" "$3" "$maxq"
}
for policy in $POLICIES; do sweep_row sweep corrected "$policy"; done
for policy in ${REFERENCE//,/ }; do sweep_row "sweep, reference semantics" reference "$policy"; done
for policy in ${RUN//,/ }; do
  measure "$DYSTA" run -q --profiles "$SANGER" --rate 101 --policy "$policy" --requests "$N" \
    --out "$TMP/run"
  maxq="-"; note=""
  if [ $stopped -eq 0 ]; then
    read -r maxq note < <(python3 - "$TMP/run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
b = s["bound"]
print(s["metrics"]["max_ready_tasks"], "bound: min violations {} (feasible {}), {}/{} busy periods "
      "exact{}".format(b["min_violations"], b["min_violations_upper"], b["exact_busy_periods"],
                       b["busy_periods"],
                       ", search work limit reached" if b.get("search_work_limit_reached") else ""))
PY
)
  fi
  row run "$policy" "$maxq"
  [ -z "$note" ] || echo "  ($policy run: $note)"
  rm -rf "$TMP/run"
done
if [ $SMOKE -eq 1 ] && [ $failed -ne 0 ]; then echo "overload.sh: a smoke run was stopped" >&2; exit 1; fi
exit 0
