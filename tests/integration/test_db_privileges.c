/*
 * test_db_privileges.c - least privilege in the database
 * (migrations/0010_least_privilege.sql, `dnsapi db grant`).
 *
 * A database owned by an owner role, migrated by it, with a serving role
 * and a zonegen role granted through db_grant_role, as deploy/README.md sets
 * them up. The serving role must not be able to change, delete or create a
 * system record by any means it holds - plain DML, TRUNCATE, ALTER,
 * disabling triggers, session_replication_role, functions, triggers or
 * temporary tables of its own - and a role given TEMP on top (which the
 * setup never does) still cannot, because the guard checks who writes, not
 * how deep in triggers. Every refusal is checked for its SQLSTATE and for
 * leaving the database as it was. Both roles can still run every statement
 * their programs run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/migrate.h"
#include "storage/statements.h"
#include "storage/store_zonegen.h"
#include "support/testdb.h"

#define PERMISSION "42501" /* insufficient_privilege */
#define GUARD "DA001"      /* the system-record guard */

typedef struct {
    char dbname[64];
    char owner[64], serve[64], zonegen[64], temp[64], member[64];
    char owner_url[1200], serve_url[1200], zonegen_url[1200], temp_url[1200];
    PGconn *as_owner, *as_serve, *as_temp;
    char account_id[40];
    char zone_id[40];
} fixture_t;

static fixture_t *fx;

static PGconn *connect_as(const char *url)
{
    char err[1024];
    PGconn *c = db_connect_sync(url, err, sizeof(err));
    if (c == NULL) {
        fail_msg("%s", err);
    }
    return c;
}

static void admin_exec(const char *sql)
{
    const char *url = getenv("DNSAPI_TEST_DATABASE_URL");
    PGconn *c = connect_as(url);
    char state[6];
    int st = testdb_exec(c, sql, state);
    PQfinish(c);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_msg("%s: SQLSTATE %s", sql, state);
    }
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    int st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    }
    PQclear(r);
}

static char *value(PGconn *c, const char *sql)
{
    char *v = testdb_value(c, sql);
    if (v == NULL) {
        fail_msg("%s: no single value", sql);
    }
    return v;
}

/* Everything an attack could change, read as the owner. */
static char *snapshot(void)
{
    return value(fx->as_owner,
                 "SELECT coalesce((SELECT string_agg(concat_ws('|', id, zone_id, name, type, "
                 "content, ttl, priority, disabled, system, updated_at), ',' ORDER BY id) "
                 "FROM records), '') || '/' || (SELECT string_agg(concat_ws('|', id, name, "
                 "serial, record_count, exported_serial), ',' ORDER BY id) FROM zones) || '/' "
                 "|| (SELECT count(*) FROM changes) || '/' || (SELECT count(*) FROM "
                 "dnsapi_system_writes)");
}

/* Runs sql on c (as its role) and expects it to fail with sqlstate,
 * leaving the database as it was. */
static void expect_refused(PGconn *c, const char *sql, const char *sqlstate)
{
    char *before = snapshot();
    char state[6];
    int st = testdb_exec(c, sql, state);
    PQclear(PQexec(c, "ROLLBACK"));
    if (st != PGRES_FATAL_ERROR || strcmp(state, sqlstate) != 0) {
        fail_msg("%s: expected SQLSTATE %s, got status %d SQLSTATE '%s'", sql, sqlstate, st, state);
    }
    char *after = snapshot();
    if (strcmp(before, after) != 0) {
        fail_msg("%s was refused but changed the database", sql);
    }
    free(before);
    free(after);
}

static void url_for(char *out, size_t outlen, const char *role)
{
    snprintf(out, outlen, "%s dbname=%s user=%s", getenv("DNSAPI_TEST_DATABASE_URL"), fx->dbname,
             role);
}

