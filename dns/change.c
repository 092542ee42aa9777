/*
 * change.c - changes, name sets, the view of a zone after a change, and
 * reports (see change.h).
 *
 * The view keeps the stored records it was given (copies, in its arena)
 * and, once bound to a change, the zone as it will be: one array of every
 * live record sorted by owner name and one of the NS records sorted by
 * target, so "the records at this name" and "the NS records pointing here"
 * are binary searches over contiguous ranges, whatever their size.
 */
#include "dns/change.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/dns.h"

/* ---- changes --------------------------------------------------------- */

int dns_change_init(dns_change_t *c, const char *zone)
{
    memset(c, 0, sizeof(*c));
    arena_init(&c->arena);
    c->zone = arena_strdup(&c->arena, zone);
    return c->zone != NULL ? DNSAPI_OK : DNSAPI_ENOMEM;
}

void dns_change_clear(dns_change_t *c)
{
    free(c->ops);
    arena_clear(&c->arena);
    memset(c, 0, sizeof(*c));
}

dns_op_t *dns_change_add(dns_change_t *c, dns_op_kind_t kind, const char *list, size_t index)
{
    if (c->n == c->cap) {
        size_t cap = c->cap != 0 ? c->cap * 2 : 8;
        dns_op_t *ops = realloc(c->ops, cap * sizeof(*ops));
        if (ops == NULL) {
            return NULL;
        }
        c->ops = ops;
        c->cap = cap;
    }
    dns_op_t *op = &c->ops[c->n++];
    memset(op, 0, sizeof(*op));
    op->kind = kind;
    op->list = list;
    op->index = index;
    op->rec.priority = -1;
    return op;
}

size_t dns_change_count(const dns_change_t *c, unsigned mask)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) {
        n += (c->ops[i].kind & mask) != 0;
    }
    return n;
}

