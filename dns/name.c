/*
 * name.c - zone names and record owner names: syntax, length limits,
 * wildcards and zone membership.
 *
 * Owner names are DNS names: any label of 1 to 63 octets, presentation
 * escapes (\. \DDD \X) read as RFC 1035 says, lengths counted in wire
 * octets (255 at most, the root label included). A name is read into
 * octets (presentation.c) and written back in one canonical presentation, so each
 * name has exactly one stored text: the key (ASCII letters lowercased)
 * that everything compares with, and the display form that keeps the case
 * as given.
 *
 * Zone names stay stricter on purpose: a zone name is also a file name for
 * the name servers and a path segment of the API, so it is LDH labels (and
 * '_'). That excludes RFC 2317 classless names such as
 * 0/26.2.0.192.in-addr.arpa as zones ('/' would be a directory in the zone
 * file path); they are fine as owner names inside a zone, and RFC 2317
 * allows any label for the child zone, e.g. 0-26.2.0.192.in-addr.arpa.
 *
 * Wildcards: only a label that is exactly '*' is special (RFC 4592), and it
 * is a wildcard only as the leftmost label; "host.*.sub" is an ordinary
 * name. A label with an unescaped '*' beside other octets ("*foo") is
 * refused as bad_wildcard, since it is almost always a glob that DNS does
 * not have; "\*foo" says a literal asterisk is meant.
 */
#include "dns/dns.h"
#include "dns/presentation.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_CHARS 253 /* zone names, without the trailing dot */
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
        if (c == '/') {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "name",
                                  "A zone name cannot contain '/': an RFC 2317 classless "
                                  "reverse zone can be named with '-' instead, e.g. "
                                  "0-26.2.0.192.in-addr.arpa, with the parent's CNAMEs "
                                  "pointing there.");
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

/* Reads a normalized zone name (absolute) into z. */
static int zone_parse(const char *zone, wname_t *z, dnsapi_err_t *err)
{
    size_t len = zone != NULL ? strlen(zone) : 0;
    dnsapi_err_t ignored;
    if (len < 2 || zone[len - 1] != '.' ||
        wname_parse(zone, len, z, "zone", "zone", &ignored) != DNSAPI_OK || !z->absolute) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "zone",
                              "The zone must be a normalized name such as example.com.");
    }
    return DNSAPI_OK;
}

/* Fills out from the absolute name n. */
/* The longest presentation form of a name dnsapi stores. */
#define NAME_SHOWN_MAX 254

static int name_output(const wname_t *n, dns_name_t *out, dnsapi_err_t *err)
{
    if (wname_format(n->lab, n->len, true, out->key, sizeof(out->key)) == 0 ||
        wname_format(n->lab, n->len, false, out->display, sizeof(out->display)) == 0) {
        return dnsapi_err_set(err, DNSAPI_EINTERNAL, "bad_name", "name",
                              "The name does not fit its buffer.");
    }
    /* ldns 1.8.3 reads an owner name of a master-file line into a buffer
     * of 255 characters (ldns_rr_new_frm_str), so an owner written with
     * many escapes that is longer than that cannot be rendered and checked
     * although its wire form fits: refused here, for every way in. */
    size_t shown =
        strlen(out->key) > strlen(out->display) ? strlen(out->key) : strlen(out->display);
    if (shown > NAME_SHOWN_MAX) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_too_long", "name",
                              "The name takes %zu characters with its escapes; dnsapi keeps a "
                              "name to %d characters as a master file writes it.",
                              shown, NAME_SHOWN_MAX);
    }
    out->wire_len = n->len + 1;
    out->labels = n->labels;
    out->wildcard = n->labels > 0 && n->lab[0] == 1 && n->lab[1] == '*';
    out->host = n->host;
    return DNSAPI_OK;
}

/* Reads in as an owner name: relative to origin when origin is given,
 * else by the API's rules (dns.h); then checks that it lies in zone. */
