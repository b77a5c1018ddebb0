"""dysta.sweep(): the CLI's table, its output folder, thread independence, the GIL released."""

import threading
import time

import pandas as pd

import dysta
from conftest import run_cli

AXES = ["--policies", "fcfs,sjf,dysta", "--rates", "40,70", "--seeds", "1,2", "--slos", "5,10",
        "--requests", "150"]
KEYS = {"sweep": {"policies": ["fcfs", "sjf", "dysta"], "rates": [40, 70], "seeds": [1, 2],
                  "slo_multipliers": [5, 10]},
        "workload": {"requests": 150}}


def test_sweep_frame_equals_the_cli_csv(tmp_path):
    csv = tmp_path / "cli.csv"
    csv.write_text(run_cli("sweep", "-q", "--csv", *AXES).stdout)
    cli = dysta._sweep_frame(csv.read_text())
    frame = dysta.sweep(**KEYS)
    assert len(frame) == 24
    pd.testing.assert_frame_equal(frame, cli)
    assert frame.dtypes["antt"] == "float64" and frame.dtypes["decisions"] == "int64"
    assert frame.dtypes["policy"] == object
    # The same table, independent of the thread count.
    pd.testing.assert_frame_equal(dysta.sweep(**KEYS, threads=1), frame)


def test_sweep_output_folder_equals_the_cli(tmp_path):
    # The same output folder for both (config.yaml records it).
    run_cli("sweep", "-q", *AXES, "--out", tmp_path / "out")
    (tmp_path / "out").rename(tmp_path / "cli")
    frame = dysta.sweep(**KEYS, out=tmp_path / "out")
    (tmp_path / "out").rename(tmp_path / "py")
    for name in ["results.csv", "table.txt", "summary.json", "config.yaml"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "py/points").iterdir()) == \
        sorted(p.name for p in (tmp_path / "cli/points").iterdir())
    # A rerun resumes: nothing to compute, same table.
    pd.testing.assert_frame_equal(dysta.sweep(**KEYS, out=tmp_path / "py"), frame)


def test_the_gil_is_released_during_a_sweep():
    # A sweep long enough to observe: the requests double until it lasts 0.3 s alone (the
    # policies keep getting faster).
    requests = 1500
    while True:
        keys = {"sweep": {"policies": ["dysta", "sdrm3", "prema"], "seeds": [1, 2, 3, 4],
                          "rates": [60], "slo_multipliers": [10]},
                "workload": {"requests": requests}}
        start = time.perf_counter()
        dysta.sweep(**keys, threads=1)
        alone = time.perf_counter() - start
        if alone > 0.3 or requests >= 96000:
            break
        requests *= 2
    assert alone > 0.3, "the sweep must last long enough to observe"

    done = threading.Event()
    result = {}

    def work():
        result["frame"] = dysta.sweep(**keys, threads=1)
        done.set()

    t = threading.Thread(target=work)
    ticks, last, longest = 0, time.perf_counter(), 0.0
    t.start()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
        ticks += 1
    t.join()
    # The main thread kept running all along. With the GIL held it would stop for the whole C++
    # part of the sweep (nearly all of `alone`); a quarter of it leaves room for the Python parts
    # of sweep(), the interpreter's 5 ms switch interval and the OS descheduling the thread on a
    # loaded machine (0.2 s seen with a load average of 20).
    assert longest < alone / 4, (longest, alone)
    assert ticks > 1000
    assert len(result["frame"]) == 12
