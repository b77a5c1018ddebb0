"""Shared helpers of the dysta Python tests (run by CTest: python/CMakeLists.txt sets
PYTHONPATH to the build tree's package and DYSTA_CLI to the CLI built beside it)."""

import os
import pathlib
import subprocess

import pytest

CLI = os.environ.get("DYSTA_CLI", "")
SOURCE = pathlib.Path(os.environ.get("DYSTA_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))


def run_cli(*args, cwd=None, check=True):
    """Runs the dysta CLI; returns the CompletedProcess (text)."""
    if not CLI:
        pytest.skip("DYSTA_CLI not set (run through ctest)")
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd)
    if check and p.returncode != 0:
        raise AssertionError(f"dysta {' '.join(map(str, args))} failed ({p.returncode}):\n"
                             f"{p.stderr}")
    return p


def cli_error(*args) -> str:
    """The one-line message of a CLI input error (without the "dysta: error: " prefix)."""
    p = run_cli(*args, check=False)
    assert p.returncode == 2, p.stderr
    line = p.stderr.strip().splitlines()[-1]
    prefix = "dysta: error: "
    assert line.startswith(prefix), line
    return line[len(prefix):]
