/*
 * reply.h - DNS messages for the live checks: the wire form of a query,
 * and what a reply says, read defensively.
 *
 * A reply comes from the network and may be anything: truncated,
 * oversized, for another query, lying about its lengths. dns_reply_read
 * never trusts it: it checks the header by hand, lets ldns parse the rest,
 * checks the question, and copies out only bounded facts (dns_answer_t).
 * tests/fuzz/fuzz_dnsreply.c feeds it arbitrary bytes.
 */
#ifndef DNSAPI_DNS_REPLY_H
#define DNSAPI_DNS_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "common/error.h"
#include "dns/livecheck.h"

#define DNS_QUERY_MAX 512      /* a query's wire form fits in this */
#define DNS_EDNS_UDP_SIZE 1232 /* the UDP payload size a query offers */

/* Writes a query for qname (absolute) and qtype ("SOA", "NS", "A", "AAAA"
 * or any type ldns knows) with the given id into out (at least
 * DNS_QUERY_MAX bytes), class IN, RD set when rd, with an EDNS0 OPT
 * record offering DNS_EDNS_UDP_SIZE. Sets *len. Returns DNSAPI_OK or
 * DNSAPI_EINVAL (bad name or type, err says which). */
int dns_query_build(const char *qname, const char *qtype, uint16_t id, bool rd, uint8_t *out,
                    size_t outlen, size_t *len, dnsapi_err_t *err);

typedef enum {
    DNS_REPLY_MINE = 0,   /* a reply to this query: out is filled, status OK */
    DNS_REPLY_OTHER = 1,  /* not a reply to this query (another id, not a
                             response, too short to tell): ignore it */
    DNS_REPLY_BROKEN = 2, /* our id, but unreadable or another question: out
                             has status GARBAGE and the reason */
} dns_reply_kind_t;

/* Reads wire[0..len) as a reply to the query (id, qname, qtype). Fills
 * out's facts (see dns_answer_t) for MINE; keeps out's question, and sets
 * the status and error for BROKEN; leaves out alone for OTHER. Never reads
 * outside wire, whatever the message claims. */
dns_reply_kind_t dns_reply_read(const uint8_t *wire, size_t len, uint16_t id, const char *qname,
                                const char *qtype, dns_answer_t *out);

/* True when rr is owned by name (a domain name; case folded). */
bool dns_reply_owner_is(const ldns_rr *rr, const ldns_rdf *name);

/* True when the question of a reply is ours: exactly one, qname qtype
 * IN; or none in an error answer (a server may leave it out there). */
bool dns_reply_question_is(const ldns_pkt *pkt, const ldns_rdf *qname, ldns_rr_type qtype);

/* True when ldns_wire2pkt can be given wire[0..len) safely: every record
 * reads, and a TSIG record, if any, is the last of the additional section
 * (dns/reply.c says what ldns does with others). */
bool dns_reply_ldns_can_read(const uint8_t *wire, size_t len);

/* The id of a query's wire form (its first two bytes). */
uint16_t dns_query_id(const uint8_t *wire);

#endif
