#!/usr/bin/env python3
"""Gap-to-bound table (docs/policies.md) from the tables of `dysta reproduce gap`
(<out>/gap/<scenario>.csv): per scenario, arrival rate and SLO multiplier, every policy's mean
violation rate over seeds without dropping and with each drop rule, its gap to the offline bound
in percentage points, its ANTT and the ratio to the ANTT bound (serving every request). Prints
Markdown.

With --drop: instead, per policy the violation rate and goodput (requests that met their SLO per
second) without dropping and with each drop rule, at the heaviest rate of each table only, for the
policies named by --policies (default: all).

usage: scripts/gap-table.py [--drop] [--policies a,b] dysta-out/reproduce/gap/paper-cnn.csv [...]
"""

import csv
import os
import sys
from collections import OrderedDict


def drop_table(paths, policies):
    print("| scenario | policy | violations % (none / estimated / oracle) "
          "| goodput req/s (none / estimated / oracle) | dropped % (estimated / oracle) |")
    print("|---|---|---|---|---|")
    for path in paths:
        rows = list(csv.DictReader(open(path, newline="")))
        scenario = os.path.splitext(os.path.basename(path))[0]
        rate = max(float(r["rate"]) for r in rows)
        acc = OrderedDict()
        for r in rows:
            if float(r["rate"]) != rate:
                continue
            base, _, drop = r["label"].partition(" +drop=")
            acc.setdefault(base, {}).setdefault(drop or "none", []).append(r)
        for name, runs in acc.items():
            if name == "bound" or (policies and name not in policies):
                continue

            def mean(drop, column, scale=1.0):
                v = runs.get(drop)
                if not v:
                    return "-"
                return f"{scale * sum(float(r[column]) for r in v) / len(v):.2f}"

            vio = " / ".join(mean(d, "slo_violation_rate", 100) for d in
                             ("none", "estimated", "oracle"))
            good = " / ".join(mean(d, "goodput_inf_per_s") for d in
                              ("none", "estimated", "oracle"))
            dropped = " / ".join(mean(d, "drop_rate", 100) for d in ("estimated", "oracle"))
            print(f"| {scenario} ({rate:g} req/s) | {name} | {vio} | {good} | {dropped} |")


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    if args[0] == "--drop":
        policies = []
        if len(args) > 2 and args[1] == "--policies":
            policies = args[2].split(",")
            args = args[2:]
        drop_table(args[1:], policies)
        return
    for path in args:
        rows = list(csv.DictReader(open(path, newline="")))
        scenario = os.path.splitext(os.path.basename(path))[0]
        acc = OrderedDict()
        for r in rows:
            base, _, drop = r["label"].partition(" +drop=")
            k = (float(r["rate"]), float(r["slo_multiplier"]))
            acc.setdefault(k, OrderedDict()).setdefault(base, {}).setdefault(
                drop or "none", []).append((float(r["slo_violation_rate"]), float(r["antt"])))
        for (rate, slo), policies in acc.items():
            seeds = len(policies["bound"]["none"])
            bv = 100 * sum(v for v, _ in policies["bound"]["none"]) / seeds
            ba = sum(a for _, a in policies["bound"]["none"]) / seeds
            print(f"\n{scenario}, {rate:g} req/s, SLO x{slo:g} (means over {seeds} seeds; bound: "
                  f"{bv:.2f} % violations, ANTT >= {ba:.3f})\n")
            print("| policy | violations % | gap (pp) | + drop estimated: violations % (gap) "
                  "| + drop oracle: violations % (gap) | ANTT | ANTT / bound |")
            print("|---|---|---|---|---|---|---|")
            for name, runs in policies.items():
                if name == "bound":
                    continue

                def mean(drop, i):
                    v = runs.get(drop)
                    return sum(x[i] for x in v) / len(v) if v else None

                v0 = 100 * mean("none", 0)
                cells = []
                for drop in ("estimated", "oracle"):
                    m = mean(drop, 0)
                    cells.append("-" if m is None else f"{100 * m:.2f} ({100 * m - bv:+.2f})")
                a0 = mean("none", 1)
                print(f"| {name} | {v0:.2f} | {v0 - bv:+.2f} | {cells[0]} | {cells[1]} "
                      f"| {a0:.3f} | {a0 / ba:.2f} |")


if __name__ == "__main__":
    main()
