"""End to end: the HTTP API, `dnsapi zonegen`, and real NSD and Knot.

Each run starts its own NSD (127.0.0.1:15353, control 15952) and Knot
(127.0.0.1:15354, control socket in a temp dir), fed by zonegen through
its include files and reload command, with DNSAPI_VERIFY at both. Then,
through the API: create a zone and records, wait (bounded) until
published_serial >= serial, and ask both servers with dnspython that they
answer exactly those records with the API's TTLs; a deleted record is
NXDOMAIN; `aws` delegated to four Route 53 servers is a referral; an
in-zone delegation carries its glue; the SOA serial is the API's serial.

The NameServers class is also used by bench/zonegen_latency.py.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402

NSD_PORT = harness.tport(15353)
NSD_CONTROL_PORT = harness.tport(15952)
KNOT_PORT = harness.tport(15354)
API_PORT = 18160
START_WAIT_SECONDS = 15.0
PUBLISH_WAIT_SECONDS = 30.0

ROUTE53 = ["ns-123.awsdns-12.com.", "ns-456.awsdns-34.net.", "ns-789.awsdns-56.org.",
           "ns-012.awsdns-78.co.uk."]


def serial_ge(a, b):
    """RFC 1982: a equals or follows b."""
    return a == b or ((a - b) % (1 << 32)) < (1 << 31)


def query(port, name, rdtype, timeout=2.0):
    q = dns.message.make_query(name, rdtype)
    q.flags &= ~dns.flags.RD
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)


class NameServers:
    """NSD and Knot on loopback in a temp dir, with the zonegen settings to feed them."""

    def __init__(self, nsd_port=NSD_PORT, knot_port=KNOT_PORT, nsd_control_port=NSD_CONTROL_PORT):
        self.nsd_port = nsd_port
        self.knot_port = knot_port
        self.nsd_control_port = nsd_control_port
        self.dir = tempfile.mkdtemp(prefix="dnsapi-zonegen-ns-")
        self.zones = os.path.join(self.dir, "zones")
        os.mkdir(self.zones)
        self.nsd_conf = os.path.join(self.dir, "nsd.conf")
        self.nsd_inc = os.path.join(self.dir, "nsd.zones.conf")
        self.knot_conf = os.path.join(self.dir, "knot.conf")
        self.knot_inc = os.path.join(self.dir, "knot.zones.conf")
        self.nsd = None
        self.knot = None
        self.logs = []

    def env(self):
        """The zonegen environment for these servers."""
        reload_cmd = ("nsd-control -c %s reconfig >/dev/null && "
                      "{ nsd-control -c %s reload {zone} >/dev/null || true; } && "
                      "knotc -c %s reload >/dev/null"
                      % (self.nsd_conf, self.nsd_conf, self.knot_conf))
        return {
            "DNSAPI_ZONE_DIR": self.zones,
            "DNSAPI_NS_CONF": "nsd:%s,knot:%s" % (self.nsd_inc, self.knot_inc),
            "DNSAPI_RELOAD_CMD": reload_cmd,
            "DNSAPI_VERIFY": "127.0.0.1:%d,127.0.0.1:%d" % (self.nsd_port, self.knot_port),
        }

    def _write(self, path, text):
        with open(path, "w") as f:
            f.write(text)

    def start(self):
        d = self.dir
        for inc in (self.nsd_inc, self.knot_inc):
            if not os.path.exists(inc):
                self._write(inc, "# no zones yet\n")
        self._write(self.nsd_conf, """server:
    ip-address: 127.0.0.1@{port}
    port: {port}
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "{d}"
    pidfile: "{d}/nsd.pid"
    zonelistfile: "{d}/zone.list"
    xfrdfile: "{d}/xfrd.state"
    xfrdir: "{d}"
    database: ""
    logfile: "{d}/nsd.log"
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: {cport}
    server-key-file: "{d}/nsd_server.key"
    server-cert-file: "{d}/nsd_server.pem"
    control-key-file: "{d}/nsd_control.key"
    control-cert-file: "{d}/nsd_control.pem"
