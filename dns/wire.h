/*
 * wire.h - DNS messages in wire form (RFC 1035 section 4): a bounded
 * reader and writer, domain names with compression, type names, and the
 * conversion of record data between wire form and the presentation text
 * that dns_rdata_normalize() accepts.
 *
 * Nothing here trusts a length it reads: every read is checked against the
 * end of the message, compression pointers must point strictly backwards
 * (so a name cannot loop) and a name is at most 255 octets. No I/O.
 */
#ifndef DNSAPI_DNS_WIRE_H
#define DNSAPI_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define DNS_WIRE_NAME_MAX 255   /* octets of an uncompressed name */
#define DNS_WIRE_NAME_TEXT 1024 /* its text with every octet as \DDD, and the NUL */
#define DNS_WIRE_HEADER 12

/* Classes, types and opcodes the protocol code names. */
enum {
    DNS_CLASS_IN = 1,
    DNS_CLASS_NONE = 254,
    DNS_CLASS_ANY = 255,
};
enum {
    DNS_TYPE_A = 1,
    DNS_TYPE_NS = 2,
    DNS_TYPE_CNAME = 5,
    DNS_TYPE_SOA = 6,
    DNS_TYPE_PTR = 12,
    DNS_TYPE_MX = 15,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_SRV = 33,
    DNS_TYPE_NAPTR = 35,
    DNS_TYPE_OPT = 41,
    DNS_TYPE_DS = 43,
    DNS_TYPE_SSHFP = 44,
    DNS_TYPE_TLSA = 52,
    DNS_TYPE_SVCB = 64,
    DNS_TYPE_HTTPS = 65,
    DNS_TYPE_TKEY = 249,
    DNS_TYPE_TSIG = 250,
    DNS_TYPE_IXFR = 251,
    DNS_TYPE_AXFR = 252,
    DNS_TYPE_MAILB = 253,
    DNS_TYPE_MAILA = 254,
    DNS_TYPE_ANY = 255,
    DNS_TYPE_CAA = 257,
};
enum {
    DNS_OPCODE_QUERY = 0,
    DNS_OPCODE_NOTIFY = 4,
    DNS_OPCODE_UPDATE = 5,
};
/* RCODEs (RFC 1035, 2136, 6891) and TSIG error codes (RFC 8945). */
enum {
    DNS_RCODE_NOERROR = 0,
    DNS_RCODE_FORMERR = 1,
    DNS_RCODE_SERVFAIL = 2,
    DNS_RCODE_NXDOMAIN = 3,
    DNS_RCODE_NOTIMP = 4,
    DNS_RCODE_REFUSED = 5,
    DNS_RCODE_YXDOMAIN = 6,
    DNS_RCODE_YXRRSET = 7,
    DNS_RCODE_NXRRSET = 8,
    DNS_RCODE_NOTAUTH = 9,
    DNS_RCODE_NOTZONE = 10,
    DNS_RCODE_BADVERS = 16, /* extended: needs an OPT record */
    DNS_TSIG_ERR_BADSIG = 16,
    DNS_TSIG_ERR_BADKEY = 17,
    DNS_TSIG_ERR_BADTIME = 18,
    DNS_TSIG_ERR_BADTRUNC = 22,
};

/* The fixed header, in host order. */
typedef struct {
    uint16_t id;
    uint16_t flags;    /* QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode */
    uint16_t count[4]; /* QD/ZO, AN/PR, NS/UP, AR */
} dns_wire_header_t;

#define DNS_FLAG_QR 0x8000u
#define DNS_FLAG_AA 0x0400u
#define DNS_FLAG_TC 0x0200u
#define DNS_FLAG_RD 0x0100u
#define DNS_FLAG_CD 0x0010u
#define DNS_FLAGS_OPCODE(f) (((f) >> 11) & 0xfu)
#define DNS_FLAGS_RCODE(f) ((f)&0xfu)

/* Reads the header of msg. False when len is below 12. */
bool dns_wire_header_read(const uint8_t *msg, size_t len, dns_wire_header_t *h);

/* Reads the name at *pos of msg[0..len), following compression pointers
 * when allow_compression (else a pointer is an error), into out (its
 * uncompressed wire form, case kept, at most 255 octets) and advances *pos
 * past it. DNSAPI_EBADREQ when the name runs past the message, a pointer
 * does not point strictly before the label that holds it, a label type is
 * reserved, or the name is longer than 255 octets. */
int dns_wire_name_read(const uint8_t *msg, size_t len, size_t *pos, bool allow_compression,
                       uint8_t out[DNS_WIRE_NAME_MAX], size_t *outlen);

