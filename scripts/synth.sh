#!/usr/bin/env bash
# Open-tool cost estimate of the Dysta hardware scheduler (docs/hardware.md, "Cost"): Yosys
# synth_xilinx (7-series cells, no I/O buffers) for the configurations the paper swept, plus
# Yosys' static timing of the mapped netlist (cell delays only, no placement or routing).
# "slice LUTs" = logic LUTs (inverters included: Yosys maps them to LUT1) + LUTs used as
# distributed RAM or shift registers, the quantity Vivado reports as "Slice LUTs".
# These are estimates from open tools, not Vivado place-and-route results.
#
# Usage: bash scripts/synth.sh [out-dir] [jobs]     (default build/synth, 2 parallel runs)
#        ONLY="q9_fp16_shared ..." bash scripts/synth.sh [out-dir] [jobs]  (just these configs)
#        TABLE_ONLY=1 bash scripts/synth.sh [out-dir]  (tabulate the runs already in out-dir)
# Writes <out-dir>/<config>/{stat.txt,sta.txt,yosys.log} and <out-dir>/table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build/synth}
JOBS=${2:-2}
command -v yosys >/dev/null || { echo "yosys not found (apt-get install yosys)" >&2; exit 2; }
mapfile -t RTL < <(sed 's|^|rtl/|' rtl/sources.f)
# name QUEUE_BITS SCORE_W SHARED
CONFIGS=(
  "q6_fp32_separate 6 32 0" "q6_fp32_shared 6 32 1" "q6_fp16_shared 6 16 1" "q6_fp16_separate 6 16 0"
  "q9_fp32_separate 9 32 0" "q9_fp32_shared 9 32 1" "q9_fp16_shared 9 16 1" "q9_fp16_separate 9 16 0"
)

if [ -n "${ONLY:-}" ]; then  # ONLY="name ..." synthesises just these configurations
  picked=()
  for cfg in "${CONFIGS[@]}"; do
    [[ " $ONLY " == *" ${cfg%% *} "* ]] && picked+=("$cfg")
  done
  CONFIGS=("${picked[@]}")
fi

run_one() {
  local name=$1 q=$2 w=$3 s=$4 dir="$OUT/$1"
  mkdir -p "$dir"
  cat >"$dir/synth.ys" <<YS
read_verilog -sv ${RTL[*]}
chparam -set QUEUE_BITS $q -set SCORE_W $w -set SHARED $s dysta_scheduler
synth_xilinx -family xc7 -top dysta_scheduler -flatten -noiopad -noclkbuf
tee -o $dir/stat.txt stat
read_verilog -lib -specify +/xilinx/cells_sim.v
tee -o $dir/sta.txt sta
YS
  yosys -q -l "$dir/yosys.log" "$dir/synth.ys" >/dev/null 2>&1
  echo "synthesised $name"
}
if [ "${TABLE_ONLY:-0}" = 1 ]; then  # tabulate the configurations already synthesised in OUT
  done_cfgs=()
  for cfg in "${CONFIGS[@]}"; do
    [ -f "$OUT/${cfg%% *}/sta.txt" ] && done_cfgs+=("$cfg")
  done
  CONFIGS=("${done_cfgs[@]}")
fi
pids=()
for cfg in "${CONFIGS[@]}"; do
  [ "${TABLE_ONLY:-0}" = 1 ] && continue
  # shellcheck disable=SC2086
  run_one $cfg &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 1; done
done
[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"

count() {  # count <stat.txt> <cell regex>
  awk -v re="$2" '$1 ~ "^(" re ")$" {n += $2} END {print n + 0}' "$1"
}
{
  echo "| config | queue | score | units | LUT (logic) | LUT as RAM/SRL | slice LUTs | FF | DSP48E1 | BRAM36 eq. | logic delay (ns) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for cfg in "${CONFIGS[@]}"; do
    read -r name q w s <<<"$cfg"
    st="$OUT/$name/stat.txt"
    lut=$(count "$st" "LUT[1-6]")
    lutram=$(awk '$1 ~ /^RAM(32M|64M|128X1D|256X1D|32X1D|64X1D|32X1S|64X1S|128X1S|256X1S)$/ {
      n += $2 * ($1 ~ /M$/ ? 4 : ($1 ~ /128|256/ ? ($1 ~ /256/ ? 8 : 4) : ($1 ~ /X1D$/ ? 2 : 1)))}
      END {print n + 0}' "$st")
    srl=$(count "$st" "SRL16E|SRLC32E|SRLC16E")
    lutmem=$((lutram + srl))
    slice=$((lut + lutmem))
    ff=$(count "$st" "FDRE|FDSE|FDCE|FDPE")
    dsp=$(count "$st" "DSP48E1")
    b36=$(count "$st" "RAMB36E1")
    b18=$(count "$st" "RAMB18E1")
    bram=$(awk -v a="$b36" -v b="$b18" 'BEGIN {printf "%g", a + b / 2}')
    delay=$(awk '/Latest arrival time/ {gsub(":", "", $NF); printf "%.1f", $NF / 1000}' \
      "$OUT/$name/sta.txt")
    units=$([ "$s" = 1 ] && echo shared || echo separate)
    echo "| $name | $((1 << q)) | FP$w | $units | $lut | $lutmem | $slice | $ff | $dsp | $bram | $delay |"
  done
} >"$OUT/table.md"
cat "$OUT/table.md"
