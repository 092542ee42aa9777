/* Unit tests for dns/reply.c: queries in wire form, and replies read into
 * bounded facts - stray datagrams ignored, broken replies named, referrals,
 * CNAME chains, caps. Replies are built with ldns, as a server would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "dns/reply.h"

#define ID 0x4242

typedef struct {
    uint8_t *wire;
    size_t len;
} wire_t;

/* A reply to qname/qtype with the given flags and rcode; sections hold
 * master-file lines separated by '|', NULL for none. */
static wire_t reply_make(uint16_t id, const char *qname, const char *qtype, bool aa, int rcode,
                         const char *answer, const char *authority, const char *additional)
{
    ldns_pkt *pkt = ldns_pkt_new();
    assert_non_null(pkt);
    ldns_pkt_set_id(pkt, id);
    ldns_pkt_set_qr(pkt, true);
    ldns_pkt_set_aa(pkt, aa);
    ldns_pkt_set_rcode(pkt, (uint8_t)rcode);
    if (qname != NULL) {
        ldns_rr *q = ldns_rr_new();
        ldns_rdf *owner = ldns_dname_new_frm_str(qname);
        ldns_rr_set_owner(q, owner);
        ldns_rr_set_type(q, ldns_get_rr_type_by_name(qtype));
        ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
        ldns_rr_set_question(q, true);
        ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, q);
    }
    const char *texts[3] = {answer, authority, additional};
    ldns_pkt_section secs[3] = {LDNS_SECTION_ANSWER, LDNS_SECTION_AUTHORITY,
                                LDNS_SECTION_ADDITIONAL};
    for (int s = 0; s < 3; s++) {
        if (texts[s] == NULL) {
            continue;
        }
        char *copy = strdup(texts[s]);
        char *save = NULL;
        for (char *line = strtok_r(copy, "|", &save); line; line = strtok_r(NULL, "|", &save)) {
            ldns_rr *rr = NULL;
            if (ldns_rr_new_frm_str(&rr, line, 300, NULL, NULL) != LDNS_STATUS_OK) {
                fail_msg("bad test record '%s'", line);
            }
            ldns_pkt_push_rr(pkt, secs[s], rr);
        }
        free(copy);
    }
    wire_t w = {0};
    assert_int_equal(ldns_pkt2wire(&w.wire, pkt, &w.len), LDNS_STATUS_OK);
    ldns_pkt_free(pkt);
    return w;
}

static dns_reply_kind_t read_as(const wire_t *w, const char *qname, const char *qtype,
                                dns_answer_t *a)
{
    dns_answer_init(a, qname, qtype);
    return dns_reply_read(w->wire, w->len, ID, qname, qtype, a);
}

static void test_query_has_id_flags_question_and_edns(void **state)
{
    uint8_t buf[DNS_QUERY_MAX];
    size_t len = 0;
    dnsapi_err_t err;
    assert_int_equal(
        dns_query_build("dev.example.com.", "SOA", 0x1234, false, buf, sizeof(buf), &len, &err),
        DNSAPI_OK);
    assert_int_equal(dns_query_id(buf), 0x1234);
    ldns_pkt *pkt = NULL;
    assert_int_equal(ldns_wire2pkt(&pkt, buf, len), LDNS_STATUS_OK);
    assert_false(ldns_pkt_rd(pkt));
    assert_false(ldns_pkt_qr(pkt));
    assert_int_equal(ldns_pkt_edns_udp_size(pkt), DNS_EDNS_UDP_SIZE);
    assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(pkt), 0)),
                     LDNS_RR_TYPE_SOA);
    ldns_pkt_free(pkt);
    assert_int_equal(
        dns_query_build("www.example.com.", "A", 1, true, buf, sizeof(buf), &len, &err), DNSAPI_OK);
    assert_true((buf[2] & 0x01) != 0); /* RD */
    assert_int_equal(
        dns_query_build("www.example.com.", "NOSUCHTYPE", 1, true, buf, sizeof(buf), &len, &err),
        DNSAPI_EINVAL);
}

static void test_authoritative_soa_gives_the_serial(void **state)
{
    dns_answer_t a;
    wire_t w = reply_make(ID, "dev.example.com.", "SOA", true, 0,
                          "dev.example.com. 300 IN SOA ns1.dev.example.com. h.example.com. "
                          "2024010107 7200 3600 1209600 300",
                          NULL, NULL);
    assert_int_equal(read_as(&w, "dev.example.com.", "SOA", &a), DNS_REPLY_MINE);
    assert_int_equal(a.status, DNS_ANSWER_OK);
    assert_true(a.aa);
    assert_true(a.has_soa);
    assert_int_equal(a.serial, 2024010107u);
    assert_string_equal(a.soa_owner, "dev.example.com.");
    free(w.wire);
}

