/*
 * update.c - parsing a DNS UPDATE message (RFC 2136 section 2 and the
 * format checks of 3.1, 3.2 and 3.4.1) into a dns_update_t.
 *
 * The message's frame was read by dns_msg_info_parse(), so every record is
 * known to lie within the message; this file reads each record again for
 * its meaning. Record data of the prerequisites and updates that carry
 * some is converted to presentation text (rdata_wire.c) and normalized the
 * way the HTTP API normalizes content, so that it compares equal to stored
 * records; what dnsapi cannot store is kept with the reason (refusal)
 * instead of failing the parse, because RFC 2136 answers a prerequisite
 * or a delete naming such data from the zone's contents, not with an error.
 */
#include "dns/update.h"

#include <stdlib.h>
#include <string.h>

static int fail(dns_update_result_t *res, uint16_t rcode, int section, size_t index,
                const char *code, const char *msg)
{
    res->rcode = rcode;
    res->section = section;
    res->index = index;
    dnsapi_err_set(&res->err, rcode == DNS_RCODE_REFUSED ? DNSAPI_EINVAL : DNSAPI_EBADREQ, code,
                   NULL, "%s", msg);
    return DNSAPI_EBADREQ;
}

/* A record of the prerequisite or update section as read. */
typedef struct {
    uint8_t owner[DNS_WIRE_NAME_MAX];
    size_t owner_len;
    uint16_t type;
    uint16_t rrclass;
    uint32_t ttl;
    size_t rdata_at;
    uint16_t rdlength;
} raw_rr_t;

static int raw_read(const uint8_t *msg, size_t len, size_t *pos, raw_rr_t *r)
{
    if (dns_wire_name_read(msg, len, pos, true, r->owner, &r->owner_len) != DNSAPI_OK ||
        len - *pos < 10) {
        return DNSAPI_EBADREQ;
    }
    const uint8_t *p = msg + *pos;
    r->type = dns_wire_get_u16(p);
    r->rrclass = dns_wire_get_u16(p + 2);
    r->ttl = dns_wire_get_u32(p + 4);
    r->rdlength = dns_wire_get_u16(p + 8);
    r->rdata_at = *pos + 10;
    if (len - r->rdata_at < r->rdlength) {
        return DNSAPI_EBADREQ;
    }
    *pos = r->rdata_at + r->rdlength;
    dns_wire_name_lower(r->owner, r->owner_len);
    return DNSAPI_OK;
}

static dnsapi_err_t *refusal_new(const dnsapi_err_t *err)
{
    dnsapi_err_t *copy = malloc(sizeof(*copy));
    if (copy != NULL) {
        *copy = *err;
    }
    return copy;
}

/* Fills rr's name, type and ttl from r. */
static int rr_fill(dns_update_rr_t *rr, const raw_rr_t *r, int kind)
{
    char text[DNS_WIRE_NAME_TEXT];
    dns_wire_name_to_text(r->owner, r->owner_len, text, sizeof(text));
    rr->kind = kind;
    rr->name = strdup(text);
    rr->rrtype = r->type;
    dns_wire_type_to_text(r->type, rr->type, sizeof(rr->type));
    rr->ttl = r->ttl;
    rr->priority = -1;
    return rr->name != NULL ? DNSAPI_OK : DNSAPI_ENOMEM;
}

/* Converts and normalizes r's data into rr->content, or sets rr->refusal.
 * DNSAPI_EBADREQ when the data is malformed (FORMERR). With check_name,
 * the owner name must also be one dnsapi can store (an add). */
