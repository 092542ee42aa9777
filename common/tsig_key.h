/*
 * tsig_key.h - the TSIG key that zonegen gives the name servers for zone
 * transfers and NOTIFY (DNSAPI_TSIG_KEY_FILE), read from a file in any of
 * the forms the usual tools print:
 *
 *   tsig-keygen (BIND):  key "xfr-key" { algorithm hmac-sha256; secret "B64"; };
 *   keymgr -t (Knot):    key:\n  - id: xfr-key\n    algorithm: hmac-sha256\n    secret: B64
 *   kdig -y / one line:  hmac-sha256:xfr-key:B64
 *
 * Only hmac-sha256 is accepted: the one algorithm NSD, Knot and BIND all
 * support that RFC 8945 recommends.
 */
#ifndef DNSAPI_COMMON_TSIG_KEY_H
#define DNSAPI_COMMON_TSIG_KEY_H

#include <stddef.h>

typedef struct {
    char name[256];     /* lowercase, without a trailing dot: "xfr-key" */
    char algorithm[32]; /* "hmac-sha256" */
    char secret[256];   /* base64, as in the file */
} dnsapi_tsig_key_t;

/* Parses text (len bytes, one key) into key. Returns 0, or -1 with one
 * line in errbuf saying what is wrong. */
int dnsapi_tsig_key_parse(const char *text, size_t len, dnsapi_tsig_key_t *key, char *errbuf,
                          size_t errlen);

/* Reads and parses the file at path (at most 64 KiB). Returns 0 or -1. */
int dnsapi_tsig_key_load(const char *path, dnsapi_tsig_key_t *key, char *errbuf, size_t errlen);

#endif
