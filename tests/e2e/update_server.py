"""The DNS UPDATE listener of `dnsapi serve` (DNSAPI_UPDATE_LISTEN) for the
end-to-end tests, and the real clients that talk to it: BIND's nsupdate,
Knot's knsupdate and dnspython.

  UpdateStack   PostgreSQL, `dnsapi serve` with the listener on
                127.0.0.1, `dnsapi zonegen` feeding NSD; zones and records
                made and read through the HTTP API, TSIG keys minted by
                POST /v1/tsig-keys, what NSD serves read with dig
  Key           a TSIG key as the clients are given it
  nsupdate, knsupdate, send_udp_raw, send_tcp_raw, parse_answer,
  sign_at, tsig_mac_of_answer   clients and the wire-level helpers

Every client is pointed at a loopback address explicitly; none of them ever
asks the system resolver. Every wait is bounded.
"""

import base64
import os
import secrets
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fleet  # noqa: E402
import harness  # noqa: E402
from test_zonegen_ns import Zonegen  # noqa: E402

import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rdtypes.ANY.TSIG  # noqa: E402
import dns.tsig  # noqa: E402
import dns.tsigkeyring  # noqa: E402

CLIENT_TIMEOUT = 20.0
PUBLISH_WAIT_SECONDS = 60.0
NAMESERVERS = ("ns1.dnsapi.test.", "ns2.dnsapi.test.")
# What the Extended DNS Error of an unsigned UPDATE says.
UNSIGNED = "must be signed with a TSIG key"


def new_secret(nbytes=32):
    return base64.b64encode(secrets.token_bytes(nbytes)).decode()


class Key:
    """A TSIG key as the clients are given it. id is the key's id in the
    API (None for a key the server does not know)."""

    def __init__(self, name, algorithm="hmac-sha256", secret=None, key_id=None):
        self.name = name if name.endswith(".") else name + "."
        self.algorithm = algorithm
        self.secret = secret or new_secret(64 if algorithm == "hmac-sha512" else 32)
        self.id = key_id

    def spec(self):
        return "%s:%s:%s" % (self.algorithm, self.name, self.secret)

    def keyring(self):
        return dns.tsigkeyring.from_text({self.name: (self.algorithm, self.secret)})

    def dns_key(self):
        return dns.tsig.Key(self.name, self.secret, self.algorithm)


