#!/usr/bin/env python3
"""Writes the .npy masks of examples/profile/tiny.yaml (pure Python, deterministic).

masks/conv2_s0.npy   uint8 (8, 16, 16)   input-activation mask of tinycnn.conv2, sample 0
masks/attn1_s0.npy   bool  (2, 64, 64)   kept attention entries of tinybert.attn1, sample 0
masks/attn1_s1.npy   float32 (2, 64, 64) post-softmax probabilities of tinybert.attn1, sample 1
"""
import math
import os
import struct


def write_npy(path, descr, shape, payload):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(payload)


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "masks")
    os.makedirs(here, exist_ok=True)
    # ReLU output: about 60% non-zero, in blobs.
    act = bytes(1 if (c * 7 + (h // 3) * 5 + (w // 2) * 3) % 5 < 3 else 0
                for c in range(8) for h in range(16) for w in range(16))
    write_npy(os.path.join(here, "conv2_s0.npy"), "|u1", (8, 16, 16), act)
    # Local attention: a band of width 5 around the diagonal plus a global first token.
    band = bytes(1 if abs(i - j) <= 4 - h or j == 0 else 0
                 for h in range(2) for i in range(64) for j in range(64))
    write_npy(os.path.join(here, "attn1_s0.npy"), "|b1", (2, 64, 64), band)
    # Probabilities decaying with distance, normalised over the 50 valid keys of each row.
    probs = []
    for h in range(2):
        for i in range(64):
            w = [math.exp(-abs(i - j) / (3.0 + h)) if j < 50 else 0.0 for j in range(64)]
            total = sum(w)
            probs.extend(x / total for x in w)
    write_npy(os.path.join(here, "attn1_s1.npy"), "<f4", (2, 64, 64),
              struct.pack("<%df" % len(probs), *probs))


if __name__ == "__main__":
    main()
