/* Unit tests for dns/update.c and dns/update_plan.c: RFC 2136 parsing,
 * format checks, prerequisites and the update section as operations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/update.h"

/* ---- building messages ---------------------------------------------- */

typedef struct {
    uint8_t buf[65535];
    dns_wire_writer_t w;
    uint16_t counts[4];
} msg_t;

static void msg_begin(msg_t *m, const char *zone, uint16_t ztype, uint16_t zclass)
{
    uint8_t name[DNS_WIRE_NAME_MAX];
    size_t n;
    dns_wire_writer_init(&m->w, m->buf, sizeof(m->buf));
    memset(m->counts, 0, sizeof(m->counts));
    dns_wire_put_u16(&m->w, 0x4242);
    dns_wire_put_u16(&m->w, DNS_OPCODE_UPDATE << 11);
    for (int i = 0; i < 4; i++) {
        dns_wire_put_u16(&m->w, 0);
    }
    if (zone != NULL) {
        assert_int_equal(dns_wire_name_from_text(zone, name, &n), DNSAPI_OK);
        dns_wire_put_bytes(&m->w, name, n);
        dns_wire_put_u16(&m->w, ztype);
        dns_wire_put_u16(&m->w, zclass);
        m->counts[0] = 1;
    }
}

/* Appends a record to section s (1 prerequisites, 2 updates, 3 additional). */
static void msg_rr(msg_t *m, int s, const char *owner, uint16_t type, uint16_t rrclass,
                   uint32_t ttl, const void *rdata, uint16_t rdlen)
{
    uint8_t name[DNS_WIRE_NAME_MAX];
    size_t n;
    assert_int_equal(dns_wire_name_from_text(owner, name, &n), DNSAPI_OK);
    dns_wire_put_bytes(&m->w, name, n);
    dns_wire_put_u16(&m->w, type);
    dns_wire_put_u16(&m->w, rrclass);
    dns_wire_put_u32(&m->w, ttl);
    dns_wire_put_u16(&m->w, rdlen);
    dns_wire_put_bytes(&m->w, rdata, rdlen);
    m->counts[s]++;
}

static size_t msg_end(msg_t *m)
{
    for (int i = 0; i < 4; i++) {
        dns_wire_patch_u16(&m->w, 4 + 2 * (size_t)i, m->counts[i]);
    }
    assert_false(m->w.overflow);
    return m->w.len;
}

