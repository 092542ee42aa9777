/*
 * arena.h - a bump allocator for things that die together: the records of
 * one change, the rows a view copies from the database.
 *
 * Memory comes from blocks of at least 16 KiB (larger for a large piece);
 * nothing is freed alone; arena_clear frees every block. An allocation
 * that fails returns NULL and leaves the arena usable.
 */
#ifndef DNSAPI_COMMON_ARENA_H
#define DNSAPI_COMMON_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block_t;

typedef struct {
    arena_block_t *head;
    size_t used; /* bytes handed out, for tests and metrics */
} arena_t;

void arena_init(arena_t *a);

/* n bytes aligned for any type, or NULL. */
void *arena_alloc(arena_t *a, size_t n);

/* A NUL-terminated copy of s[0..n) (s may be NULL when n is 0), or NULL. */
char *arena_strndup(arena_t *a, const char *s, size_t n);

/* A copy of a NUL-terminated string (NULL stays NULL), or NULL. */
char *arena_strdup(arena_t *a, const char *s);

/* Frees every block; the arena is empty and usable afterwards. */
void arena_clear(arena_t *a);

#endif
