/*
 * POST /v1/zones/{zone}/records/batch - deletes, patches and posts applied
 * in that order in one transaction, the zone rules checked on the result,
 * one serial step; all or nothing.
 *
 * Three rounds on one connection, the zone locked from the first:
 *  1. BEGIN, token check, zone lock (FOR UPDATE), the Idempotency-Key
 *     claim, and the records named by the deletes and patches;
 *  2. every record at the names the rules will look at (the names written,
 *     their in-zone targets, the names above them) and the NS records that
 *     point at names that get a CNAME;
 *  3. DELETE, UPDATE and INSERT (one statement each, with arrays), the new
 *     serial, COMMIT (ROLLBACK for a dry run).
 * Between 2 and 3 the result is built in memory - what was there, less the
 * deletes, with the patches applied and the posts added - and every patched
 * or posted record is checked against it with the same rules as a single
 * write. An error names the entry: details[].index and a field such as
 * posts[2].content.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "api/handler_common.h"
#include "api/idempotency.h"
#include "api/record_prep.h"
#include "dns/zonefile.h"
#include "storage/statements.h"

#define BATCH_MAX 1000   /* entries in one batch */
#define IMPORT_MAX 20000 /* records in one imported master file */
#define BATCH_WARNINGS 16

typedef enum { B_DELETE, B_PATCH, B_POST } bkind_t;

static const char *const kind_list[] = {"deletes", "patches", "posts"};

typedef struct {
    bkind_t kind;
    size_t index;   /* in its list */
    const char *id; /* deletes and patches */
    json_t *obj;
    rec_t rec;   /* patches and posts: the record as it will be */
    int old_row; /* deletes and patches: the row in st->old */
} bitem_t;

/* A record of the result: a stored row (maybe patched), or a post. */
typedef struct {
    const char *id; /* NULL for a post */
    dns_rr_t rr;
    const bitem_t *item; /* the patch or post that made it, or NULL */
    bool deleted;
} frec_t;

typedef struct {
    bitem_t *items;
    size_t n, n_kind[3];
    bool dry_run;
    PGresult *old;
    PGresult *at_names, *pointing;
    frec_t *pool;
    size_t n_pool;
    frec_t **by_name, **ns_by_target; /* live records, sorted */
    size_t n_by_name, n_ns;
    char *arrays[20]; /* array literals sent to the database */
    size_t n_arrays;
    dns_warning_t warnings[BATCH_WARNINGS];
    size_t n_warnings;
    /* import: the file's records, what is skipped and left as it is */
    bool import, replace;
    rec_t *parsed;
    size_t n_parsed, n_unchanged;
    json_t *skipped;
} batch_t;

static void batch_free(void *p)
{
    batch_t *b = p;
    if (b == NULL) {
        return;
    }
    free(b->items);
    PQclear(b->old);
    PQclear(b->at_names);
    PQclear(b->pointing);
    free(b->pool);
    free(b->by_name);
    free(b->ns_by_target);
    free(b->parsed);
    json_decref(b->skipped);
    for (size_t i = 0; i < b->n_arrays; i++) {
        free(b->arrays[i]);
    }
    free(b);
}

