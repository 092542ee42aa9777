/*
 * test_zonegen_fleet.c - the fleet side of the zone generator against a
 * real PostgreSQL: includes with the TSIG key, secondaries and the catalog
 * that nsd-checkconf, knotc conf-check and named-checkconf accept; the
 * catalog zone (RFC 9432 v2) with stable labels; DNSAPI_ZONES_ADD_CMD and
 * _DEL_CMD fed the names; the SQL interface (zone_servers, status,
 * published serial) and the tree rule by index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"
#include "common/error.h"
#include "support/testdb.h"
#include "support/testutil.h"
#include "zonegen/zonegen.h"

static const char secret[] = "RQx2zFM3E6jlONbNBclb3OOXis2/BRHQ9lNDdVU47m4=";

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
    if (testdb_create(&f->db, "zgfleet", 1) != 0) {
        return 0;
    }
    f->conn = testdb_connect(&f->db);
    assert_int_equal(
        testdb_exec(f->conn, "INSERT INTO accounts (name) VALUES ('acme'), ('other')", NULL),
        PGRES_COMMAND_OK);
    snprintf(f->tmp, sizeof(f->tmp), "/tmp/zgfleet.XXXXXX");
    assert_non_null(mkdtemp(f->tmp));
    snprintf(f->zones, sizeof(f->zones), "%s/zones", f->tmp);
    dnsapi_config_t *c = &f->cfg;
    snprintf(c->database_url, sizeof(c->database_url), "%s", f->db.conninfo);
    snprintf(c->zone_dir, sizeof(c->zone_dir), "%s", f->zones);
    snprintf(c->ns_conf_nsd, sizeof(c->ns_conf_nsd), "%s/nsd.inc", f->tmp);
    snprintf(c->ns_conf_knot, sizeof(c->ns_conf_knot), "%s/knot.inc", f->tmp);
    snprintf(c->ns_conf_bind, sizeof(c->ns_conf_bind), "%s/bind.inc", f->tmp);
    snprintf(c->catalog, sizeof(c->catalog), "catalog.dnsapi.invalid.");
    c->has_tsig_key = 1;
    snprintf(c->tsig_key.name, sizeof(c->tsig_key.name), "xfr-key");
    snprintf(c->tsig_key.algorithm, sizeof(c->tsig_key.algorithm), "hmac-sha256");
    snprintf(c->tsig_key.secret, sizeof(c->tsig_key.secret), "%s", secret);
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

static void sql_expect(fixture_t *f, const char *want, const char *query)
{
    char *v = testdb_value(f->conn, query);
    if (v == NULL || strcmp(v, want) != 0) {
        fail_msg("%s: got '%s', want '%s'", query, v ? v : "(null)", want);
    }
    free(v);
}

static void zone_create(fixture_t *f, const char *account, const char *zone)
{
    testutil_sql(
        f->conn,
        "INSERT INTO zones (account_id, name, nameservers, hostmaster) SELECT id, '%s', "
        "ARRAY['ns1.dnsapi.test.', 'ns2.dnsapi.test.'], 'hostmaster.dnsapi.test.' FROM accounts "
        "WHERE name = '%s'",
        zone, account);
}

static int run_once(fixture_t *f)
{
    zonegen_options_t opt;
    zonegen_options_init(&opt, &f->cfg);
    opt.once = 1;
    opt.verify_ms = 300;
    opt.backoff_max_ms = 1000;
    return zonegen_run(&opt);
}

/* Two secondaries that do not run: zonegen cannot verify them (status 1),
 * but what it writes is complete. */
static void secondaries_set(fixture_t *f)
{
    dnsapi_config_t *c = &f->cfg;
    snprintf(c->secondaries[0].name, sizeof(c->secondaries[0].name), "ns2.dnsapi.test.");
    snprintf(c->secondaries[0].addr.host, sizeof(c->secondaries[0].addr.host), "127.0.0.12");
    c->secondaries[0].addr.port = 53;
    snprintf(c->secondaries[1].name, sizeof(c->secondaries[1].name), "ns3.dnsapi.test.");
    snprintf(c->secondaries[1].addr.host, sizeof(c->secondaries[1].addr.host), "2001:db8::53");
    c->secondaries[1].addr.port = 5353;
    c->n_secondaries = 2;
}

