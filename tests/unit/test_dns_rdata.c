/* Unit tests for dns/rdata.c: types, content normalization per type,
 * MX/SRV priority, TXT, targets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns.h"
#include "support/rdata_fuzz.h"

#define ZONE "example.com."

/* Normalizes content; asserts success, the expected content and priority. */
static void expect_content_p(const char *type, const char *in, long prio_in, const char *want,
                             int want_prio)
{
    char out[DNS_CONTENT_BUFSIZE];
    int prio = -2;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = dns_rdata_normalize(ZONE, type, in, prio_in, out, sizeof(out), &prio, &err);
    if (rc != DNSAPI_OK) {
        fail_msg("%s \"%s\": %s/%s (%s)", type, in, err.code, err.field, err.message);
    }
    if (strcmp(out, want) != 0) {
        fail_msg("%s \"%s\": got \"%s\", want \"%s\"", type, in, out, want);
    }
    assert_int_equal(prio, want_prio);
}

static void expect_content(const char *type, const char *in, const char *want)
{
    expect_content_p(type, in, -1, want, -1);
}

/* Asserts that content is refused with code and field; returns the message. */
static const char *expect_error_p(const char *type, const char *in, long prio_in, const char *code,
                                  const char *field)
{
    static dnsapi_err_t err;
    char out[DNS_CONTENT_BUFSIZE];
    int prio = -2;
    dnsapi_err_clear(&err);
    int rc = dns_rdata_normalize(ZONE, type, in, prio_in, out, sizeof(out), &prio, &err);
    if (rc == DNSAPI_OK) {
        fail_msg("%s \"%s\" was accepted as \"%s\"", type, in, out);
    }
    assert_int_equal(rc, DNSAPI_EINVAL);
    if (strcmp(err.code, code) != 0 || strcmp(err.field, field) != 0) {
        fail_msg("%s \"%s\": got %s/%s (%s), want %s/%s", type, in, err.code, err.field,
                 err.message, code, field);
    }
    assert_int_equal(prio, -1);
    assert_true(strlen(err.message) > 10);
    return err.message;
}

static const char *expect_error(const char *type, const char *in)
{
    return expect_error_p(type, in, -1, "bad_rdata", "content");
}

/* ---- types ---- */

