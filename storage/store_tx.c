/*
 * store_tx.c - write transactions (see store_tx.h).
 *
 * The rounds of a record change:
 *   1. BEGIN; the token check; with a key: forget the account's expired
 *      keys, claim this one (ON CONFLICT DO NOTHING: a request with the same
 *      key still running makes this one wait for its end), read it; the
 *      zone FOR UPDATE; the records asked for;
 *   2. (optional) more records, when a patch reaches new names;
 *   3. DELETE, UPDATE, INSERT (arrays), the serial; COMMIT, ROLLBACK for a
 *      dry run, or nothing when keyed;
 *   4. keyed: the answer stored under the key, COMMIT.
 */
#include "storage/store_tx_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tx_free(store_tx_t *tx)
{
    free(tx->data);
    free(tx);
}

store_tx_t *store_tx_new(db_pool_t *db, const store_auth_t *auth, const char *zone_key,
                         const store_idem_t *idem, bool dry_run)
{
    store_tx_t *tx = calloc(1, sizeof(*tx));
    if (tx == NULL) {
        return NULL;
    }
    tx->db = db;
    store_caller_init(&tx->caller, auth);
    snprintf(tx->zone_key, sizeof(tx->zone_key), "%s", zone_key != NULL ? zone_key : "");
    tx->dry_run = dry_run;
    if (idem != NULL && idem->key != NULL && !dry_run) {
        snprintf(tx->idem_key, sizeof(tx->idem_key), "%s", idem->key);
        snprintf(tx->idem_hash, sizeof(tx->idem_hash), "%s", idem->hash);
        tx->keyed = true;
    }
    return tx;
}

bool store_tx_keyed(const store_tx_t *tx)
{
    return tx->keyed;
}

size_t store_tx_opening(store_tx_t *tx, db_stmt_t *stmts, bool explicit_tx)
{
    size_t k = 0;
    const char *acct = tx->caller.account_id;
    if (explicit_tx || tx->keyed) {
        stmts[k++] = (db_stmt_t){"begin", 0, {NULL}};
        tx->open = true;
    }
    stmts[k++] = store_stmt_token_check(&tx->caller.auth);
    if (tx->keyed) {
        stmts[k++] = (db_stmt_t){"idem_expire", 2, {acct, tx->idem_key}};
        stmts[k++] = (db_stmt_t){"idem_claim", 3, {acct, tx->idem_key, tx->idem_hash}};
        stmts[k++] = (db_stmt_t){"idem_get", 2, {acct, tx->idem_key}};
    }
    tx->first = k;
    return k;
}

bool store_tx_opened(store_tx_t *tx, int status, PGresult **res, size_t n, store_tx_result_t *out)
{
    memset(out, 0, sizeof(*out));
    /* only the opening statements here: the caller maps the failure of a
     * later one with its own conflict code */
    if (!store_results_ok(status, res, n < tx->first ? n : tx->first, tx->first, NULL, &out->err)) {
        out->status = out->err.status;
        return false;
    }
    if (!tx->keyed || PQntuples(res[tx->first - 2]) == 1) {
        return true; /* no key, or claimed by this request */
    }
    const PGresult *got = res[tx->first - 1];
    if (PQntuples(got) != 1) {
        /* claimed and gone again (expired meanwhile): a retry claims it */
        out->status = dnsapi_err_set(&out->err, DNSAPI_ECONFLICT, "idempotency_key_in_use", NULL,
                                     "a request with this Idempotency-Key was being applied; "
                                     "retry to get its answer");
        return false;
    }
    if (strcmp(PQgetvalue(got, 0, 0), tx->idem_hash) != 0) {
        out->status =
            dnsapi_err_set(&out->err, DNSAPI_EINVAL, "idempotency_key_reused", "Idempotency-Key",
                           "this Idempotency-Key was used for a different request "
                           "(method, path or body); use a new key for a new request");
        return false;
    }
    out->replay = true;
    out->replay_status = atoi(PQgetvalue(got, 0, 1));
    out->replay_body = PQgetvalue(got, 0, 2);
    out->replay_len = (size_t)PQgetlength(got, 0, 2);
    return false;
}

/* ---- rounds ------------------------------------------------------------ */

typedef struct {
    store_tx_t *tx;
    store_tx_round_fn fn;
} round_call_t;

