"""dysta from Python: scheduling sparse multi-DNN workloads (docs/python.md).

    import dysta
    r = dysta.run(scenario="paper-cnn", policy="dysta")
    r.summary["antt"], r.requests            # metrics dict, per-request DataFrame
    dysta.sweep(scenario="paper-cnn", sweep={"policies": ["sjf", "dysta"], "seeds": [1, 2]})

Config keys are keyword arguments with the names of the YAML keys (docs/config.md); nested keys
are dicts: ``workload={"rate": 60}``, ``policy_params={"dysta": {"beta": 0.05}}``. They go
through the same parser as ``dysta run --set``, so a misspelled key raises the CLI's error.
Results are bit-identical to the CLI's for the same config.
"""

from __future__ import annotations

import functools
import io
import json
import math
import os

import numpy as np
import pandas as pd

from . import _dysta, _registry
from ._dysta import (
    STATE_DTYPE,
    TASK_DTYPE,
    Config,
    Decision,
    InputError,
    PolicyHandle,
    PredictorHandle,
    PredictorState,
    ProfileSet,
    Scheduler,
    Stream,
    data_dir,
    default_config_path,
)

__version__ = _dysta.__version__

__all__ = [
    "Config", "Decision", "InputError", "Policy", "Predictor", "PredictorState", "ProfileSet",
    "Result", "STATE_DTYPE", "Scheduler", "Stream", "TASK_DTYPE", "data_dir", "default_config_path",
    "generate_stream", "load_config", "load_profiles", "load_scenario", "make_policy",
    "make_predictor", "policies", "predictors", "read_trace", "register_policy",
    "register_predictor", "run", "scenarios", "sweep",
]


# ---------------------------------------------------------------------------------------------
# Configs: keyword arguments -> `--set key=value` overrides (YAML flow syntax for the values).

def _yaml(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return ".nan"
        if math.isinf(v):
            return ".inf" if v > 0 else "-.inf"
        return repr(v)
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, type) and issubclass(value, (Policy, Predictor)):
        return json.dumps(_component_name(value))
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_yaml(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot use {type(value).__name__} as a config value")


def _overrides(keys: dict) -> list[str]:
    out = []

    def walk(prefix, value):
        if isinstance(value, dict) and value:
            for k, v in value.items():
                walk(f"{prefix}.{k}", v)
        else:
            out.append(f"{prefix}={_yaml(value)}")

    for k, v in keys.items():
        walk(k, v)
    return out


def _resolve(config, scenario, keys: dict):
    """(Config handle, preloaded ProfileSet or None) from the run()/sweep() arguments."""
    keys = dict(keys)
    if isinstance(scenario, dict):  # the YAML `scenario:` block, not a scenario name
        keys["scenario"] = scenario
        scenario = None
    if scenario is not None and config is not None:
        raise TypeError("give either a config or a scenario, not both")
    for k in ("policy", "predictor"):
        if isinstance(keys.get(k), type):
            keys[k] = _register_class(keys[k])
    sweep_keys = keys.get("sweep")
    if isinstance(sweep_keys, dict):
        sweep_keys = dict(sweep_keys)
        for k in ("policies", "predictors"):
            if k in sweep_keys:
                sweep_keys[k] = [_register_class(v) if isinstance(v, type) else v
                                 for v in sweep_keys[k]]
        keys["sweep"] = sweep_keys
    profiles = None
    if isinstance(keys.get("profiles"), ProfileSet):
        profiles = keys["profiles"]
        keys["profiles"] = profiles.path
    if scenario is not None:
        file, base = str(_dysta._scenario_path(scenario)), []
    elif isinstance(config, Config):
        file, base = config.file, list(config.overrides)
    elif config is None:
        file, base = "", []
    else:
        file, base = os.fspath(config), []
    return _dysta._load_config(file, base + _overrides(keys)), profiles


def load_config(config=None, **keys) -> Config:
    """A YAML config (default: the paper-cnn scenario), or an existing Config, with overrides."""
    return _resolve(config, None, keys)[0]


def load_scenario(name: str, **keys) -> Config:
    """A benchmark scenario's config (data/benchmark/scenarios/<name>.yaml) with overrides."""
    return _resolve(None, name, keys)[0]


# ---------------------------------------------------------------------------------------------
# Profile sets and request streams.

def load_profiles(path, config: Config | None = None) -> ProfileSet:
    """Loads a profile folder or file (Sanger constants from `config`, else the defaults)."""
    return _dysta._load_profiles(os.fspath(path), config)


_CACHE_SIZE = 4
_profile_cache: dict = {}  # (path, sanger constants, files' names/sizes/mtimes) -> ProfileSet


def _files_signature(path: str):
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith(".csv"))
        files = [os.path.join(path, n) for n in names]
    else:
        files = [path]
    out = []
    for f in files:
        st = os.stat(f)
        out.append((f, st.st_size, st.st_mtime_ns))
    return tuple(out)


