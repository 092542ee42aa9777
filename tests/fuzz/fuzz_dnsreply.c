/*
 * fuzz_dnsreply.c - replies from name servers (dns/reply.c): whatever
 * bytes arrive, dns_reply_read stays inside them and hands back bounded,
 * well-formed facts.
 *
 * Input: one selector byte, then the datagram. The selector's low bits pick
 * the question (name and type, from a table); bit 7 set makes the query id
 * 0x1234 instead of the datagram's own first two bytes, so that both stray
 * datagrams and replies to our id are reached. Invariants:
 *  - the result is MINE, OTHER or BROKEN; OTHER leaves the answer as it was;
 *    BROKEN sets status GARBAGE with a reason and keeps the question;
 *  - MINE: status OK, rcode 0..15; items at most DNS_ANSWER_MAX_ITEMS,
 *    sorted, unique, lowercase; for NS absolute names, for A / AAAA
 *    addresses of that family; glue addresses parse; SOA facts only with an
 *    owner;
 *  - reading the same bytes again gives the same answer, byte for byte;
 *  - a reply ldns accepted, written out again by ldns and read back, gives
 *    the same facts (what we read does not depend on compression or order
 *    of the encoding).
 *
 * Built and run by tests/fuzz/run.sh (bash tests/fuzz/run.sh dnsreply); seeds
 * tests/fuzz/corpus/dnsreply/. tests/unit/test_dns_reply_garbage.c runs the
 * same checks on the corpus and on mutations of it under ctest.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/reply.h"

#if defined(__has_include) && !defined(DNSREPLY_STANDALONE)
#if __has_include("support.h")
#include "support.h"
#define DNSREPLY_HAVE_SUPPORT 1
#endif
#endif

#ifndef DNSREPLY_HAVE_SUPPORT
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond);           \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            abort();                                                                               \
        }                                                                                          \
    } while (0)
#endif

static const struct {
    const char *name;
    const char *type;
} questions[] = {
    {"dev.example.com.", "SOA"},
    {"dev.example.com.", "NS"},
    {"ns1.dev.example.com.", "A"},
    {"ns1.dev.example.com.", "AAAA"},
    {"example.test.", "NS"},
    {"test.", "SOA"},
    {".", "NS"},
    {"a.b.c.d.e.f.example.net.", "A"},
};

static void check_item_shape(const char *item, const char *qtype)
{
    size_t len = strnlen(item, DNS_NAME_BUFSIZE);
    FUZZ_CHECK(len > 0 && len < DNS_NAME_BUFSIZE, "item of length %zu", len);
    for (size_t i = 0; i < len; i++) {
        FUZZ_CHECK(!(item[i] >= 'A' && item[i] <= 'Z'), "'%s' is not lowercase", item);
    }
    unsigned char bin[16];
    if (strcmp(qtype, "NS") == 0) {
        FUZZ_CHECK(item[len - 1] == '.', "'%s' is not absolute", item);
    } else if (strcmp(qtype, "A") == 0) {
        FUZZ_CHECK(inet_pton(AF_INET, item, bin) == 1, "'%s' is not IPv4", item);
    } else if (strcmp(qtype, "AAAA") == 0) {
        FUZZ_CHECK(inet_pton(AF_INET6, item, bin) == 1, "'%s' is not IPv6", item);
    }
}

static void check_mine(const dns_answer_t *a)
{
    FUZZ_CHECK(a->status == DNS_ANSWER_OK, "status %d", a->status);
    FUZZ_CHECK(a->rcode >= 0 && a->rcode <= 15, "rcode %d", a->rcode);
    FUZZ_CHECK(a->n_items <= DNS_ANSWER_MAX_ITEMS, "%zu items", a->n_items);
    FUZZ_CHECK(a->n_glue <= DNS_ANSWER_MAX_GLUE, "%zu glue", a->n_glue);
    for (size_t i = 0; i < a->n_items; i++) {
        check_item_shape(a->items[i], a->qtype);
        if (i > 0) {
            FUZZ_CHECK(strcmp(a->items[i - 1], a->items[i]) < 0, "items out of order: %s, %s",
                       a->items[i - 1], a->items[i]);
        }
    }
    if (strcmp(a->qtype, "NS") != 0 && strcmp(a->qtype, "A") != 0 &&
        strcmp(a->qtype, "AAAA") != 0) {
        FUZZ_CHECK(a->n_items == 0, "%zu items for %s", a->n_items, a->qtype);
    }
    FUZZ_CHECK(!a->referral || strcmp(a->qtype, "NS") == 0, "referral for %s", a->qtype);
    for (size_t i = 0; i < a->n_glue; i++) {
        unsigned char bin[16];
        FUZZ_CHECK(inet_pton(AF_INET, a->glue[i].address, bin) == 1 ||
                       inet_pton(AF_INET6, a->glue[i].address, bin) == 1,
                   "glue address '%s'", a->glue[i].address);
        FUZZ_CHECK(strnlen(a->glue[i].name, DNS_NAME_BUFSIZE) < DNS_NAME_BUFSIZE, "glue name");
    }
    FUZZ_CHECK(!a->has_soa || a->soa_owner[0] != '\0', "a serial without an SOA owner");
}

/* The same facts, string by string (bytes after a string's NUL may differ). */
static bool answers_equal(const dns_answer_t *x, const dns_answer_t *y)
{
    if (x->status != y->status || x->rcode != y->rcode || x->aa != y->aa || x->tc != y->tc ||
        x->has_soa != y->has_soa || x->serial != y->serial || x->referral != y->referral ||
        x->truncated != y->truncated || x->n_items != y->n_items || x->n_glue != y->n_glue ||
        strcmp(x->soa_owner, y->soa_owner) != 0) {
        return false;
    }
    for (size_t i = 0; i < x->n_items; i++) {
        if (strcmp(x->items[i], y->items[i]) != 0) {
            return false;
        }
    }
    for (size_t i = 0; i < x->n_glue; i++) {
        if (strcmp(x->glue[i].name, y->glue[i].name) != 0 ||
            strcmp(x->glue[i].address, y->glue[i].address) != 0) {
            return false;
        }
    }
    return true;
}

