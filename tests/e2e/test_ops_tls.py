"""End-to-end: HTTPS with DNSAPI_TLS_CERT / DNSAPI_TLS_KEY.

A test CA, an intermediate and a server certificate for localhost and
127.0.0.1 are made here with the openssl CLI; curl trusts only the test CA.
Checked: HTTP/2 is chosen by ALPN (and HTTP/1.1 when the client asks for
it), authenticated API calls work over both, a client that does not trust
the CA is refused, plain HTTP on the TLS port gets no answer, and a server
given a key that does not match, or only one of the two settings, refuses to
start with a JSON log line naming the setting.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Stack, require_env, tport  # noqa: E402

OPENSSL = "/usr/bin/openssl"
CURL = "/usr/bin/curl"


def run(*args, **kw):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=60, **kw)
    if p.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(args), p.stderr))
    return p.stdout


def make_pki(d):
    """CA -> intermediate -> server (localhost, 127.0.0.1). Returns paths."""
    ext = os.path.join(d, "ext.cnf")
    with open(ext, "w") as f:
        f.write("[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                "[srv]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    p = lambda n: os.path.join(d, n)  # noqa: E731
    run(OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "2", "-subj", "/CN=dnsapi test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, signer, section, subj in (("int", "ca", "ca", "/CN=dnsapi test intermediate"),
                                        ("srv", "int", "srv", "/CN=localhost")):
        run(OPENSSL, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", p(name + ".key"), "-out", p(name + ".csr"), "-subj", subj)
        run(OPENSSL, "x509", "-req", "-in", p(name + ".csr"), "-CA", p(signer + ".crt"),
            "-CAkey", p(signer + ".key"), "-CAcreateserial", "-out", p(name + ".crt"), "-days", "2",
            "-extfile", ext, "-extensions", section)
    with open(p("chain.pem"), "w") as out:
        for n in ("srv.crt", "int.crt"):
            with open(p(n)) as f:
                out.write(f.read())
    run(OPENSSL, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", p("other.key"), "-out", p("other.csr"), "-subj", "/CN=other")
    return {"ca": p("ca.crt"), "chain": p("chain.pem"), "key": p("srv.key"),
            "other_key": p("other.key")}


class TlsStack(Stack):
    """A Stack whose server speaks HTTPS; readiness is checked with curl."""

    def __init__(self, pki, **kw):
        self.pki = pki
        super().__init__(**kw)

    def start_server(self):
        self.log_path = os.path.join(self.tmpdir, "server.log")
        self._log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.base_env(server=True),
                                     stdin=subprocess.DEVNULL, stdout=self._log_file,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dnsapi serve exited with status %s" % self.proc.returncode)
            code, _, _ = self.curl("/readyz")
            if code == "200":
                return
            time.sleep(0.1)
        raise RuntimeError("dnsapi serve did not answer over HTTPS in 20 s")

    def curl(self, path, *extra, token=None, cacert=True, scheme="https"):
        """Returns (status, http_version, body) from curl; status '000' on failure."""
        args = [CURL, "-sS", "--max-time", "10", "-o", "-", "-w", "\n%{http_code} %{http_version}",
                "--resolve", "localhost:%d:127.0.0.1" % self.port]
        if cacert:
            args += ["--cacert", self.pki["ca"]]
        if token:
            args += ["-H", "Authorization: Bearer " + token]
        args += list(extra) + ["%s://localhost:%d%s" % (scheme, self.port, path)]
        p = subprocess.run(args, capture_output=True, text=True, timeout=30)
        body, _, tail = p.stdout.rpartition("\n")
        code, _, version = tail.partition(" ")
        return code, version, body


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_env()
        if not (os.access(OPENSSL, os.X_OK) and os.access(CURL, os.X_OK)):
            raise unittest.SkipTest("openssl and curl are needed")
        cls.dir = tempfile.mkdtemp(prefix="dnsapi-tls-")
        cls.pki = make_pki(cls.dir)
        cls.stack = TlsStack(cls.pki, name="ops_tls", port=18144,
                             env={"DNSAPI_TLS_CERT": cls.pki["chain"],
                                  "DNSAPI_TLS_KEY": cls.pki["key"]})
        cls.stack.start()
        cls.token = cls.stack.token()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_http2_by_alpn_and_http1_on_request(self):
        code, version, _ = self.stack.curl("/healthz", "--http2")
        self.assertEqual((code, version), ("200", "2"))
        code, version, _ = self.stack.curl("/healthz", "--http1.1")
        self.assertEqual((code, version), ("200", "1.1"))

    def test_api_calls_over_https(self):
        for proto in ("--http2", "--http1.1"):
            with self.subTest(proto=proto):
                zone = "tls%s.example" % proto.strip("-").replace(".", "")
                code, _, body = self.stack.curl("/v1/zones", proto, "-X", "POST", "-H",
                                                "Content-Type: application/json", "-d",
                                                json.dumps({"name": zone}), token=self.token)
                self.assertEqual(code, "201", body)
                code, _, body = self.stack.curl("/v1/zones/" + zone, proto, token=self.token)
                self.assertEqual(code, "200", body)
                self.assertEqual(json.loads(body)["data"]["zone"]["name"], zone + ".")
                code, _, body = self.stack.curl("/v1/zones", proto)
                self.assertEqual(code, "401")
                self.assertEqual(json.loads(body)["error"]["code"], "unauthorized")

    def test_untrusted_clients_and_plain_http_get_nothing(self):
        code, _, _ = self.stack.curl("/healthz", cacert=False)
        self.assertEqual(code, "000", "a client that does not trust the test CA must fail")
        code, _, _ = self.stack.curl("/healthz", scheme="http")
        self.assertNotEqual(code, "200", "plain HTTP on the TLS port")

    def serve_once(self, **env):
        e = self.stack.base_env(server=True)
        e["DNSAPI_LISTEN"] = "127.0.0.1:%d" % tport(15423)  # it never gets to listen
        for k, v in env.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        return subprocess.run([self.stack.binary, "serve"], env=e, capture_output=True, text=True,
                              timeout=30)

    def assertRefusesToStart(self, p, words):
        self.assertEqual(p.returncode, 1, p.stderr)
        lines = [json.loads(l) for l in p.stderr.splitlines() if l.strip()]
        self.assertTrue(any(l["level"] == "error" and words in l["msg"] for l in lines), p.stderr)

    def test_bad_tls_settings_refuse_to_start(self):
        self.assertRefusesToStart(self.serve_once(DNSAPI_TLS_KEY=self.pki["other_key"]),
                                  "is not the key of the certificate")
        self.assertRefusesToStart(self.serve_once(DNSAPI_TLS_KEY=None), "DNSAPI_TLS_KEY")
        self.assertRefusesToStart(self.serve_once(DNSAPI_TLS_CERT=self.pki["key"]),
                                  "DNSAPI_TLS_CERT")


if __name__ == "__main__":
    unittest.main(verbosity=2)
