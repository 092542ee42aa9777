"""End-to-end: TSIG keys as credentials over HTTP (POST/GET/DELETE
/v1/tsig-keys): minting with both algorithms, the secret shown once and
stored sealed, paging, revocation, expiry bounds, name rules, the bounds a
creator's own scopes, zones and policies put on a new key, and every error
path with nothing changed."""

import base64
import datetime
import hashlib
import json
import os
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, query, tport  # noqa: E402

import dns.message  # python3-dnspython
import dns.name
import dns.rcode
import dns.tsig
import dns.tsigkeyring
import dns.update

from cryptography.hazmat.primitives import hashes  # python3-cryptography
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ACME = [{"zone": "example.com", "name": "_acme-challenge.**", "type": "TXT", "write": True}]
ACME_OUT = [{"zone": "example.com.", "name": "_acme-challenge.**.example.com.", "type": "TXT",
             "write": True}]


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


def seal_key_from_jwt(jwt_secret):
    """The sealing key as common/seal.h documents it when DNSAPI_SECRETS_KEY
    is not set: HKDF-SHA256 of the JWT secret, salt "dnsapi seal v1", info
    "tsig secrets"."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"dnsapi seal v1",
                info=b"tsig secrets").derive(jwt_secret.encode())


def seal_open(key, sealed, aad):
    """Opens "dnsapi-seal:1:<key id>:<base64 nonce||ciphertext||tag>" with
    key; raises when the key, the associated data or the text is wrong."""
    prefix, version, key_id, blob = sealed.split(":")
    assert (prefix, version) == ("dnsapi-seal", "1"), sealed
    if key_id != hashlib.sha256(key).hexdigest()[:8]:
        raise ValueError("sealed under another key")
    raw = base64.b64decode(blob)
    return AESGCM(key).decrypt(raw[:12], raw[12:], aad.encode())


class TsigKeysTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "tsigkeys"
    STACK_PORT = 18186
    SETUP_ZONES = ("example.com", "other.test")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st = cls.stack
        st.account("globex")
        cls.globex = st.token(account="globex")
        cls.acme_id = st.sql("SELECT id FROM accounts WHERE name = 'acme'")

    def create(self, body, token=None, expect=201):
        return self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys",
                         token=self.token if token is None else token, body=body, expect=expect)

    def state(self):
        """What a refused request must leave as it was: every key row and every token row."""
        return (self.stack.sql("SELECT count(*), coalesce(string_agg(id::text || name || "
                               "coalesce(revoked_at::text, '-'), ',' ORDER BY id), '') FROM tsig_keys"),
                self.stack.sql("SELECT count(*) FROM tokens"))

    # -- minting -----------------------------------------------------------------------------

    def test_create_both_algorithms(self):
        t0 = datetime.datetime.now(datetime.timezone.utc)
        for alg, size in (("hmac-sha256", 32), ("hmac-sha512", 64), (None, 32)):
            with self.subTest(algorithm=alg):
                name = "Alg-%s.Keys.Example.com" % (alg or "default")
                body = {"name": name, "scopes": ["records:read", "records:write"],
                        "zones": ["example.com"], "expires_in": 7200}
                if alg:
                    body["algorithm"] = alg
                r = self.create(body)
                d = r.data
                self.assertEqual(d["message"], "TSIG key created successfully")
                k = d["tsig_key"]
                want_alg = alg or "hmac-sha256"
                self.assertEqual(k["name"], name.lower() + ".")
                self.assertEqual(k["algorithm"], want_alg)
                self.assertEqual(k["scopes"], ["records:read", "records:write"])
                self.assertEqual(k["zones"], ["example.com."])
                self.assertIsNone(k["policies"])
                self.assertIsNone(k["revoked_at"])
                self.assertEqual(len(base64.b64decode(d["secret"], validate=True)), size)
                self.assertEqual(d["nsupdate_key"], "%s:%s:%s" % (want_alg, k["name"], d["secret"]))
                exp = parse_time(k["expires_at"])
                self.assertLess(abs((exp - t0).total_seconds() - 7200), 120, k)
                self.assertLess(abs((parse_time(k["created_at"]) - t0).total_seconds()), 120, k)
                row = self.stack.sql("SELECT algorithm, account_id, array_to_string(scopes, ' '), "
                                     "array_to_string(zones, ' ') FROM tsig_keys WHERE id = '%s'" % k["id"])
                self.assertEqual(row, "%s|%s|records:read records:write|example.com." % (want_alg, self.acme_id))

    def test_default_expiry_is_a_year_and_bounds_hold(self):
        t0 = datetime.datetime.now(datetime.timezone.utc)
        r = self.create({"name": "default-life", "scopes": ["records:write"]})
        exp = parse_time(r.data["tsig_key"]["expires_at"])
        self.assertLess(abs((exp - t0).total_seconds() - 365 * 86400), 120, r)
        self.create({"name": "short-life", "scopes": ["records:write"], "expires_in": 60})
        self.create({"name": "long-life", "scopes": ["records:write"], "expires_in": 3650 * 86400})
        before = self.state()
        for bad, code in ((59, "out_of_range"), (0, "out_of_range"), (-5, "out_of_range"),
                          (3650 * 86400 + 1, "out_of_range"), ("soon", "wrong_type"), (1.5, "wrong_type")):
            with self.subTest(expires_in=bad):
                r = self.create({"name": "bad-life", "scopes": ["records:write"], "expires_in": bad},
                                expect=422)
                self.assertError(r, 422, "validation_failed", field="expires_in")
                self.assertIn(r.json["error"]["details"][0]["code"], (code, "out_of_range", "wrong_type"))
        self.assertEqual(self.state(), before)

    def test_expired_key_is_listed_as_expired_and_not_looked_up(self):
        r = self.create({"name": "expiring", "scopes": ["records:write"], "expires_in": 60})
        kid = r.data["tsig_key"]["id"]
        self.stack.sql("UPDATE tsig_keys SET expires_at = now() - interval '1 minute' WHERE id = '%s'" % kid)
        k = self.call("GET", "/v1/tsig-keys/" + kid, "/v1/tsig-keys/{id}", expect=200).data["tsig_key"]
        self.assertLess(parse_time(k["expires_at"]), datetime.datetime.now(datetime.timezone.utc))
        self.assertIsNone(k["revoked_at"])
        # The database's own gate (what a DNS UPDATE's transaction opens with) refuses it.
        with self.assertRaises(RuntimeError) as cm:
            self.stack.sql("SELECT dnsapi_tsig_key_check('%s')" % kid)
        self.assertIn("revoked or expired", str(cm.exception))

    # -- the secret ------------------------------------------------------------------------

    def test_secret_is_shown_once_and_stored_sealed(self):
        r = self.create({"name": "once.example.com", "algorithm": "hmac-sha512",
                         "scopes": ["records:write"]})
        k, secret = r.data["tsig_key"], r.data["secret"]
        raw = base64.b64decode(secret)
        forms = (secret.encode(), raw.hex().encode(), base64.b64encode(raw).rstrip(b"="),
                 base64.urlsafe_b64encode(raw).rstrip(b"="))
        for resp in (self.call("GET", "/v1/tsig-keys?limit=1000", "/v1/tsig-keys", expect=200),
                     self.call("GET", "/v1/tsig-keys/" + k["id"], "/v1/tsig-keys/{id}", expect=200)):
            for f in forms:
                self.assertNotIn(f, resp.body, "a secret is shown only once: %r" % resp)
            self.assertNotIn("secret", resp.body.decode())
        # The row, read as the database owner, holds only sealed text.
        sealed = self.stack.sql("SELECT secret_sealed FROM tsig_keys WHERE id = '%s'" % k["id"])
        dump = self.stack.sql("SELECT row_to_json(k)::text FROM tsig_keys k WHERE id = '%s'" % k["id"])
        for f in forms:
            self.assertNotIn(f.decode(), dump)
        self.assertRegex(sealed, r"^dnsapi-seal:1:[0-9a-f]{8}:[A-Za-z0-9+/=]+$")
        self.assertNotIn(raw.hex(), self.stack.sql(
            "SELECT encode(convert_to(secret_sealed, 'UTF8'), 'hex') FROM tsig_keys WHERE id = '%s'" % k["id"]))
        # It is the secret, sealed as documented (AES-256-GCM, bound to its row)...
        key = seal_key_from_jwt(self.stack.jwt_secret)
        aad = "tsig_keys:%s:%s" % (self.acme_id, k["name"])
        self.assertEqual(seal_open(key, sealed, aad), raw)
        # ... and opens with no other key, nor for another row.
        with self.assertRaises(Exception):
            seal_open(hashlib.sha256(b"another key").digest(), sealed, aad)
        with self.assertRaises(Exception):
            seal_open(key, "dnsapi-seal:1:%s:%s" % (hashlib.sha256(key).hexdigest()[:8], sealed.split(":")[3]),
                      "tsig_keys:%s:someone-else." % self.acme_id)
        # Two keys never share a secret nor a nonce.
        r2 = self.create({"name": "twice.example.com", "algorithm": "hmac-sha512", "scopes": ["records:write"]})
        self.assertNotEqual(r2.data["secret"], secret)
        sealed2 = self.stack.sql("SELECT secret_sealed FROM tsig_keys WHERE id = '%s'" % r2.data["tsig_key"]["id"])
        self.assertNotEqual(base64.b64decode(sealed2.split(":")[3])[:12], base64.b64decode(sealed.split(":")[3])[:12])

    # -- list and get ------------------------------------------------------------------------

    def test_list_pages_oldest_first_and_get(self):
        self.stack.account("paging")
        tok = self.stack.token(account="paging")
        ids = [self.create({"name": "page-%d.paging.test" % i, "scopes": ["records:write"]}, token=tok)
               .data["tsig_key"]["id"] for i in range(5)]
        seen = []
        for offset in (0, 2, 4):
            r = self.call("GET", "/v1/tsig-keys" + query(limit=2, offset=offset), "/v1/tsig-keys",
                          token=tok, expect=200)
            pg = r.data["pagination"]
            self.assertEqual((pg["total"], pg["offset"], pg["limit"], pg["count"], pg["has_more"]),
                             (5, offset, 2, min(2, 5 - offset), offset + 2 < 5), r)
            seen += [k["id"] for k in r.data["tsig_keys"]]
        self.assertEqual(seen, ids, "oldest first, every key once")
        r = self.call("GET", "/v1/tsig-keys" + query(offset=10), "/v1/tsig-keys", token=tok, expect=200)
        self.assertEqual((r.data["tsig_keys"], r.data["pagination"]["has_more"]), ([], False))
        for bad in ({"limit": 1001}, {"limit": 0}, {"offset": -1}, {"limit": "many"}):
            with self.subTest(params=bad):
                r = self.call("GET", "/v1/tsig-keys" + query(**bad), "/v1/tsig-keys", token=tok)
                self.assertError(r, 422, "validation_failed")
        one = self.call("GET", "/v1/tsig-keys/" + ids[3], "/v1/tsig-keys/{id}", token=tok, expect=200)
        self.assertEqual(one.data["tsig_key"]["name"], "page-3.paging.test.")
        # Another account's keys: neither listed nor readable nor revocable.
        lst = self.call("GET", "/v1/tsig-keys?limit=1000", "/v1/tsig-keys", expect=200)
        self.assertFalse(set(ids) & {k["id"] for k in lst.data["tsig_keys"]})
        before = self.state()
        for path in ["/v1/tsig-keys/" + ids[0], "/v1/tsig-keys/nope",
                     "/v1/tsig-keys/00000000-0000-0000-0000-000000000000", "/v1/tsig-keys/%2F"]:
            with self.subTest(path=path):
                self.assertError(self.call("GET", path, "/v1/tsig-keys/{id}"), 404, "not_found")
                self.assertError(self.call("DELETE", path, "/v1/tsig-keys/{id}"), 404, "not_found")
        self.assertEqual(self.state(), before)

    # -- revoke ------------------------------------------------------------------------------

    def test_revoke_shows_revoked_and_twice_is_404(self):
        r = self.create({"name": "revoke-me", "scopes": ["records:write"]})
        kid = r.data["tsig_key"]["id"]
        t0 = datetime.datetime.now(datetime.timezone.utc)
        d = self.call("DELETE", "/v1/tsig-keys/" + kid, "/v1/tsig-keys/{id}", expect=200)
        self.assertEqual(d.data["message"], "TSIG key revoked successfully")
        revoked_at = d.data["tsig_key"]["revoked_at"]
        self.assertIsNotNone(revoked_at)
        self.assertLess(abs((parse_time(revoked_at) - t0).total_seconds()), 120)
        got = self.call("GET", "/v1/tsig-keys/" + kid, "/v1/tsig-keys/{id}", expect=200).data["tsig_key"]
        self.assertEqual(got["revoked_at"], revoked_at)
        listed = [k for k in self.call("GET", "/v1/tsig-keys?limit=1000", "/v1/tsig-keys",
                                       expect=200).data["tsig_keys"] if k["id"] == kid]
        self.assertEqual([k["revoked_at"] for k in listed], [revoked_at])
        before = self.state()
        r = self.call("DELETE", "/v1/tsig-keys/" + kid, "/v1/tsig-keys/{id}")
        self.assertError(r, 404, "not_found")
        self.assertEqual(self.state(), before, "a second revoke changes nothing (revoked_at stays)")
        # A revoked key's name stays taken: a message naming it must never find a new key.
        self.assertError(self.create({"name": "revoke-me", "scopes": ["records:write"]}, expect=409),
                         409, "name_taken")
        self.assertEqual(self.state(), before)
        with self.assertRaises(RuntimeError):
            self.stack.sql("SELECT dnsapi_tsig_key_check('%s')" % kid)

    # -- names ------------------------------------------------------------------------------

    def test_name_rules(self):
        r = self.create({"name": "Upper_Case-1.Example.COM.", "scopes": ["records:write"]})
        self.assertEqual(r.data["tsig_key"]["name"], "upper_case-1.example.com.")
        self.assertTrue(r.data["nsupdate_key"].startswith("hmac-sha256:upper_case-1.example.com.:"))
        self.create({"name": "single", "scopes": ["records:write"]})
        before = self.state()
        for bad in ("", ".", "bad name", "a..b", "x/y", "key\\.dot", "kl\u00fcssel.example", "a*b", "*.example",
                    "@", "l" * 64 + ".example", ".".join(["a" * 60] * 5), "key;drop", "key\"q"):
            with self.subTest(name=bad):
                r = self.create({"name": bad, "scopes": ["records:write"]}, expect=422)
                self.assertError(r, 422, "validation_failed", "bad_key_name", "name")
        for body, code in (({"scopes": ["records:write"]}, "missing_field"),
                           ({"name": 7, "scopes": ["records:write"]}, "wrong_type"),
                           ({"name": None, "scopes": ["records:write"]}, None)):
            with self.subTest(body=body):
                r = self.create(body, expect=422)
                self.assertError(r, 422, "validation_failed", code, "name")
        # Unique across accounts and letter case, with or without the trailing dot.
        for name, tok in (("upper_case-1.example.com", self.token), ("UPPER_CASE-1.example.com.", self.token),
                          ("upper_case-1.example.com.", self.globex), ("SINGLE.", self.globex)):
            with self.subTest(taken=name):
                r = self.create({"name": name, "scopes": ["records:write"]}, token=tok, expect=409)
                self.assertError(r, 409, "name_taken")
                self.assertIn("name", r.error["message"])
        self.assertEqual(self.state(), before)

    def test_algorithm_errors(self):
        before = self.state()
        for alg in ("hmac-md5", "hmac-sha1", "hmac-sha384", "sha256", "", "gss-tsig"):
            with self.subTest(algorithm=alg):
                r = self.create({"name": "alg-bad", "algorithm": alg, "scopes": ["records:write"]}, expect=422)
                self.assertError(r, 422, "validation_failed", "unsupported_algorithm", "algorithm")
        for alg in (256, True, ["hmac-sha256"]):
            with self.subTest(algorithm=alg):
                r = self.create({"name": "alg-bad", "algorithm": alg, "scopes": ["records:write"]}, expect=422)
                self.assertError(r, 422, "validation_failed", "wrong_type", "algorithm")
        self.assertEqual(self.state(), before)

    # -- what a creator may grant ----------------------------------------------------------

    def test_a_key_grants_no_more_than_its_creator(self):
        st = self.stack
        no_scope = st.token(scopes="records:read records:write")
        narrow = st.token(scopes="tokens:write records:write")
        limited = st.token(scopes="tokens:write records:write", zones=["example.com"])
        r = self.call("POST", "/v1/tokens", "/v1/tokens", body={
            "name": "acme-policy", "scopes": ["tokens:write", "records:read", "records:write"],
            "zones": ["example.com"], "policies": ACME}, expect=201)
        policy_tok = r.data["secret"]
        before = self.state()
        cases = [
            (no_scope, {"scopes": ["records:write"]}, "no tokens:write"),
            (narrow, {"scopes": ["records:read"]}, "a scope it lacks"),
            (narrow, {"scopes": ["records:write", "zones:write"]}, "a scope it lacks"),
            (limited, {"scopes": ["records:write"]}, "every zone from a zone-limited creator"),
            (limited, {"scopes": ["records:write"], "zones": ["other.test"]}, "another zone"),
            (limited, {"scopes": ["records:write"], "zones": ["example.com", "other.test"]}, "one zone too many"),
            (policy_tok, {"scopes": ["records:write"], "zones": ["example.com"]}, "no policies"),
            (policy_tok, {"scopes": ["records:write"], "zones": ["example.com"],
                          "policies": [{"zone": "example.com", "type": "TXT", "write": True}]}, "any TXT"),
            (policy_tok, {"scopes": ["records:write"], "zones": ["example.com"],
                          "policies": [{"zone": "example.com", "name": "_acme-challenge.**", "write": True}]},
             "any type"),
            (policy_tok, {"scopes": ["records:write"], "zones": ["example.com"],
                          "policies": [{"name": "_acme-challenge.**.example.com.", "type": "TXT",
                                        "write": True}]}, "any zone"),
            (policy_tok, {"scopes": ["records:write"], "zones": ["example.com"],
                          "policies": ACME + [{"zone": "example.com", "name": "www", "type": "A",
                                               "write": True}]}, "one policy too many"),
        ]
        for tok, body, why in cases:
            with self.subTest(why=why):
                r = self.create(dict(body, name="escalate"), token=tok, expect=403)
                self.assertError(r, 403, "insufficient_scope")
        self.assertEqual(self.state(), before)
        # Within bounds: granted, and shown normalized.
        r = self.create({"name": "within", "scopes": ["records:write"], "zones": ["example.com"]}, token=limited)
        self.assertEqual(r.data["tsig_key"]["zones"], ["example.com."])
        for i, pol in enumerate((ACME, ACME_OUT, [{"zone": "example.com", "name": "_acme-challenge.**",
                                                   "type": "TXT", "write": False}])):
            r = self.create({"name": "acme-%d" % i, "scopes": ["records:write"],
                             "zones": ["example.com"], "policies": pol}, token=policy_tok)
            self.assertEqual(r.data["tsig_key"]["policies"][0]["name"], "_acme-challenge.**.example.com.")
            self.assertEqual(r.data["tsig_key"]["policies"][0]["type"], "TXT")

    def test_policy_validation(self):
        before = self.state()
        for pol, code in (
                ("TXT only", "wrong_type"), ([], "wrong_type"), ({"write": True}, "wrong_type"),
                ([{"write": True}] * 33, "wrong_type"), (["x"], "wrong_type"),
                ([{"zone": "example.com"}], "missing_field"), ([{"zone": "example.com", "write": "yes"}], "missing_field"),
                ([{"zone": "example.com", "write": True, "ttl": 60}], "unknown_field"),
                ([{"zone": "", "write": True}], "wrong_type"), ([{"zone": 5, "write": True}], "wrong_type"),
                ([{"zone": "bad/zone", "write": True}], "bad_zone_name"),
                ([{"name": "_acme-challenge", "write": True}], "bad_policy_name"),
                ([{"zone": "example.com", "name": "**.x.**", "write": True}], "bad_policy_name"),
                ([{"zone": "example.com", "name": "a b", "write": True}], "bad_policy_name"),
                ([{"zone": "example.com", "name": "a..b", "write": True}], "bad_policy_name"),
                ([{"zone": "example.com", "type": "NOPE", "write": True}], "unsupported_type")):
            with self.subTest(policies=pol):
                r = self.create({"name": "pol-bad", "scopes": ["records:write"], "policies": pol}, expect=422)
                self.assertError(r, 422, "validation_failed", code, "policies")
        self.assertEqual(self.state(), before)
        r = self.create({"name": "pol-null", "scopes": ["records:write"], "policies": None})
        self.assertIsNone(r.data["tsig_key"]["policies"])
        r = self.create({"name": "pol-apex", "scopes": ["records:write"], "policies": [
            {"zone": "Example.COM.", "name": "@", "type": "txt", "write": True},
            {"name": "*.Other.Test.", "write": False}]})
        self.assertEqual(r.data["tsig_key"]["policies"], [
            {"zone": "example.com.", "name": "example.com.", "type": "TXT", "write": True},
            {"name": "*.other.test.", "write": False}])

    # -- the request itself ------------------------------------------------------------------

    def test_request_errors_change_nothing(self):
        st = self.stack
        read_only = st.token(scopes="zones:read records:read records:write")
        before = self.state()
        good = {"name": "never", "scopes": ["records:write"]}
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", token=None, body=good)
        self.assertError(r, 401, "unauthorized")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", token="not.a.jwt", body=good)
        self.assertError(r, 401, "invalid_token")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", raw=b"{not json",
                      headers={"Content-Type": "application/json"})
        self.assertError(r, 400, "bad_request")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", raw=b"[1]",
                      headers={"Content-Type": "application/json"})
        self.assertError(r, 400, "bad_request")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", raw=b'{"name":"never","scopes":["records:write"]}',
                      headers={"Content-Type": "text/plain"})
        self.assertError(r, 415, "unsupported_media_type")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", body=dict(good, secret="chosen"))
        self.assertError(r, 422, "validation_failed", "unknown_field", "secret")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", body={"name": "never"})
        self.assertError(r, 422, "validation_failed", "missing_field", "scopes")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", body=dict(good, scopes=["dns:all"]))
        self.assertError(r, 422, "validation_failed", field="scopes")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", body=dict(good, zones=["bad/zone"]))
        self.assertError(r, 422, "validation_failed", field="zones")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", body=good,
                      headers={"Idempotency-Key": "k-1"})
        self.assertError(r, 422, "validation_failed", "idempotency_not_supported")
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", raw=b"x" * (2 * 1024 * 1024),
                      headers={"Content-Type": "application/json"})
        self.assertError(r, 413, "payload_too_large")
        for method in ("PUT", "PATCH"):
            r = st.request(method, "/v1/tsig-keys", token=self.token, body=good)
            self.assertError(r, 405, "method_not_allowed")
            self.assertIn("POST", r.headers.get("Allow", ""))
        for method, path, template in (("GET", "/v1/tsig-keys", "/v1/tsig-keys"),
                                       ("POST", "/v1/tsig-keys", "/v1/tsig-keys"),
                                       ("GET", "/v1/tsig-keys/00000000-0000-0000-0000-000000000000",
                                        "/v1/tsig-keys/{id}"),
                                       ("DELETE", "/v1/tsig-keys/00000000-0000-0000-0000-000000000000",
                                        "/v1/tsig-keys/{id}")):
            with self.subTest(method=method, path=path):
                r = self.call(method, path, template, token=read_only,
                              body=good if method == "POST" else None)
                self.assertError(r, 403, "insufficient_scope")
        self.assertEqual(self.state(), before)


    # -- the command line ----------------------------------------------------------------

    def run_cli(self, *args, env=None):
        """Runs dnsapi with the stack's settings (plus env); returns the CompletedProcess."""
        e = self.stack.base_env()
        e.update(env or {})
        return subprocess.run([self.stack.binary] + list(args), env=e, capture_output=True, text=True,
                              timeout=60)

    def test_cli_create_list_revoke(self):
        policies = json.dumps(ACME)
        p = self.run_cli("tsig", "create", "--account", "acme", "--name", "CLI-Key.Example.com",
                         "--algorithm", "hmac-sha512", "--scopes", "records:read,records:write",
                         "--zones", "example.com", "--policies", policies, "--expires-in", "2h")
        self.assertEqual(p.returncode, 0, p)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 1, "only the key is printed: %r" % p.stdout)
        alg, name, secret = lines[0].split(":")
        self.assertEqual((alg, name), ("hmac-sha512", "cli-key.example.com."))
        raw = base64.b64decode(secret, validate=True)
        self.assertEqual(len(raw), 64)
        self.assertNotIn(secret, p.stderr)
        # The HTTP API sees the same key, normalized as it would have made it, and never the secret.
        lst = self.call("GET", "/v1/tsig-keys?limit=1000", "/v1/tsig-keys", expect=200)
        self.assertNotIn(secret.encode(), lst.body)
        k = [x for x in lst.data["tsig_keys"] if x["name"] == name][0]
        self.assertEqual((k["algorithm"], k["scopes"], k["zones"], k["policies"]),
                         ("hmac-sha512", ["records:read", "records:write"], ["example.com."], ACME_OUT))
        t0 = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((parse_time(k["expires_at"]) - t0).total_seconds() - 7200), 120, k)
        sealed = self.stack.sql("SELECT secret_sealed FROM tsig_keys WHERE id = '%s'" % k["id"])
        self.assertNotIn(secret, sealed)
        self.assertEqual(seal_open(seal_key_from_jwt(self.stack.jwt_secret), sealed,
                                   "tsig_keys:%s:%s" % (self.acme_id, name)), raw)
        # tsig list
        out = self.stack.cli("tsig", "list", "--account", "acme")
        header, *rows = out.splitlines()
        self.assertEqual(header.split("\t"), ["id", "name", "algorithm", "state", "scopes", "zones", "policies",
                                              "created_at", "expires_at", "revoked_at"])
        self.assertNotIn(secret, out)
        mine = [r.split("\t") for r in rows if r.split("\t")[0] == k["id"]]
        self.assertEqual(len(mine), 1, out)
        row = mine[0]
        self.assertEqual(row[1:6], [name, "hmac-sha512", "active", "records:read records:write", "example.com."])
        self.assertEqual(json.loads(row[6]), ACME_OUT)
        self.assertEqual((row[7], row[8], row[9]), (k["created_at"], k["expires_at"], "-"))
        # tsig revoke, then again
        p = self.run_cli("tsig", "revoke", k["id"])
        self.assertEqual((p.returncode, p.stdout), (0, "revoked %s\n" % k["id"]), p)
        got = self.call("GET", "/v1/tsig-keys/" + k["id"], "/v1/tsig-keys/{id}", expect=200).data["tsig_key"]
        self.assertIsNotNone(got["revoked_at"])
        revoked_at = self.stack.sql("SELECT revoked_at FROM tsig_keys WHERE id = '%s'" % k["id"])
        p = self.run_cli("tsig", "revoke", k["id"])
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("revoked already", p.stderr)
        self.assertEqual(self.stack.sql("SELECT revoked_at FROM tsig_keys WHERE id = '%s'" % k["id"]), revoked_at)
        state = [r.split("\t") for r in self.stack.cli("tsig", "list", "--account", "acme").splitlines()
                 if r.startswith(k["id"])][0]
        self.assertEqual((state[3], state[9]), ("revoked", got["revoked_at"]))
        for bad, code in (("nope", 2), ("00000000-0000-0000-0000-000000000000", 3)):
            p = self.run_cli("tsig", "revoke", bad)
            self.assertEqual(p.returncode, code, p)

    def test_cli_refuses_what_http_refuses(self):
        base = ["tsig", "create", "--account", "acme", "--scope", "records:write"]
        self.create({"name": "taken-by-http", "scopes": ["records:write"]})
        before = self.state()
        for extra, code, text in (
                (["--name", "bad name"], 2, "domain name"),
                (["--name", "key;drop"], 2, "TSIG key name"),
                (["--name", "l" * 64 + ".example"], 2, "domain name"),
                ([], 2, "--name is required"),
                (["--name", "alg-bad", "--algorithm", "hmac-md5"], 2, "hmac-sha256 (the default) or hmac-sha512"),
                (["--name", "pol-bad", "--policies", "not json"], 2, "policies are not JSON"),
                (["--name", "pol-bad", "--policies", "[]"], 2, "policies"),
                (["--name", "pol-bad", "--policies", '[{"zone":"example.com"}]'], 2, "write"),
                (["--name", "pol-bad", "--policies", '[{"name":"relative","write":true}]'], 2, "zone"),
                (["--name", "pol-bad", "--policies", '[{"type":"BOGUS","write":true}]'], 2, "BOGUS"),
                (["--name", "exp-bad", "--expires-in", "59"], 2, "60s to 3650d"),
                (["--name", "exp-bad", "--expires-in", "3651d"], 2, "60s to 3650d"),
                (["--name", "zone-bad", "--zone", "bad/zone"], 2, "--zone"),
                (["--name", "scope-bad", "--scope", "dns:all"], 2, "--scope"),
                (["--name", "opt-bad", "--secret", "mine"], 2, "unknown option"),
                (["--name", "taken-by-http"], 3, "exists already"),
                (["--name", "TAKEN-BY-HTTP."], 3, "exists already")):
            with self.subTest(args=extra):
                p = self.run_cli(*(base + extra))
                self.assertEqual(p.returncode, code, p)
                self.assertIn(text, p.stderr)
                self.assertEqual(p.stdout, "")
        p = self.run_cli("tsig", "create", "--account", "nobody", "--name", "x", "--scope", "records:write")
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("no account named", p.stderr)
        p = self.run_cli("tsig", "create", "--account", "acme", "--name", "x")
        self.assertEqual(p.returncode, 2, p)
        self.assertEqual(self.state(), before)

    def test_cli_seals_under_the_secrets_key(self):
        key = os.urandom(32)
        env = {"DNSAPI_SECRETS_KEY": base64.b64encode(key).decode()}
        p = self.run_cli("tsig", "create", "--account", "acme", "--name", "vault-sealed", "--scope",
                         "records:write", env=env)
        self.assertEqual(p.returncode, 0, p)
        raw = base64.b64decode(p.stdout.strip().split(":")[2])
        sealed = self.stack.sql("SELECT secret_sealed FROM tsig_keys WHERE name = 'vault-sealed.'")
        aad = "tsig_keys:%s:vault-sealed." % self.acme_id
        self.assertEqual(seal_open(key, sealed, aad), raw)
        with self.assertRaises(Exception):
            seal_open(seal_key_from_jwt(self.stack.jwt_secret), sealed, aad)
        p = self.run_cli("tsig", "create", "--account", "acme", "--name", "vault-bad", "--scope",
                         "records:write", env={"DNSAPI_SECRETS_KEY": "c2hvcnQ="})
        self.assertNotEqual(p.returncode, 0, p)
        self.assertIn("DNSAPI_SECRETS_KEY", p.stderr)
        self.assertEqual(self.stack.sql("SELECT count(*) FROM tsig_keys WHERE name = 'vault-bad.'"), "0")

    def test_cli_token_with_policies(self):
        p = self.run_cli("token", "create", "--account", "acme", "--scope", "records:read records:write",
                         "--zone", "example.com", "--policies", json.dumps(ACME), "--expires-in", "1h")
        self.assertEqual(p.returncode, 0, p)
        tok = p.stdout.strip()
        part = tok.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        self.assertEqual(claims["policies"], ACME_OUT)
        me = self.call("GET", "/v1/tokens/self", "/v1/tokens/self", token=tok, expect=200).data["token"]
        self.assertEqual((me["policies"], me["zones"]), (ACME_OUT, ["example.com."]))
        self.create_record("example.com", {"name": "_acme-challenge.cli", "type": "TXT", "content": "ok"},
                           token=tok, expect=201)
        before = self.snapshot("example.com")
        r = self.create_record("example.com", {"name": "cli", "type": "A", "content": "192.0.2.8"},
                               token=tok, expect=403)
        self.assertError(r, 403, "insufficient_scope")
        self.assertUnchanged("example.com", before)
        count = self.stack.sql("SELECT count(*) FROM tokens")
        for pol in ("nope", "[]", '[{"zone":"example.com","write":true,"ttl":1}]'):
            with self.subTest(policies=pol):
                p = self.run_cli("token", "create", "--account", "acme", "--scope", "records:write",
                                 "--policies", pol)
                self.assertEqual((p.returncode, p.stdout), (2, ""), p)
                self.assertIn("--policies", p.stderr)
        self.assertEqual(self.stack.sql("SELECT count(*) FROM tokens"), count)


