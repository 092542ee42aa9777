"""End-to-end: CORS for dashboards - DNSAPI_CORS_ORIGINS allow-list, echoed
origin with Vary: Origin and exposed X-Request-Id, preflights answered 204,
unknown origins get no CORS headers. (The default - nothing allowed - is
checked in test_api_contract.py, whose server has no DNSAPI_CORS_ORIGINS.)"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

ALLOWED = ["https://dash.example.org", "http://localhost:3000"]
DENIED = ["https://evil.example.org", "https://dash.example.org.evil.test", "https://evil-dash.example.org",
          "http://dash.example.org", "https://dash.example.org:8443", "null", "http://localhost:30000"
          ]


def header_list(value):
    return [v.strip().lower() for v in (value or "").split(",") if v.strip()]


class CorsTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "cors"
    STACK_PORT = 18107
    STACK_ENV = {"DNSAPI_CORS_ORIGINS": ",".join(ALLOWED)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": "example.com"})
        assert r.status == 201, r

    def assertCors(self, r, origin):
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), origin, repr(r.headers))
        self.assertIn("origin", header_list(r.headers.get("Vary")), "Vary: Origin: %r" % r.headers)

    def assertNoCors(self, r):
        leaked = [k for k in r.headers.keys() if k.lower().startswith("access-control-")]
        self.assertEqual(leaked, [], "no CORS headers for an origin not on the list: %r" % r.headers)

    def test_simple_requests_from_allowed_origins(self):
        for origin in ALLOWED:
            with self.subTest(origin=origin):
                r = self.call("GET", "/v1/zones", "/v1/zones", headers={"Origin": origin}, expect=200)
                self.assertCors(r, origin)
                self.assertIn("x-request-id", header_list(r.headers.get("Access-Control-Expose-Headers")))
                self.assertNotEqual(r.headers.get("Access-Control-Allow-Origin"), "*")
                r = self.call("POST", "/v1/zones/example.com/records", "/v1/zones/{zone}/records",
                              headers={"Origin": origin},
                              body={"name": "w%d" % len(origin), "type": "A", "content": "192.0.2.1"}, expect=201)
                self.assertCors(r, origin)

    def test_errors_carry_cors_headers_too(self):
        # a dashboard must be able to read the error body
        origin = ALLOWED[0]
        r = self.call("GET", "/v1/zones", "/v1/zones", token=None, headers={"Origin": origin})
        self.assertError(r, 401, "unauthorized")
        self.assertCors(r, origin)
        r = self.call("GET", "/v1/zones/nope.example", "/v1/zones/{zone}", headers={"Origin": origin})
        self.assertError(r, 404, "not_found")
        self.assertCors(r, origin)

    def test_preflight_allowed(self):
        for origin in ALLOWED:
            for path, method in (("/v1/zones", "POST"), ("/v1/zones/example.com/records", "POST"),
                                 ("/v1/zones/example.com/records/some-id", "PATCH"),
                                 ("/v1/zones/example.com", "DELETE"), ("/v1/tokens", "GET")):
                with self.subTest(origin=origin, path=path, method=method):
                    r = self.call("OPTIONS", path, None, token=None, headers={
                        "Origin": origin, "Access-Control-Request-Method": method,
                        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"})
                    self.assertEqual(r.status, 204, repr(r))
                    self.assertEqual(r.body, b"")
                    self.assertCors(r, origin)
                    methods = [m.upper() for m in header_list(r.headers.get("Access-Control-Allow-Methods"))]
                    self.assertIn(method, methods, repr(r.headers))
                    allowed = header_list(r.headers.get("Access-Control-Allow-Headers"))
                    for h in ("authorization", "content-type", "idempotency-key"):
                        self.assertIn(h, allowed, repr(r.headers))
                    max_age = r.headers.get("Access-Control-Max-Age", "")
                    self.assertTrue(max_age.isdigit() and int(max_age) > 0, repr(r.headers))

    def test_unknown_origins_get_nothing(self):
        for origin in DENIED:
            with self.subTest(origin=origin):
                r = self.call("GET", "/v1/zones", "/v1/zones", headers={"Origin": origin}, expect=200)
                self.assertNoCors(r)
                r = self.call("OPTIONS", "/v1/zones", None, token=None, headers={
                    "Origin": origin, "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization"})
                self.assertNoCors(r)

    def test_no_origin_no_cors(self):
        r = self.call("GET", "/v1/zones", "/v1/zones", expect=200)
        self.assertIsNone(r.headers.get("Access-Control-Allow-Origin"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
