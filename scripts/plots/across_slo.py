#!/usr/bin/env python3
"""Violation rate and ANTT across SLO multipliers (paper Table 5 / Fig. 14): one row of panels
per arrival rate, one line per policy (mean over seeds)."""

import dysta_plots as dp
from dysta_plots import plt


def main():
    args = dp.arguments(__doc__)
    rows = dp.read_table(args.table)
    labels = dp.ordered_labels(rows)
    st = dp.styles(labels)
    metrics = [("slo_violation_rate", dp.VIOLATION_LABEL, 100.0), ("antt", dp.ANTT_LABEL, 1.0)]
    means = {m: dp.seed_means(rows, m) for m, _, _ in metrics}
    panels = list(dict.fromkeys((k[0], k[2]) for k in means["antt"]))
    slos = dp.values(rows, "slo_multiplier")
    fig, axes = plt.subplots(len(panels), len(metrics), figsize=(5.2 * len(metrics),
                             3.6 * len(panels) + 0.9), squeeze=False)
    handles = {}
    for row, (group, rate) in enumerate(panels):
        for col, (metric, ylabel, scale) in enumerate(metrics):
            ax = axes[row][col]
            for label in labels:
                pts = [(s, means[metric][(group, label, rate, s)][0] * scale) for s in slos
                       if (group, label, rate, s) in means[metric]]
                if not pts:
                    continue
                (h,) = ax.plot([p[0] for p in pts], [p[1] for p in pts], color=st[label]["color"],
                               marker=st[label]["marker"], markersize=5,
                               linewidth=2.2 if label == "dysta" else 1.3)
                handles[label] = h
            if metric == "slo_violation_rate":
                dp.percent_axis(ax, [y for line in ax.get_lines() for y in line.get_ydata()])
            ax.set_xlabel(dp.SLO_LABEL)
            ax.set_ylabel(ylabel)
            name = f"{dp.fmt_num(rate)} req/s"
            ax.set_title(f"{group}, {name}" if group else name, fontsize=10)
            ax.grid(True, alpha=0.3)
            if metric == "antt":
                dp.log_axis(ax)
    dp.title(fig, args, rows)
    order = [lab for lab in labels if lab in handles]
    dp.legend_below(fig, [handles[lab] for lab in order], [dp.display(lab) for lab in order])
    fig.tight_layout(rect=(0, 0.06 + 0.03 * ((len(order) - 1) // 4), 1, 1))
    for path in dp.save(fig, args):
        print(path)


if __name__ == "__main__":
    main()
