/*
 * delegation.c - the delegations of a zone, found in one sorted pass.
 *
 * The records are sorted in DNS canonical order first. In that order a
 * name's whole subtree follows it without a gap, so a delegation point and
 * everything it hides are one contiguous run, and the records at any name
 * are found by binary search. Nothing here allocates per record beyond a
 * few arrays of n pointers.
 *
 * Longer than our usual 600 lines on purpose: a third of it is the
 * messages of the problems, and the pass, its lookups and its problems share
 * one private context that splitting would have to export.
 */
#include "dns/delegation.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- canonical order ---------------------------------------------- */

/* The label of s that ends just before *end (exclusive), walking towards
 * the front; returns false when there is none left. Names are absolute, so
 * the final dot is skipped first by the caller. */
static bool label_before(const char *s, size_t *end, const char **label, size_t *len)
{
    if (*end == 0) {
        return false;
    }
    size_t e = *end;
    size_t b = e;
    while (b > 0 && s[b - 1] != '.') {
        b--;
    }
    *label = s + b;
    *len = e - b;
    *end = b > 0 ? b - 1 : 0;
    return true;
}

static size_t name_stem(const char *s)
{
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] == '.') {
        n--;
    }
    return n;
}

int dns_name_canonical_compare(const char *a, const char *b)
{
    size_t ea = name_stem(a), eb = name_stem(b);
    for (;;) {
        const char *la, *lb;
        size_t na, nb;
        bool ha = label_before(a, &ea, &la, &na);
        bool hb = label_before(b, &eb, &lb, &nb);
        if (!ha || !hb) {
            return ha ? 1 : (hb ? -1 : 0);
        }
        size_t common = na < nb ? na : nb;
        for (size_t i = 0; i < common; i++) {
            int ca = (unsigned char)(la[i] >= 'A' && la[i] <= 'Z' ? la[i] + 32 : la[i]);
            int cb = (unsigned char)(lb[i] >= 'A' && lb[i] <= 'Z' ? lb[i] + 32 : lb[i]);
            if (ca != cb) {
                return ca - cb;
            }
        }
        if (na != nb) {
            return na < nb ? -1 : 1;
        }
    }
}

/* A record with its canonical sort key: the labels from the root down,
 * lowercase, each followed by \001 (below every character a label holds,
 * so a label sorts before its own extensions) - the same order as
 * dns_name_canonical_compare, for the price of one strcmp. Keys are built
 * once; sorting and searching then never walk labels again. */
typedef struct {
    const char *key;
    const dns_zone_rr_t *rr;
} keyed_t;

/* Writes name's key into out (at least strlen(name) + 2 bytes); returns
 * its length. */
static size_t name_key(const char *name, char *out)
{
    size_t end = name_stem(name), used = 0;
    const char *label;
    size_t len;
    while (label_before(name, &end, &label, &len)) {
        for (size_t i = 0; i < len; i++) {
            char ch = label[i];
            out[used++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
        }
        out[used++] = '\001';
    }
    out[used] = '\0';
    return used;
}

static int keyed_compare(const void *pa, const void *pb)
{
    const keyed_t *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c == 0) {
        c = strcmp(a->rr->type, b->rr->type);
    }
    if (c == 0) {
        c = strcmp(a->rr->content, b->rr->content);
    }
    if (c == 0) {
        c = a->rr->priority - b->rr->priority;
    }
    return c;
}

static int str_compare(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* ---- the analysis context ----------------------------------------- */

typedef struct {
    size_t at_begin, at_end; /* the records at the cut name */
    size_t end;              /* one past the cut's subtree */
} cut_t;

typedef struct {
    const char *zone;
    const dns_zone_rr_t **sorted;
    const char **keys; /* keys[i] is the sort key of sorted[i]'s name */
    char *key_buf;
    size_t m;
    cut_t *cuts;
    size_t n_cuts;
    const char **all_targets; /* targets of the apex and cut NS sets, sorted */
    size_t n_all_targets;
    dns_delegations_t *out;
} deleg_ctx_t;

static bool type_is(const dns_zone_rr_t *rr, const char *type)
{
    return strcasecmp(rr->type, type) == 0;
}

static bool is_address_type(const dns_zone_rr_t *rr)
{
    return type_is(rr, "A") || type_is(rr, "AAAA");
}

/* The first sorted index whose name is not before the name of key. */
static size_t lower_bound(const deleg_ctx_t *c, const char *key)
{
    size_t lo = 0, hi = c->m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->keys[mid], key) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* The records at name: [*begin, return). */
static size_t records_at(const deleg_ctx_t *c, const char *name, size_t *begin)
{
    char key[DNS_NAME_BUFSIZE + 2];
    if (strlen(name) >= DNS_NAME_BUFSIZE) {
        *begin = 0;
        return 0;
    }
    name_key(name, key);
    size_t i = lower_bound(c, key);
    *begin = i;
    while (i < c->m && strcmp(c->keys[i], key) == 0) {
        i++;
    }
    return i;
}

/* The cut whose subtree holds name, or NULL. Cuts are disjoint subtrees
 * in canonical order, so only the last cut not after name can hold it. */
static const cut_t *cut_holding(const deleg_ctx_t *c, const char *name)
{
    char key[DNS_NAME_BUFSIZE + 2];
    if (strlen(name) >= DNS_NAME_BUFSIZE) {
        return NULL;
    }
    name_key(name, key);
    size_t lo = 0, hi = c->n_cuts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->keys[c->cuts[mid].at_begin], key) <= 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return NULL;
    }
    const cut_t *cut = &c->cuts[lo - 1];
    return dns_name_is_at_or_below(name, c->sorted[cut->at_begin]->name) ? cut : NULL;
}

