# bench/lib.sh - what the API benchmarks share (sourced): a throwaway
# PostgreSQL 15 in $WORK/pg on 127.0.0.1:$PGPORT, stock durability, with a
# database dnsapi, and the settings of a dnsapi that uses it. The caller sets
# WORK and PGPORT.

# Starts it; arguments are extra server options (e.g. -c shared_buffers=512MB).
bench_pg_start() {
  su postgres -c "/usr/lib/postgresql/15/bin/initdb -D $WORK/pg -A trust -U postgres" >/dev/null
  su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $WORK/pg -l $WORK/pg.log -w -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK $*' start" >/dev/null
  psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE DATABASE dnsapi"
  export DNSAPI_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=dnsapi"
  export DNSAPI_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export DNSAPI_NAMESERVERS=ns1.bench.example,ns2.bench.example
}

bench_pg_stop() {
  su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $WORK/pg -m fast stop" >/dev/null 2>&1 || true
}

# One statement on the database.
bench_sql() {
  psql -qAt -h 127.0.0.1 -p "$PGPORT" -U postgres dnsapi -c "$1"
}

# Loads 100,000 A records h0 .. h99999 into the zone $1 (which exists),
# then VACUUM ANALYZE and a checkpoint: steady state, not a fresh cluster's
# first minutes (after the checkpoint the WAL files the load wrote are
# recycled instead of new ones being created and zero-filled mid-run).
bench_load_100k() {
  bench_sql "INSERT INTO records (zone_id, account_id, name, type, content, ttl)
     SELECT z.id, z.account_id, 'h' || g || '.$1.', 'A',
            '10.' || (g / 65536) || '.' || ((g / 256) % 256) || '.' || (g % 256), 3600
       FROM zones z, generate_series(0, 99999) g WHERE z.name = '$1.'"
  bench_sql "VACUUM ANALYZE"
  bench_sql "CHECKPOINT"
}
