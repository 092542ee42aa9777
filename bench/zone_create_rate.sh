#!/bin/sh
# Zone creation rate in SQL with 0, 10,000 and 100,000 zones present: the
# transaction zone creation runs (the global tree lock, the tree rule, the
# insert with its system records), with the tree rule as the API has it
# today (a NOT EXISTS over every zone of other accounts) and as
# dnsapi_zone_tree_conflict (two index probes, migrations/0015). pgbench,
# one client and 8 clients, SECONDS each (default 10).
#
#   DNSAPI_TEST_DATABASE_URL='host=127.0.0.1 port=15399 user=postgres dbname=postgres' \
#   DNSAPI_BINARY=build-rel/dnsapi sh bench/zone_create_rate.sh [SECONDS]
set -eu
: "${DNSAPI_BINARY:?set DNSAPI_BINARY}"
SECS=${1:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/scratch_db.sh" && scratch_db bench_zone_create
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
psql "$DNSAPI_DATABASE_URL" -qc "INSERT INTO accounts (name) VALUES ('filler'), ('bench')"
# One transaction per zone; names from a random 2^31 space (collisions are
# counted as errors by pgbench and are rare).
cat >"$OUT/old.sql" <<'SQL'
\set r random(1, 2147483647)
BEGIN;
SELECT pg_advisory_xact_lock(7020250001);
INSERT INTO zones AS z (account_id, name, nameservers, hostmaster)
 SELECT a.id, 'c' || :r || '.rate.test.', ARRAY['ns1.dnsapi.test.', 'ns2.dnsapi.test.'], 'hostmaster.dnsapi.test.'
   FROM accounts a WHERE a.name = 'bench'
    AND NOT EXISTS (SELECT 1 FROM zones o WHERE o.account_id <> a.id
      AND (right('c' || :r || '.rate.test.', length(o.name) + 1) = '.' || o.name
        OR right(o.name, length('c' || :r || '.rate.test.') + 1) = '.' || 'c' || :r || '.rate.test.'));
COMMIT;
SQL
cat >"$OUT/new.sql" <<'SQL'
\set r random(1, 2147483647)
BEGIN;
SELECT pg_advisory_xact_lock(7020250001);
INSERT INTO zones AS z (account_id, name, nameservers, hostmaster)
 SELECT a.id, 'c' || :r || '.rate.test.', ARRAY['ns1.dnsapi.test.', 'ns2.dnsapi.test.'], 'hostmaster.dnsapi.test.'
   FROM accounts a WHERE a.name = 'bench'
    AND NOT dnsapi_zone_tree_conflict(a.id, 'c' || :r || '.rate.test.');
COMMIT;
SQL
have=0
for want in 0 10000 100000; do
    if [ "$want" -gt "$have" ]; then
        psql "$DNSAPI_DATABASE_URL" -qc "INSERT INTO zones (account_id, name, nameservers, hostmaster)
            SELECT a.id, 'f' || i || '.filler.test.', ARRAY['ns1.dnsapi.test.'], 'hostmaster.dnsapi.test.'
              FROM accounts a, generate_series($have + 1, $want) i WHERE a.name = 'filler'"
        psql "$DNSAPI_DATABASE_URL" -qc "VACUUM ANALYZE zones" -c "CHECKPOINT"
        have=$want
    fi
    for rule in old new; do
        for c in 1 8; do
            tps=$($PGBENCH -n -M prepared -c "$c" -j "$c" -T "$SECS" -f "$OUT/$rule.sql" \
                  "$DNSAPI_DATABASE_URL" 2>/dev/null | awk '/^tps/ {print int($3)}')
            echo "zones_present=$want rule=$rule clients=$c creates_per_s=$tps"
        done
        # the creates of this run go again, so every run starts at $want
        psql "$DNSAPI_DATABASE_URL" -qc "DELETE FROM zones WHERE name LIKE 'c%.rate.test.'" \
            -c "VACUUM ANALYZE zones"
    done
done
