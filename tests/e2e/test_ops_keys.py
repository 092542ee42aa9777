"""End-to-end: token key rotation without a flag day, and the operator's
token and account commands.

Rotation as docs/operations.md describes it: tokens minted under secret A
carry kid(A); the server restarted with DNSAPI_JWT_SECRET=B and
DNSAPI_JWT_PREVIOUS_SECRETS=A accepts them and mints kid(B) tokens; once A is
dropped, A's tokens are refused (401 invalid_token) and B's still work.
Tokens minted before key ids existed (no kid) verify under whichever key
signed them. A token naming an unknown kid, or a known kid with another
key's signature, is refused and changes nothing.

CLI: `dnsapi --version`, `account list`, `token list --account`, `token
revoke` (the API refuses a revoked token on its next request), each error
exit with a JSON log line on stderr.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def kid_of(secret):
    return hashlib.sha256(b"dnsapi jwt key id\n" + secret.encode()).hexdigest()[:16]


def header_of(token):
    return json.loads(b64url_decode(token.split(".")[0]))


def claims_of(token):
    return json.loads(b64url_decode(token.split(".")[1]))


def sign(header, claims, secret):
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    c = b64url(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(secret.encode(), ("%s.%s" % (h, c)).encode(), hashlib.sha256).digest()
    return "%s.%s.%s" % (h, c, b64url(mac))


def log_lines(text):
    """The JSON lines of text; fails on a line that is not one."""
    out = []
    for line in text.splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


def wait_ready(stack, limit=20.0):
    """Waits (bounded) until /readyz answers 200: the pool is connected."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if stack.request("GET", "/readyz", check=False).status == 200:
            return
        time.sleep(0.1)
    raise AssertionError("the server did not become ready in %.0f s" % limit)


class KeyRotationTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ops_keys"
    STACK_PORT = 18145

    def restart(self, **env):
        self.stack.stop_server()
        for k in ("DNSAPI_JWT_SECRET", "DNSAPI_JWT_PREVIOUS_SECRETS"):
            self.stack.extra_env.pop(k, None)
        self.stack.extra_env.update(env)
        self.stack.start_server()
        wait_ready(self.stack)

    def zones_status(self, token):
        return self.call("GET", "/v1/zones", "/v1/zones", token=token)

    def test_rotation_without_a_flag_day(self):
        a = self.stack.jwt_secret
        b = secrets.token_hex(32)
        tok_a = self.token
        self.assertEqual(header_of(tok_a).get("kid"), kid_of(a))
        self.assertEqual(header_of(tok_a).get("alg"), "HS256")
        # a token from before key ids: same claims, no kid, signed with A
        legacy = sign({"alg": "HS256", "typ": "JWT"}, claims_of(tok_a), a)
        self.assertEqual(self.zones_status(legacy).status, 200)

        # step 1: B signs, A still verifies
        self.restart(DNSAPI_JWT_SECRET=b, DNSAPI_JWT_PREVIOUS_SECRETS=a)
        self.assertEqual(self.zones_status(tok_a).status, 200, "A's token after the rotation")
        self.assertEqual(self.zones_status(legacy).status, 200, "a token without kid")
        tok_b = self.stack.token()
        self.assertEqual(header_of(tok_b).get("kid"), kid_of(b))
        self.assertEqual(self.zones_status(tok_b).status, 200)

        # forgeries: A's kid with B's signature; an unknown kid
        wrong = sign({"alg": "HS256", "typ": "JWT", "kid": kid_of(a)}, claims_of(tok_b), b)
        self.assertError(self.zones_status(wrong), 401, "invalid_token")
        unknown = sign({"alg": "HS256", "typ": "JWT", "kid": "00000000deadbeef"},
                       claims_of(tok_b), b)
        r = self.call("POST", "/v1/zones", "/v1/zones", token=unknown,
                      body={"name": "forged.example"})
        self.assertError(r, 401, "invalid_token")
        self.assertIn("no longer accepts", r.error["message"])
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones WHERE name = 'forged.example.'"),
                         "0")

        # step 2: A retired
        self.restart(DNSAPI_JWT_SECRET=b)
        self.assertError(self.zones_status(tok_a), 401, "invalid_token")
        self.assertError(self.zones_status(legacy), 401, "invalid_token")
        self.assertEqual(self.zones_status(tok_b).status, 200)

    def test_a_short_previous_secret_is_refused_at_start(self):
        env = self.stack.base_env()
        env["DNSAPI_JWT_PREVIOUS_SECRETS"] = "short"
        p = subprocess.run([self.stack.binary, "serve"], env=env, capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 1)
        lines = log_lines(p.stderr)
        self.assertTrue(any("DNSAPI_JWT_PREVIOUS_SECRETS" in l["msg"] and l["level"] == "error"
                            for l in lines), p.stderr)


class CliTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ops_cli"
    STACK_PORT = 18146

    def run_cli(self, *args):
        return subprocess.run([self.stack.binary] + list(args), env=self.stack.base_env(),
                              capture_output=True, text=True, timeout=60)

    def test_version_names_the_release_and_schema(self):
        p = self.run_cli("--version")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertRegex(lines[0], r"^dnsapi \d+\.\d+\.\d+$")
        newest = sorted(f for f in os.listdir(os.path.join(os.environ["DNSAPI_SOURCE_DIR"],
                                                           "migrations")) if f.endswith(".sql"))[-1]
        self.assertEqual(lines[1], "schema " + newest[:-4])
        self.assertIn("h2o 2.2.5", lines[2])

    def test_account_list(self):
        self.stack.account("beta")
        self.create_zone("listed.example")
        p = self.run_cli("account", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = [l.split("\t") for l in p.stdout.splitlines()]
        self.assertEqual(rows[0], ["id", "name", "created_at", "zones", "active_tokens"])
        by_name = {r[1]: r for r in rows[1:]}
        self.assertIn("acme", by_name)
        self.assertIn("beta", by_name)
        self.assertEqual(by_name["beta"][3], "0")
        self.assertGreaterEqual(int(by_name["acme"][3]), 1)
        self.assertGreaterEqual(int(by_name["acme"][4]), 1)
        self.assertRegex(by_name["acme"][2], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def token_rows(self, account="acme"):
        p = self.run_cli("token", "list", "--account", account)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = [l.split("\t") for l in p.stdout.splitlines()]
        self.assertEqual(rows[0], ["id", "name", "state", "scopes", "zones", "created_at",
                                   "expires_at", "revoked_at"])
        return {r[0]: r for r in rows[1:]}

    def test_token_list_and_revoke(self):
        tok = self.stack.token(scopes="zones:read", zones=["a.example"])
        tid = claims_of(tok)["jti"]
        rows = self.token_rows()
        self.assertEqual(rows[tid][2], "active")
        self.assertEqual(rows[tid][3], "zones:read")
        self.assertEqual(rows[tid][4], "a.example.")
        self.assertEqual(rows[tid][7], "-")
        self.assertNotIn(tok, self.run_cli("token", "list", "--account", "acme").stdout)
        self.assertEqual(self.call("GET", "/v1/zones", "/v1/zones", token=tok).status, 200)

        p = self.run_cli("token", "revoke", tid)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertError(self.call("GET", "/v1/zones", "/v1/zones", token=tok), 401,
                         "invalid_token")
        rows = self.token_rows()
        self.assertEqual(rows[tid][2], "revoked")
        self.assertRegex(rows[tid][7], r"^\d{4}-")
        revoked_at = rows[tid][7]

        # revoking again, an unknown id, a malformed id: errors, nothing changes
        for args, rc, words in ((["token", "revoke", tid], 1, "revoked already"),
                                (["token", "revoke", "00000000-0000-4000-8000-000000000000"], 3,
                                 "no token"),
                                (["token", "revoke", "nope"], 2, "not a token id"),
                                (["token", "list", "--account", "nobody"], 1, "no account")):
            with self.subTest(args=args):
                p = self.run_cli(*args)
                self.assertEqual(p.returncode, rc, p.stderr)
                lines = log_lines(p.stderr)
                self.assertEqual(lines[-1]["level"], "error")
                self.assertEqual(lines[-1]["cmd"], "token")
                self.assertRegex(lines[-1]["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
                self.assertIn(words, lines[-1]["msg"])
        self.assertEqual(self.token_rows()[tid][7], revoked_at)

    def test_usage_errors(self):
        for args in (["token"], ["token", "list"], ["account"], ["account", "drop", "x"]):
            with self.subTest(args=args):
                p = self.run_cli(*args)
                self.assertEqual(p.returncode, 2)
                self.assertIn("usage:", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
