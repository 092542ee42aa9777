#!/usr/bin/env bash
# deploy/quickstart.sh - dnsapi on this machine, for trying it out.
#
#   sudo bash deploy/quickstart.sh
#
# Installs the Debian packages that are missing, builds build/dnsapi
# (Release), starts a PostgreSQL kept under var/pg (127.0.0.1:15433; created
# on the first run, reused after), creates the roles dnsapi_owner,
# dnsapi_serve and dnsapi_zonegen, migrates as the owner and grants the
# other two only what they use (`dnsapi db grant`), creates the account `dev`,
# mints a token with every scope, starts NSD on 127.0.0.1:5353 fed by
# `dnsapi zonegen`, prints the token with a curl and a dig line, and runs
# `dnsapi serve` on 127.0.0.1:8080 in the foreground. Ctrl-C stops the
# server and then everything this script started.
#
# Everything it keeps lives in var/: the database, the JWT secret, the zone
# files, NSD's configuration and logs, and quickstart.env (source it in
# another shell to use the dnsapi command line against the same database).
#
# Ports can be changed: QUICKSTART_PG_PORT (15433), QUICKSTART_DNS_PORT
# (5353), QUICKSTART_LISTEN (127.0.0.1:8080).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=tests/lib/deps.sh
. "$ROOT/tests/lib/deps.sh"

PG_PORT=${QUICKSTART_PG_PORT:-15433}
DNS_PORT=${QUICKSTART_DNS_PORT:-5353}
LISTEN=${QUICKSTART_LISTEN:-127.0.0.1:8080}
VAR=$ROOT/var
PGBIN=/usr/lib/postgresql/15/bin
BIN=$ROOT/build/dnsapi
NSD_CONF=$VAR/nsd/nsd.conf

PG_STARTED=0
NSD_STARTED=0
ZONEGEN_PID=
SERVE_PID=

say() {
    printf '\033[1m== %s\033[0m\n' "$*"
}

warn() {
    printf 'quickstart: warning: %s\n' "$*" >&2
}

die() {
    printf 'quickstart: %s\n' "$*" >&2
    exit 1
}

# Sends TERM to pid and waits up to 10 s, then KILL.
stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        # an exited child of this shell stays a zombie until waited for
        if [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ]; then
            wait "$pid" 2>/dev/null || true
            return 0
        fi
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# Prints the pid in file when that process is alive and runs program.
live_pid() {
    local file=$1 program=$2 pid
    [ -f "$file" ] || return 0
    pid=$(head -n 1 "$file" 2>/dev/null || true)
    case $pid in '' | *[!0-9]*) return 0 ;; esac
    if kill -0 "$pid" 2>/dev/null && grep -q "$program" "/proc/$pid/cmdline" 2>/dev/null; then
        echo "$pid"
    fi
}

# ==== name servers, plural: a Knot secondary by catalog (zonegen's side) ====
# NSD stays the (hidden) primary; Knot on 127.0.0.1:$DNS2_PORT is configured
# once as consumer of the catalog zone catalog.dnsapi.invalid. and follows
# every zone by itself. The TSIG key is var/xfr-key.conf (keymgr -t), shared
# by zonegen and Knot. QUICKSTART_DNS2_PORT (5354) moves it; "off" runs NSD
# alone.
DNS2_PORT=${QUICKSTART_DNS2_PORT:-5354}
KNOT2_STARTED=0

# The zonegen settings for the primary and the secondary.
fleet_env() {
    export DNSAPI_NS_CONF=nsd:$VAR/nsd/zones.conf
    export DNSAPI_RELOAD_CMD="nsd-control -c $NSD_CONF reconfig >/dev/null && nsd-control -c $NSD_CONF reload {zone}"
    export DNSAPI_ZONES_ADD_CMD="sed 's/\$/ dnsapi/' | nsd-control -c $NSD_CONF addzones >/dev/null"
    export DNSAPI_ZONES_DEL_CMD="nsd-control -c $NSD_CONF delzones >/dev/null"
    export DNSAPI_CATALOG=catalog.dnsapi.invalid
    if [ "$DNS2_PORT" != off ]; then
        [ -s "$VAR/xfr-key.conf" ] || (umask 077 && keymgr -t xfr-key hmac-sha256 >"$VAR/xfr-key.conf")
        export DNSAPI_TSIG_KEY_FILE=$VAR/xfr-key.conf
        export DNSAPI_SECONDARIES=ns2.dnsapi.test=127.0.0.1:$DNS2_PORT
    fi
}

