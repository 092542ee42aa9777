"""End-to-end fault test, short: PostgreSQL restarted (fast, and immediate
like a crash) and hung (every server process SIGSTOPped past the API's
round timeout) while clients write. The API runs on a PostgreSQL cluster
of this test's own (fsync and synchronous commit on), reached as the
serving role. Through every fault each request gets an answer, which is
201 or 503 `unavailable`, never another 5xx; the API recovers by itself
within a bounded wait; and every acknowledged write is in the database
afterwards. bench/faults.py repeats the faults many times.

DNSAPI_FAULT_DB_HANG (seconds, default 12) sets the hang."""

import os
import shutil
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
from harness import Stack, require_env, tport  # noqa: E402

API_PORT = 18132
PG_PORT = tport(15445)
HANG = float(os.environ.get("DNSAPI_FAULT_DB_HANG", "12"))
WRITERS = 4
RECOVER = 60.0


class DatabaseFaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_env()
        cls.tmp = tempfile.mkdtemp(prefix="dnsapi-fault-db-")
        os.chmod(cls.tmp, 0o755)
        cls.cluster = faults.Cluster(os.path.join(cls.tmp, "pg"), PG_PORT).start()
        cls.saved_url = os.environ.get("DNSAPI_TEST_DATABASE_URL")
        os.environ["DNSAPI_TEST_DATABASE_URL"] = cls.cluster.url
        cls.stack = None
        try:
            # the hang must outlast a round: the e2e stacks' 60 s round
            # (harness.base_env) would wait the whole hang out
            cls.stack = Stack("fault_db", API_PORT, env={"DNSAPI_DB_TIMEOUT": "5s"})
            cls.stack.start()
            cls.token = cls.stack.token()
            r = cls.stack.request("POST", "/v1/zones", token=cls.token, body={"name": "faults.test"})
            assert r.status == 201, r
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.stack is not None:
                alive = cls.stack.alive()
                cls.stack.stop(keep_log=not alive)
                if not alive:
                    raise AssertionError("dnsapi serve died")
                if cls.stack.leaks:
                    raise AssertionError("dnsapi serve leaked memory:\n%s" % "\n".join(cls.stack.leaks[:3]))
        finally:
            if cls.saved_url is not None:
                os.environ["DNSAPI_TEST_DATABASE_URL"] = cls.saved_url
            cls.cluster.destroy()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def under_write_load(self, name, fault):
        stats = faults.Stats()
        stop = threading.Event()
        writers = [faults.Writer(self.stack.port, self.token, "faults.test", "%s-w%d" % (name, i), stats, stop,
                                 max_requests=100000) for i in range(WRITERS)]
        for w in writers:
            w.start()
        time.sleep(2)
        fault()
        recovered = faults.wait_for_write(self.stack.port, self.token, "faults.test", RECOVER)
        time.sleep(2)
        stop.set()
        for w in writers:
            w.join(timeout=60)
        lost = faults.missing_records(self.stack.sql, stats.created)
        unacked_kept = "0"
        if stats.unacked:
            unacked_kept = self.stack.sql("SELECT count(*) FROM records WHERE name = ANY('{%s}')"
                                          % ",".join("%s.faults.test." % n for n in stats.unacked[:5000]))
        sys.stderr.write("%s: acknowledged %d, not acknowledged %d (%s of them written anyway), answers %r, "
                         "recovered after %s s\n" % (name, len(stats.created), len(stats.unacked), unacked_kept,
                                                     dict(sorted(stats.by_status.items())),
                                                     None if recovered is None else round(recovered, 1)))
        self.assertEqual([w for w in writers if w.is_alive()], [], "writers still waiting for answers")
        self.assertTrue(self.stack.alive(), "dnsapi serve died")
        self.assertIsNotNone(recovered, "no write succeeded within %.0f s of the fault" % RECOVER)
        self.assertEqual(stats.server_errors(), {}, "answers other than 201/503: %r" % stats.by_status)
        self.assertEqual(set(stats.by_status) - {201, 503}, set(), stats.by_status)
        self.assertGreater(len(stats.created), 0)
        self.assertEqual(lost, [], "acknowledged writes lost")
        return stats

    def test_1_fast_restart(self):
        self.under_write_load("fast", lambda: self.cluster.restart("fast"))

    def test_2_immediate_restart(self):
        self.under_write_load("immediate", lambda: self.cluster.restart("immediate"))

    def test_3_hang(self):
        stats = self.under_write_load("hang", lambda: self.cluster.hang(HANG))
        self.assertIn(503, stats.by_status, "a %.0f s hang left no request unanswered by the database" % HANG)


if __name__ == "__main__":
    unittest.main(verbosity=2)
