/*
 * test_store.c - the store modules against the real PostgreSQL, through the
 * asynchronous pool on a real event loop: typed rows, transaction
 * boundaries, Idempotency-Key answers kept with the write, and the mapping
 * of database failures (unique violation, the system-record guard, a
 * revoked token, another account's zone, a token's zone limit) to project
 * errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "storage/store_record.h"
#include "storage/store_token.h"
#include "storage/store_tx.h"
#include "storage/store_zone.h"
#include "support/testdb.h"

typedef struct {
    testdb_t db;
    PGconn *conn;
    h2o_evloop_t *loop;
    db_pool_t *pool;
    char account[40], other_account[40], token[40], other_token[40];
    store_auth_t auth, other;
    /* the last callback's outcome */
    bool done;
    int status;
    dnsapi_err_t err;
    char zone_id[40], zone_name[256], text[4096];
    uint32_t serial;
    size_t n;
    long long total;
    bool replay;
    int replay_status;
} fx_t;

static char *value(fx_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *value(fx_t *f, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    char *v = testdb_value(f->conn, sql);
    assert_non_null(v);
    return v;
}

/* The one value of sql (with one "%s" for arg) into out. */
#define copy_value(f, out, len, fmt, arg)                                                          \
    do {                                                                                           \
        char *v_ = value((f), fmt, (arg));                                                         \
        snprintf((out), (len), "%s", v_);                                                          \
        free(v_);                                                                                  \
    } while (0)

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof(*f));
    *state = f;
    if (testdb_create(&f->db, "store", 1) != 0) {
        return 0;
    }
    f->conn = testdb_connect(&f->db);
    copy_value(f, f->account, sizeof(f->account),
               "INSERT INTO accounts (name) VALUES ('%s') RETURNING id", "acme");
    copy_value(f, f->other_account, sizeof(f->other_account),
               "INSERT INTO accounts (name) VALUES ('%s') RETURNING id", "other");
    copy_value(f, f->token, sizeof(f->token),
               "INSERT INTO tokens (account_id, scopes, expires_at) VALUES ('%s', '{}', "
               "now() + interval '1 day') RETURNING id",
               f->account);
    copy_value(f, f->other_token, sizeof(f->other_token),
               "INSERT INTO tokens (account_id, scopes, expires_at) VALUES ('%s', '{}', "
               "now() + interval '1 day') RETURNING id",
               f->other_account);
    f->auth = (store_auth_t){.token_id = f->token, .account_id = f->account};
    f->other = (store_auth_t){.token_id = f->other_token, .account_id = f->other_account};
    f->loop = h2o_evloop_create();
    f->pool = db_pool_new(f->loop, f->db.conninfo, 2, 16, 5000);
    /* the pool refuses work until a connection is up: wait for it */
    time_t until = time(NULL) + 10;
    while (!db_pool_ready(f->pool) && time(NULL) < until) {
        h2o_evloop_run(f->loop, 10);
    }
    assert_true(db_pool_ready(f->pool));
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    if (f->pool != NULL) {
        db_pool_free(f->pool);
        h2o_evloop_destroy(f->loop);
    }
    if (f->conn != NULL) {
        PQfinish(f->conn);
    }
    testdb_drop(&f->db);
    free(f);
    return 0;
}

