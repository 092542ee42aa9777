#include "common/strbuf.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

int strbuf_add(strbuf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap != 0 ? b->cap : 256;
        while (cap < b->len + n + 1) {
            if (cap > ((size_t)-1) / 2) {
                b->failed = true;
                return DNSAPI_ENOMEM;
            }
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->failed = true;
            return DNSAPI_ENOMEM;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n > 0) {
        memcpy(b->p + b->len, s, n);
    }
    b->len += n;
    b->p[b->len] = '\0';
    return DNSAPI_OK;
}

int strbuf_adds(strbuf_t *b, const char *s)
{
    return strbuf_add(b, s, strlen(s));
}

void strbuf_reset(strbuf_t *b)
{
    b->len = 0;
    b->failed = false;
    if (b->p != NULL) {
        b->p[0] = '\0';
    }
}

const char *strbuf_str(const strbuf_t *b)
{
    return b->p != NULL ? b->p : "";
}

void strbuf_free(strbuf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}
