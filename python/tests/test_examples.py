"""The Python examples (examples/python/) run, at reduced sizes, and the notebook executes
(Debian's python3-nbclient) and draws its plots."""

import os
import subprocess
import sys

import pytest

from conftest import SOURCE

EXAMPLES = SOURCE / "examples" / "python"


def run_example(name, *args, cwd):
    p = subprocess.run([sys.executable, EXAMPLES / name, *map(str, args)], capture_output=True,
                       text=True, cwd=cwd, env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_fig15_example_is_short_and_draws_the_figure(tmp_path):
    assert len((EXAMPLES / "fig15.py").read_text().splitlines()) < 30
    out = run_example("fig15.py", tmp_path / "fig15.png", 60, cwd=tmp_path)
    assert (tmp_path / "fig15.png").stat().st_size > 10_000
    assert "dysta" in out and "fcfs" in out


def test_edf_example(tmp_path):
    out = run_example("edf.py", 60, cwd=tmp_path)
    assert "edf" in out and "least_slack" in out and "operating points" in out


def test_decision_cost_example(tmp_path):
    out = run_example("decision_cost.py", 100, 1, cwd=tmp_path)
    assert "ns per decision" in out and "ns per call" in out


def test_notebook_executes(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    os.environ.pop("MPLBACKEND", None)  # the kernel draws inline
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) >= 2
    assert (tmp_path / "notebook_ntt_cdf.png").exists()
