"""End-to-end: authentication, scopes per endpoint, zone-limited tokens,
tenancy between accounts, and the tokens API (mint, list, revoke)."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, DEFAULT_SCOPES  # noqa: E402

ALL_SCOPES = DEFAULT_SCOPES.split()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_parts(token):
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), s


def jwt_sign(header, payload, key, digest=hashlib.sha256):
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(key, signing_input.encode(), digest).digest()
    return signing_input + "." + b64url(sig)


def change_one_char(text, index):
    c = text[index]
    return text[:index] + ("B" if c != "B" else "C") + text[index + 1:]


class AuthTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "auth"
    STACK_PORT = 18104
    SETUP_ZONES = ("example.com", "other.test")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st = cls.stack
        r = st.request("POST", "/v1/zones/example.com/records", token=cls.token,
                       body={"name": "www", "type": "A", "content": "192.0.2.1"})
        assert r.status == 201, r
        cls.www_id = r.data["record"]["id"]
        r = st.request("POST", "/v1/zones/other.test/records", token=cls.token,
                       body={"name": "www", "type": "A", "content": "192.0.2.2"})
        assert r.status == 201, r
        cls.other_www_id = r.data["record"]["id"]
        st.account("globex")
        cls.globex = st.token(account="globex")
        cls._tokens = {}

    def tok(self, scopes, zones=(), account="acme"):
        key = (scopes, tuple(zones), account)
        if key not in self._tokens:
            self._tokens[key] = self.stack.token(scopes=scopes, zones=zones, account=account)
        return self._tokens[key]

    # -- 401 ---------------------------------------------------------------------

    def assert401(self, r, code=None):
        self.assertEqual(r.status, 401, repr(r))
        self.assertIn(r.error_code, (code,) if code else ("unauthorized", "invalid_token"), repr(r))
        self.assertTrue(r.headers.get("WWW-Authenticate", "").startswith("Bearer"),
                        "401 needs WWW-Authenticate: Bearer: %r" % r.headers)

    def test_no_token(self):
        for method, path, tpl, body in (
                ("GET", "/v1/zones", "/v1/zones", None),
                ("POST", "/v1/zones", "/v1/zones", {"name": "noauth.test"}),
                ("GET", "/v1/zones/example.com/records", "/v1/zones/{zone}/records", None),
                ("POST", "/v1/zones/example.com/records", "/v1/zones/{zone}/records",
                 {"name": "x", "type": "A", "content": "192.0.2.1"}),
                ("GET", "/v1/tokens", "/v1/tokens", None)):
            with self.subTest(method=method, path=path):
                r = self.call(method, path, tpl, token=None, body=body)
                self.assert401(r, "unauthorized")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones WHERE name = 'noauth.test.'"), "0")

    def test_bad_tokens(self):
        good = self.token
        h, p, s = good.split(".")
        bad = {
            "garbage": "garbage",
            "signature char changed": h + "." + p + "." + change_one_char(s, len(s) // 2),
            "payload char changed": h + "." + change_one_char(p, len(p) // 2) + "." + s,
            "header char changed": change_one_char(h, 3) + "." + p + "." + s,
            "truncated": good[:-5],
            "two parts": h + "." + p,
            "other key": jwt_sign(jwt_parts(good)[0], jwt_parts(good)[1], b"k" * 64),
            "alg none": b64url(b'{"alg":"none","typ":"JWT"}') + "." + p + ".",
            "alg HS384 with the server key": jwt_sign(dict(jwt_parts(good)[0], alg="HS384"), jwt_parts(good)[1],
                                                      self.stack.jwt_secret.encode(), hashlib.sha384),
        }
        for what, t in bad.items():
            with self.subTest(what=what):
                r = self.call("GET", "/v1/zones", "/v1/zones", token=t)
                self.assert401(r, "invalid_token")
        for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer ", good):
            with self.subTest(header=header):
                r = self.call("GET", "/v1/zones", "/v1/zones", token=None, headers={"Authorization": header})
                self.assert401(r)
        self.call("GET", "/v1/zones", "/v1/zones", expect=200)

    def test_expiry_with_leeway(self):
        header, payload, _ = jwt_parts(self.token)
        key = self.stack.jwt_secret.encode()
        now = int(time.time())
        control = jwt_sign(header, payload, key)
        r = self.call("GET", "/v1/zones", "/v1/zones", token=control)
        if r.status != 200:
            self.skipTest("cannot re-sign tokens with DNSAPI_JWT_SECRET as raw bytes (%d)" % r.status)
        if "exp" not in payload:
            self.fail("token has no exp claim: %r" % payload)
        expired = jwt_sign(header, dict(payload, exp=now - 300), key)
        self.assert401(self.call("GET", "/v1/zones", "/v1/zones", token=expired), "invalid_token")
        within_leeway = jwt_sign(header, dict(payload, exp=now - 20), key)
        self.call("GET", "/v1/zones", "/v1/zones", token=within_leeway, expect=200)

    # -- scopes per endpoint ----------------------------------------------------------

    def scope_cases(self):
        """(label, needed scope, make() -> (method, path, template, body))"""
        def fresh_zone():
            name = "scopez%d.test" % time.monotonic_ns()
            self.create_zone(name)
            return name

        def fresh_record():
            r = self.create_record("example.com", {"name": "s%d" % time.monotonic_ns(), "type": "A",
                                                   "content": "192.0.2.3"})
            return r.data["record"]["id"]

        def fresh_token():
            r = self.call("POST", "/v1/tokens", "/v1/tokens", body={"name": "victim", "scopes": ["zones:read"]},
                          expect=201)
            return r.data["token"]["id"]

        return [
            ("list zones", "zones:read", lambda: ("GET", "/v1/zones", "/v1/zones", None)),
            ("create zone", "zones:write",
             lambda: ("POST", "/v1/zones", "/v1/zones", {"name": "new%d.test" % time.monotonic_ns()})),
            ("get zone", "zones:read", lambda: ("GET", "/v1/zones/example.com", "/v1/zones/{zone}", None)),
            ("delete zone", "zones:write", lambda: ("DELETE", "/v1/zones/" + fresh_zone(), "/v1/zones/{zone}", None)),
            ("export", "zones:read",
             lambda: ("GET", "/v1/zones/example.com/export", "/v1/zones/{zone}/export", None)),
            ("list records", "records:read",
             lambda: ("GET", "/v1/zones/example.com/records", "/v1/zones/{zone}/records", None)),
            ("get record", "records:read",
             lambda: ("GET", "/v1/zones/example.com/records/" + self.www_id, "/v1/zones/{zone}/records/{id}", None)),
            ("create record", "records:write",
             lambda: ("POST", "/v1/zones/example.com/records", "/v1/zones/{zone}/records",
                      {"name": "c%d" % time.monotonic_ns(), "type": "A", "content": "192.0.2.4"})),
            ("patch record", "records:write",
             lambda: ("PATCH", "/v1/zones/example.com/records/" + fresh_record(), "/v1/zones/{zone}/records/{id}",
                      {"ttl": 600})),
            ("delete record", "records:write",
             lambda: ("DELETE", "/v1/zones/example.com/records/" + fresh_record(), "/v1/zones/{zone}/records/{id}",
                      None)),
            ("list tokens", "tokens:write", lambda: ("GET", "/v1/tokens", "/v1/tokens", None)),
            ("create token", "tokens:write",
             lambda: ("POST", "/v1/tokens", "/v1/tokens", {"name": "t", "scopes": ["tokens:write"]})),
            ("revoke token", "tokens:write",
             lambda: ("DELETE", "/v1/tokens/" + fresh_token(), "/v1/tokens/{id}", None)),
        ]

    def db_state(self):
        return self.stack.sql(
            "SELECT (SELECT count(*) FROM zones) || ' ' || (SELECT count(*) FROM records) || ' ' || "
            "(SELECT coalesce(sum(serial), 0) FROM zones) || ' ' || (SELECT count(*) FROM tokens) || ' ' || "
            "(SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL) || ' ' || "
            "(SELECT coalesce(max(updated_at)::text, '') FROM records)")

    def test_scopes_per_endpoint(self):
        for label, needed, make in self.scope_cases():
            lacking = " ".join(s for s in ALL_SCOPES if s != needed)
            with self.subTest(endpoint=label, token="lacks " + needed):
                method, path, tpl, body = make()
                token = self.tok(lacking)
                before = self.db_state()
                r = self.call(method, path, tpl, token=token, body=body)
                self.assertError(r, 403, "insufficient_scope")
                self.assertIn(needed, r.error["message"], "the message names the missing scope")
                self.assertEqual(self.db_state(), before, "a refused request changes nothing")
            with self.subTest(endpoint=label, token="only " + needed):
                method, path, tpl, body = make()
                r = self.call(method, path, tpl, token=self.tok(needed), body=body)
                self.assertIn(r.status, (200, 201), repr(r))

    # -- zone-limited tokens ----------------------------------------------------------

    def test_zone_limited_token(self):
        for zones in (["example.com"], ["example.com."]):
            t = self.tok(DEFAULT_SCOPES, zones=zones)
            with self.subTest(zones=zones):
                r = self.call("GET", "/v1/zones", "/v1/zones", token=t, expect=200)
                self.assertEqual([z["name"] for z in r.data["zones"]], ["example.com."])
                self.assertEqual(r.data["pagination"]["total"], 1)
                self.call("GET", "/v1/zones/example.com/records", "/v1/zones/{zone}/records", token=t, expect=200)
                self.call("GET", "/v1/zones/example.com/records/" + self.www_id,
                          "/v1/zones/{zone}/records/{id}", token=t, expect=200)
                before = self.db_state()
                other = self.get_zone("other.test")
                for method, path, tpl, body in (
                        ("GET", "/v1/zones/other.test", "/v1/zones/{zone}", None),
                        ("GET", "/v1/zones/" + other["id"], "/v1/zones/{zone}", None),
                        ("DELETE", "/v1/zones/other.test", "/v1/zones/{zone}", None),
                        ("GET", "/v1/zones/other.test/export", "/v1/zones/{zone}/export", None),
                        ("GET", "/v1/zones/other.test/records", "/v1/zones/{zone}/records", None),
                        ("POST", "/v1/zones/other.test/records", "/v1/zones/{zone}/records",
                         {"name": "x", "type": "A", "content": "192.0.2.1"}),
                        ("GET", "/v1/zones/other.test/records/" + self.other_www_id,
                         "/v1/zones/{zone}/records/{id}", None),
                        ("PATCH", "/v1/zones/other.test/records/" + self.other_www_id,
                         "/v1/zones/{zone}/records/{id}", {"ttl": 120}),
                        ("DELETE", "/v1/zones/other.test/records/" + self.other_www_id,
                         "/v1/zones/{zone}/records/{id}", None),
                        ("GET", "/v1/zones/example.com/records/" + self.other_www_id,
                         "/v1/zones/{zone}/records/{id}", None)):
                    r = self.call(method, path, tpl, token=t, body=body)
                    self.assertError(r, 404, "not_found")
                # It cannot create zones outside its list either.
                r = self.call("POST", "/v1/zones", "/v1/zones", token=t, body={"name": "outside.test"})
                self.assertIn(r.status, (403, 404), repr(r))
                self.assertEqual(self.db_state(), before)

    # -- tenancy -----------------------------------------------------------------------

    def test_other_account_sees_404(self):
        g = self.globex
        r = self.call("GET", "/v1/zones", "/v1/zones", token=g, expect=200)
        self.assertNotIn("example.com.", [z["name"] for z in r.data["zones"]])
        self.assertNotIn("other.test.", [z["name"] for z in r.data["zones"]])
        ex = self.get_zone("example.com")
        before = self.db_state()
        for method, path, tpl, body in (
                ("GET", "/v1/zones/example.com", "/v1/zones/{zone}", None),
                ("GET", "/v1/zones/" + ex["id"], "/v1/zones/{zone}", None),
                ("DELETE", "/v1/zones/example.com", "/v1/zones/{zone}", None),
                ("DELETE", "/v1/zones/" + ex["id"], "/v1/zones/{zone}", None),
                ("GET", "/v1/zones/example.com/export", "/v1/zones/{zone}/export", None),
                ("GET", "/v1/zones/example.com/records", "/v1/zones/{zone}/records", None),
                ("POST", "/v1/zones/example.com/records", "/v1/zones/{zone}/records",
                 {"name": "evil", "type": "A", "content": "192.0.2.66"}),
                ("GET", "/v1/zones/example.com/records/" + self.www_id, "/v1/zones/{zone}/records/{id}", None),
                ("PATCH", "/v1/zones/example.com/records/" + self.www_id, "/v1/zones/{zone}/records/{id}",
                 {"content": "192.0.2.66"}),
                ("DELETE", "/v1/zones/example.com/records/" + self.www_id, "/v1/zones/{zone}/records/{id}", None)):
            with self.subTest(method=method, path=path):
                r = self.call(method, path, tpl, token=g, body=body)
                self.assertError(r, 404, "not_found")
        self.assertEqual(self.db_state(), before)
        # Through its own zone, another account's record id is still unknown.
        self.create_zone("globex.test", token=g)
        for method, body in (("GET", None), ("PATCH", {"ttl": 120}), ("DELETE", None)):
            r = self.call(method, "/v1/zones/globex.test/records/" + self.www_id, "/v1/zones/{zone}/records/{id}",
                          token=g, body=body)
            self.assertError(r, 404, "not_found")
        self.call("GET", "/v1/zones/example.com/records/" + self.www_id, "/v1/zones/{zone}/records/{id}",
                  expect=200)

    def test_zone_inside_or_above_another_accounts_zone(self):
        self.create_zone("deep.above.test")
        n = self.stack.sql("SELECT count(*) FROM zones")
        for name in ("example.com", "EXAMPLE.COM.", "sub.example.com", "a.b.example.com", "above.test",
                     "x.deep.above.test"):
            with self.subTest(name=name):
                r = self.call("POST", "/v1/zones", "/v1/zones", token=self.globex, body={"name": name})
                self.assertError(r, 409, "zone_exists")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones"), n)
        # Same account: a child zone is fine; a name that merely ends in the same text is not inside.
        self.create_zone("child.example.com")
        self.create_zone("xexample.com", token=self.globex)

    # -- tokens API ------------------------------------------------------------------------

    def test_tokens_mint_list_revoke(self):
        t0 = datetime.datetime.now(datetime.timezone.utc)
        r = self.call("POST", "/v1/tokens", "/v1/tokens",
                      body={"name": "ci", "scopes": ["records:read"], "zones": ["example.com"], "expires_in": 3600},
                      expect=201)
        self.assertEqual(r.data["message"], "Token created successfully")
        tk, secret = r.data["token"], r.data["secret"]
        self.assertEqual((tk["name"], tk["scopes"], tk["zones"]), ("ci", ["records:read"], ["example.com."]))
        exp = datetime.datetime.strptime(tk["expires_at"][:19], "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=datetime.timezone.utc)
        self.assertLess(abs((exp - t0).total_seconds() - 3600), 120, tk)
        self.assertIsNone(tk.get("revoked_at"))
        # The secret works, within its scope and zones.
        self.call("GET", "/v1/zones/example.com/records", "/v1/zones/{zone}/records", token=secret, expect=200)
        self.assertError(self.call("GET", "/v1/zones/other.test/records", "/v1/zones/{zone}/records",
                                   token=secret), 404, "not_found")
        self.assertError(self.call("GET", "/v1/zones", "/v1/zones", token=secret), 403, "insufficient_scope")
        # Listed, without the secret.
        lst = self.call("GET", "/v1/tokens?limit=1000", "/v1/tokens", expect=200)
        self.assertIn(tk["id"], [x["id"] for x in lst.data["tokens"]])
        self.assertNotIn(secret.encode(), lst.body, "a secret is shown only once")
        self.assertNotIn(secret.split(".")[-1].encode(), lst.body)
        mine = [x for x in lst.data["tokens"] if x["id"] == tk["id"]][0]
        self.assertEqual({k: mine[k] for k in ("name", "scopes", "zones")},
                         {k: tk[k] for k in ("name", "scopes", "zones")})
        # Another account neither sees nor revokes it.
        g = self.call("GET", "/v1/tokens?limit=1000", "/v1/tokens", token=self.globex, expect=200)
        self.assertNotIn(tk["id"], [x["id"] for x in g.data["tokens"]])
        self.assertError(self.call("DELETE", "/v1/tokens/" + tk["id"], "/v1/tokens/{id}", token=self.globex),
                         404, "not_found")
        self.call("GET", "/v1/zones/example.com/records", "/v1/zones/{zone}/records", token=secret, expect=200)
        page = self.call("GET", "/v1/zones/example.com/records?limit=1", "/v1/zones/{zone}/records",
                         token=secret, expect=200)
        cursor, rec_id = page.data["pagination"]["next_cursor"], page.data["records"][0]["id"]
        self.call("GET", "/v1/zones/example.com/records/" + rec_id, "/v1/zones/{zone}/records/{id}",
                  token=secret, expect=200)
        # Revoke: refused on the very next request.
        d = self.call("DELETE", "/v1/tokens/" + tk["id"], "/v1/tokens/{id}", expect=200)
        self.assertEqual(d.data["message"], "Token revoked successfully")
        r = self.call("GET", "/v1/zones/example.com/records", "/v1/zones/{zone}/records", token=secret)
        self.assert401(r, "invalid_token")
        for path, template in (("/v1/zones/example.com/records?name=www&type=A", "/v1/zones/{zone}/records"),
                               ("/v1/zones/example.com/records?content=192.0.2.1&cursor=" + cursor,
                                "/v1/zones/{zone}/records"),
                               ("/v1/zones/example.com/records/" + rec_id, "/v1/zones/{zone}/records/{id}")):
            with self.subTest(path=path):
                self.assert401(self.call("GET", path, template, token=secret), "invalid_token")
        lst = self.call("GET", "/v1/tokens?limit=1000", "/v1/tokens", expect=200)
        for x in lst.data["tokens"]:
            if x["id"] == tk["id"]:
                self.assertIsNotNone(x.get("revoked_at"), "a listed revoked token shows revoked_at: %r" % x)
        for bad in ("nope", "00000000-0000-0000-0000-000000000000", "%2F"):
            self.assertError(self.call("DELETE", "/v1/tokens/" + bad, "/v1/tokens/{id}"), 404, "not_found")

    def test_revoked_cli_token(self):
        t = self.stack.token()
        self.call("GET", "/v1/zones", "/v1/zones", token=t, expect=200)
        _, payload, _ = jwt_parts(t)
        tid = payload.get("jti")
        self.assertTrue(tid, "token id claim")
        self.call("DELETE", "/v1/tokens/" + tid, "/v1/tokens/{id}", expect=200)
        self.assert401(self.call("GET", "/v1/zones", "/v1/zones", token=t), "invalid_token")

    def test_token_cannot_escalate(self):
        caller = self.tok("tokens:write records:read")
        limited = self.tok("tokens:write records:read", zones=["example.com"])
        before = self.db_state()
        for scopes in (["records:write"], ["records:read", "zones:read"], ALL_SCOPES):
            with self.subTest(scopes=scopes):
                r = self.call("POST", "/v1/tokens", "/v1/tokens", token=caller, body={"name": "x", "scopes": scopes})
                self.assertError(r, 403, "insufficient_scope")
        for zones in (None, ["other.test"], ["example.com", "other.test"]):
            with self.subTest(zones=zones):
                body = {"name": "x", "scopes": ["records:read"]}
                if zones is not None:
                    body["zones"] = zones
                r = self.call("POST", "/v1/tokens", "/v1/tokens", token=limited, body=body)
                self.assertError(r, 403, "insufficient_scope")
        self.assertEqual(self.db_state(), before)
        r = self.call("POST", "/v1/tokens", "/v1/tokens", token=limited,
                      body={"name": "ok", "scopes": ["records:read"], "zones": ["example.com"]}, expect=201)
        self.assertEqual(r.data["token"]["zones"], ["example.com."])
        r = self.call("POST", "/v1/tokens", "/v1/tokens", token=caller, body={"name": "ok", "scopes": ["records:read"]},
                      expect=201)
        self.assertIsNone(r.data["token"]["zones"])

    def test_token_create_validation(self):
        before = self.db_state()
        for body, code, field in (
                ({"name": "x", "scopes": ["dns:everything"]}, None, "scopes"),
                ({"name": "x"}, "missing_field", "scopes"),
                ({"name": "x", "scopes": "zones:read"}, "wrong_type", "scopes"),
                ({"name": "x", "scopes": ["zones:read"], "expires_in": "soon"}, "wrong_type", "expires_in"),
                ({"name": "x", "scopes": ["zones:read"], "admin": True}, "unknown_field", "admin")):
            with self.subTest(body=body):
                r = self.call("POST", "/v1/tokens", "/v1/tokens", body=body)
                self.assertError(r, 422, "validation_failed", code, field)
        self.assertEqual(self.db_state(), before)

    def test_token_lifetime_bounds_are_the_documented_ones(self):
        schema = self.spec["components"]["schemas"]["TokenCreate"]["properties"]["expires_in"]
        low, high = schema["minimum"], schema["maximum"]
        self.assertEqual((low, high), (60, 3650 * 86400))
        before = self.db_state()
        for seconds in (low - 1, 0, -1, high + 1):
            with self.subTest(expires_in=seconds):
                r = self.call("POST", "/v1/tokens", "/v1/tokens",
                              body={"name": "x", "scopes": ["zones:read"], "expires_in": seconds})
                self.assertError(r, 422, "validation_failed", "out_of_range", "expires_in")
        self.assertEqual(self.db_state(), before)
        for seconds in (low, high):
            with self.subTest(expires_in=seconds):
                start = int(time.time())
                r = self.call("POST", "/v1/tokens", "/v1/tokens",
                              body={"name": "b", "scopes": ["zones:read"], "expires_in": seconds}, expect=201)
                at = datetime.datetime.fromisoformat(r.data["token"]["expires_at"].replace("Z", "+00:00"))
                self.assertGreaterEqual(at.timestamp(), start + seconds)
                self.assertLessEqual(at.timestamp(), int(time.time()) + seconds)
                self.call("GET", "/v1/zones", "/v1/zones", token=r.data["secret"], expect=200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
