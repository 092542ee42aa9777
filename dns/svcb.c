/*
 * svcb.c - SVCB and HTTPS service parameters (RFC 9460), read from
 * presentation text into wire values, checked, and written back in one
 * form that NSD 4.6, Knot 3.2 and BIND 9.18 all load.
 *
 * Why our own reader: ldns 1.8.3 accepts a key given twice (and silently
 * rewrites a repeated mandatory entry), and prints keys by names that
 * Debian's Knot 3.2 refuses (dohpath). Reading into wire values first
 * gives every check RFC 9460 states - including its own test vectors,
 * whose alpn values carry escaped backslashes (and commas, refused here:
 * see params_check) - one place.
 *
 * Reading is the RFC's two levels: a value is a character-string (quoted
 * or not, \X and \DDD read), and for alpn that string is a comma-separated
 * list in which "\," is a comma inside an id and "\\" a backslash.
 *
 * Writing: keys in ascending order; keys 0-6 by name (every packaged
 * server knows them), keys 7 and up as keyN (Knot 3.2 knows neither
 * dohpath nor ohttp by name, and NSD refuses some known keys, such as
 * port, in generic form, so names below 7 and numbers from 7 are the one
 * form all three read). An alpn list that Knot 3.2 misreads is refused:
 * NSD reads key1 as alpn text, so no form serves it alike (alpn_fault).
 * Values are quoted only when they hold characters other than letters,
 * digits and "-._:/+=,".
 */
#include "dns/dns.h"
#include "dns/presentation.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#define SVC_MAX_PARAMS 64
#define SVC_VALUE_MAX 65535

enum {
    KEY_MANDATORY = 0,
    KEY_ALPN = 1,
    KEY_NO_DEFAULT_ALPN = 2,
    KEY_PORT = 3,
    KEY_IPV4HINT = 4,
    KEY_ECH = 5,
    KEY_IPV6HINT = 6,
    KEY_DOHPATH = 7,
    KEY_OHTTP = 8,
};

static const char *const KEY_NAMES[] = {"mandatory", "alpn",     "no-default-alpn",
                                        "port",      "ipv4hint", "ech",
                                        "ipv6hint",  "dohpath",  "ohttp"};
#define KEY_NAMED_OUT 7 /* keys below this are written by name */

typedef struct {
    uint16_t key;
    uint8_t *val;
    size_t len;
} sparam_t;

#define svc_err(err, ...) dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content", __VA_ARGS__)

/* "alpn", "key1" or "key00001" to 1; -1 when it is no key. */
static long key_read(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(KEY_NAMES) / sizeof(KEY_NAMES[0]); i++) {
        if (strlen(KEY_NAMES[i]) == len && strncasecmp(s, KEY_NAMES[i], len) == 0) {
            return (long)i;
        }
    }
    if (len < 4 || len > 8 || strncasecmp(s, "key", 3) != 0) {
        return -1;
    }
    long v = 0;
    for (size_t i = 3; i < len; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v <= 65534 ? v : -1; /* 65535 is reserved */
}

/* The name a key is written with (see the file comment). */
static const char *key_name(uint16_t key, char *buf, size_t len)
{
    if (key < KEY_NAMED_OUT) {
        return KEY_NAMES[key];
    }
    snprintf(buf, len, "key%u", key);
    return buf;
}

static void key_write(dtext_t *t, uint16_t key)
{
    char buf[16];
    dtext_adds(t, key_name(key, buf, sizeof(buf)));
}

/* What alpn_fault finds in a list, and what a user is told. */
typedef enum { ALPN_OK, ALPN_NUL, ALPN_LONG, ALPN_TWICE, ALPN_COMMA, ALPN_MISREAD } alpn_fault_t;

