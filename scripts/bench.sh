#!/usr/bin/env bash
# `make bench`: the AS2 message core measured beside pyas2lib 1.4.4 and the crypto floor
# (`openssl speed`), all in one run; prints one table and saves bench-results.json.
# Extra arguments go to scripts/bench/bench.py (e.g. --sizes 10M --seconds 1 for a quick run,
# --skip-http / --skip-folders to measure the message core only).
# Figures are reported, never asserted: see docs/performance.md.
set -euo pipefail

cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"
PYTHON="${BENCH_PYTHON:-.venv/bin/python}"

if [ ! -x "$PYTHON" ]; then
  echo "bench: $PYTHON not found; run 'make venv' (pyas2lib 1.4.4) first" >&2
  exit 1
fi
command -v openssl >/dev/null || { echo "bench: the openssl command is needed for the crypto floor" >&2; exit 1; }

# The benchmark program is not part of the shipped products: build it here (release), with the
# agent and its watcher program for the end-to-end parts (no-ops after `make bench`'s release build).
for product in as2-bench as2-agent as2-agent-watch; do
  "$SWIFT" build -c release --product "$product"
done
BIN="$("$SWIFT" build -c release --show-bin-path)"

exec "$PYTHON" scripts/bench/bench.py --swift-bench "$BIN/as2-bench" --agent "$BIN/as2-agent" --python "$PYTHON" \
  --work .build/bench --json bench-results.json "$@"