class UpdateStack:
    """`dnsapi serve` with its UPDATE listener on 127.0.0.1:listen_port,
    zonegen and NSD (nsd_address:nsd_port) on a fresh database.

    stop() fails the test when the server died or leaked."""

    def __init__(self, name, api_port, listen_port, nsd_port, nsd_control_port,
                 nsd_address="127.0.0.1", env=None):
        harness.require_env()
        for tool in ("nsd", "nsd-control", "nsd-control-setup", "dig"):
            if subprocess.run(["sh", "-c", "command -v %s" % tool],
                              capture_output=True).returncode != 0:
                raise unittest.SkipTest("%s is not installed" % tool)
        self.listen_port = listen_port
        self.dir = tempfile.mkdtemp(prefix="dnsapi-update-")
        self.nsd = fleet.NsdPrimary(nsd_port, nsd_control_port, os.path.join(self.dir, "zones"),
                                    address=nsd_address)
        # The zones listed in the include zonegen writes, NSD reconfigured
        # and the zone reloaded on every change.
        self.env = self.nsd.zonegen_env()
        del self.env["DNSAPI_ZONES_ADD_CMD"], self.env["DNSAPI_ZONES_DEL_CMD"]
        self.env["DNSAPI_RELOAD_CMD"] = (
            "nsd-control -c {c} reconfig >/dev/null && "
            "{{ nsd-control -c {c} reload {{zone}} >/dev/null || true; }}".format(c=self.nsd.conf))
        self.env["DNSAPI_UPDATE_LISTEN"] = "127.0.0.1:%d" % listen_port
        self.env["DNSAPI_NAMESERVERS"] = ",".join(n.rstrip(".") for n in NAMESERVERS)
        self.env.update(env or {})
        self.name = name
        self.api_port = api_port
        self.stack = None
        self.zonegen = None
        self.spec = harness.load_spec()

    def start(self):
        try:
            self.nsd.start()
            self.stack = harness.Stack(self.name, self.api_port, env=self.env).start()
            self.token = self.stack.token()
            self.zonegen = Zonegen(self.stack, self.env).start()
            self._wait_listening()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_listening(self):
        """The listener answers a query (REFUSED for a zone it does not
        have) over UDP and TCP."""
        q = dns.message.make_query("listener-check.invalid.", "SOA").to_wire()
        deadline = time.monotonic() + 20
        while True:
            if send_udp_raw(self.listen_port, q, timeout=0.5) is not None and \
                    send_tcp_raw(self.listen_port, q, timeout=2) is not None:
                return
            if time.monotonic() > deadline or not self.stack.alive():
                raise RuntimeError("no DNS UPDATE listener on 127.0.0.1:%d (DNSAPI_UPDATE_LISTEN)"
                                   "\n%s" % (self.listen_port, self.stack.log_tail()))
            time.sleep(0.1)

    def stop(self):
        problems = []
        if self.zonegen is not None:
            rc = self.zonegen.stop()
            self.zonegen = None
            if rc not in (None, 0):
                problems.append("dnsapi zonegen exited %s on SIGTERM" % rc)
        if self.stack is not None:
            alive = self.stack.alive()
            if not alive:
                self.stack.print_log_tail(60)
            self.stack.stop(keep_log=not alive)
            if not alive:
                problems.append("dnsapi serve died during the tests")
            if self.stack.leaks:
                problems.append("dnsapi serve leaked memory (LeakSanitizer):\n%s"
                                % "\n".join(self.stack.leaks[:5]))
            self.stack = None
        self.nsd.remove()
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)
        if problems:
            raise AssertionError("\n".join(problems))

    def alive(self):
        return self.stack is not None and self.stack.alive()

    def log_tail(self):
        return "%s\nzonegen: %s\n%s" % (self.stack.log_tail(), self.zonegen.log_tail(),
                                         self.nsd.log_tail())

    # -- HTTP ------------------------------------------------------------------

    def api(self, method, path, template, body=None, expect=None, token=None):
        """One request, checked against openapi.yaml."""
        r = self.stack.request(method, path, token=token or self.token, body=body)
        harness.check_contract(self.spec, method, template, r)
        if expect is not None and r.status != expect:
            raise AssertionError("%s %s: expected %d: %r" % (method, path, expect, r))
        return r

    def mint_key(self, name, algorithm="hmac-sha256", scopes=("records:read", "records:write"),
                 zones=None, policies=None):
        """POST /v1/tsig-keys; the Key its answer gives (secret and
        nsupdate_key agree)."""
        body = {"name": name, "algorithm": algorithm, "scopes": list(scopes)}
        if zones is not None:
            body["zones"] = list(zones)
        if policies is not None:
            body["policies"] = policies
        r = self.api("POST", "/v1/tsig-keys", "/v1/tsig-keys", body=body, expect=201)
        k = r.data["tsig_key"]
        key = Key(k["name"], k["algorithm"], r.data["secret"], k["id"])
        if r.data["nsupdate_key"] != key.spec():
            raise AssertionError("nsupdate_key %r is not algorithm:name:secret %r"
                                 % (r.data["nsupdate_key"], key.spec()))
        return key

    def create_zone(self, zone, records=()):
        """A zone with records ({name, type, content, ttl[, priority]}),
        published on NSD before it returns."""
        self.api("POST", "/v1/zones", "/v1/zones", body={"name": zone}, expect=201)
        for rec in records:
            self.api("POST", "/v1/zones/%s/records" % harness.q(zone),
                     "/v1/zones/{zone}/records", body=rec, expect=201)
        self.wait_served(zone)

    def zone(self, zone):
        return self.api("GET", "/v1/zones/" + harness.q(zone), "/v1/zones/{zone}",
                        expect=200).data["zone"]

    def serial(self, zone):
        return self.zone(zone)["serial"]

    def records(self, zone):
        """The zone's records as the API lists them: a set of (name, ttl,
        type, content), the priority of MX and SRV before the content."""
        out = set()
        r = self.api("GET", "/v1/zones/%s/records?limit=1000" % harness.q(zone),
                     "/v1/zones/{zone}/records", expect=200)
        if r.data["pagination"]["has_more"]:
            raise AssertionError("more than 1000 records in %s" % zone)
        for rec in r.data["records"]:
            content = rec["content"]
            if rec.get("priority") is not None:
                content = "%d %s" % (rec["priority"], content)
            out.add((rec["name"], rec["ttl"], rec["type"], content))
        return out

    def snapshot(self, zone):
        return self.records(zone), self.serial(zone)

    def changes(self, zone):
        """Every entry of GET /v1/zones/{zone}/changes, oldest first."""
        out, cursor = [], None
        for _ in range(100):
            path = "/v1/zones/%s/changes%s" % (harness.q(zone),
                                               harness.query(limit=1000, cursor=cursor))
            r = self.api("GET", path, "/v1/zones/{zone}/changes", expect=200)
            out += r.data["changes"]
            if not r.data["pagination"]["has_more"]:
                return out
            cursor = r.data["pagination"]["next_cursor"]
        raise AssertionError("the changes of %s do not end" % zone)

    # -- NSD -------------------------------------------------------------------

    def wait_served(self, zone, serial=None):
        """Waits (bounded) until NSD serves zone at serial (default: the
        zone's serial in the API); returns the serial."""
        want = self.serial(zone) if serial is None else serial
        fleet.wait_for("%s served by NSD at serial %d" % (zone, want),
                       lambda: fleet.soa_serial(self.nsd.port, zone, host=self.nsd.address)
                       == want, PUBLISH_WAIT_SECONDS, detail=self.log_tail)
        return want

    def served(self, name, rdtype):
        """What NSD answers for name/rdtype, asked with dig: the sorted
        rdata lines."""
        p = subprocess.run(["dig", "@" + self.nsd.address, "-p", str(self.nsd.port), "+norec",
                            "+short", "+time=2", "+tries=2", name, rdtype],
                           capture_output=True, text=True, timeout=20)
        if p.returncode != 0:
            raise AssertionError("dig %s %s failed: %s" % (name, rdtype, p.stdout + p.stderr))
        return sorted(line for line in p.stdout.splitlines() if line.strip())