static const uint8_t A_1[] = {192, 0, 2, 1};
static const uint8_t A_2[] = {192, 0, 2, 2};
static const uint8_t TXT_HI[] = {2, 'h', 'i'};
static const uint8_t MX_10[] = {0,   10,  4,   'm', 'a', 'i', 'l', 7,   'e', 'x',
                                'a', 'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0};

/* Parses m; returns the update or NULL, with res filled. */
static dns_update_t *parse(msg_t *m, dns_update_result_t *res, int *rc)
{
    size_t len = msg_end(m);
    dns_msg_info_t info;
    dnsapi_err_t err;
    dns_update_t *u = NULL;
    assert_int_equal(dns_msg_info_parse(m->buf, len, &info, &err), DNSAPI_OK);
    *rc = dns_update_parse(m->buf, len, &info, &u, res);
    return u;
}

static dns_update_t *parse_ok(msg_t *m)
{
    dns_update_result_t res;
    int rc;
    dns_update_t *u = parse(m, &res, &rc);
    assert_int_equal(rc, DNSAPI_OK);
    assert_non_null(u);
    return u;
}

static void expect_parse_error(msg_t *m, uint16_t rcode, int section)
{
    dns_update_result_t res;
    int rc;
    dns_update_t *u = parse(m, &res, &rc);
    assert_int_not_equal(rc, DNSAPI_OK);
    assert_null(u);
    assert_int_equal(res.rcode, rcode);
    assert_int_equal(res.section, section);
}

static const dns_record_t ZONE_RRS[] = {
    {.name = "example.com.",
     .type = "SOA",
     .content = "ns1.example.net. h.example.net. 1 2 3 4 5",
     .ttl = 3600,
     .priority = -1},
    {.name = "example.com.",
     .type = "NS",
     .content = "ns1.example.net.",
     .ttl = 86400,
     .priority = -1},
    {.name = "example.com.",
     .type = "NS",
     .content = "ns2.example.net.",
     .ttl = 86400,
     .priority = -1},
    {.name = "www.example.com.", .type = "A", .content = "192.0.2.1", .ttl = 3600, .priority = -1},
    {.name = "www.example.com.", .type = "A", .content = "192.0.2.2", .ttl = 3600, .priority = -1},
    {.name = "mail.example.com.",
     .type = "MX",
     .content = "mail.example.com.",
     .ttl = 3600,
     .priority = 10},
    {.name = "example.com.", .type = "TXT", .content = "v=spf1 -all", .ttl = 300, .priority = -1},
};
#define N_ZONE (sizeof(ZONE_RRS) / sizeof(ZONE_RRS[0]))

/* Evaluates m against ZONE_RRS. */
static int evaluate(msg_t *m, dns_update_ops_t *ops, dns_update_result_t *res)
{
    dns_update_t *u = parse_ok(m);
    int rc = dns_update_evaluate(u, ZONE_RRS, N_ZONE, ops, res);
    /* posts point into u: copy what the tests look at before freeing it */
    static char names[8][DNS_NAME_BUFSIZE], contents[8][256], types[8][16];
    for (size_t i = 0; i < ops->n_posts && i < 8; i++) {
        snprintf(names[i], sizeof(names[i]), "%s", ops->posts[i].name);
        snprintf(contents[i], sizeof(contents[i]), "%s", ops->posts[i].content);
        snprintf(types[i], sizeof(types[i]), "%s", ops->posts[i].type);
        ops->posts[i].name = names[i];
        ops->posts[i].content = contents[i];
        ops->posts[i].type = types[i];
    }
    dns_update_free(u);
    return rc;
}

/* ---- parsing ------------------------------------------------------------ */

static void test_add_is_parsed_with_normalized_content(void **state)
{
    msg_t m;
    msg_begin(&m, "Example.COM.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "Mail.Example.com.", DNS_TYPE_MX, DNS_CLASS_IN, 300, MX_10, sizeof(MX_10));
    msg_rr(&m, 2, "t.example.com.", DNS_TYPE_TXT, DNS_CLASS_IN, 60, TXT_HI, sizeof(TXT_HI));
    dns_update_t *u = parse_ok(&m);
    assert_string_equal(u->zone, "example.com.");
    assert_int_equal(u->id, 0x4242);
    assert_int_equal(u->n_updates, 2);
    assert_int_equal(u->updates[0].kind, DNS_UPDATE_ADD);
    assert_string_equal(u->updates[0].name, "mail.example.com.");
    assert_string_equal(u->updates[0].type, "MX");
    assert_string_equal(u->updates[0].content, "mail.example.com.");
    assert_int_equal(u->updates[0].priority, 10);
    assert_int_equal(u->updates[0].ttl, 300);
    assert_string_equal(u->updates[1].content, "hi");
    assert_null(u->updates[1].refusal);
    dns_update_free(u);
}

static void test_every_prerequisite_and_update_kind_is_classified(void **state)
{
    msg_t m;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "a.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, 0, NULL, 0);
    msg_rr(&m, 1, "a.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 0, A_1, 4);
    msg_rr(&m, 1, "a.example.com.", DNS_TYPE_TXT, DNS_CLASS_NONE, 0, NULL, 0);
    msg_rr(&m, 1, "b.example.com.", DNS_TYPE_ANY, DNS_CLASS_ANY, 0, NULL, 0);
    msg_rr(&m, 1, "c.example.com.", DNS_TYPE_ANY, DNS_CLASS_NONE, 0, NULL, 0);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 300, A_2, 4);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_TXT, DNS_CLASS_ANY, 0, NULL, 0);
    msg_rr(&m, 2, "b.example.com.", DNS_TYPE_ANY, DNS_CLASS_ANY, 0, NULL, 0);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_A, DNS_CLASS_NONE, 0, A_1, 4);
    dns_update_t *u = parse_ok(&m);
    const int prereqs[] = {DNS_PREREQ_RRSET_EXISTS, DNS_PREREQ_RRSET_VALUE, DNS_PREREQ_RRSET_ABSENT,
                           DNS_PREREQ_NAME_IN_USE, DNS_PREREQ_NAME_NOT_IN_USE};
    const int updates[] = {DNS_UPDATE_ADD, DNS_UPDATE_DELETE_RRSET, DNS_UPDATE_DELETE_NAME,
                           DNS_UPDATE_DELETE_RR};
    assert_int_equal(u->n_prereqs, 5);
    assert_int_equal(u->n_updates, 4);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(u->prereqs[i].kind, prereqs[i]);
    }
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(u->updates[i].kind, updates[i]);
    }
    assert_string_equal(u->prereqs[1].content, "192.0.2.1");
    assert_string_equal(u->updates[3].content, "192.0.2.1");
    assert_int_equal(u->update_rcode, 0);
    const char *names[8];
    assert_int_equal(dns_update_names(u, names, 8), 3);
    assert_string_equal(names[0], "a.example.com.");
    assert_string_equal(names[1], "b.example.com.");
    assert_string_equal(names[2], "c.example.com.");
    assert_int_equal(dns_update_names(u, names, 1), 3); /* counted past max */
    dns_update_free(u);
}