def _config_profiles(handle: Config) -> ProfileSet:
    """The config's profile set, reused while its files are unchanged (the last few sets stay
    loaded: loading the benchmark's sets takes ~0.1 s, a run of 1000 requests a few ms)."""
    try:
        key = (os.path.abspath(handle.profiles), tuple(sorted(handle.sanger.items())),
               _files_signature(handle.profiles))
    except OSError:
        return load_profiles(handle.profiles, handle)  # let the loader report it
    hit = _profile_cache.pop(key, None)
    if hit is None:
        hit = load_profiles(handle.profiles, handle)
    _profile_cache[key] = hit  # most recent last
    while len(_profile_cache) > _CACHE_SIZE:
        _profile_cache.pop(next(iter(_profile_cache)))
    return hit


def _models_frame(self) -> pd.DataFrame:
    return pd.DataFrame(self._models())


ProfileSet.models = property(_models_frame, doc="one row per model variant")


def generate_stream(config=None, *, scenario=None, profiles: ProfileSet | None = None,
                    **keys) -> Stream:
    """The Poisson stream `dysta run` would simulate for this config (workload.* keys)."""
    if profiles is not None:
        keys["profiles"] = profiles
    handle, preloaded = _resolve(config, scenario, keys)
    if preloaded is None:
        preloaded = _config_profiles(handle)
    return _dysta._generate_stream(handle, preloaded)


def read_trace(path, profiles: ProfileSet) -> Stream:
    """A trace CSV (arrival_s,model,sample,priority,slo_multiplier) over `profiles`."""
    return _dysta._read_trace(os.fspath(path), profiles)


def _stream_frame(self) -> pd.DataFrame:
    c = self._columns()
    return pd.DataFrame({
        "arrival_s": c["arrival_s"],
        "model": pd.Categorical.from_codes(c["model"], c["models"]),
        "sample": c["sample"],
        "priority": c["priority"],
        "slo_multiplier": c["slo_multiplier"],
        "deadline_s": c["deadline_s"],
    })


Stream.frame = property(_stream_frame, doc="the requests as a DataFrame (trace columns + deadline)")


# ---------------------------------------------------------------------------------------------
# Runs.

REQUEST_COLUMNS = ["request", "arrival_s", "model", "architecture", "sample", "priority",
                   "slo_multiplier", "deadline_s", "first_start_s", "finish_s", "turnaround_s",
                   "isolated_s", "normalized_turnaround", "violated"]


class Result:
    """One run: ``summary`` (metrics dict, summary.json's "metrics"), ``requests`` (DataFrame,
    the columns of requests.csv), ``decisions`` and ``timeline`` (DataFrames, when asked for)."""

    def __init__(self, raw):
        self._raw = raw
        self.summary = json.loads(raw.metrics_json())
        self.config = raw.config

    @functools.cached_property
    def requests(self) -> pd.DataFrame:
        c = self._raw._request_columns()
        frame = {}
        for name in REQUEST_COLUMNS:
            if name == "model":
                frame[name] = pd.Categorical.from_codes(c["model"], c["models"])
            elif name == "architecture":
                frame[name] = pd.Categorical.from_codes(c["architecture"], c["architectures"])
            elif name == "violated":
                frame[name] = c["violated"].view(np.bool_)
            else:
                frame[name] = c[name]
        return pd.DataFrame(frame)

    @property
    def stream(self) -> Stream:
        """The request stream that was simulated."""
        return self._raw.stream

    @functools.cached_property
    def decisions(self) -> pd.DataFrame | None:
        """One row per candidate per decision (run(..., decisions=True)); docs/workflow.md."""
        csv = self._raw.decisions_csv()
        if csv is None:
            return None
        return pd.read_csv(io.StringIO(csv), float_precision="round_trip")

    @functools.cached_property
    def timeline(self) -> pd.DataFrame | None:
        """One row per executed layer (run(..., timeline=True)): request, model, layer,
        start_s, end_s."""
        c = self._raw._timeline_columns()
        if c is None:
            return None
        models = self._raw.profiles.names
        return pd.DataFrame({
            "request": c["request"],
            "model": pd.Categorical.from_codes(c["model"], models),
            "layer": c["layer"],
            "start_s": c["start_s"],
            "end_s": c["end_s"],
        })

    def timeline_json(self) -> str | None:
        """The Chrome trace `dysta run --timeline` writes (open it in ui.perfetto.dev)."""
        return self._raw.timeline_json()

    def summary_json(self) -> str:
        """summary.json as `dysta run` writes it."""
        return self._raw.summary_json()

    def save(self, path) -> None:
        """Writes the folder `dysta run --out` writes (summary.json, requests.csv, trace.csv,
        config.yaml), atomically."""
        self._raw.save(os.fspath(path))

    def __repr__(self):
        s = self.summary
        return (f"<dysta.Result {self.config.policy}: {s['requests']} requests, "
                f"violation rate {s['slo_violation_rate']:.4f}, ANTT {s['antt']:.4f}>")


