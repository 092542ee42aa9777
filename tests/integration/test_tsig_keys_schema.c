/*
 * test_tsig_keys_schema.c - migrations 0020 and 0021 against a real
 * PostgreSQL: the tsig_keys table holds only sealed secrets, its rules
 * refuse what they should (and leave the table as it was), and policies
 * on tokens and TSIG keys are checked for shape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/base64.h"
#include "common/seal.h"
#include "support/testdb.h"

#define JWT "integration-test-jwt-secret-of-enough-length"

typedef struct {
    testdb_t db;
    PGconn *conn;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return -1;
    }
    *state = f;
    if (testdb_create(&f->db, "tsigkeys", 1) != 0) {
        return 0;
    }
    f->conn = testdb_connect(&f->db);
    assert_int_equal(testdb_exec(f->conn, "INSERT INTO accounts (name) VALUES ('acme')", NULL),
                     PGRES_COMMAND_OK);
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (f->conn != NULL) {
        PQfinish(f->conn);
        testdb_drop(&f->db);
    }
    free(f);
    return 0;
}

static fixture_t *fixture_or_skip(void **state)
{
    fixture_t *f = *state;
    if (f->conn == NULL) {
        skip();
    }
    return f;
}

static long count(PGconn *c, const char *sql)
{
    char *v = testdb_value(c, sql);
    assert_non_null(v);
    long n = strtol(v, NULL, 10);
    free(v);
    return n;
}

/* Inserts a key; returns the SQLSTATE ("" on success). */
static void insert_key(PGconn *c, const char *name, const char *alg, const char *sealed,
                       const char *policies, char *sqlstate)
{
    char sql[2048];
    snprintf(sql, sizeof(sql),
             "INSERT INTO tsig_keys (account_id, name, algorithm, secret_sealed, scopes, "
             "policies, expires_at) SELECT id, '%s', '%s', '%s', '{records:write}', %s, "
             "now() + interval '1 day' FROM accounts WHERE name = 'acme'",
             name, alg, sealed, policies);
    testdb_exec(c, sql, sqlstate);
}

static void seal_secret(const uint8_t *secret, size_t n, const char *aad, char *out, size_t outlen)
{
    seal_key_t k;
    dnsapi_err_t err;
    assert_int_equal(seal_key_init(&k, NULL, JWT, &err), DNSAPI_OK);
    assert_int_equal(seal_encrypt(&k, secret, n, aad, out, outlen, &err), DNSAPI_OK);
    seal_key_clear(&k);
}

static void test_a_sealed_key_is_stored_and_opens_again(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    uint8_t secret[32];
    char b64[64], sealed[SEAL_TEXT_SIZE(32)], sqlstate[6];
    for (int i = 0; i < 32; i++) {
        secret[i] = (uint8_t)(0xa0 + i);
    }
    base64_encode(secret, sizeof(secret), b64, sizeof(b64));
    seal_secret(secret, sizeof(secret), "tsig_keys:acme:k1.", sealed, sizeof(sealed));
    insert_key(f->conn, "k1.", "hmac-sha256", sealed,
               "'[{\"zone\":\"example.com.\",\"name\":\"_acme-challenge.**\",\"type\":\"TXT\","
               "\"write\":true}]'",
               sqlstate);
    assert_string_equal(sqlstate, "");
    /* What a dump holds: not the secret in any form. */
    char *stored = testdb_value(f->conn, "SELECT secret_sealed FROM tsig_keys WHERE name = 'k1.'");
    assert_non_null(stored);
    assert_null(strstr(stored, b64));
    seal_key_t k;
    dnsapi_err_t err;
    uint8_t out[64];
    size_t n;
    assert_int_equal(seal_key_init(&k, NULL, JWT, &err), DNSAPI_OK);
    assert_int_equal(seal_decrypt(&k, stored, "tsig_keys:acme:k1.", out, sizeof(out), &n, &err),
                     DNSAPI_OK);
    assert_int_equal(n, 32);
    assert_memory_equal(out, secret, 32);
    free(stored);
    /* Names are unique across accounts: the same name again is 23505. */
    insert_key(f->conn, "k1.", "hmac-sha256", sealed, "NULL", sqlstate);
    assert_string_equal(sqlstate, "23505");
    assert_int_equal(count(f->conn, "SELECT count(*) FROM tsig_keys"), 1);
}

static void test_rules_refuse_and_change_nothing(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    uint8_t secret[32] = {1};
    char sealed[SEAL_TEXT_SIZE(32)], sqlstate[6];
    seal_secret(secret, sizeof(secret), "x", sealed, sizeof(sealed));
    struct {
        const char *name, *alg, *sealed, *policies;
    } bad[] = {
        {"k2.", "hmac-md5", sealed, "NULL"},                            /* algorithm */
        {"K2.", "hmac-sha256", sealed, "NULL"},                         /* name not lowercase */
        {"k2", "hmac-sha256", sealed, "NULL"},                          /* name not absolute */
        {"k2.", "hmac-sha256", "c2VjcmV0IGluIHRoZSBjbGVhcg==", "NULL"}, /* not sealed */
        {"k2.", "hmac-sha256", sealed, "'{}'"},                         /* policies not an array */
        {"k2.", "hmac-sha256", sealed, "'[{\"zone\":\"a.\"}]'"},        /* write missing */
        {"k2.", "hmac-sha256", sealed, "'[{\"write\":\"yes\"}]'"},      /* write not a boolean */
        {"k2.", "hmac-sha256", sealed, "'[{\"write\":true,\"name\":1}]'"},
        {"k2.", "hmac-sha256", sealed, "'[{\"write\":true,\"owner\":\"x\"}]'"}, /* unknown key */
        {"k2.", "hmac-sha256", sealed, "'[1]'"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        insert_key(f->conn, bad[i].name, bad[i].alg, bad[i].sealed, bad[i].policies, sqlstate);
        if (strcmp(sqlstate, "23514") != 0) {
            fail_msg("case %zu: SQLSTATE %s, expected 23514", i, sqlstate);
        }
    }
    assert_int_equal(count(f->conn, "SELECT count(*) FROM tsig_keys"), 0);
    insert_key(f->conn, "k2.", "hmac-sha512", sealed, "'[]'", sqlstate);
    assert_string_equal(sqlstate, "");
}

static void test_tokens_carry_policies_of_the_same_shape(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    char sqlstate[6];
#define TOKEN_INSERT(policies)                                                                     \
    "INSERT INTO tokens (account_id, scopes, expires_at, policies) "                               \
    "SELECT id, '{records:write}', now() + interval '1 day', '" policies "' "                      \
    "FROM accounts WHERE name = 'acme'"
    testdb_exec(f->conn, TOKEN_INSERT("[{\"type\":\"TXT\",\"write\":true}]"), sqlstate);
    assert_string_equal(sqlstate, "");
    testdb_exec(f->conn, TOKEN_INSERT("[{\"type\":\"TXT\"}]"), sqlstate);
    assert_string_equal(sqlstate, "23514");
    assert_int_equal(count(f->conn, "SELECT count(*) FROM tokens"), 1);
    assert_int_equal(count(f->conn, "SELECT count(*) FROM tokens WHERE policies IS NULL"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_sealed_key_is_stored_and_opens_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rules_refuse_and_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_carry_policies_of_the_same_shape, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
