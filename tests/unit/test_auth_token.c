/*
 * test_auth_token.c - minting and verifying bearer tokens.
 *
 * The bad tokens are forged with libjwt directly, the way an attacker would
 * make them: every one must be refused with DNSAPI_EAUTH and the code
 * "invalid_token".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jwt.h>

#include "api/auth.h"

#define NOW ((int64_t)1800000000)
#define ACCOUNT "0b6c4f7e-2f55-4a51-9d43-6a3c8e1f2a10"
#define TOKEN_ID "7d0e8a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b"

static const unsigned char key[] = "an HS256 test key of at least 32 bytes";
#define KEY_LEN (sizeof(key) - 1)
static const unsigned char other_key[] = "another HS256 key, also 32 bytes long";
#define OTHER_KEY_LEN (sizeof(other_key) - 1)

static void good_token(auth_token_t *tok)
{
    memset(tok, 0, sizeof(*tok));
    snprintf(tok->account_id, sizeof(tok->account_id), "%s", ACCOUNT);
    snprintf(tok->token_id, sizeof(tok->token_id), "%s", TOKEN_ID);
    tok->scopes = AUTH_SCOPE_ZONES_READ | AUTH_SCOPE_RECORDS_READ | AUTH_SCOPE_RECORDS_WRITE;
    snprintf(tok->zones[0], sizeof(tok->zones[0]), "example.com.");
    snprintf(tok->zones[1], sizeof(tok->zones[1]), "example.org.");
    tok->n_zones = 2;
    tok->expires_at = NOW + 3600;
}

/* Signs claims (a JSON object) with alg and k; returns a malloc'd token. */
static char *forge(jwt_alg_t alg, const unsigned char *k, size_t klen, const char *claims)
{
    jwt_t *jwt = NULL;
    assert_int_equal(jwt_new(&jwt), 0);
    assert_int_equal(jwt_add_grants_json(jwt, claims), 0);
    assert_int_equal(
        jwt_set_alg(jwt, alg, alg == JWT_ALG_NONE ? NULL : k, alg == JWT_ALG_NONE ? 0 : (int)klen),
        0);
    char *s = jwt_encode_str(jwt);
    jwt_free(jwt);
    assert_non_null(s);
    return s;
}

/* Claims with every field right, as the header documents them; exp and
 * the rest can be replaced by the caller through fmt. */
#define CLAIMS(exp)                                                                                \
    "{\"sub\":\"" ACCOUNT "\",\"jti\":\"" TOKEN_ID "\",\"scope\":\"zones:read records:read\","     \
    "\"iat\":1800000000,\"exp\":" exp "}"

static void expect_refused(const char *token, const char *why)
{
    auth_token_t out;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = auth_token_verify(token, NOW, key, KEY_LEN, &out, &err);
    if (rc != DNSAPI_EAUTH) {
        fail_msg("%s: expected DNSAPI_EAUTH, got %d", why, rc);
    }
    assert_string_equal(err.code, "invalid_token");
    assert_true(err.message[0] != '\0');
}

static void expect_accepted(const char *token, auth_token_t *out)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = auth_token_verify(token, NOW, key, KEY_LEN, out, &err);
    if (rc != DNSAPI_OK) {
        fail_msg("expected the token to verify, got %d: %s", rc, err.message);
    }
}

static void test_minted_token_round_trips_scopes_and_zones(void **state)
{
    (void)state;
    auth_token_t tok, out;
    good_token(&tok);
    char *s = auth_token_mint(&tok, NOW, key, KEY_LEN);
    assert_non_null(s);
    memset(&out, 0xAA, sizeof(out));
    expect_accepted(s, &out);
    assert_string_equal(out.account_id, ACCOUNT);
    assert_string_equal(out.token_id, TOKEN_ID);
    assert_int_equal(out.scopes, tok.scopes);
    assert_int_equal(out.n_zones, 2);
    assert_string_equal(out.zones[0], "example.com.");
    assert_string_equal(out.zones[1], "example.org.");
    assert_int_equal(out.expires_at, NOW + 3600);
    assert_true(auth_token_allows_zone(&out, "example.org."));
    assert_false(auth_token_allows_zone(&out, "example.net."));
    free(s);

    /* No zones: every zone of the account; every scope survives. */
    tok.n_zones = 0;
    tok.scopes = AUTH_SCOPE_ALL;
    s = auth_token_mint(&tok, NOW, key, KEY_LEN);
    assert_non_null(s);
    expect_accepted(s, &out);
    assert_int_equal(out.scopes, AUTH_SCOPE_ALL);
    assert_int_equal(out.n_zones, 0);
    assert_true(auth_token_allows_zone(&out, "anything.example."));
    free(s);
}