static void test_zone_section_faults(void **state)
{
    msg_t m;
    msg_begin(&m, NULL, 0, 0); /* ZOCOUNT 0 */
    expect_parse_error(&m, DNS_RCODE_FORMERR, 0);
    msg_begin(&m, "example.com.", DNS_TYPE_A, DNS_CLASS_IN); /* ZTYPE not SOA */
    expect_parse_error(&m, DNS_RCODE_FORMERR, 0);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, 3); /* class CH */
    expect_parse_error(&m, DNS_RCODE_NOTAUTH, 0);
    /* two zones */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    uint8_t name[DNS_WIRE_NAME_MAX];
    size_t n;
    dns_wire_name_from_text("example.org.", name, &n);
    dns_wire_put_bytes(&m.w, name, n);
    dns_wire_put_u16(&m.w, DNS_TYPE_SOA);
    dns_wire_put_u16(&m.w, DNS_CLASS_IN);
    m.counts[0] = 2;
    expect_parse_error(&m, DNS_RCODE_FORMERR, 0);
}

static void test_prerequisite_format_faults(void **state)
{
    msg_t m;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "a.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, 5, NULL, 0); /* TTL */
    expect_parse_error(&m, DNS_RCODE_FORMERR, 1);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "a.example.org.", DNS_TYPE_A, DNS_CLASS_ANY, 0, NULL, 0); /* outside */
    expect_parse_error(&m, DNS_RCODE_NOTZONE, 1);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "xexample.com.", DNS_TYPE_A, DNS_CLASS_ANY, 0, NULL, 0); /* not a label edge */
    expect_parse_error(&m, DNS_RCODE_NOTZONE, 1);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "a.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, 0, A_1, 4); /* data with ANY */
    expect_parse_error(&m, DNS_RCODE_FORMERR, 1);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "a.example.com.", DNS_TYPE_A, DNS_CLASS_NONE, 0, A_1, 4); /* data with NONE */
    expect_parse_error(&m, DNS_RCODE_FORMERR, 1);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "a.example.com.", DNS_TYPE_A, 3, 0, A_1, 4); /* class CH */
    expect_parse_error(&m, DNS_RCODE_FORMERR, 1);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "a.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 0, A_1, 3); /* A of 3 octets */
    expect_parse_error(&m, DNS_RCODE_FORMERR, 1);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "a.example.com.", DNS_TYPE_ANY, DNS_CLASS_IN, 0, NULL, 0); /* ANY valued */
    expect_parse_error(&m, DNS_RCODE_FORMERR, 1);
}

