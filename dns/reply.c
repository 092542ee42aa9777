/*
 * reply.c - building queries and reading replies for the live checks.
 *
 * The header is checked by hand before ldns sees the message, so that a
 * stray datagram (another id, a query, a few bytes) is told apart from a
 * broken reply to our own query: the first is ignored, the second is a
 * per-server result. After ldns has parsed the message, every rdata field
 * is checked for its type and size before it is read, and only bounded
 * text is copied out.
 */
#include "dns/reply.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#define CNAME_CHAIN_MAX 8

/* ldns 1.8.3's ldns_wire2pkt keeps the last TSIG record of the additional
 * section it meets in the packet and leaks the one it kept before, and it
 * shortens the section's count for each one, so that records after a TSIG
 * go unread. So the message is first walked record by record with
 * ldns_wire2rr, as ldns_wire2pkt walks it (the same records at the same
 * places: its reading is a prefix of this one), and refused unless a TSIG
 * record, if any, is the very last. */
bool dns_reply_ldns_can_read(const uint8_t *wire, size_t len)
{
    if (len < 12) {
        return false;
    }
    size_t counts[4];
    for (size_t s = 0; s < 4; s++) {
        counts[s] = (size_t)((wire[4 + 2 * s] << 8) | wire[5 + 2 * s]);
    }
    static const ldns_pkt_section sections[4] = {LDNS_SECTION_QUESTION, LDNS_SECTION_ANSWER,
                                                 LDNS_SECTION_AUTHORITY, LDNS_SECTION_ADDITIONAL};
    size_t pos = 12, left = counts[1] + counts[2] + counts[3];
    for (size_t s = 0; s < 4; s++) {
        for (size_t i = 0; i < counts[s]; i++) {
            ldns_rr *rr = NULL;
            if (ldns_wire2rr(&rr, wire, len, &pos, sections[s]) != LDNS_STATUS_OK) {
                ldns_rr_free(rr);
                return false;
            }
            bool tsig = s > 0 && ldns_rr_get_type(rr) == LDNS_RR_TYPE_TSIG;
            ldns_rr_free(rr);
            left -= s > 0;
            if (tsig && (s != 3 || left != 0)) {
                return false;
            }
        }
    }
    return true;
}

uint16_t dns_query_id(const uint8_t *wire)
{
    return (uint16_t)((wire[0] << 8) | wire[1]);
}

int dns_query_build(const char *qname, const char *qtype, uint16_t id, bool rd, uint8_t *out,
                    size_t outlen, size_t *len, dnsapi_err_t *err)
{
    ldns_rr_type type = ldns_get_rr_type_by_name(qtype);
    if (type == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_type", "type", "Unknown type %s.", qtype);
    }
    ldns_rdf *name = NULL;
    if (ldns_str2rdf_dname(&name, qname) != LDNS_STATUS_OK || name == NULL) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name", "Cannot read the name %s.",
                              qname);
    }
    ldns_pkt *pkt = ldns_pkt_query_new(name, type, LDNS_RR_CLASS_IN, rd ? LDNS_RD : 0);
    if (pkt == NULL) {
        ldns_rdf_deep_free(name);
        return dnsapi_err_set(err, DNSAPI_ENOMEM, "internal", NULL, "Out of memory.");
    }
    ldns_pkt_set_id(pkt, id);
    ldns_pkt_set_edns_udp_size(pkt, DNS_EDNS_UDP_SIZE);
    uint8_t *wire = NULL;
    size_t wire_len = 0;
    int rc = DNSAPI_OK;
    if (ldns_pkt2wire(&wire, pkt, &wire_len) != LDNS_STATUS_OK || wire_len > outlen) {
        rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                            "Cannot build a query for %s %s.", qname, qtype);
    } else {
        memcpy(out, wire, wire_len);
        *len = wire_len;
    }
    free(wire);
    ldns_pkt_free(pkt);
    return rc;
}

/* A dname rdf as lowercase absolute text in out; false when it is not a
 * name or does not fit. */
static bool dname_text(const ldns_rdf *rdf, char *out, size_t outlen)
{
    if (rdf == NULL || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) {
        return false;
    }
    char *s = ldns_rdf2str(rdf);
    if (s == NULL) {
        return false;
    }
    size_t n = strlen(s);
    bool ok = n > 0 && n < outlen;
    if (ok) {
        for (size_t i = 0; i <= n; i++) {
            out[i] = (char)tolower((unsigned char)s[i]);
        }
    }
    free(s);
    return ok;
}

