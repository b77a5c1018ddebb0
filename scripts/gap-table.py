#!/usr/bin/env python3
"""Gap-to-bound table (docs/policies.md) from the tables of `dysta reproduce gap`
(<out>/gap/<scenario>.csv): per scenario, arrival rate and SLO multiplier, every policy's mean
violation rate over seeds without dropping and with each drop rule, its gap to the offline bound
in percentage points, its ANTT and the ratio to the ANTT bound (serving every request). Prints
Markdown.

usage: scripts/gap-table.py dysta-out/reproduce/gap/paper-cnn.csv [more.csv ...]
"""

import csv
import os
import sys
from collections import OrderedDict


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
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
