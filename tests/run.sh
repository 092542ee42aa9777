#!/usr/bin/env bash
# tests/run.sh - the test command: installs what is missing, builds with
# AddressSanitizer and UndefinedBehaviorSanitizer into build-test/, starts a
# throwaway PostgreSQL on 127.0.0.1, and runs every test through ctest.
#
#   bash tests/run.sh              every test
#   bash tests/run.sh -L unit      one tier (unit, integration, e2e, fuzz);
#                                  any other arguments go to ctest too
#
# Environment: DNSAPI_TEST_PG_PORT (default 15432), DNSAPI_TEST_BUILD_DIR
# (default build-test) and DNSAPI_TEST_PORT_OFFSET (added to every fixed port
# the end-to-end tests use, default 0) let two runs share a machine.
# DNSAPI_FUZZ_SECONDS (default 30) is each fuzzer's time; the fuzzers build
# into DNSAPI_FUZZ_BUILD_DIR (default build-fuzz), see tests/fuzz/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=tests/lib/deps.sh
. "$ROOT/tests/lib/deps.sh"

PG_PORT=${DNSAPI_TEST_PG_PORT:-15432}
BUILD=${DNSAPI_TEST_BUILD_DIR:-$ROOT/build-test}
PG_DIR=${TMPDIR:-/tmp}/dnsapi-test-pg-$PG_PORT
LOCK=${TMPDIR:-/tmp}/dnsapi-test-pg-$PG_PORT.lock
PG_STARTED=0

# shellcheck disable=SC2317 # called by the traps
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$PG_STARTED" = 1 ]; then
        bash "$ROOT/tests/lib/pg.sh" stop "$PG_DIR" || rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() {
    printf '== %s\n' "$*"
}

step "packages"
deps_install build-essential cmake pkg-config libh2o-evloop-dev libssl-dev libpq-dev \
    libjansson-dev libjwt-dev libldns-dev libcmocka-dev postgresql-15 nsd knot knot-dnsutils \
    knot-dnssecutils \
    bind9-dnsutils bind9utils ldnsutils python3-dnspython python3-yaml python3-jsonschema python3-cryptography wrk \
    curl valgrind prometheus openssl python3-h2 docker-compose systemd util-linux chromium nodejs \
    bind9 unbound pebble lego certbot python3-certbot-dns-rfc2136 clang
# nodejs from Debian comes without npm; NodeSource's carries its own
command -v npm >/dev/null || deps_install npm

# One run per port at a time: a second run waits (bounded) for the first.
exec 9>"$LOCK"
if ! flock -n 9; then
    step "waiting for another test run on port $PG_PORT"
    flock -w 1200 9 || {
        echo "run.sh: another test run holds $LOCK; set DNSAPI_TEST_PG_PORT" >&2
        exit 1
    }
fi

# The browser test's driver (tests/e2e/test_ops_browser.py): playwright-core
# from npm, the version package-lock.json pins, into tests/browser/.
if [ ! -d "$ROOT/tests/browser/node_modules/playwright-core" ]; then
    step "npm ci (tests/browser)"
    npm ci --prefix "$ROOT/tests/browser" --no-audit --no-fund >/dev/null
fi

step "build ($BUILD, sanitizers on)"
cmake -S "$ROOT" -B "$BUILD" -DDNSAPI_SANITIZE=ON -DDNSAPI_TESTS=ON >/dev/null
cmake --build "$BUILD" -j2

step "PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DIR)"
PG_STARTED=1
bash "$ROOT/tests/lib/pg.sh" start "$PG_DIR" "$PG_PORT"

export DNSAPI_TEST_DATABASE_URL="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
export DNSAPI_SOURCE_DIR="$ROOT"
export DNSAPI_BINARY="$BUILD/dnsapi"
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=print_suppressions=0
export PYTHONDONTWRITEBYTECODE=1
export DNSAPI_FUZZ_BUILD_DIR=${DNSAPI_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}

step "ctest $*"
rc=0
ctest --test-dir "$BUILD" --output-on-failure --no-tests=error -j2 "$@" || rc=$?
exit "$rc"
