"""End-to-end: losing PostgreSQL. The server reaches the database through a
TCP proxy run by this test (the test cluster is shared by parallel tests, so
it is not stopped); cutting the proxy closes every connection and refuses new
ones. While cut: requests answer 503 `unavailable` with Retry-After, quickly;
/readyz is 503, /healthz 200; nothing is written. After restore the server
recovers by itself within a bounded wait."""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ApiTestCase, Stack, TcpProxy, ZoneHelpers, conninfo_parse, load_spec, tport,  # noqa: E402
                     require_env)

API_PORT = 18109
PROXY_PORT = tport(API_PORT + 50)
FAST = 8.0        # seconds a request may take while the database is gone
RECOVER = 30.0    # seconds the server may take to recover


class DatabaseLossTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "dbloss"
    STACK_PORT = API_PORT

    @classmethod
    def setUpClass(cls):
        _, url = require_env()
        params = conninfo_parse(url)
        host = params.get("host") or params.get("hostaddr") or "127.0.0.1"
        if host.startswith("/"):
            raise unittest.SkipTest("DNSAPI_TEST_DATABASE_URL uses a Unix socket; the proxy needs TCP")
        cls.spec = load_spec()
        cls.proxy = TcpProxy(PROXY_PORT, params.get("hostaddr") or host, params.get("port") or "5432").start()
        cls.stack = Stack(cls.STACK_NAME, cls.STACK_PORT,
                          db_override={"host": "127.0.0.1", "hostaddr": "127.0.0.1", "port": str(PROXY_PORT)})
        try:
            cls.stack.start()
            cls.token = cls.stack.token()
            r = cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": "example.com"})
            assert r.status == 201, r
        except BaseException:
            cls.stack.stop()
            cls.proxy.stop()
            raise

    @classmethod
    def stop_resources(cls):
        cls.proxy.stop()

    def timed(self, method, path, template, **kw):
        t0 = time.monotonic()
        r = self.call(method, path, template, allow_503=True, timeout=FAST + 5, **kw)
        elapsed = time.monotonic() - t0
        self.assertLess(elapsed, FAST, "%s %s took %.1f s while the database was gone" % (method, path, elapsed))
        return r

    def assert503(self, r):
        self.assertError(r, 503, "unavailable")
        ra = r.headers.get("Retry-After", "")
        self.assertTrue(ra.isdigit(), "503 needs Retry-After seconds: %r" % r.headers)

    def wait_recovered(self):
        deadline = time.monotonic() + RECOVER
        last = None
        while time.monotonic() < deadline:
            last = self.stack.request("GET", "/v1/zones", token=self.token, allow_503=True, timeout=FAST + 5)
            if last.status == 200:
                return time.monotonic()
            self.assertEqual(last.status, 503, repr(last))
            time.sleep(0.25)
        self.fail("the server did not recover within %.0f s of the database coming back: %r" % (RECOVER, last))

    def db_errors(self):
        r = self.call("GET", "/metrics", "/metrics", token=None, expect=200)
        m = re.search(r"^dnsapi_db_errors_total (\d+)$", r.body.decode(), re.M)
        self.assertIsNotNone(m, "metrics count database errors")
        return int(m.group(1))

    def outage_round(self):
        errors = self.db_errors()
        rows = self.stack.sql("SELECT count(*) FROM records")
        serial = self.stack.sql("SELECT serial FROM zones WHERE name = 'example.com.'")
        self.proxy.cut()
        try:
            for _ in range(2):
                for method, path, tpl, body in (
                        ("GET", "/v1/zones", "/v1/zones", None),
                        ("GET", "/v1/zones/example.com", "/v1/zones/{zone}", None),
                        ("GET", "/v1/zones/example.com/records", "/v1/zones/{zone}/records", None),
                        ("POST", "/v1/zones/example.com/records", "/v1/zones/{zone}/records",
                         {"name": "during", "type": "A", "content": "192.0.2.99"}),
                        ("POST", "/v1/zones", "/v1/zones", {"name": "during.test"}),
                        ("GET", "/v1/tokens", "/v1/tokens", None)):
                    with self.subTest(method=method, path=path):
                        self.assert503(self.timed(method, path, tpl, body=body))
            r = self.timed("GET", "/readyz", "/readyz", token=None)
            self.assert503(r)
            r = self.timed("GET", "/healthz", "/healthz", token=None)
            self.assertEqual(r.status, 200, repr(r))
            self.assertEqual(r.json, {"status": "success", "data": {"status": "ok"}})
            self.assertTrue(self.stack.alive())
            # counted as they happen, during the outage (readyz included)
            self.assertGreaterEqual(self.db_errors() - errors, 13)
        finally:
            self.proxy.restore()
        self.wait_recovered()
        self.assertEqual(self.stack.sql("SELECT count(*) FROM records"), rows, "nothing written during the outage")
        self.assertEqual(self.stack.sql("SELECT serial FROM zones WHERE name = 'example.com.'"), serial)
        self.call("GET", "/readyz", "/readyz", token=None, expect=200)
        r = self.create_record("example.com", {"name": "after%d" % time.monotonic_ns(), "type": "A",
                                               "content": "192.0.2.100"})
        self.assertEqual(r.data["serial"], int(serial) + 1)

    def test_01_baseline(self):
        r = self.call("GET", "/readyz", "/readyz", token=None, expect=200)
        self.assertEqual(r.json, {"status": "success", "data": {"status": "ready"}})
        self.call("GET", "/v1/zones", "/v1/zones", expect=200)

    def test_02_outage_and_recovery(self):
        self.outage_round()

    def test_03_second_outage(self):
        self.outage_round()
        self.assertTrue(self.stack.alive())


if __name__ == "__main__":
    unittest.main(verbosity=2)
