#!/usr/bin/env python3
"""Mutation test of the RTL co-simulation (docs/hardware.md, "Verification").

Each mutant is one textual change of the RTL (a saturation, clamp, tie rule, protocol detail or
timing removed or altered). For each, the script copies rtl/, applies the change (which must match
exactly once, so a stale mutant fails the script instead of passing silently), verilates it with
the co-simulation bench (assertions on) for one small configuration, and runs a few workloads. A
mutant is killed when the co-simulation exits non-zero (a mismatch with the C++ model or a failed
assertion). The unmutated RTL goes through the same flow first and must pass.

Usage: mutation_test.py --verilator verilator --src <repo> --work <dir> [--workloads N] [--jobs J]
                        [--only name,name]
Exit status 0 only if the original passes and every mutant is killed; 77 if Verilator is missing.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import time

# Configuration: QUEUE_BITS, SLOT_BITS, LAYER_BITS, SCORE_W, SHARED, NNZ_W. Small enough that
# full queues, layer-index and counter saturation are reached in a few workloads.
CONFIG = dict(QUEUE_BITS=3, SLOT_BITS=2, LAYER_BITS=3, SCORE_W=16, SHARED=1, NNZ_W=8)

S = "dysta_scheduler.sv"
# name, file, original text, mutated text
MUTANTS = [
    ("no-wait-clamp", S, "    else if (wait_s < 0) wait_q <= '0;  // max(0, wait)\n", ""),
    ("no-slack-low-saturation", S,
     "    else if (slack_s < Q_MIN) slack_q <= QW'(Q_MIN);\n", ""),
    ("no-layer-saturation", S,
     "best_layer == {LAYER_BITS{1'b1}} ? best_layer : best_layer + 1'b1", "best_layer + 1'b1"),
    ("no-wait-high-saturation", S, "if (wait_s > Q_MAX) wait_q <= QW'(Q_MAX);",
     "if (1'b0) wait_q <= QW'(Q_MAX);"),
    ("no-slack-high-saturation", S, "if (slack_s > Q_MAX) slack_q <= QW'(Q_MAX);",
     "if (1'b0) slack_q <= QW'(Q_MAX);"),
    ("tie-to-later", S, "assign better = !best_valid || key_s < best_key;",
     "assign better = !best_valid || key_s <= best_key;"),
    ("no-urgency-clamp", S, "u_clamped <= u_u[SW-1] ? '0 : u_u;", "u_clamped <= u_u;"),
    ("no-nnz-saturation", S, "          nnz <= nnz_sum[NNZ_W] ? '1 : nnz_sum[NNZ_W-1:0];",
     "          nnz <= nnz_sum[NNZ_W-1:0];"),
    ("count-without-valid", S, "(npu_vld ? (NNZ_W + 1)'(beat_nz) : '0)",
     "(NNZ_W + 1)'(beat_nz)"),
    ("rate-reads-before-done-write", S, "if (rc == 4'(RL)) begin", "if (rc == 4'(RL - 1)) begin"),
    ("no-density-zero-rule", S, "r_dens[SW-2:M] == '0 ? FP_ONE : rate_m2_o", "rate_m2_o"),
    ("remove-one-too-many", S, "if ((QB + 1)'(rm_k) + 1'b1 < num) begin",
     "if ((QB + 1)'(rm_k) + 1'b1 <= num) begin"),
    ("recip-index-n", S, ".raddr(QB'(num - 1'b1))", ".raddr(QB'(num))"),
    ("no-duplicate-check", S, "num != (QB + 1)'(DEPTH) && !queued[f_id];",
     "num != (QB + 1)'(DEPTH);"),
    ("bad-code-not-flagged", S, "          default: err[2] <= 1'b1;", "          default: ;"),
    ("ready-in-rate", S, "assign host_cmd_ready = st == S_IDLE || st == S_EXE;",
     "assign host_cmd_ready = st == S_IDLE || st == S_EXE || st == S_RATE;"),
    ("out-dat-held-without-valid", S, "      out_dat <= npu_dat;",
     "      out_dat <= npu_vld ? npu_dat : out_dat;"),
    ("npu-layer-from-pipeline", S, "            npu_layer <= best_layer;",
     "            npu_layer <= ly_s;"),
    ("logical-time-shift", S, "slack_s = slack_d >>> time_shift;",
     "slack_s = $signed(slack_d >> time_shift);"),
    ("now-off-by-one", S, "now_snap <= sys_clk;", "now_snap <= sys_clk + 1'b1;"),
    ("last-exec-at-rate", S, "le_wd = done_clk;", "le_wd = sys_clk;"),
    ("round-ties-away", "dysta_fp_pack.sv", "up = guard && (sticky || kept[0]);", "up = guard;"),
    # Alignment range: operands 4..K exponents apart replaced by one sticky unit. (Replacing the
    # sticky unit itself by 0 is an equivalent mutant under round-to-nearest-even: a part below
    # the guard bit can never break a tie, so it is not in the list.)
    ("add-far-threshold", "dysta_fp_add.sv", "far1 <= x[E+M-1:M] - z[E+M-1:M] > E'(K);",
     "far1 <= x[E+M-1:M] - z[E+M-1:M] > E'(3);"),
]

MODEL_SOURCES = ["src/hardware/soft_float.cpp", "src/hardware/fixed_point.cpp",
                 "src/hardware/scheduler_model.cpp", "src/rng/py_random.cpp",
                 "src/util/error.cpp"]


def compile_flags(args):
    root = subprocess.run([args.verilator, "--getenv", "VERILATOR_ROOT"], stdout=subprocess.PIPE,
                          text=True, check=True).stdout.strip()
    flags = ["-std=c++20", "-O0", "-w", "-faligned-new", "-I" + os.path.join(root, "include"),
             "-I" + os.path.join(root, "include", "vltstd"),
             "-I" + os.path.join(args.src, "include"), "-I" + os.path.join(args.src, "src"),
             "-DVM_COVERAGE=0", "-DVM_SC=0", "-DVM_TRACE=0", "-DVM_TRACE_FST=0",
             "-DVM_TRACE_VCD=0"]
    flags += ["-DCOSIM_%s=%d" % (k, v) for k, v in CONFIG.items()]
    return root, flags


def build_common(args):
    """Compiles what every mutant shares once: Verilator's runtime and the C++ model."""
    root, flags = compile_flags(args)
    common = os.path.join(args.work, "common")
    os.makedirs(common, exist_ok=True)
    sources = [os.path.join(root, "include", f + ".cpp")
               for f in ("verilated", "verilated_dpi", "verilated_threads")]
    sources += [os.path.join(args.src, f) for f in MODEL_SOURCES]
    objects = [os.path.join(common, os.path.basename(f)[:-4] + ".o") for f in sources]
    procs = [subprocess.Popen([os.environ.get("CXX", "g++")] + flags + ["-c", src, "-o", obj])
             for src, obj in zip(sources, objects)]
    if any(p.wait() != 0 for p in procs):
        raise RuntimeError("compiling the shared objects failed")
    return objects


