"""Errors: Python exceptions with the CLI's messages; a failing Python policy leaves nothing
half-written."""

import traceback

import pytest

import dysta
from conftest import cli_error


def test_bad_config_key_has_the_cli_message():
    with pytest.raises(dysta.InputError) as e:
        dysta.run(workload={"rat": 60})
    assert str(e.value) == cli_error("run", "--set", "workload.rat=60")
    assert e.value.field == "workload.rat"
    assert "unknown key" in e.value.message
    assert isinstance(e.value, ValueError)


def test_bad_value_has_the_cli_message():
    with pytest.raises(dysta.InputError) as e:
        dysta.run(workload={"rate": -1})
    assert str(e.value) == cli_error("run", "--rate", "-1")


def without_python_policies(message: str) -> str:
    """The message with the policies registered from Python left out of its list of valid
    names (the CLI does not know them)."""
    python = set(dysta.policies().query("python").name)
    head, valid = message.split("(valid: ")
    names = [n for n in valid.rstrip(")").split(", ") if n not in python]
    return head + "(valid: " + ", ".join(names) + ")"


def test_unknown_policy_has_the_cli_message():
    with pytest.raises(dysta.InputError) as e:
        dysta.run(policy="nope")
    assert without_python_policies(str(e.value)) == cli_error("run", "--policy", "nope")
    assert "unknown policy 'nope'" in str(e.value)
    with pytest.raises(dysta.InputError) as e:
        dysta.sweep(sweep={"policies": ["sjf", "nope"]})
    assert without_python_policies(str(e.value)) == cli_error("sweep", "--policies", "sjf,nope")


def test_unknown_parameter_has_the_cli_message():
    with pytest.raises(dysta.InputError) as e:
        dysta.run(policy_params={"dysta": {"betta": 1}})
    assert str(e.value) == cli_error("run", "--set", "policy_params.dysta.betta=1")


def test_malformed_csv_has_the_cli_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("model,pattern,sample,layer,latency_s,sparsity\n"
                   "m,dense,0,0,0.001,0.5\n"
                   "m,dense,0,1,oops,0.5\n")
    with pytest.raises(dysta.InputError) as e:
        dysta.load_profiles(bad)
    assert str(e.value) == cli_error("run", "--profiles", bad)
    assert e.value.line == 3 and str(bad) in e.value.file
    with pytest.raises(dysta.InputError) as e2:
        dysta.run(profiles=str(bad), workload={"mix": {}})
    assert str(e2.value) == str(e.value)


def test_malformed_trace_has_the_cli_message(tmp_path):
    bad = tmp_path / "trace.csv"
    bad.write_text("arrival_s,model,sample,priority,slo_multiplier\n0.5,no_such_model,0,1,10\n")
    with pytest.raises(dysta.InputError) as e:
        dysta.run(workload={"trace": str(bad)})
    assert str(e.value) == cli_error("run", "--trace", bad)


class Raising(dysta.Policy):
    """raises on its tenth decision"""

    def __init__(self):
        self.calls = 0

    def select(self, ctx):
        self.calls += 1
        if self.calls == 10:
            raise ZeroDivisionError("policy bug on decision 10")
        return 0


def test_a_raising_policy_is_reported_with_its_traceback_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(ZeroDivisionError, match="policy bug on decision 10") as e:
        dysta.run(policy=Raising, workload={"requests": 50}, out=out)
    frames = [f.name for f in traceback.extract_tb(e.value.__traceback__)]
    assert "select" in frames  # the policy's own frame
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_raising_policy_in_a_sweep_leaves_no_merged_results(tmp_path):
    out = tmp_path / "sweep"
    dysta.register_policy(Raising)
    with pytest.raises(ZeroDivisionError) as e:
        dysta.sweep(sweep={"policies": ["sjf", "raising", "fcfs"], "seeds": [1, 2],
                           "rates": [40], "slo_multipliers": [10]},
                    workload={"requests": 60}, out=out)
    assert "select" in [f.name for f in traceback.extract_tb(e.value.__traceback__)]
    # Finished points are complete folders (a rerun resumes); nothing merged was written.
    assert not (out / "results.csv").exists() and not (out / "summary.json").exists()
    for point in (out / "points").iterdir() if (out / "points").exists() else []:
        assert (point / "summary.json").exists() and (point / "requests.csv").exists()


def test_a_bad_index_is_an_error():
    class OutOfRange(dysta.Policy):
        name = "out_of_range"

        def select(self, ctx):
            return len(ctx)

    with pytest.raises(IndexError, match="select\\(\\) returned"):
        dysta.run(policy=OutOfRange, workload={"requests": 10})

    class NotAnIndex(dysta.Policy):
        name = "not_an_index"

        def select(self, ctx):
            return "first"

    with pytest.raises(TypeError, match="not an integer index"):
        dysta.run(policy=NotAnIndex, workload={"requests": 10})


def test_built_in_names_cannot_be_replaced():
    class Sjf(dysta.Policy):
        def select(self, ctx):
            return 0

    with pytest.raises(dysta.InputError, match="built-in"):
        dysta.register_policy(Sjf)
