/*
 * rdata_wire.c - record data from wire form to the presentation text that
 * dns_rdata_normalize() reads, for the types dnsapi stores, and the SOA and
 * NS records back to wire form for the answers the listener gives.
 *
 * The conversion is our own rather than ldns's wire parser, so that every
 * length is checked here and the text is exactly the form the normalizer
 * expects: names absolute with their trailing dot, TXT and other strings
 * quoted with \" \\ and \DDD escapes, digests in hex, MX/SRV priority apart.
 * A structural fault (a length that does not add up, a name running out of
 * the rdata, bytes left over) is a format error of the message
 * (DNSAPI_EBADREQ); data that is well formed but has no text form dnsapi
 * accepts is a rule failure (DNSAPI_EINVAL), so the caller refuses it.
 */
#include "dns/wire.h"

#include "dns/dns.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* A text buffer that remembers when it ran out of room. */
typedef struct {
    char *s;
    size_t cap;
    size_t len;
    bool overflow;
} out_t;

static void out_add(out_t *o, const char *p, size_t n)
{
    if (o->overflow || n >= o->cap - o->len) {
        o->overflow = true;
        return;
    }
    memcpy(o->s + o->len, p, n);
    o->len += n;
    o->s[o->len] = '\0';
}

static void out_str(out_t *o, const char *s)
{
    out_add(o, s, strlen(s));
}

static void out_fmt_uint(out_t *o, unsigned long v)
{
    char b[24];
    int n = snprintf(b, sizeof(b), "%lu", v);
    out_add(o, b, (size_t)n);
}

/* One octet of a quoted string. */
static void out_quoted_octet(out_t *o, uint8_t c)
{
    if (c == '"' || c == '\\') {
        char b[2] = {'\\', (char)c};
        out_add(o, b, 2);
    } else if (c < 0x20 || c >= 0x7f) {
        char b[5];
        snprintf(b, sizeof(b), "\\%03u", c);
        out_add(o, b, 4);
    } else {
        out_add(o, (const char *)&c, 1);
    }
}

static void out_quoted(out_t *o, const uint8_t *p, size_t n)
{
    out_add(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        out_quoted_octet(o, p[i]);
    }
    out_add(o, "\"", 1);
}

static void out_hex(out_t *o, const uint8_t *p, size_t n)
{
    static const char HEX[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char b[2] = {HEX[p[i] >> 4], HEX[p[i] & 15]};
        out_add(o, b, 2);
    }
}

static void out_base64(out_t *o, const uint8_t *p, size_t n)
{
    static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)p[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= p[i + 2];
        }
        char b[4] = {B64[(v >> 18) & 63], B64[(v >> 12) & 63], i + 1 < n ? B64[(v >> 6) & 63] : '=',
                     i + 2 < n ? B64[v & 63] : '='};
        out_add(o, b, 4);
    }
}

/* The bounds of one record's data. */
typedef struct {
    const uint8_t *msg;
    size_t len;
    size_t at;
    size_t end;
} rd_t;

static int rd_name(rd_t *r, bool compressed, out_t *o)
{
    uint8_t name[DNS_WIRE_NAME_MAX];
    size_t n;
    char text[DNS_WIRE_NAME_TEXT];
    size_t p = r->at;
    /* A name inside rdata may point anywhere earlier in the message, but
     * its own octets must lie within the rdata. */
    if (dns_wire_name_read(r->msg, r->end, &p, compressed, name, &n) != DNSAPI_OK) {
        return DNSAPI_EBADREQ;
    }
    r->at = p;
    dns_wire_name_to_text(name, n, text, sizeof(text));
    out_str(o, text);
    return DNSAPI_OK;
}

static int rd_u8(rd_t *r, unsigned long *v)
{
    if (r->end - r->at < 1) {
        return DNSAPI_EBADREQ;
    }
    *v = r->msg[r->at++];
    return DNSAPI_OK;
}

