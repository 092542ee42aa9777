/*
 * GET /v1/zones/{zone}/records - a page of records, filtered by name, type
 * and content, by offset or keyset cursor; GET .../records/{id} - one.
 *
 * 1. input: token with records:read, {zone}, the query (filters, limit,
 *    offset, cursor);
 * 2. one statement (store_record_page / store_record_get): the token's
 *    check, the zone and the page together;
 * 3. answer: the records written straight to JSON text (a page of 1000 is
 *    the API's hottest path), pagination with the next cursor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/view.h"
#include "dns/dns.h"
#include "storage/store_record.h"
#include "storage/store_zone.h"

typedef struct {
    api_paging_t paging;
} list_t;

static void on_page(void *ctx, int status, const dnsapi_err_t *err, const store_record_page_t *page)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    list_t *st = r->state;
    bool has_more;
    size_t count = api_page_count(&st->paging, page->n, &has_more);
    char *cursor = NULL;
    if (has_more) {
        cursor = view_cursor_encode(page->cursor_key + 4 * (count - 1), 4);
    }
    json_t *pagination = view_pagination(page->total, st->paging.offset, st->paging.limit,
                                         (long long)count, has_more, cursor);
    free(cursor);
    char *ptext = json_dumps(pagination, JSON_COMPACT);
    json_decref(pagination);
    strbuf_t b = {0};
    strbuf_adds(&b, "{\"records\":");
    view_records_write(&b, page->rows, count);
    strbuf_adds(&b, ",\"pagination\":");
    strbuf_adds(&b, ptext != NULL ? ptext : "null");
    strbuf_adds(&b, "}");
    bool failed = b.failed || ptext == NULL;
    free(ptext);
    if (failed) {
        strbuf_free(&b);
        api_failf(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    api_answer_raw(r, 200, strbuf_str(&b), b.len);
    strbuf_free(&b);
}

static store_zone_ref_t zone_ref(const api_req_t *r)
{
    store_zone_ref_t z = {r->zone_key_is_id ? NULL : r->zone_key,
                          r->zone_key_is_id ? r->zone_key : NULL};
    return z;
}

/* Reads the filters and asks for the page; zone is the zone's name. */
static void list_query(api_req_t *r, const char *zone)
{
    list_t *st = r->state;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const char *name = api_query_get(r, "name");
    const char *type = api_query_get(r, "type");
    const char *content = api_query_get(r, "content");
    store_record_query_t q = {NULL,  NULL,  NULL, st->paging.limit + 1, st->paging.offset,
                              false, {NULL}};
    if (name != NULL && *name != '\0') {
        char *norm = h2o_mem_alloc_pool(&r->req->pool, DNS_NAME_BUFSIZE);
        if (dns_name_normalize(zone, name, norm, DNS_NAME_BUFSIZE, &err) != DNSAPI_OK) {
            api_fail(r, &err);
            return;
        }
        q.name = norm;
    }
    if (type != NULL && *type != '\0') {
        char *norm = h2o_mem_alloc_pool(&r->req->pool, 16);
        if (dns_type_normalize(type, norm, 16, &err) != DNSAPI_OK) {
            api_fail(r, &err);
            return;
        }
        q.type = norm;
    }
    if (content != NULL && *content != '\0') {
        q.content = content;
    }
    if (st->paging.has_cursor) {
        q.after = true;
        for (int i = 0; i < 3; i++) {
            q.after_key[i] = st->paging.cursor[i];
        }
        q.after_key[3] = api_is_uuid(st->paging.cursor[3]) ? st->paging.cursor[3]
                                                           : "00000000-0000-0000-0000-000000000000";
    }
    store_record_page(r->thread->db, &r->auth, zone_ref(r), &q, on_page, api_hold(r));
}

/* A name filter on a zone given by id: its name first (relative names). */
static void on_zone(void *ctx, int status, const dnsapi_err_t *err, const store_zone_t *zone)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    list_query(r, zone->name);
}

void handle_record_list(api_req_t *r)
{
    list_t *st = h2o_mem_alloc_pool(&r->req->pool, sizeof(*st));
    r->state = st; /* pool memory: no state_free */
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (api_paging_parse(r, &st->paging, 4, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    const char *name = api_query_get(r, "name");
    if (r->zone_key_is_id && name != NULL && *name != '\0') {
        store_zone_get(r->thread->db, &r->auth, r->zone_key, on_zone, api_hold(r));
        return;
    }
    list_query(r, r->zone_key_is_id ? "." : r->zone_key);
}

static void on_one(void *ctx, int status, const dnsapi_err_t *err, const dns_record_t *rec,
                   uint32_t serial)
{
    api_req_t *r = ctx;
    (void)serial;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "record", view_record(rec));
    api_answer(r, 200, d);
}

void handle_record_get(api_req_t *r)
{
    if (!api_is_uuid(r->record_id)) {
        api_failf(r, DNSAPI_ENOTFOUND, NULL, NULL, "record '%.64s' not found", r->record_id);
        return;
    }
    store_record_get(r->thread->db, &r->auth, zone_ref(r), r->record_id, on_one, api_hold(r));
}