UPDATE_PORT = tport(18189)


class TsigUpdateTest(ZoneHelpers, ApiTestCase):
    """Keys as the DNS UPDATE listener sees them: a key minted over HTTP or by
    the CLI signs UPDATEs that write within its policies, the audit trail
    names it, and a revoked key or one sealed under another key is BADKEY."""

    STACK_NAME = "tsigupdate"
    STACK_PORT = 18188
    STACK_ENV = {"DNSAPI_UPDATE_LISTEN": "127.0.0.1:%d" % UPDATE_PORT}
    SETUP_ZONES = ("example.com",)

    def mint(self, name, policies=ACME):
        r = self.call("POST", "/v1/tsig-keys", "/v1/tsig-keys", body={
            "name": name, "scopes": ["records:write"], "zones": ["example.com"], "policies": policies},
            expect=201)
        return r.data["tsig_key"]["id"], r.data["nsupdate_key"]

    def update(self, nsupdate_key, rname, rtype, content):
        """Sends one signed UPDATE adding rname rtype content over UDP; returns
        (rcode, the TSIG error of the answer or None)."""
        alg, name, secret = nsupdate_key.split(":")
        keyring = dns.tsigkeyring.from_text({name: (alg, secret)})
        u = dns.update.UpdateMessage("example.com.", keyring=keyring, keyname=dns.name.from_text(name),
                                     keyalgorithm=dns.name.from_text(alg))
        u.add(rname, 300, rtype, content)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(10)
            s.sendto(u.to_wire(), ("127.0.0.1", UPDATE_PORT))
            wire, _ = s.recvfrom(65535)
        rcode = wire[3] & 0x0F
        try:
            m = dns.message.from_wire(wire, keyring=keyring, request_mac=u.mac)
            return m.rcode(), None
        except dns.tsig.PeerBadKey:
            return rcode, "BADKEY"
        except dns.message.UnknownTSIGKey:
            return rcode, "unsigned"

    def test_signed_update_writes_within_policy_and_names_the_key(self):
        kid, key = self.mint("acme-update.example.com")
        self.assertEqual(self.update(key, "_acme-challenge.example.com.", "TXT", "dns01-value"),
                         (dns.rcode.NOERROR, None))
        recs = self.list_records("example.com", name="_acme-challenge", type="TXT")
        self.assertEqual([r["content"] for r in recs], ["dns01-value"])
        ch = self.call("GET", "/v1/zones/example.com/changes?limit=1000", "/v1/zones/{zone}/changes",
                       expect=200).data["changes"]
        mine = [c for c in ch if c["name"] == "_acme-challenge.example.com."]
        self.assertEqual([(c["tsig_key_id"], c["token_id"]) for c in mine], [(kid, None)])
        before = self.snapshot("example.com")
        rcode, _ = self.update(key, "www.example.com.", "A", "192.0.2.80")
        self.assertEqual(rcode, dns.rcode.REFUSED)
        self.assertUnchanged("example.com", before, "an UPDATE outside the policy")

    def test_revoked_key_is_badkey(self):
        kid, key = self.mint("revoked-update.example.com")
        self.assertEqual(self.update(key, "_acme-challenge.r1.example.com.", "TXT", "before")[0],
                         dns.rcode.NOERROR)
        self.call("DELETE", "/v1/tsig-keys/" + kid, "/v1/tsig-keys/{id}", expect=200)
        before = self.snapshot("example.com")
        self.assertEqual(self.update(key, "_acme-challenge.r2.example.com.", "TXT", "after"),
                         (dns.rcode.NOTAUTH, "BADKEY"))
        self.assertUnchanged("example.com", before, "an UPDATE signed by a revoked key")

    def test_cli_key_signs_updates(self):
        out = self.stack.cli("tsig", "create", "--account", "acme", "--name", "cli-update.example.com",
                             "--scope", "records:write", "--zone", "example.com", "--policies", json.dumps(ACME))
        self.assertEqual(self.update(out.strip(), "_acme-challenge.cli.example.com.", "TXT", "from-cli"),
                         (dns.rcode.NOERROR, None))

    def test_another_sealing_key_makes_keys_unknown_not_a_crash(self):
        _, key = self.mint("sealed-update.example.com")
        st = self.stack
        st.stop_server()
        st.extra_env["DNSAPI_SECRETS_KEY"] = base64.b64encode(os.urandom(32)).decode()
        try:
            st.start_server()
            before = self.snapshot("example.com")
            self.assertEqual(self.update(key, "_acme-challenge.s1.example.com.", "TXT", "x"),
                             (dns.rcode.NOTAUTH, "BADKEY"))
            self.assertUnchanged("example.com", before, "a key sealed under another key")
            with open(st.log_path, encoding="utf-8", errors="replace") as f:
                self.assertIn("cannot be opened", f.read())
            self.call("GET", "/v1/tsig-keys", "/v1/tsig-keys", expect=200)  # the API itself goes on
        finally:
            st.stop_server()
            del st.extra_env["DNSAPI_SECRETS_KEY"]
            st.start_server()
        self.assertEqual(self.update(key, "_acme-challenge.s2.example.com.", "TXT", "y")[0], dns.rcode.NOERROR)


if __name__ == "__main__":
    unittest.main(verbosity=2)
