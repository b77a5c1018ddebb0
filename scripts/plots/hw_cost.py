#!/usr/bin/env python3
"""Cost of the Dysta hardware scheduler next to the accelerator it serves (docs/hardware.md,
"Cost"): slice LUTs, FFs and DSPs of each synthesised configuration (scripts/synth.sh's
table.md) as a percentage of the Eyeriss-V2 baseline the paper compares against.

Eyeriss-V2 baseline: the Vivado 2018.3 synthesis utilisation report of one cluster of the
open-source implementation the paper's authors used (github.com/karthisugumar/
CSE240D-Hierarchical_Mesh_NoC-Eyeriss_v2, synth/HMNoC_cluster_utilization_synth.rpt, commit
5d18977: 4196 CLB LUTs of which 2400 distributed RAM, 817 registers, 12 DSP48E2, 0 block RAM),
times the 16 clusters of the simulated accelerator, as the paper's hw_design/README describes.

Usage: hw_cost.py <table.md> <out.png>
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CLUSTERS = 16
EYERISS = {"slice LUTs": 4196 * CLUSTERS, "FF": 817 * CLUSTERS, "DSP": 12 * CLUSTERS}


def read_table(path):
    rows = []
    header = None
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set(line.strip()) <= set("|-"):
            continue
        rows.append(dict(zip(header, cells)))
    return rows


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows = read_table(sys.argv[1])
    names = [r["config"] for r in rows]
    columns = {"slice LUTs": "slice LUTs", "FF": "FF", "DSP": "DSP48E1"}
    fig, ax = plt.subplots(figsize=(8.0, 3.4))
    width = 0.26
    top = 0.0
    for k, (label, col) in enumerate(columns.items()):
        values = [100.0 * float(r[col]) / EYERISS[label] for r in rows]
        top = max([top] + values)
        xs = [i + (k - 1) * width for i in range(len(rows))]
        bars = ax.bar(xs, values, width, label="%s (Eyeriss-V2: %d)" % (label, EYERISS[label]))
        for x, v in zip(xs, values):
            ax.text(x, v + 0.2, "%.1f" % v, ha="center", va="bottom", fontsize=6)
        del bars
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("% of Eyeriss-V2 (16 clusters)")
    ax.set_title("Dysta scheduler cost relative to the accelerator (Yosys synth_xilinx)", fontsize=9)
    ax.set_ylim(0, top * 1.45)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=130)


if __name__ == "__main__":
    main()