static void test_type_is_case_insensitive(void **state)
{
    char out[16];
    dnsapi_err_t err;
    assert_int_equal(dns_type_normalize("aaaa", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "AAAA");
    assert_int_equal(dns_type_normalize("Https", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "HTTPS");
    assert_int_equal(dns_type_normalize("soa", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "SOA");
}

static void test_unsupported_type_is_refused(void **state)
{
    const char *bad[] = {"HINFO", "TYPE13",    "",        "A ",      "RRSIG",     "DNSKEY", "SPF",
                         "TYPE0", "TYPE65535", "TYPE255", "TYPE260", "TYPE99999", "FOO",    NULL};
    for (size_t i = 0; bad[i] != NULL; i++) {
        char out[16];
        dnsapi_err_t err;
        assert_int_equal(dns_type_normalize(bad[i], out, sizeof(out), &err), DNSAPI_EINVAL);
        assert_string_equal(err.code, "unsupported_type");
        assert_string_equal(err.field, "type");
    }
    expect_error_p("HINFO", "a b", -1, "unsupported_type", "type");
}

static void test_soa_content_cannot_be_written(void **state)
{
    expect_error_p("SOA", "ns1.example.net. h.example.net. 1 2 3 4 5", -1, "unsupported_type",
                   "type");
}

static void test_default_ttl_is_86400_for_ns_and_3600_otherwise(void **state)
{
    assert_int_equal(dns_type_default_ttl("NS"), 86400);
    assert_int_equal(dns_type_default_ttl("ns"), 86400);
    assert_int_equal(dns_type_default_ttl("A"), 3600);
    assert_int_equal(dns_type_default_ttl("TXT"), 3600);
}

static void test_only_mx_and_srv_have_priority(void **state)
{
    assert_true(dns_type_has_priority("MX"));
    assert_true(dns_type_has_priority("srv"));
    assert_false(dns_type_has_priority("A"));
    assert_false(dns_type_has_priority("HTTPS"));
}

/* ---- A / AAAA ---- */

static void test_a_is_normalized(void **state)
{
    expect_content("A", "192.0.2.1", "192.0.2.1");
    expect_content("A", "  192.0.2.1  ", "192.0.2.1");
}

static void test_bad_a_is_refused(void **state)
{
    expect_error("A", "1.2.3");
    expect_error("A", "256.1.1.1");
    expect_error("A", "01.2.3.4");
    expect_error("A", "1.2.3.4 5.6.7.8");
    expect_error("A", "2001:db8::1");
    expect_error("A", "host.example.com");
    expect_error("A", "");
}

static void test_aaaa_is_lowercased_and_compressed(void **state)
{
    expect_content("AAAA", "2001:DB8::1", "2001:db8::1");
    expect_content("AAAA", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
}

static void test_bad_aaaa_is_refused(void **state)
{
    expect_error("AAAA", "1.2.3.4");
    expect_error("AAAA", "2001:db8:::1");
    expect_error("AAAA", "fe80::1%eth0");
}

/* ---- host names in content ---- */

static void test_host_without_trailing_dot_is_fully_qualified(void **state)
{
    expect_content("NS", "ns1.other-provider.com", "ns1.other-provider.com.");
    expect_content("NS", "ns1.other-provider.com.", "ns1.other-provider.com.");
    expect_content("CNAME", "Target.Example.NET", "target.example.net.");
    expect_content("PTR", "host.example.com", "host.example.com.");
}

static void test_host_inside_zone_is_not_doubled(void **state)
{
    expect_content("CNAME", "www.example.com", "www.example.com.");
}

static void test_at_sign_in_content_is_the_apex(void **state)
{
    expect_content("CNAME", "@", "example.com.");
}

static void test_single_label_target_is_refused_with_hint(void **state)
{
    const char *msg = expect_error("CNAME", "mail");
    assert_non_null(strstr(msg, "write the name in full, e.g. mail.example.com"));
    msg = expect_error_p("MX", "10 mail", -1, "bad_rdata", "content");
    assert_non_null(strstr(msg, "mail.example.com"));
    expect_error("NS", "ns1");
    expect_error("SRV", "10 5 5060 sip");
    expect_error("PTR", "host");
}

/* An absolute name is what the user wrote, one label or not. */
static void test_absolute_single_label_target_is_accepted(void **state)
{
    expect_content("PTR", "localhost.", "localhost.");
    expect_content("NS", "ns1.", "ns1.");
    expect_content("CNAME", "com.", "com.");
    expect_content_p("MX", "10 Example.", -1, "example.", 10);
}

static void test_root_target_is_refused_where_a_host_is_needed(void **state)
{
    expect_error("CNAME", ".");
    expect_error("NS", ".");
    expect_error("PTR", ".");
}

static void test_bad_names_in_content_are_refused(void **state)
{
    expect_error("CNAME", "a..b.example.com");
    expect_error("CNAME", "a b.example.com");
    expect_error("CNAME", "caf\xc3\xa9.example.com");
    expect_error("CNAME", "a\\300.example.com");
    expect_error("NS", "ns1.example.com ns2.example.com");
}

/* Any octets in a name that need not be a host: escapes kept canonical. */
static void test_names_in_content_keep_their_octets(void **state)
{
    expect_content("CNAME", "foo!bar.example.com", "foo\\!bar.example.com.");
    expect_content("CNAME", "A\\.B.example.com.", "a\\.b.example.com.");
    expect_content("PTR", "Office\\032Printer._ipp._tcp.example.com.",
                   "office\\032printer._ipp._tcp.example.com.");
    expect_content("DNAME", "Other.Example.NET.", "other.example.net.");
    expect_content("CNAME", "*.example.com", "*.example.com.");
}

/* Hosts that are not LDH are accepted with a warning the caller can pass on. */
static void test_non_ldh_host_targets_warn(void **state)
{
    char buf[DNS_CONTENT_BUFSIZE];
    dns_rdata_in_t in = {ZONE, NULL, "NS", "ns\\0321.example.net.", -1};
    dns_rdata_out_t out = {.content = buf, .content_size = sizeof(buf)};
    dnsapi_err_t err;
    assert_int_equal(dns_rdata_parse(&in, &out, &err), DNSAPI_OK);
    assert_string_equal(buf, "ns\\0321.example.net.");
    assert_int_equal(out.n_warnings, 1);
    assert_string_equal(out.warnings[0].code, "target_not_hostname");
    in.type = "MX";
    in.content = "10 mail!x.example.net";
    assert_int_equal(dns_rdata_parse(&in, &out, &err), DNSAPI_OK);
    assert_int_equal(out.priority, 10);
    assert_int_equal(out.n_warnings, 1);
    /* a host name, and names that need not be hosts, warn of nothing */
    in.content = "10 mail.example.net";
    assert_int_equal(dns_rdata_parse(&in, &out, &err), DNSAPI_OK);
    assert_int_equal(out.n_warnings, 0);
    in.type = "PTR";
    in.content = "a\\032b.example.net";
    assert_int_equal(dns_rdata_parse(&in, &out, &err), DNSAPI_OK);
    assert_int_equal(out.n_warnings, 0);
}

/* A master file's names are relative to its $ORIGIN. */
static void test_origin_makes_names_in_content_relative(void **state)
{
    char buf[DNS_CONTENT_BUFSIZE];
    dns_rdata_in_t in = {ZONE, "sub.example.com.", "MX", "10 mail", -1};
    dns_rdata_out_t out = {.content = buf, .content_size = sizeof(buf)};
    dnsapi_err_t err;
    assert_int_equal(dns_rdata_parse(&in, &out, &err), DNSAPI_OK);
    assert_string_equal(buf, "mail.sub.example.com.");
    in.type = "NS";
    in.content = "ns1.lab";
    assert_int_equal(dns_rdata_parse(&in, &out, &err), DNSAPI_OK);
    assert_string_equal(buf, "ns1.lab.sub.example.com.");
    in.type = "CNAME";
    in.content = "@";
    assert_int_equal(dns_rdata_parse(&in, &out, &err), DNSAPI_OK);
    assert_string_equal(buf, "sub.example.com.");
    in.type = "SRV";
    in.content = "0 5 5060 sip.example.org.";
    assert_int_equal(dns_rdata_parse(&in, &out, &err), DNSAPI_OK);
    assert_string_equal(buf, "5 5060 sip.example.org.");
}

static void test_target_with_64_character_label_is_refused(void **state)
{
    char in[128];
    memset(in, 'a', 64);
    strcpy(in + 64, ".example.com");
    expect_error("CNAME", in);
}

/* ---- MX / SRV priority ---- */

static void test_mx_priority_in_content(void **state)
{
    expect_content_p("MX", "10 Mail.Example.com", -1, "mail.example.com.", 10);
}

static void test_mx_priority_as_field(void **state)
{
    expect_content_p("MX", "mail.example.com", 20, "mail.example.com.", 20);
}

static void test_mx_priority_in_both_places_must_agree(void **state)
{
    expect_content_p("MX", "10 mail.example.com", 10, "mail.example.com.", 10);
    expect_error_p("MX", "10 mail.example.com", 20, "bad_rdata", "priority");
}

static void test_mx_without_priority_is_refused(void **state)
{
    expect_error_p("MX", "mail.example.com", -1, "missing_field", "priority");
}

static void test_mx_priority_out_of_range_is_refused(void **state)
{
    expect_error("MX", "70000 mail.example.com");
    expect_error("MX", "-1 mail.example.com");
    expect_error_p("MX", "mail.example.com", 65536, "bad_rdata", "priority");
    expect_error_p("MX", "mail.example.com", -5, "bad_rdata", "priority");
    expect_content_p("MX", "65535 mail.example.com", -1, "mail.example.com.", 65535);
}

static void test_null_mx_is_accepted(void **state)
{
    expect_content_p("MX", "0 .", -1, ".", 0);
}

static void test_mx_with_extra_words_is_refused(void **state)
{
    expect_error("MX", "10 mail.example.com extra.example.com");
}

static void test_srv_priority_in_content(void **state)
{
    expect_content_p("SRV", "10 5 5060 SIP.example.com", -1, "5 5060 sip.example.com.", 10);
}

static void test_srv_priority_as_field(void **state)
{
    expect_content_p("SRV", "5 5223 sip.example.com.", 0, "5 5223 sip.example.com.", 0);
}

static void test_srv_without_priority_is_refused(void **state)
{
    expect_error_p("SRV", "5 5223 sip.example.com", -1, "missing_field", "priority");
}

static void test_srv_port_out_of_range_is_refused(void **state)
{
    expect_error("SRV", "10 5 65536 sip.example.com");
    expect_error("SRV", "10 x 5060 sip.example.com");
    expect_error("SRV", "10 5");
}

static void test_priority_for_other_types_is_refused(void **state)
{
    expect_error_p("A", "192.0.2.1", 10, "bad_rdata", "priority");
    expect_error_p("CNAME", "a.example.com", 0, "bad_rdata", "priority");
}

/* ---- TXT ---- */

static void test_txt_literal_is_stored_as_given(void **state)
{
    expect_content("TXT", "v=spf1 mx -all", "v=spf1 mx -all");
    /* quoted text starting "\# " stays quoted: as literal content it would
     * read as RFC 3597 generic data (found by fuzz_content) */
    expect_content("TXT", "\"\\\\# \\\"\"", "\"\\\\# \\\"\"");
    expect_content("TXT", "\"\\\\#x\"", "\\#x");
    expect_content("TXT", "  spaces  kept ", "  spaces  kept ");
    expect_content("TXT", "back\\slash and 'quote' \"inside\"",
                   "back\\slash and 'quote' \"inside\"");
}

static void test_txt_with_semicolons_is_one_string(void **state)
{
    const char *dkim = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC";
    expect_content("TXT", dkim, dkim);
}

static void test_txt_longer_than_255_bytes_is_stored_whole(void **state)
{
    char in[1001];
    memset(in, 'x', 1000);
    in[1000] = '\0';
    expect_content("TXT", in, in);
}

static void test_txt_too_long_for_buffer_is_refused(void **state)
{
    static char in[DNS_CONTENT_BUFSIZE + 10];
    memset(in, 'x', sizeof(in) - 1);
    in[sizeof(in) - 1] = '\0';
    expect_error("TXT", in);
}

static void test_txt_utf8_is_stored_as_given(void **state)
{
    expect_content("TXT", "caf\xc3\xa9", "caf\xc3\xa9");
}

static void test_txt_control_characters_are_refused(void **state)
{
    expect_error("TXT", "line one\nline two");
    expect_error("TXT", "tab\there");
    expect_error("TXT", "cr\r");
    expect_error("TXT", "del\x7f");
}

static void test_txt_quoted_is_parsed_as_character_strings(void **state)
{
    /* several short strings and the empty string have no literal form */
    expect_content("TXT", "\"hello\" \"world\"", "\"hello\" \"world\"");
    expect_content("TXT", "\"\"", "\"\"");
    expect_content("TXT", "\"a\" \"\"", "\"a\" \"\"");
    /* nor bytes that are not UTF-8, or a leading quote */
    expect_content("TXT", "\"\\255\\254\"", "\"\\255\\254\"");
    expect_content("TXT", "\"\\\"q\\\"\"", "\"\\\"q\\\"\"");
}

/* One RDATA, one stored form: a quoted single string (or 255-byte strings
 * and a shorter last one) is stored as the literal text it equals, so the
 * two spellings are one record. */
static void test_txt_quoted_equal_to_literal_is_stored_literal(void **state)
{
    expect_content("TXT", "\"a;b\"", "a;b");
    expect_content("TXT", "\"say \\\"hi\\\"\"", "say \"hi\"");
    expect_content("TXT", "\"caf\xc3\xa9\"", "caf\xc3\xa9");
    expect_content("TXT", "\"back\\\\slash\"", "back\\slash");
    expect_content("TXT", "\"v=spf1 mx -all\"", "v=spf1 mx -all");
    char in[600], want[300];
    memset(want, 'x', 260);
    want[260] = '\0';
    snprintf(in, sizeof(in), "\"%.255s\" \"xxxxx\"", want);
    expect_content("TXT", in, want);
    snprintf(in, sizeof(in), "\"xxxxx\" \"%.255s\"", want);
    expect_content("TXT", in, in); /* short string first: not the literal split */
}

static void test_txt_quoted_with_bad_syntax_is_refused(void **state)
{
    expect_error("TXT", "\"unterminated");
    expect_error("TXT", "\"a\" ; comment");
    expect_error("TXT", "\"a\" (b)");
}

static void test_txt_quoted_string_over_255_bytes_is_refused(void **state)
{
    char in[300];
    in[0] = '"';
    memset(in + 1, 'a', 256);
    in[257] = '"';
    in[258] = '\0';
    expect_error("TXT", in);
}

static void test_empty_content_is_refused(void **state)
{
    expect_error("TXT", "");
    expect_error("A", "");
    expect_error("CNAME", "   ");
}

/* ---- other types ---- */

static void test_caa_is_normalized(void **state)
{
    expect_content("CAA", "0 issue \"letsencrypt.org\"", "0 issue \"letsencrypt.org\"");
    expect_content("CAA", "0 issue letsencrypt.org", "0 issue \"letsencrypt.org\"");
    expect_content("CAA", "128 issuewild \";\"", "128 issuewild \";\"");
    expect_content("CAA", "0 issue ca.example.net; account=230123",
                   "0 issue \"ca.example.net; account=230123\"");
    expect_content("CAA", "0 Issue \"x\"", "0 issue \"x\"");
    expect_content("CAA", "0 iodef \"mailto:security@example.com\"",
                   "0 iodef \"mailto:security@example.com\"");
}

static void test_bad_caa_is_refused(void **state)
{
    expect_error("CAA", "0 issue");
    expect_error("CAA", "256 issue \"x\"");
    expect_error("CAA", "0 iss!ue \"x\"");
    expect_error("CAA", "x issue \"x\"");
    /* NSD refuses a tag over 15 characters (found by fuzz_content) */
    expect_error("CAA", "0 abcdefghijklmnop \"x\"");
    expect_content("CAA", "0 abcdefghijklmno \"x\"", "0 abcdefghijklmno \"x\"");
}

static void test_ds_is_normalized(void **state)
{
    expect_content("DS",
                   "12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D",
                   "12345 8 2 49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de1a0d46a7a3c6e8a9b5b4af0d");
}

static void test_bad_ds_is_refused(void **state)
{
    expect_error("DS", "12345 8 2 zz");
    expect_error("DS", "70000 8 2 abcd");
    expect_error("DS", "12345 8 300 abcd");
    expect_error("DS", "12345 8");
}

static void test_digest_with_odd_hex_digits_is_refused(void **state)
{
    expect_error("SSHFP", "4 2 123456789abcdef67890123456789abcdef67890123456789abcdef6789012");
    expect_error("DS", "12345 8 2 abc");
    expect_error("TLSA", "3 1 0 abcde");
}

static void test_digest_of_wrong_length_for_its_type_is_refused(void **state)
{
    const char *msg = expect_error("DS", "12345 8 2 abcd");
    assert_non_null(strstr(msg, "32 bytes"));
    expect_error("TLSA", "3 1 1 abcd");
    expect_error("SSHFP", "4 1 abcd");
}

static void test_digest_of_unknown_type_may_have_any_even_length(void **state)
{
    /* not for DS: Knot refuses a zone with a DS digest type it does not know */
    expect_error("DS", "12345 8 99 ABCD");
    expect_content("TLSA", "3 1 0 3082 01aa", "3 1 0 308201aa");
    expect_content("TLSA", "3 1 99 ABCD", "3 1 99 abcd");
    expect_content("SSHFP", "4 9 ABCD", "4 9 abcd");
}

/* Knot refuses a zone holding a DS whose digest type is not 1, 2 or 4
 * (found by tests/fuzz/fuzz_content.c), whatever the digest's length. */
static void test_ds_of_a_digest_type_knot_refuses_is_refused(void **state)
{
    static const char *const kinds[] = {"0", "3", "5", "99", "255"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        char content[160];
        snprintf(content, sizeof(content),
                 "12345 13 %s "
                 "49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D",
                 kinds[i]);
        const char *msg = expect_error("DS", content);
        assert_non_null(strstr(msg, "digest type"));
    }
    expect_error("DS", "15 13 3 96");
    expect_content("DS", "12345 13 1 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE",
                   "12345 13 1 49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de");
}

static void test_tlsa_is_normalized(void **state)
{
    expect_content("TLSA", "3 1 1 ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
                   "3 1 1 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
}

static void test_bad_tlsa_is_refused(void **state)
{
    expect_error("TLSA", "3 1 1 zz");
    expect_error("TLSA", "3 1 256 abcd");
    expect_error("TLSA", "3 1");
}

static void test_sshfp_is_normalized(void **state)
{
    expect_content("SSHFP", "4 2 123456789ABCDEF67890123456789abcdef67890123456789abcdef678901234",
                   "4 2 123456789abcdef67890123456789abcdef67890123456789abcdef678901234");
}

static void test_bad_sshfp_is_refused(void **state)
{
    expect_error("SSHFP", "1 1");
    expect_error("SSHFP", "1 1 xyz");
    expect_error("SSHFP", "999 1 abcd");
}

static void test_naptr_is_normalized(void **state)
{
    expect_content("NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
                   "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .");
    expect_content("NAPTR", "100 50 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.com",
                   "100 50 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.com.");
}

static void test_bad_naptr_is_refused(void **state)
{
    expect_error("NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\"");
    expect_error("NAPTR", "100 10 \"U\" \"E2U+sip\" \"\" sip");
    expect_error("NAPTR", "100000 10 \"U\" \"E2U+sip\" \"\" .");
}

static void test_naptr_with_bad_regexp_is_refused(void **state)
{
    expect_error("NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:x@example.com\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.(*$!sip:x@example.com!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.**$!sip:x@example.com!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^(.*)$!sip:\\\\2@example.com!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2U+sip\" \"1^.*$1sip:x@example.com1\" .");
    expect_content("NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^(.*)$!sip:\\\\1@example.com!i\" .",
                   "100 10 \"U\" \"E2U+sip\" \"!^(.*)$!sip:\\\\1@example.com!i\" .");
    /* BIND refuses \0 in the replacement (found by fuzz_content) and
     * counts groups as the regex compiles them, not '(' characters */
    expect_error("NAPTR", "100 10 \"U\" \"E2U\" \"!a!\\\\0!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2U\" \"![(]a!\\\\1!\" .");
    expect_content("NAPTR", "100 10 \"U\" \"E2U\" \"!a!b\\\\!!\" .",
                   "100 10 \"U\" \"E2U\" \"!a!b\\\\!!\" .");
    /* BIND refuses a bound above 255 (found by fuzz_content); glibc
     * allows 32767. Leading zeros do not count. */
    expect_error("NAPTR", "100 10 \"U\" \"E2\" \"!a{256}!x!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2\" \"!a{0707}!x!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2\" \"!a{1,256}!x!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2\" \"!a{256,}!x!\" .");
    expect_content("NAPTR", "100 10 \"U\" \"E2\" \"!a{255}b{00255}c{0,255}!x!\" .",
                   "100 10 \"U\" \"E2\" \"!a{255}b{00255}c{0,255}!x!\" .");
    /* BIND refuses an empty alternative (found by fuzz_record_body);
     * glibc compiles it */
    expect_error("NAPTR", "100 10 \"U\" \"E2\" \"!a||b!x!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2\" \"!|a!x!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2\" \"!a|!x!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2\" \"!(|a)!x!\" .");
    expect_error("NAPTR", "100 10 \"U\" \"E2\" \"!(a|)!x!\" .");
    expect_content("NAPTR", "100 10 \"U\" \"E2\" \"!(a|b)|[|]|^|c!x!\" .",
                   "100 10 \"U\" \"E2\" \"!(a|b)|[|]|^|c!x!\" .");
}

static void test_quote_inside_a_word_is_refused(void **state)
{
    expect_error("NAPTR", "100 10 \"U\" \"E2U+sip_ \"!^.*$!sip:x@example.com!\" \"");
    expect_error("TXT", "\"a\"b");
    expect_error("HTTPS", "1 . alpn=a\"h2\"");
    expect_error("HTTPS", "1 . alpn=\",h3\"");
    expect_error("HTTPS", "1 . alpn=h2,,h3");
    expect_error("HTTPS", "1 . alpn=caf\xc3\xa9");
}

/* NSD counts an alpn id as written, "\\," and "\\\\" as two characters, and
 * refuses one over 255 (found by fuzz_record_body) */
static void test_alpn_id_over_255_as_written_is_refused(void **state)
{
    char id[300], in[700];
    memset(id, 'a', sizeof(id));
    id[255] = '\0';
    snprintf(in, sizeof(in), "1 . alpn=%s,h2", id);
    expect_content("HTTPS", in, in);
    id[255] = 'a';
    id[256] = '\0';
    snprintf(in, sizeof(in), "1 . alpn=%s", id);
    expect_error("HTTPS", in);
    /* ten letters each followed by an escaped backslash (\\\\ in the
     * content), then 225 or 226 letters: 245 or 246 octets, 255 or 256
     * characters as written */
    for (int extra = 0; extra < 2; extra++) {
        size_t o = (size_t)snprintf(in, sizeof(in), "1 . alpn=\"");
        for (int i = 0; i < 10; i++) {
            o += (size_t)snprintf(in + o, sizeof(in) - o, "a\\\\\\\\");
        }
        snprintf(in + o, sizeof(in) - o, "%.*s\"", 225 + extra, id);
        char out[DNS_CONTENT_BUFSIZE];
        int prio = -2;
        dnsapi_err_t err;
        dnsapi_err_clear(&err);
        int rc = dns_rdata_normalize(ZONE, "HTTPS", in, -1, out, sizeof(out), &prio, &err);
        assert_int_equal(rc, extra == 0 ? DNSAPI_OK : DNSAPI_EINVAL);
    }
}

/* NSD splits an alpn list only up to a NUL octet (found by
 * fuzz_record_body) */
static void test_alpn_id_with_a_nul_octet_is_refused(void **state)
{
    expect_error("HTTPS", "1 . alpn=\"a\\000b,c\"");
    expect_error("HTTPS", "1 . alpn=h2,a\\000");
    expect_content("HTTPS", "1 . alpn=\"a\\001b,c\"", "1 . alpn=\"a\\001b,c\"");
}

/* An ech value is base64 of an ECHConfigList; its decoded octets are not a
 * C string (found by fuzz_update: read past their end as one) */
static void test_svcb_ech_is_base64(void **state)
{
    expect_content("HTTPS", "1 . ech=AQID", "1 . ech=AQID");
    expect_content("HTTPS", "1 . ech=\"AQID\"", "1 . ech=AQID");
    expect_error("HTTPS", "1 . ech=AQ\\000D");
    expect_error("HTTPS", "1 . ech=not!base64");
}

/* Generic data of a known type that presents as nothing is incomplete
 * (found by fuzz_content: read as no text at all) */
static void test_empty_generic_data_of_a_known_type_is_refused(void **state)
{
    expect_error("HTTPS", "\\# 0");
    expect_error("MX", "\\# 0");
    expect_error("TXT", "\\# 0");
}

static void test_svcb_is_normalized(void **state)
{
    expect_content("SVCB", "1 SVC.example.com port=8443 alpn=h2,h3",
                   "1 svc.example.com. alpn=h2,h3 port=8443");
    expect_content("SVCB", "0 svc.example.net", "0 svc.example.net.");
    expect_content("SVCB", "1 . alpn=\"h2,h3\" no-default-alpn", "1 . alpn=h2,h3 no-default-alpn");
}

static void test_https_is_normalized(void **state)
{
    expect_content("HTTPS", "1 . alpn=h2 ipv4hint=192.0.2.1 ipv6hint=2001:db8::1",
                   "1 . alpn=h2 ipv4hint=192.0.2.1 ipv6hint=2001:db8::1");
    expect_content("HTTPS", "1 . mandatory=alpn alpn=h2", "1 . mandatory=alpn alpn=h2");
}

static void test_bad_svcb_is_refused(void **state)
{
    expect_error("SVCB", "1 svc.example.com bogus=1");
    expect_error("SVCB", "1 svc.example.com alpn=h2 alpn=h3");
    expect_error("HTTPS", "1 . mandatory=port alpn=h2");
    expect_error("HTTPS", "1 svc");
    expect_error("HTTPS", "70000 .");
    expect_error("HTTPS", "1 . ipv4hint=1.2.3");
    expect_error("HTTPS", "1 . port");
    expect_error("HTTPS", "1 . alpn");
    expect_error("HTTPS", "1 . no-default-alpn");
}

static void test_svcb_generic_key_and_mandatory_are_accepted(void **state)
{
    expect_content("HTTPS", "1 . mandatory=key65333 key65333=x",
                   "1 . mandatory=key65333 key65333=x");
    expect_content("HTTPS", "1 . mandatory=alpn,port alpn=h2 port=443",
                   "1 . mandatory=alpn,port alpn=h2 port=443");
    expect_content("HTTPS", "0 alias.example.net", "0 alias.example.net.");
}

static void test_comments_and_parentheses_are_refused(void **state)
{
    expect_error("A", "192.0.2.1 ; comment");
    expect_error("A", "(192.0.2.1)");
    expect_error("NS", "ns1.example.net.(");
}

static void test_control_characters_are_refused_everywhere(void **state)
{
    expect_error("A", "192.0.2.1\n");
    expect_error("CNAME", "a.example.com\n@ IN A 1.2.3.4");
    expect_error("MX", "10\tmail.example.com");
}

/* ---- targets ---- */

static void test_unnormalized_zone_is_refused(void **state)
{
    char out[64];
    int prio;
    dnsapi_err_t err;
    assert_int_equal(dns_rdata_normalize("", "A", "192.0.2.1", -1, out, sizeof(out), &prio, &err),
                     DNSAPI_EINVAL);
    assert_string_equal(err.code, "bad_zone_name");
    assert_int_equal(
        dns_rdata_normalize("example.com", "A", "192.0.2.1", -1, out, sizeof(out), &prio, &err),
        DNSAPI_EINVAL);
}

static void test_target_is_found_for_host_types(void **state)
{
    char out[DNS_NAME_BUFSIZE];
    assert_true(dns_rdata_target("NS", "ns1.example.com.", out, sizeof(out)));
    assert_string_equal(out, "ns1.example.com.");
    assert_true(dns_rdata_target("CNAME", "t.example.com.", out, sizeof(out)));
    assert_true(dns_rdata_target("MX", "mail.example.com.", out, sizeof(out)));
    assert_string_equal(out, "mail.example.com.");
    assert_true(dns_rdata_target("SRV", "5 5060 sip.example.com.", out, sizeof(out)));
    assert_string_equal(out, "sip.example.com.");
    assert_true(dns_rdata_target("PTR", "h.example.com.", out, sizeof(out)));
}

static void test_target_is_absent_for_other_types_and_root(void **state)
{
    char out[DNS_NAME_BUFSIZE];
    assert_false(dns_rdata_target("A", "192.0.2.1", out, sizeof(out)));
    assert_false(dns_rdata_target("TXT", "hello world", out, sizeof(out)));
    assert_false(dns_rdata_target("MX", ".", out, sizeof(out)));
    assert_false(dns_rdata_target("SRV", "0 0 .", out, sizeof(out)));
}

static void test_example_exists_for_every_type(void **state)
{
    const char *types[] = {"A",   "AAAA", "CNAME", "MX",    "TXT",   "NS",   "SRV",   "CAA",
                           "PTR", "DS",   "TLSA",  "SSHFP", "NAPTR", "SVCB", "HTTPS", NULL};
    for (size_t i = 0; types[i] != NULL; i++) {
        assert_non_null(strstr(dns_rdata_example(types[i]), " ") != NULL ||
                                strcmp(types[i], "A") == 0 || strcmp(types[i], "AAAA") == 0 ||
                                strcmp(types[i], "CNAME") == 0 || strcmp(types[i], "NS") == 0 ||
                                strcmp(types[i], "PTR") == 0
                            ? "ok"
                            : NULL);
    }
}

/* Mutated examples (support/rdata_fuzz.c): whatever is accepted must be
 * stable (normalizing the output gives the output again) and renderable. */
static void test_normalized_content_is_stable_and_renders(void **state)
{
    uint32_t seed = 20261122;
    size_t accepted = 0;

    for (int iter = 0; iter < 20000; iter++) {
        char buf[512];
        const char *type = rdata_fuzz_case(&seed, 4, buf, sizeof(buf));
        char out[DNS_CONTENT_BUFSIZE], again[DNS_CONTENT_BUFSIZE];
        int prio, prio2;
        dnsapi_err_t err;
        if (dns_rdata_normalize(ZONE, type, buf, -1, out, sizeof(out), &prio, &err) != DNSAPI_OK) {
            continue;
        }
        accepted++;
        if (dns_rdata_normalize(ZONE, type, out, prio, again, sizeof(again), &prio2, &err) !=
                DNSAPI_OK ||
            strcmp(out, again) != 0 || prio != prio2) {
            fail_msg("%s \"%s\" -> \"%s\" is not stable: \"%s\" (%s)", type, buf, out, again,
                     err.message);
        }
        char *line = NULL;
        size_t line_len = 0;
        FILE *fp = open_memstream(&line, &line_len);
        int rc = dns_render_record(fp, "f.example.com.", type, 3600, prio, out, &err);
        fclose(fp);
        free(line);
        if (rc != DNSAPI_OK) {
            fail_msg("%s \"%s\" -> \"%s\" does not render: %s", type, buf, out, err.message);
        }
    }
    assert_true(accepted > 1000);
}

/* ---- the types of real zone files ---- */

static void test_type_kinds_say_why_a_type_is_refused(void **state)
{
    assert_int_equal(dns_type_kind("a"), DNS_TYPE_SUPPORTED);
    assert_int_equal(dns_type_kind("DNAME"), DNS_TYPE_SUPPORTED);
    assert_int_equal(dns_type_kind("TYPE65534"), DNS_TYPE_SUPPORTED);
    assert_int_equal(dns_type_kind("TYPE1"), DNS_TYPE_SUPPORTED);
    const char *signer[] = {"RRSIG", "NSEC", "nsec3", "NSEC3PARAM", "DNSKEY", "TYPE46", NULL};
    for (size_t i = 0; signer[i] != NULL; i++) {
        assert_int_equal(dns_type_kind(signer[i]), DNS_TYPE_SIGNER);
    }
    const char *obsolete[] = {"MD",  "MF",  "NULL", "WKS", "A6", "SPF",
                              "NXT", "SIG", "KEY",  "DLV", NULL};
    for (size_t i = 0; obsolete[i] != NULL; i++) {
        assert_int_equal(dns_type_kind(obsolete[i]), DNS_TYPE_OBSOLETE);
    }
    assert_int_equal(dns_type_kind("HINFO"), DNS_TYPE_UNSUPPORTED);
    assert_int_equal(dns_type_kind("TYPE13"), DNS_TYPE_UNSUPPORTED);
    assert_int_equal(dns_type_kind("TYPE260"), DNS_TYPE_UNSUPPORTED); /* AMTRELAY */
    assert_int_equal(dns_type_kind("AXFR"), DNS_TYPE_UNSUPPORTED);
    assert_int_equal(dns_type_kind("FOO"), DNS_TYPE_UNKNOWN);
    assert_int_equal(dns_type_kind(""), DNS_TYPE_UNKNOWN);
    assert_string_equal(dns_type_kind_code(dns_type_kind("RRSIG")), "dnssec_signer_type");
    assert_string_equal(dns_type_kind_code(dns_type_kind("SPF")), "obsolete_type");
    assert_string_equal(dns_type_kind_code(dns_type_kind("HINFO")), "unsupported_type");
    assert_string_equal(dns_type_kind_code(dns_type_kind("FOO")), "unknown_type");
    assert_string_equal(dns_type_kind_code(dns_type_kind("TXT")), "supported");

    char out[16];
    dnsapi_err_t err;
    assert_int_equal(dns_type_normalize("SPF", out, sizeof(out), &err), DNSAPI_EINVAL);
    assert_non_null(strstr(err.message, "obsolete"));
    assert_null(strstr(err.message, "parse"));
    assert_int_equal(dns_type_normalize("RRSIG", out, sizeof(out), &err), DNSAPI_EINVAL);
    assert_non_null(strstr(err.message, "signer"));
    assert_int_equal(dns_type_normalize("FOO", out, sizeof(out), &err), DNSAPI_EINVAL);
    assert_non_null(strstr(err.message, "not a record type"));
}

static void test_generic_type_names_are_normalized(void **state)
{
    char out[16];
    dnsapi_err_t err;
    assert_int_equal(dns_type_normalize("type65534", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "TYPE65534");
    assert_int_equal(dns_type_normalize("TYPE00300", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "TYPE300");
    assert_int_equal(dns_type_normalize("TYPE1", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "A");
    assert_int_equal(dns_type_normalize("TYPE39", out, sizeof(out), &err), DNSAPI_OK);
    assert_string_equal(out, "DNAME");
}

static void test_generic_content_is_stored_generically(void **state)
{
    expect_content("TYPE65534", "\\# 4 0A000001", "\\# 4 0a000001");
    expect_content("TYPE65534", "\\# 4 0a00 0001", "\\# 4 0a000001");
    expect_content("TYPE65534", "\\# 0", "\\# 0");
    /* no data at all is the empty generic data (an unknown type's RDATA
     * as a parser without its presentation hands it over) */
    expect_content("TYPE65534", "", "\\# 0");
    expect_error("TYPE65534", "\\# 4 0a0000");
    expect_error("TYPE65534", "\\# 3 0a0000zz");
    expect_error("TYPE65534", "0a000001");
    expect_error("TYPE65534", "\\# 70000 00");
}

static void test_generic_content_of_a_known_type_is_read_as_that_type(void **state)
{
    expect_content("A", "\\# 4 c0000201", "192.0.2.1");
    expect_content_p("MX", "\\# 5 000a016d00", -1, "m.", 10);
    expect_content("TXT", "\\# 3 026869", "hi");
    expect_error("A", "\\# 3 c00002");
}

/* Generic data that ldns reads but cannot print (a LOC is 16 bytes; ldns
 * takes 12) is bad content, not an out-of-memory 500 (found by
 * fuzz_update) */
static void test_generic_data_of_a_wrong_size_is_bad_rdata(void **state)
{
    const char *msg = expect_error("LOC", "\\# 12 000a000513c403736970c033");
    assert_non_null(strstr(msg, "LOC"));
    expect_error("LOC", "\\# 4 00000000");
    expect_content("LOC", "\\# 16 000016138b3cf018810cbce0009895b8",
                   "52 22 23.000 N 04 53 32.000 E -2m 0.00m 10000m 10m");
}

/* ldns reads a data name whose first label is a lone "@" as the origin:
 * "NS \@.ns.example.net." was stored as the zone's name (found by
 * fuzz_update as an HTTPS target). */
static void test_a_name_beginning_with_a_lone_at_label_is_bad_rdata(void **state)
{
    const char *msg = expect_error("NS", "\\@.ns.example.net.");
    assert_non_null(strstr(msg, "\"@\""));
    expect_error("NS", "\\064.ns.example.net.");
    expect_error("NS", "@.ns.example.net.");
    expect_error("NS", "\\@.example.com.");
    expect_error("CNAME", "\\@.example.net");
    expect_error_p("MX", "\\@.example.net.", 10, "bad_rdata", "content");
    expect_error_p("SRV", "0 5060 \\@.example.net.", 10, "bad_rdata", "content");
    expect_error("PTR", "\\@.example.net.");
    expect_error("DNAME", "\\@.example.net.");
    expect_error("NAPTR", "100 10 \"s\" \"SIP+D2U\" \"\" \\@.example.net.");
    expect_error("HTTPS", "1 \\@.example.net. alpn=h2");
    expect_error("NS", "\\# 15 0140076578616d706c65036e657400"); /* generic \@.example.net. */
    /* an "@" anywhere else is an ordinary octet, "@" alone the zone */
    expect_content("NS", "ns\\@.example.net.", "ns\\@.example.net.");
    expect_content("NS", "ns.\\@.example.net.", "ns.\\@.example.net.");
    expect_content("CNAME", "@", ZONE);
}

static void test_dname_loc_uri_are_normalized(void **state)
{
    expect_content("DNAME", "target.example.net", "target.example.net.");
    expect_content("DNAME", "Sub.Example.com", "sub.example.com.");
    expect_error("DNAME", "sub");
    expect_content("LOC", "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
                   "52 22 23.000 N 04 53 32.000 E -2m 0.00m 10000m 10m");
    expect_error("LOC", "91 N 4 E 0m");
    expect_content("URI", "10 1 \"https://www.example.com/path\"",
                   "10 1 \"https://www.example.com/path\"");
    expect_error("URI", "10 1");
    expect_error("URI", "70000 1 \"x\"");
}

static void test_cds_cdnskey_openpgpkey_smimea_are_normalized(void **state)
{
    expect_content("CDS",
                   "12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D",
                   "12345 13 2 49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de1a0d46a7a3c6e8a9b5b4af0d");
    expect_content("CDS", "0 0 0 00", "0 0 0 00"); /* RFC 8078 delete */
    expect_error("CDS", "12345 13 2 49FD");
    expect_error("CDS",
                 "12345 13 3 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D");
    expect_error("DS",
                 "12345 13 7 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D");
    expect_error("DS", "0 0 0 00");
    expect_content("CDNSKEY", "0 3 0 AA==", "0 3 0 AA=="); /* RFC 8078 delete */
    expect_content(
        "CDNSKEY",
        "257 3 13 "
        "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==",
        "257 3 13 "
        "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==");
    expect_error("CDNSKEY", "257 3 13 !!!");
    expect_content("OPENPGPKEY", "mQENBFVHm5sBCACeDj2WUlZd", "mQENBFVHm5sBCACeDj2WUlZd");
    expect_error("OPENPGPKEY", "not base64!");
    expect_content("SMIMEA",
                   "3 1 1 ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
                   "3 1 1 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    expect_error("SMIMEA", "3 1 1 abcd");
}

/* ---- SVCB / HTTPS: RFC 9460 appendix D ---- */

static void test_svcb_rfc9460_vectors_are_accepted(void **state)
{
    expect_content("HTTPS", "0 foo.example.com.", "0 foo.example.com.");
    expect_content("SVCB", "1 .", "1 .");
    expect_content("SVCB", "16 foo.example.com. port=53", "16 foo.example.com. port=53");
    expect_content("SVCB", "1 foo.example.com. key667=hello", "1 foo.example.com. key667=hello");
    expect_content("SVCB", "1 foo.example.com. key667=\"hello\\210qoo\"",
                   "1 foo.example.com. key667=\"hello\\210qoo\"");
    /* a NUL octet stays in the value, escaped (found by fuzz_content: it
     * was written raw, and the stored text ended at it, "key9=") */
    expect_content("HTTPS", "0 .  key9=\\0001", "0 . key9=\"\\0001\"");
    expect_content("HTTPS", "1 . key9=\"a\\000\"", "1 . key9=\"a\\000\"");
    expect_content("SVCB", "1 foo.example.com. ipv6hint=\"2001:db8::1,2001:db8::53:1\"",
                   "1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::53:1");
    expect_content("SVCB", "1 example.com. ipv6hint=\"2001:db8:122:344::192.0.2.33\"",
                   "1 example.com. ipv6hint=2001:db8:122:344::c000:221");
    expect_content("SVCB",
                   "16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn "
                   "ipv4hint=192.0.2.1",
                   "16 foo.example.org. mandatory=alpn,ipv4hint alpn=h2,h3-19 "
                   "ipv4hint=192.0.2.1");
    /* the RFC's id "f\oo,bar" holds a comma: refused (Knot 3.2 refuses
     * some such lists), written either way the RFC writes it */
    expect_error("SVCB", "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\"");
    expect_error("SVCB", "16 foo.example.org. alpn=f\\\\\\092oo\\092,bar,h2");
    expect_error("HTTPS", "1 . alpn=\"h1\\\\,h2,h3\"");
    expect_error("HTTPS", "1 . key1=\"\\0030,1\""); /* generic form too */
    /* a backslash in an id stays */
    expect_content("SVCB", "16 foo.example.org. alpn=\"f\\\\\\\\oo,h2\"",
                   "16 foo.example.org. alpn=\"f\\\\\\\\oo,h2\"");
    /* a length octet of 44 is not a comma */
    {
        char in[200], id[45];
        memset(id, 'a', 44);
        id[44] = '\0';
        snprintf(in, sizeof(in), "1 . alpn=%s,h2", id);
        expect_content("HTTPS", in, in);
    }
    expect_content("HTTPS", "1 . alpn=\"h2;h3\"", "1 . alpn=\"h2;h3\"");
}

static void test_svcb_rfc9460_failure_vectors_are_refused(void **state)
{
    expect_error("SVCB", "1 foo.example.com. key123=abc key123=def");
    expect_error("SVCB", "1 foo.example.com. mandatory");
    expect_error("SVCB", "1 foo.example.com. alpn");
    expect_error("SVCB", "1 foo.example.com. port");
    expect_error("SVCB", "1 foo.example.com. ipv4hint");
    expect_error("SVCB", "1 foo.example.com. ipv6hint");
    expect_error("SVCB", "1 foo.example.com. no-default-alpn=abc");
    expect_error("SVCB", "1 foo.example.com. mandatory=key123");
    expect_error("SVCB", "1 foo.example.com. mandatory=mandatory");
    expect_error("SVCB", "1 foo.example.com. mandatory=key123,key123 key123=abc");
    /* the same key by name and by number is the same key */
    expect_error("HTTPS", "1 . alpn=h2 key1=\"\\002h3\"");
    expect_error("HTTPS", "1 . key65535=x");
    expect_error("HTTPS", "1 . alpn=\"h2\\\\x\"");
}

/* Keys from 7 up go out as keyN: Knot 3.2 knows neither dohpath nor ohttp. */
static void test_svcb_keys_from_7_are_written_generically(void **state)
{
    expect_content("HTTPS", "1 . alpn=h2 key7=\"/dns-query{?dns}\"",
                   "1 . alpn=h2 key7=\"/dns-query{?dns}\"");
    expect_content("HTTPS", "1 . dohpath=/dns-query{?dns} alpn=h2",
                   "1 . alpn=h2 key7=\"/dns-query{?dns}\"");
    expect_content("HTTPS", "1 . alpn=h2 ohttp", "1 . alpn=h2 key8");
    expect_content("HTTPS", "1 . mandatory=key7 alpn=h2 key7=/q{?dns}",
                   "1 . mandatory=key7 alpn=h2 key7=\"/q{?dns}\"");
    expect_error("HTTPS", "1 . dohpath=dns-query");
    /* BIND wants a relative URI template with the dns variable */
    expect_error("HTTPS", "1 . dohpath=/q");
    expect_error("HTTPS", "1 . dohpath=/q{?dns");
    expect_error("HTTPS", "1 . dohpath=/q{?dnsx}");
    expect_content("HTTPS", "1 . dohpath=/q{?x,dns:3}", "1 . key7=\"/q{?x,dns:3}\"");
}

/* dohpath values named-checkzone (BIND 9.18) takes and refuses, each
 * tried there: an expression is strict RFC 6570 (found by fuzz_content: a
 * variable named "[07" made BIND refuse the zone) */
static void test_svcb_dohpath_is_a_uri_template_bind_reads(void **state)
{
    static const char *const taken[] = {
        "/q{#dns}",
        "/q{.dns}",
        "/q{/dns}",
        "/q{;dns}",
        "/q{&dns}",
        "/q{+dns}",
        "/q{x}{?dns}",
        "/q{?dns,x:3,y*}",
        "/q{?dns:9999}",
        "/q{?dns*}",
        "/q{_a,dns}",
        "/q{%41,dns}",
        "/q%41{?dns}",
        "/q[x]{?dns}",
        "/q{dns:1234}",
        /* BIND misses a "dns" right after a prefix, not one further on */
        "/q{a:5,b,dns}",
        "/q{a:5,dns}{?dns}",
        "/q{dns:5,a}",
        "/q{dns,a:5}",
        "/q{a:5,dns,dns}",
    };
    static const char *const refused[] = {
        "/q{[07}{?dns}",
        "/q%4{?dns}",
        "/q%zz{?dns}",
        "/q{?dns:0}",
        "/q{?dns:10000}",
        "/q{=dns}",
        "/q{!dns}",
        "/q{@dns}",
        "/q{|dns}",
        "/q{,dns}",
        "/q{dns.x}",
        "/q{d.ns,dns}",
        "/q{dns,}",
        "/q{}{dns}",
        "/q{dns:01}",
        "/q{dns*:3}",
        "/q{?dns:}",
        "/q{?dns::1}",
        "/q{?dns**}",
        "/q{{?dns}",
        "/q{?d-ns,dns}",
        "/q{%4,dns}",
        "/q{?%64ns}",
        "/q{?DNS}",
        /* found by fuzz_content: BIND 9.18 does not see these "dns" */
        "/q{a:5,dns}",
        "/q{?a:111,dns}",
        "/q{+a:5,dns}",
        "/q{dnk,11:111,dns}1",
    };
    char in[128], want[128];
    for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
        snprintf(in, sizeof(in), "1 . dohpath=\"%s\"", taken[i]);
        snprintf(want, sizeof(want), "1 . key7=\"%s\"", taken[i]);
        expect_content("HTTPS", in, want);
    }
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        snprintf(in, sizeof(in), "1 . dohpath=\"%s\"", refused[i]);
        expect_error("HTTPS", in);
    }
}

/* The generic form key1="..." meets the rules of alpn=...: an id twice,
 * a NUL octet, an id over 255 characters as written (found by
 * fuzz_content: key1 with an id twice was taken and written as an alpn
 * list that then read back refused) */
static void test_alpn_rules_hold_for_the_generic_form(void **state)
{
    const char *m =
        expect_error_p("HTTPS", "1 . key1=\"\\002h2\\002h3\\002h2\"", -1, "bad_rdata", "content");
    assert_non_null(strstr(m, "twice"));
    m = expect_error_p("HTTPS", "1 . key1=\"\\003a\\000b\\002h3\"", -1, "bad_rdata", "content");
    assert_non_null(strstr(m, "NUL"));
    m = expect_error_p("HTTPS", "1 . alpn=\"a\\000b,h3\"", -1, "bad_rdata", "content");
    assert_non_null(strstr(m, "NUL"));
    /* 255 octets, one a lone backslash: 256 characters as written */
    char in[1400], out[DNS_CONTENT_BUFSIZE];
    for (int generic = 0; generic < 2; generic++) {
        int n = snprintf(in, sizeof(in), generic ? "1 . key1=\"\\255" : "1 . alpn=\"");
        for (int i = 0; i < 255; i++) {
            n += snprintf(in + n, sizeof(in) - (size_t)n, "%s",
                          i == 100 ? (generic ? "\\\\" : "\\\\\\\\") : "a");
        }
        snprintf(in + n, sizeof(in) - (size_t)n, "\"");
        m = expect_error_p("HTTPS", in, -1, "bad_rdata", "content");
        assert_non_null(strstr(m, "255"));
    }
    /* without the backslash, 255 octets are taken in both forms, alike */
    int n = snprintf(in, sizeof(in), "1 . key1=\"\\255");
    for (int i = 0; i < 255; i++) {
        in[n++] = 'a';
    }
    snprintf(in + n, sizeof(in) - (size_t)n, "\"");
    int prio;
    dnsapi_err_t err;
    assert_int_equal(dns_rdata_normalize(ZONE, "HTTPS", in, -1, out, sizeof(out), &prio, &err),
                     DNSAPI_OK);
    char again[DNS_CONTENT_BUFSIZE];
    assert_int_equal(dns_rdata_normalize(ZONE, "HTTPS", out, -1, again, sizeof(again), &prio, &err),
                     DNSAPI_OK);
    assert_string_equal(out, again);
    assert_non_null(strstr(out, "alpn="));
}

static void test_forms_knot_or_nsd_misread_are_avoided(void **state)
{
    /* Knot misreads a one-octet id before another, NSD the generic key1
     * form of any list: no form serves it alike, refused */
    expect_error("HTTPS", "1 . alpn=h,h3");
    expect_error("HTTPS", "1 . key1=\"\\001h\\002h3\"");
    expect_content("HTTPS", "1 . alpn=h3,h", "1 . alpn=h3,h");
    expect_content("HTTPS", "1 . key1=\"\\002h2\\002h3\"", "1 . alpn=h2,h3");
    /* Knot misreads a backslash at an id's edge or two in a row (found by
     * fuzz_record_body); a lone one inside an id reads alike everywhere */
    expect_error("HTTPS", "1 . alpn=\"ab\\\\\\\\,cd\"");
    expect_error("HTTPS", "1 . alpn=\"ab,\\\\\\\\cd\"");
    expect_error("HTTPS", "1 . alpn=\"c\\\\\\\\\\\\\\\\d\"");
    expect_error("HTTPS", "1 . key1=\"\\003ab\\\\\\002cd\"");
    expect_content("HTTPS", "1 . alpn=\"h1,h2\\\\\\\\x,h3\"", "1 . alpn=\"h1,h2\\\\\\\\x,h3\"");
    /* an id holding a comma is refused (found by fuzz_content) */
    expect_error("HTTPS", "1 . alpn=\"0\\\\,1\"");
    expect_error("HTTPS", "1 . alpn=\"h2,\\\\,b\"");
    /* '#' in a name is \035: NSD reads "\#" opening rdata as RFC 3597 */
    expect_content("PTR", "\\#h.example.com.", "\\035h.example.com.");
    /* Knot refuses an alpn id given twice */
    expect_error("HTTPS", "1 . alpn=h2,h3,h2");
    expect_error("HTTPS", "1 . ohttp=1");
}

/* ---- TXT limits, CAA escapes ---- */

static void test_txt_with_many_strings_is_accepted(void **state)
{
    static char in[4096], want[4096];
    in[0] = '\0';
    for (int i = 0; i < 300; i++) {
        strcat(in, i > 0 ? " \"s\"" : "\"s\"");
    }
    snprintf(want, sizeof(want), "%s", in);
    expect_content("TXT", in, want);
}

static void test_txt_up_to_65535_bytes_of_rdata_is_accepted(void **state)
{
    /* 257 strings of 254 bytes: 257 * 255 = 65535 octets of RDATA */
    size_t size = DNS_CONTENT_MAX;
    char *in = malloc(size), *out = malloc(size);
    assert_non_null(in);
    assert_non_null(out);
    size_t o = 0;
    for (int i = 0; i < 257; i++) {
        if (i > 0) {
            in[o++] = ' ';
        }
        in[o++] = '"';
        memset(in + o, 'a' + i % 26, 254);
        o += 254;
        in[o++] = '"';
    }
    in[o] = '\0';
    dns_rdata_in_t ri = {ZONE, NULL, "TXT", in, -1};
    dns_rdata_out_t ro = {.content = out, .content_size = size};
    dnsapi_err_t err;
    if (dns_rdata_parse(&ri, &ro, &err) != DNSAPI_OK) {
        fail_msg("%s", err.message);
    }
    assert_string_equal(out, in);
    /* one byte more is over the limit */
    memmove(in + 2, in + 1, o);
    in[1] = 'z';
    assert_int_equal(dns_rdata_parse(&ri, &ro, &err), DNSAPI_EINVAL);
    assert_string_equal(err.code, "bad_rdata");
    /* literal text: 65,279 bytes split into 256 strings fit, one more does not */
    memset(in, 'x', 65279);
    in[65279] = '\0';
    assert_int_equal(dns_rdata_parse(&ri, &ro, &err), DNSAPI_OK);
    in[65279] = 'x';
    in[65280] = '\0';
    assert_int_equal(dns_rdata_parse(&ri, &ro, &err), DNSAPI_EINVAL);
    free(in);
    free(out);
}

static void test_caa_value_escapes_are_read(void **state)
{
    expect_content("CAA", "0 issue \"ca\\059.example; x=\\\"y\\\"\"",
                   "0 issue \"ca;.example; x=\\\"y\\\"\"");
    expect_content("CAA", "0 issue ca\\059.example", "0 issue \"ca;.example\"");
    expect_content("CAA", "0 iodef \"mailto:a\\200b@example.com\"",
                   "0 iodef \"mailto:a\\200b@example.com\"");
    expect_content("CAA", "128 Issue letsencrypt.org", "128 issue \"letsencrypt.org\"");
    expect_error("CAA", "0 issue \"unterminated");
    expect_error("CAA", "0 issue a\\999");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_kinds_say_why_a_type_is_refused),
        cmocka_unit_test(test_generic_type_names_are_normalized),
        cmocka_unit_test(test_generic_content_is_stored_generically),
        cmocka_unit_test(test_generic_content_of_a_known_type_is_read_as_that_type),
        cmocka_unit_test(test_generic_data_of_a_wrong_size_is_bad_rdata),
        cmocka_unit_test(test_a_name_beginning_with_a_lone_at_label_is_bad_rdata),
        cmocka_unit_test(test_dname_loc_uri_are_normalized),
        cmocka_unit_test(test_cds_cdnskey_openpgpkey_smimea_are_normalized),
        cmocka_unit_test(test_svcb_rfc9460_vectors_are_accepted),
        cmocka_unit_test(test_svcb_rfc9460_failure_vectors_are_refused),
        cmocka_unit_test(test_svcb_keys_from_7_are_written_generically),
        cmocka_unit_test(test_svcb_dohpath_is_a_uri_template_bind_reads),
        cmocka_unit_test(test_forms_knot_or_nsd_misread_are_avoided),
        cmocka_unit_test(test_alpn_rules_hold_for_the_generic_form),
        cmocka_unit_test(test_txt_with_many_strings_is_accepted),
        cmocka_unit_test(test_txt_up_to_65535_bytes_of_rdata_is_accepted),
        cmocka_unit_test(test_caa_value_escapes_are_read),
        cmocka_unit_test(test_type_is_case_insensitive),
        cmocka_unit_test(test_unsupported_type_is_refused),
        cmocka_unit_test(test_soa_content_cannot_be_written),
        cmocka_unit_test(test_default_ttl_is_86400_for_ns_and_3600_otherwise),
        cmocka_unit_test(test_only_mx_and_srv_have_priority),
        cmocka_unit_test(test_a_is_normalized),
        cmocka_unit_test(test_bad_a_is_refused),
        cmocka_unit_test(test_aaaa_is_lowercased_and_compressed),
        cmocka_unit_test(test_bad_aaaa_is_refused),
        cmocka_unit_test(test_host_without_trailing_dot_is_fully_qualified),
        cmocka_unit_test(test_host_inside_zone_is_not_doubled),
        cmocka_unit_test(test_at_sign_in_content_is_the_apex),
        cmocka_unit_test(test_single_label_target_is_refused_with_hint),
        cmocka_unit_test(test_root_target_is_refused_where_a_host_is_needed),
        cmocka_unit_test(test_absolute_single_label_target_is_accepted),
        cmocka_unit_test(test_bad_names_in_content_are_refused),
        cmocka_unit_test(test_names_in_content_keep_their_octets),
        cmocka_unit_test(test_non_ldh_host_targets_warn),
        cmocka_unit_test(test_origin_makes_names_in_content_relative),
        cmocka_unit_test(test_target_with_64_character_label_is_refused),
        cmocka_unit_test(test_mx_priority_in_content),
        cmocka_unit_test(test_mx_priority_as_field),
        cmocka_unit_test(test_mx_priority_in_both_places_must_agree),
        cmocka_unit_test(test_mx_without_priority_is_refused),
        cmocka_unit_test(test_mx_priority_out_of_range_is_refused),
        cmocka_unit_test(test_null_mx_is_accepted),
        cmocka_unit_test(test_mx_with_extra_words_is_refused),
        cmocka_unit_test(test_srv_priority_in_content),
        cmocka_unit_test(test_srv_priority_as_field),
        cmocka_unit_test(test_srv_without_priority_is_refused),
        cmocka_unit_test(test_srv_port_out_of_range_is_refused),
        cmocka_unit_test(test_priority_for_other_types_is_refused),
        cmocka_unit_test(test_txt_literal_is_stored_as_given),
        cmocka_unit_test(test_txt_with_semicolons_is_one_string),
        cmocka_unit_test(test_txt_longer_than_255_bytes_is_stored_whole),
        cmocka_unit_test(test_txt_too_long_for_buffer_is_refused),
        cmocka_unit_test(test_txt_utf8_is_stored_as_given),
        cmocka_unit_test(test_txt_control_characters_are_refused),
        cmocka_unit_test(test_txt_quoted_is_parsed_as_character_strings),
        cmocka_unit_test(test_txt_quoted_equal_to_literal_is_stored_literal),
        cmocka_unit_test(test_txt_quoted_with_bad_syntax_is_refused),
        cmocka_unit_test(test_txt_quoted_string_over_255_bytes_is_refused),
        cmocka_unit_test(test_empty_content_is_refused),
        cmocka_unit_test(test_caa_is_normalized),
        cmocka_unit_test(test_bad_caa_is_refused),
        cmocka_unit_test(test_ds_is_normalized),
        cmocka_unit_test(test_bad_ds_is_refused),
        cmocka_unit_test(test_digest_with_odd_hex_digits_is_refused),
        cmocka_unit_test(test_digest_of_wrong_length_for_its_type_is_refused),
        cmocka_unit_test(test_digest_of_unknown_type_may_have_any_even_length),
        cmocka_unit_test(test_ds_of_a_digest_type_knot_refuses_is_refused),
        cmocka_unit_test(test_tlsa_is_normalized),
        cmocka_unit_test(test_bad_tlsa_is_refused),
        cmocka_unit_test(test_sshfp_is_normalized),
        cmocka_unit_test(test_bad_sshfp_is_refused),
        cmocka_unit_test(test_naptr_is_normalized),
        cmocka_unit_test(test_bad_naptr_is_refused),
        cmocka_unit_test(test_naptr_with_bad_regexp_is_refused),
        cmocka_unit_test(test_quote_inside_a_word_is_refused),
        cmocka_unit_test(test_svcb_ech_is_base64),
        cmocka_unit_test(test_alpn_id_over_255_as_written_is_refused),
        cmocka_unit_test(test_alpn_id_with_a_nul_octet_is_refused),
        cmocka_unit_test(test_empty_generic_data_of_a_known_type_is_refused),
        cmocka_unit_test(test_svcb_is_normalized),
        cmocka_unit_test(test_https_is_normalized),
        cmocka_unit_test(test_bad_svcb_is_refused),
        cmocka_unit_test(test_svcb_generic_key_and_mandatory_are_accepted),
        cmocka_unit_test(test_comments_and_parentheses_are_refused),
        cmocka_unit_test(test_control_characters_are_refused_everywhere),
        cmocka_unit_test(test_unnormalized_zone_is_refused),
        cmocka_unit_test(test_target_is_found_for_host_types),
        cmocka_unit_test(test_target_is_absent_for_other_types_and_root),
        cmocka_unit_test(test_example_exists_for_every_type),
        cmocka_unit_test(test_normalized_content_is_stable_and_renders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
