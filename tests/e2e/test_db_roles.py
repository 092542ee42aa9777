"""End-to-end: the database roles as deploy/README.md sets them up.

deploy/db-roles.sh (as the superuser) makes the owner, serve and zonegen
roles and the database, and writes one login file per role; `dnsapi migrate`
and `dnsapi db grant` run as the owner; `dnsapi serve` and `dnsapi zonegen
--once` run as their roles and do their work (a zone and a record over HTTP,
a master file that nsd-checkzone loads). The roles own nothing and are no
superusers; the serving role cannot write a system record or the schema.
db-roles.sh --adopt hands over a database migrated the old way (by the
superuser), after which migrate and grant succeed as the owner.
"""

import os
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import conninfo_format, conninfo_parse, require_env, tport  # noqa: E402

API_PORT = tport(18130)
ROOT = os.environ.get("DNSAPI_SOURCE_DIR",
                      os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
WAIT = 60.0


class DbRolesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary, cls.maint = require_env()
        cls.params = conninfo_parse(cls.maint)
        cls.prefix = "t_roles_%d" % os.getpid()
        cls.db = cls.prefix + "_db"
        cls.tmp = tempfile.mkdtemp(prefix="dnsapi-roles-")
        cls.env_dir = os.path.join(cls.tmp, "env")
        cls.proc = None

    @classmethod
    def tearDownClass(cls):
        if cls.proc is not None and cls.proc.poll() is None:
            cls.proc.terminate()
            cls.proc.wait(timeout=15)
        for db in (cls.db, cls.db + "_legacy"):
            cls.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
        for kind in ("owner", "serve", "zonegen"):
            cls.psql("DROP ROLE IF EXISTS %s_%s" % (cls.prefix, kind))
        import shutil
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def psql(cls, sql, dbname="postgres", user=None):
        p = dict(cls.params, dbname=dbname)
        if user:
            p["user"] = user
        r = subprocess.run(["/usr/bin/psql", conninfo_format(p), "-X", "-At", "-v", "ON_ERROR_STOP=1",
                            "-c", sql], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise AssertionError("psql %r: %s" % (sql, r.stderr.strip()))
        return r.stdout.strip()

    def db_roles(self, *args, db=None):
        psql = "psql -h %s -p %s -U %s" % (self.params.get("host", "127.0.0.1"),
                                             self.params.get("port", "5432"),
                                             self.params.get("user", "postgres"))
        env = dict(os.environ, PSQL=psql, DNSAPI_ROLE_PREFIX=self.prefix,
                   DNSAPI_DB_NAME=db or self.db, DNSAPI_DB_HOST=self.params.get("host", "127.0.0.1"),
                   DNSAPI_DB_PORT=self.params.get("port", "5432"))
        r = subprocess.run(["bash", os.path.join(ROOT, "deploy", "db-roles.sh")] + list(args), env=env,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def login(self, kind):
        path = os.path.join(self.env_dir, kind + ".env")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
        with open(path) as f:
            lines = [l.strip() for l in f if l.startswith("DNSAPI_DATABASE_URL=")]
        self.assertEqual(len(lines), 1, path)
        url = lines[0].split("=", 1)[1]
        self.assertEqual(conninfo_parse(url)["user"], "%s_%s" % (self.prefix, kind))
        return url

    def dnsapi(self, url, *args, extra=None, check=True):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNSAPI_")}
        env.update({"DNSAPI_DATABASE_URL": url, "DNSAPI_JWT_SECRET": "k" * 64,
                    "DNSAPI_NAMESERVERS": "ns1.dnsapi.test,ns2.dnsapi.test",
                    "DNSAPI_LISTEN": "127.0.0.1:%d" % API_PORT, "DNSAPI_THREADS": "1",
                    "DNSAPI_ZONE_DIR": os.path.join(self.tmp, "zones")})
        env.update(extra or {})
        r = subprocess.run([self.binary] + list(args), env=env, capture_output=True, text=True, timeout=120)
        if check:
            self.assertEqual(r.returncode, 0, "dnsapi %s: %s" % (" ".join(args), r.stderr))
        return r

    def http(self, method, path, token, body=None):
        import http.client
        import json
        c = http.client.HTTPConnection("127.0.0.1", API_PORT, timeout=10)
        c.request(method, path, body=json.dumps(body) if body is not None else None,
                  headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, json.loads(data)

    def test_roles_set_up_by_the_script_run_dnsapi(self):
        self.db_roles("--env-dir", self.env_dir)
        owner, serve, zonegen = (self.login(k) for k in ("owner", "serve", "zonegen"))
        out = self.psql("SELECT string_agg(rolname || ':' || rolsuper || rolcreaterole || rolcreatedb, ',' "
                        "ORDER BY rolname) FROM pg_roles WHERE rolname LIKE '%s\\_%%'" % self.prefix)
        self.assertEqual(out, ",".join("%s_%s:falsefalsefalse" % (self.prefix, k)
                                       for k in ("owner", "serve", "zonegen")))
        self.assertEqual(self.psql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '%s'"
                                   % self.db), self.prefix + "_owner")
        self.db_roles("--env-dir", self.env_dir)  # again: nothing breaks
        owner, serve, zonegen = (self.login(k) for k in ("owner", "serve", "zonegen"))

        self.dnsapi(owner, "migrate")
        r = self.dnsapi(owner, "db", "grant", "--serve", self.prefix + "_serve",
                        "--zonegen", self.prefix + "_zonegen")
        self.assertIn("granted", r.stdout)
        # the serving role may not migrate, nor grant itself
        r = self.dnsapi(serve, "db", "grant", "--serve", self.prefix + "_serve", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(self.psql("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                                   "WHERE r.rolname <> '%s_owner' AND c.relnamespace = 'public'::regnamespace"
                                   % self.prefix, dbname=self.db), "0")

        self.dnsapi(owner, "account", "create", "acme")
        token = self.dnsapi(owner, "token", "create", "--account", "acme", "--scope",
                            "zones:read zones:write records:read records:write").stdout.strip().splitlines()[-1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNSAPI_")}
        env.update({"DNSAPI_DATABASE_URL": serve, "DNSAPI_JWT_SECRET": "k" * 64,
                    "DNSAPI_NAMESERVERS": "ns1.dnsapi.test,ns2.dnsapi.test",
                    "DNSAPI_LISTEN": "127.0.0.1:%d" % API_PORT, "DNSAPI_THREADS": "1"})
        log = open(os.path.join(self.tmp, "serve.log"), "wb")
        type(self).proc = subprocess.Popen([self.binary, "serve"], env=env, stdout=log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        # /readyz: up, and its database connections are ready
        deadline = time.monotonic() + WAIT
        while True:
            try:
                import http.client
                c = http.client.HTTPConnection("127.0.0.1", API_PORT, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            self.assertIsNone(self.proc.poll(), "dnsapi serve exited")
            self.assertLess(time.monotonic(), deadline, "dnsapi serve did not become ready")
            time.sleep(0.1)
        status, body = self.http("POST", "/v1/zones", token, {"name": "roles.test"})
        self.assertEqual(status, 201, body)
        status, body = self.http("POST", "/v1/zones/roles.test/records", token,
                                 {"name": "www", "type": "A", "content": "192.0.2.7"})
        self.assertEqual(status, 201, body)
        status, body = self.http("DELETE", "/v1/zones/roles.test/records/%s" % body["data"]["record"]["id"],
                                 token)
        self.assertEqual(status, 200, body)
        users = self.psql("SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = '%s' "
                          "AND application_name = 'dnsapi'" % self.db)
        self.assertEqual(users, self.prefix + "_serve")

        self.dnsapi(zonegen, "zonegen", "--once")
        path = os.path.join(self.tmp, "zones", "roles.test.zone")
        self.assertTrue(os.path.exists(path), os.listdir(os.path.join(self.tmp, "zones")))
        r = subprocess.run(["/usr/sbin/nsd-checkzone", "roles.test", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.psql("SELECT exported_serial = serial FROM zones", dbname=self.db), "t")

        # the roles' own limits, seen from their logins
        for sql in ("DELETE FROM records WHERE type = 'SOA'", "TRUNCATE records",
                    "CREATE TEMP TABLE t (x int)", "CREATE TABLE t (x int)"):
            for kind in ("serve", "zonegen"):
                with self.subTest(sql=sql, role=kind):
                    with self.assertRaises(AssertionError):
                        self.psql(sql, dbname=self.db, user="%s_%s" % (self.prefix, kind))
        self.assertEqual(self.psql("SELECT count(*) FROM records WHERE type = 'SOA'", dbname=self.db), "1")

    def test_adopt_hands_over_a_database_migrated_by_the_superuser(self):
        legacy = self.db + "_legacy"
        self.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % legacy)
        self.psql("CREATE DATABASE %s" % legacy)
        self.dnsapi(conninfo_format(dict(self.params, dbname=legacy)), "migrate")
        self.db_roles("--adopt", self.params.get("user", "postgres"), db=legacy)
        owner = conninfo_format(dict(self.params, dbname=legacy, user=self.prefix + "_owner"))
        self.assertEqual(self.psql("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                                   "WHERE r.rolname <> '%s_owner' AND c.relkind = 'r' "
                                   "AND c.relnamespace = 'public'::regnamespace" % self.prefix, dbname=legacy),
                         "0")
        self.dnsapi(owner, "migrate")
        self.dnsapi(owner, "db", "grant", "--serve", self.prefix + "_serve")


if __name__ == "__main__":
    unittest.main(verbosity=2)
