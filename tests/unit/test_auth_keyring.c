/*
 * test_auth_keyring.c - key ids and key rotation: a token names the key
 * that signed it (kid), the ring verifies with the signing key and the
 * previous ones, a kid picks one key, tokens without kid try each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jwt.h>
#include <openssl/evp.h>

#include "api/auth.h"

#define NOW ((int64_t)1800000000)
#define ACCOUNT "0b6c4f7e-2f55-4a51-9d43-6a3c8e1f2a10"
#define TOKEN_ID "7d0e8a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b"
#define KEY_A "key A: an HS256 test key of at least 32 bytes"
#define KEY_B "key B: the key that replaced key A, 32+ bytes"
#define KEY_C "key C: a key this server has never been given"

static void config_with(dnsapi_config_t *cfg, const char *secret, const char *previous)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->jwt_secret, sizeof(cfg->jwt_secret), "%s", secret);
    cfg->jwt_secret_len = strlen(secret);
    if (previous != NULL) {
        snprintf(cfg->jwt_previous[0].secret, sizeof(cfg->jwt_previous[0].secret), "%s", previous);
        cfg->jwt_previous[0].len = strlen(previous);
        cfg->n_jwt_previous = 1;
    }
}

static char *mint(const char *key)
{
    auth_token_t tok;
    memset(&tok, 0, sizeof(tok));
    snprintf(tok.account_id, sizeof(tok.account_id), "%s", ACCOUNT);
    snprintf(tok.token_id, sizeof(tok.token_id), "%s", TOKEN_ID);
    tok.scopes = AUTH_SCOPE_ZONES_READ;
    tok.expires_at = NOW + 3600;
    char *s = auth_token_mint(&tok, NOW, (const unsigned char *)key, strlen(key));
    assert_non_null(s);
    return s;
}

/* A token without kid, the way tokens were minted before key ids. */
static char *mint_legacy(const char *key)
{
    jwt_t *jwt = NULL;
    assert_int_equal(jwt_new(&jwt), 0);
    assert_int_equal(jwt_add_grants_json(jwt, "{\"sub\":\"" ACCOUNT "\",\"jti\":\"" TOKEN_ID
                                              "\",\"scope\":\"zones:read\",\"iat\":1800000000,"
                                              "\"exp\":1800003600}"),
                     0);
    assert_int_equal(jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key, (int)strlen(key)),
                     0);
    char *s = jwt_encode_str(jwt);
    jwt_free(jwt);
    assert_non_null(s);
    return s;
}

static int verify(const auth_keyring_t *ring, const char *token, auth_token_t *out,
                  dnsapi_err_t *err)
{
    dnsapi_err_clear(err);
    return auth_token_verify_ring(token, NOW, ring, out, err);
}

static void kid_of(const char *key, char *out)
{
    auth_key_id((const unsigned char *)key, strlen(key), out);
}

static void test_key_ids_are_stable_and_distinct(void **state)
{
    (void)state;
    char a1[AUTH_KID_SIZE], a2[AUTH_KID_SIZE], b[AUTH_KID_SIZE];
    kid_of(KEY_A, a1);
    kid_of(KEY_A, a2);
    kid_of(KEY_B, b);
    assert_int_equal(strlen(a1), 16);
    assert_string_equal(a1, a2);
    assert_string_not_equal(a1, b);
    assert_null(strstr(a1, "key"));
}

static void test_minted_tokens_name_their_key(void **state)
{
    (void)state;
    char *s = mint(KEY_A);
    jwt_t *jwt = NULL;
    assert_int_equal(jwt_decode(&jwt, s, (const unsigned char *)KEY_A, (int)strlen(KEY_A)), 0);
    char kid[AUTH_KID_SIZE];
    kid_of(KEY_A, kid);
    assert_string_equal(jwt_get_header(jwt, "kid"), kid);
    assert_string_equal(jwt_get_header(jwt, "alg"), "HS256");
    jwt_free(jwt);
    free(s);
}

static void test_previous_key_still_verifies(void **state)
{
    (void)state;
    dnsapi_config_t cfg;
    auth_keyring_t ring;
    auth_token_t out;
    dnsapi_err_t err;
    config_with(&cfg, KEY_B, KEY_A);
    auth_keyring_init(&ring, &cfg);
    assert_int_equal(ring.n, 2);
    char *old = mint(KEY_A), *cur = mint(KEY_B);
    assert_int_equal(verify(&ring, old, &out, &err), DNSAPI_OK);
    assert_string_equal(out.kid, ring.keys[1].kid);
    assert_string_equal(out.token_id, TOKEN_ID);
    assert_int_equal(out.issued_at, NOW);
    assert_int_equal(verify(&ring, cur, &out, &err), DNSAPI_OK);
    assert_string_equal(out.kid, ring.keys[0].kid);
    /* once A is dropped its tokens are refused, naming the key id */
    config_with(&cfg, KEY_B, NULL);
    auth_keyring_init(&ring, &cfg);
    assert_int_equal(verify(&ring, old, &out, &err), DNSAPI_EAUTH);
    assert_string_equal(err.code, "invalid_token");
    assert_non_null(strstr(err.message, "no longer accepts"));
    assert_int_equal(verify(&ring, cur, &out, &err), DNSAPI_OK);
    free(old);
    free(cur);
}

