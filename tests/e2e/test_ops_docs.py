"""End-to-end: every `sh` block of docs/operations.md runs, in order, as one
bash script (set -euo pipefail) against a throwaway database, with `dnsapi`
on PATH and the documented settings pointing at test ports. Blocks marked
`sh (not run)` (systemd, Docker, package installs) are left out; the test
checks that there are only a few of them and that every other shell block
is plain `sh`, so that no command escapes by its label.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Stack, tport  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("DNSAPI_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
DOC = os.path.join(ROOT, "docs", "operations.md")
DOC_PORT = tport(15424)
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
            self.assertIn(label, ("sh", "sh (not run)", "nginx"), "unknown block label %r" % label)

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


if __name__ == "__main__":
    unittest.main(verbosity=2)
