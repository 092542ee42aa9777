/*
 * test_db_privileges.c - least privilege in the database
 * (migrations/0035_least_privilege.sql, `dnsapi db grant`).
 *
 * A database owned by an owner role, migrated by it, with a serving role
 * and a zonegen role granted through db_grant_role, as deploy/README.md sets
 * them up. The serving role must not be able to change, delete or create a
 * system record by any means it holds - plain DML, TRUNCATE, ALTER,
 * disabling triggers, session_replication_role, functions, triggers or
 * temporary tables of its own - and a role given TEMP on top (which the
 * setup never does) still cannot, because the guard checks who writes, not
 * how deep in triggers. Every refusal is checked for its SQLSTATE and for
 * leaving the database as it was. test_db_grants.c shows what the roles can
 * still do. The set-up is tests/support/testroles.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/testroles.h"

#define PERMISSION TESTROLES_PERMISSION
#define GUARD TESTROLES_GUARD

static void test_zone_created_by_the_serving_role_has_its_system_records(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    char *v =
        testroles_value(fx->as_owner, "SELECT string_agg(type || ' ' || system, ',' ORDER BY type, "
                                      "content) FROM records WHERE name = 'example.com.'");
    assert_string_equal(v, "NS true,NS true,SOA true");
    free(v);
    v = testroles_value(fx->as_owner,
                        "SELECT record_count || ' ' || (SELECT count(*) FROM changes) || "
                        "' ' || (SELECT count(*) FROM dnsapi_system_writes) FROM zones");
    assert_string_equal(v, "4 1 0"); /* SOA, 2 NS, www; only www audited */
    free(v);
}

static void test_serving_role_cannot_touch_system_records_with_dml(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    char sql[512];
    testroles_expect_refused(fx, fx->as_serve, "DELETE FROM records WHERE type = 'SOA'", GUARD);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE records SET ttl = 60 WHERE type = 'SOA'",
                             GUARD);
    testroles_expect_refused(
        fx, fx->as_serve,
        "UPDATE records SET content = 'ns1.evil.test. x. 1 2 3 4 5' WHERE type = 'SOA'", GUARD);
    testroles_expect_refused(
        fx, fx->as_serve, "DELETE FROM records WHERE type = 'NS' AND name = 'example.com.'", GUARD);
    testroles_expect_refused(fx, fx->as_serve,
                             "UPDATE records SET content = 'ns.evil.test.' WHERE type = 'NS'"
                             " AND name = 'example.com.'",
                             GUARD);
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl) VALUES "
             "('%s', '%s', 'example.com.', 'NS', 'ns.evil.test.', 86400)",
             fx->zone_id, fx->account_id);
    testroles_expect_refused(fx, fx->as_serve, sql, GUARD);
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl) VALUES "
             "('%s', '%s', 'example.com.', 'SOA', 'a. b. 1 2 3 4 5', 3600)",
             fx->zone_id, fx->account_id);
    testroles_expect_refused(fx, fx->as_serve, sql, GUARD);
    /* columns it may not write: system, type, name, zone_id, id */
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl, system) VALUES "
             "('%s', '%s', 'x.example.com.', 'A', '192.0.2.9', 60, true)",
             fx->zone_id, fx->account_id);
    testroles_expect_refused(fx, fx->as_serve, sql, PERMISSION);
    testroles_expect_refused(fx, fx->as_serve,
                             "UPDATE records SET system = false WHERE type = 'SOA'", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE records SET type = 'TXT' WHERE type = 'SOA'",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve,
                             "UPDATE records SET name = 'x.example.com.' WHERE type = 'NS'",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE records SET zone_id = gen_random_uuid()",
                             PERMISSION);
    /* nor the zone's own columns, nor the audit trail */
    testroles_expect_refused(fx, fx->as_serve, "UPDATE zones SET serial = 1", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve,
                             "UPDATE zones SET nameservers = ARRAY['ns.evil.test.']", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "DELETE FROM changes", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE changes SET token_id = NULL", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE changes SET tsig_key_id = NULL", PERMISSION);
    /* nor what zonegen alone records: publication per server, tombstones */
    testroles_expect_refused(fx, fx->as_serve, "UPDATE zones SET published_serial = serial",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE zones SET publish_failures = 0", PERMISSION);
    testroles_expect_refused(
        fx, fx->as_serve,
        "INSERT INTO zone_servers (zone_id, account_id, name, address, role,"
        " in_sync) SELECT id, account_id, 'x', 'x', 'primary', true FROM zones",
        PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "DELETE FROM zone_servers", PERMISSION);
    testroles_expect_refused(
        fx, fx->as_serve, "INSERT INTO zone_tombstones (zone_id, name) SELECT id, name FROM zones",
        PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "DELETE FROM zone_tombstones", PERMISSION);
    /* a TSIG key's secret and account are set once, at minting */
    testroles_expect_refused(fx, fx->as_serve, "UPDATE tsig_keys SET secret_sealed = 'x'",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE tsig_keys SET expires_at = now()",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE tokens SET policies = NULL", PERMISSION);
    snprintf(sql, sizeof(sql),
             "INSERT INTO changes (zone_id, account_id, serial, action, record_id, name, type)"
             " VALUES ('%s', '%s', 1, 'create', gen_random_uuid(), 'x.', 'A')",
             fx->zone_id, fx->account_id);
    testroles_expect_refused(fx, fx->as_serve, sql, PERMISSION);
    snprintf(sql, sizeof(sql), "INSERT INTO dnsapi_system_writes (zone_id) VALUES ('%s')",
             fx->zone_id);
    testroles_expect_refused(fx, fx->as_serve, sql, PERMISSION);
}

