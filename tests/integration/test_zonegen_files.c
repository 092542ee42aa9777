/*
 * test_zonegen_files.c - the zone generator against a real PostgreSQL:
 * records inserted by plain SQL come out as master files in canonical
 * order that nsd-checkzone and named-checkzone accept, includes for NSD,
 * Knot and BIND that their checkers accept, deleted zones lose their file,
 * failures leave the zone pending with last_error and the last good file,
 * and a zone locked by another session is left alone.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "common/config.h"
#include "common/error.h"
#include "storage/store_zonegen.h"
#include "support/testdb.h"
#include "support/testutil.h"
#include "zonegen/zonegen.h"

typedef struct {
    testdb_t db;
    PGconn *conn;
    char tmp[64];
    char zones[128];
    dnsapi_config_t cfg;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return -1;
    }
    *state = f;
    if (testdb_create(&f->db, "zonegen", 1) != 0) {
        return 0;
    }
    f->conn = testdb_connect(&f->db);
    assert_int_equal(testdb_exec(f->conn, "INSERT INTO accounts (name) VALUES ('acme')", NULL),
                     PGRES_COMMAND_OK);
    snprintf(f->tmp, sizeof(f->tmp), "/tmp/zgtest.XXXXXX");
    assert_non_null(mkdtemp(f->tmp));
    snprintf(f->zones, sizeof(f->zones), "%s/zones", f->tmp);
    snprintf(f->cfg.database_url, sizeof(f->cfg.database_url), "%s", f->db.conninfo);
    snprintf(f->cfg.zone_dir, sizeof(f->cfg.zone_dir), "%s", f->zones);
    snprintf(f->cfg.ns_conf_nsd, sizeof(f->cfg.ns_conf_nsd), "%s/nsd.inc", f->tmp);
    snprintf(f->cfg.ns_conf_knot, sizeof(f->cfg.ns_conf_knot), "%s/knot.inc", f->tmp);
    snprintf(f->cfg.ns_conf_bind, sizeof(f->cfg.ns_conf_bind), "%s/bind.inc", f->tmp);
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (f->conn != NULL) {
        PQfinish(f->conn);
    }
    testdb_drop(&f->db);
    if (f->tmp[0] != '\0') {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmp);
        assert_int_equal(system(cmd), 0);
    }
    free(f);
    return 0;
}

#define NEED_DB(f)                                                                                 \
    do {                                                                                           \
        if ((f)->conn == NULL) {                                                                   \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static void zone_create(fixture_t *f, const char *zone)
{
    testutil_sql(
        f->conn,
        "INSERT INTO zones (account_id, name, nameservers, hostmaster) SELECT id, '%s', "
        "ARRAY['ns1.dnsapi.test.', 'ns2.dnsapi.test.'], 'hostmaster.dnsapi.test.' FROM accounts",
        zone);
}

/* Adds records to zone in one transaction: rows is SQL VALUES rows
 * (name, type, content, ttl, priority, disabled). */
static void records_add(fixture_t *f, const char *zone, const char *rows)
{
    testutil_sql(
        f->conn,
        "INSERT INTO records (zone_id, account_id, name, type, content, ttl, priority, disabled) "
        "SELECT z.id, z.account_id, v.name, v.type, v.content, v.ttl, v.priority, v.disabled "
        "FROM zones z, (VALUES %s) AS v(name, type, content, ttl, priority, disabled) "
        "WHERE z.name = '%s'",
        rows, zone);
}

static int run_once_verify(fixture_t *f, int verify_ms)
{
    zonegen_options_t opt;
    zonegen_options_init(&opt, &f->cfg);
    opt.once = 1;
    opt.backoff_max_ms = 1000;
    opt.verify_ms = verify_ms;
    opt.notify_timeout_ms = 200;
    return zonegen_run(&opt);
}

static int run_once(fixture_t *f)
{
    return run_once_verify(f, 10000);
}

static char *zone_file(fixture_t *f, const char *zone_without_dot)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s.zone", f->zones, zone_without_dot);
    return testutil_file_read(path);
}

