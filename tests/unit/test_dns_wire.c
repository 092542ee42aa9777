/* Unit tests for dns/wire.c, dns/rdata_wire.c and dns/message.c: names
 * with compression, record data from wire form (checked against ldns's own
 * encoding of the same text), the message frame and the answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "dns/message.h"
#include "dns/wire.h"

/* ---- names ------------------------------------------------------------- */

static void test_name_compression_is_followed_backwards_only(void **state)
{
    /* header (12) + "example.com." at 12 + "www" -> pointer to 12 */
    uint8_t msg[64] = {0};
    static const uint8_t ex[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
    memcpy(msg + 12, ex, sizeof(ex));
    size_t at = 12 + sizeof(ex);
    static const uint8_t www[] = {3, 'W', 'w', 'W', 0xc0, 12};
    memcpy(msg + at, www, sizeof(www));
    uint8_t name[DNS_WIRE_NAME_MAX];
    size_t n, pos = at;
    char text[DNS_WIRE_NAME_TEXT];
    assert_int_equal(dns_wire_name_read(msg, at + 6, &pos, true, name, &n), DNSAPI_OK);
    assert_int_equal(pos, at + 6);
    dns_wire_name_to_text(name, n, text, sizeof(text));
    assert_string_equal(text, "www.example.com.");
    pos = at;
    assert_int_equal(dns_wire_name_read(msg, at + 6, &pos, false, name, &n), DNSAPI_EBADREQ);

    uint8_t self[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 12};
    pos = 12;
    assert_int_equal(dns_wire_name_read(self, sizeof(self), &pos, true, name, &n), DNSAPI_EBADREQ);
    uint8_t fwd[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0};
    pos = 12;
    assert_int_equal(dns_wire_name_read(fwd, sizeof(fwd), &pos, true, name, &n), DNSAPI_EBADREQ);
    /* into the header: ARCOUNT's low octet read as a label would change
     * when a TSIG record is added (found by fuzz_tsig) */
    uint8_t hdr[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 11};
    pos = 12;
    assert_int_equal(dns_wire_name_read(hdr, sizeof(hdr), &pos, true, name, &n), DNSAPI_EBADREQ);
    uint8_t ext[] = {0x41, 'a', 0};
    pos = 0;
    assert_int_equal(dns_wire_name_read(ext, sizeof(ext), &pos, true, name, &n), DNSAPI_EBADREQ);
    uint8_t cut[] = {5, 'a', 'b'};
    pos = 0;
    assert_int_equal(dns_wire_name_read(cut, sizeof(cut), &pos, true, name, &n), DNSAPI_EBADREQ);
}

static void test_name_longer_than_255_octets_is_refused(void **state)
{
    uint8_t msg[300];
    size_t p = 0;
    for (int i = 0; i < 4; i++) {
        msg[p++] = 63;
        memset(msg + p, 'a', 63);
        p += 63;
    }
    msg[p++] = 0; /* 4 * 64 + 1 = 257 octets */
    uint8_t name[DNS_WIRE_NAME_MAX];
    size_t n, pos = 0;
    assert_int_equal(dns_wire_name_read(msg, p, &pos, true, name, &n), DNSAPI_EBADREQ);
}

static void test_name_text_round_trip_and_zone_membership(void **state)
{
    uint8_t a[DNS_WIRE_NAME_MAX], z[DNS_WIRE_NAME_MAX];
    size_t an, zn;
    char text[DNS_WIRE_NAME_TEXT];
    assert_int_equal(dns_wire_name_from_text("A\\.b\\032c.Example.com", a, &an), DNSAPI_OK);
    dns_wire_name_to_text(a, an, text, sizeof(text));
    assert_string_equal(text, "a\\.b\\032c.example.com."); /* the API's canonical form */
    assert_int_equal(dns_wire_name_from_text("example.com.", z, &zn), DNSAPI_OK);
    assert_true(dns_wire_name_is_at_or_below(a, an, z, zn));
    assert_true(dns_wire_name_is_at_or_below(z, zn, z, zn));
    assert_int_equal(dns_wire_name_from_text("xexample.com.", a, &an), DNSAPI_OK);
    assert_false(dns_wire_name_is_at_or_below(a, an, z, zn));
    assert_int_equal(dns_wire_name_from_text("a..b", a, &an), DNSAPI_EINVAL);
    assert_int_equal(dns_wire_name_from_text(".", a, &an), DNSAPI_OK);
    dns_wire_name_to_text(a, an, text, sizeof(text));
    assert_string_equal(text, ".");
    assert_int_equal(dns_wire_type_from_text("txt"), DNS_TYPE_TXT);
    assert_int_equal(dns_wire_type_from_text("TYPE65280"), 65280);
    assert_int_equal(dns_wire_type_from_text("TYPE70000"), 0);
    dns_wire_type_to_text(65280, text, sizeof(text));
    assert_string_equal(text, "TYPE65280");
}

/* ---- record data ------------------------------------------------------- */

/* Encodes "<type> <text>" with ldns (uncompressed), converts it back with
 * dns_rdata_from_wire and checks the normalized results agree. */
static void expect_round_trip(const char *type, const char *text)
{
    char line[1024];
    ldns_rr *rr = NULL;
    ldns_rdf *origin = ldns_dname_new_frm_str("example.com.");
    snprintf(line, sizeof(line), "x.example.com. 300 IN %s %s", type, text);
    assert_int_equal(ldns_rr_new_frm_str(&rr, line, 300, origin, NULL), LDNS_STATUS_OK);
    ldns_buffer *buf = ldns_buffer_new(1024);
    assert_int_equal(ldns_rr_rdata2buffer_wire(buf, rr), LDNS_STATUS_OK);
    size_t len = ldns_buffer_position(buf);
    const uint8_t *wire = ldns_buffer_begin(buf);

    char out[DNS_CONTENT_BUFSIZE], norm_a[DNS_CONTENT_BUFSIZE], norm_b[DNS_CONTENT_BUFSIZE];
    int prio = -1, prio_a = -1, prio_b = -1;
    dnsapi_err_t err;
    uint16_t t = dns_wire_type_from_text(type);
    int rc = dns_rdata_from_wire(t, wire, len, 0, (uint16_t)len, out, sizeof(out), &prio, &err);
    if (rc != DNSAPI_OK) {
        fail_msg("%s %s: %s", type, text, err.message);
    }
    rc =
        dns_rdata_normalize("example.com.", type, out, prio, norm_a, sizeof(norm_a), &prio_a, &err);
    if (rc != DNSAPI_OK) {
        fail_msg("%s %s -> \"%s\": %s", type, text, out, err.message);
    }
    assert_int_equal(
        dns_rdata_normalize("example.com.", type, text, -1, norm_b, sizeof(norm_b), &prio_b, &err),
        DNSAPI_OK);
    assert_string_equal(norm_a, norm_b);
    assert_int_equal(prio_a, prio_b);
    ldns_buffer_free(buf);
    ldns_rr_free(rr);
    ldns_rdf_deep_free(origin);
}

static void test_rdata_round_trips_for_every_stored_type(void **state)
{
    expect_round_trip("A", "192.0.2.1");
    expect_round_trip("AAAA", "2001:db8::1");
    expect_round_trip("AAAA", "::ffff:192.0.2.1");
    expect_round_trip("CNAME", "target.example.net.");
    expect_round_trip("NS", "ns1.example.net.");
    expect_round_trip("PTR", "host.example.com.");
    expect_round_trip("MX", "10 mail.example.com.");
    expect_round_trip("MX", "0 .");
    expect_round_trip("SRV", "10 5 5060 sip.example.com.");
    expect_round_trip("TXT", "\"v=spf1 mx -all\"");
    expect_round_trip("TXT", "\"a\" \"b c\" \"\"");
    char long_txt[600];
    snprintf(long_txt, sizeof(long_txt), "\"%0255d\" \"tail\"", 0);
    expect_round_trip("TXT", long_txt);
    expect_round_trip("TXT", "\"caf\\195\\169\"");
    expect_round_trip("CAA", "0 issue \"letsencrypt.org\"");
    expect_round_trip("CAA", "128 iodef \"mailto:sec@example.com\"");
    expect_round_trip("DS", "12345 13 2 "
                            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    expect_round_trip("TLSA", "3 1 1 "
                              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    expect_round_trip("SSHFP", "4 2 "
                               "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    expect_round_trip("NAPTR", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.");
    expect_round_trip("SVCB", "1 svc.example.net. alpn=h2,h3 port=8443");
    expect_round_trip("HTTPS", "1 . alpn=h2 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1");
    expect_round_trip("HTTPS", "1 . mandatory=alpn,port alpn=h2 port=443");
    expect_round_trip("HTTPS", "0 alias.example.net.");
    expect_round_trip("HTTPS", "1 . alpn=h2 no-default-alpn");
}

static void expect_wire_error(uint16_t type, const uint8_t *rdata, size_t len, int rc,
                              const char *code)
{
    char out[DNS_CONTENT_BUFSIZE];
    int prio;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    assert_int_equal(
        dns_rdata_from_wire(type, rdata, len, 0, (uint16_t)len, out, sizeof(out), &prio, &err), rc);
    assert_string_equal(out, "");
    assert_int_equal(prio, -1);
    if (code != NULL) {
        assert_string_equal(err.code, code);
    }
}

static void test_malformed_rdata_is_a_format_error(void **state)
{
    static const uint8_t a3[] = {1, 2, 3};
    static const uint8_t a5[] = {1, 2, 3, 4, 5};
    static const uint8_t txt_short[] = {4, 'a', 'b'};
    static const uint8_t ns_extra[] = {1, 'a', 0, 9};
    static const uint8_t srv_ptr[] = {0, 1, 0, 2, 0, 3, 0xc0, 0};
    static const uint8_t mx_short[] = {0};
    static const uint8_t svcb_order[] = {0, 1, 0, 0, 3, 0, 2, 1, 187, 0, 1, 0, 3, 2, 'h', '2'};
    static const uint8_t svcb_port[] = {0, 1, 0, 0, 3, 0, 1, 80};
    static const uint8_t ds_nodigest[] = {0, 1, 13, 2};
    static const uint8_t caa_tag[] = {0, 9, 'i', 's'};
    expect_wire_error(DNS_TYPE_A, a3, sizeof(a3), DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_A, a5, sizeof(a5), DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_TXT, txt_short, sizeof(txt_short), DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_TXT, NULL, 0, DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_NS, ns_extra, sizeof(ns_extra), DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_SRV, srv_ptr, sizeof(srv_ptr), DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_MX, mx_short, sizeof(mx_short), DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_SVCB, svcb_order, sizeof(svcb_order), DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_SVCB, svcb_port, sizeof(svcb_port), DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_DS, ds_nodigest, sizeof(ds_nodigest), DNSAPI_EBADREQ, "formerr");
    expect_wire_error(DNS_TYPE_CAA, caa_tag, sizeof(caa_tag), DNSAPI_EBADREQ, "formerr");
}

static void test_data_without_a_stored_form_is_a_refusal(void **state)
{
    static const uint8_t hinfo[] = {1, 'x', 1, 'y'};
    static const uint8_t svcb_doh[] = {0, 1, 0, 0, 7, 0, 1, '/'};
    static const uint8_t caa_bad_tag[] = {0, 2, 'i', '!', 'x'};
    static const uint8_t alpn_comma[] = {0, 1, 0, 0, 1, 0, 3, 2, 'h', ','};
    expect_wire_error(13, hinfo, sizeof(hinfo), DNSAPI_EINVAL, "unsupported_type");
    expect_wire_error(DNS_TYPE_SVCB, svcb_doh, sizeof(svcb_doh), DNSAPI_EINVAL, "bad_rdata");
    expect_wire_error(DNS_TYPE_CAA, caa_bad_tag, sizeof(caa_bad_tag), DNSAPI_EINVAL, "bad_rdata");
    expect_wire_error(DNS_TYPE_SVCB, alpn_comma, sizeof(alpn_comma), DNSAPI_EINVAL, "bad_rdata");
}

static void test_mx_target_may_be_compressed_against_the_message(void **state)
{
    uint8_t msg[64] = {0};
    static const uint8_t ex[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
    memcpy(msg + 12, ex, sizeof(ex));
    size_t at = 12 + sizeof(ex);
    static const uint8_t mx[] = {0, 5, 2, 'm', 'x', 0xc0, 12};
    memcpy(msg + at, mx, sizeof(mx));
    char out[256];
    int prio;
    dnsapi_err_t err;
    assert_int_equal(dns_rdata_from_wire(DNS_TYPE_MX, msg, at + sizeof(mx), at, sizeof(mx), out,
                                         sizeof(out), &prio, &err),
                     DNSAPI_OK);
    assert_string_equal(out, "mx.example.com.");
    assert_int_equal(prio, 5);
    /* The rdata length may not be stretched past the message. */
    assert_int_equal(dns_rdata_from_wire(DNS_TYPE_MX, msg, at + sizeof(mx), at, 200, out,
                                         sizeof(out), &prio, &err),
                     DNSAPI_EBADREQ);
}

static void test_soa_and_ns_to_wire(void **state)
{
    uint8_t buf[128];
    dns_wire_writer_t w;
    dns_wire_writer_init(&w, buf, sizeof(buf));
    assert_int_equal(dns_rdata_to_wire(DNS_TYPE_NS, "ns1.example.net.", &w), DNSAPI_OK);
    assert_int_equal(dns_wire_get_u16(buf), w.len - 2);
    char out[256];
    int prio;
    dnsapi_err_t err;
    assert_int_equal(dns_rdata_from_wire(DNS_TYPE_NS, buf, w.len, 2, (uint16_t)(w.len - 2), out,
                                         sizeof(out), &prio, &err),
                     DNSAPI_OK);
    assert_string_equal(out, "ns1.example.net.");
    dns_wire_writer_init(&w, buf, sizeof(buf));
    const char *soa = "ns1.example.net. hostmaster.example.net. 2024010101 3600 900 604800 300";
    assert_int_equal(dns_rdata_to_wire(DNS_TYPE_SOA, soa, &w), DNSAPI_OK);
    assert_int_equal(dns_rdata_from_wire(DNS_TYPE_SOA, buf, w.len, 2, (uint16_t)(w.len - 2), out,
                                         sizeof(out), &prio, &err),
                     DNSAPI_OK);
    assert_string_equal(out, soa);
    dns_wire_writer_init(&w, buf, sizeof(buf));
    assert_int_equal(dns_rdata_to_wire(DNS_TYPE_SOA, "a. b. 1 2 3", &w), DNSAPI_EINVAL);
    assert_int_equal(dns_rdata_to_wire(DNS_TYPE_A, "192.0.2.1", &w), DNSAPI_EINVAL);
}

/* ---- message frame and answers --------------------------------------- */

static size_t query(uint8_t *buf, uint16_t flags, const char *qname, uint16_t qtype, bool opt,
                    uint8_t version)
{
    dns_wire_writer_t w;
    uint8_t name[DNS_WIRE_NAME_MAX];
    size_t n;
    dns_wire_writer_init(&w, buf, 512);
    dns_wire_put_u16(&w, 0xbeef);
    dns_wire_put_u16(&w, flags);
    dns_wire_put_u16(&w, 1);
    dns_wire_put_u16(&w, 0);
    dns_wire_put_u16(&w, 0);
    dns_wire_put_u16(&w, opt ? 1 : 0);
    dns_wire_name_from_text(qname, name, &n);
    dns_wire_put_bytes(&w, name, n);
    dns_wire_put_u16(&w, qtype);
    dns_wire_put_u16(&w, DNS_CLASS_IN);
    if (opt) {
        dns_wire_put_u8(&w, 0);
        dns_wire_put_u16(&w, DNS_TYPE_OPT);
        dns_wire_put_u16(&w, 4096);
        dns_wire_put_u32(&w, (uint32_t)version << 16);
        dns_wire_put_u16(&w, 0);
    }
    return w.len;
}

static void test_message_frame_faults(void **state)
{
    uint8_t buf[600];
    dns_msg_info_t info;
    dnsapi_err_t err;
    size_t len = query(buf, 0, "example.com.", DNS_TYPE_SOA, true, 0);
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_OK);
    assert_true(info.has_opt);
    assert_int_equal(info.udp_size, 4096);
    assert_int_equal(dns_reply_udp_limit(&info), DNS_EDNS_UDP_SIZE);
    assert_false(dns_msg_badvers(&info));
    /* octets after the last record */
    assert_int_equal(dns_msg_info_parse(buf, len + 1, &info, &err), DNSAPI_EBADREQ);
    assert_false(info.drop);
    /* shorter than a header, or a response: dropped */
    assert_int_equal(dns_msg_info_parse(buf, 11, &info, &err), DNSAPI_EBADREQ);
    assert_true(info.drop);
    len = query(buf, DNS_FLAG_QR, "example.com.", DNS_TYPE_SOA, false, 0);
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_EBADREQ);
    assert_true(info.drop);
    /* two OPT records */
    len = query(buf, 0, "example.com.", DNS_TYPE_SOA, true, 0);
    memcpy(buf + len, buf + len - 11, 11);
    buf[11] = 2;
    assert_int_equal(dns_msg_info_parse(buf, len + 11, &info, &err), DNSAPI_EBADREQ);
    /* EDNS version 1 */
    len = query(buf, 0, "example.com.", DNS_TYPE_SOA, true, 1);
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_OK);
    assert_true(dns_msg_badvers(&info));
    /* a count promising more than there is */
    len = query(buf, 0, "example.com.", DNS_TYPE_SOA, false, 0);
    buf[7] = 1;
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_EBADREQ);
}