def build(args, name, rtl_dir, work):
    """Verilates rtl_dir and links it with the bench; returns the binary path."""
    files = [os.path.join(rtl_dir, f)
             for f in open(os.path.join(rtl_dir, "sources.f")).read().split()]
    mdir = os.path.join(work, "obj")
    cmd = [args.verilator, "--cc", "--prefix", "Vcosim", "--top-module", "dysta_scheduler",
           "-Mdir", mdir, "--assert", "+define+DYSTA_PROPS", "-Wno-fatal", "-Wno-lint",
           "-Wno-style"]
    cmd += ["-G%s=%d" % (k, v) for k, v in CONFIG.items()] + files
    log = os.path.join(work, "build.log")
    with open(log, "w") as out:
        r = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT)
        if r.returncode == 0:
            _, flags = compile_flags(args)
            generated = sorted(os.path.join(mdir, f) for f in os.listdir(mdir)
                               if f.startswith("Vcosim") and f.endswith(".cpp"))
            binary = os.path.join(mdir, "cosim")
            r = subprocess.run([os.environ.get("CXX", "g++")] + flags + ["-I" + mdir] +
                               generated + [os.path.join(args.src, "rtl/tb/cosim_main.cpp")] +
                               args.common + ["-o", binary, "-pthread", "-latomic"],
                               stdout=out, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError("%s: build failed, see %s" % (name, log))
    return binary


def run_one(args, mutant):
    name, path, old, new = mutant
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    rtl_dir = os.path.join(work, "rtl")
    shutil.copytree(os.path.join(args.src, "rtl"), rtl_dir,
                    ignore=shutil.ignore_patterns("tb", "tools", "formal"))
    if path:
        f = os.path.join(rtl_dir, path)
        text = open(f).read()
        if text.count(old) != 1:
            raise RuntimeError("%s: the original text occurs %d times in %s (stale mutant)"
                               % (name, text.count(old), path))
        open(f, "w").write(text.replace(old, new))
    t0 = time.time()
    binary = build(args, name, rtl_dir, work)
    r = subprocess.run([binary, "--workloads", str(args.workloads), "--no-coverage"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = [l for l in r.stdout.splitlines() if "MISMATCH" in l or "Assertion" in l or
             "%Error" in l or "FAIL" in l]
    return name, r.returncode, (lines[0] if lines else r.stdout.strip().splitlines()[-1]), \
        time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--verilator", default="verilator")
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--workloads", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    args.src = os.path.abspath(args.src)
    args.work = os.path.abspath(args.work)
    if not shutil.which(args.verilator):
        print("verilator not found: mutation test SKIPPED")
        return 77
    os.makedirs(args.work, exist_ok=True)
    args.common = build_common(args)
    mutants = MUTANTS
    if args.only:
        keep = set(args.only.split(","))
        mutants = [m for m in MUTANTS if m[0] in keep]
    name, rc, msg, secs = run_one(args, ("original", None, None, None))
    print("original RTL: %s (%.0f s)" % ("passes" if rc == 0 else "FAILS: " + msg, secs))
    if rc != 0:
        return 1
    survivors = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for name, rc, msg, secs in pool.map(lambda m: run_one(args, m), mutants):
            killed = rc != 0
            print("%-30s %s  %s (%.0f s)" % (name, "killed  " if killed else "SURVIVED", msg,
                                            secs))
            if not killed:
                survivors.append(name)
    print("mutation score: %d/%d killed" % (len(mutants) - len(survivors), len(mutants)))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
