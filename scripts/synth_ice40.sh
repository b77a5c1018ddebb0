#!/usr/bin/env bash
# Routed timing of the Dysta hardware scheduler on a Lattice iCE40 with Debian's open flow
# (docs/hardware.md, "Cost"): Yosys synth_ice40, nextpnr-ice40 place and route, icetime static
# timing of the routed design. The scheduler sits in a pin-limited wrapper
# (rtl/fpga/dysta_ice40_top.sv).
#
# Usage: bash scripts/synth_ice40.sh [out-dir] [device] [QUEUE_BITS SLOT_BITS LAYER_BITS SCORE_W SHARED TIME_W]
#   defaults 3 4 6 16 1 32: the FP16 datapath with shared units fills most of an HX8K (at 64
#   requests and 48-bit time it needs 7785 logic cells of 7680)
#   device: hx8k (default; no DSPs, multipliers in logic) or up5k (SB_MAC16 DSPs)
# Writes <out-dir>/{yosys.log,nextpnr.log,icetime.txt,summary.txt}.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build/ice40}
DEV=${2:-hx8k}
Q=${3:-3} S=${4:-4} L=${5:-6} W=${6:-16} SH=${7:-1} T=${8:-32}
for tool in yosys nextpnr-ice40 icetime; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install yosys nextpnr-ice40 fpga-icestorm)" >&2; exit 2; }
done
mkdir -p "$OUT"
mapfile -t RTL < <(sed 's|^|rtl/|' rtl/sources.f)
case $DEV in
  hx8k) DSP=""; PNR="--hx8k --package ct256"; TDEV="hx8k"; TPKG="ct256" ;;
  up5k) DSP="-dsp"; PNR="--up5k --package sg48"; TDEV="up5k"; TPKG="sg48" ;;
  *) echo "device must be hx8k or up5k" >&2; exit 2 ;;
esac
yosys -q -l "$OUT/yosys.log" -p "
read_verilog -sv ${RTL[*]} rtl/fpga/dysta_ice40_top.sv
chparam -set QUEUE_BITS $Q -set SLOT_BITS $S -set LAYER_BITS $L -set SCORE_W $W -set SHARED $SH -set TIME_W $T dysta_ice40_top
synth_ice40 -top dysta_ice40_top $DSP -json $OUT/design.json
tee -o $OUT/stat.txt stat" >/dev/null
# shellcheck disable=SC2086
nextpnr-ice40 $PNR --json "$OUT/design.json" --asc "$OUT/design.asc" --freq 60 --seed 1 \
  --pcf-allow-unconstrained --timing-allow-fail >"$OUT/nextpnr.log" 2>&1 || { tail -20 "$OUT/nextpnr.log"; exit 1; }
icetime -d "$TDEV" -P "$TPKG" -t "$OUT/design.asc" >"$OUT/icetime.txt" 2>&1 || true
{
  echo "device $DEV  QUEUE_BITS $Q SLOT_BITS $S LAYER_BITS $L SCORE_W $W SHARED $SH TIME_W $T"
  grep -E "ICESTORM_LC:|ICESTORM_RAM:|ICESTORM_DSP:|SB_IO:" "$OUT/nextpnr.log" | tail -4
  grep -E "Max frequency for clock" "$OUT/nextpnr.log" | tail -1
  grep -E "Total path delay|MHz" "$OUT/icetime.txt" | tail -2
} | tee "$OUT/summary.txt"