static char *export_text(fixture_t *f, const char *zone)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    char err[512];
    int rc = zonegen_export(f->conn, zone, out, err, sizeof(err));
    fclose(out);
    if (rc != DNSAPI_OK) {
        fail_msg("export %s: %s", zone, err);
    }
    return buf;
}

static void test_records_render_in_canonical_order(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "example.com.");
    records_add(f, "example.com.",
                "('www.example.com.', 'A', '192.0.2.1', 300, NULL::int, false),"
                "('example.com.', 'MX', 'mail.example.com.', 3600, 10, false),"
                "('example.com.', 'A', '192.0.2.2', 3600, NULL, false),"
                "('b.example.com.', 'TXT', 'hello world', 600, NULL, false),"
                "('a.b.example.com.', 'AAAA', '2001:db8::1', 3600, NULL, false),"
                "('_sip._tcp.example.com.', 'SRV', '5 5060 sip.example.com.', 3600, 20, false),"
                "('z.example.com.', 'A', '192.0.2.9', 3600, NULL, false),"
                "('z.example.com.', 'A', '192.0.2.10', 3600, NULL, false),"
                "('*.wild.example.com.', 'A', '192.0.2.3', 3600, NULL, false)");
    char *serial = testutil_value(f->conn, "SELECT serial FROM zones WHERE name = 'example.com.'");
    assert_non_null(serial);
    assert_int_equal(run_once(f), 0);
    char expected[4096];
    snprintf(expected, sizeof(expected),
             "; zone example.com. serial %s, generated by dnsapi\n"
             "$ORIGIN example.com.\n"
             "example.com. 3600 IN SOA ns1.dnsapi.test. hostmaster.dnsapi.test. %s 10800 3600 "
             "1209600 3600\n"
             "example.com. 86400 IN NS ns1.dnsapi.test.\n"
             "example.com. 86400 IN NS ns2.dnsapi.test.\n"
             "example.com. 3600 IN A 192.0.2.2\n"
             "example.com. 3600 IN MX 10 mail.example.com.\n"
             "_sip._tcp.example.com. 3600 IN SRV 20 5 5060 sip.example.com.\n"
             "b.example.com. 600 IN TXT \"hello world\"\n"
             "a.b.example.com. 3600 IN AAAA 2001:db8::1\n"
             "*.wild.example.com. 3600 IN A 192.0.2.3\n"
             "www.example.com. 300 IN A 192.0.2.1\n"
             "z.example.com. 3600 IN A 192.0.2.10\n"
             "z.example.com. 3600 IN A 192.0.2.9\n",
             serial, serial);
    char *file = zone_file(f, "example.com");
    assert_non_null(file);
    assert_string_equal(file, expected);
    char *published =
        testutil_value(f->conn, "SELECT published_serial = serial AND exported_serial = serial AND "
                                "last_error IS NULL FROM zones WHERE name = 'example.com.'");
    assert_string_equal(published, "t");
    free(published);
    free(file);
    free(serial);
}

static void test_disabled_record_is_left_out(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "example.org.");
    records_add(f, "example.org.",
                "('on.example.org.', 'A', '192.0.2.1', 300, NULL::int, false),"
                "('off.example.org.', 'A', '192.0.2.2', 300, NULL, true)");
    assert_int_equal(run_once(f), 0);
    char *file = zone_file(f, "example.org");
    assert_non_null(file);
    assert_non_null(strstr(file, "on.example.org. 300 IN A 192.0.2.1\n"));
    assert_null(strstr(file, "off.example.org."));
    free(file);
    /* Enabling it is a change like any other. */
    testutil_sql(f->conn, "UPDATE records SET disabled = false WHERE name = 'off.example.org.'");
    assert_int_equal(run_once(f), 0);
    file = zone_file(f, "example.org");
    assert_non_null(strstr(file, "off.example.org. 300 IN A 192.0.2.2\n"));
    free(file);
}

/* A zone with every supported type, a wildcard, delegations with glue and
 * DS, and a TXT longer than 255 bytes. */
