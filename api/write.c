/* The one write path (see write.h). */
#include "api/write.h"

#include <stdio.h>

#include "api/view.h"
#include <stdlib.h>
#include <string.h>

#define MAX_LOADS 2 /* after the first: the ids, then where patches lead */

void api_write_free(api_write_t *w)
{
    if (w == NULL) {
        return;
    }
    store_tx_end(w->tx);
    dns_view_free(w->view);
    free(w->zone_nameservers_json);
    if (w->change_ready) {
        dns_change_clear(&w->change);
    }
    dns_report_clear(&w->report);
    dns_report_clear(&w->early);
    if (w->data_free != NULL) {
        w->data_free(w->data);
    }
    free(w);
}

static void write_free(void *p)
{
    api_write_free(p);
}

/* ---- the HTTP request as the asker ---------------------------------------- */

static void http_hold(api_write_t *w)
{
    api_hold(w->r);
}

static bool http_resume(api_write_t *w)
{
    return api_resume(w->r);
}

static void http_fail(api_write_t *w, const dnsapi_err_t *err)
{
    api_fail(w->r, err);
}

static void http_fail_report(api_write_t *w, const dns_report_t *rep)
{
    api_fail_report(w->r, rep);
}

static void http_replay(api_write_t *w, int status, const char *body, size_t len)
{
    api_answer_replay(w->r, status, body, len);
}

static const api_write_host_t HTTP_HOST = {http_hold, http_resume, http_fail, http_fail_report,
                                           http_replay};

api_write_t *api_write_new_for(const api_write_host_t *host, void *ctx, size_t max_errors)
{
    api_write_t *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        abort();
    }
    w->host = host;
    w->host_ctx = ctx;
    dns_report_init(&w->report, max_errors);
    dns_report_init(&w->early, max_errors);
    return w;
}

api_write_t *api_write_new(api_req_t *r, size_t max_errors)
{
    api_write_t *w = api_write_new_for(&HTTP_HOST, NULL, max_errors);
    w->r = r;
    w->db = r->thread->db;
    w->auth = &r->auth;
    w->zone_key = r->zone_key;
    w->zone_key_is_id = r->zone_key_is_id;
    w->idem = r->has_idem ? &r->idem : NULL;
    w->limits = api_limits(r);
    r->state = w;
    r->state_free = write_free;
    return w;
}

static void end_tx(api_write_t *w)
{
    store_tx_end(w->tx);
    w->tx = NULL;
}

void api_write_fail(api_write_t *w, const dnsapi_err_t *err)
{
    end_tx(w);
    w->host->fail(w, err);
}

void api_write_answer(api_write_t *w, int status, json_t *d)
{
    if (w->dry_run) {
        json_object_set_new(d, "dry_run", json_true());
    }
    dns_report_merge(&w->report, &w->early); /* warnings of the build and plan */
    view_warnings_add(d, &w->report);
    store_tx_t *tx = w->tx;
    w->tx = NULL;
    api_answer_tx(w->r, tx, status, d);
}

/* In a store callback: takes tx back, unless the client has gone (then w
 * may be gone too, and only tx is ended). */
static bool resume_tx(api_write_t *w, store_tx_t *tx)
{
    if (!w->host->resume(w)) {
        store_tx_end(tx);
        return false;
    }
    w->tx = tx;
    return true;
}

static void fail_report(api_write_t *w)
{
    end_tx(w);
    if (dns_report_failed(&w->early)) {
        dns_report_merge(&w->early, &w->report); /* what was found before first */
        w->host->fail_report(w, &w->early);
        return;
    }
    w->host->fail_report(w, &w->report);
}

