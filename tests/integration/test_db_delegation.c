/*
 * test_db_delegation.c - delegations to child zones of the same account,
 * kept by the database (migrations/0040_linked_child_zones.sql).
 *
 * The roles of deploy/README.md (tests/support/testroles.h): the serving
 * role creates example.com. and child zones the way the API does (the zone,
 * then dnsapi_delegation_sync_pending in the same transaction), writes in
 * the child and asks for dnsapi_delegation_sync; the parent's records are
 * read as the owner. Then the serving role tries every means it holds to
 * change the kept records and is refused with the database unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/testroles.h"

#define PERMISSION TESTROLES_PERMISSION
#define GUARD TESTROLES_GUARD

/* The records zone holds at name and below, "name type content system
 * kept" (kept: managed_by names the zone child), in order. */
static char *rows_below(const testroles_t *fx, const char *zone, const char *name)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(string_agg(r.name || ' ' || r.type || ' ' || r.content || ' ' || "
             "r.system || ' ' || coalesce((SELECT c.name FROM zones c WHERE c.id = r.managed_by),"
             " '-'), ',' ORDER BY r.name, r.type, r.content), '') FROM records r"
             " JOIN zones z ON z.id = r.zone_id WHERE z.name = '%s'"
             " AND (r.name = '%s' OR r.name LIKE '%%.%s')",
             zone, name, name);
    return testroles_value(fx->as_owner, sql);
}

/* Fails unless rows_below(fx, zone, name) is want. */
static void expect_rows_below(const testroles_t *fx, const char *zone, const char *name,
                              const char *want)
{
    char *v = rows_below(fx, zone, name);
    assert_string_equal(v, want);
    free(v);
}

static long long serial_of(const testroles_t *fx, const char *zone)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT serial FROM zones WHERE name = '%s'", zone);
    char *v = testroles_value(fx->as_owner, sql);
    long long s = strtoll(v, NULL, 10);
    free(v);
    return s;
}

/* The serving role's creation of zone (name servers ns, an array
 * literal's items), the API's way, as one SQL string in sql; limit (or
 * NULL) is the zone limit of the credential (dnsapi.token_zones). */
static void create_sql(char *sql, size_t len, const testroles_t *fx, const char *zone,
                       const char *ns, bool delegate, const char *limit)
{
    snprintf(sql, len,
             "BEGIN; SELECT set_config('dnsapi.token_zones', '%s', true);"
             " INSERT INTO zones (account_id, name, nameservers, hostmaster, delegate)"
             " VALUES ('%s', '%s', ARRAY[%s], 'hostmaster.dnsapi.test.', %s);"
             " SELECT dnsapi_delegation_sync_pending(); COMMIT",
             limit != NULL ? limit : "", fx->account_id, zone, ns, delegate ? "true" : "false");
}

static void create_zone(const testroles_t *fx, const char *zone, const char *ns, bool delegate)
{
    char sql[1024];
    create_sql(sql, sizeof(sql), fx, zone, ns, delegate, NULL);
    testroles_exec_ok(fx->as_serve, sql);
}

/* Creates zone with the name servers ns1 and ns2.dnsapi.test. and
 * delegate set, and checks that example.com. holds the delegation. */
static void create_linked_zone(const testroles_t *fx, const char *zone)
{
    create_zone(fx, zone, "'ns1.dnsapi.test.', 'ns2.dnsapi.test.'", true);
    char want[512];
    snprintf(want, sizeof(want), "%s NS ns1.dnsapi.test. true %s,%s NS ns2.dnsapi.test. true %s",
             zone, zone, zone, zone);
    expect_rows_below(fx, "example.com.", zone, want);
}

static void delete_zone(const testroles_t *fx, const char *zone)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "BEGIN; DELETE FROM zones WHERE name = '%s'; SELECT dnsapi_delegation_sync_pending();"
             " COMMIT",
             zone);
    testroles_exec_ok(fx->as_serve, sql);
}

/* A write in zone as the serving role, then the sync the API asks for. */
static void write_in(const testroles_t *fx, const char *zone, const char *dml)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "BEGIN; %s; SELECT dnsapi_delegation_sync((SELECT id FROM zones WHERE name = '%s'));"
             " COMMIT",
             dml, zone);
    testroles_exec_ok(fx->as_serve, sql);
}

static char *zone_id(const testroles_t *fx, const char *zone)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT id FROM zones WHERE name = '%s'", zone);
    return testroles_value(fx->as_owner, sql);
}

