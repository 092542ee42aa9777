"""End-to-end: every `sh` block of docs/operations.md runs, in order, as one
bash script (set -euo pipefail) against a throwaway database, with `dnsapi`
on PATH and the documented settings pointing at test ports. Blocks marked
`sh (not run)` (systemd, Docker, package installs) are left out; the test
checks that there are only a few of them and that every other shell block
is plain `sh`, so that no command escapes by its label.

The metric tables of its Monitoring section name exactly the metrics that a
running `dnsapi serve` and `dnsapi zonegen` expose, and its `yaml` blocks
(the example alert rules) pass `promtool check rules` and name only those
metrics.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Stack, tport  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("DNSAPI_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
DOC = os.path.join(ROOT, "docs", "operations.md")
DOC_PORT = tport(15424)
ZONEGEN_METRICS_PORT = tport(15427)
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.M | re.S)


def blocks():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    return [(m.group(1).strip(), m.group(2)) for m in FENCE.finditer(text)]


class DocsTest(unittest.TestCase):
    def test_labels(self):
        labels = [label for label, _ in blocks()]
        self.assertGreaterEqual(labels.count("sh"), 10)
        self.assertLessEqual(labels.count("sh (not run)"), 2)
        for label in labels:
            self.assertIn(label, ("sh", "sh (not run)", "nginx", "yaml"),
                          "unknown block label %r" % label)

    def test_runnable_blocks_run(self):
        stack = Stack("ops_docs", 15425)  # for its database: its server is stopped at once
        stack.start()
        work = tempfile.mkdtemp(prefix="dnsapi-docs-")
        try:
            stack.stop_server()
            script = "set -euo pipefail\ncd %s\n" % work + "\n".join(
                body for label, body in blocks() if label == "sh") + "\necho ALL-BLOCKS-RAN\n"
            env = {k: v for k, v in os.environ.items() if not k.startswith("DNSAPI_")}
            env.update({
                "PATH": os.path.dirname(stack.binary) + ":" + os.environ.get("PATH", ""),
                "DNSAPI_DATABASE_URL": stack.db_url,
                "DNSAPI_LISTEN": "127.0.0.1:%d" % DOC_PORT,
                "DNSAPI_NAMESERVERS": "ns1.dnsapi.test,ns2.dnsapi.test",
                "DNSAPI_THREADS": "2",
                "PGADMIN": stack.maint_url,
                "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", ""),
            })
            p = subprocess.run(["/bin/bash", "-c", script], env=env, capture_output=True,
                               text=True, timeout=300)
            log = ""
            if os.path.exists(os.path.join(work, "serve.log")):
                with open(os.path.join(work, "serve.log"), errors="replace") as f:
                    log = f.read()[-3000:]
            self.assertEqual(p.returncode, 0, "docs/operations.md failed:\nstdout: %s\nstderr: %s"
                             "\nserve.log: %s" % (p.stdout[-3000:], p.stderr[-3000:], log))
            self.assertIn("dnsapi ", p.stdout)
            self.assertTrue(p.stdout.rstrip().endswith("ALL-BLOCKS-RAN"), p.stdout[-500:])
        finally:
            pidfile = os.path.join(work, "serve.pid")
            if os.path.exists(pidfile):
                with open(pidfile) as f:
                    pid = f.read().strip()
                try:
                    os.kill(int(pid), signal.SIGKILL)  # only if a block failed before stop_serve
                except (ProcessLookupError, ValueError):
                    pass
            shutil.rmtree(work, ignore_errors=True)
            stack.stop()


def documented_metrics():
    """The metric names of the Monitoring section's tables: (API, zonegen)."""
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("\n## Monitoring"):]
    section = section[:section.index("\n## ", 1)]
    api, zonegen = section.split("zonegen's `/metrics`", 1)
    names = re.compile(r"(?m)^\| `(dnsapi_[a-z0-9_]+)` \|")
    return names.findall(api), names.findall(zonegen)


def exposed(text):
    return sorted(set(re.findall(r"(?m)^# TYPE (\S+) ", text)))


class MetricsDocTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("ops_docs_metrics", 15426)
        cls.stack.start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_api_metrics_are_the_documented_ones(self):
        r = self.stack.request("GET", "/metrics")
        self.assertEqual(r.status, 200, repr(r))
        api, _ = documented_metrics()
        self.assertEqual(len(api), len(set(api)), "a metric listed twice: %r" % api)
        self.assertEqual(sorted(api), exposed(r.body.decode()))

    def test_zonegen_metrics_are_the_documented_ones(self):
        env = self.stack.base_env()
        env["DNSAPI_ZONEGEN_METRICS_LISTEN"] = "127.0.0.1:%d" % ZONEGEN_METRICS_PORT
        env["DNSAPI_ZONE_DIR"] = tempfile.mkdtemp(prefix="dnsapi-docs-zones-")
        proc = subprocess.Popen([self.stack.binary, "zonegen"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        text, last = None, None
        try:
            deadline = time.monotonic() + 30
            while text is None and time.monotonic() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/metrics"
                                                % ZONEGEN_METRICS_PORT, timeout=5) as resp:
                        text = resp.read().decode()
                except OSError as e:
                    last = e
                    time.sleep(0.2)
        finally:
            proc.terminate()
            try:
                _, err = proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            shutil.rmtree(env["DNSAPI_ZONE_DIR"], ignore_errors=True)
        self.assertIsNotNone(text, "zonegen's /metrics did not answer (%r): %s"
                             % (last, err.decode(errors="replace")[-2000:]))
        _, zonegen = documented_metrics()
        self.assertEqual(sorted(zonegen), exposed(text))

    def test_alert_rules_pass_promtool_and_name_real_metrics(self):
        rules = [body for label, body in blocks() if label == "yaml"]
        self.assertGreaterEqual(len(rules), 1)
        api, zonegen = documented_metrics()
        known = set(api) | set(zonegen)
        work = tempfile.mkdtemp(prefix="dnsapi-docs-rules-")
        try:
            for i, body in enumerate(rules):
                path = os.path.join(work, "rules%d.yml" % i)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(body)
                p = subprocess.run(["promtool", "check", "rules", path], capture_output=True,
                                   text=True, timeout=60)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                m = re.search(r"SUCCESS: (\d+) rules found", p.stdout)
                self.assertTrue(m and int(m.group(1)) >= 2, p.stdout)
                exprs = [rule["expr"] for group in yaml.safe_load(body)["groups"]
                         for rule in group["rules"]]
                used = set(re.findall(r"\b(dnsapi_[a-z0-9_]+)", " ".join(exprs)))
                self.assertTrue(used, body)
                self.assertEqual(used - known, set(), "alert rules name unknown metrics")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
