#!/usr/bin/env bash
# Feeds the dysta CLI a representative set of hostile inputs (profiles in every format, traces,
# configs, sweep files, point summaries, command-line values, special files) and counts outcomes
# (docs/robustness.md): "clear" = exit 2 with one line "dysta: error: ..." and no output folder;
# "accepted" = exit 0 on an input that must be rejected; "wrong" = exit 0 with non-finite
# metrics; "internal" = exit 1; "crash" = killed by a signal; "hang" = no exit within 20 s.
# Usage: bash scripts/hostile-inputs.sh [path/to/dysta]
set -uo pipefail
DYSTA=$(realpath "${1:-build/dysta}")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
H=model,pattern,sample,layer,latency_s,sparsity
printf '%s\na,,0,0,0.001,0.5\na,,0,1,0.002,0.25\na,,1,0,0.003,0.5\na,,1,1,0.001,0\nb,x,0,0,0.01,0.9\nb,x,0,1,0.02,0.1\n' "$H" > p.csv
mk() { printf '%b' "$2" > "$1"; }
mk n-huge.csv "$H\nm,,0,0,1e308,0.5\n"
mk n-neg.csv "$H\nm,,0,0,-1,0.5\n"
mk n-nan.csv "$H\nm,,0,0,nan,0.5\n"
mk n-inf.csv "$H\nm,,0,0,inf,0.5\n"
mk n-sp.csv "$H\nm,,0,0,0.1,1.5\n"
mk n-layer.csv "$H\nm,,0,99999999,0.1,0.5\n"
mk n-sample.csv "$H\nm,,99999999999999999999,0,0.1,0.5\n"
mk n-negsample.csv "$H\nm,,-1,0,0.1,0.5\n"
mk n-gap.csv "$H\nm,,0,0,0.1,0.5\nm,,0,2,0.1,0.5\n"
mk n-dup.csv "$H\nm,,0,0,0.1,0.5\nm,,0,0,0.1,0.5\n"
mk n-short.csv "$H\nm,,0,0,0.1\n"
mk n-long.csv "$H\nm,,0,0,0.1,0.5,9\n"
mk n-utf8.csv "$H\nm\xff,,0,0,0.1,0.5\n"
mk n-empty.csv ""
mk n-header.csv "$H\n"
mk n-quote.csv "$H\n\"m,,0,0,0.1,0.5\n"
mk n-nocol.csv "model,sample,layer\nm,0,0\n"
mk n-dupcol.csv "$H,model\nm,,0,0,0.1,0.5,m\n"
mk n-empty-model.csv "$H\n,,0,0,0.1,0.5\n"
mk n-layers-mismatch.csv "$H\nm,a,0,0,0.1,0.5\nm,b,0,0,0.1,0.5\nm,b,0,1,0.1,0.5\n"
mk n-binary.csv "\x00\x01\x02\xff\xfe"
SH=overall-sparsity,50%-skip,batch-indx,layer-indx
mk load_balance_tiny.csv "$SH\n0.5,1e-320,0,0\n"
mk load_balance_zero.csv "$SH\n0,0.5,0,0\n"
mk load_balance_big.csv "$SH\n1.5,0.5,0,0\n"
mk load_balance_nan.csv "$SH\nnan,0.5,0,0\n"
EH=sim_lat,overall-sparsity,batch-indx,layer-indx
mk e_huge.csv "$EH\n1e308,0.5,0,0\n"
mk e_neg.csv "$EH\n-0.1,0.5,0,0\n"
mk e_sp.csv "$EH\n0.1,-0.5,0,0\n"
mkdir -p names && mk "names/net$(printf '\xfe')_p.csv" "$EH\n0.1,0.5,0,0\n"
mkdir -p emptydir
ln -s loop2 loop1; ln -s loop1 loop2
mkfifo fifo.csv
mkdir -p adir
TH=arrival_s,model,sample,priority,slo_multiplier
mk t-neg.csv "$TH\n-1,a,0,1,10\n"
mk t-order.csv "$TH\n2,a,0,1,10\n1,a,0,1,10\n"
mk t-model.csv "$TH\n0,zz,0,1,10\n"
mk t-sample.csv "$TH\n0,a,7,1,10\n"
mk t-prio.csv "$TH\n0,a,0,2147483648,10\n"
mk t-prio0.csv "$TH\n0,a,0,0,10\n"
mk t-slo.csv "$TH\n0,a,0,1,1e-320\n"
mk t-slo0.csv "$TH\n0,a,0,1,0\n"
mk t-arr.csv "$TH\n1e300,a,0,1,10\n"
mk t-nan.csv "$TH\nnan,a,0,1,10\n"
mk t-short.csv "$TH\n0,a,0\n"
mk c-dup.yaml "profiles: p.csv\nworkload:\n  rate: 10\n  rate: 20\n"
mk c-unknown.yaml "profiles: p.csv\nworkload: {rat: 10}\n"
mk c-type.yaml "profiles: p.csv\nworkload: {rate: [1, 2]}\n"
mk c-desc.yaml "profiles: p.csv\ndescription: \"caf\xe9\"\n"
mk c-syntax.yaml "profiles: p.csv\nworkload: {rate: 10\n"
mk c-tab.yaml "profiles: p.csv\n\tworkload: 1\n"
mk c-policy.yaml "profiles: p.csv\npolicy: nope\n"
mk c-param.yaml "profiles: p.csv\npolicy_params: {dysta: {gamma: 1}}\n"
mk c-mix.yaml "profiles: p.csv\nworkload: {mix: {zz: 1}}\n"
mk c-mix0.yaml "profiles: p.csv\nworkload: {mix: {a: 0, b_x: 0}}\n"
mk c-sem.yaml "profiles: p.csv\nsemantics: other\n"
mk c-missing.yaml "profiles: nowhere/\n"
{ printf 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n'; for i in 1 2 3 4 5 6 7 8; do printf 'a%d: &a%d [' $i $i; for k in 0 1 2 3 4 5 6 7 8 9; do printf '*a%d, ' $((i-1)); done; printf 'x]\n'; done; } > c-bomb.yaml
L=$(seq -s, 1 1000)
mk s-big.yaml "profiles: p.csv\nsweep: {seeds: [$L], rates: [$L], slo_multipliers: [$L]}\n"
mk s-axis.yaml "profiles: p.csv\nsweep: {policies: [fcfs], policy_params: {dysta: {beta: [1]}}}\n"
mk s-beta.yaml "profiles: p.csv\nsweep: {policies: [dysta], policy_params: {dysta: {beta: [0.01, -1]}}}\n"
mk s-trace.yaml "profiles: p.csv\nworkload: {trace: x.csv}\n"
mk s-sem.yaml "profiles: p.csv\nsweep: {semantics: [reference, nope]}\n"
# A finished sweep whose point summary is then corrupted in several ways.
"$DYSTA" sweep -q --profiles p.csv --requests 20 --rates 10 --slos 5 --seeds 1 --policies fcfs \
  --out sw >/dev/null 2>&1
SUMMARY=$(ls sw/points/*/summary.json | head -1)
cp -r sw sw-1e999 && sed -i 's/"antt": [^,]*/"antt": 1e999/' sw-1e999/points/*/summary.json
cp -r sw sw-trunc && truncate -s 50 sw-trunc/points/*/summary.json
cp -r sw sw-int && sed -i 's/"requests": 20/"requests": 1e30/' sw-int/points/*/summary.json
cp -r sw sw-bin && printf '\xff\xfe\x00' > "sw-bin/${SUMMARY#sw/}"
cp -r sw sw-dir && rm "sw-dir/${SUMMARY#sw/}" && mkdir "sw-dir/${SUMMARY#sw/}"

RUN="run -q --out o"
cases=(
  "$RUN --profiles n-huge.csv" "$RUN --profiles n-neg.csv" "$RUN --profiles n-nan.csv"
  "$RUN --profiles n-inf.csv" "$RUN --profiles n-sp.csv" "$RUN --profiles n-layer.csv"
  "$RUN --profiles n-sample.csv" "$RUN --profiles n-negsample.csv" "$RUN --profiles n-gap.csv"
  "$RUN --profiles n-dup.csv" "$RUN --profiles n-short.csv" "$RUN --profiles n-long.csv"
  "$RUN --profiles n-utf8.csv" "$RUN --profiles n-empty.csv" "$RUN --profiles n-header.csv"
  "$RUN --profiles n-quote.csv" "$RUN --profiles n-nocol.csv" "$RUN --profiles n-dupcol.csv"
  "$RUN --profiles n-empty-model.csv" "$RUN --profiles n-layers-mismatch.csv"
  "$RUN --profiles n-binary.csv" "$RUN --profiles load_balance_tiny.csv"
  "$RUN --profiles load_balance_zero.csv" "$RUN --profiles load_balance_big.csv"
  "$RUN --profiles load_balance_nan.csv" "$RUN --profiles e_huge.csv" "$RUN --profiles e_neg.csv"
  "$RUN --profiles e_sp.csv" "$RUN --profiles names" "$RUN --profiles emptydir"
  "$RUN --profiles loop1" "$RUN --profiles fifo.csv" "$RUN --profiles /dev/zero"
  "$RUN --profiles nowhere.csv"
  "$RUN --profiles p.csv --trace t-neg.csv" "$RUN --profiles p.csv --trace t-order.csv"
  "$RUN --profiles p.csv --trace t-model.csv" "$RUN --profiles p.csv --trace t-sample.csv"
  "$RUN --profiles p.csv --trace t-prio.csv" "$RUN --profiles p.csv --trace t-prio0.csv"
  "$RUN --profiles p.csv --trace t-slo.csv" "$RUN --profiles p.csv --trace t-slo0.csv"
  "$RUN --profiles p.csv --trace t-arr.csv" "$RUN --profiles p.csv --trace t-nan.csv"
  "$RUN --profiles p.csv --trace t-short.csv" "$RUN --profiles p.csv --trace fifo.csv"
  "$RUN --profiles p.csv --trace adir"
  "$RUN -c c-dup.yaml" "$RUN -c c-unknown.yaml" "$RUN -c c-type.yaml" "$RUN -c c-desc.yaml"
  "$RUN -c c-syntax.yaml" "$RUN -c c-tab.yaml" "$RUN -c c-policy.yaml" "$RUN -c c-param.yaml"
  "$RUN -c c-mix.yaml" "$RUN -c c-mix0.yaml" "$RUN -c c-sem.yaml" "$RUN -c c-missing.yaml"
  "$RUN -c c-bomb.yaml" "$RUN -c loop1" "$RUN -c adir" "$RUN -c fifo.csv" "$RUN -c /dev/null/x"
  "$RUN --profiles p.csv --rate 5e-324" "$RUN --profiles p.csv --rate 1e308"
  "$RUN --profiles p.csv --rate -1" "$RUN --profiles p.csv --rate abc"
  "$RUN --profiles p.csv --slo 1e-320" "$RUN --profiles p.csv --requests 9e15"
  "$RUN --profiles p.csv --requests 0" "$RUN --profiles p.csv --requests 2.5"
  "$RUN --profiles p.csv --seed -1" "$RUN --profiles p.csv --seed 1e300"
  "$RUN --profiles p.csv --set sanger.clock_hz=1e-320"
  "$RUN --profiles p.csv --set sanger.pe_rows=4294967360"
  "$RUN --profiles p.csv --set workload.priorities=[2147483648]"
  "$RUN --profiles p.csv --set workload.mix={a:1e308}"
  "$RUN --profiles p.csv --set policy_params.dysta.beta=-1"
  "$RUN --profiles p.csv --set policy_params.dysta.beta=1e308"
  "$RUN --profiles p.csv --policy dysta_hw --set policy_params.dysta_hw.queue_bits=99"
  "$RUN --profiles p.csv --predictor last_n --set predictor_params.n=0"
  "$RUN --profiles p.csv --set workload=3" "$RUN --profiles p.csv --set =3"
  "$RUN --profiles p.csv --set a..b=3" "$RUN --profiles p.csv --semantics nope"
  "$RUN --profiles p.csv --decisions adir" "$RUN --profiles p.csv --timeline adir"
  "sweep -q --out so --profiles p.csv --set sweep.threads=1e15"
  "sweep -q --out so -c s-big.yaml" "sweep -q --out so -c s-axis.yaml"
  "sweep -q --out so -c s-beta.yaml" "sweep -q --out so -c s-trace.yaml"
  "sweep -q --out so -c s-sem.yaml" "sweep -q --out so --profiles p.csv --shard 3/2"
  "merge sw-1e999 -o m.csv" "merge sw-trunc -o m.csv" "merge sw-int -o m.csv"
  "merge sw-bin -o m.csv" "merge sw-dir -o m.csv" "merge nowhere -o m.csv" "merge loop1 -o m.csv"
)
declare -A count
for c in "${cases[@]}"; do
  rm -rf o so m.csv
  timeout 20 "$DYSTA" $c > out.txt 2> err.txt
  rc=$?
  lines=$(wc -l < err.txt)
  if [ $rc -eq 124 ]; then kind=hang
  elif [ $rc -ge 128 ]; then kind=crash
  elif [ $rc -eq 1 ]; then kind=internal
  elif [ $rc -eq 0 ]; then
    kind=accepted
    if grep -qs '"antt": null' o/summary.json; then kind=wrong; fi
  elif [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^dysta: error: ' err.txt \
       && [ ! -e o ] && [ ! -e so ] && [ ! -e m.csv ]; then kind=clear
  else kind=unclear
  fi
  count[$kind]=$(( ${count[$kind]:-0} + 1 ))
  [ "$kind" != clear ] && printf '%-9s %s\n          %s\n' "$kind" "$c" "$(head -c 300 err.txt | head -2)"
done
echo "cases: ${#cases[@]}"
for k in clear accepted wrong internal crash hang unclear; do echo "$k: ${count[$k]:-0}"; done
