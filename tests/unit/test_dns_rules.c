/* Unit tests for dns/rules.c: system records, TTLs, RRsets, CNAME
 * exclusivity, NS targets and warnings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns.h"

#define ZONE "example.com."

static dns_rr_t rr(const char *name, const char *type, const char *content, uint32_t ttl)
{
    dns_rr_t r = {name, type, content, ttl, -1};
    return r;
}

static dns_rr_t rr_p(const char *name, const char *type, const char *content, uint32_t ttl,
                     int priority)
{
    dns_rr_t r = {name, type, content, ttl, priority};
    return r;
}

static void assert_err(int rc, const dnsapi_err_t *err, int status, const char *code)
{
    if (rc != status || strcmp(err->code, code) != 0) {
        fail_msg("got %d %s (%s), want %d %s", rc, err->code, err->message, status, code);
    }
    assert_true(strlen(err->message) > 10);
}

/* ---- system records ---- */

static void test_soa_is_a_system_record(void **state)
{
    dnsapi_err_t err;
    int rc = dns_rules_check_system(ZONE, ZONE, "SOA", &err);
    assert_err(rc, &err, DNSAPI_ESYSTEM, "system_record");
    rc = dns_rules_check_system(ZONE, "www.example.com.", "soa", &err);
    assert_err(rc, &err, DNSAPI_ESYSTEM, "system_record");
}

static void test_apex_ns_is_a_system_record_and_message_allows_subdomains(void **state)
{
    dnsapi_err_t err;
    int rc = dns_rules_check_system(ZONE, ZONE, "NS", &err);
    assert_err(rc, &err, DNSAPI_ESYSTEM, "system_record");
    assert_non_null(strstr(err.message, "managed by dnsapi"));
    assert_non_null(strstr(err.message, "NS records for subdomains"));
}

static void test_subdomain_ns_is_allowed(void **state)
{
    dnsapi_err_t err;
    assert_int_equal(dns_rules_check_system(ZONE, "sub.example.com.", "NS", &err), DNSAPI_OK);
    assert_int_equal(dns_rules_check_system(ZONE, ZONE, "A", &err), DNSAPI_OK);
}

/* ---- TTL ---- */

static void test_ttl_within_bounds_is_accepted(void **state)
{
    dnsapi_err_t err;
    assert_int_equal(dns_rules_check_ttl(60, 60, 604800, &err), DNSAPI_OK);
    assert_int_equal(dns_rules_check_ttl(604800, 60, 604800, &err), DNSAPI_OK);
}

static void test_ttl_out_of_range_is_refused_with_bounds(void **state)
{
    dnsapi_err_t err;
    int rc = dns_rules_check_ttl(59, 60, 604800, &err);
    assert_err(rc, &err, DNSAPI_EINVAL, "ttl_out_of_range");
    assert_string_equal(err.field, "ttl");
    assert_non_null(strstr(err.message, "60"));
    assert_non_null(strstr(err.message, "604800"));
    rc = dns_rules_check_ttl(604801, 60, 604800, &err);
    assert_err(rc, &err, DNSAPI_EINVAL, "ttl_out_of_range");
}

/* ---- RRsets and CNAME ---- */

static void test_cname_at_apex_is_refused(void **state)
{
    dnsapi_err_t err;
    dns_rr_t c = rr(ZONE, "CNAME", "other.example.net.", 3600);
    int rc = dns_rules_check_rrset(ZONE, &c, NULL, 0, &err);
    assert_err(rc, &err, DNSAPI_EINVAL, "cname_at_apex");
}

static void test_cname_alone_is_accepted(void **state)
{
    dnsapi_err_t err;
    dns_rr_t c = rr("www.example.com.", "CNAME", "other.example.net.", 3600);
    assert_int_equal(dns_rules_check_rrset(ZONE, &c, NULL, 0, &err), DNSAPI_OK);
}

