/* Records: create, list, get, patch, delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handler_common.h"
#include "api/idempotency.h"
#include "api/record_prep.h"
#include "dns/dns.h"
#include "storage/statements.h"

#define MAX_RULE_RRS 512

typedef struct {
    rec_t rec; /* the record as it will be written, and the request's fields */
    /* rule lookups */
    char target[DNS_NAME_BUFSIZE];
    bool target_in_zone;
    char ancestors[MAX_ANCESTORS][DNS_NAME_BUFSIZE];
    size_t n_ancestors;
    int at_name_idx, target_idx, pointing_idx, deleg_idx;
    /* from the first round of a patch */
    PGresult *beside;
    dns_warning_t warnings[4];
    size_t n_warnings;
    view_paging_t paging;
} rec_state_t;

static void rec_state_free(void *p)
{
    rec_state_t *st = p;
    if (st != NULL) {
        PQclear(st->beside);
        free(st);
    }
}

static rec_state_t *rec_state(api_req_t *r)
{
    rec_state_t *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        abort();
    }
    rec_init(&st->rec);
    r->state = st;
    r->state_free = rec_state_free;
    return st;
}

/* Prepares the rule lookups for st's record; adds statements to stmts. */
static size_t add_rule_lookups(api_req_t *r, rec_state_t *st, db_stmt_t *stmts, size_t k,
                               bool at_name)
{
    const char *acct = r->token.account_id;
    st->at_name_idx = st->target_idx = st->pointing_idx = st->deleg_idx = -1;
    if (at_name) {
        st->at_name_idx = (int)k;
        stmts[k++] = (db_stmt_t){"records_at_name", 3, {acct, r->zone_key, st->rec.name}};
    }
    st->target_in_zone =
        dns_rdata_target(st->rec.type, st->rec.content, st->target, sizeof(st->target)) &&
        dns_name_is_at_or_below(st->target, r->zone_name);
    if (st->target_in_zone) {
        st->target_idx = (int)k;
        stmts[k++] = (db_stmt_t){"records_at_name", 3, {acct, r->zone_key, st->target}};
    }
    if (strcmp(st->rec.type, "CNAME") == 0) {
        st->pointing_idx = (int)k;
        stmts[k++] = (db_stmt_t){"ns_pointing_at", 3, {acct, r->zone_key, st->rec.name}};
    }
    st->n_ancestors = dns_name_ancestors(r->zone_name, st->rec.name, st->ancestors, MAX_ANCESTORS);
    if (st->n_ancestors > 0) {
        st->deleg_idx = (int)k;
        stmts[k++] =
            (db_stmt_t){"delegation_above",
                        3,
                        {acct, r->zone_key,
                         api_pg_name_array(r, (const char(*)[256])st->ancestors, st->n_ancestors)}};
    }
    return k;
}

/* Applies the zone rules to st's record given the lookups in res; fills
 * warnings. skip_id is the record being replaced (patch). */
static int check_rules(api_req_t *r, rec_state_t *st, PGresult **res, const PGresult *at_name,
                       const char *skip_id, dnsapi_err_t *err)
{
    static __thread dns_rr_t rrs[MAX_RULE_RRS], trs[MAX_RULE_RRS];
    dns_rr_t rr = {st->rec.name, st->rec.type, st->rec.content, (uint32_t)st->rec.ttl,
                   st->rec.priority};
    size_t n = rec_rrs_from(at_name, rrs, MAX_RULE_RRS, skip_id);
    int rc = dns_rules_check_rrset(r->zone_name, &rr, rrs, n, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    size_t nt = 0;
    if (st->target_idx >= 0) {
        nt = rec_rrs_from(res[st->target_idx], trs, MAX_RULE_RRS, NULL);
        if ((rc = dns_rules_check_ns_target(r->zone_name, &rr, trs, nt, err)) != DNSAPI_OK) {
            return rc;
        }
    }
    if (st->pointing_idx >= 0) {
        size_t np = rec_rrs_from(res[st->pointing_idx], trs, MAX_RULE_RRS, NULL);
        if ((rc = dns_rules_check_ns_target(r->zone_name, &rr, trs, np, err)) != DNSAPI_OK) {
            return rc;
        }
        nt = 0;
    }
    if (st->target_idx >= 0) {
        nt = rec_rrs_from(res[st->target_idx], trs, MAX_RULE_RRS, NULL);
    }
    size_t ns_count = 1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rrs[i].type, "NS") == 0) {
            ns_count++;
        }
    }
    const char *deleg = NULL;
    if (st->deleg_idx >= 0 && PQntuples(res[st->deleg_idx]) > 0) {
        deleg = PQgetvalue(res[st->deleg_idx], 0, 0);
    }
    if (!st->rec.disabled) {
        st->n_warnings =
            dns_rules_warnings(r->zone_name, &rr, trs, nt, ns_count, deleg, st->warnings, 4);
    }
    return DNSAPI_OK;
}

