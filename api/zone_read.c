/*
 * Zone reads, each one round of statements:
 *   GET /v1/zones               the account's zones (contains a name
 *                               substring: ?name=; paged by offset or cursor);
 *                               ?contains=NAME: the zone holding NAME
 *   GET /v1/zones/{zone}        one zone: serial, published serial, status;
 *                               ?wait_for_serial=N&timeout=S answers once the
 *                               zone is published at N or later, or after S
 *                               seconds (at most 60) with what it is then
 *   GET /v1/zones/{zone}/export the master file (text/dns)
 *   GET /v1/zones/{zone}/changes the audit trail (paged)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/lifecycle.h"
#include "api/view.h"
#include "dns/dns.h"
#include "storage/store_zone.h"

/* ---- GET /v1/zones/{zone} ---- */

#define WAIT_MAX_SECONDS 60
#define WAIT_POLL_MS 250

typedef struct {
    api_req_t *r;
    bool waiting;
    uint32_t serial;
    uint64_t deadline_ns;
    h2o_timeout_entry_t entry;
} zone_wait_t;

static void zone_ask(api_req_t *r);

static void on_wait_tick(h2o_timeout_entry_t *entry)
{
    zone_wait_t *w = H2O_STRUCT_FROM_MEMBER(zone_wait_t, entry, entry);
    api_req_t *r = w->r;
    if (!api_resume(r)) {
        return; /* the client has gone: stop asking */
    }
    zone_ask(r);
}

static void on_zone(void *ctx, int status, const dnsapi_err_t *err, const store_zone_t *zone)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    zone_wait_t *w = r->state;
    bool published =
        zone->has_published && dns_serial_compare(zone->published_serial, w->serial) >= 0;
    if (w->waiting && !published && api_now_ns() < w->deadline_ns) {
        /* not there yet: ask again shortly (the wait is bounded) */
        api_thread_t *t = r->thread;
        if (!t->wait_timeout_ready) {
            h2o_timeout_init(t->ctx.loop, &t->wait_timeout, WAIT_POLL_MS);
            t->wait_timeout_ready = true;
        }
        w->entry.cb = on_wait_tick;
        api_hold(r);
        h2o_timeout_link(t->ctx.loop, &t->wait_timeout, &w->entry);
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "zone", view_zone(zone));
    api_answer(r, 200, d);
}

static void zone_ask(api_req_t *r)
{
    store_zone_get(r->thread->db, &r->auth, r->zone_key, on_zone, api_hold(r));
}

/* A whole number from text within [min, max], or -1. */
static long long query_count(const char *v, long long min, long long max)
{
    char *end = NULL;
    if (v == NULL || *v < '0' || *v > '9') {
        return -1;
    }
    long long x = strtoll(v, &end, 10);
    return *end == '\0' && x >= min && x <= max ? x : -1;
}

void handle_zone_get(api_req_t *r)
{
    /* on the heap, not in h2o's pool: a pending tick holds r (and so this)
     * after the client may have gone */
    zone_wait_t *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        abort();
    }
    w->r = r;
    r->state = w;
    r->state_free = free;
    const char *serial = api_query_get(r, "wait_for_serial");
    const char *timeout = api_query_get(r, "timeout");
    if (serial != NULL) {
        long long n = query_count(serial, 0, 4294967295LL);
        long long secs = timeout != NULL ? query_count(timeout, 0, WAIT_MAX_SECONDS) : 30;
        if (n < 0) {
            api_failf(r, DNSAPI_EINVAL, "out_of_range", "wait_for_serial",
                      "wait_for_serial must be a zone serial (a number from 0 to 4294967295)");
            return;
        }
        if (secs < 0) {
            api_failf(r, DNSAPI_EINVAL, "out_of_range", "timeout",
                      "timeout must be a number of seconds from 0 to %d", WAIT_MAX_SECONDS);
            return;
        }
        w->waiting = true;
        w->serial = (uint32_t)n;
        w->deadline_ns = api_now_ns() + (uint64_t)secs * 1000000000ull;
    } else if (timeout != NULL) {
        api_failf(r, DNSAPI_EINVAL, "out_of_range", "timeout", "timeout goes with wait_for_serial");
        return;
    }
    zone_ask(r);
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

/* ?contains=NAME: the zone holding a host name is the longest of the
 * account's zones among the name and its ancestors; q asks for those. */
#define HOLDING_MAX 128

static int zone_holding(api_req_t *r, const char *held, store_zone_query_t *q)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    char(*names)[DNS_NAME_BUFSIZE] =
        h2o_mem_alloc_pool(&r->req->pool, HOLDING_MAX * sizeof(*names));
    if (strcmp(held, "\x01") == 0 ||
        dns_name_normalize_absolute(held, names[0], DNS_NAME_BUFSIZE, &err) != DNSAPI_OK) {
        api_failf(r, DNSAPI_EINVAL, err.code[0] != '\0' ? err.code : "bad_name", "contains",
                  "contains must be a domain name such as www.example.com: %s",
                  err.message[0] != '\0' ? err.message : "it is not well encoded");
        return DNSAPI_EINVAL;
    }
    q->holding = names;
    q->n_holding = 1 + dns_name_ancestors(".", names[0], names + 1, HOLDING_MAX - 1);
    return DNSAPI_OK;
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
    store_zone_query_t q = {
        name, pg->has_cursor ? pg->cursor[0] : NULL, pg->limit + 1, pg->offset, NULL, 0};
    const char *held = api_query_get(r, "contains");
    if (held != NULL && zone_holding(r, held, &q) != DNSAPI_OK) {
        return;
    }
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
