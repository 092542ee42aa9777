/*
 * Unit tests: the rules engine on change views (dns/change.c, dns/rules.c).
 *
 * Each fixture is a zone's stored records, a change, and the outcome it
 * must produce - a rule's code, or "ok" with the warnings expected - and is
 * named after it. The helper loads the view the way storage does: by id
 * (with the records around each id's name) and by the names
 * dns_change_interest asks for, never the whole zone, so a rule that looks
 * where the interest does not reach fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/changeview.h"
#include "dns/change.h"

#define ZONE "example.com."

typedef struct {
    const char *id, *name, *type, *content;
    uint32_t ttl;
    int priority;
    bool system;
} row_t;

typedef struct {
    dns_op_kind_t kind;
    const char *id; /* delete, patch */
    const char *name, *type, *content;
    long long ttl; /* -1: not given */
    long long priority;
} spec_t;

#define END                                                                                        \
    {                                                                                              \
        0, NULL, NULL, NULL, NULL, 0, 0                                                            \
    }
#define POST(n, t, c, ttl)                                                                         \
    {                                                                                              \
        DNS_OP_POST, NULL, n, t, c, ttl, -1                                                        \
    }
#define PATCH(id, c, ttl)                                                                          \
    {                                                                                              \
        DNS_OP_PATCH, id, NULL, NULL, c, ttl, -1                                                   \
    }
#define DELETE(id)                                                                                 \
    {                                                                                              \
        DNS_OP_DELETE, id, NULL, NULL, NULL, -1, -1                                                \
    }

/* The system records every zone has. */
static const row_t base[] = {
    {"00000000-0000-0000-0000-000000000001", ZONE, "SOA",
     "ns1.dnsapi.test. hostmaster.dnsapi.test. 1 10800 3600 1209600 3600", 3600, -1, true},
    {"00000000-0000-0000-0000-000000000002", ZONE, "NS", "ns1.dnsapi.test.", 86400, -1, true},
    {"00000000-0000-0000-0000-000000000003", ZONE, "NS", "ns2.dnsapi.test.", 86400, -1, true},
};

typedef struct {
    char code[40];     /* the first error's rule, or "ok" */
    char warnings[96]; /* warning codes, space separated */
    char existing_id[40];
    long long expected_ttl;
    size_t n_errors;
    int loads;
} outcome_t;

/* The child zone of the delegation rows kept_delegation holds, and those
 * rows' ids: records that storage would read with managed_by set. */
#define CHILD_ID "c0000000-0000-0000-0000-000000000001"
static const char *const kept_ids[] = {
    "2c000000-0000-0000-0000-000000000001",
    "2c000000-0000-0000-0000-000000000002",
    "2c000000-0000-0000-0000-000000000003",
    "2c000000-0000-0000-0000-000000000004",
};

static const char *managed_by_of(const char *id)
{
    for (size_t i = 0; i < sizeof(kept_ids) / sizeof(kept_ids[0]); i++) {
        if (strcmp(kept_ids[i], id) == 0) {
            return CHILD_ID;
        }
    }
    return NULL;
}

static dns_record_t rec_of(const row_t *r)
{
    dns_record_t rec = {r->id,
                        r->name,
                        r->type,
                        r->content,
                        r->ttl,
                        r->priority,
                        false,
                        r->system,
                        NULL,
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                        managed_by_of(r->id)};
    return rec;
}

/* Whether a change's delete or patch names the row r. */
static bool named_by_id(const dns_change_t *c, const row_t *r)
{
    for (size_t k = 0; k < c->n; k++) {
        if (c->ops[k].id != NULL && strcmp(c->ops[k].id, r->id) == 0) {
            return true;
        }
    }
    return false;
}

/* Adds the rows storage would return for interest and, in the first load
 * (ids), for the ids of c: their records, the records at their names and
 * the NS records pointing at those names (store_load_t). */
