#!/usr/bin/env python3
"""Replaces the attention side of a shipped benchmark folder with that of a fresh attention-only
build, leaving the CNN side untouched (so the two sides can be regenerated independently):

  ./build/dysta benchmark build --no-cnn --threads 2 --out /tmp/attn
  python3 scripts/update-attention-benchmark.py /tmp/attn data/benchmark

Copies the Sanger profile sets, the attention files, README.md and the attention scenarios
(paper-attnn, datacentre; their provenance's inputs.csv hash is set to the target's), then
updates manifest.json: labels, packages, the attention section and the SHA-256 of every copied
file. `dysta benchmark check data/benchmark` verifies the result.

The fleet scenario `datacentre-fleet` mixes both sides (its rates come from the CNNs' and the
attention sets' latencies), so an attention-only build cannot write it: after the attention sets
change, regenerate the whole folder with scripts/make-benchmark.sh. This script says so when the
target has the fleet scenario and the sets it serves changed.
"""
import hashlib
import json
import os
import re
import shutil
import sys
from collections import OrderedDict

SCENARIOS = ["scenarios/paper-attnn.yaml", "scenarios/datacentre.yaml"]
FILES = ["attention-calibration.txt", "attention-heads.csv", "transformer-requests.csv",
         "text-lines.csv", "README.md"]


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main(src, dst):
    copied = list(FILES)
    for folder in ("profiles/sanger", "profiles/sanger-artifact"):
        for f in sorted(os.listdir(os.path.join(src, folder))):
            copied.append(f"{folder}/{f}")
    for rel in copied:
        os.makedirs(os.path.dirname(os.path.join(dst, rel)) or dst, exist_ok=True)
        shutil.copyfile(os.path.join(src, rel), os.path.join(dst, rel))
    inputs_sha = sha(os.path.join(dst, "inputs.csv"))
    for rel in SCENARIOS:
        text = open(os.path.join(src, rel), encoding="utf-8").read()
        text = re.sub(r"(file: \.\./inputs\.csv\n\s+sha256: )[0-9a-f]{64}", r"\g<1>" + inputs_sha, text)
        open(os.path.join(dst, rel), "w", encoding="utf-8").write(text)
        copied.append(rel)
    built = json.load(open(os.path.join(src, "manifest.json")), object_pairs_hook=OrderedDict)
    path = os.path.join(dst, "manifest.json")
    m = json.load(open(path), object_pairs_hook=OrderedDict)
    old_attention = m.get("attention")
    for key in ("labels", "packages", "attention"):
        m[key] = built[key]
    for rel in copied:
        m["files"][rel] = sha(os.path.join(dst, rel))
    m["files"] = OrderedDict(sorted(m["files"].items()))
    open(path, "w").write(json.dumps(m, indent=2, ensure_ascii=False) + "\n")
    print(f"update-attention-benchmark: {len(copied)} files updated in {dst}")
    fleet = os.path.join(dst, "scenarios", "datacentre-fleet.yaml")
    if os.path.exists(fleet) and m["attention"] != old_attention:
        print("update-attention-benchmark: scenarios/datacentre-fleet.yaml still has the old attention "
              "sets' rates: run scripts/make-benchmark.sh", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
