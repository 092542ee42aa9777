#!/usr/bin/python3
"""Many zones through a primary and a secondary.

Starts a fresh database and `dnsapi serve` (tests/e2e/harness.py), NSD as
primary and Knot as catalog secondary (tests/e2e/fleet.py; BIND is not
started), and `dnsapi zonegen` with the fleet settings. Then:

  1. creates --zones zones through the HTTP API with --concurrency clients
     (POST /v1/zones), and measures until every zone is published on both
     servers (zonegen's own checks, then every zone's SOA asked of Knot);
  2. makes --changes record writes, one at a time, into one zone, and
     measures from before each POST until Knot answers the new name (polled
     over UDP every millisecond): p50, p99, max.

  DNSAPI_TEST_DATABASE_URL='host=127.0.0.1 port=15399 user=postgres dbname=postgres' \\
  DNSAPI_BINARY=build-rel/dnsapi /usr/bin/python3 bench/fleet_zones.py --zones 10000
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import dns.rcode  # noqa: E402

import fleet  # noqa: E402
import harness  # noqa: E402
from test_zonegen_ns import Zonegen  # noqa: E402

PORTS = {"nsd": 15390, "nsd_control": 15391, "knot": 15392, "bind": 15393, "metrics": 15394}
API_PORT = 18169


def percentile(values, p):
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def create_zones(port, token, names, concurrency):
    errors = []
    lock = threading.Lock()
    it = iter(names)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                name = next(it, None)
            if name is None:
                break
            body = json.dumps({"name": name})
            conn.request("POST", "/v1/zones", body=body, headers={
                "Authorization": "Bearer " + token, "Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            if r.status != 201:
                errors.append((name, r.status))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--zones", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--log", help="copy the zonegen log here at the end")
    args = ap.parse_args()

    f = fleet.Fleet({k: harness.tport(v) for k, v in PORTS.items()}, bind=False)
    stack = zg = None
    try:
        f.start()
        env = f.zonegen_env()
        env["DNSAPI_THREADS"] = "2"
        stack = harness.Stack("fleet_bench", API_PORT, env=env).start()
        token = stack.token()
        zg = Zonegen(stack, env).start()
        names = ["b%d.fleet-bench.test." % i for i in range(args.zones)]
        t0 = time.monotonic()
        errors = create_zones(stack.port, token, names, args.concurrency)
        t1 = time.monotonic()
        if errors:
            raise RuntimeError("%d creates failed, first: %r" % (len(errors), errors[0]))
        print("created %d zones in %.1f s (%.0f/s) at c=%d"
              % (args.zones, t1 - t0, args.zones / (t1 - t0), args.concurrency))
        deadline = time.monotonic() + 1800
        while stack.sql("SELECT count(*) FROM zones WHERE dnsapi_zone_status(id) <> 'published'") \
                != "0":
            if time.monotonic() > deadline:
                raise RuntimeError("not all published: %s" % zg.log_tail())
            time.sleep(0.2)
        t2 = time.monotonic()
        missing = [n for n in names if fleet.soa_serial(f.ports["knot"], n) is None]
        t3 = time.monotonic()
        print("all %d published on primary and secondary %.1f s after the first create "
              "(%.1f s after the last); Knot asked for every SOA afterwards: %d missing"
              % (args.zones, t2 - t0, t2 - t1, len(missing)))
        print("  (the SOA sweep of Knot took %.1f s)" % (t3 - t2))

        zone = names[0]
        lat = []
        for i in range(args.changes):
            name = "lat-%d.%s" % (i, zone)
            ts = time.monotonic()
            r = stack.request("POST", "/v1/zones/%s/records" % zone, token=token,
                              body={"name": name, "type": "A", "content": "192.0.2.1",
                                    "ttl": 300})
            assert r.status == 201, r
            end = ts + 30
            while time.monotonic() < end:
                try:
                    a = fleet.query(f.ports["knot"], name, "A", timeout=0.2)
                    if a.rcode() == dns.rcode.NOERROR and a.answer:
                        break
                except Exception:
                    pass
                time.sleep(0.001)
            else:
                raise RuntimeError("%s not on the secondary within 30 s" % name)
            lat.append((time.monotonic() - ts) * 1000.0)
        print("API write -> served by the secondary, %d changes one at a time, ms: p50 %.0f "
              "p90 %.0f p99 %.0f max %.0f" % (len(lat), percentile(lat, 50), percentile(lat, 90),
                                             percentile(lat, 99), max(lat)))
    finally:
        if zg is not None:
            zg.stop()
            if args.log:
                import shutil
                shutil.copy(zg.log_path, args.log)
        if stack is not None:
            stack.stop()
        f.stop()


if __name__ == "__main__":
    main()