static int rd_u16(rd_t *r, unsigned long *v)
{
    if (r->end - r->at < 2) {
        return DNSAPI_EBADREQ;
    }
    *v = dns_wire_get_u16(r->msg + r->at);
    r->at += 2;
    return DNSAPI_OK;
}

/* Reads numbers of the given widths (1 or 2 octets) separated by spaces. */
static int rd_numbers(rd_t *r, const int *widths, size_t n, out_t *o)
{
    for (size_t i = 0; i < n; i++) {
        unsigned long v;
        int rc = widths[i] == 1 ? rd_u8(r, &v) : rd_u16(r, &v);
        if (rc != DNSAPI_OK) {
            return rc;
        }
        out_fmt_uint(o, v);
        out_add(o, " ", 1);
    }
    return DNSAPI_OK;
}

static int rd_string(rd_t *r, out_t *o)
{
    if (r->end - r->at < 1) {
        return DNSAPI_EBADREQ;
    }
    size_t l = r->msg[r->at];
    if (r->end - r->at - 1 < l) {
        return DNSAPI_EBADREQ;
    }
    out_quoted(o, r->msg + r->at + 1, l);
    r->at += 1 + l;
    return DNSAPI_OK;
}

/* A type without a converter of its own: a type dnsapi stores goes to
 * the normalizer in RFC 3597's generic form ("\\# 4 0a000001"; names in
 * the data of these types are never compressed), which reads it as the API
 * does; any other type is refused with the API's reason. */
static int generic_from_wire(uint16_t type, rd_t *r, out_t *o, dnsapi_err_t *err)
{
    char name[16], norm[16];
    snprintf(name, sizeof(name), "TYPE%u", (unsigned)type);
    if (dns_wire_type_is_meta(type) ||
        dns_type_normalize(name, norm, sizeof(norm), err) != DNSAPI_OK) {
        if (dns_wire_type_is_meta(type)) {
            dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_type", "type",
                           "The type %s is a query type and names no data.", name);
        }
        return DNSAPI_EINVAL;
    }
    out_str(o, "\\# ");
    out_fmt_uint(o, (unsigned long)(r->end - r->at));
    if (r->end > r->at) {
        out_add(o, " ", 1);
        out_hex(o, r->msg + r->at, r->end - r->at);
    }
    r->at = r->end;
    return DNSAPI_OK;
}

static int bad_rdata(dnsapi_err_t *err, const char *what)
{
    return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content", "%s", what);
}

static int caa_from_wire(rd_t *r, out_t *o, dnsapi_err_t *err)
{
    unsigned long flags, taglen;
    if (rd_u8(r, &flags) != DNSAPI_OK || rd_u8(r, &taglen) != DNSAPI_OK ||
        r->end - r->at < taglen) {
        return DNSAPI_EBADREQ;
    }
    if (taglen == 0) {
        return bad_rdata(err, "The CAA tag is empty.");
    }
    out_fmt_uint(o, flags);
    out_add(o, " ", 1);
    for (size_t i = 0; i < taglen; i++) {
        uint8_t c = r->msg[r->at + i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return bad_rdata(err, "The CAA tag must be letters and digits.");
        }
    }
    out_add(o, (const char *)r->msg + r->at, taglen);
    r->at += taglen;
    out_add(o, " ", 1);
    out_quoted(o, r->msg + r->at, r->end - r->at);
    r->at = r->end;
    return DNSAPI_OK;
}

/* An SVCB parameter value that dnsapi writes as plain text must be
 * printable ASCII without the characters that need escaping. */
static bool svc_plain(const uint8_t *p, size_t n, bool comma_ok)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '"' || p[i] == '\\' || p[i] == ';' ||
            (!comma_ok && p[i] == ',')) {
            return false;
        }
    }
    return true;
}

static const char *const SVC_KEYS[] = {"mandatory", "alpn", "no-default-alpn", "port",
                                       "ipv4hint",  "ech",  "ipv6hint"};

