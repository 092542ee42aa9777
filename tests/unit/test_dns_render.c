/* Unit tests for dns/render.c: master-file lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns.h"

/* Renders one record into a string (caller frees); *rc gets the status. */
static char *render(const char *name, const char *type, uint32_t ttl, int prio, const char *content,
                    int *rc, dnsapi_err_t *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    dnsapi_err_clear(err);
    *rc = dns_render_record(fp, name, type, ttl, prio, content, err);
    fclose(fp);
    return buf;
}

static void expect_line(const char *name, const char *type, uint32_t ttl, int prio,
                        const char *content, const char *want)
{
    dnsapi_err_t err;
    int rc;
    char *got = render(name, type, ttl, prio, content, &rc, &err);
    if (rc != DNSAPI_OK) {
        fail_msg("%s %s \"%s\": %s (%s)", name, type, content, err.code, err.message);
    }
    assert_string_equal(got, want);
    free(got);
}

static void expect_refused(const char *name, const char *type, int prio, const char *content)
{
    dnsapi_err_t err;
    int rc;
    char *got = render(name, type, 3600, prio, content, &rc, &err);
    if (rc != DNSAPI_EINVAL) {
        fail_msg("%s %s \"%s\" was rendered as \"%s\"", name, type, content, got);
    }
    assert_string_equal(got, "");
    assert_true(strlen(err.message) > 10);
    free(got);
}

static void test_header_names_zone_and_origin(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_int_equal(dns_render_header(fp, "example.com.", 2026112201u), DNSAPI_OK);
    fclose(fp);
    assert_non_null(strstr(buf, "; zone example.com. serial 2026112201"));
    assert_non_null(strstr(buf, "\n$ORIGIN example.com.\n"));
    free(buf);
}

static void test_a_record_is_one_line(void **state)
{
    expect_line("www.example.com.", "A", 3600, -1, "192.0.2.1",
                "www.example.com. 3600 IN A 192.0.2.1\n");
}

static void test_type_is_rendered_upper_case(void **state)
{
    expect_line("www.example.com.", "aaaa", 300, -1, "2001:db8::1",
                "www.example.com. 300 IN AAAA 2001:db8::1\n");
}

static void test_mx_priority_goes_in_front(void **state)
{
    expect_line("example.com.", "MX", 3600, 10, "mail.example.com.",
                "example.com. 3600 IN MX 10 mail.example.com.\n");
}

static void test_srv_priority_goes_in_front(void **state)
{
    expect_line("_sip._tcp.example.com.", "SRV", 3600, 0, "5 5060 sip.example.com.",
                "_sip._tcp.example.com. 3600 IN SRV 0 5 5060 sip.example.com.\n");
}

static void test_wildcard_owner_is_rendered(void **state)
{
    expect_line("*.example.com.", "A", 3600, -1, "192.0.2.1",
                "*.example.com. 3600 IN A 192.0.2.1\n");
}

static void test_txt_literal_is_quoted(void **state)
{
    expect_line("example.com.", "TXT", 3600, -1, "v=spf1 mx -all",
                "example.com. 3600 IN TXT \"v=spf1 mx -all\"\n");
}

static void test_txt_with_semicolon_stays_inside_quotes(void **state)
{
    expect_line("k._domainkey.example.com.", "TXT", 3600, -1, "v=DKIM1; k=rsa; p=MIGf",
                "k._domainkey.example.com. 3600 IN TXT \"v=DKIM1; k=rsa; p=MIGf\"\n");
}

static void test_txt_quotes_and_backslashes_are_escaped(void **state)
{
    expect_line("t.example.com.", "TXT", 60, -1, "say \"hi\" \\o/",
                "t.example.com. 60 IN TXT \"say \\\"hi\\\" \\\\o/\"\n");
}

static void test_txt_non_ascii_bytes_are_decimal_escapes(void **state)
{
    expect_line("t.example.com.", "TXT", 60, -1, "caf\xc3\xa9",
                "t.example.com. 60 IN TXT \"caf\\195\\169\"\n");
}

static void test_txt_newline_never_reaches_the_file(void **state)
{
    expect_line("t.example.com.", "TXT", 60, -1, "a\nb", "t.example.com. 60 IN TXT \"a\\010b\"\n");
}

static void test_txt_longer_than_255_bytes_is_split(void **state)
{
    char text[601];
    memset(text, 'x', 600);
    text[600] = '\0';
    dnsapi_err_t err;
    int rc;
    char *got = render("t.example.com.", "TXT", 60, -1, text, &rc, &err);
    assert_int_equal(rc, DNSAPI_OK);
    /* "..255.." "..255.." "..90.." */
    const char *p = strchr(got, '"');
    assert_non_null(p);
    size_t lens[3] = {0};
    for (int i = 0; i < 3; i++) {
        const char *end = strchr(p + 1, '"');
        assert_non_null(end);
        lens[i] = (size_t)(end - p - 1);
        p = strchr(end + 1, '"');
        if (i < 2) {
            assert_non_null(p);
        }
    }
    assert_null(p);
    assert_int_equal(lens[0], 255);
    assert_int_equal(lens[1], 255);
    assert_int_equal(lens[2], 90);
    assert_int_equal(strchr(got, '\n') - got, (long)strlen(got) - 1);
    free(got);
}

