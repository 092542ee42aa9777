/* Unit tests for dns/delegation.c: the static analysis of delegations.
 *
 * Fixtures in tests/unit/delegation_data/ are named after the one problem
 * code they must produce (correct.zone: none), as Knot's semantic-check
 * data are; each line is "name ttl type content" relative to example.com.,
 * normalized through dns_name_normalize and dns_rdata_normalize as storage
 * would store it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/delegation.h"

#define ZONE "example.com."
#define MAX_RRS 64

typedef struct {
    dns_zone_rr_t rrs[MAX_RRS];
    char names[MAX_RRS][DNS_NAME_BUFSIZE];
    char types[MAX_RRS][16];
    char contents[MAX_RRS][512];
    size_t n;
} fixture_t;

static void fixture_add(fixture_t *f, const char *name, uint32_t ttl, const char *type,
                        const char *content)
{
    dnsapi_err_t err;
    int priority = -1;
    assert_true(f->n < MAX_RRS);
    size_t i = f->n;
    if (dns_name_normalize(ZONE, name, f->names[i], sizeof(f->names[i]), &err) != DNSAPI_OK) {
        fail_msg("fixture name %s: %s", name, err.message);
    }
    if (dns_type_normalize(type, f->types[i], sizeof(f->types[i]), &err) != DNSAPI_OK) {
        fail_msg("fixture type %s: %s", type, err.message);
    }
    if (dns_rdata_normalize(ZONE, f->types[i], content, -1, f->contents[i], sizeof(f->contents[i]),
                            &priority, &err) != DNSAPI_OK) {
        fail_msg("fixture content %s %s: %s", type, content, err.message);
    }
    f->rrs[i] = (dns_zone_rr_t){f->names[i], f->types[i], f->contents[i], ttl, priority, NULL};
    f->n++;
}

static void fixture_load(fixture_t *f, const char *file)
{
    char path[1024];
    const char *src = getenv("DNSAPI_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/tests/unit/delegation_data/%s", src ? src : ".", file);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fail_msg("cannot open %s (set DNSAPI_SOURCE_DIR)", path);
    }
    memset(f, 0, sizeof(*f));
    char line[1024];
    while (fgets(line, sizeof(line), fp) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char name[256], type[16];
        unsigned ttl;
        int used = 0;
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        if (sscanf(line, "%255s %u %15s %n", name, &ttl, type, &used) != 3 || used == 0) {
            fail_msg("%s: cannot read line '%s'", file, line);
        }
        fixture_add(f, name, ttl, type, line + used);
    }
    fclose(fp);
}

static void analyze(fixture_t *f, dns_delegations_t *d)
{
    dnsapi_err_t err;
    assert_int_equal(dns_delegations_analyze(ZONE, f->rrs, f->n, d, &err), DNSAPI_OK);
}

/* Every problem of every delegation has code want (or there are none when
 * want is NULL), and at least one has it. */
static void assert_only_problem(const dns_delegations_t *d, const char *want, const char *file)
{
    size_t seen = 0;
    for (size_t i = 0; i < d->n; i++) {
        for (size_t j = 0; j < d->v[i].n_problems; j++) {
            const dns_deleg_problem_t *p = &d->v[i].problems[j];
            if (want == NULL || strcmp(p->code, want) != 0) {
                fail_msg("%s: %s has problem %s (%s)", file, d->v[i].name, p->code, p->message);
            }
            assert_true(strlen(p->message) > 40);
            assert_true(p->subject[0] != '\0');
            seen++;
        }
    }
    if (want != NULL && seen == 0) {
        fail_msg("%s: no %s problem", file, want);
    }
}

static void check_fixture(const char *code)
{
    char file[64];
    fixture_t f;
    dns_delegations_t d;
    snprintf(file, sizeof(file), "%s.zone", code != NULL ? code : "correct");
    fixture_load(&f, file);
    analyze(&f, &d);
    assert_true(d.n >= 1);
    assert_only_problem(&d, code, file);
    dns_delegations_clear(&d);
}

static void test_fixture_correct_has_no_problem(void **state)
{
    check_fixture(NULL);
}

static void test_fixture_single_ns(void **state)
{
    check_fixture("single_ns");
}

static void test_fixture_ns_ttl_mismatch(void **state)
{
    check_fixture("ns_ttl_mismatch");
}

static void test_fixture_ns_target_is_address(void **state)
{
    check_fixture("ns_target_is_address");
}

static void test_fixture_ns_target_is_cname(void **state)
{
    check_fixture("ns_target_is_cname");
}

static void test_fixture_missing_glue(void **state)
{
    check_fixture("missing_glue");
}