static const char *const alpn_fault_message[] = {
    [ALPN_OK] = "",
    [ALPN_NUL] = "An alpn id cannot hold a NUL octet (\\000): name servers such as NSD read the "
                 "list only up to it.",
    [ALPN_LONG] = "An alpn id is longer than 255 octets, counting each escaped ',' or '\\' as two.",
    [ALPN_TWICE] = "The alpn value lists an id twice: give each once.",
    [ALPN_COMMA] = "An alpn id cannot hold a comma: name servers such as Knot refuse some such "
                   "lists; protocol ids are names like h2 or h3.",
    [ALPN_MISREAD] = "This alpn list is read differently by name servers (Knot 3.2 misreads a "
                     "one-octet id before another and a backslash at an id's edge or doubled): "
                     "protocol ids are names like h2 or h3.",
};

/* Splits a value-list (RFC 9460 appendix A.1) into items, each written
 * length-prefixed into wire; "\," and "\\" are the only escapes left. What
 * the ids may hold is judged on the wire value, whichever form it came in
 * (alpn_fault). */
static int value_list_to_wire(const uint8_t *v, size_t len, uint8_t *wire, size_t *wlen,
                              dnsapi_err_t *err)
{
    size_t o = 0;
    size_t start = 0;
    size_t item = 0;
    wire[o++] = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || v[i] == ',') {
            if (item == 0) {
                return svc_err(err,
                               "The alpn value must be protocol ids separated by commas, such as "
                               "alpn=h2,h3; an id cannot be empty%s.",
                               "");
            }
            if (item > 255) {
                return svc_err(err, "%s", alpn_fault_message[ALPN_LONG]);
            }
            wire[start] = (uint8_t)item;
            if (i < len) {
                start = o;
                wire[o++] = 0;
                item = 0;
            }
            continue;
        }
        if (v[i] == '\\') {
            if (i + 1 == len || (v[i + 1] != ',' && v[i + 1] != '\\')) {
                return svc_err(err,
                               "In an alpn value a backslash only escapes ',' or '\\' (write "
                               "\"h1\\\\,h2\" for the id h1,h2)%s.",
                               "");
            }
            i++;
        }
        wire[o++] = v[i];
        item++;
    }
    *wlen = o;
    return DNSAPI_OK;
}

/* Reads a comma-separated list of addresses of family af. */
static int addrs_to_wire(int af, const uint8_t *v, size_t len, uint8_t *wire, size_t *wlen,
                         dnsapi_err_t *err)
{
    size_t alen = af == AF_INET ? 4 : 16;
    size_t o = 0;
    size_t start = 0;
    const char *name = af == AF_INET ? "ipv4hint" : "ipv6hint";
    for (size_t i = 0; i <= len; i++) {
        if (i < len && v[i] != ',') {
            continue;
        }
        char buf[64];
        size_t n = i - start;
        if (n == 0 || n >= sizeof(buf) || o + alen > SVC_VALUE_MAX) {
            return svc_err(err, "The %s value must be addresses separated by commas.", name);
        }
        memcpy(buf, v + start, n);
        buf[n] = '\0';
        if (inet_pton(af, buf, wire + o) != 1) {
            return svc_err(err, "The %s value holds something that is not an address.", name);
        }
        o += alen;
        start = i + 1;
    }
    *wlen = o;
    return DNSAPI_OK;
}

static int mandatory_to_wire(const uint8_t *v, size_t len, uint8_t *wire, size_t *wlen,
                             dnsapi_err_t *err)
{
    size_t n = 0;
    size_t start = 0;
    uint16_t keys[SVC_MAX_PARAMS];
    for (size_t i = 0; i <= len; i++) {
        if (i < len && v[i] != ',') {
            continue;
        }
        long k = key_read((const char *)v + start, i - start);
        if (k < 0 || n == SVC_MAX_PARAMS) {
            return svc_err(err,
                           "The mandatory value must be parameter keys separated by commas, "
                           "such as mandatory=alpn,port%s.",
                           "");
        }
        if (k == KEY_MANDATORY) {
            return svc_err(err, "\"mandatory\" cannot list itself (RFC 9460)%s.", "");
        }
        for (size_t j = 0; j < n; j++) {
            if (keys[j] == k) {
                return svc_err(err, "\"mandatory\" lists a key twice: list each key once%s.", "");
            }
        }
        keys[n++] = (uint16_t)k;
        start = i + 1;
    }
    /* ascending on the wire */
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && keys[j - 1] > keys[j]; j--) {
            uint16_t x = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = x;
        }
    }
    for (size_t i = 0; i < n; i++) {
        wire[2 * i] = (uint8_t)(keys[i] >> 8);
        wire[2 * i + 1] = (uint8_t)keys[i];
    }
    *wlen = 2 * n;
    return DNSAPI_OK;
}

