/*
 * presentation.c - names and character-strings between presentation text and
 * octets (see presentation.h).
 *
 * Reading follows RFC 1035 section 5.1: '\' followed by three digits is
 * the octet of that decimal value, '\' followed by any other character is
 * that character taken literally, and an unescaped '.' ends a label. We
 * are stricter than a master-file reader in one way only: text arrives
 * from JSON as often as from files, so raw control characters, raw spaces
 * and raw bytes above 0x7e are refused with a hint to write them as \DDD
 * (or punycode), rather than stored as something the user did not see.
 *
 * Writing has one canonical form, so that a name or string has exactly one
 * stored text. In names, letters, digits, '-', '_', '/' and a lone '*'
 * stay as they are, other printable ASCII is escaped with a backslash
 * (Knot 3.2 refuses "a=b" unescaped, BIND and NSD read "a\=b" alike), and
 * every other octet is \DDD. In character-strings only '"' and '\' are
 * escaped and octets outside printable ASCII are \DDD.
 */
#include "dns/presentation.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool dtext_add(dtext_t *t, const char *p, size_t len)
{
    if (t->failed) {
        return false;
    }
    if (len > DNS_TEXT_LIMIT || t->len + len > DNS_TEXT_LIMIT) {
        t->failed = true;
        return false;
    }
    if (t->len + len + 1 > t->cap) {
        size_t cap = t->cap == 0 ? 256 : t->cap;
        while (t->len + len + 1 > cap) {
            cap *= 2;
        }
        char *s = realloc(t->s, cap);
        if (s == NULL) {
            t->failed = true;
            return false;
        }
        t->s = s;
        t->cap = cap;
    }
    memcpy(t->s + t->len, p, len);
    t->len += len;
    t->s[t->len] = '\0';
    return true;
}

bool dtext_adds(dtext_t *t, const char *s)
{
    return dtext_add(t, s, strlen(s));
}

bool dtext_add_cstr(dtext_t *t, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char esc[8];
        uint8_t c = p[i];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            dtext_add(t, esc, 2);
        } else if (c < 0x20 || c > 0x7e) {
            snprintf(esc, sizeof(esc), "\\%03u", c);
            dtext_add(t, esc, 4);
        } else {
            dtext_add(t, (const char *)&p[i], 1);
        }
    }
    return !t->failed;
}

size_t cstr_escape_read(const char *s, size_t slen, uint8_t *octet, const char **why)
{
    if (slen < 2) {
        *why = "it ends with a lone backslash (write \\\\ for a backslash)";
        return 0;
    }
    if (isdigit((unsigned char)s[1])) {
        if (slen < 4 || !isdigit((unsigned char)s[2]) || !isdigit((unsigned char)s[3])) {
            *why = "a \\DDD escape needs exactly three digits, as in \\032";
            return 0;
        }
        unsigned v =
            (unsigned)(s[1] - '0') * 100 + (unsigned)(s[2] - '0') * 10 + (unsigned)(s[3] - '0');
        if (v > 255) {
            *why = "a \\DDD escape is a decimal octet from \\000 to \\255";
            return 0;
        }
        *octet = (uint8_t)v;
        return 4;
    }
    unsigned char c = (unsigned char)s[1];
    if (c < 0x20 || c > 0x7e) {
        *why = "a backslash escapes one printable ASCII character; write other octets as \\DDD";
        return 0;
    }
    *octet = c;
    return 2;
}

static bool octet_is_host(uint8_t c)
{
    return isascii(c) && (isalnum(c) || c == '-' || c == '_');
}

