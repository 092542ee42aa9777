/*
 * POST /v1/zones/{zone}/import - load a master file, all or nothing, one
 * serial step. ?mode=merge (default) adds what the zone lacks and updates
 * TTLs; ?mode=replace also deletes what the file lacks (never the SOA or
 * the apex NS set); ?dry_run=true checks and shows the result;
 * ?on_unsupported=skip imports the rest when a record's type is not
 * supported and lists it.
 *
 * 1. input: token with records:write, {zone}, a text/dns body (sized by
 *    DNSAPI_MAX_IMPORT_BODY, so any zone dnsapi exports comes back);
 * 2. build: the file read record by record (dns/zonefile.c - never ldns's
 *    whole-file reader, see there), each record normalized like a POST;
 *    the SOA, the apex NS set and DNSSEC records the signer owns are
 *    skipped and listed; every problem is reported, up to 1000, with its
 *    line;
 * 3. plan: with every stored record loaded, what the file adds, changes
 *    (a TTL), leaves and (replace) deletes, as one change;
 * 4. the write path (api/write.c): the rules on the zone as it will be,
 *    one write;
 * 5. answer: 200 {added, deleted, updated, unchanged, skipped, serial,
 *    dry_run?, warnings?}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/view.h"
#include "api/write.h"
#include "dns/dns.h"
#include "dns/zonefile.h"

#define IMPORT_MAX 20000 /* records in one file */
#define IMPORT_ERRORS 1000

/* A record of the file that is to be imported. */
typedef struct {
    dns_fields_t fields;
    dns_record_t rec;
    size_t index; /* its place among the file's records */
    unsigned line;
    bool dup; /* the same record earlier in the file */
    /* what reading its content warned of, in the change's arena; NULL for
     * none (most records: a copy in each would be a kilobyte a record) */
    const dns_record_warnings_t *warnings;
} parsed_t;

typedef struct {
    bool replace, skip_unsupported;
    parsed_t *parsed;
    size_t n_parsed, cap_parsed;
    json_t *skipped;
    size_t unchanged;
    bool file_soa, file_apex_ns;
    char soa_timers[128]; /* the file's SOA refresh..minimum */
    dns_names_t apex_ns;  /* the file's apex NS targets */
    arena_t arena;        /* error entries */
} import_t;

static void import_free(void *p)
{
    import_t *im = p;
    if (im == NULL) {
        return;
    }
    free(im->parsed);
    json_decref(im->skipped);
    dns_names_clear(&im->apex_ns);
    arena_clear(&im->arena);
    free(im);
}

static void skip(import_t *im, const dns_zf_record_t *zr, const char *code, const char *reason)
{
    json_t *o = json_object();
    char *line = NULL;
    json_t *text = NULL;
    if (asprintf(&line, "%s %u IN %s %s", zr->owner, zr->ttl, zr->type, zr->rdata) >= 0) {
        text = json_string(line);
    }
    free(line);
    json_object_set_new(o, "line", json_integer(zr->line));
    json_object_set_new(o, "record", text != NULL ? text : json_string("?"));
    json_object_set_new(o, "code", json_string(code));
    json_t *why = json_string(reason);
    json_object_set_new(o, "reason", why != NULL ? why : json_string("?"));
    json_array_append_new(im->skipped, o);
}

/* An entry of the file for an error: not an operation of the change. */
static dns_op_t *entry(import_t *im, size_t index, unsigned line)
{
    dns_op_t *op = arena_alloc(&im->arena, sizeof(*op));
    if (op != NULL) {
        memset(op, 0, sizeof(*op));
        op->kind = DNS_OP_POST;
        op->list = "records";
        op->index = index;
        op->line = line;
    }
    return op;
}

/* The SOA and apex NS of the file, to say whether dnsapi's own replace
 * them. */
