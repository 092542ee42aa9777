"""A name-server fleet on loopback for the end-to-end tests and the benches.

  KeyFile        a TSIG key (hmac-sha256) in the format tsig-keygen prints
  NsdPrimary     NSD as hidden primary, fed by zonegen: the include it keeps,
                 zones added with `nsd-control addzones`, reloaded per zone
  KnotSecondary  Knot 3.2 configured once as catalog consumer
  BindSecondary  BIND 9.18 configured once as catalog consumer
  Fleet          all of them and the zonegen environment that ties them

Every server listens on 127.0.0.1 on a port given by the caller (through
harness.tport); every query names its server. Each server logs to a file in
its own temp dir; log_tail() shows the end when a test fails.
"""

import base64
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.tsigkeyring

CATALOG = "catalog.dnsapi.invalid."
START_WAIT_SECONDS = 20.0


def query(port, name, rdtype, timeout=2.0, host="127.0.0.1"):
    q = dns.message.make_query(name, rdtype)
    q.flags &= ~dns.flags.RD
    return dns.query.udp(q, host, port=port, timeout=timeout)


def soa_serial(port, zone):
    """The serial the server at port serves for zone, or None."""
    try:
        r = query(port, zone, "SOA", timeout=1.0)
    except Exception:
        return None
    if r.rcode() != dns.rcode.NOERROR or not r.flags & dns.flags.AA or not r.answer:
        return None
    return r.answer[0][0].serial


def wait_for(what, fn, timeout, interval=0.05, detail=lambda: ""):
    """Calls fn until it returns something true (bounded); returns that."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("%s: not within %.0f s\n%s" % (what, timeout, detail()))
        time.sleep(interval)


class KeyFile:
    def __init__(self, directory, name="xfr-key", secret=None):
        self.name = name
        self.secret = secret or base64.b64encode(secrets.token_bytes(32)).decode()
        self.path = os.path.join(directory, "%s.key" % name)
        with open(self.path, "w") as f:
            f.write('key "%s" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n'
                    % (name, self.secret))

    def keyring(self):
        return dns.tsigkeyring.from_text({self.name: ("hmac-sha256", self.secret)})


class _Server:
    program = "server"

    def __init__(self, port):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="dnsapi-fleet-%s-" % self.program)
        self.proc = None
        self.log_path = os.path.join(self.dir, "%s.log" % self.program)
        self._log = None

    def _write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def _spawn(self, argv):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_WAIT_SECONDS
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s: %s" % (self.program, self.proc.returncode,
                                                              self.log_tail()))
            try:
                query(self.port, "nonexistent.test.", "SOA", timeout=0.3)
                return self
            except Exception:
                if time.monotonic() > deadline:
                    raise RuntimeError("%s does not answer on port %d: %s"
                                       % (self.program, self.port, self.log_tail()))
                time.sleep(0.05)

    def log_text(self):
        if not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_tail(self, n=4000):
        return "%s (%s): %s" % (self.program, self.log_path, self.log_text()[-n:])

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class NsdPrimary(_Server):
    """NSD serving what zonegen writes; zones come by nsd-control addzones."""
    program = "nsd"

    def __init__(self, port, control_port, zone_dir):
        super().__init__(port)
        self.control_port = control_port
        self.zone_dir = zone_dir
        self.include = os.path.join(self.dir, "zones.conf")
        self.conf = os.path.join(self.dir, "nsd.conf")
        self._keys_made = False

    def zonegen_env(self):
        c = self.conf
        return {
            "DNSAPI_ZONE_DIR": self.zone_dir,
            "DNSAPI_NS_CONF": "nsd:" + self.include,
            # reconfig first: it is cheap with no zone in the include, and it
            # makes NSD read a rewritten include (new key or secondary).
            "DNSAPI_RELOAD_CMD": "nsd-control -c %s reconfig >/dev/null && "
                                 "nsd-control -c %s reload {zone} >/dev/null" % (c, c),
            "DNSAPI_ZONES_ADD_CMD": "sed 's/$/ dnsapi/' | nsd-control -c %s addzones >/dev/null"
                                    % c,
            "DNSAPI_ZONES_DEL_CMD": "nsd-control -c %s delzones >/dev/null" % c,
            "DNSAPI_VERIFY": "127.0.0.1:%d" % self.port,
        }

    def start(self):
        d = self.dir
        os.makedirs(self.zone_dir, exist_ok=True)
        if not os.path.exists(self.include):
            self._write("zones.conf", "# written by dnsapi zonegen\n")
        self._write("nsd.conf", """server:
    ip-address: 127.0.0.1@{port}
    port: {port}
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "{zones}"
    pidfile: "{d}/nsd.pid"
    zonelistfile: "{d}/zone.list"
    xfrdfile: "{d}/xfrd.state"
    xfrdir: "{d}"
    database: ""
    logfile: "{d}/nsd.log"
    server-count: 1
    verbosity: 2
remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: {cport}
    server-key-file: "{d}/nsd_server.key"
    server-cert-file: "{d}/nsd_server.pem"
    control-key-file: "{d}/nsd_control.key"
    control-cert-file: "{d}/nsd_control.pem"
