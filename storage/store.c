/*
 * store.c - error mapping, row decoding and array literals shared by the
 * store modules.
 */
#include "storage/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/strbuf.h"

void store_caller_init(store_caller_t *c, const store_auth_t *auth)
{
    snprintf(c->token_id, sizeof(c->token_id), "%s", auth->token_id ? auth->token_id : "");
    snprintf(c->account_id, sizeof(c->account_id), "%s", auth->account_id);
    snprintf(c->tsig_key_id, sizeof(c->tsig_key_id), "%s",
             auth->tsig_key_id ? auth->tsig_key_id : "");
    c->auth = *auth;
    c->auth.token_id = auth->token_id != NULL ? c->token_id : NULL;
    c->auth.account_id = c->account_id;
    c->auth.tsig_key_id = auth->tsig_key_id != NULL ? c->tsig_key_id : NULL;
}

bool store_auth_allows(const store_auth_t *auth, const char *zone)
{
    if (auth->n_zones == 0) {
        return true;
    }
    for (size_t i = 0; i < auth->n_zones; i++) {
        if (strcasecmp(auth->zones[i], zone) == 0) {
            return true;
        }
    }
    return false;
}

int store_error(int status, const PGresult *res, const char *conflict_code, dnsapi_err_t *err)
{
    if (status == DNSAPI_EBUSY) {
        return dnsapi_err_set(err, DNSAPI_EBUSY, NULL, NULL,
                              "the server is busy; retry after the time in Retry-After");
    }
    if (status != DNSAPI_OK || res == NULL) {
        return dnsapi_err_set(err, DNSAPI_EDB, NULL, NULL,
                              "the database is unavailable; retry after the time in Retry-After");
    }
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    if (state == NULL) {
        state = "";
    }
    if (strcmp(state, "23505") == 0 && constraint != NULL &&
        strcmp(constraint, "idempotency_keys_pkey") == 0) {
        return dnsapi_err_set(err, DNSAPI_ECONFLICT, "idempotency_key_in_use", NULL,
                              "another request with this Idempotency-Key was applied first; "
                              "retry to get its answer");
    }
    if (strcmp(state, "23505") == 0) {
        bool zone = conflict_code != NULL && strcmp(conflict_code, "zone_exists") == 0;
        return dnsapi_err_set(
            err, DNSAPI_ECONFLICT, conflict_code != NULL ? conflict_code : "duplicate", NULL, "%s",
            zone ? "a zone of that name already exists" : "an identical record already exists");
    }
    if (strcmp(state, "DA001") == 0) {
        return dnsapi_err_set(err, DNSAPI_ESYSTEM, "system_record", NULL,
                              "the SOA, the apex NS set and the delegations to linked child zones "
                              "are system records managed by dnsapi and cannot be created, "
                              "changed or deleted; NS records for other subdomains are allowed");
    }
    if (strcmp(state, "DA004") == 0) {
        const char *why = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        return dnsapi_err_set(err, DNSAPI_ECONFLICT, "cname_conflict", NULL,
                              "%.300s: a CNAME must be alone at its name; delete the CNAME there, "
                              "or create the child zone with \"delegate\": false",
                              why != NULL ? why
                                          : "a CNAME where a linked child zone's delegation "
                                            "goes");
    }
    if (strcmp(state, "DA003") == 0) {
        /* migrations/0040: a linked child zone's delegation outside the
         * credential's zones */
        const char *why = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        return dnsapi_err_set(err, DNSAPI_EFORBIDDEN, NULL, NULL,
                              "%.300s: this credential is limited to some zones; create the child "
                              "zone with \"delegate\": false, or use a credential that may write "
                              "its parent zone too",
                              why != NULL ? why : "a linked child zone's delegation");
    }
    if (strcmp(state, "DA002") == 0) {
        return dnsapi_err_set(err, DNSAPI_EAUTH, "invalid_token", NULL,
                              "the bearer token has been revoked or has expired; mint a new one");
    }
    if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0) {
        /* data or constraint errors the rules should have caught */
        LOG_EVENT(LOG_LEVEL_WARN, "the database refused a value (SQLSTATE %s)", state);
        return dnsapi_err_set(err, DNSAPI_EINVAL, "invalid", NULL,
                              "the database refused the value");
    }
    LOG_EVENT(LOG_LEVEL_ERROR, "a statement failed (SQLSTATE %s): %s", state,
              PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) != NULL
                  ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                  : "");
    return dnsapi_err_set(err, DNSAPI_EDB, NULL, NULL,
                          "the database could not complete the request; retry after the time in "
                          "Retry-After");
}

bool store_results_ok(int status, PGresult **res, size_t n, size_t want, const char *conflict_code,
                      dnsapi_err_t *err)
{
    if (status != DNSAPI_OK || res == NULL || n < want) {
        store_error(status != DNSAPI_OK ? status : DNSAPI_EDB, NULL, NULL, err);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        ExecStatusType st = PQresultStatus(res[i]);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            /* the first failed statement says why; later ones were aborted */
            store_error(DNSAPI_OK, res[i], conflict_code, err);
            return false;
        }
    }
    return true;
}

static const char *col(const PGresult *res, int row, int c)
{
    return PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c);
}

/* record columns: 0 id, 1 name, 2 type, 3 content (as shown), 4 ttl,
 * 5 priority, 6 disabled, 7 system, 8 comment, 9 created_at, 10 updated_at,
 * 13 managed_by */