static int group_setup(void **state)
{
    (void)state;
    fx = calloc(1, sizeof(*fx));
    if (fx == NULL || getenv("DNSAPI_TEST_DATABASE_URL") == NULL) {
        return 0;
    }
    int id = (int)getpid();
    snprintf(fx->owner, sizeof(fx->owner), "t_priv_owner_%d", id);
    snprintf(fx->serve, sizeof(fx->serve), "t_priv_serve_%d", id);
    snprintf(fx->zonegen, sizeof(fx->zonegen), "t_priv_zonegen_%d", id);
    snprintf(fx->temp, sizeof(fx->temp), "t_priv_temp_%d", id);
    snprintf(fx->member, sizeof(fx->member), "t_priv_member_%d", id);
    snprintf(fx->dbname, sizeof(fx->dbname), "t_priv_%d", id);
    const char *roles[] = {fx->owner, fx->serve, fx->zonegen, fx->temp, fx->member};
    char sql[512];
    for (size_t i = 0; i < 5; i++) {
        snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN", roles[i]);
        admin_exec(sql);
    }
    snprintf(sql, sizeof(sql), "GRANT %s TO %s", fx->owner, fx->member);
    admin_exec(sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s OWNER %s", fx->dbname, fx->owner);
    admin_exec(sql);
    url_for(fx->owner_url, sizeof(fx->owner_url), fx->owner);
    url_for(fx->serve_url, sizeof(fx->serve_url), fx->serve);
    url_for(fx->zonegen_url, sizeof(fx->zonegen_url), fx->zonegen);
    url_for(fx->temp_url, sizeof(fx->temp_url), fx->temp);

    /* As deploy/README.md: migrate as the owner, then `dnsapi db grant`. */
    char err[1024];
    fx->as_owner = connect_as(fx->owner_url);
    if (db_migrate_apply(fx->as_owner, NULL, NULL, err, sizeof(err)) < 0 ||
        db_grant_role(fx->as_owner, fx->serve, "serve", err, sizeof(err)) != 0 ||
        db_grant_role(fx->as_owner, fx->zonegen, "zonegen", err, sizeof(err)) != 0 ||
        db_grant_role(fx->as_owner, fx->temp, "serve", err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    /* The role the setup never makes: a serving role that may create
     * temporary tables (and with them functions and triggers). */
    snprintf(sql, sizeof(sql), "GRANT TEMPORARY ON DATABASE %s TO %s", fx->dbname, fx->temp);
    admin_exec(sql);

    char *v = value(fx->as_owner, "INSERT INTO accounts (name) VALUES ('acme') RETURNING id");
    snprintf(fx->account_id, sizeof(fx->account_id), "%s", v);
    free(v);
    fx->as_serve = connect_as(fx->serve_url);
    fx->as_temp = connect_as(fx->temp_url);
    snprintf(sql, sizeof(sql),
             "INSERT INTO zones (account_id, name, nameservers, hostmaster) VALUES ('%s', "
             "'example.com.', ARRAY['ns1.dnsapi.test.', 'ns2.dnsapi.test.'], "
             "'hostmaster.dnsapi.test.') RETURNING id",
             fx->account_id);
    v = value(fx->as_serve, sql);
    snprintf(fx->zone_id, sizeof(fx->zone_id), "%s", v);
    free(v);
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl) VALUES "
             "('%s', '%s', 'www.example.com.', 'A', '192.0.2.1', 300)",
             fx->zone_id, fx->account_id);
    exec_ok(fx->as_serve, sql);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (fx == NULL) {
        return 0;
    }
    if (fx->as_owner != NULL) {
        PQfinish(fx->as_owner);
        PQfinish(fx->as_serve);
        PQfinish(fx->as_temp);
        char sql[512];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", fx->dbname);
        admin_exec(sql);
        const char *roles[] = {fx->member, fx->temp, fx->zonegen, fx->serve, fx->owner};
        for (size_t i = 0; i < 5; i++) {
            snprintf(sql, sizeof(sql), "DROP ROLE IF EXISTS %s", roles[i]);
            admin_exec(sql);
        }
    }
    free(fx);
    fx = NULL;
    return 0;
}

static void skip_without_db(void)
{
    if (fx == NULL || fx->as_owner == NULL) {
        skip();
    }
}

static void test_zone_created_by_the_serving_role_has_its_system_records(void **state)
{
    (void)state;
    skip_without_db();
    char *v = value(fx->as_owner, "SELECT string_agg(type || ' ' || system, ',' ORDER BY type, "
                                  "content) FROM records WHERE name = 'example.com.'");
    assert_string_equal(v, "NS true,NS true,SOA true");
    free(v);
    v = value(fx->as_owner, "SELECT record_count || ' ' || (SELECT count(*) FROM changes) || "
                            "' ' || (SELECT count(*) FROM dnsapi_system_writes) FROM zones");
    assert_string_equal(v, "4 1 0"); /* SOA, 2 NS, www; only www audited */
    free(v);
}

static void test_serving_role_cannot_touch_system_records_with_dml(void **state)
{
    (void)state;
    skip_without_db();
    char sql[512];
    expect_refused(fx->as_serve, "DELETE FROM records WHERE type = 'SOA'", GUARD);
    expect_refused(fx->as_serve, "UPDATE records SET ttl = 60 WHERE type = 'SOA'", GUARD);
    expect_refused(fx->as_serve,
                   "UPDATE records SET content = 'ns1.evil.test. x. 1 2 3 4 5' WHERE type = 'SOA'",
                   GUARD);
    expect_refused(fx->as_serve, "DELETE FROM records WHERE type = 'NS' AND name = 'example.com.'",
                   GUARD);
    expect_refused(fx->as_serve,
                   "UPDATE records SET content = 'ns.evil.test.' WHERE type = 'NS'"
                   " AND name = 'example.com.'",
                   GUARD);
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl) VALUES "
             "('%s', '%s', 'example.com.', 'NS', 'ns.evil.test.', 86400)",
             fx->zone_id, fx->account_id);
    expect_refused(fx->as_serve, sql, GUARD);
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl) VALUES "
             "('%s', '%s', 'example.com.', 'SOA', 'a. b. 1 2 3 4 5', 3600)",
             fx->zone_id, fx->account_id);
    expect_refused(fx->as_serve, sql, GUARD);
    /* columns it may not write: system, type, name, zone_id, id */
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl, system) VALUES "
             "('%s', '%s', 'x.example.com.', 'A', '192.0.2.9', 60, true)",
             fx->zone_id, fx->account_id);
    expect_refused(fx->as_serve, sql, PERMISSION);
    expect_refused(fx->as_serve, "UPDATE records SET system = false WHERE type = 'SOA'",
                   PERMISSION);
    expect_refused(fx->as_serve, "UPDATE records SET type = 'TXT' WHERE type = 'SOA'", PERMISSION);
    expect_refused(fx->as_serve, "UPDATE records SET name = 'x.example.com.' WHERE type = 'NS'",
                   PERMISSION);
    expect_refused(fx->as_serve, "UPDATE records SET zone_id = gen_random_uuid()", PERMISSION);
    /* nor the zone's own columns, nor the audit trail */
    expect_refused(fx->as_serve, "UPDATE zones SET serial = 1", PERMISSION);
    expect_refused(fx->as_serve, "UPDATE zones SET nameservers = ARRAY['ns.evil.test.']",
                   PERMISSION);
    expect_refused(fx->as_serve, "DELETE FROM changes", PERMISSION);
    expect_refused(fx->as_serve, "UPDATE changes SET token_id = NULL", PERMISSION);
    snprintf(sql, sizeof(sql),
             "INSERT INTO changes (zone_id, account_id, serial, action, record_id, name, type)"
             " VALUES ('%s', '%s', 1, 'create', gen_random_uuid(), 'x.', 'A')",
             fx->zone_id, fx->account_id);
    expect_refused(fx->as_serve, sql, PERMISSION);
    snprintf(sql, sizeof(sql), "INSERT INTO dnsapi_system_writes (zone_id) VALUES ('%s')",
             fx->zone_id);
    expect_refused(fx->as_serve, sql, PERMISSION);
}

