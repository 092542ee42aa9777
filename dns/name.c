/*
 * name.c - zone names and record owner names: syntax, length limits,
 * wildcards and zone membership.
 *
 * Owner names are plain text here, not ldns dnames: we accept only letters,
 * digits, '-', '_' and a leading "*" label, so there are no escapes to
 * interpret and simple string work is exact. Working on text also keeps the
 * rules ("relative unless it ends in the zone name") independent of ldns's
 * habit of making relative names absolute at the root.
 */
#include "dns/dns.h"

#include <ctype.h>
#include <string.h>

#define NAME_MAX_CHARS 253 /* without the trailing dot */
#define LABEL_MAX_CHARS 63

static bool char_is_host(unsigned char c)
{
    return isascii(c) && (isalnum(c) || c == '-' || c == '_');
}

static void str_lower(char *s)
{
    for (; *s != '\0'; s++) {
        *s = (char)tolower((unsigned char)*s);
    }
}

/* True when s ends with suffix, compared without regard to case. */
static bool str_ends_with_ci(const char *s, size_t slen, const char *suffix, size_t suflen)
{
    if (suflen > slen) {
        return false;
    }
    return strncasecmp(s + slen - suflen, suffix, suflen) == 0;
}

static bool str_has_non_ascii(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s >= 0x80) {
            return true;
        }
    }
    return false;
}

/* Zone names: LDH labels and '_', lowercased, with the trailing dot. */
int dns_zone_name_normalize(const char *in, char *out, size_t outlen, dnsapi_err_t *err)
{
    if (in == NULL || in[0] == '\0') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                              "The zone name is empty: give a domain name such as example.com.");
    }
    if (str_has_non_ascii(in)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                              "The zone name contains non-ASCII characters: write an "
                              "internationalized name in punycode (xn--...).");
    }
    size_t len = strlen(in);
    if (len > 0 && in[len - 1] == '.') {
        len--;
    }
    if (len == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                              "The root zone cannot be managed here: give a domain name such "
                              "as example.com.");
    }
    if (len > NAME_MAX_CHARS) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                              "The zone name is %zu characters long; a domain name has at most "
                              "253.",
                              len);
    }
    size_t label = 0;
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)in[i] : '.';
        if (c == '.') {
            if (label == 0) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                                      "The zone name has an empty label (a leading dot or "
                                      "\"..\"): write it like example.com.");
            }
            if (in[i - 1] == '-' || in[i - label] == '-') {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                                      "A label of the zone name starts or ends with '-'; "
                                      "labels are letters, digits and inner hyphens.");
            }
            label = 0;
            continue;
        }
        if (!char_is_host(c)) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                                  "The zone name contains '%c', which is not allowed: use "
                                  "letters, digits, '-' and '_' in dot-separated labels.",
                                  isprint(c) ? c : '?');
        }
        if (++label > LABEL_MAX_CHARS) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                                  "A label of the zone name is longer than 63 characters.");
        }
    }
    if (len + 2 > outlen) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                              "The zone name is too long.");
    }
    memcpy(out, in, len);
    out[len] = '.';
    out[len + 1] = '\0';
    str_lower(out);
    return DNSAPI_OK;
}

/* Makes in absolute relative to zone, following the rules in dns.h. Writes
 * at most outlen bytes; returns false when it does not fit. */
static bool name_absolutize(const char *zone, const char *in, char *out, size_t outlen)
{
    size_t len = strlen(in);
    size_t zlen = strlen(zone); /* with its trailing dot */
    int n;

    if (strcmp(in, "@") == 0) {
        n = snprintf(out, outlen, "%s", zone);
    } else if (in[len - 1] == '.') {
        n = snprintf(out, outlen, "%s", in);
    } else if ((len == zlen - 1 && strncasecmp(in, zone, zlen - 1) == 0) ||
               (len > zlen && in[len - zlen] == '.' && str_ends_with_ci(in, len, zone, zlen - 1))) {
        n = snprintf(out, outlen, "%s.", in);
    } else {
        n = snprintf(out, outlen, "%s.%s", in, zone);
    }
    return n >= 0 && (size_t)n < outlen;
}

/* Checks the labels of an absolute name: characters, empty labels, label
 * length and the wildcard rule. */
