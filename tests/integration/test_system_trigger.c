/*
 * test_system_trigger.c - the schema's own guarantees, by plain SQL: system
 * records (SOA, apex NS) cannot be touched, the serial rises once per
 * transaction in RFC 1982 arithmetic, zone_changed is notified on commit.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "storage/statements.h"
#include "support/testdb.h"

typedef struct {
    testdb_t db;
    PGconn *conn;
    char account_id[40];
    char zone_id[40];
} fixture_t;

/* Every statement of these tests is about example.com., created here. */
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return -1;
    }
    *state = f;
    if (testdb_create(&f->db, "trigger", 1) != 0) {
        return 0; /* no database configured: every test skips */
    }
    f->conn = testdb_connect(&f->db);
    char *v = testdb_value(f->conn, "INSERT INTO accounts (name) VALUES ('acme') RETURNING id");
    assert_non_null(v);
    snprintf(f->account_id, sizeof(f->account_id), "%s", v);
    free(v);
    v = testdb_value(f->conn, "INSERT INTO zones (account_id, name, nameservers, hostmaster) "
                              "SELECT id, 'example.com.', "
                              "ARRAY['ns1.dnsapi.test.', 'ns2.dnsapi.test.'], "
                              "'hostmaster.dnsapi.test.' FROM accounts RETURNING id");
    assert_non_null(v);
    snprintf(f->zone_id, sizeof(f->zone_id), "%s", v);
    free(v);
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (f->conn != NULL) {
        PQfinish(f->conn);
    }
    testdb_drop(&f->db);
    free(f);
    return 0;
}

static fixture_t *fixture_or_skip(void **state)
{
    fixture_t *f = *state;
    if (f->conn == NULL) {
        skip();
    }
    return f;
}

static void exec_ok(PGconn *c, const char *sql)
{
    char state[6];
    int st = testdb_exec(c, sql, state);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_msg("%s: failed with SQLSTATE %s", sql, state);
    }
}

/* Runs sql and expects the trigger's refusal, SQLSTATE DA001. */
static void exec_refused(PGconn *c, const char *sql)
{
    char state[6];
    int st = testdb_exec(c, sql, state);
    if (st != PGRES_FATAL_ERROR || strcmp(state, "DA001") != 0) {
        fail_msg("%s: expected SQLSTATE DA001, got status %d SQLSTATE '%s'", sql, st, state);
    }
}

static long long value_ll(PGconn *c, const char *sql)
{
    char *v = testdb_value(c, sql);
    if (v == NULL) {
        fail_msg("%s: no single value", sql);
    }
    long long n = strtoll(v, NULL, 10);
    free(v);
    return n;
}

static long long serial(PGconn *c)
{
    return value_ll(c, "SELECT serial FROM zones WHERE name = 'example.com.'");
}

/* The serial field (third word) of the SOA record's content as every reader
 * (API, exports, master files) shows it. */
static long long soa_serial(PGconn *c)
{
    return value_ll(c, "SELECT split_part(" DB_RECORD_CONTENT(
                           "r") ", ' ', 3) FROM records r "
                                "WHERE r.type = 'SOA' AND r.name = 'example.com.'");
}

static void test_zone_creation_makes_system_soa_and_ns(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM records"), 3);
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM records WHERE system"), 3);
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM records WHERE type = 'SOA' AND "
                                       "name = 'example.com.'"),
                     1);
    char *ns = testdb_value(f->conn, "SELECT string_agg(content, ',' ORDER BY content) FROM "
                                     "records WHERE type = 'NS' AND name = 'example.com.'");
    assert_non_null(ns);
    assert_string_equal(ns, "ns1.dnsapi.test.,ns2.dnsapi.test.");
    free(ns);
    assert_int_equal(value_ll(f->conn, "SELECT min(ttl) FROM records WHERE type = 'NS'"), 86400);
    char *soa = testdb_value(f->conn, "SELECT content FROM records WHERE type = 'SOA'");
    assert_non_null(soa);
    assert_true(strncmp(soa, "ns1.dnsapi.test. hostmaster.dnsapi.test. ", 41) == 0);
    free(soa);
    /* A new zone starts at YYYYMMDD01 (UTC), and the SOA says the same. */
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof(today), "%Y%m%d", &tm);
    long long s = serial(f->conn);
    assert_true(s == atoll(today) * 100 + 1 || s / 100 == atoll(today) - 1); /* near midnight */
    assert_int_equal(soa_serial(f->conn), s);
    assert_int_equal(value_ll(f->conn, "SELECT record_count FROM zones"), 3);
}

static void test_soa_update_and_delete_are_refused(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    exec_refused(f->conn, "UPDATE records SET ttl = 60 WHERE type = 'SOA'");
    exec_refused(f->conn, "UPDATE records SET content = 'ns9.evil.test. h.evil.test. 1 2 3 4 5' "
                          "WHERE type = 'SOA'");
    exec_refused(f->conn, "UPDATE records SET system = false WHERE type = 'SOA'");
    exec_refused(f->conn, "DELETE FROM records WHERE type = 'SOA'");
    exec_refused(f->conn, "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
                          "SELECT id, account_id, 'www.example.com.', 'SOA', "
                          "'ns1.dnsapi.test. h.dnsapi.test. 1 2 3 4 5', 3600 FROM zones");
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM records WHERE type = 'SOA'"), 1);
    assert_int_equal(value_ll(f->conn, "SELECT ttl FROM records WHERE type = 'SOA'"), 3600);
}

