"""Shared helpers of dysta's figure scripts: reading merged tables, per-seed means, styling.

Tables are the CSV files written by `dysta sweep --out`, `dysta merge` and `dysta reproduce`
(docs/workflow.md). Only the Python standard library and Debian's python3-matplotlib are used.
"""

import argparse
import csv
import math
import os
import sys
from collections import OrderedDict

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: E402
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write(
        "dysta plots need matplotlib: apt-get install python3-matplotlib "
        "(run with /usr/bin/python3)\n")
    sys.exit(3)

# The paper's baselines first, then the Dysta family; unknown labels follow in table order.
POLICY_ORDER = ["fcfs", "sjf", "sjf_sparse", "prema", "prema_sparse", "planaria", "sdrm3",
                "sdrm3_sparse", "edf", "llf", "llf_sparse", "dysta_naive", "dysta",
                "dysta_seconds", "dysta_oracle", "dysta_hw", "bound"]
DISPLAY = {"fcfs": "FCFS", "sjf": "SJF", "sjf_sparse": "SJF (sparse)", "prema": "PREMA",
           "prema_sparse": "PREMA (sparse)", "planaria": "Planaria", "sdrm3": "SDRM3",
           "sdrm3_sparse": "SDRM3 (sparse)", "edf": "EDF", "llf": "LLF",
           "llf_sparse": "LLF (sparse)", "dysta_naive": "Dysta w/o sparsity",
           "dysta": "Dysta", "dysta_seconds": "Dysta (penalty in s)",
           "dysta_oracle": "Dysta-Oracle", "dysta_hw": "Dysta (HW model)",
           "bound": "offline bound"}
COLORS = {"fcfs": "#7f7f7f", "sjf": "#1f77b4", "sjf_sparse": "#aec7e8", "prema": "#ff7f0e",
          "prema_sparse": "#ffbb78", "planaria": "#2ca02c", "sdrm3": "#9467bd",
          "sdrm3_sparse": "#c5b0d5", "edf": "#bcbd22", "llf": "#393b79", "llf_sparse": "#9c9ede",
          "dysta_naive": "#e377c2", "dysta": "#d62728", "dysta_seconds": "#ff9896",
          "dysta_oracle": "#8c564b", "dysta_hw": "#17becf", "bound": "#000000"}
MARKERS = {"fcfs": "o", "sjf": "s", "sjf_sparse": "s", "prema": "^", "prema_sparse": "^",
           "planaria": "D", "sdrm3": "v", "sdrm3_sparse": "v", "edf": "<", "llf": ">",
           "llf_sparse": ">", "dysta_naive": "P", "dysta": "*", "dysta_seconds": "*",
           "dysta_oracle": "X", "dysta_hw": "h", "bound": "*"}
FALLBACK_COLORS = ["#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39"]

NUMERIC = {"seed", "rate", "slo_multiplier", "requests", "slo_violation_rate", "violations", "antt",
           "throughput_inf_per_s", "stp_multiprogram", "turnaround_p50_s", "turnaround_p90_s",
           "turnaround_p99_s", "normalized_turnaround_p50", "normalized_turnaround_p90",
           "normalized_turnaround_p99", "jain_fairness", "max_ready_tasks", "decisions",
           "layers_executed", "makespan_s", "idle_s", "layers_observed", "samples",
           "mean_error_s", "rmse_s", "mean_abs_relative_error", "goodput_inf_per_s", "dropped",
           "drop_rate"}


