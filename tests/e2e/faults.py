"""Fault injection for dnsapi: load drivers, a private PostgreSQL that can be
restarted and hung, and a zonegen that is killed mid-write.

Used by the short fault tests (tests/e2e/test_fault_*.py, in the test
command) and by the long runs (bench/faults.py, results in bench/README.md).
Every loop is bounded in count and in time; nothing here asserts a duration.

Python 3.11 standard library only.
"""

import http.client
import json
import os
import random
import re
import signal
import subprocess
import threading
import time

ROOT = os.environ.get("DNSAPI_SOURCE_DIR",
                      os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PG_SH = os.path.join(ROOT, "tests", "lib", "pg.sh")
PGBIN = "/usr/lib/postgresql/15/bin"
NSD_CHECKZONE = "/usr/sbin/nsd-checkzone"


# ---------------------------------------------------------------------------
# HTTP

class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port; reconnects after
    any error. request() returns (status, json or None); status 0 means no
    answer (connection refused, reset, or timed out)."""

    def __init__(self, port, token, timeout=30.0):
        self.port = port
        self.token = token
        self.timeout = timeout
        self.conn = None

    def request(self, method, path, body=None, raw=None, content_type="application/json",
                token=None):
        headers = {"Authorization": "Bearer " + (token or self.token)}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
        elif raw is not None:
            payload = raw
        if payload is not None or method in ("POST", "PATCH", "PUT"):
            headers["Content-Type"] = content_type
            headers["Content-Length"] = str(len(payload or b""))
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                self.conn.request(method, path, body=payload, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                try:
                    return r.status, json.loads(data) if data else None
                except ValueError:
                    return r.status, None
            except (OSError, http.client.HTTPException):
                self.close()
                # A keep-alive connection the server closed between requests:
                # one retry on a fresh connection, then report no answer.
                if attempt == 1:
                    return 0, None
        return 0, None

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None


class Stats:
    """Thread-safe counts of answers by status, and the acknowledged writes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_status = {}
        self.requests = 0
        self.created = {}       # record id -> name, for every 201 create
        self.deleted = set()    # record ids whose delete answered 200
        self.unacked = []       # names whose create got no 201

    def count(self, status):
        with self.lock:
            self.requests += 1
            self.by_status[status] = self.by_status.get(status, 0) + 1

    def server_errors(self):
        """Answers that are a server fault: 5xx other than 503, or none."""
        with self.lock:
            return {s: n for s, n in self.by_status.items() if s == 0 or (s >= 500 and s != 503)}

    def count_5xx(self):
        with self.lock:
            return sum(n for s, n in self.by_status.items() if s >= 500)


def rss_kib(pid):
    """VmRSS of a process in KiB, or None when it has gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    """Samples a process's RSS every interval seconds until stopped."""

    def __init__(self, pid, interval=1.0):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.samples = []
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            v = rss_kib(self.pid)
            if v is not None:
                self.samples.append((time.monotonic(), v))
            self.stop_event.wait(self.interval)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=10)

    def summary(self):
        if not self.samples:
            return {"rss_first_mb": None, "rss_last_mb": None, "rss_max_mb": None}
        vals = [v for _, v in self.samples]
        return {"rss_first_mb": round(vals[0] / 1024, 1), "rss_last_mb": round(vals[-1] / 1024, 1),
                "rss_max_mb": round(max(vals) / 1024, 1)}


# ---------------------------------------------------------------------------
# Load

class Writer(threading.Thread):
    """Creates A records with unique names in zone, one request after the
    other, until stop is set or max_requests were sent."""

    def __init__(self, port, token, zone, prefix, stats, stop, max_requests):
        super().__init__(daemon=True)
        self.client = Client(port, token)
        self.zone, self.prefix, self.stats, self.stop = zone, prefix, stats, stop
        self.max_requests = max_requests

    def run(self):
        for i in range(self.max_requests):
            if self.stop.is_set():
                break
            name = "%s-%d" % (self.prefix, i)
            status, body = self.client.request("POST", "/v1/zones/%s/records" % self.zone,
                                               {"name": name, "type": "A", "content": "192.0.2.1",
                                                "ttl": 300})
            self.stats.count(status)
            with self.stats.lock:
                if status == 201:
                    self.stats.created[body["data"]["record"]["id"]] = name + "." + self.zone + "."
                else:
                    self.stats.unacked.append(name)
            if status in (0, 503):
                time.sleep(0.05)  # the database is away: do not spin
        self.client.close()


