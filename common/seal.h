/*
 * seal.h - sealing secrets that must be stored but never readable from a
 * database dump alone: TSIG secrets (tsig_keys.secret_sealed).
 *
 * AES-256-GCM with a random 96-bit nonce per seal and associated data
 * binding the sealed value to its row (e.g. "tsig_keys:<account id>:<key
 * name>"), so a sealed secret copied into another row does not open.
 *
 * The sealing key (our choice): DNSAPI_SECRETS_KEY, base64 of exactly 32
 * random bytes, when it is set - it can then be kept apart from the JWT
 * secret (another vault path, another rotation). When it is not set, the
 * key is derived from DNSAPI_JWT_SECRET with HKDF-SHA256 (RFC 5869; salt
 * "dnsapi seal v1", info "tsig secrets"), which the server already needs
 * and which never lives in the database. Either way a dump of the database
 * holds only ciphertext. Changing the key source makes existing sealed
 * values unreadable: the sealed text carries a key id (the first 4 bytes
 * of SHA-256 over the key, in hex) so that the failure says so.
 *
 * Sealed text: "dnsapi-seal:1:<key id>:<base64 of nonce || ciphertext ||
 * tag>", plain ASCII for a text column.
 */
#ifndef DNSAPI_COMMON_SEAL_H
#define DNSAPI_COMMON_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define SEAL_KEY_LEN 32
#define SEAL_PLAIN_MAX 1024
/* Text size of a sealed value of n bytes, with the NUL. */
#define SEAL_TEXT_SIZE(n) (14 + 8 + 1 + (((12 + (n) + 16) + 2) / 3) * 4 + 1)

typedef struct {
    uint8_t key[SEAL_KEY_LEN];
    char id[9]; /* hex key id */
} seal_key_t;

/* Sets up k from secrets_key (DNSAPI_SECRETS_KEY: base64 of 32 bytes) when
 * it is not NULL or empty, else from jwt_secret (at least 32 bytes) by
 * HKDF. DNSAPI_ECONFIG with err when neither is usable. */
int seal_key_init(seal_key_t *k, const char *secrets_key, const char *jwt_secret,
                  dnsapi_err_t *err);

/* Wipes k. */
void seal_key_clear(seal_key_t *k);

/* Seals plain[0..n) (n <= SEAL_PLAIN_MAX) bound to aad (a NUL-terminated
 * context string, may be "") into out (SEAL_TEXT_SIZE(n) bytes).
 * DNSAPI_EINVAL when it does not fit, DNSAPI_EINTERNAL on a crypto failure. */
int seal_encrypt(const seal_key_t *k, const uint8_t *plain, size_t n, const char *aad, char *out,
                 size_t outlen, dnsapi_err_t *err);

/* Opens a sealed text made with the same key and aad into out (outlen
 * bytes), setting *n. DNSAPI_EAUTH when it was sealed with another key, for
 * another aad, or altered; DNSAPI_EINVAL when it is not sealed text. */
int seal_decrypt(const seal_key_t *k, const char *sealed, const char *aad, uint8_t *out,
                 size_t outlen, size_t *n, dnsapi_err_t *err);

#endif
