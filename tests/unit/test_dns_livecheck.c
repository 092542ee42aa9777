/* Unit tests for dns/livecheck.c: the verdict on a delegation and on a
 * zone's own delegation from gathered answers. Each test builds the
 * answers a real server would give for one case and checks the code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/livecheck.h"

#define CHILD "dev.example.com."
#define NS1 "ns1.dev.example.com."
#define NS2 "ns2.dev.example.com."

static const char *const ns_set[] = {NS2, NS1};
static const dns_live_glue_t glue[] = {
    {NS1, "192.0.2.1", false},
    {NS2, "192.0.2.2", false},
    {NS2, "2001:db8:0::2", true},
};

static dns_live_expect_t expect(void)
{
    dns_live_expect_t e = {CHILD, ns_set, 2, glue, 3, false, 0};
    return e;
}

/* A server that answers everything correctly with serial. */
typedef struct {
    dns_live_server_t s;
    dns_answer_t glue_answers[4];
} server_t;

static void answer_ok(dns_answer_t *a, const char *qname, const char *qtype)
{
    dns_answer_init(a, qname, qtype);
    a->status = DNS_ANSWER_OK;
    a->aa = true;
    a->error[0] = '\0';
}

static void server_good(server_t *sv, const char *ns, const char *address, uint32_t serial)
{
    memset(sv, 0, sizeof(*sv));
    sv->s.ns = ns;
    snprintf(sv->s.address, sizeof(sv->s.address), "%s", address);
    sv->s.port = 53;
    sv->s.source = DNS_ADDR_GLUE;
    answer_ok(&sv->s.soa, CHILD, "SOA");
    sv->s.soa.has_soa = true;
    sv->s.soa.serial = serial;
    snprintf(sv->s.soa.soa_owner, sizeof(sv->s.soa.soa_owner), "%s", CHILD);
    answer_ok(&sv->s.ns_set, CHILD, "NS");
    dns_answer_add_item(&sv->s.ns_set, NS1);
    dns_answer_add_item(&sv->s.ns_set, NS2);
    answer_ok(&sv->glue_answers[0], NS1, "A");
    dns_answer_add_item(&sv->glue_answers[0], "192.0.2.1");
    answer_ok(&sv->glue_answers[1], NS1, "AAAA");
    answer_ok(&sv->glue_answers[2], NS2, "A");
    dns_answer_add_item(&sv->glue_answers[2], "192.0.2.2");
    answer_ok(&sv->glue_answers[3], NS2, "AAAA");
    dns_answer_add_item(&sv->glue_answers[3], "2001:db8::2");
    sv->s.glue_answers = sv->glue_answers;
    sv->s.n_glue_answers = 4;
}

typedef struct {
    server_t sv[2];
    dns_live_server_t flat[2];
    dns_live_report_t rep;
} pair_t;

static void pair_good(pair_t *p)
{
    server_good(&p->sv[0], NS1, "192.0.2.1", 7);
    server_good(&p->sv[1], NS2, "192.0.2.2", 7);
}

static void pair_check(pair_t *p, const dns_live_expect_t *e)
{
    dnsapi_err_t err;
    for (int i = 0; i < 2; i++) {
        p->flat[i] = p->sv[i].s;
    }
    assert_int_equal(dns_live_check(e, p->flat, 2, NULL, 0, &p->rep, &err), DNSAPI_OK);
}

/* The server i has exactly one problem, code. */
static void assert_one(const dns_live_report_t *r, size_t i, const char *code)
{
    const dns_live_server_result_t *s = &r->servers[i];
    if (s->n_problems != 1 || strcmp(s->problems[0].code, code) != 0) {
        fail_msg("server %zu: %zu problems, first %s (%s); want only %s", i, s->n_problems,
                 s->n_problems ? s->problems[0].code : "-",
                 s->n_problems ? s->problems[0].message : "", code);
    }
    assert_false(r->ok);
}