static void test_token_with_documented_claims_verifies(void **state)
{
    (void)state;
    char *s = forge(JWT_ALG_HS256, key, KEY_LEN,
                    "{\"sub\":\"" ACCOUNT "\",\"jti\":\"" TOKEN_ID "\","
                    "\"scope\":\"zones:read tokens:write\",\"zones\":\"example.com.\","
                    "\"iat\":1800000000,\"exp\":1800000600}");
    auth_token_t out;
    expect_accepted(s, &out);
    assert_int_equal(out.scopes, AUTH_SCOPE_ZONES_READ | AUTH_SCOPE_TOKENS_WRITE);
    assert_int_equal(out.n_zones, 1);
    assert_string_equal(out.zones[0], "example.com.");
    assert_int_equal(out.expires_at, 1800000600);
    free(s);
}

static void test_wrong_key_is_refused(void **state)
{
    (void)state;
    auth_token_t tok;
    good_token(&tok);
    char *s = auth_token_mint(&tok, NOW, other_key, OTHER_KEY_LEN);
    assert_non_null(s);
    expect_refused(s, "signed with another key");
    free(s);
}

static void test_empty_key_is_refused(void **state)
{
    (void)state;
    auth_token_t tok, out;
    dnsapi_err_t err;
    good_token(&tok);
    char *s = auth_token_mint(&tok, NOW, key, KEY_LEN);
    assert_non_null(s);
    assert_int_equal(auth_token_verify(s, NOW, key, 0, &out, &err), DNSAPI_EAUTH);
    assert_int_equal(auth_token_verify(s, NOW, NULL, 0, &out, &err), DNSAPI_EAUTH);
    free(s);
    assert_null(auth_token_mint(&tok, NOW, key, 0));
}

static void test_expired_token_is_refused_beyond_leeway(void **state)
{
    (void)state;
    auth_token_t tok, out;
    good_token(&tok);

    tok.expires_at = NOW - AUTH_LEEWAY_SECONDS - 1;
    char *s = auth_token_mint(&tok, NOW - 7200, key, KEY_LEN);
    assert_non_null(s);
    expect_refused(s, "expired 61 s ago");
    free(s);

    tok.expires_at = NOW - 86400;
    s = auth_token_mint(&tok, NOW - 90000, key, KEY_LEN);
    assert_non_null(s);
    expect_refused(s, "expired a day ago");
    free(s);

    /* Within the leeway the clock difference is forgiven. */
    tok.expires_at = NOW - AUTH_LEEWAY_SECONDS / 2;
    s = auth_token_mint(&tok, NOW - 7200, key, KEY_LEN);
    assert_non_null(s);
    expect_accepted(s, &out);
    free(s);
}

static void test_alg_none_is_refused(void **state)
{
    (void)state;
    char *s = forge(JWT_ALG_NONE, NULL, 0, CLAIMS("1800003600"));
    expect_refused(s, "alg none");

    /* alg none with a signature glued on from a real token. */
    auth_token_t tok;
    good_token(&tok);
    char *real = auth_token_mint(&tok, NOW, key, KEY_LEN);
    assert_non_null(real);
    const char *sig = strrchr(real, '.');
    size_t len = strlen(s);
    char *glued = malloc(len + strlen(sig) + 1);
    assert_non_null(glued);
    memcpy(glued, s, len);
    /* s ends with '.' (empty signature): replace it by real's '.sig'. */
    assert_int_equal(s[len - 1], '.');
    strcpy(glued + len - 1, sig);
    expect_refused(glued, "alg none with a signature");
    free(glued);
    free(s);
    free(real);
}

static void test_other_algorithms_are_refused(void **state)
{
    (void)state;
    char *s = forge(JWT_ALG_HS512, key, KEY_LEN, CLAIMS("1800003600"));
    expect_refused(s, "HS512 with the right key");
    free(s);
    s = forge(JWT_ALG_HS384, key, KEY_LEN, CLAIMS("1800003600"));
    expect_refused(s, "HS384 with the right key");
    free(s);
}

