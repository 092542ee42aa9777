#!/usr/bin/env bash
# tests/fuzz/long.sh - the long fuzzing run: every harness (or those named)
# for an hour each, one at a time, in its own build directory.
#
#   bash tests/fuzz/long.sh [NAME...]
#
# Environment: DNSAPI_FUZZ_SECONDS (default 3600), DNSAPI_FUZZ_JOBS (harnesses
# side by side, default 1), DNSAPI_FUZZ_BUILD_DIR (default build-fuzz-long),
# DNSAPI_FUZZ_RESULTS (default BUILD/long-results.txt). Each harness appends
# one line to the results file: when it ended, seconds, executions, new units,
# corpus size, peak RSS and ok or failed; bench/README.md keeps the clean
# hours. The git commit the run was built from is written first.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export DNSAPI_FUZZ_BUILD_DIR=${DNSAPI_FUZZ_BUILD_DIR:-$ROOT/build-fuzz-long}
RESULTS=${DNSAPI_FUZZ_RESULTS:-$DNSAPI_FUZZ_BUILD_DIR/long-results.txt}
mkdir -p "$(dirname "$RESULTS")"
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -q . && echo " (uncommitted changes)" || true)
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) long run of commit $commit$dirty on $(nproc) cores" >>"$RESULTS"
exec bash "$ROOT/tests/fuzz/run.sh" --seconds "${DNSAPI_FUZZ_SECONDS:-3600}" \
    -j "${DNSAPI_FUZZ_JOBS:-1}" --results "$RESULTS" "$@"