static void zone_full_create(fixture_t *f)
{
    zone_create(f, "full.test.");
    char long_txt[700];
    for (size_t i = 0; i < 600; i++) {
        long_txt[i] = (char)('a' + i % 26);
    }
    memcpy(long_txt + 100, "\\\"; quoted", 10);
    long_txt[600] = '\0';
    char rows[6000];
    snprintf(
        rows, sizeof(rows),
        "('full.test.', 'A', '192.0.2.1', 3600, NULL::int, false),"
        "('full.test.', 'AAAA', '2001:db8::1', 3600, NULL, false),"
        "('full.test.', 'MX', 'mail.full.test.', 3600, 10, false),"
        "('full.test.', 'TXT', 'v=spf1 mx -all', 3600, NULL, false),"
        "('full.test.', 'CAA', '0 issue \"letsencrypt.org\"', 3600, NULL, false),"
        "('full.test.', 'HTTPS', '1 . alpn=h2,h3', 3600, NULL, false),"
        "('mail.full.test.', 'A', '192.0.2.25', 3600, NULL, false),"
        "('www.full.test.', 'CNAME', 'full.test.', 3600, NULL, false),"
        "('long.full.test.', 'TXT', '%s', 3600, NULL, false),"
        "('_sip._tcp.full.test.', 'SRV', '5 5060 sip.full.test.', 3600, 10, false),"
        "('sip.full.test.', 'A', '192.0.2.26', 3600, NULL, false),"
        "('_443._tcp.www.full.test.', 'TLSA', '3 1 1 "
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 3600, NULL, false),"
        "('host.full.test.', 'SSHFP', '4 2 "
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 3600, NULL, false),"
        "('host.full.test.', 'A', '192.0.2.27', 3600, NULL, false),"
        "('1.2.full.test.', 'PTR', 'host.full.test.', 3600, NULL, false),"
        "('naptr.full.test.', 'NAPTR', '100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.full.test.', "
        "3600, NULL, false),"
        "('svc.full.test.', 'SVCB', '1 host.full.test. alpn=h2', 3600, NULL, false),"
        "('*.wild.full.test.', 'A', '192.0.2.30', 3600, NULL, false),"
        "('*.wild.full.test.', 'TXT', 'wildcard', 3600, NULL, false),"
        "('sub.full.test.', 'NS', 'ns1.sub.full.test.', 86400, NULL, false),"
        "('sub.full.test.', 'NS', 'ns2.sub.full.test.', 86400, NULL, false),"
        "('sub.full.test.', 'DS', '12345 13 2 "
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 86400, NULL, false),"
        "('ns1.sub.full.test.', 'A', '192.0.2.53', 86400, NULL, false),"
        "('ns2.sub.full.test.', 'AAAA', '2001:db8::53', 86400, NULL, false),"
        "('aws.full.test.', 'NS', 'ns-123.awsdns-12.com.', 86400, NULL, false),"
        "('aws.full.test.', 'NS', 'ns-456.awsdns-34.net.', 86400, NULL, false)",
        long_txt);
    records_add(f, "full.test.", rows);
}

static void test_full_zone_passes_nsd_and_named_checkzone(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_full_create(f);
    assert_int_equal(run_once(f), 0);
    char *file = zone_file(f, "full.test");
    assert_non_null(file);
    /* 600 bytes of TXT become three character-strings. */
    assert_non_null(strstr(file, "long.full.test. 3600 IN TXT \"abc"));
    free(file);
    assert_int_equal(testutil_sh("nsd-checkzone full.test %s/full.test.zone", f->zones), 0);
    assert_int_equal(
        testutil_sh("named-checkzone -k fail -i local full.test %s/full.test.zone", f->zones), 0);
    /* The TXT comes back as the stored text, split at 255 bytes. */
    assert_int_equal(testutil_sh("named-checkzone -q -D -o - full.test %s/full.test.zone | "
                                 "grep -q '^long.full.test.*\"\\(.\\)\\{255\\}\" \"'",
                                 f->zones),
                     0);
}

