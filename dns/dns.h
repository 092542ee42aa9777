/*
 * dns.h - the pure DNS model shared by api/ and zonegen/: names, types,
 * record data, zone rules, master-file rendering and serial arithmetic.
 *
 * No I/O except writing to a caller's FILE. Every name handed in or out is
 * text; a "normalized" name (a key) is absolute (trailing dot), in the one
 * canonical presentation form of dns_name_t below (ASCII letters lowercase,
 * escapes written one way) and at most 255 octets on the wire. A zone
 * argument is always a normalized zone name such as "example.com.". Errors are reported through a
 * caller's dnsapi_err_t (common/error.h): status, machine code (the rule), field and a sentence a
 * person can act on.
 */
#ifndef DNSAPI_DNS_H
#define DNSAPI_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

/* A normalized name with its NUL as the rest of the project stores it:
 * every name without escapes fits (253 characters and the dot), and so
 * do most with escapes. A name whose canonical text is longer (up to 1004
 * characters: \DDD takes four per octet) is refused by dns_name_normalize
 * with name_too_long when the caller's buffer is this size. */
#define DNS_NAME_BUFSIZE 256
/* Any name in canonical presentation form with its NUL. */
#define DNS_NAME_TEXT_MAX 1024
#define DNS_CONTENT_BUFSIZE 8192 /* normalized content of every type but long TXT */
/* The largest normalized content of any record: a TXT of 65,535 octets of
 * RDATA written entirely as \DDD escapes, with quotes and spaces. A
 * caller that stores such records passes a buffer of this size. */
#define DNS_CONTENT_MAX (4 * 65535 + 3 * 258 + 16)

/* Warnings a successful write still deserves. */
typedef struct {
    char code[24]; /* missing_glue, single_ns, occluded, target_not_hostname */
    char message[256];
} dns_warning_t;

/* ---- names (dns/name.c) ---------------------------------------------- */

/* Normalizes a zone name: LDH labels (and '_'), punycode for IDNs, one or
 * more labels (the root "." is refused); '/', '\\', spaces, "..",
 * '*' and anything else are DNSAPI_EINVAL with code "bad_zone_name", field
 * "name" (a '/' with a hint to name an RFC 2317 zone with '-'). Zone names
 * stay this strict because they are also file names and URL segments.
 * "Example.COM" and "example.com." give "example.com.". */
int dns_zone_name_normalize(const char *in, char *out, size_t outlen, dnsapi_err_t *err);

/* A name read from presentation text. key is the canonical form that
 * every comparison uses: absolute, ASCII letters lowercased, escapes in
 * one form (letters, digits, '-', '_', '/' and a lone '*' as they are;
 * other printable ASCII as \X, e.g. "\.", "\=", "\@"; every other octet
 * as \DDD: a space is \032). display is the same form with
 * the case as given ("Office\032Printer._ipp._tcp.Example.COM."). */
typedef struct {
    char key[DNS_NAME_TEXT_MAX];
    char display[DNS_NAME_TEXT_MAX];
    size_t wire_len; /* octets on the wire, root label included (<= 255) */
    size_t labels;   /* labels, the root not counted */
    bool wildcard;   /* the leftmost label is '*' */
    bool host;       /* every label is letters, digits, '-', '_' (a leading '*' allowed) */
} dns_name_t;

/* Reads a record owner name relative to zone by the API's rules: "@" is
 * the apex; a name ending in an unescaped '.' is absolute; one equal to
 * the zone name or ending in "." + zone name (labels compared without
 * regard to case) is absolute too; anything else is relative to the zone.
 * Labels are any octets: \DDD and \X escapes are read (RFC 1035 5.1),
 * raw spaces, control characters and non-ASCII bytes are refused (write
 * them as \DDD, IDNs in punycode). Errors (DNSAPI_EINVAL, field "name"):
 * name_outside_zone, name_too_long (over 255 wire octets), label_too_long
 * (over 63 octets), bad_wildcard (an unescaped '*' beside other octets in
 * a label; a whole '*' label is fine anywhere, a wildcard only leftmost),
 * bad_name (empty labels, bad escapes, characters above). zone is a
 * normalized zone name. */
int dns_name_parse(const char *zone, const char *in, dns_name_t *out, dnsapi_err_t *err);