# ---------------------------------------------------------------------------
# Clients

def run_client(argv, script, timeout=CLIENT_TIMEOUT):
    """Runs nsupdate or knsupdate with script on stdin; returns
    (returncode, stdout + stderr)."""
    proc = subprocess.run(argv, input=script, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def nsupdate(port, key, zone, commands, tcp=False):
    script = "server 127.0.0.1 %d\nzone %s\n%s\nsend\n" % (port, zone, commands.strip())
    argv = ["nsupdate", "-y", key.spec()]
    if tcp:
        argv.append("-v")
    return run_client(argv, script)


def knsupdate(port, key, zone, commands, tcp=False):
    script = "server 127.0.0.1 %d\nzone %s\n%s\nsend\nanswer\n" % (port, zone, commands.strip())
    argv = ["knsupdate", "-y", key.spec()]
    if tcp:
        argv.append("-v")
    return run_client(argv, script)


def ede_texts(response):
    return [opt.text for opt in response.options if int(opt.otype) == 15]


def send_udp_raw(port, wire, timeout=5.0, host="127.0.0.1"):
    """Sends bytes over UDP; returns the answer's bytes or None when the
    server sent nothing within timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(wire, (host, port))
        try:
            data, _ = s.recvfrom(65535)
            return data
        except socket.timeout:
            return None


def send_tcp_raw(port, wire, timeout=5.0, host="127.0.0.1", framed=True):
    """Sends one message over TCP (length-prefixed unless framed is
    false: then wire goes as it is); returns the answer, or None when the
    server sent none within timeout or closed."""

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
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(len(wire).to_bytes(2, "big") + wire if framed else wire)
            head = recv_exactly(s, 2, deadline)
            if head is None:
                return None
            return recv_exactly(s, int.from_bytes(head, "big"), deadline)
        except (socket.timeout, ConnectionResetError, BrokenPipeError):
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


def sign_at(wire, key, time_signed, fudge=300):
    """wire (an unsigned message) signed with key as if at time_signed: the
    TSIG record appended, ARCOUNT one more. Returns (signed wire, MAC)."""
    rdata = dns.rdtypes.ANY.TSIG.TSIG(
        dns.rdataclass.ANY, dns.rdatatype.TSIG, dns.name.from_text(key.algorithm),
        time_signed, fudge, b"", int.from_bytes(wire[:2], "big"), 0, b"")
    signed, _ = dns.tsig.sign(wire, key.dns_key(), rdata, time=time_signed)
    rr = dns.name.from_text(key.name).to_wire()
    body = signed.to_digestable()
    rr += struct.pack("!HHIH", dns.rdatatype.TSIG, dns.rdataclass.ANY, 0, len(body)) + body
    out = bytearray(wire + rr)
    out[10:12] = (int.from_bytes(wire[10:12], "big") + 1).to_bytes(2, "big")
    return bytes(out), signed.mac


def tsig_mac_of_answer(answer, parsed, key, request_mac):
    """The MAC dnspython computes for the answer (RFC 8945 4.3: request MAC,
    answer without its TSIG and with ARCOUNT less one, TSIG variables)."""
    t = parsed["tsig"]
    body = bytearray(answer[:t["start"]])
    body[10:12] = (int.from_bytes(body[10:12], "big") - 1).to_bytes(2, "big")
    rdata = dns.rdtypes.ANY.TSIG.TSIG(
        dns.rdataclass.ANY, dns.rdatatype.TSIG, dns.name.from_wire(t["algorithm"], 0)[0],
        t["time_signed"], t["fudge"], t["mac"], t["original_id"], t["error"], t["other"])
    signed, _ = dns.tsig.sign(bytes(body), key.dns_key(), rdata, time=t["time_signed"],
                              request_mac=request_mac)
    return signed.mac
