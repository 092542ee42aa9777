"""Real name servers and a real recursive resolver on loopback, for the
delegation tests.

A Fleet runs, in a temp dir, any number of NSD and Knot instances, each on
port 53 of its own loopback address (127.0.0.30-49: delegations and glue
carry no port, so a resolver following them always asks port 53), small
Python servers that misbehave on purpose (silent, garbage, truncating), and
Debian's unbound as a recursive resolver whose root hints point at a root
zone served on loopback (`local-zone: "test." nodefault`,
`do-not-query-localhost: no`). unbound listens on 127.0.0.1 at a port that
goes through harness.tport().

Nothing here falls back to the system resolver: every query names its
server (`query(addr, port, ...)`), and unbound knows only the loopback root.

    with Fleet() as f:
        root = f.nsd("root", "127.0.0.30", {".": root_zone_text})
        ...
        f.start()
        r = f.unbound(port)

The zones of the delegation scenario (parent example.test. and its
children) are built by deleg_scenario.Scenario.
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype

START_WAIT_SECONDS = 20.0
PROBE_SECONDS = 60.0
SERVE_WAIT_SECONDS = 20.0


def wait_until(predicate, seconds, what):
    """Polls predicate() (bounded in time and count) until it is true."""
    deadline = time.monotonic() + seconds
    last = None
    for _ in range(int(seconds / 0.05) + 2):
        try:
            if predicate():
                return
        except Exception as e:  # noqa: BLE001 - the last error is reported below
            last = e
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    raise AssertionError("%s within %.0f s (last error: %r)" % (what, seconds, last))


def query(address, port, name, rdtype, rd=False, timeout=1.0, tcp=False):
    """One query to address:port, always explicit: never the system resolver."""
    q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232)
    if not rd:
        q.flags &= ~dns.flags.RD
    if tcp:
        return dns.query.tcp(q, address, port=port, timeout=timeout)
    return dns.query.udp(q, address, port=port, timeout=timeout)


def serial_of(address, port, zone, timeout=0.5):
    """The SOA serial address:port serves authoritatively for zone, or None."""
    r = query(address, port, zone, "SOA", timeout=timeout)
    if r.rcode() != dns.rcode.NOERROR or not (r.flags & dns.flags.AA):
        return None
    for rrset in r.answer:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset[0].serial
    return None


def zone_text(origin, serial, records, ns=None, soa_ttl=300):
    """A master file: SOA (mname the first NS), then records as
    (name, ttl, type, content); names absolute or relative to origin."""
    ns = ns or [r[3] for r in records if r[2] == "NS" and r[0] in ("@", origin)]
    mname = ns[0] if ns else "ns." + origin.lstrip(".")
    lines = ["$ORIGIN %s" % origin,
             "@ %d IN SOA %s hostmaster.%s %d 3600 600 86400 %d"
             % (soa_ttl, mname, origin if origin != "." else "", serial, soa_ttl)]
    for name, ttl, rtype, content in records:
        lines.append("%s %d IN %s %s" % (name, ttl, rtype, content))
    return "\n".join(lines) + "\n"


def probe_path():
    """The test program tests/tools/dnsprobe.c, built beside dnsapi."""
    binary = os.environ.get("DNSAPI_BINARY", "")
    path = os.path.join(os.path.dirname(binary), "tests", "dnsapi_dnsprobe")
    return path if os.access(path, os.X_OK) else None


def probe(*args):
    """Runs the probe; returns (exit status, parsed JSON or None, stderr)."""
    out = subprocess.run([probe_path()] + [str(a) for a in args], capture_output=True,
                         text=True, timeout=PROBE_SECONDS)
    body = json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else None
    return out.returncode, body, out.stderr


# ---------------------------------------------------------------------------
# authoritative servers

class _Process:
    """A daemon run in the foreground in its own folder, output to stderr.log."""

    def __init__(self, folder):
        self.dir = folder
        os.makedirs(self.dir)
        self.proc = None
        self.log = None

    def _spawn(self, argv):
        self.log = open(os.path.join(self.dir, "stderr.log"), "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def log_tail(self):
        p = os.path.join(self.dir, "stderr.log")
        if not os.path.exists(p):
            return ""
        with open(p, "rb") as f:
            return f.read()[-2000:].decode("utf-8", "replace")

    def stop(self):
        """SIGTERM, a bounded wait, then SIGKILL."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None


