/*
 * fuzz_content.c - record types and content (dns/rdata.c) through to the
 * master file (dns/render.c) and the name servers' zone checkers.
 *
 * Input: "TYPE\nPRIORITY\nCONTENT" (PRIORITY empty: none given), in the
 * zone example.com. at the owner fuzz.example.com. Invariants:
 *  - a refused type is unsupported_type; a refused record is DNSAPI_EINVAL
 *    with a code, a field and a message (never a 500: no ENOMEM, no
 *    EINTERNAL);
 *  - accepted content is a C string without control characters that
 *    normalizes to itself (with the priority it came out with), and MX/SRV
 *    have a priority in 0..65535, other types none;
 *  - an accepted record renders through dns_render_record as exactly one
 *    line that ldns reads back with the same owner, type and TTL;
 *  - a record naming a host (NS, CNAME, MX, SRV, PTR) yields an absolute
 *    target;
 *  - sampled (fuzz_sampled): the zone holding the SOA, the apex NS set, the
 *    record and what it needs to be complete (glue for an in-zone target, an
 *    NS set above a DS) loads in nsd-checkzone, kzonecheck and
 *    named-checkzone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/dns.h"
#include "support.h"

#define ZONE "example.com."
#define OWNER "fuzz.example.com."

static const char *const refusal_codes[] = {"bad_rdata", "missing_field", "unsupported_type", NULL};

static void check_refusal(int rc, const dnsapi_err_t *err, const char *type, const char *content)
{
    FUZZ_CHECK(rc == DNSAPI_EINVAL, "%s '%s': status %d (%s)", type, content, rc, err->message);
    bool known = false;
    for (size_t i = 0; refusal_codes[i] != NULL; i++) {
        known = known || strcmp(err->code, refusal_codes[i]) == 0;
    }
    FUZZ_CHECK(known, "%s '%s': code '%s'", type, content, err->code);
    FUZZ_CHECK(err->field[0] != '\0' && err->message[0] != '\0', "%s '%s': no field or message",
               type, content);
}

static void add(FILE *fp, const char *name, const char *type, uint32_t ttl, int prio,
                const char *content)
{
    dnsapi_err_t err;
    FUZZ_CHECK(dns_render_record(fp, name, type, ttl, prio, content, &err) == DNSAPI_OK,
               "fixture %s %s %s: %s", name, type, content, err.message);
}

/* The smallest zone that holds the record and everything it needs. */
static void check_zone_loads(const char *type, int prio, const char *content, const char *line)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    FUZZ_CHECK(fp != NULL, "open_memstream");
    FUZZ_CHECK(dns_render_header(fp, ZONE, 2026120101u) == DNSAPI_OK, "header");
    add(fp, ZONE, "SOA", 3600, -1,
        "ns1.example.net. hostmaster.example.net. 2026120101 3600 600 604800 300");
    add(fp, ZONE, "NS", 86400, -1, "ns1.example.net.");
    add(fp, ZONE, "NS", 86400, -1, "ns2.example.net.");
    if (strcmp(type, "DS") == 0) {
        add(fp, OWNER, "NS", 86400, -1, "ns1.example.net.");
    }
    /* An in-zone target gets an address, unless it is the owner of a CNAME
     * (nothing may stand beside one). */
    char target[DNS_NAME_BUFSIZE];
    if (dns_rdata_target(type, content, target, sizeof(target)) &&
        dns_name_is_at_or_below(target, ZONE) &&
        (strcmp(target, OWNER) != 0 || strcmp(type, "CNAME") != 0)) {
        add(fp, target, "A", 3600, -1, "192.0.2.53");
    }
    fputs(line, fp);
    fclose(fp);

    char report[4096];
    const char *refused = fuzz_zone_check("example.com", text, len, report, sizeof(report));
    FUZZ_CHECK(refused == NULL, "%s (priority %d) '%s' accepted, but %s refuses the zone:\n%s\n%s",
               type, prio, content, refused, text, report);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_fields_t f;
    fuzz_fields_split(&f, data, size, '\n', 3);
    const char *in_type = f.field[0], *in_prio = f.field[1], *content = f.field[2];
    char type[16], content_out[DNS_CONTENT_BUFSIZE], again[DNS_CONTENT_BUFSIZE];
    dnsapi_err_t err;
    dnsapi_err_clear(&err);

    int rc = dns_type_normalize(in_type, type, sizeof(type), &err);
    if (rc != DNSAPI_OK) {
        FUZZ_CHECK(rc == DNSAPI_EINVAL && strcmp(err.code, "unsupported_type") == 0,
                   "type '%s': %d %s", in_type, rc, err.code);
        goto out;
    }
    char type2[16];
    /* "TYPE28" (RFC 3597) is read as the type it numbers */
    bool generic = strncasecmp(in_type, "TYPE", 4) == 0 && in_type[4] >= '0' && in_type[4] <= '9';
    FUZZ_CHECK(dns_type_normalize(type, type2, sizeof(type2), &err) == DNSAPI_OK &&
                   strcmp(type, type2) == 0 && (generic || strcasecmp(type, in_type) == 0),
               "type '%s' -> '%s'", in_type, type);

    long prio_in = -1;
    if (in_prio[0] != '\0') {
        prio_in = strtol(in_prio, NULL, 10);
    }
    int prio = -2;
    dnsapi_err_clear(&err);
    rc = dns_rdata_normalize(ZONE, type, content, prio_in, content_out, sizeof(content_out), &prio,
                             &err);
    if (rc != DNSAPI_OK) {
        check_refusal(rc, &err, type, content);
        FUZZ_CHECK(prio == -1, "%s '%s' refused with priority %d", type, content, prio);
        goto out;
    }
    FUZZ_CHECK(strcmp(type, "SOA") != 0, "SOA content accepted: '%s'", content);
    for (const char *p = content_out; *p != '\0'; p++) {
        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f, "%s '%s' -> '%s': control byte", type,
                   content, content_out);
    }
    if (dns_type_has_priority(type)) {
        FUZZ_CHECK(prio >= 0 && prio <= 65535, "%s '%s': priority %d", type, content, prio);
    } else {
        FUZZ_CHECK(prio == -1, "%s '%s': priority %d", type, content, prio);
    }
    int prio2 = -2;
    dnsapi_err_clear(&err);
    rc = dns_rdata_normalize(ZONE, type, content_out, prio, again, sizeof(again), &prio2, &err);
    FUZZ_CHECK(rc == DNSAPI_OK && strcmp(again, content_out) == 0 && prio2 == prio,
               "%s '%s' -> '%s' (priority %d) -> rc %d '%s' (priority %d): %s", type, content,
               content_out, prio, rc, again, prio2, err.message);

    char target[DNS_NAME_BUFSIZE];
    static const char *const with_target[] = {"NS", "CNAME", "MX", "SRV", "PTR"};
    for (size_t i = 0; i < sizeof(with_target) / sizeof(with_target[0]); i++) {
        if (strcmp(type, with_target[i]) == 0 &&
            dns_rdata_target(type, content_out, target, sizeof(target))) {
            size_t tl = strlen(target);
            FUZZ_CHECK(tl > 1 && target[tl - 1] == '.', "%s '%s': target '%s'", type, content_out,
                       target);
        }
    }

    uint32_t ttl = dns_type_default_ttl(type);
    char *line = fuzz_render_line(OWNER, type, ttl, prio, content_out);
    fuzz_line_reads_back(ZONE, line, OWNER, type, ttl);
    if (fuzz_sampled(data, size)) {
        check_zone_loads(type, prio, content_out, line);
    }
    free(line);
out:
    fuzz_fields_clear(&f);
    return 0;
}