static void test_serving_role_cannot_truncate_alter_or_disable_triggers(void **state)
{
    (void)state;
    skip_without_db();
    char sql[256];
    expect_refused(fx->as_serve, "TRUNCATE records", PERMISSION);
    expect_refused(fx->as_serve, "TRUNCATE zones CASCADE", PERMISSION);
    expect_refused(fx->as_serve, "ALTER TABLE records DISABLE TRIGGER records_guard", PERMISSION);
    expect_refused(fx->as_serve, "ALTER TABLE records DISABLE TRIGGER ALL", PERMISSION);
    expect_refused(fx->as_serve, "DROP TRIGGER records_guard ON records", PERMISSION);
    expect_refused(fx->as_serve, "ALTER TABLE records DROP CONSTRAINT records_zone_id_fkey",
                   PERMISSION);
    snprintf(sql, sizeof(sql), "ALTER TABLE records OWNER TO %s", fx->serve);
    expect_refused(fx->as_serve, sql, PERMISSION);
    expect_refused(fx->as_serve,
                   "CREATE OR REPLACE FUNCTION dnsapi_records_guard() RETURNS trigger "
                   "LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
                   PERMISSION);
    expect_refused(fx->as_serve, "SET session_replication_role = replica", PERMISSION);
    snprintf(sql, sizeof(sql), "SET ROLE %s", fx->owner);
    expect_refused(fx->as_serve, sql, PERMISSION);
    expect_refused(fx->as_serve,
                   "CREATE TRIGGER t BEFORE DELETE ON records FOR EACH ROW "
                   "EXECUTE FUNCTION dnsapi_zone_created()",
                   PERMISSION);
    expect_refused(fx->as_serve, "SELECT dnsapi_zone_touched(id, 0) FROM zones", PERMISSION);
    snprintf(sql, sizeof(sql), "SELECT dnsapi_grant_role('%s', 'serve')", fx->serve);
    expect_refused(fx->as_serve, sql, PERMISSION);
    expect_refused(fx->as_serve, "SELECT dnsapi_regrant()", PERMISSION);
}

