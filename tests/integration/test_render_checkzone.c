/* Integration test: a zone holding every supported type, names with
 * escapes, RFC 3597 types and RFC 9460's SVCB vectors, rendered by
 * dns/render.c the way zonegen does (SOA and apex NS first), must load in
 * nsd-checkzone, kzonecheck and named-checkzone and read back through ldns
 * with the same number of records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "dns/dns.h"
#include "support/rdata_fuzz.h"

#define ZONE "example.com."
#define NSD_CHECKZONE "/usr/sbin/nsd-checkzone"
#define NAMED_CHECKZONE "/usr/bin/named-checkzone"
#define KZONECHECK "/usr/bin/kzonecheck"

typedef struct {
    const char *name; /* as a client would send it */
    const char *type;
    const char *content;
    long priority;
} input_t;

static const input_t RECORDS[] = {
    {"@", "A", "192.0.2.1", -1},
    {"@", "AAAA", "2001:DB8::1", -1},
    {"@", "MX", "10 mail.example.com", -1},
    {"@", "MX", "mail2.example.com.", 20},
    {"@", "MX", "30 Mail3.Example.NET", -1},
    {"@", "TXT", "v=spf1 mx -all", -1},
    {"@", "CAA", "0 issue letsencrypt.org", -1},
    {"@", "CAA", "0 iodef \"mailto:security@example.com\"", -1},
    {"@", "HTTPS", "1 . alpn=h2,h3 ipv4hint=192.0.2.1 ipv6hint=2001:db8::1", -1},
    {"www", "CNAME", "example.com", -1},
    {"mail", "A", "192.0.2.25", -1},
    {"mail", "SSHFP", "4 2 123456789abcdef67890123456789abcdef67890123456789abcdef678901234", -1},
    {"_443._tcp.mail", "TLSA",
     "3 1 1 ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789", -1},
    {"mail2", "AAAA", "2001:db8::25", -1},
    {"*", "A", "192.0.2.80", -1},
    {"*.wild", "TXT", "wildcard text", -1},
    {"_sip._tcp", "SRV", "10 5 5060 sip.example.com", -1},
    {"_xmpp._tcp.example.com", "SRV", "5 5223 xmpp.other-provider.com.", 0},
    {"sip", "A", "192.0.2.60", -1},
    {"sub", "NS", "ns1.sub.example.com", -1},
    {"sub", "NS", "ns2.sub.example.com.", -1},
    {"ns1.sub", "A", "192.0.2.53", -1},
    {"ns2.sub", "AAAA", "2001:db8::53", -1},
    {"sub", "DS", "12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D",
     -1},
    {"other", "NS", "ns1.other-provider.com", -1},
    {"other", "NS", "ns2.other-provider.com", -1},
    {"sip2", "NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .", -1},
    {"sip2", "NAPTR", "100 50 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.com", -1},
    {"svc", "SVCB", "1 svc-target.example.com alpn=h2 port=8443", -1},
    {"svc-alias", "SVCB", "0 svc.example.com", -1},
    {"web", "HTTPS", "1 . mandatory=alpn alpn=h2 no-default-alpn", -1},
    {"1.2", "PTR", "host.example.com", -1},
    {"k1._domainkey", "TXT",
     "v=DKIM1; k=rsa; "
     "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu5lJ2m6Zxl9eQ0cK6v8G4cQm1tZg3WvV8xF7pP4nH2sLw"
     "0Qz1yR4s8uE3aXoKcN7bDfG6hJ9iL2mO5pQ1rS4tU7vW0xY3zA6bC9dE2fH5gI8jK1lM4nO7pQ0rS3tU6vW9xY2zA5bC"
     "8dE1fH4gI7jK0lM3nO6pQ9rS2tU5vW8xY1zA4bC7dE0fH3gI6jK9lM2nO5pQ8rS1tU4vW7xY0zA3bC6dE9fH2gIDAQAB",
     -1},
    {"quoted", "TXT", "\"one\" \"two; three\" \"say \\\"hi\\\"\"", -1},
    {"odd", "TXT", "caf\xc3\xa9 \"quotes\" and \\backslash\\", -1},
    /* names as DNS has them */
    {"Office\\032Printer._ipp._tcp", "SRV", "0 0 631 printer.example.com", -1},
    {"Office\\032Printer._ipp._tcp", "TXT", "txtvers=1", -1},
    {"_ipp._tcp", "PTR", "Office\\032Printer._ipp._tcp.example.com.", -1},
    {"0/26.rev", "NS", "ns1.other-provider.com", -1},
    {"0/26.rev", "NS", "ns2.other-provider.com", -1},
    {"1.rev", "CNAME", "1.0/26.rev.example.com.", -1},
    {"host.*.sub2", "A", "192.0.2.7", -1},
    {"a\\.b", "A", "192.0.2.8", -1},
    {"q\\\"\\;\\(\\)\\@\\$x", "A", "192.0.2.9", -1},
    {"oct\\000\\200\\255", "A", "192.0.2.10", -1},
    {"MixedCase", "A", "192.0.2.11", -1},
    {"lo", "PTR", "localhost.", -1},
    {"apex-alias", "CNAME", "example.com.", -1},
    {"odd-ns.deleg", "NS", "ns\\0321.other-provider.com.", -1},
    /* the types of real zones */
    {"old", "DNAME", "example.net.", -1},
    {"@", "LOC", "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m", -1},
    {"_http._tcp", "URI", "10 1 \"https://www.example.com/path\"", -1},
    /* at the apex BIND loads only the RFC 8078 delete form without a
     * DNSKEY (which the signer owns); other CDS/CDNSKEY go below it here */
    {"@", "CDS", "0 0 0 00", -1},
    {"@", "CDNSKEY", "0 3 0 AA==", -1},
    {"child", "CDS", "12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D",
     -1},
    {"child", "CDNSKEY",
     "257 3 13 "
     "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==",
     -1},
    {"pgp._openpgpkey", "OPENPGPKEY", "mQENBFVHm5sBCACeDj2WUlZd", -1},
    {"_443._tcp.smime", "SMIMEA",
     "3 1 1 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", -1},
    {"generic", "TYPE65534", "\\# 4 0a000001", -1},
    {"generic", "TYPE65000", "\\# 0", -1},
    {"generic-a", "A", "\\# 4 c0000202", -1},
    /* RFC 9460 appendix D, and keys from 7 written generically */
    {"v1", "HTTPS", "0 foo.example.com.", -1},
    {"v2", "SVCB", "1 .", -1},
    {"v3", "SVCB", "16 foo.example.com. port=53", -1},
    {"v4", "SVCB", "1 foo.example.com. key667=hello", -1},
    {"v5", "SVCB", "1 foo.example.com. key667=\"hello\\210qoo\"", -1},
    {"v6", "SVCB", "1 foo.example.com. ipv6hint=\"2001:db8::1,2001:db8::53:1\"", -1},
    {"v7", "SVCB", "1 example.com. ipv6hint=\"2001:db8:122:344::192.0.2.33\"", -1},
    {"v8", "SVCB", "16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1",
     -1},
    {"v9", "SVCB", "16 foo.example.org. alpn=\"f\\\\\\\\oo,h2\"", -1},
    {"v10", "SVCB", "16 foo.example.org. alpn=f\\\\\\092oo,h2", -1},
    {"v11", "HTTPS", "1 . alpn=\"h1,h2,h3\"", -1},
    {"doh", "HTTPS", "1 . alpn=h2 key7=\"/dns-query{?dns}\"", -1},
    {"doh2", "HTTPS", "1 . mandatory=key7 alpn=h2 dohpath=/q{?dns}", -1},
    {"ohttp", "HTTPS", "1 . alpn=h2 ohttp", -1},
    {"short-alpn", "HTTPS", "1 . mandatory=alpn alpn=h3,dd,c", -1},
    {"hash", "PTR", "\\#h.example.com.", -1},
    {"@", "CAA", "0 issuewild \"ca\\059.example; x=\\\"y\\\"\"", -1},
};