static void test_correct_delegation_is_ok(void **state)
{
    pair_t p;
    dns_live_expect_t e = expect();
    pair_good(&p);
    pair_check(&p, &e);
    assert_true(p.rep.ok);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(p.rep.servers[i].n_problems, 0);
        assert_true(p.rep.servers[i].authoritative);
        assert_int_equal(p.rep.servers[i].serial, 7);
        assert_int_equal(p.rep.servers[i].n_ns_served, 2);
    }
    dns_live_report_clear(&p.rep);
}

static void test_refused_is_lame_and_hides_the_rest(void **state)
{
    pair_t p;
    dns_live_expect_t e = expect();
    pair_good(&p);
    p.sv[0].s.soa.rcode = 5;
    p.sv[0].s.soa.aa = false;
    p.sv[0].s.soa.has_soa = false;
    p.sv[0].s.ns_set.n_items = 0; /* would be a mismatch: not reported */
    pair_check(&p, &e);
    assert_one(&p.rep, 0, "lame");
    assert_non_null(strstr(p.rep.servers[0].problems[0].message, "REFUSED"));
    assert_int_equal(p.rep.servers[1].n_problems, 0);
    assert_false(p.rep.servers[0].authoritative);
    dns_live_report_clear(&p.rep);
}

static void test_answer_without_authority_is_lame(void **state)
{
    pair_t p;
    dns_live_expect_t e = expect();
    pair_good(&p);
    p.sv[1].s.soa.aa = false;
    p.sv[1].s.soa.referral = true;
    pair_check(&p, &e);
    assert_one(&p.rep, 1, "lame");
    assert_non_null(strstr(p.rep.servers[1].problems[0].message, "without authority"));
    dns_live_report_clear(&p.rep);
}

static void test_other_ns_set_is_ns_mismatch_naming_both_sets(void **state)
{
    pair_t p;
    dns_live_expect_t e = expect();
    pair_good(&p);
    p.sv[0].s.ns_set.n_items = 0;
    dns_answer_add_item(&p.sv[0].s.ns_set, NS1);
    dns_answer_add_item(&p.sv[0].s.ns_set, "ns3.dev.example.com.");
    pair_check(&p, &e);
    assert_one(&p.rep, 0, "ns_mismatch");
    const char *m = p.rep.servers[0].problems[0].message;
    assert_non_null(strstr(m, "{ns1.dev.example.com., ns3.dev.example.com.}"));
    assert_non_null(strstr(m, "{ns1.dev.example.com., ns2.dev.example.com.}"));
    assert_int_equal(p.rep.servers[1].n_problems, 0);
    dns_live_report_clear(&p.rep);
}

static void test_older_serial_is_serial_drift_across_servers(void **state)
{
    pair_t p;
    dns_live_expect_t e = expect();
    pair_good(&p);
    p.sv[1].s.soa.serial = 6;
    pair_check(&p, &e);
    assert_int_equal(p.rep.servers[0].n_problems, 0);
    assert_one(&p.rep, 1, "serial_drift");
    assert_non_null(strstr(p.rep.servers[1].problems[0].message, "serves serial 6"));
    dns_live_report_clear(&p.rep);
    /* RFC 1982: 1 follows 4294967295 */
    pair_good(&p);
    p.sv[0].s.soa.serial = 4294967295u;
    p.sv[1].s.soa.serial = 1;
    pair_check(&p, &e);
    assert_one(&p.rep, 0, "serial_drift");
    assert_int_equal(p.rep.servers[1].n_problems, 0);
    dns_live_report_clear(&p.rep);
}

static void test_expected_serial_is_what_every_server_must_serve(void **state)
{
    pair_t p;
    dns_live_expect_t e = expect();
    e.has_serial = true;
    e.serial = 8;
    pair_good(&p);
    pair_check(&p, &e);
    assert_one(&p.rep, 0, "serial_drift");
    assert_one(&p.rep, 1, "serial_drift");
    assert_non_null(strstr(p.rep.servers[0].problems[0].message, "current serial is 8"));
    dns_live_report_clear(&p.rep);
}