/* RFC 9461: dohpath is a relative URI template (RFC 6570; it starts
 * with '/') with a "dns" variable in one of its expressions; BIND refuses
 * the zone otherwise. Only printable ASCII is taken (BIND refuses the
 * rest). Checked as BIND 9.18 reads it (named-checkzone, case by case in
 * tests/unit/test_dns_rdata.c): a '%' starts a full %XX escape; an
 * expression is an operator of "+#./;?&" or none, then one or more
 * variables, each one or more of letters, digits, '_' and %XX (no dots:
 * BIND refuses "d.ns"), with ":1" to ":9999" or "*" after it, separated by
 * ','; a "dns" right after a variable with a prefix is not seen. A '}'
 * outside an expression is refused too, though BIND takes it. */
static bool pct_ok(const uint8_t *v, size_t len, size_t i)
{
    return len - i >= 3 && isxdigit(v[i + 1]) && isxdigit(v[i + 2]);
}

/* The expression at v[i] == '{': its end (the '}') or 0 when malformed;
 * *dns when one of its variables is "dns". */
static size_t dohpath_expression(const uint8_t *v, size_t len, size_t i, bool *dns)
{
    size_t j = i + 1;
    if (j < len && strchr("+#./;?&", v[j]) != NULL && v[j] != '\0') {
        j++;
    }
    bool after_prefix = false;
    for (;;) {
        size_t start = j;
        while (j < len) {
            if (v[j] == '%' && pct_ok(v, len, j)) {
                j += 3;
            } else if (isalnum(v[j]) || v[j] == '_') {
                j++;
            } else {
                break;
            }
        }
        if (j == start) {
            return 0; /* no variable name */
        }
        /* BIND 9.18 does not see a "dns" right after a variable with a
         * prefix ("{a:5,dns}"; found by fuzz_content) */
        *dns = *dns || (!after_prefix && j - start == 3 && memcmp(v + start, "dns", 3) == 0);
        after_prefix = j < len && v[j] == ':';
        if (j < len && v[j] == '*') {
            j++;
        } else if (j < len && v[j] == ':') {
            size_t digits = ++j;
            while (j < len && isdigit(v[j]) && j - digits < 5) {
                j++;
            }
            if (j == digits || j - digits > 4 || v[digits] == '0') {
                return 0; /* a prefix length is 1 to 9999 */
            }
        }
        if (j < len && v[j] == '}') {
            return j;
        }
        if (j >= len || v[j] != ',') {
            return 0;
        }
        j++;
    }
}

static bool dohpath_ok(const uint8_t *v, size_t len)
{
    bool dns = false;
    if (len == 0 || v[0] != '/') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (v[i] <= 0x20 || v[i] >= 0x7f || v[i] == '}' || (v[i] == '%' && !pct_ok(v, len, i))) {
            return false;
        }
        if (v[i] == '{') {
            i = dohpath_expression(v, len, i, &dns);
            if (i == 0) {
                return false;
            }
        }
    }
    return dns;
}

