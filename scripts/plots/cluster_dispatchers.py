#!/usr/bin/env python3
"""Cluster figure (issue 19): SLO violation rate, ANTT and p99 turnaround against load, one line
per dispatcher, from the dispatchers.csv table of scripts/cluster-dispatchers.sh or from the
results.csv of a cluster sweep (`dysta sweep` with a cluster: section; one line per combination
of the axes other than the rate, x = rate / --rate-at-1 or the rate itself)."""

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


def sweep_rows(rows, rate_at_1):
    """A cluster sweep's rows as dispatchers.csv rows: the label names the dispatcher and every
    other axis that varies (parameters, binding, device counts, CV, SLO, seed)."""
    metrics = {"rate", "requests", "violations", "slo_violation_rate", "dropped", "antt",
               "goodput_inf_s", "throughput_inf_s", "makespan_s", "p50_s", "p90_s", "p99_s",
               "utilisation", "load_imbalance", "key", "dispatcher"}
    axes = [c for c in rows[0] if c not in metrics and len({r[c] for r in rows}) > 1]
    out = []
    for r in rows:
        extra = [r[c] if c == "dispatcher_params" else f"{c}={r[c]}" for c in axes]
        extra = [e for e in extra if e]
        label = r["dispatcher"] + (f"({', '.join(extra)})" if extra else "")
        rate = float(r["rate"])
        out.append({"utilisation": rate / rate_at_1 if rate_at_1 else rate, "dispatcher": label,
                    "slo_violation_rate": r["slo_violation_rate"], "antt": r["antt"],
                    "p99_turnaround_s": r["p99_s"]})
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("table", help="dispatchers.csv from scripts/cluster-dispatchers.sh")
    p.add_argument("--out", help="output path without extension (default: beside the table)")
    p.add_argument("--formats", default="png,pdf", help="comma-separated image formats")
    p.add_argument("--rate-at-1", type=float,
                   help="cluster sweep tables: the total rate at 100%% load (x = load); "
                        "without it x is the rate")
    args = p.parse_args()
    try:
        with open(args.table, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        sys.exit(f"cluster_dispatchers.py: {args.table}: {e.strerror}")
    xlabel = "load (% of fleet capacity)"
    sweep = {"rate", "dispatcher", "dispatcher_params", "binding", "slo_violation_rate", "antt",
             "p99_s"}
    if rows and sweep <= set(rows[0]):
        rows = sweep_rows(rows, args.rate_at_1)
        if not args.rate_at_1:
            xlabel = "arrival rate (req/s)"
    need = {"utilisation", "dispatcher", "slo_violation_rate", "antt", "p99_turnaround_s"}
    if not rows or not need <= set(rows[0]):
        sys.exit(f"cluster_dispatchers.py: {args.table}: expected columns {sorted(need)} "
                 f"(or a cluster sweep's results.csv)")
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
            ax.plot([float(r["utilisation"]) * (100 if xlabel.startswith("load") else 1)
                     for r in points],
                    [float(r[key]) * scale for r in points], marker="o", label=name,
                    color=colors[(2 * i) % 20 + (i // 10) % 2],
                    linestyle="--" if "late" in name else "-")
        ax.set_xlabel(xlabel)
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
