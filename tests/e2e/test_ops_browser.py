"""End-to-end: a browser dashboard on another origin (issue 14 item 7).

deploy/examples/dashboard.html is served from two origins on loopback (a
static file server each); the API allows only the first
(DNSAPI_CORS_ORIGINS). tests/browser/dashboard.mjs drives Debian's Chromium
headless through playwright-core (installed by tests/run.sh into
tests/browser/node_modules): list zones, create a zone and nine records,
page through them (5 a page), show an API error; from the other origin the
browser blocks the API's answers and the page says it could not reach the
API, and nothing is created.

Response headers a browser client needs must be exposed through CORS. The
CORS is applied once, by the request lifecycle (api/answer.c), which
exposes every header a client needs:
- Access-Control-Expose-Headers lists X-Request-Id, Retry-After,
  WWW-Authenticate, Idempotent-Replayed, Location, RateLimit-Limit,
  RateLimit-Remaining, RateLimit-Reset and RateLimit-Policy;
- the page's script reads Idempotent-Replayed on a replayed create.
"""

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, tport  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("DNSAPI_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
BROWSER_DIR = os.path.join(ROOT, "tests", "browser")
ALLOWED_PORT = tport(15420)
DENIED_PORT = tport(15421)
ALLOWED_ORIGIN = "http://127.0.0.1:%d" % ALLOWED_PORT
CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node") or "/usr/bin/node"
EXPOSED_NOW = ["X-Request-Id", "Retry-After", "WWW-Authenticate"]
EXPOSED_LATER = ["Idempotent-Replayed", "Location", "RateLimit-Limit", "RateLimit-Remaining",
                 "RateLimit-Reset", "RateLimit-Policy"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def static_server(port):
    handler = functools.partial(QuietHandler, directory=os.path.join(ROOT, "deploy", "examples"))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class BrowserTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ops_browser"
    STACK_PORT = 18149
    STACK_ENV = {"DNSAPI_CORS_ORIGINS": ALLOWED_ORIGIN}
    result = None

    @classmethod
    def setUpClass(cls):
        for path in (CHROMIUM, NODE):
            if not os.access(path, os.X_OK):
                raise AssertionError("%s is missing: tests/run.sh installs it" % path)
        if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
            raise AssertionError("playwright-core is not installed: npm ci --prefix tests/browser "
                                 "(tests/run.sh does it)")
        super().setUpClass()
        cls.servers = [static_server(ALLOWED_PORT), static_server(DENIED_PORT)]
        profile = tempfile.mkdtemp(prefix="dnsapi-chromium-")
        try:
            env = dict(os.environ, ALLOWED_URL=ALLOWED_ORIGIN + "/dashboard.html",
                       DENIED_URL="http://127.0.0.1:%d/dashboard.html" % DENIED_PORT,
                       API="http://127.0.0.1:%d" % cls.stack.port, TOKEN=cls.token,
                       PROFILE=profile)
            p = subprocess.run([NODE, os.path.join(BROWSER_DIR, "dashboard.mjs")], env=env,
                               cwd=BROWSER_DIR, capture_output=True, text=True, timeout=240)
            try:
                cls.result = json.loads(p.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                raise AssertionError("dashboard.mjs printed no result (exit %d):\n%s\n%s"
                                     % (p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    @classmethod
    def tearDownClass(cls):
        for s in getattr(cls, "servers", []):
            s.shutdown()
            s.server_close()
        super().tearDownClass()

    def step(self, name):
        self.assertTrue(self.result.get("ok"), self.result.get("failure"))
        for s in self.result["steps"]:
            if s["name"] == name:
                return s
        self.fail("step %s did not run: %r" % (name, self.result))

    def test_lists_and_creates_a_zone(self):
        self.assertIn("no zones", self.step("list_empty")["zones"])
        s = self.step("zone_created")
        self.assertEqual(s["zones"], ["dash.example."])
        self.assertEqual(s["page_info"], "records 1–3 of 3")
        self.assertRegex(s["request_id"], r"^[0-9a-f]{8,}$", "X-Request-Id must be readable")

    def test_creates_records_and_pages_through_them(self):
        s = self.step("paged")
        self.assertEqual(s["pages"], ["records 1–5 of 12", "records 6–10 of 12",
                                      "records 11–12 of 12", "records 6–10 of 12"])
        self.assertEqual(len(s["last_rows"]), 2)
        self.assertTrue(s["next_disabled_at_end"])
        recs = self.list_records("dash.example")
        self.assertEqual(sorted(r["content"] for r in recs if r["type"] == "A"),
                         sorted("192.0.2.%d" % i for i in range(1, 10)))

    def test_shows_the_api_error_and_nothing_changes(self):
        s = self.step("api_error")
        self.assertTrue(s["error"].startswith("validation_failed: "), s["error"])
        self.assertEqual(s["page_info"], "records 6–10 of 12")
        self.assertEqual([r for r in self.list_records("dash.example") if r["name"].startswith("bad")],
                         [])

    def test_a_disallowed_origin_is_blocked(self):
        s = self.step("denied")
        self.assertIn("could not be reached", s["error"])
        self.assertEqual(s["zones"], "not loaded")
        # the blocked page made no zone (its script never got an answer)
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones"), "1")

    def test_script_reads_request_ids(self):
        s = self.step("headers")
        self.assertEqual(s["first_status"], 201)
        self.assertEqual(s["replay_status"], 201)
        self.assertTrue(s["first"]["X-Request-Id"])
        self.assertTrue(s["replay"]["X-Request-Id"])

    def test_script_reads_idempotent_replayed(self):
        s = self.step("headers")
        self.assertEqual(s["replay"]["Idempotent-Replayed"], "true")

    def expose_list(self):
        r = self.call("GET", "/v1/zones", "/v1/zones", headers={"Origin": ALLOWED_ORIGIN},
                      expect=200)
        return [v.strip().lower() for v in
                r.headers.get("Access-Control-Expose-Headers", "").split(",") if v.strip()]

    def test_exposes_the_headers_it_sends_now(self):
        exposed = self.expose_list()
        for name in EXPOSED_NOW:
            self.assertIn(name.lower(), exposed)

    def test_exposes_every_header_a_client_needs(self):
        exposed = self.expose_list()
        missing = [n for n in EXPOSED_NOW + EXPOSED_LATER if n.lower() not in exposed]
        self.assertEqual(missing, [])

    def test_no_console_errors_beyond_blocked_requests(self):
        errors = self.step("console")["errors"]
        unexpected = [e for e in errors if "422" not in e and "Unprocessable" not in e]
        self.assertEqual(unexpected, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