static int name_parse(const char *zone, const char *origin, const char *in, dns_name_t *out,
                      dnsapi_err_t *err)
{
    wname_t z, o, n;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = zone_parse(zone, &z, err)) != DNSAPI_OK) {
        return rc;
    }
    if (origin != NULL && zone_parse(origin, &o, NULL) != DNSAPI_OK) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                              "The origin must be an absolute name such as example.com.");
    }
    if (in == NULL || in[0] == '\0') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                              "The name is empty: give a name such as www, or \"@\" for the "
                              "zone apex.");
    }
    if ((rc = wname_parse(in, strlen(in), &n, "name", "name", err)) != DNSAPI_OK) {
        return rc;
    }
    const wname_t *base = origin != NULL ? &o : &z;
    if (n.at) {
        n = *base;
    } else if (!n.absolute && (origin != NULL || !wname_ends_with(&n, &z))) {
        if ((rc = wname_append(&n, base, "name", err)) != DNSAPI_OK) {
            return rc;
        }
    }
    n.absolute = true;
    if (!wname_ends_with(&n, &z)) {
        char shown[DNS_NAME_TEXT_MAX];
        if (wname_format(n.lab, n.len, true, shown, sizeof(shown)) == 0) {
            shown[0] = '\0';
        }
        if (n.labels == 0) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "name_outside_zone", "name",
                                  "The root name \".\" is outside the zone: give a name inside "
                                  "it, or \"@\" for the zone apex.");
        }
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_outside_zone", "name",
                              "The name %.200s is not inside the zone %s: give a name relative "
                              "to the zone (\"www\", \"@\" for the apex) or one ending in %s",
                              shown, zone, zone);
    }
    return name_output(&n, out, err);
}

int dns_name_parse(const char *zone, const char *in, dns_name_t *out, dnsapi_err_t *err)
{
    return name_parse(zone, NULL, in, out, err);
}

int dns_name_parse_origin(const char *zone, const char *origin, const char *in, dns_name_t *out,
                          dnsapi_err_t *err)
{
    return name_parse(zone, origin != NULL ? origin : zone, in, out, err);
}

/* n's key into out, when it fits. */
static int key_copy(const dns_name_t *n, char *out, size_t outlen, dnsapi_err_t *err)
{
    size_t len = strlen(n->key);
    if (len >= outlen) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_too_long", "name",
                              "The name takes %zu characters with its escapes; at most %zu fit "
                              "here.",
                              len, outlen > 0 ? outlen - 1 : 0);
    }
    memcpy(out, n->key, len + 1);
    return DNSAPI_OK;
}

int dns_name_normalize_absolute(const char *in, char *out, size_t outlen, dnsapi_err_t *err)
{
    wname_t n;
    dns_name_t name;
    int rc;
    if (in == NULL || in[0] == '\0') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                              "The name is empty: give a domain name such as www.example.com.");
    }
    if ((rc = wname_parse(in, strlen(in), &n, "name", "name", err)) != DNSAPI_OK) {
        return rc;
    }
    if (n.at || n.labels == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", "name",
                              "Give a domain name such as www.example.com, not \"%s\".",
                              n.at ? "@" : ".");
    }
    n.absolute = true;
    if ((rc = name_output(&n, &name, err)) != DNSAPI_OK) {
        return rc;
    }
    return key_copy(&name, out, outlen, err);
}

/* The key of dns_name_parse. */
int dns_name_normalize(const char *zone, const char *in, char *out, size_t outlen,
                       dnsapi_err_t *err)
{
    dns_name_t n;
    int rc = dns_name_parse(zone, in, &n, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    return key_copy(&n, out, outlen, err);
}

static int target_resolve(const char *zone, const char *origin, const char *in, size_t inlen,
                          bool root_ok, const char *what, wname_t *out, dnsapi_err_t *err)
{
    wname_t z;
    int rc;
    if ((rc = zone_parse(zone, &z, err)) != DNSAPI_OK) {
        return rc;
    }
    if ((rc = wname_parse(in, inlen, out, "content", what, err)) != DNSAPI_OK) {
        if (err != NULL) {
            /* a name inside content is content: one code for the field */
            snprintf(err->code, sizeof(err->code), "bad_rdata");
        }
        return rc;
    }
    if (out->at) {
        *out = z;
        if (origin != NULL && zone_parse(origin, out, err) != DNSAPI_OK) {
            return DNSAPI_EINVAL;
        }
        return DNSAPI_OK;
    }
    if (out->labels == 0 && out->absolute) {
        if (!root_ok) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The %s cannot be the root \".\": give a host name such as "
                                  "host.%s",
                                  what, zone);
        }
        return DNSAPI_OK;
    }
    if (out->absolute) {
        return DNSAPI_OK;
    }
    if (origin != NULL) {
        wname_t o;
        if (zone_parse(origin, &o, err) != DNSAPI_OK) {
            return DNSAPI_EINVAL;
        }
        return wname_append(out, &o, "content", err);
    }
    if (out->labels < 2) {
        char label[DNS_NAME_TEXT_MAX];
        size_t len = wname_format(out->lab, out->len, true, label, sizeof(label));
        if (len > 0) {
            label[len - 1] = '\0'; /* without its dot */
        }
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The %s \"%.64s\" is a single label: write the name in full, e.g. "
                              "%.64s.%s (or end it with a dot if you mean the top-level name "
                              "%.64s.)",
                              what, label, label, zone, label);
    }
    out->absolute = true;
    return DNSAPI_OK;
}