static void test_export_equals_file_bytes(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_full_create(f);
    assert_int_equal(run_once(f), 0);
    char *file = zone_file(f, "full.test");
    char *text = export_text(f, "full.test.");
    assert_non_null(file);
    assert_string_equal(text, file);
    free(text);
    free(file);
    /* And the command prints the same bytes. */
    const char *bin = getenv("DNSAPI_BINARY");
    if (bin != NULL && *bin != '\0') {
        assert_int_equal(
            testutil_sh("DNSAPI_DATABASE_URL='%s' '%s' export full.test > %s/export.out && "
                        "cmp %s/export.out %s/full.test.zone",
                        f->db.conninfo, bin, f->tmp, f->tmp, f->zones),
            0);
    }
}

static void test_includes_are_accepted_by_the_servers(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_full_create(f);
    zone_create(f, "example.com.");
    assert_int_equal(run_once(f), 0);

    char *nsd = testutil_file_read(f->cfg.ns_conf_nsd);
    char *knot = testutil_file_read(f->cfg.ns_conf_knot);
    char *bind = testutil_file_read(f->cfg.ns_conf_bind);
    assert_non_null(nsd);
    assert_non_null(knot);
    assert_non_null(bind);
    char want[512];
    snprintf(want, sizeof(want), "\tzonefile: \"%s/%%s.zone\"\n", f->zones);
    assert_non_null(strstr(nsd, want));
    assert_non_null(strstr(nsd, "zone:\n\tname: \"example.com\"\n\tinclude-pattern: \"dnsapi\"\n"));
    snprintf(want, sizeof(want), "    storage: \"%s\"\n    file: \"%%s.zone\"\n", f->zones);
    assert_non_null(strstr(knot, want));
    assert_non_null(strstr(knot, "  - domain: \"full.test.\"\n    template: \"dnsapi\"\n"));
    snprintf(want, sizeof(want),
             "zone \"example.com.\" { type primary; file \"%s/example.com.zone\"; check-names "
             "warn; allow-transfer { none; }; notify no; };\n",
             f->zones);
    assert_non_null(strstr(bind, want));
    free(nsd);
    free(knot);
    free(bind);

    assert_int_equal(testutil_ns_includes_check(f->tmp, f->cfg.ns_conf_nsd, f->cfg.ns_conf_knot,
                                                f->cfg.ns_conf_bind),
                     0);
}

static void test_deleted_zone_file_is_removed(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "gone.test.");
    zone_create(f, "stays.test.");
    assert_int_equal(run_once(f), 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/gone.test.zone", f->zones);
    assert_int_equal(access(path, F_OK), 0);
    testutil_sql(f->conn, "DELETE FROM zones WHERE name = 'gone.test.'");
    assert_int_equal(run_once(f), 0);
    assert_int_not_equal(access(path, F_OK), 0);
    char *nsd = testutil_file_read(f->cfg.ns_conf_nsd);
    assert_null(strstr(nsd, "gone.test"));
    assert_non_null(strstr(nsd, "\"stays.test\""));
    free(nsd);
    char *knot = testutil_file_read(f->cfg.ns_conf_knot);
    assert_null(strstr(knot, "gone.test."));
    free(knot);
}

static void test_failing_reload_leaves_zone_pending(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "example.net.");
    snprintf(f->cfg.reload_cmd, sizeof(f->cfg.reload_cmd), "echo cannot reload {zone} >&2; exit 3");
    assert_int_equal(run_once(f), 1);
    char *row =
        testutil_value(f->conn, "SELECT coalesce(published_serial::text, 'null') || ' ' || "
                                "(exported_serial = serial) || ' ' || last_error FROM zones");
    assert_non_null(row);
    assert_string_equal(row, "null true reload: DNSAPI_RELOAD_CMD exited with status 3: cannot "
                             "reload example.net");
    free(row);
    /* Once the command works, the zone is published and the error gone. */
    snprintf(f->cfg.reload_cmd, sizeof(f->cfg.reload_cmd), "test -s {file}");
    assert_int_equal(run_once(f), 0);
    row = testutil_value(
        f->conn, "SELECT (published_serial = serial) || ' ' || (last_error IS NULL) FROM zones");
    assert_string_equal(row, "true true");
    free(row);
}