static bool target_named(const deleg_ctx_t *c, const char *name)
{
    return bsearch(&name, c->all_targets, c->n_all_targets, sizeof(*c->all_targets), str_compare) !=
           NULL;
}

/* An NS target that is really an address: stored as "192.0.2.1." (a valid
 * host name to ldns) or, from older data, an IPv6 literal. */
static bool looks_like_address(const char *target)
{
    char buf[DNS_NAME_BUFSIZE];
    unsigned char bin[16];
    size_t len = strlen(target);
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, target, len + 1);
    if (buf[len - 1] == '.') {
        buf[len - 1] = '\0';
    }
    return inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1 ||
           strchr(buf, ':') != NULL;
}

static int problem_add(deleg_ctx_t *c, const char *code, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int problem_add(deleg_ctx_t *c, const char *code, const char *subject, const char *fmt, ...)
{
    dns_delegations_t *d = c->out;
    if (d->n_problems_all == d->cap_problems_all) {
        size_t cap = d->cap_problems_all ? d->cap_problems_all * 2 : 16;
        dns_deleg_problem_t *p = realloc(d->problems_all, cap * sizeof(*p));
        if (p == NULL) {
            return DNSAPI_ENOMEM;
        }
        d->problems_all = p;
        d->cap_problems_all = cap;
    }
    dns_deleg_problem_t *p = &d->problems_all[d->n_problems_all++];
    snprintf(p->code, sizeof(p->code), "%s", code);
    snprintf(p->subject, sizeof(p->subject), "%s", subject);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof(p->message), fmt, ap);
    va_end(ap);
    return DNSAPI_OK;
}

/* ---- per delegation ----------------------------------------------- */

/* Fills t for the NS record ns of the cut named cut_name. */
static void target_classify(const deleg_ctx_t *c, const char *cut_name, const dns_zone_rr_t *ns,
                            dns_deleg_target_t *t)
{
    const char *target = ns->content;
    memset(t, 0, sizeof(*t));
    t->ns = ns;
    if (looks_like_address(target)) {
        t->where = DNS_NS_ADDRESS;
        return;
    }
    if (!dns_name_is_at_or_below(target, c->zone)) {
        t->where = DNS_NS_OUT_OF_ZONE;
        return;
    }
    if (dns_name_is_at_or_below(target, cut_name)) {
        t->where = DNS_NS_BELOW_CUT;
    } else if (cut_holding(c, target) != NULL) {
        t->where = DNS_NS_SIBLING;
    } else {
        t->where = DNS_NS_IN_ZONE;
    }
    size_t begin, end = records_at(c, target, &begin);
    /* A and AAAA sort first among the types, so they open the run. */
    size_t a = begin;
    while (a < end && is_address_type(c->sorted[a])) {
        a++;
    }
    t->addrs = c->sorted + begin;
    t->n_addrs = a - begin;
    for (size_t i = begin; i < end; i++) {
        if (type_is(c->sorted[i], "CNAME")) {
            t->is_cname = true;
        }
    }
}

static const char *cname_of(const deleg_ctx_t *c, const char *name)
{
    size_t begin, end = records_at(c, name, &begin);
    for (size_t i = begin; i < end; i++) {
        if (type_is(c->sorted[i], "CNAME")) {
            return c->sorted[i]->content;
        }
    }
    return "another name";
}