static void svc_key_name(unsigned long key, out_t *o)
{
    if (key < sizeof(SVC_KEYS) / sizeof(SVC_KEYS[0])) {
        out_str(o, SVC_KEYS[key]);
    } else {
        out_str(o, "key");
        out_fmt_uint(o, key);
    }
}

static int svc_param(unsigned long key, const uint8_t *v, size_t n, out_t *o, dnsapi_err_t *err)
{
    char addr[INET6_ADDRSTRLEN];

    svc_key_name(key, o);
    switch (key) {
    case 0: /* mandatory: a list of keys */
        if (n == 0 || n % 2 != 0) {
            return DNSAPI_EBADREQ;
        }
        out_add(o, "=", 1);
        for (size_t i = 0; i < n; i += 2) {
            if (i > 0) {
                out_add(o, ",", 1);
            }
            svc_key_name(dns_wire_get_u16(v + i), o);
        }
        return DNSAPI_OK;
    case 1: /* alpn: length-prefixed protocol ids */
        if (n == 0) {
            return DNSAPI_EBADREQ;
        }
        out_add(o, "=", 1);
        for (size_t i = 0; i < n;) {
            size_t l = v[i];
            if (l == 0 || n - i - 1 < l) {
                return DNSAPI_EBADREQ;
            }
            if (!svc_plain(v + i + 1, l, false)) {
                return bad_rdata(err, "An SVCB alpn id holds characters dnsapi does not store.");
            }
            if (i > 0) {
                out_add(o, ",", 1);
            }
            out_add(o, (const char *)v + i + 1, l);
            i += 1 + l;
        }
        return DNSAPI_OK;
    case 2: /* no-default-alpn: no value */
        return n == 0 ? DNSAPI_OK : DNSAPI_EBADREQ;
    case 3:
        if (n != 2) {
            return DNSAPI_EBADREQ;
        }
        out_add(o, "=", 1);
        out_fmt_uint(o, dns_wire_get_u16(v));
        return DNSAPI_OK;
    case 4:
    case 6: {
        size_t step = key == 4 ? 4 : 16;
        if (n == 0 || n % step != 0) {
            return DNSAPI_EBADREQ;
        }
        out_add(o, "=", 1);
        for (size_t i = 0; i < n; i += step) {
            if (i > 0) {
                out_add(o, ",", 1);
            }
            inet_ntop(key == 4 ? AF_INET : AF_INET6, v + i, addr, sizeof(addr));
            out_str(o, addr);
        }
        return DNSAPI_OK;
    }
    case 5:
        if (n == 0) {
            return DNSAPI_EBADREQ;
        }
        out_add(o, "=", 1);
        out_base64(o, v, n);
        return DNSAPI_OK;
    case 7:
        return bad_rdata(err, "The SVCB parameter dohpath (key7) is not supported: Knot refuses "
                              "it in a master file.");
    default:
        if (n == 0) {
            return DNSAPI_OK;
        }
        if (!svc_plain(v, n, true)) {
            return bad_rdata(err, "An SVCB parameter value holds characters dnsapi does not "
                                  "store.");
        }
        out_add(o, "=", 1);
        out_add(o, (const char *)v, n);
        return DNSAPI_OK;
    }
}

static int svcb_from_wire(rd_t *r, out_t *o, dnsapi_err_t *err)
{
    unsigned long prio;
    if (rd_u16(r, &prio) != DNSAPI_OK) {
        return DNSAPI_EBADREQ;
    }
    out_fmt_uint(o, prio);
    out_add(o, " ", 1);
    if (rd_name(r, false, o) != DNSAPI_OK) {
        return DNSAPI_EBADREQ;
    }
    long last = -1;
    while (r->at < r->end) {
        unsigned long key, n;
        if (rd_u16(r, &key) != DNSAPI_OK || rd_u16(r, &n) != DNSAPI_OK || r->end - r->at < n) {
            return DNSAPI_EBADREQ;
        }
        if ((long)key <= last) {
            return DNSAPI_EBADREQ; /* RFC 9460 2.2: strictly increasing keys */
        }
        last = (long)key;
        out_add(o, " ", 1);
        int rc = svc_param(key, r->msg + r->at, n, o, err);
        if (rc != DNSAPI_OK) {
            return rc;
        }
        r->at += n;
    }
    return DNSAPI_OK;
}