static void test_fixture_ns_target_no_address(void **state)
{
    check_fixture("ns_target_no_address");
}

static void test_fixture_glue_not_needed(void **state)
{
    check_fixture("glue_not_needed");
}

static void test_fixture_occluded(void **state)
{
    check_fixture("occluded");
}

/* ---- the shape of the result ---- */

static const dns_deleg_target_t *target_of(const dns_delegation_t *d, const char *name)
{
    for (size_t i = 0; i < d->n_targets; i++) {
        if (strcmp(d->targets[i].ns->content, name) == 0) {
            return &d->targets[i];
        }
    }
    fail_msg("%s has no target %s", d->name, name);
    return NULL;
}

static void test_correct_zone_lists_delegations_in_dns_order_with_their_parts(void **state)
{
    fixture_t f;
    dns_delegations_t d;
    fixture_load(&f, "correct.zone");
    analyze(&f, &d);
    assert_int_equal(d.n, 3);
    assert_string_equal(d.v[0].name, "aws.example.com.");
    assert_string_equal(d.v[1].name, "dev.example.com.");
    assert_string_equal(d.v[2].name, "lab.example.com.");

    const dns_delegation_t *aws = &d.v[0];
    assert_int_equal(aws->n_targets, 4);
    assert_int_equal(aws->ttl, 86400);
    for (size_t i = 0; i < aws->n_targets; i++) {
        assert_int_equal(aws->targets[i].where, DNS_NS_OUT_OF_ZONE);
        assert_int_equal(aws->targets[i].n_addrs, 0);
    }
    /* content order */
    assert_string_equal(aws->targets[0].ns->content, "ns-012.awsdns-78.co.uk.");

    const dns_delegation_t *dev = &d.v[1];
    assert_int_equal(dev->n_ds, 1);
    assert_string_equal(dev->ds[0]->type, "DS");
    const dns_deleg_target_t *ns2 = target_of(dev, "ns2.dev.example.com.");
    assert_int_equal(ns2->where, DNS_NS_BELOW_CUT);
    assert_int_equal(ns2->n_addrs, 2);
    assert_string_equal(ns2->addrs[0]->type, "A");
    assert_string_equal(ns2->addrs[1]->type, "AAAA");
    assert_int_equal(dev->n_glue, 4);
    assert_int_equal(dev->n_occluded, 0);
    for (size_t i = 0; i < dev->n_glue; i++) {
        const char *owner = dev->glue[i].rr->name;
        dns_glue_use_t want =
            strcmp(owner, "ns3.dev.example.com.") == 0 ? DNS_GLUE_SIBLING : DNS_GLUE_USED;
        assert_int_equal(dev->glue[i].use, want);
    }

    const dns_delegation_t *lab = &d.v[2];
    const dns_deleg_target_t *sib = target_of(lab, "ns3.dev.example.com.");
    assert_int_equal(sib->where, DNS_NS_SIBLING);
    assert_int_equal(sib->n_addrs, 1);
    assert_string_equal(sib->addrs[0]->content, "192.0.2.3");
    const dns_deleg_target_t *own = target_of(lab, "ns.example.com.");
    assert_int_equal(own->where, DNS_NS_IN_ZONE);
    assert_int_equal(own->n_addrs, 1);
    assert_int_equal(lab->n_glue, 0);
    dns_delegations_clear(&d);
}

static void test_input_order_does_not_change_the_result(void **state)
{
    fixture_t f, g;
    dns_delegations_t a, b;
    fixture_load(&f, "correct.zone");
    fixture_load(&g, "correct.zone");
    /* g's records reversed: the pointers change, the analysis must not */
    for (size_t i = 0; i < g.n / 2; i++) {
        dns_zone_rr_t t = g.rrs[i];
        g.rrs[i] = g.rrs[g.n - 1 - i];
        g.rrs[g.n - 1 - i] = t;
    }
    analyze(&f, &a);
    analyze(&g, &b);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_string_equal(a.v[i].name, b.v[i].name);
        assert_int_equal(a.v[i].n_targets, b.v[i].n_targets);
        assert_int_equal(a.v[i].n_glue, b.v[i].n_glue);
        for (size_t j = 0; j < a.v[i].n_targets; j++) {
            assert_string_equal(a.v[i].targets[j].ns->content, b.v[i].targets[j].ns->content);
        }
        for (size_t j = 0; j < a.v[i].n_glue; j++) {
            assert_string_equal(a.v[i].glue[j].rr->name, b.v[i].glue[j].rr->name);
            assert_string_equal(a.v[i].glue[j].rr->content, b.v[i].glue[j].rr->content);
        }
    }
    /* records already in DNS order (as storage lists them) skip the sort */
    dns_zone_rr_t in_order[MAX_RRS];
    for (size_t i = 0; i < f.n; i++) {
        in_order[i] = *a.sorted[i];
    }
    dns_delegations_t c;
    dnsapi_err_t err;
    assert_int_equal(dns_delegations_analyze(ZONE, in_order, f.n, &c, &err), DNSAPI_OK);
    assert_int_equal(a.n, c.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_string_equal(a.v[i].name, c.v[i].name);
        assert_int_equal(a.v[i].n_glue, c.v[i].n_glue);
        assert_int_equal(a.v[i].n_problems, c.v[i].n_problems);
        for (size_t j = 0; j < a.v[i].n_targets; j++) {
            assert_string_equal(a.v[i].targets[j].ns->content, c.v[i].targets[j].ns->content);
            assert_int_equal(a.v[i].targets[j].n_addrs, c.v[i].targets[j].n_addrs);
        }
    }
    dns_delegations_clear(&c);
    dns_delegations_clear(&a);
    dns_delegations_clear(&b);
}

