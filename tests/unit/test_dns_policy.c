/* Unit tests for dns/policy.c: credential policies and their matcher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/policy.h"

static void test_policy_is_normalized(void **state)
{
    dns_policy_t p;
    dnsapi_err_t err;
    assert_int_equal(dns_policy_make("Example.COM", "_ACME-challenge.**", "txt", true, &p, &err),
                     DNSAPI_OK);
    assert_string_equal(p.zone, "example.com.");
    assert_string_equal(p.name, "_acme-challenge.**.example.com.");
    assert_string_equal(p.type, "TXT");
    assert_true(p.write);
    assert_int_equal(dns_policy_make("example.com", "@", NULL, false, &p, &err), DNSAPI_OK);
    assert_string_equal(p.name, "example.com.");
    assert_int_equal(dns_policy_make(NULL, "*.other.net.", "", true, &p, &err), DNSAPI_OK);
    assert_string_equal(p.zone, "");
    assert_string_equal(p.type, "");
}

static void test_invalid_policies_are_refused(void **state)
{
    dns_policy_t p;
    dnsapi_err_t err;
    assert_int_equal(dns_policy_make(NULL, "www", NULL, true, &p, &err), DNSAPI_EINVAL);
    assert_string_equal(err.code, "bad_policy_name");
    assert_int_equal(dns_policy_make("example.com", "a.**.b.**", NULL, true, &p, &err),
                     DNSAPI_EINVAL);
    assert_int_equal(dns_policy_make("example.com", "a*b", NULL, true, &p, &err), DNSAPI_EINVAL);
    assert_int_equal(dns_policy_make("example.com", "a..b", NULL, true, &p, &err), DNSAPI_EINVAL);
    assert_int_equal(dns_policy_make("exa mple.com", NULL, NULL, true, &p, &err), DNSAPI_EINVAL);
    assert_string_equal(err.field, "policies");
    assert_int_equal(dns_policy_make("example.com", NULL, "BOGUS", true, &p, &err), DNSAPI_EINVAL);
    assert_string_equal(err.code, "unsupported_type");
}

static void test_name_patterns(void **state)
{
    assert_true(dns_policy_name_matches("www.example.com.", "www.example.com."));
    assert_false(dns_policy_name_matches("www.example.com.", "a.www.example.com."));
    assert_true(dns_policy_name_matches("*.example.com.", "a.example.com."));
    assert_true(dns_policy_name_matches("*.example.com.", "*.example.com."));
    assert_false(dns_policy_name_matches("*.example.com.", "a.b.example.com."));
    assert_false(dns_policy_name_matches("*.example.com.", "example.com."));
    const char *acme = "_acme-challenge.**.example.com.";
    assert_true(dns_policy_name_matches(acme, "_acme-challenge.example.com."));
    assert_true(dns_policy_name_matches(acme, "_acme-challenge.www.example.com."));
    assert_true(dns_policy_name_matches(acme, "_acme-challenge.a.b.example.com."));
    assert_false(dns_policy_name_matches(acme, "www.example.com."));
    assert_false(dns_policy_name_matches(acme, "x._acme-challenge.example.com."));
    assert_false(dns_policy_name_matches(acme, "_acme-challenge.example.org."));
    assert_true(dns_policy_name_matches("**.example.com.", "example.com."));
    assert_false(dns_policy_name_matches("a.**.a.", "a."));
}

static void test_allows(void **state)
{
    dns_policy_t p[2];
    dnsapi_err_t err;
    assert_true(dns_policy_allows(NULL, 0, "example.com.", "www.example.com.", "A", true));
    assert_int_equal(dns_policy_make("example.com", "_acme-challenge.**", "TXT", true, &p[0], &err),
                     DNSAPI_OK);
    assert_int_equal(dns_policy_make("example.com", NULL, NULL, false, &p[1], &err), DNSAPI_OK);
    assert_true(
        dns_policy_allows(p, 2, "example.com.", "_acme-challenge.www.example.com.", "TXT", true));
    assert_false(
        dns_policy_allows(p, 2, "example.com.", "_acme-challenge.example.com.", "A", true));
    assert_false(dns_policy_allows(p, 2, "example.com.", "www.example.com.", "TXT", true));
    assert_true(dns_policy_allows(p, 2, "example.com.", "www.example.com.", "A", false));
    assert_false(dns_policy_allows(p, 2, "example.org.", "www.example.org.", "A", false));
    assert_false(
        dns_policy_allows(p, 1, "example.org.", "_acme-challenge.example.org.", "TXT", true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_is_normalized),
        cmocka_unit_test(test_invalid_policies_are_refused),
        cmocka_unit_test(test_name_patterns),
        cmocka_unit_test(test_allows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
