/*
 * seal.c - AES-256-GCM sealing with a key from DNSAPI_SECRETS_KEY or HKDF
 * over the JWT secret (see seal.h).
 */
#include "common/seal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "common/base64.h"

#define PREFIX "dnsapi-seal:1:"
#define NONCE_LEN 12
#define TAG_LEN 16

static void key_id(seal_key_t *k)
{
    uint8_t d[32];
    unsigned int n = 0;
    if (EVP_Digest(k->key, SEAL_KEY_LEN, d, &n, EVP_sha256(), NULL) != 1) {
        memset(d, 0, sizeof(d));
    }
    snprintf(k->id, sizeof(k->id), "%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
}

static int hkdf(const char *secret, uint8_t *out)
{
    static char salt[] = "dnsapi seal v1";
    static char info[] = "tsig secrets";
    int rc = DNSAPI_EINTERNAL;
    char digest[] = "SHA256";
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    if (ctx != NULL) {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, strlen(secret)),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, strlen(salt)),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, strlen(info)),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_KDF_derive(ctx, out, SEAL_KEY_LEN, params) == 1) {
            rc = DNSAPI_OK;
        }
    }
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rc;
}

int seal_key_init(seal_key_t *k, const char *secrets_key, const char *jwt_secret, dnsapi_err_t *err)
{
    memset(k, 0, sizeof(*k));
    if (secrets_key != NULL && secrets_key[0] != '\0') {
        uint8_t buf[SEAL_KEY_LEN + 3];
        long n = base64_decode(secrets_key, buf, sizeof(buf));
        if (n != SEAL_KEY_LEN) {
            OPENSSL_cleanse(buf, sizeof(buf));
            return dnsapi_err_set(err, DNSAPI_ECONFIG, "bad_secrets_key", "DNSAPI_SECRETS_KEY",
                                  "DNSAPI_SECRETS_KEY must be base64 of exactly 32 bytes, e.g. "
                                  "from: openssl rand -base64 32");
        }
        memcpy(k->key, buf, SEAL_KEY_LEN);
        OPENSSL_cleanse(buf, sizeof(buf));
    } else {
        if (jwt_secret == NULL || strlen(jwt_secret) < 32) {
            return dnsapi_err_set(err, DNSAPI_ECONFIG, "bad_secrets_key", "DNSAPI_JWT_SECRET",
                                  "Sealing TSIG secrets needs DNSAPI_SECRETS_KEY or a "
                                  "DNSAPI_JWT_SECRET of at least 32 bytes.");
        }
        if (hkdf(jwt_secret, k->key) != DNSAPI_OK) {
            return dnsapi_err_set(err, DNSAPI_EINTERNAL, "internal", NULL,
                                  "HKDF failed in OpenSSL.");
        }
    }
    key_id(k);
    return DNSAPI_OK;
}

void seal_key_clear(seal_key_t *k)
{
    OPENSSL_cleanse(k, sizeof(*k));
}

/* One AES-256-GCM pass: encrypts (enc) or decrypts in[0..n) into out,
 * with the tag written to or checked against tag. */
static int gcm(const seal_key_t *k, bool enc, const uint8_t *nonce, const char *aad,
               const uint8_t *in, size_t n, uint8_t *out, uint8_t *tag)
{
    int rc = DNSAPI_EINTERNAL;
    int len = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return DNSAPI_ENOMEM;
    }
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc ? 1 : 0) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(ctx, NULL, NULL, k->key, nonce, enc ? 1 : 0) != 1 ||
        EVP_CipherUpdate(ctx, NULL, &len, (const uint8_t *)aad, (int)strlen(aad)) != 1 ||
        (n > 0 && EVP_CipherUpdate(ctx, out, &len, in, (int)n) != 1)) {
        goto done;
    }
    if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1) {
        goto done;
    }
    if (EVP_CipherFinal_ex(ctx, out + (n > 0 ? (size_t)len : 0), &len) != 1) {
        rc = enc ? DNSAPI_EINTERNAL : DNSAPI_EAUTH;
        goto done;
    }
    if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1) {
        goto done;
    }
    rc = DNSAPI_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int seal_encrypt(const seal_key_t *k, const uint8_t *plain, size_t n, const char *aad, char *out,
                 size_t outlen, dnsapi_err_t *err)
{
    uint8_t blob[NONCE_LEN + SEAL_PLAIN_MAX + TAG_LEN];

    if (n > SEAL_PLAIN_MAX || outlen < SEAL_TEXT_SIZE(n)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "internal", NULL,
                              "The secret is too long to seal.");
    }
    if (RAND_bytes(blob, NONCE_LEN) != 1) {
        return dnsapi_err_set(err, DNSAPI_EINTERNAL, "internal", NULL,
                              "The random generator failed.");
    }
    int rc = gcm(k, true, blob, aad, plain, n, blob + NONCE_LEN, blob + NONCE_LEN + n);
    if (rc != DNSAPI_OK) {
        OPENSSL_cleanse(blob, sizeof(blob));
        return dnsapi_err_set(err, rc, "internal", NULL, "AES-GCM failed in OpenSSL.");
    }
    int p = snprintf(out, outlen, PREFIX "%s:", k->id);
    base64_encode(blob, NONCE_LEN + n + TAG_LEN, out + p, outlen - (size_t)p);
    OPENSSL_cleanse(blob, sizeof(blob));
    return DNSAPI_OK;
}

int seal_decrypt(const seal_key_t *k, const char *sealed, const char *aad, uint8_t *out,
                 size_t outlen, size_t *n, dnsapi_err_t *err)
{
    uint8_t blob[NONCE_LEN + SEAL_PLAIN_MAX + TAG_LEN + 3];
    size_t plen = strlen(PREFIX);

    *n = 0;
    if (sealed == NULL || strncmp(sealed, PREFIX, plen) != 0 || strlen(sealed) < plen + 9 ||
        sealed[plen + 8] != ':') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_sealed_secret", NULL,
                              "The stored secret is not sealed text.");
    }
    if (strncmp(sealed + plen, k->id, 8) != 0) {
        return dnsapi_err_set(err, DNSAPI_EAUTH, "wrong_sealing_key", NULL,
                              "The stored secret was sealed with another key (id %.8s, this "
                              "server's is %s): DNSAPI_SECRETS_KEY or DNSAPI_JWT_SECRET changed.",
                              sealed + plen, k->id);
    }
    long len = base64_decode(sealed + plen + 9, blob, sizeof(blob));
    if (len < NONCE_LEN + TAG_LEN) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_sealed_secret", NULL,
                              "The stored secret is not sealed text.");
    }
    size_t clen = (size_t)len - NONCE_LEN - TAG_LEN;
    if (clen > outlen) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_sealed_secret", NULL,
                              "The sealed secret is longer than expected.");
    }
    int rc = gcm(k, false, blob, aad, blob + NONCE_LEN, clen, out, blob + NONCE_LEN + clen);
    OPENSSL_cleanse(blob, sizeof(blob));
    if (rc != DNSAPI_OK) {
        OPENSSL_cleanse(out, outlen);
        return dnsapi_err_set(err, DNSAPI_EAUTH, "bad_sealed_secret", NULL,
                              "The sealed secret does not open: altered, or sealed for another "
                              "row.");
    }
    *n = clen;
    return DNSAPI_OK;
}
