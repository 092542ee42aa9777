/*
 * Unit tests: a change of a zone's name servers (dns/nameservers.c) and the
 * rules that judge it (dns/rules.c): the operations it makes from the
 * stored apex, and each refusal, on views loaded the way storage loads
 * them (the apex, then what dns_change_interest asks for).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/changeview.h"
#include "dns/change.h"

#define ZONE "example.com."

static const dns_record_t stored[] = {
    {"00000000-0000-0000-0000-000000000001", ZONE, "SOA",
     "ns1.dnsapi.test. hostmaster.dnsapi.test. 1 10800 3600 1209600 3600", 3600, -1, false, true,
     NULL, NULL, NULL, NULL},
    {"00000000-0000-0000-0000-000000000002", ZONE, "NS", "ns1.dnsapi.test.", 86400, -1, false, true,
     NULL, NULL, NULL, NULL},
    {"00000000-0000-0000-0000-000000000003", ZONE, "NS", "ns2.dnsapi.test.", 86400, -1, false, true,
     NULL, NULL, NULL, NULL},
    {"00000000-0000-0000-0000-000000000004", "alias.example.com.", "CNAME", "host.other.test.", 300,
     -1, false, false, NULL, NULL, NULL, NULL},
    {"00000000-0000-0000-0000-000000000005", "ns3.example.com.", "A", "192.0.2.3", 300, -1, false,
     false, NULL, NULL, NULL, NULL},
};
#define N_STORED (sizeof(stored) / sizeof(stored[0]))

typedef struct {
    char code[40]; /* the first error's code, or "ok" */
    size_t deletes, posts;
    char mname_first[64];
} outcome_t;

/* Adds the stored records at the names of in (as storage would). */
static void load(dns_view_t *v, const dns_interest_t *in)
{
    for (size_t i = 0; i < N_STORED; i++) {
        if (dns_names_has(&in->at, stored[i].name) ||
            (strcmp(stored[i].type, "NS") == 0 &&
             dns_names_has(&in->pointing, stored[i].content))) {
            assert_int_equal(dns_view_add(v, &stored[i]), DNSAPI_OK);
        }
    }
    assert_int_equal(dns_view_covered(v, in, false), DNSAPI_OK);
}

static void load_more(void *ctx, dns_view_t *v, const dns_change_t *c, const dns_interest_t *in)
{
    (void)ctx, (void)c;
    load(v, in);
}

/* A post of a record read from fields, as the endpoints make them. */
static void add_post(dns_change_t *c, const char *list, size_t i, const char *name,
                     const char *type, const char *content)
{
    dns_op_t *op = dns_change_add(c, DNS_OP_POST, list, i);
    op->fields = (dns_fields_t){.name = name, .type = type, .content = content};
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    assert_int_equal(
        dns_record_from_fields(ZONE, &op->fields, &c->arena, &op->rec, &op->warnings, &err),
        DNSAPI_OK);
}

/* names as a name-server change of ZONE, with glue posts (name, type,
 * content triples, NULL-terminated). */
static outcome_t change(const char *const *names, size_t n, const char *const *glue)
{
    outcome_t out;
    memset(&out, 0, sizeof(out));
    dns_change_t c;
    assert_int_equal(dns_change_init(&c, ZONE), DNSAPI_OK);
    dns_report_t rep;
    dns_report_init(&rep, 4);
    for (size_t i = 0; glue != NULL && glue[3 * i] != NULL; i++) {
        add_post(&c, "glue", i, glue[3 * i], glue[3 * i + 1], glue[3 * i + 2]);
    }
    dns_view_t *v = dns_view_new(ZONE);
    /* the first round: the apex */
    dns_interest_t in = {{0}, {0}, {0}};
    assert_int_equal(dns_names_add(&in.at, &c.arena, ZONE), DNSAPI_OK);
    load(v, &in);
    dns_interest_clear(&in);
    const dns_record_t *const *rows;
    size_t n_rows = dns_view_stored(v, &rows);
    int rc = dns_change_nameservers(&c, names, n, rows, n_rows, &rep);
    assert_true(rc == DNSAPI_OK || dns_report_failed(&rep));
    if (!dns_report_failed(&rep)) {
        changeview_settle(v, &c, &rep, load_more, NULL);
    }
    snprintf(out.code, sizeof(out.code), "%s",
             dns_report_failed(&rep) ? rep.errors[0].err.code : "ok");
    out.deletes = dns_change_count(&c, DNS_OP_DELETE);
    out.posts = dns_change_count(&c, DNS_OP_POST);
    if (c.n_apex_ns > 0) {
        snprintf(out.mname_first, sizeof(out.mname_first), "%s", c.apex_ns[0]);
    }
    dns_report_clear(&rep);
    dns_view_free(v);
    dns_change_clear(&c);
    return out;
}

