#!/usr/bin/env python3
"""Parses every shipped artifact-format CSV of a benchmark folder with pandas' default CSV parser
and with Python's float() (correctly rounded, as strtod) and fails on any cell where they differ
(docs/benchmark.md, "Artifact format"). Usage: artifact_csv_parsers.py BENCHMARK_DIR.
Exit 0: identical; 1: differences (listed); 77: pandas missing (CTest skip)."""
import csv
import pathlib
import sys

try:
    import pandas
except ImportError:
    print("python3-pandas is not installed (scripts/setup.sh installs it)")
    sys.exit(77)


def main(root):
    profiles = pathlib.Path(root) / "profiles"
    files = sorted(p for d in profiles.iterdir()
                   if d.is_dir() and (d.name.startswith("eyerissv2") or d.name == "sanger-artifact")
                   for p in d.glob("*.csv"))
    if not files:
        print(f"no artifact-format CSV under {profiles}")
        return 1
    cells = differ = 0
    for path in files:
        frame = pandas.read_csv(path)
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        if list(frame.columns) != header or len(frame) != len(body):
            print(f"{path}: pandas sees {frame.shape}, csv {len(body)} rows")
            return 1
        for j, name in enumerate(header):
            column = frame[name].tolist()
            for i, row in enumerate(body):
                if row[j] == "":
                    continue
                cells += 1
                exact = float(row[j])
                if column[i] != exact:
                    differ += 1
                    if differ <= 10:
                        print(f"{path}:{i + 2}: {name} '{row[j]}': pandas {column[i]!r}, "
                              f"strtod {exact!r}")
    print(f"{len(files)} files, {cells} cells, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
