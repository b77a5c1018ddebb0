#!/usr/bin/env bash
# Dysta vs baselines and the sparsity-awareness ablation (prema, dysta_naive, dysta, dysta_oracle)
# on the attention scenarios (docs/benchmark.md, "Trained transformers"): loads 30/50/70/90 % of
# the scenario's mean isolated latency, SLO x3, x5, x10, 5 seeds, 1000 requests per point.
# Writes OUT/<scenario>.csv (dysta sweep --csv) and prints mean SLO violation rate and ANTT per
# (scenario, load, SLO, policy). Not part of CI (about a minute on 2 cores).
# Usage: bash scripts/attention-ablation.sh [OUT] [scenario...]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-dysta-out/attention-ablation}
shift || true
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -eq 0 ] && SCENARIOS=(paper-attnn datacentre)
mkdir -p "$OUT"
for s in "${SCENARIOS[@]}"; do
  cfg=data/benchmark/scenarios/$s.yaml
  r50=$(awk '/utilisation_rates:/{f=1;next} f&&/0.5:/{print $2; exit}' "$cfg")
  rates=$(python3 -c "print(','.join(format(u/0.5*$r50, '.4g') for u in (0.3, 0.5, 0.7, 0.9)))")
  ./build/dysta sweep -c "$cfg" --policies fcfs,sjf,prema,planaria,sdrm3,dysta_naive,dysta,dysta_oracle \
    --rates "$rates" --slos 3,5,10 --seeds 1,2,3,4,5 --requests 1000 --threads 2 --csv -q \
    > "$OUT/$s.csv"
done
python3 - "$OUT" "${SCENARIOS[@]}" <<'PY'
import csv, sys, collections
out, scen = sys.argv[1], sys.argv[2:]
for s in scen:
    rows = list(csv.DictReader(open(f"{out}/{s}.csv")))
    rates = sorted({float(r["rate"]) for r in rows})
    acc = collections.defaultdict(list)
    for r in rows:
        acc[(float(r["rate"]), float(r["slo_multiplier"]), r["policy"])].append(
            (float(r["slo_violation_rate"]), float(r["antt"])))
    pols = ["fcfs", "sjf", "prema", "planaria", "sdrm3", "dysta_naive", "dysta", "dysta_oracle"]
    print(f"\n{s}: mean SLO violation rate % (ANTT) over 5 seeds")
    print("load  SLO  " + "  ".join(f"{p:>14}" for p in pols))
    for i, rate in enumerate(rates):
        for slo in (3.0, 5.0, 10.0):
            cells = []
            for p in pols:
                v = acc[(rate, slo, p)]
                cells.append(f"{100*sum(a for a,_ in v)/len(v):6.2f} ({sum(b for _,b in v)/len(v):5.2f})")
            print(f"{[30,50,70,90][i]:3}%  x{int(slo):<3} " + "  ".join(f"{c:>14}" for c in cells))
PY