static void test_stray_datagrams_are_ignored_and_broken_replies_named(void **state)
{
    dns_answer_t a;
    wire_t w = reply_make(ID + 1, "dev.example.com.", "SOA", true, 0, NULL, NULL, NULL);
    assert_int_equal(read_as(&w, "dev.example.com.", "SOA", &a), DNS_REPLY_OTHER);
    assert_int_equal(a.status, DNS_ANSWER_NOT_ASKED);
    free(w.wire);

    uint8_t query[] = {0x42, 0x42, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
    wire_t q = {query, sizeof(query)};
    assert_int_equal(read_as(&q, "dev.example.com.", "SOA", &a), DNS_REPLY_OTHER);

    uint8_t one[] = {0x42};
    wire_t o = {one, 1};
    assert_int_equal(read_as(&o, "dev.example.com.", "SOA", &a), DNS_REPLY_OTHER);

    uint8_t shorty[] = {0x42, 0x42, 0x80, 0x00, 0x00};
    wire_t s = {shorty, sizeof(shorty)};
    assert_int_equal(read_as(&s, "dev.example.com.", "SOA", &a), DNS_REPLY_BROKEN);
    assert_int_equal(a.status, DNS_ANSWER_GARBAGE);
    assert_non_null(strstr(a.error, "shorter than a DNS header"));

    /* a header that promises an answer record that is not there */
    uint8_t liar[] = {0x42, 0x42, 0x84, 0x00, 0, 0, 0, 5, 0, 0, 0, 0};
    wire_t l = {liar, sizeof(liar)};
    assert_int_equal(read_as(&l, "dev.example.com.", "SOA", &a), DNS_REPLY_BROKEN);
    assert_non_null(strstr(a.error, "not a DNS message"));

    w = reply_make(ID, "other.example.com.", "SOA", true, 0, NULL, NULL, NULL);
    assert_int_equal(read_as(&w, "dev.example.com.", "SOA", &a), DNS_REPLY_BROKEN);
    assert_non_null(strstr(a.error, "another question"));
    free(w.wire);

    w = reply_make(ID, "dev.example.com.", "NS", true, 0, NULL, NULL, NULL);
    assert_int_equal(read_as(&w, "dev.example.com.", "SOA", &a), DNS_REPLY_BROKEN);
    free(w.wire);
}

static void test_refused_without_question_is_an_answer(void **state)
{
    dns_answer_t a;
    wire_t w = reply_make(ID, NULL, NULL, false, 5, NULL, NULL, NULL);
    assert_int_equal(read_as(&w, "dev.example.com.", "SOA", &a), DNS_REPLY_MINE);
    assert_int_equal(a.rcode, 5);
    assert_false(a.aa);
    free(w.wire);
    /* but NOERROR without a question is not */
    w = reply_make(ID, NULL, NULL, true, 0, NULL, NULL, NULL);
    assert_int_equal(read_as(&w, "dev.example.com.", "SOA", &a), DNS_REPLY_BROKEN);
    free(w.wire);
}

static void test_referral_gives_ns_from_authority_and_glue(void **state)
{
    dns_answer_t a;
    wire_t w = reply_make(ID, "dev.example.com.", "NS", false, 0, NULL,
                          "dev.example.com. 86400 IN NS NS2.dev.example.com.|"
                          "dev.example.com. 86400 IN NS ns1.dev.example.com.",
                          "ns1.dev.example.com. 86400 IN A 192.0.2.1|"
                          "ns2.dev.example.com. 86400 IN AAAA 2001:db8:0:0::2");
    assert_int_equal(read_as(&w, "dev.example.com.", "NS", &a), DNS_REPLY_MINE);
    assert_true(a.referral);
    assert_false(a.aa);
    assert_int_equal(a.n_items, 2);
    assert_string_equal(a.items[0], "ns1.dev.example.com.");
    assert_string_equal(a.items[1], "ns2.dev.example.com.");
    assert_int_equal(a.n_glue, 2);
    assert_string_equal(a.glue[1].name, "ns2.dev.example.com.");
    assert_string_equal(a.glue[1].address, "2001:db8::2");
    free(w.wire);

    /* an authoritative answer wins over the authority section */
    w = reply_make(ID, "dev.example.com.", "NS", true, 0,
                   "dev.example.com. 86400 IN NS ns3.dev.example.com.",
                   "dev.example.com. 86400 IN NS ns1.dev.example.com.", NULL);
    assert_int_equal(read_as(&w, "dev.example.com.", "NS", &a), DNS_REPLY_MINE);
    assert_false(a.referral);
    assert_int_equal(a.n_items, 1);
    assert_string_equal(a.items[0], "ns3.dev.example.com.");
    free(w.wire);
}

static void test_negative_answer_names_the_zone_it_came_from(void **state)
{
    dns_answer_t a;
    wire_t w = reply_make(ID, "example.test.", "SOA", true, 3, NULL,
                          "test. 300 IN SOA ns.test. h.test. 7 1 1 1 1", NULL);
    assert_int_equal(read_as(&w, "example.test.", "SOA", &a), DNS_REPLY_MINE);
    assert_int_equal(a.rcode, 3);
    assert_false(a.has_soa);
    assert_string_equal(a.soa_owner, "test.");
    free(w.wire);
}

static void test_addresses_follow_a_cname_chain_and_a_loop_ends(void **state)
{
    dns_answer_t a;
    wire_t w = reply_make(ID, "ns.example.net.", "A", false, 0,
                          "ns.example.net. 300 IN CNAME host.example.net.|"
                          "host.example.net. 300 IN A 192.0.2.7|"
                          "host.example.net. 300 IN A 192.0.2.6|"
                          "unrelated.example.net. 300 IN A 192.0.2.99",
                          NULL, NULL);
    assert_int_equal(read_as(&w, "ns.example.net.", "A", &a), DNS_REPLY_MINE);
    assert_int_equal(a.n_items, 2);
    assert_string_equal(a.items[0], "192.0.2.6");
    assert_string_equal(a.items[1], "192.0.2.7");
    free(w.wire);

    w = reply_make(ID, "a.example.net.", "A", false, 0,
                   "a.example.net. 300 IN CNAME b.example.net.|"
                   "b.example.net. 300 IN CNAME a.example.net.",
                   NULL, NULL);
    assert_int_equal(read_as(&w, "a.example.net.", "A", &a), DNS_REPLY_MINE);
    assert_int_equal(a.n_items, 0);
    free(w.wire);
}

static void test_more_names_than_fit_are_cut_and_said(void **state)
{
    char answer[8192] = "";
    for (int i = 0; i < DNS_ANSWER_MAX_ITEMS + 4; i++) {
        char line[128];
        snprintf(line, sizeof(line), "%sdev.example.com. 300 IN NS ns%02d.example.net.",
                 i ? "|" : "", i);
        strcat(answer, line);
    }
    dns_answer_t a;
    wire_t w = reply_make(ID, "dev.example.com.", "NS", true, 0, answer, NULL, NULL);
    assert_int_equal(read_as(&w, "dev.example.com.", "NS", &a), DNS_REPLY_MINE);
    assert_int_equal(a.n_items, DNS_ANSWER_MAX_ITEMS);
    assert_true(a.truncated);
    free(w.wire);
}

static void test_a_good_reply_after_a_broken_one_starts_clean(void **state)
{
    dns_answer_t a;
    dns_answer_init(&a, "dev.example.com.", "NS");
    uint8_t shorty[] = {0x42, 0x42, 0x80, 0x00, 0x00};
    assert_int_equal(dns_reply_read(shorty, sizeof(shorty), ID, a.qname, a.qtype, &a),
                     DNS_REPLY_BROKEN);
    dns_answer_add_item(&a, "stale.example.com.");
    wire_t w = reply_make(ID, "dev.example.com.", "NS", true, 0,
                          "dev.example.com. 300 IN NS ns1.example.net.", NULL, NULL);
    assert_int_equal(dns_reply_read(w.wire, w.len, ID, a.qname, a.qtype, &a), DNS_REPLY_MINE);
    assert_int_equal(a.status, DNS_ANSWER_OK);
    assert_int_equal(a.n_items, 1);
    assert_string_equal(a.items[0], "ns1.example.net.");
    assert_string_equal(a.qname, "dev.example.com.");
    free(w.wire);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_has_id_flags_question_and_edns),
        cmocka_unit_test(test_authoritative_soa_gives_the_serial),
        cmocka_unit_test(test_stray_datagrams_are_ignored_and_broken_replies_named),
        cmocka_unit_test(test_refused_without_question_is_an_answer),
        cmocka_unit_test(test_referral_gives_ns_from_authority_and_glue),
        cmocka_unit_test(test_negative_answer_names_the_zone_it_came_from),
        cmocka_unit_test(test_addresses_follow_a_cname_chain_and_a_loop_ends),
        cmocka_unit_test(test_more_names_than_fit_are_cut_and_said),
        cmocka_unit_test(test_a_good_reply_after_a_broken_one_starts_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