static void test_once_exit_status_says_whether_all_published(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    const char *bin = getenv("DNSAPI_BINARY");
    if (bin == NULL || *bin == '\0') {
        skip();
    }
    zone_create(f, "example.net.");
    char cmd[2048];
#define ONCE_CMD(reload)                                                                           \
    snprintf(cmd, sizeof(cmd),                                                                     \
             "env DNSAPI_ZONE_DIR='%s' DNSAPI_DATABASE_URL='%s' DNSAPI_RELOAD_CMD='%s' "           \
             "'%s' zonegen --once 2>/dev/null",                                                    \
             f->zones, f->db.conninfo, reload, bin)
    ONCE_CMD("false");
    assert_int_equal(testutil_sh("%s", cmd), 1);
    ONCE_CMD("true");
    assert_int_equal(testutil_sh("%s", cmd), 0);
    /* Nothing dirty: still success. */
    assert_int_equal(testutil_sh("%s", cmd), 0);
    char *row = testutil_value(f->conn, "SELECT published_serial = serial FROM zones");
    assert_string_equal(row, "t");
    free(row);
}

static void test_render_failure_keeps_last_good_file(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "example.net.");
    records_add(f, "example.net.", "('www.example.net.', 'A', '192.0.2.1', 300, NULL::int, false)");
    assert_int_equal(run_once(f), 0);
    char *good = zone_file(f, "example.net");
    assert_non_null(good);
    /* A row the API would never store: the renderer refuses it. */
    records_add(f, "example.net.",
                "('bad.example.net.', 'A', 'not-an-address', 300, NULL::int, false)");
    assert_int_equal(run_once(f), 1);
    char *now = zone_file(f, "example.net");
    assert_string_equal(now, good);
    char *row =
        testutil_value(f->conn, "SELECT (exported_serial < serial) || ' ' || "
                                "(last_error LIKE 'render: zone example.net.: cannot render "
                                "bad.example.net. A%%') FROM zones");
    assert_string_equal(row, "true true");
    free(row);
    free(now);
    free(good);
    /* No temporary file is left behind. */
    assert_int_equal(testutil_sh("ls -A %s | grep -q tmp", f->zones), 1);
}

static void test_zone_locked_by_another_session_is_skipped(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "locked.test.");
    zone_create(f, "free.test.");
    char *id = testutil_value(f->conn, "SELECT id FROM zones WHERE name = 'locked.test.'");
    PGconn *other = testdb_connect(&f->db);
    char err[256];
    assert_int_equal(store_zonegen_lock_try(other, id, err, sizeof(err)), 1);
    assert_int_equal(run_once(f), 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/locked.test.zone", f->zones);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/free.test.zone", f->zones);
    assert_int_equal(access(path, F_OK), 0);
    char *row = testutil_value(
        f->conn, "SELECT exported_serial IS NULL FROM zones WHERE name = 'locked.test.'");
    assert_string_equal(row, "t");
    free(row);
    /* Released: the next run takes it. */
    assert_int_equal(store_zonegen_lock_release(other, id, err, sizeof(err)), DNSAPI_OK);
    assert_int_equal(run_once(f), 0);
    snprintf(path, sizeof(path), "%s/locked.test.zone", f->zones);
    assert_int_equal(access(path, F_OK), 0);
    PQfinish(other);
    free(id);
}

/* A writer killed in the middle of a large zone leaves the previous file
 * whole; the next start removes its temporary file. */
