/*
 * base64.h - standard base64 (RFC 4648 section 4, with padding), strict on
 * input: whitespace, a wrong alphabet or bad padding is refused, so a
 * secret has exactly one text form.
 */
#ifndef DNSAPI_COMMON_BASE64_H
#define DNSAPI_COMMON_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Bytes base64_encode writes for n input bytes, with the NUL. */
#define BASE64_ENCODED_SIZE(n) ((((n) + 2) / 3) * 4 + 1)

/* Writes the base64 of in[0..n) and a NUL into out (at least
 * BASE64_ENCODED_SIZE(n) bytes). Returns the text length, or 0 when outlen
 * is too small (out is then ""). */
size_t base64_encode(const uint8_t *in, size_t n, char *out, size_t outlen);

/* Decodes the NUL-terminated text into out (outlen bytes). Returns the
 * number of bytes, or -1 when text is not canonical padded base64 or does
 * not fit. */
long base64_decode(const char *text, uint8_t *out, size_t outlen);

#endif
