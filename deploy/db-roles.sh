#!/usr/bin/env bash
# deploy/db-roles.sh - the database roles of dnsapi, made by a superuser.
#
#   sudo -u postgres bash deploy/db-roles.sh [--env-dir DIR] [--adopt ROLE]
#
# Creates the three roles and the database (or updates their passwords when
# they exist), through psql as a PostgreSQL superuser:
#
#   PREFIX_owner    owns the database and everything `dnsapi migrate`
#                   creates; `migrate`, `db grant`, `account` and `token`
#                   connect as it
#   PREFIX_serve    `dnsapi serve`
#   PREFIX_zonegen  `dnsapi zonegen`
#
# It grants nothing on dnsapi's tables: after `dnsapi migrate` (as the
# owner), `dnsapi db grant --serve PREFIX_serve --zonegen PREFIX_zonegen`
# (as the owner) does, and refuses roles that could get around it. With
# --env-dir, it writes DIR/owner.env, DIR/serve.env and DIR/zonegen.env
# (mode 0600), each holding the DNSAPI_DATABASE_URL of one role, for
# systemd's EnvironmentFile= (deploy/systemd/). With --adopt ROLE, the
# tables and functions of schema public that ROLE owns (a database migrated
# as ROLE before there were separate roles) are handed to PREFIX_owner.
#
# Environment:
#   DNSAPI_DB_NAME        database (default dnsapi)
#   DNSAPI_ROLE_PREFIX    role name prefix (default dnsapi)
#   DNSAPI_DB_HOST        host written to the env files (default 127.0.0.1,
#                         where Debian's pg_hba.conf asks for a password);
#                         DNSAPI_DB_PORT (5432)
#   DNSAPI_OWNER_PASSWORD, DNSAPI_SERVE_PASSWORD, DNSAPI_ZONEGEN_PASSWORD
#                         passwords; each one not given is made up (32 hex
#                         digits) and only written to the env files
#   PSQL                  the psql command to run as the superuser (default
#                         "psql"; e.g. "psql -h 127.0.0.1 -p 15433 -U postgres")
set -euo pipefail

ENV_DIR=
ADOPT=
while [ $# -gt 0 ]; do
    case $1 in
    --env-dir) ENV_DIR=${2:?--env-dir needs a directory}; shift 2 ;;
    --adopt) ADOPT=${2:?--adopt needs a role}; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "db-roles.sh: unexpected argument '$1'" >&2; exit 2 ;;
    esac
done

DB=${DNSAPI_DB_NAME:-dnsapi}
PREFIX=${DNSAPI_ROLE_PREFIX:-dnsapi}
HOST=${DNSAPI_DB_HOST:-127.0.0.1}
PORT=${DNSAPI_DB_PORT:-5432}
read -r -a PSQL_CMD <<<"${PSQL:-psql}"
for name in "$DB" "$PREFIX"; do
    case $name in
    '' | *[!a-z0-9_]* | [0-9]*) echo "db-roles.sh: '$name': use lowercase letters, digits and _" >&2; exit 2 ;;
    esac
done

password() {
    head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'
}
OWNER_PW=${DNSAPI_OWNER_PASSWORD:-$(password)}
SERVE_PW=${DNSAPI_SERVE_PASSWORD:-$(password)}
ZONEGEN_PW=${DNSAPI_ZONEGEN_PASSWORD:-$(password)}

# The passwords travel as psql variables, quoted by psql (:'name').
"${PSQL_CMD[@]}" -X -q -v ON_ERROR_STOP=1 -d postgres \
    -v owner="${PREFIX}_owner" -v serve="${PREFIX}_serve" -v zonegen="${PREFIX}_zonegen" \
    -v owner_pw="$OWNER_PW" -v serve_pw="$SERVE_PW" -v zonegen_pw="$ZONEGEN_PW" -v db="$DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', r) FROM unnest(ARRAY[:'owner', :'serve', :'zonegen']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
-- LOGIN only: no superuser, CREATEDB, CREATEROLE or BYPASSRLS, whatever they had
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD %L',
              r, pw)
  FROM (VALUES (:'owner', :'owner_pw'), (:'serve', :'serve_pw'), (:'zonegen', :'zonegen_pw')) AS t(r, pw) \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'owner') \gexec
SQL

if [ -n "$ADOPT" ]; then
    "${PSQL_CMD[@]}" -X -q -v ON_ERROR_STOP=1 -d "$DB" -v owner="${PREFIX}_owner" -v from="$ADOPT" <<'SQL'
SELECT format('ALTER TABLE %s OWNER TO %I', c.oid::regclass, :'owner')
  FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
 WHERE c.relnamespace = 'public'::regnamespace AND r.rolname = :'from' AND c.relkind IN ('r', 'p', 'v', 'm') \gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'owner')
  FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
 WHERE p.pronamespace = 'public'::regnamespace AND r.rolname = :'from' \gexec
SQL
fi

if [ -n "$ENV_DIR" ]; then
    mkdir -p "$ENV_DIR"
    for kind in owner serve zonegen; do
        case $kind in owner) pw=$OWNER_PW ;; serve) pw=$SERVE_PW ;; zonegen) pw=$ZONEGEN_PW ;; esac
        (
            umask 077
            printf '# Written by deploy/db-roles.sh: the database login of dnsapi %s.\n' "$kind"
            printf 'DNSAPI_DATABASE_URL=host=%s port=%s dbname=%s user=%s_%s password=%s\n' \
                "$HOST" "$PORT" "$DB" "$PREFIX" "$kind" "$pw"
        ) >"$ENV_DIR/$kind.env"
        chmod 600 "$ENV_DIR/$kind.env"
    done
fi
echo "db-roles.sh: roles ${PREFIX}_owner, ${PREFIX}_serve, ${PREFIX}_zonegen and database $DB are ready;" \
    "next, as ${PREFIX}_owner: dnsapi migrate && dnsapi db grant --serve ${PREFIX}_serve --zonegen ${PREFIX}_zonegen"
