/* Unit tests for dns/name.c: zone names, owner names, ancestors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns.h"
#include "support/rdata_fuzz.h"

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

/* A name whose wire form fits but whose escapes make it longer than 254
 * characters as written cannot be read back from a master-file line by
 * ldns (its owner buffer): refused, however it arrives. */
static void test_name_too_long_as_written_is_refused(void **state)
{
    (void)state;
    char in[400] = "";
    for (int i = 0; i < 61; i++) {
        strcat(in, "\\002."); /* one octet, four characters, and the dot */
    }
    in[strlen(in) - 1] = '\0';              /* relative */
    expect_name_error(in, "name_too_long"); /* 61 * 5 + 12 = 317 characters */
    in[0] = '\0';
    for (int i = 0; i < 48; i++) {
        strcat(in, "\\002.");
    }
    char want[400];
    snprintf(want, sizeof(want), "%s%s", in, ZONE); /* 48 * 5 + 12 = 252: kept */
    in[strlen(in) - 1] = '\0';
    expect_name(in, want);
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

static void test_star_label_below_the_leftmost_is_an_ordinary_label(void **state)
{
    expect_name("host.*.sub", "host.*.sub.example.com.");
    expect_name("www.*", "www.*.example.com.");
    expect_name("*.*", "*.*.example.com.");
    expect_name("foo.*.example.com.", "foo.*.example.com.");
}

static void test_star_beside_other_octets_is_refused(void **state)
{
    expect_name_error("a*", "bad_wildcard");
    expect_name_error("*a", "bad_wildcard");
    expect_name_error("w*w.sub", "bad_wildcard");
}

static void test_escaped_star_beside_other_octets_is_literal(void **state)
{
    expect_name("\\*a", "\\*a.example.com.");
    expect_name("a\\*", "a\\*.example.com.");
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
    expect_name_error("a\nb", "bad_name");
    expect_name_error("a\tb", "bad_name");
    expect_name_error("a\\", "bad_name");
    expect_name_error("a\\256", "bad_name");
    expect_name_error("a\\12", "bad_name");
    expect_name_error("a\\1x3", "bad_name");
    expect_name_error("caf\xc3\xa9", "bad_name");
    expect_name_error("", "bad_name");
}

/* Parses in relative to ZONE; asserts key and display. */
static void expect_parse(const char *in, const char *key, const char *display)
{
    dns_name_t n;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (dns_name_parse(ZONE, in, &n, &err) != DNSAPI_OK) {
        fail_msg("%s: %s (%s)", in, err.code, err.message);
    }
    assert_string_equal(n.key, key);
    assert_string_equal(n.display, display);
}

static void test_escapes_are_read_and_written_in_one_form(void **state)
{
    expect_parse("Office\\032Printer._ipp._tcp", "office\\032printer._ipp._tcp.example.com.",
                 "Office\\032Printer._ipp._tcp.example.com.");
    /* \DDD of a printable character is that character */
    expect_parse("\\065\\066c", "abc.example.com.", "ABc.example.com.");
    /* \X of an ordinary character is that character */
    expect_parse("a\\b", "ab.example.com.", "ab.example.com.");
    /* the characters a master file reads specially stay escaped; a
     * backslash is written \092 (NSD misreads one that ends a label) */
    expect_parse("a\\\"b\\(c\\)d\\;e\\@f\\$g\\\\h", "a\\\"b\\(c\\)d\\;e\\@f\\$g\\092h.example.com.",
                 "a\\\"b\\(c\\)d\\;e\\@f\\$g\\092h.example.com.");
    expect_parse("a\\\\", "a\\092.example.com.", "a\\092.example.com.");
    expect_parse("a\\092\\092", "a\\092\\092.example.com.", "a\\092\\092.example.com.");
    /* '[' as \091 (BIND reads "\[" opening a label as a bit-string label) */
    expect_parse("\\[x", "\\091x.example.com.", "\\091x.example.com.");
    /* other octets as \DDD, the same however they were written */
    expect_parse("x\\009\\127\\200\\255", "x\\009\\127\\200\\255.example.com.",
                 "x\\009\\127\\200\\255.example.com.");
    /* printable ASCII other than letters, digits, '-', '_' and '/' is escaped
     * (Knot refuses "a=b" as written) */
    expect_parse("\\~\\-", "\\~-.example.com.", "\\~-.example.com.");
    expect_parse("a=b!c", "a\\=b\\!c.example.com.", "a\\=b\\!c.example.com.");
    expect_parse("0/26", "0/26.example.com.", "0/26.example.com.");
}

static void test_escaped_dot_is_inside_a_label(void **state)
{
    dns_name_t n;
    dnsapi_err_t err;
    expect_parse("a\\.b", "a\\.b.example.com.", "a\\.b.example.com.");
    assert_int_equal(dns_name_parse(ZONE, "a\\.b", &n, &err), DNSAPI_OK);
    assert_int_equal(n.labels, 3);
    /* "a\.example.com." is the two labels "a.example" and "com" */
    expect_name_error("a\\.example.com.", "name_outside_zone");
}

static void test_case_is_kept_for_display_and_ignored_for_the_key(void **state)
{
    expect_parse("WWW.Example.COM.", "www.example.com.", "WWW.Example.COM.");
    expect_parse("Mail", "mail.example.com.", "Mail.example.com.");
    /* a name ending in the zone in another case is absolute */
    expect_parse("Host.EXAMPLE.com", "host.example.com.", "Host.EXAMPLE.com.");
}

static void test_rfc2317_and_dns_sd_names_are_owner_names(void **state)
{
    dns_name_t n;
    dnsapi_err_t err;
    expect_name("0/26", "0/26.example.com.");
    expect_name("1.0/26", "1.0/26.example.com.");
    assert_int_equal(dns_name_parse(ZONE, "Office\\032Printer._ipp._tcp", &n, &err), DNSAPI_OK);
    assert_false(n.host);
    assert_int_equal(dns_name_parse(ZONE, "_sip._tcp", &n, &err), DNSAPI_OK);
    assert_true(n.host);
    assert_int_equal(dns_name_parse(ZONE, "*.wild", &n, &err), DNSAPI_OK);
    assert_true(n.host);
    assert_true(n.wildcard);
    assert_int_equal(dns_name_parse(ZONE, "host.*.sub", &n, &err), DNSAPI_OK);
    assert_false(n.wildcard);
    assert_false(n.host);
}

static void test_lengths_are_counted_in_wire_octets(void **state)
{
    char label[400], want[500];
    dns_name_t n;
    dnsapi_err_t err;
    /* 63 octets written as 252 characters of escapes */
    label[0] = '\0';
    for (int i = 0; i < 63; i++) {
        strcat(label, "\\032");
    }
    snprintf(want, sizeof(want), "%s.example.com.", label);
    /* its 265 characters are more than a master-file line's owner may
     * take (dns/name.c): said so, with the escapes named */
    (void)want;
    assert_int_equal(dns_name_parse(ZONE, label, &n, &err), DNSAPI_EINVAL);
    assert_string_equal(err.code, "name_too_long");
    assert_non_null(strstr(err.message, "escapes"));
    /* 60 such octets (240 characters) fit, and count as 60 octets */
    label[240] = '\0';
    assert_int_equal(dns_name_parse(ZONE, label, &n, &err), DNSAPI_OK);
    assert_int_equal(n.wire_len, 61 + 13);
    label[240] = '\\';
    strcat(label, "a");
    expect_name_error(label, "label_too_long");
    /* example.com. is 13 octets; three labels of 63 and one of 49 make 255 */
    char big[1200];
    big[0] = '\0';
    for (int l = 0; l < 4; l++) {
        for (int i = 0; i < (l < 3 ? 63 : 49); i++) {
            strcat(big, "\\000");
        }
        strcat(big, ".");
    }
    strcat(big, "example.com.");
    /* the wire form fits (255 octets), the written form does not */
    assert_int_equal(dns_name_parse(ZONE, big, &n, &err), DNSAPI_EINVAL);
    assert_string_equal(err.code, "name_too_long");
    char *last = strstr(big, ".example.com.");
    memmove(last + 4, last, strlen(last) + 1);
    memcpy(last, "\\000", 4);
    expect_name_error(big, "name_too_long");
}

static void test_origin_makes_relative_names_as_a_master_file_does(void **state)
{
    dns_name_t n;
    dnsapi_err_t err;
    assert_int_equal(dns_name_parse_origin(ZONE, "sub.example.com.", "www", &n, &err), DNSAPI_OK);
    assert_string_equal(n.key, "www.sub.example.com.");
    assert_int_equal(dns_name_parse_origin(ZONE, "sub.example.com.", "@", &n, &err), DNSAPI_OK);
    assert_string_equal(n.key, "sub.example.com.");
    /* in a master file a name without its dot is always relative */
    assert_int_equal(dns_name_parse_origin(ZONE, NULL, "www.example.com", &n, &err), DNSAPI_OK);
    assert_string_equal(n.key, "www.example.com.example.com.");
    assert_int_equal(dns_name_parse_origin(ZONE, "example.org.", "www", &n, &err), DNSAPI_EINVAL);
    assert_string_equal(err.code, "name_outside_zone");
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
    const char *bad[] = {"",
                         ".",
                         "a..b",
                         ".example.com",
                         "exa mple.com",
                         "a/b.com",
                         "a\\b.com",
                         "*.example",
                         "caf\xc3\xa9.fr",
                         "-a.com",
                         "a-.com",
                         "a.com..",
                         "a@b.com",
                         "0/26.2.0.192.in-addr.arpa",
                         "a\\.b.com",
                         NULL};
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
    assert_false(dns_name_is_at_or_below("a\\.example.com.", "example.com."));
    assert_true(dns_name_is_at_or_below("a\\.b.example.com.", "example.com."));
    assert_true(dns_name_is_at_or_below("X\\065.Example.COM.", "example.com."));
    assert_false(dns_name_is_at_or_below("not a name", "example.com."));
}

/* RFC 4034 section 6.1 gives these names in canonical order. */
static void test_names_compare_in_canonical_order(void **state)
{
    const char *names[] = {"example.",         "a.example.",      "yljkjljk.a.example.",
                           "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
                           "\\001.z.example.", "*.z.example.",    "\\200.z.example."};
    size_t n = sizeof(names) / sizeof(names[0]);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(dns_name_compare(names[i], names[i]), 0);
        for (size_t j = i + 1; j < n; j++) {
            if (dns_name_compare(names[i], names[j]) >= 0 ||
                dns_name_compare(names[j], names[i]) <= 0) {
                fail_msg("%s should sort before %s", names[i], names[j]);
            }
        }
    }
    assert_int_equal(dns_name_compare("A.example.", "a.EXAMPLE."), 0);
    assert_true(dns_name_compare("a.example.", "a-.example.") < 0);
    /* "a\\.b" is one label, and it sorts before "b" */
    assert_true(dns_name_compare("a\\.b.example.", "a.b.example.") < 0);
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
    n = dns_name_ancestors(ZONE, "x.a\\.b.C.example.com.", out, 8);
    assert_int_equal(n, 2);
    assert_string_equal(out[0], "a\\.b.c.example.com.");
    assert_string_equal(out[1], "c.example.com.");
}

