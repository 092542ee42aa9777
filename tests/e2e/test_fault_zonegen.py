"""End-to-end fault test, short: `dnsapi zonegen` (as the zonegen role)
SIGKILLed again and again while it writes a zone of many records, with the
zone changed before every round. After every kill each zone file in its
directory must load in nsd-checkzone (a name server never sees half a
file), and some kills must have landed mid-write (a temporary file left
behind), or the test proved nothing. A last clean run then writes the zone
whole, removes the temporaries the killed runs left, and records the
serial. bench/faults.py kills it hundreds of times.

DNSAPI_FAULT_ZONEGEN_KILLS (default 20) and DNSAPI_FAULT_ZONEGEN_RECORDS
(20000) size it."""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
from harness import ApiTestCase, Stack, ZoneHelpers, conninfo_format  # noqa: E402

KILLS = int(os.environ.get("DNSAPI_FAULT_ZONEGEN_KILLS", "20"))
RECORDS = int(os.environ.get("DNSAPI_FAULT_ZONEGEN_RECORDS", "20000"))
ZONES = ("kill.test.", "small.test.")


class ZonegenKillTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "fault_zonegen"
    STACK_PORT = 18133

    def zonegen_env(self):
        env = self.stack.base_env()
        env["DNSAPI_DATABASE_URL"] = conninfo_format(dict(self.stack.db_params, user=Stack.ZONEGEN_ROLE))
        env["DNSAPI_ZONE_DIR"] = self.zone_dir
        return env

    def start_zonegen(self, *args):
        return subprocess.Popen([self.stack.binary, "zonegen"] + list(args), env=self.zonegen_env(),
                                stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def test_killed_zonegen_never_leaves_a_bad_file(self):
        self.zone_dir = os.path.join(self.stack.tmpdir, "zones")
        os.makedirs(self.zone_dir, exist_ok=True)
        self.log = open(os.path.join(self.stack.tmpdir, "zonegen.log"), "ab")
        for z in ZONES:
            self.create_zone(z.rstrip("."))
        self.stack.sql("INSERT INTO records (zone_id, account_id, name, type, content, ttl)"
                       " SELECT z.id, z.account_id, 'h' || g || '.kill.test.', 'TXT',"
                       " 'record number ' || g || ' of the zone', 300"
                       " FROM zones z, generate_series(1, %d) g WHERE z.name = 'kill.test.'" % RECORDS)
        t0 = time.monotonic()
        first = self.start_zonegen("--once")
        self.assertEqual(first.wait(timeout=600), 0, "the first zonegen --once failed")
        write_seconds = time.monotonic() - t0
        n = [0]
        # A whole file of kill.test. holds base_count records at base_serial
        # and one more for every round since (make_dirty adds one record, one
        # serial step); small.test. never changes.
        expect = {}
        for z in ZONES:
            expect[z] = faults.zone_file_summary(os.path.join(self.zone_dir, z + "zone"))

        def verify(zone, path):
            serial, count = faults.zone_file_summary(path)
            base_serial, base_count = expect[zone]
            if serial is None or count != base_count + (serial - base_serial):
                return "%s: serial %s with %d records, a whole file has %d" % (
                    path, serial, count, base_count + ((serial or base_serial) - base_serial))
            return None

        def make_dirty():
            n[0] += 1
            self.create_record("kill.test", {"name": "round-%d" % n[0], "type": "A", "content": "192.0.2.9"})

        out = faults.kill_loop(self.start_zonegen, make_dirty, self.zone_dir, ZONES, KILLS, write_seconds,
                               limit_seconds=900, verify=verify)
        sys.stderr.write("zonegen kills: %r (one write took %.2f s)\n" % (out, write_seconds))
        self.assertEqual(out["kills"], KILLS)
        self.assertEqual(out["bad_files"], [], "files a name server would refuse")
        self.assertGreater(out["files_checked"], 0)
        self.assertGreater(out["mid_write"], 0, "no kill landed while a file was being written")

        last = self.start_zonegen("--once")
        self.assertEqual(last.wait(timeout=600), 0, "the last zonegen --once failed")
        files, temps = faults.zone_dir_state(self.zone_dir)
        self.assertEqual(sorted(files), sorted(z + "zone" for z in ZONES))
        self.assertEqual(temps, [], "temporary files left by killed runs were not removed")
        for z in ZONES:
            path = os.path.join(self.zone_dir, z + "zone")
            ok, text = faults.checkzone(z, path)
            self.assertTrue(ok, text)
            with open(path) as f:
                lines = [l for l in f if l.strip() and not l.startswith((";", "$"))]
            self.assertEqual(len(lines), int(self.stack.sql(
                "SELECT count(*) FROM records r JOIN zones z ON z.id = r.zone_id"
                " WHERE z.name = '%s' AND NOT r.disabled" % z)))
        self.assertEqual(self.stack.sql("SELECT bool_and(exported_serial = serial) FROM zones"), "t")
        self.log.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