# Knot as catalog consumer, everything under var/knot2.
fleet_start() {
    [ "$DNS2_PORT" != off ] || return 0
    say "Knot secondary on 127.0.0.1:$DNS2_PORT (follows the catalog)"
    mkdir -p "$VAR/knot2/db"
    cat >"$VAR/knot2/knot.conf" <<KNOTCONF
# Written by deploy/quickstart.sh; rewritten on every run.
server:
    rundir: "$VAR/knot2"
    pidfile: "$VAR/knot2/knot.pid"
    listen: 127.0.0.1@$DNS2_PORT
log:
  - target: "$VAR/knot2/knot.log"
    any: info
control:
    listen: "$VAR/knot2/knot.sock"
database:
    storage: "$VAR/knot2/db"
include: "$VAR/xfr-key.conf"
remote:
  - id: primary
    address: 127.0.0.1@$DNS_PORT
    key: xfr-key
acl:
  - id: from-primary
    address: 127.0.0.1
    key: xfr-key
    action: notify
template:
  - id: default
    storage: "$VAR/knot2/db"
  - id: member
    storage: "$VAR/knot2/db"
    master: primary
    acl: from-primary
    zonefile-sync: -1
    zonefile-load: none
    journal-content: all
zone:
  - domain: catalog.dnsapi.invalid.
    master: primary
    acl: from-primary
    catalog-role: interpret
    catalog-template: member
    zonefile-sync: -1
    zonefile-load: none
    journal-content: all
KNOTCONF
    local stale
    stale=$(live_pid "$VAR/knot2/knot.pid" knotd)
    if [ -n "$stale" ]; then
        echo "stopping Knot left running by an earlier run (pid $stale)"
        stop_pid "$stale"
    fi
    knotc -c "$VAR/knot2/knot.conf" conf-check >/dev/null || die "knotc refused $VAR/knot2/knot.conf"
    KNOT2_STARTED=1
    knotd -d -c "$VAR/knot2/knot.conf" || warn "Knot did not start (is port $DNS2_PORT taken? set QUICKSTART_DNS2_PORT)"
}

fleet_stop() {
    [ "$KNOT2_STARTED" = 1 ] || return 0
    say "stopping the Knot secondary"
    local pid
    pid=$(live_pid "$VAR/knot2/knot.pid" knotd)
    [ -z "$pid" ] || stop_pid "$pid"
}
# ==== end of name servers, plural ====

# shellcheck disable=SC2317 # called by the traps
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    echo
    if [ -n "$SERVE_PID" ]; then
        say "stopping dnsapi serve"
        stop_pid "$SERVE_PID"
    fi
    rm -f "$VAR/serve.pid"
    if [ -n "$ZONEGEN_PID" ]; then
        say "stopping zonegen"
        stop_pid "$ZONEGEN_PID"
        rm -f "$VAR/zonegen.pid"
    fi
    fleet_stop # name servers, plural
    if [ "$NSD_STARTED" = 1 ]; then
        say "stopping NSD"
        local pid
        pid=$(live_pid "$VAR/nsd/nsd.pid" nsd)
        [ -z "$pid" ] || stop_pid "$pid"
    fi
    if [ "$PG_STARTED" = 1 ]; then
        say "stopping PostgreSQL (data kept in var/pg)"
        bash "$ROOT/tests/lib/pg.sh" stop "$VAR/pg" || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || die "run it as root: sudo bash deploy/quickstart.sh"

say "packages"
deps_install build-essential cmake pkg-config libh2o-evloop-dev libssl-dev libpq-dev \
    libjansson-dev libjwt-dev libldns-dev postgresql-15 nsd knot bind9-dnsutils curl

# Release at -O2: GCC 12's -O3 inlining raises false stringop-overflow
# warnings, which -Werror would turn into a failed build.
say "build (build/, Release)"
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DDNSAPI_SANITIZE=OFF -DDNSAPI_TESTS=OFF >/dev/null
cmake --build "$ROOT/build" -j2 --target dnsapi

mkdir -p "$VAR/zones" "$VAR/nsd"
chmod 755 "$VAR"

# PostgreSQL runs as the postgres user, which must reach var/pg. When the
# checkout sits below a directory it cannot enter (such as /root), the
# cluster lives in /var/lib/dnsapi-quickstart and var/pg points there.
say "PostgreSQL on 127.0.0.1:$PG_PORT (var/pg)"
if ! su postgres -s /bin/sh -c "test -x '$VAR'" 2>/dev/null; then
    alt=/var/lib/dnsapi-quickstart/$(printf '%s' "$ROOT" | md5sum | cut -c1-12)
    mkdir -p "$alt"
    chmod 755 /var/lib/dnsapi-quickstart "$alt"
    if [ ! -L "$VAR/pg" ]; then
        [ ! -e "$VAR/pg" ] || die "var/pg exists but the postgres user cannot reach $VAR"
        ln -s "$alt" "$VAR/pg"
    fi
    echo "the postgres user cannot enter $VAR; var/pg links to $alt"
