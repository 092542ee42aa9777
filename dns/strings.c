/*
 * strings.c - the record types made of character-strings: TXT in its two
 * stored forms (literal text, or master-file character-strings) and CAA.
 *
 * TXT RDATA may hold any number of character-strings up to the 65,535
 * octets an RDATA can have (each string costs its length octet); literal
 * text is split into 255-octet strings only in the master file, so its
 * limit is the text whose split fits.
 *
 * CAA values are read as a master-file character-string, quoted or not:
 * \X and \DDD escapes mean what they mean in a zone file, so a value
 * copied from one keeps its octets. They are stored quoted, with '"' and
 * '\' escaped and every octet outside printable ASCII as \DDD.
 */
#include "dns/dns.h"
#include "dns/presentation.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define TXT_CHUNK 255
#define RDATA_MAX 65535

/* True when s[0..len) is well-formed UTF-8 (what a text column takes). */
static bool utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf; /* bounds of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
            hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
        } else {
            return false;
        }
        if (n > len - 1 - i || s[i + 1] < lo || s[i + 1] > hi) {
            return false;
        }
        for (size_t k = 2; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
        }
        i += n + 1;
    }
    return true;
}

/* One TXT RDATA has one stored form. A quoted content (ldns presentation:
 * "..." "...", with \" \\ and \DDD escapes) whose strings are exactly what
 * the literal form would give - one string of 1 to 255 bytes, or 255-byte
 * strings and a last shorter one - is stored as that literal text, so that
 * "x" and x are the same record (and a duplicate of each other). Anything
 * else (several short strings, an empty string, control characters, bytes
 * that are not UTF-8, text that starts with a quote or with "\# ") stays
 * quoted. */
void txt_canonical(char *content, size_t outlen)
{
    unsigned char *lit = malloc(outlen);
    size_t len = 0, nseg = 0, last_seg = 0;
    const char *p = content;
    bool ok = lit != NULL;
    while (ok && *p != '\0') {
        if (*p != '"') {
            ok = false;
            break;
        }
        if (nseg > 0 && last_seg != 255) {
            ok = false; /* only the last string may be short */
            break;
        }
        p++;
        size_t seg = 0;
        while (ok && *p != '"') {
            unsigned int c;
            if (*p == '\0') {
                ok = false;
            } else if (*p == '\\' && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
                       isdigit((unsigned char)p[3])) {
                c = (unsigned)(p[1] - '0') * 100 + (unsigned)(p[2] - '0') * 10 +
                    (unsigned)(p[3] - '0');
                ok = c <= 255;
                p += 4;
            } else if (*p == '\\' && p[1] != '\0') {
                c = (unsigned char)p[1];
                p += 2;
            } else {
                c = (unsigned char)*p++;
            }
            if (!ok || c < 0x20 || c == 0x7f || len + 1 >= outlen) {
                ok = false;
                break;
            }
            lit[len++] = (unsigned char)c;
            seg++;
        }
        if (!ok) {
            break;
        }
        p++; /* the closing quote */
        if (*p == ' ') {
            p++;
        }
        nseg++;
        last_seg = seg;
        if (seg == 0) {
            ok = false; /* an empty string has no literal form */
        }
    }
    /* text that starts "\# " stays quoted too: as literal content it would
     * read as RFC 3597 generic data (found by fuzz_content) */
    bool generic_mark = len >= 3 && lit[0] == '\\' && lit[1] == '#' && lit[2] == ' ';
    if (ok && nseg > 0 && len > 0 && lit[0] != '"' && !generic_mark && utf8_valid(lit, len)) {
        memcpy(content, lit, len);
        content[len] = '\0';
    }
    free(lit);
}

size_t txt_literal_rdata_len(size_t len)
{
    return len == 0 ? 1 : len + (len + TXT_CHUNK - 1) / TXT_CHUNK;
}

/* Literal TXT: stored as given; control characters were refused before. */
int txt_literal_normalize(const char *content, char *out, size_t outlen, dnsapi_err_t *err)
{
    size_t len = strlen(content);
    if (txt_literal_rdata_len(len) > RDATA_MAX) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The text is %zu bytes long; split into 255-byte strings it "
                              "passes the 65,535 bytes a record can hold (at most 65,279 bytes "
                              "of text).",
                              len);
    }
    if (len >= outlen) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The text is %zu bytes long; at most %zu fit here.", len, outlen - 1);
    }
    memcpy(out, content, len + 1);
    return DNSAPI_OK;
}