static void test_soa_query_answer(void **state)
{
    uint8_t buf[600], out[600];
    dns_msg_info_t info;
    dnsapi_err_t err;
    char name[DNS_WIRE_NAME_TEXT];
    size_t len = query(buf, DNS_FLAG_RD, "Example.COM.", DNS_TYPE_SOA, false, 0);
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_OK);
    assert_true(dns_query_apex_name(&info, name, sizeof(name)));
    assert_string_equal(name, "example.com.");
    dns_record_t soa = {.name = "example.com.",
                        .type = "SOA",
                        .content = "ns1.example.net. hostmaster.example.net. 7 3600 900 604800 300",
                        .ttl = 3600,
                        .priority = -1};
    dns_reply_t r = {
        .rcode = DNS_RCODE_NOERROR, .authoritative = true, .answer = &soa, .n_answer = 1};
    size_t n;
    assert_int_equal(dns_reply_build(&info, &r, out, sizeof(out), 512, &n), DNSAPI_OK);
    assert_int_equal(dns_wire_get_u16(out), 0xbeef);
    uint16_t flags = dns_wire_get_u16(out + 2);
    assert_true(flags & DNS_FLAG_QR);
    assert_true(flags & DNS_FLAG_AA);
    assert_true(flags & DNS_FLAG_RD);
    assert_int_equal(DNS_FLAGS_RCODE(flags), 0);
    assert_int_equal(dns_wire_get_u16(out + 4), 1);
    assert_int_equal(dns_wire_get_u16(out + 6), 1);
    assert_int_equal(dns_wire_get_u16(out + 10), 0); /* no OPT without one in the query */
    /* ldns reads the answer as a DNS message with that SOA */
    ldns_pkt *pkt = NULL;
    assert_int_equal(ldns_wire2pkt(&pkt, out, n), LDNS_STATUS_OK);
    ldns_rr_list *ans = ldns_pkt_answer(pkt);
    assert_int_equal(ldns_rr_list_rr_count(ans), 1);
    char *text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ans, 0), 2));
    assert_string_equal(text, "7");
    free(text);
    ldns_pkt_free(pkt);
    /* Too small for the answer: TC, no answer records. */
    assert_int_equal(dns_reply_build(&info, &r, out, sizeof(out), 40, &n), DNSAPI_OK);
    assert_true(dns_wire_get_u16(out + 2) & DNS_FLAG_TC);
    assert_int_equal(dns_wire_get_u16(out + 6), 0);
    /* Other queries are not apex lookups. */
    len = query(buf, 0, "example.com.", DNS_TYPE_A, false, 0);
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_OK);
    assert_false(dns_query_apex_name(&info, name, sizeof(name)));
}

