/*
 * fuzz_name.c - zone names and record owner names (dns/name.c).
 *
 * Input: "ZONE\nNAME". ZONE goes through dns_zone_name_normalize (a refused
 * one is replaced by example.com.), NAME through dns_name_normalize in that
 * zone. Invariants:
 *  - a refusal is DNSAPI_EINVAL with a known code, a field and a message;
 *  - an accepted zone name is lowercase, absolute, at most 253 characters
 *    and 63 per label, only letters, digits, '-' and '_'; an accepted owner
 *    name has the canonical shape dns.h promises (ASCII letters lowercase;
 *    letters, digits, '-', '_', a whole '*' label, and every other octet as
 *    \X or \DDD; at most 63 octets a label and 255 on the wire) and lies
 *    at or below its zone;
 *  - normalizing is idempotent, the name without its trailing dot means the
 *    same name, and ldns reads it as the same name (the same text, or the
 *    same labels and octets);
 *  - the rule for relative names holds (checked for "@" and inputs of
 *    letters, digits, '-', '_', '*' and dots, whose text normalizing only
 *    lowercases):
 *    a name that is not "@", does not end in '.' and does not end in the
 *    zone's name is the name + "." + zone;
 *  - dns_name_ancestors lists exactly the names strictly between name and
 *    zone, nearest first;
 *  - sampled (fuzz_sampled): a TXT record at the accepted name, in the
 *    accepted zone, loads in nsd-checkzone, kzonecheck and named-checkzone
 *    (TXT, because BIND's check-names holds A, AAAA and MX owners to host
 *    names: a rule of the type, not of the name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "dns/dns.h"
#include "support.h"

static const char *const owner_codes[] = {
    "name_outside_zone", "name_too_long", "label_too_long", "bad_wildcard", "bad_name", NULL,
};

static bool code_known(const char *code, const char *const *codes)
{
    for (size_t i = 0; codes[i] != NULL; i++) {
        if (strcmp(code, codes[i]) == 0) {
            return true;
        }
    }
    return false;
}

static void check_refusal(int rc, const dnsapi_err_t *err, const char *const *codes,
                          const char *input)
{
    FUZZ_CHECK(rc == DNSAPI_EINVAL, "'%s': status %d", input, rc);
    FUZZ_CHECK(code_known(err->code, codes), "'%s': unknown code '%s'", input, err->code);
    FUZZ_CHECK(strcmp(err->field, "name") == 0, "'%s': field '%s'", input, err->field);
    FUZZ_CHECK(err->message[0] != '\0', "'%s': empty message", input);
}

/* Octets the canonical form writes as themselves (dns/presentation.c):
 * letters (lowercase in a key), digits, '-', '_', '/' (RFC 2317 names) and
 * '*' as a whole label. */
static bool is_plain(unsigned char c, bool star)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '/' || (star && c == '*');
}

/* The canonical shape of an owner name: labels of 1..63 octets, ASCII
 * letters lowercase, '*' only as a whole label, every octet other than
 * letters, digits, '-', '_' and '/' escaped (\X for printable ASCII but
 * '#' and the backslash, else \DDD), at most 255 octets on the wire. */
static void check_owner_shape(const char *name, const char *input)
{
    size_t len = strlen(name);
    FUZZ_CHECK(len >= 2 && name[len - 1] == '.', "'%s' -> '%s': not absolute", input, name);
    size_t label = 0, wire = 1, start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '.') {
            FUZZ_CHECK(label >= 1 && label <= 63, "'%s' -> '%s': label of %zu", input, name, label);
            FUZZ_CHECK(name[start] != '*' || i == start + 1, "'%s' -> '%s': '*' beside octets",
                       input, name);
            wire += label + 1;
            label = 0;
            start = i + 1;
            continue;
        }
        label++;
        if (c == '\\') {
            unsigned char e = (unsigned char)name[i + 1];
            if (e >= '0' && e <= '9') {
                unsigned v = 0;
                for (int k = 1; k <= 3; k++) {
                    FUZZ_CHECK(name[i + k] >= '0' && name[i + k] <= '9', "'%s' -> '%s': bad \\DDD",
                               input, name);
                    v = v * 10 + (unsigned)(name[i + k] - '0');
                }
                FUZZ_CHECK(v <= 0x20 || (v >= 0x7f && v <= 255) || v == '#' || v == '\\' ||
                               v == '[',
                           "'%s' -> '%s': \\%03u for a printable octet", input, name, v);
                i += 3;
            } else {
                FUZZ_CHECK(e > 0x20 && e < 0x7f && e != '#' && e != '\\' && e != '[' &&
                               !is_plain(e, false),
                           "'%s' -> '%s': needless or bad escape at %zu", input, name, i);
                i += 1;
            }
            continue;
        }
        FUZZ_CHECK(is_plain(c, true) && !(c >= 'A' && c <= 'Z') &&
                       (c != '*' || (i == start && name[i + 1] == '.')),
                   "'%s' -> '%s': byte 0x%02x", input, name, c);
    }
    FUZZ_CHECK(wire <= 255, "'%s' -> '%s': %zu octets on the wire", input, name, wire);
}

