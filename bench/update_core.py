"""Throughput of the DNS UPDATE protocol core (dns/message, dns/tsig,
dns/update) over real UDP, through tests/tools/dns_update_server built
Release, with the zone in memory and no dump file. Numbers are recorded in
bench/README.md, never asserted.

    /usr/bin/python3 bench/update_core.py [COUNT]

Builds build-bench-update/, starts the server on 127.0.0.1:15419 (plus
DNSAPI_TEST_PORT_OFFSET), pre-signs COUNT (default 20000) UPDATE messages
with dnspython (each replaces the TXT RRset at bench.example.com. with a new
value, so the zone keeps its size: delete RRset + add, hmac-sha256), then
sends them: one at a time (each answer awaited: latency), and with 32 in
flight (throughput), and reports the server's own CPU time per update (from
/proc), which is what the protocol core costs without the Python client.
Every answer must be NOERROR.
"""

import os
import select
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import dns.tsigkeyring  # noqa: E402
import dns.update  # noqa: E402

from update_server import BASE_RECORDS, Key  # noqa: E402

PORT = 15419 + int(os.environ.get("DNSAPI_TEST_PORT_OFFSET", "0"))
BUILD = os.path.join(ROOT, "build-bench-update")


def build():
    subprocess.run(["cmake", "-S", ROOT, "-B", BUILD, "-DCMAKE_BUILD_TYPE=Release",
                    "-DDNSAPI_TESTS=ON"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", BUILD, "--target", "dns_update_server", "-j2"],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(BUILD, "tests", "dns_update_server")


def messages(key, count, tag):
    out = []
    for i in range(count):
        u = dns.update.UpdateMessage("example.com.", keyring=key.keyring(), keyname=key.name)
        u.delete("bench.example.com.", "TXT")
        u.add("bench.example.com.", 300, "TXT", "%s%d" % (tag, i))
        out.append(u.to_wire())
    return out


def run(wires, window):
    """Sends wires with at most window unanswered; returns seconds taken."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", PORT))
    sent = answered = 0
    start = time.monotonic()
    deadline = start + 600
    while answered < len(wires) and time.monotonic() < deadline:
        while sent < len(wires) and sent - answered < window:
            s.send(wires[sent])
            sent += 1
        ready, _, _ = select.select([s], [], [], 5)
        if not ready:
            raise SystemExit("no answer within 5 s (%d of %d answered)" % (answered, len(wires)))
        data = s.recv(65535)
        if data[3] & 0x0F != 0:
            raise SystemExit("answer rcode %d" % (data[3] & 0x0F))
        answered += 1
    s.close()
    return time.monotonic() - start


def cpu_seconds(pid):
    """User plus system CPU time the process has used."""
    with open("/proc/%d/stat" % pid) as fp:
        fields = fp.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    binary = build()
    key = Key("bench-key.")
    tmp = tempfile.mkdtemp(prefix="dnsapi-bench-update-")
    records = os.path.join(tmp, "records.txt")
    with open(records, "w") as fp:
        fp.write(BASE_RECORDS)
    proc = subprocess.Popen([binary, "--listen", "127.0.0.1:%d" % PORT, "--zone", "example.com.",
                             "--records", records, "--dump", "-", "--key", key.spec()],
                            stdout=subprocess.PIPE, text=True)
    try:
        if proc.stdout.readline().strip() != "listening":
            raise SystemExit("server did not start")
        for window, tag in ((1, "a"), (32, "b")):
            wires = messages(key, count, tag)
            cpu = cpu_seconds(proc.pid)
            took = run(wires, window)
            cpu = cpu_seconds(proc.pid) - cpu
            print("window %2d: %d updates in %.2f s = %.0f updates/s, %.1f us per update; "
                  "server CPU %.1f us per update"
                  % (window, count, took, count / took, took / count * 1e6, cpu / count * 1e6))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
