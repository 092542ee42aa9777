/* TSIG keys (see store_tsig.h). */
#include "storage/store_tsig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    store_caller_t caller;
    char id[64];
    char name[256];
    store_tsig_cb one_cb;
    store_tsig_page_cb page_cb;
    void *ctx;
} op_t;

static op_t *op_new(const store_auth_t *auth, void *ctx)
{
    op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        abort();
    }
    if (auth != NULL) {
        store_caller_init(&op->caller, auth);
    }
    op->ctx = ctx;
    return op;
}

/* key columns (statements.c, TSIG_COLS): 0 id, 1 name, 2 algorithm, 3
 * scopes, 4 zones (JSON), 5 expires_at, 6 created_at, 7 revoked_at, 8
 * expires epoch, 9 policies, 10 account_id, 11 secret_sealed (lookup only) */
static const char *col(const PGresult *res, int row, int c)
{
    return PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c);
}

static void decode(const PGresult *res, int row, store_tsig_t *k)
{
    memset(k, 0, sizeof(*k));
    k->id = PQgetvalue(res, row, 0);
    k->name = PQgetvalue(res, row, 1);
    k->algorithm = PQgetvalue(res, row, 2);
    k->scopes = PQgetvalue(res, row, 3);
    k->zones_json = col(res, row, 4);
    k->expires_at = PQgetvalue(res, row, 5);
    k->created_at = PQgetvalue(res, row, 6);
    k->revoked_at = col(res, row, 7);
    k->expires_epoch = strtoll(PQgetvalue(res, row, 8), NULL, 10);
    k->policies_json = col(res, row, 9);
    k->account_id = PQgetvalue(res, row, 10);
    if (PQnfields(res) > 11) {
        k->secret_sealed = col(res, row, 11);
    }
}

/* A round of want results whose last holds at most one key. */
static void on_one(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    size_t want = op->caller.account_id[0] != '\0' ? 2 : 1;
    if (!store_results_ok(status, res, n, want, "name_taken", &err)) {
        if (strcmp(err.code, "name_taken") == 0) {
            dnsapi_err_set(&err, DNSAPI_ECONFLICT, "name_taken", "name",
                           "A TSIG key named '%s' exists already (key names are unique across "
                           "accounts): choose another name.",
                           op->name);
        }
        op->one_cb(op->ctx, err.status, &err, NULL);
        return;
    }
    const PGresult *rows = res[want - 1];
    if (PQntuples(rows) != 1) {
        dnsapi_err_set(&err, DNSAPI_ENOTFOUND, NULL, NULL, "TSIG key '%s' not found (or revoked)",
                       op->id[0] ? op->id : op->name);
        op->one_cb(op->ctx, err.status, &err, NULL);
        return;
    }
    store_tsig_t k;
    decode(rows, 0, &k);
    op->one_cb(op->ctx, DNSAPI_OK, NULL, &k);
}

static const char *words_array(const char *words, store_array_t *a)
{
    for (const char *s = words; *s != '\0';) {
        size_t len = strcspn(s, " ");
        if (len > 0) {
            char one[64];
            snprintf(one, sizeof(one), "%.*s", (int)len, s);
            store_array_add(a, one);
        }
        s += len;
        s += *s == ' ';
    }
    return store_array_done(a);
}

void store_tsig_create(db_pool_t *db, const store_auth_t *auth, const store_tsig_new_t *k,
                       store_tsig_cb cb, void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->one_cb = cb;
    snprintf(op->name, sizeof(op->name), "%s", k->name);
    store_array_t sc = {0}, zs = {0};
    for (size_t i = 0; i < k->n_zones; i++) {
        store_array_add(&zs, k->zones[i]);
    }
    const char *lsc = words_array(k->scopes, &sc);
    const char *lzs = k->n_zones > 0 ? store_array_done(&zs) : NULL;
    if (lsc == NULL || (k->n_zones > 0 && lzs == NULL)) {
        abort();
    }
    char exp[24];
    db_stmt_t stmts[2] = {
        store_stmt_token_check(&op->caller.auth),
        {"tsig_insert",
         8,
         {op->caller.account_id, k->name, k->algorithm, k->secret_sealed, lsc, lzs,
          k->policies_json, store_itoa(exp, k->expires_at)}},
    };
    store_run(db, stmts, 2, on_one, op);
    store_array_free(&sc);
    store_array_free(&zs);
}

static void on_page(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (!store_results_ok(status, res, n, 2, NULL, &err)) {
        op->page_cb(op->ctx, err.status, &err, NULL, 0, 0);
        return;
    }
    const PGresult *rows = res[1];
    size_t count = (size_t)PQntuples(rows);
    store_tsig_t *keys = calloc(count + 1, sizeof(*keys));
    if (keys == NULL) {
        dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        op->page_cb(op->ctx, err.status, &err, NULL, 0, 0);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        decode(rows, (int)i, &keys[i]);
    }
    /* column 11 of a page: the total over every page */
    long long total = count > 0 ? strtoll(PQgetvalue(rows, 0, 11), NULL, 10) : 0;
    for (size_t i = 0; i < count; i++) {
        keys[i].secret_sealed = NULL;
    }
    op->page_cb(op->ctx, DNSAPI_OK, NULL, keys, count, total);
    free(keys);
}

void store_tsig_list(db_pool_t *db, const store_auth_t *auth, long long limit, long long offset,
                     store_tsig_page_cb cb, void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->page_cb = cb;
    char lim[24], off[24];
    db_stmt_t stmts[2] = {
        store_stmt_token_check(&op->caller.auth),
        {"tsig_list", 3, {op->caller.account_id, store_itoa(lim, limit), store_itoa(off, offset)}},
    };
    store_run(db, stmts, 2, on_page, op);
}

static void one_of_account(db_pool_t *db, const store_auth_t *auth, const char *stmt,
                           const char *id, store_tsig_cb cb, void *ctx)
{
    op_t *op = op_new(auth, ctx);
    op->one_cb = cb;
    snprintf(op->id, sizeof(op->id), "%s", id);
    db_stmt_t stmts[2] = {store_stmt_token_check(&op->caller.auth),
                          {stmt, 2, {op->caller.account_id, op->id}}};
    store_run(db, stmts, 2, on_one, op);
}

void store_tsig_get(db_pool_t *db, const store_auth_t *auth, const char *id, store_tsig_cb cb,
                    void *ctx)
{
    one_of_account(db, auth, "tsig_get", id, cb, ctx);
}

void store_tsig_revoke(db_pool_t *db, const store_auth_t *auth, const char *id, store_tsig_cb cb,
                       void *ctx)
{
    one_of_account(db, auth, "tsig_revoke", id, cb, ctx);
}

void store_tsig_lookup(db_pool_t *db, const char *name, store_tsig_cb cb, void *ctx)
{
    op_t *op = op_new(NULL, ctx);
    op->one_cb = cb;
    snprintf(op->name, sizeof(op->name), "%s", name);
    db_stmt_t stmts[1] = {{"tsig_lookup", 1, {op->name}}};
    store_run(db, stmts, 1, on_one, op);
}
