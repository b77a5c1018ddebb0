#!/usr/bin/env python3
"""Latency predictor accuracy vs layers observed (paper Fig. 9 / Table 4): per model, the RMSE
and the mean absolute relative error of the remaining-latency estimate after k executed layers
(k = 0 is the static pattern-average estimate), one line per predictor."""

from collections import OrderedDict

import dysta_plots as dp
from dysta_plots import plt

PREDICTOR_COLORS = {"average": "#d62728", "last_one": "#1f77b4", "last_n": "#2ca02c",
                    "regression": "#9467bd"}


def main():
    args = dp.arguments(__doc__)
    rows = dp.read_table(args.table)
    models = list(OrderedDict.fromkeys(r["model"] for r in rows))
    predictors = list(OrderedDict.fromkeys(r["predictor"] for r in rows))
    cols = len(models)
    fig, axes = plt.subplots(2, cols, figsize=(4.4 * cols, 6.6), squeeze=False)
    handles = {}
    for c, model in enumerate(models):
        for i, pred in enumerate(predictors):
            pts = sorted((r["layers_observed"], r["rmse_s"], r["mean_abs_relative_error"])
                         for r in rows if r["model"] == model and r["predictor"] == pred)
            color = PREDICTOR_COLORS.get(pred.split(" ")[0], dp.FALLBACK_COLORS[i % 6])
            ks = [p[0] for p in pts]
            # The default predictor (average) is drawn on top: last_n coincides with it while
            # k <= n.
            z = 3 if pred == "average" else 2
            (h,) = axes[0][c].plot(ks, [p[1] * 1e3 for p in pts], color=color, marker="o",
                                   markersize=3, zorder=z)
            axes[1][c].plot(ks, [p[2] * 100 for p in pts], color=color, marker="o", markersize=3,
                            zorder=z)
            handles[pred] = h
        samples = int(next(r["samples"] for r in rows if r["model"] == model))
        axes[0][c].set_title(f"{model}\n({samples} samples)", fontsize=9)
        axes[0][c].set_ylabel("RMSE of remaining latency (ms)")
        axes[1][c].set_ylabel("mean |relative error| (%)")
        for r in range(2):
            axes[r][c].set_xlabel("layers observed")
            axes[r][c].grid(True, alpha=0.3)
            axes[r][c].set_ylim(bottom=0)
    fig.suptitle((args.title or "predictor accuracy") + "\nestimate after k layers vs true "
                 "remaining latency, every profiled sample (k = 0: static average)",
                 fontsize=11)
    dp.legend_below(fig, [handles[p] for p in predictors], predictors, ncol=len(predictors))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    for path in dp.save(fig, args):
        print(path)


if __name__ == "__main__":
    main()
