/*
 * reply.c - judging a name server's answer to zonegen's SOA queries and
 * NOTIFY messages (zonegen/reply.h).
 */
#include "zonegen/reply.h"

#include <string.h>

#include <ldns/ldns.h>

#include "dns/reply.h"

#define HEADER_LEN 12

bool zonegen_reply_id(const uint8_t *wire, size_t len, uint16_t *id)
{
    if (len < HEADER_LEN) {
        return false;
    }
    *id = (uint16_t)((wire[0] << 8) | wire[1]);
    return true;
}

static size_t section_count(const ldns_rr_list *list)
{
    return list != NULL ? ldns_rr_list_rr_count(list) : 0;
}

/* The serial of the one SOA for the zone in the answer section; false
 * when there is none or more than one (a server that answers with two
 * serials serves neither). */
static bool soa_serial(const ldns_pkt *pkt, const ldns_rdf *apex, uint32_t *serial)
{
    const ldns_rr_list *answer = ldns_pkt_answer(pkt);
    size_t found = 0;
    for (size_t i = 0; i < section_count(answer); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(answer, i);
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || !dns_reply_owner_is(rr, apex)) {
            continue;
        }
        const ldns_rdf *s = ldns_rr_rd_count(rr) >= 3 ? ldns_rr_rdf(rr, 2) : NULL;
        if (s == NULL || ldns_rdf_get_type(s) != LDNS_RDF_TYPE_INT32 || ldns_rdf_size(s) != 4 ||
            ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
            return false;
        }
        *serial = ldns_rdf2native_int32(s);
        found++;
    }
    return found == 1;
}

/* The error field of a TSIG record (RFC 8945: the sixth field). */
static int tsig_error(const ldns_pkt *pkt)
{
    const ldns_rr *tsig = ldns_pkt_tsig(pkt);
    const ldns_rdf *e = tsig != NULL && ldns_rr_rd_count(tsig) > 5 ? ldns_rr_rdf(tsig, 5) : NULL;
    if (e == NULL || ldns_rdf_size(e) != 2) {
        return 0;
    }
    return ldns_rdf2native_int16(e);
}

zonegen_reply_kind_t zonegen_reply_read(const uint8_t *wire, size_t len, uint16_t id, int opcode,
                                        const char *zone, zonegen_reply_t *out)
{
    memset(out, 0, sizeof(*out));
    uint16_t got;
    if (!zonegen_reply_id(wire, len, &got) || got != id || (wire[2] & 0x80) == 0) {
        return ZONEGEN_REPLY_OTHER;
    }
    ldns_rdf *apex = NULL;
    if (ldns_str2rdf_dname(&apex, zone) != LDNS_STATUS_OK || apex == NULL) {
        return ZONEGEN_REPLY_OTHER;
    }
    ldns_pkt *pkt = NULL;
    zonegen_reply_kind_t kind = ZONEGEN_REPLY_OTHER;
    if (dns_reply_ldns_can_read(wire, len) && ldns_wire2pkt(&pkt, wire, len) == LDNS_STATUS_OK &&
        pkt != NULL && (int)ldns_pkt_get_opcode(pkt) == opcode &&
        dns_reply_question_is(pkt, apex, LDNS_RR_TYPE_SOA)) {
        kind = ZONEGEN_REPLY_ANSWER;
        out->rcode = (int)ldns_pkt_get_rcode(pkt);
        out->aa = ldns_pkt_aa(pkt);
        out->tsig_error = tsig_error(pkt);
        uint32_t serial = 0;
        if (out->rcode == LDNS_RCODE_NOERROR && out->aa && soa_serial(pkt, apex, &serial)) {
            out->has_serial = true;
            out->serial = serial;
        }
    }
    ldns_pkt_free(pkt);
    ldns_rdf_deep_free(apex);
    return kind;
}
