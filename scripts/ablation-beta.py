#!/usr/bin/env python3
"""Ablation over beta of the Dysta waiting penalty (docs/policies.md, "A waiting penalty in
seconds"): `dysta` (published penalty idle / IsoE / N, dimensionless) against `dysta_seconds`
(idle / N, seconds) on every single-accelerator benchmark scenario (data/benchmark/scenarios/*.yaml) at the
scenario's default arrival rate and SLO multiplier, with sjf_sparse (beta = 0 of both) as the
reference. Runs `dysta sweep --csv` once per scenario and prints a Markdown table of the means
over seeds (violation rate in %, ANTT).

usage: scripts/ablation-beta.py [--dysta build/dysta] [--seeds 1,2,3] [--betas 0.001,0.01,...]
                                [--requests 1000] [--csv OUT.csv]
"""

import argparse
import csv
import glob
import io
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--dysta", default=os.path.join(ROOT, "build", "dysta"))
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--betas", default="0.001,0.01,0.1,1,10")
    p.add_argument("--requests", default="1000")
    p.add_argument("--csv", help="also write every point (merged CSV rows) to this file")
    args = p.parse_args()
    betas = "[" + args.betas + "]"
    scenarios = sorted(glob.glob(os.path.join(ROOT, "data", "benchmark", "scenarios", "*.yaml")))
    all_rows = []
    print("| scenario | beta | dysta violations % | dysta ANTT | dysta_seconds violations % "
          "| dysta_seconds ANTT |")
    print("|---|---|---|---|---|---|")
    for path in scenarios:
        name = os.path.splitext(os.path.basename(path))[0]
        text = open(path).read()
        if re.search(r"^cluster:", text, re.M):
            continue  # fleet scenarios (dysta cluster): the local policies' beta is not swept here
        rate = re.search(r"^workload:\n(?:  .*\n)*?  rate: (\S+)$", text, re.M).group(1)
        slo = re.search(r"^workload:\n(?:  .*\n)*?  slo_multiplier: (\S+)$", text, re.M).group(1)
        cmd = [args.dysta, "sweep", "-c", path, "--csv", "-q", "--seeds", args.seeds,
               "--policies", "sjf_sparse,dysta,dysta_seconds", "--rates", rate, "--slos", slo,
               "--set", f"workload.requests={args.requests}",
               "--set", f"sweep.policy_params={{dysta: {{beta: {betas}}}, "
                        f"dysta_seconds: {{beta: {betas}}}}}"]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows = list(csv.DictReader(io.StringIO(out)))
        for r in rows:
            r["scenario"] = name
        all_rows += rows

        def mean(policy, beta, column):
            vals = [float(r[column]) for r in rows if r["policy"] == policy and
                    (beta is None or f"beta={beta}" == r["policy_params"])]
            if not vals:
                sys.exit(f"{name}: no rows for {policy} beta={beta}")
            return sum(vals) / len(vals)

        rate = rows[0]["rate"]
        slo = rows[0]["slo_multiplier"]
        ref_v = 100 * mean("sjf_sparse", None, "slo_violation_rate")
        ref_a = mean("sjf_sparse", None, "antt")
        print(f"| {name} ({rate} req/s, SLO x{slo}) | 0 (sjf_sparse) | {ref_v:.2f} | {ref_a:.3f} "
              f"| {ref_v:.2f} | {ref_a:.3f} |")
        for beta in args.betas.split(","):
            b = f"{float(beta):g}"
            print(f"| {name} | {b} | {100 * mean('dysta', b, 'slo_violation_rate'):.2f} "
                  f"| {mean('dysta', b, 'antt'):.3f} "
                  f"| {100 * mean('dysta_seconds', b, 'slo_violation_rate'):.2f} "
                  f"| {mean('dysta_seconds', b, 'antt'):.3f} |")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(all_rows[0].keys()))
            w.writeheader()
            w.writerows(all_rows)


if __name__ == "__main__":
    main()