/* An A or AAAA rdf as text; false for anything of the wrong size. */
static bool address_text(const ldns_rr *rr, char *out, size_t outlen)
{
    if (ldns_rr_rd_count(rr) != 1) {
        return false;
    }
    const ldns_rdf *rdf = ldns_rr_rdf(rr, 0);
    if (rdf == NULL) {
        return false;
    }
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A && ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_A &&
        ldns_rdf_size(rdf) == 4) {
        return inet_ntop(AF_INET, ldns_rdf_data(rdf), out, (socklen_t)outlen) != NULL;
    }
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA && ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_AAAA &&
        ldns_rdf_size(rdf) == 16) {
        return inet_ntop(AF_INET6, ldns_rdf_data(rdf), out, (socklen_t)outlen) != NULL;
    }
    return false;
}

bool dns_reply_owner_is(const ldns_rr *rr, const ldns_rdf *name)
{
    const ldns_rdf *owner = ldns_rr_owner(rr);
    return owner != NULL && ldns_rdf_get_type(owner) == LDNS_RDF_TYPE_DNAME &&
           ldns_dname_compare(owner, name) == 0;
}

static size_t section_count(const ldns_rr_list *list)
{
    return list != NULL ? ldns_rr_list_rr_count(list) : 0;
}

/* The SOA facts: the serial of an SOA at qname in the answer, the owner of
 * the first SOA in the answer or authority section. */
static void soa_facts(const ldns_pkt *pkt, const ldns_rdf *qname, dns_answer_t *out)
{
    const ldns_rr_list *sections[2] = {ldns_pkt_answer(pkt), ldns_pkt_authority(pkt)};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < section_count(sections[s]); i++) {
            const ldns_rr *rr = ldns_rr_list_rr(sections[s], i);
            if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA) {
                continue;
            }
            if (out->soa_owner[0] == '\0') {
                dname_text(ldns_rr_owner(rr), out->soa_owner, sizeof(out->soa_owner));
            }
            const ldns_rdf *serial = ldns_rr_rd_count(rr) >= 3 ? ldns_rr_rdf(rr, 2) : NULL;
            if (s == 0 && !out->has_soa && dns_reply_owner_is(rr, qname) && serial != NULL &&
                ldns_rdf_get_type(serial) == LDNS_RDF_TYPE_INT32 && ldns_rdf_size(serial) == 4) {
                out->has_soa = true;
                out->serial = ldns_rdf2native_int32(serial);
            }
        }
    }
}

/* NS targets at qname: the answer section, else a referral. */
static void ns_facts(const ldns_pkt *pkt, const ldns_rdf *qname, dns_answer_t *out)
{
    const ldns_rr_list *sections[2] = {ldns_pkt_answer(pkt), ldns_pkt_authority(pkt)};
    for (size_t s = 0; s < 2 && out->n_items == 0; s++) {
        for (size_t i = 0; i < section_count(sections[s]); i++) {
            const ldns_rr *rr = ldns_rr_list_rr(sections[s], i);
            char target[DNS_NAME_BUFSIZE];
            if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || !dns_reply_owner_is(rr, qname) ||
                ldns_rr_rd_count(rr) != 1) {
                continue;
            }
            if (dname_text(ldns_rr_rdf(rr, 0), target, sizeof(target))) {
                dns_answer_add_item(out, target);
                out->referral = s == 1;
            } else {
                out->truncated = true;
            }
        }
    }
}

/* Addresses of qtype at qname in the answer, following a CNAME chain of at
 * most CNAME_CHAIN_MAX links inside the answer. */
static void address_facts(const ldns_pkt *pkt, const ldns_rdf *qname, ldns_rr_type qtype,
                          dns_answer_t *out)
{
    const ldns_rr_list *answer = ldns_pkt_answer(pkt);
    const ldns_rdf *name = qname;
    for (int link = 0; link <= CNAME_CHAIN_MAX && name != NULL; link++) {
        const ldns_rdf *next = NULL;
        for (size_t i = 0; i < section_count(answer); i++) {
            const ldns_rr *rr = ldns_rr_list_rr(answer, i);
            char text[DNS_ADDR_BUFSIZE];
            if (!dns_reply_owner_is(rr, name)) {
                continue;
            }
            if (ldns_rr_get_type(rr) == qtype && address_text(rr, text, sizeof(text))) {
                dns_answer_add_item(out, text);
            } else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME && ldns_rr_rd_count(rr) == 1 &&
                       ldns_rdf_get_type(ldns_rr_rdf(rr, 0)) == LDNS_RDF_TYPE_DNAME) {
                next = ldns_rr_rdf(rr, 0);
            }
        }
        if (out->n_items > 0) {
            break;
        }
        name = next;
    }
}