class MixedClient(threading.Thread):
    """A mixed load on one zone: creates, reads, lists, patches, deletes,
    batches, exports, token lists, and requests the API must refuse (bad
    JSON, an unknown type, a bad token, a missing record). Tracks which of
    its records exist, so the end state can be checked. With max_records,
    a client holding that many of its own records deletes one where it
    would create: the zone stops growing, so memory that tracks its size
    (an export's answer) levels off too and what remains is growth."""

    def __init__(self, port, token, zone, prefix, stats, stop, max_requests, seed, max_records=None):
        super().__init__(daemon=True)
        self.client = Client(port, token)
        self.zone, self.prefix, self.stats, self.stop = zone, prefix, stats, stop
        self.max_requests = max_requests
        self.max_records = max_records
        self.rng = random.Random(seed)
        self.mine = []
        self.n = 0

    def _create(self):
        self.n += 1
        name = "%s-%d" % (self.prefix, self.n)
        status, body = self.client.request("POST", "/v1/zones/%s/records" % self.zone,
                                           {"name": name, "type": "TXT", "content": "v=%d" % self.n})
        if status == 201:
            rid = body["data"]["record"]["id"]
            self.mine.append(rid)
            with self.stats.lock:
                self.stats.created[rid] = name + "." + self.zone + "."  # absolute, as the others
        return status

    def _delete_record(self, z, rid):
        status = self.client.request("DELETE", "%s/records/%s" % (z, rid))[0]
        if status == 200:
            self.mine.remove(rid)
            with self.stats.lock:
                self.stats.deleted.add(rid)
        return status

    def _one(self):
        z = "/v1/zones/%s" % self.zone
        op = self.rng.random()
        full = self.max_records is not None and len(self.mine) >= self.max_records
        if (op < 0.25 and not full) or not self.mine:
            return self._create()
        rid = self.rng.choice(self.mine)
        if full and (op < 0.25 or 0.68 <= op < 0.73):
            return self._delete_record(z, rid)  # where a create or a batch would grow the zone
        if op < 0.40:
            return self.client.request("GET", "%s/records/%s" % (z, rid))[0]
        if op < 0.50:
            return self.client.request("GET", "%s/records?limit=100&offset=%d" % (z, self.rng.randrange(50)))[0]
        if op < 0.58:
            return self.client.request("PATCH", "%s/records/%s" % (z, rid),
                                       {"ttl": self.rng.choice((300, 600, 900))})[0]
        if op < 0.68:
            return self._delete_record(z, rid)
        if op < 0.73:
            self.n += 1
            status, body = self.client.request("POST", "%s/records/batch" % z, {"posts": [
                {"name": "%s-b%d" % (self.prefix, self.n), "type": "A", "content": "192.0.2.2"},
                {"name": "%s-b%d" % (self.prefix, self.n), "type": "AAAA", "content": "2001:db8::2"}]})
            if status == 200:
                # tracked as the single creates are: counted against
                # max_records, deleted later, checked at the end
                for rec in body["data"]["created"]:
                    self.mine.append(rec["id"])
                    with self.stats.lock:
                        self.stats.created[rec["id"]] = rec["name"]
            return status
        if op < 0.78:
            return self.client.request("GET", "%s/export" % z)[0]
        if op < 0.82:
            return self.client.request("GET", z)[0]
        if op < 0.85:
            return self.client.request("GET", "/v1/tokens")[0]
        if op < 0.90:
            return self.client.request("POST", "%s/records" % z, raw=b"{not json")[0]
        if op < 0.94:
            return self.client.request("POST", "%s/records" % z,
                                       {"name": "x", "type": "NOPE", "content": "1"})[0]
        if op < 0.97:
            return self.client.request("GET", "%s/records" % z, token="not-a-token")[0]
        return self.client.request("GET", "%s/records/00000000-0000-4000-8000-000000000000" % z)[0]

    def run(self):
        for _ in range(self.max_requests):
            if self.stop.is_set():
                break
            self.stats.count(self._one())
        self.client.close()


def run_threads(threads, seconds, stop):
    """Starts threads, lets them run for at most seconds, then stops them
    and waits (bounded) for them to finish."""
    for t in threads:
        t.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    return [t for t in threads if t.is_alive()]


# ---------------------------------------------------------------------------
# A private PostgreSQL: restarted and hung at will

def _as_owner(argv):
    if os.getuid() == 0:
        return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join("'%s'" % a.replace("'", "'\\''") for a in argv)]
    return argv


