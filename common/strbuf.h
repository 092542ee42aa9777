/*
 * strbuf.h - a growing, always NUL-terminated byte buffer: the one used for
 * JSON written by hand, master-file tokens and record data.
 *
 * A failed allocation leaves the buffer as it was and sets failed, so a
 * caller may append many pieces and check once at the end.
 */
#ifndef DNSAPI_COMMON_STRBUF_H
#define DNSAPI_COMMON_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *p; /* NULL until the first append */
    size_t len, cap;
    bool failed;
} strbuf_t;

/* Appends s[0..n); returns 0 (DNSAPI_OK) or DNSAPI_ENOMEM. */
int strbuf_add(strbuf_t *b, const char *s, size_t n);

/* Appends a NUL-terminated string. */
int strbuf_adds(strbuf_t *b, const char *s);

/* Empties b, keeping its memory; the text is "" afterwards. */
void strbuf_reset(strbuf_t *b);

/* The text ("" for an empty buffer). */
const char *strbuf_str(const strbuf_t *b);

/* Frees the memory; b is empty afterwards. */
void strbuf_free(strbuf_t *b);

#endif
