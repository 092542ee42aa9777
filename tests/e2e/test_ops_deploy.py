"""End-to-end: the deploy files (issue 14 item 8).

- deploy/compose.yaml validates with Debian's docker-compose (1.29, no
  top-level name:), refuses to start without DNSAPI_JWT_SECRET, passes every
  DNSAPI_* setting that `dnsapi serve --help` lists through to the API (and
  the zone generator's own to zonegen), and has a health check on every
  long-running service;
- the Dockerfile's HEALTHCHECK runs deploy/healthcheck.sh, which answers 0
  for a running server and 1 when none answers;
- both systemd units rate at most 2.0 in `systemd-analyze security
  --offline=yes`;
- `dnsapi serve` and `dnsapi zonegen --once` work under the same limits
  without systemd (tests/e2e/sandbox.sh: read-only system, private /tmp and
  /dev, no home, user nobody, no capabilities, no_new_privs), and writing
  outside the writable path fails there.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ApiTestCase, ZoneHelpers, tport  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("DNSAPI_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
DEPLOY = os.path.join(ROOT, "deploy")
COMPOSE = shutil.which("docker-compose") or "/usr/bin/docker-compose"
SANDBOX_PORT = tport(15422)  # the sandboxed serve
# set only on the zone generator's service, not the API's
ZONEGEN_ONLY = {"DNSAPI_NS_CONF", "DNSAPI_RELOAD_CMD", "DNSAPI_VERIFY", "DNSAPI_CATALOG",
                "DNSAPI_SECONDARIES", "DNSAPI_TSIG_KEY_FILE", "DNSAPI_ZONES_ADD_CMD",
                "DNSAPI_ZONES_DEL_CMD", "DNSAPI_ZONEGEN_METRICS_LISTEN"}
# set by compose itself, per service
FIXED = {"DNSAPI_DATABASE_URL", "DNSAPI_ZONE_DIR", "DNSAPI_LISTEN"}


def settings_in_help(binary):
    out = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True,
                         timeout=30).stdout
    return set(re.findall(r"^\s+(DNSAPI_[A-Z0-9_]+)", out, re.M))


class ComposeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(COMPOSE, os.X_OK):
            raise unittest.SkipTest("docker-compose is not installed")
        cls.binary = os.environ.get("DNSAPI_BINARY")
        if not cls.binary:
            raise unittest.SkipTest("DNSAPI_BINARY is not set")

    def config(self, env):
        e = {k: v for k, v in os.environ.items() if not k.startswith("DNSAPI_")}
        e.update(env)
        return subprocess.run([COMPOSE, "-f", os.path.join(DEPLOY, "compose.yaml"), "config"],
                              env=e, capture_output=True, text=True, timeout=60)

    def test_compose_validates_and_needs_the_secret(self):
        p = self.config({"DNSAPI_JWT_SECRET": "x" * 64})
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.config({})
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("DNSAPI_JWT_SECRET", p.stderr)
        with open(os.path.join(DEPLOY, "compose.yaml")) as f:
            self.assertIsNone(re.search(r"^name:", f.read(), re.M), "top-level name: breaks 1.29")

    def test_every_setting_is_passed_through(self):
        import yaml
        names = settings_in_help(self.binary)
        self.assertIn("DNSAPI_CORS_ORIGINS", names)
        env = {n: "marker-%s" % n.lower() for n in names - FIXED - {"DNSAPI_CONFIG"}}
        env["DNSAPI_JWT_SECRET"] = "y" * 64
        p = self.config(env)
        self.assertEqual(p.returncode, 0, p.stderr)
        services = yaml.safe_load(p.stdout)["services"]
        api = services["api"]["environment"]
        zonegen = services["zonegen"]["environment"]
        for n in sorted(names - FIXED - ZONEGEN_ONLY):
            with self.subTest(setting=n):
                self.assertEqual(api.get(n), env.get(n), "the API does not get %s" % n)
                self.assertEqual(zonegen.get(n), env.get(n), "zonegen does not get %s" % n)
        for n in sorted(ZONEGEN_ONLY | FIXED):
            self.assertTrue(zonegen.get(n) or api.get(n), "%s is set nowhere" % n)
        # each program logs in as its own role (deploy/README.md, "Database roles")
        self.assertIn("user=dnsapi_serve", api["DNSAPI_DATABASE_URL"])
        self.assertIn("user=dnsapi_zonegen", zonegen["DNSAPI_DATABASE_URL"])

    def test_long_running_services_have_health_checks(self):
        p = self.config({"DNSAPI_JWT_SECRET": "z" * 64})
        import yaml
        services = yaml.safe_load(p.stdout)["services"]
        for name in ("postgres", "api", "nsd", "zonegen"):
            self.assertIn("healthcheck", services[name], name)
            self.assertTrue(services[name]["healthcheck"]["test"], name)
        with open(os.path.join(DEPLOY, "Dockerfile")) as f:
            docker = f.read()
        self.assertRegex(docker, r'HEALTHCHECK .*\n?.*CMD \["/usr/local/bin/dnsapi-healthcheck"\]')
        self.assertIn("COPY deploy/healthcheck.sh /usr/local/bin/dnsapi-healthcheck", docker)


class SystemdRatingTest(unittest.TestCase):
    def test_units_rate_at_most_2(self):
        exe = shutil.which("systemd-analyze")
        if exe is None:
            self.skipTest("systemd-analyze is not installed")
        for unit in ("dnsapi-serve.service", "dnsapi-zonegen.service"):
            with self.subTest(unit=unit):
                p = subprocess.run([exe, "security", "--offline=yes",
                                    os.path.join(DEPLOY, "systemd", unit)],
                                   capture_output=True, text=True, timeout=60)
                m = re.search(r"Overall exposure level for %s: ([0-9.]+)" % re.escape(unit),
                              p.stdout)
                self.assertIsNotNone(m, p.stdout[-2000:] + p.stderr)
                self.assertLessEqual(float(m.group(1)), 2.0, p.stdout)


class RunsUnderTheLimitsTest(ZoneHelpers, ApiTestCase):
    STACK_NAME = "ops_deploy"
    STACK_PORT = 18148

    def sandboxed(self, rw, *args, **kw):
        env = self.stack.base_env()
        env["ASAN_OPTIONS"] = "detect_leaks=0"  # LeakSanitizer needs ptrace
        env.update(kw.pop("env", {}))
        return [os.path.join(HERE, "sandbox.sh"), rw] + list(args), env

    def rw_dir(self):
        d = os.path.join(os.path.dirname(self.stack.binary), "sandbox-%d" % os.getpid())
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "zones"))
        for p in (d, os.path.join(d, "zones")):
            os.chown(p, 65534, 65534)
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def test_healthcheck_script(self):
        script = os.path.join(DEPLOY, "healthcheck.sh")
        env = dict(os.environ, DNSAPI_LISTEN="127.0.0.1:%d" % self.stack.port)
        self.assertEqual(subprocess.run([script], env=env, timeout=30).returncode, 0)
        env["DNSAPI_LISTEN"] = "127.0.0.1:%d" % SANDBOX_PORT  # nobody listens there
        self.assertNotEqual(subprocess.run([script], env=env, capture_output=True,
                                           timeout=30).returncode, 0)

    def test_serve_and_zonegen_run_under_the_unit_limits(self):
        if os.geteuid() != 0:
            self.skipTest("the sandbox needs root to set up its mount namespace")
        rw = self.rw_dir()
        cmd, env = self.sandboxed(rw, self.stack.binary, "serve",
                                  env={"DNSAPI_LISTEN": "127.0.0.1:%d" % SANDBOX_PORT})
        log = open(os.path.join(rw, "serve.log"), "wb")
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            ready = None
            while time.monotonic() < deadline and proc.poll() is None:
                r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                    "http://127.0.0.1:%d/readyz" % SANDBOX_PORT],
                                   capture_output=True, text=True, timeout=10)
                if r.stdout == "200":
                    ready = True
                    break
                time.sleep(0.2)
            if not ready:
                with open(os.path.join(rw, "serve.log"), errors="replace") as f:
                    self.fail("serve did not become ready in the sandbox: %s" % f.read()[-2000:])
            r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                                "-H", "Authorization: Bearer " + self.token,
                                "-H", "Content-Type: application/json", "-d",
                                '{"name":"sandboxed.example"}',
                                "http://127.0.0.1:%d/v1/zones" % SANDBOX_PORT],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.stdout, "201")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.close()
        self.assertEqual(proc.returncode, 0, "serve must stop cleanly on SIGTERM")

        zones = os.path.join(rw, "zones")
        cmd, env = self.sandboxed(rw, self.stack.binary, "zonegen", "--once",
                                  env={"DNSAPI_ZONE_DIR": zones})
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        path = os.path.join(zones, "sandboxed.example.zone")
        self.assertTrue(os.path.exists(path), os.listdir(zones))
        self.assertEqual(os.stat(path).st_uid, 65534)

        # outside the writable path the same run fails, and says so
        self.stack.sql("UPDATE zones SET exported_serial = NULL")
        cmd, env = self.sandboxed(rw, self.stack.binary, "zonegen", "--once",
                                  env={"DNSAPI_ZONE_DIR": os.path.join(ROOT, "sandbox-denied")})
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Read-only file system", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(ROOT, "sandbox-denied")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
