#!/usr/bin/env bash
# Bounded model checking of the scheduler's control (docs/hardware.md, "Verification"): the
# SystemVerilog assertions of dysta_scheduler.sv (`ifdef DYSTA_PROPS) are proven for every input
# sequence up to DEPTH cycles after reset, with Yosys' SMT flow (yosys-smtbmc + z3). The score
# is a free value every cycle (DYSTA_BMC), so the float datapath drops out and every comparison
# outcome is explored, and its latencies are cut to one cycle (score pipeline 12 stages, RATE 6
# cycles) so that a whole round fits the bound; the configuration is small (4 requests, 2 x 2
# tables, FP16, 16-bit cycle counters).
# Then the cover statements are reached (the assertions are not vacuous).
#
# Usage: rtl/formal/bmc.sh [work-dir] [depth]      (default build/formal, 40)
# Exit status 0 if no assertion fails within the bound and every cover is reached; 77 if a tool
# is missing (CTest reports SKIPPED).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-../build/formal}
DEPTH=${2:-40}
for tool in yosys yosys-smtbmc z3; do
  command -v "$tool" >/dev/null || { echo "$tool not found: BMC SKIPPED"; exit 77; }
done
mkdir -p "$OUT"
mapfile -t files < sources.f
yosys -q -l "$OUT/yosys.log" -p "
read_verilog -sv -formal -D DYSTA_PROPS -D DYSTA_BMC ${files[*]}
chparam -set QUEUE_BITS 2 -set SLOT_BITS 1 -set LAYER_BITS 1 -set SCORE_W 16 -set NNZ_W 4 -set TIME_W 16 dysta_scheduler
prep -flatten -top dysta_scheduler
memory_map
opt -fast
async2sync
dffunmap
write_smt2 -wires $OUT/scheduler.smt2"
echo "BMC: assertions, $DEPTH cycles"
yosys-smtbmc -s z3 --logic QF_BV --unroll -t "$DEPTH" "$OUT/scheduler.smt2" >"$OUT/bmc.log" 2>&1 || {
  tr '\r' '\n' <"$OUT/bmc.log" | grep -v seconds | tail -20
  exit 1
}
tr '\r' '\n' <"$OUT/bmc.log" | grep -E "Status" | sed 's/.*##/##/' | tail -1
echo "BMC: covers"
yosys-smtbmc -s z3 --logic QF_BV --unroll -c -t "$DEPTH" "$OUT/scheduler.smt2" >"$OUT/cover.log" 2>&1 || {
  tr '\r' '\n' <"$OUT/cover.log" | grep -v seconds | tail -20
  exit 1
}
tr '\r' '\n' <"$OUT/cover.log" | grep -E "Reached cover|Status" | sed 's/.*##/##/' | tail -4