static void test_missing_glue_names_the_target_and_keeps_the_present_glue(void **state)
{
    fixture_t f;
    dns_delegations_t d;
    fixture_load(&f, "missing_glue.zone");
    analyze(&f, &d);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.v[0].n_problems, 1);
    assert_string_equal(d.v[0].problems[0].subject, "ns1.sub.example.com.");
    assert_non_null(strstr(d.v[0].problems[0].message, "sub.example.com."));
    assert_int_equal(target_of(&d.v[0], "ns2.sub.example.com.")->n_addrs, 1);
    assert_int_equal(target_of(&d.v[0], "ns1.sub.example.com.")->n_addrs, 0);
    dns_delegations_clear(&d);
}

static void test_occluded_counts_the_hidden_records_and_nested_ns_is_not_a_delegation(void **state)
{
    fixture_t f;
    dns_delegations_t d;
    fixture_load(&f, "occluded.zone");
    fixture_add(&f, "deeper.sub", 86400, "NS", "ns1.elsewhere.net.");
    fixture_add(&f, "deeper.sub", 86400, "NS", "ns2.elsewhere.net.");
    analyze(&f, &d);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].name, "sub.example.com.");
    assert_int_equal(d.v[0].n_occluded, 4);
    /* DNS order: the cut's MX first, then the names below it */
    assert_string_equal(d.v[0].occluded[0]->type, "MX");
    assert_string_equal(d.v[0].occluded[1]->name, "deeper.sub.example.com.");
    assert_int_equal(d.v[0].n_problems, 1);
    assert_string_equal(d.v[0].problems[0].code, "occluded");
    assert_non_null(strstr(d.v[0].problems[0].message, "4 records"));
    assert_null(dns_delegations_find(&d, "deeper.sub.example.com."));
    dns_delegations_clear(&d);
}

static void test_problems_come_in_the_documented_order(void **state)
{
    fixture_t f;
    dns_delegations_t d;
    memset(&f, 0, sizeof(f));
    fixture_add(&f, "sub", 300, "NS", "ns1.sub.example.com.");
    fixture_add(&f, "old.sub", 300, "A", "192.0.2.9");
    fixture_add(&f, "www.sub", 300, "A", "192.0.2.10");
    fixture_add(&f, "www.sub", 300, "TXT", "x");
    analyze(&f, &d);
    assert_int_equal(d.n, 1);
    const char *want[] = {"single_ns", "missing_glue", "glue_not_needed", "glue_not_needed",
                          "occluded"};
    assert_int_equal(d.v[0].n_problems, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(d.v[0].problems[i].code, want[i]);
    }
    assert_string_equal(d.v[0].problems[2].subject, "old.sub.example.com.");
    assert_string_equal(d.v[0].problems[3].subject, "www.sub.example.com.");
    dns_delegations_clear(&d);
}

static void test_apex_ns_is_no_delegation_and_targets_below_a_cut_keep_their_glue(void **state)
{
    fixture_t f;
    dns_delegations_t d;
    memset(&f, 0, sizeof(f));
    /* the apex names a server below a cut: that glue is needed (sibling) */
    fixture_add(&f, "@", 86400, "NS", "ns.sub.example.com.");
    fixture_add(&f, "@", 86400, "NS", "ns2.provider.net.");
    fixture_add(&f, "sub", 86400, "NS", "ns1.provider.net.");
    fixture_add(&f, "sub", 86400, "NS", "ns2.provider.net.");
    fixture_add(&f, "ns.sub", 3600, "A", "192.0.2.1");
    analyze(&f, &d);
    assert_int_equal(d.n, 1);
    assert_null(dns_delegations_find(&d, ZONE));
    assert_int_equal(d.v[0].n_glue, 1);
    assert_int_equal(d.v[0].glue[0].use, DNS_GLUE_SIBLING);
    assert_int_equal(d.v[0].n_problems, 0);
    dns_delegations_clear(&d);
}