static void test_cname_beside_a_is_refused(void **state)
{
    dnsapi_err_t err;
    dns_rr_t existing[] = {rr("www.example.com.", "A", "192.0.2.1", 3600)};
    dns_rr_t c = rr("www.example.com.", "CNAME", "other.example.net.", 3600);
    int rc = dns_rules_check_rrset(ZONE, &c, existing, 1, &err);
    assert_err(rc, &err, DNSAPI_ECONFLICT, "cname_conflict");
}

static void test_a_beside_cname_is_refused(void **state)
{
    dnsapi_err_t err;
    dns_rr_t existing[] = {rr("www.example.com.", "CNAME", "other.example.net.", 3600)};
    dns_rr_t a = rr("www.example.com.", "A", "192.0.2.1", 3600);
    int rc = dns_rules_check_rrset(ZONE, &a, existing, 1, &err);
    assert_err(rc, &err, DNSAPI_ECONFLICT, "cname_conflict");
}

static void test_second_cname_is_refused(void **state)
{
    dnsapi_err_t err;
    dns_rr_t existing[] = {rr("www.example.com.", "CNAME", "one.example.net.", 3600)};
    dns_rr_t c = rr("www.example.com.", "CNAME", "two.example.net.", 3600);
    int rc = dns_rules_check_rrset(ZONE, &c, existing, 1, &err);
    assert_err(rc, &err, DNSAPI_ECONFLICT, "cname_conflict");
}

static void test_exact_duplicate_is_refused(void **state)
{
    dnsapi_err_t err;
    dns_rr_t existing[] = {rr("www.example.com.", "A", "192.0.2.1", 3600)};
    dns_rr_t a = rr("www.example.com.", "A", "192.0.2.1", 3600);
    int rc = dns_rules_check_rrset(ZONE, &a, existing, 1, &err);
    assert_err(rc, &err, DNSAPI_ECONFLICT, "duplicate");
}

static void test_mx_with_other_priority_is_not_a_duplicate(void **state)
{
    dnsapi_err_t err;
    dns_rr_t existing[] = {rr_p(ZONE, "MX", "mail.example.com.", 3600, 10)};
    dns_rr_t mx = rr_p(ZONE, "MX", "mail.example.com.", 3600, 20);
    assert_int_equal(dns_rules_check_rrset(ZONE, &mx, existing, 1, &err), DNSAPI_OK);
    dns_rr_t same = rr_p(ZONE, "MX", "mail.example.com.", 3600, 10);
    int rc = dns_rules_check_rrset(ZONE, &same, existing, 1, &err);
    assert_err(rc, &err, DNSAPI_ECONFLICT, "duplicate");
}

static void test_txt_duplicate_is_case_sensitive(void **state)
{
    dnsapi_err_t err;
    dns_rr_t existing[] = {rr(ZONE, "TXT", "Hello", 3600)};
    dns_rr_t t = rr(ZONE, "TXT", "hello", 3600);
    assert_int_equal(dns_rules_check_rrset(ZONE, &t, existing, 1, &err), DNSAPI_OK);
}

static void test_ttl_mismatch_in_rrset_is_refused_with_rrset_ttl(void **state)
{
    dnsapi_err_t err;
    dns_rr_t existing[] = {rr("www.example.com.", "A", "192.0.2.1", 300),
                           rr("www.example.com.", "TXT", "x", 3600)};
    dns_rr_t a = rr("www.example.com.", "A", "192.0.2.2", 3600);
    int rc = dns_rules_check_rrset(ZONE, &a, existing, 2, &err);
    assert_err(rc, &err, DNSAPI_EINVAL, "ttl_mismatch");
    assert_string_equal(err.field, "ttl");
    assert_non_null(strstr(err.message, "300"));
}

static void test_different_types_may_have_different_ttls(void **state)
{
    dnsapi_err_t err;
    dns_rr_t existing[] = {rr("www.example.com.", "A", "192.0.2.1", 300)};
    dns_rr_t aaaa = rr("www.example.com.", "AAAA", "2001:db8::1", 3600);
    assert_int_equal(dns_rules_check_rrset(ZONE, &aaaa, existing, 1, &err), DNSAPI_OK);
}

