"""Delegation benchmarks: the static analysis on a large zone, and the DNS
client and a live check on the h2o loop against real servers on loopback.

    /usr/bin/python3 bench/delegations.py [RUNS]      (default 5)

Builds a non-sanitized dnsapi_dnsprobe into build-bench/ (the test program
of tests/tools/dnsprobe.c), then prints, per run:
  - analysis: a generated zone of 100,001 records (20,000 delegations, each
    two NS with two glue A, plus 20,000 A records, in random order): the
    CPU time of dns_delegations_analyze alone (DNSAPI_PROBE_TIMING);
  - client: 1000 queries (A, NXDOMAIN) to an NSD and a Knot on
    127.0.0.40/41 through one group with at most 64 in flight: wall time
    and queries per second;
  - check: a live check of a two-server delegation (Knot and NSD), wall
    time of the whole probe run.
Nothing is asserted; results go into bench/README.md by hand.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import dnsfleet  # noqa: E402

BUILD = os.path.join(ROOT, "build-bench")
PROBE = os.path.join(BUILD, "tests", "dnsapi_dnsprobe")
NSD, KNOT = "127.0.0.40", "127.0.0.41"
ZONE = "bench.test."


def build():
    subprocess.run(["cmake", "-S", ROOT, "-B", BUILD, "-DDNSAPI_SANITIZE=OFF",
                    "-DDNSAPI_TESTS=ON", "-DCMAKE_BUILD_TYPE=Release"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", BUILD, "-j2", "--target", "dnsapi_dnsprobe"], check=True,
                   stdout=subprocess.DEVNULL)


def big_zone(path):
    rng = random.Random(1)
    recs = [{"name": "@", "type": "NS", "content": "ns1.provider.net.", "ttl": 86400}]
    for i in range(20000):
        d = "d%05d" % i
        recs += [{"name": d, "type": "NS", "content": "ns1.%s.example.com." % d, "ttl": 86400},
                 {"name": d, "type": "NS", "content": "ns2.%s.example.com." % d, "ttl": 86400},
                 {"name": "ns1." + d, "type": "A", "content": "10.%d.%d.1" % (i // 256, i % 256),
                  "ttl": 3600},
                 {"name": "ns2." + d, "type": "A", "content": "10.%d.%d.2" % (i // 256, i % 256),
                  "ttl": 3600}]
    for i in range(20000):
        recs.append({"name": "h%05d" % i, "type": "A", "content": "192.0.2.%d" % (i % 250 + 1),
                     "ttl": 3600})
    rng.shuffle(recs)
    with open(path, "w") as f:
        json.dump({"zone": "example.com.", "serial": 1, "records": recs}, f)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    build()
    tmp = tempfile.mkdtemp(prefix="dnsapi-bench-deleg-")
    big = os.path.join(tmp, "big.json")
    big_zone(big)
    zone = dnsfleet.zone_text(ZONE, 1, [
        ("@", 3600, "NS", "ns1.bench.test."), ("@", 3600, "NS", "ns2.bench.test."),
        ("ns1", 3600, "A", KNOT), ("ns2", 3600, "A", NSD)])
    parent = os.path.join(tmp, "parent.json")
    with open(parent, "w") as f:
        json.dump({"zone": "test.", "serial": 1, "records": [
            {"name": "bench.test.", "type": "NS", "content": "ns1.bench.test.", "ttl": 3600},
            {"name": "bench.test.", "type": "NS", "content": "ns2.bench.test.", "ttl": 3600},
            {"name": "ns1.bench.test.", "type": "A", "content": KNOT, "ttl": 3600},
            {"name": "ns2.bench.test.", "type": "A", "content": NSD, "ttl": 3600}]}, f)
    with dnsfleet.Fleet() as fleet:
        fleet.nsd("nsd", NSD, {ZONE: zone})
        fleet.knot("knot", KNOT, {ZONE: zone})
        fleet.start()
        queries = []
        for i in range(1000):
            queries += ["%s:53" % (NSD if i % 2 else KNOT), "q%d.bench.test." % i, "A"]
        for run in range(runs):
            out = subprocess.run([PROBE, "delegations", big], capture_output=True, text=True,
                                 env=dict(os.environ, DNSAPI_PROBE_TIMING="1"), check=True)
            print("run %d %s" % (run + 1, out.stderr.strip().splitlines()[-1]))
            t0 = time.monotonic()
            for chunk in range(0, len(queries), 3 * 250):
                out = subprocess.run([PROBE, "--max-inflight", "64", "query"] +
                                     queries[chunk:chunk + 3 * 250], capture_output=True,
                                     text=True, check=True)
                bad = [a for a in json.loads(out.stdout) if a["status"] != "ok"]
                if bad:
                    print("  client: %d queries failed: %r" % (len(bad), bad[0]))
            dt = time.monotonic() - t0
            print("run %d client: 1000 queries in %.0f ms (4 probe runs of 250), %.0f queries/s"
                  % (run + 1, dt * 1000, 1000 / dt))
            t0 = time.monotonic()
            subprocess.run([PROBE, "check", parent, "bench.test."], capture_output=True,
                           check=True)
            print("run %d check: two-server delegation checked in %.0f ms (whole probe run)"
                  % (run + 1, (time.monotonic() - t0) * 1000))


if __name__ == "__main__":
    main()