static void test_serving_role_cannot_create_tables_functions_or_triggers(void **state)
{
    (void)state;
    skip_without_db();
    expect_refused(fx->as_serve, "CREATE TEMP TABLE t (x int)", PERMISSION);
    expect_refused(fx->as_serve, "CREATE TABLE t (x int)", PERMISSION);
    expect_refused(fx->as_serve,
                   "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS "
                   "'BEGIN DELETE FROM records WHERE type = ''SOA''; RETURN NULL; END'",
                   PERMISSION);
    expect_refused(fx->as_serve,
                   "CREATE FUNCTION pg_temp.f() RETURNS trigger LANGUAGE plpgsql AS "
                   "'BEGIN DELETE FROM records WHERE type = ''SOA''; RETURN NULL; END'",
                   PERMISSION);
    expect_refused(fx->as_serve, "CREATE SCHEMA evil", PERMISSION);
    expect_refused(fx->as_serve, "CREATE VIEW v AS SELECT 1", PERMISSION);
}

/* With TEMP granted against the setup's advice: triggers, functions and
 * stand-in tables of its own still cannot change a system record. */
static void test_guard_holds_for_a_role_with_temporary_tables(void **state)
{
    (void)state;
    skip_without_db();
    PGconn *c = fx->as_temp;
    exec_ok(c, "CREATE TEMP TABLE t (x int)");
    exec_ok(c, "CREATE FUNCTION pg_temp.evil() RETURNS trigger LANGUAGE plpgsql AS "
               "'BEGIN DELETE FROM public.records WHERE type = ''SOA''; RETURN NULL; END'");
    exec_ok(c, "CREATE TRIGGER evil AFTER INSERT ON t FOR EACH ROW "
               "EXECUTE FUNCTION pg_temp.evil()");
    expect_refused(c, "INSERT INTO t VALUES (1)", GUARD);
    /* its own SECURITY DEFINER function runs as itself */
    exec_ok(c, "CREATE FUNCTION pg_temp.evil2() RETURNS void LANGUAGE sql SECURITY DEFINER AS "
               "'DELETE FROM public.records WHERE type = ''NS'' AND name = ''example.com.'''");
    expect_refused(c, "SELECT pg_temp.evil2()", GUARD);
    /* stand-ins for the tables the guard reads */
    exec_ok(c, "CREATE TEMP TABLE zones (id uuid, name text)");
    exec_ok(c, "CREATE TEMP TABLE dnsapi_system_writes (txid xid8 DEFAULT pg_current_xact_id(),"
               " zone_id uuid)");
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO pg_temp.dnsapi_system_writes (zone_id) VALUES ('%s');"
             " DELETE FROM public.records WHERE type = 'SOA'",
             fx->zone_id);
    expect_refused(c, sql, GUARD);
    snprintf(sql, sizeof(sql),
             "INSERT INTO public.records (zone_id, account_id, name, type, content, ttl) VALUES "
             "('%s', '%s', 'example.com.', 'NS', 'ns.evil.test.', 86400)",
             fx->zone_id, fx->account_id);
    expect_refused(c, sql, GUARD);
    exec_ok(c, "DISCARD TEMP");
}