/* The wire value of key from its decoded character-string v. */
static int value_to_wire(uint16_t key, const uint8_t *v, size_t len, bool has_value, uint8_t *wire,
                         size_t *wlen, dnsapi_err_t *err)
{
    bool needs_value = key <= KEY_IPV6HINT && key != KEY_NO_DEFAULT_ALPN;
    bool no_value = key == KEY_NO_DEFAULT_ALPN || key == KEY_OHTTP;
    char buf[16];
    const char *kname = key < 9 ? KEY_NAMES[key] : key_name(key, buf, sizeof(buf));
    if (needs_value && len == 0) {
        return svc_err(err,
                       "The service parameter \"%s\" needs a value, e.g. alpn=h2,h3 or "
                       "port=8443.",
                       kname);
    }
    if (no_value && (has_value || len > 0)) {
        return svc_err(err, "The service parameter \"%s\" takes no value.", kname);
    }
    switch (key) {
    case KEY_MANDATORY:
        return mandatory_to_wire(v, len, wire, wlen, err);
    case KEY_ALPN:
        return value_list_to_wire(v, len, wire, wlen, err);
    case KEY_PORT: {
        unsigned long port = 0;
        for (size_t i = 0; i < len; i++) {
            if (!isdigit(v[i]) || len > 5) {
                return svc_err(err, "The port value must be a number from 0 to 65535%s.", "");
            }
            port = port * 10 + (v[i] - '0');
        }
        if (port > 65535) {
            return svc_err(err, "The port value must be a number from 0 to 65535%s.", "");
        }
        wire[0] = (uint8_t)(port >> 8);
        wire[1] = (uint8_t)port;
        *wlen = 2;
        return DNSAPI_OK;
    }
    case KEY_IPV4HINT:
        return addrs_to_wire(AF_INET, v, len, wire, wlen, err);
    case KEY_IPV6HINT:
        return addrs_to_wire(AF_INET6, v, len, wire, wlen, err);
    case KEY_ECH: {
        /* v is decoded octets, not a C string: copied and terminated
         * (strndup would look for a NUL past len), and a NUL inside is no
         * base64 */
        char *b64 = memchr(v, '\0', len) == NULL ? malloc(len + 1) : NULL;
        if (b64 != NULL) {
            memcpy(b64, v, len);
            b64[len] = '\0';
        }
        ldns_rdf *rdf = NULL;
        bool ok = b64 != NULL && ldns_str2rdf_b64(&rdf, b64) == LDNS_STATUS_OK &&
                  ldns_rdf_size(rdf) > 0 && ldns_rdf_size(rdf) <= SVC_VALUE_MAX;
        if (ok) {
            memcpy(wire, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
            *wlen = ldns_rdf_size(rdf);
        }
        ldns_rdf_deep_free(rdf);
        free(b64);
        if (!ok) {
            return svc_err(err, "The ech value must be base64 (an ECHConfigList)%s.", "");
        }
        return DNSAPI_OK;
    }
    case KEY_DOHPATH:
        if (!dohpath_ok(v, len)) {
            return svc_err(err,
                           "The dohpath value (key7) is a relative URI template with the dns "
                           "variable, such as \"/dns-query{?dns}\" (RFC 9461)%s.",
                           "");
        }
        break;
    default:
        break;
    }
    memcpy(wire, v, len);
    *wlen = len;
    return DNSAPI_OK;
}

/* The wire value of a known key given in generic form (key1="...")
 * must be what that key's reader would have made. */
static int wire_value_check(const sparam_t *p, dnsapi_err_t *err)
{
    bool ok = true;
    switch (p->key) {
    case KEY_MANDATORY:
        ok = p->len > 0 && p->len % 2 == 0;
        for (size_t i = 0; ok && i + 3 < p->len; i += 2) {
            ok = (p->val[i] << 8 | p->val[i + 1]) < (p->val[i + 2] << 8 | p->val[i + 3]);
        }
        break;
    case KEY_ALPN:
        ok = p->len > 0;
        for (size_t i = 0; ok && i < p->len; i += (size_t)p->val[i] + 1) {
            ok = p->val[i] > 0 && i + p->val[i] < p->len;
        }
        break;
    case KEY_NO_DEFAULT_ALPN:
    case KEY_OHTTP:
        ok = p->len == 0;
        break;
    case KEY_PORT:
        ok = p->len == 2;
        break;
    case KEY_IPV4HINT:
        ok = p->len > 0 && p->len % 4 == 0;
        break;
    case KEY_IPV6HINT:
        ok = p->len > 0 && p->len % 16 == 0;
        break;
    case KEY_ECH:
        ok = p->len > 0;
        break;
    case KEY_DOHPATH:
        ok = dohpath_ok(p->val, p->len);
        break;
    default:
        break;
    }
    if (!ok) {
        char buf[16];
        return svc_err(err, "The generic value of %s is not valid data for that key.",
                       key_name(p->key, buf, sizeof(buf)));
    }
    return DNSAPI_OK;
}

/* Reads one "key" or "key=value" word into p (p->val is malloc'd). */
static int param_read(const char *w, size_t wlen, sparam_t *p, dnsapi_err_t *err)
{
    const char *eq = memchr(w, '=', wlen);
    size_t klen = eq != NULL ? (size_t)(eq - w) : wlen;
    long key = key_read(w, klen);
    if (key < 0) {
        char k[40];
        snprintf(k, sizeof(k), "%.*s", (int)(klen < 32 ? klen : 32), w);
        return svc_err(err,
                       "\"%s\" is not a service parameter key: use mandatory, alpn, "
                       "no-default-alpn, port, ipv4hint, ech, ipv6hint, or keyNNNNN.",
                       k);
    }
    const char *vtext = eq != NULL ? eq + 1 : w + wlen;
    size_t vlen = eq != NULL ? wlen - klen - 1 : 0;
    for (size_t i = 0; i < vlen; i++) {
        if ((unsigned char)vtext[i] >= 0x80) {
            return svc_err(err,
                           "Service parameter values are ASCII: write other octets as "
                           "\\DDD%s.",
                           "");
        }
    }
    uint8_t *raw = malloc(vlen + 1);
    p->val = malloc(SVC_VALUE_MAX + 1);
    if (raw == NULL || p->val == NULL) {
        free(raw);
        return DNSAPI_ENOMEM;
    }
    const char *why = "it is not valid";
    long n = cstr_decode(vtext, vlen, raw, SVC_VALUE_MAX, &why);
    int rc;
    if (n < 0) {
        rc = svc_err(err, "A service parameter value cannot be read: %s.", why);
    } else if (key <= KEY_OHTTP && strncasecmp(w, "key", 3) == 0) {
        /* a known key written keyN carries its wire value (as BIND and NSD
         * read it) */
        p->key = (uint16_t)key;
        memcpy(p->val, raw, (size_t)n);
        p->len = (size_t)n;
        rc = wire_value_check(p, err);
    } else {
        p->key = (uint16_t)key;
        rc = value_to_wire(p->key, raw, (size_t)n, eq != NULL, p->val, &p->len, err);
    }
    free(raw);
    return rc;
}

/* Writes a value the way this file's comment says. */
static void value_write(dtext_t *t, const sparam_t *p)
{
    char buf[INET6_ADDRSTRLEN + 2];
    switch (p->key) {
    case KEY_MANDATORY:
        for (size_t i = 0; i + 1 < p->len; i += 2) {
            dtext_add(t, i == 0 ? "=" : ",", 1);
            key_write(t, (uint16_t)(p->val[i] << 8 | p->val[i + 1]));
        }
        return;
    case KEY_PORT:
        snprintf(buf, sizeof(buf), "=%u", (unsigned)(p->val[0] << 8 | p->val[1]));
        dtext_adds(t, buf);
        return;
    case KEY_IPV4HINT:
    case KEY_IPV6HINT: {
        int af = p->key == KEY_IPV4HINT ? AF_INET : AF_INET6;
        size_t alen = af == AF_INET ? 4 : 16;
        for (size_t i = 0; i + alen <= p->len; i += alen) {
            dtext_add(t, i == 0 ? "=" : ",", 1);
            dtext_adds(t, inet_ntop(af, p->val + i, buf, sizeof(buf)) ? buf : "?");
        }
        return;
    }
    case KEY_ECH: {
        ldns_rdf *rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_B64, p->len, p->val);
        char *b64 = rdf != NULL ? ldns_rdf2str(rdf) : NULL;
        if (b64 == NULL) {
            t->failed = true;
        } else {
            dtext_add(t, "=", 1);
            dtext_adds(t, b64);
        }
        free(b64);
        ldns_rdf_deep_free(rdf);
        return;
    }
    default:
        break;
    }
    if (p->len == 0) {
        return; /* no-default-alpn, ohttp, an empty keyN */
    }
    /* alpn goes through the value-list level first */
    dtext_t v = {0};
    if (p->key == KEY_ALPN) {
        for (size_t i = 0; i < p->len; i += (size_t)p->val[i] + 1) {
            if (i > 0) {
                dtext_add(&v, ",", 1);
            }
            for (size_t k = i + 1; k <= i + p->val[i] && k < p->len; k++) {
                if (p->val[k] == ',' || p->val[k] == '\\') {
                    dtext_add(&v, "\\", 1);
                }
                dtext_add(&v, (const char *)&p->val[k], 1);
            }
        }
    } else {
        dtext_add(&v, (const char *)p->val, p->len);
    }
    bool plain = !v.failed;
    for (size_t i = 0; plain && i < v.len; i++) {
        unsigned char c = (unsigned char)v.s[i];
        /* (strchr finds the terminator: a NUL octet is not plain) */
        plain = isalnum(c) || (c != '\0' && strchr("-._:/+=,", c) != NULL);
    }
    dtext_add(t, "=", 1);
    if (plain) {
        dtext_add(t, v.s, v.len);
    } else {
        dtext_add(t, "\"", 1);
        if (!v.failed) {
            dtext_add_cstr(t, (const uint8_t *)v.s, v.len);
        }
        dtext_add(t, "\"", 1);
    }
    t->failed = t->failed || v.failed;
    free(v.s);
}