static void load_rows(dns_view_t *v, const row_t *rows, size_t n, const dns_change_t *c,
                      const dns_interest_t *in, bool ids)
{
    dns_names_t around = {0};
    arena_t a;
    arena_init(&a);
    for (size_t i = 0; ids && i < n; i++) {
        if (named_by_id(c, &rows[i])) {
            assert_int_equal(dns_names_add(&around, &a, rows[i].name), DNSAPI_OK);
        }
    }
    /* for each name below: one row strictly below it, not one c names */
    for (size_t b = 0; b < in->below.n; b++) {
        for (size_t i = 0; i < n; i++) {
            const char *name = rows[i].name;
            if (strcmp(name, in->below.v[b]) != 0 &&
                dns_name_is_at_or_below(name, in->below.v[b]) && !named_by_id(c, &rows[i])) {
                dns_record_t rec = rec_of(&rows[i]);
                assert_int_equal(dns_view_add(v, &rec), DNSAPI_OK);
                break;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        const row_t *r = &rows[i];
        bool ns = strcmp(r->type, "NS") == 0;
        bool want = dns_names_has(&in->at, r->name) || dns_names_has(&around, r->name) ||
                    (ns && (dns_names_has(&in->pointing, r->content) ||
                            dns_names_has(&around, r->content)));
        if (want) {
            dns_record_t rec = rec_of(r);
            assert_int_equal(dns_view_add(v, &rec), DNSAPI_OK);
        }
    }
    assert_int_equal(dns_view_covered(v, in, false), DNSAPI_OK);
    if (ids) {
        assert_int_equal(dns_view_covered_around(v, c), DNSAPI_OK);
    }
    dns_names_clear(&around);
    arena_clear(&a);
}

static void load(dns_view_t *v, const row_t *rows, size_t n, const dns_change_t *c,
                 const dns_interest_t *in)
{
    load_rows(v, rows, n, c, in, true);
}

typedef struct {
    const row_t *rows;
    size_t n;
} rows_t;

static void load_more(void *ctx, dns_view_t *v, const dns_change_t *c, const dns_interest_t *in)
{
    const rows_t *all = ctx;
    load_rows(v, all->rows, all->n, c, in, false);
}

static outcome_t check_rows(const row_t *extra, size_t n_extra, const spec_t *specs,
                            size_t max_errors)
{
    size_t n = sizeof(base) / sizeof(base[0]) + n_extra;
    row_t *rows = calloc(n, sizeof(*rows));
    memcpy(rows, base, sizeof(base));
    if (n_extra > 0) {
        memcpy(rows + sizeof(base) / sizeof(base[0]), extra, n_extra * sizeof(*extra));
    }
    outcome_t out;
    memset(&out, 0, sizeof(out));
    out.expected_ttl = -1;
    dns_change_t c;
    assert_int_equal(dns_change_init(&c, ZONE), DNSAPI_OK);
    dns_report_t rep;
    dns_report_init(&rep, max_errors);
    for (size_t i = 0; specs[i].kind != 0; i++) {
        const spec_t *s = &specs[i];
        dns_op_t *op = dns_change_add(&c, s->kind, "posts", i);
        op->id = s->id;
        op->fields.name = s->name;
        op->fields.type = s->type;
        op->fields.content = s->content;
        op->fields.has_ttl = s->ttl >= 0;
        op->fields.ttl = s->ttl;
        op->fields.has_priority = s->priority >= 0;
        op->fields.priority = s->priority;
        if (s->kind == DNS_OP_POST) {
            dnsapi_err_t err;
            dnsapi_err_clear(&err);
            if (dns_record_from_fields(ZONE, &op->fields, &c.arena, &op->rec, &op->warnings,
                                       &err) != DNSAPI_OK) {
                dns_report_error(&rep, op, &err);
            }
        }
    }
    dns_view_t *v = dns_view_new(ZONE);
    dns_interest_t in = {{0}, {0}, {0}};
    assert_int_equal(dns_change_interest(&c, NULL, &in), DNSAPI_OK);
    load(v, rows, n, &c, &in);
    dns_interest_clear(&in);
    rows_t all = {rows, n};
    out.loads = changeview_settle(v, &c, &rep, load_more, &all);
    if (dns_report_failed(&rep)) {
        const dns_problem_t *p = &rep.errors[0];
        snprintf(out.code, sizeof(out.code), "%s", p->err.code[0] ? p->err.code : "not_found");
        snprintf(out.existing_id, sizeof(out.existing_id), "%s", p->existing_id);
        out.expected_ttl = p->expected_ttl;
        out.n_errors = rep.n_errors;
    } else {
        snprintf(out.code, sizeof(out.code), "ok");
        for (size_t i = 0; i < rep.n_warnings; i++) {
            size_t len = strlen(out.warnings);
            snprintf(out.warnings + len, sizeof(out.warnings) - len, "%s%s", len ? " " : "",
                     rep.warnings[i].code);
        }
    }
    dns_report_clear(&rep);
    dns_view_free(v);
    dns_change_clear(&c);
    free(rows);
    return out;
}

#define CHECK(rows, ...)                                                                           \
    check_rows(rows, sizeof(rows) / sizeof(rows[0]), (const spec_t[]){__VA_ARGS__, END}, 1)
#define CHECK0(...) check_rows(NULL, 0, (const spec_t[]){__VA_ARGS__, END}, 1)

static const row_t www_a[] = {
    {"10000000-0000-0000-0000-000000000001", "www.example.com.", "A", "192.0.2.1", 300, -1, false},
};
static const row_t www_cname[] = {
    {"10000000-0000-0000-0000-000000000002", "www.example.com.", "CNAME", "other.example.net.", 300,
     -1, false},
};
static const row_t lab_delegation[] = {
    {"10000000-0000-0000-0000-000000000003", "lab.example.com.", "NS", "ns1.lab.example.com.", 3600,
     -1, false},
    {"10000000-0000-0000-0000-000000000004", "lab.example.com.", "NS", "ns2.lab.example.com.", 3600,
     -1, false},
    {"10000000-0000-0000-0000-000000000005", "ns1.lab.example.com.", "A", "192.0.2.53", 3600, -1,
     false},
};
static const row_t alias_target[] = {
    {"10000000-0000-0000-0000-000000000006", "alias.example.com.", "CNAME", "host.example.net.",
     300, -1, false},
};
static const row_t ns_to_host[] = {
    {"10000000-0000-0000-0000-000000000007", "dev.example.com.", "NS", "host.example.com.", 3600,
     -1, false},
    {"10000000-0000-0000-0000-000000000008", "dev.example.com.", "NS", "ns.elsewhere.net.", 3600,
     -1, false},
};

/* The delegation to the child zone child.example.com of the same account,
 * kept by dnsapi (migrations/0040): system records with managed_by. */
static const row_t kept_delegation[] = {
    {"2c000000-0000-0000-0000-000000000001", "child.example.com.", "NS", "ns1.child.example.com.",
     86400, -1, true},
    {"2c000000-0000-0000-0000-000000000002", "child.example.com.", "NS", "ns.elsewhere.net.", 86400,
     -1, true},
    {"2c000000-0000-0000-0000-000000000003", "ns1.child.example.com.", "A", "192.0.2.53", 3600, -1,
     true},
    {"2c000000-0000-0000-0000-000000000004", "ns1.child.example.com.", "AAAA", "2001:db8::53", 3600,
     -1, true},
};

/* ---- system records ---- */

static void test_soa_post_fails_system_record(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(POST("@", "SOA", "a. b. 1 2 3 4 5", 300)).code, "system_record");
}

static void test_apex_ns_post_fails_system_record(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(POST("@", "NS", "ns3.dnsapi.test", -1)).code, "system_record");
}