/* A name inside a zone: no answer, the zone's SOA in the authority
 * section (how nsupdate finds the zone of a name). */
static void test_nodata_answer_has_the_soa_in_authority(void **state)
{
    (void)state;
    uint8_t buf[600], out[600];
    dns_msg_info_t info;
    dnsapi_err_t err;
    size_t len = query(buf, 0, "www.example.com.", DNS_TYPE_SOA, false, 0);
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_OK);
    dns_record_t soa = {.name = "example.com.",
                        .type = "SOA",
                        .content = "ns1.example.net. hostmaster.example.net. 7 3600 900 604800 300",
                        .ttl = 3600,
                        .priority = -1};
    dns_reply_t r = {
        .rcode = DNS_RCODE_NOERROR, .authoritative = true, .authority = &soa, .n_authority = 1};
    size_t n;
    assert_int_equal(dns_reply_build(&info, &r, out, sizeof(out), 512, &n), DNSAPI_OK);
    assert_int_equal(dns_wire_get_u16(out + 6), 0);
    assert_int_equal(dns_wire_get_u16(out + 8), 1);
    ldns_pkt *pkt = NULL;
    assert_int_equal(ldns_wire2pkt(&pkt, out, n), LDNS_STATUS_OK);
    ldns_rr_list *auth = ldns_pkt_authority(pkt);
    assert_int_equal(ldns_rr_list_rr_count(auth), 1);
    char *owner = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(auth, 0)));
    assert_string_equal(owner, "example.com.");
    free(owner);
    assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(auth, 0)), LDNS_RR_TYPE_SOA);
    ldns_pkt_free(pkt);
    /* no room for it: left out, not truncated */
    assert_int_equal(dns_reply_build(&info, &r, out, sizeof(out), 40, &n), DNSAPI_OK);
    assert_int_equal(dns_wire_get_u16(out + 8), 0);
    assert_false(dns_wire_get_u16(out + 2) & DNS_FLAG_TC);
}