static void test_tokens_without_kid_try_each_key(void **state)
{
    (void)state;
    dnsapi_config_t cfg;
    auth_keyring_t ring;
    auth_token_t out;
    dnsapi_err_t err;
    config_with(&cfg, KEY_B, KEY_A);
    auth_keyring_init(&ring, &cfg);
    char *a = mint_legacy(KEY_A), *b = mint_legacy(KEY_B), *c = mint_legacy(KEY_C);
    assert_int_equal(verify(&ring, a, &out, &err), DNSAPI_OK);
    assert_int_equal(verify(&ring, b, &out, &err), DNSAPI_OK);
    assert_int_equal(verify(&ring, c, &out, &err), DNSAPI_EAUTH);
    assert_string_equal(err.code, "invalid_token");
    free(a);
    free(b);
    free(c);
}

static void test_a_kid_picks_one_key_only(void **state)
{
    (void)state;
    dnsapi_config_t cfg;
    auth_keyring_t ring;
    auth_token_t out;
    dnsapi_err_t err;
    config_with(&cfg, KEY_B, KEY_A);
    auth_keyring_init(&ring, &cfg);
    /* signed with C but claiming to be B's: B's key is tried, and fails */
    char *c = mint(KEY_C);
    char kid_b[AUTH_KID_SIZE], kid_c[AUTH_KID_SIZE];
    kid_of(KEY_B, kid_b);
    kid_of(KEY_C, kid_c);
    /* the kid sits in the base64url header; rebuild the header with B's kid */
    char header[128], b64[256];
    snprintf(header, sizeof(header), "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid_b);
    int n =
        EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)header, (int)strlen(header));
    while (n > 0 && b64[n - 1] == '=') {
        b64[--n] = '\0';
    }
    for (int i = 0; i < n; i++) {
        b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    }
    const char *rest = strchr(c, '.');
    char *tok = malloc(strlen(b64) + strlen(rest) + 1);
    sprintf(tok, "%s%s", b64, rest);
    assert_int_equal(verify(&ring, tok, &out, &err), DNSAPI_EAUTH);
    assert_string_equal(err.code, "invalid_token");
    /* and C's own kid is unknown here */
    assert_int_equal(verify(&ring, c, &out, &err), DNSAPI_EAUTH);
    assert_non_null(strstr(err.message, kid_c));
    free(tok);
    free(c);
}

static void test_installed_ring_serves_single_key_callers(void **state)
{
    (void)state;
    dnsapi_config_t cfg;
    auth_keyring_t ring;
    auth_token_t out;
    dnsapi_err_t err;
    config_with(&cfg, KEY_B, KEY_A);
    auth_keyring_init(&ring, &cfg);
    char *old = mint(KEY_A);
    /* without the ring, the signing key alone refuses A's token */
    assert_int_equal(
        auth_token_verify(old, NOW, (const unsigned char *)KEY_B, strlen(KEY_B), &out, &err),
        DNSAPI_EAUTH);
    auth_keyring_install(&ring);
    assert_int_equal(
        auth_token_verify(old, NOW, (const unsigned char *)KEY_B, strlen(KEY_B), &out, &err),
        DNSAPI_OK);
    /* another key than the ring's signing key is not taken as the ring */
    assert_int_equal(
        auth_token_verify(old, NOW, (const unsigned char *)KEY_C, strlen(KEY_C), &out, &err),
        DNSAPI_EAUTH);
    auth_keyring_install(NULL);
    free(old);
}

static void test_unreadable_headers_are_refused(void **state)
{
    (void)state;
    dnsapi_config_t cfg;
    auth_keyring_t ring;
    auth_token_t out;
    dnsapi_err_t err;
    config_with(&cfg, KEY_A, NULL);
    auth_keyring_init(&ring, &cfg);
    static const char *const junk[] = {"",    ".",         "!!!.e30.x",
                                       "e30", "W10.e30.x", "eyJraWQiOjF9.e30.x" /* kid: 1 */};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        assert_int_equal(verify(&ring, junk[i], &out, &err), DNSAPI_EAUTH);
        assert_string_equal(err.code, "invalid_token");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_ids_are_stable_and_distinct),
        cmocka_unit_test(test_minted_tokens_name_their_key),
        cmocka_unit_test(test_previous_key_still_verifies),
        cmocka_unit_test(test_tokens_without_kid_try_each_key),
        cmocka_unit_test(test_a_kid_picks_one_key_only),
        cmocka_unit_test(test_installed_ring_serves_single_key_callers),
        cmocka_unit_test(test_unreadable_headers_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
