#!/usr/bin/python3
"""DNS UPDATE into `dnsapi serve`'s listener next to the HTTP record create.

Starts a fresh database, `dnsapi serve` with DNSAPI_UPDATE_LISTEN, zonegen
and NSD (tests/e2e/update_server.py's UpdateStack; API 127.0.0.1:18189,
listener 15419, NSD 15418, all plus DNSAPI_TEST_PORT_OFFSET) and mints one
TSIG key (hmac-sha256) by POST /v1/tsig-keys. Then:

  throughput   for each concurrency C: --records new A records into an
               empty zone, once by POST /v1/zones/{zone}/records (HTTP/1.1
               keep-alive, one connection per worker) and once by DNS UPDATE
               over UDP (one add per message, signed), C workers each with
               its own socket and one request in flight. Both drivers send
               bytes prepared before the clock starts (the request text; the
               message signed with dnspython) and read the answer's status
               or rcode only, so the client costs the same little per
               request. Every answer must be 201 / NOERROR; the zone must
               then hold exactly the records sent.
  latency      --changes UPDATEs one after another, each adding one A record
               at a new name; the clock starts when the UPDATE's answer
               arrives and stops when NSD first answers the new name (polled
               over UDP every millisecond). The same for the HTTP create,
               from its 201.

  DNSAPI_TEST_DATABASE_URL='host=127.0.0.1 port=15452 user=postgres dbname=postgres' \\
  DNSAPI_BINARY=build-bench/dnsapi /usr/bin/python3 bench/update_listener.py
"""

import argparse
import os
import socket
import statistics
import struct
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import dns.rcode  # noqa: E402
import dns.update  # noqa: E402

import harness  # noqa: E402
from update_server import UpdateStack  # noqa: E402
from test_zonegen_ns import Zonegen  # noqa: E402
from zonegen_latency import percentile, wait_answer  # noqa: E402

API_PORT = 18189
LISTEN_PORT = harness.tport(15419)
NSD_PORT = harness.tport(15418)
NSD_CONTROL_PORT = harness.tport(15417)


