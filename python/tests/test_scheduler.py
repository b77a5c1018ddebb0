"""dysta.Scheduler from Python: a serving loop driven by the profile tables reproduces
dysta.run() exactly, with a built-in and with a Python policy."""

import numpy as np
import pytest

import dysta



class PySjf(dysta.Policy):
    name = "sched_py_sjf"

    def select(self, ctx):
        return int(np.argmin(ctx.est_remaining_s))


def serve(profiles, stream, policy):
    """The loop of simulate_stream() (corrected semantics) written in Python."""
    frame = stream.frame
    tables = {n: profiles.variant(n) for n in profiles.names}
    s = dysta.Scheduler(profiles, policy=policy)
    finish = {}
    now, i, n = 0.0, 0, len(frame)
    while True:
        if i < n and s.ready == 0:
            now = max(now, frame.arrival_s[i])
        while i < n and frame.arrival_s[i] <= now:
            s.admit(str(frame.model[i]), int(frame["sample"][i]), frame.arrival_s[i], now,
                    int(frame.priority[i]), frame.slo_multiplier[i])
            i += 1
        if s.ready == 0:
            break
        layer = s.next(now)
        t = tables[layer["model"]]
        now = layer["start_s"] + t["latency_s"][layer["sample_pos"], layer["layer"]]
        if s.layer_done(layer["task"], t["sparsity"][layer["sample_pos"], layer["layer"]], now):
            for c in s.finished():
                finish[c["task"]] = c["finish_s"]
            s.clear_finished()
    return np.array([finish[k] for k in range(n)]), s.stats


@pytest.mark.parametrize("policy", ["dysta", "sjf", "prema_sparse", "sched_py_sjf"])
def test_python_serving_loop_reproduces_run(policy):
    dysta.register_policy(PySjf)
    cfg = dysta.load_scenario("paper-cnn", workload={"requests": 200, "rate": 6})
    profiles = dysta.load_profiles(cfg.profiles, cfg)
    stream = dysta.generate_stream(cfg, profiles=profiles)
    finish, stats = serve(profiles, stream, policy)
    expected = dysta.run(cfg, policy=policy, stream=stream)
    assert (finish == expected.requests.finish_s.to_numpy()).all()
    assert stats["decisions"] == expected.summary["decisions"]


def test_scheduler_errors():
    profiles = dysta.load_profiles(dysta.load_scenario("paper-cnn").profiles)
    s = dysta.Scheduler(profiles, policy="fcfs")
    with pytest.raises(dysta.InputError, match="unknown model"):
        s.admit("nope", 0, 0.0)
    with pytest.raises(RuntimeError):
        s.next(0.0)  # nothing ready
    with pytest.raises(dysta.InputError, match="unknown policy"):
        dysta.Scheduler(profiles, policy="nope")