include: "{inc}"
""".format(port=self.port, cport=self.control_port, d=d, zones=self.zone_dir, inc=self.include))
        if not self._keys_made:
            subprocess.run(["nsd-control-setup", "-d", d], check=True, capture_output=True,
                           timeout=60)
            self._keys_made = True
        self._spawn(["nsd", "-d", "-c", self.conf])
        deadline = time.monotonic() + START_WAIT_SECONDS
        while subprocess.run(["nsd-control", "-c", self.conf, "status"], capture_output=True,
                             timeout=10).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("nsd-control status fails: %s" % self.log_tail())
            time.sleep(0.1)
        return self

    def log_text(self):
        out = super().log_text()
        p = os.path.join(self.dir, "nsd.log")
        if os.path.exists(p):
            with open(p, "rb") as f:
                out += f.read().decode("utf-8", "replace")
        return out


class KnotSecondary(_Server):
    """Knot 3.2: one catalog zone from the primary; its members follow."""
    program = "knotd"

    def __init__(self, port, primary_port, key, catalog=CATALOG):
        super().__init__(port)
        self.primary_port = primary_port
        self.key = key
        self.catalog = catalog
        self.conf = os.path.join(self.dir, "knot.conf")

    def start(self):
        d = self.dir
        os.makedirs(os.path.join(d, "db"), exist_ok=True)
        self._write("knot.conf", """server:
    rundir: "{d}"
    pidfile: "{d}/knot.pid"
    listen: 127.0.0.1@{port}
log:
  - target: stderr
    any: info
control:
    listen: "{d}/knot.sock"
database:
    storage: "{d}/db"
key:
  - id: {key}
    algorithm: hmac-sha256
    secret: {secret}
remote:
  - id: primary
    address: 127.0.0.1@{pport}
    key: {key}
acl:
  - id: from-primary
    address: 127.0.0.0/8
    key: {key}
    action: notify
template:
  - id: default
    storage: "{d}/db"
  - id: member
    storage: "{d}/db"
    master: primary
    acl: from-primary
    zonefile-sync: -1
    zonefile-load: none
    journal-content: all
zone:
  - domain: {catalog}
    master: primary
    acl: from-primary
    catalog-role: interpret
    catalog-template: member
    zonefile-sync: -1
    zonefile-load: none
    journal-content: all
""".format(d=d, port=self.port, pport=self.primary_port, key=self.key.name,
           secret=self.key.secret, catalog=self.catalog))
        subprocess.run(["knotc", "-c", self.conf, "conf-check"], check=True, capture_output=True,
                       timeout=60)
        return self._spawn(["knotd", "-c", self.conf])


class BindSecondary(_Server):
    """BIND 9.18 with catalog-zones: members follow the catalog."""
    program = "named"

    def __init__(self, port, primary_port, key, catalog=CATALOG):
        super().__init__(port)
        self.primary_port = primary_port
        self.key = key
        self.catalog = catalog
        self.conf = os.path.join(self.dir, "named.conf")

    def start(self):
        d = self.dir
        self._write("named.conf", """key "{key}" {{ algorithm hmac-sha256; secret "{secret}"; }};
options {{
    directory "{d}";
    pid-file "{d}/named.pid";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    allow-query {{ any; }};
    dnssec-validation no;
    notify no;
    allow-notify {{ 127.0.0.0/8; }};
    catalog-zones {{
        zone "{catalog}" default-primaries {{ 127.0.0.1 port {pport} key "{key}"; }}
            zone-directory "{d}" in-memory yes;
    }};
}};
controls {{ }};
zone "{catalog}" {{ type secondary; file "catalog.db";
    primaries {{ 127.0.0.1 port {pport} key "{key}"; }}; }};
""".format(d=d, port=self.port, pport=self.primary_port, key=self.key.name,
           secret=self.key.secret, catalog=self.catalog))
        subprocess.run(["named-checkconf", self.conf], check=True, capture_output=True,
                       timeout=60)
        return self._spawn(["named", "-g", "-u", "root", "-c", self.conf])


class Fleet:
    """NSD primary, Knot and BIND secondaries, and the zonegen settings.

    ports: dict with keys nsd, nsd_control, knot, bind, metrics (already
    shifted by harness.tport). secondary_keys lets a test give a
    secondary another key than the primary's (the wrong-key fault).
    """

    def __init__(self, ports, bind=True, knot_key=None, bind_key=None):
        self.ports = ports
        self.dir = tempfile.mkdtemp(prefix="dnsapi-fleet-")
        self.zone_dir = os.path.join(self.dir, "zones")
        self.key = KeyFile(self.dir)
        self.primary = NsdPrimary(ports["nsd"], ports["nsd_control"], self.zone_dir)
        self.knot = KnotSecondary(ports["knot"], ports["nsd"], knot_key or self.key)
        self.bind = BindSecondary(ports["bind"], ports["nsd"], bind_key or self.key) if bind \
            else None

    def servers(self):
        return [s for s in (self.primary, self.knot, self.bind) if s is not None]

    def zonegen_env(self):
        env = self.primary.zonegen_env()
        secondaries = ["ns2.dnsapi.test=127.0.0.1:%d" % self.ports["knot"]]
        if self.bind is not None:
            secondaries.append("ns3.dnsapi.test=127.0.0.1:%d" % self.ports["bind"])
        env.update({
            "DNSAPI_CATALOG": CATALOG,
            "DNSAPI_SECONDARIES": ",".join(secondaries),
            "DNSAPI_TSIG_KEY_FILE": self.key.path,
            "DNSAPI_ZONEGEN_METRICS_LISTEN": "127.0.0.1:%d" % self.ports["metrics"],
        })
        return env

    def start(self):
        for s in self.servers():
            s.start()
        return self

    def log_tail(self):
        return "\n".join(s.log_tail() for s in self.servers())

    def stop(self):
        for s in self.servers():
            s.remove()
        shutil.rmtree(self.dir, ignore_errors=True)