static void test_refusal_carries_an_extended_dns_error(void **state)
{
    uint8_t buf[600], out[1400];
    dns_msg_info_t info;
    dnsapi_err_t err;
    char text[DNS_EDE_TEXT_BUFSIZE];
    size_t len = query(buf, DNS_OPCODE_UPDATE << 11, "example.com.", DNS_TYPE_SOA, true, 0);
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_OK);
    dnsapi_err_set(&err, DNSAPI_ECONFLICT, "cname_conflict", NULL, "A CNAME is alone.");
    dns_reply_ede_text(&err, text, sizeof(text));
    assert_string_equal(text, "cname_conflict: A CNAME is alone.");
    dns_reply_t r = {.rcode = DNS_RCODE_REFUSED, .ede_code = DNS_EDE_OTHER, .ede_text = text};
    size_t n;
    assert_int_equal(dns_reply_build(&info, &r, out, sizeof(out), 1232, &n), DNSAPI_OK);
    assert_int_equal(DNS_FLAGS_OPCODE(dns_wire_get_u16(out + 2)), DNS_OPCODE_UPDATE);
    assert_int_equal(DNS_FLAGS_RCODE(dns_wire_get_u16(out + 2)), DNS_RCODE_REFUSED);
    assert_int_equal(dns_wire_get_u16(out + 10), 1);
    /* the OPT is last: ... 0x000f, length, info-code, text */
    size_t tl = strlen(text);
    assert_memory_equal(out + n - tl, text, tl);
    assert_int_equal(dns_wire_get_u16(out + n - tl - 2), DNS_EDE_OTHER);
    assert_int_equal(dns_wire_get_u16(out + n - tl - 6), 15);
    /* A long text is cut at 300 octets, not inside a UTF-8 character. */
    char long_text[400];
    memset(long_text, 'a', sizeof(long_text));
    memcpy(long_text + 299, "\xc3\xa9", 2);
    long_text[sizeof(long_text) - 1] = '\0';
    r.ede_text = long_text;
    assert_int_equal(dns_reply_build(&info, &r, out, sizeof(out), 1232, &n), DNSAPI_OK);
    assert_int_equal(dns_wire_get_u16(out + n - 299 - 4), 2 + 299);
    /* BADVERS needs the OPT for its upper bits. */
    r = (dns_reply_t){.rcode = DNS_RCODE_BADVERS};
    assert_int_equal(dns_reply_build(&info, &r, out, sizeof(out), 1232, &n), DNSAPI_OK);
    assert_int_equal(DNS_FLAGS_RCODE(dns_wire_get_u16(out + 2)), 0);
    assert_int_equal(out[n - 11 + 5], 1); /* extended rcode 1 << 4 = 16 */
    len = query(buf, 0, "example.com.", DNS_TYPE_SOA, false, 0);
    assert_int_equal(dns_msg_info_parse(buf, len, &info, &err), DNSAPI_OK);
    assert_int_equal(dns_reply_build(&info, &r, out, sizeof(out), 512, &n), DNSAPI_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_compression_is_followed_backwards_only),
        cmocka_unit_test(test_name_longer_than_255_octets_is_refused),
        cmocka_unit_test(test_name_text_round_trip_and_zone_membership),
        cmocka_unit_test(test_rdata_round_trips_for_every_stored_type),
        cmocka_unit_test(test_malformed_rdata_is_a_format_error),
        cmocka_unit_test(test_data_without_a_stored_form_is_a_refusal),
        cmocka_unit_test(test_mx_target_may_be_compressed_against_the_message),
        cmocka_unit_test(test_soa_and_ns_to_wire),
        cmocka_unit_test(test_message_frame_faults),
        cmocka_unit_test(test_soa_query_answer),
        cmocka_unit_test(test_nodata_answer_has_the_soa_in_authority),
        cmocka_unit_test(test_refusal_carries_an_extended_dns_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