static int rr_content(const char *zone, dns_update_rr_t *rr, const uint8_t *msg, size_t len,
                      const raw_rr_t *r, bool check_name, dnsapi_err_t *fault)
{
    char *text = malloc(DNS_CONTENT_BUFSIZE);
    char *norm = malloc(DNS_CONTENT_BUFSIZE);
    dnsapi_err_t err;
    int priority = -1;
    int rc;

    dnsapi_err_clear(&err);
    if (text == NULL || norm == NULL) {
        rc = DNSAPI_ENOMEM;
        goto done;
    }
    rc = dns_rdata_from_wire(r->type, msg, len, r->rdata_at, r->rdlength, text, DNS_CONTENT_BUFSIZE,
                             &priority, &err);
    if (rc == DNSAPI_EBADREQ) {
        *fault = err;
        goto done;
    }
    if (rc == DNSAPI_OK && check_name) {
        char name[DNS_NAME_BUFSIZE];
        rc = dns_name_normalize(zone, rr->name, name, sizeof(name), &err);
    }
    if (rc == DNSAPI_OK && r->type == DNS_TYPE_SOA) {
        rr->content = strdup(text); /* refused by the caller's rules as a system record */
        rc = rr->content != NULL ? DNSAPI_OK : DNSAPI_ENOMEM;
        goto done;
    }
    if (rc == DNSAPI_OK) {
        int prio_out;
        rc = dns_rdata_normalize(zone, rr->type, text, priority, norm, DNS_CONTENT_BUFSIZE,
                                 &prio_out, &err);
        if (rc == DNSAPI_OK) {
            rr->content = strdup(norm);
            rr->priority = prio_out;
            rc = rr->content != NULL ? DNSAPI_OK : DNSAPI_ENOMEM;
            goto done;
        }
    }
    if (rc == DNSAPI_ENOMEM) {
        goto done;
    }
    rr->refusal = refusal_new(&err);
    rc = rr->refusal != NULL ? DNSAPI_OK : DNSAPI_ENOMEM;
done:
    free(text);
    free(norm);
    return rc;
}

static int prereq_read(dns_update_t *u, const uint8_t *msg, size_t len, size_t *pos,
                       const uint8_t *zone, size_t zlen, size_t i, dns_update_result_t *res)
{
    raw_rr_t r;
    int kind;
    dnsapi_err_t fault;

    if (raw_read(msg, len, pos, &r) != DNSAPI_OK) {
        return fail(res, DNS_RCODE_FORMERR, 1, i, "formerr",
                    "A prerequisite runs past the end of the message.");
    }
    if (r.ttl != 0) {
        return fail(res, DNS_RCODE_FORMERR, 1, i, "formerr",
                    "A prerequisite has a TTL other "
                    "than 0 (RFC 2136 3.2.1).");
    }
    if (!dns_wire_name_is_at_or_below(r.owner, r.owner_len, zone, zlen)) {
        return fail(res, DNS_RCODE_NOTZONE, 1, i, "notzone",
                    "A prerequisite names a domain outside the zone (RFC 2136 3.2.1).");
    }
    if (r.rrclass == DNS_CLASS_ANY || r.rrclass == DNS_CLASS_NONE) {
        if (r.rdlength != 0) {
            return fail(res, DNS_RCODE_FORMERR, 1, i, "formerr",
                        "A class ANY or NONE prerequisite carries record data (RFC 2136 "
                        "3.2.1).");
        }
        bool any = r.type == DNS_TYPE_ANY;
        if (r.rrclass == DNS_CLASS_ANY) {
            kind = any ? DNS_PREREQ_NAME_IN_USE : DNS_PREREQ_RRSET_EXISTS;
        } else {
            kind = any ? DNS_PREREQ_NAME_NOT_IN_USE : DNS_PREREQ_RRSET_ABSENT;
        }
        if (!any && dns_wire_type_is_meta(r.type)) {
            return fail(res, DNS_RCODE_FORMERR, 1, i, "formerr",
                        "A prerequisite names a meta type (RFC 2136 3.2).");
        }
    } else if (r.rrclass == DNS_CLASS_IN) {
        if (dns_wire_type_is_meta(r.type)) {
            return fail(res, DNS_RCODE_FORMERR, 1, i, "formerr",
                        "A value-dependent prerequisite names a meta type (RFC 2136 3.2.3).");
        }
        kind = DNS_PREREQ_RRSET_VALUE;
    } else {
        return fail(res, DNS_RCODE_FORMERR, 1, i, "formerr",
                    "A prerequisite has a class other than the zone's, ANY or NONE (RFC 2136 "
                    "3.2.5).");
    }
    dns_update_rr_t *rr = &u->prereqs[i];
    u->n_prereqs = i + 1;
    if (rr_fill(rr, &r, kind) != DNSAPI_OK) {
        return DNSAPI_ENOMEM;
    }
    if (kind == DNS_PREREQ_RRSET_VALUE) {
        int rc = rr_content(u->zone, rr, msg, len, &r, false, &fault);
        if (rc == DNSAPI_EBADREQ) {
            return fail(res, DNS_RCODE_FORMERR, 1, i, "formerr", fault.message);
        }
        return rc;
    }
    return DNSAPI_OK;
}