static void test_same_ttl_in_rrset_is_accepted(void **state)
{
    dnsapi_err_t err;
    dns_rr_t existing[] = {rr("www.example.com.", "A", "192.0.2.1", 300)};
    dns_rr_t a = rr("www.example.com.", "A", "192.0.2.2", 300);
    assert_int_equal(dns_rules_check_rrset(ZONE, &a, existing, 1, &err), DNSAPI_OK);
}

/* ---- NS targets ---- */

static void test_ns_target_that_is_cname_is_refused(void **state)
{
    dnsapi_err_t err;
    dns_rr_t ns = rr("sub.example.com.", "NS", "ns.example.com.", 86400);
    dns_rr_t at_target[] = {rr("ns.example.com.", "CNAME", "host.example.net.", 3600)};
    int rc = dns_rules_check_ns_target(ZONE, &ns, at_target, 1, &err);
    assert_err(rc, &err, DNSAPI_EINVAL, "ns_target_is_cname");
    assert_string_equal(err.field, "content");
}

static void test_ns_target_with_address_is_accepted(void **state)
{
    dnsapi_err_t err;
    dns_rr_t ns = rr("sub.example.com.", "NS", "ns.example.com.", 86400);
    dns_rr_t at_target[] = {rr("ns.example.com.", "A", "192.0.2.53", 3600)};
    assert_int_equal(dns_rules_check_ns_target(ZONE, &ns, at_target, 1, &err), DNSAPI_OK);
}

static void test_ns_target_outside_zone_is_not_checked(void **state)
{
    dnsapi_err_t err;
    dns_rr_t ns = rr("sub.example.com.", "NS", "ns1.other-provider.com.", 86400);
    dns_rr_t at_target[] = {rr("ns1.other-provider.com.", "CNAME", "x.example.net.", 3600)};
    assert_int_equal(dns_rules_check_ns_target(ZONE, &ns, at_target, 1, &err), DNSAPI_OK);
}

static void test_cname_on_ns_target_is_refused(void **state)
{
    dnsapi_err_t err;
    dns_rr_t c = rr("ns.example.com.", "CNAME", "host.example.net.", 3600);
    dns_rr_t pointing[] = {rr("sub.example.com.", "NS", "ns.example.com.", 86400)};
    int rc = dns_rules_check_ns_target(ZONE, &c, pointing, 1, &err);
    assert_err(rc, &err, DNSAPI_EINVAL, "ns_target_is_cname");
    dns_rr_t other[] = {rr("sub.example.com.", "NS", "ns2.example.com.", 86400)};
    assert_int_equal(dns_rules_check_ns_target(ZONE, &c, other, 1, &err), DNSAPI_OK);
}

/* ---- warnings ---- */

static void test_delegation_without_glue_warns_missing_glue(void **state)
{
    dns_warning_t w[4];
    dns_rr_t ns = rr("sub.example.com.", "NS", "ns1.sub.example.com.", 86400);
    size_t n = dns_rules_warnings(ZONE, &ns, NULL, 0, 2, NULL, w, 4);
    assert_int_equal(n, 1);
    assert_string_equal(w[0].code, "missing_glue");
    assert_non_null(strstr(w[0].message, "ns1.sub.example.com."));
}

static void test_delegation_with_glue_does_not_warn(void **state)
{
    dns_warning_t w[4];
    dns_rr_t ns = rr("sub.example.com.", "NS", "ns1.sub.example.com.", 86400);
    dns_rr_t glue[] = {rr("ns1.sub.example.com.", "AAAA", "2001:db8::53", 3600)};
    assert_int_equal(dns_rules_warnings(ZONE, &ns, glue, 1, 2, NULL, w, 4), 0);
}

static void test_delegation_to_outside_host_needs_no_glue(void **state)
{
    dns_warning_t w[4];
    dns_rr_t ns = rr("sub.example.com.", "NS", "ns1.other-provider.com.", 86400);
    assert_int_equal(dns_rules_warnings(ZONE, &ns, NULL, 0, 2, NULL, w, 4), 0);
}