static void test_txt_split_counts_bytes_before_escaping(void **state)
{
    char text[300];
    text[0] = 'x'; /* literal text: it must not start with '"' */
    memset(text + 1, '"', 255);
    text[256] = '\0';
    dnsapi_err_t err;
    int rc;
    char *got = render("t.example.com.", "TXT", 60, -1, text, &rc, &err);
    assert_int_equal(rc, DNSAPI_OK);
    assert_non_null(strstr(got, "\\\"\" \"\\\"\"\n")); /* last string holds one '"' */
    free(got);
}

static void test_txt_empty_is_one_empty_string(void **state)
{
    expect_line("t.example.com.", "TXT", 60, -1, "", "t.example.com. 60 IN TXT \"\"\n");
}

static void test_txt_quoted_content_is_rendered_as_stored(void **state)
{
    expect_line("t.example.com.", "TXT", 60, -1, "\"a\" \"b c\"",
                "t.example.com. 60 IN TXT \"a\" \"b c\"\n");
}

static void test_soa_line_is_rendered(void **state)
{
    expect_line("example.com.", "SOA", 3600, -1,
                "ns1.example.net. hostmaster.example.net. 2026112201 3600 600 604800 300",
                "example.com. 3600 IN SOA ns1.example.net. hostmaster.example.net. 2026112201 "
                "3600 600 604800 300\n");
}

static void test_content_with_newline_is_refused(void **state)
{
    expect_refused("www.example.com.", "A", -1, "192.0.2.1\nwww 3600 IN A 192.0.2.2");
    expect_refused("www.example.com.", "TXT", -1, "\"a\"\n\"b\"");
}

static void test_content_with_comment_is_refused(void **state)
{
    expect_refused("www.example.com.", "A", -1, "192.0.2.1 ; x");
    expect_refused("www.example.com.", "NS", -1, "ns.example.com. (");
}

static void test_invalid_stored_content_is_refused(void **state)
{
    expect_refused("www.example.com.", "A", -1, "1.2.3");
    expect_refused("www.example.com.", "MX", 10, "mail.example.com. extra.");
    expect_refused("www.example.com.", "TXT", -1, "\"unterminated");
}

static void test_mx_without_priority_is_refused(void **state)
{
    expect_refused("example.com.", "MX", -1, "mail.example.com.");
    expect_refused("example.com.", "MX", 70000, "mail.example.com.");
}

static void test_bad_owner_is_refused(void **state)
{
    expect_refused("www", "A", -1, "192.0.2.1");
    expect_refused("www.example.com.\n", "A", -1, "192.0.2.1");
    expect_refused("a b.example.com.", "A", -1, "192.0.2.1");
    expect_refused("a..example.com.", "A", -1, "192.0.2.1");
    expect_refused("@", "A", -1, "192.0.2.1");
    expect_refused("", "A", -1, "192.0.2.1");
}

/* Owners go out in canonical presentation with the case they were stored
 * with; escapes are written one way whatever way they came in. */
static void test_owner_with_escapes_is_rendered_canonically(void **state)
{
    expect_line("Office\\032Printer._ipp._tcp.Example.COM.", "TXT", 60, -1, "x",
                "Office\\032Printer._ipp._tcp.Example.COM. 60 IN TXT \"x\"\n");
    expect_line("a\\.b\\065.example.com.", "A", 60, -1, "192.0.2.1",
                "a\\.bA.example.com. 60 IN A 192.0.2.1\n");
    expect_line("0/26.2.0.192.in-addr.arpa.", "NS", 60, -1, "ns1.example.net.",
                "0/26.2.0.192.in-addr.arpa. 60 IN NS ns1.example.net.\n");
    expect_line("host.*.sub.example.com.", "A", 60, -1, "192.0.2.1",
                "host.*.sub.example.com. 60 IN A 192.0.2.1\n");
    expect_line("x\\=y\\#.example.com.", "A", 60, -1, "192.0.2.1",
                "x\\=y\\035.example.com. 60 IN A 192.0.2.1\n");
}

static void test_generic_type_renders_generically(void **state)
{
    expect_line("g.example.com.", "TYPE65534", 60, -1, "\\# 4 0a000001",
                "g.example.com. 60 IN TYPE65534 \\# 4 0a000001\n");
    expect_refused("g.example.com.", "TYPE65534", -1, "\\# 4 0a");
}

