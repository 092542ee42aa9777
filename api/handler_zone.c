/* Zones, health, readiness and metrics. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handler_common.h"
#include "api/idempotency.h"
#include "dns/dns.h"
#include "storage/migrate.h"

void handle_healthz(api_req_t *r)
{
    json_t *d = json_object();
    json_object_set_new(d, "status", json_string("ok"));
    reply_success(r, 200, d);
}

static void on_ready(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    bool ok = status == DNSAPI_OK && n == 2 && PQresultStatus(res[0]) == PGRES_TUPLES_OK &&
              PQresultStatus(res[1]) == PGRES_TUPLES_OK && PQntuples(res[1]) == 1 &&
              PQgetvalue(res[1], 0, 0)[0] == 't';
    db_session_end(s);
    if (!ok) {
        reply_fail(r, DNSAPI_EDB, NULL, NULL,
                   "the database is unreachable or not migrated; retry after Retry-After");
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "status", json_string("ready"));
    reply_success(r, 200, d);
}

void handle_readyz(api_req_t *r)
{
    const char *latest = NULL;
    for (size_t i = 0; db_migrations_embedded[i].name != NULL; i++) {
        latest = db_migrations_embedded[i].name;
    }
    db_stmt_t stmts[2] = {{"ping", 0, {NULL}}, {"schema_check", 1, {latest}}};
    api_db_run(r, stmts, 2, on_ready);
}

void handle_metrics(api_req_t *r)
{
    db_pool_stats_t st;
    db_pool_stats(r->thread->db, &st);
    api_thread_t *t = r->thread;
    char *buf = h2o_mem_alloc_pool(&r->req->pool, 2048);
    int len =
        snprintf(buf, 2048,
                 "# HELP dnsapi_http_requests_total Requests received by this event loop.\n"
                 "# TYPE dnsapi_http_requests_total counter\n"
                 "dnsapi_http_requests_total{loop=\"%d\"} %llu\n"
                 "# HELP dnsapi_http_connections Open client connections of this event loop.\n"
                 "# TYPE dnsapi_http_connections gauge\n"
                 "dnsapi_http_connections{loop=\"%d\"} %d\n"
                 "# HELP dnsapi_http_responses_total Responses sent by this event loop, by class.\n"
                 "# TYPE dnsapi_http_responses_total counter\n"
                 "dnsapi_http_responses_total{loop=\"%d\",class=\"2xx\"} %llu\n"
                 "dnsapi_http_responses_total{loop=\"%d\",class=\"4xx\"} %llu\n"
                 "dnsapi_http_responses_total{loop=\"%d\",class=\"5xx\"} %llu\n"
                 "# HELP dnsapi_db_connections Database connections of this loop's pool.\n"
                 "# TYPE dnsapi_db_connections gauge\n"
                 "dnsapi_db_connections{loop=\"%d\",state=\"ready\"} %zu\n"
                 "dnsapi_db_connections{loop=\"%d\",state=\"busy\"} %zu\n"
                 "# HELP dnsapi_db_queue Operations waiting for a database connection.\n"
                 "# TYPE dnsapi_db_queue gauge\n"
                 "dnsapi_db_queue{loop=\"%d\"} %zu\n"
                 "# HELP dnsapi_db_rounds_total Database round trips.\n"
                 "# TYPE dnsapi_db_rounds_total counter\n"
                 "dnsapi_db_rounds_total{loop=\"%d\"} %llu\n"
                 "dnsapi_db_errors_total{loop=\"%d\"} %llu\n",
                 t->index, t->requests, t->index, atomic_load(&t->connections), t->index,
                 t->responses_by_class[2], t->index, t->responses_by_class[4], t->index,
                 t->responses_by_class[5], t->index, st.ready, t->index, st.busy, t->index,
                 st.queued, t->index, st.rounds, t->index, st.errors);
    reply_text(r, 200, "text/plain; version=0.0.4", buf, (size_t)len);
}

/* ---- POST /v1/zones ---- */