/* ldns's own encoding of what it parsed, read again, gives the same facts. */
static void check_reencoded(const uint8_t *wire, size_t len, uint16_t id, const char *qname,
                            const char *qtype, const dns_answer_t *first)
{
    ldns_pkt *pkt = NULL;
    if (ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK) {
        return;
    }
    uint8_t *again = NULL;
    size_t again_len = 0;
    if (ldns_pkt2wire(&again, pkt, &again_len) == LDNS_STATUS_OK) {
        dns_answer_t second;
        dns_answer_init(&second, qname, qtype);
        dns_reply_kind_t kind = dns_reply_read(again, again_len, id, qname, qtype, &second);
        FUZZ_CHECK(kind == DNS_REPLY_MINE, "re-encoded reply read as %d", kind);
        FUZZ_CHECK(answers_equal(&second, first),
                   "re-encoded reply gives other facts (%zu vs %zu items)", second.n_items,
                   first->n_items);
    }
    free(again);
    ldns_pkt_free(pkt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    size_t pick = (size_t)(data[0] & 0x7f) % (sizeof(questions) / sizeof(*questions));
    const char *qname = questions[pick].name;
    const char *qtype = questions[pick].type;
    const uint8_t *wire = data + 1;
    size_t len = size - 1;
    uint16_t id = (data[0] & 0x80) || len < 2 ? 0x1234 : dns_query_id(wire);

    dns_answer_t a, before, again;
    dns_answer_init(&a, qname, qtype);
    before = a;
    dns_reply_kind_t kind = dns_reply_read(wire, len, id, qname, qtype, &a);
    FUZZ_CHECK(kind == DNS_REPLY_MINE || kind == DNS_REPLY_OTHER || kind == DNS_REPLY_BROKEN,
               "kind %d", kind);
    FUZZ_CHECK(strcmp(a.qname, qname) == 0 && strcmp(a.qtype, qtype) == 0, "question changed");
    if (kind == DNS_REPLY_OTHER) {
        FUZZ_CHECK(memcmp(&a, &before, sizeof(a)) == 0, "OTHER changed the answer");
        return 0;
    }
    if (kind == DNS_REPLY_BROKEN) {
        FUZZ_CHECK(a.status == DNS_ANSWER_GARBAGE, "BROKEN with status %d", a.status);
        FUZZ_CHECK(a.error[0] != '\0', "BROKEN without a reason");
        return 0;
    }
    check_mine(&a);
    dns_answer_init(&again, qname, qtype);
    FUZZ_CHECK(dns_reply_read(wire, len, id, qname, qtype, &again) == DNS_REPLY_MINE,
               "second read differs");
    FUZZ_CHECK(answers_equal(&a, &again), "second read gives other facts");
    check_reencoded(wire, len, id, qname, qtype, &a);
    return 0;
}
