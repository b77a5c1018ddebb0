#!/usr/bin/env bash
# Dysta vs baselines and the sparsity-awareness ablation (prema, dysta_naive, dysta, dysta_oracle)
# on the attention scenarios (docs/benchmark.md, "Trained transformers"): loads 30/50/70/90 % of
# the scenario's mean isolated latency, SLO x3, x5, x10, 5 seeds, 1000 requests per point.
# Also `dysta` and `sjf_sparse` with the `regression` predictor (OUT/<scenario>-regression.csv).
# Writes OUT/<scenario>.csv (dysta sweep --csv) and prints mean SLO violation rate and ANTT per
# (scenario, load, SLO, policy) as Markdown rows. Not part of CI (a few minutes on 2 cores).
# Usage: [DYSTA=build/dysta] [BENCH=data/benchmark] [SEEDS=1,2,3,4,5] [REQUESTS=1000] bash scripts/attention-ablation.sh [OUT] [scenario...]
set -euo pipefail
cd "$(dirname "$0")/.."
DYSTA=${DYSTA:-./build/dysta}
OUT=${1:-dysta-out/attention-ablation}
SEEDS=${SEEDS:-1,2,3,4,5}
BENCH=${BENCH:-data/benchmark}
REQUESTS=${REQUESTS:-1000}
shift || true
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -eq 0 ] && SCENARIOS=(paper-attnn datacentre)
mkdir -p "$OUT"
for s in "${SCENARIOS[@]}"; do
  cfg=$BENCH/scenarios/$s.yaml
  r50=$(awk '/utilisation_rates:/{f=1;next} f&&/0.5:/{print $2; exit}' "$cfg")
  rates=$(python3 -c "print(','.join(format(u/0.5*$r50, '.4g') for u in (0.3, 0.5, 0.7, 0.9)))")
  "$DYSTA" sweep -c "$cfg" --policies fcfs,sjf,prema,planaria,sdrm3,dysta_naive,dysta,dysta_oracle \
    --rates "$rates" --slos 3,5,10 --seeds "$SEEDS" --requests "$REQUESTS" --threads 2 --csv -q \
    > "$OUT/$s.csv"
  "$DYSTA" sweep -c "$cfg" --policies dysta,sjf_sparse --predictors regression \
    --rates "$rates" --slos 3,5,10 --seeds "$SEEDS" --requests "$REQUESTS" --threads 2 --csv -q \
    > "$OUT/$s-regression.csv"
done
python3 - "$OUT" "${SCENARIOS[@]}" <<'PY'
import csv, sys, collections
out, scen = sys.argv[1], sys.argv[2:]
pols = ["fcfs", "sjf", "prema", "planaria", "sdrm3", "dysta_naive", "dysta", "dysta_oracle",
        "dysta (regression)", "sjf_sparse (regression)"]
for s in scen:
    rows = list(csv.DictReader(open(f"{out}/{s}.csv")))
    for r in csv.DictReader(open(f"{out}/{s}-regression.csv")):
        r["policy"] += " (regression)"
        rows.append(r)
    rates = sorted({float(r["rate"]) for r in rows})
    acc = collections.defaultdict(list)
    for r in rows:
        acc[(float(r["rate"]), float(r["slo_multiplier"]), r["policy"])].append(
            (float(r["slo_violation_rate"]), float(r["antt"])))
    seeds = len({r["seed"] for r in rows})
    print(f"\n{s}: SLO violation rate (%) / ANTT, mean of {seeds} seeds\n")
    print("| load (req/s) | SLO | " + " | ".join(pols) + " |")
    print("|---|---|" + "---|" * len(pols))
    for i, rate in enumerate(rates):
        for slo in (3.0, 5.0, 10.0):
            cells = []
            for p in pols:
                v = acc[(rate, slo, p)]
                cells.append(f"{100*sum(a for a,_ in v)/len(v):.1f} / {sum(b for _,b in v)/len(v):.2f}")
            print(f"| {[30,50,70,90][i]}% ({rate:g}) | x{int(slo)} | " + " | ".join(cells) + " |")
PY
