"""Runs tests/tools/dns_update_server (the DNS UPDATE protocol core with an
in-memory zone) for the end-to-end tests, and the real clients that talk to
it: BIND's nsupdate, Knot's knsupdate and dnspython.

Every client is pointed at the server's loopback address explicitly; none
of them ever asks the system resolver.
"""

import base64
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402

import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.tsig  # noqa: E402
import dns.tsigkeyring  # noqa: E402
import dns.update  # noqa: E402

ZONE = "example.com."
CLIENT_TIMEOUT = 20.0
START_TIMEOUT = 10.0

BASE_RECORDS = """\
example.com. 3600 SOA ns1.example.net. hostmaster.example.net. 2024010101 3600 900 604800 300
example.com. 86400 NS ns1.example.net.
example.com. 86400 NS ns2.example.net.
www.example.com. 3600 A 192.0.2.1
mail.example.com. 3600 MX 10 mx1.example.net.
"""


def new_secret(nbytes=32):
    return base64.b64encode(secrets.token_bytes(nbytes)).decode()


class Key:
    """A TSIG key as the server and the clients are given it."""

    def __init__(self, name, algorithm="hmac-sha256", secret=None):
        self.name = name if name.endswith(".") else name + "."
        self.algorithm = algorithm
        self.secret = secret or new_secret(64 if algorithm == "hmac-sha512" else 32)

    def spec(self):
        return "%s:%s:%s" % (self.algorithm, self.name, self.secret)

    def keyring(self):
        return dns.tsigkeyring.from_text({self.name: (self.algorithm, self.secret)})


def server_binary():
    path = os.environ.get("DNSAPI_UPDATE_SERVER")
    if not path or not os.access(path, os.X_OK):
        raise unittest.SkipTest("DNSAPI_UPDATE_SERVER is not set or not executable: %r" % path)
    return path


class UpdateServer:
    """One dns_update_server on 127.0.0.1:port, with its records file and
    dump in a temporary directory. stop() fails the test if the server
    crashed or LeakSanitizer reported a leak."""

    def __init__(self, port, keys, records=BASE_RECORDS, policies=(), clock_offset=0):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="dnsapi-update-")
        self.records_path = os.path.join(self.dir, "records.txt")
        self.dump_path = os.path.join(self.dir, "dump.txt")
        self.stderr_path = os.path.join(self.dir, "stderr.txt")
        with open(self.records_path, "w") as fp:
            fp.write(records)
        args = [server_binary(), "--listen", "127.0.0.1:%d" % port, "--zone", ZONE,
                "--records", self.records_path, "--dump", self.dump_path,
                "--clock-offset", str(clock_offset)]
        for key in keys:
            args += ["--key", key.spec()]
        for policy in policies:
            args += ["--policy", policy]
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = self._readline(START_TIMEOUT)
        if line.strip() != "listening":
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("dns_update_server did not start: %r\n%s" % (line, self.log()))

    def _readline(self, timeout):
        import select
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return self.proc.stdout.readline() if ready else ""

    def log(self):
        self.stderr.flush()
        with open(self.stderr_path) as fp:
            return fp.read()

    def alive(self):
        return self.proc.poll() is None

    def dump(self):
        """The zone as the server holds it: a set of (name, ttl, type, rdata)."""
        with open(self.dump_path) as fp:
            lines = [ln.rstrip("\n") for ln in fp if ln.strip() and not ln.startswith(";")]
        out = set()
        for ln in lines:
            name, ttl, rtype, rest = ln.split(" ", 3)
            out.add((name, int(ttl), rtype, rest))
        return out

    def dump_text(self):
        with open(self.dump_path) as fp:
            return fp.read()

    def serial(self):
        for ln in self.dump_text().splitlines():
            if ln.startswith("; serial "):
                return int(ln.split()[2])
        raise AssertionError("no serial in the dump")

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        log = self.log()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.proc.returncode not in (0, -15):
            raise AssertionError("dns_update_server exited with %s:\n%s"
                                 % (self.proc.returncode, log))
        if "ERROR: LeakSanitizer" in log or "ERROR: AddressSanitizer" in log or \
                "runtime error:" in log:
            raise AssertionError("dns_update_server sanitizer report:\n%s" % log)