static void test_records_outside_the_zone_and_an_empty_zone(void **state)
{
    fixture_t f;
    dns_delegations_t d;
    dnsapi_err_t err;
    memset(&f, 0, sizeof(f));
    assert_int_equal(dns_delegations_analyze(ZONE, f.rrs, 0, &d, &err), DNSAPI_OK);
    assert_int_equal(d.n, 0);
    dns_delegations_clear(&d);
    f.rrs[0] = (dns_zone_rr_t){"sub.example.net.", "NS", "ns1.example.net.", 300, -1, NULL};
    assert_int_equal(dns_delegations_analyze(ZONE, f.rrs, 1, &d, &err), DNSAPI_OK);
    assert_int_equal(d.n, 0);
    dns_delegations_clear(&d);
}

static void test_find_and_after_page_by_name(void **state)
{
    fixture_t f;
    dns_delegations_t d;
    fixture_load(&f, "correct.zone");
    analyze(&f, &d);
    assert_ptr_equal(dns_delegations_find(&d, "dev.example.com."), &d.v[1]);
    assert_null(dns_delegations_find(&d, "www.example.com."));
    assert_null(dns_delegations_find(&d, "ns1.dev.example.com."));
    assert_int_equal(dns_delegations_after(&d, "aws.example.com."), 1);
    assert_int_equal(dns_delegations_after(&d, "b.example.com."), 1);
    assert_int_equal(dns_delegations_after(&d, "lab.example.com."), 3);
    assert_int_equal(dns_delegations_after(&d, ZONE), 0);
    dns_delegations_clear(&d);
}

static void test_canonical_order_compares_labels_from_the_root(void **state)
{
    /* from RFC 4034 section 6.1's example, without the escaped labels */
    const char *mine[] = {"example.",     "a.example.",      "yljkjljk.a.example.",
                          "Z.a.example.", "zABC.a.EXAMPLE.", "z.example."};
    for (size_t i = 0; i + 1 < sizeof(mine) / sizeof(*mine); i++) {
        if (dns_name_canonical_compare(mine[i], mine[i + 1]) >= 0) {
            fail_msg("%s should sort before %s", mine[i], mine[i + 1]);
        }
        assert_true(dns_name_canonical_compare(mine[i + 1], mine[i]) > 0);
    }
    assert_int_equal(dns_name_canonical_compare("A.Example.", "a.example."), 0);
    assert_int_equal(dns_name_canonical_compare("a.example", "a.example."), 0);
    assert_true(dns_name_canonical_compare(".", "com.") < 0);
    assert_true(dns_name_canonical_compare("b.com.", "a.b.com.") < 0);
    assert_true(dns_name_canonical_compare("ab.com.", "b.com.") < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_correct_has_no_problem),
        cmocka_unit_test(test_fixture_single_ns),
        cmocka_unit_test(test_fixture_ns_ttl_mismatch),
        cmocka_unit_test(test_fixture_ns_target_is_address),
        cmocka_unit_test(test_fixture_ns_target_is_cname),
        cmocka_unit_test(test_fixture_missing_glue),
        cmocka_unit_test(test_fixture_ns_target_no_address),
        cmocka_unit_test(test_fixture_glue_not_needed),
        cmocka_unit_test(test_fixture_occluded),
        cmocka_unit_test(test_correct_zone_lists_delegations_in_dns_order_with_their_parts),
        cmocka_unit_test(test_input_order_does_not_change_the_result),
        cmocka_unit_test(test_missing_glue_names_the_target_and_keeps_the_present_glue),
        cmocka_unit_test(test_occluded_counts_the_hidden_records_and_nested_ns_is_not_a_delegation),
        cmocka_unit_test(test_problems_come_in_the_documented_order),
        cmocka_unit_test(test_apex_ns_is_no_delegation_and_targets_below_a_cut_keep_their_glue),
        cmocka_unit_test(test_records_outside_the_zone_and_an_empty_zone),
        cmocka_unit_test(test_find_and_after_page_by_name),
        cmocka_unit_test(test_canonical_order_compares_labels_from_the_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
