/*
 * Zone reads, each one round of statements:
 *   GET /v1/zones               the account's zones (contains a name
 *                               substring: ?name=; paged by offset or cursor)
 *   GET /v1/zones/{zone}        one zone: serial, published serial, status
 *   GET /v1/zones/{zone}/export the master file (text/dns)
 *   GET /v1/zones/{zone}/changes the audit trail (paged)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/view.h"
#include "dns/dns.h"
#include "storage/store_zone.h"

/* ---- GET /v1/zones/{zone} ---- */

static void on_zone(void *ctx, int status, const dnsapi_err_t *err, const store_zone_t *zone)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "zone", view_zone(zone));
    api_answer(r, 200, d);
}

void handle_zone_get(api_req_t *r)
{
    store_zone_get(r->thread->db, &r->auth, r->zone_key, on_zone, api_hold(r));
}

/* ---- GET /v1/zones ---- */

static void on_zone_list(void *ctx, int status, const dnsapi_err_t *err, const store_zone_t *zones,
                         size_t n, long long total)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    api_paging_t *pg = r->state;
    bool has_more;
    size_t count = api_page_count(pg, n, &has_more);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(arr, view_zone(&zones[i]));
    }
    char *cursor = NULL;
    if (has_more) {
        const char *f[1] = {zones[count - 1].name};
        cursor = view_cursor_encode(f, 1);
    }
    json_t *d = view_page("zones", arr, total >= 0 ? total : (long long)count, pg->offset,
                          pg->limit, count, has_more, cursor);
    free(cursor);
    api_answer(r, 200, d);
}

void handle_zone_list(api_req_t *r)
{
    api_paging_t *pg = h2o_mem_alloc_pool(&r->req->pool, sizeof(*pg));
    r->state = pg; /* pool memory: no state_free */
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (api_paging_parse(r, pg, 1, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    const char *name = api_query_get(r, "name");
    if (name != NULL && (*name == '\0' || strlen(name) > 253)) {
        name = NULL;
    }
    store_zone_query_t q = {name, pg->has_cursor ? pg->cursor[0] : NULL, pg->limit + 1, pg->offset};
    store_zone_list(r->thread->db, &r->auth, &q, on_zone_list, api_hold(r));
}

/* ---- GET /v1/zones/{zone}/export ---- */

static void on_export(void *ctx, int status, const dnsapi_err_t *err, const store_zone_t *zone,
                      const dns_record_t *rows, size_t n)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (fp == NULL) {
        api_failf(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    dnsapi_err_t rerr;
    dnsapi_err_clear(&rerr);
    int rc = dns_render_header(fp, zone->name, zone->serial);
    for (size_t i = 0; rc == DNSAPI_OK && i < n; i++) {
        rc = dns_render_record(fp, rows[i].name, rows[i].type, rows[i].ttl, rows[i].priority,
                               rows[i].content, &rerr);
    }
    fclose(fp);
    if (rc != DNSAPI_OK) {
        free(buf);
        api_failf(r, DNSAPI_EINTERNAL, "render_failed", NULL, "the zone could not be rendered: %s",
                  rerr.message);
        return;
    }
    api_answer_text(r, 200, "text/dns", buf, len);
    free(buf);
}

void handle_zone_export(api_req_t *r)
{
    store_zone_export(r->thread->db, &r->auth, r->zone_key, on_export, api_hold(r));
}

/* ---- GET /v1/zones/{zone}/changes ---- */

static void on_changes(void *ctx, int status, const dnsapi_err_t *err,
                       const store_change_entry_t *rows, size_t n, long long total)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    api_paging_t *pg = r->state;
    bool has_more;
    size_t count = api_page_count(pg, n, &has_more);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(arr, view_change_entry(&rows[i]));
    }
    char *cursor = NULL;
    if (has_more) {
        const char *f[1] = {rows[count - 1].id};
        cursor = view_cursor_encode(f, 1);
    }
    json_t *d = view_page("changes", arr, total, pg->offset, pg->limit, count, has_more, cursor);
    free(cursor);
    api_answer(r, 200, d);
}

void handle_zone_changes(api_req_t *r)
{
    api_paging_t *pg = h2o_mem_alloc_pool(&r->req->pool, sizeof(*pg));
    r->state = pg; /* pool memory: no state_free */
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (api_paging_parse(r, pg, 1, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    const char *after = NULL;
    if (pg->has_cursor) {
        char *end = NULL;
        long long id = strtoll(pg->cursor[0], &end, 10);
        if (end == pg->cursor[0] || *end != '\0' || id < 0) {
            api_failf(r, DNSAPI_EINVAL, "bad_cursor", "cursor",
                      "the cursor is not one this server gave out; start again without it");
            return;
        }
        after = pg->cursor[0];
    }
    store_zone_changes(r->thread->db, &r->auth, r->zone_key, pg->limit + 1, pg->offset, after,
                       on_changes, api_hold(r));
}