/* Update-section faults surface from dns_update_plan, after the
 * prerequisites (RFC 2136 3.4.1 comes after 3.2). */
static void expect_update_fault(msg_t *m, uint16_t rcode)
{
    dns_update_ops_t ops;
    dns_update_result_t res;
    assert_int_equal(evaluate(m, &ops, &res), DNSAPI_EBADREQ);
    assert_int_equal(res.rcode, rcode);
    assert_int_equal(res.section, 2);
    assert_int_equal(ops.n_posts + ops.n_deletes + ops.n_patches, 0);
}

static void test_update_format_faults(void **state)
{
    msg_t m;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "a.example.org.", DNS_TYPE_A, DNS_CLASS_IN, 300, A_1, 4);
    expect_update_fault(&m, DNS_RCODE_NOTZONE);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_ANY, DNS_CLASS_IN, 300, NULL, 0);
    expect_update_fault(&m, DNS_RCODE_FORMERR);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, 300, NULL, 0); /* TTL */
    expect_update_fault(&m, DNS_RCODE_FORMERR);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, 0, A_1, 4); /* data */
    expect_update_fault(&m, DNS_RCODE_FORMERR);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_AXFR, DNS_CLASS_ANY, 0, NULL, 0);
    expect_update_fault(&m, DNS_RCODE_FORMERR);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_ANY, DNS_CLASS_NONE, 0, NULL, 0);
    expect_update_fault(&m, DNS_RCODE_FORMERR);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_A, DNS_CLASS_NONE, 300, A_1, 4); /* TTL */
    expect_update_fault(&m, DNS_RCODE_FORMERR);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_A, 4, 300, A_1, 4); /* class HS */
    expect_update_fault(&m, DNS_RCODE_FORMERR);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "a.example.com.", DNS_TYPE_TXT, DNS_CLASS_IN, 300, "\x05hi", 3); /* short */
    expect_update_fault(&m, DNS_RCODE_FORMERR);
}

static void test_failed_prerequisite_is_reported_before_an_update_fault(void **state)
{
    msg_t m;
    dns_update_ops_t ops;
    dns_update_result_t res;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "none.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, 0, NULL, 0);
    msg_rr(&m, 2, "a.example.org.", DNS_TYPE_A, DNS_CLASS_IN, 300, A_1, 4);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_ECONFLICT);
    assert_int_equal(res.rcode, DNS_RCODE_NXRRSET);
    assert_int_equal(res.section, 1);
}

static void test_too_many_records_is_refused(void **state)
{
    msg_t m;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    for (int i = 0; i < 1001; i++) {
        msg_rr(&m, 2, "a.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, 0, NULL, 0);
        if (m.w.overflow) {
            break;
        }
    }
    assert_false(m.w.overflow);
    dns_update_result_t res;
    int rc;
    assert_null(parse(&m, &res, &rc));
    assert_int_equal(rc, DNSAPI_EINVAL);
    assert_int_equal(res.rcode, DNS_RCODE_REFUSED);
    assert_string_equal(res.err.code, "too_many_records");
}

static void test_data_dnsapi_cannot_store_is_kept_with_the_reason(void **state)
{
    msg_t m;
    static const uint8_t hinfo[] = {1, 'x', 1, 'y'};
    static const uint8_t empty_tag[] = {0, 0}; /* CAA flags 0, a tag of no octets */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "h.example.com.", 13, DNS_CLASS_IN, 300, hinfo, sizeof(hinfo));
    msg_rr(&m, 2, "c.example.com.", DNS_TYPE_CAA, DNS_CLASS_IN, 300, empty_tag, sizeof(empty_tag));
    /* a name with an escaped octet is one the API stores too */
    msg_rr(&m, 2, "bad\\032name.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 300, A_1, 4);
    dns_update_t *u = parse_ok(&m);
    const char *codes[] = {"unsupported_type", "bad_rdata"};
    assert_non_null(u->updates[2].content);
    for (size_t i = 0; i < 2; i++) {
        assert_null(u->updates[i].content);
        assert_non_null(u->updates[i].refusal);
        if (codes[i] != NULL) {
            assert_string_equal(u->updates[i].refusal->code, codes[i]);
        }
    }
    assert_string_equal(u->updates[0].type, "HINFO");
    assert_string_equal(u->updates[2].name, "bad\\032name.example.com.");
    dns_update_ops_t ops;
    dns_update_result_t res;
    assert_int_equal(dns_update_evaluate(u, ZONE_RRS, N_ZONE, &ops, &res), DNSAPI_EINVAL);
    assert_int_equal(res.rcode, DNS_RCODE_REFUSED);
    assert_int_equal(res.index, 0);
    assert_string_equal(res.err.code, "unsupported_type");
    dns_update_free(u);

    /* Deleting such an RR, or requiring it, finds nothing. */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "h.example.com.", 13, DNS_CLASS_NONE, 0, hinfo, sizeof(hinfo));
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_deletes + ops.n_posts + ops.n_patches, 0);
    dns_update_ops_clear(&ops);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "h.example.com.", 13, DNS_CLASS_IN, 0, hinfo, sizeof(hinfo));
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_ECONFLICT);
    assert_int_equal(res.rcode, DNS_RCODE_NXRRSET);
}