static void fail_nomem(api_write_t *w)
{
    dnsapi_err_t err;
    dnsapi_err_set(&err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
    api_write_fail(w, &err);
}

/* The ids of the deletes and patches, for a load. */
static const char **change_ids(const dns_change_t *c, size_t *n)
{
    const char **ids = calloc(c->n + 1, sizeof(*ids));
    *n = 0;
    for (size_t i = 0; ids != NULL && i < c->n; i++) {
        if (c->ops[i].kind != DNS_OP_POST) {
            ids[(*n)++] = c->ops[i].id;
        }
    }
    return ids;
}

/* After a step that may have reported errors: false (answered) when it
 * did - unless the write keeps going (keep_going: an import reports every
 * problem, those of the rules too), then its errors wait in w->early. */
static bool keep_or_fail(api_write_t *w)
{
    if (!dns_report_failed(&w->report)) {
        return true;
    }
    if (!w->keep_going) {
        fail_report(w);
        return false;
    }
    dns_report_merge(&w->early, &w->report);
    dns_report_clear(&w->report);
    return true;
}

/* Builds the change once the zone's name is known; false when that
 * failed and was answered. */
static bool change_build(api_write_t *w)
{
    int rc = dns_change_init(&w->change, w->zone_name);
    if (rc == DNSAPI_OK) {
        w->change_ready = true;
        rc = w->build(w);
    }
    if (rc == DNSAPI_ENOMEM) {
        fail_nomem(w);
        return false;
    }
    return keep_or_fail(w);
}

static void step_bind(api_write_t *w);
static void step_check_and_write(api_write_t *w);

static int view_add_rows(api_write_t *w, const store_tx_result_t *res)
{
    for (size_t i = 0; i < res->n_rows; i++) {
        if (dns_view_add(w->view, &res->rows[i]) != DNSAPI_OK) {
            return DNSAPI_ENOMEM;
        }
    }
    return DNSAPI_OK;
}

/* ---- loads ---------------------------------------------------------------- */

typedef struct {
    api_write_t *w;
    dns_interest_t in;
    bool with_ids; /* the change's ids and their neighbourhood too */
} load_call_t;

static void on_loaded(void *ctx, store_tx_t *tx, const store_tx_result_t *res)
{
    load_call_t *call = ctx;
    api_write_t *w = call->w;
    bool here = w->host->resume(w);
    if (!here) {
        /* the request (and w) may be gone: only the transaction is ours */
        dns_interest_clear(&call->in);
        free(call);
        store_tx_end(tx);
        return;
    }
    w->tx = tx;
    int rc = res->status == DNSAPI_OK ? view_add_rows(w, res) : res->status;
    if (rc == DNSAPI_OK) {
        rc = dns_view_covered(w->view, &call->in, false);
    }
    if (rc == DNSAPI_OK && call->with_ids) {
        rc = dns_view_covered_around(w->view, &w->change); /* store_load_t */
    }
    dns_interest_clear(&call->in);
    free(call);
    if (res->status != DNSAPI_OK) {
        api_write_fail(w, &res->err);
        return;
    }
    if (rc != DNSAPI_OK) {
        fail_nomem(w);
        return;
    }
    step_bind(w);
}

/* Loads ids (when not loaded yet) and the names of in. Takes in. */
static void load_more(api_write_t *w, dns_interest_t *in, bool with_ids)
{
    w->host->hold(w);
    load_call_t *call = calloc(1, sizeof(*call));
    if (call == NULL) {
        abort();
    }
    call->w = w;
    call->in = *in;
    call->with_ids = with_ids;
    size_t n_ids = 0;
    const char **ids = change_ids(&w->change, &n_ids);
    if (ids == NULL) {
        abort();
    }
    store_load_t load = {.ids = with_ids ? ids : NULL,
                         .n_ids = with_ids ? n_ids : 0,
                         .interest = &call->in,
                         .changed = ids,
                         .n_changed = n_ids};
    w->loads++;
    store_tx_t *tx = w->tx;
    w->tx = NULL;
    store_tx_load(tx, &load, on_loaded, call);
    free(ids);
}

/* ---- the steps ------------------------------------------------------------- */

/* 2. plans (once: the endpoint turns stored records into operations),
 * binds the change; loads what patches reach; binds again. */
static void step_bind(api_write_t *w)
{
    if (w->plan != NULL && !w->planned) {
        w->planned = true;
        int rc = w->plan(w);
        if (rc == DNSAPI_ENOMEM) {
            fail_nomem(w);
            return;
        }
        if (!keep_or_fail(w)) {
            return;
        }
        dns_report_merge(&w->early, &w->report); /* the plan's warnings */
    }
    dns_report_clear(&w->report);
    int rc = dns_view_bind(w->view, &w->change, &w->report);
    if (rc == DNSAPI_ENOMEM) {
        fail_nomem(w);
        return;
    }
    if (dns_report_failed(&w->report)) {
        fail_report(w);
        return;
    }
    dns_interest_t in = {{0}, {0}, {0}};
    if (dns_change_interest(&w->change, w->view, &in) != DNSAPI_OK) {
        dns_interest_clear(&in);
        fail_nomem(w);
        return;
    }
    if (in.at.n > 0 || in.pointing.n > 0 || in.below.n > 0) {
        if (w->loads >= MAX_LOADS) {
            dns_interest_clear(&in);
            dnsapi_err_t err;
            dnsapi_err_set(&err, DNSAPI_EINTERNAL, NULL, NULL,
                           "the records the change touches could not be gathered");
            api_write_fail(w, &err);
            return;
        }
        load_more(w, &in, false);
        return;
    }
    step_check_and_write(w);
}

static void on_written(void *ctx, store_tx_t *tx, const store_written_t *res)
{
    api_write_t *w = ctx;
    if (!resume_tx(w, tx)) {
        return;
    }
    if (res->status != DNSAPI_OK) {
        api_write_fail(w, &res->err);
        return;
    }
    w->answer(w, res);
}

/* The credential's policies, on each operation with its actual name and
 * type (a delete's from the stored record). */
static void check_policies(api_write_t *w)
{
    const store_auth_t *a = w->auth;
    for (size_t i = 0; a->n_policies > 0 && i < w->change.n; i++) {
        const dns_op_t *op = &w->change.ops[i];
        const dns_record_t *rec = op->kind == DNS_OP_DELETE ? op->old : &op->rec;
        if ((op->kind == DNS_OP_PATCH && op->noop) ||
            (rec != NULL && dns_policy_allows(a->policies, a->n_policies, w->change.zone, rec->name,
                                              rec->type, true))) {
            continue;
        }
        dnsapi_err_t err;
        dnsapi_err_set(&err, DNSAPI_EFORBIDDEN, "insufficient_scope", NULL,
                       "This credential's policies do not allow writing %s records at %s",
                       rec != NULL ? rec->type : "these", rec != NULL ? rec->name : "this name");
        dns_report_error(&w->report, op, &err);
    }
}

/* 3. the policies and the rules; 4. the write. */
/* Whether the write may change the delegation its zone's parent holds
 * (dns_change_moves_delegation), given the zone's apex name servers; when
 * they cannot be read, any address record counts. */
static bool moves_delegation(const api_write_t *w)
{
    json_t *ns = w->zone_nameservers_json ? json_loads(w->zone_nameservers_json, 0, NULL) : NULL;
    size_t n = json_is_array(ns) ? json_array_size(ns) : 0;
    const char *names[64];
    bool known = json_is_array(ns) && n <= sizeof(names) / sizeof(names[0]);
    for (size_t i = 0; known && i < n; i++) {
        names[i] = json_string_value(json_array_get(ns, i));
        known = names[i] != NULL;
    }
    bool moves = dns_change_moves_delegation(&w->change, known ? names : NULL, known ? n : 0);
    json_decref(ns);
    return moves;
}

static void step_check_and_write(api_write_t *w)
{
    dns_limits_t lim = w->limits;
    dns_report_clear(&w->report);
    if (w->bound != NULL && (w->bound(w) != DNSAPI_OK || dns_report_failed(&w->report))) {
        fail_report(w);
        return;
    }
    check_policies(w);
    if (dns_report_failed(&w->report)) {
        fail_report(w);
        return;
    }
    dns_rules_check_change(&lim, &w->change, w->view, &w->report);
    if (dns_report_failed(&w->report) || dns_report_failed(&w->early)) {
        fail_report(w);
        return;
    }
    size_t writes = dns_change_count(&w->change, DNS_OP_POST | DNS_OP_DELETE);
    for (size_t i = 0; i < w->change.n; i++) {
        writes += w->change.ops[i].kind == DNS_OP_PATCH && !w->change.ops[i].noop;
    }
    if (writes == 0) {
        w->answer(w, NULL); /* nothing changes: no write, no serial step */
        return;
    }
    w->change.moves_delegation = moves_delegation(w);
    store_tx_t *tx = w->tx;
    w->tx = NULL;
    w->host->hold(w);
    store_tx_write(tx, &w->change, on_written, w);
}

/* What the change needs in the first round: its own interest and the
 * endpoint's (the interest hook). */
static int first_interest(api_write_t *w, dns_interest_t *in)
{
    int rc = dns_change_interest(&w->change, NULL, in);
    if (rc == DNSAPI_OK && w->interest != NULL) {
        rc = w->interest(w, in);
    }
    return rc;
}

/* 1. the first round's answer. */
static void on_opened(void *ctx, store_tx_t *tx, const store_tx_result_t *res)
{
    api_write_t *w = ctx;
    if (!resume_tx(w, tx)) {
        return;
    }
    if (res->replay) {
        end_tx(w);
        w->host->replay(w, res->replay_status, res->replay_body, res->replay_len);
        return;
    }
    if (res->status != DNSAPI_OK) {
        api_write_fail(w, &res->err);
        return;
    }
    snprintf(w->zone_id, sizeof(w->zone_id), "%s", res->zone->id);
    snprintf(w->zone_name, sizeof(w->zone_name), "%s", res->zone->name);
    w->zone_serial = res->zone->serial;
    free(w->zone_nameservers_json);
    w->zone_nameservers_json =
        res->zone->nameservers_json ? strdup(res->zone->nameservers_json) : NULL;
    w->view = dns_view_new(w->zone_name);
    if (w->view == NULL || view_add_rows(w, res) != DNSAPI_OK ||
        (w->load_all && dns_view_covered(w->view, NULL, true) != DNSAPI_OK)) {
        fail_nomem(w);
        return;
    }
    bool built_now = !w->change_ready;
    if (built_now && !change_build(w)) {
        return; /* {zone} was an id: the change could not be built before */
    }
    dns_interest_t in = {{0}, {0}, {0}};
    int rc = w->load_all ? DNSAPI_OK : first_interest(w, &in);
    if (rc == DNSAPI_OK && !built_now) {
        rc = dns_view_covered(w->view, &in, false); /* what this round loaded */
    }
    if (rc == DNSAPI_OK && !built_now && !w->load_all) {
        rc = dns_view_covered_around(w->view, &w->change); /* store_load_t */
    }
    if (rc != DNSAPI_OK) {
        dns_interest_clear(&in);
        fail_nomem(w);
        return;
    }
    if (built_now && !w->load_all) {
        load_more(w, &in, true); /* takes in */
        return;
    }
    dns_interest_clear(&in);
    step_bind(w);
}

void api_write_start(api_write_t *w)
{
    size_t n_ids = 0;
    const char **ids = NULL;
    dns_interest_t in = {{0}, {0}, {0}};
    if (!w->zone_key_is_id) {
        /* the name is known: build now, and load what it needs at once */
        snprintf(w->zone_name, sizeof(w->zone_name), "%s", w->zone_key);
        if (!change_build(w)) {
            return;
        }
        if (!w->load_all) {
            ids = change_ids(&w->change, &n_ids);
            if (ids == NULL || first_interest(w, &in) != DNSAPI_OK) {
                free(ids);
                dns_interest_clear(&in);
                fail_nomem(w);
                return;
            }
        }
    }
    store_load_t load = {.ids = ids,
                         .n_ids = n_ids,
                         .interest = &in,
                         .all = w->load_all,
                         .changed = ids,
                         .n_changed = n_ids};
    w->host->hold(w);
    store_tx_begin_change(w->db, w->auth, w->zone_key, w->idem, w->dry_run, &load, on_opened, w);
    free(ids);
    dns_interest_clear(&in);
}