static void note_system(import_t *im, const char *zone, const dns_zf_record_t *zr,
                        const dns_fields_t *f)
{
    if (strcmp(zr->type, "SOA") == 0) {
        im->file_soa = true;
        /* the last four words: retry, expire, minimum, and refresh before */
        const char *s = f->content;
        for (int words = 0; s != NULL && words < 3; words++) {
            s = strchr(s, ' ');
            s = s != NULL ? s + 1 : NULL;
        }
        snprintf(im->soa_timers, sizeof(im->soa_timers), "%s", s != NULL ? s : "");
        return;
    }
    char target[DNS_NAME_BUFSIZE];
    dnsapi_err_t err;
    if (dns_rdata_normalize(zone, "NS", f->content, -1, target, sizeof(target), &(int){0}, &err) ==
        DNSAPI_OK) {
        im->file_apex_ns = true;
        dns_names_add(&im->apex_ns, &im->arena, target);
    }
}

static int parsed_push(import_t *im, const parsed_t *p)
{
    if (im->n_parsed == im->cap_parsed) {
        size_t cap = im->cap_parsed != 0 ? im->cap_parsed * 2 : 256;
        parsed_t *v = realloc(im->parsed, cap * sizeof(*v));
        if (v == NULL) {
            return DNSAPI_ENOMEM;
        }
        im->parsed = v;
        im->cap_parsed = cap;
    }
    im->parsed[im->n_parsed++] = *p;
    return DNSAPI_OK;
}

static int build(api_write_t *w)
{
    import_t *im = w->data;
    h2o_req_t *req = w->r->req;
    const char *zone = w->change.zone;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    dns_zf_t *zf = NULL;
    int rc = dns_zf_open(&zf, req->entity.base, req->entity.len, zone, &err);
    if (rc != DNSAPI_OK) {
        return dns_report_error(&w->report, NULL, &err);
    }
    dns_zf_record_t zr;
    size_t index = 0;
    for (;;) {
        dnsapi_err_clear(&err);
        rc = dns_zf_next(zf, &zr, &err);
        if (rc == 0 || rc == DNSAPI_ENOMEM) {
            break;
        }
        if (rc < 0) {
            dns_report_error(&w->report, NULL, &err);
            continue;
        }
        size_t i = index++;
        if (i >= IMPORT_MAX) {
            dnsapi_err_set(&err, DNSAPI_EINVAL, "too_long", "body",
                           "a master file of at most %d records can be imported at once; split "
                           "it",
                           IMPORT_MAX);
            dns_report_error(&w->report, NULL, &err);
            break;
        }
        parsed_t p;
        memset(&p, 0, sizeof(p));
        p.index = i;
        p.line = zr.line;
        dns_zf_fields(zf, &zr, &p.fields);
        dns_type_kind_t kind = dns_type_kind(zr.type);
        if (kind == DNS_TYPE_SIGNER) {
            skip(im, &zr, dns_type_kind_code(kind),
                 "DNSSEC records are made by the signer of the zone; sign the zone on the name "
                 "servers after it is imported");
            continue;
        }
        char name[DNS_NAME_BUFSIZE];
        if (dns_name_normalize(zone, zr.owner, name, sizeof(name), NULL) == DNSAPI_OK &&
            dns_record_is_system_kind(zone, name, zr.type)) {
            note_system(im, zone, &zr, &p.fields);
            skip(im, &zr, "system_record",
                 strcmp(zr.type, "SOA") == 0
                     ? "the SOA is dnsapi's: its serial rises with every change"
                     : "the apex NS set is dnsapi's: change it with PUT "
                       "/v1/zones/{zone}/nameservers");
            continue;
        }
        dns_record_warnings_t warned = {.n = 0};
        rc = dns_record_from_fields(zone, &p.fields, &w->change.arena, &p.rec, &warned, &err);
        if (rc == DNSAPI_ENOMEM) {
            break;
        }
        p.warnings = NULL;
        if (rc == DNSAPI_OK && warned.n > 0) {
            dns_record_warnings_t *kept = arena_alloc(&w->change.arena, sizeof(*kept));
            if (kept == NULL) {
                rc = DNSAPI_ENOMEM;
                break;
            }
            *kept = warned;
            p.warnings = kept;
        }
        if (rc != DNSAPI_OK) {
            if (im->skip_unsupported && kind != DNS_TYPE_SUPPORTED) {
                skip(im, &zr, dns_type_kind_code(kind), err.message);
                continue;
            }
            dns_report_error(&w->report, entry(im, i, zr.line), &err);
            continue;
        }
        /* the strings of fields belong to the reader: keep copies */
        p.fields.name = p.rec.name;
        p.fields.type = p.rec.type;
        p.fields.content = p.rec.content;
        if ((rc = parsed_push(im, &p)) != DNSAPI_OK) {
            break;
        }
    }
    dns_zf_close(zf);
    return rc == DNSAPI_ENOMEM ? DNSAPI_ENOMEM : DNSAPI_OK;
}