static void test_includes_with_key_and_secondaries_pass_the_checkers(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    secondaries_set(f);
    zone_create(f, "acme", "example.com.");
    zone_create(f, "acme", "example.org.");
    assert_int_equal(run_once(f), 1); /* the secondaries are not there */
    char *nsd = testutil_file_read(f->cfg.ns_conf_nsd);
    char *knot = testutil_file_read(f->cfg.ns_conf_knot);
    char *bind = testutil_file_read(f->cfg.ns_conf_bind);
    assert_non_null(nsd);
    assert_non_null(knot);
    assert_non_null(bind);
    /* Transfers to exactly those addresses with the key, NOTIFY to them. */
    assert_non_null(strstr(nsd, "\tprovide-xfr: 127.0.0.12 xfr-key\n\tnotify: 127.0.0.12@53 "
                                "xfr-key\n"));
    assert_non_null(strstr(nsd, "\tprovide-xfr: 2001:db8::53 xfr-key\n\tnotify: "
                                "2001:db8::53@5353 xfr-key\n"));
    assert_non_null(strstr(nsd, "zone:\n\tname: \"catalog.dnsapi.invalid\"\n\tinclude-pattern: "
                                "\"dnsapi\"\n"));
    assert_non_null(strstr(nsd, "\tname: \"example.org\"\n"));
    assert_non_null(strstr(knot, "    address: [\"127.0.0.12\", \"2001:db8::53\"]\n    key: "
                                 "\"xfr-key\"\n    action: transfer\n"));
    assert_non_null(strstr(knot, "    notify: [\"dnsapi-secondary-1\", \"dnsapi-secondary-2\"]\n"));
    assert_non_null(strstr(knot, "    catalog-role: interpret\n"));
    /* Knot reads the members from the catalog: none is listed. */
    assert_null(strstr(knot, "example.org"));
    assert_non_null(strstr(bind, "acl \"dnsapi-secondaries\" { 127.0.0.12; 2001:db8::53; };"));
    assert_non_null(strstr(bind,
                           "allow-transfer { !{ !dnsapi-secondaries; any; }; key "
                           "\"xfr-key\"; }; notify explicit; also-notify { dnsapi-notify; };"));
    assert_non_null(strstr(bind, "zone \"example.com.\""));
    assert_non_null(strstr(bind, "zone \"catalog.dnsapi.invalid.\""));
    /* The includes hold the secret: not for everyone's eyes. */
    struct stat st;
    assert_int_equal(stat(f->cfg.ns_conf_nsd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    free(nsd);
    free(knot);
    free(bind);

    assert_int_equal(testutil_ns_includes_check(f->tmp, f->cfg.ns_conf_nsd, f->cfg.ns_conf_knot,
                                                f->cfg.ns_conf_bind),
                     0);
}

static void test_without_secondaries_transfers_are_closed(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    f->cfg.has_tsig_key = 0;
    f->cfg.catalog[0] = '\0';
    zone_create(f, "acme", "example.com.");
    assert_int_equal(run_once(f), 0);
    char *nsd = testutil_file_read(f->cfg.ns_conf_nsd);
    char *bind = testutil_file_read(f->cfg.ns_conf_bind);
    assert_null(strstr(nsd, "provide-xfr"));
    assert_null(strstr(nsd, "key:"));
    assert_non_null(strstr(bind, "allow-transfer { none; }; notify no;"));
    struct stat st;
    assert_int_equal(stat(f->cfg.ns_conf_nsd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    free(nsd);
    free(bind);
}

static void test_catalog_lists_every_zone_under_its_id(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "acme", "a.test.");
    zone_create(f, "acme", "b.test.");
    assert_int_equal(run_once(f), 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/catalog.dnsapi.invalid.zone", f->zones);
    char *cat = testutil_file_read(path);
    assert_non_null(cat);
    char *ida = testutil_value(
        f->conn, "SELECT replace(id::text, '-', '') FROM zones WHERE name = 'a.test.'");
    char want[256];
    snprintf(want, sizeof(want), "%s.zones.catalog.dnsapi.invalid. 0 IN PTR a.test.\n", ida);
    assert_non_null(strstr(cat, want));
    assert_non_null(strstr(cat, "version.catalog.dnsapi.invalid. 0 IN TXT \"2\"\n"));
    assert_non_null(strstr(cat, "catalog.dnsapi.invalid. 0 IN NS invalid.\n"));
    assert_int_equal(testutil_sh("named-checkzone -q catalog.dnsapi.invalid %s", path), 0);
    assert_int_equal(testutil_sh("nsd-checkzone catalog.dnsapi.invalid %s >/dev/null", path), 0);
    /* Nothing changed: the same file, the same serial. */
    char *before = cat;
    assert_int_equal(run_once(f), 0);
    cat = testutil_file_read(path);
    assert_string_equal(cat, before);
    free(cat);
    /* A zone goes: its line goes, the serial rises, the other label stays. */
    testutil_sql(f->conn, "DELETE FROM zones WHERE name = 'b.test.'");
    assert_int_equal(run_once(f), 0);
    cat = testutil_file_read(path);
    assert_null(strstr(cat, "PTR b.test."));
    assert_non_null(strstr(cat, want));
    unsigned long s1 = 0, s2 = 0;
    assert_int_equal(sscanf(strstr(before, "serial "), "serial %lu", &s1), 1);
    assert_int_equal(sscanf(strstr(cat, "serial "), "serial %lu", &s2), 1);
    assert_true(s2 > s1);
    free(cat);
    free(before);
    free(ida);
}

static void test_zone_commands_get_the_names(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    snprintf(f->cfg.zones_add_cmd, sizeof(f->cfg.zones_add_cmd), "cat >> %s/added", f->tmp);
    snprintf(f->cfg.zones_del_cmd, sizeof(f->cfg.zones_del_cmd), "cat >> %s/deleted", f->tmp);
    zone_create(f, "acme", "one.test.");
    zone_create(f, "acme", "two.test.");
    assert_int_equal(run_once(f), 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/added", f->tmp);
    char *added = testutil_file_read(path);
    assert_string_equal(added, "one.test\ntwo.test\n");
    free(added);
    /* The includes list no zone: the server learns them from the command. */
    char *nsd = testutil_file_read(f->cfg.ns_conf_nsd);
    assert_null(strstr(nsd, "one.test"));
    free(nsd);
    testutil_sql(f->conn, "DELETE FROM zones WHERE name = 'one.test.'");
    assert_int_equal(run_once(f), 0);
    snprintf(path, sizeof(path), "%s/deleted", f->tmp);
    char *deleted = testutil_file_read(path);
    assert_string_equal(deleted, "one.test\n");
    free(deleted);
    /* A start tells the primary about every zone again (idempotent). */
    snprintf(path, sizeof(path), "%s/added", f->tmp);
    added = testutil_file_read(path);
    assert_string_equal(added, "one.test\ntwo.test\ntwo.test\n");
    free(added);
    /* A failing add command leaves the new zone pending with the reason. */
    snprintf(f->cfg.zones_add_cmd, sizeof(f->cfg.zones_add_cmd), "echo no pattern >&2; exit 2");
    zone_create(f, "acme", "three.test.");
    assert_int_equal(run_once(f), 1);
    sql_expect(f, "add: DNSAPI_ZONES_ADD_CMD exited with status 2: no pattern",
               "SELECT last_error FROM zones WHERE name = 'three.test.'");
}

static void test_checks_store_status_and_servers(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "acme", "st.test.");
    char *id = testutil_value(f->conn, "SELECT id FROM zones WHERE name = 'st.test.'");
    char *serial = testutil_value(f->conn, "SELECT serial FROM zones WHERE name = 'st.test.'");
    char q[1024];
    snprintf(q, sizeof(q), "SELECT dnsapi_zone_status('%s')", id);
    sql_expect(f, "pending", q);
    /* One server in sync, one behind, three rounds in a row: failing. */
    for (int i = 0; i < 3; i++) {
        testutil_sql(
            f->conn,
            "SELECT * FROM dnsapi_zonegen_checks_store(ARRAY['%s', '%s']::uuid[], "
            "ARRAY['127.0.0.1:53', 'ns2.dnsapi.test.'], ARRAY['127.0.0.1:53', '127.0.0.2:53'], "
            "ARRAY['primary', 'secondary'], ARRAY[%s, NULL]::bigint[], ARRAY[true, false], "
            "ARRAY[NULL, 'SOA check: no answer'], ARRAY['%s']::uuid[], ARRAY[NULL]::bigint[], "
            "ARRAY['verify: 1 of 2']::text[])",
            id, id, serial, id);
        snprintf(q, sizeof(q), "SELECT dnsapi_zone_status('%s')", id);
        sql_expect(f, i < 2 ? "pending" : "failing", q);
    }
    snprintf(q, sizeof(q),
             "SELECT (s->>'name') || ' ' || (s->>'in_sync') || ' ' || coalesce(s->>'serial', "
             "'null') || ' ' || coalesce(s->>'error', 'null') FROM jsonb_array_elements("
             "dnsapi_zone_servers('%s')) s ORDER BY 1 LIMIT 1 OFFSET 1",
             id);
    sql_expect(f, "ns2.dnsapi.test. false null SOA check: no answer", q);
    snprintf(q, sizeof(q), "SELECT dnsapi_zone_published_serial('%s') IS NULL", id);
    sql_expect(f, "t", q);
    /* Both in sync: published, and the serial every server serves. */
    testutil_sql(
        f->conn,
        "SELECT * FROM dnsapi_zonegen_checks_store(ARRAY['%s', '%s']::uuid[], "
        "ARRAY['127.0.0.1:53', 'ns2.dnsapi.test.'], ARRAY['127.0.0.1:53', '127.0.0.2:53'], "
        "ARRAY['primary', 'secondary'], ARRAY[%s, %s]::bigint[], ARRAY[true, true], "
        "ARRAY[NULL, NULL]::text[], ARRAY['%s']::uuid[], ARRAY[%s]::bigint[], ARRAY[NULL]::text[])",
        id, id, serial, serial, id, serial);
    snprintf(q, sizeof(q),
             "SELECT dnsapi_zone_status('%s') || ' ' || (dnsapi_zone_published_serial('%s') = %s)"
             " || ' ' || jsonb_array_length(dnsapi_zone_servers('%s'))",
             id, id, serial, id);
    sql_expect(f, "published true 2", q);
    /* A server taken out of the configuration loses its row. */
    testutil_sql(
        f->conn,
        "SELECT * FROM dnsapi_zonegen_checks_store(ARRAY['%s']::uuid[], ARRAY['127.0.0.1:53'], "
        "ARRAY['127.0.0.1:53'], ARRAY['primary'], ARRAY[%s]::bigint[], ARRAY[true], "
        "ARRAY[NULL]::text[], ARRAY['%s']::uuid[], ARRAY[%s]::bigint[], ARRAY[NULL]::text[])",
        id, serial, id, serial);
    snprintf(q, sizeof(q), "SELECT jsonb_array_length(dnsapi_zone_servers('%s'))", id);
    sql_expect(f, "1", q);
    /* Zone-level steps failing three times: failing too. */
    testutil_sql(f->conn, "UPDATE zones SET publish_failures = 3 WHERE id = '%s'", id);
    snprintf(q, sizeof(q), "SELECT dnsapi_zone_status('%s')", id);
    sql_expect(f, "failing", q);
    free(id);
    free(serial);
}

static void test_tree_conflict_by_index(void **state)
{
    fixture_t *f = *state;
    NEED_DB(f);
    zone_create(f, "acme", "example.com.");
    zone_create(f, "acme", "dept.example.org.");
#define CONFLICT(account, name)                                                                    \
    "SELECT dnsapi_zone_tree_conflict((SELECT id FROM accounts WHERE name = '" account             \
    "'), '" name "')"
    sql_expect(f, "t", CONFLICT("other", "www.example.com."));
    sql_expect(f, "t", CONFLICT("other", "a.b.example.com."));
    sql_expect(f, "t", CONFLICT("other", "com."));
    sql_expect(f, "t", CONFLICT("other", "example.org."));
    sql_expect(f, "f", CONFLICT("other", "xexample.com."));
    sql_expect(f, "f", CONFLICT("other", "example.net."));
    sql_expect(f, "f", CONFLICT("other", "x.dept-example.org."));
    /* The same account may nest zones; the same name is the unique index's. */
    sql_expect(f, "f", CONFLICT("acme", "www.example.com."));
    sql_expect(f, "f", CONFLICT("other", "example.com."));
    /* Underscores are names, not LIKE patterns. */
    zone_create(f, "acme", "a_b.test.");
    sql_expect(f, "f", CONFLICT("other", "x.axb.test."));
    sql_expect(f, "t", CONFLICT("other", "x.a_b.test."));
    /* Both probes are index scans, whatever the number of zones. */
    testutil_sql(
        f->conn,
        "INSERT INTO zones (account_id, name, nameservers, hostmaster) SELECT a.id, 'z' || i || "
        "'.bulk.test.', ARRAY['ns1.dnsapi.test.'], 'h.dnsapi.test.' FROM accounts a, "
        "generate_series(1, 3000) i WHERE a.name = 'acme'");
    testutil_sql(f->conn, "ANALYZE zones");
    static const char *const probes[] = {
        "EXPLAIN SELECT 1 FROM zones o WHERE o.name = ANY (dnsapi_name_ancestors('www.z7.bulk."
        "test.')) AND o.account_id <> (SELECT id FROM accounts WHERE name = 'other')",
        "EXPLAIN SELECT 1 FROM zones o WHERE reverse(o.name) >= reverse('z7.bulk.test.') || '.' "
        "AND "
        "reverse(o.name) < reverse('z7.bulk.test.') || '/' AND o.account_id <> (SELECT id FROM "
        "accounts WHERE name = 'other')",
    };
    for (size_t i = 0; i < 2; i++) {
        PGresult *r = PQexec(f->conn, probes[i]);
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        int index = 0, seq = 0;
        for (int k = 0; k < PQntuples(r); k++) {
            const char *line = PQgetvalue(r, k, 0);
            index |= strstr(line, "Index") != NULL;
            seq |= strstr(line, "Seq Scan on zones") != NULL;
        }
        PQclear(r);
        assert_true(index);
        assert_false(seq);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_includes_with_key_and_secondaries_pass_the_checkers,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_without_secondaries_transfers_are_closed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_catalog_lists_every_zone_under_its_id, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_zone_commands_get_the_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checks_store_status_and_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tree_conflict_by_index, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