static int name_check_labels(const char *abs, dnsapi_err_t *err)
{
    size_t len = strlen(abs) - 1; /* without the trailing dot */
    size_t start = 0;

    if (len == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_outside_zone", "name",
                              "The root name \".\" is outside the zone: give a name inside it, "
                              "or \"@\" for the zone apex.");
    }
    for (size_t i = 0; i <= len; i++) {
        if (i < len && abs[i] != '.') {
            continue;
        }
        size_t label = i - start;
        if (label == 0) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                                  "The name has an empty label (a leading dot or \"..\"): "
                                  "write it like www.example.com.");
        }
        if (label > LABEL_MAX_CHARS) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "label_too_long", "name",
                                  "The label \"%.20s...\" is %zu characters long; a label has at "
                                  "most 63.",
                                  abs + start, label);
        }
        for (size_t j = start; j < i; j++) {
            unsigned char c = (unsigned char)abs[j];
            if (c == '*') {
                if (start != 0 || label != 1) {
                    return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_wildcard", "name",
                                          "'*' is allowed only as the whole leftmost label, as "
                                          "in *.example.com.");
                }
                continue;
            }
            if (c >= 0x80) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                                      "The name contains non-ASCII characters: write an "
                                      "internationalized name in punycode (xn--...).");
            }
            if (!char_is_host(c)) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                                      "The name contains '%c', which is not allowed: use "
                                      "letters, digits, '-' and '_' (and '*' as the leftmost "
                                      "label).",
                                      isprint(c) ? c : '?');
            }
        }
        start = i + 1;
    }
    if (len > NAME_MAX_CHARS) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_too_long", "name",
                              "The name is %zu characters long; a domain name has at most 253 "
                              "(without the trailing dot).",
                              len);
    }
    return DNSAPI_OK;
}

/* Owner names: made absolute relative to zone, then checked label by label
 * and for zone membership. */
int dns_name_normalize(const char *zone, const char *in, char *out, size_t outlen,
                       dnsapi_err_t *err)
{
    char abs[2 * DNS_NAME_BUFSIZE + 8];

    if (zone == NULL || zone[0] == '\0' || zone[strlen(zone) - 1] != '.') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "zone",
                              "The zone must be a normalized name such as example.com.");
    }
    if (in == NULL || in[0] == '\0') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                              "The name is empty: give a name such as www, or \"@\" for the "
                              "zone apex.");
    }
    if (strlen(in) >= DNS_NAME_BUFSIZE + 8) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_too_long", "name",
                              "The name is %zu characters long; a domain name has at most 253 "
                              "(without the trailing dot).",
                              strlen(in));
    }
    if (!name_absolutize(zone, in, abs, sizeof(abs))) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_too_long", "name",
                              "The name is too long; a domain name has at most 253 characters "
                              "(without the trailing dot).");
    }
    int rc = name_check_labels(abs, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    str_lower(abs);
    if (!dns_name_is_at_or_below(abs, zone)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_outside_zone", "name",
                              "The name %s is not inside the zone %s: give a name relative to "
                              "the zone (\"www\", \"@\" for the apex) or one ending in %s",
                              abs, zone, zone);
    }
    if (strlen(abs) >= outlen) {
        return dnsapi_err_set(err, DNSAPI_EINTERNAL, "bad_name", "name",
                              "The output buffer is too small for the name.");
    }
    memcpy(out, abs, strlen(abs) + 1);
    return DNSAPI_OK;
}

/* Suffix match on a label boundary, without regard to case. */
bool dns_name_is_at_or_below(const char *name, const char *parent)
{
    size_t nlen = strlen(name);
    size_t plen = strlen(parent);

    if (strcmp(parent, ".") == 0) {
        return true;
    }
    if (nlen == plen) {
        return strcasecmp(name, parent) == 0;
    }
    if (nlen < plen + 1 || name[nlen - plen - 1] != '.') {
        return false;
    }
    return strcasecmp(name + nlen - plen, parent) == 0;
}

/* The names between name and zone, nearest first: the places a delegation
 * above name could be. */
size_t dns_name_ancestors(const char *zone, const char *name, char (*out)[DNS_NAME_BUFSIZE],
                          size_t max)
{
    size_t zlen = strlen(zone);
    size_t count = 0;

    if (!dns_name_is_at_or_below(name, zone) || strcasecmp(name, zone) == 0) {
        return 0;
    }
    /* Walk up one label at a time until the zone apex. */
    const char *p = strchr(name, '.');
    while (p != NULL && count < max) {
        const char *parent = p + 1;
        if (strlen(parent) <= zlen) {
            break;
        }
        snprintf(out[count], DNS_NAME_BUFSIZE, "%s", parent);
        count++;
        p = strchr(parent, '.');
    }
    return count;
}
