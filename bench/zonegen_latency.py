#!/usr/bin/python3
"""Write-to-served latency: API write -> zonegen -> NSD answer.

Starts a fresh database and `dnsapi serve` (tests/e2e/harness.py), NSD on
127.0.0.1:15353 (tests/e2e/test_zonegen_ns.py's NameServers; Knot is not
started) and `dnsapi zonegen` with DNSAPI_VERIFY at NSD. Loads a zone of
--records records by SQL, then makes --changes writes through the API, one
at a time: for each, the clock starts before the POST is sent and stops when
NSD first answers the new record (polled over UDP every millisecond).
Prints p50, p90, p99 and max.

  DNSAPI_TEST_DATABASE_URL='host=127.0.0.1 port=15400 user=postgres dbname=postgres' \
  DNSAPI_BINARY=build-zgrel/dnsapi /usr/bin/python3 bench/zonegen_latency.py
"""

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import dns.rcode  # noqa: E402

import harness  # noqa: E402
from test_zonegen_ns import NameServers, Zonegen, query  # noqa: E402

ZONE = "bench-latency.test."
POLL_LIMIT_SECONDS = 10.0


def _load_sql(n):
    """n records (A/AAAA/TXT/MX mix) at host-N, bypassing the per-row triggers."""
    return ("SET session_replication_role = replica; "
            "INSERT INTO records (zone_id, account_id, name, type, content, ttl, priority) "
            "SELECT z.id, z.account_id, 'host-' || i || '.' || z.name, "
            "(ARRAY['A', 'AAAA', 'TXT', 'MX'])[1 + i % 4], "
            "CASE i % 4 "
            "WHEN 0 THEN '10.' || (i >> 16) % 256 || '.' || (i >> 8) % 256 || '.' || i % 256 "
            "WHEN 1 THEN '2001:db8::' || to_hex(i >> 16) || ':' || to_hex(i & 65535) "
            "WHEN 2 THEN 'v=spf1 ip4:192.0.2.' || i % 256 || ' -all' "
            "ELSE 'mail.' || z.name END, "
            "3600, CASE WHEN i % 4 = 3 THEN 10 END "
            "FROM zones z, generate_series(1, " + str(int(n)) + ") AS i "
            "WHERE z.name = '" + ZONE + "'; "
            "SET session_replication_role = origin; "
            "UPDATE zones z SET record_count = "
            "(SELECT count(*) FROM records r WHERE r.zone_id = z.id);")


def wait_answer(port, name, limit=POLL_LIMIT_SECONDS):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            r = query(port, name, "A", timeout=0.2)
            if r.rcode() == dns.rcode.NOERROR and r.answer:
                return time.monotonic()
        except Exception:
            pass
        time.sleep(0.001)
    raise RuntimeError("%s not served within %.0f s" % (name, limit))


def percentile(values, p):
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--changes", type=int, default=60)
    ap.add_argument("--log", help="copy the zonegen log here at the end")
    args = ap.parse_args()

    ns = NameServers()
    env = ns.env()
    env["DNSAPI_NS_CONF"] = "nsd:" + ns.nsd_inc
    env["DNSAPI_RELOAD_CMD"] = ("nsd-control -c %s reconfig >/dev/null && "
                                "nsd-control -c %s reload {zone} >/dev/null"
                                % (ns.nsd_conf, ns.nsd_conf))
    env["DNSAPI_VERIFY"] = "127.0.0.1:%d" % ns.nsd_port
    if os.environ.get("DNSAPI_ZONEGEN_DEBUG"):
        env["DNSAPI_ZONEGEN_DEBUG"] = os.environ["DNSAPI_ZONEGEN_DEBUG"]
    stack = zg = None
    try:
        ns.start()
        # Knot is not part of this benchmark.
        ns.knot.terminate()
        ns.knot.wait(timeout=10)
        stack = harness.Stack("zg_latency", 18161, env=env).start()
        token = stack.token()
        r = stack.request("POST", "/v1/zones", token=token, body={"name": ZONE})
        assert r.status == 201, r
        stack.sql(_load_sql(args.records - 3))  # plus SOA and two apex NS
        zg = Zonegen(stack, env).start()
        # A first change makes the loaded zone dirty; wait until it is served.
        r = stack.request("POST", "/v1/zones/%s/records" % ZONE, token=token,
                          body={"name": "warmup", "type": "A", "content": "192.0.2.1",
                                "ttl": 300})
        assert r.status == 201, r
        wait_answer(ns.nsd_port, "warmup." + ZONE, limit=60)
        count = stack.sql("SELECT record_count FROM zones WHERE name = '%s'" % ZONE)
        lat, api = [], []
        for i in range(args.changes):
            name = "lat-%d.%s" % (i, ZONE)
            t0 = time.monotonic()
            r = stack.request("POST", "/v1/zones/%s/records" % ZONE, token=token,
                              body={"name": name, "type": "A", "content": "192.0.2.%d" % (i % 250 + 1),
                                    "ttl": 300})
            assert r.status == 201, r
            api.append((time.monotonic() - t0) * 1000.0)
            t1 = wait_answer(ns.nsd_port, name)
            lat.append((t1 - t0) * 1000.0)
            if os.environ.get("DNSAPI_ZONEGEN_DEBUG"):
                print("change %d: posted %.3f served %.3f" % (i, time.time() - (time.monotonic() - t0), time.time() - (time.monotonic() - t1)))
        print("zone %s: %s records, %d changes, one at a time" % (ZONE, count, len(lat)))
        print("write-to-served ms: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f  mean %.0f"
              % (percentile(lat, 50), percentile(lat, 90), percentile(lat, 99), max(lat),
                 statistics.mean(lat)))
        print("of which the API write itself, ms: p50 %.0f  p99 %.0f"
              % (percentile(api, 50), percentile(api, 99)))
    finally:
        if zg is not None:
            zg.stop()
            if args.log:
                import shutil
                shutil.copy(zg.log_path, args.log)
        if stack is not None:
            stack.stop()
        ns.stop()


if __name__ == "__main__":
    main()