/* Nobody writes a system record by hand: not the owner, not a superuser. */
static void test_owner_and_superuser_cannot_touch_system_records_by_hand(void **state)
{
    (void)state;
    skip_without_db();
    expect_refused(fx->as_owner, "DELETE FROM records WHERE type = 'SOA'", GUARD);
    expect_refused(fx->as_owner, "UPDATE records SET ttl = 1 WHERE type = 'NS'", GUARD);
    char url[1200];
    snprintf(url, sizeof(url), "%s dbname=%s", getenv("DNSAPI_TEST_DATABASE_URL"), fx->dbname);
    PGconn *su = connect_as(url);
    expect_refused(su, "DELETE FROM records WHERE type = 'SOA'", GUARD);
    PQfinish(su);
}

/* One prepared statement of storage/statements.c, run as it would be. */
static PGresult *run(PGconn *c, const char *name, int n, const char *const *params)
{
    PGresult *r = PQexecPrepared(c, name, n, params, NULL, NULL, 0);
    int st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_msg("%s: %s", name, PQresultErrorMessage(r));
    }
    return r;
}

static char *run_value(PGconn *c, const char *name, int n, const char *const *params)
{
    PGresult *r = run(c, name, n, params);
    if (PQntuples(r) < 1) {
        fail_msg("%s: no row", name);
    }
    char *v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void run_ok(PGconn *c, const char *name, int n, const char *const *params)
{
    PQclear(run(c, name, n, params));
}

/* Every statement `dnsapi serve` prepares, prepared and run by the
 * serving role the way the handlers run them. */
static void test_serving_role_can_run_every_statement_of_serve(void **state)
{
    (void)state;
    skip_without_db();
    PGconn *c = connect_as(fx->serve_url);
    static const Oid text_types[16] = {25, 25, 25, 25, 25, 25, 25, 25,
                                       25, 25, 25, 25, 25, 25, 25, 25};
    exec_ok(c, "SELECT set_config('application_name', 'dnsapi', false),"
               " set_config('plan_cache_mode', 'force_generic_plan', false),"
               " set_config('jit', 'off', false)");
    for (size_t i = 0; i < db_statements_count; i++) {
        int nt = db_statements[i].ntext;
        PGresult *r = PQprepare(c, db_statements[i].name, db_statements[i].sql, nt,
                                nt > 0 ? text_types : NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fail_msg("prepare %s: %s", db_statements[i].name, PQresultErrorMessage(r));
        }
        PQclear(r);
    }
    const char *acct = fx->account_id;
    const char *p_schema[] = {"0010_least_privilege.sql"};
    run_ok(c, "schema_check", 1, p_schema);
    run_ok(c, "ping", 0, NULL);

    const char *p_tok[] = {acct, "ci", "{zones:read,records:write}", NULL, "4102444800"};
    char *tok = run_value(c, "token_insert", 5, p_tok);
    const char *p_check[] = {tok};
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "token_check", 1, p_check);
    run_ok(c, "zone_tree_lock", 0, NULL);
    const char *p_zone[] = {acct, "priv.test.", "{ns1.dnsapi.test.,ns2.dnsapi.test.}",
                            "hostmaster.dnsapi.test."};
    char *zid = run_value(c, "zone_create", 4, p_zone);
    run_ok(c, "commit", 0, NULL);

    const char *pz[] = {acct, "priv.test."};
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "zone_lock", 2, pz);
    const char *p_ins[] = {acct, "priv.test.", "www.priv.test.", "A", "192.0.2.1", "300", NULL,
                           NULL, "web"};
    char *rid = run_value(c, "record_insert", 9, p_ins);
    const char *p_mx[] = {acct,  "priv.test.", "priv.test.", "MX", "mail.priv.test.",
                          "300", "10",         "false",      NULL};
    run_ok(c, "record_insert", 9, p_mx);
    run_ok(c, "commit", 0, NULL);
    const char *p_rid[] = {acct, "priv.test.", rid};
    run_ok(c, "record_get", 3, p_rid);
    run_ok(c, "records_beside", 3, p_rid);
    const char *p_name[] = {acct, "priv.test.", "www.priv.test."};
    run_ok(c, "records_at_name", 3, p_name);
    run_ok(c, "ns_pointing_at", 3, p_name);
    const char *p_names[] = {acct, "priv.test.", "{www.priv.test.,priv.test.}"};
    run_ok(c, "delegation_above", 3, p_names);
    run_ok(c, "records_at_names", 3, p_names);
    run_ok(c, "ns_pointing_at_any", 3, p_names);
    char ids[64];
    snprintf(ids, sizeof(ids), "{%s}", rid);
    const char *p_ids[] = {acct, "priv.test.", ids};
    run_ok(c, "records_by_ids", 3, p_ids);
    run_ok(c, "zone_records", 2, pz);
    const char *p_upd[] = {acct, "priv.test.", rid, "192.0.2.2", "600", NULL, "false", "w"};
    run_ok(c, "record_update", 8, p_upd);
    const char *p_bup[] = {acct,    "priv.test.", ids,      "{192.0.2.3}",
                           "{900}", "{NULL}",     "{true}", "{NULL}"};
    run_ok(c, "batch_update", 8, p_bup);
    const char *p_bins[] = {acct,          "priv.test.",        "{a.priv.test.,b.priv.test.}",
                            "{A,TXT}",     "{192.0.2.4,hello}", "{300,300}",
                            "{NULL,NULL}", "{false,false}",     "{NULL,NULL}"};
    PGresult *r = run(c, "batch_insert", 9, p_bins);
    char bids[128];
    snprintf(bids, sizeof(bids), "{%s,%s}", PQgetvalue(r, 0, 0), PQgetvalue(r, 1, 0));
    PQclear(r);
    const char *p_bdel[] = {acct, "priv.test.", bids};
    run_ok(c, "batch_delete", 3, p_bdel);
    run_ok(c, "zone_export", 2, pz);
    run_ok(c, "zone_get", 2, pz);
    run_ok(c, "zone_serial", 2, pz);
    const char *p_list[] = {acct, "priv", NULL, "50", "0", NULL};
    run_ok(c, "zone_list", 6, p_list);
    for (unsigned shape = 0; shape < DB_PAGE_SHAPES; shape++) {
        const char *p_page[] = {tok, acct,        "priv.test.", NULL, "www.priv.test.",
                                "A", "192.0.2.3", "100",        "0",  "",
                                "",  "",          zid};
        run_ok(c, db_record_page_stmt(shape), 13, p_page);
    }
    const char *p_one[] = {tok, acct, NULL, zid, rid};
    run_ok(c, "record_one", 5, p_one);
    const char *p_chg[] = {acct, "priv.test.", "50", "0", NULL};
    run_ok(c, "changes_page", 5, p_chg);
    run_ok(c, "changes_count", 2, pz);
    const char *p_idem[] = {acct, "key-1", "hash"};
    run_ok(c, "idem_claim", 3, p_idem);
    run_ok(c, "idem_get", 2, p_idem);
    const char *p_store[] = {acct, "key-1", "201", "{}"};
    run_ok(c, "idem_store", 4, p_store);
    run_ok(c, "idem_expire", 1, p_idem);
    run_ok(c, "record_delete", 3, p_rid);
    const char *p_tl[] = {acct, "50", "0"};
    run_ok(c, "token_list", 3, p_tl);
    const char *p_tg[] = {acct, tok};
    run_ok(c, "token_get", 2, p_tg);
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "rollback", 0, NULL);
    char *gone = run_value(c, "zone_delete", 2, pz);
    assert_string_equal(gone, "priv.test.");
    run_ok(c, "token_revoke", 2, p_tg);

    /* the audit trail and serials were kept by the owner's triggers */
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM records WHERE zone_id = '%s'", zid);
    char *left = value(fx->as_owner, sql);
    assert_string_equal(left, "0");
    free(left);
    free(gone);
    free(rid);
    free(zid);
    free(tok);
    PQfinish(c);
}