static void test_apex_ns_update_delete_and_insert_are_refused(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    exec_refused(f->conn, "UPDATE records SET content = 'ns9.evil.test.' "
                          "WHERE type = 'NS' AND content = 'ns1.dnsapi.test.'");
    exec_refused(f->conn, "UPDATE records SET ttl = 300 WHERE type = 'NS'");
    exec_refused(f->conn, "DELETE FROM records WHERE type = 'NS' AND content = 'ns2.dnsapi.test.'");
    exec_refused(f->conn, "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
                          "SELECT id, account_id, 'example.com.', 'NS', 'ns3.other.test.', 86400 "
                          "FROM zones");
    /* Nor by marking a record system, or moving a subdomain NS to the apex. */
    exec_ok(f->conn,
            "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
            "SELECT id, account_id, 'www.example.com.', 'A', '192.0.2.1', 3600 FROM zones");
    exec_refused(f->conn, "UPDATE records SET system = true WHERE name = 'www.example.com.'");
    exec_ok(f->conn, "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
                     "SELECT id, account_id, 'sub.example.com.', 'NS', 'ns1.other.test.', 86400 "
                     "FROM zones");
    exec_refused(f->conn, "UPDATE records SET name = 'example.com.' "
                          "WHERE name = 'sub.example.com.' AND type = 'NS'");
    /* Inside a transaction the refusal aborts everything. */
    exec_ok(f->conn, "BEGIN");
    exec_ok(f->conn, "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
                     "SELECT id, account_id, 'mail.example.com.', 'A', '192.0.2.2', 3600 FROM "
                     "zones");
    exec_refused(f->conn, "DELETE FROM records WHERE type = 'NS' AND name = 'example.com.'");
    exec_ok(f->conn, "ROLLBACK");
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM records WHERE name = "
                                       "'mail.example.com.'"),
                     0);
    char *ns = testdb_value(f->conn, "SELECT string_agg(content || ' ' || ttl, ',' ORDER BY "
                                     "content) FROM records WHERE type = 'NS' AND name = "
                                     "'example.com.'");
    assert_non_null(ns);
    assert_string_equal(ns, "ns1.dnsapi.test. 86400,ns2.dnsapi.test. 86400");
    free(ns);
}

static void test_subdomain_ns_can_be_added_changed_and_removed(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    exec_ok(f->conn, "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
                     "SELECT id, account_id, 'sub.example.com.', 'NS', c, 86400 FROM zones, "
                     "unnest(ARRAY['ns1.other.test.', 'ns2.other.test.']) AS c");
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM records WHERE name = "
                                       "'sub.example.com.' AND NOT system"),
                     2);
    exec_ok(f->conn, "UPDATE records SET ttl = 3600 WHERE name = 'sub.example.com.'");
    exec_ok(f->conn, "DELETE FROM records WHERE name = 'sub.example.com.' AND content = "
                     "'ns2.other.test.'");
    exec_ok(f->conn, "DELETE FROM records WHERE name = 'sub.example.com.'");
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM records"), 3);
    assert_int_equal(value_ll(f->conn, "SELECT record_count FROM zones"), 3);
}

static void test_deleting_the_zone_removes_everything(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    exec_ok(f->conn,
            "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
            "SELECT id, account_id, 'www.example.com.', 'A', '192.0.2.1', 3600 FROM zones");
    assert_true(value_ll(f->conn, "SELECT count(*) FROM changes") > 0);
    exec_ok(f->conn, "DELETE FROM zones WHERE name = 'example.com.'");
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM zones"), 0);
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM records"), 0);
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM changes"), 0);
    /* The account is still there and can make the zone again. */
    exec_ok(f->conn, "INSERT INTO zones (account_id, name, nameservers, hostmaster) SELECT id, "
                     "'example.com.', ARRAY['ns1.dnsapi.test.'], 'hostmaster.dnsapi.test.' "
                     "FROM accounts");
    assert_int_equal(value_ll(f->conn, "SELECT count(*) FROM records WHERE system"), 2);
}