/* The same as read from a master file: a name without a trailing dot is
 * relative to origin (the current $ORIGIN, absolute; NULL means zone),
 * "@" is origin. The result must still lie in zone. */
int dns_name_parse_origin(const char *zone, const char *origin, const char *in, dns_name_t *out,
                          dnsapi_err_t *err);

/* A name anywhere in the DNS, not inside one zone (a host name a script
 * asks about): absolute with or without the trailing dot, neither "@" nor
 * the root; its key (absolute, lowercase) into out as dns_name_normalize
 * writes it. */
int dns_name_normalize_absolute(const char *in, char *out, size_t outlen, dnsapi_err_t *err);

/* dns_name_parse, writing only the key into out. A key longer than
 * outlen - 1 is name_too_long. */
int dns_name_normalize(const char *zone, const char *in, char *out, size_t outlen,
                       dnsapi_err_t *err);

/* True when name equals parent or lies below it (both keys or display
 * forms; labels compared without regard to ASCII case, escapes read). */
bool dns_name_is_at_or_below(const char *name, const char *parent);

/* DNS canonical order of two absolute names (RFC 4034 section 6.1): <0,
 * 0, >0. Text that is not an absolute name sorts after every name. */
int dns_name_compare(const char *a, const char *b);

/* ---- types (dns/types.c) ------------------------------------------ */

/* What a type name is, so that a caller can say why it is refused (or an
 * import why it skips a record). Names are case-insensitive; TYPEnnn is
 * the type of that number. */
typedef enum {
    DNS_TYPE_SUPPORTED = 0, /* dnsapi stores it (SOA too: the caller refuses it) */
    DNS_TYPE_SIGNER,        /* RRSIG NSEC NSEC3 NSEC3PARAM DNSKEY: the DNSSEC signer's */
    DNS_TYPE_OBSOLETE,      /* MD, MF, NULL, WKS, SIG, KEY, NXT, A6, SPF, DLV, ... */
    DNS_TYPE_UNSUPPORTED,   /* a real type dnsapi does not manage (HINFO, RP, AFSDB, ...) */
    DNS_TYPE_UNKNOWN,       /* not a type name at all */
} dns_type_kind_t;

dns_type_kind_t dns_type_kind(const char *name);

/* A stable machine code for a kind, for an import's skipped list and
 * refusals: "supported", "dnssec_signer_type", "obsolete_type",
 * "unsupported_type", "unknown_type". */
const char *dns_type_kind_code(dns_type_kind_t kind);

/* Normalizes a type name (case-insensitive) to upper case. Supported:
 * A AAAA CNAME MX TXT NS SRV CAA PTR DS CDS CDNSKEY TLSA SMIMEA SSHFP NAPTR
 * SVCB HTTPS DNAME LOC URI OPENPGPKEY, and TYPEnnn (RFC 3597) for numbers
 * no name is known for ("TYPE65534"; TYPEnnn of a known number gives its
 * name, "TYPE1" is "A"); "SOA" is recognised too (the caller refuses it
 * as a system record). Anything else: DNSAPI_EINVAL, code
 * unsupported_type, field "type", with a message by kind (obsolete types
 * say why; signer types say an import skips them). */
int dns_type_normalize(const char *in, char *out, size_t outlen, dnsapi_err_t *err);

/* Default TTL for a type: 86400 for NS, 3600 otherwise. */
uint32_t dns_type_default_ttl(const char *type);

/* True for the types that carry a priority field (MX, SRV). */
bool dns_type_has_priority(const char *type);

/* Returns a static example of content for a type ("10 mail.example.com"
 * for MX), for messages that show the expected format. */
const char *dns_rdata_example(const char *type);

/* ---- record data (dns/rdata.c) ------------------------------------- */

#define DNS_RDATA_MAX_WARNINGS 4

/* What dns_rdata_parse reads. type is a normalized type. origin NULL
 * means the API's rules for names in content: fully qualified with or
 * without the trailing dot, "@" the apex, a single label without a dot
 * refused with a hint. With origin (a master file's current $ORIGIN,
 * absolute) a name without a trailing dot is relative to it, as RFC 1035
 * says. priority is the request's "priority" field, or -1. */
