#!/bin/sh
# sandbox.sh RWDIR COMMAND... - runs COMMAND under the limits that
# deploy/systemd/dnsapi-*.service set, as far as they can be had without
# systemd: a private mount namespace in which every file system is
# read-only (ProtectSystem=strict) but RWDIR (ReadWritePaths=), /home,
# /root and /run/user are empty (ProtectHome=yes), /tmp and /var/tmp are
# private (PrivateTmp=yes), /dev has only the pseudo devices
# (PrivateDevices=yes); then the user nobody, no supplementary groups, no
# capabilities in any set (CapabilityBoundingSet=), no_new_privs
# (NoNewPrivileges=yes). The system-call filters and
# MemoryDenyWriteExecute= are not reproduced (they need seccomp).
# One process from here to COMMAND (exec all the way), so signals reach it.
# Run as root; used by tests/e2e/test_ops_deploy.py.
set -eu
rw=$1
shift
exec unshare --mount /bin/sh -eu -c '
rw=$1; shift
mount --make-rprivate /
mount --bind "$rw" "$rw"
findmnt -rn -o TARGET | while read -r m; do
    case "$m" in
    /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$rw") ;;
    *) mount -o remount,bind,ro "$m" 2>/dev/null || true ;;
    esac
done
for d in /home /root /run/user; do
    [ -d "$d" ] && mount -t tmpfs -o ro,mode=0755 tmpfs "$d"
done
mount -t tmpfs -o mode=1777 tmpfs /tmp
[ -d /var/tmp ] && mount -t tmpfs -o mode=1777 tmpfs /var/tmp
mount -t tmpfs -o mode=0755 tmpfs /dev
for n in null zero full random urandom tty; do
    touch "/dev/$n"
    mount --bind "/proc/1/root/dev/$n" "/dev/$n" 2>/dev/null || true
done
exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
    --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- "$@"
' sandbox "$rw" "$@"
