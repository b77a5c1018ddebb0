"""A new policy in Python, compared with Dysta on a benchmark scenario.

Earliest-deadline-first and a sparsity-aware least-slack-first are written as dysta.Policy
subclasses (a dozen lines each) and swept next to the built-in sjf and dysta on the `arvr`
scenario (tight SLOs, 60% block-pruned CNNs on Eyeriss-V2): its rates x SLO multipliers x seeds.
Usage: python3 edf.py [requests per point, default 1000]
"""
import sys

import numpy as np

import dysta


@dysta.register_policy
class Edf(dysta.Policy):
    """earliest deadline first (ties: earliest arrival)"""
    name = "py_edf"
    score_wins = "min"

    def select(self, ctx):
        return int(np.argmin(ctx.deadline_s))

    def scores(self, ctx):  # shown in the decision log
        return ctx.deadline_s


@dysta.register_policy
class LeastSlack(dysta.Policy):
    """least predicted slack first: deadline - now - gamma x estimated remaining time"""
    name = "least_slack"
    pattern_aware = True  # estimates from the variant's pruning-pattern averages
    monitor = True  # gamma from the sparsity monitor after every layer

    def select(self, ctx):
        return int(np.argmin(ctx.deadline_s - ctx.now_s - ctx.gamma * ctx.est_remaining_s))


if __name__ == "__main__":
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    table = dysta.sweep(scenario="arvr", workload={"requests": requests},
                        sweep={"policies": ["py_edf", "least_slack", "sjf", "dysta"]})
    means = table.groupby(["slo_multiplier", "rate", "policy"])[
        ["slo_violation_rate", "antt"]].mean().unstack("policy")
    with np.printoptions(precision=4):
        print("SLO violation rate (mean over seeds)")
        print(means["slo_violation_rate"].round(4).to_string())
        print("\nANTT (mean over seeds)")
        print(means["antt"].round(3).to_string())
    wins = (means["slo_violation_rate"]["dysta"] <= means["slo_violation_rate"]["py_edf"]).mean()
    print(f"\ndysta's violation rate <= py_edf's at {wins:.0%} of the operating points")