typedef struct {
    const char *zone;
    const char *origin;
    const char *type;
    const char *content;
    long priority;
} dns_rdata_in_t;

/* Where dns_rdata_parse writes: content into the caller's buffer
 * (DNS_CONTENT_BUFSIZE holds every type but a long TXT, DNS_CONTENT_MAX
 * anything), the MX/SRV priority (else -1), and warnings a successful
 * parse still deserves (target_not_hostname: an NS, MX or SRV target that
 * is not a host name). */
typedef struct {
    char *content;
    size_t content_size;
    int priority;
    dns_warning_t warnings[DNS_RDATA_MAX_WARNINGS];
    size_t n_warnings;
} dns_rdata_out_t;

/* Parses and normalizes record content of a (normalized) type, relative to
 * zone, through ldns. For MX and SRV the priority may be the first word
 * of content instead of in->priority (giving both, and they differ, is an
 * error); content comes out WITHOUT it ("mail.example.com." or "5 5223
 * sip.example.com."). Names inside content come out absolute in canonical
 * lowercase form (escapes as dns_name_t's key). TXT content is literal
 * text stored as given (no quoting added) unless it starts with '"', in
 * which case it is read as master-file character-strings (any number, up
 * to 65,535 bytes of RDATA) and normalized to that form. CAA values may
 * carry \DDD escapes and are stored as one quoted string. SVCB/HTTPS
 * follow RFC 9460 (svcb.c). Any supported type's content may be given in
 * RFC 3597 generic form "\# 4 c0000201" and is stored in its own form;
 * a TYPEnnn type's content is only that form, stored "\# len hex".
 * Control characters (newline etc.) are refused everywhere.
 * Errors: DNSAPI_EINVAL, code bad_rdata (field "content") with the reason,
 * unsupported_type (field "type"), or missing_field / bad priority (field
 * "priority"). */
int dns_rdata_parse(const dns_rdata_in_t *in, dns_rdata_out_t *out, dnsapi_err_t *err);

/* dns_rdata_parse with the API's rules and no warnings (kept for callers
 * of the simpler form). */
int dns_rdata_normalize(const char *zone, const char *type, const char *content, long priority,
                        char *out, size_t outlen, int *priority_out, dnsapi_err_t *err);

/* For types whose content names a host (NS, CNAME, MX, SRV, PTR): writes
 * that normalized target name into out and returns true; else false.
 * content is normalized content as stored (without MX/SRV priority). */
bool dns_rdata_target(const char *type, const char *content, char *out, size_t outlen);

/* Lists the names strictly between name and zone (the possible delegation
 * points above name), nearest first, into out (each DNS_NAME_BUFSIZE; the
 * walk stops at an ancestor whose text does not fit).
 * Returns how many (at most max). */
size_t dns_name_ancestors(const char *zone, const char *name, char (*out)[DNS_NAME_BUFSIZE],
                          size_t max);

/* The zone rules are in dns/change.h (dns_rules_check_change). */

/* ---- master files (dns/render.c) ----------------------------------- */

/* Writes the file header: a comment line naming the zone and serial, and
 * "$ORIGIN <zone>". Returns 0 or DNSAPI_EIO. */
int dns_render_header(FILE *fp, const char *zone, uint32_t serial);

/* Writes one record as one master-file line: "<name> <ttl> IN <type>
 * <rdata>\n", names absolute; MX/SRV with the priority in front of content;
 * TXT as quoted character-strings split at 255 bytes with '"' and '\\'
 * escaped and non-printable bytes as \DDD. Returns 0, DNSAPI_EINVAL if the
 * stored record cannot be rendered (err says why), or DNSAPI_EIO. */
int dns_render_record(FILE *fp, const char *name, const char *type, uint32_t ttl, int priority,
                      const char *content, dnsapi_err_t *err);

/* ---- serials (dns/serial.c) ---------------------------------------- */

/* RFC 1982 serial arithmetic on 32-bit serials. */
uint32_t dns_serial_add(uint32_t serial, uint32_t n);
/* <0 when a precedes b, 0 when equal, >0 when a follows b; the undefined
 * case (distance exactly 2^31) counts as "follows" for a > b. */
int dns_serial_compare(uint32_t a, uint32_t b);

#endif