static void on_zone_created(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    size_t at = r->idem_claimed ? 2 : 0; /* "begin" and the claim come first with a key */
    if (!api_round_ok(r, s, status, res, n, 3 + at, "zone_exists")) {
        return;
    }
    if (PQntuples(res[2 + at]) != 1) {
        db_session_end(s); /* rolls the claim back */
        reply_fail(r, DNSAPI_ECONFLICT, "zone_exists", NULL,
                   "'%s' lies inside or above a zone of another account; on shared name servers "
                   "it would take over that zone's names",
                   r->zone_name);
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Zone created successfully"));
    json_object_set_new(d, "zone", view_zone(res[2 + at], 0));
    if (at) {
        idem_commit_reply(r, s, 201, d);
        return;
    }
    db_session_end(s);
    reply_success(r, 201, d);
}

void handle_zone_create(api_req_t *r)
{
    static const char *const allowed[] = {"name", NULL};
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const char *name = NULL;
    if (view_body_check_fields(r->body, allowed, NULL, &err) != DNSAPI_OK ||
        view_body_string(r->body, "name", true, false, &name, &err) < 0 ||
        dns_zone_name_normalize(name, r->zone_name, sizeof(r->zone_name), &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return;
    }
    if (!auth_token_allows_zone(&r->token, r->zone_name)) {
        reply_fail(r, DNSAPI_EFORBIDDEN, NULL, NULL,
                   "this token is limited to some zones and may not create '%s'", r->zone_name);
        return;
    }
    const dnsapi_config_t *cfg = r->thread->cfg;
    const char *ns = api_pg_name_array(r, (const char(*)[256])cfg->nameservers, cfg->n_nameservers);
    db_stmt_t stmts[5];
    size_t k = 0;
    db_stmt_t claim;
    bool keyed = idem_claim_stmt(r, &claim);
    if (keyed) {
        /* the claim first: a request with the same key running at the same
         * time waits for this one, then fails on the key, not on the zone */
        stmts[k++] = (db_stmt_t){"begin", 0, {NULL}};
        stmts[k++] = claim;
    }
    stmts[k++] = api_stmt_token_check(r);
    stmts[k++] = (db_stmt_t){"zone_tree_lock", 0, {NULL}};
    stmts[k++] =
        (db_stmt_t){"zone_create", 4, {r->token.account_id, r->zone_name, ns, cfg->hostmaster}};
    api_db_run(r, stmts, k, on_zone_created);
}

/* ---- GET /v1/zones ---- */

typedef struct {
    view_paging_t paging;
} zone_list_state_t;

static void on_zone_list(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 2, NULL)) {
        return;
    }
    db_session_end(s);
    zone_list_state_t *st = r->state;
    PGresult *rows = res[1];
    int count = PQntuples(rows);
    bool has_more = count > st->paging.limit;
    if (has_more) {
        count = (int)st->paging.limit;
    }
    json_t *zones = json_array();
    for (int i = 0; i < count; i++) {
        json_array_append_new(zones, view_zone(rows, i));
    }
    long long total = count > 0 ? strtoll(PQgetvalue(rows, 0, 9), NULL, 10) : 0;
    if (count == 0 && st->paging.offset == 0 && !st->paging.has_cursor) {
        total = 0;
    }
    char *cursor = NULL;
    if (has_more) {
        const char *f[1] = {PQgetvalue(rows, count - 1, 1)};
        cursor = view_cursor_encode(f, 1);
    }
    json_t *d = json_object();
    json_object_set_new(d, "zones", zones);
    if (st->paging.has_cursor) {
        total = -1; /* unknown after a cursor: the window counts what follows */
    }
    json_object_set_new(d, "pagination",
                        view_pagination(total >= 0 ? total : count, st->paging.offset,
                                        st->paging.limit, count, has_more, cursor));
    free(cursor);
    reply_success(r, 200, d);
}

