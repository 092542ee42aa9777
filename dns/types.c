/*
 * types.c - record types: which ones dnsapi stores, and what every other
 * type name is, so that a caller can say why one is refused (or, for an
 * import, skipped).
 *
 * Kinds (dns.h): supported; DNSSEC types that the signer owns; obsolete
 * types (each with the reason); real types that dnsapi does not manage;
 * and text that is no type at all. RFC 3597 generic types (TYPEnnn) are
 * supported for numbers that no name is known for: stored as "\# len hex"
 * and rendered that way, which NSD, Knot and BIND all load. TYPEnnn of a
 * number ldns knows is that type ("TYPE1" is A). Numbers that IANA has
 * assigned but this ldns does not know are refused, since a name server
 * that knows the type would check data we cannot.
 */
#include "dns/dns.h"
#include "dns/types.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#define HEX64 "<64 hex digits>"

static const type_info_t TYPES[] = {
    {"A", 1, 3600, NULL, {FIELD_REST}, {"address"}, "192.0.2.1"},
    {"AAAA", 28, 3600, NULL, {FIELD_REST}, {"address"}, "2001:db8::1"},
    {"CNAME", 5, 3600, NULL, {FIELD_NAME}, {"target"}, "target.example.com"},
    {"MX", 15, 3600, "priority", {FIELD_HOST_OR_ROOT}, {"mail server"}, "10 mail.example.com"},
    {"TXT", 16, 3600, NULL, {FIELD_REST}, {"text"}, "v=spf1 mx -all"},
    {"NS", 2, 86400, NULL, {FIELD_HOST}, {"name server"}, "ns1.example.net"},
    {"SRV",
     33,
     3600,
     "priority",
     {FIELD_U16, FIELD_U16, FIELD_HOST_OR_ROOT},
     {"weight", "port", "target"},
     "10 5 5060 sip.example.com"},
    {"CAA",
     257,
     3600,
     NULL,
     {FIELD_U8, FIELD_REST},
     {"flags", "tag"},
     "0 issue \"letsencrypt.org\""},
    {"PTR", 12, 3600, NULL, {FIELD_NAME}, {"target"}, "host.example.com"},
    {"DS",
     43,
     3600,
     NULL,
     {FIELD_U16, FIELD_U8_OR_MNEMONIC, FIELD_U8, FIELD_REST},
     {"key tag", "algorithm", "digest type", "digest"},
     "12345 13 2 " HEX64},
    {"CDS",
     59,
     3600,
     NULL,
     {FIELD_U16, FIELD_U8_OR_MNEMONIC, FIELD_U8, FIELD_REST},
     {"key tag", "algorithm", "digest type", "digest"},
     "12345 13 2 " HEX64 " (or 0 0 0 00 to delete)"},
    {"CDNSKEY",
     60,
     3600,
     NULL,
     {FIELD_U16, FIELD_U8, FIELD_U8_OR_MNEMONIC, FIELD_REST},
     {"flags", "protocol", "algorithm", "public key"},
     "257 3 13 <base64 key> (or 0 3 0 AA== to delete)"},
    {"TLSA",
     52,
     3600,
     NULL,
     {FIELD_U8, FIELD_U8, FIELD_U8, FIELD_REST},
     {"usage", "selector", "matching type", "data"},
     "3 1 1 " HEX64},
    {"SMIMEA",
     53,
     3600,
     NULL,
     {FIELD_U8, FIELD_U8, FIELD_U8, FIELD_REST},
     {"usage", "selector", "matching type", "data"},
     "3 1 1 " HEX64},
    {"SSHFP",
     44,
     3600,
     NULL,
     {FIELD_U8, FIELD_U8, FIELD_REST},
     {"algorithm", "fingerprint type", "fingerprint"},
     "4 2 " HEX64},
    {"NAPTR",
     35,
     3600,
     NULL,
     {FIELD_U16, FIELD_U16, FIELD_REST, FIELD_REST, FIELD_REST, FIELD_NAME_OR_ROOT},
     {"order", "preference", "flags", "services", "regexp", "replacement"},
     "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."},
    {"SVCB",
     64,
     3600,
     NULL,
     {FIELD_U16, FIELD_NAME_OR_ROOT, FIELD_REST},
     {"priority", "target", "parameters"},
     "1 svc.example.com alpn=h2,h3 port=8443"},
    {"HTTPS",
     65,
     3600,
     NULL,
     {FIELD_U16, FIELD_NAME_OR_ROOT, FIELD_REST},
     {"priority", "target", "parameters"},
     "1 . alpn=h2,h3"},
    {"DNAME", 39, 3600, NULL, {FIELD_NAME_OR_ROOT}, {"target"}, "other.example.net"},
    {"LOC",
     29,
     3600,
     NULL,
     {FIELD_REST},
     {"location"},
     "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m"},
    {"URI",
     256,
     3600,
     NULL,
     {FIELD_U16, FIELD_U16, FIELD_REST},
     {"priority", "weight", "target"},
     "10 1 \"https://www.example.com/\""},
    {"OPENPGPKEY", 61, 3600, NULL, {FIELD_REST}, {"public key"}, "<base64 key>"},
    {"SOA",
     6,
     3600,
     NULL,
     {FIELD_REST},
     {"data"},
     "ns1.example.net. hostmaster.example.net. 1 3600 600 86400 300"},
};

