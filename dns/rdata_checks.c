/*
 * rdata_checks.c - checks on parsed record data that ldns does not make
 * but a name server does, so that a stored record never makes BIND, NSD
 * or Knot refuse the zone: NAPTR regular expressions (BIND compiles
 * them) and LOC ranges.
 */
#include "dns/dns.h"
#include "dns/presentation.h"

#include <ctype.h>
#include <regex.h>
#include <stdint.h>
#include <string.h>

#include <ldns/ldns.h>

/* The numbers of a bound "{m}", "{m,}" or "{m,n}" (from..end, between the
 * braces): BIND refuses one above 255, its RE_DUP_MAX, where glibc's
 * regcomp allows 32767 ("a{256}", "a{0707}"; found by
 * tests/fuzz/fuzz_content.c). Leading zeros do not count: "a{00255}" is
 * 255. The rest of the bound's syntax is left to regcomp. */
static bool bounds_bind_accepts(const char *from, const char *end)
{
    unsigned value = 0;
    for (const char *q = from; q < end; q++) {
        if (*q == ',') {
            value = 0;
        } else if (isdigit((unsigned char)*q)) {
            value = value * 10 + (unsigned)(*q - '0');
            if (value > 255) {
                return false;
            }
        }
    }
    return true;
}

/* glibc's regcomp accepts a quantifier with nothing to repeat ("a**",
 * "(*a)") and an empty alternative ("a||b", "|a", "a|", "(a|)"); POSIX
 * leaves both undefined and BIND refuses the zone (the empty alternative
 * found by tests/fuzz/fuzz_record_body.c). */
static bool ere_bind_accepts(const char *ere)
{
    char prev = '('; /* as if at the start of a group */
    bool bracket = false;
    size_t depth = 0; /* open groups */

    for (const char *p = ere; *p != '\0'; p++) {
        if (bracket) {
            if (*p == ']') {
                bracket = false;
                prev = 'a';
            }
            continue;
        }
        if (*p == '\\' && p[1] != '\0') {
            p++;
            prev = 'a';
            continue;
        }
        if (*p == '[') {
            bracket = true;
            if (p[1] == '^') {
                p++;
            }
            if (p[1] == ']') {
                p++;
            }
            continue;
        }
        if (*p == '|' &&
            (prev == '(' || prev == '|' || p[1] == '\0' || (p[1] == ')' && depth > 0))) {
            return false;
        }
        if (*p == '(') {
            depth++;
        } else if (*p == ')' && depth > 0) {
            depth--;
        }
        bool quantifier = *p == '*' || *p == '+' || *p == '?' || *p == '{';
        if (quantifier && strchr("*+?}(|^", prev) != NULL) {
            return false;
        }
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (end == NULL || !bounds_bind_accepts(p + 1, end)) {
                return false;
            }
            p = end;
            prev = '}';
            continue;
        }
        prev = *p;
    }
    return !bracket;
}

/* NAPTR regexp (RFC 3402): empty, or delimiter, POSIX ERE, delimiter,
 * replacement, delimiter, optional "i"; back-references only to groups
 * that exist. BIND refuses the zone otherwise. */
int rdata_naptr_regexp_check(const ldns_rr *rr, dnsapi_err_t *err)
{
    const ldns_rdf *rdf = ldns_rr_rdf(rr, 4);
    const uint8_t *data = ldns_rdf_data(rdf);
    size_t len = ldns_rdf_size(rdf) > 0 ? data[0] : 0;
    const char *re = (const char *)data + 1;
    char ere[256];
    size_t ere_len = 0;
    size_t i = 1;
    int rc = DNSAPI_OK;

    if (len == 0) {
        return DNSAPI_OK;
    }
    if (memchr(re, '\0', len) != NULL) {
        goto bad;
    }
    char delim = re[0];
    if (isdigit((unsigned char)delim) || delim == '\\' || delim == 'i' || delim == '\0') {
        goto bad;
    }
    /* The regular expression, up to the unescaped delimiter. */
    for (; i < len && re[i] != delim; i++) {
        if (re[i] == '\\' && i + 1 < len) {
            ere[ere_len++] = re[i++];
        }
        ere[ere_len++] = re[i];
    }
    ere[ere_len] = '\0';
    if (i >= len || ere_len == 0) {
        goto bad;
    }
    /* The replacement, up to the next unescaped delimiter. BIND refuses
     * "\\0" (found by tests/fuzz/fuzz_content.c) and back-references
     * beyond the groups the regex compiles to (counting '(' is not enough:
     * "[(]" opens none). */
    size_t max_ref = 0;
    for (i++; i < len && re[i] != delim; i++) {
        if (re[i] == '\\' && i + 1 < len) {
            i++;
            if (re[i] == '0') {
                goto bad;
            }
            if (isdigit((unsigned char)re[i]) && (size_t)(re[i] - '0') > max_ref) {
                max_ref = (size_t)(re[i] - '0');
            }
        }
    }
    if (i >= len || !(i + 1 == len || (i + 2 == len && re[i + 1] == 'i'))) {
        goto bad;
    }
    if (!ere_bind_accepts(ere)) {
        goto bad;
    }
    regex_t compiled;
    if (regcomp(&compiled, ere, REG_EXTENDED) != 0) {
        goto bad;
    }
    size_t groups = compiled.re_nsub;
    regfree(&compiled);
    if (max_ref > groups) {
        goto bad;
    }
    return rc;
bad:
    return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                          "The NAPTR regexp is not valid: write it as \"!ere!replacement!\" "
                          "(any delimiter, optional trailing i), e.g. "
                          "\"!^.*$!sip:info@example.com!\", or \"\" for none.");
}

/* LOC (RFC 1876): ldns takes a latitude above 90 degrees, which BIND
 * refuses; sizes are a mantissa and a power of ten, each 0 to 9. */
bool rdata_loc_ok(const ldns_rr *rr)
{
    const ldns_rdf *rdf = ldns_rr_rdf(rr, 0);
    if (ldns_rr_rd_count(rr) != 1 || ldns_rdf_size(rdf) != 16) {
        return false;
    }
    const uint8_t *d = ldns_rdf_data(rdf);
    for (int i = 1; i <= 3; i++) {
        if ((d[i] >> 4) > 9 || (d[i] & 0x0f) > 9) {
            return false;
        }
    }
    uint32_t lat = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7];
    uint32_t lon = (uint32_t)d[8] << 24 | (uint32_t)d[9] << 16 | (uint32_t)d[10] << 8 | d[11];
    int64_t dlat = (int64_t)lat - 2147483648LL, dlon = (int64_t)lon - 2147483648LL;
    return d[0] == 0 && dlat <= 324000000LL && dlat >= -324000000LL && dlon <= 648000000LL &&
           dlon >= -648000000LL;
}
