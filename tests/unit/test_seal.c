/* Unit tests for common/seal.c: AES-256-GCM sealing of stored secrets,
 * with the key from DNSAPI_SECRETS_KEY or HKDF over the JWT secret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/seal.h"

#define JWT "0123456789abcdef0123456789abcdef-jwt-secret"
#define SECRETS_KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" /* bytes 0..31 */

static const uint8_t SECRET[] = "a TSIG secret of 32 bytes.......";
static const char *AAD = "tsig_keys:acme:update-key.example.com.";

static void test_sealed_secret_opens_with_the_same_key_and_row(void **state)
{
    seal_key_t k;
    dnsapi_err_t err;
    char sealed[SEAL_TEXT_SIZE(32)];
    uint8_t out[64];
    size_t n;
    assert_int_equal(seal_key_init(&k, NULL, JWT, &err), DNSAPI_OK);
    assert_int_equal(seal_encrypt(&k, SECRET, 32, AAD, sealed, sizeof(sealed), &err), DNSAPI_OK);
    assert_memory_equal(sealed, "dnsapi-seal:1:", 14);
    assert_null(strstr(sealed, "TSIG")); /* no plain text inside */
    assert_int_equal(seal_decrypt(&k, sealed, AAD, out, sizeof(out), &n, &err), DNSAPI_OK);
    assert_int_equal(n, 32);
    assert_memory_equal(out, SECRET, 32);
    /* Derivation is stable: another process with the same JWT secret opens it. */
    seal_key_t again;
    assert_int_equal(seal_key_init(&again, "", JWT, &err), DNSAPI_OK);
    assert_string_equal(again.id, k.id);
    assert_int_equal(seal_decrypt(&again, sealed, AAD, out, sizeof(out), &n, &err), DNSAPI_OK);
    /* A fresh nonce per seal. */
    char sealed2[SEAL_TEXT_SIZE(32)];
    assert_int_equal(seal_encrypt(&k, SECRET, 32, AAD, sealed2, sizeof(sealed2), &err), DNSAPI_OK);
    assert_string_not_equal(sealed, sealed2);
    seal_key_clear(&k);
}

static void test_sealed_secret_does_not_open_elsewhere(void **state)
{
    seal_key_t k, other, explicit_key;
    dnsapi_err_t err;
    char sealed[SEAL_TEXT_SIZE(32)];
    uint8_t out[64];
    size_t n;
    assert_int_equal(seal_key_init(&k, NULL, JWT, &err), DNSAPI_OK);
    assert_int_equal(seal_key_init(&other, NULL, JWT "-rotated", &err), DNSAPI_OK);
    assert_int_equal(seal_key_init(&explicit_key, SECRETS_KEY, JWT, &err), DNSAPI_OK);
    assert_string_not_equal(k.id, explicit_key.id); /* DNSAPI_SECRETS_KEY wins over the JWT */
    assert_int_equal(seal_encrypt(&k, SECRET, 32, AAD, sealed, sizeof(sealed), &err), DNSAPI_OK);
    /* another row */
    assert_int_equal(seal_decrypt(&k, sealed, "tsig_keys:acme:other.", out, sizeof(out), &n, &err),
                     DNSAPI_EAUTH);
    assert_string_equal(err.code, "bad_sealed_secret");
    /* another key */
    assert_int_equal(seal_decrypt(&other, sealed, AAD, out, sizeof(out), &n, &err), DNSAPI_EAUTH);
    assert_string_equal(err.code, "wrong_sealing_key");
    /* altered ciphertext */
    size_t len = strlen(sealed);
    sealed[len - 5] = sealed[len - 5] == 'A' ? 'B' : 'A';
    assert_int_equal(seal_decrypt(&k, sealed, AAD, out, sizeof(out), &n, &err), DNSAPI_EAUTH);
    assert_int_equal(n, 0);
    /* not sealed text */
    assert_int_equal(seal_decrypt(&k, "c2VjcmV0", AAD, out, sizeof(out), &n, &err), DNSAPI_EINVAL);
    assert_int_equal(seal_decrypt(&k, "dnsapi-seal:1:", AAD, out, sizeof(out), &n, &err),
                     DNSAPI_EINVAL);
}

static void test_sealing_key_settings(void **state)
{
    seal_key_t k;
    dnsapi_err_t err;
    assert_int_equal(seal_key_init(&k, "c2hvcnQ=", JWT, &err), DNSAPI_ECONFIG);
    assert_string_equal(err.field, "DNSAPI_SECRETS_KEY");
    assert_int_equal(seal_key_init(&k, NULL, "too short", &err), DNSAPI_ECONFIG);
    assert_int_equal(seal_key_init(&k, NULL, NULL, &err), DNSAPI_ECONFIG);
    assert_int_equal(seal_key_init(&k, SECRETS_KEY, NULL, &err), DNSAPI_OK);
    char small[16];
    assert_int_equal(seal_encrypt(&k, SECRET, 32, AAD, small, sizeof(small), &err), DNSAPI_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed_secret_opens_with_the_same_key_and_row),
        cmocka_unit_test(test_sealed_secret_does_not_open_elsewhere),
        cmocka_unit_test(test_sealing_key_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