static void test_kill_mid_write_leaves_previous_file(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "big.test.");
    assert_int_equal(run_once(f), 0);
    char *before = zone_file(f, "big.test");
    assert_non_null(before);
    /* Bulk rows without the per-row triggers (one transaction updating the
     * zone row 100,000 times is slow), then one ordinary change. */
    testutil_sql(f->conn, "SET session_replication_role = replica");
    testutil_sql(f->conn, "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
                          "SELECT z.id, z.account_id, 'h' || i || '.big.test.', 'A', "
                          "'10.0.' || (i / 256) %% 256 || '.' || i %% 256, 300 "
                          "FROM zones z, generate_series(1, 100000) i WHERE z.name = 'big.test.'");
    testutil_sql(f->conn, "SET session_replication_role = origin");
    records_add(f, "big.test.", "('www.big.test.', 'A', '192.0.2.1', 300, NULL::int, false)");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        _exit(run_once(f));
    }
    char tmp[256];
    snprintf(tmp, sizeof(tmp), "%s/.big.test.zone.tmp.%d", f->zones, (int)pid);
    struct stat st;
    int seen = 0;
    /* Wait (at most 20 s) until the temporary file has some data in it. */
    for (int i = 0; i < 20000 && !seen; i++) {
        if (stat(tmp, &st) == 0 && st.st_size > 100000) {
            seen = 1;
            break;
        }
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_true(seen);
    assert_int_equal(access(tmp, F_OK), 0);
    char *after = zone_file(f, "big.test");
    assert_string_equal(after, before);
    free(after);
    /* Its advisory lock died with its session, so the next run can work. */
    assert_int_equal(run_once(f), 0);
    assert_int_not_equal(access(tmp, F_OK), 0);
    after = zone_file(f, "big.test");
    assert_non_null(strstr(after, "h99999.big.test. 300 IN A 10.0.134.159\n"));
    free(after);
    free(before);
}

/* A NOTIFY goes to each DNSAPI_NOTIFY address; a DNSAPI_VERIFY server that
 * never answers leaves the zone written but pending, with last_error. */
static void test_notify_sent_and_unverified_zone_stays_pending(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "notify.test.");
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(15398)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    snprintf(f->cfg.notify[0].host, sizeof(f->cfg.notify[0].host), "127.0.0.1");
    f->cfg.notify[0].port = 15398;
    f->cfg.n_notify = 1;
    f->cfg.verify[0] = f->cfg.notify[0];
    f->cfg.n_verify = 1;
    assert_int_equal(run_once_verify(f, 300), 1);

    int notifies = 0, queries = 0;
    uint8_t buf[4096];
    ssize_t n;
    /* Bounded: the socket buffer holds what the run sent, nothing more. */
    for (int i = 0; i < 1000 && (n = recv(fd, buf, sizeof(buf), 0)) > 0; i++) {
        ldns_pkt *pkt = NULL;
        assert_int_equal(ldns_wire2pkt(&pkt, buf, (size_t)n), LDNS_STATUS_OK);
        ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
        char *qname = ldns_rdf2str(ldns_rr_owner(q));
        assert_string_equal(qname, "notify.test.");
        assert_int_equal(ldns_rr_get_type(q), LDNS_RR_TYPE_SOA);
        if (ldns_pkt_get_opcode(pkt) == LDNS_PACKET_NOTIFY) {
            assert_true(ldns_pkt_aa(pkt));
            notifies++;
        } else if (ldns_pkt_get_opcode(pkt) == LDNS_PACKET_QUERY) {
            queries++;
        }
        free(qname);
        ldns_pkt_free(pkt);
    }
    close(fd);
    assert_true(notifies >= 1);
    assert_true(queries >= 1);
    char *row = testutil_value(
        f->conn, "SELECT (exported_serial = serial) || ' ' || (published_serial IS NULL) "
                 "|| ' ' || (last_error LIKE 'verify: 1 of 1 servers not at serial %% SOA check: "
                 "no answer from 127.0.0.1:15398 within %% ms;%%') "
                 "FROM zones");
    assert_string_equal(row, "true true true");
    free(row);
}

typedef struct {
    fixture_t *f;
    volatile sig_atomic_t stop;
    int status;
} daemon_t;