class _Server(_Process):
    kind = "?"

    def __init__(self, fleet, name, address, zones, port=53):
        super().__init__(os.path.join(fleet.dir, name))
        self.fleet = fleet
        self.name = name
        self.address = address
        self.port = port
        self.zones = dict(zones)
        self._mtime = time.time()

    def zone_file(self, zone):
        base = "root" if zone == "." else zone.rstrip(".")
        return os.path.join(self.dir, base + ".zone")

    def _write_zone(self, zone, text):
        path = self.zone_file(zone)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
        # reloads compare modification times: make every write newer
        self._mtime = max(self._mtime + 2, time.time())
        os.utime(path, (self._mtime, self._mtime))

    def wait_serving(self, zone=None, serial=None):
        """Until the server answers authoritatively for zone (every zone when
        None), with serial when given."""
        zones = [zone] if zone else list(self.zones)

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited: %s" % (self.name, self.log_tail()))
            for z in zones:
                got = serial_of(self.address, self.port, z, timeout=0.3)
                if got is None or (serial is not None and got != serial):
                    return False
            return True
        wait_until(ready, SERVE_WAIT_SECONDS,
                   "%s (%s) serves %s%s" % (self.name, self.address, ", ".join(zones),
                                            "" if serial is None else " at serial %d" % serial))