static void test_soa_patch_fails_system_record_whatever_it_asks(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(PATCH("00000000-0000-0000-0000-000000000001", NULL, 600)).code,
                        "system_record");
    assert_string_equal(CHECK0(PATCH("00000000-0000-0000-0000-000000000002", "x", -1)).code,
                        "system_record");
}

static void test_apex_ns_delete_fails_system_record(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(DELETE("00000000-0000-0000-0000-000000000003")).code,
                        "system_record");
}

/* kzonecheck refuses a zone whose name server inside it has no address
 * (found by fuzz_record_body: this was only a warning). */
static void test_subdomain_ns_inside_without_glue_fails_missing_glue(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(POST("sub", "NS", "ns1.sub.example.com", -1)).code, "missing_glue");
    assert_string_equal(CHECK0(POST("sub", "NS", "host.example.com", -1)).code, "missing_glue");
}

static void test_subdomain_ns_with_its_glue_in_the_batch_warns_single_ns(void **state)
{
    (void)state;
    outcome_t o = CHECK0(POST("sub", "NS", "ns1.sub.example.com", -1),
                         POST("ns1.sub", "A", "192.0.2.53", 3600));
    assert_string_equal(o.code, "ok");
    assert_string_equal(o.warnings, "single_ns");
}

static void test_deleting_the_glue_of_a_delegation_fails_missing_glue(void **state)
{
    (void)state;
    assert_string_equal(CHECK(lab_delegation, DELETE("10000000-0000-0000-0000-000000000005")).code,
                        "missing_glue");
}

/* A delete reads only what its rules need, and the load by id brings it:
 * no load after the first, whatever the depth of the name. */
