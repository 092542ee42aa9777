#!/usr/bin/env bash
# Peak memory of the server for one large import: a master file of 20,000
# records (A, TXT and MX at h0 ... h19999) posted to a fresh zone, with
# dry_run first (parse and rules only) and then for real. Prints the
# server's resident size when idle and its peak (VmHWM) after each import,
# in MiB. Starts its own PostgreSQL (127.0.0.1:15452) and a Release build
# of the server (127.0.0.1:15482) and stops both.
#
#   bash bench/import_memory.sh [REV]   REV: a git revision to build instead
#                                       of the working tree (to compare)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
REV=${1:-}
WORK=${BENCH_WORK:-/tmp/dnsapi-bench-import}
PGPORT=15452
PORT=15482

. tests/lib/deps.sh && deps_install curl cmake build-essential postgresql-15
rm -rf "$WORK" && mkdir -p "$WORK" && chown postgres "$WORK"
SRC=$ROOT
if [ -n "$REV" ]; then
  SRC=$WORK/src
  git worktree add -q --detach "$SRC" "$REV"
fi
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $WORK/pg -m fast stop" >/dev/null 2>&1 || true
  if [ -n "$REV" ]; then git -C "$ROOT" worktree remove --force "$SRC" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
cmake -S "$SRC" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DDNSAPI_SANITIZE=OFF -DDNSAPI_TESTS=OFF >/dev/null
cmake --build "$WORK/build" -j2 --target dnsapi >/dev/null
BIN=$WORK/build/dnsapi

su postgres -c "/usr/lib/postgresql/15/bin/initdb -D $WORK/pg -A trust -U postgres" >/dev/null
su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $WORK/pg -l $WORK/pg.log -w -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK' start" >/dev/null
psql -q -h 127.0.0.1 -p $PGPORT -U postgres -c "CREATE DATABASE dnsapi"
export DNSAPI_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=dnsapi"
export DNSAPI_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DNSAPI_NAMESERVERS=ns1.bench.example,ns2.bench.example
export DNSAPI_LISTEN=127.0.0.1:$PORT DNSAPI_THREADS=2 DNSAPI_MAX_BODY=4194304
"$BIN" migrate >/dev/null
"$BIN" account create bench >/dev/null
T=$("$BIN" token create --account bench --scope "zones:write records:write")
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -X POST "http://127.0.0.1:$PORT/v1/zones" -H "Authorization: Bearer $T" \
  -H "Content-Type: application/json" -d '{"name":"big.example"}' >/dev/null
/usr/bin/python3 - "$WORK/zone.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("$TTL 3600\n")
    for i in range(20000):
        kind = i % 3
        if kind == 0:
            f.write("h%d IN A 10.%d.%d.%d\n" % (i, i >> 16, (i >> 8) & 255, i & 255))
        elif kind == 1:
            f.write('h%d IN TXT "record number %d of a zone that is imported in one go"\n' % (i, i))
        else:
            f.write("h%d IN MX 10 mail%d.example.net.\n" % (i, i))
PY
mib() { awk -v k="$1" '$1 == k":" {printf "%.1f", $2 / 1024}' /proc/$SERVER/status; }
echo "file: $(wc -c < "$WORK/zone.txt") bytes, 20000 records; idle RSS $(mib VmRSS) MiB"
for q in "?dry_run=true" ""; do
  t=$(curl -s -o "$WORK/answer.json" -w '%{http_code} %{time_total}' -X POST \
      "http://127.0.0.1:$PORT/v1/zones/big.example/import$q" -H "Authorization: Bearer $T" \
      -H "Content-Type: text/dns" --data-binary @"$WORK/zone.txt")
  echo "import${q:- (write)}: HTTP ${t% *}, ${t#* } s; peak RSS (VmHWM) $(mib VmHWM) MiB, RSS now $(mib VmRSS) MiB"
done