/* ---- prerequisites ------------------------------------------------------ */

static void expect_prereq(const char *name, uint16_t type, uint16_t rrclass, const void *rdata,
                          uint16_t rdlen, uint16_t rcode)
{
    msg_t m;
    dns_update_ops_t ops;
    dns_update_result_t res;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, name, type, rrclass, 0, rdata, rdlen);
    int rc = evaluate(&m, &ops, &res);
    if (rcode == DNS_RCODE_NOERROR) {
        assert_int_equal(rc, DNSAPI_OK);
    } else {
        assert_int_equal(rc, DNSAPI_ECONFLICT);
        assert_int_equal(res.rcode, rcode);
        assert_int_equal(res.section, 1);
        assert_int_equal(res.index, 0);
    }
    dns_update_ops_clear(&ops);
}

static void test_prerequisites_each_kind(void **state)
{
    expect_prereq("www.example.com.", DNS_TYPE_ANY, DNS_CLASS_ANY, NULL, 0, DNS_RCODE_NOERROR);
    expect_prereq("no.example.com.", DNS_TYPE_ANY, DNS_CLASS_ANY, NULL, 0, DNS_RCODE_NXDOMAIN);
    expect_prereq("no.example.com.", DNS_TYPE_ANY, DNS_CLASS_NONE, NULL, 0, DNS_RCODE_NOERROR);
    expect_prereq("WWW.example.com.", DNS_TYPE_ANY, DNS_CLASS_NONE, NULL, 0, DNS_RCODE_YXDOMAIN);
    expect_prereq("www.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, NULL, 0, DNS_RCODE_NOERROR);
    expect_prereq("www.example.com.", DNS_TYPE_TXT, DNS_CLASS_ANY, NULL, 0, DNS_RCODE_NXRRSET);
    expect_prereq("www.example.com.", DNS_TYPE_TXT, DNS_CLASS_NONE, NULL, 0, DNS_RCODE_NOERROR);
    expect_prereq("www.example.com.", DNS_TYPE_A, DNS_CLASS_NONE, NULL, 0, DNS_RCODE_YXRRSET);
    expect_prereq("mail.example.com.", DNS_TYPE_MX, DNS_CLASS_IN, MX_10, sizeof(MX_10),
                  DNS_RCODE_NOERROR);
    expect_prereq("mail.example.com.", DNS_TYPE_A, DNS_CLASS_IN, A_1, 4, DNS_RCODE_NXRRSET);
}

static void test_value_dependent_prerequisite_is_set_equality(void **state)
{
    msg_t m;
    dns_update_ops_t ops;
    dns_update_result_t res;
    /* Exactly the RRset (order, TTL and repetition do not matter): holds. */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 0, A_2, 4);
    msg_rr(&m, 1, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 0, A_1, 4);
    msg_rr(&m, 1, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 0, A_1, 4);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    dns_update_ops_clear(&ops);
    /* A subset: fails. */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 0, A_1, 4);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_ECONFLICT);
    assert_int_equal(res.rcode, DNS_RCODE_NXRRSET);
    /* A superset: fails. */
    static const uint8_t a3[] = {192, 0, 2, 3};
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 0, A_1, 4);
    msg_rr(&m, 1, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 0, A_2, 4);
    msg_rr(&m, 1, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 0, a3, 4);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_ECONFLICT);
    assert_int_equal(res.rcode, DNS_RCODE_NXRRSET);
    /* The MX priority is part of the data. */
    static const uint8_t mx10self[] = {0, 10, 4, 'm', 'a', 'i', 'l', 0xc0, 12};
    static const uint8_t mx20self[] = {0, 20, 4, 'm', 'a', 'i', 'l', 0xc0, 12};
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "mail.example.com.", DNS_TYPE_MX, DNS_CLASS_IN, 0, mx10self, sizeof(mx10self));
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    dns_update_ops_clear(&ops);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 1, "mail.example.com.", DNS_TYPE_MX, DNS_CLASS_IN, 0, mx20self, sizeof(mx20self));
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_ECONFLICT);
}