static void test_deletes_need_no_load_after_the_first(void **state)
{
    (void)state;
    outcome_t o = CHECK(lab_delegation, DELETE("10000000-0000-0000-0000-000000000005"));
    assert_string_equal(o.code, "missing_glue");
    assert_int_equal(o.loads, 0);
    static const row_t deep[] = {
        {"20000000-0000-0000-0000-000000000011", "_acme-challenge.a.b.c.example.com.", "TXT",
         "\"token\"", 300, -1, false},
        {"20000000-0000-0000-0000-000000000012", "host.b.c.example.com.", "AAAA", "2001:db8::1",
         300, -1, false},
    };
    o = CHECK(deep, DELETE("20000000-0000-0000-0000-000000000011"));
    assert_string_equal(o.code, "ok");
    assert_int_equal(o.loads, 0);
    o = CHECK(deep, DELETE("20000000-0000-0000-0000-000000000012"));
    assert_string_equal(o.code, "ok");
    assert_int_equal(o.loads, 0);
}

static void test_deleting_a_delegation_with_its_glue_is_ok(void **state)
{
    (void)state;
    assert_string_equal(CHECK(lab_delegation, DELETE("10000000-0000-0000-0000-000000000005"),
                              DELETE("10000000-0000-0000-0000-000000000003"))
                            .code,
                        "ok");
}

static void test_unknown_id_fails_not_found(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(DELETE("99999999-0000-0000-0000-000000000000")).code, "not_found");
}

/* ---- a kept delegation to a child zone ---- */

static void test_ns_post_at_kept_delegation_fails_system_record(void **state)
{
    (void)state;
    assert_string_equal(CHECK(kept_delegation, POST("child", "NS", "ns3.other.net", -1)).code,
                        "system_record");
}

static void test_glue_post_at_kept_glue_name_fails_system_record(void **state)
{
    (void)state;
    assert_string_equal(CHECK(kept_delegation, POST("ns1.child", "A", "192.0.2.54", -1)).code,
                        "system_record");
    assert_string_equal(CHECK(kept_delegation, POST("ns1.child", "AAAA", "2001:db8::54", -1)).code,
                        "system_record");
}

static void test_kept_ns_patch_fails_system_record(void **state)
{
    (void)state;
    assert_string_equal(
        CHECK(kept_delegation, PATCH("2c000000-0000-0000-0000-000000000002", NULL, 600)).code,
        "system_record");
    assert_string_equal(CHECK(kept_delegation, PATCH("2c000000-0000-0000-0000-000000000001",
                                                     "ns9.elsewhere.net", -1))
                            .code,
                        "system_record");
}

static void test_kept_glue_delete_fails_system_record(void **state)
{
    (void)state;
    assert_string_equal(CHECK(kept_delegation, DELETE("2c000000-0000-0000-0000-000000000003")).code,
                        "system_record");
}

static void test_kept_ns_delete_in_a_batch_with_others_fails_system_record(void **state)
{
    (void)state;
    assert_string_equal(CHECK(kept_delegation, POST("www", "A", "192.0.2.1", 300),
                              DELETE("2c000000-0000-0000-0000-000000000001"))
                            .code,
                        "system_record");
}