def http_requests(stack, zone, n, tag):
    body = '{"name":"h%s-%d","type":"A","content":"192.0.2.%d","ttl":300}'
    out = []
    for i in range(n):
        b = (body % (tag, i, i % 250 + 1)).encode()
        out.append(("POST /v1/zones/%s/records HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                    "Content-Length: %d\r\n\r\n" % (zone, stack.token, len(b))).encode() + b)
    return out


def update_messages(key, zone, n, tag):
    out = []
    for i in range(n):
        u = dns.update.UpdateMessage(zone, keyring=key.keyring(), keyname=key.name)
        u.add("u%s-%d.%s" % (tag, i, zone), 300, "A", "192.0.2.%d" % (i % 250 + 1))
        out.append(u.to_wire())
    return out


def http_worker(port, requests, latencies, errors):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rb")
    try:
        for req in requests:
            t0 = time.monotonic()
            s.sendall(req)
            status = f.readline().split()[1]
            length = 0
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            f.read(length)
            latencies.append(time.monotonic() - t0)
            if status != b"201":
                errors.append(status)
    finally:
        f.close()
        s.close()


def update_worker(port, messages, latencies, errors):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    try:
        for wire in messages:
            t0 = time.monotonic()
            s.send(wire)
            answer = s.recv(65535)
            latencies.append(time.monotonic() - t0)
            if answer[:2] != wire[:2] or answer[3] & 0x0F != dns.rcode.NOERROR:
                errors.append(answer[3] & 0x0F)
    finally:
        s.close()


def run_workers(worker, port, items, concurrency):
    """items split over concurrency threads; returns (seconds, latencies, errors)."""
    parts = [items[i::concurrency] for i in range(concurrency)]
    latencies, errors = [], []
    threads = [threading.Thread(target=worker, args=(port, p, latencies, errors))
               for p in parts]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    return time.monotonic() - t0, latencies, errors


def count_records(stack, zone, prefix):
    return int(stack.stack.sql(
        "SELECT count(*) FROM records r JOIN zones z ON z.id = r.zone_id "
        "WHERE z.name = '%s' AND r.name LIKE '%s%%'" % (zone, prefix)))


def line(label, c, n, seconds, latencies, errors):
    ms = [x * 1000 for x in latencies]
    return ("%-22s c=%-3d records=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d"
            % (label, c, n, n / seconds, statistics.median(ms), percentile(ms, 99), len(errors)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--concurrency", default="1,8,32")
    ap.add_argument("--changes", type=int, default=50)
    args = ap.parse_args()

    stack = UpdateStack("bench_update", API_PORT, LISTEN_PORT, NSD_PORT, NSD_CONTROL_PORT).start()
    try:
        key = stack.mint_key("bench-key.")
        print("machine: %d cores, %s; server threads: %s; load average %s"
              % (os.cpu_count(), os.uname().release, stack.stack.base_env()["DNSAPI_THREADS"],
                 " ".join("%.1f" % x for x in os.getloadavg())))
        # Throughput with zonegen stopped (as bench/run.sh measures the API
        # alone): its rendering and NSD's reloads would take the CPU the
        # server and PostgreSQL share.
        stack.zonegen.stop()
        for c in [int(x) for x in args.concurrency.split(",")]:
            for label, worker, port, make in (
                    ("HTTP create", http_worker, stack.stack.port,
                     lambda z, n, t: http_requests(stack, z, n, t)),
                    ("DNS UPDATE (UDP)", update_worker, LISTEN_PORT,
                     lambda z, n, t: update_messages(key, z, n, t))):
                zone = "c%d-%s.bench.test." % (c, "http" if worker is http_worker else "update")
                stack.api("POST", "/v1/zones", "/v1/zones", body={"name": zone}, expect=201)
                items = make(zone, args.records, str(c))
                seconds, lat, errors = run_workers(worker, port, items, c)
                prefix = "h" if worker is http_worker else "u"
                got = count_records(stack, zone, prefix)
                print(line(label, c, args.records, seconds, lat, errors)
                      + ("" if got == args.records else "  RECORDS IN ZONE: %d" % got))
                sys.stdout.flush()

        stack.zonegen = Zonegen(stack.stack, stack.env).start()
        zone = "latency.bench.test."
        stack.create_zone(zone)
        samples = {"DNS UPDATE": [], "HTTP create": []}
        rtt = {"DNS UPDATE": [], "HTTP create": []}
        for i in range(args.changes):
            name = "l-u%d.%s" % (i, zone)
            u = dns.update.UpdateMessage(zone, keyring=key.keyring(), keyname=key.name)
            u.add(name, 300, "A", "192.0.2.1")
            wire = u.to_wire()
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(10)
            t0 = time.monotonic()
            s.sendto(wire, ("127.0.0.1", LISTEN_PORT))
            answer = s.recv(65535)
            t1 = time.monotonic()
            s.close()
            if answer[3] & 0x0F != dns.rcode.NOERROR:
                raise RuntimeError("UPDATE answered rcode %d" % (answer[3] & 0x0F))
            samples["DNS UPDATE"].append(wait_answer(stack.nsd.port, name) - t1)
            rtt["DNS UPDATE"].append(t1 - t0)
            name = "l-h%d" % i
            t0 = time.monotonic()
            r = stack.stack.request("POST", "/v1/zones/%s/records" % zone, token=stack.token,
                                    body={"name": name, "type": "A", "content": "192.0.2.1",
                                          "ttl": 300})
            t1 = time.monotonic()
            if r.status != 201:
                raise RuntimeError("create answered %r" % r)
            served = wait_answer(stack.nsd.port, "%s.%s" % (name, zone))
            samples["HTTP create"].append(served - t1)
            rtt["HTTP create"].append(t1 - t0)
        for what in ("DNS UPDATE", "HTTP create"):
            ms = [x * 1000 for x in samples[what]]
            print("%-12s answer -> served by NSD (n=%d): p50_ms=%.0f p90_ms=%.0f p99_ms=%.0f "
                  "max_ms=%.0f; the write itself p50_ms=%.1f"
                  % (what, len(ms), statistics.median(ms), percentile(ms, 90), percentile(ms, 99),
                     max(ms), statistics.median(rtt[what]) * 1000))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
