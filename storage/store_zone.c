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
    store_zone_server_t *servers; /* of the zone read, freed with op */
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

/* The zone whose rows start at row first of res, with its publication
 * (storage/statements.c: ZONE_COLS, then 9 status, 10 published serial,
 * 11 error and one server a row in 12..17; a zone's rows are consecutive),
 * or ZONE_COLS alone (a delete). Its servers go to servers (room for every
 * row of res); returns the first row of the next zone. */
static int zone_decode_published(const PGresult *res, int first, store_zone_t *zone,
                                 store_zone_server_t *servers)
{
    store_zone_decode(res, first, zone);
    if (PQnfields(res) < 18) {
        return first + 1; /* a statement that does not show it */
    }
    zone->has_publication = true;
    zone->status = PQgetvalue(res, first, 9);
    zone->has_published = !PQgetisnull(res, first, 10);
    zone->published_serial =
        zone->has_published ? (uint32_t)strtoul(PQgetvalue(res, first, 10), NULL, 10) : 0;
    zone->error = PQgetisnull(res, first, 11) ? NULL : PQgetvalue(res, first, 11);
    size_t k = 0;
    int row = first;
    for (; row < PQntuples(res) && strcmp(PQgetvalue(res, row, 0), zone->id) == 0; row++) {
        if (PQgetisnull(res, row, 12)) {
            continue; /* no server asked yet */
        }
        store_zone_server_t *sv = &servers[k++];
        sv->name = PQgetvalue(res, row, 12);
        sv->address = PQgetvalue(res, row, 13);
        sv->has_serial = !PQgetisnull(res, row, 14);
        sv->serial = sv->has_serial ? (uint32_t)strtoul(PQgetvalue(res, row, 14), NULL, 10) : 0;
        sv->in_sync = PQgetvalue(res, row, 15)[0] == 't';
        sv->checked_at = PQgetisnull(res, row, 16) ? NULL : PQgetvalue(res, row, 16);
        sv->error = PQgetisnull(res, row, 17) ? NULL : PQgetvalue(res, row, 17);
    }
    zone->servers = servers;
    zone->n_servers = k;
    return row;
}

/* Room for the servers of the rows of res (NULL only when out of memory). */
static store_zone_server_t *servers_room(const PGresult *res)
{
    return calloc((size_t)PQntuples(res) + 1, sizeof(store_zone_server_t));
}

/* res holds one zone (its rows) the caller may see; else fills err (404).
 * Its servers are kept in op->servers (freed by the caller). */
static bool zone_row(op_t *op, const PGresult *res, store_zone_t *zone, dnsapi_err_t *err)
{
    if (PQntuples(res) >= 1) {
        op->servers = servers_room(res);
        if (op->servers == NULL) {
            dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
            return false;
        }
        zone_decode_published(res, 0, zone, op->servers);
        if (store_auth_allows(&op->caller.auth, zone->name)) {
            return true;
        }
        free(op->servers);
        op->servers = NULL;
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
    if (!store_results_ok(status, res, n, tx->first + 3, "zone_exists", &out.err)) {
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
    store_zone_server_t none[1];
    zone_decode_published(row, 0, &zone, none); /* no server has been asked yet */
    out.zone = &zone;
    tx->cb(tx->ctx, tx, &out);
}

void store_zone_create(db_pool_t *db, const store_auth_t *auth, const char *name,
                       const char (*ns)[256], size_t n_ns, const char *hostmaster, bool delegate,
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
    stmts[k++] = (db_stmt_t){
        "zone_create",
        5,
        {tx->caller.account_id, tx->zone_key, lit, hostmaster, delegate ? "true" : "false"}};
    stmts[k++] = (db_stmt_t){"delegation_sync_pending", 0, {NULL}};
    store_tx_run(tx, stmts, k, on_created);
    store_array_free(&arr);
}

/* ---- get and delete ---------------------------------------------------- */

/* The zone of a round whose second statement returns it (want results). */
static void zone_answer(op_t *op, int status, PGresult **res, size_t n, size_t want)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    store_zone_t zone;
    if (!store_results_ok(status, res, n, want, NULL, &err) || !zone_row(op, res[1], &zone, &err)) {
        op->cb.zone(op->ctx, err.status, &err, NULL);
        return;
    }
    op->cb.zone(op->ctx, DNSAPI_OK, NULL, &zone);
    free(op->servers);
}

static void on_zone(void *data, int status, PGresult **res, size_t n)
{
    zone_answer(data, status, res, n, 2);
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

static void on_zone_deleted(void *data, int status, PGresult **res, size_t n)
{
    zone_answer(data, status, res, n, 3);
}

void store_zone_delete(db_pool_t *db, const store_auth_t *auth, const char *key, store_zone_cb cb,
                       void *ctx)
{
    op_t *op = op_new(auth, key, ctx);
    op->cb.zone = cb;
    /* the token's zone limit is kept by the database for the statements
     * after its check (dnsapi_zone_id), so nothing outside it is deleted;
     * the round is one implicit transaction, the parent's delegation
     * removed with the zone */
    db_stmt_t stmts[3] = {store_stmt_token_check(&op->caller.auth),
                          {"zone_delete", 2, {op->caller.account_id, op->key}},
                          {"delegation_sync_pending", 0, {NULL}}};
    store_run(db, stmts, 3, on_zone_deleted, op);
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
    size_t n_rows = (size_t)PQntuples(rows), count = 0;
    store_zone_t *zones = calloc(n_rows + 1, sizeof(*zones));
    store_zone_server_t *servers = servers_room(rows);
    if (zones == NULL || servers == NULL) {
        free(zones);
        free(servers);
        dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        op->cb.page(op->ctx, err.status, &err, NULL, 0, 0);
        return;
    }
    /* a zone's rows are consecutive: one per server */
    for (int row = 0; row < (int)n_rows; count++) {
        int next = zone_decode_published(rows, row, &zones[count], servers + row);
        row = next;
    }
    long long total = count > 0 ? strtoll(PQgetvalue(rows, 0, 18), NULL, 10) : 0;
    if (count == 0 && op->offset > 0) {
        total = -1; /* past the end: unknown without another count */
    }
    if (op->after) {
        total = -1;
    }
    op->cb.page(op->ctx, DNSAPI_OK, NULL, zones, count, total);
    free(zones);
    free(servers);
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
    /* columns: 0 name, 1 type, 2 ttl, 3 priority, 4 content, 5 managed_by */
    const PGresult *rows = res[2];
    size_t count = (size_t)PQntuples(rows);
    dns_record_t *recs = calloc(count + 1, sizeof(*recs));
    if (recs == NULL) {
        free(op->servers);
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
        recs[i].managed_by = PQgetisnull(rows, row, 5) ? NULL : PQgetvalue(rows, row, 5);
    }
    op->cb.records(op->ctx, DNSAPI_OK, NULL, &zone, recs, count);
    free(recs);
    free(op->servers);
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
     * 6 before, 7 after, 8 token_id, 9 created_at, 10 tsig_key_id */
    const PGresult *rows = res[2];
    size_t count = (size_t)PQntuples(rows);
    store_change_entry_t *e = calloc(count + 1, sizeof(*e));
    if (e == NULL) {
        free(op->servers);
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
        e[i].tsig_key_id = PQgetisnull(rows, row, 10) ? NULL : PQgetvalue(rows, row, 10);
    }
    long long total = strtoll(PQgetvalue(res[3], 0, 0), NULL, 10);
    op->cb.changes(op->ctx, DNSAPI_OK, NULL, e, count, total);
    free(e);
    free(op->servers);
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