/* Closes the label that starts at lab[start] in n. */
static int label_close(wname_t *n, size_t start, bool star, const char *field, const char *what,
                       dnsapi_err_t *err)
{
    size_t len = n->len - start - 1;
    if (len == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", field,
                              "The %s has an empty label (a leading dot or \"..\"): write it "
                              "like www.example.com.",
                              what);
    }
    if (len > WLABEL_MAX) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "label_too_long", field,
                              "A label of the %s is %zu octets long; a label has at most 63.", what,
                              len);
    }
    if (star && len > 1) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_wildcard", field,
                              "'*' is a wildcard only as a whole label, as in *.example.com; "
                              "write \\* for a literal asterisk inside a label.");
    }
    bool host = true;
    for (size_t i = start + 1; i < n->len; i++) {
        host = host && octet_is_host(n->lab[i]);
    }
    if (!(host || (len == 1 && n->lab[start + 1] == '*' && n->labels == 0))) {
        n->host = false;
    }
    n->lab[start] = (uint8_t)len;
    n->labels++;
    return DNSAPI_OK;
}

int wname_parse(const char *in, size_t inlen, wname_t *n, const char *field, const char *what,
                dnsapi_err_t *err)
{
    memset(n, 0, sizeof(*n));
    n->host = true;
    if (inlen == 1 && in[0] == '@') {
        n->at = true;
        return DNSAPI_OK;
    }
    if (inlen == 1 && in[0] == '.') {
        n->absolute = true;
        return DNSAPI_OK;
    }
    if (inlen == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", field, "The %s is empty.", what);
    }
    if (inlen > 4 * WNAME_MAX + 8) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_too_long", field,
                              "The %s is %zu characters long; a domain name has at most 255 "
                              "octets.",
                              what, inlen);
    }
    size_t start = 0; /* where the current label's length octet goes */
    bool star = false;
    n->len = 1;
    for (size_t i = 0; i < inlen;) {
        unsigned char c = (unsigned char)in[i];
        uint8_t octet;
        if (c == '.') {
            int rc = label_close(n, start, star, field, what, err);
            if (rc != DNSAPI_OK) {
                return rc;
            }
            i++;
            if (i == inlen) {
                n->absolute = true;
                break;
            }
            start = n->len++;
            star = false;
            continue;
        }
        if (c == '\\') {
            const char *why = NULL;
            size_t used = cstr_escape_read(in + i, inlen - i, &octet, &why);
            if (used == 0) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", field,
                                      "The %s is not valid: %s.", what, why);
            }
            i += used;
        } else if (c < 0x20 || c == 0x7f) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", field,
                                  "The %s contains a control character: write it as \\DDD.", what);
        } else if (c == ' ') {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", field,
                                  "The %s contains a space: write it as \\032, as in "
                                  "Office\\032Printer._ipp._tcp.",
                                  what);
        } else if (c > 0x7f) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_name", field,
                                  "The %s contains non-ASCII characters: write an "
                                  "internationalized name in punycode (xn--...), or other octets "
                                  "as \\DDD.",
                                  what);
        } else {
            octet = c;
            star = star || c == '*';
            i++;
        }
        if (n->len >= sizeof(n->lab) - 1 || n->len - start > WLABEL_MAX) {
            if (n->len - start > WLABEL_MAX) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "label_too_long", field,
                                      "A label of the %s is longer than 63 octets.", what);
            }
            return dnsapi_err_set(err, DNSAPI_EINVAL, "name_too_long", field,
                                  "The %s is longer than 255 octets.", what);
        }
        n->lab[n->len++] = octet;
    }
    if (!n->absolute) {
        int rc = label_close(n, start, star, field, what, err);
        if (rc != DNSAPI_OK) {
            return rc;
        }
    }
    if (n->len + 1 > WNAME_MAX) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_too_long", field,
                              "The %s is %zu octets long in DNS; a name has at most 255.", what,
                              n->len + 1);
    }
    return DNSAPI_OK;
}

int wname_append(wname_t *n, const wname_t *suffix, const char *field, dnsapi_err_t *err)
{
    if (n->len + suffix->len + 1 > WNAME_MAX) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "name_too_long", field,
                              "The name is %zu octets long in DNS; a name has at most 255 (about "
                              "253 characters without the trailing dot).",
                              n->len + suffix->len + 1);
    }
    memcpy(n->lab + n->len, suffix->lab, suffix->len);
    n->len += suffix->len;
    n->labels += suffix->labels;
    n->host = n->host && suffix->host;
    n->absolute = true;
    n->at = false;
    return DNSAPI_OK;
}