static void test_serial_rises_once_per_transaction(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    long long s0 = serial(f->conn);

    /* One statement, several rows. */
    exec_ok(f->conn, "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
                     "SELECT id, account_id, 'h' || i || '.example.com.', 'A', '192.0.2.' || i, "
                     "3600 FROM zones, generate_series(1, 5) AS i");
    assert_int_equal(serial(f->conn), s0 + 1);
    assert_int_equal(soa_serial(f->conn), s0 + 1);

    /* Several statements of every kind in one transaction. */
    exec_ok(f->conn, "BEGIN");
    exec_ok(f->conn, "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
                     "SELECT id, account_id, 'www.example.com.', 'A', '192.0.2.80', 3600 FROM "
                     "zones");
    exec_ok(f->conn, "UPDATE records SET ttl = 600 WHERE name LIKE 'h%'");
    exec_ok(f->conn, "DELETE FROM records WHERE name = 'h1.example.com.'");
    exec_ok(f->conn, "COMMIT");
    assert_int_equal(serial(f->conn), s0 + 2);
    assert_int_equal(soa_serial(f->conn), s0 + 2);

    /* A rolled-back transaction changes nothing. */
    exec_ok(f->conn, "BEGIN");
    exec_ok(f->conn, "DELETE FROM records WHERE name = 'h2.example.com.'");
    exec_ok(f->conn, "ROLLBACK");
    assert_int_equal(serial(f->conn), s0 + 2);

    /* Each autocommit statement is a transaction of its own. */
    exec_ok(f->conn, "DELETE FROM records WHERE name = 'h2.example.com.'");
    exec_ok(f->conn, "DELETE FROM records WHERE name = 'h3.example.com.'");
    assert_int_equal(serial(f->conn), s0 + 4);
    assert_int_equal(soa_serial(f->conn), s0 + 4);
    assert_int_equal(value_ll(f->conn, "SELECT record_count FROM zones"), 3 + 5 + 1 - 3);
    assert_int_equal(value_ll(f->conn, "SELECT max(serial) FROM changes"), s0 + 4);
}

static void test_serial_wraps_from_max_to_zero(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    exec_ok(f->conn, "UPDATE zones SET serial = 4294967295 WHERE name = 'example.com.'");
    exec_ok(f->conn,
            "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
            "SELECT id, account_id, 'www.example.com.', 'A', '192.0.2.1', 3600 FROM zones");
    assert_int_equal(serial(f->conn), 0);
    assert_int_equal(soa_serial(f->conn), 0);
    exec_ok(f->conn, "DELETE FROM records WHERE name = 'www.example.com.'");
    assert_int_equal(serial(f->conn), 1);
    assert_int_equal(soa_serial(f->conn), 1);
}

/* Waits (at most timeout_ms) for a notification on channel; returns its
 * payload (malloc'd) or NULL. */
static char *wait_notify(PGconn *c, const char *channel, int timeout_ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        assert_int_equal(PQconsumeInput(c), 1);
        PGnotify *n;
        while ((n = PQnotifies(c)) != NULL) {
            char *payload = strcmp(n->relname, channel) == 0 ? strdup(n->extra) : NULL;
            PQfreemem(n);
            if (payload != NULL) {
                return payload;
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= timeout_ms) {
            return NULL;
        }
        struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN};
        poll(&pfd, 1, (int)(timeout_ms - elapsed));
    }
}

static void test_zone_changed_is_notified_on_commit(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    PGconn *listener = testdb_connect(&f->db);
    exec_ok(listener, "LISTEN zone_changed");

    exec_ok(f->conn, "BEGIN");
    exec_ok(f->conn,
            "INSERT INTO records (zone_id, account_id, name, type, content, ttl) "
            "SELECT id, account_id, 'www.example.com.', 'A', '192.0.2.1', 3600 FROM zones");
    char *early = wait_notify(listener, "zone_changed", 200);
    assert_null(early); /* not before commit */
    exec_ok(f->conn, "COMMIT");
    char *payload = wait_notify(listener, "zone_changed", 5000);
    assert_non_null(payload);
    assert_string_equal(payload, f->zone_id);
    free(payload);

    /* Nothing for a rolled-back change. */
    exec_ok(f->conn, "BEGIN");
    exec_ok(f->conn, "DELETE FROM records WHERE name = 'www.example.com.'");
    exec_ok(f->conn, "ROLLBACK");
    assert_null(wait_notify(listener, "zone_changed", 300));

    /* A new zone and a deleted zone are notified too. */
    exec_ok(f->conn, "INSERT INTO zones (account_id, name, nameservers, hostmaster) SELECT id, "
                     "'example.org.', ARRAY['ns1.dnsapi.test.'], 'hostmaster.dnsapi.test.' FROM "
                     "accounts");
    char *org_id = testdb_value(f->conn, "SELECT id FROM zones WHERE name = 'example.org.'");
    assert_non_null(org_id);
    payload = wait_notify(listener, "zone_changed", 5000);
    assert_non_null(payload);
    assert_string_equal(payload, org_id);
    free(payload);
    exec_ok(f->conn, "DELETE FROM zones WHERE name = 'example.org.'");
    payload = wait_notify(listener, "zone_changed", 5000);
    assert_non_null(payload);
    assert_string_equal(payload, org_id);
    free(payload);
    free(org_id);
    PQfinish(listener);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_zone_creation_makes_system_soa_and_ns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_soa_update_and_delete_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apex_ns_update_delete_and_insert_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_subdomain_ns_can_be_added_changed_and_removed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deleting_the_zone_removes_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serial_rises_once_per_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serial_wraps_from_max_to_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zone_changed_is_notified_on_commit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
