/* Unit tests: the master-file reader (dns/zonefile.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/zonefile.h"

#define ZONE "example.com."

/* Reads the whole of text; fills up to max records (owner, ttl, type and
 * data joined in one line "owner ttl type data") and the error codes with
 * their lines. Returns the number of records. */
typedef struct {
    char rec[32][4096];
    size_t n_rec;
    char errs[16][400];
    size_t n_err;
} read_t;

static size_t read_all(const char *text, read_t *out)
{
    dns_zf_t *zf = NULL;
    dnsapi_err_t err;
    memset(out, 0, sizeof(*out));
    dnsapi_err_clear(&err);
    assert_int_equal(dns_zf_open(&zf, text, strlen(text), ZONE, &err), DNSAPI_OK);
    dns_zf_record_t r;
    for (int guard = 0; guard < 1000; guard++) {
        dnsapi_err_clear(&err);
        int rc = dns_zf_next(zf, &r, &err);
        if (rc == 0) {
            break;
        }
        if (rc < 0) {
            assert_int_equal(rc, DNSAPI_EINVAL);
            if (out->n_err < 16) {
                snprintf(out->errs[out->n_err++], sizeof(out->errs[0]), "%s %s", err.code,
                         err.message);
            }
            continue;
        }
        if (out->n_rec < 32) {
            snprintf(out->rec[out->n_rec++], sizeof(out->rec[0]), "%s %u%s %s %s", r.owner, r.ttl,
                     r.ttl_unknown ? "?" : "", r.type, r.rdata);
        }
    }
    dns_zf_close(zf);
    return out->n_rec;
}

static void test_owner_ttl_class_in_any_order(void **state)
{
    (void)state;
    static read_t rd;
    read_all("$TTL 300\n"
             "www 60 IN A 192.0.2.1\n"
             "www IN 61 A 192.0.2.2\n"
             "    A 192.0.2.3\n"
             "@ MX 10 mail\n"
             "abs.example.org. 1h AAAA 2001:db8::1\n",
             &rd);
    assert_int_equal(rd.n_err, 0);
    assert_int_equal(rd.n_rec, 5);
    assert_string_equal(rd.rec[0], "www.example.com. 60 A 192.0.2.1");
    assert_string_equal(rd.rec[1], "www.example.com. 61 A 192.0.2.2");
    assert_string_equal(rd.rec[2], "www.example.com. 300 A 192.0.2.3"); /* $TTL, previous owner */
    assert_string_equal(rd.rec[3], "example.com. 300 MX 10 mail");      /* relative: see origin */
    assert_string_equal(rd.rec[4], "abs.example.org. 3600 AAAA 2001:db8::1");
}

static void test_parentheses_comments_and_quotes(void **state)
{
    (void)state;
    static read_t rd;
    read_all("$ORIGIN example.com.\n"
             "@ 3600 IN SOA ns1 hostmaster ( ; the SOA\n"
             "   2024010101 ; serial\n"
             "   3600 900 604800 300 )\n"
             "txt 300 TXT \"a ; not a comment\" \"b ( c )\" ; a comment\n"
             "esc 300 TXT \"quote \\\" inside\"\n",
             &rd);
    assert_int_equal(rd.n_err, 0);
    assert_int_equal(rd.n_rec, 3);
    assert_string_equal(rd.rec[0], "example.com. 3600 SOA ns1 hostmaster 2024010101 3600 900 "
                                   "604800 300");
    assert_string_equal(rd.rec[1], "txt.example.com. 300 TXT \"a ; not a comment\" \"b ( c )\"");
    assert_string_equal(rd.rec[2], "esc.example.com. 300 TXT \"quote \\\" inside\"");
}

static void test_origin_changes_and_relative_origin(void **state)
{
    (void)state;
    static read_t rd;
    read_all("$ORIGIN sub\n"
             "a 300 A 192.0.2.1\n"
             "$ORIGIN other.test.\n"
             "b 300 A 192.0.2.2\n",
             &rd);
    assert_int_equal(rd.n_err, 0);
    assert_string_equal(rd.rec[0], "a.sub.example.com. 300 A 192.0.2.1");
    assert_string_equal(rd.rec[1], "b.other.test. 300 A 192.0.2.2");
}

