#!/usr/bin/env python3
"""Regenerates fuzz/corpus/<target>/ (the seed corpus of the fuzz targets) from the repo's data.

Usage: python3 fuzz/make_seed_corpus.py   (run from the repository root)
Seeds are kept small (a few KB): excerpts of the shipped profiles, the example and scenario
configs, and tiny hand-encoded ONNX / tfjs / npy / PNG files.
"""
import glob, json, os, struct, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def head(path, lines):
    with open(os.path.join(ROOT, path)) as f:
        return "".join(f.readlines()[:lines])


# Profiles: '!' = the whole file, header included (fuzz_profile.h).
for p in sorted(glob.glob(os.path.join(ROOT, "data/synthetic/eyerissv2/*.csv")))[:2]:
    put("profile_eyeriss", os.path.basename(p), "!" + head(p, 30))
for p in sorted(glob.glob(os.path.join(ROOT, "data/synthetic/sanger/*.csv")))[:2]:
    put("profile_sanger", os.path.basename(p), "!" + head(p, 30))
native = sorted(glob.glob(os.path.join(ROOT, "examples/profile/*.csv")))
put("profile_native", "small.csv",
    "!model,pattern,sample,layer,latency_s,sparsity\n"
    "a,,0,0,0.001,0.5\na,,0,1,0.002,0.25\na,,3,0,0.003,0.5\na,,3,1,0.001,0\n"
    "b,x,7,0,0.010,0.9\nb,x,7,1,0.020,0.1\n")
put("profile_native", "rows.csv", "m,p,0,0,1e-3,0.5\nm,p,1,0,2e-3,0.25\n")

put("trace", "ok.csv", "0.0,a,0,1,10\n0.5,a,3,3,10\n1.25,b_x,7,9,2.5\n")
put("trace", "full.csv", "!arrival_s,model,sample,priority,slo_multiplier\n0,a,0,1,10\n")

for p in sorted(glob.glob(os.path.join(ROOT, "examples/*.yaml")) +
                glob.glob(os.path.join(ROOT, "data/benchmark/scenarios/*.yaml"))):
    text = open(p).read()
    put("config", os.path.basename(p), text)
    if "sweep" in text:
        put("sweep", os.path.basename(p), text)
put("sweep", "axes.yaml",
    "policy: dysta\nworkload: {requests: 20, priorities: [1, 3]}\n"
    "sweep:\n  policies: [fcfs, sjf, dysta]\n  rates: [10, 30]\n  seeds: [1, 2]\n"
    "  policy_params: {dysta: {beta: [0.01, 0.1]}}\n")

summary = {
    "key": "0123456789abcdef",
    "point": {"profiles": "p", "profiles_sha256": "00", "semantics": "corrected",
              "policy": "fcfs", "policy_params": {}, "predictor": "average",
              "predictor_params": {}, "seed": 1, "rate": 30, "earlier_rates": [],
              "slo_multiplier": 10, "requests": 10, "priorities": [1, 3, 9], "mix": {}},
    "metrics": {},
}
put("point_summary", "summary.json", json.dumps(summary))


# ONNX: protobuf wire format, the messages ONNX uses.
def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def fv(field, v):
    return varint(field << 3) + varint(v)


def fb(field, b):
    b = b.encode() if isinstance(b, str) else b
    return varint(field << 3 | 2) + varint(len(b)) + b


def tensor(name, dims, values):
    return (b"".join(fv(1, d) for d in dims) + fv(2, 1) + fb(8, name) +
            fb(9, struct.pack("<%df" % len(values), *values)))


def node(op, ins, out, attrs=()):
    return (b"".join(fb(1, i) for i in ins) + fb(2, out) + fb(3, out + "_n") + fb(4, op) +
            b"".join(fb(5, a) for a in attrs))


def ints_attr(name, vals):
    return fb(1, name) + fb(8, b"".join(varint(v) for v in vals)) + fv(20, 7)


graph = (fb(1, node("Conv", ["x", "W"], "c", [ints_attr("kernel_shape", [1, 1])])) +
         fb(1, node("Relu", ["c"], "y")) + fb(2, "g") + fb(5, tensor("W", [1, 1, 1, 1], [2.0])) +
         fb(11, fb(1, "x")) + fb(12, fb(1, "y")))
put("onnx", "conv_relu.onnx", fv(1, 8) + fb(8, fb(1, "") + fv(2, 13)) + fb(7, graph))
graph2 = (fb(1, node("MatMul", ["x", "M"], "y")) + fb(5, tensor("M", [2, 2], [1, 0, 0, 1])) +
          fb(11, fb(1, "x")) + fb(12, fb(1, "y")))
put("onnx", "matmul.onnx", fv(1, 8) + fb(8, fb(1, "") + fv(2, 13)) + fb(7, graph2))

# tfjs: model.json with a tiny functional model and a 16-byte shard (fuzz_tfjs.cpp).
layers = [
    {"class_name": "InputLayer", "name": "in",
     "config": {"batch_input_shape": [None, 2, 2, 1], "name": "in"}, "inbound_nodes": []},
    {"class_name": "Conv2D", "name": "conv",
     "config": {"name": "conv", "filters": 1, "kernel_size": [1, 1], "strides": [1, 1],
                "padding": "same", "activation": "relu", "use_bias": True,
                "dilation_rate": [1, 1], "data_format": "channels_last"},
     "inbound_nodes": [[["in", 0, 0, {}]]]},
]
model = {"modelTopology": {"class_name": "Model", "config": {
    "name": "m", "layers": layers, "input_layers": [["in", 0, 0]],
    "output_layers": [["conv", 0, 0]]}},
    "weightsManifest": [{"paths": ["group1-shard1of1"], "weights": [
        {"name": "conv/kernel", "shape": [1, 1, 1, 1], "dtype": "float32"},
        {"name": "conv/bias", "shape": [1], "dtype": "float32"},
        {"name": "q", "shape": [2], "dtype": "float32",
         "quantization": {"dtype": "uint8", "min": -1, "scale": 0.5}},
        {"name": "pad", "shape": [1], "dtype": "float32"}]}]}
put("tfjs", "model.json", json.dumps(model))

put("js_literal", "object.js", '{a:1,"b":[.5,-0,1e-3,!0,!1,null,void 0],c:\'s\',d:{e:[]}}')
put("js_literal", "base64.txt", "AAECAwQFBgc=")

# npy: version 1.0 headers.
def npy(descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


put("npy", "u1.npy", npy("|u1", "(2, 3)", bytes([0, 1, 1, 0, 0, 1])))
put("npy", "f8.npy", npy("<f8", "(3,)", struct.pack("<3d", 0.0, 0.5, 1.0)))
put("npy", "b1.npy", npy("|b1", "(4,)", bytes([1, 0, 0, 1])))


# PNG: 2x2 RGB, and 2x1 grey.
def png(w, h, colour, bpp, rows):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


put("image", "rgb.png", png(2, 2, 2, 3, [b"\xff\x00\x00\x00\xff\x00", b"\x00\x00\xff\xff\xff\xff"]))
put("image", "grey.png", png(2, 1, 0, 1, [b"\x10\xf0"]))
jpegs = sorted(glob.glob(os.path.expanduser("~/.cache/dysta/**/*.jpg"), recursive=True), key=os.path.getsize)
if jpegs and os.path.getsize(jpegs[0]) < 8192:
    put("image", "small.jpg", open(jpegs[0], "rb").read())