class Cluster:
    """A PostgreSQL 15 cluster of its own (tests/lib/pg.sh, fsync and
    synchronous commit on, so that an acknowledged commit survives a crash
    of the server), on 127.0.0.1:port."""

    def __init__(self, directory, port):
        self.dir = directory
        self.port = port
        self.url = "host=127.0.0.1 port=%d user=postgres dbname=postgres" % port

    def start(self):
        subprocess.run(["bash", PG_SH, "start", self.dir, str(self.port), "--keep"], check=True,
                       capture_output=True, timeout=180)
        return self

    def stop(self):
        subprocess.run(["bash", PG_SH, "stop", self.dir], capture_output=True, timeout=120)

    def destroy(self):
        self.stop()
        subprocess.run(["rm", "-rf", self.dir], timeout=60)

    def restart(self, mode):
        """Stops the server with pg_ctl -m mode (fast: clean; immediate: like a
        crash, recovery from WAL on start) and starts it again."""
        data = os.path.join(os.path.realpath(self.dir), "data")
        subprocess.run(_as_owner([PGBIN + "/pg_ctl", "-D", data, "-m", mode, "-w", "-t", "60", "stop"]),
                       capture_output=True, timeout=120)
        self.start()

    def pids(self):
        """The postmaster and every one of its children."""
        with open(os.path.join(os.path.realpath(self.dir), "data", "postmaster.pid")) as f:
            master = int(f.readline())
        pids = [master]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/stat" % entry) as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == master:
                        pids.append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        return pids

    def hang(self, seconds):
        """SIGSTOP every process of the server for seconds, then SIGCONT:
        connections stay open but nothing answers."""
        pids = self.pids()
        for p in pids:
            os.kill(p, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            for p in pids:
                try:
                    os.kill(p, signal.SIGCONT)
                except ProcessLookupError:
                    pass


def wait_for_write(port, token, zone, limit_seconds=60.0):
    """Bounded: creates probe records until one is acknowledged; returns the
    seconds it took, or None when the server never recovered."""
    c = Client(port, token, timeout=15)
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < limit_seconds:
        i += 1
        status, _ = c.request("POST", "/v1/zones/%s/records" % zone,
                              {"name": "probe-%d-%d" % (os.getpid(), int(t0 * 1000) + i), "type": "TXT",
                               "content": "probe"})
        if status == 201:
            c.close()
            return time.monotonic() - t0
        time.sleep(0.2)
    c.close()
    return None


def missing_records(psql, ids, chunk=500):
    """The ids among ids that have no row in records (psql(sql) -> text)."""
    ids = list(ids)
    missing = []
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        got = psql("SELECT id FROM records WHERE id = ANY('{%s}'::uuid[])" % ",".join(part))
        present = set(got.split()) if got else set()
        missing += [x for x in part if x not in present]
    return missing


def present_records(psql, ids, chunk=500):
    ids = list(ids)
    present = []
    for i in range(0, len(ids), chunk):
        got = psql("SELECT id FROM records WHERE id = ANY('{%s}'::uuid[])" % ",".join(ids[i:i + chunk]))
        present += got.split() if got else []
    return present


# ---------------------------------------------------------------------------
# zonegen, killed mid-write

def checkzone(zone, path):
    """nsd-checkzone's verdict on a file: (ok, output)."""
    r = subprocess.run([NSD_CHECKZONE, zone.rstrip("."), path], capture_output=True, text=True, timeout=120)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


TEMP_RE = re.compile(r"^\..*\.tmp\.\d+$")


def zone_dir_state(directory):
    """(zone files, temporary files) in zonegen's directory."""
    files = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    return [f for f in files if f.endswith(".zone") and not f.startswith(".")], \
        [f for f in files if TEMP_RE.match(f)]


def zone_file_summary(path):
    """(SOA serial, number of records) of a master file written by zonegen."""
    serial, count = None, 0
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith((";", "$")):
                continue
            count += 1
            words = line.split()
            if serial is None and len(words) > 6 and words[3] == "SOA":
                serial = int(words[6])
    return serial, count


def kill_loop(start_zonegen, make_dirty, directory, zones, kills, write_seconds, check_every=1,
              limit_seconds=1800.0, verify=None):
    """Starts zonegen (start_zonegen() -> Popen), lets it run for a delay
    spread over [0.05, 1.2] x write_seconds, SIGKILLs it, and checks every
    zone file left with nsd-checkzone and with verify(zone, path) (a
    problem or None: nsd-checkzone accepts a file cut at a line boundary);
    make_dirty() gives it work before each round. Bounded by kills and
    limit_seconds. Returns a dict of counts and the failures found."""
    out = {"kills": 0, "mid_write": 0, "files_checked": 0, "bad_files": [], "exited_early": 0}
    t0 = time.monotonic()
    for k in range(kills):
        if time.monotonic() - t0 > limit_seconds:
            break
        make_dirty()
        p = start_zonegen()
        delay = write_seconds * (0.05 + 1.15 * ((k * 7919) % kills) / max(kills - 1, 1))
        try:
            p.wait(timeout=delay)
            out["exited_early"] += 1
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=30)
        out["kills"] += 1
        files, temps = zone_dir_state(directory)
        if temps:
            out["mid_write"] += 1
        if k % check_every == 0 or temps:
            for f in files:
                zone = f[:-len(".zone")]
                if zone + "." not in zones:
                    continue
                path = os.path.join(directory, f)
                ok, text = checkzone(zone, path)
                out["files_checked"] += 1
                if ok and verify is not None:
                    problem = verify(zone + ".", path)
                    ok, text = problem is None, problem
                if not ok:
                    out["bad_files"].append((f, text[-500:]))
    return out
