"""Policies and predictors written in Python: decision views, SJF and the average predictor
reimplemented in Python give exactly the built-in results, sweeps with Python policies."""

import numpy as np
import pandas as pd
import pytest

import dysta

REQUESTS = 250


class PySjf(dysta.Policy):
    """SJF in Python: smallest estimated remaining time, ties to the earliest arrival."""
    name = "py_sjf"

    def select(self, ctx):
        return int(np.argmin(ctx.est_remaining_s))  # argmin: first of equal minima


class PySjfSparse(dysta.Policy):
    """sjf_sparse in Python: gamma x Rest with pattern-aware estimates and the monitor."""
    name = "py_sjf_sparse"
    pattern_aware = True
    monitor = True

    def select(self, ctx):
        return int(np.argmin(ctx.gamma * ctx.est_remaining_s))

    def scores(self, ctx):
        return ctx.gamma * ctx.est_remaining_s


class PyAverage(dysta.Predictor):
    """The `average` predictor in Python: mean density ratio of the executed layers."""
    name = "py_average"

    def bind(self, profiles):
        self.avg = [profiles.variant(n)["avg_sparsity"].tolist() for n in profiles.names]

    def observe(self, state, variant, layer, sparsity):
        density = 1 - self.avg[variant][layer]
        state.sum += 1.0 if density == 0 else (1 - sparsity) / density
        state.count += 1
        return state.sum / state.count


dysta.register_policy(PySjf)
dysta.register_policy(PySjfSparse)
dysta.register_predictor(PyAverage)


@pytest.mark.parametrize("semantics", ["corrected", "reference"])
def test_python_sjf_gives_exactly_the_built_in_results(semantics):
    builtin = dysta.run(policy="sjf", semantics=semantics, workload={"requests": REQUESTS})
    python = dysta.run(policy="py_sjf", semantics=semantics, workload={"requests": REQUESTS})
    assert python.summary == builtin.summary
    pd.testing.assert_frame_equal(python.requests, builtin.requests)


def test_python_sjf_sparse_and_predictor_give_exactly_the_built_in_results():
    keys = {"scenario": "mobile", "workload": {"requests": REQUESTS}}
    builtin = dysta.run(policy="sjf_sparse", **keys)
    assert dysta.run(policy="py_sjf_sparse", **keys).summary == builtin.summary
    assert dysta.run(policy="sjf_sparse", predictor="py_average", **keys).summary == \
        builtin.summary
    assert dysta.run(policy="dysta", predictor="py_average", **keys).summary == \
        dysta.run(policy="dysta", **keys).summary
    # Its scores() feed the decision log like a built-in policy's.
    a = dysta.run(policy="py_sjf_sparse", decisions=True, workload={"requests": 30}).decisions
    b = dysta.run(policy="sjf_sparse", decisions=True, workload={"requests": 30}).decisions
    pd.testing.assert_frame_equal(a, b)


def test_python_policy_in_a_sweep_next_to_built_in_ones():
    frame = dysta.sweep(sweep={"policies": ["sjf", "py_sjf", "dysta"], "seeds": [1, 2],
                               "rates": [40, 60], "slo_multipliers": [10]}, workload={"requests": 150}, threads=2)
    assert len(frame) == 12
    metrics = ["slo_violation_rate", "antt", "throughput_inf_per_s", "decisions", "makespan_s"]
    sjf = frame[frame.policy == "sjf"][metrics].reset_index(drop=True)
    py = frame[frame.policy == "py_sjf"][metrics].reset_index(drop=True)
    pd.testing.assert_frame_equal(sjf, py)
    assert "py_sjf" in frame.attrs["table"]


def test_decision_context_is_a_view():
    seen = {}

    class Probe(dysta.Policy):
        name = "probe"

        def select(self, ctx):
            tasks = ctx.tasks
            rest = ctx.est_remaining_s
            if not seen:
                seen["ctx"] = ctx
                seen["shares"] = np.shares_memory(tasks, rest)
                seen["writeable"] = rest.flags.writeable or tasks.flags.writeable
                seen["token_writeable"] = ctx.token.flags.writeable
                seen["dtype"] = tasks.dtype == dysta.TASK_DTYPE
            assert len(ctx) == len(tasks) == len(rest)
            assert (tasks["est_remaining_s"] == rest).all()
            assert (np.diff(ctx.arrival_s) >= 0).all()  # arrival order
            return 0

    dysta.run(policy=Probe, workload={"requests": 20})
    assert seen["shares"] and not seen["writeable"] and seen["token_writeable"] and seen["dtype"]
    with pytest.raises(RuntimeError, match="after its select"):
        seen["ctx"].est_remaining_s


def test_policy_state_persists_per_task():
    class CountingFcfs(dysta.Policy):
        """FCFS that counts, in ctx.aux, how often each task was a candidate."""
        name = "counting_fcfs"

        def select(self, ctx):
            aux = ctx.aux
            aux += 1
            assert (ctx.token == -1).all()
            # The oldest task was a candidate at least as often as any newer one.
            assert aux[0] == aux.max()
            return 0

    assert dysta.run(policy=CountingFcfs, workload={"requests": 80}).summary == \
        dysta.run(policy="fcfs", workload={"requests": 80}).summary


def test_parameters_and_calling_policies_from_python():
    class Weighted(dysta.Policy):
        name = "weighted"
        params = {"w": (2.0, "weight of the priority")}

        def select(self, ctx):
            return int(np.argmin(ctx.est_remaining_s / (1 + self.w * ctx.priority)))

    dysta.register_policy(Weighted)
    info = dysta.policies().set_index("name").loc["weighted"]
    assert info.params == {"w": 2.0} and info.python
    a = dysta.run(policy="weighted", policy_params={"weighted": {"w": 0}},
                  workload={"requests": 60})
    assert a.summary == dysta.run(policy="sjf", workload={"requests": 60}).summary
    with pytest.raises(dysta.InputError, match="unknown parameter"):
        dysta.run(policy="weighted", policy_params={"weighted": {"v": 1}})

    tasks = np.zeros(4, dtype=dysta.TASK_DTYPE)
    tasks["est_remaining_s"] = [3.0, 1.0, 1.0, 2.0]
    tasks["arrival_s"] = [0, 1, 2, 3]
    tasks["deadline_s"] = [10, 4, 2, 9]
    tasks["gamma"] = 1
    ctx = dysta.Decision(tasks, now_s=3.0)
    assert dysta.make_policy("sjf").select(ctx) == 1
    assert list(dysta.make_policy("sjf").scores(ctx)) == [3.0, 1.0, 1.0, 2.0]
    assert dysta.make_policy("fcfs").select(ctx) == 0
    assert dysta.make_policy("py_sjf").select(ctx) == 1
    assert PySjf().select(ctx) == 1
    state = dysta.PredictorState()
    avg = dysta.make_predictor("average", dysta.load_profiles(dysta.load_config().profiles))
    assert avg.observe(state, 0, 0, 0.5) > 0 and state.count == 1


def test_python_predictor_in_a_sweep_next_to_the_built_in_one():
    frame = dysta.sweep(sweep={"policies": ["dysta"], "predictors": ["average", "py_average"],
                               "seeds": [1, 2], "rates": [60], "slo_multipliers": [10]},
                        workload={"requests": 150}, threads=2)
    assert len(frame) == 4
    metrics = ["slo_violation_rate", "antt", "throughput_inf_per_s", "decisions"]
    a = frame[frame.predictor == "average"][metrics].reset_index(drop=True)
    b = frame[frame.predictor == "py_average"][metrics].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