static void test_child_serving_another_address_is_glue_mismatch(void **state)
{
    pair_t p;
    dns_live_expect_t e = expect();
    pair_good(&p);
    p.sv[1].glue_answers[0].n_items = 0;
    dns_answer_add_item(&p.sv[1].glue_answers[0], "192.0.2.9");
    pair_check(&p, &e);
    assert_int_equal(p.rep.servers[0].n_problems, 0);
    assert_one(&p.rep, 1, "glue_mismatch");
    const char *m = p.rep.servers[1].problems[0].message;
    assert_non_null(strstr(m, "{192.0.2.1}"));
    assert_non_null(strstr(m, "{192.0.2.9}"));
    dns_live_report_clear(&p.rep);
}

static void test_glue_family_absent_from_glue_is_not_compared(void **state)
{
    pair_t p;
    dns_live_expect_t e = expect();
    pair_good(&p);
    /* ns1 has no AAAA glue; the child serving one is fine */
    dns_answer_add_item(&p.sv[0].glue_answers[1], "2001:db8::1");
    /* the child serving no AAAA for ns2, which has AAAA glue, is not */
    p.sv[0].glue_answers[3].n_items = 0;
    pair_check(&p, &e);
    assert_one(&p.rep, 0, "glue_mismatch");
    assert_non_null(strstr(p.rep.servers[0].problems[0].message, "no AAAA record"));
    dns_live_report_clear(&p.rep);
}

static void test_failed_queries_are_timeout_unreachable_and_bad_reply(void **state)
{
    pair_t p;
    dns_live_expect_t e = expect();
    pair_good(&p);
    dns_answer_fail(&p.sv[0].s.soa, DNS_ANSWER_TIMEOUT, "no answer within 1000 ms");
    dns_answer_fail(&p.sv[0].s.ns_set, DNS_ANSWER_DEADLINE, "the check's deadline passed");
    dns_answer_fail(&p.sv[1].s.soa, DNS_ANSWER_GARBAGE, "a reply that is not a DNS message");
    pair_check(&p, &e);
    assert_one(&p.rep, 0, "timeout");
    assert_non_null(strstr(p.rep.servers[0].problems[0].message, "SOA"));
    assert_one(&p.rep, 1, "bad_reply");
    dns_live_report_clear(&p.rep);

    pair_good(&p);
    dns_answer_fail(&p.sv[1].s.soa, DNS_ANSWER_UNREACHABLE, "port unreachable");
    dns_answer_fail(&p.sv[1].s.ns_set, DNS_ANSWER_UNREACHABLE, "port unreachable");
    pair_check(&p, &e);
    assert_one(&p.rep, 1, "unreachable");
    dns_live_report_clear(&p.rep);
}

static void unreached_check(dns_live_unreached_t *t, const char *code, const char *words)
{
    dns_live_report_t rep;
    dnsapi_err_t err;
    dns_live_expect_t e = expect();
    assert_int_equal(dns_live_check(&e, NULL, 0, t, 1, &rep, &err), DNSAPI_OK);
    assert_false(rep.ok);
    assert_int_equal(rep.n_unreached, 1);
    assert_string_equal(rep.unreached[0].problem.code, code);
    if (strstr(rep.unreached[0].problem.message, words) == NULL) {
        fail_msg("'%s' does not say '%s'", rep.unreached[0].problem.message, words);
    }
    dns_live_report_clear(&rep);
}

