/* Unit tests for dns/name.c: zone names, owner names, ancestors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns.h"

#define ZONE "example.com."

/* Normalizes in relative to ZONE; asserts success and the expected output. */
static void expect_name(const char *in, const char *want)
{
    char out[DNS_NAME_BUFSIZE];
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = dns_name_normalize(ZONE, in, out, sizeof(out), &err);
    if (rc != DNSAPI_OK) {
        fail_msg("%s: %s (%s)", in, err.code, err.message);
    }
    assert_string_equal(out, want);
}

/* Asserts that in is refused with code. */
static void expect_name_error(const char *in, const char *code)
{
    char out[DNS_NAME_BUFSIZE];
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = dns_name_normalize(ZONE, in, out, sizeof(out), &err);
    if (rc == DNSAPI_OK) {
        fail_msg("%s was accepted as %s", in, out);
    }
    assert_int_equal(rc, DNSAPI_EINVAL);
    assert_string_equal(err.code, code);
    assert_string_equal(err.field, "name");
    assert_true(strlen(err.message) > 10);
}

static char *repeat(char *buf, char c, size_t n)
{
    memset(buf, c, n);
    buf[n] = '\0';
    return buf;
}

static void test_at_sign_is_the_apex(void **state)
{
    expect_name("@", "example.com.");
}

static void test_relative_name_is_made_absolute(void **state)
{
    expect_name("www", "www.example.com.");
    expect_name("a.b.c", "a.b.c.example.com.");
}

static void test_absolute_name_with_trailing_dot_is_kept(void **state)
{
    expect_name("www.example.com.", "www.example.com.");
    expect_name("example.com.", "example.com.");
}

static void test_name_ending_in_zone_without_dot_is_absolute(void **state)
{
    expect_name("www.example.com", "www.example.com.");
    expect_name("example.com", "example.com.");
    expect_name("WWW.Example.COM", "www.example.com.");
}

static void test_name_is_lowercased(void **state)
{
    expect_name("MiXeD", "mixed.example.com.");
}

static void test_underscore_and_hyphen_are_allowed(void **state)
{
    expect_name("_dmarc", "_dmarc.example.com.");
    expect_name("_sip._tcp", "_sip._tcp.example.com.");
    expect_name("my-host", "my-host.example.com.");
}

static void test_name_outside_zone_is_refused(void **state)
{
    expect_name_error("example.com.evil.", "name_outside_zone");
    expect_name_error("www.example.org.", "name_outside_zone");
    expect_name_error("evilexample.com.", "name_outside_zone");
    expect_name_error("com.", "name_outside_zone");
    expect_name_error(".", "name_outside_zone");
}

static void test_name_resembling_zone_without_dot_is_relative(void **state)
{
    /* Not ending in ".example.com", so it is relative to the zone. */
    expect_name("example.com.evil", "example.com.evil.example.com.");
    expect_name("evilexample.com", "evilexample.com.example.com.");
}

static void test_wildcard_as_leftmost_label_is_accepted(void **state)
{
    expect_name("*", "*.example.com.");
    expect_name("*.sub", "*.sub.example.com.");
    expect_name("*.example.com.", "*.example.com.");
}

static void test_wildcard_elsewhere_is_refused(void **state)
{
    expect_name_error("www.*", "bad_wildcard");
    expect_name_error("a*", "bad_wildcard");
    expect_name_error("*a", "bad_wildcard");
    expect_name_error("*.*", "bad_wildcard");
    expect_name_error("foo.*.example.com.", "bad_wildcard");
}

static void test_label_of_63_characters_is_accepted(void **state)
{
    char label[64], want[128];
    repeat(label, 'a', 63);
    snprintf(want, sizeof(want), "%s.example.com.", label);
    expect_name(label, want);
}

static void test_label_of_64_characters_is_refused(void **state)
{
    char label[65];
    expect_name_error(repeat(label, 'a', 64), "label_too_long");
}

/* Builds a relative name that makes an absolute name of total characters
 * (without the trailing dot) in ZONE. */
static void long_name(char *buf, size_t total)
{
    size_t need = total - strlen("example.com") - 1; /* the dot before the zone */
    size_t pos = 0;
    while (need > 0) {
        size_t label = need > 63 ? 62 : need;
        if (need - label == 1) {
            label--; /* avoid leaving a lone dot */
        }
        memset(buf + pos, 'a', label);
        pos += label;
        need -= label;
        if (need > 0) {
            buf[pos++] = '.';
            need--;
        }
    }
    buf[pos] = '\0';
}

static void test_name_of_253_characters_is_accepted(void **state)
{
    char rel[300];
    char out[DNS_NAME_BUFSIZE];
    dnsapi_err_t err;
    long_name(rel, 253);
    assert_int_equal(dns_name_normalize(ZONE, rel, out, sizeof(out), &err), DNSAPI_OK);
    assert_int_equal(strlen(out), 254);
}

static void test_name_of_254_characters_is_refused(void **state)
{
    char rel[300];
    long_name(rel, 254);
    expect_name_error(rel, "name_too_long");
}

static void test_very_long_input_is_refused(void **state)
{
    char rel[2000];
    memset(rel, 'a', sizeof(rel) - 1);
    rel[sizeof(rel) - 1] = '\0';
    for (size_t i = 50; i < sizeof(rel) - 1; i += 50) {
        rel[i] = '.';
    }
    expect_name_error(rel, "name_too_long");
}

