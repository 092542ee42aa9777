"""End to end: ACME DNS-01 through DNS UPDATE with real clients from Debian.

pebble is the CA; lego (`--dns rfc2136`) and certbot (`--dns-rfc2136`,
python3-certbot-dns-rfc2136) each obtain one certificate for a name and
its wildcard, writing the challenges through the listener of `dnsapi
serve` (DNSAPI_UPDATE_LISTEN) with a TSIG key whose only policy is TXT at
`_acme-challenge` names of the zone. pebble checks them on NSD, which
`dnsapi zonegen` feeds (port 53 of 127.0.0.161, harness.loopback). The
same key is refused anything else, and nothing changes then.

Nothing reaches the system resolver: pebble asks NSD (`-dnsserver`), lego
asks NSD (`--dns.resolvers`) and the listener (RFC2136_NAMESERVER), certbot
the listener (its credentials file); and each of the three runs in a mount
namespace of its own whose /etc/resolv.conf names NSD only - so a lookup
none of their options cover (lego resolves the zone's name servers to ask
them for the challenge: ns1.dnsapi.test. and ns2.dnsapi.test., in a zone
of this stack pointing at NSD) still stays on loopback. pebble's HTTPS
certificate is made here with openssl; lego trusts it through
LEGO_CA_CERTIFICATES, certbot through REQUESTS_CA_BUNDLE. Every wait is
bounded.
"""

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from update_server import UpdateStack, nsupdate, ede_texts  # noqa: E402

import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.update  # noqa: E402

API_PORT = 18182
LISTEN_PORT = harness.tport(15409)
NSD_ADDRESS = harness.loopback(160, 1)   # 127.0.0.161; DNSAPI_TEST_LOOPBACK_BASE moves it
NSD_PORT = 53
NSD_CONTROL_PORT = harness.tport(15410)
PEBBLE_PORT = harness.tport(15411)
PEBBLE_MANAGEMENT_PORT = harness.tport(15412)
PEBBLE_HTTP_PORT = harness.tport(15413)
PEBBLE_TLS_PORT = harness.tport(15414)

ZONE = "certs.test."
OTHER_ZONE = "other-certs.test."
CLIENT_TIMEOUT = 300
# certbot's rfc2136 plugin waits this long after its UPDATEs before it asks
# the CA to validate (it has no check of its own); publication to NSD takes
# well under a second (bench/README.md), this leaves room on a loaded machine.
CERTBOT_PROPAGATION_SECONDS = 15


def isolated(argv, resolv_conf):
    """argv in a mount namespace of its own whose /etc/resolv.conf is
    resolv_conf."""
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
            'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolv_conf] + argv


class AcmeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("pebble", "lego", "certbot", "openssl", "unshare"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest("%s is not installed (tests/run.sh installs it)" % tool)
        cls.dir = tempfile.mkdtemp(prefix="dnsapi-acme-")
        cls.pebble = None
        cls.stack = UpdateStack("update_acme", API_PORT, LISTEN_PORT, NSD_PORT, NSD_CONTROL_PORT,
                                nsd_address=NSD_ADDRESS)
        try:
            cls.stack.start()
            cls._set_up()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _set_up(cls):
        d = cls.dir
        cls.resolv = os.path.join(d, "resolv.conf")
        with open(cls.resolv, "w") as f:
            f.write("nameserver %s\noptions timeout:2 attempts:2\n" % NSD_ADDRESS)
        probe = subprocess.run(isolated(["cat", "/etc/resolv.conf"], cls.resolv),
                               capture_output=True, text=True, timeout=30)
        if probe.returncode != 0 or NSD_ADDRESS not in probe.stdout:
            raise AssertionError("cannot give the ACME clients a resolv.conf of their own "
                                 "(unshare --mount, as root): %s" % (probe.stdout + probe.stderr))
        s = cls.stack
        # The zones' name servers, so that lego can ask them for the challenge.
        s.create_zone("dnsapi.test.", [
            {"name": "ns1", "type": "A", "content": NSD_ADDRESS, "ttl": 300},
            {"name": "ns2", "type": "A", "content": NSD_ADDRESS, "ttl": 300}])
        s.create_zone(ZONE, [
            {"name": "www", "type": "A", "content": "192.0.2.80", "ttl": 300},
            {"name": "_acme-challenge.stale", "type": "A", "content": "192.0.2.81", "ttl": 300}])
        s.create_zone(OTHER_ZONE, [])
        cls.key = s.mint_key("acme-client.%s" % ZONE, policies=[
            {"zone": ZONE, "name": "_acme-challenge.**", "type": "TXT", "write": True}])
        cls._start_pebble()

    @classmethod
    def _start_pebble(cls):
        d = cls.dir
        cls.cert = os.path.join(d, "pebble.pem")
        key = os.path.join(d, "pebble.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                        "/CN=pebble on loopback", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cls.cert], check=True, capture_output=True,
                       timeout=60)
        config = os.path.join(d, "pebble.json")
        with open(config, "w") as f:
            json.dump({"pebble": {
                "listenAddress": "127.0.0.1:%d" % PEBBLE_PORT,
                "managementListenAddress": "127.0.0.1:%d" % PEBBLE_MANAGEMENT_PORT,
                "certificate": cls.cert, "privateKey": key,
                "httpPort": PEBBLE_HTTP_PORT, "tlsPort": PEBBLE_TLS_PORT,
                "ocspResponderURL": "", "externalAccountBindingRequired": False}}, f)
        env = dict(os.environ, PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0",
                   PEBBLE_AUTHZREUSE="0")
        cls.pebble_log_path = os.path.join(d, "pebble.log")
        cls.pebble_log = open(cls.pebble_log_path, "ab")
        cls.pebble = subprocess.Popen(
            isolated(["pebble", "-config", config, "-dnsserver", "%s:%d" % (NSD_ADDRESS, NSD_PORT)],
                     cls.resolv),
            env=env, stdin=subprocess.DEVNULL, stdout=cls.pebble_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if cls.pebble.poll() is not None:
                raise RuntimeError("pebble exited with %s:\n%s" % (cls.pebble.returncode,
                                                                  cls.log("pebble")))
            try:
                socket.create_connection(("127.0.0.1", PEBBLE_PORT), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("pebble does not listen:\n%s" % cls.log("pebble"))
                time.sleep(0.1)
        cls.directory = "https://127.0.0.1:%d/dir" % PEBBLE_PORT

    @classmethod
    def log(cls, what):
        path = {"pebble": cls.pebble_log_path}[what]
        with open(path, "rb") as f:
            return f.read()[-6000:].decode("utf-8", "replace")

    @classmethod
    def tearDownClass(cls):
        if cls.pebble is not None:
            cls.pebble.terminate()
            try:
                cls.pebble.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.pebble.kill()
                cls.pebble.wait(timeout=10)
            cls.pebble_log.close()
            cls.pebble = None
        try:
            cls.stack.stop()
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)

    # -- helpers -------------------------------------------------------------

    def run_client(self, name, argv, env):
        p = subprocess.run(isolated(argv, self.resolv), env=env, capture_output=True, text=True,
                           timeout=CLIENT_TIMEOUT, stdin=subprocess.DEVNULL)
        out = p.stdout + p.stderr
        if p.returncode != 0:
            self.fail("%s exited %d:\n%s\n--- pebble:\n%s\n--- stack:\n%s"
                      % (name, p.returncode, out[-6000:], self.log("pebble"),
                         self.stack.log_tail()))
        return out

    def pebble_roots(self):
        """pebble's root and intermediate (management interface), PEM."""
        ctx = ssl.create_default_context(cafile=self.cert)
        out = []
        for path in ("/roots/0", "/intermediates/0"):
            with urllib.request.urlopen("https://127.0.0.1:%d%s" % (PEBBLE_MANAGEMENT_PORT, path),
                                        context=ctx, timeout=10) as r:
                out.append(r.read().decode())
        return out

    def assert_certificate(self, cert_path, chain_path, name):
        """cert_path names exactly name and *.name and chains to pebble's root."""
        p = subprocess.run(["openssl", "x509", "-in", cert_path, "-noout", "-ext",
                            "subjectAltName"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        sans = sorted(x.strip() for x in p.stdout.splitlines()[-1].split(","))
        self.assertEqual(sans, sorted(["DNS:" + name, "DNS:*." + name]))
        root, _ = self.pebble_roots()
        root_path = os.path.join(self.dir, "root-%s.pem" % name)
        with open(root_path, "w") as f:
            f.write(root)
        p = subprocess.run(["openssl", "verify", "-CAfile", root_path, "-untrusted", chain_path,
                            cert_path], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def assert_only_challenges_written(self, serial_before, n_changes_before, name):
        """Since serial_before: every change is a TXT at _acme-challenge.name
        made with the key, the challenges are gone again, and NSD serves
        the zone without them."""
        changes = self.stack.changes(ZONE)[n_changes_before:]
        self.assertTrue(changes, "the client wrote nothing")
        for c in changes:
            self.assertGreater(c["serial"], serial_before)
            self.assertEqual((c["name"], c["type"]),
                             ("_acme-challenge.%s.%s" % (name, ZONE), "TXT"), repr(c))
            self.assertEqual(c.get("tsig_key_id"), self.key.id, repr(c))
            self.assertIsNone(c["token_id"])
        actions = sorted(c["action"] for c in changes)
        self.assertEqual(actions.count("create"), actions.count("delete"), actions)
        left = [r for r in self.stack.records(ZONE) if r[0].startswith("_acme-challenge." + name)]
        self.assertEqual(left, [])
        self.stack.wait_served(ZONE)
        self.assertEqual(self.stack.served("_acme-challenge.%s.%s" % (name, ZONE), "TXT"), [])

    def before(self):
        return self.stack.serial(ZONE), len(self.stack.changes(ZONE))

    # -- tests ---------------------------------------------------------------

    def test_lego_obtains_a_wildcard_certificate(self):
        name = "lego." + ZONE.rstrip(".")
        serial, n = self.before()
        path = os.path.join(self.dir, "lego")
        env = dict(os.environ,
                   LEGO_CA_CERTIFICATES=self.cert,
                   RFC2136_NAMESERVER="127.0.0.1:%d" % LISTEN_PORT,
                   RFC2136_TSIG_KEY=self.key.name,
                   RFC2136_TSIG_SECRET=self.key.secret,
                   RFC2136_TSIG_ALGORITHM="hmac-sha256.",
                   RFC2136_TTL="60",
                   RFC2136_PROPAGATION_TIMEOUT="120",
                   RFC2136_POLLING_INTERVAL="1")
        # Full propagation check: lego waits until every name server of
        # the zone (NSD, through ns1/ns2.dnsapi.test.) serves the challenge.
        self.run_client("lego", [
            "lego", "--server", self.directory, "--accept-tos", "--email", "acme@example.org",
            "--path", path, "--key-type", "ec256", "--dns", "rfc2136",
            "--dns.resolvers", "%s:%d" % (NSD_ADDRESS, NSD_PORT), "--dns-timeout", "5",
            "--cert.timeout", "120", "-d", name, "-d", "*." + name, "run"], env)
        cert = os.path.join(path, "certificates", name + ".crt")
        issuer = os.path.join(path, "certificates", name + ".issuer.crt")
        self.assert_certificate(cert, issuer, name)
        self.assert_only_challenges_written(serial, n, "lego")

    def test_certbot_obtains_a_wildcard_certificate(self):
        name = "certbot." + ZONE.rstrip(".")
        serial, n = self.before()
        d = os.path.join(self.dir, "certbot")
        os.makedirs(d)
        ini = os.path.join(d, "rfc2136.ini")
        with open(os.open(ini, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = %d\n"
                    "dns_rfc2136_name = %s\ndns_rfc2136_secret = %s\n"
                    "dns_rfc2136_algorithm = HMAC-SHA256\n"
                    % (LISTEN_PORT, self.key.name, self.key.secret))
        env = dict(os.environ, REQUESTS_CA_BUNDLE=self.cert)
        self.run_client("certbot", [
            "certbot", "certonly", "--non-interactive", "--agree-tos", "--no-eff-email",
            "--email", "acme@example.org", "--server", self.directory,
            "--config-dir", os.path.join(d, "config"), "--work-dir", os.path.join(d, "work"),
            "--logs-dir", os.path.join(d, "logs"), "--key-type", "ecdsa",
            "--authenticator", "dns-rfc2136", "--dns-rfc2136-credentials", ini,
            "--dns-rfc2136-propagation-seconds", str(CERTBOT_PROPAGATION_SECONDS),
            "-d", name, "-d", "*." + name], env)
        live = os.path.join(d, "config", "live", name)
        self.assert_certificate(os.path.join(live, "cert.pem"), os.path.join(live, "chain.pem"),
                                name)
        self.assert_only_challenges_written(serial, n, "certbot")

    def test_the_acme_key_is_refused_everything_else(self):
        before = {z: self.stack.snapshot(z) for z in (ZONE, OTHER_ZONE)}
        n = len(self.stack.changes(ZONE))
        cases = [
            (ZONE, "update add lego.%s 300 A 192.0.2.9" % ZONE),
            (ZONE, "update add txt.%s 300 TXT \"elsewhere\"" % ZONE),
            (ZONE, "update add %s 300 TXT \"at the apex\"" % ZONE),
            (ZONE, "update add _acme-challenge.x.%s 300 CNAME elsewhere.example.net." % ZONE),
            (ZONE, "update delete www.%s" % ZONE),
            (ZONE, "update delete www.%s A" % ZONE),
            (ZONE, "update delete _acme-challenge.stale.%s" % ZONE),
            (OTHER_ZONE, "update add _acme-challenge.%s 300 TXT \"other zone\"" % OTHER_ZONE),
        ]
        for zone, cmd in cases:
            rc, out = nsupdate(LISTEN_PORT, self.key, zone, cmd)
            self.assertNotEqual(rc, 0, "%s: %s" % (cmd, out))
            self.assertIn("REFUSED", out, cmd)
        # The refusal says why (dnspython reads the Extended DNS Error).
        u = dns.update.UpdateMessage(ZONE, keyring=self.key.keyring(), keyname=self.key.name)
        u.use_edns(0)
        u.add("lego." + ZONE, 300, "A", "192.0.2.9")
        r = dns.query.tcp(u, "127.0.0.1", port=LISTEN_PORT, timeout=10)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertTrue(any(t.startswith("insufficient_scope:") for t in ede_texts(r)),
                        ede_texts(r))
        for z in (ZONE, OTHER_ZONE):
            self.assertEqual(self.stack.snapshot(z), before[z], z)
        self.assertEqual(len(self.stack.changes(ZONE)), n)
        self.assertEqual(self.stack.served("lego." + ZONE, "A"), [])
        self.assertEqual(self.stack.served("www." + ZONE, "A"), ["192.0.2.80"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
