/*
 * The delegations of a zone, from its served records:
 *   GET  /v1/zones/{zone}/delegations               every delegation point
 *        (paged by offset or by cursor, in DNS order), static problems
 *   GET  /v1/zones/{zone}/delegations/{name}        one
 *   POST /v1/zones/{zone}/delegations/{name}/check  a live check of one: its
 *        name servers asked over DNS (dnsclient/check.h)
 *   POST /v1/zones/{zone}/check                     the zone's own delegation:
 *        its parent's referral and its own name servers
 *
 * Every flow:
 *   1. one statement round (store_zone_export): the token's check, the zone
 *      and its enabled records (what the name servers serve);
 *   2. the static analysis (dns/delegation.h) on those records;
 *   3. the answer (the reads), or a live check on this thread's DNS client
 *      (the checks), whose report is the answer.
 *
 * A live check holds the request while it runs and is bounded by the
 * client's deadline (dns_client_opts_t): the loop never waits on it. The
 * check copies what it needs when it starts, so the records go at once;
 * the check itself is the request's state and goes with the request (a
 * client that leaves early does not leave it running).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/view.h"
#include "api/view_delegation.h"
#include "dns/delegation.h"
#include "dnsclient/check.h"
#include "dnsclient/client.h"
#include "storage/store_zone.h"

/* occluded records shown per delegation: in a list, and for one */
#define LIST_MAX_OCCLUDED 20
#define ONE_MAX_OCCLUDED 1000

typedef enum { FLOW_LIST, FLOW_ONE, FLOW_CHECK, FLOW_ZONE_CHECK } flow_t;

typedef struct {
    flow_t flow;
    api_paging_t paging;
    api_thread_t *thread; /* for the count of running checks */
    dns_check_t *check;   /* a live check, running or done */
} deleg_state_t;

static void state_free(void *p)
{
    deleg_state_t *st = p;
    if (st->check != NULL) {
        dns_check_free(st->check);
        st->thread->dns_checks--;
    }
    free(st);
}

/* The served records as the analysis takes them (borrowing the rows'
 * strings); NULL when out of memory. */
static dns_zone_rr_t *zone_rrs(const dns_record_t *rows, size_t n)
{
    dns_zone_rr_t *rrs = calloc(n + 1, sizeof(*rrs));
    for (size_t i = 0; rrs != NULL && i < n; i++) {
        rrs[i] = (dns_zone_rr_t){rows[i].name, rows[i].type,     rows[i].content,
                                 rows[i].ttl,  rows[i].priority, rows[i].managed_by};
    }
    return rrs;
}

/* This thread's DNS client, made on first use; NULL when out of memory. */
static dns_client_t *thread_dns(api_thread_t *t)
{
    if (t->dns == NULL) {
        t->dns = dns_client_new(t->ctx.loop, NULL);
    }
    return t->dns;
}

