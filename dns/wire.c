/*
 * wire.c - the bounded DNS wire reader and writer (see wire.h).
 *
 * Compression pointers: a pointer must point strictly before the label
 * that holds it, and past the header. Every jump then goes backwards, so a name can take at
 * most as many jumps as the message has octets; with the 255-octet limit
 * on the name that is also a bound on the work per name.
 */
#include "dns/wire.h"

#include "dns/dns.h"
#include "dns/presentation.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

uint16_t dns_wire_get_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t dns_wire_get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint64_t dns_wire_get_u48(const uint8_t *p)
{
    return ((uint64_t)dns_wire_get_u16(p) << 32) | dns_wire_get_u32(p + 2);
}

bool dns_wire_header_read(const uint8_t *msg, size_t len, dns_wire_header_t *h)
{
    if (msg == NULL || len < DNS_WIRE_HEADER) {
        return false;
    }
    h->id = dns_wire_get_u16(msg);
    h->flags = dns_wire_get_u16(msg + 2);
    for (int i = 0; i < 4; i++) {
        h->count[i] = dns_wire_get_u16(msg + 4 + 2 * i);
    }
    return true;
}

int dns_wire_name_read(const uint8_t *msg, size_t len, size_t *pos, bool allow_compression,
                       uint8_t out[DNS_WIRE_NAME_MAX], size_t *outlen)
{
    size_t p = *pos;
    size_t n = 0;
    size_t end = 0; /* where the caller continues: after the first pointer */
    bool jumped = false;

    for (;;) {
        if (p >= len) {
            return DNSAPI_EBADREQ;
        }
        uint8_t l = msg[p];
        if ((l & 0xc0) == 0xc0) {
            if (!allow_compression || p + 1 >= len) {
                return DNSAPI_EBADREQ;
            }
            size_t target = ((size_t)(l & 0x3f) << 8) | msg[p + 1];
            if (target >= p) {
                return DNSAPI_EBADREQ; /* forwards or onto itself: could loop */
            }
            if (target < DNS_WIRE_HEADER) {
                /* into the header: its octets are counts and flags, not a
                 * name, and they change when an answer or a TSIG record is
                 * added - the same message would read differently */
                return DNSAPI_EBADREQ;
            }
            if (!jumped) {
                end = p + 2;
                jumped = true;
            }
            p = target;
            continue;
        }
        if ((l & 0xc0) != 0) {
            return DNSAPI_EBADREQ; /* 0x40 and 0x80: extended label types, reserved */
        }
        if (n + 1 + l > DNS_WIRE_NAME_MAX || p + 1 + l > len) {
            return DNSAPI_EBADREQ;
        }
        memcpy(out + n, msg + p, (size_t)l + 1);
        n += (size_t)l + 1;
        p += (size_t)l + 1;
        if (l == 0) {
            break;
        }
    }
    *outlen = n;
    *pos = jumped ? end : p;
    return DNSAPI_OK;
}

int dns_wire_name_skip(const uint8_t *msg, size_t len, size_t *pos)
{
    uint8_t scratch[DNS_WIRE_NAME_MAX];
    size_t n;
    return dns_wire_name_read(msg, len, pos, true, scratch, &n);
}

/* Text and wire form of names go through presentation.c, the one reader
 * and writer of names in dns/, so a name from a message has the same text
 * as the same name written to the API. */
void dns_wire_name_to_text(const uint8_t *name, size_t len, char *out, size_t outlen)
{
    if (outlen == 0) {
        return;
    }
    /* name is an uncompressed wire name: its labels, then the root label */
    size_t labels = len > 0 ? len - 1 : 0;
    if (wname_format(name, labels, true, out, outlen) == 0) {
        out[0] = '\0';
    }
}

int dns_wire_name_from_text(const char *text, uint8_t out[DNS_WIRE_NAME_MAX], size_t *outlen)
{
    wname_t n;
    dnsapi_err_t err;

    if (wname_parse(text, strlen(text), &n, "name", "name", &err) != DNSAPI_OK || n.at ||
        n.len + 1 > DNS_WIRE_NAME_MAX) {
        return DNSAPI_EINVAL;
    }
    memcpy(out, n.lab, n.len);
    out[n.len] = 0;
    *outlen = n.len + 1;
    return DNSAPI_OK;
}

bool dns_wire_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (alen != blen) {
        return false;
    }
    for (size_t i = 0; i < alen; i++) {
        if (tolower(a[i]) != tolower(b[i])) {
            return false; /* length octets are below 64 and unaffected by tolower */
        }
    }
    return true;
}

bool dns_wire_name_is_at_or_below(const uint8_t *name, size_t len, const uint8_t *zone, size_t zlen)
{
    size_t p = 0;
    /* Walk name's label boundaries; the suffix starting at one of them must
     * equal zone exactly (a suffix at a non-boundary would be "xexample."). */
    while (p < len) {
        if (len - p == zlen) {
            return dns_wire_name_equal(name + p, len - p, zone, zlen);
        }
        if (name[p] == 0) {
            break;
        }
        p += (size_t)name[p] + 1;
    }
    return false;
}

void dns_wire_name_lower(uint8_t *name, size_t len)
{
    size_t p = 0;
    while (p < len && name[p] != 0) {
        size_t l = name[p];
        for (size_t i = 1; i <= l && p + i < len; i++) {
            name[p + i] = (uint8_t)tolower(name[p + i]);
        }
        p += l + 1;
    }
}

