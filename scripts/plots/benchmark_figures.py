#!/usr/bin/env python3
"""Figures of a profile-set characterisation (the folder written by `dysta characterise`):

  latency_distribution  isolated latency per input sample, one box per variant (log axis, ms)
  sparsity_ranges       per-layer input sparsity: min-max band and mean over samples
  correlation           cross-layer Pearson correlation of per-sample sparsity (heatmaps)
  predictor_rmse        relative RMSE of each predictor's remaining-latency estimate vs layers
                        observed k, one panel per model variant (rows: architectures)

Each is written as OUT/<name>.<format> for every format of --formats. The sparsity and
correlation figures show the --variants given, else up to --max-panels variants: one per
architecture first, then the others in table order. The latency and predictor figures show all
variants, or the --variants given.
"""

import argparse
import csv
import math
import os
import sys
from collections import OrderedDict

import dysta_plots as dp
from dysta_plots import plt
from predictor_accuracy import PREDICTOR_COLORS

FILES = ("variants.csv", "samples.csv", "layers.csv", "correlation.csv", "predictors.csv")
TEXT_COLUMNS = {"variant", "model", "architecture", "pattern", "predictor", "best_predictor"}
PREDICTOR_NAMES = {"average": "average ratio", "last_one": "last-one", "last_n n=3": "last-N (N=3)",
                   "regression": "regression"}


def arguments():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", help="output folder of `dysta characterise`")
    p.add_argument("--out", help="folder for the figures (default: the characterise folder)")
    p.add_argument("--title", default="", help="title prefix (default: the folder's name)")
    p.add_argument("--formats", default="png,svg", help="comma-separated: png, svg, pdf")
    p.add_argument("--variants", default="", help="comma-separated variant names to show")
    p.add_argument("--max-panels", type=int, default=6,
                   help="variants in the sparsity and correlation figures without --variants")
    args = p.parse_args()
    args.out = args.out or args.folder
    if not args.title:
        args.title = os.path.basename(os.path.normpath(os.path.abspath(args.folder)))
    return args


def read(folder, name):
    """Rows of one table as dicts; every column but the text ones converted to float."""
    path = os.path.join(folder, name)
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        sys.stderr.write(f"{path}: {e.strerror} (expected the output folder of "
                         "`dysta characterise`)\n")
        sys.exit(2)
    for r in rows:
        for k, v in r.items():
            if k not in TEXT_COLUMNS:
                r[k] = float(v)
    return rows


def pick_variants(args, variants):
    """(all shown variants, the few for the per-layer figures) in table order."""
    names = [v["variant"] for v in variants]
    if args.variants:
        wanted = [w for w in args.variants.split(",") if w]
        unknown = [w for w in wanted if w not in names]
        if unknown:
            sys.stderr.write(f"--variants: unknown variant(s) {', '.join(unknown)} "
                             f"(valid: {', '.join(names)})\n")
            sys.exit(2)
        chosen = [n for n in names if n in wanted]
        return chosen, chosen
    first, rest, seen = [], [], set()
    for v in variants:
        (rest if v["architecture"] in seen else first).append(v["variant"])
        seen.add(v["architecture"])
    few = set((first + rest)[:args.max_panels])
    return names, [n for n in names if n in few]


def arch_colors(variants):
    archs = list(OrderedDict.fromkeys(v["architecture"] for v in variants))
    palette = plt.get_cmap("tab10").colors
    return {a: palette[i % len(palette)] for i, a in enumerate(archs)}


def save(fig, args, name):
    for path in dp.save(fig, argparse.Namespace(out=os.path.join(args.out, name),
                                                formats=args.formats)):
        print(path)


