/*
 * fuzz_record_body.c - the JSON body of a record write through what the
 * HTTP handlers run: the body parsed (api_body_json_parse), turned into a
 * change (api/record_body.c: POST /records, PATCH /records/{id}, POST
 * /records/batch; dns_record_from_fields normalizes each record), bound to
 * the view of a fixture zone (dns_view_bind), PATCH's checks on the bound
 * record, and the rules (dns_rules_check_change) - every step api/write.c
 * takes but the database and the credential's policies.
 *
 * Input: one selector byte, then the body. selector % 3 picks the shape
 * (0 POST, 1 PATCH, 2 batch); for PATCH, selector / 3 picks the fixture
 * record patched (the SOA and apex NS included). The fixture zone
 * example.com. holds the SOA, the apex NS set, addresses, an MX, a TXT, an
 * SRV, a CNAME, a wildcard, and a delegation sub. with in-bailiwick glue;
 * record i has the id FIXTURE_ID(i + 1), so batch bodies can name them.
 * Invariants:
 *  - a refusal is one reported error whose status is a 4xx-class project
 *    error (EBADREQ, EINVAL, ENOTFOUND, ECONFLICT, ESYSTEM; never ENOMEM,
 *    EINTERNAL), with a known code and a message;
 *  - a view holding the whole zone needs no further load
 *    (dns_change_interest is empty after binding);
 *  - an accepted change leaves a zone whose every enabled record renders
 *    through dns_render_record as one line ldns reads back with its owner,
 *    type and TTL; every record is inside the zone;
 *  - sampled (fuzz_sampled): the zone after the change, as zonegen would
 *    write it, loads in nsd-checkzone, kzonecheck and named-checkzone (the
 *    rules never accept what a name server then refuses).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/record_body.h"
#include "dns/change.h"
#include "dns/dns.h"
#include "support.h"

#define ZONE "example.com."
#define FIXTURE_ID(n) "00000000-0000-4000-8000-0000000000" #n

static const struct {
    const char *id, *name, *type;
    uint32_t ttl;
    int prio;
    const char *content;
    bool system;
} fixture[] = {
    {FIXTURE_ID(01), ZONE, "SOA", 3600, -1,
     "ns1.example.net. hostmaster.example.net. 2026120101 3600 600 604800 300", true},
    {FIXTURE_ID(02), ZONE, "NS", 86400, -1, "ns1.example.net.", true},
    {FIXTURE_ID(03), ZONE, "NS", 86400, -1, "ns2.example.net.", true},
    {FIXTURE_ID(04), ZONE, "MX", 3600, 10, "mail.example.com.", false},
    {FIXTURE_ID(05), ZONE, "TXT", 3600, -1, "\"v=spf1 -all\"", false},
    {FIXTURE_ID(06), "www.example.com.", "A", 300, -1, "192.0.2.1", false},
    {FIXTURE_ID(07), "www.example.com.", "AAAA", 300, -1, "2001:db8::1", false},
    {FIXTURE_ID(08), "mail.example.com.", "A", 300, -1, "192.0.2.25", false},
    {FIXTURE_ID(09), "alias.example.com.", "CNAME", 300, -1, "www.example.com.", false},
    {FIXTURE_ID(10), "*.wild.example.com.", "A", 300, -1, "192.0.2.80", false},
    {FIXTURE_ID(11), "sub.example.com.", "NS", 86400, -1, "ns1.sub.example.com.", false},
    {FIXTURE_ID(12), "sub.example.com.", "NS", 86400, -1, "ns2.example.net.", false},
    {FIXTURE_ID(13), "ns1.sub.example.com.", "A", 86400, -1, "192.0.2.53", false},
    {FIXTURE_ID(14), "_sip._tcp.example.com.", "SRV", 3600, 10, "5 5060 www.example.com.", false},
};
#define N_FIXTURE (sizeof(fixture) / sizeof(fixture[0]))

static const dns_limits_t limits = {60, 604800}; /* the configuration's defaults */

static const char *const known_codes[] = {"bad_request",       "unknown_field",
                                          "immutable_field",   "wrong_type",
                                          "missing_field",     "too_long",
                                          "out_of_range",      "ttl_out_of_range",
                                          "duplicate_id",      "bad_name",
                                          "name_outside_zone", "name_too_long",
                                          "label_too_long",    "bad_wildcard",
                                          "bad_rdata",         "unsupported_type",
                                          "system_record",     "cname_at_apex",
                                          "ds_at_apex",        "duplicate",
                                          "cname_conflict",    "dname_conflict",
                                          "ttl_mismatch",      "ns_target_is_cname",
                                          "missing_glue",      NULL};

/* The stored zone, as storage would hand it to the view. */
static dns_view_t *fixture_view(void)
{
    dns_view_t *v = dns_view_new(ZONE);
    FUZZ_CHECK(v != NULL, "out of memory");
    for (size_t i = 0; i < N_FIXTURE; i++) {
        dns_record_t r = {
            .id = fixture[i].id,
            .name = fixture[i].name,
            .type = fixture[i].type,
            .content = fixture[i].content,
            .ttl = fixture[i].ttl,
            .priority = fixture[i].prio,
            .system = fixture[i].system,
        };
        FUZZ_CHECK(dns_view_add(v, &r) == DNSAPI_OK, "fixture %zu", i);
    }
    FUZZ_CHECK(dns_view_covered(v, NULL, true) == DNSAPI_OK, "covered");
    return v;
}