/* A record's identity: what makes two records duplicates. */
static int cmp_identity(const dns_record_t *a, const dns_record_t *b)
{
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
    return c;
}

static int cmp_stored(const void *x, const void *y)
{
    return cmp_identity(*(const dns_record_t *const *)x, *(const dns_record_t *const *)y);
}

static int cmp_parsed(const void *x, const void *y)
{
    const parsed_t *a = *(const parsed_t *const *)x, *b = *(const parsed_t *const *)y;
    int c = cmp_identity(&a->rec, &b->rec);
    return c != 0 ? c : (a->index > b->index) - (a->index < b->index);
}

/* True when the file (sorted by identity) holds a record like r. */
static bool file_has(parsed_t *const *file, size_t n, const dns_record_t *r)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_identity(&file[mid]->rec, r) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && cmp_identity(&file[lo]->rec, r) == 0;
}

/* Warnings when dnsapi's SOA timers or apex NS set replace the file's. */
static void system_warnings(api_write_t *w, const dns_record_t *const *rows, size_t n)
{
    import_t *im = w->data;
    dns_names_t ours = {0};
    const char *timers = NULL;
    for (size_t i = 0; i < n; i++) {
        const dns_record_t *r = rows[i];
        if (strcmp(r->type, "NS") == 0 && strcmp(r->name, w->change.zone) == 0) {
            dns_names_add(&ours, &im->arena, r->content);
        } else if (strcmp(r->type, "SOA") == 0) {
            timers = r->content;
            for (int words = 0; timers != NULL && words < 3; words++) {
                timers = strchr(timers, ' ');
                timers = timers != NULL ? timers + 1 : NULL;
            }
        }
    }
    if (im->file_soa && timers != NULL && strcmp(timers, im->soa_timers) != 0) {
        dns_report_warning(
            &w->report, "soa_replaced",
            "The file's SOA (refresh, retry, expire, minimum %s) was not imported: the zone "
            "keeps dnsapi's SOA (timers %s).",
            im->soa_timers, timers);
    }
    bool same = im->apex_ns.n == ours.n;
    for (size_t i = 0; same && i < ours.n; i++) {
        same = strcmp(ours.v[i], im->apex_ns.v[i]) == 0;
    }
    if (im->file_apex_ns && !same) {
        dns_report_warning(&w->report, "apex_ns_replaced",
                           "The file's apex NS records were not imported: the zone keeps its "
                           "name servers (change them with PUT /v1/zones/{zone}/nameservers).");
    }
    dns_names_clear(&ours);
}