/* child.example.com. with one name server inside it (glue) and one
 * outside: the parent gets both NS records at once (one serial step) and
 * the glue once the child has the address; a change of the child's
 * address moves the glue, and the audit trail of the parent says so. */
static void test_child_zone_is_delegated_with_its_glue_in_one_step(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    long long before = serial_of(fx, "example.com.");
    create_zone(fx, "child.example.com.", "'ns1.child.example.com.', 'ns.other.test.'", true);
    expect_rows_below(fx, "example.com.", "child.example.com.",
                      "child.example.com. NS ns.other.test. true child.example.com.,"
                      "child.example.com. NS ns1.child.example.com. true child.example.com.");
    assert_int_equal(serial_of(fx, "example.com."), before + 1);

    /* the name server's address in the child: glue in the parent */
    char dml[512];
    char *cid = zone_id(fx, "child.example.com.");
    snprintf(dml, sizeof(dml),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl) VALUES"
             " ('%s', '%s', 'ns1.child.example.com.', 'A', '192.0.2.53', 300),"
             " ('%s', '%s', 'ns1.child.example.com.', 'AAAA', '2001:db8::53', 300)",
             cid, fx->account_id, cid, fx->account_id);
    write_in(fx, "child.example.com.", dml);
    expect_rows_below(fx, "example.com.", "child.example.com.",
                      "child.example.com. NS ns.other.test. true child.example.com.,"
                      "child.example.com. NS ns1.child.example.com. true child.example.com.,"
                      "ns1.child.example.com. A 192.0.2.53 true child.example.com.,"
                      "ns1.child.example.com. AAAA 2001:db8::53 true child.example.com.");
    assert_int_equal(serial_of(fx, "example.com."), before + 2);

    /* a new address: the glue follows, in one serial step */
    snprintf(dml, sizeof(dml),
             "UPDATE records SET content = '192.0.2.54' WHERE zone_id = '%s'"
             " AND name = 'ns1.child.example.com.' AND type = 'A'",
             cid);
    write_in(fx, "child.example.com.", dml);
    expect_rows_below(fx, "example.com.", "ns1.child.example.com.",
                      "ns1.child.example.com. A 192.0.2.54 true child.example.com.,"
                      "ns1.child.example.com. AAAA 2001:db8::53 true child.example.com.");
    assert_int_equal(serial_of(fx, "example.com."), before + 3);
    char *v = testroles_value(
        fx->as_owner, "SELECT string_agg(c.action || ' ' || c.type || ' ' || "
                      "coalesce(c.after->>'content', c.before->>'content'), ',' ORDER BY c.id)"
                      " FROM changes c JOIN zones z ON z.id = c.zone_id"
                      " WHERE z.name = 'example.com.' AND c.name = 'ns1.child.example.com.'");
    assert_string_equal(v, "create A 192.0.2.53,create AAAA 2001:db8::53,delete A 192.0.2.53,"
                           "create A 192.0.2.54");
    free(v);

    /* a sync with nothing to do writes nothing */
    long long now = serial_of(fx, "example.com.");
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT dnsapi_delegation_sync('%s')", cid);
    v = testroles_value(fx->as_serve, sql);
    assert_string_equal(v, "0");
    free(v);
    assert_int_equal(serial_of(fx, "example.com."), now);
    free(cid);
}

/* The serving role cannot change a kept record by any means it holds, nor
 * forge one, nor switch a zone's link off after its creation. */