static void *daemon_main(void *arg)
{
    daemon_t *d = arg;
    zonegen_options_t opt;
    zonegen_options_init(&opt, &d->f->cfg);
    opt.sweep_ms = 200;
    opt.stop = &d->stop;
    d->status = zonegen_run(&opt);
    return NULL;
}

/* Waits (at most 10 s) until sql answers "t". */
static int wait_true(fixture_t *f, const char *query)
{
    for (int i = 0; i < 1000; i++) {
        char *v = testdb_value(f->conn, query);
        int ok = v != NULL && strcmp(v, "t") == 0;
        free(v);
        if (ok) {
            return 1;
        }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* The running zonegen follows notifications, and its periodic sweep finds
 * a change that came without one; setting the stop flag ends it cleanly. */
static void test_daemon_follows_notifications_and_sweeps(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "live.test.");
    daemon_t d = {.f = f};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, daemon_main, &d), 0);
    assert_true(wait_true(f, "SELECT published_serial = serial FROM zones"));
    /* An ordinary change: NOTIFY zone_changed. */
    records_add(f, "live.test.", "('www.live.test.', 'A', '192.0.2.1', 300, NULL::int, false)");
    assert_true(wait_true(f, "SELECT published_serial = serial FROM zones"));
    char *file = zone_file(f, "live.test");
    assert_non_null(strstr(file, "www.live.test. 300 IN A 192.0.2.1\n"));
    free(file);
    /* A change without triggers, hence without a notification. */
    testutil_sql(f->conn, "SET session_replication_role = replica");
    testutil_sql(f->conn,
                 "INSERT INTO records (zone_id, account_id, name, type, content, ttl) SELECT id, "
                 "account_id, 'quiet.live.test.', 'A', '192.0.2.2', 300 FROM zones");
    testutil_sql(f->conn, "UPDATE zones SET serial = serial + 1");
    testutil_sql(f->conn,
                 "UPDATE records r SET content = split_part(r.content, ' ', 1) || ' ' || "
                 "split_part(r.content, ' ', 2) || ' ' || z.serial || ' 10800 3600 1209600 3600' "
                 "FROM zones z WHERE r.zone_id = z.id AND r.type = 'SOA'");
    testutil_sql(f->conn, "SET session_replication_role = origin");
    assert_true(wait_true(f, "SELECT published_serial = serial FROM zones"));
    file = zone_file(f, "live.test");
    assert_non_null(strstr(file, "quiet.live.test. 300 IN A 192.0.2.2\n"));
    free(file);
    d.stop = 1;
    assert_int_equal(pthread_kill(thread, 0), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(d.status, 0);
}

/* A failing reload command leaves the zone pending with last_error; the
 * running zonegen retries it with backoff and publishes once it works. */
static void test_daemon_retries_failed_reload_with_backoff(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "retry.test.");
    char marker[128];
    snprintf(marker, sizeof(marker), "%s/reload-ok", f->tmp);
    snprintf(f->cfg.reload_cmd, sizeof(f->cfg.reload_cmd), "test -e '%s'", marker);
    daemon_t d = {.f = f};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, daemon_main, &d), 0);
    assert_true(wait_true(f, "SELECT last_error LIKE 'reload: DNSAPI_RELOAD_CMD exited with "
                             "status 1%' AND published_serial IS NULL FROM zones"));
    FILE *fp = fopen(marker, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_true(wait_true(f, "SELECT published_serial = serial AND last_error IS NULL FROM zones"));
    d.stop = 1;
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(d.status, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records_render_in_canonical_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_record_is_left_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_zone_passes_nsd_and_named_checkzone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_export_equals_file_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_includes_are_accepted_by_the_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_zone_file_is_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_reload_leaves_zone_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_once_exit_status_says_whether_all_published, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_render_failure_keeps_last_good_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zone_locked_by_another_session_is_skipped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_kill_mid_write_leaves_previous_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_sent_and_unverified_zone_stays_pending, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_daemon_follows_notifications_and_sweeps, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_daemon_retries_failed_reload_with_backoff, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