include: "{inc}"
""".format(port=self.nsd_port, cport=self.nsd_control_port, d=d, inc=self.nsd_inc))
        os.makedirs(os.path.join(d, "knot-db"), exist_ok=True)
        self._write(self.knot_conf, """server:
    rundir: "{d}"
    pidfile: "{d}/knot.pid"
    listen: 127.0.0.1@{port}
log:
  - target: stderr
    any: warning
control:
    listen: "{d}/knot.sock"
database:
    storage: "{d}/knot-db"
template:
  - id: default
    storage: "{d}/knot-db"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
include: "{inc}"
""".format(port=self.knot_port, d=d, inc=self.knot_inc))
        subprocess.run(["nsd-control-setup", "-d", d], check=True, capture_output=True,
                       timeout=60)
        nsd_log = open(os.path.join(d, "nsd.stderr"), "ab")
        knot_log = open(os.path.join(d, "knot.stderr"), "ab")
        self.logs = [nsd_log, knot_log]
        self.nsd = subprocess.Popen(["nsd", "-d", "-c", self.nsd_conf], stdin=subprocess.DEVNULL,
                                    stdout=nsd_log, stderr=subprocess.STDOUT)
        self.knot = subprocess.Popen(["knotd", "-c", self.knot_conf], stdin=subprocess.DEVNULL,
                                     stdout=knot_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_WAIT_SECONDS
        for proc, port, what in ((self.nsd, self.nsd_port, "nsd"),
                                 (self.knot, self.knot_port, "knotd")):
            while True:
                if proc.poll() is not None:
                    raise RuntimeError("%s exited with %s: %s" % (what, proc.returncode,
                                                                  self.log_tail()))
                try:
                    query(port, "nonexistent.test.", "SOA", timeout=0.3)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise RuntimeError("%s does not answer on port %d: %s"
                                           % (what, port, self.log_tail()))
                    time.sleep(0.05)
        # nsd-control must work too, or every reload would fail.
        deadline = time.monotonic() + START_WAIT_SECONDS
        while subprocess.run(["nsd-control", "-c", self.nsd_conf, "status"],
                             capture_output=True, timeout=10).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("nsd-control status fails: %s" % self.log_tail())
            time.sleep(0.1)
        return self

    def log_tail(self):
        out = []
        for name in ("nsd.log", "nsd.stderr", "knot.stderr"):
            p = os.path.join(self.dir, name)
            if os.path.exists(p):
                with open(p, "rb") as f:
                    out.append("%s: %s" % (name, f.read()[-2000:].decode("utf-8", "replace")))
        return "\n".join(out)

    def stop(self):
        for proc in (self.nsd, self.knot):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        self.nsd = self.knot = None
        for f in self.logs:
            f.close()
        self.logs = []
        shutil.rmtree(self.dir, ignore_errors=True)


class Zonegen:
    """`dnsapi zonegen` for a Stack, logging to a file in the stack's temp dir."""

    def __init__(self, stack, env):
        self.stack = stack
        self.env = env
        self.proc = None
        self.log_path = os.path.join(stack.tmpdir, "zonegen.log")
        self._log = None

    def start(self):
        env = self.stack.base_env(zonegen=True)
        env.update(self.env)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.stack.binary, "zonegen"], env=env,
                                     stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        return self

    def log_tail(self, n=40):
        with open(self.log_path, "rb") as f:
            return "\n".join(f.read()[-8000:].decode("utf-8", "replace").splitlines()[-n:])

    def stop(self):
        """SIGTERM, bounded wait; returns the exit status."""
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            rc = self.proc.returncode
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        return rc


