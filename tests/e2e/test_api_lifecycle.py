"""End-to-end: what the request lifecycle does for every request - request
ids (from the kernel's random source, or the client's own when it is a
short token), the JSON envelope for bodies over the limit whether h2o or
the lifecycle refuses them (by Content-Length or chunked), scope messages
that name the scope under concurrent load, 404 and 405 answers."""

import os
import re
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

MAX_BODY = 4096
MAX_IMPORT_BODY = 16384


class LifecycleTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "lifecycle"
    STACK_PORT = 18116
    STACK_ENV = {"DNSAPI_MAX_BODY": str(MAX_BODY), "DNSAPI_MAX_IMPORT_BODY": str(MAX_IMPORT_BODY)}

    def test_request_ids_are_random_and_differ_after_a_restart(self):
        ids = [self.call("GET", "/healthz", "/healthz", token=None).headers["X-Request-Id"]
               for _ in range(20)]
        self.assertEqual(len(set(ids)), 20, ids)
        for i in ids:
            self.assertRegex(i, r"^[0-9a-f]{32}$")
        self.stack.stop_server()
        self.stack.start_server()
        after = [self.call("GET", "/healthz", "/healthz", token=None).headers["X-Request-Id"]
                 for _ in range(20)]
        self.assertFalse(set(ids) & set(after), "a restarted server repeats no id")

    def test_incoming_request_id_is_kept_when_it_is_a_short_token(self):
        r = self.call("GET", "/healthz", "/healthz", token=None, headers={"X-Request-Id": "trace-42.a:b_c"})
        self.assertEqual(r.headers["X-Request-Id"], "trace-42.a:b_c")
        for bad in ("x" * 65, "has space", "quote\"d", "semi;colon"):
            r = self.call("GET", "/healthz", "/healthz", token=None, headers={"X-Request-Id": bad})
            self.assertNotEqual(r.headers["X-Request-Id"], bad)
            self.assertRegex(r.headers["X-Request-Id"], r"^[0-9a-f]{32}$")
        # kept in the access log line too
        self.call("GET", "/healthz", "/healthz", token=None, headers={"X-Request-Id": "find-me-7"})
        self.assertIn('"request_id":"find-me-7"', self.stack.log_tail(400))

    def assert_too_large(self, r):
        self.assertEqual(r.status, 413, repr(r))
        self.assertEqual(r.headers.get("Content-Type"), "application/json", repr(r))
        self.assertEqual(r.json["status"], "error")
        self.assertEqual(r.error_code, "payload_too_large", repr(r))

    def test_bodies_over_the_limit_get_the_json_envelope(self):
        zone = self.create_zone("big.test")
        before = self.snapshot("big.test")
        body = {"name": "x", "type": "TXT", "content": "a" * (MAX_BODY + 100)}
        # over the JSON limit, under h2o's: the lifecycle answers
        for chunked in (False, True):
            r = self.call("POST", "/v1/zones/big.test/records", "/v1/zones/{zone}/records", body=body,
                          chunked=chunked)
            self.assert_too_large(r)
        # over every limit: h2o answers before the request reaches the API
        huge = {"name": "x", "type": "TXT", "content": "a" * (MAX_IMPORT_BODY + 100)}
        for chunked in (False, True):
            r = self.stack.request("POST", "/v1/zones/big.test/records", token=self.token, body=huge,
                                   chunked=chunked)
            self.assert_too_large(r)
        # an import may be larger than a JSON body, up to its own limit
        text = "".join("h%d 300 IN A 192.0.2.1\n" % i for i in range(400))
        self.assertGreater(len(text), MAX_BODY)
        self.assertLess(len(text), MAX_IMPORT_BODY)
        r = self.call("POST", "/v1/zones/big.test/import?dry_run=true", "/v1/zones/{zone}/import",
                      raw=text.encode(), headers={"Content-Type": "text/dns"}, expect=200)
        self.assertEqual(r.data["added"], 400)
        self.assertUnchanged("big.test", before)
        self.assertEqual(zone["serial"], before["serial"])

    def test_scope_messages_name_the_scope_under_concurrent_load(self):
        """Every loop names the missing scope in a buffer of its own (a
        shared one let one request's message show another's scope)."""
        tokens = {"zones:write": self.stack.token(scopes="zones:read records:read"),
                  "tokens:write": self.stack.token(scopes="zones:read zones:write")}
        wrong = []

        def worker(scope, method, path, body):
            for _ in range(60):
                r = self.stack.request(method, path, token=tokens[scope], body=body)
                if r.status != 403 or scope not in r.error.get("message", ""):
                    wrong.append((scope, r.status, r.error.get("message")))

        threads = [threading.Thread(target=worker, args=a) for a in (
            ("zones:write", "POST", "/v1/zones", {"name": "nope.test"}),
            ("tokens:write", "GET", "/v1/tokens", None),
            ("zones:write", "POST", "/v1/zones", {"name": "nope2.test"}),
            ("tokens:write", "GET", "/v1/tokens", None))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(wrong, [])

    def test_unknown_paths_and_methods(self):
        r = self.call("GET", "/v2/nothing", None, token=None)
        self.assertError(r, 404, "not_found")
        r = self.call("PUT", "/v1/zones", None)
        self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(set(re.split(r",\s*", r.headers["Allow"])), {"GET", "POST", "OPTIONS"})
        r = self.stack.request("HEAD", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")


if __name__ == "__main__":
    unittest.main(verbosity=2)
