#!/usr/bin/env python3
"""Every policy against the offline bound (docs/policies.md, "How far from optimal"): SLO
violation rate vs ANTT, one panel per arrival rate and SLO multiplier of one benchmark scenario.
Filled markers: the policy as published; hollow markers joined to it by a thin line: the same
policy dropping hopeless requests (square edge: estimated remaining time; diamond edge: true
remaining time). Dropped requests count as violations; the ANTT of a with-drop run is over the
requests it served. The black star is the offline bound: no schedule, dropping or not, is below
the horizontal dashed line, and no schedule serving every request is left of the vertical one
(with-drop ANTT is over fewer requests and may be). Each point is the mean over seeds."""

import dysta_plots as dp
from dysta_plots import plt
from matplotlib.ticker import FuncFormatter, LogLocator

DROP_EDGE = {"estimated": "s", "oracle": "D"}


def split(label):
    """'dysta +drop=oracle' -> ('dysta', 'oracle'); 'dysta' -> ('dysta', None)."""
    if " +drop=" in label:
        base, drop = label.split(" +drop=")
        return base, drop
    return label, None


def main():
    args = dp.arguments(__doc__)
    rows = dp.read_table(args.table)
    vio = dp.seed_means(rows, "slo_violation_rate")
    antt = dp.seed_means(rows, "antt")
    bases = dp.ordered_labels([dict(r, label=split(r["label"])[0]) for r in rows])
    bases = [b for b in bases if b != "bound"]
    st = dp.styles(bases)
    panels = list(dict.fromkeys((k[0], k[2], k[3]) for k in vio))
    cols = min(len(panels), 2)
    nrows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(6.4 * cols, 5.2 * nrows + 1.6), squeeze=False)
    handles = {}
    for ax, (group, rate, slo) in zip(axes.flat, panels):
        ys = []
        for base in bases:
            k = (group, base, rate, slo)
            if k not in vio:
                continue
            x0, y0 = antt[k][0], 100 * vio[k][0]
            h = ax.scatter(x0, y0, s=80, color=st[base]["color"], marker=st[base]["marker"],
                           edgecolors="black", linewidths=0.5, zorder=4)
            handles[base] = h
            ys.append(y0)
            for drop, marker in DROP_EDGE.items():
                kd = (group, f"{base} +drop={drop}", rate, slo)
                if kd not in vio:
                    continue
                x1, y1 = antt[kd][0], 100 * vio[kd][0]
                ax.plot([x0, x1], [y0, y1], color=st[base]["color"], linewidth=0.7, alpha=0.7,
                        zorder=2)
                hd = ax.scatter(x1, y1, s=42, facecolors="none", edgecolors=st[base]["color"],
                                marker=marker, linewidths=1.2, zorder=3)
                handles[f"drop {drop}"] = hd
                ys.append(y1)
        kb = (group, "bound", rate, slo)
        if kb in vio:
            xb, yb = antt[kb][0], 100 * vio[kb][0]
            hb = ax.scatter(xb, yb, s=220, color="black", marker="*", zorder=5)
            ax.axhline(yb, color="black", linestyle="--", linewidth=0.8, zorder=1)
            ax.axvline(xb, color="black", linestyle="--", linewidth=0.8, zorder=1)
            handles["bound"] = hb
            ys.append(yb)
        dp.percent_axis(ax, ys)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda x, _: ""))
        ax.set_xlabel(dp.ANTT_LABEL + ", log scale")
        ax.set_ylabel(dp.VIOLATION_LABEL + " (dropped = violated)")
        name = f"{dp.fmt_num(rate)} req/s, SLO \u00d7{dp.fmt_num(slo)}"
        ax.set_title(f"{group}\n{name}" if group else name, fontsize=10)
        ax.grid(True, alpha=0.3, which="both")
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    dp.title(fig, args, rows, "lower-left is better; dashed: offline bound (violations: any schedule; "
             "ANTT: any schedule serving every request)")
    order = [b for b in bases if b in handles]
    labels = [dp.display(b) for b in order]
    extra = [("drop estimated", "+ drop (estimated remaining)"),
             ("drop oracle", "+ drop (true remaining)"),
             ("bound", "offline bound (exact min. violations; ANTT relaxation)")]
    hs = [handles[b] for b in order] + [handles[k] for k, _ in extra if k in handles]
    labels += [text for k, text in extra if k in handles]
    dp.legend_below(fig, hs, labels, ncol=4)
    fig.tight_layout(rect=(0, 0.05 + 0.028 * ((len(hs) - 1) // 4), 1, 1))
    for path in dp.save(fig, args):
        print(path)


if __name__ == "__main__":
    main()
