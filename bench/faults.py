"""Long fault runs (bench/faults.sh builds the Release binary and calls
this): a mixed-load soak with RSS and 5xx recorded over time, PostgreSQL
restarted (fast, immediate) and hung under write load round after round
with every acknowledged write checked, and zonegen SIGKILLed mid-write
hundreds of times with every file it leaves checked by nsd-checkzone.
Everything runs on a PostgreSQL cluster of its own, as the serving and
zonegen roles. Prints one result line per part and appends them to
--results; exits 1 when any part found a fault. Bounded in count and time.

    /usr/bin/python3 bench/faults.py [--soak SECONDS] [--clients N] [--soak-records N]
        [--db-rounds N] [--hang SECONDS] [--kills N] [--records N] [--results FILE]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))
import faults  # noqa: E402
from harness import Stack, conninfo_format, tport  # noqa: E402

API_PORT = 18135
PG_PORT = tport(15446)


def log(line, results):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(line, flush=True)
    if results:
        with open(results, "a") as f:
            f.write("%s %s\n" % (stamp, line))


def zone_records(stack, zone):
    """How many records the zone holds now (the database's count)."""
    out = stack.sql("SELECT count(*) FROM records r JOIN zones z ON z.id = r.zone_id WHERE z.name = '%s.'" % zone)
    return int(out.strip() or 0)


def soak(stack, token, seconds, clients, max_records, results):
    """max_records (0: no bound) caps the records the clients keep between
    them; the zone then stops growing after its first minutes."""
    stack.request("POST", "/v1/zones", token=token, body={"name": "soak.test"})
    stats = faults.Stats()
    stop = threading.Event()
    sampler = faults.RssSampler(stack.proc.pid, interval=5.0)
    sampler.start()
    threads = [faults.MixedClient(stack.port, token, "soak.test", "c%d" % i, stats, stop,
                                  max_requests=10 ** 8, seed=i,
                                  max_records=(max_records // clients) if max_records else None)
               for i in range(clients)]
    # 5xx and the zone's size per minute, sampled from the running counts
    per_minute = []
    sizes = []
    t0 = time.monotonic()
    for t in threads:
        t.start()
    last = 0
    while time.monotonic() - t0 < seconds and any(t.is_alive() for t in threads):
        time.sleep(min(60.0, max(0.1, seconds - (time.monotonic() - t0))))
        now = stats.count_5xx()
        per_minute.append(now - last)
        last = now
        sizes.append(zone_records(stack, "soak.test"))
    stop.set()
    for t in threads:
        t.join(timeout=120)
    sampler.stop()
    kept = set(stats.created) - stats.deleted
    lost = faults.missing_records(stack.sql, kept)
    undone = faults.present_records(stack.sql, stats.deleted)
    rss = [round(v / 1024, 1) for _, v in sampler.samples[::12]]  # one a minute
    ok = not lost and not undone and stats.count_5xx() == 0 and not stats.server_errors() and stack.alive()
    log("soak seconds=%d clients=%d max_records=%s requests=%d rps=%.0f 5xx=%d no_answer=%d lost=%d undone=%d %s "
        "rss_mb_per_minute=%s zone_records_per_minute=%s 5xx_per_minute=%s statuses=%s result=%s"
        % (seconds, clients, max_records or "none", stats.requests, stats.requests / max(seconds, 1),
           stats.count_5xx(), stats.by_status.get(0, 0), len(lost), len(undone),
           " ".join("%s=%s" % kv for kv in sampler.summary().items()), rss, sizes, per_minute,
           json.dumps(dict(sorted(stats.by_status.items()))), "ok" if ok else "FAILED"), results)
    return ok


def db_faults(stack, token, cluster, rounds, hang, results):
    stack.request("POST", "/v1/zones", token=token, body={"name": "faults.test"})
    ok = True
    for kind in ("fast", "immediate", "hang"):
        acked = unacked = kept_anyway = lost_total = 0
        statuses = {}
        worst_recovery = 0.0
        failures = []
        for r in range(rounds):
            stats = faults.Stats()
            stop = threading.Event()
            writers = [faults.Writer(stack.port, token, "faults.test", "%s%d-w%d" % (kind, r, i), stats, stop,
                                     max_requests=10 ** 6) for i in range(8)]
            for w in writers:
                w.start()
            time.sleep(3)
            if kind == "hang":
                cluster.hang(hang)
            else:
                cluster.restart(kind)
            recovered = faults.wait_for_write(stack.port, token, "faults.test", 120)
            time.sleep(3)
            stop.set()
            for w in writers:
                w.join(timeout=120)
            lost = faults.missing_records(stack.sql, stats.created)
            acked += len(stats.created)
            lost_total += len(lost)
            unacked += len(stats.unacked)
            if stats.unacked:
                names = ",".join("%s.faults.test." % n for n in stats.unacked[:20000])
                kept_anyway += int(stack.sql("SELECT count(*) FROM records WHERE name = ANY('{%s}')" % names))
            for s, n in stats.by_status.items():
                statuses[s] = statuses.get(s, 0) + n
            worst_recovery = max(worst_recovery, recovered if recovered is not None else 1e9)
            bad = set(stats.by_status) - {201, 503}
            if lost or bad or recovered is None or any(w.is_alive() for w in writers) or not stack.alive():
                failures.append({"round": r, "lost": len(lost), "bad_statuses": sorted(bad),
                                 "recovered": recovered})
        good = not failures
        ok = ok and good
        log("db_%s rounds=%d%s acknowledged=%d lost=%d unacknowledged=%d written_anyway=%d "
            "worst_recovery_s=%.1f statuses=%s failures=%s result=%s"
            % (kind, rounds, " hang_s=%.0f" % hang if kind == "hang" else "", acked, lost_total, unacked,
               kept_anyway,
               worst_recovery, json.dumps(dict(sorted(statuses.items()))), json.dumps(failures),
               "ok" if good else "FAILED"), results)
    return ok


def zonegen_kills(stack, token, kills, records, results):
    zone_dir = os.path.join(stack.tmpdir, "zones")
    os.makedirs(zone_dir, exist_ok=True)
    zlog = open(os.path.join(stack.tmpdir, "zonegen.log"), "ab")
    zones = ("kill.test.", "small.test.")
    for z in zones:
        stack.request("POST", "/v1/zones", token=token, body={"name": z.rstrip(".")})
    stack.sql("INSERT INTO records (zone_id, account_id, name, type, content, ttl)"
              " SELECT z.id, z.account_id, 'h' || g || '.kill.test.', 'TXT', 'record number ' || g, 300"
              " FROM zones z, generate_series(1, %d) g WHERE z.name = 'kill.test.'" % records)
    env = stack.base_env()
    env["DNSAPI_DATABASE_URL"] = conninfo_format(dict(stack.db_params, user=Stack.ZONEGEN_ROLE))
    env["DNSAPI_ZONE_DIR"] = zone_dir

    def start(*args):
        return subprocess.Popen([stack.binary, "zonegen"] + list(args), env=env, stdin=subprocess.DEVNULL,
                                stdout=zlog, stderr=subprocess.STDOUT)

    t0 = time.monotonic()
    assert start("--once").wait(timeout=900) == 0
    write_seconds = time.monotonic() - t0
    expect = {z: faults.zone_file_summary(os.path.join(zone_dir, z + "zone")) for z in zones}
    n = [0]

    def make_dirty():
        n[0] += 1
        stack.request("POST", "/v1/zones/kill.test/records", token=token,
                      body={"name": "round-%d" % n[0], "type": "A", "content": "192.0.2.9"})

    def verify(zone, path):
        serial, count = faults.zone_file_summary(path)
        base_serial, base_count = expect[zone]
        if serial is None or count != base_count + (serial - base_serial):
            return "%s: serial %s, %d records" % (path, serial, count)
        return None

    out = faults.kill_loop(start, make_dirty, zone_dir, zones, kills, write_seconds, limit_seconds=6 * 3600,
                           verify=verify)
    final = start("--once").wait(timeout=900)
    files, temps = faults.zone_dir_state(zone_dir)
    checks = [faults.checkzone(z, os.path.join(zone_dir, z + "zone"))[0] for z in zones]
    ok = (not out["bad_files"] and out["kills"] == kills and final == 0 and not temps and all(checks))
    log("zonegen_kill kills=%d records=%d write_s=%.2f mid_write=%d files_checked=%d bad_files=%d "
        "final_run=%d temps_left=%d result=%s"
        % (out["kills"], records, write_seconds, out["mid_write"], out["files_checked"], len(out["bad_files"]),
           final, len(temps), "ok" if ok else "FAILED"), results)
    for f, text in out["bad_files"][:5]:
        log("  bad file %s: %s" % (f, text), results)
    zlog.close()
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--soak", type=int, default=600, help="soak seconds (600)")
    ap.add_argument("--clients", type=int, default=16, help="soak clients (16)")
    ap.add_argument("--soak-records", type=int, default=0,
                    help="records the soak's clients keep at most between them (0: no bound)")
    ap.add_argument("--db-rounds", type=int, default=10, help="rounds of each database fault (10)")
    ap.add_argument("--hang", type=float, default=20.0, help="seconds of each hang (20)")
    ap.add_argument("--kills", type=int, default=200, help="zonegen kills (200)")
    ap.add_argument("--records", type=int, default=50000, help="records in the killed zone (50000)")
    ap.add_argument("--only", default="soak,db,zonegen", help="parts to run (soak,db,zonegen)")
    ap.add_argument("--results", default="", help="file to append the result lines to")
    args = ap.parse_args()
    parts = set(args.only.split(","))

    tmp = tempfile.mkdtemp(prefix="dnsapi-faults-")
    os.chmod(tmp, 0o755)
    cluster = faults.Cluster(os.path.join(tmp, "pg"), PG_PORT).start()
    os.environ["DNSAPI_TEST_DATABASE_URL"] = cluster.url
    stack = Stack("faults", API_PORT, env={"DNSAPI_THREADS": "2"})
    ok = True
    try:
        stack.start()
        token = stack.token()
        commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        log("faults: commit %s, binary %s, %d cores" % (commit, stack.binary, os.cpu_count()), args.results)
        if "soak" in parts:
            ok = soak(stack, token, args.soak, args.clients, args.soak_records, args.results) and ok
        if "db" in parts:
            ok = db_faults(stack, token, cluster, args.db_rounds, args.hang, args.results) and ok
        if "zonegen" in parts:
            ok = zonegen_kills(stack, token, args.kills, args.records, args.results) and ok
    finally:
        alive = stack.alive()
        stack.stop(keep_log=not ok or not alive)
        cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok and alive else 1


if __name__ == "__main__":
    sys.exit(main())