static void test_bad_exp_is_refused(void **state)
{
    (void)state;
    static const char *const exps[] = {"\"1800003600\"", "1800003600.5", "true", "null",
                                       "{\"t\":1800003600}"};
    for (size_t i = 0; i < sizeof(exps) / sizeof(exps[0]); i++) {
        char claims[512];
        snprintf(claims, sizeof(claims), CLAIMS("%s"), exps[i]);
        char *s = forge(JWT_ALG_HS256, key, KEY_LEN, claims);
        expect_refused(s, exps[i]);
        free(s);
    }
    char *s = forge(JWT_ALG_HS256, key, KEY_LEN,
                    "{\"sub\":\"" ACCOUNT "\",\"jti\":\"" TOKEN_ID "\","
                    "\"scope\":\"zones:read\",\"iat\":1800000000}");
    expect_refused(s, "no exp");
    free(s);
}

static void test_missing_or_bad_subject_is_refused(void **state)
{
    (void)state;
    char *s = forge(JWT_ALG_HS256, key, KEY_LEN,
                    "{\"jti\":\"" TOKEN_ID "\",\"scope\":\"zones:read\","
                    "\"iat\":1800000000,\"exp\":1800003600}");
    expect_refused(s, "no sub");
    free(s);
    s = forge(JWT_ALG_HS256, key, KEY_LEN,
              "{\"sub\":42,\"jti\":\"" TOKEN_ID "\",\"scope\":\"zones:read\","
              "\"iat\":1800000000,\"exp\":1800003600}");
    expect_refused(s, "integer sub");
    free(s);
    s = forge(JWT_ALG_HS256, key, KEY_LEN,
              "{\"sub\":\"" ACCOUNT "\",\"scope\":\"zones:read\","
              "\"iat\":1800000000,\"exp\":1800003600}");
    expect_refused(s, "no jti");
    free(s);
}

static void test_not_yet_valid_token_is_refused(void **state)
{
    (void)state;
    char *s = forge(JWT_ALG_HS256, key, KEY_LEN,
                    "{\"sub\":\"" ACCOUNT "\",\"jti\":\"" TOKEN_ID "\",\"scope\":\"zones:read\","
                    "\"iat\":1800000000,\"nbf\":1800003000,\"exp\":1800007200}");
    expect_refused(s, "nbf in the future");
    free(s);
    s = forge(JWT_ALG_HS256, key, KEY_LEN,
              "{\"sub\":\"" ACCOUNT "\",\"jti\":\"" TOKEN_ID "\",\"scope\":\"zones:read\","
              "\"iat\":1800003600,\"exp\":1800007200}");
    expect_refused(s, "iat in the future");
    free(s);
}

/* The time claims may be any signed 64-bit integer a signer chose; the
 * leeway arithmetic must not overflow at either end (UBSan aborts if it
 * does), and each extreme is judged like any other time. */
#define TIMES(iat, nbf, exp)                                                                       \
    "{\"sub\":\"" ACCOUNT "\",\"jti\":\"" TOKEN_ID "\",\"scope\":\"zones:read\","                  \
    "\"iat\":" iat ",\"nbf\":" nbf ",\"exp\":" exp "}"
#define I64_MAX "9223372036854775807"
#define I64_MIN "-9223372036854775808"

static void test_extreme_time_claims_do_not_overflow(void **state)
{
    (void)state;
    static const struct {
        const char *claims;
        bool accepted;
    } cases[] = {
        {TIMES("1800000000", "1800000000", I64_MAX), true},
        {TIMES("1800000000", I64_MIN, "1800003600"), true},
        {TIMES(I64_MIN, I64_MIN, I64_MAX), true},
        {TIMES("1800000000", "1800000000", I64_MIN), false},
        {TIMES("1800000000", I64_MAX, I64_MAX), false},
        {TIMES(I64_MAX, "1800000000", I64_MAX), false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *s = forge(JWT_ALG_HS256, key, KEY_LEN, cases[i].claims);
        auth_token_t out;
        if (cases[i].accepted) {
            expect_accepted(s, &out);
        } else {
            expect_refused(s, cases[i].claims);
        }
        free(s);
    }
    /* The same claims seen from the far ends of time. */
    char *s = forge(JWT_ALG_HS256, key, KEY_LEN, TIMES(I64_MIN, I64_MIN, I64_MAX));
    auth_token_t out;
    dnsapi_err_t err;
    assert_int_equal(auth_token_verify(s, INT64_MAX, key, KEY_LEN, &out, &err), DNSAPI_OK);
    assert_int_equal(auth_token_verify(s, INT64_MIN, key, KEY_LEN, &out, &err), DNSAPI_OK);
    free(s);
    s = forge(JWT_ALG_HS256, key, KEY_LEN, TIMES(I64_MAX, I64_MAX, I64_MIN));
    assert_int_equal(auth_token_verify(s, INT64_MAX, key, KEY_LEN, &out, &err), DNSAPI_EAUTH);
    assert_int_equal(auth_token_verify(s, INT64_MIN, key, KEY_LEN, &out, &err), DNSAPI_EAUTH);
    free(s);
}

/* base64url without padding, for building a tampered payload. */
static char *b64url(const char *in)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t len = strlen(in), o = 0;
    char *out = malloc(len * 4 / 3 + 4);
    assert_non_null(out);
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < len) {
            v |= (unsigned char)in[i + 1] << 8;
        }
        if (i + 2 < len) {
            v |= (unsigned char)in[i + 2];
        }
        out[o++] = abc[(v >> 18) & 63];
        out[o++] = abc[(v >> 12) & 63];
        if (i + 1 < len) {
            out[o++] = abc[(v >> 6) & 63];
        }
        if (i + 2 < len) {
            out[o++] = abc[v & 63];
        }
    }
    out[o] = '\0';
    return out;
}