/* Skips the name at *pos (pointers allowed) with the same checks. */
int dns_wire_name_skip(const uint8_t *msg, size_t len, size_t *pos);

/* Writes an uncompressed wire name as absolute lowercase text into out
 * (DNS_WIRE_NAME_TEXT bytes suffice): "www.example.com.", "." for the
 * root; an octet other than a letter, digit, '-', '_' or '*' is written
 * \DDD. */
void dns_wire_name_to_text(const uint8_t *name, size_t len, char *out, size_t outlen);

/* Parses an absolute or relative text name (relative ones are taken as
 * absolute) into wire form; accepts \X and \DDD escapes. DNSAPI_EINVAL for
 * empty labels, labels over 63 octets or names over 255. */
int dns_wire_name_from_text(const char *text, uint8_t out[DNS_WIRE_NAME_MAX], size_t *outlen);

/* Case-insensitive (ASCII) comparison of two uncompressed wire names. */
bool dns_wire_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* True when name equals zone or lies below it (uncompressed wire names). */
bool dns_wire_name_is_at_or_below(const uint8_t *name, size_t len, const uint8_t *zone,
                                  size_t zlen);

/* Lowercases the ASCII letters of an uncompressed wire name in place. */
void dns_wire_name_lower(uint8_t *name, size_t len);

/* Writes a type's mnemonic ("TXT", "ANY") or "TYPE<n>" into out. */
void dns_wire_type_to_text(uint16_t type, char *out, size_t outlen);

/* The type number of a mnemonic this module knows (case-insensitive), or
 * of "TYPE<n>"; 0 when unknown. */
uint16_t dns_wire_type_from_text(const char *text);

/* True for the meta and query types (OPT, TKEY, TSIG, IXFR, AXFR, MAILB,
 * MAILA, ANY and the rest of 128..255) that never name stored data. */
bool dns_wire_type_is_meta(uint16_t type);

/* A bounded writer: a write that does not fit sets overflow and writes
 * nothing further, so a caller checks once at the end. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool overflow;
} dns_wire_writer_t;

void dns_wire_writer_init(dns_wire_writer_t *w, uint8_t *buf, size_t cap);
void dns_wire_put_u8(dns_wire_writer_t *w, uint8_t v);
void dns_wire_put_u16(dns_wire_writer_t *w, uint16_t v);
void dns_wire_put_u32(dns_wire_writer_t *w, uint32_t v);
void dns_wire_put_u48(dns_wire_writer_t *w, uint64_t v);
void dns_wire_put_bytes(dns_wire_writer_t *w, const void *p, size_t n);
/* Overwrites a 16-bit value written earlier at offset at. */
void dns_wire_patch_u16(dns_wire_writer_t *w, size_t at, uint16_t v);

/* Reads big-endian integers at p (the caller has checked the length). */
uint16_t dns_wire_get_u16(const uint8_t *p);
uint32_t dns_wire_get_u32(const uint8_t *p);
uint64_t dns_wire_get_u48(const uint8_t *p);

/* Skips one resource record at *pos (owner, type, class, ttl, rdata),
 * filling the fields that are not NULL; *rdata_at is where its rdata
 * starts. DNSAPI_EBADREQ when it runs past the message. */
int dns_wire_rr_skip(const uint8_t *msg, size_t len, size_t *pos, size_t *owner_at, uint16_t *type,
                     uint16_t *rrclass, uint32_t *ttl, size_t *rdata_at, uint16_t *rdlength);

/* ---- record data (dns/rdata_wire.c) --------------------------------- */

/* Converts the rdata of a record of type (msg[at..at+rdlength), names
 * inside it possibly compressed against msg for the RFC 1035 types) into
 * presentation text that dns_rdata_normalize() reads, written into out:
 * names absolute, TXT as quoted character-strings, MX/SRV without the
 * priority, which goes to *priority (-1 for other types).
 * Returns DNSAPI_OK; DNSAPI_EBADREQ when the rdata is malformed for its
 * type (wrong length, a name running past it, bytes left over: the
 * message is a FORMERR); DNSAPI_EINVAL with code unsupported_type for a
 * type dnsapi does not store (err says which). */
int dns_rdata_from_wire(uint16_t type, const uint8_t *msg, size_t len, size_t at, uint16_t rdlength,
                        char *out, size_t outlen, int *priority, dnsapi_err_t *err);

/* Appends the wire rdata of a stored SOA or NS record (normalized content
 * text, absolute names) to w, preceded by its 16-bit length. DNSAPI_EINVAL
 * when the content does not parse or the type is another. */
int dns_rdata_to_wire(uint16_t type, const char *content, dns_wire_writer_t *w);

#endif
