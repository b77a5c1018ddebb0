#!/usr/bin/env python3
"""Effect of sparsity awareness (paper Fig. 13): violation rate and ANTT of PREMA, Dysta without
sparsity awareness and Dysta, as bars (mean over seeds; whiskers: lowest and highest seed)."""

import dysta_plots as dp
from dysta_plots import plt


def main():
    args = dp.arguments(__doc__)
    rows = dp.read_table(args.table)
    labels = dp.ordered_labels(rows)
    st = dp.styles(labels)
    metrics = [("slo_violation_rate", dp.VIOLATION_LABEL, 100.0), ("antt", dp.ANTT_LABEL, 1.0)]
    means = {m: dp.seed_means(rows, m) for m, _, _ in metrics}
    panels = list(dict.fromkeys((k[0], k[2], k[3]) for k in means["antt"]))
    fig, axes = plt.subplots(len(panels), len(metrics), figsize=(4.8 * len(metrics),
                             3.4 * len(panels) + 0.6), squeeze=False)
    for row, (group, rate, slo) in enumerate(panels):
        for col, (metric, ylabel, scale) in enumerate(metrics):
            ax = axes[row][col]
            present = [lab for lab in labels if (group, lab, rate, slo) in means[metric]]
            for i, label in enumerate(present):
                mean, lo, hi, _ = means[metric][(group, label, rate, slo)]
                ax.bar(i, mean * scale, color=st[label]["color"], edgecolor="black",
                       linewidth=0.5, width=0.65,
                       yerr=[[(mean - lo) * scale], [(hi - mean) * scale]], capsize=4)
                ax.annotate(f"{mean * scale:.3g}", (i, mean * scale), textcoords="offset points",
                            xytext=(8, 3), ha="left", fontsize=8)
            if metric == "slo_violation_rate":  # bars from 0, at least 1 % high
                top = max([means[metric][(group, lab, rate, slo)][2] * scale for lab in present]
                          + [1.0])
                ax.set_ylim(0, 1.12 * top)
            ax.set_xticks(range(len(present)))
            ax.set_xticklabels([dp.display(lab) for lab in present], rotation=15, ha="right")
            ax.set_ylabel(ylabel)
            name = f"{dp.fmt_num(rate)} req/s, SLO \u00d7{dp.fmt_num(slo)}"
            ax.set_title(f"{group}, {name}" if group else name, fontsize=10)
            ax.grid(True, axis="y", alpha=0.3)
            ax.set_axisbelow(True)
    dp.title(fig, args, rows, "whiskers: lowest and highest seed")
    fig.tight_layout()
    for path in dp.save(fig, args):
        print(path)


if __name__ == "__main__":
    main()