static void test_a_name_outside_any_zone_is_made_absolute(void **state)
{
    char out[DNS_NAME_BUFSIZE];
    char anc[8][DNS_NAME_BUFSIZE];
    assert_int_equal(
        dns_name_normalize_absolute("_acme-challenge.WWW.example.com", out, sizeof(out), NULL),
        DNSAPI_OK);
    assert_string_equal(out, "_acme-challenge.www.example.com.");
    assert_int_equal(dns_name_normalize_absolute("www.example.com.", out, sizeof(out), NULL),
                     DNSAPI_OK);
    assert_string_equal(out, "www.example.com.");
    /* every ancestor but the root: where the zone holding the name may be */
    assert_int_equal(dns_name_ancestors(".", "_acme-challenge.www.example.com.", anc, 8), 3);
    assert_string_equal(anc[0], "www.example.com.");
    assert_string_equal(anc[2], "com.");
    dnsapi_err_t err;
    const char *bad[] = {"", "@", ".", "a..b", "a b.example."};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        dnsapi_err_clear(&err);
        assert_int_equal(dns_name_normalize_absolute(bad[i], out, sizeof(out), &err),
                         DNSAPI_EINVAL);
        assert_true(err.message[0] != '\0');
    }
    assert_int_equal(dns_name_normalize_absolute("www.example.com", out, 8, &err), DNSAPI_EINVAL);
    assert_string_equal(err.code, "name_too_long");
}

