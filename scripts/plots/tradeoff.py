#!/usr/bin/env python3
"""Violation rate vs ANTT trade-off per policy (paper Fig. 12): one panel per arrival rate and
SLO multiplier; each point is a policy's mean over seeds (lower-left is better)."""

import dysta_plots as dp
from dysta_plots import plt


def main():
    args = dp.arguments(__doc__)
    rows = dp.read_table(args.table)
    labels = dp.ordered_labels(rows)
    st = dp.styles(labels)
    vio = dp.seed_means(rows, "slo_violation_rate")
    antt = dp.seed_means(rows, "antt")
    panels = list(dict.fromkeys((k[0], k[2], k[3]) for k in vio))
    cols = min(len(panels), 3)
    nrows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(4.6 * cols, 4.0 * nrows + 0.8), squeeze=False)
    handles = {}
    for ax, (group, rate, slo) in zip(axes.flat, panels):
        for label in labels:
            k = (group, label, rate, slo)
            if k not in vio:
                continue
            h = ax.scatter(antt[k][0], 100 * vio[k][0], s=90 if label == "dysta" else 55,
                           color=st[label]["color"], marker=st[label]["marker"],
                           edgecolors="black", linewidths=0.5, zorder=3)
            handles[label] = h
        dp.percent_axis(ax, [100 * vio[(group, lab, rate, slo)][0] for lab in labels
                             if (group, lab, rate, slo) in vio])
        ax.set_xlabel(dp.ANTT_LABEL)
        ax.set_ylabel(dp.VIOLATION_LABEL)
        name = f"{dp.fmt_num(rate)} req/s, SLO \u00d7{dp.fmt_num(slo)}"
        ax.set_title(f"{group}\n{name}" if group else name, fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.margins(x=0.12)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    dp.title(fig, args, rows, "lower-left is better")
    order = [lab for lab in labels if lab in handles]
    dp.legend_below(fig, [handles[lab] for lab in order], [dp.display(lab) for lab in order],
                    ncol=min(len(order), 6))
    fig.tight_layout(rect=(0, 0.07 + 0.02 * (len(order) > 6), 1, 1))
    for path in dp.save(fig, args):
        print(path)


if __name__ == "__main__":
    main()
