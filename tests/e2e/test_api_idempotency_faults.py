"""End-to-end: an Idempotency-Key always replays a committed write and
leaves the key free after an uncommitted one, even when the answer is lost
on the way. The answer is stored under the key in the write's own
transaction; here the database is made slow at the last moment (a trigger
that sleeps on the statement that stores the answer, or on the insert) so
that the server gives up on the round (DNSAPI_DB_TIMEOUT) and answers 503
while PostgreSQL goes on - committing in the first case, rolling back when
the connection is gone in the second."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

Z = "idem-faults.test"
REC = "/v1/zones/{zone}/records"
SLEEP_FN = ("CREATE OR REPLACE FUNCTION t_sleep() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(2.5); RETURN NEW; END $$")


class IdempotencyFaultTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "idem_faults"
    STACK_PORT = 18118
    STACK_ENV = {"DNSAPI_DB_TIMEOUT": "1s"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": Z})
        cls.stack.sql(SLEEP_FN)

    def post(self, body, key):
        return self.call("POST", "/v1/zones/%s/records" % Z, REC, body=body,
                         headers={"Idempotency-Key": key}, allow_503=True)

    def records(self, name):
        return [x for x in self.list_records(Z, name=name)]

    def settle(self, name, want, seconds=15):
        """Waits (bounded) until the database has finished the abandoned
        transaction: its row locks are gone."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            busy = int(self.stack.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                                      "'%%pg_sleep%%' AND state <> 'idle' AND pid <> pg_backend_pid()"))
            if busy == 0:
                return
            time.sleep(0.2)
        self.fail("the slow transaction did not end")

    def test_answer_lost_after_commit_replays(self):
        self.stack.sql("CREATE TRIGGER t_slow_store AFTER UPDATE ON idempotency_keys FOR EACH ROW "
                       "WHEN (NEW.status <> 0) EXECUTE FUNCTION t_sleep()")
        try:
            s0 = self.get_zone(Z)["serial"]
            body = {"name": "lost", "type": "A", "content": "192.0.2.10"}
            r = self.post(body, "lost-after-commit")
            self.assertError(r, 503, "unavailable")
            self.settle("lost", 1)
        finally:
            self.stack.sql("DROP TRIGGER t_slow_store ON idempotency_keys")
        # it did commit: the retry replays it, nothing is written twice
        again = self.post(body, "lost-after-commit")
        self.assertEqual(again.status, 201, repr(again))
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        recs = self.records("lost")
        self.assertEqual(len(recs), 1)
        self.assertEqual(again.data["record"]["id"], recs[0]["id"])
        self.assertEqual(again.data["serial"], s0 + 1)
        self.assertEqual(self.get_zone(Z)["serial"], s0 + 1, "one write")

    def test_write_lost_before_commit_leaves_the_key_free(self):
        self.stack.sql("CREATE TRIGGER t_slow_insert AFTER INSERT ON records FOR EACH ROW "
                       "WHEN (NEW.name = 'uncommitted.%s.') EXECUTE FUNCTION t_sleep()" % Z)
        body = {"name": "uncommitted", "type": "A", "content": "192.0.2.11"}
        try:
            s0 = self.get_zone(Z)["serial"]
            r = self.post(body, "lost-before-commit")
            self.assertError(r, 503, "unavailable")
            self.settle("uncommitted", 0)
            self.assertEqual(self.records("uncommitted"), [], "nothing was committed")
            self.assertEqual(self.get_zone(Z)["serial"], s0)
            n = self.stack.sql("SELECT count(*) FROM idempotency_keys WHERE key = 'lost-before-commit'")
            self.assertEqual(n, "0", "the key is free")
        finally:
            self.stack.sql("DROP TRIGGER t_slow_insert ON records")
        again = self.post(body, "lost-before-commit")
        self.assertEqual(again.status, 201, repr(again))
        self.assertNotIn("Idempotent-Replayed", again.headers)
        self.assertEqual(len(self.records("uncommitted")), 1)
        self.assertEqual(self.get_zone(Z)["serial"], s0 + 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