def log_x_axis(ax, lo, hi):
    """Log-scale x axis in ms with plain tick labels; more labelled ticks when the data span
    less than a decade, so narrow ranges still get several labels."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log")
    narrow = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0)
    subs = (1.0, 2.0, 5.0) if hi / lo > 8 else narrow
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(lo / 1.08, hi * 1.08)


def latency_figure(args, variants, samples, shown):
    colors = arch_colors(variants)
    by_variant = OrderedDict((n, []) for n in shown)
    for s in samples:
        if s["variant"] in by_variant:
            by_variant[s["variant"]].append(s["latency_s"] * 1e3)
    info = {v["variant"]: v for v in variants}
    names = list(reversed(shown))  # first variant at the top
    data = [by_variant[n] for n in names]
    fig, ax = plt.subplots(figsize=(8.5, 1.2 + 0.42 * len(names)))
    box = ax.boxplot(data, vert=False, whis=(0, 100), widths=0.6, patch_artist=True,
                     medianprops={"color": "black"}, showmeans=True,
                     meanprops={"marker": "D", "markerfacecolor": "white",
                                "markeredgecolor": "black", "markersize": 4})
    for patch, n in zip(box["boxes"], names):
        patch.set_facecolor(colors[info[n]["architecture"]])
        patch.set_alpha(0.55)
    ax.set_yticks(range(1, len(names) + 1))
    ax.set_yticklabels([f"{n} (n={int(info[n]['samples'])})" for n in names], fontsize=8)
    lo = min(min(d) for d in data)
    hi = max(max(d) for d in data)
    log_x_axis(ax, lo, hi * 1.35)  # room for the CV labels
    for i, n in enumerate(names, start=1):
        ax.text(max(by_variant[n]) * 1.03, i, f"CV {100 * info[n]['latency_cv']:.1f}%",
                va="center", fontsize=7, color="#333333")
    ax.set_xlabel("isolated latency per input sample (ms, log scale)")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    ax.set_title(f"{args.title}: isolated latency over input samples\nbox: quartiles, "
                 "whiskers: min-max, line: median, diamond: mean; colour: architecture",
                 fontsize=10)
    fig.tight_layout()
    save(fig, args, "latency_distribution")


def legend_room(fig, inches=0.45):
    """Fraction of the figure height to keep free below the panels for dp.legend_below."""
    return inches / fig.get_size_inches()[1]


def grid(n, cols_max=3):
    cols = min(n, cols_max)
    return (n + cols - 1) // cols, cols


def sparsity_figure(args, variants, layers, chosen):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    info = {v["variant"]: v for v in variants}
    colors = arch_colors(variants)
    nrows, ncols = grid(len(chosen))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.3 * nrows + 0.9),
                             squeeze=False)
    for ax, name in zip(axes.flat, chosen):
        rows = sorted((r for r in layers if r["variant"] == name), key=lambda r: r["layer"])
        x = [int(r["layer"]) for r in rows]
        color = colors[info[name]["architecture"]]
        ax.fill_between(x, [r["sparsity_min"] for r in rows], [r["sparsity_max"] for r in rows],
                        color=color, alpha=0.3, linewidth=0)
        ax.plot(x, [r["sparsity_mean"] for r in rows], color=color, marker="o", markersize=3,
                linewidth=1.4)
        ax.set_ylim(0, 1)
        ax.set_xlabel("layer index")
        ax.set_ylabel("input sparsity (fraction of zeros)")
        ax.set_title(f"{name}\nnetwork sparsity {info[name]['network_sparsity_mean']:.2f}, "
                     f"PRR {info[name]['network_sparsity_prr']:.3f}", fontsize=9)
        ax.grid(True, alpha=0.3)
        if len(x) <= 16:
            ax.set_xticks(x)
    for ax in list(axes.flat)[len(chosen):]:
        ax.set_visible(False)
    fig.suptitle(f"{args.title}: per-layer input sparsity over samples\nPRR = (max - min) / mean "
                 "of the network-level sparsity over samples", fontsize=11)
    # Neutral legend entries: the colours stand for architectures.
    handles = [Patch(color="#555555", alpha=0.3, linewidth=0),
               Line2D([], [], color="#555555", marker="o", markersize=3, linewidth=1.4)]
    dp.legend_below(fig, handles, ["min-max over samples", "mean over samples"])
    fig.tight_layout(rect=(0, legend_room(fig), 1, 1))
    save(fig, args, "sparsity_ranges")


def correlation_figure(args, variants, corr, chosen):
    from matplotlib.ticker import MaxNLocator

    info = {v["variant"]: v for v in variants}
    nrows, ncols = grid(len(chosen))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols + 0.8, 4.0 * nrows + 0.6),
                             squeeze=False)
    cmap = plt.get_cmap("RdBu_r").copy()
    cmap.set_bad("#d9d9d9")
    image = None
    for ax, name in zip(axes.flat, chosen):
        n = int(info[name]["layers"])
        m = [[math.nan] * n for _ in range(n)]
        for r in corr:
            if r["variant"] == name:
                m[int(r["layer_a"])][int(r["layer_b"])] = r["r"]
        image = ax.imshow(m, cmap=cmap, vmin=-1, vmax=1, origin="upper",
                          interpolation="nearest")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        ax.set_xlabel("layer index")
        ax.set_ylabel("layer index")
        excluded = int(info[name]["corr_layers_excluded"])
        note = f", {excluded} constant layer(s) grey" if excluded else ""
        ax.set_title(f"{name}\nmean r {info[name]['corr_mean_offdiagonal']:.2f}, adjacent "
                     f"{info[name]['corr_mean_adjacent']:.2f}{note}", fontsize=9)
    for ax in list(axes.flat)[len(chosen):]:
        ax.set_visible(False)
    fig.suptitle(f"{args.title}: cross-layer correlation of per-sample input sparsity",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0, 0.9, 1))
    cax = fig.add_axes((0.92, 0.15, 0.018, 0.65))
    fig.colorbar(image, cax=cax).set_label("Pearson r over samples")
    save(fig, args, "correlation")


def predictor_figure(args, variants, preds, shown):
    info = {v["variant"]: v for v in variants}
    archs = OrderedDict()
    for n in shown:
        archs.setdefault(info[n]["architecture"], []).append(n)
    if max(len(v) for v in archs.values()) == 1:
        # One variant per architecture: a plain grid instead of a single column.
        _, cols = grid(len(shown))
        archs = OrderedDict((i, shown[i:i + cols]) for i in range(0, len(shown), cols))
    nrows = len(archs)
    ncols = max(len(v) for v in archs.values())
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.3 * ncols, 3.2 * nrows + 1.0),
                             squeeze=False)
    predictors = list(OrderedDict.fromkeys(r["predictor"] for r in preds))
    handles = {}
    for row, (arch, names) in enumerate(archs.items()):
        for col in range(ncols):
            ax = axes[row][col]
            if col >= len(names):
                ax.set_visible(False)
                continue
            name = names[col]
            top = 0.0
            for i, pred in enumerate(predictors):
                pts = sorted((r["layers_observed"], r["relative_rmse"]) for r in preds
                             if r["model"] == name and r["predictor"] == pred)
                ys = [100 * p[1] for p in pts]
                top = max([top] + [y for y in ys if y == y])
                color = PREDICTOR_COLORS.get(pred.split(" ")[0], dp.FALLBACK_COLORS[i % 6])
                (h,) = ax.plot([p[0] for p in pts], ys, color=color, marker="o", markersize=3,
                               linewidth=2.0 if pred == "average" else 1.3,
                               zorder=3 if pred == "average" else 2)
                handles[pred] = h
            ax.set_ylim(0, 1.08 * top if top > 0 else 1)
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.set_xlabel("layers observed k")
            ax.set_ylabel("relative RMSE (%)")
            ax.set_title(f"{name}\n({int(info[name]['samples'])} samples, "
                         f"{int(info[name]['layers'])} layers)", fontsize=9)
            ax.grid(True, alpha=0.3)
    fig.suptitle(f"{args.title}: remaining-latency estimate after k layers\nRMSE over samples / "
                 "mean true remaining latency (k = 0: static average, same for all)", fontsize=11)
    labels = [PREDICTOR_NAMES.get(p, p) for p in predictors]
    dp.legend_below(fig, [handles[p] for p in predictors], labels, ncol=len(predictors))
    fig.tight_layout(rect=(0, legend_room(fig), 1, 1))
    save(fig, args, "predictor_rmse")


def main():
    args = arguments()
    tables = {name: read(args.folder, name) for name in FILES}
    variants = tables["variants.csv"]
    if not variants:
        sys.stderr.write(f"{args.folder}/variants.csv: no variants\n")
        sys.exit(2)
    shown, chosen = pick_variants(args, variants)
    os.makedirs(args.out, exist_ok=True)
    latency_figure(args, variants, tables["samples.csv"], shown)
    sparsity_figure(args, variants, tables["layers.csv"], chosen)
    correlation_figure(args, variants, tables["correlation.csv"], chosen)
    if tables["predictors.csv"]:
        predictor_figure(args, variants, tables["predictors.csv"], shown)


if __name__ == "__main__":
    main()