/* DS, TLSA, SSHFP: fixed numbers, then a digest of at least one octet. */
static int digest_from_wire(rd_t *r, const int *widths, size_t n, out_t *o)
{
    if (rd_numbers(r, widths, n, o) != DNSAPI_OK || r->at >= r->end) {
        return DNSAPI_EBADREQ;
    }
    out_hex(o, r->msg + r->at, r->end - r->at);
    r->at = r->end;
    return DNSAPI_OK;
}

static int convert(uint16_t type, rd_t *r, out_t *o, int *priority, dnsapi_err_t *err)
{
    static const int SRV_W[] = {2, 2};
    static const int NAPTR_W[] = {2, 2};
    static const int DS_W[] = {2, 1, 1};
    static const int TLSA_W[] = {1, 1, 1};
    static const int SSHFP_W[] = {1, 1};
    char addr[INET6_ADDRSTRLEN];
    unsigned long v;
    size_t size = r->end - r->at;

    switch (type) {
    case DNS_TYPE_A:
    case DNS_TYPE_AAAA:
        if (size != (type == DNS_TYPE_A ? 4u : 16u)) {
            return DNSAPI_EBADREQ;
        }
        inet_ntop(type == DNS_TYPE_A ? AF_INET : AF_INET6, r->msg + r->at, addr, sizeof(addr));
        out_str(o, addr);
        r->at = r->end;
        return DNSAPI_OK;
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
        return rd_name(r, true, o);
    case DNS_TYPE_MX:
        if (rd_u16(r, &v) != DNSAPI_OK) {
            return DNSAPI_EBADREQ;
        }
        *priority = (int)v;
        return rd_name(r, true, o);
    case DNS_TYPE_SRV:
        if (rd_u16(r, &v) != DNSAPI_OK || rd_numbers(r, SRV_W, 2, o) != DNSAPI_OK) {
            return DNSAPI_EBADREQ;
        }
        *priority = (int)v;
        return rd_name(r, false, o);
    case DNS_TYPE_TXT:
        if (size == 0) {
            return DNSAPI_EBADREQ; /* RFC 1035: one or more strings */
        }
        while (r->at < r->end) {
            if (o->len > 0) {
                out_add(o, " ", 1);
            }
            if (rd_string(r, o) != DNSAPI_OK) {
                return DNSAPI_EBADREQ;
            }
        }
        return DNSAPI_OK;
    case DNS_TYPE_CAA:
        return caa_from_wire(r, o, err);
    case DNS_TYPE_DS:
        return digest_from_wire(r, DS_W, 3, o);
    case DNS_TYPE_TLSA:
        return digest_from_wire(r, TLSA_W, 3, o);
    case DNS_TYPE_SSHFP:
        return digest_from_wire(r, SSHFP_W, 2, o);
    case DNS_TYPE_NAPTR:
        if (rd_numbers(r, NAPTR_W, 2, o) != DNSAPI_OK) {
            return DNSAPI_EBADREQ;
        }
        for (int i = 0; i < 3; i++) {
            if (rd_string(r, o) != DNSAPI_OK) {
                return DNSAPI_EBADREQ;
            }
            out_add(o, " ", 1);
        }
        return rd_name(r, false, o);
    case DNS_TYPE_SVCB:
    case DNS_TYPE_HTTPS:
        return svcb_from_wire(r, o, err);
    case DNS_TYPE_SOA:
        for (int i = 0; i < 2; i++) {
            if (rd_name(r, true, o) != DNSAPI_OK) {
                return DNSAPI_EBADREQ;
            }
            out_add(o, " ", 1);
        }
        if (r->end - r->at != 20) {
            return DNSAPI_EBADREQ;
        }
        for (int i = 0; i < 5; i++) {
            if (i > 0) {
                out_add(o, " ", 1);
            }
            out_fmt_uint(o, dns_wire_get_u32(r->msg + r->at));
            r->at += 4;
        }
        return DNSAPI_OK;
    default:
        return generic_from_wire(type, r, o, err);
    }
}

