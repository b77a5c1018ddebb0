#!/usr/bin/env python3
"""Summarises a benchmark folder's attention-heads.csv (per layer and head of each trained
transformer: mean attention on the previous token, the next token, the token itself, the first
token, the delimiters, row entropy in nats and Sanger density) next to what uniform attention over
the same requests would give (docs/benchmark.md, "Is the attention language-like?").

Uniform references, per request of L tokens, averaged over the requests like the head statistics:
  bidirectional rows (every key visible): previous and next (L-1)/L^2, self and first 1/L,
    entropy ln L;
  causal rows (row i sees keys 0..i): previous (H_L - 1)/L, self and first H_L/L (H_L the
    harmonic number), entropy mean over i of ln(i+1).
A head counts as positional when its previous- or next-token share is at least 0.5.

Usage: python3 scripts/attention-heads-table.py [BENCHMARK_DIR]   (default data/benchmark)
"""
import csv
import math
import os
import sys
from collections import defaultdict

# Attention maps in capture order; "causal" rows see only earlier keys.
LAYOUT = {
    "bert-small-trained": ["self"] * 4,
    "gpt2-small-trained": ["causal"] * 4,
    "bart-small-trained": ["self", "self", "causal", "cross", "causal", "cross"],
}
NAMES = {"self": "encoder self", "causal": "causal self", "cross": "cross"}


def uniform(lengths, kind):
    acc = defaultdict(float)
    for L in lengths:
        if kind == "causal":
            h = sum(1.0 / (i + 1) for i in range(L))
            acc["previous"] += (h - 1) / L
            acc["next"] += 0.0
            acc["self"] += h / L
            acc["first"] += h / L
            acc["entropy"] += sum(math.log(i + 1) for i in range(L)) / L
        else:
            acc["previous"] += (L - 1) / L ** 2
            acc["next"] += (L - 1) / L ** 2
            acc["self"] += 1 / L
            acc["first"] += 1 / L
            acc["entropy"] += math.log(L)
    return {k: v / len(lengths) for k, v in acc.items()}


def main(root):
    heads = list(csv.DictReader(open(os.path.join(root, "attention-heads.csv"))))
    lengths = defaultdict(list)
    for r in csv.DictReader(open(os.path.join(root, "transformer-requests.csv"))):
        lengths[r["model"]].append(int(r["tokens"]))
    print("| model | layer (kind) | previous: max head (uniform) | next: max head (uniform) | "
          "self: max head (uniform) | first: max head (uniform) | delimiter: max head | entropy nats: min-max (uniform) | "
          "density: mean (min-max) |")
    print("|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for model, layout in LAYOUT.items():
        rows = [r for r in heads if r["model"] == model]
        if not rows:
            continue
        positional = 0
        for layer, kind in enumerate(layout):
            hs = [r for r in rows if int(r["layer"]) == layer]
            u = uniform(lengths[model], "causal" if kind == "causal" else "self")
            f = {k: [float(r[k]) for r in hs] for k in
                 ("previous", "next", "self", "first", "delimiter", "entropy", "density")}
            positional += sum(1 for p, n in zip(f["previous"], f["next"]) if max(p, n) >= 0.5)
            print(f"| {model} | {layer} ({NAMES[kind]}) | {max(f['previous']):.3f} ({u['previous']:.3f}) | "
                  f"{max(f['next']):.3f} ({u['next']:.3f}) | {max(f['self']):.3f} ({u['self']:.3f}) | "
                  f"{max(f['first']):.3f} ({u['first']:.3f}) | "
                  f"{max(f['delimiter']):.3f} | {min(f['entropy']):.2f}-{max(f['entropy']):.2f} "
                  f"({u['entropy']:.2f}) | {sum(f['density']) / len(hs):.3f} "
                  f"({min(f['density']):.3f}-{max(f['density']):.3f}) |")
        summary[model] = (positional, len(rows))
    print()
    for model, (p, n) in summary.items():
        print(f"{model}: {p} of {n} heads put at least half their weight on the previous or the next token")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/benchmark")
