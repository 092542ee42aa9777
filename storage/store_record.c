/* Record reads and the single delete (see store_record.h). */
#include "storage/store_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/statements.h"

typedef struct {
    store_caller_t caller;
    char key[300], id[64];
    long long limit;
    store_record_page_cb page_cb;
    store_record_cb rec_cb;
    void *ctx;
} op_t;

static op_t *op_new(const store_auth_t *auth, void *ctx)
{
    op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        abort();
    }
    store_caller_init(&op->caller, auth);
    op->ctx = ctx;
    return op;
}

/* The zone of a one-statement read: $1 token, $2 account, $3 its name,
 * $4 its id. */
static void read_params(const op_t *op, store_zone_ref_t zone, db_stmt_t *st)
{
    st->params[0] = op->caller.token_id;
    st->params[1] = op->caller.account_id;
    st->params[2] = zone.name;
    st->params[3] = zone.id;
}

/* Columns of the reads: RECORD_COLS (0..13), 14 the zone's name, 15 the
 * total (pages). No row: no such zone; one row with a NULL id: the zone,
 * and nothing on the page. */
#define COL_SORT_KEY 11
#define COL_STORED_CONTENT 12
#define COL_ZONE 14
#define COL_TOTAL 15

static bool zone_seen(const op_t *op, const PGresult *rows, dnsapi_err_t *err)
{
    if (PQntuples(rows) >= 1 &&
        store_auth_allows(&op->caller.auth, PQgetvalue(rows, 0, COL_ZONE))) {
        return true;
    }
    dnsapi_err_set(err, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%.200s' not found", op->key);
    return false;
}

static void on_page(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (!store_results_ok(status, res, n, 1, NULL, &err) || !zone_seen(op, res[0], &err)) {
        op->page_cb(op->ctx, err.status, &err, NULL);
        return;
    }
    const PGresult *rows = res[0];
    size_t count = PQgetisnull(rows, 0, 0) ? 0 : (size_t)PQntuples(rows);
    dns_record_t *recs = calloc(count + 1, sizeof(*recs));
    const char **keys = calloc(4 * count + 1, sizeof(*keys));
    if (recs == NULL || keys == NULL) {
        free(recs);
        free(keys);
        dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        op->page_cb(op->ctx, err.status, &err, NULL);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        int row = (int)i;
        store_record_decode(rows, row, &recs[i]);
        keys[4 * i] = PQgetvalue(rows, row, COL_SORT_KEY);
        keys[4 * i + 1] = recs[i].type;
        keys[4 * i + 2] = PQgetvalue(rows, row, COL_STORED_CONTENT);
        keys[4 * i + 3] = recs[i].id;
    }
    store_record_page_t page = {PQgetvalue(rows, 0, COL_ZONE),
                                strtoll(PQgetvalue(rows, 0, COL_TOTAL), NULL, 10), recs, count,
                                keys};
    op->page_cb(op->ctx, DNSAPI_OK, NULL, &page);
    free(recs);
    free(keys);
}

void store_record_page(db_pool_t *db, const store_auth_t *auth, store_zone_ref_t zone,
                       const store_record_query_t *q, store_record_page_cb cb, void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->page_cb = cb;
    snprintf(op->key, sizeof(op->key), "%s", zone.name != NULL ? zone.name : zone.id);
    unsigned shape = (q->name != NULL ? DB_PAGE_NAME : 0) | (q->type != NULL ? DB_PAGE_TYPE : 0) |
                     (q->content != NULL ? DB_PAGE_CONTENT : 0) | (q->after ? DB_PAGE_AFTER : 0);
    char lim[24], off[24];
    db_stmt_t st = {db_record_page_stmt(shape), 13, {NULL}}; /* unused ones stay NULL */
    read_params(op, zone, &st);
    st.params[4] = q->name;
    st.params[5] = q->type;
    st.params[6] = q->content;
    st.params[7] = store_itoa(lim, q->limit);
    st.params[8] = store_itoa(off, q->offset);
    if (q->after) {
        for (int i = 0; i < 4; i++) {
            st.params[9 + i] = q->after_key[i];
        }
    }
    store_run(db, &st, 1, on_page, op);
}

static void on_one(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const PGresult *row = res != NULL && n > 0 ? res[0] : NULL;
    if (!store_results_ok(status, res, n, 1, NULL, &err) || !zone_seen(op, row, &err) ||
        PQgetisnull(row, 0, 0)) {
        if (err.status == DNSAPI_OK || err.status == DNSAPI_ENOTFOUND) {
            dnsapi_err_set(&err, DNSAPI_ENOTFOUND, NULL, NULL,
                           "record '%s' not found in zone '%.200s'", op->id, op->key);
        }
        op->rec_cb(op->ctx, err.status, &err, NULL, 0);
        return;
    }
    dns_record_t rec;
    store_record_decode(row, 0, &rec);
    op->rec_cb(op->ctx, DNSAPI_OK, NULL, &rec, 0);
}

void store_record_get(db_pool_t *db, const store_auth_t *auth, store_zone_ref_t zone,
                      const char *id, store_record_cb cb, void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->rec_cb = cb;
    snprintf(op->key, sizeof(op->key), "%s", zone.name != NULL ? zone.name : zone.id);
    snprintf(op->id, sizeof(op->id), "%s", id);
    db_stmt_t st = {"record_one", 5, {NULL}};
    read_params(op, zone, &st);
    st.params[4] = op->id;
    store_run(db, &st, 1, on_one, op);
}

static void on_deleted(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (!store_results_ok(status, res, n, 3, NULL, &err)) {
        op->rec_cb(op->ctx, err.status, &err, NULL, 0);
        return;
    }
    if (PQntuples(res[1]) != 1) {
        dnsapi_err_set(&err, DNSAPI_ENOTFOUND, NULL, NULL, "record '%s' not found in zone '%.200s'",
                       op->id, op->key);
        op->rec_cb(op->ctx, err.status, &err, NULL, 0);
        return;
    }
    dns_record_t rec;
    store_record_decode(res[1], 0, &rec);
    uint32_t serial =
        PQntuples(res[2]) == 1 ? (uint32_t)strtoul(PQgetvalue(res[2], 0, 0), NULL, 10) : 0;
    op->rec_cb(op->ctx, DNSAPI_OK, NULL, &rec, serial);
}

void store_record_delete(db_pool_t *db, const store_auth_t *auth, const char *zone_key,
                         const char *id, store_record_cb cb, void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->rec_cb = cb;
    snprintf(op->key, sizeof(op->key), "%s", zone_key);
    snprintf(op->id, sizeof(op->id), "%s", id);
    db_stmt_t stmts[3] = {store_stmt_token_check(&op->caller.auth),
                          {"record_delete", 3, {op->caller.account_id, op->key, op->id}},
                          {"zone_serial", 2, {op->caller.account_id, op->key}}};
    store_run(db, stmts, 3, on_deleted, op);
}