static void test_ds_at_kept_delegation_is_ok(void **state)
{
    (void)state;
    outcome_t o = CHECK(kept_delegation,
                        POST("child", "DS",
                             "12345 13 2 "
                             "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                             -1));
    assert_string_equal(o.code, "ok");
}

static void test_address_beside_kept_delegation_at_other_name_is_ok(void **state)
{
    (void)state;
    assert_string_equal(CHECK(kept_delegation, POST("ns1", "A", "192.0.2.9", -1)).code, "ok");
}

/* Which writes ask storage to bring the parent's delegation to this zone
 * in step (dns_change_moves_delegation): a name-server change, or an
 * address record written, posted, patched or deleted at the name of one of
 * the zone's apex name servers (its glue); any address when the apex NS
 * set is not known. */
static void test_glue_writes_and_nameserver_changes_move_the_delegation(void **state)
{
    (void)state;
    static const dns_record_t old_a = {
        "1", "ns1.example.com.", "A", "192.0.2.1", 300, -1, false, false, NULL, NULL, NULL, NULL};
    static const dns_record_t other_a = {
        "3", "www.example.com.", "A", "192.0.2.3", 300, -1, false, false, NULL, NULL, NULL, NULL};
    static const dns_record_t old_txt = {
        "2", "txt.example.com.", "TXT", "x", 300, -1, false, false, NULL, NULL, NULL, NULL};
    static const char *const apex[] = {"ns0.example.net.", "ns1.example.com."};
    dns_change_t c;
    assert_int_equal(dns_change_init(&c, ZONE), DNSAPI_OK);
    assert_false(dns_change_moves_delegation(&c, apex, 2));
    dns_op_t *op = dns_change_add(&c, DNS_OP_POST, NULL, 0);
    op->rec = old_txt;
    assert_false(dns_change_moves_delegation(&c, apex, 2));
    op = dns_change_add(&c, DNS_OP_DELETE, NULL, 0);
    op->old = &old_txt;
    assert_false(dns_change_moves_delegation(&c, apex, 2));
    op = dns_change_add(&c, DNS_OP_DELETE, NULL, 0);
    assert_false(dns_change_moves_delegation(&c, apex, 2)); /* not bound yet */
    op->old = &other_a;
    assert_false(dns_change_moves_delegation(&c, apex, 2)); /* not a name server's */
    assert_true(dns_change_moves_delegation(&c, NULL, 0));  /* apex not known */
    op->old = &old_a;
    assert_true(dns_change_moves_delegation(&c, apex, 2));
    assert_false(dns_change_moves_delegation(&c, apex, 1)); /* ns1 not among them */
    dns_change_clear(&c);
    assert_int_equal(dns_change_init(&c, ZONE), DNSAPI_OK);
    op = dns_change_add(&c, DNS_OP_POST, NULL, 0);
    op->rec = old_a;
    assert_true(dns_change_moves_delegation(&c, apex, 2));
    dns_change_clear(&c);
    assert_int_equal(dns_change_init(&c, ZONE), DNSAPI_OK);
    c.nameservers = true;
    assert_true(dns_change_moves_delegation(&c, apex, 0));
    dns_change_clear(&c);
}

/* ---- TTLs ---- */

static void test_ttl_below_minimum_fails_ttl_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(POST("a", "A", "192.0.2.1", 30)).code, "ttl_out_of_range");
    assert_string_equal(CHECK0(POST("a", "A", "192.0.2.1", 604801)).code, "ttl_out_of_range");
}

static void test_rrset_ttl_differing_fails_ttl_mismatch_with_expected(void **state)
{
    (void)state;
    outcome_t o = CHECK(www_a, POST("www", "A", "192.0.2.2", 600));
    assert_string_equal(o.code, "ttl_mismatch");
    assert_int_equal(o.expected_ttl, 300);
}

static void test_omitted_ttl_joins_its_rrset_and_is_ok(void **state)
{
    (void)state;
    assert_string_equal(CHECK(www_a, POST("www", "A", "192.0.2.2", -1)).code, "ok");
}

static void test_whole_rrset_changed_together_is_ok(void **state)
{
    (void)state;
    outcome_t o = CHECK(www_a, PATCH("10000000-0000-0000-0000-000000000001", NULL, 600),
                        POST("www", "A", "192.0.2.2", 600));
    assert_string_equal(o.code, "ok");
}

static void test_other_type_with_other_ttl_is_ok(void **state)
{
    (void)state;
    assert_string_equal(CHECK(www_a, POST("www", "AAAA", "2001:db8::1", 900)).code, "ok");
}

/* ---- names and data ---- */

static void test_cname_at_apex_fails_cname_at_apex(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(POST("@", "CNAME", "other.example.net", 300)).code, "cname_at_apex");
}

static void test_ns_at_wildcard_fails_bad_wildcard(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(POST("*.lab", "NS", "ns1.example.net", -1)).code, "bad_wildcard");
}

static void test_ns_naming_an_address_fails_bad_rdata(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(POST("sub", "NS", "192.0.2.1", -1)).code, "bad_rdata");
}

static void test_ds_at_apex_fails_ds_at_apex(void **state)
{
    (void)state;
    const char *ds = "12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D";
    assert_string_equal(CHECK0(POST("@", "DS", ds, 3600)).code, "ds_at_apex");
    assert_string_equal(CHECK0(POST("sub", "DS", ds, 3600)).code, "ok");
}

/* ---- duplicates and CNAME ---- */