static void test_targets_without_an_address_say_why(void **state)
{
    dns_live_unreached_t t;
    memset(&t, 0, sizeof(t));
    t.ns = NS1;
    t.where = DNS_NS_BELOW_CUT;
    dns_answer_init(&t.a, NS1, "A");
    dns_answer_init(&t.aaaa, NS1, "AAAA");
    unreached_check(&t, "no_address", "no glue");

    t.ns = "ns1.example.net.";
    t.where = DNS_NS_OUT_OF_ZONE;
    unreached_check(&t, "no_resolver", "DNSAPI_RESOLVER");

    t.have_resolver = true;
    dns_answer_fail(&t.a, DNS_ANSWER_TIMEOUT, "no answer within 1000 ms");
    dns_answer_fail(&t.aaaa, DNS_ANSWER_TIMEOUT, "no answer within 1000 ms");
    unreached_check(&t, "resolver_error", "1000 ms");

    answer_ok(&t.a, "ns1.example.net.", "A");
    t.a.aa = false;
    t.a.rcode = 3;
    answer_ok(&t.aaaa, "ns1.example.net.", "AAAA");
    t.aaaa.rcode = 3;
    unreached_check(&t, "no_address", "NXDOMAIN");
}

static void test_resolved_addresses_come_from_noerror_answers(void **state)
{
    dns_live_unreached_t t;
    char out[4][DNS_ADDR_BUFSIZE];
    memset(&t, 0, sizeof(t));
    answer_ok(&t.a, "ns1.example.net.", "A");
    dns_answer_add_item(&t.a, "192.0.2.5");
    answer_ok(&t.aaaa, "ns1.example.net.", "AAAA");
    t.aaaa.rcode = 2;
    dns_answer_add_item(&t.aaaa, "2001:db8::5");
    assert_int_equal(dns_live_resolved_addresses(&t, out, 4), 1);
    assert_string_equal(out[0], "192.0.2.5");
}

/* ---- the zone's own delegation ---- */

#define ZONE "example.test."

static const char *const apex[] = {"ns1.example.test.", "ns2.example.test."};

typedef struct {
    dns_answer_t probe, pns;
    dns_live_parent_server_t parent_servers[1];
    dns_live_parent_t parent;
    dns_live_expect_t own;
    dns_live_zone_report_t rep;
} zone_case_t;

static void zone_good(zone_case_t *z)
{
    memset(z, 0, sizeof(*z));
    answer_ok(&z->probe, "test.", "SOA");
    z->probe.has_soa = true;
    snprintf(z->probe.soa_owner, sizeof(z->probe.soa_owner), "test.");
    answer_ok(&z->pns, "test.", "NS");
    z->pns.aa = false;
    dns_answer_add_item(&z->pns, "ns.test.");
    z->parent_servers[0].ns = "ns.test.";
    snprintf(z->parent_servers[0].address, sizeof(z->parent_servers[0].address), "127.0.0.30");
    answer_ok(&z->parent_servers[0].referral, ZONE, "NS");
    z->parent_servers[0].referral.aa = false;
    z->parent_servers[0].referral.referral = true;
    dns_answer_add_item(&z->parent_servers[0].referral, "ns1.example.test.");
    dns_answer_add_item(&z->parent_servers[0].referral, "ns2.example.test.");
    z->parent = (dns_live_parent_t){true, &z->probe, &z->pns, z->parent_servers, 1};
    z->own = (dns_live_expect_t){ZONE, apex, 2, NULL, 0, true, 5};
}

static void zone_check(zone_case_t *z)
{
    dnsapi_err_t err;
    assert_int_equal(dns_live_check_zone(&z->own, &z->parent, NULL, 0, NULL, 0, &z->rep, &err),
                     DNSAPI_OK);
}

static void test_zone_delegated_as_its_apex_says_is_ok(void **state)
{
    zone_case_t z;
    zone_good(&z);
    zone_check(&z);
    assert_string_equal(z.rep.parent, "test.");
    assert_int_equal(z.rep.n_parents, 1);
    assert_true(z.rep.parents[0].delegated);
    assert_int_equal(z.rep.parents[0].n_problems, 0);
    assert_true(z.rep.ok);
    dns_live_zone_report_clear(&z.rep);
}