void store_record_decode(const PGresult *res, int row, dns_record_t *out)
{
    memset(out, 0, sizeof(*out));
    out->id = col(res, row, 0);
    out->name = PQgetvalue(res, row, 1);
    out->type = PQgetvalue(res, row, 2);
    out->content = PQgetvalue(res, row, 3);
    out->ttl = (uint32_t)strtoul(PQgetvalue(res, row, 4), NULL, 10);
    out->priority = PQgetisnull(res, row, 5) ? -1 : atoi(PQgetvalue(res, row, 5));
    out->disabled = PQgetvalue(res, row, 6)[0] == 't';
    out->system = PQgetvalue(res, row, 7)[0] == 't';
    out->comment = col(res, row, 8);
    out->created_at = col(res, row, 9);
    out->updated_at = col(res, row, 10);
    out->managed_by = col(res, row, 13);
}

/* zone columns: 0 id, 1 name, 2 serial, 3 published_serial, 4 nameservers
 * (JSON), 5 created_at, 6 updated_at, 7 record_count, 8 last_error */
void store_zone_decode(const PGresult *res, int row, store_zone_t *out)
{
    memset(out, 0, sizeof(*out));
    out->id = PQgetvalue(res, row, 0);
    out->name = PQgetvalue(res, row, 1);
    out->serial = (uint32_t)strtoul(PQgetvalue(res, row, 2), NULL, 10);
    out->has_published = !PQgetisnull(res, row, 3);
    out->published_serial =
        out->has_published ? (uint32_t)strtoul(PQgetvalue(res, row, 3), NULL, 10) : 0;
    out->nameservers_json = PQgetvalue(res, row, 4);
    out->created_at = PQgetvalue(res, row, 5);
    out->updated_at = PQgetvalue(res, row, 6);
    out->record_count = strtoll(PQgetvalue(res, row, 7), NULL, 10);
    out->last_error = col(res, row, 8);
}

/* token columns: 0 id, 1 name, 2 scopes, 3 zones (JSON or NULL),
 * 4 expires_at, 5 created_at, 6 revoked_at, 7 expires_at as epoch */
void store_token_decode(const PGresult *res, int row, store_token_t *out)
{
    memset(out, 0, sizeof(*out));
    out->id = PQgetvalue(res, row, 0);
    out->name = PQgetvalue(res, row, 1);
    out->scopes = PQgetvalue(res, row, 2);
    out->zones_json = col(res, row, 3);
    out->expires_at = PQgetvalue(res, row, 4);
    out->created_at = PQgetvalue(res, row, 5);
    out->revoked_at = col(res, row, 6);
    out->expires_epoch = strtoll(PQgetvalue(res, row, 7), NULL, 10);
    out->policies_json = col(res, row, 8);
}

/* ---- array literals --------------------------------------------------- */

static void arr_put(store_array_t *a, const char *s, size_t n)
{
    if (a->failed) {
        return;
    }
    strbuf_t b = {a->p, a->len, a->cap, false};
    if (strbuf_add(&b, s, n) != DNSAPI_OK) {
        a->failed = true;
        return;
    }
    a->p = b.p;
    a->len = b.len;
    a->cap = b.cap;
}

void store_array_add(store_array_t *a, const char *elem)
{
    arr_put(a, a->n == 0 ? "{" : ",", 1);
    a->n++;
    if (elem == NULL) {
        arr_put(a, "NULL", 4);
        return;
    }
    /* every element quoted, with '"' and '\' escaped: any text is safe */
    arr_put(a, "\"", 1);
    for (const char *q = elem; *q != '\0'; q++) {
        size_t run = strcspn(q, "\"\\");
        arr_put(a, q, run);
        q += run;
        if (*q == '\0') {
            break;
        }
        arr_put(a, "\\", 1);
        arr_put(a, q, 1);
    }
    arr_put(a, "\"", 1);
}

void store_array_add_int(store_array_t *a, long long v)
{
    char buf[24];
    store_array_add(a, store_itoa(buf, v));
}

const char *store_array_done(store_array_t *a)
{
    arr_put(a, a->n == 0 ? "{}" : "}", a->n == 0 ? 2 : 1);
    return a->failed ? NULL : a->p;
}

void store_array_free(store_array_t *a)
{
    free(a->p);
    memset(a, 0, sizeof(*a));
}

db_stmt_t store_stmt_token_check(const store_auth_t *auth)
{
    if (auth->tsig_key_id != NULL) {
        return (db_stmt_t){"tsig_key_check", 1, {auth->tsig_key_id}};
    }
    if (auth->operator_cli) {
        return (db_stmt_t){"operator_check", 0, {NULL}};
    }
    return (db_stmt_t){"token_check", 1, {auth->token_id}};
}

const char *store_itoa(char *buf, long long v)
{
    snprintf(buf, 24, "%lld", v);
    return buf;
}

typedef struct {
    store_round_fn fn;
    void *data;
} run_t;

static void on_run(db_session_t *s, void *arg, int status, PGresult **res, size_t n)
{
    run_t *run = arg;
    run->fn(run->data, status, res, n);
    db_session_end(s);
    free(run->data);
    free(run);
}

void store_run(db_pool_t *db, const db_stmt_t *stmts, size_t n, store_round_fn fn, void *data)
{
    run_t *run = malloc(sizeof(*run));
    if (run == NULL) {
        abort();
    }
    run->fn = fn;
    run->data = data;
    db_pool_run(db, stmts, n, on_run, run);
}