def run(config=None, *, scenario: str | None = None, stream: Stream | None = None,
        decisions: bool = False, timeline: bool = False, timeline_tracks: str = "request",
        out=None, **keys) -> Result:
    """Simulates one workload under one policy, as `dysta run`.

    config: a YAML path or a Config (default: the paper-cnn scenario); scenario: a benchmark
    scenario name instead; keys: config keys (``policy="sjf"``, ``workload={"rate": 60}``);
    ``profiles`` may be a loaded ProfileSet; a policy or predictor may be a Policy/Predictor
    subclass (registered on the fly). stream: simulate these requests instead of generating
    them. out: also write the CLI's output folder there.
    """
    if out is not None:
        keys["output"] = os.fspath(out)  # as `--out`: config.yaml records it
    handle, profiles = _resolve(config, scenario, keys)
    if stream is not None and profiles is None:
        profiles = stream.profiles
    if profiles is None:
        profiles = _config_profiles(handle)
    result = Result(_dysta._run(handle, profiles, stream, decisions, timeline, timeline_tracks))
    if out is not None:
        result.save(out)
    return result


# ---------------------------------------------------------------------------------------------
# Sweeps.

_SWEEP_TEXT = ["profiles", "semantics", "policy", "policy_params", "predictor",
               "predictor_params", "label", "group", "key"]
_SWEEP_INT = ["seed", "requests", "violations", "max_ready_tasks", "decisions", "layers_executed"]


def _sweep_frame(csv: str) -> pd.DataFrame:
    dtype = {c: str for c in _SWEEP_TEXT}
    dtype.update({c: np.int64 for c in _SWEEP_INT})
    return pd.read_csv(io.StringIO(csv), dtype=dtype, keep_default_na=False, na_values=["nan"],
                       float_precision="round_trip")


def sweep(config=None, *, scenario: str | None = None, threads: int | None = None, out=None,
          force: bool = False, requests_csv: bool = True, **keys) -> pd.DataFrame:
    """Runs the config's sweep section, as `dysta sweep --csv`: one row per point, the columns
    of the CLI's merged table (docs/workflow.md). ``.attrs["table"]`` holds the artifact-style
    text table.

    The GIL is released while built-in policies run (on `threads` threads; default
    sweep.threads, 0 = all cores). Points of policies or predictors written in Python run one
    after another on the calling thread, at the same time as the others. With `out`, writes
    what `dysta sweep --out` writes (resumable point folders, results.csv, ...).
    """
    if out is not None:
        keys["output"] = os.fspath(out)
    handle, _ = _resolve(config, scenario, keys)
    csv, table = _dysta._sweep(handle, threads, "" if out is None else os.fspath(out), force,
                               requests_csv)
    frame = _sweep_frame(csv)
    frame.attrs["table"] = table
    return frame


# ---------------------------------------------------------------------------------------------
# Catalogue.

def policies() -> pd.DataFrame:
    """Registered policies (built-in and Python) with their parameters and defaults."""
    rows = [{"name": n, "description": d, "pattern_aware": pa, "monitor": mo,
             "params": {p[0]: p[1] for p in ps}, "params_help": {p[0]: p[2] for p in ps},
             "python": py}
            for n, d, pa, mo, ps, py in _dysta._policies()]
    return pd.DataFrame(rows)


def predictors() -> pd.DataFrame:
    """Registered predictors (built-in and Python) with their parameters and defaults."""
    rows = [{"name": n, "description": d, "params": {p[0]: p[1] for p in ps},
             "params_help": {p[0]: p[2] for p in ps}, "python": py}
            for n, d, ps, py in _dysta._predictors()]
    return pd.DataFrame(rows)


def scenarios() -> pd.DataFrame:
    """The benchmark scenarios (data/benchmark/scenarios): name, load, rate, models."""
    return pd.DataFrame(_dysta._scenarios())


# ---------------------------------------------------------------------------------------------
# Policies and predictors written in Python.