static void check_refusal(const dns_report_t *rep, int rc, const char *body)
{
    FUZZ_CHECK(rc != DNSAPI_OK && dns_report_failed(rep), "rc %d without a reported error: %s", rc,
               body);
    for (size_t i = 0; i < rep->n_errors; i++) {
        const dnsapi_err_t *e = &rep->errors[i].err;
        FUZZ_CHECK(e->status == DNSAPI_EBADREQ || e->status == DNSAPI_EINVAL ||
                       e->status == DNSAPI_ENOTFOUND || e->status == DNSAPI_ECONFLICT ||
                       e->status == DNSAPI_ESYSTEM,
                   "refused with status %d (%s) code '%s': %s\n%s", e->status,
                   dnsapi_strerror(e->status), e->code, e->message, body);
        bool known = e->status == DNSAPI_ENOTFOUND && e->code[0] == '\0';
        for (size_t k = 0; known_codes[k] != NULL; k++) {
            known = known || strcmp(e->code, known_codes[k]) == 0;
        }
        FUZZ_CHECK(known, "unknown code '%s' (%s)\n%s", e->code, e->message, body);
        FUZZ_CHECK(e->message[0] != '\0', "code '%s' without a message\n%s", e->code, body);
    }
}

/* The zone after the change: each enabled record renders and reads back;
 * sampled, the file loads in the three checkers. */
static void check_zone(const dns_view_t *v, bool sampled, const char *body)
{
    const dns_record_t *const *all;
    size_t n = dns_view_all(v, &all);
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    FUZZ_CHECK(fp != NULL, "open_memstream");
    FUZZ_CHECK(dns_render_header(fp, ZONE, 2026120102u) == DNSAPI_OK, "header");
    size_t soa = 0;
    for (size_t i = 0; i < n; i++) {
        const dns_record_t *r = all[i];
        FUZZ_CHECK(dns_name_is_at_or_below(r->name, ZONE), "%s %s outside the zone\n%s", r->name,
                   r->type, body);
        if (r->disabled) {
            continue; /* zonegen writes enabled records only */
        }
        soa += strcmp(r->type, "SOA") == 0;
        char *line = fuzz_render_line(r->name, r->type, r->ttl, r->priority, r->content);
        fuzz_line_reads_back(ZONE, line, r->name, r->type, r->ttl);
        fputs(line, fp);
        free(line);
    }
    fclose(fp);
    FUZZ_CHECK(soa == 1, "%zu SOA records after the change\n%s", soa, body);
    if (sampled) {
        char report[4096];
        const char *refused = fuzz_zone_check("example.com", text, len, report, sizeof(report));
        FUZZ_CHECK(refused == NULL,
                   "the rules accept the change, but %s refuses the zone:\n%s\n%s\n%s", refused,
                   body, text, report);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    int shape = data[0] % 3;
    size_t target = (data[0] / 3) % N_FIXTURE;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    /* for messages: the body as a C string */
    char *body_text = malloc(len + 1); /* not strndup: the input has no NUL */
    FUZZ_CHECK(body_text != NULL, "out of memory");
    memcpy(body_text, buf, len);
    body_text[len] = '\0';

    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    json_t *body = NULL;
    int rc = api_body_json_parse(buf, len, &body, &err);
    if (rc != DNSAPI_OK) {
        FUZZ_CHECK(rc == DNSAPI_EBADREQ && body == NULL && strcmp(err.code, "bad_request") == 0 &&
                       err.message[0] != '\0',
                   "parse: %d %s %s", rc, err.code, err.message);
        free(body_text);
        return 0;
    }
    FUZZ_CHECK(json_is_object(body), "parsed a body that is not an object");

    dns_change_t c;
    FUZZ_CHECK(dns_change_init(&c, ZONE) == DNSAPI_OK, "change");
    dns_report_t rep;
    dns_report_init(&rep, 1); /* as the handlers: stop at the first */
    dns_view_t *v = NULL;
    const char *immutable = NULL;
    if (shape == 0) {
        rc = api_record_post_build(&c, body, &rep);
    } else if (shape == 1) {
        rc = api_record_patch_build(&c, body, fixture[target].id, &immutable, &rep);
    } else {
        rc = api_record_batch_build(&c, body, &rep);
    }
    if (rc != DNSAPI_OK || dns_report_failed(&rep)) {
        check_refusal(&rep, rc, body_text);
        goto out;
    }
    v = fixture_view();
    rc = dns_view_bind(v, &c, &rep);
    if (rc != DNSAPI_OK || dns_report_failed(&rep)) {
        check_refusal(&rep, rc, body_text);
        goto out;
    }
    dns_interest_t in = {{0}, {0}, {0}};
    FUZZ_CHECK(dns_change_interest(&c, v, &in) == DNSAPI_OK, "interest");
    FUZZ_CHECK(in.at.n == 0 && in.pointing.n == 0 && in.below.n == 0,
               "the whole zone is in the view, yet the change asks for %zu names (%s) and %zu "
               "targets\n%s",
               in.at.n, in.at.n > 0 ? in.at.v[0] : "", in.pointing.n, body_text);
    dns_interest_clear(&in);
    if (shape == 1) {
        rc = api_record_patch_bound(&c, body, immutable, &rep);
        if (rc != DNSAPI_OK || dns_report_failed(&rep)) {
            check_refusal(&rep, rc, body_text);
            goto out;
        }
    }
    rc = dns_rules_check_change(&limits, &c, v, &rep);
    if (rc != DNSAPI_OK || dns_report_failed(&rep)) {
        check_refusal(&rep, rc, body_text);
        goto out;
    }
    check_zone(v, fuzz_sampled(data, size), body_text);
out:
    dns_view_free(v);
    dns_report_clear(&rep);
    dns_change_clear(&c);
    json_decref(body);
    free(body_text);
    return 0;
}
