/*
 * zonefile.h - reading RFC 1035 master files, one record at a time.
 *
 * The reader is the project's own. ldns 1.8.3's whole-file reader
 * (ldns_zone_new_frm_fp_l) is not safe on files from users: given repeated
 * SOA lines, some without a TTL, it frees the second SOA and then reads it
 * again for the next record's default TTL (a use-after-free that crashes the
 * process), and when a line fails to parse it frees the list but not the
 * records already read. No user file reaches it: this lexer handles what
 * master files hold - comments, quoted strings, backslash escapes,
 * parentheses across lines, a blank owner meaning "the previous owner",
 * optional TTL and class in either order, $ORIGIN and $TTL - and hands each
 * record on as text: the owner made absolute, the TTL, the type and the
 * record data tokens as written. The record data is then read like the
 * content of any API write (dns_rdata_normalize), one string at a time.
 *
 * A problem does not stop the reader: dns_zf_next reports it with the line
 * of its entry and the next call goes on with the next entry, so a caller
 * can list every problem of a file at once.
 *
 * TTLs follow RFC 1035 and RFC 2308 as BIND reads them: $TTL sets the
 * default; without it, the last TTL written on a record is used; an SOA
 * without any TTL takes its MINIMUM field, which then becomes the default.
 * A record with no TTL before it at all is marked ttl_unknown, and the
 * caller applies its own default (the API's default TTL for the type).
 */
#ifndef DNSAPI_DNS_ZONEFILE_H
#define DNSAPI_DNS_ZONEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "dns/change.h"

/* An owner name as the reader builds it: at most 255 octets, each octet
 * written as "\DDD" at worst, plus the origin. */
#define DNS_ZF_NAME_MAX 2048

typedef struct dns_zf dns_zf_t;

/* One record of the file. Strings are valid until the next dns_zf_next or
 * dns_zf_close. */
typedef struct {
    unsigned line;               /* the line its entry starts on */
    char owner[DNS_ZF_NAME_MAX]; /* absolute, escapes as written */
    uint32_t ttl;
    bool ttl_given;     /* written on this line (not a default) */
    bool ttl_unknown;   /* no TTL on the line and none before it: ttl is 0 */
    char type[24];      /* as written, upper case */
    const char *rdata;  /* the data tokens joined by one space; quoted
                           strings keep their quotes */
    size_t n_rdata;     /* how many tokens */
    const char *origin; /* the $ORIGIN names in the data are relative to */
} dns_zf_record_t;

/* Starts reading text[0..len) (need not be NUL-terminated) with origin as
 * the starting $ORIGIN (an absolute name such as "example.com."). Returns
 * DNSAPI_OK, DNSAPI_EINVAL (err: code bad_zone_file) for a NUL byte, or
 * DNSAPI_ENOMEM. */
int dns_zf_open(dns_zf_t **out, const char *text, size_t len, const char *origin,
                dnsapi_err_t *err);

/* Reads the next record into rec. Returns 1 for a record, 0 at the end of
 * the file, or DNSAPI_EINVAL for an entry that cannot be read: err->code is
 * bad_zone_file (syntax) or unsupported_directive ($INCLUDE, $GENERATE),
 * err->message starts with "line N: ". After an error the next call goes
 * on after the bad entry. DNSAPI_ENOMEM when memory runs out (stop then). */
int dns_zf_next(dns_zf_t *zf, dns_zf_record_t *rec, dnsapi_err_t *err);

/* The line of the entry read last (for callers' own messages). */
unsigned dns_zf_line(const dns_zf_t *zf);

/* The record data of the entry read last with every token written as a
 * quoted character-string ("v=spf1" "mx"), for the types whose data is a
 * list of character-strings (TXT): a master file may leave them unquoted,
 * while unquoted API content is literal text. Valid like rec->rdata. */
const char *dns_zf_rdata_quoted(dns_zf_t *zf);

/* The record as the fields of a write (dns/change.h): the owner, the type,
 * the data (for TXT every word quoted) with its $ORIGIN, and the TTL unless
 * none was known. Strings are valid like rec's. */
void dns_zf_fields(dns_zf_t *zf, const dns_zf_record_t *rec, dns_fields_t *f);

void dns_zf_close(dns_zf_t *zf);

#endif
