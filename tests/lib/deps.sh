# shellcheck shell=bash
# tests/lib/deps.sh - install missing Debian packages, sourced by tests/run.sh
# and deploy/quickstart.sh.
#
#   deps_install PKG...   installs the packages dpkg does not list as
#                         installed; runs `apt-get update` once, and not at
#                         all when everything is present.
#
# Services that packages would start on installation (the system's own
# PostgreSQL, NSD, Knot on port 53) are kept from starting: this project runs
# its own instances on ports of its choosing.

deps_missing() {
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
            printf '%s\n' "$p"
        fi
    done
}

deps_install() {
    local missing
    missing=$(deps_missing "$@")
    if [ -z "$missing" ]; then
        return 0
    fi
    # shellcheck disable=SC2086
    echo "deps: installing missing packages:" $missing >&2
    if [ "$(id -u)" -ne 0 ]; then
        # shellcheck disable=SC2086
        echo "deps: not root; install them first: apt-get install -y" $missing >&2
        return 1
    fi
    local policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! timeout 900 apt-get -o DPkg::Lock::Timeout=600 update -q ||
        ! timeout 1800 apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing; then
        rc=1
    fi
    if [ "$made_policy" -eq 1 ]; then
        rm -f "$policy"
    fi
    if [ "$rc" -ne 0 ]; then
        echo "deps: apt-get failed" >&2
        return 1
    fi
    missing=$(deps_missing "$@")
    if [ -n "$missing" ]; then
        # shellcheck disable=SC2086
        echo "deps: still missing after apt-get:" $missing >&2
        return 1
    fi
}