static void test_exact_repeat_fails_duplicate_naming_the_record(void **state)
{
    (void)state;
    outcome_t o = CHECK(www_a, POST("www", "A", "192.0.2.1", 300));
    assert_string_equal(o.code, "duplicate");
    assert_string_equal(o.existing_id, "10000000-0000-0000-0000-000000000001");
}

static void test_same_record_twice_in_one_change_fails_duplicate(void **state)
{
    (void)state;
    outcome_t o = CHECK0(POST("x", "A", "192.0.2.9", 300), POST("x", "A", "192.0.2.9", 300));
    assert_string_equal(o.code, "duplicate");
    assert_string_equal(o.existing_id, "");
}

static void test_mx_with_other_priority_is_ok(void **state)
{
    (void)state;
    assert_string_equal(CHECK0(POST("@", "MX", "10 mail.example.com", 300),
                               POST("@", "MX", "20 mail.example.com", 300))
                            .code,
                        "ok");
}

static void test_cname_beside_a_fails_cname_conflict(void **state)
{
    (void)state;
    assert_string_equal(CHECK(www_a, POST("www", "CNAME", "x.example.net", 300)).code,
                        "cname_conflict");
}

static void test_a_beside_cname_fails_cname_conflict(void **state)
{
    (void)state;
    assert_string_equal(CHECK(www_cname, POST("www", "A", "192.0.2.1", 300)).code,
                        "cname_conflict");
}

static void test_second_cname_fails_cname_conflict(void **state)
{
    (void)state;
    assert_string_equal(CHECK(www_cname, POST("www", "CNAME", "y.example.net", 300)).code,
                        "cname_conflict");
}

static void test_cname_after_deleting_the_a_in_the_same_change_is_ok(void **state)
{
    (void)state;
    assert_string_equal(CHECK(www_a, DELETE("10000000-0000-0000-0000-000000000001"),
                              POST("www", "CNAME", "x.example.net", 300))
                            .code,
                        "ok");
}

/* ---- DNAME: nothing below it (NSD and Knot refuse such a zone) ---- */

static const row_t old_dname[] = {
    {"10000000-0000-0000-0000-000000000051", "old.example.com.", "DNAME", "new.example.net.", 300,
     -1, false},
};
static const row_t x_moved_a[] = {
    {"10000000-0000-0000-0000-000000000052", "x.moved.example.com.", "A", "192.0.2.52", 300, -1,
     false},
};
static const row_t apex_dname[] = {
    {"10000000-0000-0000-0000-000000000053", ZONE, "DNAME", "example.net.", 300, -1, false},
};

static void test_dname_above_records_fails_dname_conflict(void **state)
{
    (void)state;
    assert_string_equal(CHECK(x_moved_a, POST("moved", "DNAME", "example.org", 300)).code,
                        "dname_conflict");
    /* at the apex everything is below it */
    assert_string_equal(CHECK(www_a, POST("@", "DNAME", "example.org", 300)).code,
                        "dname_conflict");
}

static void test_dname_with_nothing_below_is_ok(void **state)
{
    (void)state;
    assert_string_equal(CHECK(x_moved_a, POST("x.moved", "DNAME", "example.org", 300)).code, "ok");
    assert_string_equal(CHECK0(POST("@", "DNAME", "example.org", 300)).code, "ok");
}

static void test_record_below_a_dname_fails_dname_conflict(void **state)
{
    (void)state;
    assert_string_equal(CHECK(old_dname, POST("a.b.old", "TXT", "\"x\"", 300)).code,
                        "dname_conflict");
    assert_string_equal(CHECK(apex_dname, POST("www", "A", "192.0.2.1", 300)).code,
                        "dname_conflict");
    /* beside it is fine */
    assert_string_equal(CHECK(old_dname, POST("old", "TXT", "\"x\"", 300)).code, "ok");
    /* a record and a DNAME above it in one change */
    assert_string_equal(
        CHECK0(POST("a.fresh", "A", "192.0.2.1", 300), POST("fresh", "DNAME", "example.org", 300))
            .code,
        "dname_conflict");
}

static void test_dname_after_deleting_what_was_below_in_the_same_change_is_ok(void **state)
{
    (void)state;
    assert_string_equal(CHECK(x_moved_a, DELETE("10000000-0000-0000-0000-000000000052"),
                              POST("moved", "DNAME", "example.org", 300))
                            .code,
                        "ok");
}

/* ---- name servers ---- */