/* Mutated names: whatever is accepted must read back to itself from both
 * its key and its display form, and compare equal to them. */
static void test_accepted_names_read_back_to_themselves(void **state)
{
    static const char *SEEDS[] = {"www",        "Office\\032Printer._ipp._tcp",
                                  "0/26",       "*.wild",
                                  "a\\.b.c",    "x\\255\\000y",
                                  "host.*.sub", "_dmarc"};
    static const char CHARS[] = ".\\*-_/09azAZ \"();@$#=!~\t";
    uint32_t seed = 4592;
    size_t accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "%s", SEEDS[fuzz_next(&seed) % 8]);
        size_t len = strlen(buf);
        for (int e = 0; e < 1 + (int)(fuzz_next(&seed) % 4) && len > 0 && len < 100; e++) {
            size_t pos = fuzz_next(&seed) % len;
            char c = CHARS[fuzz_next(&seed) % (sizeof(CHARS) - 1)];
            if (fuzz_next(&seed) % 2) {
                buf[pos] = c;
            } else {
                memmove(buf + pos + 1, buf + pos, len - pos + 1);
                buf[pos] = c;
                len++;
            }
        }
        dns_name_t n, k, d;
        dnsapi_err_t err;
        if (dns_name_parse(ZONE, buf, &n, &err) != DNSAPI_OK) {
            continue;
        }
        accepted++;
        if (dns_name_parse(ZONE, n.key, &k, &err) != DNSAPI_OK ||
            dns_name_parse(ZONE, n.display, &d, &err) != DNSAPI_OK) {
            fail_msg("\"%s\" -> \"%s\" / \"%s\" does not read back: %s", buf, n.key, n.display,
                     err.message);
        }
        if (strcmp(k.key, n.key) != 0 || strcmp(d.display, n.display) != 0 ||
            strcmp(d.key, n.key) != 0 || k.wire_len != n.wire_len ||
            dns_name_compare(n.key, n.display) != 0) {
            fail_msg("\"%s\" is not stable: %s %s / %s %s", buf, n.key, k.key, n.display,
                     d.display);
        }
    }
    assert_true(accepted > 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_at_sign_is_the_apex),
        cmocka_unit_test(test_a_name_outside_any_zone_is_made_absolute),
        cmocka_unit_test(test_relative_name_is_made_absolute),
        cmocka_unit_test(test_absolute_name_with_trailing_dot_is_kept),
        cmocka_unit_test(test_name_ending_in_zone_without_dot_is_absolute),
        cmocka_unit_test(test_name_is_lowercased),
        cmocka_unit_test(test_underscore_and_hyphen_are_allowed),
        cmocka_unit_test(test_name_outside_zone_is_refused),
        cmocka_unit_test(test_name_resembling_zone_without_dot_is_relative),
        cmocka_unit_test(test_wildcard_as_leftmost_label_is_accepted),
        cmocka_unit_test(test_star_label_below_the_leftmost_is_an_ordinary_label),
        cmocka_unit_test(test_star_beside_other_octets_is_refused),
        cmocka_unit_test(test_escaped_star_beside_other_octets_is_literal),
        cmocka_unit_test(test_escapes_are_read_and_written_in_one_form),
        cmocka_unit_test(test_escaped_dot_is_inside_a_label),
        cmocka_unit_test(test_case_is_kept_for_display_and_ignored_for_the_key),
        cmocka_unit_test(test_rfc2317_and_dns_sd_names_are_owner_names),
        cmocka_unit_test(test_lengths_are_counted_in_wire_octets),
        cmocka_unit_test(test_origin_makes_relative_names_as_a_master_file_does),
        cmocka_unit_test(test_names_compare_in_canonical_order),
        cmocka_unit_test(test_accepted_names_read_back_to_themselves),
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
        cmocka_unit_test(test_name_too_long_as_written_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
