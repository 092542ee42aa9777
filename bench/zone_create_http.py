#!/usr/bin/python3
"""Zone creation rate through the HTTP API with many zones present.

Starts one fresh database and `dnsapi serve` (tests/e2e/harness.py, 2
event-loop threads) per count in --present, and fills each with that many
zones of another account (by SQL, each with its system records). Then, in
--rounds rounds that alternate between the databases (so that the machine's
load falls on each alike), creates --zones zones of its own in each with
`POST /v1/zones` at --concurrency connections and prints the rate. The tree
rule runs for every create, against every zone present.

  DNSAPI_TEST_DATABASE_URL='host=127.0.0.1 port=15399 user=postgres dbname=postgres' \\
  DNSAPI_BINARY=build-rel/dnsapi /usr/bin/python3 bench/zone_create_http.py
"""

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import harness  # noqa: E402
from fleet_zones import create_zones  # noqa: E402

API_PORT = 18168


def sql(stack, query, timeout=1800):
    """One statement as the superuser, without the harness's 60 s bound."""
    p = subprocess.run(["/usr/bin/psql", stack.db_url, "-X", "-qAt", "-v", "ON_ERROR_STOP=1",
                        "-c", query], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("psql: %s" % p.stderr.strip())
    return p.stdout.strip()


def add_other_zones(stack, upto):
    """Brings the other account's zone count to upto (by SQL, through the
    zone insert trigger that writes each zone's SOA and apex NS), in
    statements of 2,000 zones."""
    sql(stack, "INSERT INTO accounts (name) VALUES ('other') ON CONFLICT (name) DO NOTHING")
    have = int(sql(stack, "SELECT count(*) FROM zones z JOIN accounts a ON a.id = z.account_id "
                          "WHERE a.name = 'other'"))
    t0 = time.monotonic()
    while have < upto:
        n = min(2000, upto - have)
        sql(stack, "INSERT INTO zones (account_id, name, nameservers, hostmaster) "
                   "SELECT a.id, 'o' || g || '.other.test.', "
                   "'{ns1.other.example.,ns2.other.example.}', 'hostmaster.other.example.' "
                   "FROM accounts a, generate_series(%d, %d) g WHERE a.name = 'other'"
                   % (have, have + n - 1))
        have += n
    sql(stack, "VACUUM ANALYZE zones")
    sql(stack, "VACUUM ANALYZE records")
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--present", default="0,100000",
                    help="zone counts of the other account, comma-separated: one database each")
    ap.add_argument("--zones", type=int, default=1000, help="zones created per round")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    stacks = []
    try:
        for i, present in enumerate(int(p) for p in args.present.split(",")):
            stack = harness.Stack("zone_create_http_%d" % i, harness.tport(API_PORT + i),
                                  env={"DNSAPI_THREADS": "2"}).start()
            stacks.append((present, stack, stack.token(), []))
            took = add_other_zones(stack, present)
            print("database %d: the other account brought to %d zones by SQL in %.0f s"
                  % (i, present, took), flush=True)
        # rounds alternate between the databases, so that the machine's load
        # falls on each alike
        serial = 0
        for r in range(args.rounds):
            for present, stack, token, rates in stacks:
                names = ["c%d.mine.test." % (serial + i) for i in range(args.zones)]
                serial += args.zones
                t0 = time.monotonic()
                errors = create_zones(stack.port, token, names, args.concurrency)
                dt = time.monotonic() - t0
                if errors:
                    raise RuntimeError("%d creates failed, first: %r" % (len(errors), errors[0]))
                rates.append(args.zones / dt)
                print("round %d, %6d other zones: %.0f per s" % (r + 1, present, rates[-1]),
                      flush=True)
        base = sorted(stacks[0][3])[len(stacks[0][3]) // 2]
        for present, stack, token, rates in stacks:
            med = sorted(rates)[len(rates) // 2]
            print("other zones %7d (zones in all afterwards %s): %s per s at c=%d, %d per "
                  "round; median %.0f (%+.0f %% against the first)"
                  % (present, sql(stack, "SELECT count(*) FROM zones"),
                     ", ".join("%.0f" % x for x in rates), args.concurrency, args.zones, med,
                     100.0 * (med - base) / base), flush=True)
    finally:
        for _, stack, _, _ in stacks:
            stack.stop()


if __name__ == "__main__":
    main()
