#!/bin/sh
# Time and peak memory of `dnsapi export` for zones of 100,000 and 1,000,000
# records, bulk-loaded by SQL (bench/zonegen_load.sql) into a fresh database.
#
#   DNSAPI_TEST_DATABASE_URL='host=127.0.0.1 port=15400 user=postgres dbname=postgres' \
#   DNSAPI_BINARY=build-zgrel/dnsapi sh bench/zonegen_export.sh [RUNS]
#
# Prints one line per run: zone, wall seconds, peak RSS in KiB, lines written.
set -eu
RUNS=${1:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/scratch_db.sh" && scratch_db bench_zonegen_export
for spec in bench100k.test.:100000 bench1m.test.:1000000; do
    zone=${spec%%:*}
    n=${spec##*:}
    start=$(date +%s.%N)
    # n records plus the SOA and two apex NS
    psql "$DNSAPI_DATABASE_URL" -q -v ON_ERROR_STOP=1 -v zone="$zone" -v n=$((n - 3)) \
        -f "$HERE/zonegen_load.sql"
    echo "loaded $zone ($n records) in $(echo "$(date +%s.%N) - $start" | bc) s"
done
echo "zone seconds peak_rss_kib lines"
for zone in bench100k.test bench1m.test; do
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        /usr/bin/time -f "%e %M" -o "$OUT/time" "$DNSAPI_BINARY" export "$zone" >"$OUT/zone"
        echo "$zone $(cat "$OUT/time") $(wc -l <"$OUT/zone")"
        i=$((i + 1))
    done
done
# The 1M file is accepted by the name servers' own checkers too.
nsd-checkzone bench1m.test "$OUT/zone"
