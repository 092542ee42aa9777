"""End-to-end: the README's quick start, as a newcomer runs it.

`bash deploy/quickstart.sh` in a copy of the source tree (its var/ and
build/ are the copy's), on ports of its own (QUICKSTART_*): it must print a
token and lines to try; those lines, run as printed, create a zone and a
record, and the printed dig lines find the record on NSD and on the Knot
secondary; Ctrl-C (SIGINT to the script's process group) stops everything
it started."""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import tport  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG_PORT, DNS_PORT, DNS2_PORT, API_PORT = tport(18301), tport(18302), tport(18303), tport(18304)


def copy_tree(dst):
    """The tracked files of the source tree (what a clone holds)."""
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in files.decode().split("\0"):
        if not rel or not os.path.isfile(os.path.join(ROOT, rel)):
            continue
        os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
        subprocess.run(["cp", "-p", os.path.join(ROOT, rel), os.path.join(dst, rel)], check=True)


def port_open(port, udp=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    try:
        if udp:
            s.bind(("127.0.0.1", port))
            return False
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
    except OSError:
        return True  # taken
    finally:
        s.close()


@unittest.skipUnless(os.geteuid() == 0, "the quick start runs as root")
@unittest.skipUnless(os.path.isdir(os.path.join(ROOT, ".git")), "needs the source tree's git checkout")
class QuickStartTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dnsapi-quickstart-")
        os.chmod(self.dir, 0o755)
        copy_tree(self.dir)
        env = dict(os.environ, QUICKSTART_PG_PORT=str(PG_PORT), QUICKSTART_DNS_PORT=str(DNS_PORT),
                   QUICKSTART_DNS2_PORT=str(DNS2_PORT), QUICKSTART_LISTEN="127.0.0.1:%d" % API_PORT)
        for k in list(env):
            if k.startswith("DNSAPI_") or k.startswith("ASAN_") or k.startswith("UBSAN_"):
                del env[k]
        self.out = []
        self.proc = subprocess.Popen(["bash", "deploy/quickstart.sh"], cwd=self.dir, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in self.proc.stdout:
            self.out.append(line)

    def tearDown(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.reader.join(timeout=10)
        self.proc.stdout.close()
        # the cluster may live outside the copy (see quickstart.sh): by its link
        pg = os.path.join(self.dir, "var", "pg")
        target = os.path.realpath(pg)
        subprocess.run(["rm", "-rf", self.dir])
        if target != pg and target.startswith("/var/lib/dnsapi-quickstart/"):
            subprocess.run(["rm", "-rf", target])

    def text(self):
        return "".join(self.out)

    def wait_for(self, what, cond, timeout):
        until = time.monotonic() + timeout
        while not cond():
            if self.proc.poll() is not None:
                self.fail("quickstart.sh exited (%s) before %s:\n%s" % (self.proc.returncode, what,
                                                                       self.text()[-6000:]))
            if time.monotonic() > until:
                self.fail("timed out waiting for %s:\n%s" % (what, self.text()[-6000:]))
            time.sleep(0.2)

    def shell(self, script, timeout=60):
        return subprocess.run(["bash", "-c", script], cwd=self.dir, capture_output=True, text=True,
                              timeout=timeout)

    def test_printed_lines_work_and_ctrl_c_stops_everything(self):
        self.wait_for("the printed token", lambda: "Ctrl-C stops" in self.text(), 900)
        self.wait_for("the API", lambda: port_open(API_PORT), 60)
        text = self.text()
        self.assertRegex(text, r"TOKEN=\S+")
        tried = text.split("try it from another shell:", 1)[1].split("or, with the token written out:", 1)
        block, rest = tried[0], tried[1]
        lines = [ln.strip() for ln in block.strip().splitlines()]
        # the lines as printed, continuation backslashes kept
        script = "\n".join(ln for ln in lines if not ln.startswith("dig "))
        digs = [re.sub(r"\s+#.*$", "", ln) for ln in lines if ln.startswith("dig ")]
        self.assertEqual(len(digs), 2, block)
        for d in digs:
            self.assertIn("@127.0.0.1", d)  # loopback only
        r = self.shell("set -e\n" + script)
        self.assertEqual(r.returncode, 0, r.stderr)
        # three JSON answers, back to back (curl -s adds no newline)
        self.assertRegex(r.stdout, r'^\{"status":"success","data":\{"zones":\[\].*\}'
                                   r'\{"status":"success","data":\{"message":"Zone created successfully",'
                                   r'"zone":\{[^}]*"name":"example\.com\.".*\}'
                                   r'\{"status":"success","data":\{"message":"Record created successfully",'
                                   r'"record":\{[^}]*"content":"192\.0\.2\.10".*\}$')
        written = rest.strip().splitlines()[0].strip()
        self.assertTrue(written.startswith("curl "), written)
        r = self.shell(written)
        self.assertIn('"example.com."', r.stdout)
        # NSD, then the Knot secondary, serve the record (zonegen, catalog, transfer)
        for d in digs:
            until = time.monotonic() + 90
            while True:
                r = self.shell(d + " +time=1 +tries=1")
                if re.search(r"^www\.example\.com\.\s+\d+\s+IN\s+A\s+192\.0\.2\.10$", r.stdout, re.M):
                    break
                if time.monotonic() > until:
                    self.fail("%s: no answer with the record:\n%s\n%s" % (d, r.stdout,
                                                                           self.text()[-3000:]))
                time.sleep(0.5)
        # Ctrl-C: everything stops, the ports are free again
        os.killpg(self.proc.pid, signal.SIGINT)
        self.assertEqual(self.proc.wait(timeout=90), 130, self.text()[-3000:])
        self.reader.join(timeout=10)
        text = self.text()
        for what in ("stopping dnsapi serve", "stopping zonegen", "stopping NSD", "stopping PostgreSQL"):
            self.assertIn(what, text)
        for port in (API_PORT, PG_PORT):
            self.assertFalse(port_open(port), "port %d still answers" % port)
        for port in (DNS_PORT, DNS2_PORT):
            self.assertFalse(port_open(port, udp=True), "UDP port %d still taken" % port)


if __name__ == "__main__":
    unittest.main(verbosity=2)
