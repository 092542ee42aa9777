"""End-to-end: connection hygiene (issue 14 item 4, issue 9 item 6).

- a request's headers, its body, and the wait between requests each have a
  limit (DNSAPI_HEADER_TIMEOUT, DNSAPI_BODY_TIMEOUT, DNSAPI_IDLE_TIMEOUT);
  a connection past its limit is closed, one that keeps making progress is
  not;
- DNSAPI_MAX_CONNECTIONS caps open connections: beyond it a client gets 503
  with Retry-After and the JSON error "unavailable", and nothing changes;
- HTTP/2 in cleartext is off unless DNSAPI_HTTP2=all; when on, a burst of
  requests opened and reset at once (rapid reset) gets its connection closed
  and leaves other clients served;
- 500 clients sending their headers one byte a second do not slow a normal
  client (its latency with and without them, bounded in time, with a
  generous bound), and the header timeout closes them.

Every wait is bounded; the bounds on closing are generous (several times the
configured limit), so a slow machine does not fail them.
"""

import json
import os
import resource
import selectors
import socket
import statistics
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

CLOSE_WAIT_MAX = 15.0  # seconds a test waits for the server to close a connection
# With limits of 2 s, h2o's own request timer (the backstop behind the
# separate limits) would close a connection only after 11 s: closing within
# CUT_WAIT proves the separate limit did it.
CUT_WAIT = 8.0


def raise_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


def wait_closed(sock, limit=CLOSE_WAIT_MAX):
    """Reads until the server closes sock; returns (seconds, bytes read).
    Raises AssertionError when it is still open after limit seconds."""
    start = time.monotonic()
    got = b""
    sock.settimeout(0.5)
    while time.monotonic() - start < limit:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return time.monotonic() - start, got
        if not data:
            return time.monotonic() - start, got
        got += data
    raise AssertionError("the server kept the connection open for %.0f s" % limit)


def read_response(sock, limit=10.0):
    """Reads one HTTP/1.1 response with a Content-Length; returns (status, headers, body)."""
    sock.settimeout(limit)
    buf = b""
    deadline = time.monotonic() + limit
    while b"\r\n\r\n" not in buf:
        if time.monotonic() > deadline:
            raise AssertionError("no response head: %r" % buf)
        data = sock.recv(65536)
        if not data:
            raise AssertionError("closed before a response: %r" % buf)
        buf += data
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        if time.monotonic() > deadline:
            raise AssertionError("short body")
        data = sock.recv(65536)
        if not data:
            break
        body += data
    return status, headers, body


class TimeoutTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ops_timeouts"
    STACK_PORT = 18140
    STACK_ENV = {"DNSAPI_HEADER_TIMEOUT": "2", "DNSAPI_BODY_TIMEOUT": "2",
                 "DNSAPI_IDLE_TIMEOUT": "2"}

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.stack.port), timeout=5)

    def test_slow_headers_are_cut_by_the_header_timeout(self):
        s = self.connect()
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            start = time.monotonic()
            # one header byte every 0.3 s: progress, but the headers never end
            s.settimeout(0.3)
            closed = False
            while time.monotonic() - start < CUT_WAIT and not closed:
                try:
                    s.sendall(b"a")
                    if s.recv(65536) == b"":
                        closed = True
                except socket.timeout:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
            self.assertTrue(closed, "a request whose headers trickle in forever was never cut")
            self.assertGreater(time.monotonic() - start, 1.0, "cut before the header timeout")
        finally:
            s.close()

    def test_unsent_body_is_cut_by_the_body_timeout_and_nothing_changes(self):
        body = json.dumps({"name": "slowbody.example"}).encode()
        s = self.connect()
        try:
            s.sendall(b"POST /v1/zones HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      + self.token.encode() + b"\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
            secs, got = wait_closed(s, CUT_WAIT)
            self.assertEqual(got, b"", "no answer to a request whose body never came")
        finally:
            s.close()
        r = self.call("GET", "/v1/zones/slowbody.example", "/v1/zones/{zone}")
        self.assertError(r, 404, "not_found")

    def test_idle_keep_alive_connection_is_closed(self):
        s = self.connect()
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, _ = read_response(s)
            self.assertEqual(status, 200)
            secs, got = wait_closed(s, CUT_WAIT)
            self.assertEqual(got, b"")
        finally:
            s.close()

    def test_a_busy_keep_alive_connection_stays_open(self):
        # six requests 0.8 s apart: longer than any limit in total, each gap
        # shorter than the idle limit
        s = self.connect()
        try:
            for i in range(6):
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                status, _, _ = read_response(s)
                self.assertEqual(status, 200, "request %d" % i)
                time.sleep(0.8)
        finally:
            s.close()

    def test_http2_cleartext_is_off_by_default(self):
        s = self.connect()
        try:
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
            s.settimeout(5)
            data = s.recv(65536)
            self.assertTrue(data.startswith(b"HTTP/1.1 400"),
                            "the HTTP/2 preface must not be taken on the plain port: %r" % data[:80])
        finally:
            s.close()
        s = self.connect()
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                      b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
            status, headers, _ = read_response(s)
            self.assertEqual(status, 200, "Upgrade: h2c must be ignored")
            self.assertNotIn("upgrade", headers)
        finally:
            s.close()


class CapTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ops_cap"
    STACK_PORT = 18141
    CAP = 12
    STACK_ENV = {"DNSAPI_MAX_CONNECTIONS": str(CAP), "DNSAPI_HEADER_TIMEOUT": "60",
                 "DNSAPI_IDLE_TIMEOUT": "60"}

    def fill(self):
        """Opens idle connections until the server refuses one; returns them."""
        held = []
        for _ in range(self.CAP + 5):
            s = socket.create_connection(("127.0.0.1", self.stack.port), timeout=5)
            held.append(s)
        time.sleep(0.5)  # let the server accept them all
        return held

    def test_beyond_the_cap_clients_get_503_and_nothing_changes(self):
        held = self.fill()
        try:
            r = self.stack.request("POST", "/v1/zones", token=self.token,
                                   body={"name": "capped.example"}, allow_503=True)
            self.assertError(r, 503, "unavailable")
            self.assertTrue(r.headers.get("Retry-After", "").isdigit(), repr(r.headers))
            self.assertIn("X-Request-Id", r.headers)
            r = self.stack.request("GET", "/healthz", allow_503=True)
            self.assertEqual(r.status, 503)
        finally:
            for s in held:
                s.close()
        # places come back when connections close
        deadline = time.monotonic() + 10
        while True:
            r = self.stack.request("GET", "/healthz", allow_503=True)
            if r.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(r.status, 200)
        r = self.call("GET", "/v1/zones/capped.example", "/v1/zones/{zone}")
        self.assertError(r, 404, "not_found")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones WHERE name = 'capped.example.'"), "0")


class SlowClientsTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ops_slowloris"
    STACK_PORT = 18143
    SLOW = 500
    STACK_ENV = {"DNSAPI_HEADER_TIMEOUT": "6", "DNSAPI_MAX_CONNECTIONS": "2000"}

    def latencies(self, n):
        out = []
        for _ in range(n):
            t = time.monotonic()
            r = self.stack.request("GET", "/v1/zones", token=self.token)
            out.append(time.monotonic() - t)
            self.assertEqual(r.status, 200, repr(r))
        return out

    def test_slow_header_senders_do_not_slow_a_normal_client(self):
        raise_fd_limit(self.SLOW + 200)
        self.latencies(5)  # warm up the pool
        before = self.latencies(30)
        socks = []
        sel = selectors.DefaultSelector()
        try:
            for _ in range(self.SLOW):
                s = socket.create_connection(("127.0.0.1", self.stack.port), timeout=5)
                s.setblocking(False)
                s.send(b"GET /v1/zones HTTP/1.1\r\nHost: x\r\n")
                socks.append(s)
                sel.register(s, selectors.EVENT_READ)
            # one byte a second from each, while the normal client measures
            during = []
            next_drip = time.monotonic()
            start = time.monotonic()
            while time.monotonic() - start < 4.0:
                if time.monotonic() >= next_drip:
                    for s in socks:
                        try:
                            s.send(b"x")
                        except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                            pass
                    next_drip += 1.0
                during += self.latencies(5)
            # then they are all cut by the header timeout
            open_ = set(socks)
            deadline = time.monotonic() + 6 + CLOSE_WAIT_MAX
            while open_ and time.monotonic() < deadline:
                for key, _ in sel.select(timeout=0.5):
                    try:
                        data = key.fileobj.recv(4096)
                    except (BlockingIOError, ConnectionResetError):
                        data = b""
                    if not data:
                        sel.unregister(key.fileobj)
                        open_.discard(key.fileobj)
            self.assertFalse(open_, "%d slow clients were never cut" % len(open_))
        finally:
            for s in socks:
                s.close()
            sel.close()
        med_before, med_during = statistics.median(before), statistics.median(during)
        sys.stderr.write("normal client: median %.1f ms alone, %.1f ms beside %d slow clients "
                         "(max %.1f ms)\n" % (med_before * 1e3, med_during * 1e3, self.SLOW,
                                              max(during) * 1e3))
        self.assertLess(med_during, 10 * med_before + 0.1,
                        "the normal client slowed from %.1f ms to %.1f ms"
                        % (med_before * 1e3, med_during * 1e3))
        self.assertLess(max(during), 2.0)


class Http2CleartextTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ops_h2c"
    STACK_PORT = 18142
    STACK_ENV = {"DNSAPI_HTTP2": "all"}

    def h2_connect(self):
        import h2.config
        import h2.connection
        s = socket.create_connection(("127.0.0.1", self.stack.port), timeout=10)
        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        conn.initiate_connection()
        s.sendall(conn.data_to_send())
        return s, conn

    def headers(self, path):
        return [(":method", "GET"), (":scheme", "http"), (":authority", "127.0.0.1"),
                (":path", path), ("authorization", "Bearer " + self.token)]

    def test_http2_prior_knowledge_works_when_enabled(self):
        import h2.events
        s, conn = self.h2_connect()
        try:
            conn.send_headers(1, self.headers("/v1/zones"), end_stream=True)
            s.sendall(conn.data_to_send())
            status, done = None, False
            deadline = time.monotonic() + 10
            while not done and time.monotonic() < deadline:
                data = s.recv(65536)
                if not data:
                    break
                for ev in conn.receive_data(data):
                    if isinstance(ev, h2.events.ResponseReceived):
                        status = dict(ev.headers).get(b":status")
                    if isinstance(ev, h2.events.StreamEnded):
                        done = True
                s.sendall(conn.data_to_send())
            self.assertEqual(status, b"200")
        finally:
            s.close()

    def test_rapid_reset_burst_closes_the_connection_and_others_are_served(self):
        import h2.errors
        s, conn = self.h2_connect()
        sent = 0
        closed = False
        try:
            for i in range(3000):
                sid = 1 + 2 * i
                conn.send_headers(sid, self.headers("/v1/zones"), end_stream=True)
                conn.reset_stream(sid, error_code=h2.errors.ErrorCodes.CANCEL)
                try:
                    s.sendall(conn.data_to_send())
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                sent += 1
            if not closed:
                s.settimeout(1.0)
                deadline = time.monotonic() + CLOSE_WAIT_MAX
                while time.monotonic() < deadline:
                    try:
                        data = s.recv(65536)
                    except socket.timeout:
                        continue
                    except ConnectionResetError:
                        closed = True
                        break
                    if not data:
                        closed = True
                        break
        finally:
            s.close()
        self.assertTrue(closed, "a connection that reset %d streams at once stayed open" % sent)
        # others are served at once
        r = self.call("GET", "/v1/zones", "/v1/zones", expect=200)
        self.assertTrue(self.stack.alive())
        with open(self.stack.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        self.assertIn("cancels requests faster than they finish", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