static void on_round(db_session_t *s, void *arg, int status, PGresult **res, size_t n)
{
    round_call_t *call = arg;
    store_tx_t *tx = call->tx;
    store_tx_round_fn fn = call->fn;
    free(call);
    tx->s = s;
    if (status != DNSAPI_OK) {
        tx->s = NULL; /* the connection is gone */
        tx->open = false;
    }
    fn(tx, status, res, n);
}

void store_tx_run(store_tx_t *tx, const db_stmt_t *stmts, size_t n, store_tx_round_fn fn)
{
    round_call_t *call = malloc(sizeof(*call));
    if (call == NULL) {
        abort(); /* as h2o does: no partial state to recover */
    }
    call->tx = tx;
    call->fn = fn;
    if (tx->s == NULL) {
        db_pool_run(tx->db, stmts, n, on_round, call);
    } else {
        db_session_t *s = tx->s;
        tx->s = NULL;
        db_session_next(s, stmts, n, on_round, call);
    }
}

void store_tx_end(store_tx_t *tx)
{
    if (tx == NULL) {
        return;
    }
    if (tx->s != NULL) {
        db_session_end(tx->s); /* rolls an open transaction back */
    }
    tx_free(tx);
}

/* ---- loading records --------------------------------------------------- */

/* The statements of a load; arrays kept in arr (freed by the caller once
 * the round is sent: the pool copies parameters). */
typedef struct {
    store_array_t ids, names, pointing, below, changed;
} load_arrays_t;

static size_t load_stmts(store_tx_t *tx, const store_load_t *load, load_arrays_t *arr,
                         db_stmt_t *stmts, bool *ok)
{
    const char *acct = tx->caller.account_id, *zone = tx->zone_key;
    size_t k = 0;
    *ok = true;
    if (load == NULL) {
        return 0;
    }
    if (load->all) {
        stmts[k++] = (db_stmt_t){"zone_records", 2, {acct, zone}};
        return k;
    }
    if (load->n_ids > 0) {
        for (size_t i = 0; i < load->n_ids; i++) {
            store_array_add(&arr->ids, load->ids[i]);
        }
        const char *lit = store_array_done(&arr->ids);
        *ok = *ok && lit != NULL;
        stmts[k++] = (db_stmt_t){"records_around_ids", 3, {acct, zone, lit}};
    }
    if (load->interest != NULL && load->interest->at.n > 0) {
        for (size_t i = 0; i < load->interest->at.n; i++) {
            store_array_add(&arr->names, load->interest->at.v[i]);
        }
        const char *lit = store_array_done(&arr->names);
        *ok = *ok && lit != NULL;
        stmts[k++] = (db_stmt_t){"records_at_names", 3, {acct, zone, lit}};
    }
    if (load->interest != NULL && load->interest->pointing.n > 0) {
        for (size_t i = 0; i < load->interest->pointing.n; i++) {
            store_array_add(&arr->pointing, load->interest->pointing.v[i]);
        }
        const char *lit = store_array_done(&arr->pointing);
        *ok = *ok && lit != NULL;
        stmts[k++] = (db_stmt_t){"ns_pointing_at_any", 3, {acct, zone, lit}};
    }
    if (load->interest != NULL && load->interest->below.n > 0) {
        for (size_t i = 0; i < load->interest->below.n; i++) {
            store_array_add(&arr->below, load->interest->below.v[i]);
        }
        for (size_t i = 0; i < load->n_changed; i++) {
            store_array_add(&arr->changed, load->changed[i]);
        }
        const char *lit = store_array_done(&arr->below);
        const char *ids = store_array_done(&arr->changed);
        *ok = *ok && lit != NULL && ids != NULL;
        stmts[k++] = (db_stmt_t){"records_below_any", 4, {acct, zone, lit, ids}};
    }
    return k;
}

static void load_arrays_free(load_arrays_t *arr)
{
    store_array_free(&arr->ids);
    store_array_free(&arr->names);
    store_array_free(&arr->pointing);
    store_array_free(&arr->below);
    store_array_free(&arr->changed);
}

/* Decodes the records of res[from..n) into one array (malloc'd; rows
 * borrowed from res) and calls the caller. */