static int count_row(const store_zonegen_row_t *row, void *ctx)
{
    (void)row;
    (*(int *)ctx)++;
    return 0;
}

/* zonegen's store, run by the zonegen role; and what it may not do. */
static void test_zonegen_role_can_do_its_work_and_nothing_more(void **state)
{
    (void)state;
    skip_without_db();
    PGconn *c = connect_as(fx->zonegen_url);
    char err[1024];
    store_zonegen_zone_t zones[8], z;
    size_t n = 0;
    assert_int_equal(store_zonegen_listen(c, err, sizeof(err)), 0);
    if (store_zonegen_dirty_list(c, zones, 8, &n, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_true(n >= 1);
    assert_int_equal(store_zonegen_zone_get(c, "example.com.", 'n', &z, err, sizeof(err)), 0);
    char **names = NULL;
    size_t nn = 0;
    assert_int_equal(store_zonegen_names_list(c, &names, &nn, err, sizeof(err)), 0);
    store_zonegen_names_free(names, nn);
    assert_int_equal(store_zonegen_lock_try(c, z.id, err, sizeof(err)), 1);
    int rows = 0;
    if (store_zonegen_records_stream(c, z.id, count_row, &rows, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(rows, 4);
    assert_int_equal(store_zonegen_exported_set(c, z.id, z.serial, err, sizeof(err)), 0);
    assert_int_equal(store_zonegen_error_set(c, z.id, "test", err, sizeof(err)), 0);
    assert_int_equal(store_zonegen_published_set(c, z.id, z.serial, err, sizeof(err)), 0);
    assert_int_equal(store_zonegen_lock_release(c, z.id, err, sizeof(err)), 0);

    expect_refused(c, "DELETE FROM records", PERMISSION);
    expect_refused(c, "UPDATE records SET ttl = 1", PERMISSION);
    expect_refused(c, "UPDATE zones SET serial = serial + 1", PERMISSION);
    expect_refused(c, "DELETE FROM zones", PERMISSION);
    expect_refused(c, "SELECT * FROM tokens", PERMISSION);
    expect_refused(c, "SELECT * FROM idempotency_keys", PERMISSION);
    expect_refused(c, "CREATE TEMP TABLE t (x int)", PERMISSION);
    PQfinish(c);
}

/* db_grant_role refuses every role that could get around its grants. */
static void test_grant_refuses_roles_that_could_get_around_it(void **state)
{
    (void)state;
    skip_without_db();
    char err[1024];
    const char *bad[] = {"postgres", fx->owner, fx->member, "t_priv_no_such_role"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *before = snapshot();
        err[0] = '\0';
        if (db_grant_role(fx->as_owner, bad[i], "serve", err, sizeof(err)) == 0) {
            fail_msg("%s was granted", bad[i]);
        }
        assert_true(strlen(err) > 20);
        char *after = snapshot();
        assert_string_equal(before, after);
        free(before);
        free(after);
    }
    assert_int_not_equal(db_grant_role(fx->as_owner, fx->serve, "admin", err, sizeof(err)), 0);
    /* a role that could still make temporary tables, here through a role
     * it is a member of, is refused and told why */
    char sql[256];
    snprintf(sql, sizeof(sql), "GRANT %s TO %s", fx->temp, fx->zonegen);
    admin_exec(sql);
    int rc = db_grant_role(fx->as_owner, fx->zonegen, "zonegen", err, sizeof(err));
    snprintf(sql, sizeof(sql), "REVOKE %s FROM %s", fx->temp, fx->zonegen);
    admin_exec(sql);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "temporary"));
    /* granting again is harmless */
    assert_int_equal(db_grant_role(fx->as_owner, fx->serve, "serve", err, sizeof(err)), 0);
}

/* Deleting zones (several in one statement) takes their system records
 * with them: the cascade runs as the owner after the zone is gone. */
static void test_zone_deletion_removes_system_records(void **state)
{
    (void)state;
    skip_without_db();
    char sql[512];
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO zones (account_id, name, nameservers, hostmaster) VALUES ('%s', "
                 "'del%d.test.', ARRAY['ns1.dnsapi.test.'], 'hostmaster.dnsapi.test.')",
                 fx->account_id, i);
        exec_ok(fx->as_serve, sql);
    }
    exec_ok(fx->as_serve, "DELETE FROM zones WHERE name LIKE 'del%.test.'");
    char *v = value(fx->as_owner, "SELECT count(*) FROM records r WHERE NOT EXISTS "
                                  "(SELECT 1 FROM zones z WHERE z.id = r.zone_id)");
    assert_string_equal(v, "0");
    free(v);
    v = value(fx->as_owner, "SELECT count(*) FROM dnsapi_system_writes");
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
        cmocka_unit_test(test_serving_role_can_run_every_statement_of_serve),
        cmocka_unit_test(test_zonegen_role_can_do_its_work_and_nothing_more),
        cmocka_unit_test(test_grant_refuses_roles_that_could_get_around_it),
        cmocka_unit_test(test_zone_deletion_removes_system_records),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