static int target_problems(deleg_ctx_t *c, const dns_delegation_t *d, const dns_deleg_target_t *t)
{
    const char *target = t->ns->content;
    int rc = DNSAPI_OK;
    if (t->where == DNS_NS_ADDRESS) {
        return problem_add(c, "ns_target_is_address", target,
                           "The name server %s of %s is an IP address; an NS record names a "
                           "host: use the server's host name (with A/AAAA glue if it lies "
                           "inside %s).",
                           target, d->name, d->name);
    }
    if (t->is_cname) {
        rc = problem_add(c, "ns_target_is_cname", target,
                         "The name server %s of %s is a CNAME (to %s); an NS record must name "
                         "a host with A/AAAA records: point it at the canonical name.",
                         target, d->name, cname_of(c, target));
    }
    if (rc == DNSAPI_OK && t->where == DNS_NS_BELOW_CUT && t->n_addrs == 0) {
        rc = problem_add(c, "missing_glue", target,
                         "The name server %s lies inside the delegated name %s but has no "
                         "A/AAAA (glue) records: add them, or resolvers cannot reach it.",
                         target, d->name);
    }
    if (rc == DNSAPI_OK && t->where == DNS_NS_IN_ZONE && t->n_addrs == 0 && !t->is_cname) {
        rc = problem_add(c, "ns_target_no_address", target,
                         "The name server %s of %s lies in this zone but has no A/AAAA "
                         "records: add them, or resolvers cannot reach it.",
                         target, d->name);
    }
    return rc;
}

static int ns_set_problems(deleg_ctx_t *c, const dns_delegation_t *d)
{
    int rc = DNSAPI_OK;
    if (d->n_targets < 2) {
        rc = problem_add(c, "single_ns", d->name,
                         "%s is delegated to a single name server (%s); add a second one, "
                         "ideally on another network, so the zone stays reachable when one "
                         "fails.",
                         d->name, d->targets[0].ns->content);
    }
    bool differ = false;
    for (size_t i = 1; i < d->n_targets; i++) {
        differ = differ || d->targets[i].ns->ttl != d->targets[0].ns->ttl;
    }
    if (rc == DNSAPI_OK && differ) {
        char list[200] = "";
        size_t used = 0;
        for (size_t i = 0; i < d->n_targets && used < sizeof(list) - 1; i++) {
            int w = snprintf(list + used, sizeof(list) - used, "%s%s %u", i ? ", " : "",
                             d->targets[i].ns->content, d->targets[i].ns->ttl);
            used += w > 0 ? (size_t)w : 0;
        }
        rc = problem_add(c, "ns_ttl_mismatch", d->name,
                         "The NS records of %s have different TTLs (%s); resolvers cache an "
                         "RRset under one TTL: give them all the same one, e.g. %u.",
                         d->name, list, d->ttl);
    }
    return rc;
}

static bool cut_has_target(const dns_delegation_t *d, const char *name)
{
    for (size_t i = 0; i < d->n_targets; i++) {
        if (strcmp(d->targets[i].ns->content, name) == 0) {
            return true;
        }
    }
    return false;
}

static int glue_problems(deleg_ctx_t *c, const dns_delegation_t *d)
{
    const char *last = NULL;
    for (size_t i = 0; i < d->n_glue; i++) {
        const dns_zone_rr_t *rr = d->glue[i].rr;
        if (d->glue[i].use != DNS_GLUE_UNNEEDED || (last != NULL && strcmp(last, rr->name) == 0)) {
            continue;
        }
        last = rr->name;
        int rc = problem_add(c, "glue_not_needed", rr->name,
                             "%s has A/AAAA records below the delegation point %s, but no NS "
                             "record names it, so they are never served: delete them, or add "
                             "%s to an NS set.",
                             rr->name, d->name, rr->name);
        if (rc != DNSAPI_OK) {
            return rc;
        }
    }
    if (d->n_occluded == 1) {
        const dns_zone_rr_t *rr = d->occluded[0];
        return problem_add(c, "occluded", rr->name,
                           "The %s record at %s lies at or below the delegation point %s and is "
                           "not glue, so the delegation hides it and it is never served: "
                           "delete it here and create it in the child zone.",
                           rr->type, rr->name, d->name);
    }
    if (d->n_occluded > 1) {
        const dns_zone_rr_t *rr = d->occluded[0];
        return problem_add(c, "occluded", rr->name,
                           "%zu records at or below the delegation point %s are not glue, so "
                           "the delegation hides them and they are never served (the first is "
                           "%s %s): delete them here and create them in the child zone.",
                           d->n_occluded, d->name, rr->type, rr->name);
    }
    return DNSAPI_OK;
}

/* Builds delegation d from cut, appending to the shared arrays at the
 * given fill levels. */
