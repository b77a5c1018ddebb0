#!/usr/bin/env python3
"""Markdown tables of a benchmark folder's function metrics (agreement.csv, docs/benchmark.md
"Function of the pruned networks") and of its level search (level-search.csv). Usage:
benchmark_tables.py [BENCHMARK_DIR]."""
import csv
import os
import sys


def level_search(root):
    path = f"{root}/level-search.csv"
    if not os.path.exists(path):
        return
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    groups = {}
    for r in rows:
        groups.setdefault((r["model"], r["pattern"], r["slot"]), []).append(r)
    print()
    print("| model | pattern | slot | goal | levels tried: non-majority agreement (inputs judged) "
          "| shipped |")
    print("|---|---|---|---|---|---|")
    for (model, pattern, slot), tries in groups.items():
        steps = ", ".join(f"{t['level']} {t['non_majority_agreement']} ({t['inputs']})"
                          for t in tries)
        last = tries[-1]
        shipped = last["level"] + ("" if last["outcome"] == "kept" else " (goal missed)")
        print(f"| {model} | {pattern} | {slot} | {last['goal']} | {steps} | {shipped} |")


def main(root):
    with open(f"{root}/agreement.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    by = {(r["model"], r["pattern"], r["source"]): r for r in rows}
    print("| model | variant | metric | inputs | base rate | agreement | majority agr. | "
          "non-majority agr. (n) | top-2 overlap | change | within 0.6 | weight sparsity | "
          "agreement by source | broken |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["source"] != "all":
            continue
        sources = sorted({k[2] for k in by if k[:2] == (r["model"], r["pattern"]) and k[2] != "all"})
        per = ", ".join(f"{s} {by[(r['model'], r['pattern'], s)]['agreement']}"
                        f" / {by[(r['model'], r['pattern'], s)]['non_majority_agreement']}"
                        for s in sources)
        print(f"| {r['model']} | {r['pattern']} | {r['metric']} | {r['inputs']} | "
              f"{r['base_rate']} ({r['majority']}) | {r['agreement']} | {r['majority_agreement']} | "
              f"{r['non_majority_agreement']} ({r['non_majority_inputs']}) | {r['top2_overlap']} | "
              f"{r['change']} | {r['within_0.6']} | {r['weight_sparsity']} | {per} | "
              f"{'**yes**' if r['broken'] == '1' else 'no'} |")
    level_search(root)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/benchmark")
