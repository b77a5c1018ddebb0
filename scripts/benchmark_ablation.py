#!/usr/bin/env python3
"""Mean over seeds of a sweep's results.csv as Markdown: violation rate (%) / ANTT per policy,
one table per SLO multiplier. Usage: benchmark_ablation.py RESULTS_CSV TITLE."""
import collections
import csv
import sys


def main(path, title):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    acc = collections.defaultdict(list)
    policies, rates, slos = [], [], []
    for r in rows:
        key = (r["policy"], float(r["rate"]), float(r["slo_multiplier"]))
        acc[key].append((float(r["slo_violation_rate"]), float(r["antt"])))
        for lst, v in ((policies, r["policy"]), (rates, float(r["rate"])),
                       (slos, float(r["slo_multiplier"]))):
            if v not in lst:
                lst.append(v)
    for slo in sorted(slos):
        print(f"\n**{title}**, SLO x{slo:g}, violation rate (%) / ANTT, mean of "
              f"{len(acc[(policies[0], rates[0], slo)])} seeds:\n")
        print("| rate (req/s) | " + " | ".join(policies) + " |")
        print("|---" * (len(policies) + 1) + "|")
        for rate in sorted(rates):
            cells = []
            for p in policies:
                v = acc[(p, rate, slo)]
                cells.append(f"{100 * sum(x for x, _ in v) / len(v):.1f} / "
                             f"{sum(y for _, y in v) / len(v):.3f}")
            print(f"| {rate:g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
