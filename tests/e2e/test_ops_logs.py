"""End-to-end: one log format, JSON lines with ts and level, for serve,
zonegen and the CLI (common/log.h).

- serve's start and stop lines are JSON events with the settings an operator
  checks (listen, threads, tls, http2, max_connections, timeouts);
- `dnsapi zonegen --once` writes only JSON lines, cmd "zonegen";
- CLI diagnostics are JSON lines (test_ops_keys.py checks the token ones).

- the database pool attaches the notice receiver to each connection, so a
  server-side "FATAL: terminating connection" is a JSON line, not raw text;
- the request lifecycle's access line (log_access_write) carries level,
  route, client, error_code and token_id.
"""

import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def parse_lines(text):
    """(parsed, raw): the JSON objects of text, and the lines that are not.
    LeakSanitizer's report at exit (the sanitizer build of the tests: h2o's
    own per-thread leftovers) is not a log line and is left out."""
    parsed, raw = [], []
    in_report = False
    for line in text.splitlines():
        if line.startswith("=================") or "LeakSanitizer: detected" in line:
            in_report = True
        if in_report:
            in_report = not line.startswith("SUMMARY: AddressSanitizer")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raw.append(line)
            continue
        (parsed if isinstance(obj, dict) else raw).append(obj if isinstance(obj, dict) else line)
    return parsed, raw


class LogTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ops_logs"
    STACK_PORT = 18147

    def server_log(self, offset=0):
        with open(self.stack.log_path, "rb") as f:
            return f.read()[offset:].decode("utf-8", "replace")

    def setUp(self):
        # a server of its own for each test, so that one test's lines do not
        # stand in another's way; the offset marks where its lines begin
        self.stack.stop_server()
        self.offset = os.path.getsize(self.stack.log_path)
        self.stack.start_server()
        deadline = time.monotonic() + 20
        while self.stack.request("GET", "/readyz", check=False).status != 200:
            self.assertLess(time.monotonic(), deadline, "not ready")
            time.sleep(0.1)

    def test_serve_start_and_stop_lines(self):
        self.call("GET", "/v1/zones", "/v1/zones", expect=200)
        self.stack.stop_server()
        try:
            parsed, raw = parse_lines(self.server_log(self.offset))
            self.assertEqual(raw, [], "every line of serve's output must be JSON")
            events = [p for p in parsed if p.get("msg") in ("listening", "stopping", "stopped")]
            self.assertEqual([e["msg"] for e in events], ["listening", "stopping", "stopped"])
            for e in events:
                self.assertRegex(e["ts"], TS)
                self.assertEqual(e["level"], "info")
                self.assertEqual(e["cmd"], "serve")
            start = events[0]
            self.assertEqual(start["listen"], "127.0.0.1:%d" % self.stack.port)
            self.assertEqual(start["threads"], 2)
            self.assertIs(start["tls"], False)
            self.assertEqual(start["http2"], "tls")
            self.assertIsInstance(start["max_connections"], int)
            self.assertEqual(start["header_timeout_ms"], 10000)
            self.assertEqual(start["idle_timeout_ms"], 60000)
            self.assertEqual(events[1]["signal"], 15)
        finally:
            self.stack.start_server()

    def test_zonegen_writes_json_lines(self):
        self.create_zone("logged.example")
        env = self.stack.base_env()
        env["DNSAPI_LOG_LEVEL"] = "debug"  # per-zone lines are debug
        p = subprocess.run([self.stack.binary, "zonegen", "--once"], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        parsed, raw = parse_lines(p.stderr)
        self.assertEqual(raw, [], "zonegen must write JSON lines only")
        self.assertTrue(parsed)
        for line in parsed:
            self.assertEqual(line["cmd"], "zonegen")
            self.assertRegex(line["ts"], TS)
            self.assertIn(line["level"], ("error", "warn", "info", "debug"))
        self.assertTrue(any("logged.example." in l["msg"] for l in parsed), p.stderr)

    def test_config_errors_are_json_lines(self):
        env = self.stack.base_env()
        env["DNSAPI_LOG_LEVEL"] = "loud"
        p = subprocess.run([self.stack.binary, "serve"], env=env, capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 1)
        parsed, raw = parse_lines(p.stderr)
        self.assertEqual(raw, [])
        self.assertEqual(parsed[-1]["level"], "error")
        self.assertIn("DNSAPI_LOG_LEVEL", parsed[-1]["msg"])

    def test_database_notices_of_the_pool_are_json_lines(self):
        self.call("GET", "/v1/zones", "/v1/zones", expect=200)
        self.stack.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            r = self.stack.request("GET", "/v1/zones", token=self.token, check=False)
            if r.status == 200:
                break
            time.sleep(0.2)
        parsed, raw = parse_lines(self.server_log(self.offset))
        self.assertEqual(raw, [], "libpq's text reached serve's output raw")
        self.assertTrue(any(p.get("sqlstate") == "57P01" for p in parsed))

    def test_access_lines_carry_route_client_and_error_code(self):
        self.call("GET", "/v1/zones/nope.example", "/v1/zones/{zone}")
        parsed, _ = parse_lines(self.server_log(self.offset))
        lines = [p for p in parsed if p.get("msg") == "request" and p.get("status") == 404]
        self.assertTrue(lines)
        line = lines[-1]
        self.assertEqual(line["level"], "info")
        self.assertEqual(line["route"], "/v1/zones/{zone}")
        self.assertEqual(line["error_code"], "not_found")
        self.assertEqual(line["client"], "127.0.0.1")
        self.assertIsInstance(line["token_id"], str)
        self.assertIsInstance(line["duration_ms"], (int, float))


if __name__ == "__main__":
    unittest.main(verbosity=2)
