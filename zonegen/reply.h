/*
 * reply.h - what zonegen makes of a datagram a name server sends back to
 * one of its queries: an SOA query (zonegen/check.c, zonegen_soa_query) or
 * a NOTIFY (zonegen_notify_send). Pure: bytes in, a verdict out, no I/O.
 *
 * A datagram may be anything (another query's answer, a forgery, a
 * truncated or lying message), so it is an answer only when it is a
 * response (QR) to our id, opcode and question; and it says "serves serial
 * S" only when it is NOERROR, authoritative and holds exactly one SOA for
 * the zone in its answer section. tests/fuzz/fuzz_zonegen_reply.c feeds it
 * arbitrary bytes.
 */
#ifndef DNSAPI_ZONEGEN_REPLY_H
#define DNSAPI_ZONEGEN_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    ZONEGEN_REPLY_OTHER = 0,  /* not an answer to this query: ignore it */
    ZONEGEN_REPLY_ANSWER = 1, /* the answer: rcode, aa, tsig_error, serial */
} zonegen_reply_kind_t;

typedef struct {
    int rcode;       /* the RCODE (0 NOERROR, 5 REFUSED, 9 NOTAUTH, ...) */
    bool aa;         /* authoritative answer */
    int tsig_error;  /* the error of a TSIG record that came with it, or 0 */
    bool has_serial; /* NOERROR, AA and exactly one SOA for the zone */
    uint32_t serial;
} zonegen_reply_t;

/* The id in a datagram's header, for finding the query it answers; false
 * when it is shorter than a DNS header. */
bool zonegen_reply_id(const uint8_t *wire, size_t len, uint16_t *id);

/* Reads wire[0..len) as the answer to our query with the given id and
 * opcode (LDNS_PACKET_QUERY for an SOA query, LDNS_PACKET_NOTIFY) whose
 * question is zone (absolute) SOA IN. A reply with an error RCODE may
 * leave the question out; otherwise it must be exactly ours. Fills out for
 * ANSWER (zeroed for OTHER). Never reads outside wire. */
zonegen_reply_kind_t zonegen_reply_read(const uint8_t *wire, size_t len, uint16_t id, int opcode,
                                        const char *zone, zonegen_reply_t *out);

#endif