#define NAMES(...)                                                                                 \
    (const char *const[]){__VA_ARGS__},                                                            \
        sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

/* The stored pair out, two new records in, first the MNAME. */
static void assert_replaced(const outcome_t *o, const char *first)
{
    assert_string_equal(o->code, "ok");
    assert_int_equal(o->deletes, 2);
    assert_int_equal(o->posts, 2);
    assert_string_equal(o->mname_first, first);
}

static void test_new_set_replaces_the_stored_one(void **state)
{
    (void)state;
    outcome_t o = change(NAMES("NS-A.Provider.test", "ns-b.other.test."), NULL);
    assert_replaced(&o, "ns-a.provider.test.");
    /* the same names in another order: the MNAME changes */
    o = change(NAMES("ns2.dnsapi.test", "ns1.dnsapi.test"), NULL);
    assert_replaced(&o, "ns2.dnsapi.test.");
}

static void test_same_set_and_first_changes_nothing(void **state)
{
    (void)state;
    outcome_t o = change(NAMES("ns1.dnsapi.test", "ns2.dnsapi.test."), NULL);
    assert_string_equal(o.code, "ok");
    assert_int_equal(o.deletes + o.posts, 0);
}

static void test_one_name_server_is_too_few(void **state)
{
    (void)state;
    assert_string_equal(change(NAMES("ns1.other.test"), NULL).code, "too_few_nameservers");
    assert_string_equal(change(NULL, 0, NULL).code, "too_few_nameservers");
}

static void test_an_address_is_refused(void **state)
{
    (void)state;
    assert_string_equal(change(NAMES("192.0.2.1", "ns2.other.test"), NULL).code, "bad_rdata");
    assert_string_equal(change(NAMES("ns1.other.test", "2001:db8::1"), NULL).code, "bad_rdata");
}

static void test_a_cname_in_the_zone_is_refused(void **state)
{
    (void)state;
    assert_string_equal(change(NAMES("alias.example.com", "ns2.other.test"), NULL).code,
                        "ns_target_is_cname");
}

static void test_a_name_twice_is_a_duplicate(void **state)
{
    (void)state;
    assert_string_equal(change(NAMES("ns1.other.test", "NS1.other.test."), NULL).code, "duplicate");
}

static void test_in_zone_name_server_needs_glue(void **state)
{
    (void)state;
    assert_string_equal(change(NAMES("ns1.example.com", "ns2.other.test"), NULL).code,
                        "missing_glue");
    const char *const glue[] = {"ns1", "A", "192.0.2.1", NULL};
    assert_string_equal(change(NAMES("ns1.example.com", "ns2.other.test"), glue).code, "ok");
    /* glue already in the zone */
    assert_string_equal(change(NAMES("ns3.example.com", "ns2.other.test"), NULL).code, "ok");
}

static void test_apex_ns_outside_a_name_server_change_stays_a_system_record(void **state)
{
    (void)state;
    dns_change_t c;
    assert_int_equal(dns_change_init(&c, ZONE), DNSAPI_OK);
    add_post(&c, NULL, 0, "@", "NS", "ns9.other.test.");
    dns_view_t *v = dns_view_new(ZONE);
    dns_interest_t in = {{0}, {0}, {0}};
    assert_int_equal(dns_change_interest(&c, NULL, &in), DNSAPI_OK);
    load(v, &in);
    dns_interest_clear(&in);
    dns_report_t rep;
    dns_report_init(&rep, 1);
    changeview_settle(v, &c, &rep, load_more, NULL);
    assert_true(dns_report_failed(&rep));
    assert_string_equal(rep.errors[0].err.code, "system_record");
    dns_report_clear(&rep);
    dns_view_free(v);
    dns_change_clear(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_set_replaces_the_stored_one),
        cmocka_unit_test(test_same_set_and_first_changes_nothing),
        cmocka_unit_test(test_one_name_server_is_too_few),
        cmocka_unit_test(test_an_address_is_refused),
        cmocka_unit_test(test_a_cname_in_the_zone_is_refused),
        cmocka_unit_test(test_a_name_twice_is_a_duplicate),
        cmocka_unit_test(test_in_zone_name_server_needs_glue),
        cmocka_unit_test(test_apex_ns_outside_a_name_server_change_stays_a_system_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