def arguments(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("table", help="merged table (CSV) from dysta sweep/merge/reproduce")
    p.add_argument("--out", help="output path without extension (default: beside the table)")
    p.add_argument("--title", default="", help="figure title")
    p.add_argument("--formats", default="png,svg", help="comma-separated: png, svg, pdf")
    args = p.parse_args()
    if not args.out:
        args.out = os.path.splitext(args.table)[0]
    return args


def read_table(path):
    """Rows as dicts; numeric columns converted to float."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.stderr.write(f"{path}: the table has no rows\n")
        sys.exit(2)
    for r in rows:
        for k in list(r):
            if k in NUMERIC and r[k] not in ("", None):
                r[k] = float(r[k])
    return rows


def base_policy(label):
    return label.split(" ")[0]


def display(label):
    """'dysta beta=0.02' -> 'Dysta beta=0.02'."""
    head, _, rest = label.partition(" ")
    return DISPLAY.get(head, head) + (" " + rest if rest else "")


def styles(labels):
    """{label: {"color", "marker"}}: a bare policy keeps its colour in every figure; labels with
    parameters or predictors get distinct fallback colours."""
    out, extra = {}, 0
    for label in labels:
        p = base_policy(label)
        if label == p and p in COLORS:
            color = COLORS[p]
        else:
            color = FALLBACK_COLORS[extra % len(FALLBACK_COLORS)]
            extra += 1
        out[label] = {"color": color, "marker": MARKERS.get(p, "o")}
    return out


def ordered_labels(rows):
    labels = list(OrderedDict.fromkeys(r["label"] for r in rows))

    def key(label):
        p = base_policy(label)
        rank = POLICY_ORDER.index(p) if p in POLICY_ORDER else len(POLICY_ORDER)
        return (rank, labels.index(label))
    return sorted(labels, key=key)


def seed_means(rows, metric):
    """{(group, label, rate, slo): (mean, min, max, n)} over seeds."""
    acc = OrderedDict()
    for r in rows:
        k = (r.get("group", ""), r["label"], r["rate"], r["slo_multiplier"])
        acc.setdefault(k, []).append(r[metric])
    out = OrderedDict()
    for k, v in acc.items():
        v = [x for x in v if not (isinstance(x, float) and math.isnan(x))]
        out[k] = (sum(v) / len(v), min(v), max(v), len(v)) if v else (math.nan,) * 3 + (0,)
    return out


def groups(rows):
    return list(OrderedDict.fromkeys(r.get("group", "") for r in rows))


def values(rows, column):
    return sorted(set(r[column] for r in rows))


def fmt_num(x):
    return f"{x:g}"


def seeds_note(rows):
    n = len(set(r["seed"] for r in rows))
    req = sorted(set(int(r["requests"]) for r in rows))
    return f"mean over {n} seed{'s' if n != 1 else ''}, {'/'.join(map(str, req))} requests per run"


def save(fig, args):
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    written = []
    for ext in [e.strip() for e in args.formats.split(",") if e.strip()]:
        path = f"{args.out}.{ext}"
        metadata = {"Date": None} if ext == "svg" else None  # reproducible SVG
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata=metadata)
        written.append(path)
    plt.close(fig)
    return written


VIOLATION_LABEL = "SLO violation rate (%)"
ANTT_LABEL = "ANTT (\u00d7 isolated latency)"
THROUGHPUT_LABEL = "throughput (inferences/s)"
RATE_LABEL = "arrival rate (requests/s)"
SLO_LABEL = "SLO multiplier (\u00d7 mean isolated latency)"


def legend_below(fig, handles, labels, ncol=None):
    fig.legend(handles, labels, loc="lower center", ncol=ncol or min(len(labels), 4),
               frameon=False, bbox_to_anchor=(0.5, -0.02))


def title(fig, args, rows, extra=""):
    text = args.title or "dysta"
    note = seeds_note(rows) if "seed" in rows[0] else ""
    sub = "; ".join(x for x in (extra, note) if x)
    fig.suptitle(text + (f"\n{sub}" if sub else ""), fontsize=11)


def percent_axis(ax, values):
    """Violation-rate axis from just below 0 to at least 1 %, so all-zero panels stay readable."""
    top = max([v for v in values if v == v] + [1.0])
    ax.set_ylim(-0.04 * top, 1.08 * top)


def log_axis(ax):
    """Log scale with plain tick labels (2, 5, 10, 20 rather than 2x10^0)."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_minor_locator(LogLocator(base=10, subs=(1.5, 3.0, 4.0, 7.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda y, _: ""))


def metric_lines(args, metrics, sweep, panel_width):
    """Draws one row of panels per fixed value of the other axis and one column per metric, with
    one line per policy (mean over seeds) against `sweep` ("rate" or "slo_multiplier")."""
    rows = read_table(args.table)
    labels = ordered_labels(rows)
    st = styles(labels)
    means = {m: seed_means(rows, m) for m, _, _ in metrics}
    # seed_means keys are (group, label, rate, slo_multiplier).
    by_rate = sweep == "rate"
    panels = list(dict.fromkeys((k[0], k[3] if by_rate else k[2]) for k in means["antt"]))
    xs = values(rows, sweep)
    fig, axes = plt.subplots(len(panels), len(metrics), figsize=(panel_width * len(metrics),
                             3.6 * len(panels) + 0.9), squeeze=False)
    handles = {}
    for row, (group, fixed) in enumerate(panels):
        for col, (metric, ylabel, scale) in enumerate(metrics):
            ax = axes[row][col]
            for label in labels:
                keys = [(x, (group, label, x, fixed) if by_rate else (group, label, fixed, x))
                        for x in xs]
                pts = [(x, means[metric][k][0] * scale) for x, k in keys if k in means[metric]]
                if not pts:
                    continue
                (h,) = ax.plot([p[0] for p in pts], [p[1] for p in pts], color=st[label]["color"],
                               marker=st[label]["marker"], markersize=5,
                               linewidth=2.2 if label == "dysta" else 1.3)
                handles[label] = h
            if metric == "slo_violation_rate":
                percent_axis(ax, [y for line in ax.get_lines() for y in line.get_ydata()])
            ax.set_xlabel(RATE_LABEL if by_rate else SLO_LABEL)
            ax.set_ylabel(ylabel)
            name = f"SLO \u00d7{fmt_num(fixed)}" if by_rate else f"{fmt_num(fixed)} req/s"
            ax.set_title(f"{group}, {name}" if group else name, fontsize=10)
            ax.grid(True, alpha=0.3)
            if metric == "antt":
                log_axis(ax)
    title(fig, args, rows)
    order = [lab for lab in labels if lab in handles]
    legend_below(fig, [handles[lab] for lab in order], [display(lab) for lab in order])
    fig.tight_layout(rect=(0, 0.06 + 0.03 * ((len(order) - 1) // 4), 1, 1))
    for path in save(fig, args):
        print(path)
