#!/usr/bin/env bash
# Renders a Chrome trace written by `dysta run --timeline` in a real trace viewer and saves a
# screenshot, so that what a viewer draws is checked by eye, not assumed (issue 14, item 7).
# Not part of CI. Needs Debian's chromium (apt-get install chromium) and npm; the viewer,
# speedscope, is installed from npm into ~/.cache/dysta/viewer on first use.
#
# Usage: scripts/timeline-screenshot.sh TRACE.json OUT.png [WIDTHxHEIGHT]
# Speedscope shows one thread of the trace at a time: the first it imports, the accelerator's
# "executed layers" track (pid 1). Each layer must be drawn as its own bar on one row; a slice
# that overlapped its successor would be drawn with later layers stacked under it.
set -euo pipefail
TRACE=${1:?usage: $0 TRACE.json OUT.png [WIDTHxHEIGHT]}
OUT=${2:?usage: $0 TRACE.json OUT.png [WIDTHxHEIGHT]}
SIZE=${3:-1600x900}
SPEEDSCOPE_VERSION=1.22.2
VIEWER=${DYSTA_VIEWER_DIR:-$HOME/.cache/dysta/viewer}

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "chromium not found: apt-get install chromium" >&2; exit 2; }
[ -f "$TRACE" ] || { echo "$TRACE: no such file" >&2; exit 2; }
RELEASE=$VIEWER/node_modules/speedscope/dist/release
if [ ! -f "$RELEASE/index.html" ] ||
   ! grep -q "\"version\": \"$SPEEDSCOPE_VERSION\"" "$VIEWER/node_modules/speedscope/package.json"; then
  mkdir -p "$VIEWER"
  npm install --prefix "$VIEWER" --no-audit --no-fund "speedscope@$SPEEDSCOPE_VERSION" >&2
fi

# Serve the viewer and the trace over HTTP on a free local port (the viewer fetches the trace).
SITE=$(mktemp -d)
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; rm -rf "$SITE"; }
trap cleanup EXIT
cp -r "$RELEASE"/. "$SITE"/
cp "$TRACE" "$SITE/trace.json"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$SITE" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/index.html')" \
    2>/dev/null && break
  sleep 0.1
done

"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size="${SIZE/x/,}" --virtual-time-budget=20000 --screenshot="$(realpath -m "$OUT")" \
  "http://127.0.0.1:$PORT/index.html#profileURL=trace.json&title=dysta%20timeline" >&2 2>/dev/null
[ -s "$OUT" ] || { echo "no screenshot written" >&2; exit 1; }
echo "$OUT"