/* What in an alpn wire value (length-prefixed ids) name servers refuse or
 * read apart, in one walk over its ids; judged on the wire value, so that
 * alpn=... and the generic key1="..." meet the same rules (the generic
 * form escaped the text reader's checks: found by fuzz_content). The
 * first three come first, as a reader of the text
 * would find them:
 * - ALPN_NUL: an id holding a NUL octet (NSD 4.6 splits the list only up
 *   to it: "a\000b,c" is one id there; found by fuzz_record_body);
 * - ALPN_LONG: an id over 255 characters as written, its escaped '\'
 *   counted as two (NSD 4.6 holds ids to that; found by
 *   fuzz_record_body);
 * - ALPN_TWICE: an id listed twice;
 * - ALPN_COMMA: an id holding a comma (RFC 9460 allows "\,", but Knot 3.2
 *   refuses some such lists, ldns others in generic form; found by an hour
 *   of fuzz_content);
 * - ALPN_MISREAD: a list NSD 4.6 and Knot 3.2 would serve apart in every
 *   form we could write it. Knot misreads, in alpn form, a one-octet id
 *   followed by another ("alpn=h,h3") and a backslash other than a lone
 *   one inside an id (one at an id's start it doubles, one at an id's end
 *   it takes for the escape of the comma after it, two in a row it reads
 *   as one; found by fuzz_record_body); NSD reads the generic form
 *   key1="..." as alpn text, not as wire (checked by dig against both). */