def run_client(argv, script, timeout=CLIENT_TIMEOUT):
    """Runs nsupdate or knsupdate with script on stdin; returns
    (returncode, stdout + stderr)."""
    proc = subprocess.run(argv, input=script, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def nsupdate(port, key, commands, tcp=False):
    script = "server 127.0.0.1 %d\nzone %s\n%s\nsend\n" % (port, ZONE, commands.strip())
    argv = ["nsupdate", "-y", "%s:%s:%s" % (key.algorithm, key.name, key.secret)]
    if tcp:
        argv.append("-v")
    return run_client(argv, script)


def knsupdate(port, key, commands, tcp=False):
    script = "server 127.0.0.1 %d\nzone %s\n%s\nsend\nanswer\n" % (port, ZONE, commands.strip())
    argv = ["knsupdate", "-y", "%s:%s:%s" % (key.algorithm, key.name, key.secret)]
    if tcp:
        argv.append("-v")
    return run_client(argv, script)


def ede_texts(response):
    return [opt.text for opt in response.options if int(opt.otype) == 15]


def send_udp_raw(port, wire, timeout=5.0):
    """Sends bytes over UDP; returns the answer's bytes or None when the
    server sent nothing within timeout."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(wire, ("127.0.0.1", port))
        try:
            data, _ = s.recvfrom(65535)
            return data
        except socket.timeout:
            return None


def send_tcp_raw(port, wire, timeout=5.0):
    """Sends one length-prefixed message over TCP; returns the answer, or
    None when the server sent none within timeout or closed."""
    import socket

    def recv_exactly(s, n, deadline):
        data = b""
        while len(data) < n:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = s.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(len(wire).to_bytes(2, "big") + wire)
        try:
            head = recv_exactly(s, 2, deadline)
            if head is None:
                return None
            return recv_exactly(s, int.from_bytes(head, "big"), deadline)
        except socket.timeout:
            return None


def _name_end(wire, pos):
    """The offset after the (possibly compressed) name at pos."""
    for _ in range(256):
        length = wire[pos]
        if length & 0xC0 == 0xC0:
            return pos + 2
        if length == 0:
            return pos + 1
        pos += 1 + length
    raise ValueError("name too long")


def parse_answer(wire):
    """The parts of an answer the tests check, read without dnspython (so
    that a TSIG with an error or no MAC can be looked at): id, flags,
    rcode, counts, the EDE texts, and the TSIG record's fields and offset
    when the last additional record is one."""
    import struct
    ident, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", wire[:12])
    out = {"id": ident, "flags": flags, "rcode": flags & 0x0F, "counts": (qd, an, ns, ar),
           "ede": [], "tsig": None}
    pos = 12
    for _ in range(qd):
        pos = _name_end(wire, pos) + 4
    total = an + ns + ar
    for i in range(total):
        start = pos
        pos = _name_end(wire, pos)
        rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", wire[pos:pos + 10])
        rdata = wire[pos + 10:pos + 10 + rdlen]
        pos += 10 + rdlen
        if rtype == 41:
            out["rcode"] |= (ttl >> 24) << 4
            j = 0
            while j + 4 <= len(rdata):
                code, olen = struct.unpack("!HH", rdata[j:j + 4])
                if code == 15:
                    out["ede"].append(rdata[j + 6:j + 4 + olen].decode("utf-8", "replace"))
                j += 4 + olen
        if rtype == 250 and i == total - 1:
            alg_end = _name_end(rdata, 0)
            time_signed = int.from_bytes(rdata[alg_end:alg_end + 6], "big")
            fudge, mac_size = struct.unpack("!HH", rdata[alg_end + 6:alg_end + 10])
            mac = rdata[alg_end + 10:alg_end + 10 + mac_size]
            k = alg_end + 10 + mac_size
            original_id, error, other_len = struct.unpack("!HHH", rdata[k:k + 6])
            out["tsig"] = {"start": start, "time_signed": time_signed, "fudge": fudge,
                           "mac": mac, "original_id": original_id, "error": error,
                           "other": rdata[k + 6:k + 6 + other_len],
                           "algorithm": rdata[:alg_end]}
    if pos != len(wire):
        raise ValueError("octets after the last record")
    return out


def tsig_mac_of_answer(answer, parsed, key, request_mac):
    """The MAC dnspython computes for the answer (RFC 8945 4.3: request MAC,
    answer without its TSIG and with ARCOUNT less one, TSIG variables)."""
    import dns.rdtypes.ANY.TSIG
    t = parsed["tsig"]
    body = bytearray(answer[:t["start"]])
    body[10:12] = (int.from_bytes(body[10:12], "big") - 1).to_bytes(2, "big")
    rdata = dns.rdtypes.ANY.TSIG.TSIG(
        dns.rdataclass.ANY, dns.rdatatype.TSIG, dns.name.from_wire(t["algorithm"], 0)[0],
        t["time_signed"], t["fudge"], t["mac"], t["original_id"], t["error"], t["other"])
    dkey = dns.tsig.Key(key.name, key.secret, key.algorithm)
    signed, _ = dns.tsig.sign(bytes(body), dkey, rdata, time=t["time_signed"],
                              request_mac=request_mac)
    return signed.mac
