/*
 * base64.c - see base64.h.
 */
#include "common/base64.h"

#include <string.h>

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encode(const uint8_t *in, size_t n, char *out, size_t outlen)
{
    size_t need = BASE64_ENCODED_SIZE(n);
    size_t o = 0;

    if (outlen < need) {
        if (outlen > 0) {
            out[0] = '\0';
        }
        return 0;
    }
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= in[i + 2];
        }
        out[o++] = ALPHABET[(v >> 18) & 63];
        out[o++] = ALPHABET[(v >> 12) & 63];
        out[o++] = i + 1 < n ? ALPHABET[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? ALPHABET[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

static int value_of(char c)
{
    const char *p = c != '\0' ? strchr(ALPHABET, c) : NULL;
    return p != NULL ? (int)(p - ALPHABET) : -1;
}

long base64_decode(const char *text, uint8_t *out, size_t outlen)
{
    size_t len = strlen(text);
    size_t o = 0;

    if (len % 4 != 0) {
        return -1;
    }
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = text[i + k];
            if (c == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad > 0 || (v[k] = value_of(c)) < 0) {
                return -1; /* a character after '=', or not in the alphabet */
            }
        }
        uint32_t bits = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) |
                        (uint32_t)v[3];
        /* Canonical form: the bits the padding hides must be zero. */
        if ((pad == 1 && (bits & 0xff) != 0) || (pad == 2 && (bits & 0xffff) != 0)) {
            return -1;
        }
        size_t bytes = 3 - (size_t)pad;
        if (outlen - o < bytes) {
            return -1;
        }
        out[o++] = (uint8_t)(bits >> 16);
        if (bytes > 1) {
            out[o++] = (uint8_t)(bits >> 8);
        }
        if (bytes > 2) {
            out[o++] = (uint8_t)bits;
        }
    }
    return (long)o;
}