void handle_zone_list(api_req_t *r)
{
    zone_list_state_t *st = h2o_mem_alloc_pool(&r->req->pool, sizeof(*st));
    r->state = st;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (view_paging_parse(r, &st->paging, 1, &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return;
    }
    const char *name = api_query_get(r, "name");
    if (name != NULL && (*name == '\0' || strlen(name) > 253)) {
        name = NULL;
    }
    const char *limit_zones =
        r->token.n_zones > 0
            ? api_pg_name_array(r, (const char(*)[256])r->token.zones, r->token.n_zones)
            : NULL;
    db_stmt_t stmts[2] = {
        api_stmt_token_check(r),
        {"zone_list",
         6,
         {r->token.account_id, name, limit_zones, api_itoa(r, st->paging.limit + 1),
          api_itoa(r, st->paging.offset), st->paging.has_cursor ? st->paging.cursor[0] : NULL}},
    };
    api_db_run(r, stmts, 2, on_zone_list);
}

/* ---- GET /v1/zones/{zone} ---- */

static void on_zone_get(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 2, NULL)) {
        return;
    }
    db_session_end(s);
    if (PQntuples(res[1]) != 1 || !auth_token_allows_zone(&r->token, PQgetvalue(res[1], 0, 1))) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found", r->zone_key);
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "zone", view_zone(res[1], 0));
    reply_success(r, 200, d);
}

void handle_zone_get(api_req_t *r)
{
    db_stmt_t stmts[2] = {api_stmt_token_check(r),
                          {"zone_get", 2, {r->token.account_id, r->zone_key}}};
    api_db_run(r, stmts, 2, on_zone_get);
}

/* ---- DELETE /v1/zones/{zone} ---- */

static void on_zone_deleted(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 2, NULL)) {
        return;
    }
    db_session_end(s);
    if (PQntuples(res[1]) != 1) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found", r->zone_key);
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Zone deleted successfully"));
    reply_success(r, 200, d);
}

static void zone_delete_resolved(api_req_t *r)
{
    db_stmt_t stmts[2] = {api_stmt_token_check(r),
                          {"zone_delete", 2, {r->token.account_id, r->zone_key}}};
    api_db_run(r, stmts, 2, on_zone_deleted);
}

void handle_zone_delete(api_req_t *r)
{
    /* A zone-limited token must not delete an id-keyed zone it cannot see. */
    if (r->token.n_zones > 0) {
        api_zone_resolve(r, zone_delete_resolved);
    } else {
        zone_delete_resolved(r);
    }
}

/* ---- GET /v1/zones/{zone}/export ---- */

static void on_zone_export(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 3, NULL)) {
        return;
    }
    db_session_end(s);
    if (PQntuples(res[1]) != 1 || !auth_token_allows_zone(&r->token, PQgetvalue(res[1], 0, 1))) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found", r->zone_key);
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (fp == NULL) {
        reply_fail(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    const char *zone = PQgetvalue(res[1], 0, 1);
    uint32_t serial = (uint32_t)strtoul(PQgetvalue(res[1], 0, 2), NULL, 10);
    int rc = dns_render_header(fp, zone, serial);
    PGresult *rows = res[2];
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    for (int i = 0; rc == DNSAPI_OK && i < PQntuples(rows); i++) {
        int prio = PQgetisnull(rows, i, 3) ? -1 : atoi(PQgetvalue(rows, i, 3));
        rc = dns_render_record(fp, PQgetvalue(rows, i, 0), PQgetvalue(rows, i, 1),
                               (uint32_t)strtoul(PQgetvalue(rows, i, 2), NULL, 10), prio,
                               PQgetvalue(rows, i, 4), &err);
    }
    fclose(fp);
    if (rc != DNSAPI_OK) {
        free(buf);
        reply_fail(r, DNSAPI_EINTERNAL, "render_failed", NULL, "the zone could not be rendered: %s",
                   err.message);
        return;
    }
    reply_text(r, 200, "text/dns", buf, len);
    free(buf);
}

void handle_zone_export(api_req_t *r)
{
    db_stmt_t stmts[3] = {api_stmt_token_check(r),
                          {"zone_get", 2, {r->token.account_id, r->zone_key}},
                          {"zone_export", 2, {r->token.account_id, r->zone_key}}};
    api_db_run(r, stmts, 3, on_zone_export);
}

/* ---- GET /v1/zones/{zone}/changes ---- */

static json_t *json_or_null(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col)) {
        return json_null();
    }
    json_t *v = json_loadb(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col), 0, NULL);
    return v != NULL ? v : json_null();
}