class Policy:
    """Base class of a scheduling policy written in Python.

    Implement ``select(self, ctx) -> int``: the index, into the ready tasks of `ctx` (a
    dysta.Decision, arrival order), of the task to run next. ``ctx.est_remaining_s`` and the
    other TaskView fields are numpy views of the engine's arrays (read-only, no copy), valid only
    during the call; ``ctx.token``/``ctx.aux`` are the policy's writeable per-task memory.

    Class attributes: ``name`` (default: the class name in lower case), ``description``,
    ``pattern_aware`` and ``monitor`` (the engine flags of policy.h: estimates from the variant's
    pattern averages; gamma updated by the sparsity monitor), ``params`` ({name: default} or
    {name: (default, help)}: accepted as policy_params and passed to __init__ as keywords).
    Optional: ``scores(self, ctx)`` -> one number per task for the decision log, with
    ``score_wins = "min"`` or ``"max"``; ``bind(self, profiles)`` called at the start of each run.
    """

    name: str | None = None
    description: str = ""
    pattern_aware: bool = False
    monitor: bool = False
    params: dict = {}

    def __init__(self, **params):
        for k, v in params.items():
            setattr(self, k, v)

    def select(self, ctx: Decision) -> int:
        raise NotImplementedError


class Predictor:
    """Base class of a latency predictor of the sparsity monitor written in Python.

    Implement ``observe(self, state, variant, layer, sparsity) -> gamma``: called after every
    executed layer of a task, in layer order, with that layer's measured sparsity (fraction of
    zeros); `state` (dysta.PredictorState: sum, count, window) is the task's memory, zero at
    admission. ``bind(self, profiles)``, if defined, receives the run's ProfileSet (valid during
    the run only). Class attributes as for Policy.
    """

    name: str | None = None
    description: str = ""
    params: dict = {}

    def __init__(self, **params):
        for k, v in params.items():
            setattr(self, k, v)

    def observe(self, state: PredictorState, variant: int, layer: int, sparsity: float) -> float:
        raise NotImplementedError


def _component_name(cls) -> str:
    return cls.name or cls.__name__.lower()


def _param_list(params: dict):
    out = []
    for k, v in params.items():
        default, help_text = v if isinstance(v, tuple) else (v, "")
        out.append((k, float(default), help_text))
    return out


def _register_class(cls) -> str:
    if issubclass(cls, Policy):
        register_policy(cls)
        return _component_name(cls)
    if issubclass(cls, Predictor):
        register_predictor(cls)
        return _component_name(cls)
    raise TypeError(f"{cls.__name__} is neither a dysta.Policy nor a dysta.Predictor")


def register_policy(cls=None, *, name: str | None = None):
    """Registers a Policy subclass by name (usable as a decorator), so that ``policy=name`` and
    sweeps (``sweep={"policies": [name, "dysta"]}``) find it. Registering a name again replaces
    it; built-in names are refused. Returns the class."""
    if cls is None:
        def decorate(c):
            register_policy(c, name=name)
            return c
        return decorate
    if not (isinstance(cls, type) and issubclass(cls, Policy)):
        raise TypeError("register_policy() takes a dysta.Policy subclass")
    if name is not None:
        cls.name = name
    name = _component_name(cls)
    _dysta._register_policy(name, cls.description or (cls.__doc__ or "").strip().split("\n")[0],
                            bool(cls.pattern_aware), bool(cls.monitor), _param_list(cls.params))
    _registry.POLICIES[name] = lambda params, semantics: cls(**params)
    return cls


def register_predictor(cls=None, *, name: str | None = None):
    """Registers a Predictor subclass by name (as register_policy). Returns the class."""
    if cls is None:
        def decorate(c):
            register_predictor(c, name=name)
            return c
        return decorate
    if not (isinstance(cls, type) and issubclass(cls, Predictor)):
        raise TypeError("register_predictor() takes a dysta.Predictor subclass")
    if name is not None:
        cls.name = name
    name = _component_name(cls)

    def make(profiles, params, semantics):
        p = cls(**params)
        if hasattr(p, "bind"):
            p.bind(profiles)
        return p

    _dysta._register_predictor(name, cls.description or (cls.__doc__ or "").strip().split("\n")[0],
                               _param_list(cls.params))
    _registry.PREDICTORS[name] = make
    return cls


def make_policy(name: str, semantics: str = "corrected", **params) -> PolicyHandle:
    """A registered policy (built-in or Python) to call from Python: ``.select(ctx)``,
    ``.scores(ctx)``; ctx = dysta.Decision(tasks, now_s) with tasks of dtype TASK_DTYPE."""
    return _dysta._make_policy(name, {k: float(v) for k, v in params.items()}, semantics)


def make_predictor(name: str, profiles: ProfileSet, semantics: str = "corrected",
                   **params) -> PredictorHandle:
    """A registered predictor to call from Python: ``.observe(state, variant, layer, s)``."""
    return _dysta._make_predictor(name, profiles, {k: float(v) for k, v in params.items()},
                                  semantics)
