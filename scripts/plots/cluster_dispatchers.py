#!/usr/bin/env python3
"""Cluster figure (issue 19): SLO violation rate, ANTT and p99 turnaround against load, one line
per dispatcher, from the dispatchers.csv table of scripts/cluster-dispatchers.sh."""

import argparse
import csv
import os
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: E402
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("dysta plots need matplotlib: apt-get install python3-matplotlib "
                     "(run with /usr/bin/python3)\n")
    sys.exit(3)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("table", help="dispatchers.csv from scripts/cluster-dispatchers.sh")
    p.add_argument("--out", help="output path without extension (default: beside the table)")
    p.add_argument("--formats", default="png,pdf", help="comma-separated image formats")
    args = p.parse_args()
    try:
        with open(args.table, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        sys.exit(f"cluster_dispatchers.py: {args.table}: {e.strerror}")
    need = {"utilisation", "dispatcher", "slo_violation_rate", "antt", "p99_turnaround_s"}
    if not rows or not need <= set(rows[0]):
        sys.exit(f"cluster_dispatchers.py: {args.table}: expected columns {sorted(need)}")
    lines = {}
    for r in rows:
        lines.setdefault(r["dispatcher"], []).append(r)
    panels = [("slo_violation_rate", "SLO violation rate (%)", 100.0),
              ("antt", "ANTT", 1.0),
              ("p99_turnaround_s", "p99 turnaround (ms)", 1000.0)]
    fig, axes = plt.subplots(1, len(panels), figsize=(13, 3.8))
    colors = plt.get_cmap("tab20").colors
    for ax, (key, label, scale) in zip(axes, panels):
        for i, (name, points) in enumerate(lines.items()):
            points = sorted(points, key=lambda r: float(r["utilisation"]))
            ax.plot([float(r["utilisation"]) * 100 for r in points],
                    [float(r[key]) * scale for r in points], marker="o", label=name,
                    color=colors[(2 * i) % 20 + (i // 10) % 2],
                    linestyle="--" if "late" in name else "-")
        ax.set_xlabel("load (% of fleet capacity)")
        ax.set_ylabel(label)
        if key == "slo_violation_rate":  # zero violations stay visible: linear below 0.01 %
            ax.set_yscale("symlog", linthresh=0.01)
        else:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    out = args.out or os.path.join(os.path.dirname(args.table) or ".", "dispatchers")
    for fmt in args.formats.split(","):
        fig.savefig(f"{out}.{fmt}", dpi=150)
        print(f"wrote {out}.{fmt}")


if __name__ == "__main__":
    main()
