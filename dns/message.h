/*
 * message.h - what a DNS listener needs of any message before it knows
 * what the message asks: the header, the first question (or UPDATE zone),
 * EDNS (RFC 6891) and where a TSIG record sits; and the answers it sends
 * back: the same id and opcode, the question echoed, an rcode, SOA/NS
 * answer records, an OPT record with an Extended DNS Error (RFC 8914) when
 * the request had one. TSIG signing of an answer is dns/tsig.h's job, after
 * the answer is built.
 *
 * Listener flow (the order RFC 2136 and RFC 8945 ask for):
 *
 *     dns_msg_info_parse()          drop, FORMERR, or go on
 *     dns_tsig_read/verify()        dns/tsig.h: BADKEY/BADSIG/BADTIME answers
 *     EDNS version other than 0     BADVERS (RFC 6891 6.1.3): dns_msg_badvers()
 *     opcode QUERY:   dns_query_apex_name() -> the caller looks up the zone
 *                     -> dns_reply_build() with its SOA or NS records, or
 *                     REFUSED
 *     opcode UPDATE:  dns_update_parse(), dns_update_evaluate() (dns/update.h)
 *                     -> the change model -> dns_reply_build() with the rcode
 *     anything else:  NOTIMP
 *     dns_tsig_sign_response()      when the request was signed
 *
 * Pure functions, no I/O, no allocation.
 */
#ifndef DNSAPI_DNS_MESSAGE_H
#define DNSAPI_DNS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "dns/change.h" /* dns_record_t */
#include "dns/dns.h"
#include "dns/wire.h"

/* The UDP payload size dnsapi advertises and answers within (RFC 9715's
 * recommendation); 512 without EDNS. */
#define DNS_EDNS_UDP_SIZE 1232
/* Longest EXTRA-TEXT an answer carries. */
#define DNS_EDE_TEXT_MAX 300

/* Extended DNS Error info-codes (RFC 8914) dnsapi uses. */
enum {
    DNS_EDE_OTHER = 0,
    DNS_EDE_NOT_AUTHORITATIVE = 20,
    DNS_EDE_PROHIBITED = 18,
    DNS_EDE_NOT_SUPPORTED = 21,
};

typedef struct {
    bool drop; /* shorter than a header, or a response: send nothing */
    uint16_t id;
    uint16_t flags;
    uint16_t count[4];
    bool has_question; /* the first question (UPDATE: zone) was read */
    uint8_t qname[DNS_WIRE_NAME_MAX];
    size_t qname_len;
    uint16_t qtype;
    uint16_t qclass;
    bool has_opt;      /* an OPT record was present (answers get one too) */
    uint16_t udp_size; /* its payload size, at least 512 */
    uint8_t edns_version;
    bool has_tsig;  /* the last additional record is a TSIG */
    size_t tsig_at; /* where it starts */
} dns_msg_info_t;

/* Walks msg[0..len) through every section. DNSAPI_OK when it is well
 * formed; DNSAPI_EBADREQ when not, with info->drop set when no answer
 * should be sent (fewer than 12 octets, or the QR bit set) and otherwise
 * info filled as far as it was read, for a FORMERR answer. err says what
 * was wrong. Format errors: a record running past the end, octets after
 * the last record, more than one OPT or an OPT not owned by the root, a
 * TSIG that is not the last record or not of class ANY. */
int dns_msg_info_parse(const uint8_t *msg, size_t len, dns_msg_info_t *info, dnsapi_err_t *err);

/* True when req has an OPT record of a version dnsapi does not speak
 * (anything but 0): the answer is BADVERS, RFC 6891 6.1.3. */
bool dns_msg_badvers(const dns_msg_info_t *req);

/* For a QUERY of one question, class IN, type SOA or NS: writes the
 * question's name (absolute lowercase text) into name (DNS_WIRE_NAME_TEXT
 * bytes) and returns true. The caller answers it with the zone's SOA or NS
 * set when name is the apex of a zone it manages, and REFUSED otherwise
 * (also for every query this returns false for). */
bool dns_query_apex_name(const dns_msg_info_t *info, char *name, size_t namelen);

/* What an answer says. */
typedef struct {
    uint16_t rcode;             /* 0..4095: above 15 needs the request's OPT */
    bool authoritative;         /* AA */
    const dns_record_t *answer; /* SOA or NS records (normalized text), or NULL */
    size_t n_answer;
    const dns_record_t *authority; /* SOA or NS records for the authority section, or NULL */
    size_t n_authority;
    uint16_t ede_code;    /* used when ede_text is not NULL */
    const char *ede_text; /* EXTRA-TEXT (cut at DNS_EDE_TEXT_MAX), or NULL */
} dns_reply_t;

/* Builds the answer to req into buf (cap octets): header with req's id,
 * opcode and RD bit, QR set; the question echoed when req had one; the
 * answer records; the authority records (left out when they do not fit);
 * an OPT record (payload DNS_EDNS_UDP_SIZE, the extended
 * rcode bits, and the EDE option when ede_text is set) when req had one.
 * max_size is the size the answer must fit in (the UDP limit less room for
 * a TSIG record, or 65535 on TCP): answer records that do not fit are left
 * out and TC set. Returns DNSAPI_OK with *len, or
 * DNSAPI_EINVAL when a record cannot be encoded or the header and question
 * alone do not fit. */
int dns_reply_build(const dns_msg_info_t *req, const dns_reply_t *r, uint8_t *buf, size_t cap,
                    size_t max_size, size_t *len);

/* Rcodes dnsapi names (0..DNS_RCODES-1; BADVERS is 16). */
#define DNS_RCODES 24

/* The mnemonic of an rcode ("NOERROR", "NOTAUTH", "BADVERS"), or "RCODEn". */
const char *dns_rcode_name(uint16_t rcode);

/* Room for dns_reply_ede_text's output. */
#define DNS_EDE_TEXT_BUFSIZE                                                                       \
    (sizeof(((dnsapi_err_t *)0)->code) + 2 + sizeof(((dnsapi_err_t *)0)->message))

/* The EXTRA-TEXT dnsapi sends for a refusal: "<rule code>: <message>",
 * e.g. "cname_conflict: A CNAME record cannot ...", so that a client's
 * log says which rule refused (dns_reply_build cuts it to
 * DNS_EDE_TEXT_MAX). */
void dns_reply_ede_text(const dnsapi_err_t *err, char *out, size_t outlen);

/* The size a UDP answer to req may have: its EDNS payload size capped at
 * DNS_EDNS_UDP_SIZE, or 512 without EDNS. */
size_t dns_reply_udp_limit(const dns_msg_info_t *req);

#endif