static int plan(api_write_t *w)
{
    import_t *im = w->data;
    const dns_record_t *const *all;
    size_t n = dns_view_stored(w->view, &all);
    const dns_record_t **stored = calloc(n + 1, sizeof(*stored));
    parsed_t **file = calloc(im->n_parsed + 1, sizeof(*file));
    int rc = DNSAPI_OK;
    if (stored == NULL || file == NULL) {
        rc = DNSAPI_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        stored[i] = all[i];
    }
    qsort(stored, n, sizeof(*stored), cmp_stored);
    for (size_t i = 0; i < im->n_parsed; i++) {
        file[i] = &im->parsed[i];
    }
    qsort(file, im->n_parsed, sizeof(*file), cmp_parsed);
    for (size_t i = 1; i < im->n_parsed; i++) {
        file[i]->dup = cmp_identity(&file[i - 1]->rec, &file[i]->rec) == 0;
    }
    /* deletes first, then patches, then posts, as a batch applies them */
    for (size_t i = 0; im->replace && i < n; i++) {
        const dns_record_t *r = all[i];
        if (r->system || dns_record_is_system_kind(w->change.zone, r->name, r->type) ||
            file_has(file, im->n_parsed, r)) {
            continue;
        }
        dns_op_t *op = dns_change_add(&w->change, DNS_OP_DELETE, NULL, 0);
        if (op == NULL) {
            rc = DNSAPI_ENOMEM;
            goto done;
        }
        /* rows live only during this call: the change keeps a copy */
        op->id = arena_strdup(&w->change.arena, r->id);
        if (op->id == NULL) {
            rc = DNSAPI_ENOMEM;
            goto done;
        }
    }
    for (size_t i = 0; i < im->n_parsed; i++) {
        parsed_t *p = &im->parsed[i];
        if (p->dup) {
            im->unchanged++;
            continue;
        }
        const dns_record_t *key = &p->rec;
        const dns_record_t **hit = bsearch(&key, stored, n, sizeof(*stored), cmp_stored);
        if (hit != NULL && (!p->fields.has_ttl || (*hit)->ttl == p->rec.ttl)) {
            im->unchanged++;
            continue;
        }
        dns_op_t *op = dns_change_add(&w->change, hit != NULL ? DNS_OP_PATCH : DNS_OP_POST,
                                      "records", p->index);
        if (op == NULL) {
            rc = DNSAPI_ENOMEM;
            goto done;
        }
        op->line = p->line;
        if (hit != NULL) {
            op->id = arena_strdup(&w->change.arena, (*hit)->id);
            if (op->id == NULL) {
                rc = DNSAPI_ENOMEM;
                goto done;
            }
            op->fields.has_ttl = true;
            op->fields.ttl = p->rec.ttl;
        } else {
            op->fields = p->fields;
            op->rec = p->rec;
            if (p->warnings != NULL) {
                op->warnings = *p->warnings;
            }
        }
    }
    system_warnings(w, all, n);
done:
    free(stored);
    free(file);
    return rc;
}

static void answer(api_write_t *w, const store_written_t *res)
{
    import_t *im = w->data;
    json_t *d = json_object();
    json_object_set_new(d, "added", json_integer(res != NULL ? (json_int_t)res->n_created : 0));
    json_object_set_new(d, "deleted", json_integer(res != NULL ? (json_int_t)res->n_deleted : 0));
    json_object_set_new(d, "updated", json_integer(res != NULL ? (json_int_t)res->n_updated : 0));
    json_object_set_new(d, "unchanged", json_integer((json_int_t)im->unchanged));
    json_object_set_new(d, "skipped", json_incref(im->skipped));
    json_object_set_new(d, "serial", json_integer(res != NULL ? res->serial : w->zone_serial));
    api_write_answer(w, 200, d);
}

void handle_zone_import(api_req_t *r)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    api_write_t *w = api_write_new(r, IMPORT_ERRORS);
    import_t *im = calloc(1, sizeof(*im));
    if (im == NULL) {
        abort();
    }
    arena_init(&im->arena);
    im->skipped = json_array();
    w->data = im;
    w->data_free = import_free;
    const char *mode = api_query_get(r, "mode");
    const char *unsupported = api_query_get(r, "on_unsupported");
    if (api_query_bool(r, "dry_run", &w->dry_run, &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    if (mode != NULL && strcmp(mode, "merge") != 0 && strcmp(mode, "replace") != 0) {
        api_failf(r, DNSAPI_EINVAL, "out_of_range", "mode", "mode must be merge or replace");
        return;
    }
    if (unsupported != NULL && strcmp(unsupported, "fail") != 0 &&
        strcmp(unsupported, "skip") != 0) {
        api_failf(r, DNSAPI_EINVAL, "out_of_range", "on_unsupported",
                  "on_unsupported must be fail or skip");
        return;
    }
    im->replace = mode != NULL && strcmp(mode, "replace") == 0;
    im->skip_unsupported = unsupported != NULL && strcmp(unsupported, "skip") == 0;
    w->load_all = true;
    w->keep_going = true; /* every problem of the file at once */
    w->build = build;
    w->plan = plan;
    w->answer = answer;
    api_write_start(w);
}