/* The normalized shape of a zone name: lowercase, absolute, length limits,
 * letters, digits, '-' and '_'. */
static void check_zone_shape(const char *name, const char *input)
{
    size_t len = strlen(name);
    FUZZ_CHECK(len >= 2 && name[len - 1] == '.', "'%s' -> '%s': not absolute", input, name);
    FUZZ_CHECK(len - 1 <= 253, "'%s' -> '%s': %zu characters", input, name, len - 1);
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '.') {
            FUZZ_CHECK(label >= 1 && label <= 63, "'%s' -> '%s': label of %zu", input, name, label);
            label = 0;
            continue;
        }
        label++;
        FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_',
                   "'%s' -> '%s': byte 0x%02x", input, name, c);
    }
}

/* ldns reads the name as the same name: its text of it is name, or (ldns
 * writes escapes its own way, and drops some) it has the same octets on the
 * wire, label for label. */
static void check_ldns(const char *name, const char *input)
{
    ldns_rdf *d = ldns_dname_new_frm_str(name);
    FUZZ_CHECK(d != NULL, "'%s' -> '%s': ldns refuses it", input, name);
    char *back = ldns_rdf2str(d);
    FUZZ_CHECK(back != NULL, "'%s' -> '%s': ldns cannot print it", input, name);
    if (strcmp(back, name) != 0) {
        size_t labels = 0, octets = 1;
        for (const char *p = name; *p != '\0'; p++) {
            if (*p == '.') {
                labels++;
                octets++;
            } else if (*p == '\\' && p[1] >= '0' && p[1] <= '9') {
                octets++;
                p += 3;
            } else if (*p == '\\') {
                octets++;
                p++;
            } else {
                octets++;
            }
        }
        FUZZ_CHECK(ldns_dname_label_count(d) == labels && ldns_rdf_size(d) == octets,
                   "'%s' -> '%s': ldns reads '%s' (%u labels, %zu octets; %zu, %zu expected)",
                   input, name, back, (unsigned)ldns_dname_label_count(d), ldns_rdf_size(d), labels,
                   octets);
    }
    free(back);
    ldns_rdf_deep_free(d);
}

/* The next unescaped '.' of a name in presentation form, or NULL. */
static const char *next_dot(const char *p)
{
    for (; *p != '\0'; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
        } else if (*p == '.') {
            return p;
        }
    }
    return NULL;
}

static void check_zone(const char *in, char *zone)
{
    dnsapi_err_t err;
    static const char *const zone_codes[] = {"bad_zone_name", NULL};
    dnsapi_err_clear(&err);
    int rc = dns_zone_name_normalize(in, zone, DNS_NAME_BUFSIZE, &err);
    if (rc != DNSAPI_OK) {
        check_refusal(rc, &err, zone_codes, in);
        strcpy(zone, "example.com.");
        return;
    }
    check_zone_shape(zone, in);
    FUZZ_CHECK(strcmp(zone, ".") != 0, "'%s': the root accepted", in);
    char again[DNS_NAME_BUFSIZE];
    FUZZ_CHECK(dns_zone_name_normalize(zone, again, sizeof(again), &err) == DNSAPI_OK &&
                   strcmp(again, zone) == 0,
               "'%s' -> '%s': not idempotent", in, zone);
    check_ldns(zone, in);
}

static void check_ancestors(const char *zone, const char *name)
{
    char anc[8][DNS_NAME_BUFSIZE];
    size_t n = dns_name_ancestors(zone, name, anc, 8);
    const char *p = name;
    size_t expect = 0;
    if (strcmp(name, zone) != 0) {
        while ((p = next_dot(p)) != NULL && strlen(p + 1) > strlen(zone) && expect < 8) {
            p++;
            FUZZ_CHECK(expect < n && strcmp(anc[expect], p) == 0,
                       "ancestors of '%s' in '%s': #%zu is not '%s'", name, zone, expect, p);
            expect++;
        }
    }
    FUZZ_CHECK(n == expect, "ancestors of '%s' in '%s': %zu, expected %zu", name, zone, n, expect);
}