static void test_registrar_with_other_servers_is_parent_ns_mismatch(void **state)
{
    zone_case_t z;
    zone_good(&z);
    z.parent_servers[0].referral.n_items = 0;
    dns_answer_add_item(&z.parent_servers[0].referral, "ns1.example.test.");
    dns_answer_add_item(&z.parent_servers[0].referral, "old-ns.provider.test.");
    zone_check(&z);
    assert_false(z.rep.ok);
    assert_int_equal(z.rep.parents[0].n_problems, 1);
    assert_string_equal(z.rep.parents[0].problems[0].code, "parent_ns_mismatch");
    assert_non_null(strstr(z.rep.parents[0].problems[0].message, "old-ns.provider.test."));
    assert_non_null(strstr(z.rep.parents[0].problems[0].message, "ns2.example.test."));
    dns_live_zone_report_clear(&z.rep);
}

static void test_parent_without_delegation_is_not_delegated(void **state)
{
    zone_case_t z;
    zone_good(&z);
    z.parent_servers[0].referral.n_items = 0;
    z.parent_servers[0].referral.aa = true;
    z.parent_servers[0].referral.rcode = 3;
    zone_check(&z);
    assert_string_equal(z.rep.parents[0].problems[0].code, "not_delegated");
    assert_false(z.rep.ok);
    dns_live_zone_report_clear(&z.rep);
}

static void test_no_resolver_and_no_parent_are_zone_problems(void **state)
{
    zone_case_t z;
    zone_good(&z);
    z.parent.have_resolver = false;
    zone_check(&z);
    assert_int_equal(z.rep.n_problems, 1);
    assert_string_equal(z.rep.problems[0].code, "no_resolver");
    assert_false(z.rep.ok);
    dns_live_zone_report_clear(&z.rep);

    zone_good(&z);
    dns_answer_fail(&z.probe, DNS_ANSWER_TIMEOUT, "no answer within 1000 ms");
    zone_check(&z);
    assert_string_equal(z.rep.problems[0].code, "parent_not_found");
    dns_live_zone_report_clear(&z.rep);

    /* an SOA of the zone itself is not its parent */
    zone_good(&z);
    snprintf(z.probe.soa_owner, sizeof(z.probe.soa_owner), "%s", ZONE);
    zone_check(&z);
    assert_string_equal(z.rep.problems[0].code, "parent_not_found");
    dns_live_zone_report_clear(&z.rep);
}

static void test_parent_probe_name_drops_the_first_label(void **state)
{
    assert_string_equal(dns_live_parent_probe_name("example.test."), "test.");
    assert_string_equal(dns_live_parent_probe_name("test."), ".");
    assert_string_equal(dns_live_parent_probe_name("a.b.example.test."), "b.example.test.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correct_delegation_is_ok),
        cmocka_unit_test(test_refused_is_lame_and_hides_the_rest),
        cmocka_unit_test(test_answer_without_authority_is_lame),
        cmocka_unit_test(test_other_ns_set_is_ns_mismatch_naming_both_sets),
        cmocka_unit_test(test_older_serial_is_serial_drift_across_servers),
        cmocka_unit_test(test_expected_serial_is_what_every_server_must_serve),
        cmocka_unit_test(test_child_serving_another_address_is_glue_mismatch),
        cmocka_unit_test(test_glue_family_absent_from_glue_is_not_compared),
        cmocka_unit_test(test_failed_queries_are_timeout_unreachable_and_bad_reply),
        cmocka_unit_test(test_targets_without_an_address_say_why),
        cmocka_unit_test(test_resolved_addresses_come_from_noerror_answers),
        cmocka_unit_test(test_zone_delegated_as_its_apex_says_is_ok),
        cmocka_unit_test(test_registrar_with_other_servers_is_parent_ns_mismatch),
        cmocka_unit_test(test_parent_without_delegation_is_not_delegated),
        cmocka_unit_test(test_no_resolver_and_no_parent_are_zone_problems),
        cmocka_unit_test(test_parent_probe_name_drops_the_first_label),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
