/* Unit tests for zonegen/reply.c: what zonegen makes of a name server's
 * answer to its SOA queries and NOTIFY messages. The datagrams are the
 * seeds of tests/fuzz/corpus/zonegen_reply/ (a selector byte, then the
 * datagram, as fuzz_zonegen_reply.c reads them), each with the verdict it
 * must get. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "zonegen/reply.h"

typedef struct {
    const char *seed;
    zonegen_reply_kind_t kind;
    int rcode;
    bool has_serial;
    uint32_t serial;
    int tsig_error;
} expect_t;

static const char *const zones[] = {"example.com.", "dev.example.com.", "xn--bcher-kva.example.",
                                    "."};

static void expect_verdict(const expect_t *e)
{
    const char *src = getenv("DNSAPI_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/zonegen_reply/%s", src ? src : ".", e->seed);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    assert_true(n >= 1);
    uint8_t sel = buf[0];
    const uint8_t *wire = buf + 1;
    size_t len = n - 1;
    uint16_t id = 0x1234;
    if ((sel & 0x80) == 0 && len >= 2) {
        id = (uint16_t)((wire[0] << 8) | wire[1]);
    }
    int opcode = (sel & 4) ? LDNS_PACKET_NOTIFY : LDNS_PACKET_QUERY;
    zonegen_reply_t r;
    zonegen_reply_kind_t k = zonegen_reply_read(wire, len, id, opcode, zones[sel & 3], &r);
    print_message("%s: kind %d rcode %d serial %d/%u tsig %d\n", e->seed, (int)k, r.rcode,
                  r.has_serial, r.serial, r.tsig_error);
    assert_int_equal(k, e->kind);
    assert_int_equal(r.rcode, e->rcode);
    assert_int_equal(r.has_serial, e->has_serial);
    assert_int_equal(r.serial, e->serial);
    assert_int_equal(r.tsig_error, e->tsig_error);
}

#define ANSWER ZONEGEN_REPLY_ANSWER
#define OTHER ZONEGEN_REPLY_OTHER

static void test_an_authoritative_soa_gives_its_serial(void **state)
{
    (void)state;
    expect_verdict(&(expect_t){"soa_serial", ANSWER, 0, true, 2026120101u, 0});
    expect_verdict(&(expect_t){"soa_compressed", ANSWER, 0, true, 2026120102u, 0});
    expect_verdict(&(expect_t){"soa_subzone", ANSWER, 0, true, 9, 0});
    expect_verdict(&(expect_t){"soa_root", ANSWER, 0, true, 2026, 0});
    expect_verdict(&(expect_t){"soa_upper_case", ANSWER, 0, true, 11, 0});
    expect_verdict(&(expect_t){"own_id", ANSWER, 0, true, 77, 0});
}

static void test_two_soa_records_serve_no_serial(void **state)
{
    (void)state;
    expect_verdict(&(expect_t){"soa_two_serials", ANSWER, 0, false, 0, 0});
}

static void test_an_answer_without_authority_serves_no_serial(void **state)
{
    (void)state;
    expect_verdict(&(expect_t){"soa_not_authoritative", ANSWER, 0, false, 0, 0});
}

static void test_error_answers_carry_their_rcode(void **state)
{
    (void)state;
    expect_verdict(&(expect_t){"soa_refused_no_question", ANSWER, 5, false, 0, 0});
    expect_verdict(&(expect_t){"soa_notauth", ANSWER, 9, false, 0, 0});
    expect_verdict(&(expect_t){"soa_tsig_badsig", ANSWER, 9, false, 0, 16});
}

static void test_datagrams_for_another_query_are_ignored(void **state)
{
    (void)state;
    expect_verdict(&(expect_t){"soa_other_question", OTHER, 0, false, 0, 0});
    expect_verdict(&(expect_t){"soa_other_type", OTHER, 0, false, 0, 0});
    expect_verdict(&(expect_t){"soa_other_id", OTHER, 0, false, 0, 0});
    expect_verdict(&(expect_t){"soa_no_qr", OTHER, 0, false, 0, 0});
    expect_verdict(&(expect_t){"soa_notify_opcode", OTHER, 0, false, 0, 0});
    expect_verdict(&(expect_t){"soa_truncated", OTHER, 0, false, 0, 0});
    expect_verdict(&(expect_t){"short_header", OTHER, 0, false, 0, 0});
}

/* ldns_wire2pkt leaked the first of two TSIG records when more records
 * followed (found by fuzz_zonegen_reply; LeakSanitizer fails this test
 * without the check of dns_reply_ldns_can_read). */
static void test_a_tsig_record_before_the_end_is_not_read(void **state)
{
    (void)state;
    expect_verdict(&(expect_t){"tsig_not_last_leak", OTHER, 0, false, 0, 0});
    /* two TSIG records as ldns reads the records, one as their lengths say */
    expect_verdict(&(expect_t){"tsig_twice_as_ldns_reads_it", OTHER, 0, false, 0, 0});
}

static void test_notify_answers(void **state)
{
    (void)state;
    expect_verdict(&(expect_t){"notify_ack", ANSWER, 0, false, 0, 0});
    expect_verdict(&(expect_t){"notify_refused", ANSWER, 5, false, 0, 0});
    expect_verdict(&(expect_t){"notify_notimp_no_question", ANSWER, 4, false, 0, 0});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_authoritative_soa_gives_its_serial),
        cmocka_unit_test(test_two_soa_records_serve_no_serial),
        cmocka_unit_test(test_an_answer_without_authority_serves_no_serial),
        cmocka_unit_test(test_error_answers_carry_their_rcode),
        cmocka_unit_test(test_datagrams_for_another_query_are_ignored),
        cmocka_unit_test(test_notify_answers),
        cmocka_unit_test(test_a_tsig_record_before_the_end_is_not_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
