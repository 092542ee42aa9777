/*
 * dns.h - the pure DNS model shared by api/ and zonegen/: names, types,
 * record data, zone rules, master-file rendering and serial arithmetic.
 *
 * No I/O except writing to a caller's FILE. Every name handed in or out is
 * text; a "normalized" name is lowercase, absolute (trailing dot) and at most
 * 253 characters without that dot. A zone argument is always a normalized
 * zone name such as "example.com.". Errors are reported through a caller's
 * dnsapi_err_t (common/error.h): status, machine code (the rule), field and a
 * sentence a person can act on.
 */
#ifndef DNSAPI_DNS_H
#define DNSAPI_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

#define DNS_NAME_BUFSIZE 256     /* a normalized name with its NUL */
#define DNS_CONTENT_BUFSIZE 8192 /* normalized content with its NUL */

/* ---- names (dns/name.c) ---------------------------------------------- */

/* Normalizes a zone name: LDH labels (and '_'), punycode for IDNs, one or
 * more labels (the root "." is refused); '/', '\\', spaces, "..",
 * '*' and anything else are DNSAPI_EINVAL with code "bad_zone_name", field
 * "name". "Example.COM" and "example.com." give "example.com.". */
int dns_zone_name_normalize(const char *in, char *out, size_t outlen, dnsapi_err_t *err);

/* Normalizes a record owner name relative to zone: "@" is the apex; a name
 * ending in '.' is absolute; one equal to the zone name or ending in "." +
 * zone name (without trailing dot) is absolute too; anything else is
 * relative. Errors (DNSAPI_EINVAL, field "name"): name_outside_zone,
 * name_too_long, label_too_long, bad_wildcard ('*' other than the whole
 * leftmost label), and bad_rdata-like "bad_name" for characters that are not
 * allowed (only letters, digits, '-', '_' and a leading "*" label). */
int dns_name_normalize(const char *zone, const char *in, char *out, size_t outlen,
                       dnsapi_err_t *err);

/* True when name equals parent or lies below it (both normalized). */
bool dns_name_is_at_or_below(const char *name, const char *parent);

/* ---- types and record data (dns/rdata.c) --------------------------- */

/* Normalizes a type name (case-insensitive) to upper case. Supported for
 * writes: A AAAA CNAME MX TXT NS SRV CAA PTR DS TLSA SSHFP NAPTR SVCB HTTPS;
 * "SOA" is recognised too (the caller refuses it as a system record).
 * Anything else: DNSAPI_EINVAL, code unsupported_type, field "type". */
int dns_type_normalize(const char *in, char *out, size_t outlen, dnsapi_err_t *err);

/* Default TTL for a type: 86400 for NS, 3600 otherwise. */
uint32_t dns_type_default_ttl(const char *type);

/* True for the types that carry a priority field (MX, SRV). */
bool dns_type_has_priority(const char *type);

/* Parses and normalizes record content of a (normalized) type, relative to
 * zone, through ldns. priority is the request's "priority" field or -1 when
 * absent; for MX and SRV the priority may instead be the first word of
 * content (giving both, and they differ, is an error). On success out holds
 * the normalized content WITHOUT the priority for MX/SRV ("mail.example.com."
 * or "5 5223 sip.example.com."), and *priority_out the priority (-1 for other
 * types; a priority given for another type is an error, field "priority").
 * Host names inside content (NS, CNAME, MX, SRV, PTR, NAPTR replacement,
 * SVCB/HTTPS target) are fully qualified with or without the trailing dot
 * and come out lowercase with it; a single-label target ("mail") is refused
 * with a hint to write it in full. TXT content is literal text stored as
 * given (no quoting added) unless it starts with '"', in which case it is
 * read as master-file character-strings and normalized to that form.
 * Control characters (newline etc.) are refused everywhere.
 * Errors: DNSAPI_EINVAL, code bad_rdata (field "content") with the ldns
 * error text, or missing_field / bad priority (field "priority"). */
int dns_rdata_normalize(const char *zone, const char *type, const char *content, long priority,
                        char *out, size_t outlen, int *priority_out, dnsapi_err_t *err);

/* For types whose content names a host (NS, CNAME, MX, SRV, PTR): writes
 * that normalized target name into out and returns true; else false.
 * content is normalized content as stored (without MX/SRV priority). */
bool dns_rdata_target(const char *type, const char *content, char *out, size_t outlen);

/* Returns a static example of content for a type ("10 mail.example.com"
 * for MX), for messages that show the expected format. */
const char *dns_rdata_example(const char *type);

/* Lists the names strictly between name and zone (the possible delegation
 * points above name), nearest first, into out (each DNS_NAME_BUFSIZE).
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