bool dns_change_moves_delegation(const dns_change_t *c, const char *const *apex_ns, size_t n)
{
    if (c->nameservers) {
        return true;
    }
    for (size_t i = 0; i < c->n; i++) {
        const dns_op_t *op = &c->ops[i];
        const dns_record_t *r = op->kind == DNS_OP_POST ? &op->rec : op->old;
        if (r == NULL || r->type == NULL ||
            (strcmp(r->type, "A") != 0 && strcmp(r->type, "AAAA") != 0)) {
            continue;
        }
        if (apex_ns == NULL) {
            return true;
        }
        /* only the addresses of the zone's own name servers are glue */
        for (size_t k = 0; k < n; k++) {
            if (strcmp(apex_ns[k], r->name) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* ---- name sets ------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted insert; sets stay small (a batch is at most 1,000 entries, and an
 * import loads the whole zone instead of naming names). */
int dns_names_add(dns_names_t *s, arena_t *a, const char *name)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->v[mid], name);
        if (c == 0) {
            return DNSAPI_OK;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (s->n == s->cap) {
        size_t cap = s->cap != 0 ? s->cap * 2 : 16;
        const char **v = realloc(s->v, cap * sizeof(*v));
        if (v == NULL) {
            return DNSAPI_ENOMEM;
        }
        s->v = v;
        s->cap = cap;
    }
    const char *copy = arena_strdup(a, name);
    if (copy == NULL) {
        return DNSAPI_ENOMEM;
    }
    memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof(*s->v));
    s->v[lo] = copy;
    s->n++;
    return DNSAPI_OK;
}

bool dns_names_has(const dns_names_t *s, const char *name)
{
    return s->n > 0 && bsearch(&name, s->v, s->n, sizeof(*s->v), cmp_str) != NULL;
}

void dns_names_clear(dns_names_t *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

void dns_interest_clear(dns_interest_t *in)
{
    dns_names_clear(&in->at);
    dns_names_clear(&in->pointing);
    dns_names_clear(&in->below);
}

/* The labels of a presentation-format name end at dots that are not
 * escaped: returns the position after the first label's dot, or NULL. */
static const char *next_label(const char *name)
{
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
        } else if (*p == '.') {
            return p + 1;
        }
    }
    return NULL;
}

size_t dns_name_parents(const char *zone, const char *name, const char **out, size_t max)
{
    size_t zlen = strlen(zone), n = 0;
    if (strcasecmp(name, zone) == 0 || !dns_name_is_at_or_below(name, zone)) {
        return 0;
    }
    for (const char *p = next_label(name); p != NULL && n < max; p = next_label(p)) {
        if (strlen(p) <= zlen) {
            break;
        }
        out[n++] = p;
    }
    return n;
}

/* ---- reports --------------------------------------------------------- */

void dns_report_init(dns_report_t *r, size_t max_errors)
{
    memset(r, 0, sizeof(*r));
    r->max_errors = max_errors > 0 ? max_errors : 1;
}

void dns_report_clear(dns_report_t *r)
{
    free(r->errors);
    size_t max = r->max_errors;
    memset(r, 0, sizeof(*r));
    r->max_errors = max;
}

void dns_report_merge(dns_report_t *dst, const dns_report_t *src)
{
    for (size_t i = 0; i < src->n_errors; i++) {
        dns_report_problem(dst, src->errors[i].op, &src->errors[i]);
    }
    dst->more_errors += src->more_errors;
    for (size_t i = 0; i < src->n_warnings; i++) {
        dns_report_warning(dst, src->warnings[i].code, "%s", src->warnings[i].message);
    }
}

bool dns_report_failed(const dns_report_t *r)
{
    return r->n_errors > 0;
}

int dns_report_error(dns_report_t *r, const dns_op_t *op, const dnsapi_err_t *err)
{
    dns_problem_t p;
    memset(&p, 0, sizeof(p));
    p.err = *err;
    p.expected_ttl = -1;
    return dns_report_problem(r, op, &p);
}

int dns_report_problem(dns_report_t *r, const dns_op_t *op, const dns_problem_t *src)
{
    const dnsapi_err_t *err = &src->err;
    if (r->n_errors >= r->max_errors) {
        r->more_errors++;
        return err->status;
    }
    if (r->n_errors == r->cap_errors) {
        size_t cap = r->cap_errors != 0 ? r->cap_errors * 2 : 4;
        if (cap > r->max_errors) {
            cap = r->max_errors;
        }
        dns_problem_t *e = realloc(r->errors, cap * sizeof(*e));
        if (e == NULL) {
            r->more_errors++;
            return err->status;
        }
        r->errors = e;
        r->cap_errors = cap;
    }
    dns_problem_t *p = &r->errors[r->n_errors++];
    *p = *src;
    p->op = op;
    return p->err.status;
}

void dns_report_warning(dns_report_t *r, const char *code, const char *fmt, ...)
{
    if (r->n_warnings >= DNS_REPORT_WARNINGS) {
        return;
    }
    dns_warning_t *w = &r->warnings[r->n_warnings];
    snprintf(w->code, sizeof(w->code), "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof(w->message), fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < r->n_warnings; i++) {
        if (strcmp(r->warnings[i].message, w->message) == 0) {
            return;
        }
    }
    r->n_warnings++;
}

/* ---- the view -------------------------------------------------------- */

/* A live record of the zone after the change, and the operation that
 * writes it (NULL for a stored record left as it is). */
typedef struct {
    const dns_record_t *rec;
    const dns_op_t *op;
} entry_t;

struct dns_view {
    char *zone;
    arena_t arena;
    dns_record_t **stored;
    size_t n_stored, cap_stored;
    bool stored_sorted;
    dns_interest_t covered;
    bool complete;
    /* after dns_view_bind */
    const dns_record_t **by_name;
    const dns_op_t **op_by_name;
    size_t n_by_name;
    const dns_record_t **ns_by_target;
    size_t n_ns;
};

dns_view_t *dns_view_new(const char *zone)
{
    dns_view_t *v = calloc(1, sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    arena_init(&v->arena);
    v->zone = arena_strdup(&v->arena, zone);
    if (v->zone == NULL) {
        free(v);
        return NULL;
    }
    return v;
}

void dns_view_free(dns_view_t *v)
{
    if (v == NULL) {
        return;
    }
    free(v->stored);
    free(v->by_name);
    free(v->op_by_name);
    free(v->ns_by_target);
    dns_interest_clear(&v->covered);
    arena_clear(&v->arena);
    free(v);
}

const char *dns_view_zone(const dns_view_t *v)
{
    return v->zone;
}

int dns_view_add(dns_view_t *v, const dns_record_t *rec)
{
    if (v->n_stored == v->cap_stored) {
        size_t cap = v->cap_stored != 0 ? v->cap_stored * 2 : 64;
        dns_record_t **s = realloc(v->stored, cap * sizeof(*s));
        if (s == NULL) {
            return DNSAPI_ENOMEM;
        }
        v->stored = s;
        v->cap_stored = cap;
    }
    dns_record_t *r = arena_alloc(&v->arena, sizeof(*r));
    if (r == NULL) {
        return DNSAPI_ENOMEM;
    }
    *r = *rec;
    r->id = arena_strdup(&v->arena, rec->id);
    r->name = arena_strdup(&v->arena, rec->name);
    r->type = arena_strdup(&v->arena, rec->type);
    r->content = arena_strdup(&v->arena, rec->content);
    r->comment = arena_strdup(&v->arena, rec->comment);
    r->managed_by = arena_strdup(&v->arena, rec->managed_by);
    r->created_at = arena_strdup(&v->arena, rec->created_at);
    r->updated_at = arena_strdup(&v->arena, rec->updated_at);
    if (r->id == NULL || r->name == NULL || r->type == NULL || r->content == NULL ||
        (rec->comment != NULL && r->comment == NULL) ||
        (rec->managed_by != NULL && r->managed_by == NULL)) {
        return DNSAPI_ENOMEM;
    }
    v->stored[v->n_stored++] = r;
    v->stored_sorted = false;
    return DNSAPI_OK;
}

int dns_view_covered(dns_view_t *v, const dns_interest_t *in, bool complete)
{
    v->complete = v->complete || complete;
    for (size_t i = 0; in != NULL && i < in->at.n; i++) {
        if (dns_names_add(&v->covered.at, &v->arena, in->at.v[i]) != DNSAPI_OK) {
            return DNSAPI_ENOMEM;
        }
    }
    for (size_t i = 0; in != NULL && i < in->pointing.n; i++) {
        if (dns_names_add(&v->covered.pointing, &v->arena, in->pointing.v[i]) != DNSAPI_OK) {
            return DNSAPI_ENOMEM;
        }
    }
    for (size_t i = 0; in != NULL && i < in->below.n; i++) {
        if (dns_names_add(&v->covered.below, &v->arena, in->below.v[i]) != DNSAPI_OK) {
            return DNSAPI_ENOMEM;
        }
    }
    return DNSAPI_OK;
}

static int cmp_stored_id(const void *a, const void *b)
{
    return strcmp((*(dns_record_t *const *)a)->id, (*(dns_record_t *const *)b)->id);
}

/* Sorts the stored records by id, each once. */
static void stored_sort(dns_view_t *v)
{
    if (v->stored_sorted) {
        return;
    }
    if (v->n_stored > 1) {
        qsort(v->stored, v->n_stored, sizeof(*v->stored), cmp_stored_id);
    }
    size_t k = 0;
    for (size_t i = 0; i < v->n_stored; i++) {
        if (k == 0 || strcmp(v->stored[k - 1]->id, v->stored[i]->id) != 0) {
            v->stored[k++] = v->stored[i];
        }
    }
    v->n_stored = k;
    v->stored_sorted = true;
}

static const dns_record_t *stored_find(const dns_view_t *v, const char *id)
{
    dns_record_t key = {.id = id}, *pkey = &key;
    dns_record_t **hit =
        v->n_stored > 0 ? bsearch(&pkey, v->stored, v->n_stored, sizeof(*v->stored), cmp_stored_id)
                        : NULL;
    return hit != NULL ? *hit : NULL;
}

int dns_view_covered_around(dns_view_t *v, const dns_change_t *c)
{
    stored_sort(v);
    for (size_t i = 0; i < c->n; i++) {
        const dns_record_t *r = c->ops[i].kind != DNS_OP_POST ? stored_find(v, c->ops[i].id) : NULL;
        if (r == NULL) {
            continue; /* not in the zone: dns_view_bind reports it */
        }
        if (dns_names_add(&v->covered.at, &v->arena, r->name) != DNSAPI_OK ||
            dns_names_add(&v->covered.pointing, &v->arena, r->name) != DNSAPI_OK) {
            return DNSAPI_ENOMEM;
        }
    }
    return DNSAPI_OK;
}

static bool str_equal_nullable(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool record_unchanged(const dns_record_t *a, const dns_record_t *b)
{
    return strcmp(a->content, b->content) == 0 && a->ttl == b->ttl && a->priority == b->priority &&
           a->disabled == b->disabled && str_equal_nullable(a->comment, b->comment);
}

static int cmp_entry_name(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    int c = strcmp(x->rec->name, y->rec->name);
    if (c == 0) {
        /* stored records first: a new record without a TTL joins theirs */
        c = (x->op != NULL && x->op->kind == DNS_OP_POST) -
            (y->op != NULL && y->op->kind == DNS_OP_POST);
    }
    return c;
}

static int cmp_ns_target(const void *a, const void *b)
{
    return strcmp((*(const dns_record_t *const *)a)->content,
                  (*(const dns_record_t *const *)b)->content);
}

/* Builds the zone as it will be from the stored records and the bound
 * operations of c. */
static int view_build(dns_view_t *v, const dns_change_t *c)
{
    size_t cap = v->n_stored + c->n + 1;
    entry_t *e = calloc(cap, sizeof(*e));
    bool *gone = calloc(v->n_stored + 1, sizeof(*gone));
    int rc = DNSAPI_OK;
    if (e == NULL || gone == NULL) {
        rc = DNSAPI_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < c->n; i++) {
        const dns_op_t *op = &c->ops[i];
        if (op->old != NULL) {
            dns_record_t key = {.id = op->old->id}, *pkey = &key;
            dns_record_t **hit =
                bsearch(&pkey, v->stored, v->n_stored, sizeof(*v->stored), cmp_stored_id);
            if (hit != NULL) {
                gone[hit - v->stored] = true;
            }
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < v->n_stored; i++) {
        if (!gone[i]) {
            e[n++] = (entry_t){v->stored[i], NULL};
        }
    }
    for (size_t i = 0; i < c->n; i++) {
        const dns_op_t *op = &c->ops[i];
        if (op->kind == DNS_OP_POST || (op->kind == DNS_OP_PATCH && op->old != NULL)) {
            e[n++] = (entry_t){&op->rec, op};
        }
    }
    qsort(e, n, sizeof(*e), cmp_entry_name);
    free(v->by_name);
    free(v->op_by_name);
    free(v->ns_by_target);
    v->by_name = calloc(n + 1, sizeof(*v->by_name));
    v->op_by_name = calloc(n + 1, sizeof(*v->op_by_name));
    v->ns_by_target = calloc(n + 1, sizeof(*v->ns_by_target));
    v->n_by_name = v->n_ns = 0;
    if (v->by_name == NULL || v->op_by_name == NULL || v->ns_by_target == NULL) {
        rc = DNSAPI_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        v->by_name[i] = e[i].rec;
        v->op_by_name[i] = e[i].op;
        if (strcmp(e[i].rec->type, "NS") == 0) {
            v->ns_by_target[v->n_ns++] = e[i].rec;
        }
    }
    v->n_by_name = n;
    qsort(v->ns_by_target, v->n_ns, sizeof(*v->ns_by_target), cmp_ns_target);
done:
    free(e);
    free(gone);
    return rc;
}

/* The first index of a sorted array of records whose key is not below
 * key. */
static size_t lower_bound(const dns_record_t *const *v, size_t n, const char *key, bool by_content)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = by_content ? v[mid]->content : v[mid]->name;
        if (strcmp(k, key) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

size_t dns_view_at(const dns_view_t *v, const char *name, const dns_record_t *const **out)
{
    assert(v->complete || dns_names_has(&v->covered.at, name));
    size_t i = lower_bound(v->by_name, v->n_by_name, name, false), k = i;
    while (k < v->n_by_name && strcmp(v->by_name[k]->name, name) == 0) {
        k++;
    }
    *out = v->by_name + i;
    return k - i;
}

size_t dns_view_ns_pointing(const dns_view_t *v, const char *name, const dns_record_t *const **out)
{
    assert(v->complete || dns_names_has(&v->covered.pointing, name));
    size_t i = lower_bound(v->ns_by_target, v->n_ns, name, true), k = i;
    while (k < v->n_ns && strcmp(v->ns_by_target[k]->content, name) == 0) {
        k++;
    }
    *out = v->ns_by_target + i;
    return k - i;
}

const dns_record_t *dns_view_below(const dns_view_t *v, const char *name)
{
    assert(v->complete || dns_names_has(&v->covered.below, name));
    for (size_t i = 0; i < v->n_by_name; i++) {
        const char *at = v->by_name[i]->name;
        if (strcmp(at, name) != 0 && dns_name_is_at_or_below(at, name)) {
            return v->by_name[i];
        }
    }
    return NULL;
}

const char *dns_view_delegation_above(const dns_view_t *v, const char *name)
{
    const char *parents[128];
    size_t n = dns_name_parents(v->zone, name, parents, 128);
    for (size_t i = 0; i < n; i++) {
        const dns_record_t *const *at;
        size_t m = dns_view_at(v, parents[i], &at);
        for (size_t k = 0; k < m; k++) {
            if (strcmp(at[k]->type, "NS") == 0) {
                return parents[i];
            }
        }
    }
    return NULL;
}

size_t dns_view_stored(dns_view_t *v, const dns_record_t *const **out)
{
    stored_sort(v);
    *out = (const dns_record_t *const *)v->stored;
    return v->n_stored;
}

size_t dns_view_all(const dns_view_t *v, const dns_record_t *const **out)
{
    *out = v->by_name;
    return v->n_by_name;
}

/* The TTL a record without one gets: its RRset's, else the type's
 * default. Stored records sort first at a name, so the RRset's TTL is the
 * stored one when there is one. */
static uint32_t rrset_ttl(const dns_view_t *v, const dns_op_t *self)
{
    const dns_record_t *const *at;
    size_t n = dns_view_at(v, self->rec.name, &at);
    size_t base = (size_t)(at - v->by_name);
    for (size_t i = 0; i < n; i++) {
        const dns_op_t *op = v->op_by_name[base + i];
        bool ttl_pending = op != NULL && op->kind == DNS_OP_POST && !op->fields.has_ttl;
        if (!ttl_pending && strcasecmp(at[i]->type, self->rec.type) == 0) {
            return at[i]->ttl;
        }
    }
    return dns_type_default_ttl(self->rec.type);
}

int dns_view_bind(dns_view_t *v, dns_change_t *c, dns_report_t *rep)
{
    dnsapi_err_t err;
    int first = DNSAPI_OK;
    stored_sort(v);
    for (size_t i = 0; i < c->n; i++) {
        dns_op_t *op = &c->ops[i];
        if (op->kind == DNS_OP_POST) {
            continue;
        }
        op->old = stored_find(v, op->id);
        if (op->old == NULL) {
            dnsapi_err_set(&err, DNSAPI_ENOTFOUND, NULL, "id", "no record %s in zone %s", op->id,
                           c->zone);
            int rc = dns_report_error(rep, op, &err);
            first = first != DNSAPI_OK ? first : rc;
            continue;
        }
        if (op->kind != DNS_OP_PATCH) {
            continue;
        }
        if (op->old->system || dns_record_is_system_kind(c->zone, op->old->name, op->old->type)) {
            op->rec = *op->old; /* the system_record rule refuses it */
            continue;
        }
        dnsapi_err_clear(&err);
        op->warnings.n = 0;
        if (dns_record_patch(c->zone, op->old, &op->fields, &c->arena, &op->rec, &op->warnings,
                             &err) != DNSAPI_OK) {
            int rc = dns_report_error(rep, op, &err);
            first = first != DNSAPI_OK ? first : rc;
            op->rec = *op->old;
            continue;
        }
        op->noop = record_unchanged(&op->rec, op->old);
    }
    int rc = view_build(v, c);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    for (size_t i = 0; i < c->n; i++) {
        dns_op_t *op = &c->ops[i];
        if (op->kind == DNS_OP_POST && !op->fields.has_ttl &&
            (op->fields.apex_ns ||
             !dns_record_is_system_kind(c->zone, op->rec.name, op->rec.type))) {
            op->rec.ttl = rrset_ttl(v, op);
        }
    }
    return first;
}

/* ---- interest -------------------------------------------------------- */

static int want_at(const dns_view_t *v, dns_interest_t *out, arena_t *a, const char *name)
{
    if (v != NULL && (v->complete || dns_names_has(&v->covered.at, name))) {
        return DNSAPI_OK;
    }
    return dns_names_add(&out->at, a, name);
}

static int want_pointing(const dns_view_t *v, dns_interest_t *out, arena_t *a, const char *name)
{
    if (v != NULL && (v->complete || dns_names_has(&v->covered.pointing, name))) {
        return DNSAPI_OK;
    }
    return dns_names_add(&out->pointing, a, name);
}

static int want_below(const dns_view_t *v, dns_interest_t *out, arena_t *a, const char *name)
{
    if (v != NULL && (v->complete || dns_names_has(&v->covered.below, name))) {
        return DNSAPI_OK;
    }
    return dns_names_add(&out->below, a, name);
}

/* What the rules look at for one record: its name, the names above it,
 * an in-zone NS target, the NS records pointing at a CNAME's name. For a
 * deleted record (deleting), only what the rules of a delete read
 * (missing_glue): what stays at its name and, for an address, the NS
 * records pointing there; a delete makes nothing above it visible or
 * hidden that a rule judges. */
static int interest_of(const char *zone, const dns_record_t *r, bool deleting, const dns_view_t *v,
                       dns_interest_t *out, arena_t *a)
{
    int rc = want_at(v, out, a, r->name);
    bool address = strcmp(r->type, "A") == 0 || strcmp(r->type, "AAAA") == 0;
    if (deleting) {
        return rc == DNSAPI_OK && address ? want_pointing(v, out, a, r->name) : rc;
    }
    const char *parents[128];
    size_t n = dns_name_parents(zone, r->name, parents, 128);
    for (size_t i = 0; rc == DNSAPI_OK && i < n; i++) {
        rc = want_at(v, out, a, parents[i]);
    }
    /* and the apex, where a DNAME would stand above everything */
    if (rc == DNSAPI_OK && strcasecmp(r->name, zone) != 0) {
        rc = want_at(v, out, a, zone);
    }
    if (rc == DNSAPI_OK && strcmp(r->type, "NS") == 0 &&
        dns_name_is_at_or_below(r->content, zone)) {
        rc = want_at(v, out, a, r->content);
    }
    /* the NS records a CNAME may not stand under, or an address serves */
    if (rc == DNSAPI_OK && (strcmp(r->type, "CNAME") == 0 || address)) {
        rc = want_pointing(v, out, a, r->name);
    }
    /* a DNAME may have nothing below it */
    if (rc == DNSAPI_OK && strcmp(r->type, "DNAME") == 0) {
        rc = want_below(v, out, a, r->name);
    }
    return rc;
}

int dns_change_interest(dns_change_t *c, const dns_view_t *v, dns_interest_t *out)
{
    int rc = DNSAPI_OK;
    for (size_t i = 0; rc == DNSAPI_OK && i < c->n; i++) {
        const dns_op_t *op = &c->ops[i];
        if (op->kind == DNS_OP_POST) {
            rc = interest_of(c->zone, &op->rec, false, v, out, &c->arena);
        } else if (op->old != NULL) {
            rc = interest_of(c->zone, op->old, op->kind == DNS_OP_DELETE, v, out, &c->arena);
            if (rc == DNSAPI_OK && op->kind == DNS_OP_PATCH) {
                rc = interest_of(c->zone, &op->rec, false, v, out, &c->arena);
            }
        } else if (op->kind == DNS_OP_PATCH) {
            /* not bound yet: the apex it will need comes with the record */
            rc = want_at(v, out, &c->arena, c->zone);
        }
    }
    return rc;
}
