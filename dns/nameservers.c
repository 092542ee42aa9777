/*
 * nameservers.c - a change of a zone's name servers as operations of the
 * one change model (see change.h): the apex NS set replaced, the rules
 * (dns/rules.c) judging the result like any other change.
 */
#include <string.h>
#include <strings.h>

#include "dns/change.h"
#include "dns/dns.h"

/* The SOA's first word (its MNAME) is name. */
static bool soa_mname_is(const dns_record_t *soa, const char *name)
{
    size_t len = strcspn(soa->content, " ");
    return strlen(name) == len && strncasecmp(soa->content, name, len) == 0;
}

/* True when the stored apex NS set is exactly posts (as sets) and the
 * SOA's MNAME is the first of them. */
static bool already_so(const dns_change_t *c, size_t first_post, const dns_record_t *const *stored,
                       size_t n_stored)
{
    size_t n_ns = 0;
    for (size_t i = 0; i < n_stored; i++) {
        const dns_record_t *r = stored[i];
        if (strcmp(r->name, c->zone) != 0) {
            continue;
        }
        if (strcmp(r->type, "SOA") == 0 && !soa_mname_is(r, c->ops[first_post].rec.content)) {
            return false;
        }
        if (strcmp(r->type, "NS") != 0) {
            continue;
        }
        n_ns++;
        bool found = false;
        for (size_t k = first_post; k < c->n && !found; k++) {
            found = strcmp(c->ops[k].rec.content, r->content) == 0;
        }
        if (!found) {
            return false;
        }
    }
    return n_ns == c->n - first_post;
}

int dns_change_nameservers(dns_change_t *c, const char *const *names, size_t n,
                           const dns_record_t *const *stored, size_t n_stored, dns_report_t *rep)
{
    size_t first_post = c->n;
    bool failed = false;
    for (size_t i = 0; i < n; i++) {
        dns_op_t *op = dns_change_add(c, DNS_OP_POST, "nameservers", i);
        if (op == NULL) {
            return DNSAPI_ENOMEM;
        }
        op->fields =
            (dns_fields_t){.name = c->zone, .type = "NS", .content = names[i], .apex_ns = true};
        dnsapi_err_t err;
        dnsapi_err_clear(&err);
        int rc =
            dns_record_from_fields(c->zone, &op->fields, &c->arena, &op->rec, &op->warnings, &err);
        if (rc == DNSAPI_ENOMEM) {
            return rc;
        }
        if (rc != DNSAPI_OK) {
            err.field[0] = '\0'; /* the entry itself: nameservers[i] */
            dns_report_error(rep, op, &err);
            failed = true;
        }
    }
    if (failed) {
        return DNSAPI_EINVAL;
    }
    c->apex_ns = arena_alloc(&c->arena, (n + 1) * sizeof(*c->apex_ns));
    if (c->apex_ns == NULL) {
        return DNSAPI_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        c->apex_ns[i] = c->ops[first_post + i].rec.content;
    }
    c->n_apex_ns = n;
    c->nameservers = true;
    if (n > 0 && already_so(c, first_post, stored, n_stored)) {
        c->n = first_post; /* nothing to change: no write, no serial step */
        return DNSAPI_OK;
    }
    for (size_t i = 0; i < n_stored; i++) {
        const dns_record_t *r = stored[i];
        if (strcmp(r->type, "NS") != 0 || strcmp(r->name, c->zone) != 0) {
            continue;
        }
        dns_op_t *op = dns_change_add(c, DNS_OP_DELETE, NULL, 0);
        if (op == NULL) {
            return DNSAPI_ENOMEM;
        }
        op->id = r->id;
    }
    return DNSAPI_OK;
}
