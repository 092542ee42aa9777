/*
 * fuzz_update.c - libFuzzer harness for the DNS UPDATE parser: the message
 * frame (dns/message.c), RFC 2136 parsing (dns/update.c), rdata from wire
 * (dns/rdata_wire.c), evaluation (dns/update_plan.c) and answers.
 *
 * Invariants checked on every input:
 *  - a message is dropped exactly when it is shorter than a header or a
 *    response; any other gets an answer that can be built, with its id;
 *  - a parsed UPDATE's names are absolute and lowercase, and every record
 *    that carries data has normalized content or a refusal, never both;
 *  - normalized content is a fixed point of dns_rdata_normalize, and it
 *    re-serialises: rendered as a master-file line, read by ldns, turned to
 *    wire and back through our converter, it normalizes to itself;
 *  - evaluation against an empty zone and a small zone never fails but
 *    with an rcode RFC 2136 allows, and operations stay within bounds.
 *
 * Self-contained (no support library): it drops into tests/fuzz's
 * framework unchanged. Seeds: tests/fuzz/corpus/update/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/dns.h"
#include "dns/message.h"
#include "dns/update.h"

#define UPDATE_CHECK(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_update: %s:%d: %s: ", __FILE__, __LINE__, #cond);                \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const dns_record_t ZONE[] = {
    {.name = "example.com.",
     .type = "SOA",
     .content = "ns1.example.net. h.example.net. 1 2 3 4 5",
     .ttl = 3600,
     .priority = -1},
    {.name = "example.com.",
     .type = "NS",
     .content = "ns1.example.net.",
     .ttl = 86400,
     .priority = -1},
    {.name = "www.example.com.", .type = "A", .content = "192.0.2.1", .ttl = 3600, .priority = -1},
    {.name = "www.example.com.", .type = "TXT", .content = "hello", .ttl = 300, .priority = -1},
    {.name = "mail.example.com.",
     .type = "MX",
     .content = "mx.example.net.",
     .ttl = 3600,
     .priority = 10},
};

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || name[n - 1] != '.') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (name[i] >= 'A' && name[i] <= 'Z') {
            return false;
        }
    }
    return true;
}

/* Renders rr as a master-file line, reads it with ldns, converts ldns's
 * wire form back with dns_rdata_from_wire and normalizes it. */
static void check_reserialises(const char *zone, const dns_update_rr_t *rr)
{
    char *line = NULL;
    size_t linelen = 0;
    dnsapi_err_t err;
    FILE *fp = open_memstream(&line, &linelen);
    UPDATE_CHECK(fp != NULL, "open_memstream");
    int rc = dns_render_record(fp, rr->name, rr->type, rr->ttl, rr->priority, rr->content, &err);
    fclose(fp);
    UPDATE_CHECK(rc == DNSAPI_OK, "render %s %s \"%s\": %s", rr->name, rr->type, rr->content,
                 err.message);
    line[strcspn(line, "\n")] = '\0';

    ldns_rdf *origin = ldns_dname_new_frm_str(zone);
    ldns_rr *parsed = NULL;
    ldns_status st = ldns_rr_new_frm_str(&parsed, line, 3600, origin, NULL);
    UPDATE_CHECK(st == LDNS_STATUS_OK, "ldns reads \"%s\": %s", line, ldns_get_errorstr_by_id(st));
    ldns_buffer *buf = ldns_buffer_new(4096);
    UPDATE_CHECK(ldns_rr_rdata2buffer_wire(buf, parsed) == LDNS_STATUS_OK, "rdata2wire %s", line);

    char *text = malloc(DNS_CONTENT_BUFSIZE), *norm = malloc(DNS_CONTENT_BUFSIZE);
    int prio = -1, prio2 = -1;
    UPDATE_CHECK(text != NULL && norm != NULL, "malloc");
    size_t len = ldns_buffer_position(buf);
    rc = dns_rdata_from_wire(rr->rrtype, ldns_buffer_begin(buf), len, 0, (uint16_t)len, text,
                             DNS_CONTENT_BUFSIZE, &prio, &err);
    UPDATE_CHECK(rc == DNSAPI_OK, "from wire of \"%s\": %s", line, err.message);
    rc = dns_rdata_normalize(zone, rr->type, text, prio, norm, DNS_CONTENT_BUFSIZE, &prio2, &err);
    UPDATE_CHECK(rc == DNSAPI_OK, "normalize \"%s\": %s", text, err.message);
    UPDATE_CHECK(strcmp(norm, rr->content) == 0 && prio2 == rr->priority,
                 "re-serialised \"%s\" (%d) != \"%s\" (%d) via \"%s\"", norm, prio2, rr->content,
                 rr->priority, line);
    free(text);
    free(norm);
    ldns_buffer_free(buf);
    ldns_rr_free(parsed);
    ldns_rdf_deep_free(origin);
    free(line);
}

