"""End-to-end test harness for dnsapi.

Starts a real `dnsapi serve` against a fresh PostgreSQL database, talks to it
over HTTP on 127.0.0.1, and checks responses against openapi.yaml.

Environment (set by ctest, see tests/CMakeLists.txt):
  DNSAPI_BINARY               path of the built `dnsapi` binary
  DNSAPI_SOURCE_DIR           project root (where openapi.yaml lives)
  DNSAPI_TEST_DATABASE_URL    libpq key=value conninfo of a superuser maintenance
                              database; tests skip when it is unset

Python 3.11 standard library only, plus python3-yaml for reading openapi.yaml.
"""

import http.client
import json
import os
import re
import secrets
import select
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

__all__ = [
    "Stack", "Response", "TcpProxy", "ContractError", "check_contract", "load_spec",
    "checked_operations", "spec_operations", "conninfo_parse", "conninfo_format",
    "require_env", "DEFAULT_SCOPES", "tport", "loopback", "PORT_OFFSET", "ApiTestCase", "ZoneHelpers", "q", "query",
    "canonical_key", "checkzone_all", "record_sort_key", "validate",
]

DEFAULT_SCOPES = "zones:read zones:write records:read records:write tokens:write"
# Every fixed port a test uses goes through tport(): DNSAPI_TEST_PORT_OFFSET
# shifts them all, so that two checkouts can run their suites side by side.
PORT_OFFSET = int(os.environ.get("DNSAPI_TEST_PORT_OFFSET", "0"))


# Tests whose name servers need port 53 (dnsfleet: delegations and glue carry
# no port) each take a block of loopback addresses through loopback():
# DNSAPI_TEST_LOOPBACK_BASE (a last octet, e.g. 140) moves every such block
# to start there, so that a checkout can keep to the addresses it was given;
# ctest runs those tests one at a time (RESOURCE_LOCK loopback_fleet).
LOOPBACK_BASE = os.environ.get("DNSAPI_TEST_LOOPBACK_BASE")


def loopback(first, i):
    """Address i of a test's block of loopback addresses that starts at
    127.0.0.<first> (or at DNSAPI_TEST_LOOPBACK_BASE)."""
    octet = (int(LOOPBACK_BASE) if LOOPBACK_BASE else int(first)) + int(i)
    if not (2 <= octet <= 254):
        raise ValueError("loopback address 127.0.0.%d out of range" % octet)
    return "127.0.0.%d" % octet


def tport(port):
    """A test's fixed port, shifted by DNSAPI_TEST_PORT_OFFSET."""
    port = int(port) + PORT_OFFSET
    if not (1024 < port < 32768):
        raise ValueError("test port %d out of range: keep it below 32768" % port)
    return port

HEALTH_WAIT_SECONDS = 20.0
CLI_TIMEOUT_SECONDS = 60.0
HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
# libpq key=value conninfo

def conninfo_parse(text):
    """Parses a libpq key=value conninfo string into an ordered dict.

    Values may be single-quoted with backslash escapes, as libpq allows.
    """
    out = {}
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        eq = text.find("=", i)
        if eq < 0:
            raise ValueError("conninfo: missing '=' in %r" % text)
        key = text[i:eq].strip()
        i = eq + 1
        while i < n and text[i].isspace():
            i += 1
        val = []
        if i < n and text[i] == "'":
            i += 1
            while i < n and text[i] != "'":
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                val.append(text[i])
                i += 1
            if i >= n:
                raise ValueError("conninfo: unterminated quote in %r" % text)
            i += 1
        else:
            while i < n and not text[i].isspace():
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                val.append(text[i])
                i += 1
        out[key] = "".join(val)
    return out


def conninfo_format(params):
    """Formats a dict as a libpq key=value conninfo string."""
    parts = []
    for key, val in params.items():
        val = str(val)
        if val == "" or re.search(r"[\s'\\]", val):
            val = "'" + val.replace("\\", "\\\\").replace("'", "\\'") + "'"
        parts.append("%s=%s" % (key, val))
    return " ".join(parts)