static void test_bad_characters_are_refused(void **state)
{
    expect_name_error("a b", "bad_name");
    expect_name_error("a/b", "bad_name");
    expect_name_error("a\\b", "bad_name");
    expect_name_error("a\nb", "bad_name");
    expect_name_error("caf\xc3\xa9", "bad_name");
    expect_name_error("", "bad_name");
}

static void test_empty_labels_are_refused(void **state)
{
    expect_name_error("a..b", "bad_name");
    expect_name_error(".www", "bad_name");
    expect_name_error("www..", "bad_name");
}

static void test_zone_name_is_normalized(void **state)
{
    char out[DNS_NAME_BUFSIZE];
    dnsapi_err_t err;
    assert_int_equal(dns_zone_name_normalize("Example.COM", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "example.com.");
    assert_int_equal(dns_zone_name_normalize("example.com.", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "example.com.");
    assert_int_equal(dns_zone_name_normalize("xn--caf-dma.example", out, sizeof(out), &err),
                     DNSAPI_OK);
    assert_string_equal(out, "xn--caf-dma.example.");
    assert_int_equal(dns_zone_name_normalize("_tcp.example.org", out, sizeof(out), &err),
                     DNSAPI_OK);
    assert_int_equal(dns_zone_name_normalize("org", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "org.");
}

static void test_bad_zone_names_are_refused(void **state)
{
    const char *bad[] = {
        "",         ".",         "a..b",           ".example.com", "exa mple.com", "a/b.com",
        "a\\b.com", "*.example", "caf\xc3\xa9.fr", "-a.com",       "a-.com",       "a.com..",
        "a@b.com",  NULL};
    for (size_t i = 0; bad[i] != NULL; i++) {
        char out[DNS_NAME_BUFSIZE];
        dnsapi_err_t err;
        dnsapi_err_clear(&err);
        int rc = dns_zone_name_normalize(bad[i], out, sizeof(out), &err);
        if (rc != DNSAPI_EINVAL) {
            fail_msg("zone name \"%s\" was accepted", bad[i]);
        }
        assert_string_equal(err.code, "bad_zone_name");
        assert_string_equal(err.field, "name");
    }
}

static void test_zone_name_with_64_character_label_is_refused(void **state)
{
    char name[80];
    char out[DNS_NAME_BUFSIZE];
    dnsapi_err_t err;
    repeat(name, 'a', 64);
    strcat(name, ".com");
    assert_int_equal(dns_zone_name_normalize(name, out, sizeof(out), &err), DNSAPI_EINVAL);
    assert_string_equal(err.code, "bad_zone_name");
}

static void test_is_at_or_below_respects_label_boundaries(void **state)
{
    assert_true(dns_name_is_at_or_below("example.com.", "example.com."));
    assert_true(dns_name_is_at_or_below("a.example.com.", "example.com."));
    assert_true(dns_name_is_at_or_below("A.Example.com.", "example.com."));
    assert_false(dns_name_is_at_or_below("evilexample.com.", "example.com."));
    assert_false(dns_name_is_at_or_below("com.", "example.com."));
    assert_false(dns_name_is_at_or_below("example.com.evil.", "example.com."));
    assert_true(dns_name_is_at_or_below("anything.", "."));
}

static void test_ancestors_are_listed_nearest_first(void **state)
{
    char out[8][DNS_NAME_BUFSIZE];
    size_t n = dns_name_ancestors(ZONE, "a.b.c.example.com.", out, 8);
    assert_int_equal(n, 2);
    assert_string_equal(out[0], "b.c.example.com.");
    assert_string_equal(out[1], "c.example.com.");
    assert_int_equal(dns_name_ancestors(ZONE, "www.example.com.", out, 8), 0);
    assert_int_equal(dns_name_ancestors(ZONE, "example.com.", out, 8), 0);
    assert_int_equal(dns_name_ancestors(ZONE, "a.b.example.org.", out, 8), 0);
    assert_int_equal(dns_name_ancestors(ZONE, "a.b.c.example.com.", out, 1), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_at_sign_is_the_apex),
        cmocka_unit_test(test_relative_name_is_made_absolute),
        cmocka_unit_test(test_absolute_name_with_trailing_dot_is_kept),
        cmocka_unit_test(test_name_ending_in_zone_without_dot_is_absolute),
        cmocka_unit_test(test_name_is_lowercased),
        cmocka_unit_test(test_underscore_and_hyphen_are_allowed),
        cmocka_unit_test(test_name_outside_zone_is_refused),
        cmocka_unit_test(test_name_resembling_zone_without_dot_is_relative),
        cmocka_unit_test(test_wildcard_as_leftmost_label_is_accepted),
        cmocka_unit_test(test_wildcard_elsewhere_is_refused),
        cmocka_unit_test(test_label_of_63_characters_is_accepted),
        cmocka_unit_test(test_label_of_64_characters_is_refused),
        cmocka_unit_test(test_name_of_253_characters_is_accepted),
        cmocka_unit_test(test_name_of_254_characters_is_refused),
        cmocka_unit_test(test_very_long_input_is_refused),
        cmocka_unit_test(test_bad_characters_are_refused),
        cmocka_unit_test(test_empty_labels_are_refused),
        cmocka_unit_test(test_zone_name_is_normalized),
        cmocka_unit_test(test_bad_zone_names_are_refused),
        cmocka_unit_test(test_zone_name_with_64_character_label_is_refused),
        cmocka_unit_test(test_is_at_or_below_respects_label_boundaries),
        cmocka_unit_test(test_ancestors_are_listed_nearest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
