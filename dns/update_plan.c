/*
 * update_plan.c - RFC 2136 prerequisites (3.2.5) evaluated against the
 * zone's records, and the update section (3.4.2) turned into deletes, TTL
 * patches and posts (see update.h).
 *
 * The update section is applied in order to a working copy of the records
 * at the names involved; the answer is the difference between the copy and
 * the records handed in. So "delete the TXT RRset, add TXT x" where x was
 * already there leaves x alone instead of deleting and re-creating it, and
 * an add of an RR that exists is a no-op - unless its TTL differs, when the
 * whole RRset takes the new TTL (RFC 2181 5.2: one TTL per RRset), which
 * comes out as patches.
 */
#include "dns/update.h"

#include <stdlib.h>
#include <string.h>

static bool same_rr(const char *name, const char *type, const char *content, int priority,
                    const dns_record_t *r)
{
    return strcmp(r->name, name) == 0 && strcmp(r->type, type) == 0 &&
           strcmp(r->content, content) == 0 && r->priority == priority;
}

static bool at(const dns_record_t *r, const char *name, const char *type)
{
    return strcmp(r->name, name) == 0 && (type == NULL || strcmp(r->type, type) == 0);
}

static size_t count_at(const dns_record_t *records, size_t n, const char *name, const char *type)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c += at(&records[i], name, type) ? 1 : 0;
    }
    return c;
}

static int prereq_fail(dns_update_result_t *res, size_t i, uint16_t rcode, const char *code,
                       const char *what, const dns_update_rr_t *rr)
{
    res->rcode = rcode;
    res->section = 1;
    res->index = i;
    dnsapi_err_set(&res->err, DNSAPI_ECONFLICT, code, NULL, "Prerequisite %zu failed (%s %s): %s",
                   i + 1, rr->name, rr->type, what);
    return DNSAPI_ECONFLICT;
}

/* RFC 2136 3.2.3: the RRset at (name, type) equals the set of all
 * value-dependent prerequisites for it, RDATA compared, TTL ignored. */