/* Writes the SOA line and apex NS set first, then every record, and
 * returns how many records the file holds. */
static size_t zone_write(FILE *fp)
{
    dnsapi_err_t err;
    size_t count = 0;

    assert_int_equal(dns_render_header(fp, ZONE, 2026112201u), DNSAPI_OK);
    assert_int_equal(dns_render_record(fp, ZONE, "SOA", 3600, -1,
                                       "ns1.example.net. hostmaster.example.net. 2026112201 "
                                       "3600 600 604800 300",
                                       &err),
                     DNSAPI_OK);
    assert_int_equal(dns_render_record(fp, ZONE, "NS", 86400, -1, "ns1.example.net.", &err),
                     DNSAPI_OK);
    assert_int_equal(dns_render_record(fp, ZONE, "NS", 86400, -1, "ns2.example.net.", &err),
                     DNSAPI_OK);
    count = 3;

    for (size_t i = 0; i < sizeof(RECORDS) / sizeof(RECORDS[0]); i++) {
        const input_t *in = &RECORDS[i];
        dns_name_t owner;
        char type[16];
        char content[DNS_CONTENT_BUFSIZE];
        int prio;
        if (dns_name_parse(ZONE, in->name, &owner, &err) != DNSAPI_OK ||
            dns_type_normalize(in->type, type, sizeof(type), &err) != DNSAPI_OK ||
            dns_rdata_normalize(ZONE, type, in->content, in->priority, content, sizeof(content),
                                &prio, &err) != DNSAPI_OK) {
            fail_msg("%s %s %s: %s (%s)", in->name, in->type, in->content, err.code, err.message);
        }
        /* rendered as given (case kept), the way a display form is */
        const char *name = owner.display;
        uint32_t ttl = dns_type_default_ttl(type);
        if (dns_render_record(fp, name, type, ttl, prio, content, &err) != DNSAPI_OK) {
            fail_msg("render %s %s %s: %s", name, type, content, err.message);
        }
        count++;
    }

    /* A TXT of 300 character-strings (more than any fixed word count). */
    char many[1200] = "";
    for (int i = 0; i < 300; i++) {
        strcat(many, i == 0 ? "\"s\"" : " \"s\"");
    }
    char many_out[DNS_CONTENT_BUFSIZE];
    int many_prio;
    assert_int_equal(
        dns_rdata_normalize(ZONE, "TXT", many, -1, many_out, sizeof(many_out), &many_prio, &err),
        DNSAPI_OK);
    assert_int_equal(dns_render_record(fp, "many.example.com.", "TXT", 3600, -1, many_out, &err),
                     DNSAPI_OK);
    count++;

    /* A TXT well over 255 bytes, split into several character-strings. */
    char long_txt[700];
    for (size_t i = 0; i < sizeof(long_txt) - 1; i++) {
        long_txt[i] = (char)('a' + i % 26);
    }
    long_txt[sizeof(long_txt) - 1] = '\0';
    char content[DNS_CONTENT_BUFSIZE];
    int prio;
    assert_int_equal(
        dns_rdata_normalize(ZONE, "TXT", long_txt, -1, content, sizeof(content), &prio, &err),
        DNSAPI_OK);
    assert_int_equal(dns_render_record(fp, "long.example.com.", "TXT", 3600, prio, content, &err),
                     DNSAPI_OK);
    count++;
    return count;
}

