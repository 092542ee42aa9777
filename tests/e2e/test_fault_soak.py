"""End-to-end fault test, short: a mixed load (creates, reads, lists,
patches, deletes, batches, exports, and requests that must be refused) from
several clients for a bounded time. No answer may be a 5xx or missing, the
server must survive without leaking, and afterwards every acknowledged
create not acknowledged as deleted exists and every acknowledged delete is
gone. RSS and the answer counts are printed; bench/faults.py runs the long
version and bench/README.md records it.

DNSAPI_FAULT_SOAK_SECONDS (default 20) and DNSAPI_FAULT_SOAK_CLIENTS (8)
size it."""

import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
from harness import ApiTestCase, ZoneHelpers  # noqa: E402

SECONDS = float(os.environ.get("DNSAPI_FAULT_SOAK_SECONDS", "20"))
CLIENTS = int(os.environ.get("DNSAPI_FAULT_SOAK_CLIENTS", "8"))


class SoakTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "fault_soak"
    STACK_PORT = 18131

    def test_mixed_load_answers_without_5xx_and_keeps_every_write(self):
        self.create_zone("soak.test")
        stats = faults.Stats()
        stop = threading.Event()
        sampler = faults.RssSampler(self.stack.proc.pid)
        sampler.start()
        clients = [faults.MixedClient(self.stack.port, self.token, "soak.test", "c%d" % i, stats, stop,
                                      max_requests=200000, seed=i) for i in range(CLIENTS)]
        stuck = faults.run_threads(clients, SECONDS, stop)
        sampler.stop()
        summary = dict(sampler.summary(), requests=stats.requests, seconds=SECONDS, clients=CLIENTS,
                       statuses=dict(sorted(stats.by_status.items())))
        sys.stderr.write("soak: %r\n" % summary)

        self.assertEqual(stuck, [], "clients still waiting for an answer after the soak")
        self.assertTrue(self.stack.alive(), "dnsapi serve died under the soak")
        self.assertEqual(stats.server_errors(), {}, "answers that are server faults: %r" % summary)
        self.assertEqual(stats.count_5xx(), 0, "5xx answers: %r" % summary)
        self.assertGreater(stats.requests, CLIENTS * 10, "the soak hardly ran: %r" % summary)
        # refusals were among the answers, and so were successes
        self.assertTrue({400, 401, 404, 422} <= set(stats.by_status), summary)
        self.assertTrue({200, 201} <= set(stats.by_status), summary)

        kept = set(stats.created) - stats.deleted
        psql = self.stack.sql
        self.assertEqual(faults.missing_records(psql, kept), [], "acknowledged creates lost")
        self.assertEqual(faults.present_records(psql, stats.deleted), [], "acknowledged deletes undone")


if __name__ == "__main__":
    unittest.main(verbosity=2)