static bool rrset_equals(const dns_update_t *u, const dns_update_rr_t *first,
                         const dns_record_t *records, size_t n)
{
    for (size_t i = 0; i < u->n_prereqs; i++) {
        const dns_update_rr_t *p = &u->prereqs[i];
        if (p->kind != DNS_PREREQ_RRSET_VALUE || strcmp(p->name, first->name) != 0 ||
            strcmp(p->type, first->type) != 0) {
            continue;
        }
        if (p->content == NULL) {
            return false; /* data dnsapi cannot store is in no zone of ours */
        }
        bool found = false;
        for (size_t j = 0; j < n && !found; j++) {
            found = same_rr(p->name, p->type, p->content, p->priority, &records[j]);
        }
        if (!found) {
            return false;
        }
    }
    for (size_t j = 0; j < n; j++) {
        if (!at(&records[j], first->name, first->type)) {
            continue;
        }
        bool found = false;
        for (size_t i = 0; i < u->n_prereqs && !found; i++) {
            const dns_update_rr_t *p = &u->prereqs[i];
            found = p->kind == DNS_PREREQ_RRSET_VALUE && p->content != NULL &&
                    same_rr(p->name, p->type, p->content, p->priority, &records[j]);
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

int dns_update_check_prereqs(const dns_update_t *u, const dns_record_t *records, size_t n,
                             dns_update_result_t *res)
{
    for (size_t i = 0; i < u->n_prereqs; i++) {
        const dns_update_rr_t *p = &u->prereqs[i];
        switch (p->kind) {
        case DNS_PREREQ_NAME_IN_USE:
            if (count_at(records, n, p->name, NULL) == 0) {
                return prereq_fail(res, i, DNS_RCODE_NXDOMAIN, "prereq_name_not_in_use",
                                   "the name has no records.", p);
            }
            break;
        case DNS_PREREQ_NAME_NOT_IN_USE:
            if (count_at(records, n, p->name, NULL) != 0) {
                return prereq_fail(res, i, DNS_RCODE_YXDOMAIN, "prereq_name_in_use",
                                   "the name has records.", p);
            }
            break;
        case DNS_PREREQ_RRSET_EXISTS:
            if (count_at(records, n, p->name, p->type) == 0) {
                return prereq_fail(res, i, DNS_RCODE_NXRRSET, "prereq_rrset_absent",
                                   "there is no such RRset.", p);
            }
            break;
        case DNS_PREREQ_RRSET_ABSENT:
            if (count_at(records, n, p->name, p->type) != 0) {
                return prereq_fail(res, i, DNS_RCODE_YXRRSET, "prereq_rrset_exists",
                                   "the RRset exists.", p);
            }
            break;
        case DNS_PREREQ_RRSET_VALUE: {
            bool earlier = false;
            for (size_t j = 0; j < i && !earlier; j++) {
                const dns_update_rr_t *q = &u->prereqs[j];
                earlier = q->kind == DNS_PREREQ_RRSET_VALUE && strcmp(q->name, p->name) == 0 &&
                          strcmp(q->type, p->type) == 0;
            }
            if (!earlier && !rrset_equals(u, p, records, n)) {
                return prereq_fail(res, i, DNS_RCODE_NXRRSET, "prereq_rrset_differs",
                                   "the RRset is not exactly the records given.", p);
            }
            break;
        }
        default:
            return prereq_fail(res, i, DNS_RCODE_SERVFAIL, "internal", "unknown prerequisite kind.",
                               p);
        }
    }
    return DNSAPI_OK;
}

/* One record of the working copy. */
typedef struct {
    dns_record_t rr;
    long origin; /* index into the records handed in, or -1 for an add */
    bool alive;
} entry_t;

typedef struct {
    entry_t *e;
    size_t n;
    size_t cap;
} work_t;

static entry_t *work_find(work_t *w, const char *name, const char *type, const char *content,
                          int priority)
{
    for (size_t i = 0; i < w->n; i++) {
        if (same_rr(name, type, content, priority, &w->e[i].rr)) {
            return &w->e[i];
        }
    }
    return NULL;
}

static bool is_apex_system(const char *zone, const entry_t *e)
{
    return strcmp(e->rr.name, zone) == 0 &&
           (strcmp(e->rr.type, "SOA") == 0 || strcmp(e->rr.type, "NS") == 0);
}

static int apply_add(const dns_update_t *u, work_t *w, size_t i, dns_update_result_t *res)
{
    const dns_update_rr_t *rr = &u->updates[i];
    if (rr->content == NULL) {
        res->rcode = DNS_RCODE_REFUSED;
        res->section = 2;
        res->index = i;
        if (rr->refusal != NULL) {
            res->err = *rr->refusal;
        }
        return DNSAPI_EINVAL;
    }
    entry_t *e = work_find(w, rr->name, rr->type, rr->content, rr->priority);
    if (e == NULL) {
        if (w->n == w->cap) {
            size_t cap = w->cap * 2 + 8;
            entry_t *grown = realloc(w->e, cap * sizeof(*grown));
            if (grown == NULL) {
                return DNSAPI_ENOMEM;
            }
            w->e = grown;
            w->cap = cap;
        }
        e = &w->e[w->n++];
        e->rr = (dns_record_t){.name = rr->name,
                               .type = rr->type,
                               .content = rr->content,
                               .ttl = rr->ttl,
                               .priority = rr->priority};
        e->origin = -1;
    }
    e->alive = true;
    for (size_t j = 0; j < w->n; j++) {
        if (w->e[j].alive && at(&w->e[j].rr, rr->name, rr->type)) {
            w->e[j].rr.ttl = rr->ttl;
        }
    }
    return DNSAPI_OK;
}

static void apply_delete(const dns_update_t *u, work_t *w, const dns_update_rr_t *rr)
{
    for (size_t j = 0; j < w->n; j++) {
        entry_t *e = &w->e[j];
        if (!e->alive || strcmp(e->rr.name, rr->name) != 0) {
            continue;
        }
        switch (rr->kind) {
        case DNS_UPDATE_DELETE_NAME:
            /* RFC 2136 3.4.2.3: at the apex the SOA and NS RRsets stay. */
            e->alive = is_apex_system(u->zone, e) ? e->alive : false;
            break;
        case DNS_UPDATE_DELETE_RRSET:
            e->alive = strcmp(e->rr.type, rr->type) == 0 ? false : e->alive;
            break;
        case DNS_UPDATE_DELETE_RR:
            if (rr->content != NULL &&
                same_rr(rr->name, rr->type, rr->content, rr->priority, &e->rr)) {
                e->alive = false;
            }
            break;
        default:
            break;
        }
    }
}

/* The difference between the working copy and records, into ops. */
static int diff(const work_t *w, const dns_record_t *records, dns_update_ops_t *ops)
{
    ops->deletes = calloc(w->n + 1, sizeof(*ops->deletes));
    ops->patches = calloc(w->n + 1, sizeof(*ops->patches));
    ops->posts = calloc(w->n + 1, sizeof(*ops->posts));
    if (ops->deletes == NULL || ops->patches == NULL || ops->posts == NULL) {
        return DNSAPI_ENOMEM;
    }
    for (size_t j = 0; j < w->n; j++) {
        const entry_t *e = &w->e[j];
        if (e->origin < 0) {
            if (e->alive) {
                ops->posts[ops->n_posts++] = e->rr;
            }
        } else if (!e->alive) {
            ops->deletes[ops->n_deletes++] = (size_t)e->origin;
        } else if (e->rr.ttl != records[e->origin].ttl) {
            ops->patches[ops->n_patches++] = (dns_update_patch_t){(size_t)e->origin, e->rr.ttl};
        }
    }
    return DNSAPI_OK;
}

int dns_update_plan(const dns_update_t *u, const dns_record_t *records, size_t n,
                    dns_update_ops_t *ops, dns_update_result_t *res)
{
    work_t w = {0};
    int rc = DNSAPI_OK;

    memset(ops, 0, sizeof(*ops));
    if (u->update_rcode != 0) {
        res->rcode = u->update_rcode;
        res->section = 2;
        res->index = u->update_fault_index;
        res->err = u->update_fault;
        return DNSAPI_EBADREQ;
    }
    w.cap = n + 8;
    w.e = calloc(w.cap, sizeof(*w.e));
    if (w.e == NULL) {
        return DNSAPI_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        w.e[w.n++] = (entry_t){records[i], (long)i, true};
    }
    for (size_t i = 0; i < u->n_updates && rc == DNSAPI_OK; i++) {
        if (u->updates[i].kind == DNS_UPDATE_ADD) {
            rc = apply_add(u, &w, i, res);
        } else {
            apply_delete(u, &w, &u->updates[i]);
        }
    }
    if (rc == DNSAPI_OK) {
        rc = diff(&w, records, ops);
    }
    if (rc != DNSAPI_OK) {
        dns_update_ops_clear(ops);
    }
    if (rc == DNSAPI_ENOMEM) {
        res->rcode = DNS_RCODE_SERVFAIL;
        dnsapi_err_set(&res->err, DNSAPI_ENOMEM, "internal", NULL, "Out of memory.");
    }
    free(w.e);
    return rc;
}

int dns_update_evaluate(const dns_update_t *u, const dns_record_t *records, size_t n,
                        dns_update_ops_t *ops, dns_update_result_t *res)
{
    memset(ops, 0, sizeof(*ops));
    memset(res, 0, sizeof(*res));
    int rc = dns_update_check_prereqs(u, records, n, res);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    return dns_update_plan(u, records, n, ops, res);
}

void dns_update_ops_clear(dns_update_ops_t *ops)
{
    free(ops->deletes);
    free(ops->patches);
    free(ops->posts);
    memset(ops, 0, sizeof(*ops));
}
