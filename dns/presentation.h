/*
 * presentation.h - helpers private to dns/: names and character-strings between
 * presentation text (RFC 1035 section 5.1, with \X and \DDD escapes) and
 * the octets DNS puts on the wire.
 *
 * dns.h is what the rest of the project calls; this header is shared only
 * inside dns/ (names, record data, SVCB, strings, rendering, and wire.c's
 * names in messages), so that every place that reads or writes a name or a
 * string does it one way.
 */
#ifndef DNSAPI_DNS_PRESENTATION_H
#define DNSAPI_DNS_PRESENTATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define WNAME_MAX 255 /* wire octets of a name, root label included */
#define WLABEL_MAX 63 /* octets of one label */

/* A name as labels: lab holds length-prefixed labels without the final
 * root label, so a name's wire length is len + 1. */
typedef struct {
    uint8_t lab[WNAME_MAX + WLABEL_MAX + 2]; /* room to detect overflow */
    size_t len;
    size_t labels;
    bool absolute; /* written with a trailing unescaped '.' (or "." alone) */
    bool at;       /* written as "@" */
    bool host;     /* every label is letters, digits, '-', '_' (or a lone leading '*') */
} wname_t;

/* Parses presentation text in[0..inlen) into n. Refuses empty labels,
 * labels over 63 octets, names over 255 octets, control characters,
 * unescaped spaces and raw non-ASCII bytes, an escape \DDD above 255, a
 * lone trailing backslash, and a label holding an unescaped '*' beside
 * other octets ("bad_wildcard": only a whole "*" label is special).
 * field names the request field for err ("name" or "content"), what the
 * thing being read ("name", "target"). */
int wname_parse(const char *in, size_t inlen, wname_t *n, const char *field, const char *what,
                dnsapi_err_t *err);

/* Appends the labels of suffix to n (n must not be absolute); refuses a
 * result over 255 octets with name_too_long. */
int wname_append(wname_t *n, const wname_t *suffix, const char *field, dnsapi_err_t *err);

/* True when the labels of n end with the labels of suffix, compared
 * without regard to ASCII case (equal names included). */
bool wname_ends_with(const wname_t *n, const wname_t *suffix);

/* The offset in n->lab of label i (0 = leftmost). */
size_t wname_label_at(const wname_t *n, size_t i);

/* Writes the canonical presentation of the labels lab[0..len) with a
 * trailing dot ("." for no labels): letters, digits, '-', '_', '/' and a
 * lone '*' as they are, other printable ASCII escaped with a backslash,
 * anything else as \DDD; with lower, ASCII letters lowercased. Returns the length
 * written, or 0 when out is too small. */
size_t wname_format(const uint8_t *lab, size_t len, bool lower, char *out, size_t outlen);

/* Reads a name inside record content (a target). With origin (a master
 * file) a name without a trailing dot is relative to origin; without
 * (the API) it is fully qualified with or without the trailing dot, and a
 * single label without one is refused with a hint. "@" is origin (or
 * zone); "." is the root, refused unless root_ok; a name whose first
 * label is a lone "@" is refused (ldns reads it as the origin). Errors
 * have field "content". */
int dns_name_target_parse(const char *zone, const char *origin, const char *in, size_t inlen,
                          bool root_ok, const char *what, wname_t *out, dnsapi_err_t *err);

/* A growing text buffer; failed is set (and sticks) when memory runs
 * out or the text passes DNS_TEXT_LIMIT. s is NUL-terminated when not
 * NULL; free it with free(). */
typedef struct {
    char *s;
    size_t len;
    size_t cap;
    bool failed;
} dtext_t;

#define DNS_TEXT_LIMIT (1u << 20) /* far beyond any record's text */

/* Appends p[0..len); false once the buffer has failed. */
bool dtext_add(dtext_t *t, const char *p, size_t len);
bool dtext_adds(dtext_t *t, const char *s);

/* Appends octets as the inside of a quoted character-string: '"' and '\\'
 * escaped, printable ASCII as is, anything else as \DDD. */
bool dtext_add_cstr(dtext_t *t, const uint8_t *p, size_t len);

/* Reads the escape at s[0..slen) (s[0] is the backslash: \DDD or \X)
 * into *octet; returns the characters it took, or 0 (*why set). */
size_t cstr_escape_read(const char *s, size_t slen, uint8_t *octet, const char **why);

/* Reads one master-file word at s[0..slen) as octets: a quoted string
 * (the quotes removed) or a bare word, with \X and \DDD read. At most max
 * octets. Returns the count, or -1 with *why set. */
long cstr_decode(const char *s, size_t slen, uint8_t *out, size_t max, const char **why);

/* TXT and CAA (strings.c). The RDATA octets literal text of len octets
 * takes once split into 255-octet strings. */
size_t txt_literal_rdata_len(size_t len);
/* Literal TXT content into out, refused when its RDATA would pass 65,535
 * octets or it does not fit outlen. */
int txt_literal_normalize(const char *content, char *out, size_t outlen, dnsapi_err_t *err);
/* Quoted TXT content (ldns presentation) that equals a literal text is
 * rewritten in place as that text (one stored form per RDATA). */
void txt_canonical(char *content, size_t outlen);
/* CAA content rebuilt as "flags tag \"value\"" into t. */
int caa_rebuild(const char *content, dtext_t *t, dnsapi_err_t *err);

/* Checks on parsed data (rdata_checks.c). The NAPTR regexp field (rdf 4)
 * is empty or a valid delimited POSIX ERE with its replacement; refused
 * with bad_rdata otherwise. */
struct ldns_struct_rr;
int rdata_naptr_regexp_check(const struct ldns_struct_rr *rr, dnsapi_err_t *err);
/* LOC latitude, longitude, sizes and precisions within RFC 1876's range. */
bool rdata_loc_ok(const struct ldns_struct_rr *rr);

/* SVCB/HTTPS parameters (svcb.c): words[i][0..lens[i]) are the words
 * after the target, each "key" or "key=value". Appends " key=value" for
 * each, in ascending key order and canonical form, to out; refuses what
 * RFC 9460 refuses (field "content", code bad_rdata). */
int dns_svcb_params_normalize(const char *const *words, const size_t *lens, size_t nwords,
                              dtext_t *out, dnsapi_err_t *err);

#endif
