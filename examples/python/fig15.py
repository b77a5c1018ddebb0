"""Paper figure 15, CNN setting: violation rate, ANTT and throughput vs arrival rate for seven
policies on the benchmark's paper-cnn scenario (the grid of `dysta reproduce fig15 --workload cnn`).
Usage: python3 fig15.py [out.png] [requests per point, default 1000]"""
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import dysta  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else "fig15_cnn.png"
requests = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
policies = ["fcfs", "sjf", "prema", "planaria", "sdrm3", "dysta_oracle", "dysta"]
table = dysta.sweep(scenario="paper-cnn", workload={"requests": requests},
                    sweep={"policies": policies, "rates": [2, 3, 4, 5, 6], "slo_multipliers": [10],
                           "seeds": [1, 2, 3, 4, 5]})
metrics = {"slo_violation_rate": "SLO violation rate", "antt": "ANTT",
           "throughput_inf_per_s": "throughput (inferences/s)"}
means = table.groupby(["policy", "rate"])[list(metrics)].mean()
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for ax, (metric, label) in zip(axes, metrics.items()):
    for p in policies:
        ax.plot(means.loc[p].index, means.loc[p][metric], marker="o", label=p)
    ax.set(xlabel="arrival rate (req/s)", ylabel=label)
axes[0].legend(fontsize=7)
fig.tight_layout()
fig.savefig(out, dpi=120)
print(means["slo_violation_rate"].unstack("policy").round(4).to_string())
