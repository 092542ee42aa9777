# bench/scratch_db.sh - sourced (POSIX sh) by the bench scripts that work in
# a database of their own inside the cluster DNSAPI_TEST_DATABASE_URL names:
#
#   . "$HERE/scratch_db.sh" && scratch_db NAME
#
# creates the database NAME_<pid>, migrates it with DNSAPI_BINARY, exports
# DNSAPI_DATABASE_URL for it, sets ADMIN (the cluster's conninfo), DB and
# OUT (a fresh temporary folder), and drops both on exit.
: "${DNSAPI_TEST_DATABASE_URL:?set DNSAPI_TEST_DATABASE_URL (key=value conninfo of a superuser)}"
: "${DNSAPI_BINARY:?set DNSAPI_BINARY to a non-sanitizer build of dnsapi}"

scratch_db() {
    DB=$1_$$
    ADMIN=$DNSAPI_TEST_DATABASE_URL
    export DNSAPI_DATABASE_URL="$ADMIN dbname=$DB"
    OUT=$(mktemp -d "${TMPDIR:-/var/tmp}/dnsapi-$1.XXXXXX")
    trap scratch_db_drop EXIT INT TERM
    psql "$ADMIN" -qc "CREATE DATABASE $DB"
    "$DNSAPI_BINARY" migrate >/dev/null
}

scratch_db_drop() {
    rm -rf "$OUT"
    psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