static void deliver_rows(store_tx_t *tx, PGresult **res, size_t from, size_t n,
                         store_tx_result_t *out)
{
    size_t total = 0;
    for (size_t i = from; i < n; i++) {
        total += (size_t)PQntuples(res[i]);
    }
    dns_record_t *rows = calloc(total + 1, sizeof(*rows));
    if (rows == NULL) {
        out->status = dnsapi_err_set(&out->err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        tx->cb(tx->ctx, tx, out);
        return;
    }
    size_t k = 0;
    for (size_t i = from; i < n; i++) {
        for (int row = 0; row < PQntuples(res[i]); row++) {
            store_record_decode(res[i], row, &rows[k++]);
        }
    }
    out->rows = rows;
    out->n_rows = k;
    tx->cb(tx->ctx, tx, out);
    free(rows);
}

static void on_change_opened(store_tx_t *tx, int status, PGresult **res, size_t n)
{
    store_tx_result_t out;
    if (!store_tx_opened(tx, status, res, n, &out)) {
        tx->cb(tx->ctx, tx, &out);
        return;
    }
    if (!store_results_ok(status, res, n, tx->first + 1, NULL, &out.err)) {
        out.status = out.err.status;
        tx->cb(tx->ctx, tx, &out);
        return;
    }
    const PGresult *zrow = res[tx->first];
    store_zone_t zone;
    if (PQntuples(zrow) == 1) {
        store_zone_decode(zrow, 0, &zone);
    }
    if (PQntuples(zrow) != 1 || !store_auth_allows(&tx->caller.auth, zone.name)) {
        out.status = dnsapi_err_set(&out.err, DNSAPI_ENOTFOUND, NULL, NULL,
                                    "zone '%.200s' not found", tx->zone_key);
        tx->cb(tx->ctx, tx, &out);
        return;
    }
    /* later statements address the zone by its id: one form for all */
    snprintf(tx->zone_key, sizeof(tx->zone_key), "%s", zone.id);
    out.zone = &zone;
    deliver_rows(tx, res, tx->first + 1, n, &out);
}

void store_tx_begin_change(db_pool_t *db, const store_auth_t *auth, const char *zone_key,
                           const store_idem_t *idem, bool dry_run, const store_load_t *load,
                           store_tx_cb cb, void *ctx)
{
    store_tx_t *tx = store_tx_new(db, auth, zone_key, idem, dry_run);
    if (tx == NULL) {
        abort();
    }
    tx->cb = cb;
    tx->ctx = ctx;
    db_stmt_t stmts[DB_MAX_STMTS];
    size_t k = store_tx_opening(tx, stmts, true);
    stmts[k++] = (db_stmt_t){"zone_lock", 2, {tx->caller.account_id, tx->zone_key}};
    load_arrays_t arr = {0};
    bool ok;
    k += load_stmts(tx, load, &arr, stmts + k, &ok);
    if (!ok) {
        abort(); /* out of memory building parameters */
    }
    store_tx_run(tx, stmts, k, on_change_opened);
    load_arrays_free(&arr);
}

static void on_loaded(store_tx_t *tx, int status, PGresult **res, size_t n)
{
    store_tx_result_t out;
    memset(&out, 0, sizeof(out));
    if (!store_results_ok(status, res, n, 0, NULL, &out.err)) {
        out.status = out.err.status;
        tx->cb(tx->ctx, tx, &out);
        return;
    }
    deliver_rows(tx, res, 0, n, &out);
}

void store_tx_load(store_tx_t *tx, const store_load_t *load, store_tx_cb cb, void *ctx)
{
    tx->cb = cb;
    tx->ctx = ctx;
    db_stmt_t stmts[DB_MAX_STMTS];
    load_arrays_t arr = {0};
    bool ok;
    size_t k = load_stmts(tx, load, &arr, stmts, &ok);
    if (!ok) {
        abort();
    }
    if (k == 0) {
        /* nothing to load: no round */
        store_tx_result_t out;
        memset(&out, 0, sizeof(out));
        cb(ctx, tx, &out);
        return;
    }
    store_tx_run(tx, stmts, k, on_loaded);
    load_arrays_free(&arr);
}

/* ---- writing a change -------------------------------------------------- */

/* Which statements a write round sent, to read its results back. */
typedef struct {
    bool apex, del, patch, post, single_post, sync;
} write_shape_t;

static void on_written(store_tx_t *tx, int status, PGresult **res, size_t n)
{
    write_shape_t *shape = tx->data;
    store_written_t out;
    memset(&out, 0, sizeof(out));
    size_t want =
        (size_t)shape->del + shape->patch + shape->post + 1 + 2 * shape->apex + shape->sync;
    if (!store_results_ok(status, res, n, want, "duplicate", &out.err)) {
        out.status = out.err.status;
        tx->open = false; /* an aborted transaction ends with the session */
        tx->written_cb(tx->ctx, tx, &out);
        return;
    }
    if (!tx->keyed) {
        tx->open = false; /* committed or rolled back by the round */
        tx->committed = !tx->dry_run;
    }
    size_t k = shape->apex; /* after dnsapi_apex_ns_begin */
    const char **deleted = NULL;
    dns_record_t *updated = NULL, *created = NULL;
    if (shape->del) {
        int m = PQntuples(res[k]);
        deleted = calloc((size_t)m + 1, sizeof(*deleted));
        for (int i = 0; deleted != NULL && i < m; i++) {
            deleted[i] = PQgetvalue(res[k], i, 0);
        }
        out.n_deleted = deleted != NULL ? (size_t)m : 0;
        k++;
    }
    if (shape->patch) {
        int m = PQntuples(res[k]);
        updated = calloc((size_t)m + 1, sizeof(*updated));
        for (int i = 0; updated != NULL && i < m; i++) {
            store_record_decode(res[k], i, &updated[i]);
        }
        out.n_updated = updated != NULL ? (size_t)m : 0;
        k++;
    }
    if (shape->post) {
        int m = PQntuples(res[k]);
        created = calloc((size_t)m + 1, sizeof(*created));
        for (int i = 0; created != NULL && i < m; i++) {
            store_record_decode(res[k], i, &created[i]);
        }
        out.n_created = created != NULL ? (size_t)m : 0;
        k++;
    }
    k += shape->apex + shape->sync; /* dnsapi_apex_ns_end, dnsapi_delegation_sync */
    if (PQntuples(res[k]) == 1) {
        out.serial = (uint32_t)strtoul(PQgetvalue(res[k], 0, 0), NULL, 10);
    }
    out.deleted = deleted;
    out.updated = updated;
    out.created = created;
    if ((shape->del && deleted == NULL) || (shape->patch && updated == NULL) ||
        (shape->post && created == NULL)) {
        out.status = dnsapi_err_set(&out.err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
    }
    tx->written_cb(tx->ctx, tx, &out);
    free(deleted);
    free(updated);
    free(created);
}

/* One record's fields, for the arrays of a batch write. */
static void array_add_ttl_prio(store_array_t *ttl, store_array_t *prio, const dns_record_t *r)
{
    store_array_add_int(ttl, r->ttl);
    if (r->priority >= 0) {
        store_array_add_int(prio, r->priority);
    } else {
        store_array_add(prio, NULL);
    }
}

void store_tx_write(store_tx_t *tx, const dns_change_t *c, store_written_cb cb, void *ctx)
{
    const char *acct = tx->caller.account_id, *zone = tx->zone_key;
    tx->written_cb = cb;
    tx->ctx = ctx;
    free(tx->data);
    write_shape_t *shape = tx->data = calloc(1, sizeof(*shape));
    if (shape == NULL) {
        abort();
    }
    enum {
        D_ID,
        P_ID,
        P_CONTENT,
        P_TTL,
        P_PRIO,
        P_DIS,
        P_COM,
        N_NAME,
        N_TYPE,
        N_CONTENT,
        N_TTL,
        N_PRIO,
        N_DIS,
        N_COM,
        APEX_NS,
        N_ARRAYS
    };
    store_array_t a[N_ARRAYS];
    memset(a, 0, sizeof(a));
    const dns_record_t *single = NULL;
    size_t n_posts = 0;
    for (size_t i = 0; i < c->n; i++) {
        const dns_op_t *op = &c->ops[i];
        const dns_record_t *r = &op->rec;
        if (op->kind == DNS_OP_DELETE) {
            store_array_add(&a[D_ID], op->old->id);
            shape->del = true;
        } else if (op->kind == DNS_OP_PATCH && !op->noop) {
            store_array_add(&a[P_ID], op->old->id);
            store_array_add(&a[P_CONTENT], r->content);
            array_add_ttl_prio(&a[P_TTL], &a[P_PRIO], r);
            store_array_add(&a[P_DIS], r->disabled ? "true" : "false");
            store_array_add(&a[P_COM], r->comment);
            shape->patch = true;
        } else if (op->kind == DNS_OP_POST) {
            store_array_add(&a[N_NAME], r->name);
            store_array_add(&a[N_TYPE], r->type);
            store_array_add(&a[N_CONTENT], r->content);
            array_add_ttl_prio(&a[N_TTL], &a[N_PRIO], r);
            store_array_add(&a[N_DIS], r->disabled ? "true" : "false");
            store_array_add(&a[N_COM], r->comment);
            single = r;
            n_posts++;
            shape->post = true;
        }
    }
    /* a name-server change: the names in order; the guard lets this
     * transaction write the zone's apex NS set (migrations/0030) */
    shape->apex = c->nameservers;
    /* the parent's delegation to this zone follows its name servers and
     * their glue (migrations/0040) */
    shape->sync = c->moves_delegation;
    for (size_t i = 0; i < c->n_apex_ns; i++) {
        store_array_add(&a[APEX_NS], c->apex_ns[i]);
    }
    const char *lit[N_ARRAYS];
    bool ok = true;
    for (int i = 0; i < N_ARRAYS; i++) {
        lit[i] = store_array_done(&a[i]);
        ok = ok && lit[i] != NULL;
    }
    if (!ok) {
        abort();
    }
    db_stmt_t stmts[10];
    size_t k = 0;
    char ttl[24], prio[24];
    if (shape->apex) {
        stmts[k++] = (db_stmt_t){"apex_ns_begin", 3, {acct, zone, lit[APEX_NS]}};
    }
    if (shape->del) {
        stmts[k++] = (db_stmt_t){"batch_delete", 3, {acct, zone, lit[D_ID]}};
    }
    if (shape->patch) {
        stmts[k++] = (db_stmt_t){"batch_update",
                                 8,
                                 {acct, zone, lit[P_ID], lit[P_CONTENT], lit[P_TTL], lit[P_PRIO],
                                  lit[P_DIS], lit[P_COM]}};
    }
    if (n_posts == 1) {
        /* the common single create: one row, no arrays to unpack */
        stmts[k++] = (db_stmt_t){"record_insert",
                                 9,
                                 {acct, zone, single->name, single->type, single->content,
                                  store_itoa(ttl, single->ttl),
                                  single->priority >= 0 ? store_itoa(prio, single->priority) : NULL,
                                  single->disabled ? "true" : "false", single->comment}};
    } else if (n_posts > 1) {
        stmts[k++] = (db_stmt_t){"batch_insert",
                                 9,
                                 {acct, zone, lit[N_NAME], lit[N_TYPE], lit[N_CONTENT], lit[N_TTL],
                                  lit[N_PRIO], lit[N_DIS], lit[N_COM]}};
    }
    if (shape->apex) {
        stmts[k++] = (db_stmt_t){"apex_ns_end", 0, {NULL}};
    }
    if (shape->sync) {
        stmts[k++] = (db_stmt_t){"delegation_sync", 2, {acct, zone}};
    }
    stmts[k++] = (db_stmt_t){"zone_serial", 2, {acct, zone}};
    if (tx->dry_run) {
        stmts[k++] = (db_stmt_t){"rollback", 0, {NULL}};
    } else if (!tx->keyed) {
        stmts[k++] = (db_stmt_t){"commit", 0, {NULL}};
    }
    store_tx_run(tx, stmts, k, on_written);
    for (int i = 0; i < N_ARRAYS; i++) {
        store_array_free(&a[i]);
    }
}

/* ---- finishing ----------------------------------------------------------- */

static void on_committed(store_tx_t *tx, int status, PGresult **res, size_t n)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = DNSAPI_OK;
    if (!store_results_ok(status, res, n, 2, NULL, &err)) {
        rc = err.status;
    }
    store_done_cb cb = tx->done_cb;
    void *ctx = tx->ctx;
    tx->open = false;
    store_tx_end(tx);
    cb(ctx, rc, &err);
}

void store_tx_commit(store_tx_t *tx, int status, const char *body, size_t len, store_done_cb cb,
                     void *ctx)
{
    if (!tx->keyed || !tx->open || tx->s == NULL) {
        store_tx_end(tx);
        cb(ctx, DNSAPI_OK, NULL);
        return;
    }
    tx->done_cb = cb;
    tx->ctx = ctx;
    /* the body as a parameter: NUL-terminated copy */
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        abort();
    }
    memcpy(copy, body, len);
    copy[len] = '\0';
    char st[24];
    db_stmt_t stmts[2] = {
        {"idem_store", 4, {tx->caller.account_id, tx->idem_key, store_itoa(st, status), copy}},
        {"commit", 0, {NULL}},
    };
    store_tx_run(tx, stmts, 2, on_committed);
    free(copy);
}
