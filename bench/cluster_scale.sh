#!/usr/bin/env bash
# Scale of `dysta cluster` (issue 19): 1,000 Sanger devices running dysta on the benchmark's real
# attention models at 70% load, 10 million requests, streaming metrics. Per dispatcher: wall
# time, requests/s and peak memory (/usr/bin/time), each on 1 and on 2 threads (oblivious
# round_robin: devices simulated in parallel; the others: metrics fed on a second thread); the
# script fails unless every dispatcher's summary is identical on 1 and 2 threads. Prints the date,
# the machine and the load average first.
# Usage: bash bench/cluster_scale.sh [build-dir] [--smoke]
# --smoke: 20 devices and 20,000 requests; fails unless every run reports a positive rate (CTest
# runs it as bench.cluster_scale_smoke). Timings are never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build; SMOKE=0
for arg in "$@"; do
  case "$arg" in
    --smoke) SMOKE=1 ;;
    *) BUILD=$arg ;;
  esac
done
DEVICES=1000; REQUESTS=10000000
if [ $SMOKE -eq 1 ]; then DEVICES=20; REQUESTS=20000; fi
DYSTA="$BUILD/dysta"
[ -x "$DYSTA" ] || { echo "build first: bash scripts/setup.sh" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# 70% load: mean isolated latency of the three real attention models on Sanger is 0.7367983 ms
# (data/benchmark/profiles/sanger), so each device serves 1 / 0.0007367983 req/s at 100%.
RATE=$(awk -v d=$DEVICES 'BEGIN {printf "%.1f", 0.7 * d / 0.0007367983}')
cat > "$TMP/scale.yaml" <<YAML
profiles: $PWD/data/benchmark/profiles/sanger
policy: dysta
workload:
  rate: $RATE
  requests: $REQUESTS
  mix: {bert-small-trained: 1, gpt2-small-trained: 1, ppocrv4: 1}
cluster:
  devices: $DEVICES
YAML
positive() { awk -v v="$2" 'BEGIN {exit !(v + 0 > 0)}' || { echo "cluster_scale.sh: $1 is '$2', expected > 0" >&2; exit 1; }; }
metric() { python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['metrics']; print(m[sys.argv[2]])" "$1" "$2"; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cluster scale: $DEVICES Sanger devices (dysta), $REQUESTS requests at $RATE req/s (70% load), --stream"
printf "%-16s %7s %10s %12s %10s %9s %9s\n" dispatcher threads wall_s requests/s peak_MiB violations utilis.
SPECS="power_of_two:1 power_of_two:2 jsq:1 jsq:2 least_work:1 least_work:2 earliest_finish:1 earliest_finish:2 round_robin:1 round_robin:2"
for spec in $SPECS; do
  d=${spec%%:*}; t=${spec##*:}
  out="$TMP/$d-$t"
  /usr/bin/time -f "%e %M" -o "$TMP/time" \
    "$DYSTA" cluster --stream -q -c "$TMP/scale.yaml" --dispatcher "$d" --threads "$t" -o "$out"
  read -r wall kb < "$TMP/time"
  n=$(metric "$out/summary.json" requests)
  [ "$n" = "$REQUESTS" ] || { echo "cluster_scale.sh: $d served $n of $REQUESTS" >&2; exit 1; }
  rate=$(awk -v n="$n" -v w="$wall" 'BEGIN {printf "%.0f", n / (w > 0 ? w : 0.01)}')
  positive "$d requests/s" "$rate"
  printf "%-16s %7s %10s %12s %10.0f %9.5f %9.4f\n" "$d" "$t" "$wall" "$rate" "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" \
    "$(metric "$out/summary.json" slo_violation_rate)" "$(metric "$out/summary.json" utilisation)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Thread-count invariance at scale: the same summary on 1 and 2 threads.
for d in power_of_two jsq least_work earliest_finish round_robin; do
  cmp -s "$TMP/$d-1/summary.json" "$TMP/$d-2/summary.json" ||
    { echo "cluster_scale.sh: $d differs between 1 and 2 threads" >&2; exit 1; }
done
echo "every dispatcher: identical summary.json on 1 and 2 threads"
