"""dysta.run(): parity with `dysta run`, the DataFrames, streams, listings."""

import json

import numpy as np
import pandas as pd
import pytest

import dysta
from conftest import SOURCE, run_cli

REQUESTS = 300


@pytest.mark.parametrize("scenario,args,keys", [
    ("paper-cnn", ["--policy", "dysta"], {"policy": "dysta"}),
    ("mobile", ["--policy", "sjf_sparse", "--predictor", "last_n", "--set",
                "predictor_params.n=4", "--rate", "40", "--seed", "7"],
     {"policy": "sjf_sparse", "predictor": "last_n", "predictor_params": {"n": 4},
      "workload": {"rate": 40, "seed": 7}}),
    ("paper-attnn", ["--semantics", "reference", "--policy", "prema_sparse"],
     {"semantics": "reference", "policy": "prema_sparse"}),
])
def test_output_folder_is_byte_identical_to_the_cli(tmp_path, scenario, args, keys):
    config = SOURCE / "data/benchmark/scenarios" / f"{scenario}.yaml"
    # The same output folder for both (config.yaml records it).
    run_cli("run", "-q", "-c", config, "--requests", REQUESTS, *args, "--out", tmp_path / "out")
    (tmp_path / "out").rename(tmp_path / "cli")
    kw = dict(keys, workload={**keys.get("workload", {}), "requests": REQUESTS})
    r = dysta.run(scenario=scenario, **kw, out=tmp_path / "out")
    (tmp_path / "out").rename(tmp_path / "py")
    for name in ["summary.json", "requests.csv", "trace.csv", "config.yaml"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    cli_summary = json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert r.summary == cli_summary["metrics"]
    assert r.summary_json() == (tmp_path / "cli" / "summary.json").read_text()


def test_requests_frame_equals_the_cli_csv(tmp_path):
    run_cli("run", "-q", "--requests", REQUESTS, "--policy", "planaria", "--out", tmp_path)
    r = dysta.run(policy="planaria", workload={"requests": REQUESTS})
    cli = pd.read_csv(tmp_path / "requests.csv", float_precision="round_trip")
    df = r.requests
    assert list(df.columns) == list(cli.columns) == dysta.REQUEST_COLUMNS
    for column in cli.columns:
        expected = cli[column]
        got = df[column]
        if column in ("model", "architecture"):
            got = got.astype(str)
        if column == "violated":
            got = got.astype(np.int64)
        assert (got.to_numpy() == expected.to_numpy()).all(), column


def test_requests_frame_dtypes():
    df = dysta.run(workload={"requests": 50}).requests
    assert len(df) == 50
    expected = {"request": "int64", "arrival_s": "float64", "model": "category",
                "architecture": "category", "sample": "int64", "priority": "int64",
                "slo_multiplier": "float64", "deadline_s": "float64",
                "first_start_s": "float64", "finish_s": "float64", "turnaround_s": "float64",
                "isolated_s": "float64", "normalized_turnaround": "float64", "violated": "bool"}
    assert {c: str(t) for c, t in df.dtypes.items()} == expected
    assert (df.turnaround_s == df.finish_s - df.arrival_s).all()
    assert (df.violated == (df.finish_s > df.deadline_s)).all()
    assert df.violated.mean() == pytest.approx(dysta.run(workload={"requests": 50})
                                               .summary["slo_violation_rate"], abs=0)


def test_decision_log_and_timeline_equal_the_cli(tmp_path):
    d, t = tmp_path / "d.csv", tmp_path / "t.json"
    run_cli("run", "-q", "--requests", 40, "--policy", "prema", "--decisions", d,
            "--timeline", t, "--out", tmp_path / "out")
    r = dysta.run(policy="prema", workload={"requests": 40}, decisions=True, timeline=True)
    assert r._raw.decisions_csv() == d.read_text()
    assert r.timeline_json() == t.read_text()
    cli = pd.read_csv(d, float_precision="round_trip")
    pd.testing.assert_frame_equal(r.decisions, cli)
    layers = r.timeline
    assert list(layers.columns) == ["request", "model", "layer", "start_s", "end_s"]
    assert len(layers) == r.summary["layers_executed"]
    assert (layers.end_s >= layers.start_s).all()
    # The last layer of each request ends at its finish time.
    last = layers.groupby("request").end_s.max()
    assert (last.to_numpy() == r.requests.finish_s.to_numpy()).all()
    # Without the observers, the same results (the engine's fast path makes the same choices).
    assert dysta.run(policy="prema", workload={"requests": 40}).summary == r.summary
    assert r.decisions is not None and dysta.run(workload={"requests": 5}).decisions is None


def test_streams_generated_read_and_replayed(tmp_path):
    profiles = dysta.load_profiles(SOURCE / "data/benchmark/profiles/eyerissv2-sparse20")
    cfg = dysta.load_scenario("paper-cnn", workload={"requests": 120, "rate": 50})
    s = dysta.generate_stream(cfg, profiles=profiles)
    assert len(s) == 120
    frame = s.frame
    assert list(frame.columns) == ["arrival_s", "model", "sample", "priority", "slo_multiplier",
                                   "deadline_s"]
    assert frame.arrival_s.is_monotonic_increasing
    a = dysta.run(cfg, profiles=profiles)
    b = dysta.run(cfg, stream=s)
    assert a.summary == b.summary
    trace = tmp_path / "trace.csv"
    trace.write_text(s.to_csv())
    c = dysta.run(cfg, stream=dysta.read_trace(trace, b.stream.profiles))
    assert c.summary == a.summary
    # workload.trace replays it too, as `dysta run --trace`.
    run_cli("run", "-q", "--trace", trace, "--out", tmp_path / "cli")
    d = dysta.run(workload={"trace": str(trace)}, out=tmp_path / "py")
    assert (tmp_path / "py/summary.json").read_bytes() == (tmp_path / "cli/summary.json").read_bytes()
    assert d.summary == a.summary
    other = dysta.load_profiles(SOURCE / "data/benchmark/profiles/eyerissv2-sparse20")
    with pytest.raises(dysta.InputError, match="another profile set"):
        dysta.run(cfg, profiles=other, stream=s)


def test_configs_and_profile_sets():
    cfg = dysta.load_scenario("mobile", policy="sjf", workload={"rate": 12.5})
    assert cfg.policy == "sjf" and cfg.workload["rate"] == 12.5 and cfg.scenario == "mobile"
    assert "policy: sjf" in cfg.yaml
    more = dysta.load_config(cfg, workload={"seed": 3})
    assert more.workload["seed"] == 3 and more.workload["rate"] == 12.5
    profiles = dysta.load_profiles(cfg.profiles, cfg)
    models = profiles.models
    assert list(models.columns) == ["model", "architecture", "pattern", "layers", "samples",
                                    "mean_isolated_s", "architecture_mean_isolated_s"]
    v = profiles.variant(profiles.names[0])
    assert v["latency_s"].shape == (models.samples[0], models.layers[0])
    assert not v["latency_s"].flags.writeable
    assert v["remaining_s"][:, 0] == pytest.approx(v["latency_s"].sum(axis=1), rel=1e-12)
    del profiles  # the arrays keep the set alive
    assert np.isfinite(v["latency_s"]).all()


def test_listings():
    p = dysta.policies().set_index("name")
    assert {"fcfs", "sjf", "dysta", "prema_sparse", "planaria"} <= set(p.index)
    assert p.loc["dysta", "params"] == {"beta": 0.01}
    assert p.loc["dysta", "monitor"] and not p.loc["sjf", "monitor"]
    q = dysta.predictors().set_index("name")
    assert q.loc["last_n", "params"] == {"n": 3}
    s = dysta.scenarios().set_index("name")
    assert {"paper-cnn", "paper-attnn", "mobile", "arvr", "datacentre"} <= set(s.index)
    assert (s.rate > 0).all()


def test_the_done_criterion_command():
    antt = dysta.run(scenario="paper-cnn", policy="dysta").summary["antt"]
    assert antt > 1