/* ldns 1.8.3 reads a name in record data whose first label is a lone
 * "@" (written \@ or \064) as the origin, whatever labels follow
 * (ldns_rr_new_frm_str): "NS \@.example.net." would be checked and
 * stored as the zone's own name. Such a name is refused for every way in
 * (zone names are LDH, so "@" alone, the zone, never begins so). */
static bool first_label_is_at(const wname_t *n)
{
    return n->labels > 0 && n->lab[0] == 1 && n->lab[1] == '@';
}

int dns_name_target_parse(const char *zone, const char *origin, const char *in, size_t inlen,
                          bool root_ok, const char *what, wname_t *out, dnsapi_err_t *err)
{
    int rc = target_resolve(zone, origin, in, inlen, root_ok, what, out, err);
    if (rc != DNSAPI_OK || !first_label_is_at(out)) {
        return rc;
    }
    return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                          "The %s \"%.*s\" begins with a lone \"@\" label, which zone-file "
                          "readers such as ldns take for the zone's own name: choose a name "
                          "whose first label is not \"@\".",
                          what, (int)(inlen > 255 ? 255 : inlen), in);
}

/* Parses a stored (absolute) name; false when it is not one. */
static bool stored_parse(const char *name, wname_t *n)
{
    size_t len = name != NULL ? strlen(name) : 0;
    return len > 0 && wname_parse(name, len, n, "name", "name", NULL) == DNSAPI_OK && n->absolute;
}

/* Label-wise, without regard to ASCII case. */
bool dns_name_is_at_or_below(const char *name, const char *parent)
{
    wname_t n, p;
    return stored_parse(name, &n) && stored_parse(parent, &p) && wname_ends_with(&n, &p);
}

/* Canonical order (RFC 4034 section 6.1): labels compared from the root
 * down as octet strings with ASCII letters lowercased, a missing label
 * first. Names that do not parse sort after all others, by their text. */
int dns_name_compare(const char *a, const char *b)
{
    wname_t x, y;
    bool okx = stored_parse(a, &x), oky = stored_parse(b, &y);
    if (!okx || !oky) {
        return okx != oky ? (okx ? -1 : 1) : strcmp(a != NULL ? a : "", b != NULL ? b : "");
    }
    size_t i = x.labels, j = y.labels;
    while (i > 0 && j > 0) {
        i--;
        j--;
        const uint8_t *lx = x.lab + wname_label_at(&x, i), *ly = y.lab + wname_label_at(&y, j);
        size_t n = lx[0] < ly[0] ? lx[0] : ly[0];
        for (size_t k = 1; k <= n; k++) {
            int cx = tolower(lx[k]), cy = tolower(ly[k]);
            if (cx != cy) {
                return cx < cy ? -1 : 1;
            }
        }
        if (lx[0] != ly[0]) {
            return lx[0] < ly[0] ? -1 : 1;
        }
    }
    return i == j ? 0 : (i < j ? -1 : 1);
}

/* The names between name and zone, nearest first: the places a delegation
 * above name could be. Each comes out as a key (canonical, lowercase). */
size_t dns_name_ancestors(const char *zone, const char *name, char (*out)[DNS_NAME_BUFSIZE],
                          size_t max)
{
    wname_t n, z;
    size_t count = 0;

    if (!stored_parse(name, &n) || !stored_parse(zone, &z) || !wname_ends_with(&n, &z)) {
        return 0;
    }
    for (size_t i = 1; i + z.labels < n.labels && count < max; i++) {
        size_t off = wname_label_at(&n, i);
        if (wname_format(n.lab + off, n.len - off, true, out[count], DNS_NAME_BUFSIZE) == 0) {
            break;
        }
        count++;
    }
    return count;
}