/* Records the first update-section fault, to be reported after the
 * prerequisites have been evaluated. */
static void defer(dns_update_t *u, size_t i, uint16_t rcode, const char *msg)
{
    if (u->update_rcode == 0) {
        u->update_rcode = rcode;
        u->update_fault_index = i;
        dnsapi_err_set(&u->update_fault, DNSAPI_EBADREQ,
                       rcode == DNS_RCODE_NOTZONE ? "notzone" : "formerr", NULL, "%s", msg);
    }
}

/* The update kind of r, or 0 after deferring its format fault (3.4.1.3). */
static int update_kind(dns_update_t *u, size_t i, const raw_rr_t *r)
{
    bool axfr_like =
        r->type == DNS_TYPE_AXFR || r->type == DNS_TYPE_MAILA || r->type == DNS_TYPE_MAILB;
    switch (r->rrclass) {
    case DNS_CLASS_IN:
        if (dns_wire_type_is_meta(r->type)) {
            defer(u, i, DNS_RCODE_FORMERR,
                  "An update adds a record of a meta type (RFC 2136 "
                  "3.4.1.2).");
            return 0;
        }
        return DNS_UPDATE_ADD;
    case DNS_CLASS_ANY:
        if (r->ttl != 0 || r->rdlength != 0 || axfr_like ||
            (r->type != DNS_TYPE_ANY && dns_wire_type_is_meta(r->type))) {
            defer(u, i, DNS_RCODE_FORMERR,
                  "A class ANY update must have TTL 0, no data and a "
                  "type that is not a meta type (RFC 2136 3.4.1.2).");
            return 0;
        }
        return r->type == DNS_TYPE_ANY ? DNS_UPDATE_DELETE_NAME : DNS_UPDATE_DELETE_RRSET;
    case DNS_CLASS_NONE:
        if (r->ttl != 0 || dns_wire_type_is_meta(r->type)) {
            defer(u, i, DNS_RCODE_FORMERR,
                  "A class NONE update must have TTL 0 and a type that "
                  "is not a meta type (RFC 2136 3.4.1.2).");
            return 0;
        }
        return DNS_UPDATE_DELETE_RR;
    default:
        defer(u, i, DNS_RCODE_FORMERR,
              "An update has a class other than the zone's, ANY or "
              "NONE (RFC 2136 3.4.1.2).");
        return 0;
    }
}

static int update_read(dns_update_t *u, const uint8_t *msg, size_t len, size_t *pos,
                       const uint8_t *zone, size_t zlen, size_t i, dns_update_result_t *res)
{
    raw_rr_t r;
    dnsapi_err_t fault;

    if (raw_read(msg, len, pos, &r) != DNSAPI_OK) {
        return fail(res, DNS_RCODE_FORMERR, 2, i, "formerr",
                    "An update runs past the end of the message.");
    }
    dns_update_rr_t *rr = &u->updates[i];
    u->n_updates = i + 1;
    if (!dns_wire_name_is_at_or_below(r.owner, r.owner_len, zone, zlen)) {
        defer(u, i, DNS_RCODE_NOTZONE,
              "An update names a domain outside the zone (RFC 2136 "
              "3.4.1.3).");
    }
    int kind = update_kind(u, i, &r);
    if (rr_fill(rr, &r, kind) != DNSAPI_OK) {
        return DNSAPI_ENOMEM;
    }
    if (kind == DNS_UPDATE_ADD || kind == DNS_UPDATE_DELETE_RR) {
        int rc = rr_content(u->zone, rr, msg, len, &r, kind == DNS_UPDATE_ADD, &fault);
        if (rc == DNSAPI_EBADREQ) {
            defer(u, i, DNS_RCODE_FORMERR, fault.message);
            return DNSAPI_OK;
        }
        return rc;
    }
    return DNSAPI_OK;
}

