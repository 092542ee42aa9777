/*
 * test_name_sort_key.c - the database's name order (migration 0025) against
 * a real PostgreSQL: names with escapes sort in DNS canonical order, the
 * same order dns_name_compare gives, keys of names without escapes are
 * what the first migration gave (so no stored key changes), and record
 * lists use the index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "dns/dns.h"
#include "support/testdb.h"

/* Stored keys (dns_name_t.key), deliberately out of order. */
static const char *const NAMES[] = {
    "z.example.",
    "example.",
    "\\200.z.example.",
    "a.example.",
    "*.z.example.",
    "yljkjljk.a.example.",
    "\\001.z.example.",
    "zabc.a.example.",
    "z.a.example.",
    "a\\.b.example.",
    "b.example.",
    "a.b.example.",
    "\\000.example.",
    "\\000\\000.example.",
    "\\002.example.",
    "\\003.example.",
    "a-.example.",
    "a\\032b.example.",
    "0/26.example.",
    "\\255.example.",
    "office\\032printer._ipp._tcp.example.",
    "_ipp._tcp.example.",
    "a\\\\b.example.",
};
#define N_NAMES (sizeof(NAMES) / sizeof(NAMES[0]))

typedef struct {
    testdb_t db;
    PGconn *conn;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    if (testdb_create(&f->db, "sortkey", 1) != 0) {
        free(f);
        *state = NULL;
        return 0;
    }
    f->conn = testdb_connect(&f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (f != NULL) {
        PQfinish(f->conn);
        testdb_drop(&f->db);
        free(f);
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return dns_name_compare(*(const char *const *)a, *(const char *const *)b);
}

static void test_escaped_names_sort_in_canonical_order(void **state)
{
    fixture_t *f = *state;
    if (f == NULL) {
        skip();
    }
    const char *want[N_NAMES];
    memcpy(want, NAMES, sizeof(want));
    qsort(want, N_NAMES, sizeof(want[0]), cmp_names);

    /* the names as one text[] parameter, ordered by the database */
    char array[4096] = "{";
    for (size_t i = 0; i < N_NAMES; i++) {
        strcat(array, i > 0 ? ",\"" : "\"");
        for (const char *p = NAMES[i]; *p != '\0'; p++) {
            char c[3] = {*p, 0, 0};
            if (*p == '\\' || *p == '"') {
                c[0] = '\\';
                c[1] = *p;
            }
            strcat(array, c);
        }
        strcat(array, "\"");
    }
    strcat(array, "}");
    const char *params[] = {array};
    PGresult *res = PQexecParams(f->conn,
                                 "SELECT n FROM unnest($1::text[]) AS n "
                                 "ORDER BY dnsapi_name_sort_key(n) COLLATE \"C\"",
                                 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(res), N_NAMES);
    for (size_t i = 0; i < N_NAMES; i++) {
        if (strcmp(PQgetvalue(res, (int)i, 0), want[i]) != 0) {
            fail_msg("position %zu: database has %s, canonical order %s", i,
                     PQgetvalue(res, (int)i, 0), want[i]);
        }
    }
    PQclear(res);
}

static void test_keys_of_names_without_escapes_are_unchanged(void **state)
{
    fixture_t *f = *state;
    if (f == NULL) {
        skip();
    }
    /* the first migration's expression, written out */
    char *same = testdb_value(
        f->conn,
        "SELECT bool_and(dnsapi_name_sort_key(n) = "
        "(SELECT coalesce(string_agg(label, chr(1) ORDER BY i DESC), '') "
        "FROM unnest(string_to_array(rtrim(n, '.'), '.')) WITH ORDINALITY AS t(label, i))) "
        "FROM unnest(ARRAY['example.com.', 'www.example.com.', '*.w.example.com.', "
        "'_sip._tcp.example.com.', 'a-b.c.example.com.', '.', '0/26.example.com.']) AS n");
    assert_non_null(same);
    assert_string_equal(same, "t");
    free(same);
    char *root = testdb_value(f->conn, "SELECT dnsapi_name_sort_key('.') = ''");
    assert_string_equal(root, "t");
    free(root);
}

static void test_record_order_still_uses_the_index(void **state)
{
    fixture_t *f = *state;
    if (f == NULL) {
        skip();
    }
    assert_int_equal(testdb_exec(f->conn, "SET enable_seqscan = off", NULL), PGRES_COMMAND_OK);
    PGresult *res = PQexec(f->conn, "EXPLAIN SELECT id FROM records WHERE zone_id = "
                                    "gen_random_uuid() ORDER BY sort_key, type, content, id "
                                    "LIMIT 10");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    int found = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        found = found || strstr(PQgetvalue(res, i, 0), "records_order_idx") != NULL;
    }
    PQclear(res);
    assert_true(found);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaped_names_sort_in_canonical_order),
        cmocka_unit_test(test_keys_of_names_without_escapes_are_unchanged),
        cmocka_unit_test(test_record_order_still_uses_the_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
