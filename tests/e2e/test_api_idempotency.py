"""End-to-end: Idempotency-Key on POST - a retry replays the first answer and
writes nothing; the same key for another request is refused; concurrent
retries never write twice; failed requests keep no key; keys are per
account and expire; token minting refuses a key."""

import os
import re
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

ZONE = "idem.test"
RECORDS = "/v1/zones/{zone}/records"


class IdempotencyTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "idempotency"
    STACK_PORT = 18111

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": ZONE})
        assert r.status == 201, r

    def post_record(self, body, key, token=None, expect=None):
        return self.call("POST", "/v1/zones/%s/records" % ZONE, RECORDS, body=body,
                         headers={"Idempotency-Key": key}, expect=expect,
                         **({"token": token} if token else {}))

    def keys_sql(self, key):
        return self.stack.sql("SELECT count(*) || ' ' || coalesce(max(status), 0) FROM idempotency_keys "
                              "WHERE key = '%s'" % key.replace("'", "''"))

    def test_retry_replays_the_first_answer(self):
        body = {"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 300}
        first = self.post_record(body, "key-retry-1", expect=201)
        self.assertNotIn("Idempotent-Replayed", first.headers)
        before = self.snapshot(ZONE)
        for _ in range(3):
            again = self.post_record(body, "key-retry-1", expect=201)
            self.assertEqual(again.body, first.body, "the same answer, byte for byte")
            self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertUnchanged(ZONE, before, "after replays")
        self.assertEqual(self.keys_sql("key-retry-1"), "1 201")
        # Without the key the same body is a new request: a duplicate record.
        self.assertError(self.call("POST", "/v1/zones/%s/records" % ZONE, RECORDS, body=body), 409, "duplicate")

    def test_same_key_other_request_is_refused(self):
        self.post_record({"name": "a", "type": "A", "content": "192.0.2.2"}, "key-reuse", expect=201)
        before = self.snapshot(ZONE)
        for body in ({"name": "a", "type": "A", "content": "192.0.2.3"},
                     {"name": "b", "type": "A", "content": "192.0.2.2"}):
            with self.subTest(body=body):
                r = self.post_record(body, "key-reuse")
                self.assertError(r, 422, "validation_failed", "idempotency_key_reused", "Idempotency-Key")
        # the same key on another endpoint is another request too
        r = self.call("POST", "/v1/zones", "/v1/zones", body={"name": "other-idem.test"},
                      headers={"Idempotency-Key": "key-reuse"})
        self.assertError(r, 422, "validation_failed", "idempotency_key_reused", "Idempotency-Key")
        self.assertUnchanged(ZONE, before)
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones WHERE name = 'other-idem.test.'"), "0")

    def test_failed_request_keeps_no_key(self):
        before = self.snapshot(ZONE)
        bad = {"name": "bad", "type": "A", "content": "999.1.1.1"}
        for _ in range(2):
            r = self.post_record(bad, "key-failed")
            self.assertError(r, 422, "validation_failed")
        self.assertEqual(self.keys_sql("key-failed"), "0 0", "nothing stored for a failed request")
        # a rule refused after the lookups: nothing either
        self.post_record({"name": "cn", "type": "CNAME", "content": "t.idem.test"}, "key-cname-1", expect=201)
        r = self.post_record({"name": "cn", "type": "A", "content": "192.0.2.9"}, "key-cname-2")
        self.assertEqual(r.status, 409, repr(r))
        self.assertEqual(self.keys_sql("key-cname-2"), "0 0")
        before = self.snapshot(ZONE)
        r = self.post_record({"name": "cn2", "type": "A", "content": "192.0.2.9"}, "key-failed", expect=201)
        self.assertEqual(self.get_zone(ZONE)["serial"], before["serial"] + 1, "the key is free for a new request")

    def test_bad_keys(self):
        before = self.snapshot(ZONE)
        for key in ("", "x" * 256, "caf\u00e9"):
            with self.subTest(key=key[:10]):
                r = self.stack.request("POST", "/v1/zones/%s/records" % ZONE, token=self.token,
                                       body={"name": "k", "type": "A", "content": "192.0.2.1"},
                                       headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")})
                self.assertError(r, 422, "validation_failed", "bad_idempotency_key", "Idempotency-Key")
        self.assertUnchanged(ZONE, before)

    def test_zone_create(self):
        first = self.call("POST", "/v1/zones", "/v1/zones", body={"name": "zone-idem.test"},
                          headers={"Idempotency-Key": "zone-key"}, expect=201)
        again = self.call("POST", "/v1/zones", "/v1/zones", body={"name": "zone-idem.test"},
                          headers={"Idempotency-Key": "zone-key"}, expect=201)
        self.assertEqual(again.body, first.body)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM zones WHERE name = 'zone-idem.test.'"), "1")
        # a refused zone (another account's zone above it) keeps no key
        self.stack.account("idem-other")
        other = self.stack.token(account="idem-other")
        self.call("POST", "/v1/zones", "/v1/zones", token=other, body={"name": "taken-idem.test"}, expect=201)
        for _ in range(2):
            r = self.call("POST", "/v1/zones", "/v1/zones", body={"name": "sub.taken-idem.test"},
                          headers={"Idempotency-Key": "zone-key-2"})
            self.assertError(r, 409, "zone_exists")
        self.assertEqual(self.keys_sql("zone-key-2"), "0 0")

    def test_keys_are_per_account(self):
        self.stack.account("idem-acct")
        other = self.stack.token(account="idem-acct")
        self.call("POST", "/v1/zones", "/v1/zones", token=other, body={"name": "acct-idem.test"},
                  headers={"Idempotency-Key": "shared-key"}, expect=201)
        r = self.call("POST", "/v1/zones", "/v1/zones", body={"name": "acct2-idem.test"},
                      headers={"Idempotency-Key": "shared-key"}, expect=201)
        self.assertNotIn("Idempotent-Replayed", r.headers)
        self.assertEqual(self.keys_sql("shared-key"), "2 201")

    def test_concurrent_retries_write_once(self):
        body = {"name": "race", "type": "TXT", "content": "one write only"}
        before = self.get_zone(ZONE)["serial"]
        results = []

        def send():
            results.append(self.stack.request("POST", "/v1/zones/%s/records" % ZONE, token=self.token,
                                              body=body, headers={"Idempotency-Key": "race-key"}))
        threads = [threading.Thread(target=send) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r.status for r in results)
        self.assertTrue(set(statuses) <= {201, 409}, statuses)
        self.assertIn(201, statuses)
        for r in results:
            if r.status == 409:
                self.assertEqual(r.error_code, "idempotency_key_in_use", repr(r))
        created = {r.json["data"]["record"]["id"] for r in results if r.status == 201}
        self.assertEqual(len(created), 1, "every 201 names the same record")
        self.assertEqual(self.get_zone(ZONE)["serial"], before + 1, "one write")
        self.assertEqual(len(self.list_records(ZONE, name="race")), 1)
        # once settled, a retry replays
        again = self.post_record(body, "race-key", expect=201)
        self.assertEqual(again.json["data"]["record"]["id"], created.pop())

    def db_rounds(self):
        text = self.call("GET", "/metrics", "/metrics", token=None, expect=200).body.decode()
        return int(re.search(r"^dnsapi_db_rounds_total (\d+)$", text, re.M).group(1))

    def test_a_key_costs_one_database_round(self):
        """A create is two rounds (the look, the write with its commit); with
        an Idempotency-Key the answer is stored and committed in one more."""
        plain, keyed = [], []
        for i in range(3):
            r0 = self.db_rounds()
            self.call("POST", "/v1/zones/%s/records" % ZONE, RECORDS,
                      body={"name": "rounds%d" % i, "type": "A", "content": "192.0.2.9"}, expect=201)
            r1 = self.db_rounds()
            self.post_record({"name": "rounds-key%d" % i, "type": "A", "content": "192.0.2.9"},
                             "rounds-%d" % i, expect=201)
            r2 = self.db_rounds()
            plain.append(r1 - r0)
            keyed.append(r2 - r1)
        self.assertEqual(plain, [2, 2, 2])
        self.assertEqual(keyed, [3, 3, 3])

    def test_a_delete_by_id_costs_two_rounds(self):
        """A delete by id reads the record with what its rules need (the
        records at its name, the NS records pointing at it) in the first
        round and writes in the second, however deep its name; a patch at
        the apex's level is two rounds too."""
        deep = "_acme-challenge.a.b.c"
        ids = []
        for name, type_, content in ((deep, "TXT", "token"), ("host.b.c", "AAAA", "2001:db8::1"),
                                     ("rounds-del", "A", "192.0.2.9")):
            r = self.call("POST", "/v1/zones/%s/records" % ZONE, RECORDS,
                          body={"name": name, "type": type_, "content": content}, expect=201)
            ids.append(r.json["data"]["record"]["id"])
        r0 = self.db_rounds()
        self.call("PATCH", "/v1/zones/%s/records/%s" % (ZONE, ids[2]), "/v1/zones/{zone}/records/{id}",
                  body={"content": "192.0.2.10"}, expect=200)
        patched = self.db_rounds() - r0
        deletes = []
        for rid in ids:
            r0 = self.db_rounds()
            self.call("DELETE", "/v1/zones/%s/records/%s" % (ZONE, rid), "/v1/zones/{zone}/records/{id}",
                      expect=200)
            deletes.append(self.db_rounds() - r0)
        self.assertEqual(patched, 2)
        self.assertEqual(deletes, [2, 2, 2])
        self.assertEqual(self.list_records(ZONE, name=deep), [])

    def test_expired_key_is_forgotten(self):
        body = {"name": "old", "type": "A", "content": "192.0.2.50"}
        self.post_record(body, "old-key", expect=201)
        self.stack.sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' "
                       "WHERE key = 'old-key'")
        r = self.post_record(body, "old-key")
        self.assertError(r, 409, "duplicate")  # ran again: the record exists
        # forgotten: another request may take the key over, and keeps it
        other = {"name": "new", "type": "A", "content": "192.0.2.51"}
        first = self.post_record(other, "old-key", expect=201)
        again = self.post_record(other, "old-key", expect=201)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json["data"]["record"]["id"], first.json["data"]["record"]["id"])
        self.assertEqual(self.keys_sql("old-key"), "1 201", "the key holds the new answer")

    def test_token_create_refuses_a_key(self):
        n = self.stack.sql("SELECT count(*) FROM tokens")
        r = self.call("POST", "/v1/tokens", "/v1/tokens", body={"name": "k", "scopes": ["records:read"]},
                      headers={"Idempotency-Key": "tok-key"})
        self.assertError(r, 422, "validation_failed", "idempotency_not_supported", "Idempotency-Key")
        self.assertEqual(self.stack.sql("SELECT count(*) FROM tokens"), n)


if __name__ == "__main__":
    unittest.main(verbosity=2)