/* Runs argv, showing its output on failure; returns its exit status. */
static int run(const char *const argv[])
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

typedef struct {
    char path[64];
    size_t count;
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));
    snprintf(fx->path, sizeof(fx->path), "/tmp/dnsapi-checkzone-XXXXXX");
    int fd = mkstemp(fx->path);
    if (fd < 0) {
        free(fx);
        return -1;
    }
    FILE *fp = fdopen(fd, "w");
    fx->count = zone_write(fp);
    fclose(fp);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    if (getenv("DNSAPI_KEEP_ZONE") != NULL) {
        fprintf(stderr, "zone file kept: %s\n", fx->path);
    } else {
        unlink(fx->path);
    }
    free(fx);
    return 0;
}

static void show_file(const char *path)
{
    FILE *fp = fopen(path, "r");
    char line[2048];
    while (fp != NULL && fgets(line, sizeof(line), fp) != NULL) {
        fprintf(stderr, "  | %s", line);
    }
    if (fp != NULL) {
        fclose(fp);
    }
}

static void test_rendered_zone_passes_nsd_checkzone(void **state)
{
    fixture_t *fx = *state;
    if (access(NSD_CHECKZONE, X_OK) != 0) {
        skip();
    }
    const char *argv[] = {NSD_CHECKZONE, "example.com", fx->path, NULL};
    int rc = run(argv);
    if (rc != 0) {
        show_file(fx->path);
        fail_msg("nsd-checkzone exited with %d", rc);
    }
}

static void test_rendered_zone_passes_named_checkzone(void **state)
{
    fixture_t *fx = *state;
    if (access(NAMED_CHECKZONE, X_OK) != 0) {
        skip();
    }
    /* "-i local": integrity checks on in-zone names only, so that
     * named-checkzone never looks up out-of-zone hosts on the network.
     * "-k warn": as zonegen configures BIND (check-names warn), since
     * names that are not host names are valid DNS. */
    const char *argv[] = {NAMED_CHECKZONE, "-k",          "warn",   "-i",
                          "local",         "example.com", fx->path, NULL};
    int rc = run(argv);
    if (rc != 0) {
        show_file(fx->path);
        fail_msg("named-checkzone exited with %d", rc);
    }
}

static void test_rendered_zone_passes_kzonecheck(void **state)
{
    fixture_t *fx = *state;
    const char *argv[] = {KZONECHECK, "-o", ZONE, fx->path, NULL};
    int rc = run(argv);
    if (rc != 0) {
        show_file(fx->path);
        fail_msg("kzonecheck exited with %d", rc);
    }
}