static void test_serving_role_cannot_change_kept_records(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    create_linked_zone(fx, "kept.example.com.");
    char *kid = zone_id(fx, "kept.example.com.");
    char sql[768];
    testroles_expect_refused(fx, fx->as_serve, "DELETE FROM records WHERE managed_by IS NOT NULL",
                             GUARD);
    testroles_expect_refused(fx, fx->as_serve,
                             "UPDATE records SET ttl = 60 WHERE managed_by IS NOT NULL", GUARD);
    testroles_expect_refused(fx, fx->as_serve,
                             "UPDATE records SET content = 'ns.evil.test.'"
                             " WHERE managed_by IS NOT NULL",
                             GUARD);
    testroles_expect_refused(
        fx, fx->as_serve, "UPDATE records SET disabled = true WHERE managed_by IS NOT NULL", GUARD);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE records SET managed_by = NULL", PERMISSION);
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl, managed_by)"
             " VALUES ('%s', '%s', 'kept.example.com.', 'NS', 'ns.evil.test.', 86400, '%s')",
             fx->zone_id, fx->account_id, kid);
    testroles_expect_refused(fx, fx->as_serve, sql, PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "UPDATE zones SET delegate = false", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "DELETE FROM dnsapi_delegation_pending", PERMISSION);
    snprintf(sql, sizeof(sql),
             "INSERT INTO dnsapi_delegation_pending (zone_id, account_id, name) VALUES"
             " ('%s', '%s', 'kept.example.com.')",
             kid, fx->account_id);
    testroles_expect_refused(fx, fx->as_serve, sql, PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "SELECT dnsapi_delegation_note()", PERMISSION);
    testroles_expect_refused(fx, fx->as_serve, "SELECT dnsapi_apply_grants(current_user)",
                             PERMISSION);
    /* asking for a sync only ever makes the delegation what the child says */
    snprintf(sql, sizeof(sql), "SELECT dnsapi_delegation_sync('%s')", kid);
    char *v = testroles_value(fx->as_serve, sql);
    assert_string_equal(v, "0");
    free(v);
    v = testroles_value(fx->as_serve, "SELECT dnsapi_delegation_sync(gen_random_uuid())");
    assert_string_equal(v, "0");
    free(v);
    expect_rows_below(fx, "example.com.", "kept.example.com.",
                      "kept.example.com. NS ns1.dnsapi.test. true kept.example.com.,"
                      "kept.example.com. NS ns2.dnsapi.test. true kept.example.com.");
    free(kid);
}

/* NS records the parent held by hand at the child's name are taken over:
 * the matching one becomes kept (an update in the audit trail), the other
 * goes; a DS record at the cut stays the account's. */
static void test_hand_written_ns_at_the_cut_is_taken_over_and_ds_kept(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl) VALUES"
             " ('%s', '%s', 'hand.example.com.', 'NS', 'ns1.dnsapi.test.', 3600),"
             " ('%s', '%s', 'hand.example.com.', 'NS', 'ns.stale.test.', 3600),"
             " ('%s', '%s', 'hand.example.com.', 'DS', '12345 13 2 "
             "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 3600)",
             fx->zone_id, fx->account_id, fx->zone_id, fx->account_id, fx->zone_id, fx->account_id);
    testroles_exec_ok(fx->as_serve, sql);
    char *before_id = testroles_value(fx->as_owner, "SELECT id FROM records WHERE name ="
                                                    " 'hand.example.com.' AND content ="
                                                    " 'ns1.dnsapi.test.'");
    long long before = serial_of(fx, "example.com.");
    create_zone(fx, "hand.example.com.", "'ns1.dnsapi.test.', 'ns2.dnsapi.test.'", true);
    expect_rows_below(fx, "example.com.", "hand.example.com.",
                      "hand.example.com. DS 12345 13 2 "
                      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef "
                      "false -,"
                      "hand.example.com. NS ns1.dnsapi.test. true hand.example.com.,"
                      "hand.example.com. NS ns2.dnsapi.test. true hand.example.com.");
    assert_int_equal(serial_of(fx, "example.com."), before + 1);
    snprintf(sql, sizeof(sql),
             "SELECT id || ' ' || ttl FROM records WHERE zone_id = '%s'"
             " AND name = 'hand.example.com.' AND content = 'ns1.dnsapi.test.'",
             fx->zone_id);
    char *v = testroles_value(fx->as_owner, sql);
    char want[128];
    snprintf(want, sizeof(want), "%s 86400", before_id);
    assert_string_equal(v, want);
    free(v);
    free(before_id);
    v = testroles_value(fx->as_owner,
                        "SELECT string_agg(c.action || ' ' || coalesce(c.after->>'content',"
                        " c.before->>'content'), ',' ORDER BY c.action, c.id) FROM changes c"
                        " JOIN zones z ON z.id = c.zone_id WHERE z.name = 'example.com.'"
                        " AND c.name = 'hand.example.com.' AND c.type = 'NS'"
                        " AND c.serial = (SELECT serial FROM zones WHERE name = 'example.com.')");
    assert_string_equal(v, "create ns2.dnsapi.test.,delete ns.stale.test.,update ns1.dnsapi.test.");
    free(v);
}

/* A zone made between a parent and its child takes the child's delegation
 * over; deleting it hands it back; deleting the child removes it, each
 * time in one serial step of each zone written. */
