/* Zones (see store_zone.h). */
#include "storage/store_zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/store_tx_internal.h"

/* The state of a one-round zone operation. */
typedef struct {
    store_caller_t caller;
    char key[300];
    union {
        store_zone_cb zone;
        store_zone_page_cb page;
        store_zone_records_cb records;
        store_changes_cb changes;
    } cb;
    void *ctx;
    long long limit, offset;
    bool after;
} op_t;

static op_t *op_new(const store_auth_t *auth, const char *key, void *ctx)
{
    op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        abort();
    }
    store_caller_init(&op->caller, auth);
    snprintf(op->key, sizeof(op->key), "%s", key != NULL ? key : "");
    op->ctx = ctx;
    return op;
}

/* res holds one zone row the caller may see; else fills err (404). */
static bool zone_row(const op_t *op, const PGresult *res, store_zone_t *zone, dnsapi_err_t *err)
{
    if (PQntuples(res) == 1) {
        store_zone_decode(res, 0, zone);
        if (store_auth_allows(&op->caller.auth, zone->name)) {
            return true;
        }
    }
    dnsapi_err_set(err, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%.200s' not found", op->key);
    return false;
}

/* ---- create ------------------------------------------------------------ */

static void on_created(store_tx_t *tx, int status, PGresult **res, size_t n)
{
    store_tx_result_t out;
    if (!store_tx_opened(tx, status, res, n, &out)) {
        tx->cb(tx->ctx, tx, &out);
        return;
    }
    if (!store_results_ok(status, res, n, tx->first + 2, "zone_exists", &out.err)) {
        out.status = out.err.status;
        tx->cb(tx->ctx, tx, &out);
        return;
    }
    const PGresult *row = res[tx->first + 1];
    store_zone_t zone;
    if (PQntuples(row) != 1) {
        out.status = dnsapi_err_set(&out.err, DNSAPI_ECONFLICT, "zone_exists", NULL,
                                    "'%s' lies inside or above a zone of another account; on "
                                    "shared name servers it would take over that zone's names",
                                    tx->zone_key);
        tx->cb(tx->ctx, tx, &out);
        return;
    }
    store_zone_decode(row, 0, &zone);
    out.zone = &zone;
    tx->cb(tx->ctx, tx, &out);
}

void store_zone_create(db_pool_t *db, const store_auth_t *auth, const char *name,
                       const char (*ns)[256], size_t n_ns, const char *hostmaster,
                       const store_idem_t *idem, store_tx_cb cb, void *ctx)
{
    store_tx_t *tx = store_tx_new(db, auth, name, idem, false);
    if (tx == NULL) {
        abort();
    }
    tx->cb = cb;
    tx->ctx = ctx;
    store_array_t arr = {0};
    for (size_t i = 0; i < n_ns; i++) {
        store_array_add(&arr, ns[i]);
    }
    const char *lit = store_array_done(&arr);
    if (lit == NULL) {
        abort();
    }
    db_stmt_t stmts[DB_MAX_STMTS];
    /* without a key the round is one implicit transaction; with one, the
     * claim comes first: a request with the same key running at the same
     * time waits for this one and then replays it */
    size_t k = store_tx_opening(tx, stmts, false);
    /* serialises zone creation across accounts, so that the tree check and
     * the insert see each other */
    stmts[k++] = (db_stmt_t){"zone_tree_lock", 0, {NULL}};
    stmts[k++] =
        (db_stmt_t){"zone_create", 4, {tx->caller.account_id, tx->zone_key, lit, hostmaster}};
    store_tx_run(tx, stmts, k, on_created);
    store_array_free(&arr);
}

/* ---- get and delete ---------------------------------------------------- */

static void on_zone(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    store_zone_t zone;
    if (!store_results_ok(status, res, n, 2, NULL, &err) || !zone_row(op, res[1], &zone, &err)) {
        op->cb.zone(op->ctx, err.status, &err, NULL);
        return;
    }
    op->cb.zone(op->ctx, DNSAPI_OK, NULL, &zone);
}

void store_zone_get(db_pool_t *db, const store_auth_t *auth, const char *key, store_zone_cb cb,
                    void *ctx)
{
    op_t *op = op_new(auth, key, ctx);
    op->cb.zone = cb;
    db_stmt_t stmts[2] = {store_stmt_token_check(&op->caller.auth),
                          {"zone_get", 2, {op->caller.account_id, op->key}}};
    store_run(db, stmts, 2, on_zone, op);
}

void store_zone_delete(db_pool_t *db, const store_auth_t *auth, const char *key, store_zone_cb cb,
                       void *ctx)
{
    op_t *op = op_new(auth, key, ctx);
    op->cb.zone = cb;
    /* the token's zone limit is kept by the database for the statements
     * after its check (dnsapi_zone_id), so nothing outside it is deleted */
    db_stmt_t stmts[2] = {store_stmt_token_check(&op->caller.auth),
                          {"zone_delete", 2, {op->caller.account_id, op->key}}};
    store_run(db, stmts, 2, on_zone, op);
}

/* ---- list ------------------------------------------------------------------ */

static void on_zone_list(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (!store_results_ok(status, res, n, 2, NULL, &err)) {
        op->cb.page(op->ctx, err.status, &err, NULL, 0, 0);
        return;
    }
    const PGresult *rows = res[1];
    size_t count = (size_t)PQntuples(rows);
    store_zone_t *zones = calloc(count + 1, sizeof(*zones));
    if (zones == NULL) {
        dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        op->cb.page(op->ctx, err.status, &err, NULL, 0, 0);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        store_zone_decode(rows, (int)i, &zones[i]);
    }
    long long total = count > 0 ? strtoll(PQgetvalue(rows, 0, 9), NULL, 10) : 0;
    if (count == 0 && op->offset > 0) {
        total = -1; /* past the end: unknown without another count */
    }
    if (op->after) {
        total = -1;
    }
    op->cb.page(op->ctx, DNSAPI_OK, NULL, zones, count, total);
    free(zones);
}

void store_zone_list(db_pool_t *db, const store_auth_t *auth, const store_zone_query_t *q,
                     store_zone_page_cb cb, void *ctx)
{
    op_t *op = op_new(auth, NULL, ctx);
    op->cb.page = cb;
    op->offset = q->offset;
    op->after = q->after != NULL;
    store_array_t limit_zones = {0};
    const char *lz = NULL;
    if (auth->n_zones > 0) {
        for (size_t i = 0; i < auth->n_zones; i++) {
            store_array_add(&limit_zones, auth->zones[i]);
        }
        lz = store_array_done(&limit_zones);
        if (lz == NULL) {
            abort();
        }
    }
    char lim[24], off[24];
    db_stmt_t stmts[2] = {
        store_stmt_token_check(&op->caller.auth),
        {"zone_list",
         6,
         {op->caller.account_id, q->contains, lz, store_itoa(lim, q->limit),
          store_itoa(off, q->offset), q->after}},
    };
    store_array_t holding = {0};
    if (q->holding != NULL) {
        for (size_t i = 0; i < q->n_holding; i++) {
            store_array_add(&holding, q->holding[i]);
        }
        const char *names = store_array_done(&holding);
        if (names == NULL) {
            abort();
        }
        op->offset = 0;
        op->after = false;
        stmts[1] = (db_stmt_t){"zone_holding", 3, {op->caller.account_id, names, lz}};
    }
    store_run(db, stmts, 2, on_zone_list, op);
    store_array_free(&holding);
    store_array_free(&limit_zones);
}

/* ---- export -------------------------------------------------------------- */

static void on_export(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    store_zone_t zone;
    if (!store_results_ok(status, res, n, 3, NULL, &err) || !zone_row(op, res[1], &zone, &err)) {
        op->cb.records(op->ctx, err.status, &err, NULL, NULL, 0);
        return;
    }
    /* columns: 0 name, 1 type, 2 ttl, 3 priority, 4 content */
    const PGresult *rows = res[2];
    size_t count = (size_t)PQntuples(rows);
    dns_record_t *recs = calloc(count + 1, sizeof(*recs));
    if (recs == NULL) {
        dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        op->cb.records(op->ctx, err.status, &err, NULL, NULL, 0);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        int row = (int)i;
        recs[i].name = PQgetvalue(rows, row, 0);
        recs[i].type = PQgetvalue(rows, row, 1);
        recs[i].ttl = (uint32_t)strtoul(PQgetvalue(rows, row, 2), NULL, 10);
        recs[i].priority = PQgetisnull(rows, row, 3) ? -1 : atoi(PQgetvalue(rows, row, 3));
        recs[i].content = PQgetvalue(rows, row, 4);
    }
    op->cb.records(op->ctx, DNSAPI_OK, NULL, &zone, recs, count);
    free(recs);
}

void store_zone_export(db_pool_t *db, const store_auth_t *auth, const char *key,
                       store_zone_records_cb cb, void *ctx)
{
    op_t *op = op_new(auth, key, ctx);
    op->cb.records = cb;
    db_stmt_t stmts[3] = {store_stmt_token_check(&op->caller.auth),
                          {"zone_get", 2, {op->caller.account_id, op->key}},
                          {"zone_export", 2, {op->caller.account_id, op->key}}};
    store_run(db, stmts, 3, on_export, op);
}

/* ---- the apex, for the DNS listener --------------------------------------- */

static void on_apex(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (!store_results_ok(status, res, n, 1, NULL, &err)) {
        op->cb.records(op->ctx, err.status, &err, NULL, NULL, 0);
        return;
    }
    const PGresult *rows = res[0];
    size_t count = (size_t)PQntuples(rows);
    if (count == 0) {
        dnsapi_err_set(&err, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%.200s' not found", op->key);
        op->cb.records(op->ctx, err.status, &err, NULL, NULL, 0);
        return;
    }
    dns_record_t *recs = calloc(count + 1, sizeof(*recs));
    if (recs == NULL) {
        dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        op->cb.records(op->ctx, err.status, &err, NULL, NULL, 0);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        store_record_decode(rows, (int)i, &recs[i]);
    }
    op->cb.records(op->ctx, DNSAPI_OK, NULL, NULL, recs, count);
    free(recs);
}

void store_zone_apex(db_pool_t *db, const char *name, store_zone_records_cb cb, void *ctx)
{
    op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        abort();
    }
    snprintf(op->key, sizeof(op->key), "%s", name);
    op->ctx = ctx;
    op->cb.records = cb;
    /* the name and every name above it, the root aside */
    store_array_t names = {0};
    for (const char *p = op->key; *p != '\0' && strcmp(p, ".") != 0;) {
        store_array_add(&names, p);
        const char *dot = strchr(p, '.');
        while (dot != NULL && dot > p && dot[-1] == '\\') { /* an escaped dot */
            dot = strchr(dot + 1, '.');
        }
        if (dot == NULL) {
            break;
        }
        p = dot + 1;
    }
    const char *arr = store_array_done(&names);
    if (arr == NULL) {
        abort();
    }
    db_stmt_t stmts[1] = {{"zone_apex", 1, {arr}}};
    store_run(db, stmts, 1, on_apex, op);
    store_array_free(&names);
}

/* ---- the audit trail ------------------------------------------------------ */

static void on_changes(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    store_zone_t zone;
    if (!store_results_ok(status, res, n, 4, NULL, &err) || !zone_row(op, res[1], &zone, &err)) {
        op->cb.changes(op->ctx, err.status, &err, NULL, 0, 0);
        return;
    }
    /* columns: 0 id, 1 serial, 2 action, 3 record_id, 4 name, 5 type,
     * 6 before, 7 after, 8 token_id, 9 created_at */
    const PGresult *rows = res[2];
    size_t count = (size_t)PQntuples(rows);
    store_change_entry_t *e = calloc(count + 1, sizeof(*e));
    if (e == NULL) {
        dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        op->cb.changes(op->ctx, err.status, &err, NULL, 0, 0);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        int row = (int)i;
        e[i].id = PQgetvalue(rows, row, 0);
        e[i].serial = (uint32_t)strtoul(PQgetvalue(rows, row, 1), NULL, 10);
        e[i].action = PQgetvalue(rows, row, 2);
        e[i].record_id = PQgetvalue(rows, row, 3);
        e[i].name = PQgetvalue(rows, row, 4);
        e[i].type = PQgetvalue(rows, row, 5);
        e[i].before_json = PQgetisnull(rows, row, 6) ? NULL : PQgetvalue(rows, row, 6);
        e[i].after_json = PQgetisnull(rows, row, 7) ? NULL : PQgetvalue(rows, row, 7);
        e[i].token_id = PQgetisnull(rows, row, 8) ? NULL : PQgetvalue(rows, row, 8);
        e[i].created_at = PQgetvalue(rows, row, 9);
    }
    long long total = strtoll(PQgetvalue(res[3], 0, 0), NULL, 10);
    op->cb.changes(op->ctx, DNSAPI_OK, NULL, e, count, total);
    free(e);
}

void store_zone_changes(db_pool_t *db, const store_auth_t *auth, const char *key, long long limit,
                        long long offset, const char *after, store_changes_cb cb, void *ctx)
{
    op_t *op = op_new(auth, key, ctx);
    op->cb.changes = cb;
    char lim[24], off[24];
    db_stmt_t stmts[4] = {
        store_stmt_token_check(&op->caller.auth),
        {"zone_get", 2, {op->caller.account_id, op->key}},
        {"changes_page",
         5,
         {op->caller.account_id, op->key, store_itoa(lim, limit), store_itoa(off, offset), after}},
        {"changes_count", 2, {op->caller.account_id, op->key}},
    };
    store_run(db, stmts, 4, on_changes, op);
}