int dns_rdata_from_wire(uint16_t type, const uint8_t *msg, size_t len, size_t at, uint16_t rdlength,
                        char *out, size_t outlen, int *priority, dnsapi_err_t *err)
{
    out_t o = {out, outlen, 0, false};
    rd_t r = {msg, len, at, at + rdlength};

    *priority = -1;
    if (outlen == 0) {
        return DNSAPI_EINTERNAL;
    }
    out[0] = '\0';
    if (at > len || len - at < rdlength) {
        return dnsapi_err_set(err, DNSAPI_EBADREQ, "formerr", NULL,
                              "The record data runs past the end of the message.");
    }
    int rc = convert(type, &r, &o, priority, err);
    if (rc == DNSAPI_OK && r.at != r.end) {
        rc = DNSAPI_EBADREQ; /* bytes left over */
    }
    if (rc == DNSAPI_EBADREQ) {
        char name[16];
        dns_wire_type_to_text(type, name, sizeof(name));
        dnsapi_err_set(err, DNSAPI_EBADREQ, "formerr", NULL, "A %s record's data is malformed.",
                       name);
    } else if (rc == DNSAPI_OK && o.overflow) {
        rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                            "The record data is too long to store.");
    }
    if (rc != DNSAPI_OK) {
        out[0] = '\0';
        *priority = -1;
    }
    return rc;
}

/* ---- text to wire (SOA and NS answers) ----------------------------- */

static int put_text_name(dns_wire_writer_t *w, const char *text, size_t n)
{
    char buf[DNS_WIRE_NAME_TEXT];
    uint8_t name[DNS_WIRE_NAME_MAX];
    size_t len;
    if (n == 0 || n >= sizeof(buf)) {
        return DNSAPI_EINVAL;
    }
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (dns_wire_name_from_text(buf, name, &len) != DNSAPI_OK) {
        return DNSAPI_EINVAL;
    }
    dns_wire_put_bytes(w, name, len);
    return DNSAPI_OK;
}

int dns_rdata_to_wire(uint16_t type, const char *content, dns_wire_writer_t *w)
{
    size_t at = w->len;
    const char *p = content;

    dns_wire_put_u16(w, 0);
    if (type == DNS_TYPE_NS) {
        if (strchr(p, ' ') != NULL || put_text_name(w, p, strlen(p)) != DNSAPI_OK) {
            return DNSAPI_EINVAL;
        }
    } else if (type == DNS_TYPE_SOA) {
        for (int i = 0; i < 2; i++) {
            const char *sp = strchr(p, ' ');
            if (sp == NULL || put_text_name(w, p, (size_t)(sp - p)) != DNSAPI_OK) {
                return DNSAPI_EINVAL;
            }
            p = sp + 1;
        }
        for (int i = 0; i < 5; i++) {
            char *end;
            unsigned long long v = strtoull(p, &end, 10);
            if (end == p || v > 0xffffffffull || (*end != ' ' && *end != '\0') ||
                (i < 4 && *end != ' ') || (i == 4 && *end != '\0')) {
                return DNSAPI_EINVAL;
            }
            dns_wire_put_u32(w, (uint32_t)v);
            p = end + (*end == ' ' ? 1 : 0);
        }
    } else {
        return DNSAPI_EINVAL;
    }
    dns_wire_patch_u16(w, at, (uint16_t)(w->len - at - 2));
    return DNSAPI_OK;
}