/* Checks one owner name; true when accepted (out holds it). */
static bool check_owner(const char *zone, const char *in, char *out)
{
    dnsapi_err_t err;
    char again[DNS_NAME_BUFSIZE];
    dnsapi_err_clear(&err);
    int rc = dns_name_normalize(zone, in, out, DNS_NAME_BUFSIZE, &err);
    if (rc != DNSAPI_OK) {
        check_refusal(rc, &err, owner_codes, in);
        return false;
    }
    check_owner_shape(out, in);
    FUZZ_CHECK(dns_name_is_at_or_below(out, zone), "'%s' -> '%s': outside %s", in, out, zone);
    FUZZ_CHECK(dns_name_normalize(zone, out, again, sizeof(again), &err) == DNSAPI_OK &&
                   strcmp(again, out) == 0,
               "'%s' -> '%s': not idempotent", in, out);
    /* Without the trailing dot it still ends in the zone name: absolute. */
    char bare[DNS_NAME_BUFSIZE];
    snprintf(bare, sizeof(bare), "%.*s", (int)strlen(out) - 1, out);
    FUZZ_CHECK(dns_name_normalize(zone, bare, again, sizeof(again), &err) == DNSAPI_OK &&
                   strcmp(again, out) == 0,
               "'%s' -> '%s': '%s' reads as '%s'", in, out, bare, again);
    check_ldns(out, in);
    check_ancestors(zone, out);

    /* The relative rule, stated from the outside, for text that normalizing
     * only lowercases. */
    size_t len = strlen(in), zlen = strlen(zone) - 1;
    if (strcmp(in, "@") != 0 &&
        strspn(in, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*.") != len) {
        return true;
    }
    bool ends_in_zone =
        (len == zlen && strncasecmp(in, zone, zlen) == 0) ||
        (len > zlen && in[len - zlen - 1] == '.' && strncasecmp(in + len - zlen, zone, zlen) == 0);
    if (strcmp(in, "@") == 0) {
        FUZZ_CHECK(strcmp(out, zone) == 0, "'@' -> '%s' in %s", out, zone);
    } else if (in[len - 1] != '.' && !ends_in_zone) {
        FUZZ_CHECK(strlen(out) == len + 1 + zlen + 1 && strncasecmp(out, in, len) == 0 &&
                       out[len] == '.' && strcmp(out + len + 1, zone) == 0,
                   "relative '%s' -> '%s' in %s", in, out, zone);
    } else {
        FUZZ_CHECK(strncasecmp(out, in, len) == 0, "absolute '%s' -> '%s'", in, out);
    }
    return true;
}

/* The zone with its SOA, apex NS and a TXT at name loads in all three. */
static void check_zone_loads(const char *zone, const char *name)
{
    char *text = NULL;
    size_t len = 0;
    dnsapi_err_t err;
    FILE *fp = open_memstream(&text, &len);
    FUZZ_CHECK(fp != NULL, "open_memstream");
    FUZZ_CHECK(dns_render_header(fp, zone, 1) == DNSAPI_OK &&
                   dns_render_record(fp, zone, "SOA", 3600, -1,
                                     "ns1.example.net. hostmaster.example.net. 1 3600 600 "
                                     "604800 300",
                                     &err) == DNSAPI_OK &&
                   dns_render_record(fp, zone, "NS", 86400, -1, "ns1.example.net.", &err) ==
                       DNSAPI_OK,
               "zone %s: header, SOA or NS not rendered", zone);
    int rc = dns_render_record(fp, name, "TXT", 3600, -1, "fuzz", &err);
    fclose(fp);
    FUZZ_CHECK(rc == DNSAPI_OK, "accepted name %s does not render: %s", name, err.message);
    char report[4096];
    char origin[DNS_NAME_BUFSIZE];
    snprintf(origin, sizeof(origin), "%.*s", (int)strlen(zone) - 1, zone);
    const char *refused = fuzz_zone_check(origin, text, len, report, sizeof(report));
    FUZZ_CHECK(refused == NULL, "name %s accepted in %s, but %s refuses the zone:\n%s\n%s", name,
               zone, refused, text, report);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_fields_t f;
    fuzz_fields_split(&f, data, size, '\n', 2);
    char zone[DNS_NAME_BUFSIZE];
    check_zone(f.field[0], zone);
    char name[DNS_NAME_BUFSIZE];
    if (check_owner(zone, f.field[1], name) && fuzz_sampled(data, size)) {
        check_zone_loads(zone, name);
    }
    fuzz_fields_clear(&f);
    return 0;
}
