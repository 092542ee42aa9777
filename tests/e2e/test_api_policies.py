"""End-to-end: narrow credentials. A token whose policies allow only TXT
records at _acme-challenge names of one zone creates and deletes exactly
those through every write path (single create, PATCH, DELETE by id and by
filter, batch, import) and gets 403 insufficient_scope, with nothing
changed, for anything else - zones included; the policies it may grant, the
JWT claim that carries them, read-only policies, and the audit trail."""

import base64
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, query  # noqa: E402

RECS = "/v1/zones/{zone}/records"
ONE = "/v1/zones/{zone}/records/{id}"
BATCH = "/v1/zones/{zone}/records/batch"
IMPORT = "/v1/zones/{zone}/import"
ACME = [{"zone": "example.com", "name": "_acme-challenge.**", "type": "TXT", "write": True}]


def jwt_claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


class PoliciesTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "policies"
    STACK_PORT = 18187
    SETUP_ZONES = ("example.com", "other.test")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st = cls.stack
        for zone, body in (("example.com", {"name": "www", "type": "A", "content": "192.0.2.1"}),
                           ("example.com", {"name": "_acme-challenge.www", "type": "A", "content": "192.0.2.9"}),
                           ("example.com", {"name": "txt", "type": "TXT", "content": "not acme"}),
                           ("other.test", {"name": "www", "type": "A", "content": "192.0.2.2"})):
            st.created("/v1/zones/%s/records" % zone, body, cls.token)
        # Every zone, every scope but tokens:write beyond: only the policy narrows it.
        r = st.created("/v1/tokens", {
            "name": "acme-dns-01", "scopes": ["zones:read", "zones:write", "records:read", "records:write",
                                             "tokens:write"],
            "policies": ACME}, cls.token)
        cls.acme = r.data["secret"]
        cls.acme_token = r.data["token"]

    def acme_txt(self, name, content, expect=201, zone="example.com", ttl=None):
        body = {"name": name, "type": "TXT", "content": content}
        if ttl is not None:
            body["ttl"] = ttl
        return self.create_record(zone, body, token=self.acme, expect=expect)

    def id_of(self, zone, name, rtype):
        recs = self.list_records(zone, name=name, type=rtype)
        self.assertEqual(len(recs), 1, recs)
        return recs[0]["id"]

    def assertRefused(self, r, before, zone="example.com", what=""):
        self.assertError(r, 403, "insufficient_scope")
        self.assertIn("polic", r.error["message"], r)
        self.assertUnchanged(zone, before, what)

    # -- the token --------------------------------------------------------------------------

    def test_token_shows_and_carries_its_policies(self):
        want = [{"zone": "example.com.", "name": "_acme-challenge.**.example.com.", "type": "TXT",
                 "write": True}]
        self.assertEqual(self.acme_token["policies"], want)
        self.assertEqual(jwt_claims(self.acme)["policies"], want)
        me = self.call("GET", "/v1/tokens/self", "/v1/tokens/self", token=self.acme, expect=200)
        self.assertEqual(me.data["token"]["policies"], want)
        listed = [t for t in self.call("GET", "/v1/tokens?limit=1000", "/v1/tokens", expect=200).data["tokens"]
                  if t["id"] == self.acme_token["id"]]
        self.assertEqual([t["policies"] for t in listed], [want])
        self.assertEqual(json.loads(self.stack.sql("SELECT policies::text FROM tokens WHERE id = '%s'"
                                                   % self.acme_token["id"])), want)

    def test_token_without_policies_shows_null(self):
        r = self.call("POST", "/v1/tokens", "/v1/tokens", body={"name": "plain", "scopes": ["records:read"]},
                      expect=201)
        self.assertIsNone(r.data["token"]["policies"])
        self.assertNotIn("policies", jwt_claims(r.data["secret"]))

    # -- single writes ----------------------------------------------------------------------

    def test_single_create_patch_delete_inside_the_policy(self):
        r = self.acme_txt("_acme-challenge", "token-one")
        apex_id = r.data["record"]["id"]
        r = self.acme_txt("_acme-challenge.api", "token-two")
        deep_id = r.data["record"]["id"]
        self.acme_txt("_ACME-Challenge.deep.er.example.com.", "token-three")
        r = self.call("PATCH", self.zone_path("example.com") + "/records/" + deep_id, ONE, token=self.acme,
                      body={"content": "token-two-b", "ttl": 120}, expect=200)
        self.assertEqual((r.data["record"]["content"], r.data["record"]["ttl"]), ("token-two-b", 120))
        for rid in (apex_id, deep_id):
            self.call("DELETE", self.zone_path("example.com") + "/records/" + rid, ONE, token=self.acme,
                      expect=200)
        r = self.call("DELETE", self.zone_path("example.com") + "/records" +
                      query(name="_acme-challenge.deep.er", type="TXT", content="token-three"),
                      RECS, token=self.acme, expect=200)
        self.assertEqual(len(r.data["deleted"]), 1, r)
        self.assertEqual(self.list_records("example.com", name="_acme-challenge.deep.er"), [])

    def test_single_writes_outside_the_policy_are_403(self):
        www = self.id_of("example.com", "www", "A")
        acme_a = self.id_of("example.com", "_acme-challenge.www", "A")
        txt = self.id_of("example.com", "txt", "TXT")
        before = self.snapshot("example.com")
        refused = [
            ("POST", RECS, "/records", {"name": "_acme-challenge", "type": "A", "content": "192.0.2.7"},
             "another type at the name"),
            ("POST", RECS, "/records", {"name": "www", "type": "TXT", "content": "x"}, "TXT at another name"),
            ("POST", RECS, "/records", {"name": "x._acme-challenge", "type": "TXT", "content": "x"},
             "a name below, not at, _acme-challenge"),
            ("POST", RECS, "/records", {"name": "@", "type": "TXT", "content": "x"}, "the apex"),
            ("POST", RECS, "/records", {"name": "_acme-challenge", "type": "CNAME",
                                        "content": "elsewhere.example.net."}, "a CNAME"),
            ("PATCH", ONE, "/records/" + www, {"content": "192.0.2.99"}, "PATCH www"),
            ("PATCH", ONE, "/records/" + acme_a, {"ttl": 600}, "PATCH an A at _acme-challenge"),
            ("PATCH", ONE, "/records/" + txt, {"content": "changed"}, "PATCH a TXT elsewhere"),
            ("PATCH", ONE, "/records/" + txt, {"disabled": True}, "disable a TXT elsewhere"),
            ("DELETE", ONE, "/records/" + www, None, "DELETE www"),
            ("DELETE", ONE, "/records/" + acme_a, None, "DELETE an A at _acme-challenge"),
            ("DELETE", RECS, "/records" + query(name="www", type="A", content="192.0.2.1"), None,
             "DELETE www by filter"),
            ("DELETE", RECS, "/records" + query(all="true"), None, "DELETE all"),
            ("DELETE", RECS, "/records" + query(name="_acme-challenge.www", all="true"), None,
             "DELETE all at an _acme-challenge name holding an A"),
        ]
        for method, template, tail, body, why in refused:
            with self.subTest(why=why):
                r = self.call(method, self.zone_path("example.com") + tail, template, token=self.acme,
                              body=body)
                self.assertRefused(r, before, what=why)
        # Another zone: the policy names example.com only.
        other = self.snapshot("other.test")
        r = self.create_record("other.test", {"name": "_acme-challenge", "type": "TXT", "content": "x"},
                               token=self.acme, expect=403)
        self.assertRefused(r, other, zone="other.test")
        oid = self.id_of("other.test", "www", "A")
        r = self.call("DELETE", self.zone_path("other.test") + "/records/" + oid, ONE, token=self.acme)
        self.assertRefused(r, other, zone="other.test")
        # Reads stay open to its scopes.
        self.list_page("example.com", token=self.acme)

    def test_ttl_joining_and_a_second_value(self):
        self.acme_txt("_acme-challenge.two", "first", ttl=120)
        r = self.acme_txt("_acme-challenge.two", "second")
        self.assertEqual(r.data["record"]["ttl"], 120, "an omitted TTL joins the RRset's")
        r = self.call("DELETE", self.zone_path("example.com") + "/records" +
                      query(name="_acme-challenge.two", type="TXT", all="true"), RECS, token=self.acme, expect=200)
        self.assertEqual(len(r.data["deleted"]), 2, r)

    # -- batch ------------------------------------------------------------------------------

    def test_batch_inside_and_outside(self):
        r = self.call("POST", self.zone_path("example.com") + "/records/batch", BATCH, token=self.acme, body={
            "posts": [{"name": "_acme-challenge.b1", "type": "TXT", "content": "one"},
                      {"name": "_acme-challenge.b2", "type": "TXT", "content": "two"}]}, expect=200)
        ids = [x["id"] for x in r.data["created"]]
        r = self.call("POST", self.zone_path("example.com") + "/records/batch", BATCH, token=self.acme, body={
            "deletes": [{"id": ids[0]}], "patches": [{"id": ids[1], "content": "two-b"}],
            "posts": [{"name": "_acme-challenge.b3", "type": "TXT", "content": "three"}]}, expect=200)
        b3 = r.data["created"][0]["id"]
        www = self.id_of("example.com", "www", "A")
        before = self.snapshot("example.com")
        for body, index, why in (
                ({"posts": [{"name": "_acme-challenge.b4", "type": "TXT", "content": "ok"},
                            {"name": "www", "type": "TXT", "content": "no"}]}, 1, "a post outside"),
                ({"deletes": [{"id": b3}, {"id": www}]}, 1, "a delete outside"),
                ({"patches": [{"id": www, "ttl": 300}]}, 0, "a patch outside"),
                ({"deletes": [{"id": b3}],
                  "posts": [{"name": "_acme-challenge.b3", "type": "A", "content": "192.0.2.3"}]}, 0,
                 "an A where the TXT was")):
            with self.subTest(why=why):
                r = self.call("POST", self.zone_path("example.com") + "/records/batch", BATCH, token=self.acme,
                              body=body)
                self.assertRefused(r, before, what=why)
                self.assertIn(index, [d.get("index") for d in r.error.get("details", [])], r)
        r = self.call("POST", self.zone_path("example.com") + "/records/batch?dry_run=true", BATCH,
                      token=self.acme, body={"posts": [{"name": "www", "type": "TXT", "content": "no"}]})
        self.assertRefused(r, before, what="dry run")

    # -- import -----------------------------------------------------------------------------

    def import_(self, text, mode=None, token=None):
        return self.call("POST", self.zone_path("example.com") + "/import" + query(mode=mode), IMPORT,
                         raw=text.encode(), headers={"Content-Type": "text/dns"},
                         token=self.acme if token is None else token)

    def test_import_inside_and_outside(self):
        r = self.import_("_acme-challenge.imp 300 IN TXT \"imported\"\n"
                         "_acme-challenge.imp.deeper.example.com. 300 IN TXT \"imported too\"\n")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["added"], 2, r)
        # Lines it may not write refuse the whole import; the SOA and apex NS are skipped as always.
        before = self.snapshot("example.com")
        for text, why in (("_acme-challenge.imp2 300 IN TXT \"ok\"\nwww2 300 IN A 192.0.2.5\n", "an A"),
                          ("mail 300 IN TXT \"v=spf1 -all\"\n", "a TXT elsewhere"),
                          ("_acme-challenge 300 IN AAAA 2001:db8::1\n", "an AAAA at the name")):
            with self.subTest(why=why):
                self.assertRefused(self.import_(text), before, what=why)
        # replace would delete every record outside the file, which the policy does not allow
        r = self.import_("_acme-challenge.imp 300 IN TXT \"imported\"\n", mode="replace")
        self.assertRefused(r, before, what="replace")

    # -- zones ------------------------------------------------------------------------------

    def test_zones_cannot_be_created_or_deleted(self):
        zones = self.stack.sql("SELECT string_agg(name, ' ' ORDER BY name) FROM zones")
        r = self.call("POST", "/v1/zones", "/v1/zones", token=self.acme, body={"name": "new.test"})
        self.assertError(r, 403, "insufficient_scope")
        zone = self.get_zone("other.test")
        for key in ("other.test", "example.com", zone["id"]):
            with self.subTest(zone=key):
                r = self.call("DELETE", "/v1/zones/" + key, "/v1/zones/{zone}", token=self.acme)
                self.assertError(r, 403, "insufficient_scope")
        self.assertEqual(self.stack.sql("SELECT string_agg(name, ' ' ORDER BY name) FROM zones"), zones)
        # A policy that writes a whole zone may create and delete it.
        r = self.call("POST", "/v1/tokens", "/v1/tokens", body={
            "name": "zone-owner", "scopes": ["zones:write", "records:write"],
            "policies": [{"zone": "owned.test", "write": True}]}, expect=201)
        owner = r.data["secret"]
        self.create_zone("owned.test", token=owner)
        r = self.create_record("owned.test", {"name": "www", "type": "A", "content": "192.0.2.4"}, token=owner)
        self.call("DELETE", "/v1/zones/owned.test", "/v1/zones/{zone}", token=owner, expect=200)
        r = self.call("POST", "/v1/zones", "/v1/zones", token=owner, body={"name": "not-owned.test"})
        self.assertError(r, 403, "insufficient_scope")

    # -- read-only policies ---------------------------------------------------------------------

    def test_write_false_allows_no_write(self):
        r = self.call("POST", "/v1/tokens", "/v1/tokens", body={
            "name": "look", "scopes": ["records:read", "records:write"],
            "policies": [{"zone": "example.com", "write": False}]}, expect=201)
        look = r.data["secret"]
        self.list_page("example.com", token=look)
        before = self.snapshot("example.com")
        r = self.create_record("example.com", {"name": "_acme-challenge", "type": "TXT", "content": "x"},
                               token=look, expect=403)
        self.assertRefused(r, before)

    # -- what it may grant ------------------------------------------------------------------

    def test_grants_within_its_policies(self):
        count = self.stack.sql("SELECT count(*) FROM tokens")
        for pol in (None, [{"zone": "example.com", "type": "TXT", "write": True}],
                    [{"zone": "example.com", "write": True}], [{"write": True}],
                    [{"zone": "other.test", "name": "_acme-challenge.**", "type": "TXT", "write": True}]):
            with self.subTest(policies=pol):
                body = {"name": "child", "scopes": ["records:write"]}
                if pol is not None:
                    body["policies"] = pol
                r = self.call("POST", "/v1/tokens", "/v1/tokens", token=self.acme, body=body)
                self.assertError(r, 403, "insufficient_scope")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM tokens"), count)
        r = self.call("POST", "/v1/tokens", "/v1/tokens", token=self.acme, body={
            "name": "child", "scopes": ["records:write"], "zones": ["example.com"],
            "policies": [{"zone": "example.com.", "name": "_acme-challenge.**.example.com.", "type": "txt",
                          "write": False}]}, expect=201)
        child = r.data["secret"]
        before = self.snapshot("example.com")
        r = self.create_record("example.com", {"name": "_acme-challenge", "type": "TXT", "content": "x"},
                               token=child, expect=403)
        self.assertRefused(r, before)
        self.assertEqual(jwt_claims(child)["policies"][0]["write"], False)

    def test_token_policy_validation(self):
        count = self.stack.sql("SELECT count(*) FROM tokens")
        for pol, code in (("TXT", "wrong_type"), ([], "wrong_type"), ([{"zone": "example.com"}], "missing_field"),
                          ([{"write": True, "zones": "x"}], "unknown_field"),
                          ([{"name": "relative", "write": True}], "bad_policy_name"),
                          ([{"type": "BOGUS", "write": True}], "unsupported_type")):
            with self.subTest(policies=pol):
                r = self.call("POST", "/v1/tokens", "/v1/tokens",
                              body={"name": "v", "scopes": ["records:write"], "policies": pol})
                self.assertError(r, 422, "validation_failed", code, "policies")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM tokens"), count)

    # -- the audit trail --------------------------------------------------------------------

    def test_changes_name_the_token_and_no_key(self):
        self.acme_txt("_acme-challenge.audit", "audited")
        r = self.call("GET", "/v1/zones/example.com/changes?limit=1000", "/v1/zones/{zone}/changes", expect=200)
        mine = [c for c in r.data["changes"] if c["name"] == "_acme-challenge.audit.example.com."]
        self.assertEqual(len(mine), 1, r)
        self.assertEqual(mine[0]["token_id"], self.acme_token["id"])
        self.assertIn("tsig_key_id", mine[0])
        self.assertIsNone(mine[0]["tsig_key_id"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