static alpn_fault_t alpn_fault(const sparam_t *p)
{
    alpn_fault_t early = ALPN_OK, late = ALPN_OK;
    for (size_t i = 0; i < p->len && early == ALPN_OK; i += (size_t)p->val[i] + 1) {
        size_t n = p->val[i];
        bool misread = n == 1 && i + 2 < p->len;
        if (n > p->len - i - 1) {
            n = p->len - i - 1;
        }
        const uint8_t *id = p->val + i + 1;
        size_t written = n;
        for (size_t k = 0; k < n; k++) {
            early = id[k] == '\0' ? ALPN_NUL : early;
            written += id[k] == '\\' || id[k] == ',';
            if (id[k] == ',' && late == ALPN_OK) {
                late = ALPN_COMMA;
            }
            bool alone_inside = k > 0 && k + 1 < n && id[k - 1] != '\\' && id[k + 1] != '\\';
            misread = misread || (id[k] == '\\' && !alone_inside);
        }
        if (early == ALPN_OK && written > 255) {
            early = ALPN_LONG;
        }
        for (size_t j = 0; early == ALPN_OK && j < i; j += (size_t)p->val[j] + 1) {
            if (p->val[j] == n && memcmp(p->val + j + 1, id, n) == 0) {
                early = ALPN_TWICE;
            }
        }
        if (misread && late == ALPN_OK) {
            late = ALPN_MISREAD;
        }
    }
    return early != ALPN_OK ? early : late;
}