/* RFC 1035: without $TTL the last TTL written applies; an SOA without any
 * TTL takes its MINIMUM; a record with nothing before it is marked for the
 * caller's default. */
static void test_default_ttls(void **state)
{
    (void)state;
    static read_t rd;
    read_all("a A 192.0.2.1\n"
             "b 120 A 192.0.2.2\n"
             "c A 192.0.2.3\n",
             &rd);
    assert_string_equal(rd.rec[0], "a.example.com. 0? A 192.0.2.1");
    assert_string_equal(rd.rec[1], "b.example.com. 120 A 192.0.2.2");
    assert_string_equal(rd.rec[2], "c.example.com. 120 A 192.0.2.3");
    read_all("@ SOA ns1 host 1 2 3 4 900\nd A 192.0.2.4\n", &rd);
    assert_string_equal(rd.rec[0], "example.com. 900 SOA ns1 host 1 2 3 4 900");
    assert_string_equal(rd.rec[1], "d.example.com. 900 A 192.0.2.4");
}

static void test_ttl_units_and_bounds(void **state)
{
    (void)state;
    static read_t rd;
    read_all("a 1w2d3h4m5s A 192.0.2.1\n"
             "b 2147483647 A 192.0.2.2\n"
             "c 2147483648 A 192.0.2.3\n"
             "d 1h30 A 192.0.2.4\n"
             "$TTL x\n",
             &rd);
    assert_int_equal(rd.n_rec, 2);
    assert_string_equal(rd.rec[0], "a.example.com. 788645 A 192.0.2.1");
    assert_string_equal(rd.rec[1], "b.example.com. 2147483647 A 192.0.2.2");
    assert_int_equal(rd.n_err, 3);
    assert_string_equal(rd.errs[0], "bad_zone_file line 3: bad TTL 2147483648: give seconds from 0 "
                                    "to 2147483647, or units such as 1h");
    assert_non_null(strstr(rd.errs[1], "line 4: bad TTL 1h30"));
    assert_non_null(strstr(rd.errs[2], "line 5: $TTL takes one TTL"));
}

/* Every problem is reported with its line, and reading goes on. */
static void test_errors_are_all_reported(void **state)
{
    (void)state;
    static read_t rd;
    read_all("ok 300 A 192.0.2.1\n"
             " 300 A 192.0.2.2\n" /* fine: previous owner */
             "$INCLUDE /etc/passwd\n"
             "$GENERATE 1-10 h$ A 192.0.2.$\n"
             "bad 300 CH A 192.0.2.3\n"
             "nodata 300 A\n"
             "q 300 TXT \"open\n"
             "x ) A 192.0.2.4\n"
             "after 300 A 192.0.2.9\n",
             &rd);
    assert_int_equal(rd.n_rec, 3);
    assert_string_equal(rd.rec[2], "after.example.com. 300 A 192.0.2.9");
    assert_int_equal(rd.n_err, 6);
    assert_non_null(strstr(rd.errs[0], "line 3: $INCLUDE is not supported"));
    assert_non_null(strstr(rd.errs[1], "line 4: $GENERATE is not supported"));
    assert_string_equal(rd.errs[2], "bad_class line 5: class CH: only class IN can be imported");
    assert_string_equal(rd.errs[3], "bad_zone_file line 6: the A record has no data");
    assert_non_null(strstr(rd.errs[4], "line 7: a quoted string runs past the end of the line"));
    assert_non_null(strstr(rd.errs[5], "line 8: ')' without '('"));
}

static void test_first_line_blank_owner_and_unclosed_paren(void **state)
{
    (void)state;
    static read_t rd;
    read_all("  300 A 192.0.2.1\nz 300 TXT ( \"a\"\n", &rd);
    assert_int_equal(rd.n_rec, 0);
    assert_int_equal(rd.n_err, 2);
    assert_non_null(strstr(rd.errs[0], "line 1: the first record has no owner name"));
    assert_non_null(strstr(rd.errs[1], "line 2: '(' is not closed before the end of the file"));
}

/* The file that crashed ldns's whole-file reader: repeated SOA lines, some
 * without a TTL. Read record by record, nothing is freed twice. */