/* ---- the update section ------------------------------------------------- */

static void test_add_of_a_new_record_is_a_post(void **state)
{
    msg_t m;
    dns_update_ops_t ops;
    dns_update_result_t res;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "new.example.com.", DNS_TYPE_TXT, DNS_CLASS_IN, 120, TXT_HI, sizeof(TXT_HI));
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_posts, 1);
    assert_int_equal(ops.n_deletes + ops.n_patches, 0);
    assert_string_equal(ops.posts[0].name, "new.example.com.");
    assert_string_equal(ops.posts[0].type, "TXT");
    assert_string_equal(ops.posts[0].content, "hi");
    assert_int_equal(ops.posts[0].ttl, 120);
    assert_int_equal(ops.posts[0].priority, -1);
    dns_update_ops_clear(&ops);
}

static void test_add_of_an_existing_record_is_a_no_op_or_a_ttl_change(void **state)
{
    msg_t m;
    dns_update_ops_t ops;
    dns_update_result_t res;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 3600, A_1, 4);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_posts + ops.n_deletes + ops.n_patches, 0);
    dns_update_ops_clear(&ops);
    /* Another TTL: the whole RRset takes it (one TTL per RRset). */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 600, A_1, 4);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_posts + ops.n_deletes, 0);
    assert_int_equal(ops.n_patches, 2);
    assert_int_equal(ops.patches[0].index, 3);
    assert_int_equal(ops.patches[0].ttl, 600);
    assert_int_equal(ops.patches[1].index, 4);
    dns_update_ops_clear(&ops);
    /* A new member with another TTL: posted with it, the others patched. */
    static const uint8_t a9[] = {192, 0, 2, 9};
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 60, a9, 4);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_posts, 1);
    assert_int_equal(ops.posts[0].ttl, 60);
    assert_int_equal(ops.n_patches, 2);
    dns_update_ops_clear(&ops);
}

static void test_deletes_by_rrset_name_and_rr(void **state)
{
    msg_t m;
    dns_update_ops_t ops;
    dns_update_result_t res;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "www.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, 0, NULL, 0);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_deletes, 2);
    assert_int_equal(ops.deletes[0], 3);
    assert_int_equal(ops.deletes[1], 4);
    dns_update_ops_clear(&ops);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "www.example.com.", DNS_TYPE_A, DNS_CLASS_NONE, 0, A_2, 4);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_deletes, 1);
    assert_int_equal(ops.deletes[0], 4);
    dns_update_ops_clear(&ops);
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "mail.example.com.", DNS_TYPE_ANY, DNS_CLASS_ANY, 0, NULL, 0);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_deletes, 1);
    assert_int_equal(ops.deletes[0], 5);
    dns_update_ops_clear(&ops);
    /* Deleting what is not there changes nothing. */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "none.example.com.", DNS_TYPE_ANY, DNS_CLASS_ANY, 0, NULL, 0);
    msg_rr(&m, 2, "www.example.com.", DNS_TYPE_TXT, DNS_CLASS_ANY, 0, NULL, 0);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_deletes + ops.n_posts + ops.n_patches, 0);
    dns_update_ops_clear(&ops);
}