/* ---- POST /v1/zones/{zone}/records ---- */

static void on_record_inserted(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    rec_state_t *st = r->state;
    if (!api_round_ok(r, s, status, res, n, 3, "duplicate")) {
        return;
    }
    db_session_end(s);
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Record created successfully"));
    json_object_set_new(d, "record", view_record(res[0], 0));
    json_object_set_new(d, "serial", view_int_or_null(res[1], 0, 0));
    rec_warnings_add(d, st->warnings, st->n_warnings);
    reply_success(r, 201, d);
}

static void on_create_looked_up(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    rec_state_t *st = r->state;
    if (!api_round_ok(r, s, status, res, n, 4, NULL)) {
        return;
    }
    if (PQntuples(res[2]) != 1) {
        db_session_end(s);
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found", r->zone_key);
        return;
    }
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (check_rules(r, st, res, res[st->at_name_idx], NULL, &err) != DNSAPI_OK) {
        db_session_end(s);
        reply_error(r, &err);
        return;
    }
    const char *acct = r->token.account_id;
    db_stmt_t stmts[3] = {
        {"record_insert",
         9,
         {acct, r->zone_key, st->rec.name, st->rec.type, st->rec.content, api_itoa(r, st->rec.ttl),
          st->rec.priority >= 0 ? api_itoa(r, st->rec.priority) : NULL,
          st->rec.disabled ? "true" : "false", st->rec.comment}},
        {"zone_serial", 2, {acct, r->zone_key}},
        {"commit", 0, {NULL}},
    };
    api_db_next(r, s, stmts, 3, on_record_inserted);
}