static void test_repeated_soa_lines(void **state)
{
    (void)state;
    static read_t rd;
    const char *text = "@ 300 IN SOA a. b. 1 2 3 4 5\n"
                       "@ IN SOA a. b. 1 2 3 4 5\n"
                       "@ 300 IN SOA a. b. 1 2 3 4 5\n"
                       "@ IN SOA a. b. 1 2 3 4 5\n"
                       "x IN A 192.0.2.1\n";
    for (int i = 0; i < 50; i++) {
        read_all(text, &rd);
        assert_int_equal(rd.n_err, 0);
        assert_int_equal(rd.n_rec, 5);
        assert_string_equal(rd.rec[1], "example.com. 300 SOA a. b. 1 2 3 4 5");
        assert_string_equal(rd.rec[4], "x.example.com. 300 A 192.0.2.1");
    }
}

static void test_nul_byte_and_escapes(void **state)
{
    (void)state;
    dns_zf_t *zf = NULL;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    assert_int_equal(dns_zf_open(&zf, "a A 1\0", 6, ZONE, &err), DNSAPI_EINVAL);
    assert_null(zf);
    assert_string_equal(err.code, "bad_zone_file");
    static read_t rd;
    /* an escaped dot does not make a name absolute; an escaped ';' is no
     * comment; CRLF line ends */
    read_all("a\\. 300 A 192.0.2.1\r\nb\\;c 300 TXT x\\;y\r\n", &rd);
    assert_int_equal(rd.n_err, 0);
    assert_int_equal(rd.n_rec, 2);
    assert_string_equal(rd.rec[0], "a\\..example.com. 300 A 192.0.2.1");
    assert_non_null(strstr(rd.rec[1], "b\\;c.example.com. 300 TXT "));
}

/* Unquoted TXT words, quoted for callers whose unquoted text is literal. */
static void test_rdata_quoted(void **state)
{
    (void)state;
    dns_zf_t *zf = NULL;
    dnsapi_err_t err;
    const char *text = "t 300 TXT v=spf1 \"mx a\" -all\n";
    assert_int_equal(dns_zf_open(&zf, text, strlen(text), ZONE, &err), DNSAPI_OK);
    dns_zf_record_t r;
    assert_int_equal(dns_zf_next(zf, &r, &err), 1);
    assert_string_equal(r.rdata, "v=spf1 \"mx a\" -all");
    assert_int_equal(r.n_rdata, 3);
    assert_string_equal(dns_zf_rdata_quoted(zf), "\"v=spf1\" \"mx a\" \"-all\"");
    assert_int_equal(dns_zf_line(zf), 1);
    assert_int_equal(dns_zf_next(zf, &r, &err), 0);
    dns_zf_close(zf);
}

/* A quoted part inside a word stays in the word (SVCB values). */
static void test_quotes_inside_a_word(void **state)
{
    (void)state;
    dns_zf_t *zf = NULL;
    dnsapi_err_t err;
    const char *text = "svc 300 HTTPS 1 . alpn=\"h2,h3\" key667=\"a b;c\" ; comment\n"
                       "bad 300 HTTPS 1 . alpn=\"h2\n";
    assert_int_equal(dns_zf_open(&zf, text, strlen(text), ZONE, &err), DNSAPI_OK);
    dns_zf_record_t r;
    assert_int_equal(dns_zf_next(zf, &r, &err), 1);
    assert_string_equal(r.rdata, "1 . alpn=\"h2,h3\" key667=\"a b;c\"");
    assert_int_equal(r.n_rdata, 4);
    assert_int_equal(dns_zf_next(zf, &r, &err), DNSAPI_EINVAL);
    assert_non_null(strstr(err.message, "line 2: a quoted string runs past the end of the line"));
    assert_int_equal(dns_zf_next(zf, &r, &err), 0);
    dns_zf_close(zf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owner_ttl_class_in_any_order),
        cmocka_unit_test(test_parentheses_comments_and_quotes),
        cmocka_unit_test(test_origin_changes_and_relative_origin),
        cmocka_unit_test(test_default_ttls),
        cmocka_unit_test(test_ttl_units_and_bounds),
        cmocka_unit_test(test_errors_are_all_reported),
        cmocka_unit_test(test_first_line_blank_owner_and_unclosed_paren),
        cmocka_unit_test(test_repeated_soa_lines),
        cmocka_unit_test(test_nul_byte_and_escapes),
        cmocka_unit_test(test_rdata_quoted),
        cmocka_unit_test(test_quotes_inside_a_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