/* Answers err for one entry: field becomes "posts[2].content". */
static void copy_cut(char *dst, size_t dstlen, const char *src)
{
    size_t len = strnlen(src, dstlen - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void reply_item_error(api_req_t *r, const bitem_t *it, dnsapi_err_t *err)
{
    char buf[sizeof(err->message) + 64];
    const char *list = it->kind == B_POST && it->obj == NULL ? "records" : kind_list[it->kind];
    snprintf(buf, sizeof(buf), "%s[%zu]%s%s", list, it->index, err->field[0] ? "." : "",
             err->field);
    copy_cut(err->field, sizeof(err->field), buf);
    snprintf(buf, sizeof(buf), "%s[%zu]: %s", list, it->index, err->message);
    copy_cut(err->message, sizeof(err->message), buf);
    reply_error_at(r, err, (long)it->index);
}

/* ---- PostgreSQL array literals ---- */

/* One element: NULL, or the text quoted with " and \ escaped. */
static void abuf_elem(view_buf_t *a, const char *v)
{
    view_buf_add(a, a->len > 1 ? "," : "", a->len > 1 ? 1 : 0);
    if (v == NULL) {
        view_buf_add(a, "NULL", 4);
        return;
    }
    view_buf_add(a, "\"", 1);
    for (const char *q = v; *q; q++) {
        if (*q == '"' || *q == '\\') {
            view_buf_add(a, "\\", 1);
        }
        view_buf_add(a, q, 1);
    }
    view_buf_add(a, "\"", 1);
}

/* Keeps a finished literal in b (freed with it) and returns it. */
static const char *abuf_keep(batch_t *b, view_buf_t *a)
{
    view_buf_add(a, "}", 2); /* with its NUL */
    if (a->failed || b->n_arrays == sizeof(b->arrays) / sizeof(b->arrays[0])) {
        free(a->p);
        return NULL;
    }
    b->arrays[b->n_arrays++] = a->p;
    return a->p;
}

/* ---- the result in memory ---- */

static int cmp_frec_id(const void *x, const void *y)
{
    return strcmp(((const frec_t *)x)->id, ((const frec_t *)y)->id);
}

static int cmp_by_name(const void *x, const void *y)
{
    return strcmp((*(const frec_t *const *)x)->rr.name, (*(const frec_t *const *)y)->rr.name);
}

static int cmp_by_content(const void *x, const void *y)
{
    return strcmp((*(const frec_t *const *)x)->rr.content, (*(const frec_t *const *)y)->rr.content);
}

static void pool_add_rows(batch_t *b, const PGresult *res)
{
    for (int i = 0; res != NULL && i < PQntuples(res); i++) {
        frec_t *f = &b->pool[b->n_pool++];
        memset(f, 0, sizeof(*f));
        f->id = PQgetvalue(res, i, 0);
        f->rr = rec_rr_of_row(res, i);
    }
}

/* Builds the result - stored rows, less deletes, patches applied, posts -
 * and its two indexes: by owner name, and the NS records by target. */
static int pool_build(batch_t *b, const PGresult *a, const PGresult *p)
{
    size_t cap =
        (size_t)(a != NULL ? PQntuples(a) : 0) + (size_t)(p != NULL ? PQntuples(p) : 0) + b->n + 1;
    b->pool = calloc(cap, sizeof(*b->pool));
    b->by_name = calloc(cap, sizeof(*b->by_name));
    b->ns_by_target = calloc(cap, sizeof(*b->ns_by_target));
    if (b->pool == NULL || b->by_name == NULL || b->ns_by_target == NULL) {
        return DNSAPI_ENOMEM;
    }
    pool_add_rows(b, a);
    pool_add_rows(b, p);
    /* stored rows sorted by id, each once */
    qsort(b->pool, b->n_pool, sizeof(*b->pool), cmp_frec_id);
    size_t stored = 0;
    for (size_t i = 0; i < b->n_pool; i++) {
        if (stored == 0 || strcmp(b->pool[stored - 1].id, b->pool[i].id) != 0) {
            b->pool[stored++] = b->pool[i];
        }
    }
    b->n_pool = stored;
    for (size_t i = 0; i < b->n; i++) {
        bitem_t *it = &b->items[i];
        frec_t key = {.id = it->id};
        frec_t *f = it->kind == B_POST
                        ? NULL
                        : bsearch(&key, b->pool, stored, sizeof(*b->pool), cmp_frec_id);
        if (it->kind == B_DELETE) {
            if (f != NULL) {
                f->deleted = true;
            }
            continue;
        }
        if (f == NULL) {
            f = &b->pool[b->n_pool++];
            memset(f, 0, sizeof(*f));
            f->id = it->id;
        }
        f->rr = rec_rr(&it->rec);
        f->item = it;
    }
    for (size_t i = 0; i < b->n_pool; i++) {
        frec_t *f = &b->pool[i];
        if (f->deleted) {
            continue;
        }
        b->by_name[b->n_by_name++] = f;
        if (strcmp(f->rr.type, "NS") == 0) {
            b->ns_by_target[b->n_ns++] = f;
        }
    }
    qsort(b->by_name, b->n_by_name, sizeof(*b->by_name), cmp_by_name);
    qsort(b->ns_by_target, b->n_ns, sizeof(*b->ns_by_target), cmp_by_content);
    return DNSAPI_OK;
}

/* The first index in v (sorted by the field cmp compares) whose field is
 * not below key's. */
static size_t lower_bound(frec_t *const *v, size_t n, const frec_t *key,
                          int (*cmp)(const void *, const void *))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(&v[mid], &key) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* The other live records at name (not self), into out. */
static size_t pool_at(const batch_t *b, const char *name, const frec_t *self, dns_rr_t *out,
                      size_t max)
{
    frec_t key = {.rr.name = name};
    size_t n = 0;
    for (size_t i = lower_bound(b->by_name, b->n_by_name, &key, cmp_by_name);
         i < b->n_by_name && n < max && strcmp(b->by_name[i]->rr.name, name) == 0; i++) {
        if (b->by_name[i] != self) {
            out[n++] = b->by_name[i]->rr;
        }
    }
    return n;
}

/* Live NS records whose target is name. */
static size_t pool_ns_pointing(const batch_t *b, const char *name, dns_rr_t *out, size_t max)
{
    frec_t key = {.rr.content = name};
    size_t n = 0;
    for (size_t i = lower_bound(b->ns_by_target, b->n_ns, &key, cmp_by_content);
         i < b->n_ns && n < max && strcmp(b->ns_by_target[i]->rr.content, name) == 0; i++) {
        out[n++] = b->ns_by_target[i]->rr;
    }
    return n;
}

/* The rules of a single write, on the result, for every patch and post. */
static int check_rules(api_req_t *r, batch_t *b, const bitem_t **bad, dnsapi_err_t *err)
{
    size_t max = b->n_pool + 1;
    dns_rr_t *rrs = calloc(max, sizeof(*rrs)), *trs = calloc(max, sizeof(*trs));
    int rc = rrs != NULL && trs != NULL ? DNSAPI_OK : DNSAPI_ENOMEM;
    for (size_t i = 0; rc == DNSAPI_OK && i < b->n_pool; i++) {
        frec_t *f = &b->pool[i];
        if (f->item == NULL || f->deleted) {
            continue;
        }
        *bad = f->item;
        const dns_rr_t *rr = &f->rr;
        size_t n = pool_at(b, rr->name, f, rrs, max);
        if ((rc = dns_rules_check_rrset(r->zone_name, rr, rrs, n, err)) != DNSAPI_OK) {
            break;
        }
        char target[DNS_NAME_BUFSIZE];
        size_t nt = 0;
        bool in_zone = dns_rdata_target(rr->type, rr->content, target, sizeof(target)) &&
                       dns_name_is_at_or_below(target, r->zone_name);
        if (in_zone) {
            nt = pool_at(b, target, NULL, trs, max);
            if ((rc = dns_rules_check_ns_target(r->zone_name, rr, trs, nt, err)) != DNSAPI_OK) {
                break;
            }
        }
        if (strcmp(rr->type, "CNAME") == 0) {
            size_t np = pool_ns_pointing(b, rr->name, rrs, max);
            if ((rc = dns_rules_check_ns_target(r->zone_name, rr, rrs, np, err)) != DNSAPI_OK) {
                break;
            }
        }
        /* warnings, as a single write would give them */
        if (f->item->rec.disabled || b->n_warnings >= BATCH_WARNINGS) {
            continue;
        }
        size_t ns_count = 0;
        n = pool_at(b, rr->name, NULL, rrs, max);
        for (size_t k = 0; k < n; k++) {
            ns_count += strcmp(rrs[k].type, "NS") == 0;
        }
        char anc[MAX_ANCESTORS][DNS_NAME_BUFSIZE];
        size_t na = dns_name_ancestors(r->zone_name, rr->name, anc, MAX_ANCESTORS);
        const char *deleg = NULL;
        for (size_t k = 0; k < na && deleg == NULL; k++) {
            size_t m = pool_at(b, anc[k], NULL, rrs, max);
            for (size_t j = 0; j < m && deleg == NULL; j++) {
                deleg = strcmp(rrs[j].type, "NS") == 0 ? anc[k] : NULL;
            }
        }
        dns_warning_t w[4];
        size_t nw =
            dns_rules_warnings(r->zone_name, rr, in_zone ? trs : NULL, nt, ns_count, deleg, w, 4);
        for (size_t k = 0; k < nw && b->n_warnings < BATCH_WARNINGS; k++) {
            dns_warning_t *o = &b->warnings[b->n_warnings];
            int dup = 0;
            for (size_t j = 0; j < b->n_warnings; j++) {
                dup |= strcmp(b->warnings[j].message, w[k].message) == 0;
            }
            if (!dup) {
                *o = w[k];
                b->n_warnings++;
            }
        }
    }
    free(rrs);
    free(trs);
    return rc;
}

/* ---- round 3: write ---- */

static void on_written(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    batch_t *b = r->state;
    size_t want = (b->n_kind[B_DELETE] > 0) + (b->n_kind[B_PATCH] > 0) + (b->n_kind[B_POST] > 0);
    if (!api_round_ok(r, s, status, res, n, want + 2, "duplicate")) {
        return;
    }
    db_session_end(s);
    size_t k = 0;
    json_t *deleted = json_array(), *updated = json_array(), *created = json_array();
    if (b->n_kind[B_DELETE] > 0) {
        for (int i = 0; i < PQntuples(res[k]); i++) {
            json_array_append_new(deleted, json_string(PQgetvalue(res[k], i, 0)));
        }
        k++;
    }
    if (b->n_kind[B_PATCH] > 0) {
        for (int i = 0; i < PQntuples(res[k]); i++) {
            json_array_append_new(updated, view_record(res[k], i));
        }
        k++;
    }
    if (b->n_kind[B_POST] > 0) {
        for (int i = 0; i < PQntuples(res[k]); i++) {
            json_array_append_new(created, view_record(res[k], i));
        }
        k++;
    }
    json_t *d = json_object();
    if (b->import) {
        json_object_set_new(d, "added", json_integer((json_int_t)json_array_size(created)));
        json_object_set_new(d, "deleted", json_integer((json_int_t)json_array_size(deleted)));
        json_object_set_new(d, "updated", json_integer((json_int_t)json_array_size(updated)));
        json_object_set_new(d, "unchanged", json_integer((json_int_t)b->n_unchanged));
        json_object_set_new(d, "skipped", json_incref(b->skipped));
        json_decref(deleted);
        json_decref(updated);
        json_decref(created);
    } else {
        json_object_set_new(d, "deleted", deleted);
        json_object_set_new(d, "updated", updated);
        json_object_set_new(d, "created", created);
    }
    json_object_set_new(d, "serial", view_int_or_null(res[k], 0, 0));
    if (b->dry_run) {
        json_object_set_new(d, "dry_run", json_true());
    }
    rec_warnings_add(d, b->warnings, b->n_warnings);
    reply_success(r, 200, d);
}

static void write_all(api_req_t *r, db_session_t *s, batch_t *b)
{
    const char *acct = r->token.account_id;
    db_stmt_t stmts[6];
    size_t k = 0;
    view_buf_t ids = {0}, pid = {0}, pcontent = {0}, pttl = {0}, pprio = {0}, pdis = {0},
               pcom = {0};
    view_buf_t nname = {0}, ntype = {0}, ncontent = {0}, nttl = {0}, nprio = {0}, ndis = {0},
               ncom = {0};
    view_buf_t *all[] = {&ids,   &pid,   &pcontent, &pttl, &pprio, &pdis, &pcom,
                         &nname, &ntype, &ncontent, &nttl, &nprio, &ndis, &ncom};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        view_buf_add(all[i], "{", 1);
    }
    for (size_t i = 0; i < b->n; i++) {
        bitem_t *it = &b->items[i];
        rec_t *rec = &it->rec;
        char ttl[24], prio[24];
        snprintf(ttl, sizeof(ttl), "%lld", rec->ttl);
        snprintf(prio, sizeof(prio), "%d", rec->priority);
        const char *p = rec->priority >= 0 ? prio : NULL;
        const char *dis = rec->disabled ? "true" : "false";
        if (it->kind == B_DELETE) {
            abuf_elem(&ids, it->id);
        } else if (it->kind == B_PATCH) {
            abuf_elem(&pid, it->id);
            abuf_elem(&pcontent, rec->content);
            abuf_elem(&pttl, ttl);
            abuf_elem(&pprio, p);
            abuf_elem(&pdis, dis);
            abuf_elem(&pcom, rec->comment);
        } else {
            abuf_elem(&nname, rec->name);
            abuf_elem(&ntype, rec->type);
            abuf_elem(&ncontent, rec->content);
            abuf_elem(&nttl, ttl);
            abuf_elem(&nprio, p);
            abuf_elem(&ndis, dis);
            abuf_elem(&ncom, rec->comment);
        }
    }
    /* the arrays of the lists that have entries; the others are not sent */
    static const bkind_t owner[14] = {B_DELETE, B_PATCH, B_PATCH, B_PATCH, B_PATCH,
                                      B_PATCH,  B_PATCH, B_POST,  B_POST,  B_POST,
                                      B_POST,   B_POST,  B_POST,  B_POST};
    const char *lit[14];
    bool ok = true;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        lit[i] = NULL;
        if (b->n_kind[owner[i]] == 0) {
            free(all[i]->p);
            continue;
        }
        lit[i] = abuf_keep(b, all[i]);
        ok = ok && lit[i] != NULL;
    }
    if (!ok) {
        db_session_end(s);
        reply_fail(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    if (b->n_kind[B_DELETE] > 0) {
        stmts[k++] = (db_stmt_t){"batch_delete", 3, {acct, r->zone_key, lit[0]}};
    }
    if (b->n_kind[B_PATCH] > 0) {
        stmts[k++] = (db_stmt_t){
            "batch_update", 8, {acct, r->zone_key, lit[1], lit[2], lit[3], lit[4], lit[5], lit[6]}};
    }
    if (b->n_kind[B_POST] > 0) {
        stmts[k++] = (db_stmt_t){
            "batch_insert",
            9,
            {acct, r->zone_key, lit[7], lit[8], lit[9], lit[10], lit[11], lit[12], lit[13]}};
    }
    stmts[k++] = (db_stmt_t){"zone_serial", 2, {acct, r->zone_key}};
    stmts[k++] = (db_stmt_t){b->dry_run ? "rollback" : "commit", 0, {NULL}};
    api_db_next(r, s, stmts, k, on_written);
}

/* ---- round 2: what the rules look at ---- */

/* Builds the result from the stored records in a and p, checks the rules
 * on it and writes. */
static void rules_then_write(api_req_t *r, db_session_t *s, batch_t *b, const PGresult *a,
                             const PGresult *p)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const bitem_t *bad = NULL;
    int rc = pool_build(b, a, p);
    if (rc == DNSAPI_OK) {
        rc = check_rules(r, b, &bad, &err);
    }
    if (rc != DNSAPI_OK) {
        db_session_end(s);
        if (rc == DNSAPI_ENOMEM || bad == NULL) {
            reply_fail(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        } else {
            reply_item_error(r, bad, &err);
        }
        return;
    }
    write_all(r, s, b);
}

static void on_looked_up(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    batch_t *b = r->state;
    if (!api_round_ok(r, s, status, res, n, 2, NULL)) {
        return;
    }
    b->at_names = res[0];
    b->pointing = res[1];
    res[0] = res[1] = NULL; /* ours now */
    rules_then_write(r, s, b, b->at_names, b->pointing);
}

/* ---- round 1: the zone, locked, and the records named by id ---- */

static void after_load(api_req_t *r, db_session_t *s, batch_t *b);
static int import_plan(api_req_t *r, batch_t *b);

static void on_loaded(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    batch_t *b = r->state;
    size_t at = r->idem_claimed ? 1 : 0;
    if (!api_round_ok(r, s, status, res, n, 4 + at, NULL)) {
        return;
    }
    if (PQntuples(res[2]) != 1) {
        db_session_end(s);
        reply_fail(r, DNSAPI_ENOTFOUND, NULL, NULL, "zone '%s' not found", r->zone_key);
        return;
    }
    b->old = res[3 + at];
    res[3 + at] = NULL;
    if (b->import && import_plan(r, b) != DNSAPI_OK) {
        db_session_end(s);
        return;
    }
    after_load(r, s, b);
}

/* With b->old holding (at least) the records the deletes and patches name:
 * checks them, prepares the patches, and looks up what the rules need. */
static void after_load(api_req_t *r, db_session_t *s, batch_t *b)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    view_buf_t names = {0}, cnames = {0};
    view_buf_add(&names, "{", 1);
    view_buf_add(&cnames, "{", 1);
    bitem_t *it = NULL;
    for (size_t i = 0; i < b->n; i++) {
        it = &b->items[i];
        if (it->kind != B_POST && !b->import) { /* an import knows its rows */
            it->old_row = -1;
            for (int row = 0; row < PQntuples(b->old); row++) {
                if (strcmp(PQgetvalue(b->old, row, 0), it->id) == 0) {
                    it->old_row = row;
                }
            }
            if (it->old_row < 0) {
                dnsapi_err_set(&err, DNSAPI_ENOTFOUND, NULL, "id", "no record %s in zone %s",
                               it->id, r->zone_name);
                goto fail;
            }
        }
        if (it->kind == B_DELETE) {
            const char *name = PQgetvalue(b->old, it->old_row, 1);
            const char *type = PQgetvalue(b->old, it->old_row, 2);
            if (dns_rules_check_system(r->zone_name, name, type, &err) != DNSAPI_OK ||
                PQgetvalue(b->old, it->old_row, 7)[0] == 't') {
                if (err.status != DNSAPI_ESYSTEM) {
                    dnsapi_err_set(&err, DNSAPI_ESYSTEM, "system_record", NULL,
                                   "%s %s is a system record managed by dnsapi and cannot be "
                                   "deleted; NS records for subdomains are allowed",
                                   type, name);
                }
                goto fail;
            }
            continue;
        }
        if (it->kind == B_PATCH &&
            rec_patch_prepare(r, b->old, it->old_row, &it->rec, &err) != DNSAPI_OK) {
            goto fail;
        }
        /* the names the rules will look at */
        abuf_elem(&names, it->rec.name);
        char target[DNS_NAME_BUFSIZE];
        if (dns_rdata_target(it->rec.type, it->rec.content, target, sizeof(target)) &&
            dns_name_is_at_or_below(target, r->zone_name)) {
            abuf_elem(&names, target);
        }
        char anc[MAX_ANCESTORS][DNS_NAME_BUFSIZE];
        size_t na = dns_name_ancestors(r->zone_name, it->rec.name, anc, MAX_ANCESTORS);
        for (size_t k = 0; k < na; k++) {
            abuf_elem(&names, anc[k]);
        }
        if (strcmp(it->rec.type, "CNAME") == 0) {
            abuf_elem(&cnames, it->rec.name);
        }
    }
    if (b->import) {
        /* every record of the zone is in b->old already */
        free(names.p);
        free(cnames.p);
        rules_then_write(r, s, b, b->old, NULL);
        return;
    }
    const char *lnames = abuf_keep(b, &names), *lcnames = abuf_keep(b, &cnames);
    if (lnames == NULL || lcnames == NULL) {
        db_session_end(s);
        reply_fail(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    const char *acct = r->token.account_id;
    db_stmt_t stmts[2] = {{"records_at_names", 3, {acct, r->zone_key, lnames}},
                          {"ns_pointing_at_any", 3, {acct, r->zone_key, lcnames}}};
    api_db_next(r, s, stmts, 2, on_looked_up);
    return;
fail:
    free(names.p);
    free(cnames.p);
    db_session_end(s);
    reply_item_error(r, it, &err);
}

/* ---- the request ---- */

/* The state of a batch or an import, with ?dry_run read; NULL when the
 * request was answered (a bad dry_run). */
static batch_t *batch_begin(api_req_t *r)
{
    batch_t *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        abort();
    }
    r->state = b;
    r->state_free = batch_free;
    const char *dry = api_query_get(r, "dry_run");
    if (dry != NULL && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0 &&
        strcmp(dry, "1") != 0 && strcmp(dry, "0") != 0) {
        reply_fail(r, DNSAPI_EINVAL, "out_of_range", "dry_run", "dry_run must be true or false");
        return NULL;
    }
    b->dry_run = dry != NULL && (strcmp(dry, "true") == 0 || strcmp(dry, "1") == 0);
    return b;
}

/* Round 1: BEGIN, token, zone lock, the key's claim, then last (the
 * statement that loads the records the entries name). */
static void load_round(api_req_t *r, batch_t *b, db_stmt_t last)
{
    db_stmt_t stmts[5];
    size_t k = 0;
    stmts[k++] = (db_stmt_t){"begin", 0, {NULL}};
    stmts[k++] = api_stmt_token_check(r);
    stmts[k++] = (db_stmt_t){"zone_lock", 2, {r->token.account_id, r->zone_key}};
    if (!b->dry_run && idem_claim_stmt(r, &stmts[k])) {
        k++;
    }
    stmts[k++] = last;
    api_db_run(r, stmts, k, on_loaded);
}

static int parse_item(api_req_t *r, bitem_t *it, dnsapi_err_t *err)
{
    static const char *const del_fields[] = {"id", NULL};
    static const char *const patch_fields[] = {"id",       "content", "ttl", "priority",
                                               "disabled", "comment", NULL};
    static const char *const patch_immutable[] = {"name", "type", NULL};
    static const char *const post_fields[] = {"name",     "type",     "content", "ttl",
                                              "priority", "disabled", "comment", NULL};
    if (!json_is_object(it->obj)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "",
                              "each entry must be a JSON object");
    }
    rec_init(&it->rec);
    if (it->kind == B_POST) {
        if (view_body_check_fields(it->obj, post_fields, NULL, err) != DNSAPI_OK ||
            rec_fields_parse(it->obj, &it->rec, err) != DNSAPI_OK) {
            return err->status;
        }
        return rec_post_prepare(r, it->obj, &it->rec, err);
    }
    const char *const *allowed = it->kind == B_DELETE ? del_fields : patch_fields;
    if (view_body_check_fields(it->obj, allowed, it->kind == B_PATCH ? patch_immutable : NULL,
                               err) != DNSAPI_OK ||
        view_body_string(it->obj, "id", true, false, &it->id, err) < 0) {
        return err->status;
    }
    if (!api_is_uuid(it->id)) {
        return dnsapi_err_set(err, DNSAPI_ENOTFOUND, NULL, "id", "no record %.64s in zone %s",
                              it->id, r->zone_name);
    }
    if (it->kind == B_PATCH) {
        return rec_fields_parse(it->obj, &it->rec, err);
    }
    return DNSAPI_OK;
}

static void batch_resolved(api_req_t *r)
{
    batch_t *b = r->state;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    static const char *const lists[] = {"deletes", "patches", "posts", NULL};
    if (view_body_check_fields(r->body, lists, NULL, &err) != DNSAPI_OK) {
        reply_error(r, &err);
        return;
    }
    size_t total = 0;
    for (int k = 0; k < 3; k++) {
        json_t *arr = json_object_get(r->body, kind_list[k]);
        if (arr != NULL && !json_is_array(arr) && !json_is_null(arr)) {
            reply_fail(r, DNSAPI_EINVAL, "wrong_type", kind_list[k], "%s must be an array",
                       kind_list[k]);
            return;
        }
        total += json_is_array(arr) ? json_array_size(arr) : 0;
    }
    if (total == 0 || total > BATCH_MAX) {
        reply_fail(r, DNSAPI_EINVAL, total == 0 ? "missing_field" : "too_long", "posts",
                   "a batch holds 1 to %d entries in deletes, patches and posts", BATCH_MAX);
        return;
    }
    b->items = calloc(total, sizeof(*b->items));
    if (b->items == NULL) {
        reply_fail(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    for (int k = 0; k < 3; k++) {
        json_t *arr = json_object_get(r->body, kind_list[k]);
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v)
        {
            bitem_t *it = &b->items[b->n++];
            it->kind = (bkind_t)k;
            it->index = i;
            it->obj = v;
            b->n_kind[k]++;
            if (parse_item(r, it, &err) != DNSAPI_OK) {
                reply_item_error(r, it, &err);
                return;
            }
            for (size_t j = 0; j + 1 < b->n && it->kind != B_POST; j++) {
                if (b->items[j].kind != B_POST && strcmp(b->items[j].id, it->id) == 0) {
                    dnsapi_err_set(&err, DNSAPI_EINVAL, "duplicate_id", "id",
                                   "record %s is already named by %s[%zu]; name each record "
                                   "once per batch",
                                   it->id, kind_list[b->items[j].kind], b->items[j].index);
                    reply_item_error(r, it, &err);
                    return;
                }
            }
        }
    }
    /* round 1 */
    view_buf_t ids = {0};
    view_buf_add(&ids, "{", 1);
    for (size_t i = 0; i < b->n; i++) {
        if (b->items[i].kind != B_POST) {
            abuf_elem(&ids, b->items[i].id);
        }
    }
    const char *lids = abuf_keep(b, &ids);
    if (lids == NULL) {
        reply_fail(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    load_round(r, b, (db_stmt_t){"records_by_ids", 3, {r->token.account_id, r->zone_key, lids}});
}

void handle_record_batch(api_req_t *r)
{
    if (batch_begin(r) != NULL) {
        api_zone_resolve(r, batch_resolved);
    }
}

/* ---- POST /v1/zones/{zone}/import ---- */

/* A record of the file as one line of text, for data.skipped. */
static json_t *zf_line(const dns_zf_record_t *zr)
{
    char *s = NULL;
    json_t *v = NULL;
    if (asprintf(&s, "%s %u IN %s %s", zr->owner, zr->ttl, zr->type, zr->rdata) >= 0) {
        v = json_string(s);
    }
    free(s);
    return v != NULL ? v : json_string("?");
}

/* One record of the file into rec: the same normalization as a POST. */
static int import_rec(api_req_t *r, dns_zf_t *zf, const dns_zf_record_t *zr, rec_t *rec,
                      dnsapi_err_t *err)
{
    const dnsapi_config_t *cfg = r->thread->cfg;
    int rc;
    rec_init(rec);
    if ((rc = dns_type_normalize(zr->type, rec->type, sizeof(rec->type), err)) == DNSAPI_OK &&
        (rc = dns_name_normalize(r->zone_name, zr->owner, rec->name, sizeof(rec->name), err)) ==
            DNSAPI_OK &&
        (rc = dns_rules_check_system(r->zone_name, rec->name, rec->type, err)) == DNSAPI_OK) {
        int prio = -1;
        /* names in a master file's data are relative to $ORIGIN; unquoted
         * TXT words are character-strings each */
        const char *rdata = zr->rdata_absolute != NULL           ? zr->rdata_absolute
                            : strcmp(rec->type, "TXT") == 0 ? dns_zf_rdata_quoted(zf)
                                                            : zr->rdata;
        rc = dns_rdata_normalize(r->zone_name, rec->type, rdata, -1, rec->content,
                                 sizeof(rec->content), &prio, err);
        rec->priority = prio;
        rec->ttl = zr->ttl_unknown ? dns_type_default_ttl(rec->type) : zr->ttl;
        if (rc == DNSAPI_OK) {
            rc = dns_rules_check_ttl((uint32_t)rec->ttl, cfg->ttl_min, cfg->ttl_max, err);
        }
    }
    return rc;
}

/* Reads the master file in the body, record by record (dns/zonefile.c),
 * into b->parsed and b->skipped. */
static int import_parse(api_req_t *r, batch_t *b, dnsapi_err_t *err, size_t *bad)
{
    h2o_req_t *req = r->req;
    dns_zf_t *zf = NULL;
    int rc = dns_zf_open(&zf, req->entity.base, req->entity.len, r->zone_name, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    b->skipped = json_array();
    size_t cap = 0;
    dns_zf_record_t zr;
    for (;;) {
        rc = dns_zf_next(zf, &zr, err);
        if (rc <= 0) {
            break;
        }
        if (b->n_parsed == IMPORT_MAX) {
            rc = dnsapi_err_set(err, DNSAPI_EINVAL, "too_long", "body",
                                "a master file of at most %d records can be imported at once; "
                                "split it",
                                IMPORT_MAX);
            break;
        }
        if (b->n_parsed == cap) {
            size_t ncap = cap != 0 ? cap * 2 : 64;
            rec_t *p = realloc(b->parsed, ncap * sizeof(*p));
            if (p == NULL) {
                rc = dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
                break;
            }
            b->parsed = p;
            cap = ncap;
        }
        if (strcmp(zr.type, "SOA") == 0) {
            json_array_append_new(b->skipped, zf_line(&zr));
            continue;
        }
        rec_t *rec = &b->parsed[b->n_parsed];
        if ((rc = import_rec(r, zf, &zr, rec, err)) == DNSAPI_ESYSTEM) {
            /* the SOA and the apex NS set stay dnsapi's */
            json_array_append_new(b->skipped, zf_line(&zr));
            dnsapi_err_clear(err);
            continue;
        }
        if (rc != DNSAPI_OK) {
            char msg[sizeof(err->message) + 16];
            int n = snprintf(msg, sizeof(msg), "line %u: %s", zr.line, err->message);
            if (n > 0) {
                memcpy(err->message, msg, sizeof(err->message) - 1);
                err->message[sizeof(err->message) - 1] = '\0';
            }
            *bad = b->n_parsed;
            break;
        }
        b->n_parsed++;
    }
    dns_zf_close(zf);
    return rc < 0 ? rc : DNSAPI_OK;
}

/* A record's identity (what makes two records duplicates) and where it is. */
typedef struct {
    const char *name, *type, *content;
    int priority;
    size_t at; /* row in b->old, or index in b->parsed */
} ikey_t;

static int cmp_ikey(const void *x, const void *y)
{
    const ikey_t *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    if (c == 0) {
        c = strcmp(a->type, b->type);
    }
    if (c == 0) {
        c = strcmp(a->content, b->content);
    }
    if (c == 0) {
        c = (a->priority > b->priority) - (a->priority < b->priority);
    }
    if (c == 0) {
        c = (a->at > b->at) - (a->at < b->at); /* first in the file first */
    }
    return c;
}

static int cmp_ikey_identity(const void *x, const void *y)
{
    ikey_t a = *(const ikey_t *)x, b = *(const ikey_t *)y;
    a.at = b.at = 0;
    return cmp_ikey(&a, &b);
}

/* With every record of the zone in b->old: what the file adds, changes
 * (the TTL of a record it also has), leaves and, with mode=replace,
 * deletes - as batch entries. Answers the error itself. */
static int import_plan(api_req_t *r, batch_t *b)
{
    size_t nold = (size_t)PQntuples(b->old), np = b->n_parsed;
    ikey_t *old = calloc(nold + 1, sizeof(*old)), *file = calloc(np + 1, sizeof(*file));
    bool *matched = calloc(nold + 1, sizeof(*matched)), *dup = calloc(np + 1, sizeof(*dup));
    b->items = calloc(np + nold + 1, sizeof(*b->items));
    bitem_t *patches = calloc(np + 1, sizeof(*patches)), *posts = calloc(np + 1, sizeof(*posts));
    int rc = DNSAPI_OK;
    if (old == NULL || file == NULL || matched == NULL || dup == NULL || b->items == NULL ||
        patches == NULL || posts == NULL) {
        reply_fail(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        rc = DNSAPI_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < nold; k++) {
        int row = (int)k;
        old[k] = (ikey_t){PQgetvalue(b->old, row, 1), PQgetvalue(b->old, row, 2),
                          PQgetvalue(b->old, row, 3),
                          PQgetisnull(b->old, row, 5) ? -1 : atoi(PQgetvalue(b->old, row, 5)), k};
    }
    qsort(old, nold, sizeof(*old), cmp_ikey);
    for (size_t i = 0; i < np; i++) {
        const rec_t *rec = &b->parsed[i];
        file[i] = (ikey_t){rec->name, rec->type, rec->content, rec->priority, i};
    }
    qsort(file, np, sizeof(*file), cmp_ikey);
    for (size_t i = 1; i < np; i++) { /* the same record twice in the file counts once */
        if (cmp_ikey_identity(&file[i - 1], &file[i]) == 0) {
            dup[file[i].at] = true;
        }
    }
    size_t npatch = 0, npost = 0;
    for (size_t i = 0; i < np; i++) {
        const rec_t *rec = &b->parsed[i];
        if (dup[i]) {
            b->n_unchanged++;
            continue;
        }
        ikey_t key = {rec->name, rec->type, rec->content, rec->priority, 0};
        const ikey_t *hit = bsearch(&key, old, nold, sizeof(*old), cmp_ikey_identity);
        if (hit == NULL) {
            bitem_t *it = &posts[npost++];
            it->kind = B_POST;
            it->index = i;
            it->rec = *rec;
            continue;
        }
        int row = (int)hit->at;
        matched[hit->at] = true;
        if (strtoll(PQgetvalue(b->old, row, 4), NULL, 10) == rec->ttl) {
            b->n_unchanged++;
            continue;
        }
        bitem_t *it = &patches[npatch];
        it->kind = B_PATCH;
        it->index = npatch++;
        it->id = PQgetvalue(b->old, row, 0);
        it->old_row = row;
        rec_init(&it->rec);
        it->rec.has_ttl = true;
        it->rec.ttl = rec->ttl;
    }
    /* deletes first, then patches, then posts, as a batch applies them */
    for (size_t k = 0; b->replace && k < nold; k++) {
        int row = (int)k;
        const char *name = PQgetvalue(b->old, row, 1), *type = PQgetvalue(b->old, row, 2);
        if (matched[k] || PQgetvalue(b->old, row, 7)[0] == 't' ||
            dns_rules_check_system(r->zone_name, name, type, NULL) != DNSAPI_OK) {
            continue;
        }
        bitem_t *it = &b->items[b->n++];
        it->kind = B_DELETE;
        it->index = b->n_kind[B_DELETE]++;
        it->id = PQgetvalue(b->old, row, 0);
        it->old_row = row;
    }
    for (size_t i = 0; i < npatch; i++) {
        b->items[b->n++] = patches[i];
        b->n_kind[B_PATCH]++;
    }
    for (size_t i = 0; i < npost; i++) {
        b->items[b->n++] = posts[i];
        b->n_kind[B_POST]++;
    }
done:
    free(old);
    free(file);
    free(matched);
    free(dup);
    free(patches);
    free(posts);
    return rc;
}

static void import_resolved(api_req_t *r)
{
    batch_t *b = r->state;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    size_t bad = 0;
    int rc = import_parse(r, b, &err, &bad);
    if (rc != DNSAPI_OK) {
        if (strcmp(err.field, "body") == 0 || rc == DNSAPI_ENOMEM) {
            reply_error(r, &err);
        } else {
            bitem_t it = {.kind = B_POST, .index = bad};
            reply_item_error(r, &it, &err);
        }
        return;
    }
    load_round(r, b, (db_stmt_t){"zone_records", 2, {r->token.account_id, r->zone_key}});
}

void handle_zone_import(api_req_t *r)
{
    batch_t *b = batch_begin(r);
    if (b == NULL) {
        return;
    }
    b->import = true;
    const char *mode = api_query_get(r, "mode");
    if (mode != NULL && strcmp(mode, "merge") != 0 && strcmp(mode, "replace") != 0) {
        reply_fail(r, DNSAPI_EINVAL, "out_of_range", "mode", "mode must be merge or replace");
        return;
    }
    b->replace = mode != NULL && strcmp(mode, "replace") == 0;
    api_zone_resolve(r, import_resolved);
}