static void test_delete_all_at_the_apex_keeps_soa_and_ns(void **state)
{
    msg_t m;
    dns_update_ops_t ops;
    dns_update_result_t res;
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "example.com.", DNS_TYPE_ANY, DNS_CLASS_ANY, 0, NULL, 0);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_deletes, 1);
    assert_int_equal(ops.deletes[0], 6); /* the TXT only */
    dns_update_ops_clear(&ops);
    /* An explicit apex NS delete is handed on: the caller's rules refuse it. */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "example.com.", DNS_TYPE_NS, DNS_CLASS_ANY, 0, NULL, 0);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_deletes, 2);
    dns_update_ops_clear(&ops);
}

static void test_updates_apply_in_order(void **state)
{
    msg_t m;
    dns_update_ops_t ops;
    dns_update_result_t res;
    /* delete the RRset, then add one of its records back: that one stays. */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "www.example.com.", DNS_TYPE_A, DNS_CLASS_ANY, 0, NULL, 0);
    msg_rr(&m, 2, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 3600, A_1, 4);
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_deletes, 1);
    assert_int_equal(ops.deletes[0], 4);
    assert_int_equal(ops.n_posts + ops.n_patches, 0);
    dns_update_ops_clear(&ops);
    /* add, then delete the same record: nothing. */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "n.example.com.", DNS_TYPE_TXT, DNS_CLASS_IN, 300, TXT_HI, sizeof(TXT_HI));
    msg_rr(&m, 2, "n.example.com.", DNS_TYPE_TXT, DNS_CLASS_NONE, 0, TXT_HI, sizeof(TXT_HI));
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_deletes + ops.n_posts + ops.n_patches, 0);
    dns_update_ops_clear(&ops);
    /* the same add twice: one post. */
    msg_begin(&m, "example.com.", DNS_TYPE_SOA, DNS_CLASS_IN);
    msg_rr(&m, 2, "n.example.com.", DNS_TYPE_TXT, DNS_CLASS_IN, 300, TXT_HI, sizeof(TXT_HI));
    msg_rr(&m, 2, "n.example.com.", DNS_TYPE_TXT, DNS_CLASS_IN, 300, TXT_HI, sizeof(TXT_HI));
    assert_int_equal(evaluate(&m, &ops, &res), DNSAPI_OK);
    assert_int_equal(ops.n_posts, 1);
    dns_update_ops_clear(&ops);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_is_parsed_with_normalized_content),
        cmocka_unit_test(test_every_prerequisite_and_update_kind_is_classified),
        cmocka_unit_test(test_zone_section_faults),
        cmocka_unit_test(test_prerequisite_format_faults),
        cmocka_unit_test(test_update_format_faults),
        cmocka_unit_test(test_failed_prerequisite_is_reported_before_an_update_fault),
        cmocka_unit_test(test_too_many_records_is_refused),
        cmocka_unit_test(test_data_dnsapi_cannot_store_is_kept_with_the_reason),
        cmocka_unit_test(test_prerequisites_each_kind),
        cmocka_unit_test(test_value_dependent_prerequisite_is_set_equality),
        cmocka_unit_test(test_add_of_a_new_record_is_a_post),
        cmocka_unit_test(test_add_of_an_existing_record_is_a_no_op_or_a_ttl_change),
        cmocka_unit_test(test_deletes_by_rrset_name_and_rr),
        cmocka_unit_test(test_delete_all_at_the_apex_keeps_soa_and_ns),
        cmocka_unit_test(test_updates_apply_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