static void record_create_resolved(api_req_t *r)
{
    rec_state_t *st = r->state;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (rec_post_prepare(r, r->body, &st->rec, &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return;
    }
    db_stmt_t stmts[DB_MAX_STMTS];
    size_t k = 0;
    stmts[k++] = (db_stmt_t){"begin", 0, {NULL}};
    stmts[k++] = api_stmt_token_check(r);
    stmts[k++] = (db_stmt_t){"zone_lock", 2, {r->token.account_id, r->zone_key}};
    if (idem_claim_stmt(r, &stmts[k])) {
        /* in the write's transaction, before anything that a request with
         * the same key running at the same time would trip over */
        k++;
    }
    k = add_rule_lookups(r, st, stmts, k, true);
    api_db_run(r, stmts, k, on_create_looked_up);
}

void handle_record_create(api_req_t *r)
{
    static const char *const allowed[] = {"name",     "type",     "content", "ttl",
                                          "priority", "disabled", "comment", NULL};
    rec_state_t *st = rec_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (view_body_check_fields(r->body, allowed, NULL, &err) != DNSAPI_OK ||
        rec_fields_parse(r->body, &st->rec, &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return;
    }
    api_zone_resolve(r, record_create_resolved);
}

/* ---- GET /v1/zones/{zone}/records ---- */

static void on_record_list(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    rec_state_t *st = r->state;
    if (!api_round_ok(r, s, status, res, n, 1, NULL)) {
        return;
    }
    db_session_end(s);
    PGresult *rows = res[0];
    if (PQntuples(rows) < 1 || !auth_token_allows_zone(&r->token, PQgetvalue(rows, 0, 13))) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found", r->zone_key);
        return;
    }
    /* one row with a NULL id: the zone has no record on this page */
    int count = PQgetisnull(rows, 0, 0) ? 0 : PQntuples(rows);
    bool has_more = count > st->paging.limit;
    if (has_more) {
        count = (int)st->paging.limit;
    }
    long long total = strtoll(PQgetvalue(rows, 0, 14), NULL, 10);
    char *cursor = NULL;
    if (has_more) {
        const char *f[4] = {PQgetvalue(rows, count - 1, 11), PQgetvalue(rows, count - 1, 2),
                            PQgetvalue(rows, count - 1, 12), PQgetvalue(rows, count - 1, 0)};
        cursor = view_cursor_encode(f, 4);
    }
    json_t *pagination =
        view_pagination(total, st->paging.offset, st->paging.limit, count, has_more, cursor);
    free(cursor);
    char *ptext = json_dumps(pagination, JSON_COMPACT);
    json_decref(pagination);
    view_buf_t b = {0};
    view_buf_add(&b, "{\"records\":", 11);
    view_records_write(&b, rows, count);
    view_buf_add(&b, ",\"pagination\":", 14);
    if (ptext != NULL) {
        view_buf_add(&b, ptext, strlen(ptext));
    }
    view_buf_add(&b, "}", 1);
    bool failed = b.failed || ptext == NULL;
    free(ptext);
    if (failed) {
        free(b.p);
        reply_fail(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    reply_success_raw(r, 200, b.p, b.len);
    free(b.p);
}

/* The zone of a one-statement read: $3 its name, $4 its id. */
static void read_zone_params(api_req_t *r, db_stmt_t *st)
{
    st->params[0] = r->token.token_id;
    st->params[1] = r->token.account_id;
    st->params[2] = r->zone_key_is_id ? NULL : r->zone_key;
    st->params[3] = r->zone_key_is_id ? r->zone_key : NULL;
}

static void record_list_resolved(api_req_t *r)
{
    rec_state_t *st = r->state;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const char *name = api_query_get(r, "name");
    const char *type = api_query_get(r, "type");
    const char *content = api_query_get(r, "content");
    const char *qname = NULL, *qtype = NULL;
    unsigned shape = 0;
    if (name != NULL && *name != '\0') {
        if (dns_name_normalize(r->zone_name, name, st->rec.name, sizeof(st->rec.name), &err) !=
            DNSAPI_OK) {
            reply_error(r, &err);
            return;
        }
        qname = st->rec.name;
        shape |= DB_PAGE_NAME;
    }
    if (type != NULL && *type != '\0') {
        if (dns_type_normalize(type, st->rec.type, sizeof(st->rec.type), &err) != DNSAPI_OK) {
            reply_error(r, &err);
            return;
        }
        qtype = st->rec.type;
        shape |= DB_PAGE_TYPE;
    }
    if (content != NULL && *content != '\0') {
        shape |= DB_PAGE_CONTENT;
    } else {
        content = NULL;
    }
    db_stmt_t stmt = {db_record_page_stmt(shape), 13, {NULL}}; /* unused ones stay NULL */
    read_zone_params(r, &stmt);
    stmt.params[4] = qname;
    stmt.params[5] = qtype;
    stmt.params[6] = content;
    stmt.params[7] = api_itoa(r, st->paging.limit + 1);
    stmt.params[8] = api_itoa(r, st->paging.offset);
    if (st->paging.has_cursor) {
        stmt.name = db_record_page_stmt(shape | DB_PAGE_AFTER);
        for (int i = 0; i < 3; i++) {
            stmt.params[9 + i] = st->paging.cursor[i];
        }
        stmt.params[12] = api_is_uuid(st->paging.cursor[3])
                              ? st->paging.cursor[3]
                              : "00000000-0000-0000-0000-000000000000";
    }
    api_db_run(r, &stmt, 1, on_record_list);
}

void handle_record_list(api_req_t *r)
{
    rec_state_t *st = rec_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (view_paging_parse(r, &st->paging, 4, &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return;
    }
    const char *name = api_query_get(r, "name");
    if (r->zone_key_is_id && name != NULL && *name != '\0') {
        api_zone_resolve(r, record_list_resolved);
    } else {
        if (r->zone_name[0] == '\0') {
            /* id-keyed without a name filter: names are not needed */
            snprintf(r->zone_name, sizeof(r->zone_name), ".");
        }
        record_list_resolved(r);
    }
}

/* ---- GET /v1/zones/{zone}/records/{id} ---- */

static void on_record_get(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 1, NULL)) {
        return;
    }
    db_session_end(s);
    PGresult *row = res[0];
    if (PQntuples(row) != 1 || PQgetisnull(row, 0, 0) ||
        !auth_token_allows_zone(&r->token, PQgetvalue(row, 0, 13))) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "record '%s' not found in zone '%s'",
                   r->record_id, r->zone_key);
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "record", view_record(row, 0));
    reply_success(r, 200, d);
}

static bool record_id_ok(api_req_t *r)
{
    if (!api_is_uuid(r->record_id)) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "record '%.64s' not found", r->record_id);
        return false;
    }
    return true;
}

void handle_record_get(api_req_t *r)
{
    if (!record_id_ok(r)) {
        return;
    }
    db_stmt_t stmt = {"record_one", 5, {NULL}};
    read_zone_params(r, &stmt);
    stmt.params[4] = r->record_id;
    api_db_run(r, &stmt, 1, on_record_get);
}

/* ---- DELETE /v1/zones/{zone}/records/{id} ---- */

