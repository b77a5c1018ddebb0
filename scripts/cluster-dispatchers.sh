#!/usr/bin/env bash
# Compares the dispatchers of `dysta cluster` on a cluster scenario across loads (issue 19):
# one run per (utilisation, dispatcher), a CSV of the totals, a Markdown table on stdout and, when
# /usr/bin/python3 has matplotlib, the figure scripts/plots/cluster_dispatchers.py draws.
#   scripts/cluster-dispatchers.sh [DYSTA] [CONFIG] [OUT] [REQUESTS]
# Defaults: build/dysta, data/benchmark/scenarios/datacentre-fleet.yaml,
# dysta-out/cluster-dispatchers, the config's request count. UTILISATIONS, RATE_AT_1 (the
# total rate at utilisation 1; default: from the scenario block's utilisation_rates) and
# DISPATCHERS (entries name or name:param=value, space-separated) may be set in the environment.
set -euo pipefail
DYSTA=${1:-build/dysta}
CONFIG=${2:-data/benchmark/scenarios/datacentre-fleet.yaml}
OUT=${3:-dysta-out/cluster-dispatchers}
REQUESTS=${4:-}
UTILISATIONS=${UTILISATIONS:-"0.5 0.7 0.9"}
if [[ -z ${RATE_AT_1:-} ]]; then
  # The first "u: rate" line under the scenario's utilisation_rates.
  RATE_AT_1=$(awk '/^  utilisation_rates:/ {f = 1; next} f && /^    [0-9.]+: / {
      sub(":", "", $1); printf "%.10g\n", $2 / $1; exit } f && !/^    / {exit}' "$CONFIG")
  [[ -n $RATE_AT_1 ]] || { echo "cluster-dispatchers.sh: $CONFIG has no scenario.utilisation_rates; set RATE_AT_1" >&2; exit 2; }
fi
read -r -a DISPATCHERS <<< "${DISPATCHERS:-round_robin random power_of_two model_affinity \
model_affinity:replicas=8 jsq least_work earliest_finish earliest_finish:slo_fit=1 \
jsq:binding=late least_work:binding=late}"
mkdir -p "$OUT"
csv="$OUT/dispatchers.csv"
echo "utilisation,rate,dispatcher,requests,slo_violation_rate,antt,goodput_inf_s,p99_turnaround_s,mean_device_utilisation,load_imbalance,seconds" > "$csv"
for u in $UTILISATIONS; do
  rate=$(python3 -c "print(round($u * $RATE_AT_1, 1))")
  for d in "${DISPATCHERS[@]}"; do
    name=${d%%:*}
    extra=()
    label=$name
    if [[ $d == *:* ]]; then
      param=${d#*:}
      label="$name($param)"
      if [[ $param == binding=* ]]; then
        extra=(--set "cluster.$param")
      else
        extra=(--set "cluster.dispatcher_params.$param")
      fi
    fi
    [[ -n $REQUESTS ]] && extra+=(--requests "$REQUESTS")
    dir="$OUT/u$u-$label"
    start=$(date +%s.%N)
    "$DYSTA" cluster -q -c "$CONFIG" --dispatcher "$name" --rate "$rate" "${extra[@]}" -o "$dir"
    end=$(date +%s.%N)
    python3 - "$dir/summary.json" "$u" "$rate" "$label" "$start" "$end" >> "$csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["metrics"]
print(",".join([sys.argv[2], sys.argv[3], sys.argv[4], str(s["requests"]),
                f'{s["slo_violation_rate"]:.5f}', f'{s["antt"]:.4f}', f'{s["goodput_inf_s"]:.1f}',
                f'{s["turnaround_s"]["p99"]:.6f}', f'{s["utilisation"]:.4f}',
                f'{s["load_imbalance"]:.4f}', f'{float(sys.argv[6]) - float(sys.argv[5]):.2f}']))
PY
  done
done
python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("| load | dispatcher | SLO violations | ANTT | goodput (req/s) | p99 turnaround (ms) | mean utilisation | imbalance (CV) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f'| {r["utilisation"]} | {r["dispatcher"]} | {float(r["slo_violation_rate"]):.4f} | {r["antt"]} | '
          f'{r["goodput_inf_s"]} | {float(r["p99_turnaround_s"]) * 1e3:.3f} | {r["mean_device_utilisation"]} | '
          f'{r["load_imbalance"]} |')
PY
if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  /usr/bin/python3 "$(dirname "$0")/plots/cluster_dispatchers.py" "$csv" --formats png >&2
fi