static void test_serving_role_cannot_truncate_alter_or_disable_triggers(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    char sql[256];
    testroles_expect_refused(fx, fx->as_serve, "TRUNCATE records", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "TRUNCATE zones CASCADE", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "ALTER TABLE records DISABLE TRIGGER records_guard",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "ALTER TABLE records DISABLE TRIGGER ALL",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "DROP TRIGGER records_guard ON records", PERMISSION);
    testroles_expect_refused(
        fx, fx->as_serve, "ALTER TABLE records DROP CONSTRAINT records_zone_id_fkey", PERMISSION);
    snprintf(sql, sizeof(sql), "ALTER TABLE records OWNER TO %s", fx->serve);
    testroles_expect_refused(fx, fx->as_serve, sql, PERMISSION);
    testroles_expect_refused(fx, fx->as_serve,
                             "CREATE OR REPLACE FUNCTION dnsapi_records_guard() RETURNS trigger "
                             "LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "SET session_replication_role = replica",
                             PERMISSION);
    snprintf(sql, sizeof(sql), "SET ROLE %s", fx->owner);
    testroles_expect_refused(fx, fx->as_serve, sql, PERMISSION);
    testroles_expect_refused(fx, fx->as_serve,
                             "CREATE TRIGGER t BEFORE DELETE ON records FOR EACH ROW "
                             "EXECUTE FUNCTION dnsapi_zone_created()",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "SELECT dnsapi_zone_touched(id, 0) FROM zones",
                             PERMISSION);
    snprintf(sql, sizeof(sql), "SELECT dnsapi_grant_role('%s', 'serve')", fx->serve);
    testroles_expect_refused(fx, fx->as_serve, sql, PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "SELECT dnsapi_regrant()", PERMISSION);
}

static void test_serving_role_cannot_create_tables_functions_or_triggers(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    testroles_expect_refused(fx, fx->as_serve, "CREATE TEMP TABLE t (x int)", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "CREATE TABLE t (x int)", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve,
                             "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS "
                             "'BEGIN DELETE FROM records WHERE type = ''SOA''; RETURN NULL; END'",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve,
                             "CREATE FUNCTION pg_temp.f() RETURNS trigger LANGUAGE plpgsql AS "
                             "'BEGIN DELETE FROM records WHERE type = ''SOA''; RETURN NULL; END'",
                             PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "CREATE SCHEMA evil", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "CREATE VIEW v AS SELECT 1", PERMISSION);
}

/* With TEMP granted against the setup's advice: triggers, functions and
 * stand-in tables of its own still cannot change a system record. */