/* Reads the CAA value text (everything after the tag) into octets. */
static long caa_value_read(const char *p, size_t vlen, uint8_t *v, dnsapi_err_t *err)
{
    const char *why = "it is not valid";
    long n;
    if (p[0] == '"') {
        /* one quoted string: its closing quote is the last character */
        size_t i = 1;
        while (i < vlen && p[i] != '"') {
            i += p[i] == '\\' ? 2 : 1;
        }
        if (i != vlen - 1) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The CAA value must be one quoted string, or plain text "
                                  "without quotes.");
        }
        n = cstr_decode(p, vlen, v, RDATA_MAX, &why);
    } else {
        /* plain text, spaces and quotes literal, escapes read */
        n = 0;
        for (size_t i = 0; i < vlen && n >= 0;) {
            if (p[i] == '\\') {
                size_t used = cstr_escape_read(p + i, vlen - i, &v[n], &why);
                n = used == 0 ? -1 : n + 1;
                i += used;
            } else {
                v[n++] = (uint8_t)p[i++];
            }
        }
    }
    if (n < 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The CAA value cannot be read: %s.", why);
    }
    return n;
}

/* CAA: "flags tag value", the value quoted by us when it is not already
 * one quoted string, since ldns requires the quotes and people rarely
 * write them. */
int caa_rebuild(const char *content, dtext_t *t, dnsapi_err_t *err)
{
    const char *p = content + strspn(content, " ");
    const char *marks[2];
    for (int i = 0; i < 2; i++) {
        while (*p == ' ') {
            p++;
        }
        marks[i] = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
    }
    while (*p == ' ') {
        p++;
    }
    if (*marks[1] == '\0' || *p == '\0') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "CAA content is \"flags tag value\", e.g. 0 issue "
                              "\"letsencrypt.org\".");
    }
    size_t flen = strcspn(marks[0], " ");
    unsigned long flags = 0;
    for (size_t i = 0; i < flen; i++) {
        flags = isdigit((unsigned char)marks[0][i]) && flen <= 3
                    ? flags * 10 + (unsigned long)(marks[0][i] - '0')
                    : 1000;
    }
    if (flags > 255) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The CAA flags \"%.*s\" are not a number from 0 to 255.",
                              (int)(flen > 16 ? 16 : flen), marks[0]);
    }
    size_t tlen = strcspn(marks[1], " ");
    /* RFC 6844 capped tags at 15 characters, and NSD still refuses longer
     * ones (found by tests/fuzz/fuzz_content.c). */
    if (tlen > 15) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The CAA tag is %zu characters long; tags have at most 15, such as "
                              "issue, issuewild or iodef.",
                              tlen);
    }
    for (size_t i = 0; i < tlen; i++) {
        if (!isascii((unsigned char)marks[1][i]) || !isalnum((unsigned char)marks[1][i])) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The CAA tag must be letters and digits, such as issue, "
                                  "issuewild or iodef.");
        }
    }
    size_t vlen = strlen(p);
    while (vlen > 0 && p[vlen - 1] == ' ') {
        vlen--;
    }
    uint8_t *v = malloc(vlen + 1);
    if (v == NULL) {
        return DNSAPI_ENOMEM;
    }
    long n = caa_value_read(p, vlen, v, err);
    if (n < 0) {
        free(v);
        return DNSAPI_EINVAL;
    }
    /* Tags are case-insensitive (RFC 8659) but NSD refuses upper case. */
    char head[16];
    snprintf(head, sizeof(head), "%lu ", flags);
    dtext_adds(t, head);
    size_t start = t->len;
    dtext_add(t, marks[1], tlen);
    for (size_t i = start; i < t->len && !t->failed; i++) {
        t->s[i] = (char)tolower((unsigned char)t->s[i]);
    }
    dtext_add(t, " \"", 2);
    dtext_add_cstr(t, v, (size_t)n);
    dtext_add(t, "\"", 1);
    free(v);
    return t->failed ? DNSAPI_ENOMEM : DNSAPI_OK;
}