/* A/AAAA in the additional section: glue that came with a referral. */
static void glue_facts(const ldns_pkt *pkt, dns_answer_t *out)
{
    const ldns_rr_list *extra = ldns_pkt_additional(pkt);
    for (size_t i = 0; i < section_count(extra); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(extra, i);
        dns_answer_glue_t g;
        if ((ldns_rr_get_type(rr) != LDNS_RR_TYPE_A && ldns_rr_get_type(rr) != LDNS_RR_TYPE_AAAA) ||
            !dname_text(ldns_rr_owner(rr), g.name, sizeof(g.name)) ||
            !address_text(rr, g.address, sizeof(g.address))) {
            continue;
        }
        if (out->n_glue == DNS_ANSWER_MAX_GLUE) {
            out->truncated = true;
            return;
        }
        out->glue[out->n_glue++] = g;
    }
}

bool dns_reply_question_is(const ldns_pkt *pkt, const ldns_rdf *qname, ldns_rr_type qtype)
{
    const ldns_rr_list *q = ldns_pkt_question(pkt);
    if (section_count(q) == 0) {
        return ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR;
    }
    if (section_count(q) != 1) {
        return false;
    }
    const ldns_rr *rr = ldns_rr_list_rr(q, 0);
    return dns_reply_owner_is(rr, qname) && ldns_rr_get_type(rr) == qtype &&
           ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN;
}

dns_reply_kind_t dns_reply_read(const uint8_t *wire, size_t len, uint16_t id, const char *qname,
                                const char *qtype, dns_answer_t *out)
{
    /* Header: id (2), flags (2) with QR the top bit, four counts. */
    if (len < 2 || dns_query_id(wire) != id || (len >= 3 && (wire[2] & 0x80) == 0)) {
        return DNS_REPLY_OTHER;
    }
    if (len < 12) {
        dns_answer_fail(out, DNS_ANSWER_GARBAGE, "a reply of %zu bytes, shorter than a DNS header",
                        len);
        return DNS_REPLY_BROKEN;
    }
    ldns_rr_type type = ldns_get_rr_type_by_name(qtype);
    ldns_rdf *name = NULL;
    if (type == 0 || ldns_str2rdf_dname(&name, qname) != LDNS_STATUS_OK || name == NULL) {
        dns_answer_fail(out, DNS_ANSWER_GARBAGE, "the question %s %s cannot be read", qname, qtype);
        return DNS_REPLY_BROKEN;
    }
    ldns_pkt *pkt = NULL;
    ldns_status st = LDNS_STATUS_WIRE_RDATA_ERR;
    if (dns_reply_ldns_can_read(wire, len)) {
        st = ldns_wire2pkt(&pkt, wire, len);
    }
    dns_reply_kind_t kind = DNS_REPLY_BROKEN;
    if (st != LDNS_STATUS_OK || pkt == NULL) {
        dns_answer_fail(out, DNS_ANSWER_GARBAGE, "a reply that is not a DNS message (%s)",
                        ldns_get_errorstr_by_id(st));
    } else if (ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY) {
        dns_answer_fail(out, DNS_ANSWER_GARBAGE, "a reply with opcode %d instead of QUERY",
                        (int)ldns_pkt_get_opcode(pkt));
    } else if (!dns_reply_question_is(pkt, name, type)) {
        dns_answer_fail(out, DNS_ANSWER_GARBAGE, "a reply to another question than %s %s", qname,
                        qtype);
    } else {
        /* start from a clean answer: a broken datagram or a truncated UDP
         * reply may have come first */
        char keep_name[DNS_NAME_BUFSIZE], keep_type[sizeof(out->qtype)];
        snprintf(keep_name, sizeof(keep_name), "%s", out->qname);
        snprintf(keep_type, sizeof(keep_type), "%s", out->qtype);
        bool tcp = out->tcp;
        dns_answer_init(out, keep_name, keep_type);
        out->tcp = tcp;
        out->status = DNS_ANSWER_OK;
        out->error[0] = '\0';
        out->rcode = (int)ldns_pkt_get_rcode(pkt);
        out->aa = ldns_pkt_aa(pkt);
        out->tc = ldns_pkt_tc(pkt);
        soa_facts(pkt, name, out);
        if (type == LDNS_RR_TYPE_NS) {
            ns_facts(pkt, name, out);
        } else if (type == LDNS_RR_TYPE_A || type == LDNS_RR_TYPE_AAAA) {
            address_facts(pkt, name, type, out);
        }
        glue_facts(pkt, out);
        kind = DNS_REPLY_MINE;
    }
    ldns_pkt_free(pkt);
    ldns_rdf_deep_free(name);
    return kind;
}