class Nsd(_Server):
    kind = "nsd"

    def start(self):
        d = self.dir
        conf = ["server:",
                "    ip-address: %s@%d" % (self.address, self.port),
                "    port: %d" % self.port,
                "    do-ip6: no",
                '    username: ""',
                '    chroot: ""',
                '    zonesdir: "%s"' % d,
                '    pidfile: "%s/nsd.pid"' % d,
                '    zonelistfile: "%s/zone.list"' % d,
                '    xfrdfile: "%s/xfrd.state"' % d,
                '    xfrdir: "%s"' % d,
                '    database: ""',
                '    logfile: "%s/nsd.log"' % d,
                "    server-count: 1",
                "    verbosity: 1",
                # NSD limits responses to 200 per second per client /24 by
                # default (RRL), dropping the rest: everything here comes
                # from 127.0.0.1
                "    rrl-ratelimit: 0",
                "    rrl-whitelist-ratelimit: 0",
                "remote-control:",
                "    control-enable: no"]
        for zone, text in self.zones.items():
            self._write_zone(zone, text)
            conf += ["zone:", '    name: "%s"' % zone, '    zonefile: "%s"' % self.zone_file(zone)]
        self.conf = os.path.join(d, "nsd.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf) + "\n")
        subprocess.run(["nsd-checkconf", self.conf], check=True, capture_output=True, timeout=30)
        self._spawn(["nsd", "-d", "-c", self.conf])
        return self

    def set_zone(self, zone, text, serial):
        """Replaces a zone's file and reloads (SIGHUP re-reads changed files)."""
        assert zone in self.zones, "%s does not serve %s" % (self.name, zone)
        self.zones[zone] = text
        self._write_zone(zone, text)
        self.proc.send_signal(signal.SIGHUP)
        self.wait_serving(zone, serial)


class Knot(_Server):
    kind = "knot"

    def start(self):
        d = self.dir
        os.makedirs(os.path.join(d, "db"), exist_ok=True)
        conf = ["server:",
                '    rundir: "%s"' % d,
                '    pidfile: "%s/knot.pid"' % d,
                "    listen: %s@%d" % (self.address, self.port),
                "log:",
                "  - target: stderr",
                "    any: warning",
                "control:",
                '    listen: "%s/knot.sock"' % d,
                "database:",
                '    storage: "%s/db"' % d,
                "template:",
                "  - id: default",
                '    storage: "%s"' % d,
                "    zonefile-sync: -1",
                "    zonefile-load: whole",
                "    journal-content: none",
                "zone:"]
        for zone, text in self.zones.items():
            self._write_zone(zone, text)
            conf += ["  - domain: %s" % zone, '    file: "%s"' % self.zone_file(zone)]
        self.conf = os.path.join(d, "knot.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf) + "\n")
        subprocess.run(["knotc", "-c", self.conf, "conf-check"], check=True,
                       capture_output=True, timeout=30)
        self._spawn(["knotd", "-c", self.conf])
        return self

    def set_zone(self, zone, text, serial):
        assert zone in self.zones, "%s does not serve %s" % (self.name, zone)
        self.zones[zone] = text
        self._write_zone(zone, text)
        subprocess.run(["knotc", "-c", self.conf, "zone-reload", zone], check=True,
                       capture_output=True, timeout=30)
        self.wait_serving(zone, serial)


# ---------------------------------------------------------------------------
# servers that misbehave

class FakeServer:
    """A UDP (and TCP) server on address:port that misbehaves on purpose:
       silent    - reads queries and never answers;
       garbage   - answers every query with random bytes (another id);
       broken    - answers with the query's id and QR set, then junk;
       truncate  - UDP replies carry TC and nothing else; over TCP the real
                   answer from answer(query) (a dns.message), or with
                   tcp="close" the connection is closed after the length.
    """

    def __init__(self, address, port, mode, answer=None, tcp=None):
        self.address, self.port, self.mode = address, port, mode
        self.answer, self.tcp = answer, tcp
        self.queries = 0
        self._stop = threading.Event()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.udp.bind((address, port))
        self.udp.settimeout(0.1)
        self.tcp_sock = None
        if mode == "truncate":
            self.tcp_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp_sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.tcp_sock.bind((address, port))
            self.tcp_sock.listen(8)
            self.tcp_sock.settimeout(0.1)
        self.threads = [threading.Thread(target=self._udp_loop, daemon=True)]
        if self.tcp_sock is not None:
            self.threads.append(threading.Thread(target=self._tcp_loop, daemon=True))
        for t in self.threads:
            t.start()

    def _udp_loop(self):
        rng = random.Random(1234)
        while not self._stop.is_set():
            try:
                data, peer = self.udp.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            self.queries += 1
            if self.mode == "silent":
                continue
            if self.mode == "garbage":
                junk = bytes(rng.randrange(256) for _ in range(40))
                if junk[:2] == data[:2]:
                    junk = bytes([junk[0] ^ 1]) + junk[1:]
                self.udp.sendto(junk, peer)
            elif self.mode == "broken":
                self.udp.sendto(data[:2] + b"\x84\x00" + b"\x00\x01\xff\xff" + b"junk", peer)
            elif self.mode == "truncate":
                q = dns.message.from_wire(data)
                r = dns.message.make_response(q)
                r.flags |= dns.flags.TC | dns.flags.AA
                self.udp.sendto(r.to_wire(), peer)

    def _tcp_loop(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp_sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2.0)
                try:
                    head = conn.recv(2)
                    n = int.from_bytes(head, "big")
                    data = b""
                    for _ in range(100):
                        if len(data) >= n:
                            break
                        chunk = conn.recv(n - len(data))
                        if not chunk:
                            break
                        data += chunk
                    q = dns.message.from_wire(data)
                    r = self.answer(q) if self.answer else dns.message.make_response(q)
                    wire = r.to_wire()
                    if self.tcp == "close":
                        conn.sendall(len(wire).to_bytes(2, "big") + wire[:5])
                    else:
                        conn.sendall(len(wire).to_bytes(2, "big") + wire)
                except OSError:
                    pass

    def stop(self):
        self._stop.set()
        for t in self.threads:
            t.join(timeout=5)
        self.udp.close()
        if self.tcp_sock is not None:
            self.tcp_sock.close()


# ---------------------------------------------------------------------------
# the resolver

class Unbound(_Process):
    """unbound on 127.0.0.1:port, recursing from a loopback root."""

    def __init__(self, fleet, port, root_hints):
        super().__init__(os.path.join(fleet.dir, "unbound"))
        self.fleet = fleet
        self.port = port
        hints = os.path.join(self.dir, "root.hints")
        with open(hints, "w") as f:
            for name, address in root_hints:
                f.write(".  3600000  NS  %s\n%s  3600000  A  %s\n" % (name, name, address))
        self.conf = os.path.join(self.dir, "unbound.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join([
                "server:",
                "    interface: 127.0.0.1@%d" % port,
                "    port: %d" % port,
                "    do-ip6: no",
                "    do-daemonize: no",
                '    username: ""',
                '    chroot: ""',
                '    directory: "%s"' % self.dir,
                '    pidfile: "%s/unbound.pid"' % self.dir,
                '    logfile: ""',
                "    use-syslog: no",
                "    verbosity: 1",
                '    root-hints: "%s"' % hints,
                "    do-not-query-localhost: no",
                '    local-zone: "test." nodefault',
                "    access-control: 127.0.0.0/8 allow",
                '    module-config: "iterator"',
                "    qname-minimisation: no",
                "    harden-referral-path: no",
                "    prefetch: no",
                "    num-threads: 1",
                "    outgoing-range: 64",
                "    so-reuseport: no",
                "remote-control:",
                "    control-enable: no",
            ]) + "\n")
        subprocess.run(["unbound-checkconf", self.conf], check=True, capture_output=True,
                       timeout=30)
        self._spawn(["unbound", "-d", "-c", self.conf])

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("unbound exited: %s" % self.log_tail())
            r = query("127.0.0.1", port, ".", "NS", rd=True, timeout=0.5)
            return r.rcode() == dns.rcode.NOERROR and len(r.answer) > 0
        wait_until(ready, START_WAIT_SECONDS, "unbound answers on 127.0.0.1:%d" % port)

    def resolve(self, name, rdtype="A", timeout=2.0):
        """The addresses (text) unbound gives for name, [] when none."""
        r = query("127.0.0.1", self.port, name, rdtype, rd=True, timeout=timeout)
        out = []
        for rrset in r.answer:
            if rrset.rdtype == dns.rdatatype.from_text(rdtype):
                out += [rd.to_text() for rd in rrset]
        return sorted(out)