static void test_rendered_zone_reads_back_in_ldns(void **state)
{
    fixture_t *fx = *state;
    FILE *fp = fopen(fx->path, "r");
    assert_non_null(fp);
    ldns_rdf *origin = ldns_dname_new_frm_str(ZONE);
    ldns_zone *zone = NULL;
    int line = 0;
    ldns_status st = ldns_zone_new_frm_fp_l(&zone, fp, origin, 3600, LDNS_RR_CLASS_IN, &line);
    fclose(fp);
    if (st != LDNS_STATUS_OK) {
        ldns_rdf_deep_free(origin);
        fail_msg("ldns: %s at line %d", ldns_get_errorstr_by_id(st), line);
    }
    assert_non_null(ldns_zone_soa(zone));
    /* the SOA is kept apart from the other records */
    assert_int_equal(ldns_rr_list_rr_count(ldns_zone_rrs(zone)) + 1, fx->count);

    /* The long TXT came back as one record of three strings adding up to
     * the original text. */
    size_t found = 0;
    for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_zone_rrs(zone)); i++) {
        ldns_rr *rr = ldns_rr_list_rr(ldns_zone_rrs(zone), i);
        char *owner = ldns_rdf2str(ldns_rr_owner(rr));
        if (strcmp(owner, "long.example.com.") == 0) {
            size_t total = 0;
            for (size_t j = 0; j < ldns_rr_rd_count(rr); j++) {
                total += ldns_rdf_size(ldns_rr_rdf(rr, j)) - 1; /* minus the length byte */
            }
            assert_int_equal(ldns_rr_rd_count(rr), 3);
            assert_int_equal(total, 699);
            found++;
        }
        free(owner);
    }
    assert_int_equal(found, 1);
    ldns_zone_deep_free(zone);
    ldns_rdf_deep_free(origin);
}

/* Mutated examples of every type: whatever dns_rdata_normalize accepts
 * must load in both name servers. This is how the quoting, NAPTR regexp
 * and SVCB value checks in dns/rdata.c were found. */
static size_t fuzz_zone_write(FILE *fp, uint32_t seed, int iterations)
{
    dnsapi_err_t err;
    size_t count = 0;

    assert_int_equal(dns_render_header(fp, ZONE, 1), DNSAPI_OK);
    assert_int_equal(dns_render_record(fp, ZONE, "SOA", 3600, -1,
                                       "ns1.example.net. hostmaster.example.net. 1 3600 600 "
                                       "604800 300",
                                       &err),
                     DNSAPI_OK);
    assert_int_equal(dns_render_record(fp, ZONE, "NS", 86400, -1, "ns1.example.net.", &err),
                     DNSAPI_OK);
    for (int iter = 0; iter < iterations; iter++) {
        char buf[512];
        const char *type = rdata_fuzz_case(&seed, 5, buf, sizeof(buf));
        char content[DNS_CONTENT_BUFSIZE];
        int prio;
        if (dns_rdata_normalize(ZONE, type, buf, -1, content, sizeof(content), &prio, &err) !=
            DNSAPI_OK) {
            continue;
        }
        char name[64];
        snprintf(name, sizeof(name), "f%zu.example.com.", count);
        if (dns_render_record(fp, name, type, 3600, prio, content, &err) != DNSAPI_OK) {
            fail_msg("%s \"%s\" -> \"%s\": %s", type, buf, content, err.message);
        }
        count++;
    }
    return count;
}

static void test_fuzzed_accepted_content_passes_all_checkers(void **state)
{
    char path[] = "/tmp/dnsapi-fuzzzone-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    size_t count = fuzz_zone_write(fp, 1122, 20000);
    fclose(fp);
    assert_true(count > 1000);

    int nsd = access(NSD_CHECKZONE, X_OK) == 0
                  ? run((const char *const[]){NSD_CHECKZONE, "example.com", path, NULL})
                  : 0;
    int named = access(NAMED_CHECKZONE, X_OK) == 0
                    ? run((const char *const[]){NAMED_CHECKZONE, "-q", "-k", "warn", "-i", "local",
                                                "example.com", path, NULL})
                    : 0;
    int knot = run((const char *const[]){KZONECHECK, "-o", ZONE, path, NULL});
    if (getenv("DNSAPI_KEEP_ZONE") == NULL) {
        unlink(path);
    }
    if (nsd != 0 || named != 0 || knot != 0) {
        fail_msg("fuzzed zone (%zu records): nsd-checkzone %d, named-checkzone %d, kzonecheck %d",
                 count, nsd, named, knot);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rendered_zone_passes_nsd_checkzone),
        cmocka_unit_test(test_rendered_zone_passes_named_checkzone),
        cmocka_unit_test(test_rendered_zone_passes_kzonecheck),
        cmocka_unit_test(test_rendered_zone_reads_back_in_ldns),
        cmocka_unit_test(test_fuzzed_accepted_content_passes_all_checkers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