class ZonegenNameServerTest(unittest.TestCase):
    ZONE = "e2e-zonegen.test."

    @classmethod
    def setUpClass(cls):
        harness.require_env()
        for tool in ("nsd", "nsd-control", "nsd-control-setup", "knotd", "knotc"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest("%s is not installed" % tool)
        cls.ns = NameServers()
        cls.stack = None
        cls.zonegen = None
        try:
            cls.ns.start()
            cls.stack = harness.Stack("zonegen_ns", API_PORT, env=cls.ns.env())
            cls.stack.start()
            cls.token = cls.stack.token()
            cls.zonegen = Zonegen(cls.stack, cls.ns.env()).start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        rc = None
        if cls.zonegen is not None:
            rc = cls.zonegen.stop()
            cls.zonegen = None
        if cls.stack is not None:
            cls.stack.stop()
            cls.stack = None
        cls.ns.stop()
        if rc not in (None, 0):
            raise AssertionError("dnsapi zonegen exited %s on SIGTERM" % rc)

    # -- helpers -------------------------------------------------------------

    def api(self, method, path, body=None, expect=None):
        r = self.stack.request(method, path, token=self.token, body=body)
        if expect is not None:
            self.assertEqual(r.status, expect, repr(r))
        return r

    def zone(self):
        return self.api("GET", "/v1/zones/" + self.ZONE, expect=200).data["zone"]

    def wait_published(self):
        """Waits (bounded) until published_serial >= serial; returns the zone."""
        deadline = time.monotonic() + PUBLISH_WAIT_SECONDS
        while True:
            z = self.zone()
            pub = z.get("published_serial")
            if pub is not None and serial_ge(pub, z["serial"]):
                self.assertEqual(z.get("status"), "published", repr(z))
                return z
            if time.monotonic() > deadline:
                self.fail("zone not published within %.0f s: %r\nzonegen log:\n%s\n%s"
                          % (PUBLISH_WAIT_SECONDS, z, self.zonegen.log_tail(),
                             self.ns.log_tail()))
            time.sleep(0.05)

    def add(self, name, rtype, content, ttl, priority=None):
        body = {"name": name, "type": rtype, "content": content, "ttl": ttl}
        if priority is not None:
            body["priority"] = priority
        r = self.api("POST", "/v1/zones/%s/records" % self.ZONE, body=body)
        self.assertEqual(r.status, 201, repr(r))
        return r.data["record"]

    @staticmethod
    def rdata_text(rtype, rd):
        if rtype == "TXT":
            return b"".join(rd.strings).decode("utf-8")
        return rd.to_text()

    @staticmethod
    def api_text(rec):
        if rec["type"] == "TXT":
            return rec["content"]
        if rec.get("priority") is not None:
            return "%d %s" % (rec["priority"], rec["content"])
        return rec["content"]

    def answer_set(self, port, name, rtype):
        resp = query(port, name, rtype)
        self.assertEqual(resp.rcode(), dns.rcode.NOERROR, "%s %s: %s" % (name, rtype, resp))
        self.assertTrue(resp.flags & dns.flags.AA, "%s %s not authoritative: %s"
                        % (name, rtype, resp))
        out = set()
        for rrset in resp.answer:
            if rrset.rdtype != dns.rdatatype.from_text(rtype):
                continue
            for rd in rrset:
                out.add((self.rdata_text(rtype, rd), rrset.ttl))
        return out

    # -- the test --------------------------------------------------------------

    def test_records_reach_nsd_and_knot(self):
        z = self.ZONE
        r = self.api("POST", "/v1/zones", body={"name": z})
        self.assertEqual(r.status, 201, repr(r))
        long_txt = "v=DKIM1; k=rsa; p=" + "A" * 300
        self.add("www", "A", "192.0.2.10", 300)
        self.add("www", "A", "192.0.2.11", 300)
        self.add("www", "AAAA", "2001:db8::10", 600)
        self.add("@", "MX", "mail." + z, 3600, priority=10)
        self.add("mail", "A", "192.0.2.25", 3600)
        self.add("@", "TXT", "v=spf1 mx -all", 3600)
        self.add("dkim._domainkey", "TXT", long_txt, 3600)
        self.add("*.wild", "A", "192.0.2.30", 120)
        self.add("alias", "CNAME", "www." + z, 900)
        gone = self.add("gone", "A", "192.0.2.99", 300)
        for ns in ROUTE53:
            self.add("aws", "NS", ns, 86400)
        # glue first: an in-zone name server without an address is refused
        self.add("ns1.sub", "A", "192.0.2.53", 86400)
        self.add("ns2.sub", "AAAA", "2001:db8::53", 86400)
        self.add("sub", "NS", "ns1.sub." + z, 86400)
        self.add("sub", "NS", "ns2.sub." + z, 86400)

        zone = self.wait_published()
        records = self.api("GET", "/v1/zones/%s/records?limit=1000" % z, expect=200).data["records"]
        delegations = {"aws." + z, "sub." + z}

        for port in (NSD_PORT, KNOT_PORT):
            with self.subTest(server=port):
                # Every authoritative RRset is answered exactly, with the API's TTLs.
                rrsets = {}
                for rec in records:
                    below = any(rec["name"] == d or rec["name"].endswith("." + d)
                                for d in delegations)
                    if below:
                        continue
                    rrsets.setdefault((rec["name"], rec["type"]), set()).add(
                        (self.api_text(rec), rec["ttl"]))
                for (name, rtype), want in sorted(rrsets.items()):
                    if rtype == "SOA":
                        continue
                    self.assertEqual(self.answer_set(port, name, rtype), want,
                                     "%s %s on port %d" % (name, rtype, port))
                # The SOA serial is the API's serial.
                soa = query(port, z, "SOA")
                self.assertEqual(soa.answer[0][0].serial, zone["serial"])
                # The wildcard answers for any name below it.
                self.assertEqual(self.answer_set(port, "anything.wild." + z, "A"),
                                 {("192.0.2.30", 120)})
                # aws is a referral to the four Route 53 servers.
                resp = query(port, "www.aws." + z, "A")
                self.assertEqual(resp.rcode(), dns.rcode.NOERROR, str(resp))
                self.assertFalse(resp.flags & dns.flags.AA, str(resp))
                self.assertEqual(resp.answer, [], str(resp))
                ns = [rs for rs in resp.authority if rs.rdtype == dns.rdatatype.NS]
                self.assertEqual(len(ns), 1, str(resp))
                self.assertEqual(ns[0].name, dns.name.from_text("aws." + z))
                self.assertEqual(sorted(rd.target.to_text() for rd in ns[0]), sorted(ROUTE53))
                # sub is an in-zone delegation: referral with glue.
                resp = query(port, "host.sub." + z, "A")
                self.assertFalse(resp.flags & dns.flags.AA, str(resp))
                ns = [rs for rs in resp.authority if rs.rdtype == dns.rdatatype.NS]
                self.assertEqual(len(ns), 1, str(resp))
                glue = {(rs.name.to_text(), dns.rdatatype.to_text(rs.rdtype), rd.to_text())
                        for rs in resp.additional for rd in rs}
                self.assertIn(("ns1.sub." + z, "A", "192.0.2.53"), glue, str(resp))
                self.assertIn(("ns2.sub." + z, "AAAA", "2001:db8::53"), glue, str(resp))
                self.assertEqual(self.answer_set(port, "gone." + z, "A"), {("192.0.2.99", 300)})

        # A deleted record is NXDOMAIN once the deletion is published.
        self.api("DELETE", "/v1/zones/%s/records/%s" % (z, gone["id"]), expect=200)
        zone = self.wait_published()
        for port in (NSD_PORT, KNOT_PORT):
            with self.subTest(server=port, after="delete"):
                resp = query(port, "gone." + z, "A")
                self.assertEqual(resp.rcode(), dns.rcode.NXDOMAIN, str(resp))
                soa = query(port, z, "SOA")
                self.assertEqual(soa.answer[0][0].serial, zone["serial"])

        # The API's export is the file the servers loaded.
        r = self.api("GET", "/v1/zones/%s/export" % z, expect=200)
        with open(os.path.join(self.ns.zones, z.rstrip(".") + ".zone"), "rb") as f:
            self.assertEqual(r.body, f.read())

        # Deleting the zone removes its file and the servers stop serving it.
        self.api("DELETE", "/v1/zones/" + z, expect=200)
        path = os.path.join(self.ns.zones, z.rstrip(".") + ".zone")
        deadline = time.monotonic() + PUBLISH_WAIT_SECONDS
        def listed():
            with open(self.ns.nsd_inc) as f:
                return z in f.read()
        while os.path.exists(path) or listed():
            if time.monotonic() > deadline:
                self.fail("zone file still there: %s" % self.zonegen.log_tail())
            time.sleep(0.05)
        deadline = time.monotonic() + 10
        while query(NSD_PORT, z, "SOA").rcode() != dns.rcode.REFUSED:
            if time.monotonic() > deadline:
                self.fail("NSD still serves the deleted zone")
            time.sleep(0.05)


if __name__ == "__main__":
    unittest.main(verbosity=2)