/* RFC 3597 generic form: "\# length hex". */
static const type_info_t GENERIC = {"TYPE",          0, 3600, NULL, {FIELD_REST}, {"data"},
                                    "\\# 4 0a000001"};

#define SUPPORTED_LIST                                                                             \
    "A, AAAA, CNAME, MX, TXT, NS, SRV, CAA, PTR, DS, CDS, CDNSKEY, TLSA, SMIMEA, SSHFP, NAPTR, "   \
    "SVCB, HTTPS, DNAME, LOC, URI, OPENPGPKEY, or TYPEnnn (RFC 3597)"

static const char *const SIGNER_TYPES[] = {"RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY"};

static const struct {
    const char *type;
    const char *why;
} OBSOLETE[] = {
    {"MD", "replaced by MX in RFC 973"},
    {"MF", "replaced by MX in RFC 973"},
    {"MB", "an experimental mail type of RFC 1035 that was never deployed"},
    {"MG", "an experimental mail type of RFC 1035 that was never deployed"},
    {"MR", "an experimental mail type of RFC 1035 that was never deployed"},
    {"MINFO", "an experimental mail type of RFC 1035 that was never deployed"},
    {"NULL", "RFC 1035 does not allow it in master files"},
    {"WKS", "RFC 1123 says not to use it"},
    {"SIG", "replaced by RRSIG in RFC 3755"},
    {"KEY", "replaced by DNSKEY for DNSSEC in RFC 3755"},
    {"NXT", "replaced by NSEC in RFC 3755"},
    {"A6", "moved to historic by RFC 6563: use AAAA"},
    {"SPF", "discontinued by RFC 7208: publish the policy as TXT"},
    {"NSAP-PTR", "obsolete since RFC 1706"},
    {"GPOS", "superseded by LOC"},
    {"DLV", "moved to historic by RFC 8749"},
    {"MAILA", "a query type, obsolete"},
};

/* "TYPE65534" (any case, 1 to 5 digits) to its number; -1 otherwise. */
static long generic_number(const char *name)
{
    if (strncasecmp(name, "TYPE", 4) != 0) {
        return -1;
    }
    size_t n = strlen(name + 4);
    if (n == 0 || n > 5) {
        return -1;
    }
    long v = 0;
    for (size_t i = 4; name[i] != '\0'; i++) {
        if (!isdigit((unsigned char)name[i])) {
            return -1;
        }
        v = v * 10 + (name[i] - '0');
    }
    return v <= 65535 ? v : -1;
}

/* Numbers IANA has assigned (or keeps) as of 2024: the generic form is
 * not for them. */
static bool number_is_assigned(long v)
{
    return v == 0 || (v >= 1 && v <= 69) || (v >= 99 && v <= 109) || (v >= 128 && v <= 264) ||
           v == 32768 || v == 32769 || v == 65535;
}

static const type_info_t *table_find(const char *name)
{
    for (size_t i = 0; i < sizeof(TYPES) / sizeof(TYPES[0]); i++) {
        if (strcasecmp(TYPES[i].type, name) == 0) {
            return &TYPES[i];
        }
    }
    return NULL;
}

/* The mnemonic ldns has for number v, or NULL (malloc'd). */
static char *ldns_name_of(long v)
{
    char *s = ldns_rr_type2str((ldns_rr_type)v);
    if (s != NULL && strncmp(s, "TYPE", 4) == 0) {
        free(s);
        return NULL;
    }
    return s;
}

const type_info_t *type_info_lookup(const char *name, uint16_t *number)
{
    const type_info_t *ti = name != NULL ? table_find(name) : NULL;
    if (ti != NULL) {
        *number = ti->number;
        return ti;
    }
    long v = name != NULL ? generic_number(name) : -1;
    if (v < 0) {
        return NULL;
    }
    char *known = ldns_name_of(v);
    if (known != NULL) {
        ti = table_find(known);
        free(known);
    } else if (!number_is_assigned(v)) {
        ti = &GENERIC;
    }
    if (ti != NULL) {
        *number = (uint16_t)v;
    }
    return ti;
}

bool type_info_is_generic(const type_info_t *ti)
{
    return ti == &GENERIC;
}