static int delegation_build(deleg_ctx_t *c, const cut_t *cut, dns_delegation_t *d,
                            size_t *n_targets, size_t *n_glue, size_t *n_occluded)
{
    dns_delegations_t *out = c->out;
    d->name = c->sorted[cut->at_begin]->name;
    dns_deleg_target_t *targets = out->targets_all + *n_targets;
    dns_deleg_glue_t *glue = out->glue_all + *n_glue;
    const dns_zone_rr_t **occluded = out->occluded_all + *n_occluded;
    size_t nt = 0, ng = 0, no = 0;

    d->ds = NULL;
    for (size_t i = cut->at_begin; i < cut->end; i++) {
        const dns_zone_rr_t *rr = c->sorted[i];
        bool at_cut = i < cut->at_end;
        if (at_cut && type_is(rr, "NS")) {
            target_classify(c, d->name, rr, &targets[nt]);
            d->ttl = nt == 0 || rr->ttl < d->ttl ? rr->ttl : d->ttl;
            nt++;
        } else if (at_cut && type_is(rr, "DS")) {
            if (d->ds == NULL) {
                d->ds = c->sorted + i;
            }
            d->n_ds++;
        } else if (is_address_type(rr)) {
            glue[ng++].rr = rr;
        } else {
            occluded[no++] = rr;
        }
    }
    d->targets = targets;
    d->n_targets = nt;
    d->glue = glue;
    d->n_glue = ng;
    d->occluded = occluded;
    d->n_occluded = no;
    for (size_t i = 0; i < ng; i++) {
        const char *owner = glue[i].rr->name;
        glue[i].use = cut_has_target(d, owner) ? DNS_GLUE_USED
                      : target_named(c, owner) ? DNS_GLUE_SIBLING
                                               : DNS_GLUE_UNNEEDED;
    }
    *n_targets += nt;
    *n_glue += ng;
    *n_occluded += no;

    int rc = ns_set_problems(c, d);
    for (size_t i = 0; rc == DNSAPI_OK && i < nt; i++) {
        rc = target_problems(c, d, &targets[i]);
    }
    return rc == DNSAPI_OK ? glue_problems(c, d) : rc;
}

/* ---- the whole zone ----------------------------------------------- */

/* Finds the cuts, and the targets of every NS set that is served (the
 * apex's and the cuts'). */
static void cuts_find(deleg_ctx_t *c)
{
    size_t i = 0;
    while (i < c->m) {
        const char *name = c->sorted[i]->name;
        size_t j = i;
        bool has_ns = false;
        while (j < c->m && strcmp(c->keys[j], c->keys[i]) == 0) {
            has_ns = has_ns || type_is(c->sorted[j], "NS");
            j++;
        }
        bool apex = strcasecmp(name, c->zone) == 0;
        if (has_ns) {
            for (size_t k = i; k < j; k++) {
                if (type_is(c->sorted[k], "NS")) {
                    c->all_targets[c->n_all_targets++] = c->sorted[k]->content;
                }
            }
        }
        if (!has_ns || apex) {
            i = j;
            continue;
        }
        size_t end = j;
        while (end < c->m && dns_name_is_at_or_below(c->sorted[end]->name, name)) {
            end++;
        }
        c->cuts[c->n_cuts++] = (cut_t){.at_begin = i, .at_end = j, .end = end};
        i = end;
    }
    qsort(c->all_targets, c->n_all_targets, sizeof(*c->all_targets), str_compare);
}

/* The records of the zone in DNS order into c->out->sorted (which must
 * hold n), with their keys in c->keys. */
static int records_sort(deleg_ctx_t *c, const dns_zone_rr_t *rrs, size_t n)
{
    size_t bytes = 1;
    for (size_t i = 0; i < n; i++) {
        bytes += rrs[i].name != NULL ? strlen(rrs[i].name) + 2 : 0;
    }
    keyed_t *v = malloc((n > 0 ? n : 1) * sizeof(*v));
    c->keys = malloc((n > 0 ? n : 1) * sizeof(*c->keys));
    c->key_buf = malloc(bytes);
    if (v == NULL || c->keys == NULL || c->key_buf == NULL) {
        free(v);
        return DNSAPI_ENOMEM;
    }
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (rrs[i].name != NULL && rrs[i].type != NULL && rrs[i].content != NULL &&
            dns_name_is_at_or_below(rrs[i].name, c->zone)) {
            v[c->m].key = c->key_buf + used;
            v[c->m].rr = &rrs[i];
            used += name_key(rrs[i].name, c->key_buf + used) + 1;
            c->m++;
        }
    }
    /* storage hands records over in DNS order already: then one pass is
     * all it takes */
    bool ordered = true;
    for (size_t i = 1; i < c->m && ordered; i++) {
        ordered = keyed_compare(&v[i - 1], &v[i]) <= 0;
    }
    if (!ordered) {
        qsort(v, c->m, sizeof(*v), keyed_compare);
    }
    for (size_t i = 0; i < c->m; i++) {
        c->out->sorted[i] = v[i].rr;
        c->keys[i] = v[i].key;
    }
    c->sorted = c->out->sorted;
    free(v);
    return DNSAPI_OK;
}

