/*
 * test_db_grants.c - what `dnsapi db grant` gives (tests/support/testroles.h
 * sets the database up as deploy/README.md does): the serving role runs
 * every statement `dnsapi serve` prepares, the zonegen role everything of
 * zonegen's store and nothing more, and db_grant_role refuses every role that
 * could get around its grants. test_db_privileges.c tries the attacks.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "storage/migrate.h"
#include "storage/statements.h"
#include "storage/store_zonegen.h"
#include "support/testdb.h"
#include "support/testroles.h"

#define PERMISSION TESTROLES_PERMISSION
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

static bool statement_exists(const char *name)
{
    for (size_t i = 0; i < db_statements_count; i++) {
        if (strcmp(db_statements[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Runs a statement whose result is not needed; one the server no longer
 * prepares is left out (test_serving_role_may_run_every_statement covers
 * whatever it prepares now). */
static void run_ok(PGconn *c, const char *name, int n, const char *const *params)
{
    if (statement_exists(name)) {
        PQclear(run(c, name, n, params));
    }
}

/* Prepares every statement of storage/statements.c on c, as db_pool does. */
static void prepare_all(PGconn *c)
{
    static const Oid text_types[16] = {25, 25, 25, 25, 25, 25, 25, 25,
                                       25, 25, 25, 25, 25, 25, 25, 25};
    testroles_exec_ok(c, "SELECT set_config('application_name', 'dnsapi', false),"
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
}

/* PostgreSQL checks the rights on every table, column and function a plan
 * uses when it starts the plan, EXPLAIN included: so EXPLAIN EXECUTE of each
 * prepared statement (parameters NULL) proves the serving role holds what
 * each one needs, whichever statements the server has. */
static void test_serving_role_may_run_every_statement(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    PGconn *c = testroles_connect(fx->serve_url);
    prepare_all(c);
    for (size_t i = 0; i < db_statements_count; i++) {
        const char *name = db_statements[i].name;
        if (strcmp(name, "begin") == 0 || strcmp(name, "commit") == 0 ||
            strcmp(name, "rollback") == 0) {
            continue;
        }
        PGresult *d = PQdescribePrepared(c, name);
        assert_int_equal(PQresultStatus(d), PGRES_COMMAND_OK);
        int n = PQnparams(d);
        PQclear(d);
        char sql[512];
        size_t used = (size_t)snprintf(sql, sizeof(sql), "EXPLAIN EXECUTE %s", name);
        for (int k = 0; k < n && used < sizeof(sql); k++) {
            used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%sNULL", k ? ", " : "(");
        }
        if (n > 0 && used < sizeof(sql)) {
            snprintf(sql + used, sizeof(sql) - used, ")");
        }
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fail_msg("%s as the serving role: %s", sql, PQresultErrorMessage(r));
        }
        PQclear(r);
    }
    PQfinish(c);
}

/* The statements `dnsapi serve` prepares, run by the serving role the way
 * the handlers run them, one after another on real rows. */
static void test_serving_role_can_run_the_statements_of_serve(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    PGconn *c = testroles_connect(fx->serve_url);
    prepare_all(c);
    const char *acct = fx->account_id;
    const char *p_schema[] = {"0035_least_privilege.sql"};
    char *v = run_value(c, "schema_check", 1, p_schema);
    assert_string_equal(v, "t");
    free(v);
    run_ok(c, "ping", 0, NULL);

    const char *p_tok[] = {acct, "ci",         "{zones:read,records:write}",
                           NULL, "4102444800", "[{\"type\": \"A\", \"write\": true}]"};
    char *tok = run_value(c, "token_insert", 6, p_tok);
    const char *p_check[] = {tok};
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "token_check", 1, p_check);
    run_ok(c, "zone_tree_lock", 0, NULL);
    const char *p_zone[] = {acct, "priv.test.", "{ns1.dnsapi.test.,ns2.dnsapi.test.}",
                            "hostmaster.dnsapi.test.", "true"};
    char *zid = run_value(c, "zone_create", 5, p_zone);
    run_ok(c, "delegation_sync_pending", 0, NULL);
    run_ok(c, "commit", 0, NULL);
    /* a linked child zone (migrations/0040): its parent gets the delegation */
    const char *p_child[] = {acct, "sub.priv.test.", "{ns1.sub.priv.test.,ns2.dnsapi.test.}",
                             "hostmaster.dnsapi.test.", "true"};
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "token_check", 1, p_check);
    run_ok(c, "zone_tree_lock", 0, NULL);
    free(run_value(c, "zone_create", 5, p_child));
    run_ok(c, "delegation_sync_pending", 0, NULL);
    run_ok(c, "commit", 0, NULL);
    const char *pc[] = {acct, "sub.priv.test."};
    const char *p_glue[] = {
        acct, "sub.priv.test.", "ns1.sub.priv.test.", "A", "192.0.2.53", "300", NULL, NULL, NULL};
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "zone_lock", 2, pc);
    run_ok(c, "record_insert", 9, p_glue);
    run_ok(c, "delegation_sync", 2, pc);
    run_ok(c, "commit", 0, NULL);
    v = testroles_value(fx->as_owner,
                        "SELECT string_agg(r.type || ' ' || r.content, ',' ORDER BY r.type,"
                        " r.content) FROM records r JOIN zones z ON z.id = r.zone_id"
                        " WHERE z.name = 'priv.test.' AND r.managed_by IS NOT NULL");
    assert_string_equal(v, "A 192.0.2.53,NS ns1.sub.priv.test.,NS ns2.dnsapi.test.");
    free(v);

    const char *pz[] = {acct, "priv.test."};
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "token_check", 1, p_check);
    run_ok(c, "zone_lock", 2, pz);
    const char *p_ins[] = {acct, "priv.test.", "www.priv.test.", "A", "192.0.2.1", "300", NULL,
                           NULL, "web"};
    char *rid = run_value(c, "record_insert", 9, p_ins);
    const char *p_mx[] = {acct,  "priv.test.", "priv.test.", "MX", "mail.priv.test.",
                          "300", "10",         "false",      NULL};
    run_ok(c, "record_insert", 9, p_mx);
    run_ok(c, "commit", 0, NULL);
    const char *p_names[] = {acct, "priv.test.", "{www.priv.test.,priv.test.}"};
    run_ok(c, "records_at_names", 3, p_names);
    run_ok(c, "ns_pointing_at_any", 3, p_names);
    const char *p_below[] = {acct, "priv.test.", "{priv.test.}", "{}"};
    run_ok(c, "records_below_any", 4, p_below);
    char ids[64];
    snprintf(ids, sizeof(ids), "{%s}", rid);
    const char *p_ids[] = {acct, "priv.test.", ids};
    run_ok(c, "records_around_ids", 3, p_ids);
    run_ok(c, "zone_records", 2, pz);
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
    const char *p_apex[] = {"{www.priv.test.,priv.test.}"};
    run_ok(c, "zone_apex", 1, p_apex);
    const char *p_list[] = {acct, "priv", NULL, "50", "0", NULL};
    run_ok(c, "zone_list", 6, p_list);
    const char *p_hold[] = {acct, "{www.priv.test.,priv.test.,test.}", NULL};
    run_ok(c, "zone_holding", 3, p_hold);
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
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "idem_expire", 2, p_idem);
    run_ok(c, "idem_claim", 3, p_idem);
    const char *p_store[] = {acct, "key-1", "201", "{}"};
    run_ok(c, "idem_store", 4, p_store);
    run_ok(c, "commit", 0, NULL);
    run_ok(c, "idem_get", 2, p_idem);

    /* a TSIG key: minted, looked up by name, and a DNS UPDATE's write
     * opened with it, whose audit entry names the key (0022's trigger on
     * changes, run inside the owner's audit trigger) */
    const char *p_tsig[] = {acct,
                            "k1.priv.test.",
                            "hmac-sha256",
                            "dnsapi-seal:1:0123abcd:AAAA",
                            "{records:write}",
                            "{priv.test.}",
                            NULL,
                            "4102444800"};
    char *kid = run_value(c, "tsig_insert", 8, p_tsig);
    const char *p_kname[] = {"k1.priv.test."};
    run_ok(c, "tsig_lookup", 1, p_kname);
    const char *p_kl[] = {acct, "50", "0"};
    run_ok(c, "tsig_list", 3, p_kl);
    const char *p_kg[] = {acct, kid};
    run_ok(c, "tsig_get", 2, p_kg);
    const char *p_kcheck[] = {kid};
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "tsig_key_check", 1, p_kcheck);
    run_ok(c, "zone_lock", 2, pz);
    const char *p_upd[] = {acct, "priv.test.", "upd.priv.test.", "TXT", "\"by update\"", "60", NULL,
                           NULL, NULL};
    char *uid = run_value(c, "record_insert", 9, p_upd);
    run_ok(c, "commit", 0, NULL);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(tsig_key_id::text, 'none') || ' ' ||"
             " coalesce(token_id::text, 'none') FROM changes"
             " WHERE record_id = '%s'",
             uid);
    char *who = testroles_value(fx->as_owner, sql);
    char want[128];
    snprintf(want, sizeof(want), "%s none", kid);
    assert_string_equal(who, want);
    free(who);
    run_ok(c, "tsig_revoke", 2, p_kg);

    const char *p_rid[] = {acct, "priv.test.", rid};
    run_ok(c, "record_delete", 3, p_rid);
    const char *p_tl[] = {acct, "50", "0"};
    run_ok(c, "token_list", 3, p_tl);
    const char *p_tg[] = {acct, tok};
    run_ok(c, "token_get", 2, p_tg);
    run_ok(c, "begin", 0, NULL);
    run_ok(c, "rollback", 0, NULL);
    const char *pcz[] = {acct, "sub.priv.test."};
    run_ok(c, "begin", 0, NULL);
    free(run_value(c, "zone_delete", 2, pcz));
    run_ok(c, "delegation_sync_pending", 0, NULL);
    run_ok(c, "commit", 0, NULL);
    v = testroles_value(fx->as_owner, "SELECT count(*) FROM records WHERE managed_by IS NOT NULL");
    assert_string_equal(v, "0");
    free(v);
    char *gone = run_value(c, "zone_delete", 2, pz);
    assert_string_equal(gone, zid);
    run_ok(c, "token_revoke", 2, p_tg);

    /* the audit trail, serials and the tombstone were kept by the owner's
     * triggers */
    snprintf(sql, sizeof(sql),
             "SELECT (SELECT count(*) FROM records WHERE zone_id = '%s') || ' ' ||"
             " (SELECT count(*) FROM zone_tombstones WHERE zone_id = '%s')",
             zid, zid);
    char *left = testroles_value(fx->as_owner, sql);
    assert_string_equal(left, "0 1");
    free(left);
    free(gone);
    free(uid);
    free(kid);
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
    testroles_t *fx = testroles_or_skip(state);
    PGconn *c = testroles_connect(fx->zonegen_url);
    char err[1024];
    store_zonegen_zone_t zones[8], z;
    size_t n = 0;
    assert_int_equal(store_zonegen_listen(c, err, sizeof(err)), 0);
    if (store_zonegen_dirty_list(c, zones, 8, &n, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_true(n >= 1);
    assert_int_equal(store_zonegen_zone_get(c, "example.com.", 'n', &z, err, sizeof(err)), 0);
    store_zonegen_name_t *names = NULL;
    size_t nn = 0;
    assert_int_equal(store_zonegen_names_list(c, &names, &nn, err, sizeof(err)), 0);
    store_zonegen_names_free(names, nn);
    long long seq = -1;
    assert_int_equal(store_zonegen_tombstones_last(c, &seq, err, sizeof(err)), 0);
    store_zonegen_tombstone_t tomb[4];
    size_t nt = 0;
    assert_int_equal(store_zonegen_tombstones_since(c, 0, tomb, 4, &nt, err, sizeof(err)), 0);
    assert_int_equal(store_zonegen_tombstones_prune(c, err, sizeof(err)), 0);
    long long pending = 0;
    double oldest = 0;
    assert_int_equal(store_zonegen_pending_stats(c, &pending, &oldest, err, sizeof(err)), 0);
    assert_int_equal(store_zonegen_lock_try(c, z.id, err, sizeof(err)), 1);
    int rows = 0;
    if (store_zonegen_records_stream(c, z.id, count_row, &rows, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(rows, 4);
    const char *ids[] = {z.id};
    uint32_t serials[] = {z.serial};
    if (store_zonegen_exported_set_many(c, ids, serials, 1, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(store_zonegen_error_set(c, z.id, "test", err, sizeof(err)), 0);
    /* a round of checks: one server per side, the zone published */
    store_zonegen_check_row_t checks[] = {
        {z.id, "127.0.0.1:53", "127.0.0.1:53", false, true, z.serial, true, NULL},
        {z.id, "ns2.dnsapi.test", "127.0.0.2:53", true, false, 0, false, "no answer"},
    };
    store_zonegen_zone_result_t done = {z.id, true, z.serial, NULL};
    for (int round = 0; round < 2; round++) {
        if (store_zonegen_checks_store(c, checks, 2, &done, 1, NULL, NULL, err, sizeof(err)) != 0) {
            fail_msg("%s", err);
        }
    }
    assert_int_equal(store_zonegen_lock_release(c, z.id, err, sizeof(err)), 0);
    assert_int_equal(store_zonegen_lock_try(c, z.id, err, sizeof(err)), 1);
    assert_int_equal(store_zonegen_lock_release_many(c, ids, 1, err, sizeof(err)), 0);

    testroles_expect_refused(fx, c, "DELETE FROM records", PERMISSION);
    testroles_expect_refused(fx, c, "UPDATE records SET ttl = 1", PERMISSION);
    testroles_expect_refused(fx, c, "UPDATE zones SET serial = serial + 1", PERMISSION);
    testroles_expect_refused(fx, c, "DELETE FROM zones", PERMISSION);
    testroles_expect_refused(fx, c, "SELECT * FROM tokens", PERMISSION);
    testroles_expect_refused(fx, c, "SELECT * FROM idempotency_keys", PERMISSION);
    testroles_expect_refused(fx, c, "SELECT * FROM tsig_keys", PERMISSION);
    testroles_expect_refused(fx, c, "SELECT * FROM changes", PERMISSION);
    testroles_expect_refused(fx, c,
                             "INSERT INTO zone_tombstones (zone_id, name)"
                             " SELECT id, name FROM zones",
                             PERMISSION);
    testroles_expect_refused(fx, c, "CREATE TEMP TABLE t (x int)", PERMISSION);
    PQfinish(c);
}

/* db_grant_role refuses every role that could get around its grants. */
static void test_grant_refuses_roles_that_could_get_around_it(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    char err[1024];
    const char *bad[] = {"postgres", fx->owner, fx->member, "t_priv_no_such_role"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *before = testroles_snapshot(fx);
        err[0] = '\0';
        if (db_grant_role(fx->as_owner, bad[i], "serve", err, sizeof(err)) == 0) {
            fail_msg("%s was granted", bad[i]);
        }
        assert_true(strlen(err) > 20);
        char *after = testroles_snapshot(fx);
        assert_string_equal(before, after);
        free(before);
        free(after);
    }
    assert_int_not_equal(db_grant_role(fx->as_owner, fx->serve, "admin", err, sizeof(err)), 0);
    /* a role that could still make temporary tables, here through a role
     * it is a member of, is refused and told why */
    char sql[256];
    snprintf(sql, sizeof(sql), "GRANT %s TO %s", fx->temp, fx->zonegen);
    testroles_admin_exec(sql);
    int rc = db_grant_role(fx->as_owner, fx->zonegen, "zonegen", err, sizeof(err));
    snprintf(sql, sizeof(sql), "REVOKE %s FROM %s", fx->temp, fx->zonegen);
    testroles_admin_exec(sql);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "temporary"));
    /* granting again is harmless */
    assert_int_equal(db_grant_role(fx->as_owner, fx->serve, "serve", err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serving_role_may_run_every_statement),
        cmocka_unit_test(test_serving_role_can_run_the_statements_of_serve),
        cmocka_unit_test(test_zonegen_role_can_do_its_work_and_nothing_more),
        cmocka_unit_test(test_grant_refuses_roles_that_could_get_around_it),
    };
    return cmocka_run_group_tests(tests, testroles_group_setup, testroles_group_teardown);
}