static void test_delegation_moves_with_the_nearest_enclosing_zone(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    create_linked_zone(fx, "x.mid.example.com.");
    long long parent = serial_of(fx, "example.com.");
    create_zone(fx, "mid.example.com.", "'ns1.dnsapi.test.', 'ns2.dnsapi.test.'", true);
    expect_rows_below(fx, "example.com.", "mid.example.com.",
                      "mid.example.com. NS ns1.dnsapi.test. true mid.example.com.,"
                      "mid.example.com. NS ns2.dnsapi.test. true mid.example.com.");
    expect_rows_below(fx, "mid.example.com.", "x.mid.example.com.",
                      "x.mid.example.com. NS ns1.dnsapi.test. true x.mid.example.com.,"
                      "x.mid.example.com. NS ns2.dnsapi.test. true x.mid.example.com.");
    assert_int_equal(serial_of(fx, "example.com."), parent + 1);

    delete_zone(fx, "mid.example.com.");
    expect_rows_below(fx, "example.com.", "mid.example.com.",
                      "x.mid.example.com. NS ns1.dnsapi.test. true x.mid.example.com.,"
                      "x.mid.example.com. NS ns2.dnsapi.test. true x.mid.example.com.");
    assert_int_equal(serial_of(fx, "example.com."), parent + 2);

    delete_zone(fx, "x.mid.example.com.");
    expect_rows_below(fx, "example.com.", "mid.example.com.", "");
    assert_int_equal(serial_of(fx, "example.com."), parent + 3);
    char *v = testroles_value(fx->as_owner, "SELECT count(*) FROM dnsapi_system_writes");
    assert_string_equal(v, "0");
    free(v);
}

/* With delegate false the parent is left as it is, and stays so when the
 * child's name servers change. */
static void test_zone_created_without_delegate_leaves_the_parent_alone(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    long long parent = serial_of(fx, "example.com.");
    create_zone(fx, "free.example.com.", "'ns1.dnsapi.test.', 'ns2.dnsapi.test.'", false);
    expect_rows_below(fx, "example.com.", "free.example.com.", "");
    assert_int_equal(serial_of(fx, "example.com."), parent);
    char *fid = zone_id(fx, "free.example.com.");
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT dnsapi_delegation_sync('%s')", fid);
    char *v = testroles_value(fx->as_serve, sql);
    assert_string_equal(v, "0");
    free(v);
    free(fid);
}

/* A credential limited to some zones cannot write a zone outside them
 * through the delegation either (DA003, nothing written); with delegate
 * false there is nothing to write. */
static void test_zone_limited_credential_cannot_write_the_parent_this_way(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    char sql[1024];
    const char *ns = "'ns1.dnsapi.test.', 'ns2.dnsapi.test.'";
    create_sql(sql, sizeof(sql), fx, "lim.example.com.", ns, true, "lim.example.com.");
    testroles_expect_refused(fx, fx->as_serve, sql, "DA003");
    create_sql(sql, sizeof(sql), fx, "lim.example.com.", ns, false, "lim.example.com.");
    testroles_exec_ok(fx->as_serve, sql);
    expect_rows_below(fx, "example.com.", "lim.example.com.", "");
}

/* A CNAME in the parent where the delegation would go is the account's
 * to resolve: the child's creation is refused (DA004), nothing written. */
static void test_cname_at_the_cut_in_the_parent_refuses_the_link(void **state)
{
    testroles_t *fx = testroles_or_skip(state);
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl) VALUES"
             " ('%s', '%s', 'alias.example.com.', 'CNAME', 'elsewhere.test.', 300)",
             fx->zone_id, fx->account_id);
    testroles_exec_ok(fx->as_serve, sql);
    create_sql(sql, sizeof(sql), fx, "alias.example.com.", "'ns1.dnsapi.test.', 'ns2.dnsapi.test.'",
               true, NULL);
    testroles_expect_refused(fx, fx->as_serve, sql, "DA004");
    expect_rows_below(fx, "example.com.", "alias.example.com.",
                      "alias.example.com. CNAME elsewhere.test. false -");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_child_zone_is_delegated_with_its_glue_in_one_step),
        cmocka_unit_test(test_serving_role_cannot_change_kept_records),
        cmocka_unit_test(test_hand_written_ns_at_the_cut_is_taken_over_and_ds_kept),
        cmocka_unit_test(test_delegation_moves_with_the_nearest_enclosing_zone),
        cmocka_unit_test(test_zone_created_without_delegate_leaves_the_parent_alone),
        cmocka_unit_test(test_zone_limited_credential_cannot_write_the_parent_this_way),
        cmocka_unit_test(test_cname_at_the_cut_in_the_parent_refuses_the_link),
    };
    return cmocka_run_group_tests(tests, testroles_group_setup, testroles_group_teardown);
}