int dns_delegations_analyze(const char *zone, const dns_zone_rr_t *rrs, size_t n,
                            dns_delegations_t *out, dnsapi_err_t *err)
{
    deleg_ctx_t c = {.zone = zone, .out = out};
    size_t *prob_start = NULL;
    memset(out, 0, sizeof(*out));
    size_t cap = n > 0 ? n : 1;
    out->sorted = malloc(cap * sizeof(*out->sorted));
    out->targets_all = malloc(cap * sizeof(*out->targets_all));
    out->glue_all = malloc(cap * sizeof(*out->glue_all));
    out->occluded_all = malloc(cap * sizeof(*out->occluded_all));
    c.cuts = malloc(cap * sizeof(*c.cuts));
    c.all_targets = malloc(cap * sizeof(*c.all_targets));
    if (out->sorted == NULL || out->targets_all == NULL || out->glue_all == NULL ||
        out->occluded_all == NULL || c.cuts == NULL || c.all_targets == NULL) {
        goto nomem;
    }
    if (records_sort(&c, rrs, n) != DNSAPI_OK) {
        goto nomem;
    }
    cuts_find(&c);

    out->v = calloc(c.n_cuts > 0 ? c.n_cuts : 1, sizeof(*out->v));
    prob_start = calloc(c.n_cuts > 0 ? c.n_cuts : 1, sizeof(*prob_start));
    if (out->v == NULL || prob_start == NULL) {
        goto nomem;
    }
    size_t nt = 0, ng = 0, no = 0;
    for (size_t i = 0; i < c.n_cuts; i++) {
        prob_start[i] = out->n_problems_all;
        if (delegation_build(&c, &c.cuts[i], &out->v[i], &nt, &ng, &no) != DNSAPI_OK) {
            goto nomem;
        }
        out->v[i].n_problems = out->n_problems_all - prob_start[i];
        out->n++;
    }
    /* The problem array may have moved while it grew: point into it now. */
    for (size_t i = 0; i < out->n; i++) {
        out->v[i].problems = out->problems_all + prob_start[i];
    }
    free(prob_start);
    free(c.cuts);
    free(c.all_targets);
    free(c.keys);
    free(c.key_buf);
    return DNSAPI_OK;

nomem:
    free(prob_start);
    free(c.cuts);
    free(c.all_targets);
    free(c.keys);
    free(c.key_buf);
    dns_delegations_clear(out);
    return dnsapi_err_set(err, DNSAPI_ENOMEM, "internal", NULL,
                          "Out of memory while analysing the delegations of %s.", zone);
}

void dns_delegations_clear(dns_delegations_t *d)
{
    free(d->v);
    free(d->sorted);
    free(d->targets_all);
    free(d->glue_all);
    free(d->occluded_all);
    free(d->problems_all);
    memset(d, 0, sizeof(*d));
}

const dns_delegation_t *dns_delegations_find(const dns_delegations_t *d, const char *name)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = dns_name_canonical_compare(d->v[mid].name, name);
        if (cmp == 0) {
            return &d->v[mid];
        }
        if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

size_t dns_delegations_after(const dns_delegations_t *d, const char *name)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (dns_name_canonical_compare(d->v[mid].name, name) <= 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const char *dns_ns_where_name(dns_ns_where_t where)
{
    switch (where) {
    case DNS_NS_BELOW_CUT:
        return "below_cut";
    case DNS_NS_IN_ZONE:
        return "in_zone";
    case DNS_NS_SIBLING:
        return "sibling";
    case DNS_NS_OUT_OF_ZONE:
        return "out_of_zone";
    case DNS_NS_ADDRESS:
        return "address";
    }
    return "unknown";
}

const char *dns_glue_use_name(dns_glue_use_t use)
{
    switch (use) {
    case DNS_GLUE_USED:
        return "used";
    case DNS_GLUE_SIBLING:
        return "sibling";
    case DNS_GLUE_UNNEEDED:
        return "unneeded";
    }
    return "unknown";
}