def require_env():
    """Raises unittest.SkipTest unless the test database and binary are known.

    Returns (binary, maintenance_conninfo).
    """
    url = os.environ.get("DNSAPI_TEST_DATABASE_URL")
    if not url:
        raise unittest.SkipTest("DNSAPI_TEST_DATABASE_URL is not set")
    binary = os.environ.get("DNSAPI_BINARY")
    if not binary:
        src = os.environ.get("DNSAPI_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
        for cand in ("build/dnsapi", "build-e2e/dnsapi"):
            if os.access(os.path.join(src, cand), os.X_OK):
                binary = os.path.join(src, cand)
                break
    if not binary or not os.access(binary, os.X_OK):
        raise unittest.SkipTest("DNSAPI_BINARY is not set or not executable: %r" % binary)
    return binary, url


# ---------------------------------------------------------------------------
# HTTP responses

class Headers:
    """Case-insensitive, read-only view of response headers.

    Repeated headers are joined with ", " (as HTTP allows for list headers);
    get_all() returns them separately.
    """

    def __init__(self, pairs):
        self._pairs = list(pairs)
        self._map = {}
        for k, v in self._pairs:
            lk = k.lower()
            self._map[lk] = v if lk not in self._map else self._map[lk] + ", " + v

    def __getitem__(self, key):
        return self._map[key.lower()]

    def __contains__(self, key):
        return key.lower() in self._map

    def get(self, key, default=None):
        return self._map.get(key.lower(), default)

    def get_all(self, key):
        return [v for k, v in self._pairs if k.lower() == key.lower()]

    def keys(self):
        return list(self._map.keys())

    def items(self):
        return list(self._map.items())

    def __repr__(self):
        return "Headers(%r)" % (self._pairs,)


class Response:
    """One HTTP answer: status, headers (case-insensitive), body bytes, json."""

    def __init__(self, method, path, status, reason, headers, body):
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.json = None
        ctype = headers.get("Content-Type", "")
        if body and ("json" in ctype.lower() or body[:1] in (b"{", b"[")):
            try:
                self.json = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                self.json = None

    @property
    def data(self):
        """json["data"] when the body is a success envelope, else None."""
        if isinstance(self.json, dict):
            return self.json.get("data")
        return None

    @property
    def error(self):
        """json["error"] when the body is an error envelope, else None."""
        if isinstance(self.json, dict):
            return self.json.get("error")
        return None

    @property
    def error_code(self):
        err = self.error
        return err.get("code") if isinstance(err, dict) else None

    def detail_codes(self):
        err = self.error
        if not isinstance(err, dict) or not isinstance(err.get("details"), list):
            return []
        return [d.get("code") for d in err["details"] if isinstance(d, dict)]

    def detail_fields(self):
        err = self.error
        if not isinstance(err, dict) or not isinstance(err.get("details"), list):
            return []
        return [d.get("field") for d in err["details"] if isinstance(d, dict)]

    def __repr__(self):
        body = self.body[:600].decode("utf-8", "replace")
        return "<%s %s -> %d %s>" % (self.method, self.path, self.status, body)


class ServerError(AssertionError):
    """The server answered with an unexpected 5xx status."""


_UNSET = object()


# ---------------------------------------------------------------------------
# The stack: database + migrate + account + server

class Stack:
    """A dnsapi server on a fresh database, for one test file.

    Usable as a context manager or through start()/stop().

      name      short id used in the database name t_e2e_<name>_<pid>
      port      fixed API port (each test file uses its own, 18100..18199),
                shifted by tport()
      env       extra environment for every dnsapi process (overrides defaults)
      db_override  conninfo keys (e.g. {"port": "18190"}) applied to the
                database URL that `dnsapi serve` gets, e.g. to route it
                through a TcpProxy; CLI commands always connect directly
    """

    def __init__(self, name, port, env=None, db_override=None):
        self.binary, self.maint_url = require_env()
        if not re.fullmatch(r"[a-z0-9_]{1,20}", name):
            raise ValueError("Stack name must be [a-z0-9_]{1,20}: %r" % name)
        port = tport(port)
        self.name = name
        self.port = port
        self.extra_env = dict(env or {})
        self.db_override = dict(db_override or {})
        self.dbname = "t_e2e_%s_%d" % (name, os.getpid())
        maint = conninfo_parse(self.maint_url)
        self.maint_params = maint
        db = dict(maint)
        db["dbname"] = self.dbname
        self.db_params = db
        self.db_url = conninfo_format(db)
        self.jwt_secret = secrets.token_hex(32)
        self.proc = None
        self.tmpdir = None
        self.log_path = None
        self._log_file = None
        self._db_created = False
        self.accounts = []

    # -- environment -------------------------------------------------------

    def base_env(self, server=False, zonegen=False):
        """The environment of a dnsapi command: the CLI's (the owner's
        connection), serve's (server=True: the serving role) or zonegen's
        (zonegen=True: the zonegen role, once the roles are granted)."""
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("DNSAPI_") and k not in ("DNSAPI_BINARY", "DNSAPI_SOURCE_DIR",
                                                     "DNSAPI_TEST_DATABASE_URL"):
                del env[k]
        db = dict(self.db_params)
        if server:
            db.update(self.db_override)
        if zonegen and self.db_override:
            db["user"] = self.ZONEGEN_ROLE
        env.update({
            "DNSAPI_DATABASE_URL": conninfo_format(db),
            "DNSAPI_LISTEN": "127.0.0.1:%d" % self.port,
            "DNSAPI_JWT_SECRET": self.jwt_secret,
            "DNSAPI_NAMESERVERS": "ns1.dnsapi.test,ns2.dnsapi.test",
            "DNSAPI_THREADS": "2",
            # the suite runs two tests at a time on the sanitizer build: a
            # big write may take longer than the 10 s a production round
            # gets (tests of the timeout set their own)
            "DNSAPI_DB_TIMEOUT": "60s",
        })
        if self.tmpdir:
            env["DNSAPI_ZONE_DIR"] = os.path.join(self.tmpdir, "zones")
        env.update({k: str(v) for k, v in self.extra_env.items()})
        return env

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        try:
            self._start()
        except BaseException:
            self.print_log_tail()
            self.stop(keep_log=True)
            raise
        return self

    def _start(self):
        self.tmpdir = tempfile.mkdtemp(prefix="dnsapi-e2e-%s-" % self.name)
        self._assert_port_free()
        self.psql_maint("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.dbname)
        self.psql_maint("CREATE DATABASE %s" % self.dbname)
        self._db_created = True
        self.cli("migrate")
        self.grant_serving_roles()
        self.account("acme")
        self.start_server()

    # `dnsapi serve` connects as a serving role granted by `dnsapi db grant`,
    # as deploy/README.md sets it up; migrations and the CLI keep the owner's
    # (the superuser's) connection. Roles are cluster-wide: every stack
    # shares these two.
    SERVE_ROLE = "dnsapi_test_serve"
    ZONEGEN_ROLE = "dnsapi_test_zonegen"

    def grant_serving_roles(self):
        for role in (self.SERVE_ROLE, self.ZONEGEN_ROLE):
            self.psql_maint("DO $$BEGIN CREATE ROLE %s LOGIN; EXCEPTION WHEN duplicate_object "
                            "OR unique_violation THEN NULL; END$$" % role)
        self.cli("db", "grant", "--serve", self.SERVE_ROLE, "--zonegen", self.ZONEGEN_ROLE)
        self.db_override.setdefault("user", self.SERVE_ROLE)

    def start_server(self):
        """Starts `dnsapi serve` and waits until /healthz answers 200."""
        self.log_path = os.path.join(self.tmpdir, "server.log")
        self._log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.base_env(server=True),
                                     stdin=subprocess.DEVNULL, stdout=self._log_file,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + HEALTH_WAIT_SECONDS
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dnsapi serve exited with status %s before answering /healthz"
                                   % self.proc.returncode)
            try:
                r = self.request("GET", "/healthz", timeout=2, check=False)
                if r.status == 200:
                    return
                last = r
            except (OSError, http.client.HTTPException) as e:
                last = e
            time.sleep(0.1)
        raise RuntimeError("dnsapi serve did not answer GET /healthz with 200 within %.0f s (last: %r)"
                           % (HEALTH_WAIT_SECONDS, last))

    def stop_server(self):
        """SIGTERM the server, wait (bounded), then SIGKILL. Returns its exit status."""
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            rc = self.proc.returncode
            self.proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return rc

    def own_leaks(self):
        """LeakSanitizer reports in the server log whose allocation stack runs
        through dnsapi's own code. h2o's per-loop context is left to the OS
        at exit on purpose; anything allocated under our functions is a
        leak that would grow in a long-running server."""
        if not self.log_path or not os.path.exists(self.log_path):
            return []
        with open(self.log_path, "r", errors="replace") as f:
            text = f.read()
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        found = []
        for block in re.split(r"\n(?=(?:Direct|Indirect) leak of )", text):
            if not re.match(r"(?:Direct|Indirect) leak of ", block):
                continue
            frames = block.split("\n\n")[0]
            if root + "/" in frames:
                found.append(frames.strip())
        return found

    def stop(self, keep_log=False):
        """Stops the server, drops the database and removes the temporary
        directory (kept, with its server.log, when keep_log is true)."""
        self.exit_status = self.stop_server()
        self.leaks = self.own_leaks()
        keep_log = keep_log or bool(self.leaks)
        if self.tmpdir and not keep_log and not os.environ.get("DNSAPI_E2E_KEEP"):
            import shutil
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        elif self.tmpdir:
            sys.stderr.write("harness: server log kept in %s\n" % self.log_path)
        if self._db_created:
            try:
                self.psql_maint("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.dbname)
            except Exception as e:  # keep tearing down
                sys.stderr.write("harness: could not drop %s: %s\n" % (self.dbname, e))
            self._db_created = False

    def _assert_port_free(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(1)
        try:
            if s.connect_ex(("127.0.0.1", self.port)) == 0:
                raise RuntimeError("port %d is already in use: another server would answer our tests"
                                   % self.port)
        finally:
            s.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=60):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            data = f.read()[-20000:]
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])

    def print_log_tail(self, lines=60):
        tail = self.log_tail(lines)
        if tail:
            sys.stderr.write("---- dnsapi serve log (%s), last %d lines ----\n%s\n----\n"
                             % (self.log_path, lines, tail))

    # -- commands ----------------------------------------------------------

    def cli(self, *args, input=None):
        """Runs the dnsapi binary with the stack's environment; returns stdout.

        Raises RuntimeError (with stderr) on a non-zero exit.
        """
        p = subprocess.run([self.binary] + [str(a) for a in args], env=self.base_env(),
                           input=input, capture_output=True, text=True, timeout=CLI_TIMEOUT_SECONDS)
        if p.returncode != 0:
            raise RuntimeError("dnsapi %s exited %d\nstdout: %s\nstderr: %s"
                               % (" ".join(shlex.quote(str(a)) for a in args), p.returncode,
                                  p.stdout[-2000:], p.stderr[-2000:]))
        return p.stdout

    def account(self, name):
        """`dnsapi account create NAME`; returns stdout."""
        out = self.cli("account", "create", name)
        self.accounts.append(name)
        return out

    def token(self, scopes=DEFAULT_SCOPES, account="acme", zones=(), expires_in=None):
        """Mints a bearer token with the CLI and returns it."""
        args = ["token", "create", "--account", account, "--scope", scopes]
        for z in zones:
            args += ["--zone", z]
        if expires_in is not None:
            args += ["--expires-in", str(expires_in)]
        out = self.cli(*args).strip()
        lines = [l.strip() for l in out.splitlines() if l.strip()]
        if not lines:
            raise RuntimeError("dnsapi token create printed nothing")
        return lines[-1]

    def psql(self, conninfo, query):
        p = subprocess.run(["/usr/bin/psql", conninfo, "-X", "-At", "-v", "ON_ERROR_STOP=1",
                            "-c", query], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("psql failed (%s): %s" % (query, p.stderr.strip()))
        return p.stdout.strip()

    def psql_maint(self, query):
        return self.psql(self.maint_url, query)

    def sql(self, query):
        """Runs SQL on the test database with psql -At; returns stdout stripped."""
        return self.psql(self.db_url, query)

    # -- HTTP --------------------------------------------------------------

    def created(self, path, body, token):
        """POSTs body to path for a test's setup; asserts 201 and returns the Response."""
        r = self.request("POST", path, token=token, body=body)
        if r.status != 201:
            raise AssertionError("setup: POST %s answered %r" % (path, r))
        return r

    def request(self, method, path, token=None, body=None, headers=None, raw=None,
                chunked=False, timeout=30, check=True, allow_503=False, source=None):
        """Sends one HTTP request to the server and returns a Response.

        body: any JSON value but None, sent as JSON with Content-Type
              application/json (unless headers name another Content-Type);
              raw: bytes sent as is (no Content-Type added; use raw=b"null"
              for a JSON null). chunked: send the body with
              Transfer-Encoding: chunked.
        check: raise ServerError on any 5xx except 503 (allowed only when
               allow_503), and print the server log tail.
        source: the client's address (a loopback address) instead of the
               kernel's choice, e.g. for limits per client address.
        """
        hdrs = {}
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        if raw is not None:
            payload = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        for k, v in (headers or {}).items():
            for existing in list(hdrs):
                if existing.lower() == k.lower():
                    del hdrs[existing]
            if v is not None:
                hdrs[k] = v
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        try:
            if chunked and payload is not None:
                def gen(data=payload):
                    for i in range(0, len(data), 1024):
                        yield data[i:i + 1024]
                hdrs["Transfer-Encoding"] = "chunked"
                try:
                    conn.request(method, path, body=gen(), headers=hdrs, encode_chunked=True)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            else:
                if payload is None and method in ("POST", "PUT", "PATCH"):
                    hdrs.setdefault("Content-Length", "0")
                try:
                    conn.request(method, path, body=payload, headers=hdrs)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the server may answer (413) and close before reading it all
            resp = conn.getresponse()
            data = resp.read()
            r = Response(method, path, resp.status, resp.reason, Headers(resp.getheaders()), data)
        finally:
            conn.close()
        if check and r.status >= 500 and not (r.status == 503 and allow_503):
            self.print_log_tail()
            raise ServerError("server answered %d: %r" % (r.status, r))
        return r


# ---------------------------------------------------------------------------
# A cuttable TCP proxy (for database-loss tests)

class TcpProxy:
    """Forwards 127.0.0.1:listen_port to target_host:target_port in a thread.

    cut() closes every open connection and stops listening, so new
    connections are refused; restore() listens again.
    """

    def __init__(self, listen_port, target_host, target_port):
        self.listen_port = listen_port
        self.target = (target_host, int(target_port))
        self._lock = threading.Lock()
        self._conns = set()
        self._listener = None
        self._thread = None
        self._stop = threading.Event()

    def start(self):
        self._listen()
        return self

    def _listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.listen_port))
        s.listen(64)
        s.settimeout(0.2)
        self._listener = s
        self._stop.clear()
        self._thread = threading.Thread(target=self._accept_loop, args=(s,), daemon=True)
        self._thread.start()

    def _accept_loop(self, listener):
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._stop.is_set():
                    client.close()
                    upstream.close()
                    break
                self._conns.add(client)
                self._conns.add(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a, b):
        socks = [a, b]
        try:
            for s in socks:
                s.settimeout(None)
            while True:
                ready, _, _ = select.select(socks, [], [], 0.5)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                for s in socks:
                    self._conns.discard(s)
            for s in socks:
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self):
        """Closes all connections and stops listening (new connections are refused)."""
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            conns = list(self._conns)
            self._conns.clear()
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass

    def restore(self):
        """Listens again after cut()."""
        if self._listener is None:
            self._listen()

    def stop(self):
        self.cut()


