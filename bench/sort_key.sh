#!/usr/bin/env bash
# bench/sort_key.sh - the cost of the name sort key (migration 0025) on a
# 100,000-record insert: the same INSERT ... SELECT into a table shaped
# like records (generated sort_key, the list index) with the first
# migration's function, with 0025's function on names without escapes (the
# fast path, what almost every zone holds), and with 0025's function on
# names that all carry escapes (the decoder). Each case runs RUNS times
# (default 3) into an empty table; the numbers are the insert's wall time
# as psql's \timing reports it.
#
#   bash bench/sort_key.sh [RUNS]
#
# Starts its own throwaway PostgreSQL 15 on 127.0.0.1:15451 (fsync off, as
# in tests/lib/pg.sh), and stops it at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-3}
PORT=${BENCH_SORT_KEY_PORT:-15451}
DIR=${TMPDIR:-/tmp}/dnsapi-bench-sortkey-$PORT
PSQL=/usr/lib/postgresql/15/bin/psql

trap 'bash "$ROOT/tests/lib/pg.sh" stop "$DIR"' EXIT
bash "$ROOT/tests/lib/pg.sh" start "$DIR" "$PORT"

psql() {
    PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
        -p "$PORT" -U postgres -d postgres "$@"
}

# The two functions side by side: old_key is 0001's, the new one is 0025's.
psql -c "CREATE FUNCTION old_key(name text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
  \$\$ SELECT coalesce(string_agg(label, chr(1) ORDER BY i DESC), '')
        FROM unnest(string_to_array(rtrim(name, '.'), '.')) WITH ORDINALITY AS t(label, i) \$\$;"
sed -n '/^CREATE FUNCTION dnsapi_name_sort_key_escaped/,/^\$\$;/p;/^CREATE OR REPLACE FUNCTION dnsapi_name_sort_key/,/^\$\$;/p' \
    "$ROOT/migrations/0025_name_sort_key_escapes.sql" | sed 's/CREATE OR REPLACE/CREATE/' | psql

run_case() { # label key-function name-expression
    local label=$1 fn=$2 expr=$3 times=()
    for _ in $(seq 1 "$RUNS"); do
        psql -c "DROP TABLE IF EXISTS r; CREATE TABLE r (
            zone_id uuid NOT NULL, name text COLLATE \"C\" NOT NULL,
            sort_key text COLLATE \"C\" NOT NULL GENERATED ALWAYS AS ($fn(name)) STORED,
            type text COLLATE \"C\" NOT NULL, content text COLLATE \"C\" NOT NULL,
            id uuid NOT NULL DEFAULT gen_random_uuid());
            CREATE INDEX r_order ON r (zone_id, sort_key, type, content, id);"
        local t
        t=$(psql -c '\timing on' -c "INSERT INTO r (zone_id, name, type, content)
              SELECT '00000000-0000-0000-0000-000000000001', $expr, 'A',
                     '192.0.2.' || (i % 250 + 1)
                FROM generate_series(1, 100000) AS i;" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
        times+=("$t")
    done
    printf '%-44s %s ms\n' "$label" "${times[*]}"
}

echo "100,000-record insert, $RUNS runs each (ms):"
run_case "0001 key, names without escapes" old_key "'host' || i || '.sub' || (i % 100) || '.bench.test.'"
run_case "0025 key, names without escapes" dnsapi_name_sort_key "'host' || i || '.sub' || (i % 100) || '.bench.test.'"
run_case "0025 key, every name with escapes" dnsapi_name_sort_key "'h\\032' || i || '\\.x.sub' || (i % 100) || '.bench.test.'"
run_case "lower() as the key (scale: a trivial function)" "lower" "'host' || i || '.sub' || (i % 100) || '.bench.test.'"