#define NEED_DB(f)                                                                                 \
    do {                                                                                           \
        if ((f)->conn == NULL) {                                                                   \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* Runs the loop until a callback said done (at most 10 s). */
static void wait_done(fx_t *f)
{
    time_t until = time(NULL) + 10;
    while (!f->done && time(NULL) < until) {
        h2o_evloop_run(f->loop, 10);
    }
    assert_true(f->done);
    f->done = false;
}

static void outcome(fx_t *f, int status, const dnsapi_err_t *err)
{
    f->done = true;
    f->status = status;
    dnsapi_err_clear(&f->err);
    if (err != NULL && status != DNSAPI_OK) {
        f->err = *err;
    }
}

/* ---- callbacks that note what they got ---- */

static void on_done(void *ctx, int status, const dnsapi_err_t *err)
{
    (void)ctx;
    (void)status;
    (void)err;
}

static void on_zone_tx(void *ctx, store_tx_t *tx, const store_tx_result_t *res)
{
    fx_t *f = ctx;
    outcome(f, res->status, &res->err);
    f->replay = res->replay;
    f->replay_status = res->replay_status;
    if (res->replay) {
        snprintf(f->text, sizeof(f->text), "%.*s", (int)res->replay_len, res->replay_body);
    }
    if (res->status == DNSAPI_OK && !res->replay) {
        snprintf(f->zone_id, sizeof(f->zone_id), "%s", res->zone->id);
        snprintf(f->zone_name, sizeof(f->zone_name), "%s", res->zone->name);
        f->serial = res->zone->serial;
        store_tx_commit(tx, 201, "{\"kept\":true}", 13, on_done, NULL);
        return;
    }
    store_tx_end(tx);
}

static void zone_create(fx_t *f, const store_auth_t *auth, const char *name,
                        const store_idem_t *idem)
{
    static const char ns[2][256] = {"ns1.dnsapi.test.", "ns2.dnsapi.test."};
    store_zone_create(f->pool, auth, name, ns, 2, "hostmaster.dnsapi.test.", true, idem, on_zone_tx,
                      f);
    wait_done(f);
}

static void on_zone(void *ctx, int status, const dnsapi_err_t *err, const store_zone_t *zone)
{
    fx_t *f = ctx;
    outcome(f, status, err);
    if (zone != NULL) {
        snprintf(f->zone_name, sizeof(f->zone_name), "%s", zone->name);
        f->serial = zone->serial;
        snprintf(f->text, sizeof(f->text), "%s", zone->nameservers_json);
    }
}

/* ---- tests ---- */

static void test_zone_create_get_and_conflicts(void **state)
{
    fx_t *f = *state;
    NEED_DB(f);
    zone_create(f, &f->auth, "store.test.", NULL);
    assert_int_equal(f->status, DNSAPI_OK);
    assert_string_equal(f->zone_name, "store.test.");
    store_zone_get(f->pool, &f->auth, "store.test.", on_zone, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_OK);
    assert_string_equal(f->text, "[\"ns1.dnsapi.test.\",\"ns2.dnsapi.test.\"]");
    zone_create(f, &f->auth, "store.test.", NULL);
    assert_int_equal(f->status, DNSAPI_ECONFLICT);
    assert_string_equal(f->err.code, "zone_exists");
    zone_create(f, &f->other, "inside.store.test.", NULL);
    assert_int_equal(f->status, DNSAPI_ECONFLICT);
    assert_string_equal(f->err.code, "zone_exists");
    /* another account's zone is not found, by name or by id */
    store_zone_get(f->pool, &f->other, "store.test.", on_zone, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_ENOTFOUND);
}

static void test_keyed_zone_create_replays_the_kept_answer(void **state)
{
    fx_t *f = *state;
    NEED_DB(f);
    store_idem_t idem = {"key-1", "hash-1"};
    zone_create(f, &f->auth, "keyed.test.", &idem);
    assert_int_equal(f->status, DNSAPI_OK);
    assert_false(f->replay);
    /* the commit round runs on the loop: let it finish */
    for (int i = 0; i < 50; i++) {
        h2o_evloop_run(f->loop, 10);
    }
    char *kept =
        value(f, "SELECT status || ' ' || body FROM idempotency_keys WHERE key = '%s'", "key-1");
    assert_string_equal(kept, "201 {\"kept\":true}");
    free(kept);
    zone_create(f, &f->auth, "keyed.test.", &idem);
    assert_true(f->replay);
    assert_int_equal(f->replay_status, 201);
    assert_string_equal(f->text, "{\"kept\":true}");
    store_idem_t other = {"key-1", "hash-2"};
    zone_create(f, &f->auth, "keyed.test.", &other);
    assert_int_equal(f->status, DNSAPI_EINVAL);
    assert_string_equal(f->err.code, "idempotency_key_reused");
}

/* A change through the transaction: one post, written. */
typedef struct {
    fx_t *f;
    dns_change_t change;
    dns_view_t *view;
    bool skip_rules;
} change_t;

static void on_written(void *ctx, store_tx_t *tx, const store_written_t *res)
{
    change_t *c = ctx;
    fx_t *f = c->f;
    outcome(f, res->status, &res->err);
    f->n = res->n_created;
    f->serial = res->serial;
    if (res->n_created == 1) {
        snprintf(f->text, sizeof(f->text), "%s %s %s %u %s", res->created[0].name,
                 res->created[0].type, res->created[0].content, res->created[0].ttl,
                 res->created[0].system ? "system" : "plain");
    }
    store_tx_end(tx);
}

static void on_opened(void *ctx, store_tx_t *tx, const store_tx_result_t *res)
{
    change_t *c = ctx;
    if (res->status != DNSAPI_OK) {
        outcome(c->f, res->status, &res->err);
        store_tx_end(tx);
        return;
    }
    c->view = dns_view_new(res->zone->name);
    for (size_t i = 0; i < res->n_rows; i++) {
        assert_int_equal(dns_view_add(c->view, &res->rows[i]), DNSAPI_OK);
    }
    c->f->n = res->n_rows;
    dns_report_t rep;
    dns_report_init(&rep, 1);
    assert_int_equal(dns_view_covered(c->view, NULL, true), DNSAPI_OK);
    assert_int_equal(dns_view_bind(c->view, &c->change, &rep), DNSAPI_OK);
    dns_limits_t lim = {60, 604800};
    if (!c->skip_rules && dns_rules_check_change(&lim, &c->change, c->view, &rep) != DNSAPI_OK) {
        outcome(c->f, rep.errors[0].err.status, &rep.errors[0].err);
        dns_report_clear(&rep);
        store_tx_end(tx);
        return;
    }
    dns_report_clear(&rep);
    store_tx_write(tx, &c->change, on_written, c);
}

static void post(fx_t *f, const store_auth_t *auth, const char *zone, const char *name,
                 const char *type, const char *content, bool skip_rules)
{
    change_t c = {f, {0}, NULL, skip_rules};
    assert_int_equal(dns_change_init(&c.change, zone), DNSAPI_OK);
    dns_op_t *op = dns_change_add(&c.change, DNS_OP_POST, NULL, 0);
    op->fields = (dns_fields_t){.name = name, .type = type, .content = content};
    dnsapi_err_t err;
    assert_int_equal(
        dns_record_from_fields(zone, &op->fields, &c.change.arena, &op->rec, NULL, &err),
        DNSAPI_OK);
    store_load_t load = {.all = true};
    store_tx_begin_change(f->pool, auth, zone, NULL, false, &load, on_opened, &c);
    wait_done(f);
    dns_view_free(c.view);
    dns_change_clear(&c.change);
}

static void test_change_writes_typed_rows_and_maps_violations(void **state)
{
    fx_t *f = *state;
    NEED_DB(f);
    zone_create(f, &f->auth, "tx.test.", NULL);
    uint32_t s0 = f->serial;
    post(f, &f->auth, "tx.test.", "www", "A", "192.0.2.1", false);
    assert_int_equal(f->status, DNSAPI_OK);
    assert_string_equal(f->text, "www.tx.test. A 192.0.2.1 3600 plain");
    assert_int_equal(f->serial, s0 + 1);
    /* the rules see the duplicate; past them, the database's index does */
    post(f, &f->auth, "tx.test.", "www", "A", "192.0.2.1", false);
    assert_int_equal(f->status, DNSAPI_ECONFLICT);
    assert_string_equal(f->err.code, "duplicate");
    post(f, &f->auth, "tx.test.", "www", "A", "192.0.2.1", true);
    assert_int_equal(f->status, DNSAPI_ECONFLICT);
    assert_string_equal(f->err.code, "duplicate");
    /* past the rules, the guard refuses an apex NS */
    post(f, &f->auth, "tx.test.", "@", "NS", "ns9.example.net", true);
    assert_int_equal(f->status, DNSAPI_ESYSTEM);
    assert_string_equal(f->err.code, "system_record");
    /* another account's zone is not found, and nothing was written */
    post(f, &f->other, "tx.test.", "x", "A", "192.0.2.2", false);
    assert_int_equal(f->status, DNSAPI_ENOTFOUND);
    char *n = value(f,
                    "SELECT count(*) FROM records r JOIN zones z ON z.id = r.zone_id WHERE "
                    "z.name = '%s'",
                    "tx.test.");
    assert_string_equal(n, "4"); /* SOA, two NS, www */
    free(n);
}

static void on_rec(void *ctx, int status, const dnsapi_err_t *err, const dns_record_t *rec,
                   uint32_t serial)
{
    fx_t *f = ctx;
    outcome(f, status, err);
    f->serial = serial;
    if (rec != NULL) {
        snprintf(f->text, sizeof(f->text), "%s %s", rec->type, rec->name);
    }
}

static void on_page(void *ctx, int status, const dnsapi_err_t *err, const store_record_page_t *page)
{
    fx_t *f = ctx;
    outcome(f, status, err);
    if (page != NULL) {
        f->n = page->n;
        f->total = page->total;
        f->text[0] = '\0';
        for (size_t i = 0; i < page->n; i++) {
            size_t len = strlen(f->text);
            snprintf(f->text + len, sizeof(f->text) - len, "%s%s/%s", i ? " " : "",
                     page->rows[i].name, page->rows[i].type);
        }
    }
}

static void test_reads_deletes_and_the_guard(void **state)
{
    fx_t *f = *state;
    NEED_DB(f);
    zone_create(f, &f->auth, "read.test.", NULL);
    post(f, &f->auth, "read.test.", "b", "A", "192.0.2.1", false);
    post(f, &f->auth, "read.test.", "a", "A", "192.0.2.2", false);
    store_record_query_t q = {NULL, NULL, NULL, 10, 0, false, {NULL}};
    store_zone_ref_t ref = {"read.test.", NULL};
    store_record_page(f->pool, &f->auth, ref, &q, on_page, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_OK);
    assert_int_equal(f->total, 5);
    assert_string_equal(f->text, "read.test./NS read.test./NS read.test./SOA a.read.test./A "
                                 "b.read.test./A");
    store_record_page(f->pool, &f->other, ref, &q, on_page, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_ENOTFOUND);
    /* the SOA cannot be deleted: the guard's DA001 is system_record */
    char soa[40];
    copy_value(f, soa, sizeof(soa),
               "SELECT r.id FROM records r JOIN zones z ON z.id = r.zone_id WHERE z.name = '%s' "
               "AND r.type = 'SOA'",
               "read.test.");
    store_record_delete(f->pool, &f->auth, "read.test.", soa, on_rec, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_ESYSTEM);
    assert_string_equal(f->err.code, "system_record");
    char a[40];
    copy_value(f, a, sizeof(a),
               "SELECT r.id FROM records r JOIN zones z ON z.id = r.zone_id WHERE r.name = '%s'",
               "a.read.test.");
    store_record_delete(f->pool, &f->auth, "read.test.", a, on_rec, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_OK);
    assert_string_equal(f->text, "A a.read.test.");
    store_record_delete(f->pool, &f->auth, "read.test.", a, on_rec, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_ENOTFOUND);
}

static void test_revoked_token_and_zone_limit(void **state)
{
    fx_t *f = *state;
    NEED_DB(f);
    zone_create(f, &f->auth, "limit.test.", NULL);
    zone_create(f, &f->auth, "free.test.", NULL);
    /* a token limited to free.test. (the limit is stored with it) */
    char limited[40];
    copy_value(f, limited, sizeof(limited),
               "INSERT INTO tokens (account_id, scopes, zones, expires_at) VALUES ('%s', '{}', "
               "'{free.test.}', now() + interval '1 day') RETURNING id",
               f->account);
    static const char zones[1][256] = {"free.test."};
    store_auth_t lim = {
        .token_id = limited, .account_id = f->account, .zones = zones, .n_zones = 1};
    store_zone_get(f->pool, &lim, "limit.test.", on_zone, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_ENOTFOUND);
    /* the database keeps the limit too: a delete by id outside it is a no-op */
    store_auth_t lim_unsaid = {.token_id = limited, .account_id = f->account};
    char id[40];
    copy_value(f, id, sizeof(id), "SELECT id FROM zones WHERE name = '%s'", "limit.test.");
    store_zone_delete(f->pool, &lim_unsaid, id, on_zone, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_ENOTFOUND);
    char *n = value(f, "SELECT count(*) FROM zones WHERE name = '%s'", "limit.test.");
    assert_string_equal(n, "1");
    free(n);
    /* revoked: invalid_token from the next operation on */
    free(value(f, "UPDATE tokens SET revoked_at = now() WHERE id = '%s' RETURNING id", limited));
    store_zone_get(f->pool, &lim, "free.test.", on_zone, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_EAUTH);
    assert_string_equal(f->err.code, "invalid_token");
}

static void on_token(void *ctx, int status, const dnsapi_err_t *err, const store_token_t *tok)
{
    fx_t *f = ctx;
    outcome(f, status, err);
    if (tok != NULL) {
        snprintf(f->text, sizeof(f->text), "%s|%s|%s|%s", tok->id, tok->scopes,
                 tok->zones_json != NULL ? tok->zones_json : "all",
                 tok->policies_json != NULL ? tok->policies_json : "none");
    }
}

static void on_tokens(void *ctx, int status, const dnsapi_err_t *err, const store_token_t *toks,
                      size_t n, long long total)
{
    fx_t *f = ctx;
    outcome(f, status, err);
    (void)toks;
    f->n = n;
    f->total = total;
}

static void test_tokens(void **state)
{
    fx_t *f = *state;
    NEED_DB(f);
    static const char zones[1][256] = {"a.test."};
    store_token_create(f->pool, &f->auth, "ci", "records:read records:write", zones, 1,
                       "[{\"zone\": \"a.test.\", \"type\": \"TXT\", \"write\": true}]",
                       (long long)time(NULL) + 3600, on_token, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_OK);
    char id[40];
    snprintf(id, sizeof(id), "%.36s", f->text);
    assert_string_equal(f->text + 36,
                        "|records:read records:write|[\"a.test.\"]|"
                        "[{\"type\": \"TXT\", \"zone\": \"a.test.\", \"write\": true}]");
    store_token_list(f->pool, &f->auth, 10, 0, on_tokens, f);
    wait_done(f);
    assert_int_equal(f->total, 2); /* the fixture's and this one */
    store_token_revoke(f->pool, &f->auth, id, on_token, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_OK);
    store_token_revoke(f->pool, &f->auth, id, on_token, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_ENOTFOUND);
    store_token_revoke(f->pool, &f->other, f->token, on_token, f);
    wait_done(f);
    assert_int_equal(f->status, DNSAPI_ENOTFOUND); /* not another account's */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_zone_create_get_and_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_zone_create_replays_the_kept_answer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_change_writes_typed_rows_and_maps_violations, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reads_deletes_and_the_guard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoked_token_and_zone_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