# ---------------------------------------------------------------------------
# the fleet

class Fleet:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dnsapi-fleet-")
        self.servers = []
        self.fakes = []
        self.resolver = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def nsd(self, name, address, zones):
        s = Nsd(self, name, address, zones)
        self.servers.append(s)
        return s

    def knot(self, name, address, zones):
        s = Knot(self, name, address, zones)
        self.servers.append(s)
        return s

    def fake(self, address, mode, port=53, **kw):
        s = FakeServer(address, port, mode, **kw)
        self.fakes.append(s)
        return s

    def start(self):
        """Starts every server, then waits until each serves its zones."""
        for s in self.servers:
            s.start()
        for s in self.servers:
            s.wait_serving()
        return self

    def unbound(self, port, root_hints):
        self.resolver = Unbound(self, port, root_hints)
        return self.resolver

    def log_tails(self):
        out = ["%s: %s" % (s.name, s.log_tail()) for s in self.servers]
        if self.resolver is not None:
            out.append("unbound: %s" % self.resolver.log_tail())
        return "\n".join(out)

    def stop(self):
        if self.resolver is not None:
            self.resolver.stop()
            self.resolver = None
        for s in self.servers:
            s.stop()
        for f in self.fakes:
            f.stop()
        self.servers, self.fakes = [], []
        shutil.rmtree(self.dir, ignore_errors=True)