static void test_guard_holds_for_a_role_with_temporary_tables(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    PGconn *c = fx->as_temp;
    testroles_exec_ok(c, "CREATE TEMP TABLE t (x int)");
    testroles_exec_ok(c,
                      "CREATE FUNCTION pg_temp.evil() RETURNS trigger LANGUAGE plpgsql AS "
                      "'BEGIN DELETE FROM public.records WHERE type = ''SOA''; RETURN NULL; END'");
    testroles_exec_ok(c, "CREATE TRIGGER evil AFTER INSERT ON t FOR EACH ROW "
                         "EXECUTE FUNCTION pg_temp.evil()");
    testroles_expect_refused(fx, c, "INSERT INTO t VALUES (1)", GUARD);
    /* its own SECURITY DEFINER function runs as itself */
    testroles_exec_ok(
        c, "CREATE FUNCTION pg_temp.evil2() RETURNS void LANGUAGE sql SECURITY DEFINER AS "
           "'DELETE FROM public.records WHERE type = ''NS'' AND name = ''example.com.'''");
    testroles_expect_refused(fx, c, "SELECT pg_temp.evil2()", GUARD);
    /* stand-ins for the tables the guard reads */
    testroles_exec_ok(c, "CREATE TEMP TABLE zones (id uuid, name text)");
    testroles_exec_ok(
        c, "CREATE TEMP TABLE dnsapi_system_writes (txid xid8 DEFAULT pg_current_xact_id(),"
           " zone_id uuid)");
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO pg_temp.dnsapi_system_writes (zone_id) VALUES ('%s');"
             " DELETE FROM public.records WHERE type = 'SOA'",
             fx->zone_id);
    testroles_expect_refused(fx, c, sql, GUARD);
    snprintf(sql, sizeof(sql),
             "INSERT INTO public.records (zone_id, account_id, name, type, content, ttl) VALUES "
             "('%s', '%s', 'example.com.', 'NS', 'ns.evil.test.', 86400)",
             fx->zone_id, fx->account_id);
    testroles_expect_refused(fx, c, sql, GUARD);
    testroles_exec_ok(c, "DISCARD TEMP");
}

/* Nobody writes a system record by hand: not the owner, not a superuser. */
static void test_owner_and_superuser_cannot_touch_system_records_by_hand(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    testroles_expect_refused(fx, fx->as_owner, "DELETE FROM records WHERE type = 'SOA'", GUARD);
    testroles_expect_refused(fx, fx->as_owner, "UPDATE records SET ttl = 1 WHERE type = 'NS'",
                             GUARD);
    char url[1200];
    snprintf(url, sizeof(url), "%s dbname=%s", getenv("DNSAPI_TEST_DATABASE_URL"), fx->dbname);
    PGconn *su = testroles_connect(url);
    testroles_expect_refused(fx, su, "DELETE FROM records WHERE type = 'SOA'", GUARD);
    PQfinish(su);
}

/* Deleting zones (several in one statement) takes their system records
 * with them: the cascade runs as the owner after the zone is gone. */
static void test_zone_deletion_removes_system_records(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    char sql[512];
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO zones (account_id, name, nameservers, hostmaster) VALUES ('%s', "
                 "'del%d.test.', ARRAY['ns1.dnsapi.test.'], 'hostmaster.dnsapi.test.')",
                 fx->account_id, i);
        testroles_exec_ok(fx->as_serve, sql);
    }
    testroles_exec_ok(fx->as_serve, "DELETE FROM zones WHERE name LIKE 'del%.test.'");
    char *v = testroles_value(fx->as_owner, "SELECT count(*) FROM records r WHERE NOT EXISTS "
                                            "(SELECT 1 FROM zones z WHERE z.id = r.zone_id)");
    assert_string_equal(v, "0");
    free(v);
    v = testroles_value(fx->as_owner, "SELECT count(*) FROM dnsapi_system_writes");
    assert_string_equal(v, "0");
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_created_by_the_serving_role_has_its_system_records),
        cmocka_unit_test(test_serving_role_cannot_touch_system_records_with_dml),
        cmocka_unit_test(test_serving_role_cannot_truncate_alter_or_disable_triggers),
        cmocka_unit_test(test_serving_role_cannot_create_tables_functions_or_triggers),
        cmocka_unit_test(test_guard_holds_for_a_role_with_temporary_tables),
        cmocka_unit_test(test_owner_and_superuser_cannot_touch_system_records_by_hand),
        cmocka_unit_test(test_zone_deletion_removes_system_records),
    };
    return cmocka_run_group_tests(tests, testroles_group_setup, testroles_group_teardown);
}