static void test_single_ns_delegation_warns(void **state)
{
    dns_warning_t w[4];
    dns_rr_t ns = rr("sub.example.com.", "NS", "ns1.other-provider.com.", 86400);
    size_t n = dns_rules_warnings(ZONE, &ns, NULL, 0, 1, NULL, w, 4);
    assert_int_equal(n, 1);
    assert_string_equal(w[0].code, "single_ns");
}

static void test_data_below_delegation_warns_occluded(void **state)
{
    dns_warning_t w[4];
    dns_rr_t txt = rr("x.sub.example.com.", "TXT", "hidden", 3600);
    size_t n = dns_rules_warnings(ZONE, &txt, NULL, 0, 0, "sub.example.com.", w, 4);
    assert_int_equal(n, 1);
    assert_string_equal(w[0].code, "occluded");
    assert_non_null(strstr(w[0].message, "sub.example.com."));
}

static void test_glue_below_delegation_is_not_occluded(void **state)
{
    dns_warning_t w[4];
    dns_rr_t a = rr("ns1.sub.example.com.", "A", "192.0.2.53", 3600);
    assert_int_equal(dns_rules_warnings(ZONE, &a, NULL, 0, 0, "sub.example.com.", w, 4), 0);
}

static void test_warnings_respect_max(void **state)
{
    dns_warning_t w[1];
    dns_rr_t ns = rr("a.sub.example.com.", "NS", "ns1.a.sub.example.com.", 86400);
    size_t n = dns_rules_warnings(ZONE, &ns, NULL, 0, 1, "sub.example.com.", w, 1);
    assert_int_equal(n, 1);
    assert_string_equal(w[0].code, "missing_glue");
    dns_warning_t all[4];
    assert_int_equal(dns_rules_warnings(ZONE, &ns, NULL, 0, 1, "sub.example.com.", all, 4), 3);
}

static void test_apex_records_give_no_warnings(void **state)
{
    dns_warning_t w[4];
    dns_rr_t a = rr(ZONE, "A", "192.0.2.1", 3600);
    assert_int_equal(dns_rules_warnings(ZONE, &a, NULL, 0, 0, NULL, w, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soa_is_a_system_record),
        cmocka_unit_test(test_apex_ns_is_a_system_record_and_message_allows_subdomains),
        cmocka_unit_test(test_subdomain_ns_is_allowed),
        cmocka_unit_test(test_ttl_within_bounds_is_accepted),
        cmocka_unit_test(test_ttl_out_of_range_is_refused_with_bounds),
        cmocka_unit_test(test_cname_at_apex_is_refused),
        cmocka_unit_test(test_cname_alone_is_accepted),
        cmocka_unit_test(test_cname_beside_a_is_refused),
        cmocka_unit_test(test_a_beside_cname_is_refused),
        cmocka_unit_test(test_second_cname_is_refused),
        cmocka_unit_test(test_exact_duplicate_is_refused),
        cmocka_unit_test(test_mx_with_other_priority_is_not_a_duplicate),
        cmocka_unit_test(test_txt_duplicate_is_case_sensitive),
        cmocka_unit_test(test_ttl_mismatch_in_rrset_is_refused_with_rrset_ttl),
        cmocka_unit_test(test_different_types_may_have_different_ttls),
        cmocka_unit_test(test_same_ttl_in_rrset_is_accepted),
        cmocka_unit_test(test_ns_target_that_is_cname_is_refused),
        cmocka_unit_test(test_ns_target_with_address_is_accepted),
        cmocka_unit_test(test_ns_target_outside_zone_is_not_checked),
        cmocka_unit_test(test_cname_on_ns_target_is_refused),
        cmocka_unit_test(test_delegation_without_glue_warns_missing_glue),
        cmocka_unit_test(test_delegation_with_glue_does_not_warn),
        cmocka_unit_test(test_delegation_to_outside_host_needs_no_glue),
        cmocka_unit_test(test_single_ns_delegation_warns),
        cmocka_unit_test(test_data_below_delegation_warns_occluded),
        cmocka_unit_test(test_glue_below_delegation_is_not_occluded),
        cmocka_unit_test(test_warnings_respect_max),
        cmocka_unit_test(test_apex_records_give_no_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