static bool params_have(const sparam_t *ps, size_t n, uint16_t key)
{
    for (size_t i = 0; i < n; i++) {
        if (ps[i].key == key) {
            return true;
        }
    }
    return false;
}

/* Checks that need every parameter: repeated keys, mandatory, alpn. */
static int params_check(const sparam_t *ps, size_t n, dnsapi_err_t *err)
{
    char k[16];
    for (size_t i = 1; i < n; i++) {
        if (ps[i].key == ps[i - 1].key) {
            return svc_err(err,
                           "The service parameter \"%s\" is given twice: give each key once "
                           "(alpn=h2,h3 for several values).",
                           key_name(ps[i].key, k, sizeof(k)));
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (ps[i].key != KEY_MANDATORY) {
            continue;
        }
        for (size_t j = 0; j + 1 < ps[i].len; j += 2) {
            uint16_t want = (uint16_t)(ps[i].val[j] << 8 | ps[i].val[j + 1]);
            if (!params_have(ps, n, want)) {
                return svc_err(err,
                               "\"mandatory\" lists \"%s\", which is not among the parameters: "
                               "add that parameter or remove it from the list.",
                               key_name(want, k, sizeof(k)));
            }
        }
    }
    /* refused, whichever form the list came in (see alpn_fault) */
    for (size_t i = 0; i < n; i++) {
        alpn_fault_t f = ps[i].key == KEY_ALPN ? alpn_fault(&ps[i]) : ALPN_OK;
        if (f != ALPN_OK) {
            return svc_err(err, "%s", alpn_fault_message[f]);
        }
    }
    if (params_have(ps, n, KEY_NO_DEFAULT_ALPN) && !params_have(ps, n, KEY_ALPN)) {
        return svc_err(err,
                       "\"no-default-alpn\" needs an \"alpn\" parameter beside it (RFC 9460): "
                       "add alpn=... or remove no-default-alpn%s.",
                       "");
    }
    return DNSAPI_OK;
}

static int cmp_param(const void *a, const void *b)
{
    const sparam_t *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

int dns_svcb_params_normalize(const char *const *words, const size_t *lens, size_t nwords,
                              dtext_t *out, dnsapi_err_t *err)
{
    sparam_t ps[SVC_MAX_PARAMS];
    size_t n = 0;
    int rc = DNSAPI_OK;

    if (nwords > SVC_MAX_PARAMS) {
        return svc_err(err, "There are more than 64 service parameters%s.", "");
    }
    for (size_t i = 0; i < nwords && rc == DNSAPI_OK; i++) {
        memset(&ps[n], 0, sizeof(ps[n]));
        rc = param_read(words[i], lens[i], &ps[n], err);
        n++;
    }
    if (rc == DNSAPI_OK) {
        qsort(ps, n, sizeof(ps[0]), cmp_param);
        rc = params_check(ps, n, err);
    }
    for (size_t i = 0; rc == DNSAPI_OK && i < n; i++) {
        dtext_add(out, " ", 1);
        key_write(out, ps[i].key);
        value_write(out, &ps[i]);
    }
    for (size_t i = 0; i < n; i++) {
        free(ps[i].val);
    }
    if (rc == DNSAPI_OK && out->failed) {
        rc = DNSAPI_ENOMEM;
    }
    return rc;
}