static void test_txt_of_65535_bytes_renders(void **state)
{
    /* literal text of 65,279 bytes: 256 strings, 65,535 bytes of RDATA */
    char *text = malloc(65280);
    assert_non_null(text);
    memset(text, 'q', 65279);
    text[65279] = '\0';
    dnsapi_err_t err;
    int rc;
    char *got = render("t.example.com.", "TXT", 60, -1, text, &rc, &err);
    assert_int_equal(rc, DNSAPI_OK);
    size_t strings = 0;
    for (const char *p = got; *p != '\0'; p++) {
        strings += *p == '"';
    }
    assert_int_equal(strings, 2 * 256);
    free(got);
    free(text);
}

static void test_unsupported_type_is_refused(void **state)
{
    dnsapi_err_t err;
    int rc;
    char *got = render("www.example.com.", "HINFO", 60, -1, "a b", &rc, &err);
    assert_int_equal(rc, DNSAPI_EINVAL);
    assert_string_equal(err.code, "unsupported_type");
    free(got);
}

/* Content that dns_rdata_normalize produced renders without complaint. */
static void test_normalized_content_renders_for_every_type(void **state)
{
    static const struct {
        const char *type;
        const char *content;
    } CASES[] = {
        {"A", "192.0.2.1"},
        {"AAAA", "2001:db8::1"},
        {"CNAME", "target.example.net"},
        {"MX", "10 mail.example.com"},
        {"TXT", "v=spf1 mx -all"},
        {"TXT", "\"quoted\" \"strings\""},
        {"NS", "ns1.other-provider.com"},
        {"SRV", "10 5 5060 sip.example.com"},
        {"CAA", "0 issue letsencrypt.org"},
        {"PTR", "host.example.com"},
        {"DS", "12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D"},
        {"TLSA", "3 1 1 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"},
        {"SSHFP", "4 2 123456789abcdef67890123456789abcdef67890123456789abcdef678901234"},
        {"NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."},
        {"SVCB", "1 svc.example.com alpn=h2,h3 port=8443"},
        {"HTTPS", "1 . alpn=h2 ipv4hint=192.0.2.1"},
        {"HTTPS", "1 . alpn=\"f\\\\\\\\oo,h2\" key7=\"/q{?dns}\""},
        {"DNAME", "other.example.net."},
        {"LOC", "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m"},
        {"URI", "10 1 \"https://example.com/\""},
        {"CDS", "0 0 0 00"},
        {"CDNSKEY", "0 3 0 AA=="},
        {"OPENPGPKEY", "mQENBFVHm5sBCACeDj2WUlZd"},
        {"SMIMEA", "3 1 1 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"},
        {"TYPE65534", "\\# 4 0a000001"},
        {"CAA", "0 issue \"ca\\059x\""},
        {"PTR", "Office\\032Printer._ipp._tcp.example.com."},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        char content[DNS_CONTENT_BUFSIZE];
        int prio;
        dnsapi_err_t err;
        int rc = dns_rdata_normalize("example.com.", CASES[i].type, CASES[i].content, -1, content,
                                     sizeof(content), &prio, &err);
        if (rc != DNSAPI_OK) {
            fail_msg("%s %s: %s", CASES[i].type, CASES[i].content, err.message);
        }
        char *got = render("r.example.com.", CASES[i].type, 3600, prio, content, &rc, &err);
        if (rc != DNSAPI_OK) {
            fail_msg("%s %s: %s", CASES[i].type, content, err.message);
        }
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_names_zone_and_origin),
        cmocka_unit_test(test_owner_with_escapes_is_rendered_canonically),
        cmocka_unit_test(test_generic_type_renders_generically),
        cmocka_unit_test(test_txt_of_65535_bytes_renders),
        cmocka_unit_test(test_a_record_is_one_line),
        cmocka_unit_test(test_type_is_rendered_upper_case),
        cmocka_unit_test(test_mx_priority_goes_in_front),
        cmocka_unit_test(test_srv_priority_goes_in_front),
        cmocka_unit_test(test_wildcard_owner_is_rendered),
        cmocka_unit_test(test_txt_literal_is_quoted),
        cmocka_unit_test(test_txt_with_semicolon_stays_inside_quotes),
        cmocka_unit_test(test_txt_quotes_and_backslashes_are_escaped),
        cmocka_unit_test(test_txt_non_ascii_bytes_are_decimal_escapes),
        cmocka_unit_test(test_txt_newline_never_reaches_the_file),
        cmocka_unit_test(test_txt_longer_than_255_bytes_is_split),
        cmocka_unit_test(test_txt_split_counts_bytes_before_escaping),
        cmocka_unit_test(test_txt_empty_is_one_empty_string),
        cmocka_unit_test(test_txt_quoted_content_is_rendered_as_stored),
        cmocka_unit_test(test_soa_line_is_rendered),
        cmocka_unit_test(test_content_with_newline_is_refused),
        cmocka_unit_test(test_content_with_comment_is_refused),
        cmocka_unit_test(test_invalid_stored_content_is_refused),
        cmocka_unit_test(test_mx_without_priority_is_refused),
        cmocka_unit_test(test_bad_owner_is_refused),
        cmocka_unit_test(test_unsupported_type_is_refused),
        cmocka_unit_test(test_normalized_content_renders_for_every_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
