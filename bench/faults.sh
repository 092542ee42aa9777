#!/usr/bin/env bash
# Long fault runs: builds the Release binary into build-bench/ and runs
# bench/faults.py (soak with RSS and 5xx over time, PostgreSQL restarts and
# hangs under write load, zonegen killed mid-write), appending its result
# lines to build-bench/faults-results.txt. Arguments go to bench/faults.py:
#
#   bash bench/faults.sh                         # 10 min soak, 10 rounds per fault, 200 kills
#   bash bench/faults.sh --soak 60 --db-rounds 2 --kills 20 --only soak,zonegen
#
# Set DNSAPI_TEST_PORT_OFFSET to move its ports (API 18135, PostgreSQL 15446).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. tests/lib/deps.sh && deps_install cmake build-essential postgresql-15 nsd python3-yaml
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DDNSAPI_SANITIZE=OFF -DDNSAPI_TESTS=OFF \
    ${BENCH_CMAKE_ARGS:-} >/dev/null
cmake --build build-bench -j2 --target dnsapi >/dev/null
export DNSAPI_BINARY=$ROOT/build-bench/dnsapi DNSAPI_SOURCE_DIR=$ROOT PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$ROOT/bench/faults.py" --results "$ROOT/build-bench/faults-results.txt" "$@"