int dns_update_parse(const uint8_t *msg, size_t len, const dns_msg_info_t *info, dns_update_t **out,
                     dns_update_result_t *res)
{
    uint8_t zone[DNS_WIRE_NAME_MAX];
    size_t zlen = info->qname_len;
    size_t pos = DNS_WIRE_HEADER;
    int rc = DNSAPI_OK;

    memset(res, 0, sizeof(*res));
    *out = NULL;
    if (info->count[0] != 1 || !info->has_question) {
        return fail(res, DNS_RCODE_FORMERR, 0, 0, "formerr",
                    "An UPDATE names exactly one zone (ZOCOUNT 1, RFC 2136 3.1.1).");
    }
    if (info->qtype != DNS_TYPE_SOA) {
        return fail(res, DNS_RCODE_FORMERR, 0, 0, "formerr",
                    "The zone section's type must be SOA (RFC 2136 3.1.1).");
    }
    if (info->qclass != DNS_CLASS_IN) {
        return fail(res, DNS_RCODE_NOTAUTH, 0, 0, "notauth",
                    "dnsapi serves zones of class IN only.");
    }
    if ((size_t)info->count[1] + info->count[2] > DNS_UPDATE_MAX_RRS) {
        fail(res, DNS_RCODE_REFUSED, 0, 0, "too_many_records",
             "The UPDATE has more than 1000 prerequisite and update records: split it.");
        return DNSAPI_EINVAL;
    }
    memcpy(zone, info->qname, zlen);
    dns_wire_name_lower(zone, zlen);

    dns_update_t *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        return DNSAPI_ENOMEM;
    }
    u->id = info->id;
    dns_wire_name_to_text(zone, zlen, u->zone, sizeof(u->zone));
    u->prereqs = calloc(info->count[1] + 1u, sizeof(*u->prereqs));
    u->updates = calloc(info->count[2] + 1u, sizeof(*u->updates));
    if (u->prereqs == NULL || u->updates == NULL) {
        rc = DNSAPI_ENOMEM;
        goto fail;
    }
    if (dns_wire_name_skip(msg, len, &pos) != DNSAPI_OK || len - pos < 4) {
        rc = fail(res, DNS_RCODE_FORMERR, 0, 0, "formerr", "The zone section is truncated.");
        goto fail;
    }
    pos += 4;
    for (size_t i = 0; i < info->count[1]; i++) {
        rc = prereq_read(u, msg, len, &pos, zone, zlen, i, res);
        if (rc != DNSAPI_OK) {
            goto fail;
        }
    }
    for (size_t i = 0; i < info->count[2]; i++) {
        rc = update_read(u, msg, len, &pos, zone, zlen, i, res);
        if (rc != DNSAPI_OK) {
            goto fail;
        }
    }
    *out = u;
    return DNSAPI_OK;
fail:
    if (rc == DNSAPI_ENOMEM) {
        res->rcode = DNS_RCODE_SERVFAIL;
        dnsapi_err_set(&res->err, DNSAPI_ENOMEM, "internal", NULL, "Out of memory.");
    }
    dns_update_free(u);
    return rc;
}

static void rrs_free(dns_update_rr_t *rrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rrs[i].name);
        free(rrs[i].content);
        free(rrs[i].refusal);
    }
    free(rrs);
}

void dns_update_free(dns_update_t *u)
{
    if (u == NULL) {
        return;
    }
    rrs_free(u->prereqs, u->n_prereqs);
    rrs_free(u->updates, u->n_updates);
    free(u);
}

/* The i-th record of the prerequisite and update sections taken as one. */
static const dns_update_rr_t *rr_at(const dns_update_t *u, size_t i)
{
    return i < u->n_prereqs ? &u->prereqs[i] : &u->updates[i - u->n_prereqs];
}

size_t dns_update_names(const dns_update_t *u, const char **out, size_t max)
{
    size_t total = u->n_prereqs + u->n_updates;
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        const char *name = rr_at(u, i)->name;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = strcmp(rr_at(u, j)->name, name) == 0;
        }
        if (!seen) {
            if (n < max) {
                out[n] = name;
            }
            n++;
        }
    }
    return n;
}