size_t wname_label_at(const wname_t *n, size_t i)
{
    size_t off = 0;
    while (i-- > 0 && off < n->len) {
        off += (size_t)n->lab[off] + 1;
    }
    return off;
}

bool wname_ends_with(const wname_t *n, const wname_t *suffix)
{
    if (suffix->labels > n->labels || suffix->len > n->len) {
        return false;
    }
    size_t off = wname_label_at(n, n->labels - suffix->labels);
    if (n->len - off != suffix->len) {
        return false;
    }
    for (size_t i = 0; i < suffix->len; i++) {
        if (tolower(n->lab[off + i]) != tolower(suffix->lab[i])) {
            return false;
        }
    }
    return true;
}

size_t wname_format(const uint8_t *lab, size_t len, bool lower, char *out, size_t outlen)
{
    size_t o = 0;
    if (len == 0) {
        if (outlen < 2) {
            return 0;
        }
        out[0] = '.';
        out[1] = '\0';
        return 1;
    }
    for (size_t off = 0; off < len; off += (size_t)lab[off] + 1) {
        for (size_t i = off + 1; i <= off + lab[off] && i < len; i++) {
            uint8_t c = lab[i];
            char buf[8];
            size_t k;
            if (lower && c >= 'A' && c <= 'Z') {
                c = (uint8_t)(c - 'A' + 'a');
            }
            /* Knot's reader takes only these unescaped; a lone '*' is the
             * wildcard, beside other octets it is escaped */
            bool plain =
                isalnum(c) || c == '-' || c == '_' || c == '/' || (c == '*' && lab[off] == 1);
            /* '#' as \035: NSD reads "\#" opening rdata as RFC 3597's mark;
             * a backslash as \092: NSD 4.6 reads a label ending in an escaped
             * backslash ("a\\.") as holding an escaped dot, which puts the
             * name outside its zone (found by tests/fuzz/fuzz_name.c); '['
             * as \091: BIND reads "\[" opening a label as an RFC 2673
             * bit-string label and refuses the zone (the same) */
            bool ddd = c <= 0x20 || c >= 0x7f || c == '#' || c == '\\' || c == '[';
            if (!ddd && !plain) {
                buf[0] = '\\';
                buf[1] = (char)c;
                k = 2;
            } else if (ddd) {
                snprintf(buf, sizeof(buf), "\\%03u", c);
                k = 4;
            } else {
                buf[0] = (char)c;
                k = 1;
            }
            if (o + k + 2 > outlen) {
                return 0;
            }
            memcpy(out + o, buf, k);
            o += k;
        }
        if (o + 2 > outlen) {
            return 0;
        }
        out[o++] = '.';
    }
    out[o] = '\0';
    return o;
}

long cstr_decode(const char *s, size_t slen, uint8_t *out, size_t max, const char **why)
{
    size_t n = 0;
    size_t i = 0;
    bool quoted = slen >= 1 && s[0] == '"';
    if (quoted) {
        if (slen < 2 || s[slen - 1] != '"') {
            *why = "a quoted string has no closing quote";
            return -1;
        }
        i = 1;
        slen--;
    }
    while (i < slen) {
        uint8_t octet;
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') {
            size_t used = cstr_escape_read(s + i, slen - i, &octet, why);
            if (used == 0) {
                return -1;
            }
            i += used;
        } else if (c == '"') {
            *why = "a '\"' inside a string must be written \\\"";
            return -1;
        } else if (c < 0x20 || c == 0x7f) {
            *why = "it contains a control character (write it as \\DDD)";
            return -1;
        } else if (!quoted && c == ' ') {
            *why = "a string with spaces must be quoted";
            return -1;
        } else {
            octet = c;
            i++;
        }
        if (n == max) {
            *why = "it is too long";
            return -1;
        }
        out[n++] = octet;
    }
    return (long)n;
}
