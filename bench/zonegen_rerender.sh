#!/bin/sh
# Time and peak memory of zonegen rendering every zone of a large fleet:
# ZONES zones (default 100,000), each with its SOA, two apex NS and RECORDS
# more records (default 5), loaded by SQL into a fresh database. Two passes
# of `dnsapi zonegen --once`, with the NSD, Knot and BIND includes and the
# catalog zone kept (no reload command, no servers to check):
#   1. first render: every zone new;
#   2. full re-render: every zone marked dirty again (exported_serial
#      cleared), as after a restore or a change of the rendering; each file
#      is rewritten, the includes and the catalog stay the same.
#
#   DNSAPI_TEST_DATABASE_URL='host=127.0.0.1 port=15399 user=postgres dbname=postgres' \
#   DNSAPI_BINARY=build-rel/dnsapi sh bench/zonegen_rerender.sh [ZONES] [RECORDS]
#
# Prints, per pass: zones, wall seconds, zones per second, peak RSS in KiB;
# then the sizes of the zone directory and the includes, and checks the
# includes with nsd-checkconf and one zone with nsd-checkzone.
set -eu
ZONES=${1:-100000}
RECORDS=${2:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/scratch_db.sh" && scratch_db bench_zonegen_rerender
start=$(date +%s.%N)
psql "$DNSAPI_DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO accounts (name) VALUES ('bench');
-- Triggers off for speed (superuser only): many zones inserted in one
-- transaction make the zone-creation trigger's checks quadratic (see
-- bench/README.md), so the system records are written here as that trigger
-- writes them (migrations/0035_least_privilege.sql, dnsapi_zone_created).
SET session_replication_role = replica;
INSERT INTO zones (account_id, name, nameservers, hostmaster)
SELECT a.id, 'z' || g || '.rerender.test.', ARRAY['ns1.dnsapi.test.', 'ns2.dnsapi.test.'],
       'hostmaster.dnsapi.test.'
  FROM accounts a, generate_series(1, $ZONES) g;
INSERT INTO records (zone_id, account_id, name, type, content, ttl, system)
SELECT z.id, z.account_id, z.name, 'SOA',
       z.nameservers[1] || ' ' || z.hostmaster || ' ' || z.serial || ' 10800 3600 1209600 3600',
       3600, true
  FROM zones z;
INSERT INTO records (zone_id, account_id, name, type, content, ttl, system)
SELECT z.id, z.account_id, z.name, 'NS', ns, 86400, true
  FROM zones z, unnest(z.nameservers) AS ns;
INSERT INTO records (zone_id, account_id, name, type, content, ttl)
SELECT z.id, z.account_id, 'h' || i || '.' || z.name, 'A', '192.0.2.' || i, 3600
  FROM zones z, generate_series(1, $RECORDS) i;
SET session_replication_role = origin;
UPDATE zones z SET record_count = $RECORDS + 3;
VACUUM ANALYZE zones;
VACUUM ANALYZE records;
SQL
echo "loaded $ZONES zones of $((RECORDS + 3)) records in $(echo "$(date +%s.%N) - $start" | bc) s"

mkdir -p "$OUT/zones"
export DNSAPI_ZONE_DIR="$OUT/zones"
export DNSAPI_NS_CONF="nsd:$OUT/nsd.conf,knot:$OUT/knot.conf,bind:$OUT/named.conf"
export DNSAPI_CATALOG=catalog.dnsapi.invalid
export DNSAPI_NAMESERVERS=ns1.dnsapi.test,ns2.dnsapi.test
export DNSAPI_JWT_SECRET=bench-zonegen-rerender-0123456789abcdef
unset DNSAPI_RELOAD_CMD DNSAPI_VERIFY DNSAPI_NOTIFY DNSAPI_SECONDARIES || true

echo "pass zones seconds zones_per_s peak_rss_kib"
pass() {
    /usr/bin/time -f "%e %M" -o "$OUT/time" "$DNSAPI_BINARY" zonegen --once 2>"$OUT/zonegen.log" || {
        tail -20 "$OUT/zonegen.log" >&2
        exit 1
    }
    set -- "$1" $(cat "$OUT/time")
    echo "$1 $ZONES $2 $(echo "$ZONES / $2" | bc) $3"
}
pass first
psql "$DNSAPI_DATABASE_URL" -qc "UPDATE zones SET exported_serial = NULL"
pass rerender
dirty=$(psql "$DNSAPI_DATABASE_URL" -qAt -c "SELECT count(*) FROM zones WHERE exported_serial IS DISTINCT FROM serial")
echo "zones still dirty: $dirty"
echo "zone files: $(ls "$OUT/zones" | wc -l), $(du -sk "$OUT/zones" | cut -f1) KiB;" \
     "includes: nsd $(wc -l <"$OUT/nsd.conf") lines, knot $(wc -l <"$OUT/knot.conf"), bind $(wc -l <"$OUT/named.conf")"
printf 'server:\n    zonesdir: "%s"\ninclude: "%s"\n' "$OUT/zones" "$OUT/nsd.conf" >"$OUT/nsd-main.conf"
nsd-checkconf "$OUT/nsd-main.conf" && echo "nsd-checkconf: ok"
nsd-checkzone z1.rerender.test "$OUT/zones/z1.rerender.test.zone"
