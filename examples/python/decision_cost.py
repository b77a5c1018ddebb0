"""Cost per scheduling decision from Python (the figures in docs/python.md).

1. Whole runs: the paper-cnn scenario (profiles loaded and stream generated beforehand) under
   the built-in `sjf` and under SJF written in Python, wall time of dysta.run() divided by the
   number of decisions; it includes the engine's own work and the metrics.
2. One call: select() on a fixed decision of 8 ready tasks, for a built-in policy called from
   Python (dysta.make_policy) and for the Python SJF called directly.
Usage: python3 decision_cost.py [requests, default 1000] [repeats, default 5]
"""
import sys
import time
import timeit

import numpy as np

import dysta


@dysta.register_policy
class PySjf(dysta.Policy):
    """SJF in Python"""
    name = "py_sjf"

    def select(self, ctx):
        return int(np.argmin(ctx.est_remaining_s))


def per_decision(policy, stream, repeats):
    best, decisions = float("inf"), 0
    for _ in range(repeats):
        start = time.perf_counter()
        r = dysta.run(scenario="paper-cnn", policy=policy, stream=stream)
        best = min(best, time.perf_counter() - start)
        decisions = r.summary["decisions"]
    return best / decisions, decisions, r.summary


if __name__ == "__main__":
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    stream = dysta.generate_stream(scenario="paper-cnn", workload={"requests": requests})
    builtin, n, a = per_decision("sjf", stream, repeats)
    dysta_cost, _, _ = per_decision("dysta", stream, repeats)
    python, _, b = per_decision("py_sjf", stream, repeats)
    assert a == b, "the Python SJF must give the built-in results"
    print(f"whole run, {n} decisions, up to {a['max_ready_tasks']} ready (best of {repeats}):")
    print(f"  built-in sjf          {builtin * 1e9:8.0f} ns per decision (keyed heap)")
    print(f"  built-in dysta        {dysta_cost * 1e9:8.0f} ns per decision (scan)")
    print(f"  Python sjf            {python * 1e9:8.0f} ns per decision")

    tasks = np.zeros(8, dtype=dysta.TASK_DTYPE)
    tasks["arrival_s"] = np.arange(8) * 0.01
    tasks["deadline_s"] = tasks["arrival_s"] + 0.5
    tasks["est_remaining_s"] = [0.3, 0.1, 0.25, 0.1, 0.4, 0.05, 0.2, 0.3]
    tasks["gamma"] = 1
    tasks["num_layers"] = 50
    ctx = dysta.Decision(tasks, now_s=0.1)
    calls = 20000
    print(f"one select() call on 8 ready tasks (best of {repeats} x {calls}):")
    for label, policy in [("built-in sjf", dysta.make_policy("sjf")),
                          ("built-in dysta", dysta.make_policy("dysta")),
                          ("Python sjf", PySjf())]:
        t = min(timeit.repeat(lambda: policy.select(ctx), number=calls, repeat=repeats)) / calls
        print(f"  {label:<20}  {t * 1e9:8.0f} ns per call")