static void on_record_deleted(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 3, NULL)) {
        return;
    }
    db_session_end(s);
    if (PQntuples(res[1]) != 1) {
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "record '%s' not found in zone '%s'",
                   r->record_id, r->zone_key);
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Record deleted successfully"));
    json_object_set_new(d, "serial", view_int_or_null(res[2], 0, 0));
    reply_success(r, 200, d);
}

static void record_delete_resolved(api_req_t *r)
{
    const char *acct = r->token.account_id;
    db_stmt_t stmts[3] = {api_stmt_token_check(r),
                          {"record_delete", 3, {acct, r->zone_key, r->record_id}},
                          {"zone_serial", 2, {acct, r->zone_key}}};
    api_db_run(r, stmts, 3, on_record_deleted);
}

void handle_record_delete(api_req_t *r)
{
    if (!record_id_ok(r)) {
        return;
    }
    if (r->token.n_zones > 0) {
        api_zone_resolve(r, record_delete_resolved);
    } else {
        record_delete_resolved(r);
    }
}

/* ---- PATCH /v1/zones/{zone}/records/{id} ---- */

static void on_record_updated(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    rec_state_t *st = r->state;
    if (!api_round_ok(r, s, status, res, n, 3, "duplicate")) {
        return;
    }
    db_session_end(s);
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Record updated successfully"));
    json_object_set_new(d, "record", view_record(res[0], 0));
    json_object_set_new(d, "serial", view_int_or_null(res[1], 0, 0));
    rec_warnings_add(d, st->warnings, st->n_warnings);
    reply_success(r, 200, d);
}

static void patch_write(api_req_t *r, db_session_t *s, PGresult **res)
{
    rec_state_t *st = r->state;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (check_rules(r, st, res, st->beside, r->record_id, &err) != DNSAPI_OK) {
        db_session_end(s);
        reply_error(r, &err);
        return;
    }
    const char *acct = r->token.account_id;
    db_stmt_t stmts[3] = {
        {"record_update",
         8,
         {acct, r->zone_key, r->record_id, st->rec.content, api_itoa(r, st->rec.ttl),
          st->rec.priority >= 0 ? api_itoa(r, st->rec.priority) : NULL,
          st->rec.disabled ? "true" : "false", st->rec.comment}},
        {"zone_serial", 2, {acct, r->zone_key}},
        {"commit", 0, {NULL}},
    };
    api_db_next(r, s, stmts, 3, on_record_updated);
}

static void on_patch_looked_up(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 1, NULL)) {
        return;
    }
    patch_write(r, s, res);
}

static void on_patch_loaded(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    rec_state_t *st = r->state;
    if (!api_round_ok(r, s, status, res, n, 5, NULL)) {
        return;
    }
    if (PQntuples(res[2]) != 1 || PQntuples(res[3]) != 1) {
        db_session_end(s);
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "record '%s' not found in zone '%s'",
                   r->record_id, r->zone_key);
        return;
    }
    PGresult *old = res[3];
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (rec_patch_prepare(r, old, 0, &st->rec, &err) != DNSAPI_OK) {
        db_session_end(s);
        reply_error(r, &err);
        return;
    }
    /* keep the records beside it for the rules */
    st->beside = res[4];
    res[4] = NULL; /* (the engine clears what is left; we own this one now) */
    db_stmt_t stmts[DB_MAX_STMTS];
    size_t k = add_rule_lookups(r, st, stmts, 0, false);
    if (k == 0) {
        patch_write(r, s, res);
        return;
    }
    /* indexes of the lookups are relative to the next round */
    api_db_next(r, s, stmts, k, on_patch_looked_up);
}

static void record_patch_resolved(api_req_t *r)
{
    const char *acct = r->token.account_id;
    db_stmt_t stmts[5] = {{"begin", 0, {NULL}},
                          api_stmt_token_check(r),
                          {"zone_lock", 2, {acct, r->zone_key}},
                          {"record_get", 3, {acct, r->zone_key, r->record_id}},
                          {"records_beside", 3, {acct, r->zone_key, r->record_id}}};
    api_db_run(r, stmts, 5, on_patch_loaded);
}

void handle_record_patch(api_req_t *r)
{
    static const char *const allowed[] = {"content",  "ttl",     "priority",
                                          "disabled", "comment", NULL};
    static const char *const immutable[] = {"name", "type", NULL};
    if (!record_id_ok(r)) {
        return;
    }
    rec_state_t *st = rec_state(r);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (view_body_check_fields(r->body, allowed, immutable, &err) != DNSAPI_OK ||
        rec_fields_parse(r->body, &st->rec, &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return;
    }
    api_zone_resolve(r, record_patch_resolved);
}