dns_type_kind_t dns_type_kind(const char *name)
{
    uint16_t number;
    if (name == NULL || name[0] == '\0') {
        return DNS_TYPE_UNKNOWN;
    }
    if (type_info_lookup(name, &number) != NULL) {
        return DNS_TYPE_SUPPORTED;
    }
    long v = generic_number(name);
    char *known = v >= 0 ? ldns_name_of(v) : NULL;
    const char *mnemonic = known != NULL ? known : name;
    dns_type_kind_t kind = DNS_TYPE_UNKNOWN;
    for (size_t i = 0; i < sizeof(SIGNER_TYPES) / sizeof(SIGNER_TYPES[0]); i++) {
        if (strcasecmp(mnemonic, SIGNER_TYPES[i]) == 0) {
            kind = DNS_TYPE_SIGNER;
        }
    }
    for (size_t i = 0; kind == DNS_TYPE_UNKNOWN && i < sizeof(OBSOLETE) / sizeof(OBSOLETE[0]);
         i++) {
        if (strcasecmp(mnemonic, OBSOLETE[i].type) == 0) {
            kind = DNS_TYPE_OBSOLETE;
        }
    }
    if (kind == DNS_TYPE_UNKNOWN && (v >= 0 || ldns_get_rr_type_by_name(name) != 0)) {
        kind = DNS_TYPE_UNSUPPORTED;
    }
    free(known);
    return kind;
}

const char *dns_type_kind_code(dns_type_kind_t kind)
{
    switch (kind) {
    case DNS_TYPE_SUPPORTED:
        return "supported";
    case DNS_TYPE_SIGNER:
        return "dnssec_signer_type";
    case DNS_TYPE_OBSOLETE:
        return "obsolete_type";
    case DNS_TYPE_UNSUPPORTED:
        return "unsupported_type";
    default:
        return "unknown_type";
    }
}

/* The refusal of a type that is not supported, by kind. */
static int type_refuse(const char *in, dnsapi_err_t *err)
{
    char shown[24];
    snprintf(shown, sizeof(shown), "%.16s", in);
    for (char *p = shown; *p != '\0'; p++) {
        if (!isprint((unsigned char)*p)) {
            *p = '?';
        }
    }
    switch (dns_type_kind(in)) {
    case DNS_TYPE_SIGNER:
        return dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_type", "type",
                              "%s records are made by the zone's DNSSEC signer and are not "
                              "stored in dnsapi: sign the zone where it is served (an import "
                              "skips them).",
                              shown);
    case DNS_TYPE_OBSOLETE:
        for (size_t i = 0; i < sizeof(OBSOLETE) / sizeof(OBSOLETE[0]); i++) {
            if (strcasecmp(in, OBSOLETE[i].type) == 0) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_type", "type",
                                      "The type %s is obsolete (%s) and not supported.", shown,
                                      OBSOLETE[i].why);
            }
        }
        return dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_type", "type",
                              "The type %s is obsolete and not supported.", shown);
    case DNS_TYPE_UNSUPPORTED:
        return dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_type", "type",
                              "The type %s is not supported: use one of " SUPPORTED_LIST ".",
                              shown);
    default:
        return dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_type", "type",
                              "\"%s\" is not a record type: use one of " SUPPORTED_LIST ".", shown);
    }
}

/* The supported types (and SOA), upper case; TYPEnnn as its name when it
 * has one, else without leading zeros. */
int dns_type_normalize(const char *in, char *out, size_t outlen, dnsapi_err_t *err)
{
    uint16_t number = 0;
    const type_info_t *ti = in != NULL ? type_info_lookup(in, &number) : NULL;
    char buf[16];
    if (ti == NULL) {
        return type_refuse(in != NULL ? in : "", err);
    }
    const char *name = ti->type;
    if (type_info_is_generic(ti)) {
        snprintf(buf, sizeof(buf), "TYPE%u", number);
        name = buf;
    }
    if (strlen(name) >= outlen) {
        return dnsapi_err_set(err, DNSAPI_EINTERNAL, "unsupported_type", "type",
                              "The output buffer is too small for the type.");
    }
    memcpy(out, name, strlen(name) + 1);
    return DNSAPI_OK;
}

/* 86400 for NS, 3600 otherwise. */
uint32_t dns_type_default_ttl(const char *type)
{
    uint16_t number;
    const type_info_t *ti = type != NULL ? type_info_lookup(type, &number) : NULL;
    return ti != NULL ? ti->default_ttl : 3600;
}

/* MX and SRV carry their priority apart from content. */
bool dns_type_has_priority(const char *type)
{
    uint16_t number;
    const type_info_t *ti = type != NULL ? type_info_lookup(type, &number) : NULL;
    return ti != NULL && ti->priority_label != NULL;
}

const char *dns_rdata_example(const char *type)
{
    uint16_t number;
    const type_info_t *ti = type != NULL ? type_info_lookup(type, &number) : NULL;
    return ti != NULL ? ti->example : "the RFC presentation format";
}