static void check_rr(const dns_update_t *u, const dns_update_rr_t *rr, bool has_data)
{
    UPDATE_CHECK(name_ok(rr->name), "name \"%s\"", rr->name);
    if (!has_data) {
        UPDATE_CHECK(rr->content == NULL && rr->refusal == NULL, "data on a dataless record");
        return;
    }
    UPDATE_CHECK(rr->content == NULL || rr->refusal == NULL, "content and refusal at %s", rr->name);
    /* Neither only for an update whose data was malformed: the deferred FORMERR. */
    UPDATE_CHECK(rr->content != NULL || rr->refusal != NULL || u->update_rcode != 0,
                 "no content and no reason at %s", rr->name);
    if (rr->content == NULL || strcmp(rr->type, "SOA") == 0) {
        return;
    }
    char *again = malloc(DNS_CONTENT_BUFSIZE);
    int prio = -1;
    dnsapi_err_t err;
    UPDATE_CHECK(again != NULL, "malloc");
    int rc = dns_rdata_normalize(u->zone, rr->type, rr->content, rr->priority, again,
                                 DNS_CONTENT_BUFSIZE, &prio, &err);
    UPDATE_CHECK(rc == DNSAPI_OK && strcmp(again, rr->content) == 0 && prio == rr->priority,
                 "normalize is not a fixed point for %s \"%s\"", rr->type, rr->content);
    free(again);
    if (rr->kind == DNS_UPDATE_ADD && dns_name_is_at_or_below(rr->name, u->zone)) {
        check_reserialises(u->zone, rr);
    }
}

static void check_evaluation(const dns_update_t *u, const dns_record_t *zone, size_t n)
{
    dns_update_ops_t ops;
    dns_update_result_t res;
    int rc = dns_update_evaluate(u, zone, n, &ops, &res);
    if (rc == DNSAPI_OK) {
        for (size_t i = 0; i < ops.n_deletes; i++) {
            UPDATE_CHECK(ops.deletes[i] < n, "delete index %zu of %zu", ops.deletes[i], n);
        }
        for (size_t i = 0; i < ops.n_patches; i++) {
            UPDATE_CHECK(ops.patches[i].index < n, "patch index");
        }
        for (size_t i = 0; i < ops.n_posts; i++) {
            UPDATE_CHECK(ops.posts[i].content != NULL && name_ok(ops.posts[i].name), "post");
        }
        UPDATE_CHECK(ops.n_deletes + ops.n_patches <= n, "more changes than records");
    } else {
        static const uint16_t ALLOWED[] = {
            DNS_RCODE_FORMERR, DNS_RCODE_NXDOMAIN, DNS_RCODE_YXDOMAIN, DNS_RCODE_NXRRSET,
            DNS_RCODE_YXRRSET, DNS_RCODE_NOTZONE,  DNS_RCODE_REFUSED};
        bool ok = false;
        for (size_t i = 0; i < sizeof(ALLOWED) / sizeof(ALLOWED[0]); i++) {
            ok = ok || res.rcode == ALLOWED[i];
        }
        UPDATE_CHECK(ok, "rcode %u (%s)", res.rcode, res.err.message);
        UPDATE_CHECK(ops.n_deletes + ops.n_patches + ops.n_posts == 0, "ops on failure");
    }
    dns_update_ops_clear(&ops);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dns_msg_info_t info;
    dnsapi_err_t err;
    int rc = dns_msg_info_parse(data, size, &info, &err);
    bool should_drop = size < 12 || (data[2] & 0x80) != 0;
    UPDATE_CHECK(info.drop == should_drop, "drop %d for size %zu", info.drop, size);
    if (info.drop) {
        return 0;
    }

    uint8_t out[2048];
    size_t n = 0;
    dns_reply_t reply = {
        .rcode = DNS_RCODE_FORMERR, .ede_code = DNS_EDE_OTHER, .ede_text = err.message};
    UPDATE_CHECK(dns_reply_build(&info, &reply, out, sizeof(out), 512, &n) == DNSAPI_OK,
                 "FORMERR answer");
    UPDATE_CHECK(n >= 12 && n <= 512 && out[0] == data[0] && out[1] == data[1] && (out[2] & 0x80),
                 "answer header");
    if (rc != DNSAPI_OK || DNS_FLAGS_OPCODE(info.flags) != DNS_OPCODE_UPDATE) {
        return 0;
    }

    dns_update_t *u = NULL;
    dns_update_result_t res;
    rc = dns_update_parse(data, size, &info, &u, &res);
    if (rc != DNSAPI_OK) {
        UPDATE_CHECK(u == NULL, "update on failure");
        UPDATE_CHECK(res.rcode == DNS_RCODE_FORMERR || res.rcode == DNS_RCODE_NOTZONE ||
                         res.rcode == DNS_RCODE_NOTAUTH || res.rcode == DNS_RCODE_REFUSED,
                     "parse rcode %u", res.rcode);
        return 0;
    }
    UPDATE_CHECK(name_ok(u->zone), "zone \"%s\"", u->zone);
    for (size_t i = 0; i < u->n_prereqs; i++) {
        check_rr(u, &u->prereqs[i], u->prereqs[i].kind == DNS_PREREQ_RRSET_VALUE);
    }
    for (size_t i = 0; i < u->n_updates; i++) {
        int k = u->updates[i].kind;
        check_rr(u, &u->updates[i], k == DNS_UPDATE_ADD || k == DNS_UPDATE_DELETE_RR);
    }
    check_evaluation(u, NULL, 0);
    check_evaluation(u, ZONE, sizeof(ZONE) / sizeof(ZONE[0]));
    const char *names[16];
    size_t total = dns_update_names(u, names, 16);
    UPDATE_CHECK(total <= u->n_prereqs + u->n_updates, "names");
    dns_update_free(u);
    return 0;
}