# ---------------------------------------------------------------------------
# openapi.yaml checks

class ContractError(AssertionError):
    """A response does not match openapi.yaml."""


_CHECKED = set()
_SPEC_CACHE = {}


def load_spec(path=None):
    """Loads openapi.yaml (from DNSAPI_SOURCE_DIR, else the repository root)."""
    if path is None:
        src = os.environ.get("DNSAPI_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
        path = os.path.join(src, "openapi.yaml")
    if path not in _SPEC_CACHE:
        import yaml  # python3-yaml
        with open(path, "r", encoding="utf-8") as f:
            _SPEC_CACHE[path] = yaml.safe_load(f)
    return _SPEC_CACHE[path]


def checked_operations():
    """The set of (METHOD, path_template, status) checked so far in this process."""
    return set(_CHECKED)


def spec_operations(spec):
    """Every (METHOD, path_template) the spec documents."""
    out = set()
    for template, item in (spec.get("paths") or {}).items():
        for method in ("get", "put", "post", "delete", "options", "head", "patch"):
            if method in item:
                out.add((method.upper(), template))
    return out


def _resolve(spec, node):
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ContractError("only local $ref supported: %s" % ref)
        target = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target[part]
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = dict(target, **extra) if extra else target
        seen += 1
        if seen > 50:
            raise ContractError("$ref loop at %s" % ref)
    return node


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _type_ok(value, t):
    if t == "null":
        return value is None
    if t == "boolean":
        return isinstance(value, bool)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "string":
        return isinstance(value, str)
    if t == "array":
        return isinstance(value, list)
    if t == "object":
        return isinstance(value, dict)
    raise ContractError("unknown schema type %r" % t)


def validate(spec, schema, value, where="$"):
    """Validates value against a JSON Schema subset; returns a list of problems.

    Supported: $ref, type (string or list, so nullable is ["x","null"]),
    enum, const, properties, required, additionalProperties, items,
    minItems, maxItems, minimum, maximum, minLength, maxLength, pattern,
    format (date-time, uuid), oneOf, anyOf, allOf.
    """
    errs = []
    schema = _resolve(spec, schema)
    if schema is True or schema == {}:
        return errs
    if schema is False:
        return ["%s: no value allowed" % where]
    if "allOf" in schema:
        for sub in schema["allOf"]:
            errs += validate(spec, sub, value, where)
    if "anyOf" in schema:
        if not any(not validate(spec, sub, value, where) for sub in schema["anyOf"]):
            errs.append("%s: matches none of anyOf" % where)
    if "oneOf" in schema:
        n = sum(1 for sub in schema["oneOf"] if not validate(spec, sub, value, where))
        if n != 1:
            errs.append("%s: matches %d of oneOf (want exactly 1)" % (where, n))
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, t) for t in types):
            errs.append("%s: %r is not of type %s" % (where, _short(value), "/".join(types)))
            return errs
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s: %r not in %r" % (where, _short(value), schema["enum"]))
    if "const" in schema and value != schema["const"]:
        errs.append("%s: %r != const %r" % (where, _short(value), schema["const"]))
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errs.append("%s: shorter than %d" % (where, schema["minLength"]))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errs.append("%s: longer than %d" % (where, schema["maxLength"]))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append("%s: %r does not match /%s/" % (where, _short(value), schema["pattern"]))
        fmt = schema.get("format")
        if fmt == "date-time" and not _RFC3339.match(value):
            errs.append("%s: %r is not an RFC 3339 date-time" % (where, value))
        if fmt == "uuid" and not _UUID.match(value):
            errs.append("%s: %r is not a UUID" % (where, value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errs.append("%s: %r below minimum %r" % (where, value, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            errs.append("%s: %r above maximum %r" % (where, value, schema["maximum"]))
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errs.append("%s: fewer than %d items" % (where, schema["minItems"]))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errs.append("%s: more than %d items" % (where, schema["maxItems"]))
        if "items" in schema:
            for i, item in enumerate(value):
                errs += validate(spec, schema["items"], item, "%s[%d]" % (where, i))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errs.append("%s: missing required property %r" % (where, key))
        for key, sub in props.items():
            if key in value:
                errs += validate(spec, sub, value[key], "%s.%s" % (where, key))
        addl = schema.get("additionalProperties", True)
        for key in value:
            if key in props:
                continue
            if addl is False:
                errs.append("%s: unexpected property %r" % (where, key))
            elif isinstance(addl, dict):
                errs += validate(spec, addl, value[key], "%s.%s" % (where, key))
    return errs


def _short(v):
    s = repr(v)
    return s if len(s) < 120 else s[:117] + "..."


def _find_response(spec, operation, status):
    responses = operation.get("responses") or {}
    for key in (str(status), "%dXX" % (status // 100), "default"):
        if key in responses:
            return key, _resolve(spec, responses[key])
    return None, None


def check_contract(spec, method, path_template, response):
    """Checks one response against openapi.yaml and logs (METHOD, template, status).

    The operation must exist, the status must be documented for it (or a
    range/default), documented response headers must be present, the
    Content-Type must be the documented media type, and a JSON body must
    validate against the documented schema. Raises ContractError.
    """
    method = method.upper()
    paths = spec.get("paths") or {}
    if path_template not in paths:
        raise ContractError("openapi.yaml has no path %s" % path_template)
    item = _resolve(spec, paths[path_template])
    op = item.get(method.lower())
    if op is None:
        raise ContractError("openapi.yaml has no operation %s %s" % (method, path_template))
    key, resp_spec = _find_response(spec, op, response.status)
    if resp_spec is None:
        raise ContractError("%s %s: status %d is not documented (have %s); response %r"
                            % (method, path_template, response.status,
                               sorted((op.get("responses") or {}).keys()), response))
    problems = []
    for hname, hspec in (resp_spec.get("headers") or {}).items():
        hspec = _resolve(spec, hspec)
        if hspec.get("required") and hname not in response.headers:
            problems.append("missing response header %s" % hname)
    content = resp_spec.get("content") or {}
    if content:
        ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype not in {k.lower() for k in content}:
            problems.append("Content-Type %r is not one of %s" % (ctype, sorted(content)))
        media = None
        for k, v in content.items():
            if k.lower() == ctype:
                media = v
        if media is not None and "json" in ctype:
            if response.json is None:
                problems.append("body is not JSON: %r" % response.body[:200])
            elif "schema" in media:
                problems += validate(spec, media["schema"], response.json)
    elif response.body and response.status != 204 and method != "HEAD":
        pass  # an undocumented body is tolerated only when no content is documented
    if problems:
        raise ContractError("%s %s -> %d does not match openapi.yaml:\n  %s\nresponse: %r"
                            % (method, path_template, response.status, "\n  ".join(problems),
                               response))
    _CHECKED.add((method, path_template, response.status))
    log = os.environ.get("DNSAPI_E2E_CONTRACT_LOG")
    if log:  # lets a wrapper aggregate coverage over several test files
        with open(log, "a", encoding="utf-8") as f:
            f.write("%s %s %d\n" % (method, path_template, response.status))
    return response


# ---------------------------------------------------------------------------
# A base class for API tests

class ApiTestCase(unittest.TestCase):
    """unittest base: one Stack per class (STACK_NAME, STACK_PORT, STACK_ENV).

    self.call(method, path, template, ...) sends a request, asserts no
    unexpected 5xx and an X-Request-Id header, and checks the contract.
    """

    STACK_NAME = None
    STACK_PORT = None
    STACK_ENV = None
    SETUP_ZONES = ()  # zones the class token creates before the tests
    stack = None
    spec = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        require_env()
        cls.spec = load_spec()
        cls.stack = Stack(cls.STACK_NAME, cls.STACK_PORT, env=cls.STACK_ENV)
        cls.stack.start()
        try:
            cls.token = cls.stack.token()
            for name in cls.SETUP_ZONES:
                cls.stack.created("/v1/zones", {"name": name}, cls.token)
        except BaseException:
            cls.stack.stop()
            raise

    _failed = False

    def run(self, result=None):
        # Remember failures so that tearDownClass can show the server's log.
        before = (len(result.failures) + len(result.errors)) if result is not None else 0
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > before:
            type(self)._failed = True
        return out

    @classmethod
    def tearDownClass(cls):
        try:
            cls._stop_stack()
        finally:
            cls.stop_resources()

    @classmethod
    def stop_resources(cls):
        """What a class started beside its stack (a proxy, name servers):
        stopped after the stack, whatever happened."""

    @classmethod
    def _stop_stack(cls):
        if cls.stack is not None:
            alive = cls.stack.alive()
            if cls._failed or not alive:
                cls.stack.print_log_tail(40)
            cls.stack.stop(keep_log=cls._failed or not alive)
            leaks = cls.stack.leaks
            cls.stack = None
            if not alive:
                raise AssertionError("dnsapi serve died during the tests")
            if leaks:
                raise AssertionError("dnsapi serve leaked memory (LeakSanitizer):\n%s"
                                     % "\n".join(leaks[:5]))
        super().tearDownClass()

    def call(self, method, path, template, token=_UNSET, body=None, expect=None, **kw):
        """One request through the stack, checked against the contract.

        token defaults to the class token (pass None for no token); expect
        asserts the status.
        """
        tok = self.token if token is _UNSET else token
        r = self.stack.request(method, path, token=tok, body=body, **kw)
        self.assertIn("X-Request-Id", r.headers, "every response needs X-Request-Id: %r" % r)
        self.assertTrue(r.headers["X-Request-Id"].strip(), "empty X-Request-Id")
        if template is not None:
            check_contract(self.spec, method, template, r)
        elif r.status >= 400:
            problems = validate(self.spec, {"$ref": "#/components/schemas/Error"}, r.json)
            self.assertFalse(problems, "error envelope: %s: %r" % (problems, r))
        if expect is not None:
            self.assertEqual(r.status, expect, "%s %s: %r" % (method, path, r))
        return r

    def assertError(self, r, status, code, detail_code=None, field=None):
        """Asserts an error envelope with this status, code and (optionally) detail."""
        self.assertEqual(r.status, status, repr(r))
        self.assertIsInstance(r.json, dict, repr(r))
        self.assertEqual(r.json.get("status"), "error", repr(r))
        self.assertEqual(r.error_code, code, repr(r))
        self.assertTrue(isinstance(r.error.get("message"), str) and r.error["message"].strip(),
                        "error message must be a non-empty string: %r" % r)
        if detail_code is not None:
            self.assertIn(detail_code, r.detail_codes(), repr(r))
        if field is not None:
            self.assertIn(field, r.detail_fields(), repr(r))
        return r


# ---------------------------------------------------------------------------
# Helpers shared by the test files

def q(segment):
    """Percent-encodes one path segment or query value (nothing is safe)."""
    from urllib.parse import quote
    return quote(str(segment), safe="")


def query(**params):
    """Builds '?k=v&...' from keyword arguments (None values are left out)."""
    items = [(k, v) for k, v in params.items() if v is not None]
    if not items:
        return ""
    return "?" + "&".join("%s=%s" % (q(k), q(v)) for k, v in items)


def canonical_key(name):
    """Sort key of an absolute name in DNS canonical order (RFC 4034 6.1):
    labels from the root, as octets (\\X and \\DDD escapes read), ASCII
    letters lowercased."""
    labels, cur, i = [], bytearray(), 0
    while i < len(name):
        c = name[i]
        if c == "\\" and name[i + 1:i + 4].isdigit() and len(name[i + 1:i + 4]) == 3:
            cur.append(int(name[i + 1:i + 4]))
            i += 4
        elif c == "\\" and i + 1 < len(name):
            cur += name[i + 1].encode()
            i += 2
        elif c == ".":
            labels.append(bytes(cur))
            cur = bytearray()
            i += 1
        else:
            cur += c.encode()
            i += 1
    if cur:
        labels.append(bytes(cur))
    labels = [l for l in labels if l] if name != "." else []
    return tuple(bytes(b + 32 if 65 <= b <= 90 else b for b in l) for l in reversed(labels))


def checkzone_all(zone, text, timeout=300):
    """Loads master-file text for zone in nsd-checkzone, kzonecheck and
    named-checkzone (check-names warn, as zonegen configures BIND); returns
    the failures, one "tool: output" string each."""
    with tempfile.NamedTemporaryFile("w", suffix=".zone", delete=False, encoding="utf-8") as f:
        f.write(text)
        path = f.name
    failures = []
    try:
        for argv in (["nsd-checkzone", zone, path], ["kzonecheck", "-o", zone, path],
                     ["named-checkzone", "-k", "warn", "-i", "local", zone, path]):
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=timeout)
            if p.returncode != 0:
                failures.append("%s: %s" % (argv[0], p.stdout.strip()[-600:]))
    finally:
        os.unlink(path)
    return failures


def record_sort_key(rec):
    """The documented list order: name (DNS canonical order), type, content."""
    return (canonical_key(rec["name"]), rec["type"].encode(), rec["content"].encode())


class ZoneHelpers:
    """Mixin for ApiTestCase: zone/record shortcuts that check every answer."""

    def zone_path(self, zone):
        return "/v1/zones/" + q(zone)

    def create_zone(self, name, token=_UNSET):
        r = self.call("POST", "/v1/zones", "/v1/zones", token=token, body={"name": name}, expect=201)
        return r.data["zone"]

    def get_zone(self, zone, token=_UNSET):
        r = self.call("GET", self.zone_path(zone), "/v1/zones/{zone}", token=token, expect=200)
        return r.data["zone"]

    def create_record(self, zone, body, token=_UNSET, expect=201):
        return self.call("POST", self.zone_path(zone) + "/records", "/v1/zones/{zone}/records",
                         token=token, body=body, expect=expect)

    def list_page(self, zone, token=_UNSET, expect=200, **params):
        return self.call("GET", self.zone_path(zone) + "/records" + query(**params),
                         "/v1/zones/{zone}/records", token=token, expect=expect)

    def list_records(self, zone, token=_UNSET, limit=1000, **params):
        """Every record (all pages, by cursor), in the server's order."""
        out, cursor = [], None
        for _ in range(10000):
            r = self.list_page(zone, token=token, limit=limit, cursor=cursor, **params)
            out += r.data["records"]
            pg = r.data["pagination"]
            if not pg["has_more"]:
                return out
            self.assertIsNotNone(pg["next_cursor"], "has_more without next_cursor: %r" % r)
            cursor = pg["next_cursor"]
        self.fail("cursor walk did not end")

    def record_count_sql(self, zone_name):
        absname = zone_name if zone_name.endswith(".") else zone_name + "."
        return int(self.stack.sql(
            "SELECT count(*) FROM records r JOIN zones z ON z.id = r.zone_id WHERE z.name = '%s'"
            % absname.lower().replace("'", "''")))

    def snapshot(self, zone_name):
        """What a write could change: the zone's serial, its records, the row count."""
        recs = self.list_records(zone_name)
        return {
            "serial": self.get_zone(zone_name)["serial"],
            "records": sorted(json.dumps(r, sort_keys=True) for r in recs),
            "rows": self.record_count_sql(zone_name),
        }

    def assertUnchanged(self, zone_name, before, what=""):
        after = self.snapshot(zone_name)
        self.assertEqual(before["serial"], after["serial"], "serial changed %s" % what)
        self.assertEqual(before["rows"], after["rows"], "record rows changed %s" % what)
        self.assertEqual(before["records"], after["records"], "records changed %s" % what)