fi
PG_STARTED=1
bash "$ROOT/tests/lib/pg.sh" start "$VAR/pg" "$PG_PORT" --keep
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres)

# The token signing key: made once, kept in var/.
if [ ! -s "$VAR/jwt_secret" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$VAR/jwt_secret")
fi
chmod 600 "$VAR/jwt_secret"

export DNSAPI_LISTEN=$LISTEN
DNSAPI_JWT_SECRET=$(cat "$VAR/jwt_secret")
export DNSAPI_JWT_SECRET
export DNSAPI_NAMESERVERS=ns1.dnsapi.test,ns2.dnsapi.test
export DNSAPI_ZONE_DIR=$VAR/zones
export DNSAPI_VERIFY=127.0.0.1:$DNS_PORT
fleet_env # name servers, plural: include, reload, add/delete, catalog, secondary
unset DNSAPI_CONFIG

# ---- database roles (least privilege; deploy/README.md "Database roles") ----
# dnsapi_owner owns the database and everything the migrations create, and
# is what `migrate`, `account` and `token` connect as (DNSAPI_DATABASE_URL
# here and in var/quickstart.env). `serve` connects as dnsapi_serve and
# `zonegen` as dnsapi_zonegen, which `dnsapi db grant` gives only the rights
# they use. deploy/db-roles.sh makes the roles and the database; the
# cluster trusts loopback logins, so their passwords are not used here. A
# database made by an earlier quick start, owned by postgres, is handed over
# to dnsapi_owner.
say "database roles and migrate"
adopt=()
if [ "$("${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'dnsapi'")" = 1 ]; then
    adopt=(--adopt postgres)
fi
PSQL="${PSQL[*]}" bash "$ROOT/deploy/db-roles.sh" "${adopt[@]}"
export DNSAPI_DATABASE_URL="host=127.0.0.1 port=$PG_PORT user=dnsapi_owner dbname=dnsapi"
SERVE_DATABASE_URL="host=127.0.0.1 port=$PG_PORT user=dnsapi_serve dbname=dnsapi"
ZONEGEN_DATABASE_URL="host=127.0.0.1 port=$PG_PORT user=dnsapi_zonegen dbname=dnsapi"
"$BIN" migrate
"$BIN" db grant --serve dnsapi_serve --zonegen dnsapi_zonegen
# ---- end of database roles ----

say "account dev"
rc=0
out=$("$BIN" account create dev 2>"$VAR/account.err") || rc=$?
if grep -qi 'exist' "$VAR/account.err"; then
    echo "account dev already exists"
elif [ "$rc" -eq 0 ]; then
    echo "created account dev (id $out)"
else
    cat "$VAR/account.err" >&2
    die "dnsapi account create dev failed"
fi
rm -f "$VAR/account.err"

say "token"
TOKEN=$("$BIN" token create --account dev \
    --scope "zones:read zones:write records:read records:write tokens:write" --expires-in 90d)
[ -n "$TOKEN" ] || die "dnsapi token create printed no token"

# NSD on 127.0.0.1:DNS_PORT, run as root without chroot, everything under
# var/nsd; zonegen keeps var/nsd/zones.conf (the zone list) and reloads NSD
# through its control socket.
say "NSD on 127.0.0.1:$DNS_PORT"
[ -f "$VAR/nsd/zones.conf" ] || echo "# zone list, kept by dnsapi zonegen" >"$VAR/nsd/zones.conf"
cat >"$NSD_CONF" <<EOF
# Written by deploy/quickstart.sh; rewritten on every run.
server:
    ip-address: 127.0.0.1@$DNS_PORT
    port: $DNS_PORT
    username: ""
    chroot: ""
    server-count: 1
    zonesdir: "$VAR/zones"
    pidfile: "$VAR/nsd/nsd.pid"
    zonelistfile: "$VAR/nsd/zone.list"
    xfrdfile: "$VAR/nsd/xfrd.state"
    xfrdir: "$VAR/nsd"
    database: ""
    logfile: "$VAR/nsd/nsd.log"
    hide-version: yes

remote-control:
    control-enable: yes
    control-interface: "$VAR/nsd/nsd.ctl"

include: "$VAR/nsd/zones.conf"
EOF
stale=$(live_pid "$VAR/nsd/nsd.pid" nsd)
if [ -n "$stale" ]; then
    echo "stopping NSD left running by an earlier run (pid $stale)"
    stop_pid "$stale"
fi
nsd-checkconf "$NSD_CONF" || die "nsd-checkconf refused $NSD_CONF"
NSD_STARTED=1
if nsd -c "$NSD_CONF"; then
    for _ in $(seq 1 50); do
        [ -z "$(live_pid "$VAR/nsd/nsd.pid" nsd)" ] || break
        sleep 0.1
    done
fi
if [ -z "$(live_pid "$VAR/nsd/nsd.pid" nsd)" ]; then
    tail -n 5 "$VAR/nsd/nsd.log" 2>/dev/null >&2 || true
    warn "NSD did not start (is port $DNS_PORT taken? set QUICKSTART_DNS_PORT); going on without it"
    NSD_STARTED=0
fi

fleet_start # name servers, plural

say "zonegen"
stale=$(live_pid "$VAR/zonegen.pid" dnsapi)
if [ -n "$stale" ]; then
    echo "stopping zonegen left running by an earlier run (pid $stale)"
    stop_pid "$stale"
fi
# as dnsapi_zonegen (database roles, above)
DNSAPI_DATABASE_URL=$ZONEGEN_DATABASE_URL setsid "$BIN" zonegen >>"$VAR/zonegen.log" 2>&1 </dev/null &
ZONEGEN_PID=$!
echo "$ZONEGEN_PID" >"$VAR/zonegen.pid"
sleep 1
if ! kill -0 "$ZONEGEN_PID" 2>/dev/null; then
    tail -n 5 "$VAR/zonegen.log" >&2 || true
    warn "dnsapi zonegen is not running (see var/zonegen.log); the API works, DNS answers will not follow"
    ZONEGEN_PID=
    rm -f "$VAR/zonegen.pid"
fi

# For a second shell: `. var/quickstart.env` gives the same settings.
{
    echo "# Written by deploy/quickstart.sh: . var/quickstart.env"
    for v in DNSAPI_DATABASE_URL DNSAPI_LISTEN DNSAPI_JWT_SECRET DNSAPI_NAMESERVERS \
        DNSAPI_ZONE_DIR DNSAPI_NS_CONF DNSAPI_RELOAD_CMD DNSAPI_VERIFY DNSAPI_ZONES_ADD_CMD \
        DNSAPI_ZONES_DEL_CMD DNSAPI_CATALOG DNSAPI_TSIG_KEY_FILE DNSAPI_SECONDARIES; do
        printf 'export %s=%q\n' "$v" "${!v-}"
    done
    printf 'export TOKEN=%q\n' "$TOKEN"
    # shellcheck disable=SC2016 # $PATH is for the shell that sources it
    printf 'export PATH=%q:"$PATH"\n' "$ROOT/build"
} >"$VAR/quickstart.env"
chmod 600 "$VAR/quickstart.env"

URL=http://$LISTEN
cat <<EOF

dnsapi is starting on $URL

  token (account dev, every scope, 90 days; also in var/quickstart.env):

    TOKEN=$TOKEN

  try it from another shell:

    . var/quickstart.env
    curl -s -H "Authorization: Bearer \$TOKEN" $URL/v1/zones
    curl -s -X POST $URL/v1/zones -H "Authorization: Bearer \$TOKEN" \\
         -H "Content-Type: application/json" -d '{"name":"example.com"}'
    curl -s -X POST $URL/v1/zones/example.com/records -H "Authorization: Bearer \$TOKEN" \\
         -H "Content-Type: application/json" \\
         -d '{"name":"www","type":"A","content":"192.0.2.10","ttl":300}'
    dig @127.0.0.1 -p $DNS_PORT www.example.com A +norec
    dig @127.0.0.1 -p $DNS2_PORT www.example.com A +norec    # the Knot secondary

  or, with the token written out:

    curl -s -H "Authorization: Bearer $TOKEN" $URL/v1/zones

Ctrl-C stops the server, zonegen, NSD and PostgreSQL (data stays in var/).

EOF

say "dnsapi serve"
stale=$(live_pid "$VAR/serve.pid" dnsapi)
if [ -n "$stale" ]; then
    echo "stopping dnsapi serve left running by an earlier run (pid $stale)"
    stop_pid "$stale"
fi
rc=0
# In the background with this shell waiting for it, so that Ctrl-C or a
# TERM sent to this script stops everything (a shell waiting on a
# foreground child only runs its traps once the child has exited).
# as dnsapi_serve (database roles, above)
DNSAPI_DATABASE_URL=$SERVE_DATABASE_URL "$BIN" serve &
SERVE_PID=$!
echo "$SERVE_PID" >"$VAR/serve.pid"
wait "$SERVE_PID" || rc=$?
SERVE_PID=
rm -f "$VAR/serve.pid"
exit "$rc"