static void on_check_done(dns_check_t *k, void *data)
{
    api_req_t *r = data;
    if (!api_resume(r)) {
        return; /* the client has gone; the check goes with the request */
    }
    deleg_state_t *st = r->state;
    json_t *report = st->flow == FLOW_ZONE_CHECK
                         ? view_zone_check(dns_check_expect(k), dns_check_zone_report(k))
                         : view_delegation_check(dns_check_expect(k), dns_check_report(k));
    if (report == NULL) {
        api_failf(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, st->flow == FLOW_ZONE_CHECK ? "zone_check" : "check", report);
    api_answer(r, 200, d);
}

/* Starts the live check of delegation d in zone; answers on failure. */
static void check_delegation(api_req_t *r, const char *zone, const dns_delegation_t *d)
{
    deleg_state_t *st = r->state;
    const dnsapi_config_t *cfg = r->thread->cfg;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    dns_client_t *c = thread_dns(r->thread);
    dns_check_delegation_args_t args = {zone, d, cfg->has_resolver ? &cfg->resolver : NULL, 0};
    if (c == NULL ||
        dns_check_delegation_start(c, &args, on_check_done, r, &st->check, &err) != DNSAPI_OK) {
        api_failf(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    r->thread->dns_checks++;
    api_hold(r);
}

static void check_zone(api_req_t *r, const store_zone_t *zone, const dns_zone_rr_t *rrs, size_t n)
{
    deleg_state_t *st = r->state;
    const dnsapi_config_t *cfg = r->thread->cfg;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    dns_client_t *c = thread_dns(r->thread);
    dns_check_zone_args_t args = {
        zone->name, zone->serial, rrs, n, cfg->has_resolver ? &cfg->resolver : NULL, 0};
    int rc = c != NULL ? dns_check_zone_start(c, &args, on_check_done, r, &st->check, &err)
                       : DNSAPI_ENOMEM;
    if (rc == DNSAPI_EINVAL) {
        /* the apex NS set is a system record: only a zone without it */
        api_failf(r, DNSAPI_EINVAL, "no_nameservers", NULL,
                  "the zone has no enabled apex NS records to check");
        return;
    }
    if (rc != DNSAPI_OK) {
        api_failf(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    r->thread->dns_checks++;
    api_hold(r);
}

/* A page of delegations: offset, or after the cursor's name. */
static void answer_list(api_req_t *r, const dns_delegations_t *d)
{
    deleg_state_t *st = r->state;
    const api_paging_t *pg = &st->paging;
    size_t start = pg->has_cursor ? dns_delegations_after(d, pg->cursor[0])
                                  : (pg->offset < (long long)d->n ? (size_t)pg->offset : d->n);
    size_t end = d->n - start > (size_t)pg->limit ? start + (size_t)pg->limit : d->n;
    json_t *arr = json_array();
    for (size_t i = start; i < end; i++) {
        json_array_append_new(arr, view_delegation(&d->v[i], LIST_MAX_OCCLUDED));
    }
    bool has_more = end < d->n;
    char *cursor = NULL;
    if (has_more) {
        const char *f[1] = {d->v[end - 1].name};
        cursor = view_cursor_encode(f, 1);
    }
    json_t *data = view_page("delegations", arr, (long long)d->n, pg->offset, pg->limit,
                             end - start, has_more, cursor);
    free(cursor);
    api_answer(r, 200, data);
}

/* The delegation named by the path in zone, or NULL after answering 422
 * (not a name of the zone) or 404 (not a delegation point). */
static const dns_delegation_t *named(api_req_t *r, const char *zone, const dns_delegations_t *d)
{
    char name[DNS_NAME_BUFSIZE];
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (dns_name_normalize(zone, r->record_id, name, sizeof(name), &err) != DNSAPI_OK) {
        snprintf(err.field, sizeof(err.field), "name");
        api_fail(r, &err);
        return NULL;
    }
    const dns_delegation_t *one = dns_delegations_find(d, name);
    if (one == NULL) {
        api_failf(r, DNSAPI_ENOTFOUND, NULL, NULL,
                  "'%.253s' is not a delegation point of %.253s: a delegation is a name below "
                  "the apex with NS records (GET /v1/zones/{zone}/delegations lists them)",
                  name, zone);
    }
    return one;
}

static void on_records(void *ctx, int status, const dnsapi_err_t *err, const store_zone_t *zone,
                       const dns_record_t *rows, size_t n)
{
    api_req_t *r = ctx;
    if (!api_resume_ok(r, status, err)) {
        return;
    }
    deleg_state_t *st = r->state;
    dnsapi_err_t aerr;
    dnsapi_err_clear(&aerr);
    dns_zone_rr_t *rrs = zone_rrs(rows, n);
    if (rrs == NULL) {
        api_failf(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    if (st->flow == FLOW_ZONE_CHECK) {
        check_zone(r, zone, rrs, n);
        free(rrs);
        return;
    }
    dns_delegations_t d;
    if (dns_delegations_analyze(zone->name, rrs, n, &d, &aerr) != DNSAPI_OK) {
        free(rrs);
        api_failf(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    if (st->flow == FLOW_LIST) {
        answer_list(r, &d);
    } else {
        const dns_delegation_t *one = named(r, zone->name, &d);
        if (one != NULL && st->flow == FLOW_ONE) {
            json_t *data = json_object();
            json_object_set_new(data, "delegation", view_delegation(one, ONE_MAX_OCCLUDED));
            api_answer(r, 200, data);
        } else if (one != NULL) {
            check_delegation(r, zone->name, one);
        }
    }
    dns_delegations_clear(&d);
    free(rrs);
}

static void start(api_req_t *r, flow_t flow)
{
    deleg_state_t *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        abort();
    }
    st->flow = flow;
    st->thread = r->thread;
    r->state = st;
    r->state_free = state_free;
    if (flow == FLOW_LIST) {
        dnsapi_err_t err;
        dnsapi_err_clear(&err);
        if (api_paging_parse(r, &st->paging, 1, &err) != DNSAPI_OK) {
            api_fail(r, &err);
            return;
        }
    }
    store_zone_export(r->thread->db, &r->auth, r->zone_key, on_records, api_hold(r));
}

void handle_delegation_list(api_req_t *r)
{
    start(r, FLOW_LIST);
}

void handle_delegation_get(api_req_t *r)
{
    start(r, FLOW_ONE);
}

void handle_delegation_check(api_req_t *r)
{
    start(r, FLOW_CHECK);
}

void handle_zone_check(api_req_t *r)
{
    start(r, FLOW_ZONE_CHECK);
}
