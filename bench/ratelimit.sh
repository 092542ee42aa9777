#!/usr/bin/env bash
# The cost of DNSAPI_RATE_LIMIT: the same load with limits off and on.
# Starts its own PostgreSQL (127.0.0.1:15452) and a Release build of the
# server on 127.0.0.1:15482 (2 event-loop threads), loads bench.test with
# 100,000 A records, and runs at 64 connections, one token for all of them
# (every request meets in the one bucket: the most contended case):
#
#   GET /healthz                    no database: the limiter's share is largest
#   get by name+type (100k zone)    a read that asks PostgreSQL
#
# each with limits off, then on with budgets far above the load (every
# request is counted, none refused), twice in turn; then with the token's
# read budget at 1000/s, so that most answers are 429 (the cost of refusing).
# First, bench/ratelimit_take.c: the table alone, CPU time per request.
#
#   bash bench/ratelimit.sh [SECONDS_PER_RUN]      (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DUR=${1:-5}
WORK=${BENCH_WORK:-/tmp/dnsapi-bench-ratelimit}
PGPORT=15452
PORT=15482
export BENCH_DIR=$ROOT/bench

. tests/lib/deps.sh && deps_install wrk curl cmake build-essential
. bench/lib.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DDNSAPI_SANITIZE=OFF -DDNSAPI_TESTS=OFF >/dev/null
cmake --build build-bench -j2 >/dev/null
BIN=$ROOT/build-bench/dnsapi
mkdir -p build-bench
cc -O2 -D_GNU_SOURCE -I. -o build-bench/ratelimit_take bench/ratelimit_take.c api/ratelimit.c -lpthread
build-bench/ratelimit_take 1 5000000
build-bench/ratelimit_take 2 5000000

rm -rf "$WORK" && mkdir -p "$WORK" && chown postgres "$WORK"
stop_server() {
  if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true; fi
  SERVER=
}
cleanup() {
  stop_server
  bench_pg_stop
}
trap cleanup EXIT
bench_pg_start -c shared_buffers=512MB
export DNSAPI_LISTEN=127.0.0.1:$PORT
export DNSAPI_THREADS=2
"$BIN" migrate >/dev/null
"$BIN" account create bench >/dev/null
export T=$("$BIN" token create --account bench --scope "zones:read zones:write records:read records:write")

start_server() { # [DNSAPI_RATE_LIMIT value]
  stop_server
  DNSAPI_RATE_LIMIT=${1:-} "$BIN" serve >>"$WORK/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "the server did not start; see $WORK/serve.log" >&2
  return 1
}
run() { # label limits url-path script [env...]
  local label=$1 limits=$2 path=$3 script=$4; shift 4
  local out
  out=$(env "$@" wrk -t2 -c64 -d${DUR}s --timeout 5s -s "bench/$script" "http://127.0.0.1:$PORT$path" | grep RESULT)
  printf "%-30s %-4s c=64 %s\n" "$label" "$limits" "${out#RESULT }"
}

start_server
curl -sf -X POST "http://127.0.0.1:$PORT/v1/zones" -H "Authorization: Bearer $T" \
     -H "Content-Type: application/json" -d '{"name":"bench.test"}' >/dev/null
bench_load_100k bench.test

HIGH="read=1000000/s:1000000,write=1000000/s:1000000,address=1000000/s:1000000"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); server threads: $DNSAPI_THREADS; ${DUR}s per run"
for round in 1 2; do
  for limits in off on; do
    if [ "$limits" = on ]; then start_server "$HIGH"; else start_server; fi
    run "GET /healthz" "$limits" /healthz common.lua
    run "get by name+type (100k zone)" "$limits" / get.lua ZONE=bench.test
  done
done
start_server "read=1000/s:1000"
run "get, read budget 1000/s" "on" / get.lua ZONE=bench.test
curl -s "http://127.0.0.1:$PORT/metrics" | grep '^dnsapi_rate_limited_total'
