#!/usr/bin/env bash
# API benchmarks: record create (empty zone and 100,000-record zone), list
# one page of 100 (first page and a page near the end by cursor), get by
# name+type, delete; each at 1, 8 and 64 connections. Starts its own
# PostgreSQL (127.0.0.1:15450, default durability) and a Release build of
# the server on 127.0.0.1:15480, and stops both at the end.
#
#   bash bench/run.sh [SECONDS_PER_RUN]      (default 5)
#   BENCH_ONLY='^get' bash bench/run.sh 5    (only the runs whose label matches)
#   BENCH_STATEMENTS=1 ...                   (after each run, the statements
#                                             it ran: pg_stat_statements, nested
#                                             ones too, ms per call)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DUR=${1:-5}
WORK=${BENCH_WORK:-/tmp/dnsapi-bench}
PGPORT=${BENCH_PGPORT:-15450}
PORT=${BENCH_PORT:-15480}
export BENCH_DIR=$ROOT/bench

. tests/lib/deps.sh && deps_install wrk curl cmake build-essential
. bench/lib.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DDNSAPI_SANITIZE=OFF -DDNSAPI_TESTS=OFF ${BENCH_CMAKE_ARGS:-} >/dev/null
cmake --build build-bench -j2 >/dev/null
BIN=$ROOT/build-bench/dnsapi

rm -rf "$WORK" && mkdir -p "$WORK" && chown postgres "$WORK"
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  bench_pg_stop
}
trap cleanup EXIT
PG_ARGS=()
[ -n "${BENCH_STATEMENTS:-}" ] && PG_ARGS=(-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all)
bench_pg_start -c shared_buffers=512MB -c max_connections=100 "${PG_ARGS[@]}"
export DNSAPI_LISTEN=127.0.0.1:$PORT
export DNSAPI_THREADS=${DNSAPI_THREADS:-2}
"$BIN" migrate >/dev/null
[ -n "${BENCH_STATEMENTS:-}" ] && bench_sql "CREATE EXTENSION pg_stat_statements"
"$BIN" account create bench >/dev/null
export T=$("$BIN" token create --account bench --scope "zones:read zones:write records:read records:write tokens:write")
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

api() { curl -sf -X "$1" "http://127.0.0.1:$PORT$2" -H "Authorization: Bearer $T" -H "Content-Type: application/json" ${3:+-d "$3"}; }
sql() { bench_sql "$1"; }
for z in bench.test empty.test del.test; do api POST /v1/zones "{\"name\":\"$z\"}" >/dev/null; done
echo "loading 100,000 records into bench.test and 90,000 into del.test ..."
sql "INSERT INTO records (zone_id, account_id, name, type, content, ttl)
     SELECT z.id, z.account_id, 'd' || g || '.del.test.', 'A', '192.0.2.1', 3600
       FROM zones z, generate_series(0, 89999) g WHERE z.name = 'del.test.'"
# 2,000 more zones, each checked by two servers (zone_servers rows as
# zonegen writes them), for the zone list
sql "INSERT INTO zones (account_id, name, nameservers, hostmaster)
     SELECT a.id, 'z' || g || '.list.test.', '{ns1.bench.example.,ns2.bench.example.}',
            'hostmaster.bench.example.'
       FROM accounts a, generate_series(0, 1999) g WHERE a.name = 'bench'"
sql "INSERT INTO zone_servers (zone_id, account_id, name, address, role, serial, in_sync,
                               checked_at, error, failures)
     SELECT z.id, z.account_id, s.name, s.address, s.role, z.serial, true, now(), NULL, 0
       FROM zones z CROSS JOIN (VALUES ('127.0.0.1:53', '127.0.0.1:53', 'primary'),
                                       ('knot', '127.0.0.2:53', 'secondary')) s(name, address, role)
      WHERE z.name LIKE '%.list.test.'"
bench_load_100k bench.test   # then VACUUM ANALYZE and CHECKPOINT: steady state
# a cursor near the end of bench.test: walk there once by keyset
CURSOR=$(api GET "/v1/zones/bench.test/records?limit=100&offset=99800" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["pagination"]["next_cursor"] or "")')

run() { # label script conns [env...]
  local label=$1 script=$2 c=$3; shift 3
  if [ -n "${BENCH_ONLY:-}" ] && ! [[ "$label" =~ $BENCH_ONLY ]]; then return 0; fi
  local threads=$(( c < 2 ? 1 : 2 ))
  local out before after
  [ -n "${BENCH_STATEMENTS:-}" ] && sql "SELECT pg_stat_statements_reset()" >/dev/null
  before=$(head -1 /proc/stat)
  out=$(env "$@" THREADS=$threads wrk -t$threads -c$c -d${DUR}s --timeout 5s -s "bench/$script" "http://127.0.0.1:$PORT" | grep RESULT)
  after=$(head -1 /proc/stat)
  printf "%-34s c=%-3d %s %s\n" "$label" "$c" "${out#RESULT }" "$(cpu_per_request "$before" "$after" "$out")"
  [ -z "${BENCH_STATEMENTS:-}" ] && return 0
  sql "SELECT '    ' || calls || ' calls, ' || round((total_exec_time / calls)::numeric, 4) || ' ms'
              || CASE WHEN toplevel THEN '' ELSE ' (nested)' END || ': '
              || left(regexp_replace(query, '\s+', ' ', 'g'), 110)
         FROM pg_stat_statements WHERE calls >= 100 AND query NOT LIKE '%pg_stat_statements%'
        ORDER BY total_exec_time DESC LIMIT 16"
}
# CPU both cores spent per request (the server, PostgreSQL and wrk
# together, in ms) and the share of the run the host took away (steal):
# throughput on this VM moves with steal, the CPU a request costs much less.
cpu_per_request() { # "cpu ..." before, after, RESULT line
  local reqs=${3##*requests=}; reqs=${reqs%% *}
  awk -v b="$1" -v a="$2" -v n="$reqs" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    split(b, x); split(a, y)
    busy = (y[2]-x[2]) + (y[3]-x[3]) + (y[4]-x[4]) + (y[7]-x[7]) + (y[8]-x[8])
    steal = y[9]-x[9]; all = 0; for (i = 2; i <= 9; i++) all += y[i]-x[i]
    ms = n > 0 ? busy * 1000 / hz / n : 0; st = all > 0 ? 100 * steal / all : 0
    printf "cpu_ms=%.3f steal=%.0f%%", ms, st }'
}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); server threads: $DNSAPI_THREADS; ${DUR}s per run"
for c in 1 8 64; do run "create (empty zone)" create.lua $c ZONE=empty.test RUN=e$c; done
for c in 1 8 64; do run "create (100k-record zone)" create.lua $c ZONE=bench.test RUN=b$c; done
for c in 1 8 64; do run "get by name+type (100k zone)" get.lua $c ZONE=bench.test; done
for c in 1 8 64; do run "list page of 100 (first)" list.lua $c ZONE=bench.test; done
for c in 1 8 64; do run "list page of 100 (cursor at end)" list.lua $c ZONE=bench.test CURSOR=$CURSOR; done
for c in 1 8 64; do run "zone list page of 100 (2k zones)" zone_list.lua $c; done
sql "SELECT r.id FROM records r JOIN zones z ON z.id = r.zone_id WHERE z.name = 'del.test.' AND NOT r.system ORDER BY r.id" > "$WORK/ids"
split -n l/3 -d "$WORK/ids" "$WORK/ids."
i=0
for c in 1 8 64; do run "delete" delete.lua $c ZONE=del.test IDS=$WORK/ids.0$i; i=$((i + 1)); done
