/*
 * fuzz_zonegen_reply.c - the answers zonegen reads from name servers
 * (zonegen/reply.c): the SOA replies of its serial checks
 * (zonegen/check.c, zonegen_soa_query) and the answers to its NOTIFY
 * messages (zonegen_notify_send).
 *
 * Input: one selector byte, then the datagram. The selector's low two bits
 * pick the zone asked about, bit 2 the opcode (NOTIFY instead of QUERY),
 * bit 7 makes our id 0x1234 instead of the datagram's own (as
 * zonegen/check.c finds the query by the id it reads). Invariants:
 *  - the datagram is read from a buffer of exactly its size (ASan: never
 *    outside it); nothing leaks (LeakSanitizer after every input);
 *  - an ANSWER is a datagram of at least a header, with our id, QR set and
 *    our opcode, that ldns reads, whose question is ours (zone SOA IN) or
 *    absent from an error answer; OTHER leaves the verdict zeroed;
 *  - "serves serial S" (has_serial) only for a NOERROR, AA answer holding
 *    exactly one SOA owned by the zone in its answer section, whose serial
 *    is S; for a query, dns_reply_read (the live checks' reader) then sees
 *    the same SOA serial;
 *  - the same bytes give the same verdict, byte for byte.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "dns/reply.h"
#include "support.h"
#include "zonegen/reply.h"

static const char *const zones[] = {"example.com.", "dev.example.com.", "xn--bcher-kva.example.",
                                    "."};

/* The SOA records owned by zone in the answer section, found by their
 * owners' text; sets *serial from the last one. */
static size_t soa_count(const ldns_pkt *pkt, const char *zone, uint32_t *serial)
{
    const ldns_rr_list *l = ldns_pkt_answer(pkt);
    size_t n = 0;
    for (size_t i = 0; l != NULL && i < ldns_rr_list_rr_count(l); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(l, i);
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA) {
            continue;
        }
        char *owner = ldns_rdf2str(ldns_rr_owner(rr));
        FUZZ_CHECK(owner != NULL, "out of memory");
        if (strcasecmp(owner, zone) == 0) {
            n++;
            if (ldns_rr_rd_count(rr) >= 3 && ldns_rdf_size(ldns_rr_rdf(rr, 2)) == 4) {
                *serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
            }
        }
        free(owner);
    }
    return n;
}

static void check_answer(const uint8_t *wire, size_t len, uint16_t id, int opcode, const char *zone,
                         const zonegen_reply_t *r)
{
    FUZZ_CHECK(len >= 12, "an answer of %zu bytes", len);
    FUZZ_CHECK(((wire[0] << 8) | wire[1]) == id, "id %02x%02x, ours %04x", wire[0], wire[1], id);
    FUZZ_CHECK((wire[2] & 0x80) != 0, "an answer without QR");
    FUZZ_CHECK(((wire[2] >> 3) & 0x0f) == opcode, "opcode %d, ours %d", (wire[2] >> 3) & 0x0f,
               opcode);
    FUZZ_CHECK(r->rcode == (wire[3] & 0x0f), "rcode %d, header %d", r->rcode, wire[3] & 0x0f);
    FUZZ_CHECK(r->aa == ((wire[2] & 0x04) != 0), "aa %d", r->aa);
    FUZZ_CHECK(r->tsig_error >= 0 && r->tsig_error <= 65535, "tsig error %d", r->tsig_error);

    ldns_pkt *pkt = NULL;
    FUZZ_CHECK(ldns_wire2pkt(&pkt, wire, len) == LDNS_STATUS_OK, "an answer ldns cannot read");
    const ldns_rr_list *q = ldns_pkt_question(pkt);
    size_t nq = q != NULL ? ldns_rr_list_rr_count(q) : 0;
    FUZZ_CHECK(nq == 1 || (nq == 0 && r->rcode != 0), "%zu questions, rcode %d", nq, r->rcode);
    if (nq == 1) {
        char *owner = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(q, 0)));
        FUZZ_CHECK(owner != NULL && strcasecmp(owner, zone) == 0, "question %s, ours %s", owner,
                   zone);
        FUZZ_CHECK(ldns_rr_get_type(ldns_rr_list_rr(q, 0)) == LDNS_RR_TYPE_SOA &&
                       ldns_rr_get_class(ldns_rr_list_rr(q, 0)) == LDNS_RR_CLASS_IN,
                   "question type %d class %d", ldns_rr_get_type(ldns_rr_list_rr(q, 0)),
                   ldns_rr_get_class(ldns_rr_list_rr(q, 0)));
        free(owner);
    }
    uint32_t serial = 0;
    size_t nsoa = soa_count(pkt, zone, &serial);
    if (r->has_serial) {
        FUZZ_CHECK(r->rcode == 0 && r->aa, "a serial from rcode %d aa %d", r->rcode, r->aa);
        FUZZ_CHECK(nsoa == 1, "a serial from an answer with %zu SOA records for %s", nsoa, zone);
        FUZZ_CHECK(serial == r->serial, "serial %u, the SOA says %u", r->serial, serial);
    } else {
        FUZZ_CHECK(r->serial == 0, "serial %u without has_serial", r->serial);
    }
    ldns_pkt_free(pkt);

    if (r->has_serial && opcode == LDNS_PACKET_QUERY) {
        dns_answer_t a;
        dns_answer_init(&a, zone, "SOA");
        dns_reply_kind_t k = dns_reply_read(wire, len, id, zone, "SOA", &a);
        FUZZ_CHECK(k == DNS_REPLY_MINE && a.has_soa && a.serial == r->serial,
                   "zonegen reads serial %u, dns_reply_read kind %d has_soa %d serial %u",
                   r->serial, (int)k, a.has_soa, a.serial);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    uint8_t sel = data[0];
    size_t len = size - 1;
    /* exactly the datagram's size, so ASan sees any read past its end */
    uint8_t *wire = malloc(len > 0 ? len : 1);
    FUZZ_CHECK(wire != NULL, "out of memory");
    memcpy(wire, data + 1, len);
    const char *zone = zones[sel & 3];
    int opcode = (sel & 4) ? LDNS_PACKET_NOTIFY : LDNS_PACKET_QUERY;
    uint16_t id = 0x1234;
    if ((sel & 0x80) == 0 && len >= 2) {
        id = (uint16_t)((wire[0] << 8) | wire[1]);
    }

    zonegen_reply_t r, again;
    memset(&r, 0xa5, sizeof(r));
    memset(&again, 0x5a, sizeof(again));
    zonegen_reply_kind_t k = zonegen_reply_read(wire, len, id, opcode, zone, &r);
    zonegen_reply_kind_t k2 = zonegen_reply_read(wire, len, id, opcode, zone, &again);
    FUZZ_CHECK(k == k2 && memcmp(&r, &again, sizeof(r)) == 0, "two readings differ (%d, %d)", k,
               k2);
    if (k == ZONEGEN_REPLY_ANSWER) {
        check_answer(wire, len, id, opcode, zone, &r);
    } else {
        zonegen_reply_t zero;
        memset(&zero, 0, sizeof(zero));
        FUZZ_CHECK(k == ZONEGEN_REPLY_OTHER, "kind %d", (int)k);
        FUZZ_CHECK(memcmp(&r, &zero, sizeof(r)) == 0, "OTHER with a verdict");
    }
    free(wire);
    return 0;
}
