"""End-to-end: DNSAPI_RATE_LIMIT. A token's reads and writes spend their own
budgets, a request over budget answers 429 `rate_limited` with Retry-After
and the RateLimit-* headers and does nothing, another token is unaffected,
requests without a valid token are limited by client address (each test
speaks from its own loopback address), one token's budget is one budget
across both event loops, the headers are exposed to browsers, and the
metrics count what was refused (and still pass promtool).

Budgets here refill one request a minute, so nothing refills while a test
runs; limits off (no headers at all) is checked by test_api_contract.
"""

import http.client
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, check_contract  # noqa: E402

READ_BURST, WRITE_BURST, ADDRESS_BURST = 6, 3, 4
ORIGIN = "http://127.0.0.1:9"
# client addresses of the tests that speak without a token (lo answers the
# whole of 127.0.0.0/8)
ADDR_HEALTH, ADDR_BADTOKEN, ADDR_OTHER, ADDR_LOOPS = ("127.0.0.110", "127.0.0.111",
                                                      "127.0.0.112", "127.0.0.115")
# scrapes spend address budgets too: each of these addresses serves a burst
ADDR_METRICS = ["127.0.0.%d" % n for n in (113, 114, 116, 117, 118, 119)]
POLICY = re.compile(r'^(\d+);w=(\d+);burst=(\d+);budget="(read|write|address)"$')


class RateLimitTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ratelimit"
    STACK_PORT = 15430
    STACK_ENV = {
        "DNSAPI_RATE_LIMIT": "read=60/h:%d, write=60/h:%d, address=60/h:%d"
                             % (READ_BURST, WRITE_BURST, ADDRESS_BURST),
        "DNSAPI_CORS_ORIGINS": ORIGIN,
    }

    def assertBudget(self, r, budget, burst, remaining):
        """The RateLimit-* headers say budget, its burst and what is left."""
        self.assertEqual(r.headers.get("RateLimit-Limit"), str(burst), repr(r))
        self.assertEqual(r.headers.get("RateLimit-Remaining"), str(remaining), repr(r))
        reset = int(r.headers.get("RateLimit-Reset"))
        self.assertTrue(1 <= reset <= 60 * burst, repr(r))
        m = POLICY.match(r.headers.get("RateLimit-Policy", ""))
        self.assertIsNotNone(m, repr(r))
        self.assertEqual(m.groups(), ("60", "3600", str(burst), budget))

    def assertLimited(self, r, budget, burst, template):
        """429 rate_limited, Retry-After within the refill time, the contract."""
        self.assertError(r, 429, "rate_limited")
        retry = int(r.headers.get("Retry-After"))
        self.assertTrue(1 <= retry <= 60, repr(r))
        self.assertBudget(r, budget, burst, 0)
        if template is not None:
            check_contract(self.spec, r.method, template, r)

    scrapes = 0

    def scrape(self):
        """GET /metrics from the next address with budget left."""
        n = type(self).scrapes
        type(self).scrapes += 1
        self.assertLess(n, len(ADDR_METRICS) * ADDRESS_BURST, "out of scrape addresses")
        return self.stack.request("GET", "/metrics", source=ADDR_METRICS[n // ADDRESS_BURST])

    def metric(self, name, labels=""):
        r = self.scrape()
        self.assertEqual(r.status, 200, repr(r))
        m = re.search(r"(?m)^%s%s (\d+)$" % (re.escape(name), re.escape(labels)),
                      r.body.decode())
        self.assertIsNotNone(m, "%s%s not in /metrics" % (name, labels))
        return int(m.group(1))

    # -- a token's budgets ------------------------------------------------------

    def test_reads_spend_the_read_budget_and_writes_their_own(self):
        tok = self.stack.token()
        for i in range(READ_BURST):
            r = self.call("GET", "/v1/zones", "/v1/zones", token=tok, expect=200)
            self.assertBudget(r, "read", READ_BURST, READ_BURST - 1 - i)
        before = self.metric("dnsapi_rate_limited_total", '{budget="read"}')
        r = self.call("GET", "/v1/zones", "/v1/zones", token=tok)
        self.assertLimited(r, "read", READ_BURST, "/v1/zones")
        self.assertIn("read budget", r.error["message"])
        self.assertEqual(self.metric("dnsapi_rate_limited_total", '{budget="read"}'), before + 1)
        # the write budget is untouched: a zone is created
        r = self.call("POST", "/v1/zones", "/v1/zones", token=tok, body={"name": "rl-reads.test"},
                      expect=201)
        self.assertBudget(r, "write", WRITE_BURST, WRITE_BURST - 1)

    def test_a_refused_write_changes_nothing_and_reads_go_on(self):
        tok = self.stack.token()
        self.create_zone("rl-writes.test", token=tok)
        self.create_record("rl-writes.test", {"name": "a", "type": "A", "content": "192.0.2.1"},
                           token=tok)
        r = self.create_record("rl-writes.test", {"name": "b", "type": "A",
                                                  "content": "192.0.2.2"}, token=tok)
        self.assertBudget(r, "write", WRITE_BURST, 0)

        def state():
            return self.stack.sql(
                "SELECT z.serial, (SELECT count(*) FROM records WHERE zone_id = z.id),"
                " (SELECT count(*) FROM changes WHERE zone_id = z.id)"
                " FROM zones z WHERE z.name = 'rl-writes.test.'")
        before = state()
        zones_before = self.stack.sql("SELECT count(*) FROM zones")
        refused = [
            ("POST", "/v1/zones/rl-writes.test/records", "/v1/zones/{zone}/records",
             {"name": "c", "type": "A", "content": "192.0.2.3"}),
            ("POST", "/v1/zones/rl-writes.test/records/batch", "/v1/zones/{zone}/records/batch",
             {"posts": [{"name": "d", "type": "A", "content": "192.0.2.4"}]}),
            ("POST", "/v1/zones", "/v1/zones", {"name": "rl-writes2.test"}),
            ("DELETE", "/v1/zones/rl-writes.test", "/v1/zones/{zone}", None),
        ]
        for method, path, template, body in refused:
            r = self.call(method, path, None, token=tok, body=body,
                          headers={"Idempotency-Key": "k-" + path} if method == "POST" else None)
            self.assertLimited(r, "write", WRITE_BURST, template)
            self.assertIn("write budget", r.error["message"])
        self.assertEqual(state(), before, "a refused write changed the zone")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones"), zones_before)
        self.assertEqual(self.stack.sql("SELECT count(*) FROM idempotency_keys"
                                        " WHERE key LIKE 'k-%'"), "0")
        # reads have their own budget
        r = self.call("GET", "/v1/zones/rl-writes.test/records", "/v1/zones/{zone}/records",
                      token=tok, expect=200)
        self.assertBudget(r, "read", READ_BURST, READ_BURST - 1)
        self.assertEqual(len(r.data["records"]), 5)  # SOA, 2 NS, a, b

    def test_another_token_is_unaffected(self):
        spent, fresh = self.stack.token(), self.stack.token()
        for _ in range(READ_BURST):
            self.call("GET", "/v1/zones", "/v1/zones", token=spent, expect=200)
        r = self.call("GET", "/v1/zones", "/v1/zones", token=spent)
        self.assertLimited(r, "read", READ_BURST, "/v1/zones")
        r = self.call("GET", "/v1/zones", "/v1/zones", token=fresh, expect=200)
        self.assertBudget(r, "read", READ_BURST, READ_BURST - 1)

    def test_one_budget_across_both_event_loops(self):
        """Four keep-alive connections, two on each loop (the server evens
        them out), take turns: together they get one burst, not one each."""
        tok = self.stack.token()
        conns = [http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=30,
                                            source_address=(ADDR_LOOPS, 0)) for _ in range(4)]
        try:
            statuses = []
            for c in conns:  # each one served before the next is opened
                c.request("GET", "/healthz")
                resp = c.getresponse()
                resp.read()
                self.assertEqual(resp.status, 200)
            r = self.scrape()
            per_loop = [int(n) for n in re.findall(
                r'(?m)^dnsapi_http_connections\{loop="\d+"\} (\d+)$', r.body.decode())]
            self.assertEqual(len(per_loop), 2, per_loop)
            self.assertTrue(min(per_loop) >= 2, "two connections on each loop: %r" % per_loop)
            for i in range(READ_BURST + 4):
                c = conns[i % 4]
                c.request("GET", "/v1/zones", headers={"Authorization": "Bearer " + tok})
                resp = c.getresponse()
                resp.read()
                statuses.append(resp.status)
            self.assertEqual(statuses, [200] * READ_BURST + [429] * 4)
        finally:
            for c in conns:
                c.close()

    # -- without a valid token: by address ------------------------------------

    def test_unauthenticated_requests_are_limited_per_address(self):
        for i in range(ADDRESS_BURST):
            r = self.stack.request("GET", "/healthz", source=ADDR_HEALTH)
            self.assertEqual(r.status, 200, repr(r))
            check_contract(self.spec, "GET", "/healthz", r)
            self.assertBudget(r, "address", ADDRESS_BURST, ADDRESS_BURST - 1 - i)
        before = self.metric("dnsapi_rate_limited_total", '{budget="address"}')
        for path, template in (("/healthz", "/healthz"), ("/readyz", "/readyz"),
                               ("/v1/zones", "/v1/zones"), ("/no/such/path", None)):
            r = self.stack.request("GET", path, source=ADDR_HEALTH)
            self.assertLimited(r, "address", ADDRESS_BURST, template)
            self.assertIn("from this address", r.error["message"])
        self.assertEqual(self.metric("dnsapi_rate_limited_total", '{budget="address"}'),
                         before + 4)
        # another address has its whole budget; a valid token is not counted
        # against the spent address
        r = self.stack.request("GET", "/healthz", source=ADDR_OTHER)
        self.assertEqual(r.status, 200, repr(r))
        self.assertBudget(r, "address", ADDRESS_BURST, ADDRESS_BURST - 1)
        r = self.stack.request("GET", "/v1/zones", token=self.stack.token(), source=ADDR_HEALTH)
        self.assertEqual(r.status, 200, repr(r))
        self.assertBudget(r, "read", READ_BURST, READ_BURST - 1)

    def test_refused_tokens_spend_the_address_budget(self):
        bad = self.token[:-4] + ("AAAA" if not self.token.endswith("AAAA") else "BBBB")
        for i in range(ADDRESS_BURST):
            r = self.stack.request("GET", "/v1/zones", token=bad, source=ADDR_BADTOKEN)
            self.assertError(r, 401, "invalid_token")
            check_contract(self.spec, "GET", "/v1/zones", r)
            self.assertBudget(r, "address", ADDRESS_BURST, ADDRESS_BURST - 1 - i)
        r = self.stack.request("POST", "/v1/zones", body={"name": "rl-bad.test"},
                               source=ADDR_BADTOKEN)
        self.assertLimited(r, "address", ADDRESS_BURST, "/v1/zones")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones WHERE name = 'rl-bad.test.'"),
                         "0")

    # -- browsers, metrics ----------------------------------------------------------

    def test_browsers_may_read_the_headers(self):
        tok = self.stack.token()
        r = self.call("GET", "/v1/zones", "/v1/zones", token=tok, headers={"Origin": ORIGIN},
                      expect=200)
        exposed = {h.strip().lower()
                   for h in r.headers.get("Access-Control-Expose-Headers", "").split(",")}
        for h in ("Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
                  "RateLimit-Policy"):
            self.assertIn(h.lower(), exposed, repr(r))
            if h != "Retry-After":
                self.assertIn(h, r.headers)

    def test_metrics_pass_promtool_with_limits_on(self):
        r = self.scrape()
        self.assertEqual(r.status, 200, repr(r))
        out = subprocess.run(["promtool", "check", "metrics"], input=r.body, capture_output=True,
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout.decode() + out.stderr.decode())
        text = r.body.decode()
        for budget in ("read", "write", "address"):
            self.assertRegex(text, r'(?m)^dnsapi_rate_limited_total\{budget="%s"\} \d+$' % budget)
        self.assertRegex(text, r"(?m)^dnsapi_rate_limit_keys_max 65536$")
        self.assertGreater(self.metric("dnsapi_rate_limit_keys"), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