static const struct {
    uint16_t type;
    const char *name;
} TYPE_NAMES[] = {
    {DNS_TYPE_A, "A"},
    {DNS_TYPE_NS, "NS"},
    {DNS_TYPE_CNAME, "CNAME"},
    {DNS_TYPE_SOA, "SOA"},
    {DNS_TYPE_PTR, "PTR"},
    {DNS_TYPE_MX, "MX"},
    {DNS_TYPE_TXT, "TXT"},
    {DNS_TYPE_AAAA, "AAAA"},
    {DNS_TYPE_SRV, "SRV"},
    {DNS_TYPE_NAPTR, "NAPTR"},
    {DNS_TYPE_OPT, "OPT"},
    {DNS_TYPE_DS, "DS"},
    {DNS_TYPE_SSHFP, "SSHFP"},
    {DNS_TYPE_TLSA, "TLSA"},
    {DNS_TYPE_SVCB, "SVCB"},
    {DNS_TYPE_HTTPS, "HTTPS"},
    {DNS_TYPE_TKEY, "TKEY"},
    {DNS_TYPE_TSIG, "TSIG"},
    {DNS_TYPE_IXFR, "IXFR"},
    {DNS_TYPE_AXFR, "AXFR"},
    {DNS_TYPE_MAILB, "MAILB"},
    {DNS_TYPE_MAILA, "MAILA"},
    {DNS_TYPE_ANY, "ANY"},
    {DNS_TYPE_CAA, "CAA"},
    {13, "HINFO"},
    {46, "RRSIG"},
    {47, "NSEC"},
    {48, "DNSKEY"},
    {50, "NSEC3"},
    {51, "NSEC3PARAM"},
};

void dns_wire_type_to_text(uint16_t type, char *out, size_t outlen)
{
    /* a type dnsapi stores takes the name dns_type_normalize gives it
     * ("CDS", "TYPE65280"), so a type from a message compares equal to the
     * same type written to the API */
    char generic[16];
    dnsapi_err_t err;
    snprintf(generic, sizeof(generic), "TYPE%u", (unsigned)type);
    if (!dns_wire_type_is_meta(type) &&
        dns_type_normalize(generic, out, outlen, &err) == DNSAPI_OK) {
        return;
    }
    for (size_t i = 0; i < sizeof(TYPE_NAMES) / sizeof(TYPE_NAMES[0]); i++) {
        if (TYPE_NAMES[i].type == type) {
            snprintf(out, outlen, "%s", TYPE_NAMES[i].name);
            return;
        }
    }
    snprintf(out, outlen, "TYPE%u", (unsigned)type);
}

uint16_t dns_wire_type_from_text(const char *text)
{
    for (size_t i = 0; i < sizeof(TYPE_NAMES) / sizeof(TYPE_NAMES[0]); i++) {
        if (strcasecmp(TYPE_NAMES[i].name, text) == 0) {
            return TYPE_NAMES[i].type;
        }
    }
    if (strncasecmp(text, "TYPE", 4) == 0 && text[4] != '\0' && strlen(text) <= 9) {
        char *end;
        unsigned long v = strtoul(text + 4, &end, 10);
        if (*end == '\0' && isdigit((unsigned char)text[4]) && v <= 65535) {
            return (uint16_t)v;
        }
    }
    return 0;
}

bool dns_wire_type_is_meta(uint16_t type)
{
    return type == DNS_TYPE_OPT || (type >= 128 && type <= 255);
}

void dns_wire_writer_init(dns_wire_writer_t *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->overflow = false;
}

void dns_wire_put_bytes(dns_wire_writer_t *w, const void *p, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    if (n > 0) {
        memcpy(w->buf + w->len, p, n);
    }
    w->len += n;
}

void dns_wire_put_u8(dns_wire_writer_t *w, uint8_t v)
{
    dns_wire_put_bytes(w, &v, 1);
}

void dns_wire_put_u16(dns_wire_writer_t *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    dns_wire_put_bytes(w, b, 2);
}

void dns_wire_put_u32(dns_wire_writer_t *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    dns_wire_put_bytes(w, b, 4);
}

void dns_wire_put_u48(dns_wire_writer_t *w, uint64_t v)
{
    dns_wire_put_u16(w, (uint16_t)(v >> 32));
    dns_wire_put_u32(w, (uint32_t)v);
}

void dns_wire_patch_u16(dns_wire_writer_t *w, size_t at, uint16_t v)
{
    if (!w->overflow && at + 2 <= w->len) {
        w->buf[at] = (uint8_t)(v >> 8);
        w->buf[at + 1] = (uint8_t)v;
    }
}

int dns_wire_rr_skip(const uint8_t *msg, size_t len, size_t *pos, size_t *owner_at, uint16_t *type,
                     uint16_t *rrclass, uint32_t *ttl, size_t *rdata_at, uint16_t *rdlength)
{
    size_t p = *pos;
    if (owner_at != NULL) {
        *owner_at = p;
    }
    if (dns_wire_name_skip(msg, len, &p) != DNSAPI_OK || len - p < 10) {
        return DNSAPI_EBADREQ;
    }
    uint16_t rdlen = dns_wire_get_u16(msg + p + 8);
    if (len - p - 10 < rdlen) {
        return DNSAPI_EBADREQ;
    }
    if (type != NULL) {
        *type = dns_wire_get_u16(msg + p);
    }
    if (rrclass != NULL) {
        *rrclass = dns_wire_get_u16(msg + p + 2);
    }
    if (ttl != NULL) {
        *ttl = dns_wire_get_u32(msg + p + 4);
    }
    if (rdata_at != NULL) {
        *rdata_at = p + 10;
    }
    if (rdlength != NULL) {
        *rdlength = rdlen;
    }
    *pos = p + 10 + rdlen;
    return DNSAPI_OK;
}