static void test_tampered_payload_is_refused(void **state)
{
    (void)state;
    char *real = forge(JWT_ALG_HS256, key, KEY_LEN, CLAIMS("1800003600"));
    auth_token_t out;
    expect_accepted(real, &out);

    /* Same header and signature, a payload granting more. */
    char *payload = b64url("{\"sub\":\"" ACCOUNT "\",\"jti\":\"" TOKEN_ID "\","
                           "\"scope\":\"zones:read zones:write records:read records:write "
                           "tokens:write\",\"iat\":1800000000,\"exp\":1900000000}");
    const char *dot1 = strchr(real, '.');
    const char *dot2 = strrchr(real, '.');
    size_t hlen = (size_t)(dot1 - real) + 1;
    char *forged = malloc(hlen + strlen(payload) + strlen(dot2) + 1);
    assert_non_null(forged);
    memcpy(forged, real, hlen);
    strcpy(forged + hlen, payload);
    strcat(forged, dot2);
    expect_refused(forged, "tampered payload");

    /* One character changed in the signature. */
    char *flipped = strdup(real);
    assert_non_null(flipped);
    char *last = flipped + strlen(flipped) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    expect_refused(flipped, "changed signature");

    free(flipped);
    free(forged);
    free(payload);
    free(real);
}

static void test_garbage_is_refused(void **state)
{
    (void)state;
    static const char *const junk[] = {
        "", "abc", "a.b.c", "..", "Bearer x", "eyJhbGciOiJIUzI1NiJ9..", "eyJhbGciOiJIUzI1NiJ9.e30.",
    };
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        expect_refused(junk[i], junk[i]);
    }
}

static void test_scopes_parse_and_format(void **state)
{
    (void)state;
    unsigned bits = 0;
    dnsapi_err_t err;
    assert_int_equal(auth_scopes_parse("zones:read records:write", &bits, &err), DNSAPI_OK);
    assert_int_equal(bits, AUTH_SCOPE_ZONES_READ | AUTH_SCOPE_RECORDS_WRITE);
    assert_int_equal(auth_scopes_parse("zones:read zones:write records:read records:write "
                                       "tokens:write",
                                       &bits, &err),
                     DNSAPI_OK);
    assert_int_equal(bits, AUTH_SCOPE_ALL);
    assert_int_equal(auth_scopes_parse("zones:read admin", &bits, &err), DNSAPI_EINVAL);
    assert_string_equal(err.code, "bad_scope");
    assert_non_null(strstr(err.message, "admin"));

    char text[128];
    auth_scopes_format(AUTH_SCOPE_RECORDS_READ | AUTH_SCOPE_TOKENS_WRITE, text, sizeof(text));
    assert_string_equal(text, "records:read tokens:write");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minted_token_round_trips_scopes_and_zones),
        cmocka_unit_test(test_token_with_documented_claims_verifies),
        cmocka_unit_test(test_wrong_key_is_refused),
        cmocka_unit_test(test_empty_key_is_refused),
        cmocka_unit_test(test_expired_token_is_refused_beyond_leeway),
        cmocka_unit_test(test_alg_none_is_refused),
        cmocka_unit_test(test_other_algorithms_are_refused),
        cmocka_unit_test(test_bad_exp_is_refused),
        cmocka_unit_test(test_missing_or_bad_subject_is_refused),
        cmocka_unit_test(test_not_yet_valid_token_is_refused),
        cmocka_unit_test(test_extreme_time_claims_do_not_overflow),
        cmocka_unit_test(test_tampered_payload_is_refused),
        cmocka_unit_test(test_garbage_is_refused),
        cmocka_unit_test(test_scopes_parse_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