static void test_ns_target_that_is_a_cname_fails_ns_target_is_cname(void **state)
{
    (void)state;
    assert_string_equal(CHECK(alias_target, POST("sub", "NS", "alias.example.com", -1)).code,
                        "ns_target_is_cname");
}

static void test_cname_on_a_name_server_fails_ns_target_is_cname(void **state)
{
    (void)state;
    assert_string_equal(CHECK(ns_to_host, POST("host", "CNAME", "x.example.net", 300)).code,
                        "ns_target_is_cname");
}

static void test_patch_pointing_ns_at_a_cname_loads_the_target_and_fails(void **state)
{
    (void)state;
    static const row_t rows[] = {
        {"20000000-0000-0000-0000-000000000001", "sub.example.com.", "NS", "ns.example.net.", 3600,
         -1, false},
        {"20000000-0000-0000-0000-000000000002", "alias.example.com.", "CNAME", "host.example.net.",
         300, -1, false},
    };
    outcome_t o =
        CHECK(rows, PATCH("20000000-0000-0000-0000-000000000001", "alias.example.com", -1));
    assert_string_equal(o.code, "ns_target_is_cname");
    assert_int_equal(o.loads, 1);
}

static void test_delegation_with_glue_and_two_ns_has_no_warning(void **state)
{
    (void)state;
    outcome_t o = CHECK(lab_delegation, POST("ns2.lab", "A", "192.0.2.54", 3600));
    assert_string_equal(o.code, "ok");
    assert_string_equal(o.warnings, "");
}

static void test_data_below_a_delegation_warns_occluded(void **state)
{
    (void)state;
    outcome_t o = CHECK(lab_delegation, POST("www.lab", "TXT", "hidden", 300));
    assert_string_equal(o.code, "ok");
    assert_string_equal(o.warnings, "occluded");
}

static void test_glue_below_a_delegation_is_not_occluded(void **state)
{
    (void)state;
    assert_string_equal(CHECK(lab_delegation, POST("x.lab", "AAAA", "2001:db8::1", 300)).warnings,
                        "");
}

static void test_single_out_of_zone_ns_warns_single_ns_only(void **state)
{
    (void)state;
    outcome_t o = CHECK0(POST("sub", "NS", "ns.example.net", -1));
    assert_string_equal(o.warnings, "single_ns");
}

/* ---- no cap: a name holding 2,000 records is checked like any other ---- */

static void test_name_with_2000_records_is_checked_whole(void **state)
{
    (void)state;
    enum { N = 2000 };
    row_t *rows = calloc(N, sizeof(*rows));
    char(*ids)[40] = calloc(N, 40);
    char(*texts)[32] = calloc(N, 32);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], 40, "30000000-0000-0000-0000-%012d", i);
        snprintf(texts[i], 32, "value %d", i);
        rows[i] = (row_t){ids[i], "big.example.com.", "TXT", texts[i], 300, -1, false};
    }
    /* every outcome first, then the checks: a failed check leaves no leak */
    outcome_t cname =
        check_rows(rows, N, (const spec_t[]){POST("big", "CNAME", "x.example.net", 300), END}, 1);
    outcome_t dup =
        check_rows(rows, N, (const spec_t[]){POST("big", "TXT", "value 1999", 300), END}, 1);
    outcome_t ttl =
        check_rows(rows, N, (const spec_t[]){POST("big", "TXT", "value 2000", 600), END}, 1);
    outcome_t joins =
        check_rows(rows, N, (const spec_t[]){POST("big", "TXT", "value 2000", -1), END}, 1);
    free(rows);
    free(ids);
    free(texts);
    assert_string_equal(cname.code, "cname_conflict");
    assert_string_equal(dup.code, "duplicate");
    assert_string_equal(dup.existing_id, "30000000-0000-0000-0000-000000001999");
    assert_string_equal(ttl.code, "ttl_mismatch");
    assert_string_equal(joins.code, "ok");
}

/* ---- reports ---- */

static void test_every_problem_is_reported_up_to_the_cap(void **state)
{
    (void)state;
    const spec_t specs[] = {POST("a", "A", "192.0.2.1", 30), POST("b", "A", "192.0.2.1", 30),
                            POST("@", "CNAME", "x.example.net", 300),
                            POST("c", "A", "192.0.2.1", 300), END};
    outcome_t o = check_rows(NULL, 0, specs, 10);
    assert_string_equal(o.code, "ttl_out_of_range");
    assert_int_equal(o.n_errors, 3);
    o = check_rows(NULL, 0, specs, 2);
    assert_int_equal(o.n_errors, 2);
}