static void on_changes(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    view_paging_t *pg = r->state;
    if (!api_round_ok(r, s, status, res, n, 4, NULL)) {
        return;
    }
    db_session_end(s);
    if (PQntuples(res[1]) != 1 || !auth_token_allows_zone(&r->token, PQgetvalue(res[1], 0, 1))) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found", r->zone_key);
        return;
    }
    PGresult *rows = res[2];
    int count = PQntuples(rows);
    bool has_more = count > pg->limit;
    if (has_more) {
        count = (int)pg->limit;
    }
    json_t *arr = json_array();
    for (int i = 0; i < count; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "id", json_string(PQgetvalue(rows, i, 0)));
        json_object_set_new(c, "serial", view_int_or_null(rows, i, 1));
        json_object_set_new(c, "action", json_string(PQgetvalue(rows, i, 2)));
        json_object_set_new(c, "record_id", json_string(PQgetvalue(rows, i, 3)));
        json_object_set_new(c, "name", json_string(PQgetvalue(rows, i, 4)));
        json_object_set_new(c, "type", json_string(PQgetvalue(rows, i, 5)));
        json_object_set_new(c, "before", json_or_null(rows, i, 6));
        json_object_set_new(c, "after", json_or_null(rows, i, 7));
        json_object_set_new(c, "token_id",
                            PQgetisnull(rows, i, 8) ? json_null()
                                                    : json_string(PQgetvalue(rows, i, 8)));
        json_object_set_new(c, "created_at", json_string(PQgetvalue(rows, i, 9)));
        json_array_append_new(arr, c);
    }
    char *cursor = NULL;
    if (has_more) {
        const char *f[1] = {PQgetvalue(rows, count - 1, 0)};
        cursor = view_cursor_encode(f, 1);
    }
    long long total = strtoll(PQgetvalue(res[3], 0, 0), NULL, 10);
    json_t *d = json_object();
    json_object_set_new(d, "changes", arr);
    json_object_set_new(d, "pagination",
                        view_pagination(total, pg->offset, pg->limit, count, has_more, cursor));
    free(cursor);
    reply_success(r, 200, d);
}

void handle_zone_changes(api_req_t *r)
{
    view_paging_t *pg = h2o_mem_alloc_pool(&r->req->pool, sizeof(*pg));
    memset(pg, 0, sizeof(*pg));
    r->state = pg; /* pool memory: no state_free */
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (view_paging_parse(r, pg, 1, &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return;
    }
    const char *after = NULL;
    if (pg->has_cursor) {
        char *end = NULL;
        long long id = strtoll(pg->cursor[0], &end, 10);
        if (end == pg->cursor[0] || *end != '\0' || id < 0) {
            reply_fail(r, DNSAPI_EINVAL, "bad_cursor", "cursor",
                       "the cursor is not one this server gave out; start again without it");
            return;
        }
        after = pg->cursor[0];
    }
    const char *acct = r->token.account_id;
    db_stmt_t stmts[4] = {
        api_stmt_token_check(r),
        {"zone_get", 2, {acct, r->zone_key}},
        {"changes_page",
         5,
         {acct, r->zone_key, api_itoa(r, pg->limit + 1), api_itoa(r, pg->offset), after}},
        {"changes_count", 2, {acct, r->zone_key}},
    };
    api_db_run(r, stmts, 4, on_changes);
}
