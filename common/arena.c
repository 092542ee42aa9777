#include "common/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_MIN (16 * 1024)

struct arena_block {
    arena_block_t *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

void arena_init(arena_t *a)
{
    a->head = NULL;
    a->used = 0;
}

void *arena_alloc(arena_t *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX / 2) {
        return NULL;
    }
    n = (n + align - 1) & ~(align - 1);
    arena_block_t *b = a->head;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > BLOCK_MIN ? n : BLOCK_MIN;
        b = malloc(sizeof(*b) + size);
        if (b == NULL) {
            return NULL;
        }
        b->size = size;
        b->used = 0;
        /* a large piece gets a block of its own behind the current one, so
         * the current block's free space is not lost */
        if (a->head != NULL && size > BLOCK_MIN) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used += n;
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p != NULL) {
        if (n > 0) {
            memcpy(p, s, n);
        }
        p[n] = '\0';
    }
    return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return s != NULL ? arena_strndup(a, s, strlen(s)) : NULL;
}

void arena_clear(arena_t *a)
{
    arena_block_t *b = a->head;
    while (b != NULL) {
        arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}