static void test_noop_patch_is_ok_and_marked(void **state)
{
    (void)state;
    outcome_t o = CHECK(www_a, PATCH("10000000-0000-0000-0000-000000000001", "192.0.2.1", 300));
    assert_string_equal(o.code, "ok");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soa_post_fails_system_record),
        cmocka_unit_test(test_apex_ns_post_fails_system_record),
        cmocka_unit_test(test_soa_patch_fails_system_record_whatever_it_asks),
        cmocka_unit_test(test_apex_ns_delete_fails_system_record),
        cmocka_unit_test(test_subdomain_ns_inside_without_glue_fails_missing_glue),
        cmocka_unit_test(test_subdomain_ns_with_its_glue_in_the_batch_warns_single_ns),
        cmocka_unit_test(test_deleting_the_glue_of_a_delegation_fails_missing_glue),
        cmocka_unit_test(test_deletes_need_no_load_after_the_first),
        cmocka_unit_test(test_deleting_a_delegation_with_its_glue_is_ok),
        cmocka_unit_test(test_unknown_id_fails_not_found),
        cmocka_unit_test(test_ns_post_at_kept_delegation_fails_system_record),
        cmocka_unit_test(test_glue_post_at_kept_glue_name_fails_system_record),
        cmocka_unit_test(test_kept_ns_patch_fails_system_record),
        cmocka_unit_test(test_kept_glue_delete_fails_system_record),
        cmocka_unit_test(test_kept_ns_delete_in_a_batch_with_others_fails_system_record),
        cmocka_unit_test(test_ds_at_kept_delegation_is_ok),
        cmocka_unit_test(test_address_beside_kept_delegation_at_other_name_is_ok),
        cmocka_unit_test(test_glue_writes_and_nameserver_changes_move_the_delegation),
        cmocka_unit_test(test_ttl_below_minimum_fails_ttl_out_of_range),
        cmocka_unit_test(test_rrset_ttl_differing_fails_ttl_mismatch_with_expected),
        cmocka_unit_test(test_omitted_ttl_joins_its_rrset_and_is_ok),
        cmocka_unit_test(test_whole_rrset_changed_together_is_ok),
        cmocka_unit_test(test_other_type_with_other_ttl_is_ok),
        cmocka_unit_test(test_cname_at_apex_fails_cname_at_apex),
        cmocka_unit_test(test_ns_at_wildcard_fails_bad_wildcard),
        cmocka_unit_test(test_ns_naming_an_address_fails_bad_rdata),
        cmocka_unit_test(test_ds_at_apex_fails_ds_at_apex),
        cmocka_unit_test(test_exact_repeat_fails_duplicate_naming_the_record),
        cmocka_unit_test(test_same_record_twice_in_one_change_fails_duplicate),
        cmocka_unit_test(test_mx_with_other_priority_is_ok),
        cmocka_unit_test(test_cname_beside_a_fails_cname_conflict),
        cmocka_unit_test(test_a_beside_cname_fails_cname_conflict),
        cmocka_unit_test(test_second_cname_fails_cname_conflict),
        cmocka_unit_test(test_cname_after_deleting_the_a_in_the_same_change_is_ok),
        cmocka_unit_test(test_ns_target_that_is_a_cname_fails_ns_target_is_cname),
        cmocka_unit_test(test_cname_on_a_name_server_fails_ns_target_is_cname),
        cmocka_unit_test(test_patch_pointing_ns_at_a_cname_loads_the_target_and_fails),
        cmocka_unit_test(test_dname_above_records_fails_dname_conflict),
        cmocka_unit_test(test_dname_with_nothing_below_is_ok),
        cmocka_unit_test(test_record_below_a_dname_fails_dname_conflict),
        cmocka_unit_test(test_dname_after_deleting_what_was_below_in_the_same_change_is_ok),
        cmocka_unit_test(test_delegation_with_glue_and_two_ns_has_no_warning),
        cmocka_unit_test(test_data_below_a_delegation_warns_occluded),
        cmocka_unit_test(test_glue_below_a_delegation_is_not_occluded),
        cmocka_unit_test(test_single_out_of_zone_ns_warns_single_ns_only),
        cmocka_unit_test(test_name_with_2000_records_is_checked_whole),
        cmocka_unit_test(test_every_problem_is_reported_up_to_the_cap),
        cmocka_unit_test(test_noop_patch_is_ok_and_marked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
